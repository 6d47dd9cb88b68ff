#!/usr/bin/perl
# json_corpus.pl
#
# Builds the JSON interop corpus: more than 200 named Perl data structures covering
# everything JSON::XS 4 writes: integers at every width boundary (IV and UV), doubles
# (tiny, huge, subnormal, negative zero, 15 significant digits and past them), numbers
# that became strings and strings that look like numbers, byte strings and character
# strings (Latin-1, the rest of the BMP, astral, every control character), booleans
# (JSON::XS's, \1 and \0, Perl's own), undef and array holes, arrays and hashes empty,
# long, wide and 100 levels deep, hashes with non-ASCII keys, and the values JSON::XS
# writes as something that is not JSON (infinities, NaN, the largest double rounded up).
#
# Output, one line per case (fields separated by one space, hex in lowercase):
#
#   case NAME FLAGS CANONICAL_HEX DEFAULT_HEX PRETTY_HEX
#
#   NAME           unique, [a-z0-9_]
#   FLAGS          ';'-separated tokens, or '-' for none:
#                    error=KIND   RefWire must refuse JSON::XS's output with this
#                                 error kind (snake_case of JSONDecodingError.Kind)
#   CANONICAL_HEX  JSON::XS->new->utf8->canonical->encode($data)
#   DEFAULT_HEX    JSON::XS->new->utf8->encode($data)  (encode_json: keys in Perl's
#                  hash order, fixed by the caller's hash seed)
#   PRETTY_HEX     JSON::XS->new->utf8->canonical->pretty->encode($data)
#
# and a last line `count N`. Run with PERL_HASH_SEED=0 PERL_PERTURB_KEYS=DETERMINISTIC
# (the Swift tests do) for the same bytes on every run.
use strict;
use warnings;
no warnings 'experimental::builtin';
use JSON::XS ();

my @cases;
sub add {
    my ($name, $build, @flags) = @_;
    push @cases, [$name, $build, @flags];
}

# ---------------------------------------------------------------------------------
# Scalars, each alone at the root (JSON::XS 4 writes non-references) and in an array.

my %scalars = (
    undef => sub { undef },
    int_zero => sub { 0 }, int_one => sub { 1 }, int_minus_one => sub { -1 },
    int_127 => sub { 127 }, int_minus_128 => sub { -128 }, int_32767 => sub { 32767 },
    int_2_31 => sub { 2147483648 }, int_minus_2_31 => sub { -2147483648 }, int_2_32 => sub { 4294967296 },
    int_2_53 => sub { 9007199254740992 }, int_2_53_plus_1 => sub { 9007199254740993 },
    int_max => sub { 9223372036854775807 }, int_min => sub { -9223372036854775807 - 1 },
    uint_2_63 => sub { 9223372036854775808 }, uint_max => sub { 18446744073709551615 },
    uint_big => sub { 12345678901234567890 },
    double_half => sub { 0.5 }, double_tenth => sub { 0.1 }, double_sum => sub { 0.1 + 0.2 },
    double_pi => sub { 3.141592653589793 }, double_third => sub { 1 / 3 }, double_two_thirds => sub { 2 / 3 },
    double_negative => sub { -2.5 }, double_integral => sub { 3.0 * 1 }, double_minus_zero => sub { -0.0 },
    double_e15_half => sub { 1e15 + 0.5 }, double_e16 => sub { 1e16 * 1 }, double_e21 => sub { 1e21 },
    double_e300 => sub { 1.5e300 }, double_e_minus_5 => sub { 1e-5 }, double_e_minus_7 => sub { 1.25e-7 },
    double_e_minus_300 => sub { 1e-300 }, double_subnormal => sub { 5e-324 },
    double_min_normal => sub { 2.2250738585072014e-308 }, double_15_digits => sub { 123456789.012345 },
    double_17_digits => sub { 1234567.8901234567 }, double_money => sub { 19.99 }, double_percent => sub { 99.5 },
    double_from_string => sub { my $s = "2.75"; $s + 0 }, int_from_string => sub { my $s = "42"; $s + 0 },
    string_empty => sub { '' }, string_ascii => sub { 'hello, world' }, string_numeric => sub { '123' },
    string_float_like => sub { '1.5' }, string_hex_like => sub { '0x10' }, string_minus_zero => sub { '-0' },
    string_spaces => sub { '  padded  ' }, string_true_word => sub { 'true' }, string_null_word => sub { 'null' },
    number_stringified => sub { my $n = 42; my $s = "$n"; $n },
    string_latin1_bytes => sub { "caf\xe9 \xa3\xff" },
    string_latin1_characters => sub { my $s = "caf\xe9"; utf8::upgrade($s); $s },
    string_bmp => sub { "\x{20ac} \x{263a} \x{4e2d}\x{6587} \x{fffd}" },
    string_astral => sub { "\x{1F600}\x{1F4A9}\x{10000}\x{10FFFF}" },
    string_controls => sub { join '', map { chr } 0 .. 31 },
    string_escapes => sub { qq("\\/\b\f\n\r\t) },
    string_del => sub { "\x7f" },
    string_noncharacters => sub { "\x{FFFE}\x{FFFF}\x{FDD0}\x{FEFF}" },
    string_long => sub { 'abcdefghij' x 1000 },
    string_long_unicode => sub { "\x{e9}\x{20ac}\x{1F600}" x 3000 },
    string_line_separators => sub { "\x{2028}\x{2029}\x{85}" },
    string_nul_inside => sub { "a\x00b" },
    bool_true => sub { JSON::XS::true() }, bool_false => sub { JSON::XS::false() },
    bool_ref_true => sub { \1 }, bool_ref_false => sub { \0 },
    bool_core_true => sub { !!1 }, bool_core_false => sub { !!0 },
);
for my $name (sort keys %scalars) {
    add("root_$name", $scalars{$name});
    add("array_$name", sub { [$scalars{$name}->()] });
}
add('array_all_scalars', sub { [map { $scalars{$_}->() } sort keys %scalars] });
add('hash_all_scalars', sub { +{ map { ($_ => $scalars{$_}->()) } keys %scalars } });

# ---------------------------------------------------------------------------------
# Arrays and hashes.

add('array_empty', sub { [] });
add('hash_empty', sub { {} });
add('array_of_empties', sub { [[], {}, [[]], [{}], { a => [] }] });
add('array_holes', sub { my @a; $a[3] = 'x'; $a[6] = 1; \@a });
add('array_nested_2', sub { [[1, 2], [3, [4, 5]]] });
add('array_ints_1000', sub { [0 .. 999] });
add('array_doubles_1000', sub { [map { $_ / 7 } 1 .. 1000] });
add('array_strings_500', sub { [map { "item $_ \x{e9}" } 1 .. 500] });
add('array_mixed', sub { [1, 'two', 3.5, undef, JSON::XS::true(), [6], { seven => 7 }] });
add('hash_simple', sub { { a => 1, b => 'two', c => [3] } });
add('hash_keys_100', sub { +{ map { ("key_$_" => $_) } 1 .. 100 } });
add('hash_keys_numeric', sub { +{ map { ($_ => "v$_") } 1 .. 30 } });
add('hash_keys_unicode', sub { { "caf\x{e9}" => 1, "\x{20ac}" => 2, "\x{1F600}" => 3, "\x{4e2d}" => 4, "ascii" => 5 } });
add('hash_keys_latin1_bytes', sub { { "caf\xe9" => 1, "na\xefve" => 2, "\xff" => 3 } });
add('hash_keys_escapes', sub { { "quote\"" => 1, "back\\slash" => 2, "new\nline" => 3, "tab\t" => 4, "\x00" => 5, '' => 6 } });
add('hash_keys_order', sub { { b => 1, a => 2, B => 3, aa => 4, "\x{e9}" => 5, z => 6, 10 => 7, 9 => 8, '' => 9 } });
add('hash_nested', sub { { level1 => { level2 => { level3 => { leaf => [1, { deep => 'yes' }] } } } } });
add('hash_of_arrays', sub { +{ map { ("list$_" => [1 .. $_]) } 1 .. 10 } });
add('array_of_hashes', sub { [map { { id => $_, name => "n$_", active => $_ % 2 ? JSON::XS::true() : JSON::XS::false() } } 1 .. 50] });
for my $depth (3, 10, 50, 100, 511) {
    add("nested_arrays_$depth", sub { my $v = 'bottom'; $v = [$v] for 1 .. $depth; $v });
    add("nested_hashes_$depth", sub { my $v = 'bottom'; $v = { k => $v } for 1 .. $depth; $v });
}
add('nested_mixed_60', sub { my $v = 1; $v = $_ % 2 ? [$v, $_] : { n => $_, v => $v } for 1 .. 60; $v });
add('shared_referent', sub { my $shared = { s => 1 }; [$shared, $shared, { again => $shared }] });

# Messages as POE peers exchange them.
add('message_request', sub {
    { id => 1001, command => 'publish', args => ['topic/a', { qos => 1, retain => JSON::XS::false() }], sent_at => 1700000000.125 }
});
add('message_reply', sub { { id => 1001, status => 'ok', result => { count => 3, items => ['x', 'y', 'z'] }, error => undef } });
add('message_error', sub { { id => 7, status => 'error', error => { code => -32601, message => "no such method \x{2014} \"frob\"" } } });
add('message_batch', sub { [map { { id => $_, ping => $_ * 1.5 } } 1 .. 20] });
add('message_unicode_text', sub { { from => "J\x{fc}rgen", text => "\x{3053}\x{3093}\x{306b}\x{3061}\x{306f} \x{1F30F}", lang => 'ja' } });
add('record_geo', sub { { type => 'Point', coordinates => [-65.613617, 43.420273], props => { name => 'somewhere', elevation => 12.5 } } });

# Doubles in bulk: powers of ten and two, and a seeded random sample.
for my $exponent (-20 .. 25) {
    add(sprintf('double_1e%s%d', $exponent < 0 ? 'm' : '', abs $exponent), sub { [10 ** $exponent, -(10 ** $exponent), 1.5 * 10 ** $exponent] });
}
for my $exponent (-60, -30, -1, 0, 1, 30, 52, 53, 54, 63, 64, 100) {
    add(sprintf('double_2_%s%d', $exponent < 0 ? 'm' : '', abs $exponent), sub { [2 ** $exponent, 2 ** $exponent + 2 ** ($exponent - 10)] });
}
srand(20240601);
add('doubles_random', sub { [map { (rand() - 0.5) * 10 ** (int(rand 40) - 20) } 1 .. 200] });
add('integers_random', sub { [map { int(rand 2 ** 31) * (rand() < 0.5 ? -1 : 1) * 2 ** int(rand 32) } 1 .. 200] });

# JSON::XS writes these, but what it writes is not JSON (or not the number): RefWire
# must refuse each, with the error named.
add('double_infinity', sub { [9**9**9] }, 'error=unexpected_byte');
add('double_minus_infinity', sub { [-9**9**9] }, 'error=invalid_number');
add('double_nan', sub { [-sin(9**9**9)] }, 'error=unexpected_byte');
add('double_max', sub { [1.7976931348623157e308] }, 'error=number_out_of_range');

# ---------------------------------------------------------------------------------

my $canonical = JSON::XS->new->utf8->canonical->allow_nonref;
my $default = JSON::XS->new->utf8->allow_nonref;
my $pretty = JSON::XS->new->utf8->canonical->pretty->allow_nonref;
my %seen;
for my $case (@cases) {
    my ($name, $build, @flags) = @$case;
    $name =~ /^[a-z0-9_]+$/ or die "bad case name $name\n";
    $seen{$name}++ and die "duplicate case name $name\n";
    my $data = $build->();
    my @hex = map { unpack 'H*', $_->encode($data) } $canonical, $default, $pretty;
    print join(' ', 'case', $name, @flags ? join(';', @flags) : '-', @hex), "\n";
}
print 'count ', scalar(@cases), "\n";
