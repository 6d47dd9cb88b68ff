#!/usr/bin/perl
# poe_get.pl COMPRESSION EXPECTED CHUNKS < STREAM
#
# Reads a reference-frame stream written by the Swift side, from standard input, with a
# real POE::Filter::Reference (`get_one_start` / `get_one`) and checks every frame.
#
#   COMPRESSION  1 for Compression => 1, 0 without
#   EXPECTED     the payloads the stream should carry, before compression, each as an
#                8-byte big-endian length followed by the bytes
#   CHUNKS       "drip" to feed the filter one byte at a time, or a file of chunk sizes
#                (4-byte big-endian each) to feed it in exactly those chunks; past the
#                end of the list, chunks of 64 KiB
#
# After each chunk the filter is drained (get_one until it returns nothing), as
# POE::Wheel::ReadWrite does; this also keeps POE's buffer small (it removes every frame
# from the front of its buffer, which is quadratic in what is buffered).
#
# The filter's Serializer is Storable wrapped in an object that records the exact bytes
# POE hands to thaw() (after its framing and uncompress) and then thaws them with
# Storable::thaw as the default serializer does. Checks per frame: the bytes equal the
# expected payload, and the thawed structure equals thaw(expected) (compared as
# canonical nfreeze output). An empty payload, which Storable cannot thaw (POE's
# default serializer dies on it), is recorded and stands for itself. A payload that
# Storable refuses counts as a mismatch (POE's default serializer would die).
#
# Prints one summary line on stdout:
#   frames=N expected=E mismatches=M pending=P chunks=C stream_bytes=S payload_bytes=B
# (pending: bytes left in POE's buffer at the end, from get_pending). Details of the
# first mismatches go to stderr. Exits 0 when everything matched, 1 otherwise.
use strict;
use warnings;

# A missing module must fail the tests with a clear message (CI installs libpoe-perl).
BEGIN {
    for my $module (qw(POE::Filter::Reference Storable Compress::Zlib)) {
        eval "require $module; 1"
            or die "poe_get.pl: Perl module $module is not installed "
            . "(Debian: apt-get install libpoe-perl): $@";
    }
    $POE::Filter::Reference::VERSION eq '1.370'
        or warn "poe_get.pl: POE::Filter::Reference $POE::Filter::Reference::VERSION, tests were written against 1.370\n";
}
use POE::Filter::Reference;
use Storable ();

package RefWire::Interop::RecordingStorable {
    sub new { bless { raw => undef, error => '', calls => 0 }, shift }
    sub nfreeze { my ($self, $ref) = @_; Storable::nfreeze($ref) }
    sub thaw {
        my ($self, $bytes) = @_;
        $self->{raw} = $bytes;
        $self->{calls}++;
        return \'RefWire::Interop::EmptyPayload' if defined $bytes && $bytes eq '';
        # A payload Storable refuses is a mismatch to report, not a reason to stop.
        my $thawed = eval { Storable::thaw($bytes) };
        $self->{error} = $@;
        return $thawed;
    }
}

package main;

@ARGV == 3 or die "usage: poe_get.pl COMPRESSION EXPECTED CHUNKS < STREAM\n";
my ($compression, $expected_path, $chunks_arg) = @ARGV;

my @plan;
my $drip = $chunks_arg eq 'drip';
if (!$drip) {
    open(my $plan_fh, '<:raw', $chunks_arg) or die "poe_get.pl: $chunks_arg: $!\n";
    local $/;
    my $packed = <$plan_fh> // '';
    @plan = unpack('N*', $packed);
}

my $in = \*STDIN;
binmode($in) or die "poe_get.pl: binmode: $!\n";
open(my $expected_fh, '<:raw', $expected_path) or die "poe_get.pl: $expected_path: $!\n";

my $recorder = RefWire::Interop::RecordingStorable->new;
my $filter = POE::Filter::Reference->new(
    Serializer => $recorder,
    Compression => $compression ? 1 : 0,
);
defined $filter or die "poe_get.pl: POE::Filter::Reference->new failed\n";

my ($frames, $mismatches, $chunks, $stream_bytes, $payload_bytes) = (0, 0, 0, 0, 0);
my $expected_exhausted = 0;

sub next_expected {
    my $n = read($expected_fh, my $header, 8);
    defined $n or die "poe_get.pl: read $expected_path: $!\n";
    return undef if $n == 0;
    $n == 8 or die "poe_get.pl: $expected_path is truncated\n";
    my $length = unpack('Q>', $header);
    my $got = read($expected_fh, my $payload, $length);
    defined $got && $got == $length or die "poe_get.pl: $expected_path is truncated\n";
    return $payload;
}

sub mismatch {
    my ($what) = @_;
    $mismatches++;
    print STDERR "poe_get.pl: frame $frames: $what\n" if $mismatches <= 10;
}

sub canonical {
    local $Storable::canonical = 1;
    return Storable::nfreeze($_[0]);
}

sub check_frame {
    my ($items) = @_;
    my ($raw, $error) = @$recorder{qw(raw error)};
    @$recorder{qw(raw error)} = (undef, '');
    my $expected = next_expected();
    if (!defined $expected) {
        $expected_exhausted = 1;
        mismatch('more frames than expected payloads');
        return;
    }
    $payload_bytes += length $expected;
    if (@$items != 1) {
        mismatch('get_one returned ' . scalar(@$items) . ' items');
        return;
    }
    if (!defined $raw) {
        mismatch('payload did not reach the serializer (uncompress failed?)');
        return;
    }
    if ($raw ne $expected) {
        my $first = 0;
        $first++ while $first < length($raw) && $first < length($expected)
            && substr($raw, $first, 1) eq substr($expected, $first, 1);
        mismatch(sprintf('payload differs from byte %d: %d bytes, expected %d',
            $first, length $raw, length $expected));
        return;
    }
    return if $expected eq '';
    my $thawed = $items->[0];
    if ($error) {
        mismatch("Storable::thaw failed: $error");
    } elsif (!ref $thawed) {
        mismatch('thaw returned a non-reference');
    } elsif (canonical($thawed) ne canonical(Storable::thaw($expected))) {
        mismatch('thawed structure differs from thaw(expected)');
    }
}

my $plan_index = 0;
while (1) {
    my $size = $drip ? 1 : $plan_index < @plan ? $plan[$plan_index++] : 65536;
    $size >= 1 or die "poe_get.pl: chunk plan has a chunk of $size bytes\n";
    my $n = read($in, my $chunk, $size);
    defined $n or die "poe_get.pl: read stream: $!\n";
    last if $n == 0;
    $chunks++;
    $stream_bytes += $n;
    $filter->get_one_start([$chunk]);
    while (1) {
        my $items = $filter->get_one;
        last unless @$items;
        $frames++;
        check_frame($items);
    }
}

$recorder->{calls} == $frames
    or mismatch("serializer thawed $recorder->{calls} payloads for $frames frames");
my $expected_count = $frames;
if (!$expected_exhausted) {
    while (defined(my $extra = next_expected())) {
        $expected_count++;
    }
    mismatch('stream ended after ' . $frames . " of $expected_count expected frames")
        if $expected_count != $frames;
}
my $pending = $filter->get_pending;
my $pending_bytes = defined $pending ? length(join('', @$pending)) : 0;
mismatch("$pending_bytes bytes left in the filter's buffer") if $pending_bytes;

print "frames=$frames expected=$expected_count mismatches=$mismatches pending=$pending_bytes "
    . "chunks=$chunks stream_bytes=$stream_bytes payload_bytes=$payload_bytes\n";
exit($mismatches ? 1 : 0);
