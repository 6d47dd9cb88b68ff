#!/usr/bin/perl
# storable_corpus.pl
#
# Builds the Storable interop corpus: more than 200 named Perl data structures that
# between them make Perl 5.36 / Storable 3.26 write every marker it writes (every
# SX_* opcode but SX_LOBJECT, which needs a 2 GiB string), and the edges of each:
# integers at every width boundary, doubles that are special, strings around every
# length-field boundary, Latin-1 and UTF-8 and astral text, holes, restricted hashes,
# shared and cyclic structure, weak references, blessed everything, regexps, vstrings,
# STORABLE_freeze hooks, overloading, code references, 1,000-deep nesting, and the
# Perl data RefWire refuses on purpose (tied values, shared scalar slots, text that is
# not Unicode).
#
# Output, one line per case (fields separated by one space, hex in lowercase):
#
#   case NAME FLAGS NFREEZE_HEX FREEZE_HEX NSTORE_HEX
#
#   NAME    unique, [a-z0-9_]
#   FLAGS   ';'-separated tokens, or '-' for none:
#             code             the data holds code references ($Storable::Deparse = 1):
#                              decode with code references kept as source
#             deep             nested 1,000 levels deep: decode with a depth limit above 1,000
#             overload=A,B     classes that use `overload` (Storable writes SX_OVERLOAD)
#             error=KIND       RefWire must refuse the data with this error kind
#                              (snake_case of StorableDecodingError.Kind)
#   NFREEZE_HEX  Storable::nfreeze($data) with $Storable::canonical = 1
#   FREEZE_HEX   Storable::freeze($data)  with $Storable::canonical = 1 (native order)
#   NSTORE_HEX   the bytes Storable::nstore($data, $file) writes (canonical)
#
# and a last line `count N`.
#
# Needs a fixed hash seed for reproducible output (hash order does not show in
# canonical images, but the script's output must be the same in every run):
# the caller sets PERL_HASH_SEED and PERL_PERTURB_KEYS=DETERMINISTIC, or the script
# re-executes itself with PERL_HASH_SEED=0.
#
# The classes below (hooked, overloaded, tied) are also what storable_check.pl needs to
# thaw the images; it loads this file with `require`, which defines the classes without
# printing the corpus.
use strict;
use warnings;
no warnings 'once';    # $Storable::Deparse and friends are set, never read, here

# ---------------------------------------------------------------------------------
# Classes the corpus uses.

# A hash-based object that serializes itself: STORABLE_freeze returns a string and
# the references in `refs`; STORABLE_thaw puts them back.
package RefWireCorpus::Hooked;
sub new {
    my ($class, $text, @refs) = @_;
    return bless { text => $text, refs => [@refs] }, $class;
}
sub STORABLE_freeze {
    my ($self, $cloning) = @_;
    return ($self->{text}, @{ $self->{refs} });
}
sub STORABLE_thaw {
    my ($self, $cloning, $text, @refs) = @_;
    $self->{text} = $text;
    $self->{refs} = [@refs];
    return;
}

# The same for an array-based object (SX_HOOK object type 1).
package RefWireCorpus::HookedArray;
sub new { my ($class, $text, @refs) = @_; return bless [$text, @refs], $class }
sub STORABLE_freeze { my ($self) = @_; return @$self }
sub STORABLE_thaw {
    my ($self, $cloning, $text, @refs) = @_;
    @$self = ($text, @refs);
    return;
}

# And for a scalar-based object (object type 0).
package RefWireCorpus::HookedScalar;
sub new { my ($class, $text) = @_; my $value = $text; return bless \$value, $class }
sub STORABLE_freeze { my ($self) = @_; return ($$self) }
sub STORABLE_thaw { my ($self, $cloning, $text) = @_; $$self = $text; return }

# A class whose freeze hook declines (returns an empty list): Storable then stores the
# object as an ordinary blessed hash.
package RefWireCorpus::Declines;
sub STORABLE_freeze { return }

# A class that rebuilds its objects with STORABLE_attach (a class method) instead of
# STORABLE_thaw; the image is the same SX_HOOK record.
package RefWireCorpus::Attached;
sub new { my ($class, $name) = @_; return bless { name => $name }, $class }
sub STORABLE_freeze { my ($self, $cloning) = @_; return $self->{name} }
sub STORABLE_attach { my ($class, $cloning, $name) = @_; return $class->new($name) }

# Overloaded classes: Storable marks references to their objects SX_OVERLOAD and, on
# thaw, refuses them unless the class is loaded and overloads something.
package RefWireCorpus::Overloaded;
use overload '""' => sub { 'Overloaded(' . ${ $_[0] } . ')' }, fallback => 1;
sub new { my ($class, $value) = @_; my $copy = $value; return bless \$copy, $class }

package RefWireCorpus::OverloadedHash;
use overload '""' => sub { 'OverloadedHash(' . join(',', sort keys %{ $_[0] }) . ')' },
    '==' => sub { Scalar::Util::refaddr($_[0]) == Scalar::Util::refaddr($_[1]) },
    fallback => 1;

# Tie classes, for the tied values RefWire refuses.
package RefWireCorpus::TiedHash;
require Tie::Hash;
our @ISA = ('Tie::StdHash');
package RefWireCorpus::TiedArray;
require Tie::Array;
our @ISA = ('Tie::StdArray');
package RefWireCorpus::TiedScalar;
require Tie::Scalar;
our @ISA = ('Tie::StdScalar');

# ---------------------------------------------------------------------------------
package RefWireCorpus;

use Hash::Util qw(lock_keys lock_value lock_hash lock_keys_plus);
use Scalar::Util qw(weaken dualvar);
use Storable ();

our $OVERLOADED = 'RefWireCorpus::Overloaded';
our $OVERLOADED_HASH = 'RefWireCorpus::OverloadedHash';
# A hooked class with a name longer than 255 bytes (SX_HOOK's large class length).
our $LONG_HOOKED = 'RefWireCorpus::Long' . ('H' x 290);
{
    no strict 'refs';
    @{"${LONG_HOOKED}::ISA"} = ('RefWireCorpus::Hooked');
}

# Every case: [name, flags, builder]. The builder returns the reference to freeze.
sub cases {
    my @cases;
    my $add = sub {
        my ($name, $flags, $build) = @_;
        push @cases, [$name, $flags, $build];
    };
    # A scalar case: the builder returns the value, the case freezes a reference to a
    # fresh copy of it (nfreeze needs a reference).
    my $scalar = sub {
        my ($name, $flags, $value) = @_;
        $add->($name, $flags, sub { my $copy = $value->(); return \$copy });
    };

    # --- Integers: SX_BYTE (-128..127), SX_NETINT / SX_INTEGER, beyond 32 and 63 bits.
    my @integers = (
        [int_zero => 0], [int_one => 1], [int_minus_one => -1],
        [int_127 => 127], [int_128 => 128], [int_minus_128 => -128], [int_minus_129 => -129],
        [int_255 => 255], [int_256 => 256],
        [int_32767 => 32767], [int_32768 => 32768], [int_minus_32768 => -32768], [int_minus_32769 => -32769],
        [int_65535 => 65535], [int_65536 => 65536],
        [int_2p31_minus_1 => 2147483647], [int_2p31 => 2147483648],
        [int_minus_2p31 => -2147483648], [int_minus_2p31_minus_1 => -2147483649],
        [int_2p32_minus_1 => 4294967295], [int_2p32 => 4294967296],
        [int_2p53_minus_1 => 9007199254740991], [int_2p53 => 9007199254740992], [int_2p53_plus_1 => 9007199254740993],
        [int_minus_2p53 => -9007199254740992],
        [int_2p63_minus_1 => 9223372036854775807],
        [int_minus_2p63 => -9223372036854775808], [int_minus_2p63_plus_1 => -9223372036854775807],
    );
    for my $entry (@integers) {
        my ($name, $literal) = @$entry;
        $scalar->($name, '-', sub { return $literal + 0 });
    }
    # Unsigned integers above IV_MAX: Storable writes them as decimal strings.
    $scalar->(uint_2p63 => '-', sub { return 9223372036854775808 });
    $scalar->(uint_2p64_minus_1 => '-', sub { return 18446744073709551615 });
    $scalar->(uint_2p63_plus_1 => '-', sub { return 9223372036854775809 });
    $add->(int_all_widths_in_array => '-', sub {
        return [map { $_->[1] + 0 } @integers];
    });
    $add->(int_uv_in_hash => '-', sub {
        return { max => 18446744073709551615, min => -9223372036854775808, top => 9223372036854775807 };
    });

    # --- Doubles. Network order writes non-integral doubles as text; native as 8 bytes.
    my @doubles = (
        [double_half => sub { 0.5 }], [double_minus_half => sub { -0.5 }],
        [double_tenth => sub { 0.1 }], [double_pi => sub { 3.141592653589793 }],
        [double_e => sub { exp(1) }], [double_third => sub { 1 / 3 }],
        [double_1e21 => sub { 1e21 }], [double_1e15_plus_half => sub { 1e15 + 0.5 }],
        [double_1e_minus_7 => sub { 1e-7 }], [double_1p5e300 => sub { 1.5e300 }],
        [double_max => sub { 1.7976931348623157e308 }], [double_min_normal => sub { 2.2250738585072014e-308 }],
        [double_subnormal_min => sub { 5e-324 }], [double_subnormal_big => sub { 2.2250738585072009e-308 }],
        [double_2p63 => sub { 2**63 }], [double_2p64 => sub { 2**64 }], [double_2p53 => sub { 2**53 }],
        [double_minus_2p63_minus_2p11 => sub { -(2**63) - 2**11 }],
        [double_inf => sub { 9**9**9 }], [double_minus_inf => sub { -9**9**9 }],
        [double_nan => sub { my $inf = 9**9**9; $inf / $inf }],
        [double_minus_nan => sub { my $inf = 9**9**9; -($inf / $inf) }],
        # Perl turns integral doubles (and -0.0) into integers before storing them.
        [double_zero => sub { unpack('d>', pack('H*', '0000000000000000')) }],
        [double_minus_zero => sub { unpack('d>', pack('H*', '8000000000000000')) }],
        [double_three => sub { 3.0 * 1 }], [double_1e15 => sub { 1e15 * 1 }],
    );
    for my $entry (@doubles) {
        my ($name, $make) = @$entry;
        $scalar->($name, '-', $make);
    }
    $add->(double_list => '-', sub {
        return [map { $_->[1]->() } @doubles];
    });

    # --- Strings: SX_SCALAR (< 256 bytes), SX_LSCALAR, SX_UTF8STR, SX_LUTF8STR.
    my @strings = (
        [string_empty => sub { '' }], [string_a => sub { 'a' }], [string_digit_zero => sub { '0' }],
        [string_numeric => sub { '42' }], [string_float_text => sub { '1.50' }],
        [string_leading_space_number => sub { ' 7' }], [string_nul => sub { "\0" }],
        [string_nul_inside => sub { "a\0b\0" }], [string_newlines => sub { "line\r\nline\n" }],
        [string_254 => sub { 'x' x 254 }], [string_255 => sub { 'y' x 255 }],
        [string_256 => sub { 'z' x 256 }], [string_257 => sub { 'w' x 257 }],
        [string_65535 => sub { 'm' x 65535 }], [string_65536 => sub { 'n' x 65536 }],
        [string_70k => sub { join '', map { chr(32 + $_ % 95) } 0 .. 70 * 1024 - 1 }],
        [string_latin1_e_acute_bytes => sub { "caf\xe9" }],
        [string_all_bytes => sub { join '', map { chr } 0 .. 255 }],
        [string_high_bytes_256 => sub { join '', map { chr(128 + $_ % 128) } 0 .. 255 }],
        [string_e_acute_upgraded => sub { my $s = "caf\xe9"; utf8::upgrade($s); $s }],
        [string_ascii_upgraded => sub { my $s = 'plain'; utf8::upgrade($s); $s }],
        [string_empty_upgraded => sub { my $s = ''; utf8::upgrade($s); $s }],
        [string_utf8_bytes_not_flagged => sub { my $s = "caf\x{e9}"; utf8::encode($s); $s }],
        [string_bmp => sub { "\x{263a} smile \x{4e2d}\x{6587}" }],
        [string_astral => sub { "\x{1F600}" }],
        [string_astral_mixed => sub { "a\x{1F600}b\x{10FFFF}c\x{e9}" }],
        [string_noncharacter_fffe => sub { no warnings; "\x{FFFE}\x{FFFF}" }],
        [string_utf8_255_bytes => sub { ("\x{263a}" x 85) }],
        [string_utf8_256_bytes => sub { ("\x{263a}" x 85) . 'a' }],
        [string_utf8_257_bytes => sub { "\x{e9}" . ("\x{263a}" x 85) }],
        [string_utf8_70k => sub { join '', map { chr(0x100 + $_ % 0x2000) } 0 .. 36 * 1024 }],
        [string_astral_70k => sub { "\x{1F600}" x (18 * 1024) }],
        [string_looks_like_inf => sub { 'inf' }],
        [string_looks_like_nan => sub { 'NaN' }],
        [string_2p64_text => sub { '18446744073709551616' }],
    );
    for my $entry (@strings) {
        my ($name, $make) = @$entry;
        $scalar->($name, '-', $make);
    }
    $scalar->(string_dualvar => '-', sub { dualvar(5, 'five') });
    $scalar->(string_integer_stringified => '-', sub { my $n = 42; my $s = "$n"; $n });
    $scalar->(string_numified => '-', sub { my $s = '12'; my $n = $s + 0; $s });
    $scalar->(string_double_stringified => '-', sub { my $n = 0.25; my $s = "$n"; $n });
    $add->(string_mixed_array => '-', sub {
        return ['', 'a', "caf\xe9", "\x{263a}", "\x{1F600}", 'x' x 300, "\x{263a}" x 100];
    });

    # --- undef, \undef, booleans (Perl's immortal yes and no).
    $add->(undef_scalar => '-', sub { my $u; return \$u });
    $add->(undef_immortal => '-', sub { return \undef });
    $add->(bool_true_immortal => '-', sub { return \!!1 });
    $add->(bool_false_immortal => '-', sub { return \!!0 });
    $add->(bool_copies_in_array => '-', sub { return [!!1, !!0] });
    $add->(bool_copies_in_hash => '-', sub { return { yes => !!1, no => !!0 } });
    $add->(bool_immortal_refs_shared => '-', sub { return [\!!1, \!!1, \!!0, \!!0] });
    $add->(undef_immortal_refs_twice => '-', sub { return [\undef, \undef] });
    $add->(undef_in_array => '-', sub { return [undef, undef] });
    $add->(undef_in_hash => '-', sub { return { a => undef } });

    # --- Arrays: empty, nested, holey (SX_SV_UNDEF for a missing element),
    # SX_SVUNDEF_ELEM (an element that is PL_sv_undef itself), large.
    $add->(array_empty => '-', sub { return [] });
    $add->(array_one => '-', sub { return [1] });
    $add->(array_nested => '-', sub { return [[], [[]], [[1, [2, [3]]]]] });
    $add->(array_of_empty_hashes => '-', sub { return [{}, {}, {}] });
    $add->(array_holey => '-', sub { my @a; $a[5] = 1; return \@a });
    $add->(array_holey_middle => '-', sub { my @a = (1, 2, 3, 4); delete $a[1]; delete $a[2]; return \@a });
    $add->(array_all_holes => '-', sub { my @a; $#a = 3; return \@a });
    $add->(array_holes_and_undef => '-', sub { my @a; $a[1] = undef; $a[3] = 0; return \@a });
    $add->(array_sv_undef_elements => '-', sub { return sub { \@_ }->(undef, 1, undef) });
    $add->(array_1000 => '-', sub { return [map { $_ * 3 - 1500 } 0 .. 999] });
    $add->(array_300_strings => '-', sub { return [map { "s$_" } 1 .. 300] });
    $add->(array_mixed => '-', sub {
        return [1, -1, 300, 2**40, 0.5, 'text', "\x{263a}", undef, [1], { k => 'v' }, \'r'];
    });

    # --- Hashes: SX_HASH, and SX_FLAG_HASH for UTF-8 keys and restricted hashes.
    $add->(hash_empty => '-', sub { return {} });
    $add->(hash_one => '-', sub { return { a => 1 } });
    $add->(hash_sorted_keys => '-', sub { return { b => 2, a => 1, B => 3, 10 => 4, 9 => 5, '' => 6 } });
    $add->(hash_100_keys => '-', sub { return { map { ("key$_" => $_) } 1 .. 100 } });
    $add->(hash_nested => '-', sub { return { a => { b => { c => [1, { d => undef }] } } } });
    $add->(hash_empty_key => '-', sub { return { '' => 'empty' } });
    $add->(hash_latin1_byte_key => '-', sub { return { "caf\xe9" => 1 } });
    $add->(hash_all_byte_keys => '-', sub { return { map { (chr($_) => $_) } 0 .. 255 } });
    $add->(hash_wasutf8_key => '-', sub {
        my $key = "caf\x{e9}\x{100}";
        chop $key;    # still flagged UTF-8, all characters below 256: Perl stores it downgraded
        return { $key => 1 };
    });
    $add->(hash_upgraded_ascii_key => '-', sub { my $k = 'abc'; utf8::upgrade($k); return { $k => 1 } });
    $add->(hash_wide_key => '-', sub { return { "\x{263a}" => 'smile' } });
    $add->(hash_astral_key => '-', sub { return { "\x{1F600}" => 'grin' } });
    $add->(hash_mixed_keys => '-', sub {
        my $was = "\x{e8}\x{100}";
        chop $was;
        return { plain => 1, "caf\xe9" => 2, $was => 3, "\x{263a}" => 4, "\x{1F600}" => 5, "\x{ff}" => 6 };
    });
    $add->(hash_long_key_300 => '-', sub { return { ('k' x 300) => 1 } });
    $add->(hash_long_utf8_key => '-', sub { return { ("\x{263a}" x 100) => 1 } });
    $add->(hash_long_key_70k => '-', sub { return { ('q' x (70 * 1024)) => 'long' } });
    $add->(hash_ref_values => '-', sub { return { a => [1], h => { x => 1 }, s => \'v', r => \\1 } });
    $add->(hash_restricted_lock_keys => '-', sub { my %h = (a => 1, b => 2); lock_keys(%h); return \%h });
    $add->(hash_restricted_placeholders => '-', sub {
        my %h = (a => 1);
        lock_keys_plus(%h, qw(b c));
        return \%h;
    });
    $add->(hash_restricted_lock_value => '-', sub {
        my %h = (a => 1, b => 2, c => 3);
        lock_keys(%h, qw(a b c d));
        lock_value(%h, 'a');
        return \%h;
    });
    $add->(hash_restricted_lock_hash => '-', sub { my %h = (x => 1, y => [2]); lock_hash(%h); return \%h });
    $add->(hash_restricted_deleted_key => '-', sub {
        my %h = (a => 1, b => 2);
        lock_keys(%h);
        delete $h{b};    # leaves a placeholder
        return \%h;
    });
    $add->(hash_restricted_utf8_keys => '-', sub {
        my %h = ("\x{263a}" => 1, plain => 2);
        lock_keys_plus(%h, "\x{1F600}", "caf\xe9");
        lock_value(%h, "\x{263a}");
        return \%h;
    });
    $add->(hash_restricted_empty => '-', sub { my %h; lock_keys(%h); return \%h });

    # --- References: to scalars, to references, shared, cyclic.
    $add->(ref_to_ref => '-', sub { return \\1 });
    $add->(ref_to_ref_to_ref => '-', sub { return \\\'deep' });
    $add->(ref_to_array_ref => '-', sub { return \[1, 2] });
    $add->(ref_to_hash_ref => '-', sub { return \{ a => 1 } });
    $add->(ref_scalar_ref_in_array => '-', sub { return [\1, \'two', \undef] });
    $add->(shared_array => '-', sub { my $x = [1]; return [$x, $x] });
    $add->(shared_hash_values => '-', sub { my $x = { v => 1 }; return { a => $x, b => $x, c => $x } });
    $add->(shared_scalar_referent => '-', sub { my $s = 'shared'; return [\$s, \$s] });
    $add->(shared_across_levels => '-', sub { my $x = [1]; return { list => [$x, [$x]], direct => $x } });
    $add->(shared_two_pairs => '-', sub { my $x = [1]; my $y = { y => 1 }; return [$x, $y, $y, $x] });
    $add->(shared_ref_to_ref => '-', sub { my $inner = [1]; my $r = \$inner; return [$r, $r, $inner] });
    $add->(cycle_hash_self => '-', sub { my $h = { name => 'root' }; $h->{self} = $h; return $h });
    $add->(cycle_array_self => '-', sub { my @a = (1); push @a, \@a; return \@a });
    $add->(cycle_scalar_self => '-', sub { my $s; $s = \$s; return \$s });
    $add->(cycle_two_nodes => '-', sub {
        my $a = { name => 'a' };
        my $b = { name => 'b', peer => $a };
        $a->{peer} = $b;
        return [$a, $b];
    });
    $add->(cycle_through_scalar_ref => '-', sub { my $h = {}; my $r = \$h; $h->{back} = $r; return $r });
    $add->(cycle_long_ring => '-', sub {
        my @nodes = map { { id => $_ } } 1 .. 20;
        $nodes[$_]{next} = $nodes[($_ + 1) % 20] for 0 .. 19;
        return $nodes[0];
    });

    # --- Weak references: SX_WEAKREF (and SX_WEAKOVERLOAD below).
    $add->(weak_array_element => '-', sub {
        my $x = { v => 1 };
        my $a = [$x, $x];
        weaken($a->[1]);
        return $a;
    });
    $add->(weak_parent_child => '-', sub {
        my $parent = { name => 'parent' };
        my $child = { name => 'child', parent => $parent };
        weaken($child->{parent});
        $parent->{child} = $child;
        return $parent;
    });
    $add->(weak_self => '-', sub { my $h = { name => 'self' }; $h->{me} = $h; weaken($h->{me}); return $h });
    $add->(weak_to_scalar => '-', sub { my $s = 'target'; my $a = [\$s, \$s]; weaken($a->[0]); return $a });
    $add->(weak_to_blessed => '-', sub {
        my $o = bless { v => 1 }, 'RefWireCorpus::Plain';
        my $a = [$o, $o];
        weaken($a->[1]);
        return $a;
    });
    $add->(weak_ref_to_ref => '-', sub {
        my $inner = [1];
        my $outer = \$inner;
        my $a = [$outer, $outer];
        weaken($a->[1]);
        return $a;
    });

    # --- Blessed: SX_BLESS, SX_IX_BLESS for repeated classes, long class names.
    $add->(bless_hash => '-', sub { return bless { a => 1 }, 'RefWireCorpus::Plain' });
    $add->(bless_array => '-', sub { return bless [1, 2], 'RefWireCorpus::Plain' });
    $add->(bless_scalar => '-', sub { my $v = 'value'; return bless \$v, 'RefWireCorpus::Plain' });
    $add->(bless_scalar_integer => '-', sub { my $v = 1000; return bless \$v, 'RefWireCorpus::Plain' });
    $add->(bless_undef_scalar => '-', sub { my $v; return bless \$v, 'RefWireCorpus::Plain' });
    $add->(bless_ref_to_ref => '-', sub { my $v = [1]; return bless \$v, 'RefWireCorpus::Plain' });
    $add->(bless_empty_hash => '-', sub { return bless {}, 'E' });
    $add->(bless_repeated_class => '-', sub {
        return [map { bless { n => $_ }, 'RefWireCorpus::Plain' } 1 .. 5];
    });
    $add->(bless_repeated_mixed_kinds => '-', sub {
        my $s = 'x';
        return [bless({}, 'A'), bless([], 'B'), bless([], 'A'), bless(\$s, 'B'), bless({}, 'A')];
    });
    $add->(bless_130_classes => '-', sub {
        my @objects = map { bless { n => $_ }, "RefWireCorpus::Class$_" } 0 .. 129;
        push @objects, bless([], "RefWireCorpus::Class$_") for 0, 127, 128, 129;
        return \@objects;
    });
    $add->(bless_class_127_bytes => '-', sub { return bless {}, 'C' x 127 });
    $add->(bless_class_128_bytes => '-', sub { return bless {}, 'D' x 128 });
    $add->(bless_class_300_bytes_twice => '-', sub { return [bless({}, 'L' x 300), bless([], 'L' x 300)] });
    $add->(bless_class_utf8 => '-', sub { return bless {}, "RefWireCorpus::Caf\x{e9}::\x{263a}" });
    $add->(bless_nested => '-', sub {
        return bless { inner => bless([bless(\(my $s = 1), 'C3')], 'C2') }, 'C1';
    });
    $add->(bless_shared_object => '-', sub {
        my $o = bless { v => 1 }, 'RefWireCorpus::Plain';
        return { first => $o, second => $o };
    });
    $add->(bless_cycle => '-', sub {
        my $o = bless { name => 'node' }, 'RefWireCorpus::Plain';
        $o->{self} = $o;
        return $o;
    });
    $add->(bless_in_hash_values => '-', sub {
        return { map { ("k$_" => bless({ i => $_ }, $_ % 2 ? 'Odd' : 'Even')) } 1 .. 6 };
    });
    $add->(bless_hook_declined => '-', sub { return bless { plain => 1 }, 'RefWireCorpus::Declines' });

    # --- Regexps: SX_REGEXP inside SX_BLESS Regexp.
    $add->(regexp_plain => '-', sub { return qr/ab+c/ });
    $add->(regexp_flags_i => '-', sub { return qr/abc/i });
    $add->(regexp_flags_msixxn => '-', sub { return qr/a b # comment
        c/msixxn });
    $add->(regexp_empty => '-', sub { return qr// });
    $add->(regexp_slash_and_escapes => '-', sub { return qr{a/b\d+\x{41}\\} });
    $add->(regexp_utf8_pattern => '-', sub { my $p = "\x{263a}+"; return qr/$p/ });
    $add->(regexp_latin1_pattern => '-', sub { my $p = "caf\xe9"; return qr/$p/ });
    $add->(regexp_long_pattern => '-', sub { my $p = 'a' x 300; return qr/$p/ });
    $add->(regexp_blessed_other_class => '-', sub { return bless qr/x/, 'RefWireCorpus::MyRegexp' });
    $add->(regexp_shared => '-', sub { my $re = qr/s/; return [$re, $re, { re => $re }] });
    $add->(regexp_in_structure => '-', sub { return { match => qr/^\w+$/, list => [qr/a/, qr/b/i] } });

    # --- vstrings: SX_VSTRING, SX_LVSTRING.
    $add->(vstring_1_2_3 => '-', sub { return \v1.2.3 });
    $add->(vstring_copy => '-', sub { my $v = v1.22.333; return \$v });
    $add->(vstring_in_array => '-', sub { return [v5.36.0, 'x', v1] });
    $add->(vstring_in_hash => '-', sub { return { version => v2.0.1 } });
    $add->(vstring_long => '-', sub { my $v = eval('v' . join('.', (65) x 300)) or die $@; return \$v });
    $add->(vstring_wide => '-', sub { my $v = v9786.128512; return \$v });

    # --- STORABLE_freeze hooks: SX_HOOK with every flag Storable 3.26 writes.
    my $hooked = 'RefWireCorpus::Hooked';
    $add->(hook_plain => '-', sub { return $hooked->new('plain') });
    $add->(hook_empty_string => '-', sub { return $hooked->new('') });
    $add->(hook_with_refs => '-', sub { return $hooked->new('refs', [1, 2], { k => 'v' }, \'s') });
    $add->(hook_with_shared_ref_before => '-', sub {
        my $shared = [1];
        return [$shared, $hooked->new('before', $shared)];
    });
    $add->(hook_with_shared_ref_after => '-', sub {
        my $shared = [2];
        return [$hooked->new('after', $shared), $shared];
    });
    $add->(hook_self_reference => '-', sub { my $o = $hooked->new('self'); push @{ $o->{refs} }, $o; return $o });
    $add->(hook_same_class_twice => '-', sub { return [$hooked->new('one'), $hooked->new('two')] });
    $add->(hook_nested_hooks => '-', sub {
        my $inner = $hooked->new('inner');
        return $hooked->new('outer', $inner, RefWireCorpus::HookedArray->new('array', $inner));
    });
    $add->(hook_array_object => '-', sub { return RefWireCorpus::HookedArray->new('arr', [1]) });
    $add->(hook_scalar_object => '-', sub { return RefWireCorpus::HookedScalar->new('scalar') });
    $add->(hook_long_string => '-', sub { return $hooked->new('S' x 300) });
    $add->(hook_binary_string => '-', sub { return $hooked->new(join '', map { chr } 0 .. 255) });
    $add->(hook_300_refs => '-', sub { return $hooked->new('many', map { [$_] } 1 .. 300) });
    $add->(hook_long_class => '-', sub {
        return bless { text => 'long class', refs => [] }, $LONG_HOOKED;
    });
    $add->(hook_class_index_over_255 => '-', sub {
        my @list = map { bless {}, "RefWireCorpus::Many$_" } 1 .. 300;
        push @list, $hooked->new('first'), $hooked->new('second');
        return \@list;
    });
    $add->(hook_after_bless_same_class => '-', sub {
        # The class is first named by SX_BLESS of a hook-declining object, then by index.
        return [bless({ plain => 1 }, 'RefWireCorpus::Declines'), $hooked->new('x')];
    });
    $add->(hook_refs_to_blessed => '-', sub {
        return $hooked->new('blessed', bless({ b => 1 }, 'RefWireCorpus::Plain'), bless([], 'RefWireCorpus::Plain'));
    });
    $add->(hook_shared_object => '-', sub { my $o = $hooked->new('shared'); return [$o, $o, { o => $o }] });
    $add->(hook_attach => '-', sub { return RefWireCorpus::Attached->new('attached') });
    $add->(hook_in_cycle => '-', sub {
        my $holder = { name => 'holder' };
        $holder->{object} = $hooked->new('cycle', $holder);
        return $holder;
    });

    # --- Overloaded objects: SX_OVERLOAD, SX_WEAKOVERLOAD.
    my $overload_flag = "overload=$OVERLOADED,$OVERLOADED_HASH";
    $add->(overload_root => $overload_flag, sub { return $OVERLOADED->new('root') });
    $add->(overload_in_array => $overload_flag, sub { return [$OVERLOADED->new(1), $OVERLOADED->new(2)] });
    $add->(overload_shared => $overload_flag, sub { my $o = $OVERLOADED->new('s'); return [$o, $o] });
    $add->(overload_weak => $overload_flag, sub {
        my $o = $OVERLOADED->new('w');
        my $a = [$o, $o];
        weaken($a->[1]);
        return $a;
    });
    $add->(overload_hash_object => $overload_flag, sub {
        return { object => bless({ a => 1, b => 2 }, $OVERLOADED_HASH) };
    });
    $add->(overload_ref_to_object => $overload_flag, sub { my $o = $OVERLOADED->new('r'); return \$o });
    $add->(overload_cycle => $overload_flag, sub {
        my $o = bless { name => 'o' }, $OVERLOADED_HASH;
        $o->{self} = $o;
        weaken($o->{self});
        return [$o];
    });

    # --- Code references: SX_CODE with $Storable::Deparse = 1.
    $add->(code_constant => 'code', sub { return sub { 42 } });
    $add->(code_in_array => 'code', sub { return [sub { 1 }, sub { my ($x) = @_; return $x * 2 }] });
    $add->(code_with_unicode_text => 'code', sub { return { greet => sub { return "\x{263a}" } } });
    $add->(code_blessed => 'code', sub { return bless sub { 'blessed' }, 'RefWireCorpus::Callable' });
    $add->(code_shared => 'code', sub { my $c = sub { 'same' }; return [$c, $c] });

    # --- Depth 1,000.
    $add->(deep_arrays_1000 => 'deep', sub { my $d = []; $d = [$d] for 2 .. 1000; return $d });
    $add->(deep_hashes_1000 => 'deep', sub { my $d = {}; $d = { n => $d } for 2 .. 1000; return $d });
    $add->(deep_scalar_refs_1000 => 'deep', sub {
        my $s = 'bottom';
        my $r = \$s;
        for (2 .. 1000) { my $copy = $r; $r = \$copy }
        return $r;
    });
    $add->(deep_blessed_1000 => 'deep', sub {
        my $d = bless [], 'N';
        $d = bless [$d], 'N' for 2 .. 1000;
        return $d;
    });
    $add->(deep_mixed_1000 => 'deep', sub {
        my $d = 'leaf';
        for my $i (1 .. 1000) {
            my $mod = $i % 3;
            $d = $mod == 0 ? [$d] : $mod == 1 ? { k => $d } : do { my $c = $d; \$c };
        }
        return ref $d ? $d : \$d;
    });

    # --- What RefWire refuses: tied values (SX_TIED_*), shared scalar slots,
    # strings and class names that are not Unicode text.
    $add->(tied_hash => 'error=tied_value_refused', sub {
        tie my %h, 'RefWireCorpus::TiedHash';
        $h{a} = 1;
        return \%h;
    });
    $add->(tied_array => 'error=tied_value_refused', sub {
        tie my @a, 'RefWireCorpus::TiedArray';
        @a = (1, 2);
        return \@a;
    });
    $add->(tied_scalar => 'error=tied_value_refused', sub {
        tie my $s, 'RefWireCorpus::TiedScalar';
        $s = 1;
        return \$s;
    });
    $add->(tied_hash_element => 'error=tied_value_refused', sub {
        tie my %h, 'RefWireCorpus::TiedHash';
        $h{a} = 1;
        return [\$h{a}];
    });
    $add->(tied_array_element => 'error=tied_value_refused', sub {
        tie my @a, 'RefWireCorpus::TiedArray';
        @a = (1);
        return [\$a[0]];
    });
    $add->(shared_slot_element_after => 'error=shared_scalar_slot', sub { my @b = (1); return [\@b, \$b[0]] });
    $add->(shared_slot_element_before => 'error=shared_scalar_slot', sub { my @b = (1); return [\$b[0], \@b] });
    $add->(shared_slot_hash_value => 'error=shared_scalar_slot', sub { my %h = (k => 1); return [\%h, \$h{k}] });
    $add->(string_surrogate => 'error=invalid_utf8', sub { no warnings; my $s = "\x{D800}"; return \$s });
    $add->(string_above_unicode => 'error=invalid_utf8', sub { no warnings; my $s = "\x{110000}"; return \$s });
    $add->(hash_key_surrogate => 'error=invalid_utf8', sub { no warnings; return { "\x{DFFF}" => 1 } });
    $add->(bless_class_latin1_bytes => 'error=invalid_utf8', sub { return bless {}, "Caf\xe9" });

    return @cases;
}

# The images Perl writes for one case. Each builder is called afresh for each image.
sub images {
    my ($case, $directory) = @_;
    my ($name, $flags, $build) = @$case;
    local $Storable::canonical = 1;
    local $Storable::Deparse = ($flags =~ /\bcode\b/) ? 1 : 0;
    # Debian builds Storable with limits of 512 nested arrays and 256 nested hashes,
    # below the corpus's 1,000 levels (which the C stack bears easily).
    local $Storable::recursion_limit = 5000;
    local $Storable::recursion_limit_hash = 5000;
    my $network = Storable::nfreeze($build->());
    my $native = Storable::freeze($build->());
    my $file = "$directory/$name.nstore";
    Storable::nstore($build->(), $file) or die "storable_corpus.pl: nstore $name failed\n";
    open(my $in, '<:raw', $file) or die "storable_corpus.pl: $file: $!\n";
    my $stored = do { local $/; <$in> };
    close $in;
    unlink $file;
    defined $network && defined $native && defined $stored
        or die "storable_corpus.pl: $name: Storable returned undef\n";
    return ($network, $native, $stored);
}

sub main {
    if (!defined $ENV{PERL_HASH_SEED} || ($ENV{PERL_PERTURB_KEYS} // '') ne 'DETERMINISTIC') {
        $ENV{PERL_HASH_SEED} = '0';
        $ENV{PERL_PERTURB_KEYS} = 'DETERMINISTIC';
        exec($^X, $0, @ARGV) or die "storable_corpus.pl: cannot re-exec $^X: $!\n";
    }
    $Storable::VERSION >= 3.26
        or warn "storable_corpus.pl: Storable $Storable::VERSION; the corpus was written against 3.26\n";
    require File::Temp;
    my $directory = File::Temp::tempdir('refwire-storable-corpus-XXXXXX', TMPDIR => 1, CLEANUP => 1);
    binmode(STDOUT) or die "storable_corpus.pl: binmode: $!\n";
    my %seen;
    my $count = 0;
    for my $case (cases()) {
        my ($name, $flags) = @$case;
        $name =~ /^[a-z0-9_]+$/ or die "storable_corpus.pl: bad case name $name\n";
        $seen{$name}++ and die "storable_corpus.pl: duplicate case name $name\n";
        my @images = images($case, $directory);
        print join(' ', 'case', $name, $flags, map { unpack('H*', $_) } @images), "\n";
        $count++;
    }
    print "count $count\n";
    close(STDOUT) or die "storable_corpus.pl: write: $!\n";
    return 0;
}

exit(main()) unless caller;
1;
