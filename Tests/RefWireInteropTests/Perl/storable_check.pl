#!/usr/bin/perl
# storable_check.pl [--self-test]
#
# Judges, in Perl's own terms, whether Storable images written by RefWire thaw to the
# same Perl data as the originals. Reads records on stdin, one per line, fields
# separated by tabs:
#
#   NAME <TAB> EXPECTED <TAB> ACTUAL_HEX [<TAB> RELAX]
#
#   EXPECTED    the hex of the original Storable image (thawed, or retrieved from a
#               file if it starts with the file magic `pst0`), or `perl:` and the hex
#               of Perl source that evaluates to the expected reference (for values
#               built in Swift)
#   ACTUAL_HEX  the hex of the image RefWire wrote (likewise thawed or retrieved)
#   RELAX       optional, ','-separated differences to accept for this record, which
#               the caller documents: `immortal_undef` accepts an ordinary undef where
#               the original has Perl's immortal, read-only PL_sv_undef (as the target of
#               a reference or as an array element; never as a hash value, where it
#               would be a locked value)
#
# Both images are thawed with Storable::thaw ($Storable::Eval = 1 for code references;
# the classes of storable_corpus.pl are loaded so hooks and overloading work), then
# compared by a recursive comparator that checks:
#
#   - scalar kinds: the public IOK / NOK / POK / ROK flags, SvUTF8, IVisUV, READONLY,
#     and Perl 5.36's boolean-ness (builtin::is_bool); then the value: strings by
#     bytes, integers as integers, doubles by their 8 bytes (so -0.0, NaN and every
#     last bit count); vstring magic and its literal
#   - arrays: length, and which elements exist (holes), and which are PL_sv_undef itself
#   - hashes: the keys, each key's UTF-8 flag, READONLY (restricted) state, the
#     placeholders (Hash::Util::hidden_keys), and each value's READONLY (locked) state
#   - references: reftype, blessed class name, weakness (Scalar::Util::isweak)
#   - regexps: re::regexp_pattern (pattern, its UTF-8 flag, and modifiers)
#   - code: the B::Deparse text
#   - sharing: a bijection between the referents of the two structures (by refaddr),
#     built as the walk meets them, so shared and cyclic structures must have the same
#     shape, and two distinct referents can never stand for one
#
# Prints one line per record, `ok NAME` or `not ok NAME: PATH: WHAT`, then a summary
#   records=N ok=N mismatches=M
# and exits 1 if any record mismatches (2 on bad input).
#
# --self-test: instead of reading stdin, checks the comparator itself on pairs of
# structures that differ in exactly one of the respects above (each must be reported)
# and on pairs that are equal (each must pass); prints `self-test pass=N fail=M`.
use strict;
use warnings;
no warnings 'recursion';    # the corpus nests 1,000 levels deep
no warnings 'once';         # $Storable::Eval and friends
use B ();
use File::Basename qw(dirname);
use File::Spec;
use Scalar::Util qw(blessed reftype refaddr isweak isvstring);
use Storable ();
use B::Deparse ();

BEGIN {
    # The hooked, overloaded and tied classes the corpus uses (loading the file only
    # defines them: it prints the corpus only when run as a program).
    my $corpus = File::Spec->catfile(dirname(File::Spec->rel2abs(__FILE__)), 'storable_corpus.pl');
    require $corpus;
}

$Storable::Eval = 1;
$Storable::recursion_limit = 5000;
$Storable::recursion_limit_hash = 5000;

my $deparser = B::Deparse->new;

# ---------------------------------------------------------------------------------
# The comparator. Each check returns undef when equal, or "PATH: WHAT".

my $FLAG_MASK = B::SVf_IOK() | B::SVf_NOK() | B::SVf_POK() | B::SVf_ROK() | B::SVf_IVisUV();

sub flag_names {
    my ($flags) = @_;
    my @names;
    push @names, 'IOK' if $flags & B::SVf_IOK();
    push @names, 'NOK' if $flags & B::SVf_NOK();
    push @names, 'POK' if $flags & B::SVf_POK();
    push @names, 'ROK' if $flags & B::SVf_ROK();
    push @names, 'IsUV' if $flags & B::SVf_IVisUV();
    push @names, 'UTF8' if $flags & B::SVf_UTF8();
    push @names, 'READONLY' if $flags & B::SVf_READONLY();
    return @names ? join('|', @names) : 'none';
}

sub show {
    my ($value) = @_;
    return 'undef' unless defined $value;
    my $text = "$value";
    $text = substr($text, 0, 40) . '...(' . length($text) . ' chars)' if length($text) > 48;
    $text =~ s/([^\x20-\x7e])/sprintf(ord($1) > 255 ? '\\x{%x}' : '\\x%02x', ord $1)/ge;
    return "\"$text\"";
}

sub is_bool_sv {
    my ($ref) = @_;
    return 0 unless defined &builtin::is_bool;
    no warnings;
    return builtin::is_bool($$ref) ? 1 : 0;
}

# Two scalar SVs (slots or scalar referents), given by reference.
sub compare_scalar {
    my ($state, $ra, $rb, $path, $in_hash) = @_;
    # Perl's immortals (PL_sv_undef, PL_sv_yes, PL_sv_no) are B::SPECIAL objects: the
    # same immortal on both sides is equal; an immortal against an ordinary scalar is
    # not (it is read-only, and yes and no are booleans), except that with
    # `immortal_undef` relaxed PL_sv_undef on the left equals a plain undef on the right.
    my ($object_a, $object_b) = (B::svref_2object($ra), B::svref_2object($rb));
    my ($special_a, $special_b) = map { $_->isa('B::SPECIAL') ? $B::specialsv_name[$$_] : undef } $object_a, $object_b;
    if (defined $special_a || defined $special_b) {
        return undef if defined $special_a && defined $special_b && $special_a eq $special_b;
        if ($state->{relax}{immortal_undef} && !$in_hash
            && ($special_a // '') eq '&PL_sv_undef' && !defined $special_b) {
            my $flags_b = $object_b->FLAGS;
            return undef if !defined $$rb && !($flags_b & (B::SVf_READONLY() | B::SVf_ROK()));
        }
        return "$path: " . ($special_a // 'an ordinary scalar') . ' vs ' . ($special_b // 'an ordinary scalar');
    }
    # Capture everything about the SVs before touching their values: reading a number
    # as a string (or the other way round) can change the flags.
    my $fa = $object_a->FLAGS;
    my $fb = $object_b->FLAGS;
    # For a reference the IVisUV bit is SVprv_WEAKREF: weakness is checked below.
    $fa &= ~B::SVf_IVisUV() unless $fa & B::SVf_IOK();
    $fb &= ~B::SVf_IVisUV() unless $fb & B::SVf_IOK();
    if (($fa & $FLAG_MASK) != ($fb & $FLAG_MASK)) {
        return "$path: scalar kinds differ: " . flag_names($fa & $FLAG_MASK) . ' vs ' . flag_names($fb & $FLAG_MASK);
    }
    if (($fa & B::SVf_POK()) && (($fa & B::SVf_UTF8()) != ($fb & B::SVf_UTF8()))) {
        return "$path: UTF-8 flags differ: " . flag_names($fa) . ' vs ' . flag_names($fb);
    }
    if (($fa & B::SVf_READONLY()) != ($fb & B::SVf_READONLY())) {
        return "$path: read-only state differs: " . flag_names($fa) . ' vs ' . flag_names($fb);
    }
    my ($bool_a, $bool_b) = (is_bool_sv($ra), is_bool_sv($rb));
    return "$path: boolean-ness differs: $bool_a vs $bool_b" if $bool_a != $bool_b;
    my ($weak_a, $weak_b) = (($fa & B::SVf_ROK()) && isweak($$ra) ? 1 : 0, ($fb & B::SVf_ROK()) && isweak($$rb) ? 1 : 0);
    return "$path: weakness differs: $weak_a vs $weak_b" if $weak_a != $weak_b;
    my ($vstring_a, $vstring_b) = (vstring_literal($ra), vstring_literal($rb));
    if (defined $vstring_a || defined $vstring_b) {
        return "$path: vstring magic differs: " . show($vstring_a) . ' vs ' . show($vstring_b)
            unless defined $vstring_a && defined $vstring_b && $vstring_a eq $vstring_b;
    }

    if ($fa & B::SVf_ROK()) {
        return compare_reference($state, $$ra, $$rb, $path);
    }
    # Copies, so that comparing cannot change the originals' flags.
    my ($a, $b) = ($$ra, $$rb);
    if ($fa & B::SVf_POK()) {
        return "$path: strings differ: " . show($a) . ' vs ' . show($b) unless $a eq $b;
        return undef;
    }
    if ($fa & B::SVf_IOK()) {
        return "$path: integers differ: $a vs $b" unless $a == $b;
        return undef;
    }
    if ($fa & B::SVf_NOK()) {
        my ($bytes_a, $bytes_b) = (pack('d>', $a), pack('d>', $b));
        return sprintf('%s: doubles differ: %s (%s) vs %s (%s)', $path, $a, unpack('H*', $bytes_a), $b, unpack('H*', $bytes_b))
            unless $bytes_a eq $bytes_b;
        return undef;
    }
    return "$path: one side is defined" if defined($a) != defined($b);
    return undef;
}

sub vstring_literal {
    my ($ref) = @_;
    return undef unless isvstring($$ref);
    my $sv = B::svref_2object($ref);
    for (my $magic = $sv->can('MAGIC') ? $sv->MAGIC : undef; $magic; $magic = $magic->MOREMAGIC) {
        return $magic->PTR if $magic->TYPE eq 'V';
    }
    return '';
}

# Two references (the values of ROK scalars).
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
    $state->{referents}++;

    my ($class_a, $class_b) = (blessed($a), blessed($b));
    if (defined $class_a || defined $class_b) {
        return "$path: classes differ: " . show($class_a) . ' vs ' . show($class_b)
            unless defined $class_a && defined $class_b && $class_a eq $class_b;
        # Class names are byte strings to Storable; compare their UTF-8 flags too.
        return "$path: class name UTF-8 flags differ" if utf8::is_utf8($class_a) != utf8::is_utf8($class_b);
    }
    my ($type_a, $type_b) = (reftype($a), reftype($b));
    return "$path: reference types differ: $type_a vs $type_b" unless $type_a eq $type_b;

    if ($type_a eq 'SCALAR' || $type_a eq 'REF' || $type_a eq 'VSTRING' || $type_a eq 'LVALUE') {
        return compare_scalar($state, $a, $b, "\${$path}", 0);
    }
    if ($type_a eq 'ARRAY') {
        return compare_array($state, $a, $b, $path);
    }
    if ($type_a eq 'HASH') {
        return compare_hash($state, $a, $b, $path);
    }
    if ($type_a eq 'REGEXP') {
        my ($pattern_a, $mods_a) = re::regexp_pattern($a);
        my ($pattern_b, $mods_b) = re::regexp_pattern($b);
        return "$path: regexp patterns differ: " . show($pattern_a) . ' vs ' . show($pattern_b)
            unless $pattern_a eq $pattern_b;
        return "$path: regexp pattern UTF-8 flags differ" if utf8::is_utf8($pattern_a) != utf8::is_utf8($pattern_b);
        return "$path: regexp modifiers differ: $mods_a vs $mods_b" unless $mods_a eq $mods_b;
        return undef;
    }
    if ($type_a eq 'CODE') {
        my ($text_a, $text_b) = ($deparser->coderef2text($a), $deparser->coderef2text($b));
        return "$path: code differs: " . show($text_a) . ' vs ' . show($text_b) unless $text_a eq $text_b;
        return undef;
    }
    return "$path: cannot compare a $type_a";
}

sub compare_array {
    my ($state, $a, $b, $path) = @_;
    return "$path: array lengths differ: " . scalar(@$a) . ' vs ' . scalar(@$b) unless @$a == @$b;
    my @slots_a = B::svref_2object($a)->ARRAY;
    my @slots_b = B::svref_2object($b)->ARRAY;
    for my $index (0 .. $#$a) {
        my $where = "${path}[$index]";
        # B::SPECIAL 0 is a missing element (a hole), 1 is PL_sv_undef stored as the
        # element itself (Storable's SX_SVUNDEF_ELEM); anything else is a real scalar.
        my ($kind_a, $kind_b) = map { slot_kind($_) } $slots_a[$index], $slots_b[$index];
        if ($kind_a ne $kind_b) {
            next if $state->{relax}{immortal_undef} && $kind_a eq 'PL_sv_undef' && $kind_b eq 'scalar'
                && !defined compare_scalar($state, \undef, \$b->[$index], $where, 0);
            return "$where: element kinds differ: $kind_a vs $kind_b";
        }
        next unless $kind_a eq 'scalar';
        my $problem = compare_scalar($state, \$a->[$index], \$b->[$index], $where, 0);
        return $problem if defined $problem;
    }
    return undef;
}

sub slot_kind {
    my ($slot) = @_;
    return 'hole' unless defined $slot;
    if ($slot->isa('B::SPECIAL')) {
        return $$slot == 0 ? 'hole' : $$slot == 1 ? 'PL_sv_undef' : "special $$slot";
    }
    return 'scalar';
}

sub compare_hash {
    my ($state, $a, $b, $path) = @_;
    my ($restricted_a, $restricted_b) = (Internals::SvREADONLY(%$a) ? 1 : 0, Internals::SvREADONLY(%$b) ? 1 : 0);
    return "$path: restricted state differs: $restricted_a vs $restricted_b" unless $restricted_a == $restricted_b;
    my $describe = sub { join ',', map { (utf8::is_utf8($_) ? 'u:' : 'b:') . unpack('H*', do { my $k = $_; utf8::encode($k) if utf8::is_utf8($k); $k }) } sort @_ };
    my ($keys_a, $keys_b) = ($describe->(keys %$a), $describe->(keys %$b));
    if ($keys_a ne $keys_b) {
        my %in_b = map { $_ => 1 } keys %$b;
        my @only_a = grep { !exists $b->{$_} } keys %$a;
        my @only_b = grep { !exists $a->{$_} } keys %$b;
        return "$path: keys differ: only left " . join(',', map { show($_) } @only_a)
            . '; only right ' . join(',', map { show($_) } @only_b) . ' (or a key\'s UTF-8 flag differs)';
    }
    if ($restricted_a) {
        my ($hidden_a, $hidden_b) = ($describe->(Hash::Util::hidden_keys(%$a)), $describe->(Hash::Util::hidden_keys(%$b)));
        return "$path: placeholders (allowed keys) differ: $hidden_a vs $hidden_b" unless $hidden_a eq $hidden_b;
    }
    # The value SVs themselves: `\$hash->{$key}` would die on a value that is
    # PL_sv_undef ("Modification of non-creatable hash value"), `\(values %$hash)`
    # does not, and `keys` and `values` walk a hash in the same order.
    my ($values_a, $values_b) = (value_slots($a), value_slots($b));
    for my $key (sort keys %$a) {
        my $problem = compare_scalar($state, $values_a->{$key}, $values_b->{$key}, "${path}{" . show($key) . '}', 1);
        return $problem if defined $problem;
    }
    return undef;
}

# Key => reference to the value SV.
sub value_slots {
    my ($hash) = @_;
    my @keys = keys %$hash;
    my @slots = \(values %$hash);
    my %slots;
    @slots{@keys} = @slots;
    return \%slots;
}

# Compares two thawed roots (references).
sub compare_roots {
    my ($a, $b, $relax) = @_;
    my $state = { forward => {}, backward => {}, referents => 0, relax => $relax // {} };
    return compare_scalar($state, \$a, \$b, '$root', 0);
}

# ---------------------------------------------------------------------------------
# Records.

sub thaw_hex {
    my ($hex, $what) = @_;
    $hex =~ /\A(?:[0-9a-f]{2})*\z/ or die "$what is not hex\n";
    my $image = pack('H*', $hex);
    # A file image (`pst0`, what store and nstore write) is read back the way Perl
    # reads files: written out and retrieved.
    my $value = eval { substr($image, 0, 4) eq 'pst0' ? retrieve_bytes($image) : Storable::thaw($image) };
    die "Storable::thaw of $what failed: " . ($@ || "it returned undef\n") unless defined $value;
    return $value;
}

sub retrieve_bytes {
    my ($image) = @_;
    require File::Temp;
    my ($handle, $path) = File::Temp::tempfile('refwire-storable-check-XXXXXX', TMPDIR => 1, UNLINK => 1);
    binmode($handle);
    print {$handle} $image or die "write $path: $!\n";
    close($handle) or die "close $path: $!\n";
    my $value = Storable::retrieve($path);
    unlink $path;
    return $value;
}

sub expected_value {
    my ($field) = @_;
    if ($field =~ /\Aperl:([0-9a-f]*)\z/) {
        my $source = pack('H*', $1);
        utf8::decode($source);
        my $value = eval "package main; use strict; no warnings; $source";
        die "expected-value source failed: $@" if $@;
        ref $value or die "expected-value source did not return a reference\n";
        return $value;
    }
    return thaw_hex($field, 'the original image');
}

sub run_records {
    binmode(STDIN) or die "binmode: $!\n";
    binmode(STDOUT) or die "binmode: $!\n";
    $| = 1;
    my ($records, $ok, $mismatches) = (0, 0, 0);
    while (my $line = <STDIN>) {
        chomp $line;
        next if $line eq '';
        my ($name, $expected, $actual, $relax) = split /\t/, $line, -1;
        unless (defined $actual) {
            print STDERR "storable_check.pl: malformed record: ", substr($line, 0, 80), "\n";
            exit 2;
        }
        my %relax = map { $_ => 1 } grep { length } split /,/, ($relax // '');
        $records++;
        my $problem = eval {
            my $original = expected_value($expected);
            my $copy = thaw_hex($actual, 'the RefWire image');
            compare_roots($original, $copy, \%relax);
        };
        $problem = "error: $@" if $@;
        if (defined $problem) {
            $problem =~ s/\s+\z//;
            $problem =~ s/\n/ /g;
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
# Self-test: the comparator must see each of these differences, and no difference in
# the equal pairs.

sub self_test {
    use Hash::Util qw(lock_keys lock_value lock_keys_plus);
    my @different = (
        [string_vs_integer => sub { \(my $s = '1') }, sub { \(my $n = 1) }],
        [integer_vs_double => sub { \(my $n = 1) }, sub { \(my $d = 1.5) }],
        [utf8_flag => sub { \(my $s = 'abc') }, sub { my $s = 'abc'; utf8::upgrade($s); \$s }],
        [string_value => sub { \(my $s = 'abc') }, sub { \(my $s = 'abd') }],
        [integer_value => sub { \(my $n = 1) }, sub { \(my $n = 2) }],
        [unsigned_vs_signed => sub { \(my $n = 18446744073709551615) }, sub { \(my $n = -1) }],
        [double_bits => sub { \(my $d = 0.1) }, sub { \(my $d = 0.1 + 2**-56) }],
        [negative_zero => sub { \(my $d = unpack('d>', pack('H*', '0000000000000000'))) }, sub { \(my $d = unpack('d>', pack('H*', '8000000000000000'))) }],
        [undef_vs_empty => sub { \(my $u) }, sub { \(my $s = '') }],
        [hole_vs_undef => sub { my @a; $a[1] = 1; \@a }, sub { [undef, 1] }],
        [array_length => sub { [1] }, sub { [1, 2] }],
        [sharing => sub { my $x = [1]; [$x, $x] }, sub { [[1], [1]] }],
        [sharing_reversed => sub { [[1], [1]] }, sub { my $x = [1]; [$x, $x] }],
        [sharing_shape => sub { my $x = [1]; my $y = [2]; [$x, $y, $x] }, sub { my $x = [1]; my $y = [2]; [$x, $y, $y] }],
        [cycle => sub { my $h = {}; $h->{s} = $h; $h }, sub { { s => {} } }],
        [class_name => sub { bless {}, 'A' }, sub { bless {}, 'B' }],
        [blessed_vs_plain => sub { bless {}, 'A' }, sub { {} }],
        [weakness => sub { my $x = [1]; my $a = [$x, $x]; Scalar::Util::weaken($a->[1]); $a }, sub { my $x = [1]; [$x, $x] }],
        [key_utf8_flag => sub { +{ "\xe9" => 1 } }, sub { my $k = "\xe9"; utf8::upgrade($k); +{ $k => 1 } }],
        [key_set => sub { { a => 1 } }, sub { { a => 1, b => 1 } }],
        [key_name => sub { { a => 1 } }, sub { { b => 1 } }],
        [restricted => sub { my %h = (a => 1); lock_keys(%h); \%h }, sub { { a => 1 } }],
        [placeholders => sub { my %h = (a => 1); lock_keys_plus(%h, 'b'); \%h }, sub { my %h = (a => 1); lock_keys(%h); \%h }],
        [locked_value => sub { my %h = (a => 1); lock_keys(%h); lock_value(%h, 'a'); \%h }, sub { my %h = (a => 1); lock_keys(%h); \%h }],
        [regexp_modifiers => sub { qr/a/i }, sub { qr/a/ }],
        [regexp_pattern => sub { qr/a/ }, sub { qr/b/ }],
        [vstring_vs_string => sub { \(my $v = v1.2.3) }, sub { \(my $s = "\x01\x02\x03") }],
        [boolean => sub { \!!1 }, sub { \(my $s = '1') }],
        [readonly => sub { \undef }, sub { \(my $u) }],
        [scalar_vs_ref => sub { \(my $s = 'x') }, sub { \\'x' }],
        [array_vs_hash => sub { [] }, sub { {} }],
        [code_text => sub { sub { 1 } }, sub { sub { 2 } }],
        [sv_undef_element => sub { sub { \@_ }->(undef) }, sub { [undef] }],
        [immortal_undef_relaxed_is_not_defined => sub { \undef }, sub { \(my $s = '') }, { immortal_undef => 1 }],
        [immortal_undef_relaxed_in_hash => sub { my %h; Hash::Util::hv_store(%h, 'k', undef); \%h }, sub { +{ k => undef } }, { immortal_undef => 1 }],
        [immortal_undef_relaxed_other_way => sub { \(my $u) }, sub { \undef }, { immortal_undef => 1 }],
    );
    my @equal = (
        [same_string => sub { \(my $s = "caf\xe9") }, sub { \(my $s = "caf\xe9") }],
        [same_sharing => sub { my $x = [1]; [$x, $x, { x => $x }] }, sub { my $y = [1]; [$y, $y, { x => $y }] }],
        [same_cycle => sub { my $h = { n => 1 }; $h->{s} = $h; $h }, sub { my $h = { n => 1 }; $h->{s} = $h; $h }],
        [same_nan => sub { my $i = 9**9**9; \(my $d = $i / $i) }, sub { my $i = 9**9**9; \(my $d = $i / $i) }],
        [same_restricted => sub { my %h = (a => 1); lock_keys_plus(%h, 'b'); \%h }, sub { my %h = (a => 1); lock_keys_plus(%h, 'b'); \%h }],
        [same_regexp => sub { qr/x+/msix }, sub { qr/x+/msix }],
        [same_vstring => sub { \(my $v = v1.2.3) }, sub { \(my $v = v1.2.3) }],
        [same_weak => sub { my $x = [1]; my $a = [$x, $x]; Scalar::Util::weaken($a->[0]); $a }, sub { my $x = [1]; my $a = [$x, $x]; Scalar::Util::weaken($a->[0]); $a }],
        [same_holes => sub { my @a; $a[3] = 1; \@a }, sub { my @a; $a[3] = 1; \@a }],
        [immortal_undef_relaxed => sub { \undef }, sub { \(my $u) }, { immortal_undef => 1 }],
        [immortal_undef_element_relaxed => sub { my $one = 1; sub { \@_ }->(undef, $one) }, sub { [undef, 1] }, { immortal_undef => 1 }],
    );
    my ($pass, $fail) = (0, 0);
    for my $case (@different) {
        my ($name, $left, $right, $relax) = @$case;
        my $problem = compare_roots($left->(), $right->(), $relax);
        if (defined $problem) { $pass++; print "ok different/$name: $problem\n" }
        else { $fail++; print "not ok different/$name: no difference reported\n" }
    }
    for my $case (@equal) {
        my ($name, $left, $right, $relax) = @$case;
        my $problem = compare_roots($left->(), $right->(), $relax);
        if (!defined $problem) { $pass++; print "ok equal/$name\n" }
        else { $fail++; print "not ok equal/$name: $problem\n" }
    }
    print "self-test pass=$pass fail=$fail\n";
    return $fail ? 1 : 0;
}

exit(grep({ $_ eq '--self-test' } @ARGV) ? self_test() : run_records());
