#!/usr/bin/env perl
# Writes the seed corpus of every fuzz target from the conformance vectors in
# Spec/vectors/, so that fuzzing starts from real Perl output (and the vectors' hostile
# cases) instead of from nothing.
#
#   perl Fuzz/seeds.pl [CORPUS_DIR]        # default: Fuzz/Corpus
#
# Each seed is written to CORPUS_DIR/<Target>/seed-<sha1 of its bytes>, so running the
# script again adds nothing twice and leaves what libFuzzer added to the corpus alone.
# Needs only perl's core modules (JSON::PP, Storable, Compress::Zlib, Digest::SHA).
use strict;
use warnings;
use Compress::Zlib ();
use Digest::SHA qw(sha1_hex);
use File::Basename qw(dirname);
use File::Path qw(make_path);
use File::Spec;
use JSON::PP ();
use Storable ();

my $fuzz = File::Spec->rel2abs(dirname(__FILE__));
my $vectors = File::Spec->catdir($fuzz, File::Spec->updir, 'Spec', 'vectors');
my $corpus = File::Spec->rel2abs(shift // File::Spec->catdir($fuzz, 'Corpus'));

# What each target is seeded with: lists of byte strings, filled below.
my %seeds = map { $_ => [] } qw(FrameDecoderFuzz ZlibFuzz StorableFuzz JSONFuzz YAMLFuzz SniffFuzz RoundTripFuzz CodableFuzz);

sub vectors_in {
    my ($folder) = @_;
    my @vectors;
    for my $file (sort glob(File::Spec->catfile($vectors, $folder, '*.json'))) {
        open my $in, '<:raw', $file or die "$file: $!";
        my $document = JSON::PP->new->decode(do { local $/; <$in> });
        push @vectors, @{ $document->{vectors} };
    }
    die "no vectors in $folder\n" unless @vectors;
    return @vectors;
}

sub bytes_of { my ($hex) = @_; return pack('H*', $hex) }

sub frame { my ($payload) = @_; return length($payload) . "\0" . $payload }

# The payloads of the frames in a well-formed stream (a compressed vector's raw payloads).
sub payloads_in {
    my ($stream) = @_;
    my @payloads;
    while ($stream =~ /\A(\d+)\0/ && length($stream) >= length($1) + 1 + $1) {
        push @payloads, substr($stream, length($1) + 1, $1);
        substr($stream, 0, length($1) + 1 + $1) = '';
    }
    return @payloads;
}

# FrameDecoderFuzz input: configuration byte, chunk-size count, chunk sizes, stream
# (Fuzz/Sources/FuzzTargets/FrameDecoderTarget.swift).
sub framing_input {
    my ($configuration, $sizes, $stream) = @_;
    return pack('C C C*', $configuration, scalar(@$sizes), @$sizes) . $stream;
}

# Framing: every vector's stream, whole and in a few chunkings, with payloads compressed
# when the vector's are.
for my $vector (vectors_in('framing')) {
    my $stream = bytes_of($vector->{input_hex});
    my $zlib = ($vector->{compression} // 'none') eq 'zlib' ? 0x04 : 0;
    for my $sizes ([], [1], [2, 3, 7], [64]) {
        push @{ $seeds{FrameDecoderFuzz} }, framing_input($zlib, $sizes, $stream);
    }
    # The small limits (preset 1) and the tight buffer (preset 2), sliced and fed
    # non-contiguously with empty feeds between the chunks.
    push @{ $seeds{FrameDecoderFuzz} }, framing_input($zlib | 0x01, [5], $stream);
    push @{ $seeds{FrameDecoderFuzz} }, framing_input($zlib | 0x02 | 0x18 | 0x20, [3], $stream);
    push @{ $seeds{ZlibFuzz} }, payloads_in($stream) if $zlib;
}

# Storable: every image Perl wrote (network, native, file) and every error image.
my @storable_images;
for my $vector (vectors_in('storable')) {
    push @storable_images, map { bytes_of($vector->{$_}) } grep { exists $vector->{$_} } qw(network_hex native_hex file_hex);
}
push @{ $seeds{StorableFuzz} }, @storable_images;

# JSON: every vector's input, and the loose documents (JSON_checker's suite, round trips).
my @json_documents;
for my $vector (vectors_in('json')) {
    push @json_documents, exists $vector->{input_hex} ? bytes_of($vector->{input_hex}) : do {
        my $text = $vector->{input};
        utf8::encode($text);
        $text;
    };
}
for my $file (sort glob(File::Spec->catfile($vectors, 'json', '*', '*.json'))) {
    open my $in, '<:raw', $file or die "$file: $!";
    push @json_documents, do { local $/; <$in> };
}
push @{ $seeds{JSONFuzz} }, @json_documents;

# YAML: every vector's document (most written by YAML.pm's or YAML::XS's own Dump), and
# the sharing YAML makes easy to abuse: aliases nested into a "billion laughs", cycles.
my @yaml_documents = map { bytes_of($_->{yaml_hex}) } vectors_in('yaml');
push @yaml_documents, join('', "---\n", "a0: &a0 [x, x]\n", map { "a$_: &a$_ [*a@{[$_ - 1]}, *a@{[$_ - 1]}]\n" } 1 .. 9);
push @yaml_documents, "--- &1\n- *1\n", "--- &1 !!perl/hash:Node\nself: *1\nnext: !!perl/ref\n  =: *1\n";
push @{ $seeds{YAMLFuzz} }, @yaml_documents;

# The payload-level targets read any format.
for my $target (qw(SniffFuzz RoundTripFuzz CodableFuzz)) {
    push @{ $seeds{$target} }, @storable_images, @json_documents, @yaml_documents;
}
# Records shaped like CodableFuzz's types, in JSON and in Storable.
my @records = (
    { name => "a", count => 2, values => [1.5, "2", -3], tags => { x => "y" }, children => [{ name => "b" }] },
    [{ count => "7", values => [] }, { tags => {}, children => [{ values => [0.1, 1e300] }] }],
    { values => [[1, 2], [3]], tags => { k => [1.25] } },
);
push @{ $seeds{CodableFuzz} }, map { (JSON::PP->new->canonical->encode($_), Storable::nfreeze($_)) } @records;
# Formats sniffing recognises but does not read, and a byte order mark.
push @{ $seeds{SniffFuzz} }, "=srl\x02\x00", "=\xF3rl\x04\x00", "=\xC3\xB3rl\x05", "%YAML 1.1\n---\n{}", "\xEF\xBB\xBF[1]";

# zlib: payloads as POE's Compress::Zlib writes them, at several levels, plus streams
# framed the way a compressed POE connection carries them.
my @payloads = (@storable_images[0 .. ($#storable_images < 60 ? $#storable_images : 60)], @json_documents[0 .. 20], '', 'a' x 5000);
for my $payload (@payloads) {
    push @{ $seeds{ZlibFuzz} }, map { Compress::Zlib::compress($payload, $_) } (1, 6, 9);
}
push @{ $seeds{FrameDecoderFuzz} }, framing_input(0x04, [7], join('', map { frame(Compress::Zlib::compress($_)) } @payloads[0 .. 5]));
push @{ $seeds{FrameDecoderFuzz} }, framing_input(0x08, [1, 200], join('', map { frame($_) } @storable_images[0 .. 9]));

my $written = 0;
for my $target (sort keys %seeds) {
    my $folder = File::Spec->catdir($corpus, $target);
    make_path($folder);
    my %seen;
    for my $seed (grep { !$seen{$_}++ } @{ $seeds{$target} }) {
        my $path = File::Spec->catfile($folder, 'seed-' . sha1_hex($seed));
        next if -e $path;
        open my $out, '>:raw', $path or die "$path: $!";
        print {$out} $seed;
        close $out or die "$path: $!";
        $written++;
    }
    printf "%-18s %4d seeds\n", $target, scalar(keys %seen);
}
print "$written new seed files in $corpus\n";
