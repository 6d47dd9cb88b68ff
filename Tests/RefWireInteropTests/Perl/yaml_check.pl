#!/usr/bin/perl
# yaml_check.pl [--self-test]
#
# Judges, in Perl's own terms, whether a YAML document (or Storable image) that RefWire
# wrote loads to the same Perl data as an original value. Reads records on stdin, one
# per line, fields separated by tabs:
#
#   NAME <TAB> ORIGINAL <TAB> LOADER <TAB> PAYLOAD_HEX <TAB> MODE
#
#   ORIGINAL     `corpus:NAME`, the value of yaml_corpus.pl's case NAME (built afresh),
#                or `perl:` and the hex of UTF-8 Perl source evaluating to the value (for
#                values built in Swift)
#   LOADER       who loads PAYLOAD: `yaml` (YAML.pm 1.30 Load, given the payload's UTF-8
#                decoded to characters, as YAML.pm expects), `yamlxs` (YAML::XS 0.86 Load,
#                given the bytes), or `storable` (Storable::thaw of an nfreeze([$value])
#                image; its element 0 is the value)
#   PAYLOAD_HEX  the hex of what RefWire wrote
#   MODE         `loose` or `strict`:
#                  loose   the loaded value must equal the original as YAML can carry it:
#                          the same shape, classes and sharing; scalars equal as Perl's
#                          `eq` sees them (YAML.pm has no numbers, and no format here keeps
#                          the UTF-8 flag of ASCII text); undef only where undef was
#                  strict  as loose, and also equal to what the loader makes of its own
#                          library's dump of the original (YAML.pm's Load of YAML.pm's
#                          Dump, YAML::XS's of YAML::XS's) scalar by scalar in the flags
#                          that loader sets, numeric (IOK/NOK) and boolean — so a RefWire
#                          document must lose nothing the library's own keeps. (Where the
#                          library's own round trip loses the value, loose is all there is.)
#
# Both YAML loaders run with LoadBlessed on (objects of every class come back blessed;
# no class code is needed or run). Compared, recursively:
#
#   - references: reftype, blessed class name, and sharing: a bijection between the
#     referents of the two values (by refaddr), built as the walk meets them, so shared
#     and cyclic structures must have the same shape; weakness is not compared (no YAML
#     library keeps it)
#   - regexps: re::regexp_pattern (pattern and modifiers, but for the `u` modifier:
#     YAML::XS compiles every regexp it loads from a UTF-8-flagged pattern, which adds it)
#   - arrays: length and elements; hashes: the key set (by characters) and values
#   - scalars: defined-ness and `eq`, plus the strict flags above
#
# Prints one line per record, `ok NAME` or `not ok NAME: PATH: WHAT`, then a summary
#   records=N ok=N mismatches=M
# and exits 1 if any record mismatches (2 on bad input).
#
# --self-test: checks the comparator itself on pairs that differ in exactly one respect
# (each must be reported) and pairs that are equal (each must pass); prints
# `self-test pass=N fail=M`.
use strict;
use warnings;
no warnings 'recursion';    # the corpus nests 600 levels deep
use B ();
use Scalar::Util qw(blessed reftype refaddr);
use Storable ();
use YAML ();
use YAML::XS ();
use File::Basename qw(dirname);
use File::Spec;

BEGIN {
    # The corpus, to rebuild originals by name (loading it defines the cases without
    # printing them).
    require File::Spec->catfile(dirname(File::Spec->rel2abs(__FILE__)), 'yaml_corpus.pl');
}

$YAML::LoadBlessed = 1;
$YAML::XS::LoadBlessed = 1;
$Storable::recursion_limit = 5000;
$Storable::recursion_limit_hash = 5000;

# ---------------------------------------------------------------------------------
# The comparator. Each check returns undef when equal, or "PATH: WHAT".

sub show {
    my ($value) = @_;
    return 'undef' unless defined $value;
    my $text = "$value";
    $text = substr($text, 0, 40) . '...(' . length($text) . ' chars)' if length($text) > 48;
    $text =~ s/([^\x20-\x7e])/sprintf(ord($1) > 255 ? '\\x{%x}' : '\\x%02x', ord $1)/ge;
    return "\"$text\"";
}

# The flags strict mode compares, read before anything stringifies the scalar.
sub scalar_flags {
    my ($ref) = @_;
    my $flags = B::svref_2object($ref)->FLAGS;
    my @names;
    push @names, 'numeric' if $flags & (B::SVf_IOK() | B::SVf_NOK());
    no warnings;
    push @names, 'bool' if defined &builtin::is_bool && builtin::is_bool($$ref);
    return join('|', @names) || 'plain';
}

sub compare_scalar {
    my ($state, $ra, $rb, $path) = @_;
    my ($ref_a, $ref_b) = (ref $$ra ? 1 : 0, ref $$rb ? 1 : 0);
    return "$path: a reference vs a plain scalar" if $ref_a != $ref_b;
    return compare_reference($state, $$ra, $$rb, $path) if $ref_a;
    if ($state->{strict}) {
        my ($flags_a, $flags_b) = (scalar_flags($ra), scalar_flags($rb));
        return "$path: scalar kinds differ: $flags_a vs $flags_b" unless $flags_a eq $flags_b;
    }
    my ($a, $b) = ($$ra, $$rb);
    return "$path: " . show($a) . ' vs ' . show($b) if defined($a) != defined($b);
    return undef unless defined $a;
    return "$path: strings differ: " . show($a) . ' vs ' . show($b) unless $a eq $b;
    return undef;
}

sub compare_reference {
    my ($state, $a, $b, $path) = @_;
    my ($address_a, $address_b) = (refaddr($a), refaddr($b));
    my ($mapped_a, $mapped_b) = ($state->{forward}{$address_a}, $state->{backward}{$address_b});
    if (defined $mapped_a || defined $mapped_b) {
        return undef if defined $mapped_a && defined $mapped_b && $mapped_a == $address_b && $mapped_b == $address_a;
        return "$path: sharing differs: the referent here is "
            . (defined $mapped_a ? 'already met on the left' : 'new on the left') . ' but '
            . (defined $mapped_b ? 'already met on the right' : 'new on the right')
            . ' (or met there as another referent)';
    }
    $state->{forward}{$address_a} = $address_b;
    $state->{backward}{$address_b} = $address_a;

    my ($class_a, $class_b) = (blessed($a), blessed($b));
    if (defined $class_a || defined $class_b) {
        return "$path: classes differ: " . show($class_a) . ' vs ' . show($class_b)
            unless defined $class_a && defined $class_b && $class_a eq $class_b;
    }
    my ($type_a, $type_b) = (reftype($a), reftype($b));
    return "$path: reference types differ: $type_a vs $type_b" unless $type_a eq $type_b;

    if ($type_a eq 'SCALAR' || $type_a eq 'REF' || $type_a eq 'VSTRING') {
        return compare_scalar($state, $a, $b, "\${$path}");
    }
    if ($type_a eq 'ARRAY') {
        return "$path: array lengths differ: " . scalar(@$a) . ' vs ' . scalar(@$b) unless @$a == @$b;
        for my $index (0 .. $#$a) {
            my $problem = compare_scalar($state, \$a->[$index], \$b->[$index], "${path}[$index]");
            return $problem if defined $problem;
        }
        return undef;
    }
    if ($type_a eq 'HASH') {
        my ($keys_a, $keys_b) = (join("\0", sort keys %$a), join("\0", sort keys %$b));
        if ($keys_a ne $keys_b) {
            my @only_a = grep { !exists $b->{$_} } sort keys %$a;
            my @only_b = grep { !exists $a->{$_} } sort keys %$b;
            return "$path: keys differ: only left " . join(',', map { show($_) } @only_a)
                . '; only right ' . join(',', map { show($_) } @only_b);
        }
        for my $key (sort keys %$a) {
            my $problem = compare_scalar($state, \$a->{$key}, \$b->{$key}, "${path}{" . show($key) . '}');
            return $problem if defined $problem;
        }
        return undef;
    }
    if ($type_a eq 'REGEXP') {
        my ($pattern_a, $mods_a) = re::regexp_pattern($a);
        my ($pattern_b, $mods_b) = re::regexp_pattern($b);
        tr/u//d for $mods_a, $mods_b;
        return "$path: regexp patterns differ: " . show($pattern_a) . ' vs ' . show($pattern_b)
            unless $pattern_a eq $pattern_b;
        return "$path: regexp modifiers differ: $mods_a vs $mods_b" unless $mods_a eq $mods_b;
        return undef;
    }
    return "$path: cannot compare a $type_a";
}

sub compare_values {
    my ($a, $b, $strict) = @_;
    my $state = { forward => {}, backward => {}, strict => $strict };
    return compare_scalar($state, \$a, \$b, '$value');
}

# ---------------------------------------------------------------------------------
# Loading.

sub load {
    my ($loader, $payload) = @_;
    if ($loader eq 'yaml') {
        utf8::decode($payload) or die "the payload is not UTF-8\n";
        return YAML::Load($payload);
    }
    return YAML::XS::Load($payload) if $loader eq 'yamlxs';
    if ($loader eq 'storable') {
        my $array = Storable::thaw($payload);
        ref $array eq 'ARRAY' && @$array == 1 or die "the Storable payload is not a one-element array\n";
        return $array->[0];
    }
    die "unknown loader $loader\n";
}

# What a loader makes of its own library's dump of `$value`, through the same bytes.
sub own_round_trip {
    my ($loader, $value) = @_;
    if ($loader eq 'yaml') {
        my $text = YAML::Dump($value);
        utf8::encode($text);
        return load('yaml', $text);
    }
    return load('yamlxs', YAML::XS::Dump($value)) if $loader eq 'yamlxs';
    die "strict mode needs a YAML loader, not $loader\n";
}

my %corpus_builders;

sub original_value {
    my ($field) = @_;
    if ($field =~ /\Acorpus:([a-z0-9_]+)\z/) {
        %corpus_builders = map { ($_->[0] => $_->[2]) } main::cases() unless %corpus_builders;
        my $build = $corpus_builders{$1} or die "no corpus case $1\n";
        return $build->();
    }
    if ($field =~ /\Aperl:([0-9a-f]*)\z/) {
        my $source = pack('H*', $1);
        utf8::decode($source);
        my $value = eval "package main; use strict; no warnings; $source";
        die "original-value source failed: $@" if $@;
        return $value;
    }
    die "bad original field\n";
}

sub run_records {
    binmode(STDIN) or die "binmode: $!\n";
    binmode(STDOUT) or die "binmode: $!\n";
    $| = 1;
    local $SIG{__WARN__} = sub { warn @_ unless $_[0] =~ /^Deep recursion/ };
    my ($records, $ok, $mismatches) = (0, 0, 0);
    while (my $line = <STDIN>) {
        chomp $line;
        next if $line eq '';
        my ($name, $original, $loader, $payload, $mode) = split /\t/, $line, -1;
        unless (defined $mode && ($mode eq 'loose' || $mode eq 'strict') && $payload =~ /\A(?:[0-9a-f]{2})*\z/) {
            print STDERR "yaml_check.pl: malformed record: ", substr($line, 0, 80), "\n";
            exit 2;
        }
        $records++;
        my $problem = eval {
            my $expected = original_value($original);
            my $actual = load($loader, pack('H*', $payload));
            my $problem = compare_values($expected, $actual, 0);
            if (!defined $problem && $mode eq 'strict') {
                my $reference = eval { own_round_trip($loader, $expected) };
                $problem = compare_values($reference, $actual, 1)
                    if defined $reference && !defined compare_values($expected, $reference, 0);
            }
            $problem;
        };
        $problem = "error: $@" if $@;
        if (defined $problem) {
            $problem =~ s/\s+\z//;
            $problem =~ s/\s*\n\s*/ /g;
            print "not ok $name: $problem\n";
            $mismatches++;
        } else {
            print "ok $name\n";
            $ok++;
        }
    }
    print "records=$records ok=$ok mismatches=$mismatches\n";
    return $mismatches ? 1 : 0;
}

# ---------------------------------------------------------------------------------
# Self-test.

sub self_test {
    my @different = (
        [string_value => 0, sub { ['abc'] }, sub { ['abd'] }],
        [undef_vs_empty => 0, sub { [undef] }, sub { [''] }],
        [array_length => 0, sub { [1] }, sub { [1, 2] }],
        [array_vs_hash => 0, sub { [] }, sub { {} }],
        [scalar_vs_ref => 0, sub { ['x'] }, sub { [\'x'] }],
        [key_set => 0, sub { { a => 1 } }, sub { { a => 1, b => 1 } }],
        [key_name => 0, sub { { a => 1 } }, sub { { b => 1 } }],
        [sharing => 0, sub { my $x = [1]; [$x, $x] }, sub { [[1], [1]] }],
        [sharing_reversed => 0, sub { [[1], [1]] }, sub { my $x = [1]; [$x, $x] }],
        [sharing_shape => 0, sub { my $x = [1]; my $y = [2]; [$x, $y, $x] }, sub { my $x = [1]; my $y = [2]; [$x, $y, $y] }],
        [cycle => 0, sub { my $h = {}; $h->{s} = $h; $h }, sub { { s => {} } }],
        [class_name => 0, sub { bless {}, 'A' }, sub { bless {}, 'B' }],
        [blessed_vs_plain => 0, sub { bless {}, 'A' }, sub { {} }],
        [regexp_pattern => 0, sub { qr/a/ }, sub { qr/b/ }],
        [regexp_modifiers => 0, sub { qr/a/i }, sub { qr/a/ }],
        [regexp_modifiers_with_u => 0, sub { my $p = "\x{263a}"; qr/$p/i }, sub { my $p = "\x{263a}"; qr/$p/ }],
        [strict_numeric => 1, sub { [1] }, sub { ['1'] }],
        [strict_boolean => 1, sub { [!!1] }, sub { [1] }],
    );
    my @equal = (
        [number_and_string => 0, sub { [42] }, sub { ['42'] }],
        [bytes_and_characters => 0, sub { ["caf\xe9"] }, sub { my $s = "caf\xe9"; utf8::upgrade($s); [$s] }],
        [same_sharing => 0, sub { my $x = [1]; [$x, $x, { x => $x }] }, sub { my $y = [1]; [$y, $y, { x => $y }] }],
        [same_cycle => 0, sub { my $h = { n => 1 }; $h->{s} = $h; $h }, sub { my $h = { n => 1 }; $h->{s} = $h; $h }],
        [same_regexp => 0, sub { qr/x+/msix }, sub { qr/x+/msix }],
        [weakness_ignored => 0, sub { my $x = [1]; my $a = [$x, $x]; Scalar::Util::weaken($a->[1]); $a }, sub { my $x = [1]; [$x, $x] }],
        [strict_same_kinds => 1, sub { [1, 'a', undef, 1.5] }, sub { [1, 'a', undef, 1.5] }],
    );
    my ($pass, $fail) = (0, 0);
    for my $case (@different) {
        my ($name, $strict, $left, $right) = @$case;
        my $problem = compare_values($left->(), $right->(), $strict);
        if (defined $problem) { $pass++; print "ok different/$name: $problem\n" }
        else { $fail++; print "not ok different/$name: no difference reported\n" }
    }
    for my $case (@equal) {
        my ($name, $strict, $left, $right) = @$case;
        my $problem = compare_values($left->(), $right->(), $strict);
        if (!defined $problem) { $pass++; print "ok equal/$name\n" }
        else { $fail++; print "not ok equal/$name: $problem\n" }
    }
    print "self-test pass=$pass fail=$fail\n";
    return $fail ? 1 : 0;
}

exit(grep({ $_ eq '--self-test' } @ARGV) ? self_test() : run_records());
