#!/usr/bin/perl
# Writes the JSON test vectors (*.json) in this folder. See README.md here.
#
#   perl Spec/vectors/json/generate.pl            # rewrite the JSON files
#   perl Spec/vectors/json/generate.pl --check    # fail if they are out of date
#
# The JSON files are generated, never edited by hand. Each vector is an input document
# and either what it decodes to or the error it must fail with (Spec/json.md):
#
#   - a valid vector's value is Perl's JSON::XS reading of the input, node by node, except
#     that doubles are correctly rounded: JSON::XS's own conversion (json_atof) is not,
#     so doubles come from JSON::PP, which converts with Perl's numification (glibc's
#     strtod, correctly rounded). Where JSON::XS reads the input differently, the vector
#     says so in json_xs_value, and the definitions below say why;
#   - its canonical output is written here by a writer that follows Spec/json.md (strings
#     escaped by JSON::XS itself, doubles in RefWire's shortest form); wherever the value
#     holds no double, the generator checks it byte for byte against JSON::XS's canonical
#     output (and pretty and ascii output where given);
#   - an error vector's kind and offset are RefWire's, written below; the generator
#     replays the input through JSON::XS (with max_depth and max_size where the vector
#     sets the corresponding limits) and records whether JSON::XS rejects it too.
#
# Needs: perl 5.36 or later with JSON::XS 4 (Debian: libjson-xs-perl); JSON::PP and POSIX
# are in core perl.
use strict;
use warnings;
use B ();
use File::Basename qw(dirname);
use File::Spec;
use lib dirname(File::Spec->rel2abs(__FILE__)) . '/..';
use VectorFiles;
use JSON::PP ();
use JSON::XS ();
use POSIX ();

my $check_only = grep { $_ eq '--check' } @ARGV;
my $folder = dirname(File::Spec->rel2abs(__FILE__));
$JSON::XS::VERSION >= 4 or die "generate.pl: needs JSON::XS 4, this is $JSON::XS::VERSION\n";

# UTF-8 bytes of characters. (Encode's strict UTF-8 would replace noncharacters.)
sub utf8 { my ($text) = @_; utf8::encode($text); return $text }

# Whether bytes are well-formed UTF-8 (Unicode's definition: no overlong forms, no
# surrogates, nothing above U+10FFFF; noncharacters are characters), and their text.
my $utf8_character = qr/[\x00-\x7f]|[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}
    |\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}|\xf4[\x80-\x8f][\x80-\xbf]{2}/x;
sub text_of_utf8 {
    my ($bytes) = @_;
    pos($bytes) = 0;
    1 while $bytes =~ /\G$utf8_character/gc;    # one character at a time: inputs are long
    return undef unless pos($bytes) == length $bytes;
    utf8::decode(my $text = $bytes) or die "utf8::decode refuses well-formed UTF-8\n";
    return $text;
}

# ---------------------------------------------------------------------------------
# Definitions.
#
# Valid: [name, description, input bytes, {options}, {expect => node}]. `expect`
# replaces JSON::XS's reading where RefWire reads differently on purpose (the
# description says why; the generator checks that JSON::XS does differ).
# Errors: [name, description, input bytes, kind, offset, {options}].

my $deep = sub { my ($n) = @_; ('[' x $n) . (']' x $n) };

my %files = (
    'structure.json' => {
        topic => 'documents, arrays, objects, literals, whitespace and nesting that decode',
        valid => [
            ['object_simple', 'An object: a hash with character-string keys.', '{"a":1,"b":"two"}'],
            ['array_simple', 'An array of every kind of value.', '[1,-2.5,"s",true,false,null,[],{}]'],
            ['root_string', 'A string as the whole document: RFC 8259 allows any value at the root (JSON::XS 4 does too).', '"A JSON payload should be an object or array, not a string."'],
            ['root_number', 'A number as the whole document.', '42'],
            ['root_true', 'true as the whole document.', 'true'],
            ['root_false', 'false as the whole document.', 'false'],
            ['root_null', 'null as the whole document.', 'null'],
            ['empty_array', 'An empty array.', '[]'],
            ['empty_object', 'An empty object.', '{}'],
            ['empty_nested', 'Empty containers inside containers.', '[[],{},[[]],{"a":{}}]'],
            ['whitespace_everywhere', 'Space, tab, line feed and carriage return are whitespace, around every token.', " \t\r\n{ \t\r\n\"a\" \t\r\n: \t\r\n[ \t\r\n1 \t\r\n, \t\r\n2 \t\r\n] \t\r\n} \t\r\n"],
            ['whitespace_long_runs', 'Long runs of spaces, as indented documents have.', '{' . (' ' x 40) . '"k"' . (' ' x 17) . ':' . (' ' x 9) . '[' . (' ' x 64) . '1' . (' ' x 8) . ']' . (' ' x 33) . '}'],
            ['keys_many', 'An object with 40 keys, more than small hashes search linearly.', '{' . join(',', map { "\"key$_\":$_" } 1 .. 40) . '}'],
            ['keys_unicode', 'Keys with non-ASCII and escaped characters.', utf8(qq({"caf\x{e9}":1,"\\u00e9t\\u00e9":2,"\x{1F600}":3,"a\\"b":4,"":5}))],
            ['keys_order_canonical', 'Canonical output sorts keys by code point: uppercase before lowercase, shorter prefix first, U+00E9 after z.', utf8(qq({"b":1,"a":2,"B":3,"aa":4,"\x{e9}":5,"z":6,"10":7,"9":8}))],
            ['duplicate_keys_last_wins', 'A key given twice: the last value wins, as in JSON::XS (a Perl hash store). The default policy.', '{"a":1,"b":2,"a":3}'],
            ['duplicate_keys_first_wins', 'With duplicate_keys first_wins, the first value stays.', '{"a":1,"b":2,"a":3}', { duplicate_keys => 'first_wins' },
                { expect => hash_node(a => int_node(1), b => int_node(2)) }],
            ['duplicate_keys_escaped', 'Keys are compared after unescaping: "\\u0061" is "a".', '{"a":1,"\\u0061":2}'],
            ['duplicate_keys_nested_distinct', 'Keys repeat across different objects without being duplicates, under the reject policy.', '[{"a":1},{"a":2},{"a":{"a":3}}]', { duplicate_keys => 'reject' }],
            ['nesting_20', 'Twenty levels (jsonchecker\'s fail18 calls this too deep; RFC 8259 and JSON::XS do not).', '[' x 20 . '"Not too deep"' . ']' x 20],
            ['objects_nested', 'Objects inside objects.', '{"a":{"b":{"c":{"d":[{"e":null}]}}}}'],
        ],
        errors => [],
    },
    'numbers.json' => {
        topic => 'integers exact to 64 bits, doubles correctly rounded and written shortest, numbers out of range, malformed numbers',
        valid => [
            (map { ["int_$_->[0]", "The integer $_->[1].", "[$_->[1]]"] } (
                ['zero', '0'], ['one', '1'], ['minus_one', '-1'], ['int32_max', '2147483647'], ['int32_min', '-2147483648'],
                ['uint32_max', '4294967295'], ['two_53_plus_1', '9007199254740993'], ['int64_max', '9223372036854775807'],
                ['nineteen_digits', '1234567890123456789'], ['minus_nineteen_digits', '-1234567890123456789'],
            )),
            ['int_minus_zero', '-0 is the integer 0, as JSON::XS (and Perl) read it; negative zero needs -0.0.', '[-0]'],
            ['int_int64_min', 'The least 64-bit integer. JSON::XS 4.04 keeps it as a string (its range check is off by one); RefWire reads the integer.', '[-9223372036854775808]', {},
                { expect => array_node(int_node('-9223372036854775808')) }],
            ['uint_int64_max_plus_1', '2^63: an unsigned integer (Perl\'s UV).', '[9223372036854775808]'],
            ['uint_max', '2^64 - 1, the largest unsigned integer.', '[18446744073709551615]'],
            ['uint_twenty_digits', 'A twenty-digit integer that fits in 64 bits unsigned.', '[10000000000000000000]'],
            (map { ["double_$_->[0]", "The double $_->[1]$_->[2]", "[$_->[1]]"] } (
                ['zero', '0.0', ': a fraction makes a double, even when integral.'], ['minus_zero', '-0.0', ': negative zero.'],
                ['one', '1.0', '.'], ['exponent_integral', '1e2', ': an exponent makes a double.'], ['exponent_upper', '1E+2', '.'],
                ['exponent_negative', '1e-2', '.'], ['zero_exponent', '0e0', '.'], ['tenth', '0.1', ': not exactly representable.'],
                ['half', '1.5', '.'], ['pi', '3.141592653589793', ': 16 significant digits survive.'],
                ['third', '0.3333333333333333', '.'], ['sum', '0.30000000000000004', ': 0.1 + 0.2, 17 significant digits.'],
                ['max', '1.7976931348623157e308', ': the largest double.'], ['min_normal', '2.2250738585072014e-308', ': the least normal double.'],
                ['max_subnormal', '2.225073858507201e-308', ': the largest subnormal.'], ['min_subnormal', '5e-324', ': the least subnormal.'],
                ['min_subnormal_long', '4.9406564584124654e-324', ': the least subnormal, written long.'],
                ['underflow_half_up', '2.4703282292062328e-324', ': just above half the least subnormal rounds up to it.'],
                ['underflow_half_down', '2.4703282292062327e-324', ': just below half the least subnormal rounds to zero (not an error).'],
                ['underflow', '1e-400', ': far below the least subnormal: zero.'],
                ['tie_even_down', '9007199254740993.0', ': 2^53 + 1 lies halfway between two doubles; ties go to the even one, 2^53.'],
                ['tie_even_up', '9007199254740995.0', ': halfway again, rounded up to the even neighbour.'],
                ['e23', '1e23', ': JSON::XS reads 1e23 one ulp high (its json_atof is not correctly rounded).'],
                ['hard_1', '2.2250738585072011e-308', ': a classic hard case (PHP and Java once hung on it).'],
                ['hard_2', '7.3177701707893310e+15', ': a case the fast path must not get wrong.'],
                ['long_mantissa', '1.00000000000000011102230246251565404236316680908203125', ': the exact decimal value of 1 + 2^-53 rounds to 1 (even); 55 digits.'],
                ['long_mantissa_above', '1.00000000000000011102230246251565404236316680908203126', ': one unit in the 55th digit above halfway rounds up.'],
                ['many_digits', '0.' . ('3' x 120), ': 120 significant digits.'],
                ['big_integral', '123456789012345678901234567890.0', ': more than 19 digits, integral.'],
                ['e21', '1e21', ': written 1e21, the first power of ten in exponent form.'],
                ['e20', '1e20', ': written 100000000000000000000.0.'],
                ['small_decimal', '0.000001', ': written 0.000001, the smallest written without an exponent.'],
                ['small_exponent', '1e-7', ': written 1e-7.'],
            )),
            ['out_of_range_kept_int', 'With out_of_range_numbers keep_as_string, an integer beyond 64 bits is kept as its text, a string (JSON::XS does the same).', '[18446744073709551616,-9223372036854775809]', { out_of_range_numbers => 'keep_as_string' }],
            ['out_of_range_kept_double', 'With out_of_range_numbers keep_as_string, a double beyond the largest is kept as its text (JSON::XS reads infinity).', '[1e400,-1.8e308]', { out_of_range_numbers => 'keep_as_string' },
                { expect => array_node(string_node('1e400'), string_node('-1.8e308')) }],
        ],
        errors => [
            ['int_too_big', 'An integer beyond 2^64 - 1 (JSON::XS keeps it as a string).', '[18446744073709551616]', 'number_out_of_range', 1],
            ['int_too_small', 'An integer below -2^63 (JSON::XS keeps it as a string).', '[-9223372036854775809]', 'number_out_of_range', 1],
            ['int_400_digits', 'A 400-digit integer (JSON::XS keeps it as a string).', '[' . ('9' x 400) . ']', 'number_out_of_range', 1],
            ['double_overflow', 'A double beyond the largest (JSON::XS reads infinity).', '[1e400]', 'number_out_of_range', 1],
            ['double_overflow_negative', 'A negative double beyond the largest (JSON::XS reads minus infinity).', '[-1e400]', 'number_out_of_range', 1],
            ['double_overflow_rounding', 'Above the rounding boundary of the largest double, which rounds to infinity (as JSON::XS reads it).', '[1.7976931348623159e308]', 'number_out_of_range', 1],
            ['double_huge_exponent', 'An exponent too big for any integer type (JSON::XS reads infinity).', '[1e99999999999999999999999]', 'number_out_of_range', 1],
            ['leading_zero', 'A leading zero (jsonchecker fail13).', '[013]', 'invalid_number', 2],
            ['leading_zero_negative', 'A leading zero after a minus.', '[-01]', 'invalid_number', 3],
            ['point_without_digits', 'A point with no digits after it.', '[1.]', 'invalid_number', 3],
            ['point_then_exponent', 'A point followed by an exponent.', '[1.e5]', 'invalid_number', 3],
            ['exponent_without_digits', 'An exponent with no digits (jsonchecker fail29).', '[0e]', 'invalid_number', 3],
            ['exponent_sign_only', 'An exponent with a sign and no digits (fail30).', '[0e+]', 'invalid_number', 4],
            ['exponent_two_signs', 'An exponent with two signs (fail31).', '[0e+-1]', 'invalid_number', 4],
            ['minus_alone', 'A minus sign alone.', '[-]', 'invalid_number', 2],
            ['minus_letter', 'A minus sign before a letter.', '[-a]', 'invalid_number', 2],
            ['leading_point', 'A number cannot start with a point.', '[.5]', 'unexpected_byte', 1],
            ['leading_plus', 'A number cannot start with a plus.', '[+1]', 'unexpected_byte', 1],
            ['hex', 'No hexadecimal (fail14): the number is 0, then x is unexpected.', '[0x14]', 'unexpected_byte', 2],
            ['infinity', 'No Infinity literal.', '[Infinity]', 'unexpected_byte', 1],
            ['nan', 'No NaN literal.', '[NaN]', 'unexpected_byte', 1],
            ['truncated_minus', 'The input ends after a minus.', '-', 'truncated', 1],
            ['truncated_point', 'The input ends after a point.', '1.', 'truncated', 2],
            ['truncated_exponent', 'The input ends after an exponent sign.', '1e-', 'truncated', 3],
        ],
    },
    'strings.json' => {
        topic => 'strings: escapes, surrogate pairs, UTF-8, control characters, lone surrogates, invalid UTF-8',
        valid => [
            ['empty', 'The empty string.', '[""]'],
            ['short_escapes', 'Every two-character escape.', '["\\"\\\\\\/\\b\\f\\n\\r\\t"]'],
            ['unicode_escapes', '\\u escapes, lowercase and uppercase hex, including U+0000.', '["\\u0000\\u001f\\u0041\\u00e9\\u20AC\\uFFFF"]'],
            ['surrogate_pair', 'A surrogate pair is one character beyond the BMP.', '["\\ud83d\\ude00\\uD834\\uDD1E"]'],
            ['surrogate_pair_max', 'The last code point, U+10FFFF, as a pair.', '["\\udbff\\udfff"]'],
            ['utf8_two_to_four_bytes', 'Raw UTF-8 of two, three and four bytes.', utf8("[\"caf\x{e9} \x{20ac} \x{1F600} \x{10FFFF}\"]")],
            ['utf8_noncharacters', 'Noncharacters and the byte order mark are characters like any other.', utf8("[\"\x{FFFE}\x{FFFF}\x{FEFF}\x{FDD0}\"]")],
            ['del', 'DEL (0x7F) needs no escape, and JSON::XS writes none.', "[\"\x7f\"]"],
            ['control_characters_escaped', 'Every control character, escaped; canonical output uses the short escapes where they exist, \\u00xx otherwise.', '["' . join('', map { sprintf '\\u%04x', $_ } 0 .. 31) . '"]'],
            ['mixed_escapes_and_utf8', 'Escapes next to raw UTF-8.', utf8("[\"\x{e9}\\n\x{1F600}\\u00e9\\\"\x{20ac}\"]")],
            ['long_ascii', 'A long string without escapes.', '["' . ('abcdefghij' x 30) . '"]'],
            ['long_with_escapes', 'A long string with escapes throughout.', '["' . ('abc\\ndef\\"' x 30) . '"]'],
            ['slash', 'A solidus may be escaped; canonical output does not escape it.', '["/ & \\/"]'],
        ],
        errors => [
            ['lone_high_surrogate', 'A high surrogate with nothing after it.', '["\\ud800"]', 'lone_surrogate', 2],
            ['lone_low_surrogate', 'A low surrogate alone.', '["\\udc00"]', 'lone_surrogate', 2],
            ['high_then_text', 'A high surrogate followed by a plain character.', '["\\ud800x"]', 'lone_surrogate', 2],
            ['high_then_high', 'Two high surrogates.', '["\\ud800\\ud800"]', 'lone_surrogate', 2],
            ['high_then_bmp_escape', 'A high surrogate followed by an escape that is not a low surrogate.', '["\\ud800\\u0041"]', 'lone_surrogate', 2],
            ['low_then_high', 'A pair in the wrong order.', '["\\udfff\\ud800"]', 'lone_surrogate', 2],
            ['escape_x', 'Not an escape (jsonchecker fail15).', '["\\x15"]', 'invalid_escape', 2],
            ['escape_octal', 'Not an escape (fail17).', '["\\017"]', 'invalid_escape', 2],
            ['escape_bad_hex', 'A \\u escape with a non-hex digit.', '["\\u12G4"]', 'invalid_escape', 2],
            ['escape_upper_u', '\\U is not an escape.', '["\\U0041"]', 'invalid_escape', 2],
            ['escape_space', 'A backslash before a space (fail26).', '["tab\\ character"]', 'invalid_escape', 5],
            ['escape_newline', 'A backslash before a line break (fail28).', "[\"line\\\nbreak\"]", 'invalid_escape', 6],
            ['raw_tab', 'A raw tab (fail25).', "[\"a\tb\"]", 'unescaped_control_character', 3],
            ['raw_newline', 'A raw line break (fail27).', "[\"line\nbreak\"]", 'unescaped_control_character', 6],
            ['raw_nul', 'A raw NUL.', "[\"\x00\"]", 'unescaped_control_character', 2],
            ['raw_unit_separator', 'A raw 0x1F.', "[\"\x1f\"]", 'unescaped_control_character', 2],
            ['single_quotes', 'Single quotes do not make a string (fail24).', "['single quote']", 'unexpected_byte', 1],
            ['utf8_continuation_alone', 'A continuation byte with no lead byte.', "[\"\x80\"]", 'invalid_utf8', 2],
            ['utf8_overlong_nul', 'NUL in an overlong two-byte form (JSON::XS refuses it too).', "[\"\xc0\x80\"]", 'invalid_utf8', 2],
            ['utf8_overlong_two', 'An overlong two-byte form.', "[\"\xc1\xbf\"]", 'invalid_utf8', 2],
            ['utf8_overlong_three', 'An overlong three-byte form.', "[\"\xe0\x9f\xbf\"]", 'invalid_utf8', 2],
            ['utf8_overlong_four', 'An overlong four-byte form.', "[\"\xf0\x8f\xbf\xbf\"]", 'invalid_utf8', 2],
            ['utf8_surrogate_high', 'A UTF-16 high surrogate encoded in UTF-8. JSON::XS accepts it (Perl strings can hold one); RefWire does not.', "[\"\xed\xa0\x80\"]", 'invalid_utf8', 2],
            ['utf8_surrogate_low', 'An encoded low surrogate. JSON::XS accepts it.', "[\"\xed\xbf\xbf\"]", 'invalid_utf8', 2],
            ['utf8_beyond_max', 'A code point above U+10FFFF. JSON::XS accepts it.', "[\"\xf4\x90\x80\x80\"]", 'invalid_utf8', 2],
            ['utf8_f5', 'The byte 0xF5 never appears in UTF-8. JSON::XS accepts it, as Perl\'s extended UTF-8 for a code point beyond Unicode.', "[\"\xf5\x80\x80\x80\"]", 'invalid_utf8', 2],
            ['utf8_ff', 'The byte 0xFF never appears in UTF-8.', "[\"ab\xff\"]", 'invalid_utf8', 4],
            ['utf8_truncated_two', 'A two-byte sequence cut short.', "[\"\xc3\"]", 'invalid_utf8', 2],
            ['utf8_truncated_four', 'A four-byte sequence cut short.', "[\"\xf0\x9f\x98\"]", 'invalid_utf8', 2],
            ['utf8_bad_continuation', 'A lead byte followed by ASCII.', "[\"\xe2\x28\xa1\"]", 'invalid_utf8', 2],
            ['utf8_after_escape', 'Invalid UTF-8 after an escape: the offset is the raw byte\'s.', "[\"\\n\xc3\\u0041\"]", 'invalid_utf8', 4],
            ['utf8_in_key', 'Invalid UTF-8 in a key.', "{\"k\xff\":1}", 'invalid_utf8', 3],
            ['truncated_string', 'The input ends inside a string.', '["abc', 'truncated', 5],
            ['truncated_escape', 'The input ends inside an escape.', '["\\u00', 'truncated', 6],
            ['truncated_after_high', 'The input ends after a high surrogate.', '["\\ud800', 'truncated', 8],
        ],
    },
    'errors.json' => {
        topic => 'documents that are not JSON: structure, literals, truncation, trailing bytes',
        valid => [],
        errors => [
            ['empty_input', 'No document at all.', '', 'truncated', 0],
            ['whitespace_only', 'Only whitespace.', "  \n ", 'truncated', 4],
            ['unclosed_array', 'An array never closed (jsonchecker fail02).', '["Unclosed array"', 'truncated', 17],
            ['unclosed_object', 'An object that ends after a comma (fail32).', '{"a":true,', 'truncated', 10],
            ['truncated_after_key', 'The input ends after a key.', '{"a"', 'truncated', 4],
            ['truncated_after_colon', 'The input ends after a colon.', '{"a":', 'truncated', 5],
            ['truncated_literal', 'The input ends inside true.', '[tru', 'truncated', 4],
            ['unquoted_key', 'Keys must be strings (fail03).', '{unquoted_key: "keys must be quoted"}', 'unexpected_byte', 1],
            ['extra_comma_array', 'A comma before the end of an array (fail04).', '["extra comma",]', 'unexpected_byte', 15],
            ['double_comma', 'Two commas (fail05).', '["double extra comma",,]', 'unexpected_byte', 22],
            ['missing_value', 'A comma where a value belongs (fail06).', '[   , "<-- missing value"]', 'unexpected_byte', 4],
            ['comma_after_close', 'A comma after the document (fail07).', '["Comma after the close"],', 'trailing_bytes', 25],
            ['extra_close', 'A second bracket after the document (fail08).', '["Extra close"]]', 'trailing_bytes', 15],
            ['extra_comma_object', 'A comma before the end of an object (fail09).', '{"Extra comma": true,}', 'unexpected_byte', 21],
            ['value_after_close', 'A value after the document (fail10).', '{"Extra value after close": true} "misplaced quoted value"', 'trailing_bytes', 34],
            ['expression', 'No expressions (fail11).', '{"Illegal expression": 1 + 2}', 'unexpected_byte', 25],
            ['invocation', 'No identifiers (fail12).', '{"Illegal invocation": alert()}', 'unexpected_byte', 23],
            ['naked_backslash', 'A backslash outside a string (fail16).', '[\\naked]', 'unexpected_byte', 1],
            ['missing_colon', 'A key without a colon (fail19).', '{"Missing colon" null}', 'unexpected_byte', 17],
            ['double_colon', 'Two colons (fail20).', '{"Double colon":: null}', 'unexpected_byte', 16],
            ['comma_for_colon', 'A comma instead of a colon (fail21).', '{"Comma instead of colon", null}', 'unexpected_byte', 25],
            ['colon_for_comma', 'A colon instead of a comma (fail22).', '["Colon instead of comma": false]', 'unexpected_byte', 25],
            ['bad_literal', 'A literal that is not true (fail23).', '["Bad value", truth]', 'unexpected_byte', 17],
            ['mismatched_close', 'An array closed by a brace (fail33).', '["mismatch"}', 'unexpected_byte', 11],
            ['form_feed', 'A form feed is not whitespace.', "[\x0c1]", 'unexpected_byte', 1],
            ['byte_order_mark', 'A byte order mark is not whitespace.', "\xef\xbb\xbf[]", 'unexpected_byte', 0],
            ['trailing_nul', 'A NUL after the document.', "[1]\x00", 'trailing_bytes', 3],
            ['two_documents', 'Two documents.', '1 2', 'trailing_bytes', 2],
            ['comment', 'No comments.', '[1] // comment', 'trailing_bytes', 4],
            ['duplicate_key_rejected', 'With duplicate_keys reject, a second "a" is an error at that key.', '{"a":1,"b":2,"a":3}', 'duplicate_key', 13, { duplicate_keys => 'reject' }],
        ],
    },
    'limits.json' => {
        topic => 'every decoding limit, at and past its boundary',
        valid => [
            ['depth_at_limit', 'Nesting of exactly max_depth levels.', $deep->(3), { max_depth => 3 }],
            ['depth_objects_at_limit', 'Objects nested exactly max_depth levels.', '{"a":{"b":{"c":1}}}', { max_depth => 3 }],
            ['string_at_limit', 'A string of exactly max_string_length bytes of UTF-8 (after unescaping).', utf8("[\"\\u00e9\x{e9}\"]"), { max_string_length => 4 }],
            ['key_at_limit', 'A key of exactly max_string_length bytes.', '{"abcd":1}', { max_string_length => 4 }],
            ['container_at_limit', 'An array and an object of exactly max_container_count entries.', '[[1,2,3],{"a":1,"b":2,"c":3}]', { max_container_count => 3 }],
            ['total_at_limit', 'Exactly max_total_count values (the array, its elements, the inner array; keys do not count).', '[1,[2],{"k":3}]', { max_total_count => 6 }],
            ['input_at_limit', 'An input of exactly max_input_length bytes.', '[1,2,34]', { max_input_length => 8 }],
        ],
        errors => [
            ['depth_past_limit', 'One level deeper than max_depth: the error is at the opening bracket too many.', $deep->(4), 'depth_limit_exceeded', 3, { max_depth => 3 }],
            ['depth_default_past', 'One level past the default of 512.', $deep->(513), 'depth_limit_exceeded', 512],
            ['depth_100000', '100,000 opening brackets: refused at the 513th, in bounded time and memory.', '[' x 100_000, 'depth_limit_exceeded', 512],
            ['string_past_limit', 'One byte more than max_string_length: the error is at the opening quote.', '["abcde"]', 'string_limit_exceeded', 1, { max_string_length => 4 }],
            ['string_past_limit_escaped', 'Past the limit after unescaping (\\u00e9 is two bytes).', '["\\u00e9\\u00e9a"]', 'string_limit_exceeded', 1, { max_string_length => 4 }],
            ['key_past_limit', 'A key longer than max_string_length.', '{"abcde":1}', 'string_limit_exceeded', 1, { max_string_length => 4 }],
            ['array_past_limit', 'An array of one more than max_container_count elements: the error is at the comma before the extra one.', '[1,2,3,4]', 'container_limit_exceeded', 6, { max_container_count => 3 }],
            ['object_past_limit', 'An object of one more than max_container_count members.', '{"a":1,"b":2,"c":3,"d":4}', 'container_limit_exceeded', 18, { max_container_count => 3 }],
            ['container_zero', 'With max_container_count 0, any element is one too many.', '[[]]', 'container_limit_exceeded', 1, { max_container_count => 0 }],
            ['total_past_limit', 'One value more than max_total_count: the error is at its first byte.', '[1,[2],{"k":3},4]', 'total_limit_exceeded', 15, { max_total_count => 6 }],
            ['input_past_limit', 'One byte more than max_input_length: refused before parsing, at the first byte past the limit.', '[1,2,345]', 'input_limit_exceeded', 8, { max_input_length => 8 }],
        ],
    },
    'encoding.json' => {
        topic => 'output: canonical, pretty and ascii forms of decoded values',
        output_forms => 1,
        valid => [
            ['nested_pretty', 'Nested containers in JSON::XS\'s pretty layout: three spaces per level, " : ", a newline at the end.', '{"c":{},"d":[],"a":[1,{"b":2}],"e":[[]]}'],
            ['scalars_pretty', 'A scalar document, pretty: the value and a newline.', '"x"'],
            ['empty_pretty', 'Empty containers stay on one line.', '[[],{}]'],
            ['unicode_ascii', 'Characters beyond ASCII as \\u escapes, surrogate pairs beyond U+FFFF, lowercase hex.', utf8("[\"caf\x{e9}\",\"\x{20ac}\",\"\x{1F600}\",\"\x{10FFFF}\",\"\x7f\"]")],
            ['keys_ascii', 'Keys are escaped like strings.', utf8("{\"\x{e9}\":1,\"\x{1F600}\":2,\"a\\nb\":3}")],
            ['doubles_layout', 'Doubles in their shortest form: plain from 1e-7 up to 1e21, with .0 when integral; otherwise with an exponent, without + or leading zeros.', '[0.0,-0.0,1.0,100.0,1.5,0.1,1e20,1e21,1.5e21,0.000001,1.5e-6,1e-7,1.25e-7,5e-324,1.7976931348623157e308,3.141592653589793]'],
            ['integers_layout', 'Integers as they are.', '[0,-1,9223372036854775807,-9223372036854775807,18446744073709551615]'],
            ['canonical_order_deep', 'Canonical order applies at every level.', '{"z":{"y":1,"x":2},"a":[{"d":1,"c":2}]}'],
        ],
        errors => [],
    },
);

# ---------------------------------------------------------------------------------
# Value nodes (README.md, "Values").

sub int_node { return { type => 'int', value => "$_[0]" } }
sub string_node { return { type => 'string', value => $_[0] } }
sub array_node { return { type => 'array', elements => [@_] } }
sub hash_node {
    my (%entries) = @_;
    return { type => 'hash', entries => [map { { key => $_, value => $entries{$_} } } sort keys %entries] };
}

# The node for JSON::XS's reading `$xs`, taking doubles from JSON::PP's reading `$pp`
# of the same input (the two must agree on everything else).
sub node_of {
    my ($xs, $pp, $path) = @_;
    if (!defined $xs) {
        defined $pp and die "$path: JSON::XS reads undef, JSON::PP something else\n";
        return { type => 'undef' };
    }
    if (ref $xs eq 'JSON::PP::Boolean') {
        return { type => 'bool', value => $xs ? JSON::PP::true() : JSON::PP::false() };
    }
    if (ref $xs eq 'ARRAY') {
        @$xs == @$pp or die "$path: arrays differ in length\n";
        return { type => 'array', elements => [map { node_of($xs->[$_], $pp->[$_], "$path\[$_]") } 0 .. $#$xs] };
    }
    if (ref $xs eq 'HASH') {
        return { type => 'hash', entries => [map { { key => $_, value => node_of($xs->{$_}, $pp->{$_}, "$path\{$_}") } } sort keys %$xs] };
    }
    ref $xs and die "$path: unexpected reference ", ref $xs, "\n";
    my $flags = B::svref_2object(\$xs)->FLAGS;
    if ($flags & B::SVf_POK) { return string_node($xs) }
    if ($flags & B::SVf_NOK) {
        # JSON::PP converts with Perl's own numification, which is correctly rounded.
        my $pp_flags = B::svref_2object(\$pp)->FLAGS;
        $pp_flags & (B::SVf_NOK | B::SVf_IOK) or die "$path: JSON::PP reads no number\n";
        return double_node($pp);
    }
    if ($flags & B::SVf_IOK) {
        return $flags & B::SVf_IVisUV ? { type => 'uint', value => "$xs" } : int_node($xs);
    }
    die "$path: a scalar that is no string and no number\n";
}

sub double_node { return { type => 'double', value => sprintf('%.17g', $_[0]) } }

# The double a node's text denotes, sign of zero included (0 + "-0" would be +0).
sub node_double { return (POSIX::strtod($_[0]))[0] }

# ---------------------------------------------------------------------------------
# RefWire's encoder, as Spec/json.md describes it (canonical order).

my $string_writer = JSON::XS->new->utf8->allow_nonref;
my $ascii_string_writer = JSON::XS->new->utf8->ascii->allow_nonref;

# The shortest decimal digits that read back as $x, and the decimal exponent of the
# first: `%.*e` rounds correctly, so the first precision that round-trips is the answer.
sub shortest {
    my ($x) = @_;
    for my $precision (0 .. 16) {
        my $text = sprintf('%.*e', $precision, $x);
        if (0 + $text == $x) {
            my ($mantissa, $exponent) = $text =~ /^-?(\d(?:\.\d+)?)e([-+]\d+)$/ or die "unexpected %e text $text\n";
            (my $digits = $mantissa) =~ s/\.//;
            $digits =~ s/0+$//;
            return ($digits eq '' ? '0' : $digits, $exponent + 0);
        }
    }
    die "no round trip for $x\n";
}

sub double_text {
    my ($x) = @_;
    my $sign = sprintf('%g', $x) =~ /^-/ ? '-' : '';
    return "${sign}0.0" if $x == 0;
    my ($digits, $exponent) = shortest(abs $x);
    my ($count, $point) = (length $digits, $exponent + 1);
    return $sign . $digits . ('0' x ($point - $count)) . '.0' if $count <= $point && $point <= 21;
    return $sign . substr($digits, 0, $point) . '.' . substr($digits, $point) if 0 < $point && $point <= 21;
    return $sign . '0.' . ('0' x -$point) . $digits if -6 < $point && $point <= 0;
    return $sign . substr($digits, 0, 1) . ($count > 1 ? '.' . substr($digits, 1) : '') . 'e' . ($point - 1);
}

# The encoding of a node: canonical, and pretty and/or ascii when asked. Bytes.
sub encode_node {
    my ($node, %form) = @_;
    my $text = write_node($node, 0, \%form);
    return $form{pretty} ? "$text\n" : $text;
}

sub write_node {
    my ($node, $level, $form) = @_;
    my $type = $node->{type};
    return 'null' if $type eq 'undef';
    return $node->{value} ? 'true' : 'false' if $type eq 'bool';
    return $node->{value} if $type eq 'int' || $type eq 'uint';
    return double_text(node_double($node->{value})) if $type eq 'double';
    my $strings = $form->{ascii} ? $ascii_string_writer : $string_writer;
    return $strings->encode($node->{value}) if $type eq 'string';
    my $newline = $form->{pretty} ? "\n" . ('   ' x ($level + 1)) : '';
    my $closing = $form->{pretty} ? "\n" . ('   ' x $level) : '';
    if ($type eq 'array') {
        return '[]' unless @{ $node->{elements} };
        return '[' . join(',', map { $newline . write_node($_, $level + 1, $form) } @{ $node->{elements} }) . $closing . ']';
    }
    if ($type eq 'hash') {
        return '{}' unless @{ $node->{entries} };
        my $separator = $form->{pretty} ? ' : ' : ':';
        # Perl's sort compares by code point: canonical order.
        my @entries = sort { $a->{key} cmp $b->{key} } @{ $node->{entries} };
        return '{' . join(',', map { $newline . $strings->encode($_->{key}) . $separator . write_node($_->{value}, $level + 1, $form) } @entries) . $closing . '}';
    }
    die "unknown node type $type\n";
}

sub has_double {
    my ($node) = @_;
    return 1 if $node->{type} eq 'double';
    return grep { has_double($_) } @{ $node->{elements} } if $node->{type} eq 'array';
    return grep { has_double($_->{value}) } @{ $node->{entries} } if $node->{type} eq 'hash';
    return 0;
}

# ---------------------------------------------------------------------------------
# Vectors.

my $json = JSON::PP->new->ascii->canonical->allow_nonref;
sub canonical_json { return $json->encode($_[0]) }

# The input, as text when it is UTF-8 (most), as hex otherwise.
sub input_fields {
    my ($bytes) = @_;
    my $text = text_of_utf8($bytes);
    return defined $text ? (input => $text) : (input_hex => unpack('H*', $bytes));
}

# JSON::XS with the options that have a JSON::XS counterpart.
sub json_xs_with {
    my ($options) = @_;
    my $decoder = JSON::XS->new->utf8->allow_nonref;
    $decoder->max_depth($options->{max_depth}) if defined $options->{max_depth};
    $decoder->max_size($options->{max_input_length}) if defined $options->{max_input_length};
    return $decoder;
}

sub valid_vector {
    my ($file, $definition) = @_;
    my ($name, $description, $input, $options, $extra) = @$definition;
    $options //= {};
    my $xs = eval { json_xs_with($options)->decode($input) };
    $@ and die "$name: JSON::XS refuses a valid vector: $@";
    my $pp = JSON::PP->new->utf8->allow_nonref->max_depth(1_000)->decode($input);
    my $read = node_of($xs, $pp, $name);
    my $value = $read;
    my %vector = (name => $name, description => $description, input_fields($input));
    $vector{options} = $options if %$options;
    if ($extra && $extra->{expect}) {
        $value = $extra->{expect};
        canonical_json($value) ne canonical_json($read)
            or die "$name: the expected value is JSON::XS's own; drop the override\n";
        $vector{json_xs_value} = $read;
    } elsif ($input =~ /[.eE]/ && has_double($read)) {
        # Where JSON::XS's own (not correctly rounded) conversion differs, say so.
        my $plain = node_of($xs, $xs, $name);
        $vector{json_xs_value} = $plain if canonical_json($plain) ne canonical_json($read);
    }
    $vector{value} = $value;
    $vector{canonical} = text_of_utf8(encode_node($value));
    if ($files{$file}{output_forms}) {
        $vector{pretty} = text_of_utf8(encode_node($value, pretty => 1));
        $vector{ascii} = encode_node($value, ascii => 1);
    }
    if (!has_double($value) && !$vector{json_xs_value}) {
        # The writer here must agree with JSON::XS's canonical output byte for byte.
        my $perl = json_xs_with($options)->decode($input);
        my $writer = JSON::XS->new->utf8->canonical->allow_nonref;
        $writer->encode($perl) eq encode_node($value) or die "$name: canonical output differs from JSON::XS's\n";
        if ($vector{pretty}) {
            $writer->pretty->encode($perl) eq encode_node($value, pretty => 1) or die "$name: pretty output differs from JSON::XS's\n";
            JSON::XS->new->utf8->canonical->ascii->allow_nonref->encode($perl) eq $vector{ascii}
                or die "$name: ascii output differs from JSON::XS's\n";
        }
    }
    return \%vector;
}

sub error_vector {
    my ($definition) = @_;
    my ($name, $description, $input, $kind, $offset, $options) = @$definition;
    $options //= {};
    $offset <= length $input or die "$name: offset $offset beyond the input\n";
    my %vector = (name => $name, description => $description, input_fields($input));
    $vector{options} = $options if %$options;
    $vector{error} = { kind => $kind, offset => $offset };
    $vector{json_xs} = eval { json_xs_with($options)->decode($input); 1 } ? 'accepts' : 'rejects';
    # Where JSON::XS accepts what RefWire refuses, the description must say why, unless
    # the vector sets a limit or policy JSON::XS does not have.
    $vector{json_xs} eq 'rejects' || $description =~ /JSON::XS/ || grep { !/^(max_depth|max_input_length)$/ } keys %$options
        or die "$name: JSON::XS accepts this input; the description must say why\n";
    return \%vector;
}

my @key_order = qw(
    format generated_by topic json_xs_version vectors
    name description input input_hex options value json_xs_value canonical pretty ascii error json_xs
    kind offset
    type key value elements entries
    max_depth max_input_length max_string_length max_container_count max_total_count duplicate_keys out_of_range_numbers
);

my @documents = map {
    my $file = $_;
    my $set = $files{$file};
    [
        $file,
        {
            format => 1,
            generated_by => 'Spec/vectors/json/generate.pl',
            topic => $set->{topic},
            json_xs_version => "$JSON::XS::VERSION",
            vectors => [(map { valid_vector($file, $_) } @{ $set->{valid} }), (map { error_vector($_) } @{ $set->{errors} })],
        },
    ]
} sort keys %files;
exit VectorFiles::write_all(folder => $folder, files => \@documents, check_only => $check_only, key_order => \@key_order);
