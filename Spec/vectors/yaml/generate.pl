#!/usr/bin/perl
# Writes the YAML test vectors (*.json) in this folder. See README.md here.
#
#   perl Spec/vectors/yaml/generate.pl            # rewrite the JSON files
#   perl Spec/vectors/yaml/generate.pl --check    # fail if they are out of date
#
# The JSON files are generated, never edited by hand. Most documents are written by
# YAML.pm 1.30's or YAML::XS 0.86's own Dump from a Perl value; the generator checks
# that the library that wrote a document loads it back as that value (same shape,
# classes and sharing, scalars `eq`) and describes the value RefWire must decode from
# it (README.md, "Values"). Where a number is concerned, it checks its description
# against YAML::XS, which loads a plain numeral as a number and a quoted one as a
# string. Hand-written documents state their value; error documents are replayed
# through both libraries, whose verdicts are recorded.
#
# Needs: perl 5.36 with YAML 1.30 and YAML::XS 0.86 (Debian: libyaml-perl,
# libyaml-libyaml-perl); JSON::PP and Storable come with perl.
use strict;
use warnings;
no warnings 'recursion';
use B ();
use File::Basename qw(dirname);
use File::Spec;
use JSON::PP ();
use lib dirname(File::Spec->rel2abs(__FILE__)) . '/..';
use VectorFiles;
use Scalar::Util qw(blessed reftype refaddr);
use YAML ();
use YAML::XS ();

my $check_only = grep { $_ eq '--check' } @ARGV;
my $folder = dirname(File::Spec->rel2abs(__FILE__));

$YAML::VERSION eq '1.30' && $YAML::XS::VERSION eq '0.86'
    or die "generate.pl: written against YAML 1.30 and YAML::XS 0.86, not $YAML::VERSION and $YAML::XS::VERSION\n";
$YAML::LoadBlessed = 1;
$YAML::XS::LoadBlessed = 1;
# YAML::XS warns when it loads a null key (YAML.pm's `null: 1`), which the checks do.
local $SIG{__WARN__} = sub { warn @_ unless $_[0] =~ /^Deep recursion|^YAML_LOAD_WARN|^Use of uninitialized value in subroutine entry/ };

my %library = (yaml => 'YAML.pm 1.30', yamlxs => 'YAML::XS 0.86');

# ---------------------------------------------------------------------------------
# Dumping, loading, comparing.

# The document library `$writer` writes for `$value`, as UTF-8 bytes.
sub dump_with {
    my ($writer, $value) = @_;
    if ($writer eq 'yaml') {
        my $text = YAML::Dump($value);
        utf8::encode($text);
        return $text;
    }
    return YAML::XS::Dump($value);
}

# What library `$reader` loads from UTF-8 `$bytes`, or undef if it dies.
sub load_with {
    my ($reader, $bytes) = @_;
    return eval {
        if ($reader eq 'yaml') {
            my $text = $bytes;
            utf8::decode($text) or die "not UTF-8\n";
            [YAML::Load($text)];
        } else {
            [YAML::XS::Load($bytes)];
        }
    };
}

# Whether two Perl values are the same data as YAML carries it: shape, classes, sharing,
# scalars by `eq`, regexps by pattern and modifiers (but `u`).
sub same_data {
    my ($a, $b, $state) = @_;
    $state //= { forward => {}, backward => {} };
    return 0 if (ref $a ? 1 : 0) != (ref $b ? 1 : 0);
    if (!ref $a) {
        return 0 if defined $a != defined $b;
        return !defined $a || $a eq $b;
    }
    my ($left, $right) = (refaddr $a, refaddr $b);
    if (exists $state->{forward}{$left} || exists $state->{backward}{$right}) {
        return ($state->{forward}{$left} // -1) == $right && ($state->{backward}{$right} // -1) == $left;
    }
    $state->{forward}{$left} = $right;
    $state->{backward}{$right} = $left;
    return 0 if (blessed($a) // '') ne (blessed($b) // '') || reftype($a) ne reftype($b);
    if (re::is_regexp($a)) {
        my ($pattern_a, $mods_a) = re::regexp_pattern($a);
        my ($pattern_b, $mods_b) = re::regexp_pattern($b);
        tr/u//d for $mods_a, $mods_b;
        return $pattern_a eq $pattern_b && $mods_a eq $mods_b;
    }
    my $type = reftype($a);
    if ($type eq 'ARRAY') {
        return 0 unless @$a == @$b;
        for my $index (0 .. $#$a) { return 0 unless same_data($a->[$index], $b->[$index], $state) }
        return 1;
    }
    if ($type eq 'HASH') {
        return 0 unless join("\0", sort keys %$a) eq join("\0", sort keys %$b);
        for my $key (keys %$a) { return 0 unless same_data($a->{$key}, $b->{$key}, $state) }
        return 1;
    }
    return same_data($$a, $$b, $state) if $type eq 'SCALAR' || $type eq 'REF';
    die "cannot compare a $type\n";
}

# ---------------------------------------------------------------------------------
# Value nodes (README.md, "Values").

sub string_node { return { type => 'string', value => "$_[0]" } }

# A numeral's node, as RefWire reads a plain scalar: a number when it is written as Perl
# prints that number, else the string.
sub numeral_node {
    my ($text) = @_;
    if (my ($minus, $digits) = $text =~ /\A(-?)([0-9]+)\z/) {
        return string_node($text) if ($digits =~ /\A0./) || $text eq '-0';
        my $fits = sub { my ($limit) = @_; length($digits) < length($limit) || (length($digits) == length($limit) && $digits le $limit) };
        return { type => 'int', value => $text } if $fits->($minus ? '9223372036854775808' : '9223372036854775807');
        return { type => 'uint', value => $text } if !$minus && $fits->('18446744073709551615');
        return string_node($text);
    }
    no warnings 'numeric';
    my $number = 0 + $text;
    return string_node($text) unless "$number" eq $text && $text =~ /\A(?:-?[0-9]|-?Inf\z|NaN\z)/;
    my $double = $number != $number ? 'nan' : $number == 9**9**9 ? 'inf' : $number == -9**9**9 ? '-inf' : sprintf('%.17g', $number);
    return { type => 'double', value => $double };
}

# The node RefWire must decode from `$writer`'s dump of `$value`.
sub dump_node {
    my ($value, $writer) = @_;
    my %count;
    count_referents($value, \%count);
    my $state = { writer => $writer, shared => { map { $_ => 1 } grep { $count{$_} > 1 } keys %count }, anchors => {}, next => 1 };
    return value_node($state, $value);
}

# How often each referent is reached, as both libraries count them (not regexps, which
# neither anchors).
sub count_referents {
    my ($value, $count) = @_;
    return unless ref $value;
    return if re::is_regexp($value);
    return if $count->{ refaddr $value }++;
    my $type = reftype($value);
    if ($type eq 'ARRAY') { count_referents($_, $count) for @$value }
    elsif ($type eq 'HASH') { count_referents($value->{$_}, $count) for sort keys %$value }
    else { count_referents($$value, $count) }
}

sub value_node {
    my ($state, $value) = @_;
    return scalar_node($state, $value) unless ref $value;
    if (re::is_regexp($value)) {
        "$value" =~ /\A\(\?\^(\w*):(.*)\)\z/s or die "unexpected regexp text $value\n";
        my ($flags, $pattern) = ($1, $2);
        return { type => 'blessed', class => blessed($value), value => { type => 'regexp', pattern => $pattern, flags => $flags } };
    }
    my $address = refaddr $value;
    return { type => 'alias', id => $state->{anchors}{$address} } if $state->{anchors}{$address};
    my $anchor;
    if ($state->{shared}{$address}) {
        $anchor = $state->{next}++;
        $state->{anchors}{$address} = $anchor;
    }
    my $class = blessed($value);
    my $type = reftype($value);
    my $node;
    if ($type eq 'ARRAY') {
        $node = { type => 'array', elements => [map { value_node($state, $_) } @$value] };
    } elsif ($type eq 'HASH') {
        $node = { type => 'hash', entries => [map { { key => string_node($_), value => value_node($state, $value->{$_}) } } sort keys %$value] };
    } elsif (defined $class && !ref $$value) {
        $node = { type => 'scalar_ref', value => scalar_node($state, $$value) };    # !!perl/scalar:Class
    } else {
        $node = { type => 'scalar_ref', value => value_node($state, $$value) };    # !!perl/ref
    }
    $node = { type => 'blessed', class => $class, value => $node } if defined $class;
    return defined $anchor ? { type => 'anchor', id => $anchor, value => $node } : $node;
}

# A plain Perl scalar: undef; a boolean as the 1 or '' both libraries write; a number
# as the numeral they write; a string as a string, but YAML.pm writes a string that is
# a numeral unquoted, which reads as a number.
sub scalar_node {
    my ($state, $value) = @_;
    return { type => 'undef' } unless defined $value;
    if (do { no warnings; builtin::is_bool($value) }) {
        return $value ? { type => 'int', value => '1' } : string_node('');
    }
    my $flags = B::svref_2object(\$value)->FLAGS;
    return numeral_node("$value") if !($flags & B::SVf_POK()) && ($flags & (B::SVf_IOK() | B::SVf_NOK()));
    return $state->{writer} eq 'yaml' ? numeral_node($value) : string_node($value);
}

# That every number in `$node` is a plain numeral to YAML::XS (which numifies those) and
# no string is a numeral it would read as a number, where YAML::XS reads the document
# as the value: the description checked against a second reading of the text.
sub check_numbers {
    my ($name, $node, $loaded) = @_;
    my $type = $node->{type};
    if ($type eq 'int' || $type eq 'uint' || $type eq 'double' || $type eq 'string') {
        my $flags = B::svref_2object(\$loaded)->FLAGS;
        my $numeric = ($flags & (B::SVf_IOK() | B::SVf_NOK() | B::SVp_IOK() | B::SVp_NOK())) ? 1 : 0;
        if ($type ne 'string') {
            $numeric or die "generate.pl: $name: the node says $type, YAML::XS loads a string\n";
        } elsif ($numeric && numeral_node($loaded)->{type} ne 'string') {
            die "generate.pl: $name: the node says string, YAML::XS loads the number $loaded\n";
        }
        return;
    }
    return if $type eq 'undef' || $type eq 'alias' || $type eq 'regexp';
    if ($type eq 'array') { check_numbers($name, $node->{elements}[$_], $loaded->[$_]) for 0 .. $#{ $node->{elements} } }
    elsif ($type eq 'hash') { check_numbers($name, $_->{value}, $loaded->{ $_->{key}{value} }) for @{ $node->{entries} } }
    # YAML::XS loads a tagged scalar's text as it is (!!perl/scalar:Class 1000 is the string).
    elsif ($type eq 'blessed') { check_numbers($name, $node->{value}, $loaded) unless $node->{value}{type} eq 'scalar_ref' }
    elsif ($type eq 'anchor') { check_numbers($name, $node->{value}, $loaded) }
    elsif ($type eq 'scalar_ref') { check_numbers($name, $node->{value}, $$loaded) }
}

# ---------------------------------------------------------------------------------
# Node shorthands for hand-written vectors.

sub n_undef { { type => 'undef' } }
sub n_str { string_node($_[0]) }
sub n_int { { type => 'int', value => "$_[0]" } }
sub n_bool { { type => 'bool', value => $_[0] ? JSON::PP::true() : JSON::PP::false() } }
sub n_bytes { { type => 'bytes', hex => unpack('H*', $_[0]) } }
sub n_array { { type => 'array', elements => [@_] } }
sub n_hash { my @pairs = @_; { type => 'hash', entries => [map { { key => ref $pairs[2 * $_] ? $pairs[2 * $_] : n_str($pairs[2 * $_]), value => $pairs[2 * $_ + 1] } } 0 .. @pairs / 2 - 1] } }
sub n_ref { { type => 'scalar_ref', value => $_[0] } }
sub n_blessed { { type => 'blessed', class => $_[0], value => $_[1] } }
sub n_regexp { n_blessed($_[2] // 'Regexp', { type => 'regexp', pattern => $_[0], flags => $_[1] }) }
sub n_code { { type => 'code', source => $_[0] } }
sub n_anchor { { type => 'anchor', id => $_[0], value => $_[1] } }
sub n_alias { { type => 'alias', id => $_[0] } }

# ---------------------------------------------------------------------------------
# The vectors.
#
# Dumped: [name, description, value builder, writers ('yaml', 'yamlxs' or both)]; one
# vector per writer, named NAME_yaml or NAME_yamlxs, read under the writer's dialect.
# Hand-written: { name, description, text, options, value } — `value` a node.

my @awkward = (
    [plain_word => 'word'], [two_words => 'two words'], [empty => ''], [tilde => '~'], [null => 'null'],
    [true => 'true'], [false => 'false'], [numeral_string => '42'], [leading_zero => '007'], [minus_zero => '-0'],
    [trailing_zero => '1.50'], [plus_sign => '+1'], [apostrophe => "it's"], [colon_space => 'a: b'],
    [space_hash => 'a #b'], [hash_first => '#x'], [dash_space => '- a'], [question_space => '? a'],
    [single_quote => "'"], [double_quote => '"'], [both_quotes => q{both ' and "}], [leading_space => ' a'],
    [trailing_space => 'a '], [tab_inside => "a\tb"], [short_multiline => "a\nb"], [trailing_newline => "a\n"],
    [literal => "line one is here\nline two is also here and long\n"],
    [literal_strip => "line one is here\nline two is also here and long"],
    [literal_keep => "line one is here\nline two is also here and long\n\n"],
    [literal_leading_space => "  indented first line\nsecond line of the text\n"],
    [controls => join('', map { chr } 0 .. 31)], [control_and_quotes => qq{\x01 say "hi"}], [backslash => 'a\\b'],
    [delete => "\x7f"], [c1_bytes => "\x80\x85\x9f"], [nbsp => "a\xa0b"], [latin1_bytes => "caf\xe9"],
    [latin1_chars => do { my $s = "caf\xe9"; utf8::upgrade($s); $s }], [smiley => "\x{263a}"], [astral => "\x{1F600}"],
    [line_separator => "\x{2028}"], [paragraph_separator => "a\x{2029}b"], [bom => "\x{feff}"],
    [long_words => join(' ', map { "w$_" } 1 .. 40)], [long_trailing_space => 'word ' x 30],
    [long_escape => "\t" . join(' ', map { "w$_" } 1 .. 30)], [long_no_spaces => 'x' x 120],
    [document_start => '--- a'], [document_end => '... a'],
);

my @numbers = (
    [zero => 0], [minus_one => -1], [int_max => 9223372036854775807], [int_min => -9223372036854775808],
    [uint_max => 18446744073709551615], [half => 0.5], [tenth => 0.1], [big => 1e21], [small => 1e-7],
    [pi => 3.141592653589793], [inf => 9**9**9], [minus_inf => -9**9**9], [nan => do { my $inf = 9**9**9; $inf / $inf }],
);

my %files;

$files{'scalars.json'} = {
    topic => 'scalars as YAML.pm and YAML::XS write them: every quoting style, escapes, literal blocks, folded lines, numbers, undef, booleans',
    dumped => [
        (map { my ($name, $text) = @$_; ["string_$name", "The string " . describe_text($text) . " in a sequence.", sub { [$text] }, 'both'] } @awkward),
        (map { my ($name, $number) = @$_; ["number_$name", "The Perl number $name.", sub { [$number + 0] }, 'both'] } @numbers),
        ['undef', 'undef, written ~.', sub { [undef] }, 'both'],
        ['booleans', "Perl's booleans, written as the 1 and '' they print as.", sub { [!!1, !!0] }, 'both'],
        ['root_plain', 'A plain scalar as the whole document.', sub { 'plain' }, 'both'],
        ['root_number', 'A number as the whole document.', sub { 42 }, 'both'],
        ['root_undef', 'undef as the whole document.', sub { undef }, 'both'],
        ['root_literal', 'A literal block as the whole document: YAML.pm writes it at column 0, which YAML::XS cannot read.',
            sub { "line one is here\nline two is also here and long\n" }, 'both'],
    ],
    hand => [
        { name => 'plain_multiline', description => 'A plain scalar continued on more-indented lines, folded.',
          text => "key: one two\n  three\n\n  four\n", value => n_hash(key => n_str("one two three\nfour")) },
        { name => 'single_quoted_folding', description => 'Line breaks in single quotes fold; an empty line is a line feed.',
          text => "- 'one two\n  three\n\n  four'\n", value => n_array(n_str("one two three\nfour")) },
        { name => 'double_quoted_escapes', description => 'Every escape YAML defines, in double quotes.',
          text => qq{--- "\\0\\a\\b\\t\\\t\\n\\v\\f\\r\\e\\ \\"\\/\\\\\\N\\_\\L\\P\\x41\\u263A\\U0001F600"\n},
          options => { dialect => 'yamlxs' },
          value => n_str("\0\a\b\t\t\n\x0b\f\r\e \"/\\\x{85}\x{a0}\x{2028}\x{2029}A\x{263a}\x{1F600}") },
        { name => 'double_quoted_continuation', description => 'An escaped line break joins the lines; an escaped space after it stays.',
          text => qq{- "abc\\\n  def"\n- "a\\\n  \\ b"\n}, value => n_array(n_str('abcdef'), n_str('a b')) },
        { name => 'folded_block', description => 'A folded block: lines join with spaces, empty and more-indented lines keep their breaks.',
          text => "--- >\n  one\n  two\n\n  three\n    indented\n  four\n", value => n_str("one two\nthree\n  indented\nfour\n") },
        { name => 'literal_indicators', description => 'Indentation indicator before and after the chomping indicator.',
          text => "- |2-\n   lead\n  next\n- |-2\n   lead\n  next\n", value => n_array(n_str(" lead\nnext"), n_str(" lead\nnext")) },
        { name => 'comments', description => 'Comments after values, on their own lines, and after ---.',
          text => "--- # header\n# a comment\na: 1 # after a value\nb: |\n  # not a comment\n",
          value => n_hash(a => n_int(1), b => n_str("# not a comment\n")) },
    ],
};

$files{'collections.json'} = {
    topic => 'sequences and mappings: nesting, empty collections, keys, block and flow forms, documents',
    dumped => [
        ['empty_array', 'An empty array.', sub { [] }, 'both'],
        ['empty_hash', 'An empty hash.', sub { {} }, 'both'],
        ['message', 'A typical message: sequences in a mapping (YAML.pm indents them, YAML::XS does not).',
            sub { { command => 'publish', args => [1, 2.5, undef, 'text', { k => 'v' }], id => 17, meta => {} } }, 'both'],
        ['nested_sequences', 'Sequences in sequences (YAML.pm starts each on a new line, YAML::XS writes `- - `).',
            sub { [[1, [2, [3]]], [], [[]]] }, 'both'],
        ['mappings_in_sequences', 'Mappings in sequences, written compactly after `- `.', sub { [{ a => 1, b => [2] }, {}, { c => { d => 1 } }] }, 'both'],
        ['sorted_keys', 'Both libraries sort keys.', sub { +{ map { ("key$_" => $_) } 1 .. 12 } }, 'both'],
        ['awkward_keys', 'Keys that need quoting.', sub { +{ map { ($_ => 1) } '', '~', 'null', 'true', '1', '-1', 'a: b', '- x', "a\tb", "\n", "\x{263a}", "it's" } }, 'both'],
        ['long_key', 'A key longer than 128 bytes: YAML::XS writes it after `?`.', sub { +{ ('k' x 130) => 1 } }, 'both'],
        ['multiline_key', 'A multi-line key: a literal block after `?`.', sub { +{ "line one is here\nline two is also here and long" => { k => 1 } } }, 'both'],
        ['undef_values', 'undef as values.', sub { [undef, { a => undef }] }, 'both'],
        ['deep_50', 'Sequences nested 50 deep.', sub { my $d = ['bottom']; $d = [$d] for 1 .. 49; $d }, 'both'],
    ],
    hand => [
        { name => 'flow_collections', description => 'Flow sequences and mappings, nested.',
          text => "--- [1, [2, 3], {a: b, c: [d]}, []]\n",
          value => n_array(n_int(1), n_array(n_int(2), n_int(3)), n_hash(a => n_str('b'), c => n_array(n_str('d'))), n_array()) },
        { name => 'flow_mapping_forms', description => 'A key without a value, quoted keys and a trailing comma in a flow mapping.',
          text => "--- {a: 1, b, 'c': \"d\", }\n", value => n_hash(a => n_int(1), b => n_undef(), c => n_str('d')) },
        { name => 'flow_pair', description => 'A single pair in a flow sequence is a one-key mapping.',
          text => "--- [a: 1, b]\n", value => n_array(n_hash(a => n_int(1)), n_str('b')) },
        { name => 'flow_multiline', description => 'A flow collection over several lines.',
          text => "--- [\n  1,\n  2\n]\n", value => n_array(n_int(1), n_int(2)) },
        { name => 'complex_keys', description => 'Keys after `?`, one a literal block, values after `:` on their own lines.',
          text => "? long key\n: value\n? |-\n  two\n  lines\n:\n  k: 1\n",
          value => n_hash('long key' => n_str('value'), "two\nlines" => n_hash(k => n_int(1))) },
        { name => 'empty_values', description => 'Keys and entries with nothing after them are undef.',
          text => "a:\nb: ~\nc:\n  -\n  - \n", value => n_hash(a => n_undef(), b => n_undef(), c => n_array(n_undef(), n_undef())) },
        { name => 'key_text', description => 'Keys are their text: numerals as written, ~ as the empty string.',
          text => "007: a\n1.50: b\n~: c\n42: d\n", value => n_hash('007' => n_str('a'), '1.50' => n_str('b'), '' => n_str('c'), '42' => n_str('d')) },
        { name => 'implicit_document', description => 'A document without ---.', text => "a: 1\n", value => n_hash(a => n_int(1)) },
        { name => 'document_markers', description => 'A %YAML directive, --- and the document end marker ...',
          text => "%YAML 1.1\n---\na: 1\n...\n", value => n_hash(a => n_int(1)) },
        { name => 'empty_document', description => '--- alone is an empty document: undef.', text => "---\n", value => n_undef() },
        { name => 'crlf', description => 'CR LF line ends.', text => "---\r\na: 1\r\nb:\r\n  - 2\r\n", value => n_hash(a => n_int(1), b => n_array(n_int(2))) },
        { name => 'byte_order_mark', description => 'A UTF-8 byte order mark before the document.', text => "\x{feff}--- x\n", value => n_str('x') },
    ],
};

$files{'objects.json'} = {
    topic => 'objects, references to scalars and regexps: the !!perl tags',
    dumped => [
        ['blessed_hash', 'A blessed hash: !!perl/hash:Class.', sub { bless { a => 1 }, 'RefWireVectors::Plain' }, 'both'],
        ['blessed_array', 'A blessed array: !!perl/array:Class.', sub { bless [1, 2], 'RefWireVectors::Plain' }, 'both'],
        ['blessed_empty', 'Blessed empty collections.', sub { [bless({}, 'E'), bless([], 'F')] }, 'both'],
        ['blessed_scalar', 'A blessed reference to a string: !!perl/scalar:Class.', sub { my $v = 'value'; bless \$v, 'RefWireVectors::Plain' }, 'both'],
        ['blessed_scalar_number', 'A blessed reference to a number.', sub { my $v = 1000; bless \$v, 'RefWireVectors::Plain' }, 'both'],
        ['blessed_scalar_awkward', 'A blessed reference to a string that needs quotes.', sub { my $v = 'a: b #c'; bless \$v, 'N' }, 'both'],
        ['blessed_scalar_multiline', 'A blessed reference to a literal block (at the top level: column 0 in YAML.pm).',
            sub { my $v = "line one is here\nline two is also here and long\n"; bless \$v, 'N' }, 'both'],
        ['blessed_nested', 'Objects in objects.', sub { bless { inner => bless([bless({ x => 1 }, 'C3')], 'C2') }, 'C1' }, 'both'],
        ['blessed_ref_to_ref', 'A blessed reference to a reference: !!perl/ref:Class (YAML::XS writes its address instead).',
            sub { my $v = [1]; bless \$v, 'RefWireVectors::Plain' }, 'yaml'],
        ['scalar_refs', 'References to a string, a number, undef, a reference, an array and a hash: !!perl/ref.',
            sub { [\'str', \1, \undef, \\'deep', \[1, 2], \{ a => 1 }] }, 'both'],
        ['regexp_plain', 'A regexp: !!perl/regexp (?^:pattern).', sub { [qr/ab+c/] }, 'both'],
        ['regexp_flags', 'Regexps with flags.', sub { [qr/abc/i, qr/a b/msix] }, 'both'],
        ['regexp_quoting', 'Regexp texts that need quotes in YAML.pm.', sub { [qr/a{2,3}/, qr/[a-z]+/, qr/key: value/, qr/a #b/, qr/it's/] }, 'both'],
        ['regexp_newline', 'A regexp with a line break (YAML::XS cannot load it back).', sub { [qr/a
b/x] }, 'yaml'],
        ['regexp_unicode', 'A regexp over non-ASCII text.', sub { my $p = "\x{263a}+"; [qr/$p/] }, 'both'],
        ['regexp_other_class', 'A regexp blessed into another class: !!perl/regexp:Class (YAML.pm cannot dump it).',
            sub { [bless qr/x/, 'RefWireVectors::Regexp'] }, 'yamlxs'],
    ],
    hand => [
        { name => 'verbatim_tag', description => 'A verbatim tag !<…>.', text => "--- !<tag:yaml.org,2002:perl/hash:Foo> {}\n",
          value => n_blessed('Foo', n_hash()) },
        { name => 'escaped_class', description => 'A class name %-escaped in the tag, as libyaml writes non-ASCII.',
          text => "--- !!perl/hash:Caf%C3%A9 {}\n", value => n_blessed("Caf\x{e9}", n_hash()) },
        { name => 'yaml_types', description => 'The YAML types read: !!str, !!null, !!map, !!seq.',
          text => "- !!str 42\n- !!str ~\n- !!null ~\n- !!map {a: 1}\n- !!seq [1]\n",
          value => n_array(n_str('42'), n_str('~'), n_undef(), n_hash(a => n_int(1)), n_array(n_int(1))) },
        { name => 'regexp_old_form', description => 'The regexp text older Perls print, (?flags-flags:pattern).',
          text => "--- !!perl/regexp (?i-xsm:old)\n", value => n_regexp('old', 'i') },
        { name => 'scalar_tag_keeps_text', description => 'The text of !!perl/scalar is a string, ~ included.',
          text => "--- !!perl/scalar:Foo ~\n", value => n_blessed('Foo', n_ref(n_str('~'))) },
        { name => 'code_kept', description => 'Code, carried as its source text when asked.',
          text => "--- !!perl/code:Foo '{ 42 }'\n", options => { code => 'keep_source' }, value => n_blessed('Foo', n_code('{ 42 }')) },
    ],
};

$files{'sharing.json'} = {
    topic => 'anchors and aliases: shared referents and cycles',
    dumped => [
        ['shared_array', 'One array referenced twice: &1 and *1.', sub { my $x = [1]; [$x, $x] }, 'both'],
        ['shared_hash', 'One hash as three values.', sub { my $x = { v => 1 }; { a => $x, b => $x, c => $x } }, 'both'],
        ['shared_scalar_ref', 'One scalar referenced twice: an anchored !!perl/ref.', sub { my $s = 'shared'; [\$s, \$s] }, 'both'],
        ['shared_across_levels', 'A referent shared at different depths.', sub { my $x = [1]; { list => [$x, [$x]], direct => $x } }, 'both'],
        ['shared_ref_to_ref', 'A reference to a reference, both shared.', sub { my $inner = [1]; my $r = \$inner; [$r, $r, $inner] }, 'both'],
        ['shared_empty', 'Shared empty collections: &1 [].', sub { my $e = []; my $h = {}; [$e, $e, $h, $h] }, 'both'],
        ['shared_blessed', 'A shared object: the anchor before the tag.', sub { my $o = bless { v => 1 }, 'P'; [$o, $o] }, 'both'],
        ['cycle_hash', 'A hash holding itself.', sub { my $h = { name => 'root' }; $h->{self} = $h; $h }, 'both'],
        ['cycle_array', 'An array holding itself.', sub { my @a = (1); push @a, \@a; \@a }, 'both'],
        ['cycle_scalar', 'A scalar holding a reference to itself (YAML.pm cannot load it back).', sub { my $s; $s = \$s; \$s }, 'yamlxs'],
        ['cycle_two_nodes', 'Two hashes referring to each other.',
            sub { my $a = { name => 'a' }; my $b = { name => 'b', peer => $a }; $a->{peer} = $b; [$a, $b] }, 'both'],
        ['cycle_ring', 'Ten hashes in a ring.',
            sub { my @n = map { { id => $_ } } 1 .. 10; $n[$_]{next} = $n[($_ + 1) % 10] for 0 .. 9; $n[0] }, 'both'],
    ],
    hand => [
        { name => 'billion_laughs', description => 'The "billion laughs" shape: ten levels each listing the level below ten times. Aliases of collections stay shared, so it decodes to 110 nodes.',
          text => billion_laughs(), value => laughs_node() },
        { name => 'scalar_anchor_copies', description => 'An anchored plain scalar is copied by its aliases.',
          text => "- &a text\n- *a\n- &n 42\n- *n\n", value => n_array(n_str('text'), n_str('text'), n_int(42), n_int(42)) },
        { name => 'unused_anchor', description => 'An anchor no alias uses is dropped.',
          text => "- &unused [1]\n- &used [2]\n- *used\n", value => n_array(n_array(n_int(1)), n_anchor(1, n_array(n_int(2))), n_alias(1)) },
        { name => 'redefined_anchor', description => 'An anchor defined again: aliases after it mean the new one.',
          text => "- &a [1]\n- *a\n- &a [2]\n- *a\n",
          value => n_array(n_anchor(1, n_array(n_int(1))), n_alias(1), n_anchor(2, n_array(n_int(2))), n_alias(2)) },
        { name => 'anchored_key', description => 'An anchored key, its alias a value.', text => "&k key: *k\n", value => n_hash(key => n_str('key')) },
        { name => 'properties_either_order', description => 'An anchor before or after the tag.',
          text => "- &a !!perl/hash:A {}\n- !!perl/hash:B &b {}\n- *a\n- *b\n",
          value => n_array(n_anchor(1, n_blessed('A', n_hash())), n_anchor(2, n_blessed('B', n_hash())), n_alias(1), n_alias(2)) },
    ],
};

$files{'dialects.json'} = {
    topic => 'the texts YAML.pm and YAML::XS read differently, read each way; Latin-1 input',
    dumped => [],
    hand => [
        { name => 'keywords_as_yaml_pm', description => 'Plain true, false and null are strings to YAML.pm.',
          text => "- true\n- false\n- null\n", value => n_array(n_str('true'), n_str('false'), n_str('null')) },
        { name => 'keywords_as_yaml_xs', description => 'Plain true, false and null are a boolean and undef to YAML::XS.',
          text => "- true\n- false\n- null\n", options => { dialect => 'yamlxs' }, value => n_array(n_bool(1), n_bool(0), n_undef()) },
        { name => 'line_separator_as_yaml_pm', description => "YAML::XS's dump of \"\\x{2028}\", read as YAML.pm reads it: LS is a character, the indentation after it text.",
          text => "---\n- '\x{2028}  '\n", value => n_array(n_str("\x{2028}  ")) },
        { name => 'line_separator_as_yaml_xs', description => 'The same text read as YAML::XS reads it: LS is a line break, the indentation after it skipped.',
          text => "---\n- '\x{2028}  '\n", options => { dialect => 'yamlxs' }, value => n_array(n_str("\x{2028}")) },
        { name => 'nel_as_yaml_pm', description => 'A raw NEL in double quotes is a character to YAML.pm.',
          text => "--- \"a\x{85}b\"\n", value => n_str("a\x{85}b") },
        { name => 'nel_as_yaml_xs', description => 'To YAML::XS a raw NEL is a line break, folded to a space.',
          text => "--- \"a\x{85}b\"\n", options => { dialect => 'yamlxs' }, value => n_str('a b') },
        { name => 'raw_c1_and_delete', description => 'YAML.pm writes DEL and C1 controls raw; they are characters.',
          text => "- a\x{7f}\x{80}\x{9f}b\n", value => n_array(n_str("a\x{7f}\x{80}\x{9f}b")) },
        { name => 'root_literal_column_zero', description => 'YAML.pm writes a top-level literal block at column 0.',
          text => "--- |\nline one\nline two\n", value => n_str("line one\nline two\n") },
        { name => 'latin1_bytes', description => 'Latin-1 input (POE hands YAML.pm raw bytes): each byte a character, strings and keys byte strings; an escape above U+00FF makes a character string.',
          bytes => "- caf\xe9\n- \"\\u263A\"\n- \"\\xff\"\n- k\xff: v\n", options => { encoding => 'latin1' },
          value => n_array(n_bytes("caf\xe9"), n_str("\x{263a}"), n_bytes("\xff"), n_hash(n_bytes("k\xff") => n_bytes('v'))) },
    ],
};

$files{'errors.json'} = {
    topic => 'documents a decoder must refuse, each with the error kind',
    errors => [
        # Truncation.
        ['unterminated_single', 'A single-quoted scalar without its closing quote.', "--- 'abc\n", {}, { kind => 'truncated', offset => 4 }],
        ['unterminated_double', 'A double-quoted scalar without its closing quote.', "--- \"abc", {}, { kind => 'truncated', offset => 4 }],
        ['unterminated_flow_sequence', 'A flow sequence the input ends inside.', "--- [1, 2\n", {}, { kind => 'truncated' }],
        ['unterminated_flow_mapping', 'A flow mapping the input ends inside.', "--- {a: 1,", {}, { kind => 'truncated' }],
        ['truncated_escape', 'The input ends inside a \\u escape.', "--- \"\\u26", {}, { kind => 'truncated', offset => 5 }],
        ['truncated_character', 'The input ends inside a UTF-8 character.', "--- caf\xc3", {}, { kind => 'truncated', offset => 7 }],
        ['truncated_after_tag', 'A tag with nothing after it, in a flow sequence the input ends inside.', "--- [!!str", {}, { kind => 'truncated' }],
        # Text.
        ['invalid_utf8_lead', 'A byte that starts no UTF-8 character.', "--- a\xffb\n", {}, { kind => 'invalid_utf8', offset => 5 }],
        ['invalid_utf8_overlong', 'An overlong encoding of /.', "--- \xc0\xaf\n", {}, { kind => 'invalid_utf8', offset => 4 }],
        ['invalid_utf8_surrogate', 'A UTF-16 surrogate encoded in UTF-8.', "--- \xed\xa0\x80\n", {}, { kind => 'invalid_utf8', offset => 4 }],
        ['invalid_utf8_continuation', 'A lead byte followed by no continuation byte.', "--- \xe2\x28\xa1\n", {}, { kind => 'invalid_utf8', offset => 4 }],
        ['invalid_utf8_in_comment', 'Invalid UTF-8 inside a comment.', "--- a # \xff\n", {}, { kind => 'invalid_utf8', offset => 8 }],
        ['invalid_utf8_in_key', 'Invalid UTF-8 inside a key.', "k\xfe: v\n", {}, { kind => 'invalid_utf8', offset => 1 }],
        ['raw_nul', 'A raw NUL.', "--- a\x00b\n", {}, { kind => 'invalid_character', offset => 5 }],
        ['raw_escape_character', 'A raw ESC (YAML.pm writes it escaped, \\e).', "--- a\eb\n", {}, { kind => 'invalid_character', offset => 5 }],
        ['invalid_escape_letter', 'An escape YAML does not define.', "--- \"a\\qb\"\n", {}, { kind => 'invalid_escape', offset => 6 }],
        ['invalid_escape_hex', 'A \\x escape with a digit that is not hex.', "--- \"\\x4G\"\n", {}, { kind => 'invalid_escape', offset => 5 }],
        ['invalid_escape_surrogate', 'A \\u escape naming a surrogate.', "--- \"\\uD800\"\n", {}, { kind => 'invalid_escape', offset => 5 }],
        ['invalid_escape_beyond_unicode', 'A \\U escape beyond U+10FFFF.', "--- \"\\U00110000\"\n", {}, { kind => 'invalid_escape', offset => 5 }],
        ['tab_indentation_mapping', 'A tab indenting a mapping key.', "a:\n\tb: 1\n", {}, { kind => 'tab_indentation', offset => 3 }],
        ['tab_indentation_sequence', 'A tab indenting a sequence entry.', "-\n\t- 1\n", {}, { kind => 'tab_indentation', offset => 2 }],
        ['tab_indentation_block_scalar', 'A tab where a literal block expects indentation.', "--- |\n\ttext\n", {}, { kind => 'tab_indentation', offset => 6 }],
        # Syntax.
        ['inconsistent_indentation', 'A key indented less than its siblings but more than its parent.', "a:\n    b: 1\n  c: 2\n", {}, { kind => 'syntax' }],
        ['mapping_value_in_value', 'A second `: ` on a line.', "a: b: c\n", {}, { kind => 'syntax' }],
        ['missing_colon', 'A line in a mapping that is not a key.', "a: 1\nb\n", {}, { kind => 'syntax' }],
        ['reserved_indicator', 'A plain scalar cannot start with @.', "--- \@foo\n", {}, { kind => 'syntax' }],
        ['text_after_flow', 'Text after a closed flow collection.', "--- [1] x\n", {}, { kind => 'syntax' }],
        ['bad_anchor_name', 'An anchor with a character outside [0-9A-Za-z_-].', "--- &a.b x\n", {}, { kind => 'syntax' }],
        ['directive_without_document', 'A directive not followed by ---.', "%YAML 1.1\nfoo\n", {}, { kind => 'syntax' }],
        ['unsupported_tag_directive', '%TAG directives are not read.', "%TAG !e! tag:example.com,2000:\n--- x\n", {}, { kind => 'unsupported_directive', offset => 0 }],
        ['unsupported_yaml_version', 'A %YAML 2.0 directive.', "%YAML 2.0\n--- x\n", {}, { kind => 'unsupported_directive', offset => 0 }],
        # Documents.
        ['empty_input', 'No bytes at all.', '', {}, { kind => 'no_document', offset => 0 }],
        ['only_comments', 'Comments but no document.', "# nothing\n# here\n", {}, { kind => 'no_document' }],
        ['two_documents', 'A second document: a payload carries one value.', "--- a\n--- b\n", {}, { kind => 'multiple_documents', offset => 6 }],
        # Nodes.
        ['undefined_alias', 'An alias before any anchor of its name.', "- *a\n- &a 1\n", {}, { kind => 'undefined_alias', offset => 2 }],
        ['duplicate_key', 'A key twice (YAML.pm keeps the first value, YAML::XS the last).', "a: 1\nb: 2\na: 3\n", {}, { kind => 'duplicate_key', offset => 10 }],
        ['collection_key', 'A flow sequence as a key.', "[a]: 1\n", {}, { kind => 'invalid_key', offset => 0 }],
        ['complex_collection_key', 'A block mapping as a key, after ?.', "? a: 1\n: b\n", {}, { kind => 'invalid_key', offset => 2 }],
        ['alias_of_collection_as_key', 'An alias of a sequence as a key.', "- &a [1]\n- *a : v\n", {}, { kind => 'invalid_key', offset => 11 }],
        ['tagged_key', 'A blessed scalar as a key.', "!!perl/scalar:A k: v\n", {}, { kind => 'invalid_key' }],
        ['code_refused', 'Code is refused by default (YAML.pm and YAML::XS load a dummy sub).', "--- !!perl/code '{ 42 }'\n", {}, { kind => 'code_reference_refused' }],
        ['glob', '!!perl/glob: a typeglob, never created.', "--- !!perl/glob\nNAME: x\nPACKAGE: main\n", {}, { kind => 'unsupported_tag', offset => 4 }],
        ['local_tag', 'A local tag (YAML::XS blesses into it, YAML.pm makes a YAML::Node).', "--- !Foo {}\n", {}, { kind => 'unsupported_tag', offset => 4 }],
        ['yaml_int_tag', '!!int is not read.', "--- !!int 42\n", {}, { kind => 'unsupported_tag', offset => 4 }],
        ['named_tag_handle', 'A named tag handle, which only a %TAG directive defines.', "--- !e!foo x\n", {}, { kind => 'unsupported_tag', offset => 4 }],
        ['hash_tag_on_sequence', 'A hash tag on a sequence.', "--- !!perl/hash:A [1]\n", {}, { kind => 'unsupported_tag', offset => 4 }],
        ['scalar_tag_without_class', '!!perl/scalar needs a class.', "--- !!perl/scalar x\n", {}, { kind => 'unsupported_tag', offset => 4 }],
        ['reference_two_keys', 'A !!perl/ref mapping with a second key.', "--- !!perl/ref\n=: 1\nx: 2\n", {}, { kind => 'invalid_reference' }],
        ['reference_wrong_key', 'A !!perl/ref mapping whose key is not =.', "--- !!perl/ref\nx: 1\n", {}, { kind => 'invalid_reference' }],
        ['reference_quoted_key', "A !!perl/ref mapping whose key is '=', quoted.", "--- !!perl/ref\n'=': 1\n", {}, { kind => 'invalid_reference' }],
        ['reference_empty', 'An empty !!perl/ref mapping.', "--- !!perl/ref {}\n", {}, { kind => 'invalid_reference' }],
        # Policies and limits.
        ['blessed_refused', 'An object of a class the options refuse.', "--- !!perl/hash:Evil {}\n", { blessed => ['Good'] }, { kind => 'blessed_value_refused' }],
        ['regexp_refused', 'A regexp when Regexp is not allowed.', "--- !!perl/regexp (?^:x)\n", { blessed => 'refuse_all' }, { kind => 'blessed_value_refused' }],
        ['depth_flow', 'Flow sequences nested 513 deep, past the default limit of 512.', '--- ' . ('[' x 513) . (']' x 513) . "\n", {}, { kind => 'depth_limit_exceeded', offset => 516, limit => 512 }],
        ['depth_block', 'Block sequences nested 4 deep with a limit of 3.', "- - - - x\n", { max_depth => 3 }, { kind => 'depth_limit_exceeded', offset => 6, limit => 3 }],
        ['input_limit', 'An input longer than the limit.', "--- abcdefgh\n", { max_input_length => 8 }, { kind => 'input_limit_exceeded', limit => 8 }],
        ['string_limit', 'A scalar longer than the limit.', "--- abcdefgh\n", { max_string_length => 4 }, { kind => 'string_limit_exceeded', limit => 4 }],
        ['container_limit', 'A sequence with more entries than the limit.', "--- [1, 2, 3]\n", { max_container_count => 2 }, { kind => 'container_limit_exceeded', offset => 11, limit => 2 }],
        ['total_limit', 'More nodes than the limit.', "--- [1, 2, 3]\n", { max_total_count => 3 }, { kind => 'total_limit_exceeded', offset => 11, limit => 3 }],
        ['alias_expansion', 'Aliases of a scalar copying more text than the limit.', "- &a abcdefgh\n- *a\n- *a\n", { max_alias_expansion => 10 }, { kind => 'alias_expansion_limit_exceeded', offset => 21, limit => 10 }],
    ],
};

sub describe_text {
    my ($text) = @_;
    return 'the empty string' if $text eq '';
    my $shown = length($text) > 40 ? substr($text, 0, 37) . '...' : $text;
    $shown =~ s/([^\x20-\x7e])/sprintf(ord($1) > 255 ? '\\x{%x}' : '\\x%02x', ord $1)/ge;
    return "\"$shown\"";
}

sub billion_laughs {
    my $text = "- &a0 [lol]\n";
    $text .= "- &a$_ [" . join(', ', ("*a" . ($_ - 1)) x 10) . "]\n" for 1 .. 9;
    return $text;
}

# The last level's anchor has no alias, so it is dropped.
sub laughs_node {
    my @elements = (n_anchor(1, n_array(n_str('lol'))));
    push @elements, n_anchor($_ + 1, n_array((n_alias($_)) x 10)) for 1 .. 8;
    push @elements, n_array((n_alias(9)) x 10);
    return n_array(@elements);
}

# ---------------------------------------------------------------------------------
# Vectors from definitions.

sub hex_of { return unpack('H*', $_[0]) }

sub dumped_vectors {
    my ($definition) = @_;
    my ($name, $description, $build, $writers) = @$definition;
    my @vectors;
    for my $writer ($writers eq 'both' ? ('yaml', 'yamlxs') : ($writers)) {
        my $text = dump_with($writer, $build->());
        my $loaded = load_with($writer, $text) or die "generate.pl: $name: $library{$writer} cannot load its own dump\n";
        same_data($loaded->[0], $build->()) or die "generate.pl: $name: $library{$writer} loads its own dump as other data\n";
        my $value = dump_node($build->(), $writer);
        my $xs = load_with('yamlxs', $text);
        check_numbers("${name}_$writer", $value, $xs->[0]) if $xs && same_data($xs->[0], $build->());
        # The yaml dialect writes YAML.pm's text where both libraries load it as the value.
        my $both = !grep { my $other = load_with($_, $text); !$other || !same_data($other->[0], $build->()) } qw(yaml yamlxs);
        push @vectors, {
            name => "${name}_$writer",
            description => "$description Written by $library{$writer}.",
            written_by => $library{$writer},
            yaml_hex => hex_of($text),
            ($writer eq 'yamlxs' ? (options => { dialect => 'yamlxs' }) : ()),
            value => $value,
            reencodes => [($writer eq 'yamlxs' || $both) ? ($writer) : ()],
        };
    }
    return @vectors;
}

sub hand_vector {
    my ($definition) = @_;
    my $bytes = $definition->{bytes} // do { my $text = $definition->{text}; utf8::encode($text); $text };
    return {
        name => $definition->{name},
        description => $definition->{description},
        written_by => 'hand',
        yaml_hex => hex_of($bytes),
        ($definition->{options} ? (options => $definition->{options}) : ()),
        value => $definition->{value},
        reencodes => [],
    };
}

sub error_vector {
    my ($name, $description, $text, $options, $error) = @$_;
    my $bytes = $text;
    utf8::encode($bytes) if utf8::is_utf8($bytes);
    if (defined $error->{offset}) {
        my $before = substr($bytes, 0, $error->{offset});
        my $line = 1 + ($before =~ tr/\n//);
        (my $last = $before) =~ s/\A.*\n//s;
        utf8::decode($last);
        $error->{line} = $line;
        $error->{column} = 1 + length($last);
    }
    return {
        name => $name,
        description => $description,
        written_by => 'hand',
        yaml_hex => hex_of($bytes),
        (%$options ? (options => $options) : ()),
        error => $error,
        perl_load => { yaml => perl_verdict('yaml', $bytes), yamlxs => perl_verdict('yamlxs', $bytes) },
    };
}

# What a library does with a document, in a child process with a time limit.
sub perl_verdict {
    my ($reader, $bytes) = @_;
    my $pid = open(my $child, '-|') // die "fork: $!";
    if (!$pid) {
        local $SIG{__WARN__} = sub { };
        alarm 10;
        my $loaded = load_with($reader, $bytes);
        print $loaded ? 'loads' : 'fails';
        exit 0;
    }
    my $verdict = do { local $/; <$child> };
    close $child;
    return $verdict =~ /^(loads|fails)$/ ? $verdict : 'crashes';
}

# ---------------------------------------------------------------------------------
# JSON.

my @key_order = qw(
    format generated_by topic yaml_version yaml_xs_version vectors
    name description written_by yaml_hex options value reencodes error perl_load
    kind offset line column limit
    type id class key value hex pattern flags source elements entries
    dialect encoding max_depth max_input_length max_string_length max_container_count max_total_count
    max_alias_expansion blessed code yaml yamlxs
);

my @documents;
for my $file (sort keys %files) {
    my $set = $files{$file};
    my @vectors = $set->{errors}
        ? map { error_vector($_) } @{ $set->{errors} }
        : ((map { dumped_vectors($_) } @{ $set->{dumped} }), (map { hand_vector($_) } @{ $set->{hand} }));
    push @documents, [
        $file,
        {
            format => 1,
            generated_by => 'Spec/vectors/yaml/generate.pl',
            topic => $set->{topic},
            yaml_version => $YAML::VERSION,
            yaml_xs_version => $YAML::XS::VERSION,
            vectors => \@vectors,
        }
    ];
}
exit VectorFiles::write_all(
    folder => $folder, files => \@documents, check_only => $check_only, key_order => \@key_order, name_width => 18);
