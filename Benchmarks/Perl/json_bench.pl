#!/usr/bin/env perl
# The Perl side of the JSON benchmark (Benchmarks/README.md). Two modes:
#
#   json_bench.pl serve
#       The timing co-process JSONReport starts once and drives through stdin and
#       stdout, one command a line, one reply a line ("ok ..." or "error ..."):
#
#         load NAME PATH             read a JSON file, decode it once (the value the
#                                    encodes start from)
#         warm NAME OP NS PASSES     untimed warm-up: run OP for at least NS nanoseconds
#                                    and PASSES passes; reply the fastest pass (ns)
#         time NAME OP PASSES        run OP PASSES times, timing each pass; reply the
#                                    median pass (ns)
#         verify NAME PATH           decode the JSON at PATH (written by RefWire); reply
#                                    "ok same" if its canonical encoding equals that of
#                                    the loaded value, else "ok different"
#         versions                   reply Perl's and JSON::XS's versions
#         quit
#
#       OP is decode (decode_json of the file's bytes, the value freed again), encode
#       (encode_json of the decoded value: Perl's hash order) or encode_canonical (the
#       same with JSON::XS's canonical option). Timing happens here, in process, per
#       pass with CLOCK_MONOTONIC: process start, the pipe and command parsing are
#       outside every timed pass.
#
#   json_bench.pl passes PATH OP N
#       Reads PATH, decodes it once, then runs OP N times, untimed: for counting
#       instructions under callgrind (run.sh json --instructions subtracts a run of N = 1
#       from a run of a larger N, which leaves exactly the extra passes).
use strict;
use warnings;
use JSON::XS ();
use Time::HiRes qw(clock_gettime CLOCK_MONOTONIC);

sub slurp {
    my ($path) = @_;
    open my $in, '<:raw', $path or die "cannot read $path: $!\n";
    local $/;
    my $bytes = <$in>;
    close $in;
    return $bytes;
}

my $canonical = JSON::XS->new->utf8->canonical;

# One pass of each operation. The decoded value is freed inside the pass, as RefWire's
# decoded value is inside its pass.
my %operations = (
    decode => sub { my $value = JSON::XS::decode_json($_[0]{bytes}); return },
    encode => sub { my $bytes = JSON::XS::encode_json($_[0]{value}); return },
    encode_canonical => sub { my $bytes = $canonical->encode($_[0]{value}); return },
);

sub timed_pass {
    my ($operation, $entry) = @_;
    my $start = clock_gettime(CLOCK_MONOTONIC);
    $operation->($entry);
    return (clock_gettime(CLOCK_MONOTONIC) - $start) * 1e9;
}

sub median {
    my @sorted = sort { $a <=> $b } @_;
    my $middle = int(@sorted / 2);
    return @sorted % 2 ? $sorted[$middle] : ($sorted[$middle - 1] + $sorted[$middle]) / 2;
}

sub serve {
    my %corpora;
    $| = 1;
    while (my $line = <STDIN>) {
        chomp $line;
        my ($command, @arguments) = split / /, $line;
        next unless defined $command;
        my $reply = eval {
            return undef if $command eq 'quit';
            return sprintf('ok Perl %vd, JSON::XS %s', $^V, $JSON::XS::VERSION) if $command eq 'versions';
            die "unknown command '$command'\n" unless $command =~ /\A(?:load|warm|time|verify)\z/;
            if ($command eq 'load') {
                my ($name, $path) = @arguments;
                my $bytes = slurp($path);
                $corpora{$name} = { bytes => $bytes, value => JSON::XS::decode_json($bytes) };
                return 'ok ' . length $bytes;
            }
            my $entry = $corpora{ $arguments[0] // '' } or die "no corpus loaded as '" . ($arguments[0] // '') . "'\n";
            if ($command eq 'verify') {
                my $theirs = JSON::XS::decode_json(slurp($arguments[1]));
                return $canonical->encode($theirs) eq $canonical->encode($entry->{value}) ? 'ok same' : 'ok different';
            }
            my $operation = $operations{ $arguments[1] // '' } or die "unknown operation\n";
            if ($command eq 'warm') {
                my ($nanoseconds, $passes) = @arguments[2, 3];
                my ($fastest, $spent, $count) = (9**9**9, 0, 0);
                while ($count < $passes || $spent < $nanoseconds) {
                    my $time = timed_pass($operation, $entry);
                    $fastest = $time if $time < $fastest;
                    $spent += $time;
                    $count++;
                }
                return sprintf 'ok %.0f', $fastest;
            }
            my @times = map { timed_pass($operation, $entry) } 1 .. $arguments[2];
            return sprintf 'ok %.0f', median(@times);
        };
        if (!defined $reply) {
            last unless $@;
            (my $message = $@) =~ s/\s+/ /g;
            $reply = "error $message";
        }
        print "$reply\n";
    }
}

my $mode = shift @ARGV // '';
if ($mode eq 'serve') {
    serve();
} elsif ($mode eq 'passes') {
    my ($path, $name, $count) = @ARGV;
    my $operation = $operations{ $name // '' } or die "usage: $0 passes PATH OP N\n";
    my $bytes = slurp($path);
    my $entry = { bytes => $bytes, value => JSON::XS::decode_json($bytes) };
    $operation->($entry) for 1 .. $count;
} else {
    die "usage: $0 serve | $0 passes PATH OP N\n";
}
