package TransportCorpus;
# messages(COUNT, SEED, SERIALIZER): the generated messages of the transport interop
# tests, the same list for the same arguments in every run and on both sides (the Perl
# peer regenerates it to check what it receives).
#
# Each message is a hash (`seq` numbers it from 1, so that losses, duplicates and
# reordering show) around a random body of nested arrays and hashes, integers of every
# size, doubles, byte and character strings, undef, blessed hashes and scalar
# references, up to four levels deep.
#
# With the yaml serializer, strings stay within Latin-1: POE::Filter::Reference hands
# YAML::Load the bytes it received, undecoded, so wider characters do not survive a trip
# even between two Perl peers (Spec/payloads.md). Booleans are left out: Storable 3.26
# writes them as plain integers.
use strict;
use warnings;
use Exporter 'import';

our @EXPORT_OK = qw(messages);

sub messages {
    my ($count, $seed, $serializer) = @_;
    my $state = { seed => $seed, wide => ($serializer // '') ne 'yaml' };
    return map { +{ seq => $_, body => [map { value($state, 0) } 0 .. next_int($state, 4)] } } 1 .. $count;
}

# A linear congruential generator (Knuth's MMIX constants), not srand/rand: the corpus
# must not depend on the perl build.
sub next_int {
    my ($state, $bound) = @_;
    use integer;
    $state->{seed} = ($state->{seed} * 6364136223846793005 + 1442695040888963407);
    no integer;
    my $high = ($state->{seed} >> 33) & 0x7fffffff;
    return $high % $bound;
}

my @words = ('alpha', 'beta', '', '0', '007', '1.50', '-17', 'two words', "tab\there",
    "line\nbreak", 'quote"d', "apo'strophe", 'back\\slash', '~', 'null', 'yes', '- dash',
    'key: value', '# hash', '{[braces]}', ' padded ', 'x' x 300);
my @latin1 = ("caf\xe9", "\xfc\xf1\xee", "\xa0nbsp", "\xff");
my @wide = ("\x{263a} smile", "\x{1f600}", "\x{65e5}\x{672c}", "\x{2028}separator");
my @doubles = (0.5, -2.25, 1e10, 3.141592653589793, 1 / 3, 1.5e300, -1e-300, 19.99);
my @integers = (0, 1, -1, 127, -128, 255, 65535, 2147483647, -2147483648, 4294967296,
    9007199254740993, 9223372036854775807, -9223372036854775807);

sub scalar_value {
    my ($state) = @_;
    my $kind = next_int($state, 8);
    return undef if $kind == 0;
    return $integers[next_int($state, scalar @integers)] if $kind == 1;
    return next_int($state, 1_000_000) - 500_000 if $kind == 2;
    return $doubles[next_int($state, scalar @doubles)] if $kind == 3;
    return $latin1[next_int($state, scalar @latin1)] if $kind == 4;
    return $wide[next_int($state, scalar @wide)] if $kind == 5 && $state->{wide};
    return $words[next_int($state, scalar @words)];
}

sub value {
    my ($state, $depth) = @_;
    my $kind = $depth >= 4 ? 0 : next_int($state, 10);
    return scalar_value($state) if $kind <= 4;
    if ($kind <= 6) {
        return [map { value($state, $depth + 1) } 1 .. next_int($state, 6)];
    }
    my %hash = map { ("k$_" . $words[next_int($state, 3)] => value($state, $depth + 1)) } 1 .. next_int($state, 6);
    return bless \%hash, 'RefWire::Interop::Record' if $kind == 8;
    if ($kind == 9) {
        my $target = scalar_value($state);
        return \$target;
    }
    return \%hash;
}

1;
