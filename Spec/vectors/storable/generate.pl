#!/usr/bin/perl
# Writes the Storable test vectors (*.json) in this folder. See README.md here.
#
#   perl Spec/vectors/storable/generate.pl            # rewrite the JSON files
#   perl Spec/vectors/storable/generate.pl --check    # fail if they are out of date
#
# The JSON files are generated, never edited by hand. Every image is written by Perl's
# own Storable (nfreeze, freeze, nstore, with $Storable::canonical = 1), and every
# expected value is Perl's own reading of the image: the generator thaws the image and
# describes the data Storable::thaw returns, node by node (see README.md, "Values").
# Error vectors start from real images and change bytes as each description says; the
# generator replays each one through Perl's thaw (where that is safe) and records
# whether Perl refuses it too.
#
# Needs: perl 5.36 or later, Storable 3.x (both in core perl), on a 64-bit
# little-endian machine for the native (freeze) images.
use strict;
use warnings;
no warnings 'once';
use B ();
use B::Deparse ();
use Config;
use File::Basename qw(dirname);
use File::Spec;
use File::Temp ();
use Hash::Util qw(lock_keys lock_value lock_keys_plus lock_hash);
use JSON::PP ();
use lib dirname(File::Spec->rel2abs(__FILE__)) . '/..';
use VectorFiles;
use Scalar::Util qw(blessed reftype refaddr isweak isvstring weaken dualvar);
use Storable ();

my $check_only = grep { $_ eq '--check' } @ARGV;
my $folder = dirname(File::Spec->rel2abs(__FILE__));

$Config{byteorder} eq '12345678' && $Config{ivsize} == 8 && $Config{nvsize} == 8
    or die "generate.pl: native images are made on 64-bit little-endian perls with 8-byte NVs; "
    . "this one has byteorder $Config{byteorder}, ivsize $Config{ivsize}, nvsize $Config{nvsize}\n";
$Storable::VERSION >= 3
    or die "generate.pl: needs Storable 3.x, this is $Storable::VERSION\n";

# ---------------------------------------------------------------------------------
# Classes the vectors use.

package RefWireVectors::Hooked {
    sub new { my ($class, $text, @refs) = @_; return bless { text => $text, refs => [@refs] }, $class }
    sub STORABLE_freeze { my ($self) = @_; return ($self->{text}, @{ $self->{refs} }) }
    sub STORABLE_thaw {
        my ($self, $cloning, $text, @refs) = @_;
        @$self{qw(text refs)} = ($text, [@refs]);
        return;
    }
}
package RefWireVectors::HookedArray {
    sub STORABLE_freeze { my ($self) = @_; return @$self }
    sub STORABLE_thaw { my ($self, $cloning, @parts) = @_; @$self = @parts; return }
}
package RefWireVectors::HookedScalar {
    sub STORABLE_freeze { my ($self) = @_; return ($$self) }
    sub STORABLE_thaw { my ($self, $cloning, $text) = @_; $$self = $text; return }
}
package RefWireVectors::Overloaded {
    use overload '""' => sub { 'Overloaded(' . ${ $_[0] } . ')' }, fallback => 1;
}
package RefWireVectors::TiedHash { require Tie::Hash; our @ISA = ('Tie::StdHash') }
package RefWireVectors::TiedArray { require Tie::Array; our @ISA = ('Tie::StdArray') }
package RefWireVectors::TiedScalar { require Tie::Scalar; our @ISA = ('Tie::StdScalar') }

package main;

# ---------------------------------------------------------------------------------
# Images.

sub images {
    my ($build, $code) = @_;
    local $Storable::canonical = 1;
    local $Storable::Deparse = $code ? 1 : 0;
    # Debian's Storable stops at 512 nested arrays; depth_600 needs more.
    local $Storable::recursion_limit = 5000;
    my $network = Storable::nfreeze($build->());
    my $native = Storable::freeze($build->());
    my ($handle, $path) = File::Temp::tempfile('refwire-vectors-XXXXXX', TMPDIR => 1, UNLINK => 1);
    close $handle;
    Storable::nstore($build->(), $path) or die "nstore failed\n";
    my $file = do { open(my $in, '<:raw', $path) or die "$path: $!"; local $/; <$in> };
    unlink $path;
    return ($network, $native, $file);
}

sub network_image {
    my ($build, $code) = @_;
    my ($network) = images($build, $code);
    return $network;
}

sub perl_thaw {
    my ($image) = @_;
    local $Storable::Eval = 1;
    return Storable::thaw($image);
}

# ---------------------------------------------------------------------------------
# Perl's reading of an image, as a value node (README.md, "Values").

my $deparser = B::Deparse->new;

sub describe {
    my ($root) = @_;
    ref $root or die "describe: the root must be a reference\n";
    my $context = { counts => {}, anchors => {}, next_anchor => 1, hooks => {} };
    count_references($context, $root);
    return reference_node($context, $root, 0);
}

# A hooked object's STORABLE_freeze output, once per object.
sub hook_parts {
    my ($context, $ref) = @_;
    my $class = blessed($ref);
    return undef unless defined $class && $class ne 'Regexp' && $ref->can('STORABLE_freeze');
    my $address = refaddr($ref);
    $context->{hooks}{$address} //= [$ref->STORABLE_freeze(0)];
    return @{ $context->{hooks}{$address} } ? $context->{hooks}{$address} : undef;
}

# How many references point at each referent (the root counts as one).
sub count_references {
    my ($context, $ref) = @_;
    return if $context->{counts}{ refaddr($ref) }++;
    for my $child (child_references($context, $ref)) {
        count_references($context, $child);
    }
}

sub child_references {
    my ($context, $ref) = @_;
    if (my $parts = hook_parts($context, $ref)) {
        return @$parts[1 .. $#$parts];
    }
    my $type = reftype($ref);
    my @slots;
    if ($type eq 'ARRAY') {
        my @elements = B::svref_2object($ref)->ARRAY;
        @slots = map { $elements[$_]->isa('B::SPECIAL') ? () : \$ref->[$_] } 0 .. $#elements;
    } elsif ($type eq 'HASH') {
        @slots = \(values %$ref);
    } elsif ($type eq 'SCALAR' || $type eq 'REF' || $type eq 'VSTRING') {
        @slots = ($ref);
    }
    return map { ${$_} } grep { !B::svref_2object($_)->isa('B::SPECIAL') && ref ${$_} } @slots;
}

sub reference_node {
    my ($context, $ref, $weak) = @_;
    my $address = refaddr($ref);
    my $node;
    if ($context->{counts}{$address} > 1) {
        if (my $id = $context->{anchors}{$address}) {
            $node = { type => 'alias', id => $id };
        } else {
            $id = $context->{anchors}{$address} = $context->{next_anchor}++;
            $node = { type => 'anchor', id => $id, value => referent_node($context, $ref) };
        }
    } else {
        $node = referent_node($context, $ref);
    }
    return $weak ? { type => 'weak', value => $node } : $node;
}

sub class_text {
    my ($class) = @_;
    my $text = $class;
    utf8::decode($text) or die "class name is not UTF-8\n";
    return $text;
}

sub referent_node {
    my ($context, $ref) = @_;
    my $class = blessed($ref);
    if (my $parts = hook_parts($context, $ref)) {
        my ($serialized, @refs) = @$parts;
        my $type = reftype($ref);
        return {
            type => 'hooked',
            class => class_text($class),
            kind => $type eq 'HASH' ? 'hash' : $type eq 'ARRAY' ? 'array' : 'scalar',
            serialized_hex => unpack('H*', $serialized),
            references => [map { reference_node($context, $_, 0) } @refs],
        };
    }
    my $type = reftype($ref);
    my $node;
    if ($type eq 'ARRAY') {
        my @elements = B::svref_2object($ref)->ARRAY;
        # A missing element (B's Nullsv, from SX_SV_UNDEF) is a hole; an element that is
        # PL_sv_undef itself (from SX_SVUNDEF_ELEM) reads as a plain undef.
        my @nodes;
        for my $index (0 .. $#elements) {
            my $element = $elements[$index];
            if ($element->isa('B::SPECIAL') && $B::specialsv_name[$$element] =~ /^(Nullsv|&PL_sv_undef)$/) {
                push @nodes, { type => $1 eq 'Nullsv' ? 'hole' : 'undef' };
            } else {
                push @nodes, slot_node($context, \$ref->[$index]);
            }
        }
        $node = { type => 'array', elements => \@nodes };
    } elsif ($type eq 'HASH') {
        $node = hash_node($context, $ref);
    } elsif ($type eq 'SCALAR' || $type eq 'REF' || $type eq 'VSTRING') {
        $node = { type => 'scalar_ref', value => slot_node($context, $ref) };
    } elsif ($type eq 'REGEXP') {
        my ($pattern, $flags) = re::regexp_pattern($ref);
        $node = { type => 'regexp', pattern => $pattern, flags => $flags };
    } elsif ($type eq 'CODE') {
        # Storable compiles the stored text inside package Storable, which B::Deparse
        # then names in a first line that the image does not hold.
        my $source = $deparser->coderef2text($ref);
        $source =~ s/\A\{\n    package Storable;\n/{\n/;
        $node = { type => 'code', source => $source };
    } else {
        die "cannot describe a $type\n";
    }
    return defined $class ? { type => 'blessed', class => class_text($class), value => $node } : $node;
}

sub key_node {
    my ($key) = @_;
    return utf8::is_utf8($key) ? { type => 'string', value => $key } : { type => 'bytes', hex => unpack('H*', $key) };
}

sub hash_node {
    my ($context, $hash) = @_;
    my @keys = keys %$hash;
    my @slots = \(values %$hash);
    my %slot;
    @slot{@keys} = @slots;
    my @entries;
    my @locked;
    for my $key (sort @keys) {    # Perl's sort is Storable's canonical order (sv_cmp)
        push @entries, { key => key_node($key), value => slot_node($context, $slot{$key}) };
        my $object = B::svref_2object($slot{$key});    # immortals are read-only too
        push @locked, key_node($key) if $object->isa('B::SPECIAL') || $object->FLAGS & B::SVf_READONLY();
    }
    my $node = { type => 'hash', entries => \@entries };
    if (Internals::SvREADONLY(%$hash)) {
        $node->{restricted} = {
            allowed_keys => [map { key_node($_) } sort(Hash::Util::hidden_keys(%$hash))],
            locked_keys => \@locked,
        };
    }
    return $node;
}

sub slot_node {
    my ($context, $slot) = @_;
    my $object = B::svref_2object($slot);
    if ($object->isa('B::SPECIAL')) {
        my $name = $B::specialsv_name[$$object];
        # Perl's immortal undef outside an array (\undef, SX_SV_UNDEF): a hole.
        return { type => 'hole' } if $name eq '&PL_sv_undef';
        return { type => 'bool', value => JSON::PP::true() } if $name eq '&PL_sv_yes';
        return { type => 'bool', value => JSON::PP::false() } if $name eq '&PL_sv_no';
        die "cannot describe $name\n";
    }
    my $flags = $object->FLAGS;
    return reference_node($context, $$slot, isweak($$slot) ? 1 : 0) if $flags & B::SVf_ROK();
    {
        no warnings;
        return { type => 'bool', value => $$slot ? JSON::PP::true() : JSON::PP::false() }
            if defined &builtin::is_bool && builtin::is_bool($$slot);
    }
    if (isvstring($$slot)) {
        my $literal;
        for (my $magic = $object->MAGIC; $magic; $magic = $magic->MOREMAGIC) {
            $literal = $magic->PTR if $magic->TYPE eq 'V';
        }
        my $copy = $$slot;
        return { type => 'vstring', literal => $literal, value => key_node("$copy") };
    }
    my $copy = $$slot;
    return key_node($copy) if $flags & B::SVf_POK();
    if ($flags & B::SVf_IOK()) {
        return { type => ($flags & B::SVf_IVisUV()) ? 'uint' : 'int', value => "$copy" };
    }
    if ($flags & B::SVf_NOK()) {
        my $text = $copy != $copy ? 'nan' : $copy == 9**9**9 ? 'inf' : $copy == -9**9**9 ? '-inf' : sprintf('%.17g', $copy);
        return { type => 'double', value => $text };
    }
    return { type => 'undef' };
}

# ---------------------------------------------------------------------------------
# Valid vectors: [name, description, builder, options]. Options:
#   native => 1     also give the freeze image (native_hex) and its reading
#   file => 1       also give the nstore image (file_hex)
#   code => 1       $Storable::Deparse = 1 to write, decode with code kept as source
#   reencodes => 0  re-encoding the value does not give the network image back (why:
#                   in the description)
#   overloaded => [classes]   classes to mark overloaded when re-encoding
#   options => {...}          decoding options (README.md, "Decoding options")

my $smile = "\x{263a}";
my $grin = "\x{1F600}";

my %files;

$files{'scalars.json'} = {
    topic => 'plain values: integers at every width boundary, doubles, byte and character strings, undef, booleans, vstrings',
    vectors => [
        (map {
            my ($name, $number) = @$_;
            ["int_$name", "The integer $number: SX_BYTE within -128..127, SX_NETINT within 32 bits, else decimal text in network order; SX_INTEGER natively.",
                sub { my $copy = $number + 0; \$copy }, { native => 1 }]
        } (['zero', 0], ['127', 127], ['128', 128], ['minus_128', -128], ['minus_129', -129],
           ['2p31_minus_1', 2147483647], ['minus_2p31', -2147483648], ['2p31', 2147483648],
           ['minus_2p31_minus_1', -2147483649], ['2p53', 9007199254740992],
           ['2p63_minus_1', 9223372036854775807], ['minus_2p63', -9223372036854775808])),
        ['uint_2p64_minus_1', 'An unsigned integer above IV_MAX: Storable writes its decimal text in both orders.',
            sub { my $n = 18446744073709551615; \$n }, { native => 1 }],
        ['double_pi', 'A non-integral double: text with 15 significant digits in network order (3.14159265358979), 8 bytes natively.',
            sub { my $d = 3.141592653589793; \$d }, { native => 1 }],
        ['double_tenth', '0.1.', sub { my $d = 0.1; \$d }, { native => 1 }],
        ['double_subnormal', 'The smallest subnormal double, 5e-324.', sub { my $d = 5e-324; \$d }, { native => 1 }],
        ['double_max', 'The largest finite double.', sub { my $d = 1.7976931348623157e308; \$d }, { native => 1 }],
        ['double_1e21', '1e21, written as 1e+21.', sub { my $d = 1e21; \$d }, { native => 1 }],
        ['double_inf', 'Infinity: the text Inf in network order.', sub { my $d = 9**9**9; \$d }, { native => 1 }],
        ['double_minus_inf', 'Minus infinity: -Inf.', sub { my $d = -9**9**9; \$d }, { native => 1 }],
        ['double_nan', 'NaN: the text NaN in network order; natively the bits Perl computed (here the sign bit is set).',
            sub { my $i = 9**9**9; my $d = $i / $i; \$d }, { native => 1 }],
        ['double_minus_zero', 'A -0.0 double: Perl stores it as the integer 0 (its IV form), in both orders.',
            sub { my $d = unpack('d>', pack('H*', '8000000000000000')); \$d }, { native => 1 }],
        ['double_2p63', '2**63 as a double (not an integer): 9.22337203685478e+18 in network order.',
            sub { my $d = 2**63; \$d }, { native => 1 }],
        ['string_empty', 'The empty byte string.', sub { my $s = ''; \$s }, { file => 1 }],
        ['string_bytes', 'A byte string with a NUL and a Latin-1 byte (SX_SCALAR).', sub { my $s = "a\0caf\xe9"; \$s }],
        ['string_255', '255 bytes: the longest SX_SCALAR.', sub { my $s = 'y' x 255; \$s }],
        ['string_256', '256 bytes: SX_LSCALAR with a 4-byte length.', sub { my $s = 'z' x 256; \$s }],
        ['string_upgraded_latin1', 'A character string of Latin-1 characters (UTF-8 flag on): SX_UTF8STR c3 a9.',
            sub { my $s = "caf\xe9"; utf8::upgrade($s); \$s }, { file => 1 }],
        ['string_bmp', 'A character string with BMP characters.', sub { my $s = "$smile \x{4e2d}"; \$s }],
        ['string_astral', 'A character string with an astral character (4-byte UTF-8).', sub { my $s = "a$grin"; \$s }],
        ['string_utf8_long', '300 bytes of UTF-8: SX_LUTF8STR.', sub { my $s = $smile x 100; \$s }],
        ['string_numeric_text', 'A string that looks like a number stays a string.', sub { my $s = '42'; \$s }],
        ['string_dualvar', 'A dualvar (5, "five"): Storable keeps the string.', sub { my $s = dualvar(5, 'five'); \$s }],
        ['undef_scalar', 'A reference to an undefined scalar (SX_UNDEF).', sub { my $u; \$u }, { native => 1, file => 1 }],
        ['undef_immortal', 'A reference to Perl\'s immortal undef (SX_SV_UNDEF): a hole outside an array.', sub { \undef }],
        ['undef_immortal_in_hash', 'Perl\'s immortal undef stored as a hash value (hv_store): SX_SV_UNDEF, a hole.',
            sub { my %h; Hash::Util::hv_store(%h, 'k', undef); \%h }],
        ['bool_true', 'A reference to Perl\'s immortal yes (SX_SV_YES): read as true.', sub { \!!1 }],
        ['bool_false', 'A reference to Perl\'s immortal no (SX_SV_NO): read as false.', sub { \!!0 }],
        ['bool_copies', 'Copies of !!1 and !!0 are stored by Storable 3.26 as the strings "1" and "".',
            sub { [!!1, !!0] }],
        ['vstring', 'v1.2.3: SX_VSTRING with the literal, then the string it holds.', sub { my $v = v1.2.3; \$v }],
        ['vstring_wide', 'A vstring with characters above 255: the string it holds is UTF-8.',
            sub { my $v = v9786.128512; \$v }],
        ['vstring_long', 'A vstring literal longer than 255 bytes: SX_LVSTRING.',
            sub { my $v = eval('v' . join('.', (65) x 70)) or die $@; \$v }],
    ],
};

$files{'containers.json'} = {
    topic => 'arrays (holes included) and hashes (key kinds, restricted hashes), and references to references',
    vectors => [
        ['array_empty', 'An empty array.', sub { [] }, { native => 1, file => 1 }],
        ['array_nested', 'Nested arrays.', sub { [[], [1, [2]]] }],
        ['array_mixed', 'An array of scalars of every kind.', sub { [1, -300, 'text', "caf\xe9", $smile, undef, 0.5] }, { native => 1 }],
        ['array_holey', 'my @a; $a[3] = 1: missing elements are SX_SV_UNDEF, read as holes.',
            sub { my @a; $a[3] = 1; \@a }],
        ['array_holes_and_undef', 'Holes next to an element that exists and holds undef.',
            sub { my @a; $a[1] = undef; $a[3] = 0; \@a }],
        ['array_sv_undef_element', 'An element that is PL_sv_undef itself (SX_SVUNDEF_ELEM, here from @_): read as undef. RefWire re-encodes it as SX_UNDEF.',
            sub { sub { \@_ }->(undef, 1) }, { reencodes => 0 }],
        ['hash_empty', 'An empty hash.', sub { {} }, { file => 1 }],
        ['hash_sorted', 'Keys in Storable\'s canonical (sv_cmp) order.', sub { +{ b => 2, a => 1, B => 3, 10 => 4, 9 => 5, '' => 6 } }],
        ['hash_byte_key', 'A Latin-1 byte key in a plain SX_HASH.', sub { +{ "caf\xe9" => 1 } }],
        ['hash_utf8_key', 'A key with a character above 255: SX_FLAG_HASH, key flag 0x01 (UTF-8).', sub { +{ $smile => 'smile' } }],
        ['hash_astral_key', 'An astral key.', sub { +{ $grin => 1 } }],
        ['hash_wasutf8_key', 'A character key whose characters fit Latin-1: Perl stores it downgraded, key flag 0x02 (was UTF-8); read as a character key.',
            sub { my $k = "caf\xe9\x{100}"; chop $k; +{ $k => 1 } }],
        ['hash_wasutf8_ascii_key', 'An ASCII key made from a UTF-8-flagged string: Perl 5.36 flags it 0x02 (was UTF-8) as well, so it is a character key.',
            sub { my $k = 'abc'; utf8::upgrade($k); +{ $k => 1 } }],
        ['hash_mixed_keys', 'Byte, was-UTF-8 and UTF-8 keys in one hash, sorted by code point.',
            sub { my $w = "\x{e8}\x{100}"; chop $w; +{ plain => 1, "caf\xe9" => 2, $w => 3, $smile => 4, "\xff" => 5 } }],
        ['hash_long_key', 'A 300-byte key.', sub { +{ ('k' x 300) => 1 } }],
        ['hash_restricted', 'lock_keys: SX_FLAG_HASH with the restricted flag 0x01.', sub { my %h = (a => 1); lock_keys(%h); \%h }],
        ['hash_restricted_placeholders', 'lock_keys_plus(%h, "b", "c"): placeholders (key flags 0x14) are allowed keys.',
            sub { my %h = (a => 1); lock_keys_plus(%h, qw(b c)); \%h }],
        ['hash_restricted_locked_value', 'lock_value: the key flag 0x04 (locked).',
            sub { my %h = (a => 1, b => 2); lock_keys(%h, qw(a b c)); lock_value(%h, 'a'); \%h }],
        ['hash_restricted_lock_hash', 'lock_hash: every value locked.', sub { my %h = (x => 1, y => 2); lock_hash(%h); \%h }],
        ['hash_restricted_utf8', 'A restricted hash with UTF-8 keys and placeholders. Does not re-encode: in the (canonical) image a placeholder comes before the present key, and the value model keeps placeholders apart from the entries, so a non-canonical re-encoding writes them after (a canonical one gives the image back).',
            sub { my %h = ($smile => 1); lock_keys_plus(%h, $grin, "caf\xe9"); \%h }, { reencodes => 0 }],
        ['ref_to_ref', '\\\\1: a reference to a scalar holding a reference.', sub { \\1 }, { native => 1 }],
        ['ref_to_array', '\\[1]: a reference to a scalar holding an array reference.', sub { \[1] }],
        ['ref_in_hash', 'References as hash values.', sub { +{ a => [1], s => \'v', r => \\2 } }],
    ],
};

$files{'sharing.json'} = {
    topic => 'shared referents, cycles and weak references (SX_OBJECT back-references, SX_WEAKREF)',
    vectors => [
        ['shared_array', 'One array referenced twice.', sub { my $x = [1]; [$x, $x] }, { native => 1, file => 1 }],
        ['shared_in_hash', 'One hash referenced from three hash values.', sub { my $x = { v => 1 }; +{ a => $x, b => $x, c => $x } }],
        ['shared_scalar', 'One scalar referenced twice.', sub { my $s = 'shared'; [\$s, \$s] }],
        ['shared_two_pairs', 'Two shared referents, anchors numbered in the order first met.',
            sub { my $x = [1]; my $y = { y => 1 }; [$y, $x, $x, $y] }],
        ['shared_immortal_yes', 'Two references to PL_sv_yes: Storable stores it once and refers back to it.',
            sub { [\!!1, \!!1] }],
        ['shared_ref_to_ref', 'A shared reference to a reference, and the inner array shared too.',
            sub { my $inner = [1]; my $r = \$inner; [$r, $r, $inner] }],
        ['cycle_hash_self', 'A hash that holds a reference to itself.', sub { my $h = { name => 'root' }; $h->{self} = $h; $h }, { file => 1 }],
        ['cycle_array_self', 'An array that holds a reference to itself.', sub { my @a = (1); push @a, \@a; \@a }],
        ['cycle_scalar_self', 'A scalar that holds a reference to itself.', sub { my $s; $s = \$s; \$s }],
        ['cycle_two_nodes', 'Two hashes that refer to each other.',
            sub { my $a = { n => 'a' }; my $b = { n => 'b', peer => $a }; $a->{peer} = $b; [$a, $b] }],
        ['weak_element', 'A weakened array element (SX_WEAKREF) to a referent also held strongly.',
            sub { my $x = { v => 1 }; my $a = [$x, $x]; weaken($a->[1]); $a }],
        ['weak_first', 'The weak reference comes first, so it holds the anchor.',
            sub { my $x = [7]; my $a = [$x, $x]; weaken($a->[0]); $a }],
        ['weak_parent', 'A child with a weak reference to its parent.',
            sub { my $p = { n => 'parent' }; my $c = { n => 'child', parent => $p }; weaken($c->{parent}); $p->{child} = $c; $p }],
        ['weak_self', 'A hash with a weak reference to itself.', sub { my $h = { n => 1 }; $h->{me} = $h; weaken($h->{me}); $h }],
    ],
};

$files{'objects.json'} = {
    topic => 'blessed referents, regexps, STORABLE_freeze hooks, overloaded classes and code references',
    vectors => [
        ['bless_hash', 'A blessed hash (SX_BLESS).', sub { bless { a => 1 }, 'RefWireVectors::Plain' }, { native => 1, file => 1 }],
        ['bless_array', 'A blessed array.', sub { bless [1], 'RefWireVectors::Plain' }],
        ['bless_scalar', 'A blessed scalar.', sub { my $v = 'value'; bless \$v, 'RefWireVectors::Plain' }],
        ['bless_ref_to_ref', 'A blessed scalar that holds a reference.', sub { my $v = [1]; bless \$v, 'RefWireVectors::Plain' }],
        ['bless_repeated', 'The same class three times: SX_BLESS once, then SX_IX_BLESS with index 0.',
            sub { [map { bless { n => $_ }, 'RefWireVectors::Plain' } 1 .. 3] }],
        ['bless_two_classes', 'Two classes interleaved: indexes 0 and 1.',
            sub { [bless({}, 'A'), bless([], 'B'), bless([], 'A'), bless({}, 'B')] }],
        ['bless_long_class', 'A 130-byte class name: SX_BLESS with the 0x80 flag and a 4-byte length.',
            sub { bless {}, 'L' x 130 }],
        ['bless_utf8_class', 'A class name with non-ASCII characters: Storable writes its UTF-8 bytes.',
            sub { bless {}, "RefWireVectors::Caf\x{e9}::\x{263a}" }],
        ['bless_shared', 'A blessed hash referenced twice.', sub { my $o = bless {}, 'RefWireVectors::Plain'; [$o, $o] }],
        ['bless_cycle', 'A blessed hash that refers to itself.',
            sub { my $o = bless { n => 1 }, 'RefWireVectors::Plain'; $o->{self} = $o; $o }],
        ['regexp', 'qr/ab+c/i: SX_BLESS Regexp, then SX_REGEXP with the pattern and the flags.', sub { qr/ab+c/i }, { file => 1 }],
        ['regexp_flags', 'A regexp with the flags msixxn.', sub { qr/a b/msixxn }],
        ['regexp_utf8', 'A regexp with a character above 255: Storable 3.26 writes its pattern\'s UTF-8 bytes and thaws them as bytes (Latin-1 characters), flag u.',
            sub { my $p = "$smile+"; qr/$p/ }],
        ['regexp_long', 'A 300-byte pattern: SX_REGEXP with the 0x01 flag and a 4-byte length.', sub { my $p = 'a' x 300; qr/$p/ }],
        ['regexp_other_class', 'A regexp blessed into another class.', sub { bless qr/x/, 'RefWireVectors::MyRegexp' }],
        ['hook_plain', 'An object whose STORABLE_freeze returns a string only (SX_HOOK).',
            sub { RefWireVectors::Hooked->new('plain') }, { native => 1, file => 1 }],
        ['hook_with_references', 'A hook that returns references: stored in the hook record before the class.',
            sub { RefWireVectors::Hooked->new('refs', [1], { k => 'v' }) }],
        ['hook_reference_stored_before', 'A hook reference to an object stored before the hook.',
            sub { my $s = [1]; [$s, RefWireVectors::Hooked->new('before', $s)] }],
        ['hook_reference_stored_after', 'A hook reference to an object the array refers to again afterwards.',
            sub { my $s = [2]; [RefWireVectors::Hooked->new('after', $s), $s] }],
        ['hook_self', 'A hook that returns a reference to its own object.',
            sub { my $o = RefWireVectors::Hooked->new('self'); push @{ $o->{refs} }, $o; $o }],
        ['hook_class_twice', 'Two hooked objects of one class: the second names its class by index.',
            sub { [RefWireVectors::Hooked->new('one'), RefWireVectors::Hooked->new('two')] }],
        ['hook_array_object', 'An array-based hooked object (object type 1).',
            sub { bless ['arr', [1]], 'RefWireVectors::HookedArray' }],
        ['hook_scalar_object', 'A scalar-based hooked object (object type 0).',
            sub { my $v = 'scalar'; bless \$v, 'RefWireVectors::HookedScalar' }],
        ['hook_long_string', 'A hook string of 300 bytes: the large-string flag 0x08.',
            sub { RefWireVectors::Hooked->new('S' x 300) }],
        ['hook_300_references', 'A hook with 300 references: the large-list flag 0x10, a 4-byte count in network order.',
            sub { RefWireVectors::Hooked->new('many', map { [$_] } 1 .. 300) }],
        ['overloaded', 'A reference to an object of an overloaded class: SX_OVERLOAD.',
            sub { my $v = 'x'; [bless \$v, 'RefWireVectors::Overloaded'] }, { overloaded => ['RefWireVectors::Overloaded'] }],
        ['overloaded_weak', 'A weak reference to an overloaded object: SX_WEAKOVERLOAD.',
            sub { my $v = 'w'; my $o = bless \$v, 'RefWireVectors::Overloaded'; my $a = [$o, $o]; weaken($a->[1]); $a },
            { overloaded => ['RefWireVectors::Overloaded'] }],
        ['code', 'A code reference with $Storable::Deparse = 1: SX_CODE and the B::Deparse text; decoded with code kept as source.',
            sub { use warnings; [sub { 42 }] }, { code => 1, options => { code => 'keep_source' } }],
    ],
};

# ---------------------------------------------------------------------------------
# Error vectors: [name, description, image, error, options]. `options` as above, plus
#   perl => 0    do not replay through Perl's thaw (it would try to allocate what the
#                image declares)

sub patch {
    my ($image, $offset, $bytes) = @_;
    substr($image, $offset, length $bytes) = $bytes;
    return $image;
}

sub index_of {
    my ($image, $bytes, $start) = @_;
    my $at = index($image, $bytes, $start // 0);
    $at >= 0 or die 'bytes ' . unpack('H*', $bytes) . ' not found in ' . unpack('H*', $image) . "\n";
    return $at;
}

my $hello = network_image(sub { my $s = 'hello'; \$s });           # 05 0b 0a 05 hello
my $list = network_image(sub { [1, 2, 3] });                       # 05 0b 02 00000003 0881 0882 0883
my $pair = network_image(sub { +{ a => 1 } });                     # 05 0b 03 00000001 0881 00000001 61
my $shared = network_image(sub { my $x = [1]; [$x, $x] });         # ... 04 00 00000002
my $blessed_twice = network_image(sub { [bless({}, 'A'), bless({}, 'A')] });
my $long = network_image(sub { my $s = 'x' x 300; \$s });          # 05 0b 01 0000012c ...
my $smile_image = network_image(sub { my $s = $smile; \$s });      # 05 0b 17 03 e2 98 ba
my $utf8_key = network_image(sub { +{ $smile => 1 } });
my $hooked_image = network_image(sub { RefWireVectors::Hooked->new('x', [1]) });
my $deep = network_image(sub { my $d = []; $d = [$d] for 2 .. 600; $d });

$files{'errors.json'} = {
    topic => 'images a decoder must refuse, each with the error kind',
    errors => [
        ['empty', 'No bytes at all.', '', { kind => 'truncated' }],
        ['header_only', 'The network header and nothing after it.', substr($hello, 0, 2), { kind => 'truncated' }],
        ['truncated_string', 'nfreeze(\\"hello") without its last two bytes.', substr($hello, 0, -2), { kind => 'truncated' }],
        ['truncated_count', 'nfreeze([1, 2, 3]) cut inside the element count.', substr($list, 0, 5), { kind => 'truncated' }],
        ['truncated_element', 'nfreeze([1, 2, 3]) without its last element.', substr($list, 0, -2), { kind => 'truncated' }],
        ['truncated_key', 'nfreeze({a => 1}) cut inside the key.', substr($pair, 0, -1), { kind => 'truncated' }],
        ['truncated_native_header', 'A native header cut inside its byte-order string.',
            substr(Storable::freeze(\1), 0, 6), { kind => 'truncated' }],
        ['unsupported_major_version', 'Major version 3 (the header byte 0x07).', patch($hello, 0, "\x07"),
            { kind => 'unsupported_version' }],
        ['unsupported_minor_version', 'Minor version 13, newer than any Storable writes.', patch($hello, 1, "\x0d"),
            { kind => 'unsupported_version' }],
        ['unsupported_native_layout', 'A native header that says sizeof(NV) is 16 (long doubles).',
            patch(Storable::freeze(\1), 14, "\x10"), { kind => 'unsupported_native_layout' }],
        ['invalid_opcode', 'The marker 0x40, which is no Storable marker.', patch($hello, 2, "\x40"),
            { kind => 'invalid_opcode', byte => 64, offset => 2 }],
        ['invalid_opcode_ff', 'The marker 0xff.', patch($list, 7, "\xff"), { kind => 'invalid_opcode', byte => 255, offset => 7 }],
        ['back_reference_out_of_range', 'nfreeze of a shared array with the back-reference tag changed to 99.',
            patch($shared, length($shared) - 4, pack('N', 99)), { kind => 'invalid_back_reference', tag => 99, offset => length($shared) - 5 }],
        ['back_reference_forward', 'A back-reference to tag 5, the next tag, not yet seen (tags 0-4 are the outer array, its first slot, the inner array, its element and the second slot).',
            patch($shared, length($shared) - 4, pack('N', 5)), { kind => 'invalid_back_reference', tag => 5 }],
        ['back_reference_to_slot', 'A back-reference to tag 3, an array element (a scalar slot, not a referent).',
            patch($shared, length($shared) - 4, pack('N', 3)), { kind => 'shared_scalar_slot' }],
        ['back_reference_at_root', 'SX_OBJECT as the very first object.', "\x05\x0b\x00\x00\x00\x00\x00",
            { kind => 'invalid_back_reference', tag => 0, offset => 2 }],
        ['class_index_out_of_range', 'The second object names class index 1, but only index 0 exists.',
            patch($blessed_twice, index_of($blessed_twice, "\x12\x00") + 1, "\x01"),
            { kind => 'invalid_class_index', index => 1 }],
        ['class_index_before_any_class', 'SX_IX_BLESS 0 before any class is named.', "\x05\x0b\x12\x00\x03\x00\x00\x00\x00",
            { kind => 'invalid_class_index', index => 0 }],
        ['array_count_2p31_minus_1', 'An array that declares 2**31 - 1 elements.', patch($list, 3, pack('N', 0x7fffffff)),
            { kind => 'container_limit_exceeded' }, { perl => 0 }],
        ['array_count_beyond_input', 'An array that declares 1,000,000 elements (under the container limit) in a 14-byte image.',
            patch($list, 3, pack('N', 1_000_000)), { kind => 'truncated' }, { perl => 0 }],
        ['array_count_negative', 'An array count of 0x80000000 (negative as a C int).', patch($list, 3, pack('N', 0x80000000)),
            { kind => 'malformed' }, { perl => 0 }],
        ['hash_count_2p31_minus_1', 'A hash that declares 2**31 - 1 keys.', patch($pair, 3, pack('N', 0x7fffffff)),
            { kind => 'container_limit_exceeded' }, { perl => 0 }],
        ['hash_count_negative', 'A hash count of 0xffffffff (-1).', patch($pair, 3, pack('N', 0xffffffff)),
            { kind => 'malformed' }, { perl => 0 }],
        ['string_length_2p31_minus_1', 'SX_LSCALAR declaring 2**31 - 1 bytes.', patch($long, 3, pack('N', 0x7fffffff)),
            { kind => 'string_limit_exceeded' }, { perl => 0 }],
        ['string_length_beyond_input', 'SX_LSCALAR declaring 1,000,000 bytes (under the string limit) with 300 present.',
            patch($long, 3, pack('N', 1_000_000)), { kind => 'truncated' }, { perl => 0 }],
        ['string_length_negative', 'SX_LSCALAR with the length 0x80000000.', patch($long, 3, pack('N', 0x80000000)),
            { kind => 'malformed' }, { perl => 0 }],
        ['key_length_negative', 'A hash key length of 0xfffffffe.', patch($pair, length($pair) - 5, pack('N', 0xfffffffe)),
            { kind => 'malformed' }, { perl => 0 }],
        ['large_object_2p63', 'SX_LOBJECT SX_LSCALAR with a 64-bit length of 2**63.',
            "\x05\x0b\x21\x01" . pack('Q>', 2**63) . 'x', { kind => 'string_limit_exceeded' }, { perl => 0 }],
        ['large_object_array_2p63', 'SX_LOBJECT SX_ARRAY with a 64-bit count of 2**63.',
            "\x05\x0b\x21\x02" . pack('Q>', 2**63) . "\x05", { kind => 'container_limit_exceeded' }, { perl => 0 }],
        ['large_object_bad_marker', 'SX_LOBJECT followed by SX_REF, which has no large form.',
            "\x05\x0b\x21\x04\x05", { kind => 'invalid_opcode', byte => 4 }],
        ['hook_list_count_2p31_minus_1', 'A hook record whose reference list declares 2**31 - 1 tags (large-list flag).',
            hook_with_list_count($hooked_image, 0x7fffffff), { kind => 'container_limit_exceeded' }, { perl => 0 }],
        ['hook_list_count_beyond_input', 'A hook record whose reference list declares 1,000,000 tags.',
            hook_with_list_count($hooked_image, 1_000_000), { kind => 'truncated' }, { perl => 0 }],
        ['invalid_utf8_byte', 'SX_UTF8STR holding the byte 0xff.', patch($smile_image, 4, "\xff"), { kind => 'invalid_utf8' }],
        ['invalid_utf8_overlong', 'SX_UTF8STR holding the overlong encoding c0 af of "/".',
            "\x05\x0b\x17\x02\xc0\xaf", { kind => 'invalid_utf8' }],
        ['invalid_utf8_truncated_sequence', 'SX_UTF8STR holding e2 98 (a sequence cut short).',
            "\x05\x0b\x17\x02\xe2\x98", { kind => 'invalid_utf8' }],
        ['invalid_utf8_surrogate', 'A Perl string holding U+D800 (Perl writes it as ed a0 80, which is not UTF-8).',
            network_image(sub { no warnings; my $s = "\x{D800}"; \$s }), { kind => 'invalid_utf8' }],
        ['invalid_utf8_above_unicode', 'A Perl string holding U+110000 (Perl\'s extended UTF-8).',
            network_image(sub { no warnings; my $s = "\x{110000}"; \$s }), { kind => 'invalid_utf8' }],
        ['invalid_utf8_key', 'A UTF-8 hash key (flag 0x01) holding the byte 0xff.',
            patch($utf8_key, length($utf8_key) - 3, "\xff"), { kind => 'invalid_utf8' }],
        ['invalid_utf8_class_name', 'A class name that is not UTF-8 (the Latin-1 byte 0xe9): Perl itself reads it.',
            network_image(sub { bless {}, "Caf\xe9" }), { kind => 'invalid_utf8' }],
        ['trailing_byte', 'One byte after the root object.', $hello . "\0", { kind => 'trailing_bytes', count => 1, offset => length($hello) }],
        ['trailing_image', 'A second image after the first.', $hello . $hello, { kind => 'trailing_bytes', count => length($hello), offset => length($hello) }],
        ['tied_hash', 'A tied hash (SX_TIED_HASH).',
            network_image(sub { tie my %h, 'RefWireVectors::TiedHash'; $h{a} = 1; \%h }), { kind => 'tied_value_refused', offset => 2 }],
        ['tied_array', 'A tied array (SX_TIED_ARRAY).',
            network_image(sub { tie my @a, 'RefWireVectors::TiedArray'; @a = (1); \@a }), { kind => 'tied_value_refused' }],
        ['tied_scalar', 'A tied scalar (SX_TIED_SCALAR).',
            network_image(sub { tie my $s, 'RefWireVectors::TiedScalar'; $s = 1; \$s }), { kind => 'tied_value_refused' }],
        ['tied_hash_element', 'A reference to an element of a tied hash (SX_TIED_KEY).',
            network_image(sub { tie my %h, 'RefWireVectors::TiedHash'; $h{a} = 1; [\$h{a}] }), { kind => 'tied_value_refused' }],
        ['tied_array_element', 'A reference to an element of a tied array (SX_TIED_IDX).',
            network_image(sub { tie my @a, 'RefWireVectors::TiedArray'; @a = (1); [\$a[0]] }), { kind => 'tied_value_refused' }],
        ['code_refused', 'A code reference under the default policy (refuse).',
            network_image(sub { use warnings; [sub { 1 }] }, 1), { kind => 'code_reference_refused' }],
        ['shared_scalar_slot', 'An array and a reference to its own first element: one scalar slot in two places.',
            network_image(sub { my @b = (1); [\@b, \$b[0]] }), { kind => 'shared_scalar_slot' }],
        ['depth_600', '600 nested arrays, beyond the default depth limit of 512.', $deep,
            { kind => 'depth_limit_exceeded', limit => 512 }],
        ['depth_limit_option', 'Three nested arrays with max_depth 2.', network_image(sub { [[[]]] }),
            { kind => 'depth_limit_exceeded', limit => 2 }, { options => { max_depth => 2 } }],
        ['container_limit_option', 'A 3-element array with max_container_count 2.', $list,
            { kind => 'container_limit_exceeded', limit => 2 }, { options => { max_container_count => 2 } }],
        ['total_limit_option', 'Four values (the array and three integers) with max_total_count 3.', $list,
            { kind => 'total_limit_exceeded', limit => 3 }, { options => { max_total_count => 3 } }],
        ['string_limit_option', 'A 5-byte string with max_string_length 4.', $hello,
            { kind => 'string_limit_exceeded', limit => 4 }, { options => { max_string_length => 4 } }],
        ['blessed_refused_all', 'A blessed hash with blessed values refused.',
            network_image(sub { bless {}, 'RefWireVectors::Plain' }),
            { kind => 'blessed_value_refused', class_name => 'RefWireVectors::Plain' }, { options => { blessed => 'refuse_all' } }],
        ['blessed_not_allowed', 'A class outside the allowed list.',
            network_image(sub { [bless({}, 'Allowed'), bless({}, 'Other')] }),
            { kind => 'blessed_value_refused', class_name => 'Other' }, { options => { blessed => ['Allowed'] } }],
        ['regexp_not_allowed', 'qr// is blessed into Regexp, which the allowed list must name.',
            network_image(sub { qr/x/ }), { kind => 'blessed_value_refused', class_name => 'Regexp' },
            { options => { blessed => ['Other'] } }],
        ['hooked_class_refused', 'A hooked object with blessed values refused.',
            $hooked_image, { kind => 'blessed_value_refused', class_name => 'RefWireVectors::Hooked' },
            { options => { blessed => 'refuse_all' } }],
    ],
};

# A hook image (flags, then the class, string and list) with its reference list's
# count replaced by a 4-byte `count` (setting the large-list flag).
sub hook_with_list_count {
    my ($image, $count) = @_;
    # nfreeze(Hooked->new('x', [1])): 05 0b 13 <flags 0x42> 02 00000001 0881
    # <flags 0x82> <class len> class <str len> 'x' <list len 1> <tag 4 bytes>
    my $class = 'RefWireVectors::Hooked';
    my $at = index_of($image, chr(length $class) . $class);
    my $flags_at = $at - 1;
    ord(substr($image, $flags_at, 1)) & 0x80 or die "hook image without a list\n";
    my $list_at = $at + 1 + length($class) + 2;    # after class, string length and 'x'
    my $patched = $image;
    substr($patched, $flags_at, 1) = chr(ord(substr($image, $flags_at, 1)) | 0x10);
    substr($patched, $list_at, 1) = pack('N', $count);
    return $patched;
}

# ---------------------------------------------------------------------------------
# Building the documents.

sub hex_of { return unpack('H*', $_[0]) }

sub valid_vector {
    my ($file, $entry) = @_;
    my ($name, $description, $build, $options) = @$entry;
    $options //= {};
    my ($network, $native, $stored) = images($build, $options->{code});
    my %vector = (
        name => $name,
        description => $description,
        network_hex => hex_of($network),
        value => describe(perl_thaw($network)),
    );
    $stored eq "pst0$network" or die "$name: the nstore image is not pst0 + the nfreeze image\n";
    # Each code node's source must be the text the image holds.
    for my $source (canonical_json($vector{value}) =~ /"type":"code"/ ? code_sources($vector{value}) : ()) {
        my $bytes = $source;
        utf8::encode($bytes);
        index($network, $bytes) >= 0 or die "$name: the image does not hold the code text $source\n";
    }
    $vector{file_hex} = hex_of($stored) if $options->{file};
    if ($options->{native}) {
        $vector{native_hex} = hex_of($native);
        my $native_value = describe(perl_thaw($native));
        $vector{native_value} = $native_value if canonical_json($native_value) ne canonical_json($vector{value});
    }
    $vector{reencodes} = ($options->{reencodes} // 1) ? JSON::PP::true() : JSON::PP::false();
    $vector{options} = $options->{options} if $options->{options};
    $vector{encode_options} = { overloaded_classes => $options->{overloaded} } if $options->{overloaded};
    return \%vector;
}

sub code_sources {
    my ($node) = @_;
    return () unless ref $node;
    return map { code_sources($_) } @$node if ref $node eq 'ARRAY';
    return () unless ref $node eq 'HASH';
    return (($node->{type} // '') eq 'code' ? ($node->{source}) : (), map { code_sources($_) } values %$node);
}

sub error_vector {
    my ($entry) = @_;
    my ($name, $description, $image, $error, $options) = @$entry;
    $options //= {};
    my %vector = (name => $name, description => $description, network_hex => hex_of($image), error => $error);
    $vector{options} = $options->{options} if $options->{options};
    if ($options->{perl} // 1) {
        # Perl's own verdict, from a child process (a corrupt image must not take the
        # generator down with it).
        $vector{perl_thaw} = perl_verdict($image);
    }
    return \%vector;
}

sub perl_verdict {
    my ($image) = @_;
    my $pid = open(my $child, '-|');
    defined $pid or die "fork: $!\n";
    if (!$pid) {
        local $Storable::Eval = 0;
        local $Storable::recursion_limit = 5000;
        my $value = eval { Storable::thaw($image) };
        print defined $value ? 'thaws' : 'fails';
        exit 0;
    }
    my $verdict = do { local $/; <$child> };
    close $child;
    return $verdict =~ /^(thaws|fails)$/ ? $verdict : 'crashes';
}

my $json = JSON::PP->new->ascii->canonical->allow_nonref;
sub canonical_json { return $json->encode($_[0]) }

my @key_order = qw(
    format generated_by topic storable_version vectors
    name description network_hex native_hex file_hex options encode_options value native_value reencodes
    error perl_thaw
    kind offset byte tag index count limit class_name
    type id class key value hex pattern flags source literal serialized_hex references elements entries restricted
    allowed_keys locked_keys
    max_depth max_container_count max_total_count max_string_length blessed code reject_trailing_bytes
    overloaded_classes
);

my @documents;
for my $file (sort keys %files) {
    my $set = $files{$file};
    my @vectors = $set->{errors}
        ? map { error_vector($_) } @{ $set->{errors} }
        : map { valid_vector($file, $_) } @{ $set->{vectors} };
    push @documents, [
        $file,
        {
            format => 1,
            generated_by => 'Spec/vectors/storable/generate.pl',
            topic => $set->{topic},
            storable_version => "$Storable::VERSION",
            vectors => \@vectors,
        }
    ];
}
exit VectorFiles::write_all(folder => $folder, files => \@documents, check_only => $check_only, key_order => \@key_order);
