#!/usr/bin/env perl
# The Perl side of the Storable benchmark (Benchmarks/README.md, "Storable"). Three modes:
#
#   storable_bench.pl convert OUT_DIR JSON_FILE...
#       Loads each JSON file with JSON::XS->new->utf8 (integers become IVs, other
#       numbers NVs, strings with non-ASCII characters are UTF-8 flagged) and writes
#       OUT_DIR/NAME.nfreeze, Perl's default (non-canonical) nfreeze of it. Run it with
#       PERL_HASH_SEED=0 PERL_PERTURB_KEYS=0 for the same bytes on every run.
#
#   storable_bench.pl serve
#       The timing co-process StorableReport starts once and drives through stdin and
#       stdout, one command a line, one reply a line ("ok ..." or "error ..."):
#
#         load NAME PATH             read an image, thaw it once (the value nfreeze uses)
#         warm NAME OP NS PASSES     untimed-warm-up: run OP for at least NS nanoseconds
#                                    and PASSES passes; reply the fastest pass (ns)
#         time NAME OP PASSES        run OP PASSES times, timing each pass; reply the
#                                    median pass (ns)
#         verify NAME PATH           thaw the image at PATH (written by RefWire); reply
#                                    "ok same" if its canonical nfreeze equals that of the
#                                    loaded value, else "ok different"
#         canonical NAME PATH        write the canonical nfreeze of the loaded value
#         versions                   reply Perl's and Storable's versions
#         quit
#
#       OP is thaw (the loaded image -> a new value, freed again), nfreeze (the thawed
#       value -> bytes) or nfreeze_canonical (the same with $Storable::canonical = 1).
#       Timing happens here, in process, per pass with CLOCK_MONOTONIC: process start,
#       the pipe and the parsing of commands are outside every timed pass.
#
#   storable_bench.pl passes IMAGE OP N
#       Reads IMAGE, thaws it once, then runs OP N times, untimed: for counting
#       instructions under callgrind (run.sh storable --instructions subtracts a run of
#       N = 1 from a run of a larger N, which leaves exactly the extra passes).
use strict;
use warnings;
use Storable qw(nfreeze thaw);
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

sub spew {
    my ($path, $bytes) = @_;
    open my $out, '>:raw', "$path.tmp" or die "cannot write $path.tmp: $!\n";
    print {$out} $bytes or die "cannot write $path.tmp: $!\n";
    close $out or die "cannot write $path.tmp: $!\n";
    rename "$path.tmp", $path or die "cannot rename to $path: $!\n";
}

sub convert {
    my ($directory, @files) = @_;
    die "usage: $0 convert OUT_DIR JSON_FILE...\n" unless defined $directory && @files;
    my $json = JSON::XS->new->utf8;
    for my $file (@files) {
        (my $name = $file) =~ s{.*/}{};
        $name =~ s{\.json\z}{};
        my $image = nfreeze($json->decode(slurp($file)));
        spew("$directory/$name.nfreeze", $image);
        printf "%s: %d bytes of JSON -> %d bytes of nfreeze\n", $name, -s $file, length $image;
    }
}

# One pass of each operation. The thawed value is freed inside the pass, as RefWire's
# decoded value is inside its pass.
my %operations = (
    thaw => sub { my $value = thaw($_[0]{image}); return },
    nfreeze => sub { my $image = nfreeze($_[0]{value}); return },
    nfreeze_canonical => sub { local $Storable::canonical = 1; my $image = nfreeze($_[0]{value}); return },
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
            if ($command eq 'quit') {
                return undef;
            }
            return sprintf('ok Perl %vd, Storable %s', $^V, $Storable::VERSION) if $command eq 'versions';
            die "unknown command '$command'\n" unless $command =~ /\A(?:load|warm|time|verify|canonical)\z/;
            if ($command eq 'load') {
                my ($name, $path) = @arguments;
                my $image = slurp($path);
                $corpora{$name} = { image => $image, value => thaw($image) };
                return 'ok ' . length $image;
            }
            my $entry = $corpora{ $arguments[0] // '' } or die "no corpus loaded as '" . ($arguments[0] // '') . "'\n";
            if ($command eq 'warm' || $command eq 'time') {
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
            }
            if ($command eq 'verify') {
                my $theirs = thaw(slurp($arguments[1])) or die "thaw returned nothing\n";
                local $Storable::canonical = 1;
                return nfreeze($theirs) eq nfreeze($entry->{value}) ? 'ok same' : 'ok different';
            }
            if ($command eq 'canonical') {
                local $Storable::canonical = 1;
                spew($arguments[1], nfreeze($entry->{value}));
                return 'ok';
            }
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
if ($mode eq 'convert') {
    convert(@ARGV);
} elsif ($mode eq 'serve') {
    serve();
} elsif ($mode eq 'passes') {
    my ($path, $name, $count) = @ARGV;
    my $operation = $operations{ $name // '' } or die "usage: $0 passes IMAGE OP N\n";
    my $image = slurp($path);
    my $entry = { image => $image, value => thaw($image) };
    $operation->($entry) for 1 .. $count;
} else {
    die "usage: $0 convert OUT_DIR JSON_FILE... | $0 serve | $0 passes IMAGE OP N\n";
}
