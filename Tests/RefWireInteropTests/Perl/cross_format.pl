#!/usr/bin/perl
# cross_format.pl: the corpus for round trips between formats (Storable, JSON, YAML).
#
#   perl cross_format.pl emit    one line per case and source format:
#                                  case NAME FORMAT HEX
#                                FORMAT is nstorable (nfreeze), json (JSON::XS, canonical),
#                                yaml (YAML.pm's Dump, as UTF-8) or yamlxs (YAML::XS's Dump);
#                                a last line `count N` gives the number of cases.
#   perl cross_format.pl check   reads lines `NAME SOURCE TARGET HEX` (what RefWire wrote in
#                                TARGET after reading SOURCE), loads each with Perl (thaw,
#                                decode_json, YAML.pm's and YAML::XS's Load for yaml,
#                                YAML::XS's for yamlxs) and compares it with the case's
#                                value; prints `ok …` or `not ok … REASON` per load and a
#                                last line `summary pass=N fail=M`.
#
# Every case holds only what all four formats carry: hashes, arrays, undef, and scalars
# compared as Perl compares them after a trip through text (`eq`, or numbers printed with
# 15 significant digits, which is what network-order Storable keeps of a double).
use strict;
use warnings;
use Storable qw(nfreeze thaw);
use JSON::XS ();
use YAML ();
use YAML::XS ();
use Encode ();
use FindBin ();
use lib $FindBin::Bin;
use SameData qw(same_data);

my @cases;
sub add { push @cases, [@_] }

add(undef_in_array => sub { [undef] });
add(empty_array => sub { [] });
add(empty_hash => sub { +{} });
add("int_$_->[0]" => do { my $n = $_->[1]; sub { [$n] } })
    for [zero => 0], [one => 1], [minus_one => -1], [small => 127], [byte_edge => -128],
    [i16 => 32767], [i32 => 2147483647], [i32_min => -2147483648], [above_i32 => 2147483648],
    [i53 => 9007199254740993], [i64_max => 9223372036854775807];
add("double_$_->[0]" => do { my $n = $_->[1]; sub { [$n] } })
    for [half => 0.5], [tenth => 0.1], [sum => 0.1 + 0.2], [pi => 3.141592653589793], [negative => -2.5],
    [e300 => 1.5e300], [tiny => 1e-300], [money => 19.99], [third => 1 / 3];
add("string_$_->[0]" => do { my $s = $_->[1]; sub { [$s] } })
    for [empty => ''], [ascii => 'hello, world'], [numeric => '123'], [leading_zero => '007'],
    [float_text => '1.50'], [spaces => '  padded  '], [latin1 => "caf\xe9"], [bmp => "\x{263a} smile"],
    [astral => "\x{1f600}"], [cjk => "\x{65e5}\x{672c}\x{8a9e}"], [newlines => "line one\nline two\n"],
    [tab => "a\tb"], [quotes => q{He said "hi" and 'bye'}], [backslash => 'C:\\path\\file'],
    [yaml_lookalike => '- item'], [colon => 'key: value'], [hash_sign => '# not a comment'],
    [tilde => '~'], [null_word => 'null'], [true_word => 'true'], [yes_word => 'yes'],
    [long => 'x' x 5000], [long_words => join(' ', ('word') x 400)], [control => "bell\x07"],
    [trailing_space => 'end '], [leading_dash => '-5x'], [braces => '{[]}'];
add(hash_ascii_keys => sub { +{ alpha => 1, beta => 'two', gamma => undef } });
add(hash_unicode_keys => sub { +{ "caf\xe9" => 1, "\x{263a}" => 2, "\x{1f600}" => 3 } });
add(hash_empty_key => sub { +{ '' => 'empty key' } });
add(hash_numeric_keys => sub { +{ 1 => 'one', 10 => 'ten', '01' => 'zero one' } });
add(nested => sub { +{ list => [1, [2, [3, { four => 4 }]], {}], map => { a => { b => { c => [] } } } } });
add(wide_array => sub { [1 .. 300] });
add(wide_hash => sub { +{ map { ("key$_" => $_) } 1 .. 200 } });
add(deep_arrays => sub { my $v = 'bottom'; $v = [$v] for 1 .. 60; $v });
add(deep_hashes => sub { my $v = 'bottom'; $v = { level => $v } for 1 .. 60; $v });
add(mixed_record => sub {
    +{ id => 12345, name => "Zo\x{eb}", tags => ['a', 'b'], score => 9.75, parent => undef,
      history => [{ at => '2026-11-22T01:02:03Z', what => 'created' }, { at => '2026-11-22T04:05:06Z', what => "\x{2713} done" }] }
});

my %case = map { $_->[0] => $_ } @cases;

my $mode = shift // '';
if ($mode eq 'emit') {
    binmode STDOUT;
    my $json = JSON::XS->new->utf8->canonical->allow_nonref;
    for my $case (@cases) {
        my ($name, $build) = @$case;
        my $yaml = YAML::Dump($build->());
        utf8::encode($yaml);
        my %written = (
            nstorable => nfreeze($build->()),
            json => $json->encode($build->()),
            yaml => $yaml,
            yamlxs => YAML::XS::Dump($build->()),
        );
        print "case $name $_ ", unpack('H*', $written{$_}), "\n" for sort keys %written;
    }
    print 'count ', scalar(@cases), "\n";
    exit 0;
}
die "usage: cross_format.pl emit|check\n" unless $mode eq 'check';

my %readers = (
    nstorable => [[thaw => sub { thaw($_[0]) }]],
    json => [[JSON_XS => sub { JSON::XS->new->utf8->allow_nonref->decode($_[0]) }]],
    yaml => [
        [YAML_pm => sub { YAML::Load(Encode::decode('UTF-8', $_[0], Encode::FB_CROAK | Encode::LEAVE_SRC)) }],
        [YAML_XS => sub { YAML::XS::Load($_[0]) }],
    ],
    yamlxs => [[YAML_XS => sub { YAML::XS::Load($_[0]) }]],
);

my ($pass, $fail) = (0, 0);
binmode STDIN;
while (my $line = <STDIN>) {
    chomp $line;
    my ($name, $source, $target, $hex) = split / /, $line;
    my $case = $case{$name} or die "unknown case $name\n";
    my $bytes = pack('H*', $hex // '');
    for my $reader (@{ $readers{$target} or die "unknown format $target\n" }) {
        my ($library, $load) = @$reader;
        my $got = eval { $load->($bytes) };
        my $problem = defined $@ && $@ ne '' ? "load failed: $@" : same_data($case->[1]->(), $got);
        my $label = "$name $source>$target>$library";
        if (defined $problem) { $fail++; $problem =~ s/\n/ /g; print "not ok $label $problem\n" }
        else { $pass++; print "ok $label\n" }
    }
}
print "summary pass=$pass fail=$fail\n";
