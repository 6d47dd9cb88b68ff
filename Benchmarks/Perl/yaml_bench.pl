#!/usr/bin/env perl
# The Perl side of the YAML benchmark (Benchmarks/README.md). Three modes:
#
#   yaml_bench.pl convert DIRECTORY JSON...
#       Writes DIRECTORY/NAME.yaml for each JSON file: JSON::XS decodes it, YAML::XS's
#       Dump encodes it (run with a fixed hash seed, so the bytes are the same every run).
#
#   yaml_bench.pl serve
#       The timing co-process YAMLReport starts once and drives through stdin and
#       stdout, one command a line, one reply a line ("ok ..." or "error ..."):
#
#         load NAME PATH             read a YAML file, Load it once (the value the dumps
#                                    start from)
#         warm NAME OP NS PASSES     untimed warm-up: run OP for at least NS nanoseconds
#                                    and PASSES passes; reply the fastest pass (ns)
#         time NAME OP PASSES        run OP PASSES times, timing each pass; reply the
#                                    median pass (ns)
#         verify NAME PATH           Load the YAML at PATH (written by RefWire); reply
#                                    "ok same" if it is the data loaded from the file
#                                    (equal canonical JSON::XS encodings), else
#                                    "ok different"
#         versions                   reply Perl's and YAML::XS's versions
#         quit
#
#       OP is load (YAML::XS::Load of the file's bytes, the value freed again) or dump
#       (YAML::XS::Dump of the loaded value). Timing happens here, in process, per pass
#       with CLOCK_MONOTONIC: process start, the pipe and command parsing are outside
#       every timed pass.
#
#   yaml_bench.pl passes PATH OP N
#       Reads PATH, loads it once, then runs OP N times, untimed: for counting
#       instructions under callgrind (run.sh yaml --instructions subtracts a run of N = 1
#       from a run of a larger N, which leaves exactly the extra passes).
use strict;
use warnings;
use JSON::XS ();
use YAML::XS ();
use Time::HiRes qw(clock_gettime CLOCK_MONOTONIC);

sub slurp {
    my ($path) = @_;
    open my $in, '<:raw', $path or die "cannot read $path: $!\n";
    local $/;
    my $bytes = <$in>;
    close $in;
    return $bytes;
}

# Numbers and strings alike as JSON::XS sees them: RefWire's plain scalars may come back
# from YAML::XS as strings where the file's were numbers, which is the same Perl data.
my $canonical = JSON::XS->new->utf8->canonical->allow_nonref;

sub fingerprint {
    my ($value) = @_;
    my $stringified = $canonical->decode($canonical->encode($value));
    my $walk;
    $walk = sub {
        my ($node) = @_;
        return { map { $_ => $walk->($node->{$_}) } keys %$node } if ref $node eq 'HASH';
        return [ map { $walk->($_) } @$node ] if ref $node eq 'ARRAY';
        return defined $node ? "$node" : undef;
    };
    return $canonical->encode($walk->($stringified));
}

# One pass of each operation. The loaded value is freed inside the pass, as RefWire's
# decoded value is inside its pass.
my %operations = (
    load => sub { my $value = YAML::XS::Load($_[0]{bytes}); return },
    dump => sub { my $bytes = YAML::XS::Dump($_[0]{value}); return },
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

sub convert {
    my ($directory, @files) = @_;
    for my $file (@files) {
        (my $name = $file) =~ s{.*/}{};
        $name =~ s{\.json\z}{};
        my $yaml = YAML::XS::Dump(JSON::XS::decode_json(slurp($file)));
        open my $out, '>:raw', "$directory/$name.yaml" or die "cannot write $directory/$name.yaml: $!\n";
        print $out $yaml;
        close $out or die "cannot write $directory/$name.yaml: $!\n";
        print "$directory/$name.yaml\n";
    }
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
            return sprintf('ok Perl %vd, YAML::XS %s', $^V, $YAML::XS::VERSION) if $command eq 'versions';
            die "unknown command '$command'\n" unless $command =~ /\A(?:load|warm|time|verify)\z/;
            if ($command eq 'load') {
                my ($name, $path) = @arguments;
                my $bytes = slurp($path);
                my $value = YAML::XS::Load($bytes);
                $corpora{$name} = { bytes => $bytes, value => $value, fingerprint => fingerprint($value) };
                return 'ok ' . length $bytes;
            }
            my $entry = $corpora{ $arguments[0] // '' } or die "no corpus loaded as '" . ($arguments[0] // '') . "'\n";
            if ($command eq 'verify') {
                my $theirs = YAML::XS::Load(slurp($arguments[1]));
                return fingerprint($theirs) eq $entry->{fingerprint} ? 'ok same' : 'ok different';
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
} elsif ($mode eq 'convert') {
    convert(@ARGV);
} elsif ($mode eq 'passes') {
    my ($path, $name, $count) = @ARGV;
    my $operation = $operations{ $name // '' } or die "usage: $0 passes PATH OP N\n";
    my $bytes = slurp($path);
    my $entry = { bytes => $bytes, value => YAML::XS::Load($bytes) };
    $operation->($entry) for 1 .. $count;
} else {
    die "usage: $0 convert DIRECTORY JSON... | $0 serve | $0 passes PATH OP N\n";
}
