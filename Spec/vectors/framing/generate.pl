#!/usr/bin/perl
# Writes the framing test vectors (*.json) in this folder. See ../README.md.
#
#   perl Spec/vectors/framing/generate.pl            # rewrite the JSON files
#   perl Spec/vectors/framing/generate.pl --check    # fail if they are out of date
#
# The JSON files are generated, never edited by hand: every byte of a zlib payload
# comes from Compress::Zlib / Compress::Raw::Zlib (the library POE uses), and every
# frame written by POE::Filter::Reference's own `put` comes from POE itself.
#
# Before writing, each vector that POE 1.37 can judge is replayed through
# POE::Filter::Reference (whole, and one byte at a time), and generation stops if POE
# disagrees where this spec says it agrees. What POE does differently is stated in
# the vector's description and in Spec/framing.md, "Where POE 1.37 differs".
#
# Needs: perl, POE (libpoe-perl), Compress::Zlib and Storable (both in core perl).

use strict;
use warnings;
use Compress::Zlib qw(compress);
use Compress::Raw::Zlib qw(MAX_WBITS Z_OK Z_STREAM_END);
use File::Basename qw(dirname);
use File::Spec;
use POE::Filter::Reference;
use Storable qw(nfreeze);

# A serializer that passes payload bytes through, so POE's framing and compression can
# be exercised on exact bytes. POE calls a class serializer's subs as plain functions.
{
    package RefWireVectors::Raw;
    sub nfreeze { ${ $_[0] } }
    sub thaw    { $_[0] }
}

my $check_only = grep { $_ eq '--check' } @ARGV;
my $folder = dirname(File::Spec->rel2abs(__FILE__));

# ---------------------------------------------------------------------------------
# Helpers that build stream bytes. All strings here are byte strings.

# One frame as POE's put writes it: decimal length, NUL, payload.
sub frame { my ($payload) = @_; return length($payload) . "\0" . $payload }

# A frame whose length field is written with `$zeros` leading zeros.
sub padded_frame {
    my ($zeros, $payload) = @_;
    return ('0' x $zeros) . length($payload) . "\0" . $payload;
}

# The frames POE::Filter::Reference->put writes for these payloads.
sub poe_put {
    my ($options, @payloads) = @_;
    my $filter = POE::Filter::Reference->new(Serializer => 'RefWireVectors::Raw', %$options);
    return join '', @{ $filter->put([ map { \$_ } @payloads ]) };
}

# The UTF-8 bytes of a string of characters.
sub utf8_bytes { my ($text) = @_; utf8::encode($text); return $text }

# zlib streams made by the zlib library itself, never by hand.
sub zlib { my ($data) = @_; return compress($data) }

sub raw_deflate {
    my ($data) = @_;
    my ($deflater, $status) = Compress::Raw::Zlib::Deflate->new(
        -WindowBits => -MAX_WBITS(), -AppendOutput => 1);
    die "deflateInit: $status" unless $status == Z_OK;
    my $output = '';
    $deflater->deflate($data, $output) == Z_OK or die 'deflate failed';
    $deflater->flush($output) == Z_OK or die 'flush failed';
    return $output;
}

sub zlib_with_dictionary {
    my ($data, $dictionary) = @_;
    my ($deflater, $status) = Compress::Raw::Zlib::Deflate->new(
        -Dictionary => $dictionary, -AppendOutput => 1);
    die "deflateInit: $status" unless $status == Z_OK;
    my $output = '';
    $deflater->deflate($data, $output) == Z_OK or die 'deflate failed';
    $deflater->flush($output) == Z_OK or die 'flush failed';
    return $output;
}

sub gzip { my ($data) = @_; return Compress::Zlib::memGzip($data) }

# Damages a real stream in a stated way.
sub with_last_byte_flipped {
    my ($stream) = @_;
    substr($stream, -1, 1) = chr(ord(substr($stream, -1, 1)) ^ 0x01);
    return $stream;
}

sub without_last_bytes { my ($stream, $count) = @_; return substr($stream, 0, -$count) }

# Sets the first deflate block header to BFINAL=1, BTYPE=11 (reserved).
sub with_reserved_block_type {
    my ($stream) = @_;
    substr($stream, 2, 1) = chr((ord(substr($stream, 2, 1)) & ~0x07) | 0x07);
    return $stream;
}

# A payload of `$count` pseudo-random but fixed bytes (a linear congruential sequence).
sub fixed_noise {
    my ($count, $seed) = @_;
    my $state = $seed;
    my $bytes = '';
    for (1 .. $count) {
        $state = ($state * 1103515245 + 12345) % 2**31;
        $bytes .= chr(($state >> 16) & 0xFF);
    }
    return $bytes;
}

# ---------------------------------------------------------------------------------
# The vectors. Keys (see ../README.md): name, description, input, chunks, limits,
# compression, max_decompressed_size, end_of_input (default true), frames (undef for
# a frame whose payload fails), frame_offsets, error, payload_errors, pending.

my %files;

$files{'valid.json'} = {
    topic => 'Well-formed streams: every frame is delivered, in order, whatever the chunking.',
    vectors => [
        {
            name => 'single_frame',
            description => 'One frame: "5", NUL, five payload bytes.',
            input => frame('hello'),
            frames => ['hello'],
            frame_offsets => [0],
            pending => '',
        },
        {
            name => 'three_frames',
            description => 'Frames follow each other with nothing in between.',
            input => frame('hello') . frame('RefWire') . frame('!'),
            frames => ['hello', 'RefWire', '!'],
            frame_offsets => [0, 7, 16],
            pending => '',
        },
        {
            name => 'empty_payload',
            description => 'A zero-length payload is a valid frame: "0" NUL.',
            input => frame(''),
            frames => [''],
            pending => '',
        },
        {
            name => 'empty_payloads_in_a_row',
            description => 'Three empty frames back to back.',
            input => frame('') x 3,
            frames => ['', '', ''],
            frame_offsets => [0, 2, 4],
            pending => '',
        },
        {
            name => 'empty_payload_between_frames',
            description => 'An empty frame between two one-byte frames.',
            input => frame('a') . frame('') . frame('b'),
            frames => ['a', '', 'b'],
            frame_offsets => [0, 3, 5],
            pending => '',
        },
        {
            name => 'leading_zero',
            description => 'A length field with a leading zero ("05") is read as 5.',
            input => padded_frame(1, 'hello'),
            frames => ['hello'],
            pending => '',
        },
        {
            name => 'many_leading_zeros',
            description => 'Ten digits, nine of them leading zeros, within the default digit limit.',
            input => padded_frame(9, 'abc') . frame('next'),
            frames => ['abc', 'next'],
            frame_offsets => [0, 14],
            pending => '',
        },
        {
            name => 'zero_written_as_several_zeros',
            description => '"000" declares an empty payload.',
            input => "000\0" . frame('x'),
            frames => ['', 'x'],
            frame_offsets => [0, 4],
            pending => '',
        },
        {
            name => 'payload_contains_nul',
            description => 'NUL bytes inside a payload are data: only the first NUL after the digits ends the length field.',
            input => frame("a\0b\0c") . frame("\0"),
            frames => ["a\0b\0c", "\0"],
            pending => '',
        },
        {
            name => 'payload_is_digits',
            description => 'A payload made of digits is not mistaken for a length field.',
            input => frame('123') . frame('99') . frame('0'),
            frames => ['123', '99', '0'],
            pending => '',
        },
        {
            name => 'payload_looks_like_a_frame',
            description => 'A payload that is itself a complete frame ("2" NUL "ab") is delivered whole, not unwrapped.',
            input => frame(frame('ab')),
            frames => [frame('ab')],
            pending => '',
        },
        {
            name => 'payload_starts_with_nul_and_digits',
            description => 'The payload begins with NUL and digits right after the length field\'s NUL.',
            input => frame("\x00" . "12\x00"),
            frames => ["\x00" . "12\x00"],
            pending => '',
        },
        {
            name => 'all_byte_values',
            description => 'A 256-byte payload holding every byte value 0x00 to 0xFF.',
            input => frame(join '', map { chr } 0 .. 255),
            frames => [join '', map { chr } 0 .. 255],
            pending => '',
        },
        {
            name => 'length_digit_count_changes',
            description => 'Payloads of 9, 10, 99 and 100 bytes: the length field grows from one digit to three.',
            input => join('', map { frame('z' x $_) } 9, 10, 99, 100),
            frames => [map { 'z' x $_ } 9, 10, 99, 100],
            frame_offsets => [0, 11, 24, 126],
            pending => '',
        },
        {
            name => 'length_is_counted_in_bytes',
            description => 'The length counts bytes, not characters: "h", U+00E9, "llo" is 6 bytes of UTF-8 (POE measures with `use bytes`).',
            input => frame(utf8_bytes("h\x{e9}llo")),
            frames => [utf8_bytes("h\x{e9}llo")],
            pending => '',
        },
        {
            name => 'kilobyte_payload',
            description => 'A 1,500-byte payload of fixed pseudo-random bytes: longer than any fixed chunk size the runner uses.',
            input => frame(fixed_noise(1500, 1)),
            frames => [fixed_noise(1500, 1)],
            pending => '',
        },
        {
            name => 'written_by_poe_put',
            description => 'Frames written by POE::Filter::Reference 1.37 `put` (pass-through serializer).',
            input => poe_put({}, 'first', '', "th\0rd"),
            frames => ['first', '', "th\0rd"],
            pending => '',
        },
        {
            name => 'storable_message_written_by_poe_put',
            description => 'A real message: POE::Filter::Reference `put` of { key_1 => 111 } with its default serializer, Storable nfreeze. The payload is the nfreeze image.',
            input => join('', @{ POE::Filter::Reference->new()->put([ { key_1 => 111 } ]) }),
            frames => [nfreeze({ key_1 => 111 })],
            pending => '',
        },
        {
            name => 'empty_input',
            description => 'No bytes, then end of input: a clean end with no frames.',
            input => '',
            frames => [],
            pending => '',
        },
        {
            name => 'empty_input_still_open',
            description => 'No bytes and the input not finished: nothing to deliver, nothing wrong.',
            input => '',
            end_of_input => 0,
            frames => [],
            pending => '',
        },
        {
            name => 'open_stream_on_a_frame_boundary',
            description => 'The input is not finished but ends exactly after a frame: the frame is delivered, nothing is pending.',
            input => frame('hello'),
            end_of_input => 0,
            frames => ['hello'],
            pending => '',
        },
        {
            name => 'open_stream_inside_length_field',
            description => 'Without end of input, a partial length field is simply pending (not an error).',
            input => '12',
            end_of_input => 0,
            frames => [],
            pending => '12',
        },
        {
            name => 'open_stream_after_length_field',
            description => 'Without end of input, a complete length field with no payload yet is pending.',
            input => "5\0",
            end_of_input => 0,
            frames => [],
            pending => "5\0",
        },
        {
            name => 'open_stream_inside_payload',
            description => 'Without end of input, a frame whose payload is partly received is pending; the frame before it is delivered.',
            input => frame('hello') . "3\0ab",
            end_of_input => 0,
            frames => ['hello'],
            frame_offsets => [0],
            pending => "3\0ab",
        },
    ],
};

$files{'errors.json'} = {
    topic => 'Corrupt streams: a byte that cannot start or continue a length field is a fatal invalid_length_prefix at that byte. Frames before it are delivered first.',
    vectors => [
        {
            name => 'non_digit_first_byte',
            description => 'The stream starts with a letter.',
            input => 'x' . frame('hello'),
            frames => [],
            error => { kind => 'invalid_length_prefix', offset => 0, byte => ord('x') },
        },
        {
            name => 'nul_without_digits',
            description => 'A NUL with no digits before it: an empty length field.',
            input => "\0",
            frames => [],
            error => { kind => 'invalid_length_prefix', offset => 0, byte => 0 },
        },
        {
            name => 'nul_without_digits_after_a_frame',
            description => 'A stray NUL where the second frame\'s length should start.',
            input => frame('hello') . "\0" . frame('more'),
            frames => ['hello'],
            error => { kind => 'invalid_length_prefix', offset => 7, byte => 0 },
        },
        {
            name => 'plus_sign',
            description => 'A sign is not a digit: "+5".',
            input => '+' . frame('hello'),
            frames => [],
            error => { kind => 'invalid_length_prefix', offset => 0, byte => ord('+') },
        },
        {
            name => 'minus_sign',
            description => '"-5" is not a length.',
            input => '-' . frame('hello'),
            frames => [],
            error => { kind => 'invalid_length_prefix', offset => 0, byte => ord('-') },
        },
        {
            name => 'space_before_digits',
            description => 'Whitespace is not skipped before a length.',
            input => ' ' . frame('hello'),
            frames => [],
            error => { kind => 'invalid_length_prefix', offset => 0, byte => 0x20 },
        },
        {
            name => 'space_after_digits',
            description => 'Whitespace between the digits and the NUL: the space is the bad byte.',
            input => "5 \0hello",
            frames => [],
            error => { kind => 'invalid_length_prefix', offset => 1, byte => 0x20 },
        },
        {
            name => 'newline_instead_of_nul',
            description => 'A line-oriented peer: "5" LF "hello". The LF is the bad byte.',
            input => "5\nhello",
            frames => [],
            error => { kind => 'invalid_length_prefix', offset => 1, byte => 0x0A },
        },
        {
            name => 'hexadecimal_length',
            description => '"0x5" is read as "0" followed by a bad byte.',
            input => "0x5\0hello",
            frames => [],
            error => { kind => 'invalid_length_prefix', offset => 1, byte => ord('x') },
        },
        {
            name => 'decimal_point',
            description => '"5.0" is not a length.',
            input => "5.0\0hello",
            frames => [],
            error => { kind => 'invalid_length_prefix', offset => 1, byte => ord('.') },
        },
        {
            name => 'arabic_indic_digit',
            description => 'U+0665 ARABIC-INDIC DIGIT FIVE (UTF-8 D9 A5) is not a digit here: lengths are ASCII, and POE matches \\d on bytes.',
            input => utf8_bytes("\x{665}") . "\0hello",
            frames => [],
            error => { kind => 'invalid_length_prefix', offset => 0, byte => 0xD9 },
        },
        {
            name => 'fullwidth_digit',
            description => 'U+FF15 FULLWIDTH DIGIT FIVE (UTF-8 EF BC 95) is not a digit.',
            input => utf8_bytes("\x{ff15}") . "\0hello",
            frames => [],
            error => { kind => 'invalid_length_prefix', offset => 0, byte => 0xEF },
        },
        {
            name => 'ascii_digit_then_devanagari_digit',
            description => '"1" followed by U+0967 DEVANAGARI DIGIT ONE (E0 A5 A7): the first non-ASCII byte is the bad one.',
            input => '1' . utf8_bytes("\x{967}") . "\0" . ('y' x 11),
            frames => [],
            error => { kind => 'invalid_length_prefix', offset => 1, byte => 0xE0 },
        },
        {
            name => 'corrupt_frame_after_good_frames',
            description => 'Two good frames, then garbage: both frames are delivered before the error, which is at the garbage\'s first byte.',
            input => frame('hello') . frame('abc') . 'XYZ',
            frames => ['hello', 'abc'],
            frame_offsets => [0, 7],
            error => { kind => 'invalid_length_prefix', offset => 12, byte => ord('X') },
        },
        {
            name => 'declared_length_too_short',
            description => 'A writer that declared 3 bytes but wrote 5: "hel" is a frame, then "lo" is where a length should be.',
            input => "3\0hello" . frame('next'),
            frames => ['hel'],
            error => { kind => 'invalid_length_prefix', offset => 5, byte => ord('l') },
        },
        {
            name => 'sign_after_good_frames',
            description => 'A negative length after two good frames.',
            input => frame('ok') . frame('a') . "-1\0",
            frames => ['ok', 'a'],
            error => { kind => 'invalid_length_prefix', offset => 7, byte => ord('-') },
        },
        {
            name => 'error_before_end_of_input',
            description => 'The bad byte is reported even if the input is not finished.',
            input => frame('hello') . '?',
            end_of_input => 0,
            frames => ['hello'],
            error => { kind => 'invalid_length_prefix', offset => 7, byte => ord('?') },
            pending => '?',
        },
    ],
};

$files{'truncation.json'} = {
    topic => 'End of input: a stream that ends between frames ends cleanly; one that ends inside a frame is a fatal truncated_frame at that frame.',
    vectors => [
        {
            name => 'clean_end_after_frames',
            description => 'The input ends exactly after the last frame.',
            input => frame('one') . frame('two'),
            frames => ['one', 'two'],
            pending => '',
        },
        {
            name => 'truncated_in_length_field',
            description => 'The input ends after two digits: the frame\'s size is unknown.',
            input => '12',
            frames => [],
            error => { kind => 'truncated_frame', offset => 0, buffered_bytes => 2, expected_bytes => undef },
            pending => '12',
        },
        {
            name => 'truncated_after_single_digit',
            description => 'A lone "0" without its NUL is not an empty frame.',
            input => '0',
            frames => [],
            error => { kind => 'truncated_frame', offset => 0, buffered_bytes => 1, expected_bytes => undef },
            pending => '0',
        },
        {
            name => 'truncated_after_length_field',
            description => 'The length field is complete, no payload byte arrived: 2 of 7 bytes.',
            input => "5\0",
            frames => [],
            error => { kind => 'truncated_frame', offset => 0, buffered_bytes => 2, expected_bytes => 7 },
            pending => "5\0",
        },
        {
            name => 'truncated_in_payload',
            description => 'Three of five payload bytes arrived: 5 of 7 bytes.',
            input => "5\0hel",
            frames => [],
            error => { kind => 'truncated_frame', offset => 0, buffered_bytes => 5, expected_bytes => 7 },
            pending => "5\0hel",
        },
        {
            name => 'truncated_one_byte_short',
            description => 'The last payload byte is missing.',
            input => "5\0hell",
            frames => [],
            error => { kind => 'truncated_frame', offset => 0, buffered_bytes => 6, expected_bytes => 7 },
            pending => "5\0hell",
        },
        {
            name => 'truncated_after_good_frames',
            description => 'Good frames are delivered, then the error names the frame the input ended in.',
            input => frame('hello') . frame('abc') . "10\0abc",
            frames => ['hello', 'abc'],
            frame_offsets => [0, 7],
            error => { kind => 'truncated_frame', offset => 12, buffered_bytes => 6, expected_bytes => 13 },
            pending => "10\0abc",
        },
        {
            name => 'declared_length_too_long',
            description => 'A writer that declared 9 bytes but wrote 5, then closed: the frame is truncated.',
            input => "9\0hello",
            frames => [],
            error => { kind => 'truncated_frame', offset => 0, buffered_bytes => 7, expected_bytes => 11 },
            pending => "9\0hello",
        },
        {
            name => 'truncated_leading_zeros_count',
            description => 'Leading zeros are part of the frame\'s size: "007" NUL plus 7 bytes is 11 bytes.',
            input => "007\0abc",
            frames => [],
            error => { kind => 'truncated_frame', offset => 0, buffered_bytes => 7, expected_bytes => 11 },
            pending => "007\0abc",
        },
    ],
};

my $mib = 1 << 20;
$files{'limits.json'} = {
    topic => 'The decoder\'s limits: max_frame_length (checked when the length field ends), max_length_digits (checked at each digit), max_buffered_bytes (checked at each feed; depends on chunking, so those vectors give chunks).',
    vectors => [
        {
            name => 'frame_length_at_limit',
            description => 'A payload of exactly max_frame_length bytes is accepted.',
            limits => { max_frame_length => 5 },
            input => frame('hello'),
            frames => ['hello'],
            pending => '',
        },
        {
            name => 'frame_length_over_limit',
            description => 'One byte over max_frame_length: refused at the frame\'s first byte.',
            limits => { max_frame_length => 5 },
            input => frame('hello!'),
            frames => [],
            error => { kind => 'frame_too_large', offset => 0, declared_length => '6', limit => 5 },
        },
        {
            name => 'frame_length_over_limit_before_payload',
            description => 'The limit is checked when the length field ends: no payload byte is needed, and the input need not be finished.',
            limits => { max_frame_length => 5 },
            input => "6\0",
            end_of_input => 0,
            frames => [],
            error => { kind => 'frame_too_large', offset => 0, declared_length => '6', limit => 5 },
            pending => "6\0",
        },
        {
            name => 'frame_length_over_limit_with_leading_zeros',
            description => 'Leading zeros do not hide the value: "0006" is 6.',
            limits => { max_frame_length => 5 },
            input => padded_frame(3, 'hello!'),
            frames => [],
            error => { kind => 'frame_too_large', offset => 0, declared_length => '6', limit => 5 },
        },
        {
            name => 'frame_too_large_after_good_frames',
            description => 'Frames within the limit are delivered; the oversized one is refused at its first byte.',
            limits => { max_frame_length => 5 },
            input => frame('hello') . frame('hi') . frame('toolong'),
            frames => ['hello', 'hi'],
            error => { kind => 'frame_too_large', offset => 11, declared_length => '7', limit => 5 },
        },
        {
            name => 'zero_frame_limit',
            description => 'With max_frame_length 0 only empty frames are allowed.',
            limits => { max_frame_length => 0 },
            input => frame('') . frame('a'),
            frames => [''],
            error => { kind => 'frame_too_large', offset => 2, declared_length => '1', limit => 0 },
        },
        {
            name => 'default_frame_limit_exactly',
            description => 'With default limits a length field declaring 16 MiB (16777216) is accepted and waits for its payload.',
            input => (16 * $mib) . "\0",
            end_of_input => 0,
            frames => [],
            pending => (16 * $mib) . "\0",
        },
        {
            name => 'default_frame_limit_plus_one',
            description => 'With default limits 16777217 is refused as soon as its NUL arrives.',
            input => (16 * $mib + 1) . "\0",
            end_of_input => 0,
            frames => [],
            error => { kind => 'frame_too_large', offset => 0, declared_length => '16777217', limit => 16 * $mib },
            pending => (16 * $mib + 1) . "\0",
        },
        {
            name => 'declared_length_beyond_64_bits',
            description => 'Twenty nines exceed 2^64 - 1: declared_length saturates at 18446744073709551615.',
            input => ('9' x 20) . "\0",
            frames => [],
            error => { kind => 'frame_too_large', offset => 0, declared_length => '18446744073709551615', limit => 16 * $mib },
        },
        {
            name => 'declared_length_above_signed_64_bits',
            description => '10^19 is above 2^63 - 1 but below 2^64 - 1: declared_length is exact.',
            input => '1' . ('0' x 19) . "\0",
            frames => [],
            error => { kind => 'frame_too_large', offset => 0, declared_length => '10000000000000000000', limit => 16 * $mib },
        },
        {
            name => 'declared_length_signed_64_bit_maximum',
            description => '2^63 - 1 is reported as itself, not as a saturated value.',
            input => "9223372036854775807\0",
            frames => [],
            error => { kind => 'frame_too_large', offset => 0, declared_length => '9223372036854775807', limit => 16 * $mib },
        },
        {
            name => 'length_digits_at_limit',
            description => 'With max_length_digits 3, "005" (three digits, zeros included) is accepted.',
            limits => { max_length_digits => 3 },
            input => padded_frame(2, 'hello'),
            frames => ['hello'],
            pending => '',
        },
        {
            name => 'length_digits_over_limit',
            description => 'With max_length_digits 3, "0005" is refused at the fourth digit, reported at the frame\'s first byte.',
            limits => { max_length_digits => 3 },
            input => padded_frame(3, 'hello'),
            frames => [],
            error => { kind => 'length_field_too_long', offset => 0, limit => 3 },
        },
        {
            name => 'length_digits_over_limit_before_nul',
            description => 'The digit limit needs no NUL and no end of input: the fourth digit is enough.',
            limits => { max_length_digits => 3 },
            input => '1234',
            end_of_input => 0,
            frames => [],
            error => { kind => 'length_field_too_long', offset => 0, limit => 3 },
            pending => '1234',
        },
        {
            name => 'length_digits_over_limit_after_a_frame',
            description => 'The error is reported at the first byte of the frame whose length field is too long.',
            limits => { max_length_digits => 3 },
            input => frame('hello') . padded_frame(3, 'x'),
            frames => ['hello'],
            error => { kind => 'length_field_too_long', offset => 7, limit => 3 },
        },
        {
            name => 'default_digit_limit_exactly',
            description => 'Twenty digits, nineteen of them leading zeros, are accepted by default.',
            input => padded_frame(19, 'hello'),
            frames => ['hello'],
            pending => '',
        },
        {
            name => 'default_digit_limit_plus_one',
            description => 'Twenty-one digits are refused by default, even though the value (5) is small.',
            input => padded_frame(20, 'hello'),
            frames => [],
            error => { kind => 'length_field_too_long', offset => 0, limit => 20 },
        },
        {
            name => 'buffer_exactly_at_limit',
            description => 'A seven-byte frame with max_buffered_bytes 7 fits under every chunking.',
            limits => { max_buffered_bytes => 7 },
            input => frame('hello'),
            frames => ['hello'],
            pending => '',
        },
        {
            name => 'buffer_drained_between_feeds',
            description => 'Two seven-byte frames fed separately: each feed fits because the previous frame was taken out.',
            limits => { max_buffered_bytes => 7 },
            input => frame('hello') . frame('world'),
            chunks => [7, 7],
            frames => ['hello', 'world'],
            pending => '',
        },
        {
            name => 'buffer_limit_whole_input',
            description => 'Fourteen bytes fed at once exceed max_buffered_bytes 7: the feed is refused and nothing is taken.',
            limits => { max_buffered_bytes => 7 },
            input => frame('hello') . frame('world'),
            chunks => [14],
            frames => [],
            error => { kind => 'buffer_limit_exceeded', offset => 0, buffered_bytes => 0, incoming_bytes => 14, limit => 7 },
            pending => '',
        },
        {
            name => 'buffer_limit_frame_larger_than_buffer',
            description => 'An eight-byte frame fed one byte at a time with max_buffered_bytes 7: the eighth byte is refused. (max_buffered_bytes must leave room for a whole frame.)',
            limits => { max_buffered_bytes => 7 },
            input => frame('hello!'),
            chunks => [(1) x 8],
            frames => [],
            error => { kind => 'buffer_limit_exceeded', offset => 7, buffered_bytes => 7, incoming_bytes => 1, limit => 7 },
            pending => "6\0hello",
        },
        {
            name => 'buffer_limit_counts_unread_bytes_only',
            description => 'Nine bytes deliver "hello" and leave "5" NUL unread (2 bytes); five more make 7 of max 10.',
            limits => { max_buffered_bytes => 10 },
            input => frame('hello') . frame('world'),
            chunks => [9, 5],
            frames => ['hello', 'world'],
            pending => '',
        },
        {
            name => 'buffer_limit_with_partial_frame',
            description => 'Three bytes of a frame are held; eleven more would make 14 of max 10: refused at stream offset 3.',
            limits => { max_buffered_bytes => 10 },
            input => frame('hello') . frame('world'),
            chunks => [3, 11],
            frames => [],
            error => { kind => 'buffer_limit_exceeded', offset => 3, buffered_bytes => 3, incoming_bytes => 11, limit => 10 },
            pending => "5\0h",
        },
    ],
};

my $hello_world = 'hello world, hello world, hello world';
my $thousand_a = 'a' x 1000;
$files{'compressed.json'} = {
    topic => 'Payloads compressed with zlib (POE\'s Compression => 1). A payload that fails to inflate is a payload error for that frame only: the next frame is still read. All zlib bytes are made by Compress::Zlib / Compress::Raw::Zlib through generate.pl.',
    vectors => [
        {
            name => 'zlib_single_frame',
            description => 'Compress::Zlib::compress("hello").',
            compression => 'zlib',
            input => frame(zlib('hello')),
            frames => ['hello'],
            pending => '',
        },
        {
            name => 'zlib_written_by_poe_put',
            description => 'POE::Filter::Reference `put` with Compression => 1 (pass-through serializer), three payloads.',
            compression => 'zlib',
            input => poe_put({ Compression => 1 }, $hello_world, '', "\0\1\2"),
            frames => [$hello_world, '', "\0\1\2"],
            pending => '',
        },
        {
            name => 'zlib_storable_message_written_by_poe_put',
            description => 'POE::Filter::Reference->new(Compression => 1)->put([[1, 2, 3]]): a compressed Storable nfreeze image.',
            compression => 'zlib',
            input => join('', @{ POE::Filter::Reference->new(Compression => 1)->put([ [1, 2, 3] ]) }),
            frames => [nfreeze([1, 2, 3])],
            pending => '',
        },
        {
            name => 'zlib_empty_data',
            description => 'compress("") is an 8-byte stream that inflates to an empty payload.',
            compression => 'zlib',
            input => frame(zlib('')),
            frames => [''],
            pending => '',
        },
        {
            name => 'zlib_output_at_limit',
            description => '1,000 bytes inflated with max_decompressed_size 1000: accepted.',
            compression => 'zlib',
            max_decompressed_size => 1000,
            input => frame(zlib($thousand_a)),
            frames => [$thousand_a],
            pending => '',
        },
        {
            name => 'zlib_output_over_limit',
            description => 'The same stream with max_decompressed_size 999 fails (POE would inflate it); the next frame is still read.',
            compression => 'zlib',
            max_decompressed_size => 999,
            input => frame(zlib($thousand_a)) . frame(zlib('next')),
            frames => [undef, 'next'],
            payload_errors => [{ index => 0, kind => 'output_limit_exceeded', limit => 999 }],
            poe_inflates => [0],
            pending => '',
        },
        {
            name => 'zlib_truncated_stream',
            description => 'A stream missing its last six bytes (Adler-32 and part of the deflate data); the next frame is still read.',
            compression => 'zlib',
            input => frame(without_last_bytes(zlib($hello_world), 6)) . frame(zlib('next')),
            frames => [undef, 'next'],
            frame_offsets => [0, length(frame(without_last_bytes(zlib($hello_world), 6)))],
            payload_errors => [{ index => 0, kind => 'truncated_stream' }],
            pending => '',
        },
        {
            name => 'zlib_bad_checksum',
            description => 'The Adler-32 trailer\'s last bit flipped; the next frame is still read.',
            compression => 'zlib',
            input => frame(with_last_byte_flipped(zlib('hello'))) . frame(zlib('next')),
            frames => [undef, 'next'],
            payload_errors => [{ index => 0, kind => 'checksum_mismatch' }],
            pending => '',
        },
        {
            name => 'zlib_trailing_byte',
            description => 'One byte after a complete stream: refused (POE\'s uncompress ignores it); the next frame is still read.',
            compression => 'zlib',
            input => frame(zlib('hello') . "\0") . frame(zlib('next')),
            frames => [undef, 'next'],
            payload_errors => [{ index => 0, kind => 'trailing_bytes', count => 1 }],
            poe_inflates => [0],
            pending => '',
        },
        {
            name => 'zlib_two_streams_in_one_payload',
            description => 'Two complete streams in one payload: the second is trailing bytes.',
            compression => 'zlib',
            input => frame(zlib('one') . zlib('two')),
            frames => [undef],
            payload_errors => [{ index => 0, kind => 'trailing_bytes', count => length(zlib('two')) }],
            poe_inflates => [0],
            pending => '',
        },
        {
            name => 'zlib_gzip_stream',
            description => 'A gzip file (Compress::Zlib::memGzip), not a zlib stream; the next frame is still read.',
            compression => 'zlib',
            input => frame(gzip('hello')) . frame(zlib('next')),
            frames => [undef, 'next'],
            payload_errors => [{ index => 0, kind => 'gzip_stream' }],
            pending => '',
        },
        {
            name => 'zlib_raw_deflate',
            description => 'Raw deflate data without the zlib header (Compress::Raw::Zlib, WindowBits -15); the next frame is still read.',
            compression => 'zlib',
            input => frame(raw_deflate('hello')) . frame(zlib('next')),
            frames => [undef, 'next'],
            payload_errors => [{ index => 0, kind => 'invalid_header' }],
            pending => '',
        },
        {
            name => 'zlib_preset_dictionary',
            description => 'A stream that needs a preset dictionary (FDICT set); the next frame is still read.',
            compression => 'zlib',
            input => frame(zlib_with_dictionary('hello', 'hello world')) . frame(zlib('next')),
            frames => [undef, 'next'],
            payload_errors => [{ index => 0, kind => 'preset_dictionary_required' }],
            pending => '',
        },
        {
            name => 'zlib_reserved_block_type',
            description => 'compress("hello") with its first deflate block header changed to the reserved type 3; the next frame is still read.',
            compression => 'zlib',
            input => frame(with_reserved_block_type(zlib('hello'))) . frame(zlib('next')),
            frames => [undef, 'next'],
            payload_errors => [{ index => 0, kind => 'corrupt_data' }],
            pending => '',
        },
        {
            name => 'zlib_empty_payload',
            description => 'An empty frame is not a zlib stream (POE\'s uncompress returns undef for it too).',
            compression => 'zlib',
            input => frame('') . frame(zlib('next')),
            frames => [undef, 'next'],
            payload_errors => [{ index => 0, kind => 'truncated_stream' }],
            pending => '',
        },
        {
            name => 'zlib_expected_but_plain_payload',
            description => 'A peer that did not compress: "he" (68 65) fails the zlib header check.',
            compression => 'zlib',
            input => frame('hello') . frame(zlib('next')),
            frames => [undef, 'next'],
            payload_errors => [{ index => 0, kind => 'invalid_header' }],
            pending => '',
        },
        {
            name => 'zlib_failures_between_good_frames',
            description => 'Good, bad, good, bad, good: every good payload is delivered in order.',
            compression => 'zlib',
            input => frame(zlib('one')) . frame(gzip('x')) . frame(zlib('two'))
                . frame(with_last_byte_flipped(zlib('y'))) . frame(zlib('three')),
            frames => ['one', undef, 'two', undef, 'three'],
            payload_errors => [
                { index => 1, kind => 'gzip_stream' },
                { index => 3, kind => 'checksum_mismatch' },
            ],
            pending => '',
        },
        {
            name => 'zlib_framing_error_after_payload_error',
            description => 'A payload error does not stop the stream; a framing error does, at its own offset.',
            compression => 'zlib',
            input => frame(zlib('one')) . frame('bad') . 'X',
            frames => ['one', undef],
            payload_errors => [{ index => 1, kind => 'invalid_header' }],
            error => { kind => 'invalid_length_prefix', offset => length(frame(zlib('one'))) + 5, byte => ord('X') },
        },
        {
            name => 'zlib_truncated_frame_at_end',
            description => 'The input ends inside a compressed frame: a framing error, not a payload error.',
            compression => 'zlib',
            input => frame(zlib('one')) . substr(frame(zlib('two')), 0, 5),
            frames => ['one'],
            error => {
                kind => 'truncated_frame', offset => length(frame(zlib('one'))),
                buffered_bytes => 5, expected_bytes => length(frame(zlib('two'))),
            },
            pending => substr(frame(zlib('two')), 0, 5),
        },
    ],
};

# ---------------------------------------------------------------------------------
# Cross-check with POE::Filter::Reference 1.37.
#
# POE agrees on every frame before an invalid or truncated frame (it then waits forever
# instead of failing), and on the pending bytes. It has no frame, digit or buffer limit
# of RefWire's kind, so vectors that hit one are not replayed. With Compression => 1 a
# payload that fails to inflate comes out of POE as undef (unless listed in
# poe_inflates, where POE's lax uncompress returns data).

sub poe_frames {
    my ($vector, $chunks) = @_;
    my $filter = POE::Filter::Reference->new(
        Serializer => 'RefWireVectors::Raw',
        Compression => ($vector->{compression} // 'none') eq 'zlib' ? 1 : 0);
    my @frames;
    push @frames, @{ $filter->get([$_]) } for @$chunks;
    my $pending = $filter->get_pending;
    return (\@frames, defined $pending ? join('', @$pending) : '');
}

sub check_against_poe {
    my ($file, $vector) = @_;
    my $error_kind = $vector->{error} ? $vector->{error}{kind} : '';
    return if $error_kind =~ /^(frame_too_large|length_field_too_long|buffer_limit_exceeded)$/;
    my $input = $vector->{input};
    my %poe_inflates = map { $_ => 1 } @{ $vector->{poe_inflates} // [] };
    for my $chunks ([$input], [split //, $input]) {
        my ($frames, $pending) = poe_frames($vector, $chunks);
        my $label = "$file/$vector->{name}";
        # After a framing error POE holds the bad bytes; RefWire stops there too.
        my @expected = @{ $vector->{frames} };
        @$frames == @expected
            or die "$label: POE delivers " . scalar(@$frames) . " frames, vector says " . scalar(@expected) . "\n";
        for my $index (0 .. $#expected) {
            my ($got, $want) = ($frames->[$index], $expected[$index]);
            if (defined $want) {
                defined $got && $got eq $want or die "$label: POE frame $index differs\n";
            } elsif ($poe_inflates{$index}) {
                defined $got or die "$label: POE was expected to inflate frame $index\n";
            } else {
                !defined $got or die "$label: POE was expected to deliver undef for frame $index\n";
            }
        }
        if (defined $vector->{pending}) {
            $pending eq $vector->{pending} or die "$label: POE's get_pending differs\n";
        }
    }
}

# ---------------------------------------------------------------------------------
# JSON output, with keys in a fixed, readable order.

my @key_order = qw(
    format generated_by topic vectors
    name description input_hex chunks limits compression max_decompressed_size
    end_of_input frames_hex frame_offsets error payload_errors pending_hex
    index kind offset byte declared_length buffered_bytes incoming_bytes expected_bytes
    limit count max_frame_length max_length_digits max_buffered_bytes
);
my %key_rank = map { $key_order[$_] => $_ } 0 .. $#key_order;

sub json_string {
    my ($text) = @_;
    $text =~ s/(["\\])/\\$1/g;
    $text =~ s/([\x00-\x1f])/sprintf('\\u%04x', ord $1)/ge;
    return qq("$text");
}

# Values under these keys are JSON strings even when they look like numbers
# (hex "3132", decimal "18446744073709551615").
my %string_keys = map { $_ => 1 } qw(
    name description input_hex frames_hex pending_hex kind compression declared_length
    topic generated_by
);

sub to_json {
    my ($value, $indent, $as_string) = @_;
    my $pad = '  ' x $indent;
    my $inner = '  ' x ($indent + 1);
    return 'null' unless defined $value;
    if (ref $value eq 'HASH') {
        my @keys = sort { $key_rank{$a} <=> $key_rank{$b} } keys %$value;
        die "unknown key order for: @keys\n" if grep { !exists $key_rank{$_} } @keys;
        return '{}' unless @keys;
        return "{\n" . join(",\n", map {
            $inner . json_string($_) . ': ' . to_json($value->{$_}, $indent + 1, $string_keys{$_})
        } @keys) . "\n$pad}";
    }
    if (ref $value eq 'ARRAY') {
        return '[]' unless @$value;
        my @items = map { to_json($_, $indent + 1, $as_string) } @$value;
        # Lists of numbers, and short lists of scalars, stay on one line.
        if (!grep { ref } @$value) {
            my $line = '[' . join(', ', @items) . ']';
            return $line if !$as_string || length($line) <= 100;
        }
        return "[\n" . join(",\n", map { $inner . $_ } @items) . "\n$pad]";
    }
    if (ref $value eq 'JSON::PP::Boolean') { return $value ? 'true' : 'false' }
    return json_string($value) if $as_string;
    $value =~ /^(?:0|[1-9]\d{0,14})$/ or die "not a JSON integer: $value\n";
    return $value;
}

sub hex_of { return unpack('H*', $_[0]) }

sub vector_json {
    my ($vector) = @_;
    my %out = (
        name => $vector->{name},
        description => $vector->{description},
        input_hex => hex_of($vector->{input}),
        end_of_input => ($vector->{end_of_input} // 1) ? JSON::PP::true() : JSON::PP::false(),
        frames_hex => [map { defined $_ ? hex_of($_) : undef } @{ $vector->{frames} }],
    );
    $out{chunks} = $vector->{chunks} if $vector->{chunks};
    $out{limits} = $vector->{limits} if $vector->{limits};
    if ($vector->{compression}) {
        $out{compression} = $vector->{compression};
        $out{max_decompressed_size} = $vector->{max_decompressed_size} if defined $vector->{max_decompressed_size};
    }
    $out{frame_offsets} = $vector->{frame_offsets} if $vector->{frame_offsets};
    $out{error} = $vector->{error} if $vector->{error};
    $out{payload_errors} = $vector->{payload_errors} if $vector->{payload_errors};
    $out{pending_hex} = hex_of($vector->{pending}) if defined $vector->{pending};
    return \%out;
}

sub validate {
    my ($file, $vector) = @_;
    my $label = "$file/$vector->{name}";
    defined $vector->{$_} or die "$label: missing $_\n" for qw(name description input frames);
    if (my $chunks = $vector->{chunks}) {
        my $sum = 0;
        $sum += $_ for @$chunks;
        $sum == length $vector->{input} or die "$label: chunks add up to $sum, input has " . length($vector->{input}) . " bytes\n";
    }
    my %failed = map { $_->{index} => 1 } @{ $vector->{payload_errors} // [] };
    for my $index (0 .. $#{ $vector->{frames} }) {
        (defined $vector->{frames}[$index]) == !$failed{$index}
            or die "$label: frame $index must be null exactly when it is listed in payload_errors\n";
    }
}

require JSON::PP;
my %seen;
my $total = 0;
my $stale = 0;
for my $file (sort keys %files) {
    my $set = $files{$file};
    for my $vector (@{ $set->{vectors} }) {
        die "duplicate vector name $vector->{name}\n" if $seen{ $vector->{name} }++;
        validate($file, $vector);
        check_against_poe($file, $vector);
    }
    my $document = {
        format => 1,
        topic => $set->{topic},
        generated_by => 'Spec/vectors/framing/generate.pl',
        vectors => [map { vector_json($_) } @{ $set->{vectors} }],
    };
    my $json = to_json($document, 0) . "\n";
    JSON::PP->new->decode($json);    # the output must be valid JSON
    my $path = File::Spec->catfile($folder, $file);
    my $current = -e $path ? do { local (@ARGV, $/) = ($path); <> } : '';
    if ($current ne $json) {
        $stale++;
        if ($check_only) {
            warn "$file is out of date\n";
        } else {
            open my $out, '>:raw', $path or die "$path: $!";
            print {$out} $json;
            close $out or die "$path: $!";
        }
    }
    $total += @{ $set->{vectors} };
    printf "%-18s %3d vectors\n", $file, scalar @{ $set->{vectors} };
}
printf "%-18s %3d vectors\n", 'total', $total;
exit($check_only && $stale ? 1 : 0);
