#!/usr/bin/perl
# poe_put.pl SEED COUNT COMPRESSION OUTDIR [MAX_PAYLOAD]
#
# Writes a reference-frame stream with a real POE::Filter::Reference (`put`), for the
# Swift side to decode. Deterministic: the same arguments give the same bytes.
#
#   OUTDIR/stream.bin    what POE::Filter::Reference->new(Compression => COMPRESSION)
#                        ->put(...) returned, concatenated
#   OUTDIR/payloads.bin  every frame's payload as it was before compression (the
#                        Storable::nfreeze output), each as an 8-byte big-endian length
#                        followed by the bytes, in stream order
#
# COUNT random Perl data structures (hashes, arrays, strings of bytes and of wide
# characters, integers, floats, undef, scalar refs, shared refs, blessed refs, nesting)
# whose frozen sizes are spread over orders of magnitude: about 2% are the smallest
# payloads Storable writes (3 to 7 bytes), about 95% lie below 4 KiB, and about 3%
# between 64 KiB and MAX_PAYLOAD (default 1 MiB, 1048576), log-uniformly. One payload
# is exactly MAX_PAYLOAD bytes and one is exactly 3 bytes (nfreeze(\undef)).
#
# Prints one summary line on stdout:
#   frames=N stream_bytes=S payload_bytes=P min_payload=A max_payload=B
#   under_4k=U over_64k=V max_frame=F
use strict;
use warnings;

# Hash iteration order decides the byte order of frozen hashes. Pin the hash seed so
# that a seed reproduces the same stream, byte for byte, in every run.
BEGIN {
    if (!defined $ENV{PERL_HASH_SEED} || !defined $ENV{PERL_PERTURB_KEYS}
        || $ENV{PERL_PERTURB_KEYS} ne 'DETERMINISTIC') {
        $ENV{PERL_HASH_SEED} = '0x5eed';
        $ENV{PERL_PERTURB_KEYS} = 'DETERMINISTIC';
        exec($^X, $0, @ARGV) or die "poe_put.pl: cannot re-exec $^X: $!\n";
    }
}

# A missing module must fail the tests with a clear message (CI installs libpoe-perl).
BEGIN {
    for my $module (qw(POE::Filter::Reference Storable Compress::Zlib)) {
        eval "require $module; 1"
            or die "poe_put.pl: Perl module $module is not installed "
            . "(Debian: apt-get install libpoe-perl): $@";
    }
    $POE::Filter::Reference::VERSION eq '1.370'
        or warn "poe_put.pl: POE::Filter::Reference $POE::Filter::Reference::VERSION, tests were written against 1.370\n";
}
use POE::Filter::Reference;
use Storable qw(nfreeze);
use Compress::Zlib qw(uncompress);

@ARGV == 4 || @ARGV == 5
    or die "usage: poe_put.pl SEED COUNT COMPRESSION OUTDIR [MAX_PAYLOAD]\n";
my ($seed, $count, $compression, $outdir, $max_payload) = @ARGV;
$max_payload //= 1 << 20;
$count >= 2 or die "poe_put.pl: COUNT must be at least 2\n";
$max_payload >= 128 * 1024 or die "poe_put.pl: MAX_PAYLOAD must be at least 128 KiB\n";

srand($seed);    # Perl's own drand48: the same sequence on every platform

my $filter = POE::Filter::Reference->new(Compression => $compression ? 1 : 0);
defined $filter or die "poe_put.pl: POE::Filter::Reference->new failed\n";

# --- random material -------------------------------------------------------------

my $POOL_SIZE = 2 << 20;
my $pool = pack('N*', map { int(rand(4294967296)) } 1 .. $POOL_SIZE / 4);
my @words = qw(alpha beta gamma delta epsilon session kernel wheel filter frame
    reference payload stream event heap alarm signal socket client server);
my @wide = ("\x{263A}", "\x{00E9}", "\x{4E2D}", "\x{1F600}", "\x{0416}", "a");

sub rand_int { int(rand($_[0])) }

sub random_bytes {    # incompressible
    my ($len) = @_;
    return substr($pool, rand_int($POOL_SIZE - $len + 1), $len);
}

my $text = '';
$text .= $words[rand_int(scalar @words)] . ' ' while length($text) < $POOL_SIZE;

sub text_bytes {      # compressible
    my ($len) = @_;
    return substr($text, rand_int($POOL_SIZE - $len + 1), $len);
}

sub random_string {
    my ($len) = @_;
    my $kind = rand_int(4);
    return random_bytes($len) if $kind == 0;
    return text_bytes($len) if $kind == 1;
    if ($kind == 2) {    # a character string: Storable writes it as UTF-8
        my $s = '';
        $s .= $wide[rand_int(scalar @wide)] while length($s) < $len / 2;
        return $s;
    }
    return ($words[rand_int(scalar @words)] x (1 + int($len / 6)));
}

sub random_scalar {
    my $kind = rand_int(10);
    return undef if $kind == 0;
    return rand_int(256) - 128 if $kind == 1;                    # tiny integers
    return rand_int(2**31) * (rand() < 0.5 ? -1 : 1) if $kind == 2;
    return 2**53 + rand_int(2**20) if $kind == 3;                # wide integers
    return (rand() - 0.5) * 10**rand_int(30) if $kind == 4;      # doubles
    return '' if $kind == 5;
    return random_string(1 + rand_int(40));
}

# A random structure of roughly $budget frozen bytes.
sub random_value {
    my ($budget, $depth) = @_;
    return random_scalar() if $budget < 12 || $depth > 6;
    my $kind = rand_int(8);
    if ($kind <= 2) {    # hash
        my %h;
        my $n = 1 + rand_int(1 + int($budget / 24));
        $n = 64 if $n > 64;
        for my $i (1 .. $n) {
            my $key = rand() < 0.2 ? "\x{263A}k$i" : $words[rand_int(scalar @words)] . $i;
            $h{$key} = random_value(int($budget / $n), $depth + 1);
        }
        my $ref = \%h;
        return rand() < 0.1 ? bless($ref, 'RefWire::Interop::Object') : $ref;
    }
    if ($kind <= 4) {    # array
        my $n = 1 + rand_int(1 + int($budget / 16));
        $n = 256 if $n > 256;
        my @a = map { random_value(int($budget / $n), $depth + 1) } 1 .. $n;
        push @a, $a[0] if ref $a[0] && rand() < 0.3;    # a shared reference
        return \@a;
    }
    if ($kind == 5) {    # reference to a scalar
        my $s = random_scalar();
        return \$s;
    }
    return random_string($budget);    # a string filling the budget
}

my @minimal = (
    sub { \undef },            # 3 bytes, the smallest payload there is
    sub { \my $u },            # 3 bytes
    sub { \1 },                # 4 bytes
    sub { \0 },                # 4 bytes
    sub { \"" },               # 4 bytes
    sub { \\undef },           # 4 bytes
    sub { [] },                # 7 bytes
    sub { {} },                # 7 bytes
);

sub small_item {
    return $minimal[rand_int(scalar @minimal)]->() if rand() < 0.02 / 0.97;
    # Budgets log-uniform over 8 B .. 3.5 KiB; retry the rare overshoot past 4 KiB.
    for (1 .. 20) {
        my $ref = random_value(int(exp(log(8) + rand() * (log(3584) - log(8)))), 0);
        $ref = [$ref] unless ref $ref;
        return $ref if length(nfreeze($ref)) < 4096;
    }
    return [random_string(100)];
}

# A structure whose frozen size is exactly $target bytes.
sub large_item {
    my ($target) = @_;
    my $kind = rand_int(4);
    my $ref;
    if ($kind == 0) {    # one big string, of bytes or text
        my $s = rand() < 0.5 ? random_bytes(1) : text_bytes(1);
        $ref = \$s;
    } elsif ($kind == 1) {    # a record with a blob and some metadata
        $ref = { blob => '', meta => random_value(2000, 1), id => rand_int(2**31) };
    } elsif ($kind == 2) {    # many small elements, then padding
        my @a = map { random_scalar() } 1 .. int($target / 64);
        $ref = [@a, ''];
    } else {                  # a nested mix
        $ref = [random_value(4000, 1), { data => '' }, random_value(1000, 1)];
    }
    # Fill the designated string until the frozen size is exactly $target.
    my $slot = $kind == 0 ? $ref
        : $kind == 1 ? \$ref->{blob}
        : $kind == 2 ? \$ref->[-1]
        : \$ref->[1]{data};
    my $incompressible = rand() < 0.5;
    for (1 .. 10) {
        my $size = length(nfreeze($ref));
        last if $size == $target;
        my $want = length($$slot) + $target - $size;
        $want = 0 if $want < 0;
        $$slot = $incompressible ? random_bytes($want) : text_bytes($want);
    }
    # Length prefixes of strings grow by 3 bytes at 256 B; adjust once more if needed.
    my $size = length(nfreeze($ref));
    $$slot .= 'x' x ($target - $size) if $size < $target;
    return $ref;
}

# --- the stream -------------------------------------------------------------------

my @plan;    # per item: 'small', 'tiny', or a target size
my $max_at = rand_int($count);
my $tiny_at = rand_int($count - 1);
$tiny_at++ if $tiny_at >= $max_at;
for my $i (0 .. $count - 1) {
    if ($i == $max_at) {
        push @plan, $max_payload;
    } elsif ($i == $tiny_at) {
        push @plan, 'tiny';
    } elsif (rand() < 0.03) {
        push @plan, int(exp(log(65536) + rand() * (log($max_payload) - log(65536))));
    } else {
        push @plan, 'small';
    }
}

open(my $stream_fh, '>:raw', "$outdir/stream.bin") or die "poe_put.pl: $outdir/stream.bin: $!\n";
open(my $payloads_fh, '>:raw', "$outdir/payloads.bin") or die "poe_put.pl: $outdir/payloads.bin: $!\n";

my ($stream_bytes, $payload_bytes, $under_4k, $over_64k, $max_frame) = (0, 0, 0, 0, 0);
my ($min_payload, $max_seen) = (~0, 0);
my $i = 0;
while ($i < $count) {
    # put() takes a list of references; batch a random number of them per call.
    my $batch = 1 + rand_int(16);
    $batch = $count - $i if $batch > $count - $i;
    my @refs;
    for my $p (@plan[$i .. $i + $batch - 1]) {
        push @refs, $p eq 'tiny' ? \undef : $p eq 'small' ? small_item() : large_item($p);
    }
    my $frames = $filter->put(\@refs);
    @$frames == @refs or die "poe_put.pl: put returned " . scalar(@$frames) . " frames for " . scalar(@refs) . " references\n";
    for my $k (0 .. $#refs) {
        my $payload = nfreeze($refs[$k]);
        my $frame = $frames->[$k];
        # Guard against nondeterminism in this generator (which would otherwise show up
        # as a Swift failure): the frame must carry exactly the payload frozen here.
        my $nul = index($frame, "\0");
        my $body = substr($frame, $nul + 1);
        $body = uncompress($body) if $compression;
        (defined $body && $body eq $payload && substr($frame, 0, $nul) eq length($frame) - $nul - 1)
            or die "poe_put.pl: frame $i+$k does not carry its nfreeze payload\n";
        print $stream_fh $frame or die "poe_put.pl: write: $!\n";
        print $payloads_fh pack('Q>', length $payload), $payload or die "poe_put.pl: write: $!\n";
        my $len = length $payload;
        $stream_bytes += length $frame;
        $payload_bytes += $len;
        $min_payload = $len if $len < $min_payload;
        $max_seen = $len if $len > $max_seen;
        $under_4k++ if $len < 4096;
        $over_64k++ if $len >= 65536;
        $max_frame = length($frame) - $nul - 1 if length($frame) - $nul - 1 > $max_frame;
    }
    $i += $batch;
}
close($stream_fh) or die "poe_put.pl: close: $!\n";
close($payloads_fh) or die "poe_put.pl: close: $!\n";

$max_seen == $max_payload or die "poe_put.pl: largest payload is $max_seen bytes, not $max_payload\n";
$min_payload == 3 or die "poe_put.pl: smallest payload is $min_payload bytes, not 3\n";

print "frames=$count stream_bytes=$stream_bytes payload_bytes=$payload_bytes "
    . "min_payload=$min_payload max_payload=$max_seen under_4k=$under_4k "
    . "over_64k=$over_64k max_frame=$max_frame\n";
