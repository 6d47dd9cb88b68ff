#!/usr/bin/perl
# json_check.pl [--self-test]
#
# Judges, in Perl's own terms, whether JSON written by RefWire decodes to the same Perl
# data as the original. Reads records on stdin, one per line, fields separated by tabs:
#
#   NAME <TAB> EXPECTED <TAB> ACTUAL_HEX
#
#   EXPECTED    the hex of the original JSON text, or `perl:` and the hex of Perl
#               source that evaluates to the expected data (for values built in Swift)
#   ACTUAL_HEX  the hex of the JSON text RefWire wrote
#
# Each JSON text is decoded with JSON::XS (utf8, allow_nonref), which decides what kind
# every scalar is, exactly as a Perl peer would see it: undef, a boolean (a
# JSON::PP::Boolean), a string (POK), an integer (IOK; IV or UV) or a double (NOK). The
# comparator then checks:
#
#   - the same kind at every position, and the same value: strings by characters,
#     integers exactly, booleans by truth;
#   - doubles by their 8 bytes (so -0.0 and every last bit count). JSON::XS's own
#     decimal conversion (json_atof) is not correctly rounded, so two texts for the same
#     double can come out of it one ulp apart: where JSON::XS's two readings differ, the
#     texts are read again with JSON::PP, which converts with Perl's numification
#     (correctly rounded), and they must denote the same double there. Such cases are
#     counted (atof=N), not failed;
#   - arrays by length and element; hashes by key set and value.
#
# Prints one line per record, `ok NAME` or `not ok NAME: PATH: WHAT`, then a summary
#   records=N ok=N mismatches=M atof=K
# and exits 1 if any record mismatches (2 on bad input).
#
# --self-test: instead of reading stdin, checks the comparator itself on pairs of texts
# that differ in exactly one respect (each must be reported) and pairs that are equal
# (each must pass); prints `self-test pass=N fail=M`.
use strict;
use warnings;
no warnings 'recursion';    # the corpus nests 511 levels deep
use B ();
use JSON::PP ();
use JSON::XS ();

my $xs = JSON::XS->new->utf8->allow_nonref->max_depth(1_000);
my $pp = JSON::PP->new->utf8->allow_nonref->max_depth(1_000);
my $atof = 0;

sub kind {
    my ($value) = @_;
    return 'undef' unless defined $value;
    return 'boolean' if ref $value eq 'JSON::PP::Boolean';
    return lc(ref $value) if ref $value;
    my $flags = B::svref_2object(\$value)->FLAGS;
    return 'string' if $flags & B::SVf_POK;
    return 'double' if $flags & B::SVf_NOK;
    return 'integer' if $flags & B::SVf_IOK;
    return 'unknown';
}

# The first difference between two decodings, or undef. `$exact_*` are the JSON::PP
# readings of the same texts (undef for Perl source, whose doubles are exact already).
sub difference {
    my ($path, $expected, $actual, $exact_expected, $exact_actual) = @_;
    my ($kind, $actual_kind) = (kind($expected), kind($actual));
    return "$path: expected a $kind, found a $actual_kind" if $kind ne $actual_kind;
    if ($kind eq 'array') {
        return "$path: expected " . @$expected . ' elements, found ' . @$actual if @$expected != @$actual;
        for my $index (0 .. $#$expected) {
            my $problem = difference("$path\[$index]", $expected->[$index], $actual->[$index],
                map { $_ && $_->[$index] } $exact_expected, $exact_actual);
            return $problem if $problem;
        }
        return undef;
    }
    if ($kind eq 'hash') {
        my $keys = join "\x{1}", sort keys %$expected;
        return "$path: keys differ" if $keys ne join "\x{1}", sort keys %$actual;
        for my $key (sort keys %$expected) {
            my $problem = difference("$path\{$key}", $expected->{$key}, $actual->{$key},
                map { $_ && $_->{$key} } $exact_expected, $exact_actual);
            return $problem if $problem;
        }
        return undef;
    }
    return undef if $kind eq 'undef';
    return ($expected xor $actual) ? "$path: expected $expected, found $actual" : undef if $kind eq 'boolean';
    return $expected eq $actual ? undef : "$path: expected '$expected', found '$actual'" if $kind eq 'string';
    return "$expected" eq "$actual" ? undef : "$path: expected $expected, found $actual" if $kind eq 'integer';
    if ($kind eq 'double') {
        return undef if pack('d', $expected) eq pack('d', $actual);
        my $exact = defined $exact_actual ? $exact_actual : $actual;
        my $wanted = defined $exact_expected ? $exact_expected : $expected;
        if (pack('d', $wanted) eq pack('d', $exact)) {
            $atof++;
            return undef;
        }
        return sprintf '%s: expected %.17g, found %.17g', $path, $wanted, $exact;
    }
    return "$path: cannot compare a $kind";
}

sub judge {
    my ($expected_field, $actual_bytes) = @_;
    my $actual = eval { $xs->decode($actual_bytes) };
    return 'JSON::XS cannot decode it: ' . ($@ =~ s/\s+/ /gr) if $@;
    my $exact_actual = $pp->decode($actual_bytes);
    if ($expected_field =~ /^perl:([0-9a-f]*)$/) {
        my $expected = eval pack('H*', $1);
        die "bad Perl source: $@" if $@;
        return difference('$', $expected, $actual, undef, $exact_actual);
    }
    my $original = pack 'H*', $expected_field;
    return difference('$', $xs->decode($original), $actual, $pp->decode($original), $exact_actual);
}

sub self_test {
    # [expected, actual, must they be equal?]
    my @pairs = (
        ['1', '"1"', 0], ['1', '1.0', 0], ['1.5', '2.5', 0], ['[1]', '[1,2]', 0], ['{"a":1}', '{"b":1}', 0],
        ['true', '1', 0], ['true', 'false', 0], ['null', '""', 0], ['"\u00e9"', '"e"', 0], ['-0.0', '0.0', 0],
        ['18446744073709551615', '18446744073709551614', 0], ['{"a":{"b":1}}', '{"a":{"b":2}}', 0],
        ['[[1]]', '[1]', 0], ['0.1', '0.10000000000000002', 0], ['"1"', '1', 0], ['{}', '[]', 0],
        ['1e21', '1e+21', 1], ['0.000001', '1e-06', 1], ['{"a":1,"b":2}', '{"b":2,"a":1}', 1], ['"\u00e9"', "\"\xc3\xa9\"", 1],
        ['1.5', '1.50', 1], ['[]', '[ ]', 1], ['-0', '0', 1], ['1E2', '100.0', 1], ['"\ud83d\ude00"', "\"\xf0\x9f\x98\x80\"", 1],
        ['1.2345e-05', '0.000012345', 1], ['2.2250738585072014e-308', '2.2250738585072014E-308', 1], ['[true,null]', '[true,null]', 1],
    );
    my ($pass, $fail) = (0, 0);
    for my $pair (@pairs) {
        my ($expected, $actual, $equal) = @$pair;
        my $problem = judge(unpack('H*', $expected), $actual);
        if (!!$equal == !defined $problem) {
            $pass++;
            print "ok $expected vs $actual\n";
        } else {
            $fail++;
            print "not ok $expected vs $actual: ", ($problem // 'reported equal'), "\n";
        }
    }
    # And Perl source as the expectation.
    for my $case (['[0.1, 42, "x", undef]', '[0.1,42,"x",null]', 1], ['[0.1]', '[0.10000000000000001]', 1], ['[0.1]', '[0.1000000000000001]', 0], ['[42]', '[42.0]', 0]) {
        my ($source, $actual, $equal) = @$case;
        my $problem = judge('perl:' . unpack('H*', $source), $actual);
        if (!!$equal == !defined $problem) { $pass++; print "ok $source vs $actual\n" } else { $fail++; print "not ok $source vs $actual\n" }
    }
    print "self-test pass=$pass fail=$fail\n";
    exit($fail ? 1 : 0);
}

self_test() if grep { $_ eq '--self-test' } @ARGV;

my ($records, $ok, $mismatches) = (0, 0, 0);
while (my $line = <STDIN>) {
    chomp $line;
    next if $line eq '';
    my ($name, $expected, $actual_hex) = split /\t/, $line;
    defined $actual_hex && $actual_hex =~ /^[0-9a-f]*$/ or do { print "bad record: $line\n"; exit 2 };
    $records++;
    my $problem = judge($expected, pack('H*', $actual_hex));
    if (defined $problem) {
        $mismatches++;
        print "not ok $name: $problem\n";
    } else {
        $ok++;
        print "ok $name\n";
    }
}
print "records=$records ok=$ok mismatches=$mismatches atof=$atof\n";
exit($mismatches ? 1 : 0);
