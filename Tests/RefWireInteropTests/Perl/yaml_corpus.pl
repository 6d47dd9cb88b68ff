#!/usr/bin/perl
# yaml_corpus.pl
#
# Builds the YAML interop corpus: more than 300 named Perl values that make YAML.pm 1.30
# and YAML::XS 0.86 write every construct they write for Perl data — plain, single- and
# double-quoted scalars, literal blocks, long lines YAML::XS folds, every escape, keys
# that need quoting or the `?` form, empty and nested collections, `!!perl/hash`,
# `!!perl/array`, `!!perl/scalar`, `!!perl/ref` and `!!perl/regexp` tags, anchors and
# aliases for shared and cyclic structure — and the strings on which the two libraries
# disagree: Unicode line separators, C1 controls, `null`/`true`/`false`, root literals.
#
# Output, one line per case (fields separated by one space, hex in lowercase):
#
#   case NAME FLAGS STORABLE_HEX YAML_HEX XS_HEX
#
#   NAME          unique, [a-z0-9_]
#   FLAGS         ';'-separated tokens, or '-' for none:
#                   deep         nested more than 512 levels: decode with a higher depth limit
#   STORABLE_HEX  Storable::nfreeze([$value]) with $Storable::canonical = 1: the value
#                 itself, for the judge (yaml_check.pl), wrapped in an array so that a
#                 plain root scalar has a reference to be frozen through
#   YAML_HEX      YAML::Dump($value), encoded as UTF-8 (YAML.pm returns characters), or
#                 `-` when YAML.pm cannot dump the value
#   XS_HEX        YAML::XS::Dump($value) (UTF-8 bytes already), or `-` when it cannot
#
# and a last line `count N`.
#
# The values are built fresh for every dump. Hash order does not show (both libraries
# sort keys), so the output is the same in every run.
use strict;
use warnings;
use Storable ();
use YAML ();
use YAML::XS ();

# Strings of every awkward shape, as [name, string]. Each becomes an array element
# (`str_NAME`) and a hash key (`key_NAME`).
sub awkward_strings {
    my @strings = (
        [empty => ''], [space => ' '], [spaces => '   '], [leading_space => ' a'], [trailing_space => 'a '],
        [inner_spaces => 'a  b'], [tab => "\t"], [tab_inside => "a\tb"], [leading_tab => "\ta"], [trailing_tab => "a\t"],
        [newline => "\n"], [newlines => "\n\n\n"], [trailing_newline => "a\n"], [leading_newline => "\na"],
        [inner_newline => "a\nb"], [two_trailing_newlines => "a\n\n"], [crlf => "a\r\nb"], [carriage_return => "a\rb"],
        [space_before_newline => "a \nb"], [space_after_newline => "a\n b"],
        [dash => '-'], [dash_space => '- a'], [dash_word => '-a'], [double_dash => '--1'],
        [question => '?'], [question_space => '? a'], [question_word => '?a'],
        [colon => ':'], [colon_space => ': a'], [colon_word => ':a'], [trailing_colon => 'a:'],
        [colon_value => 'a: b'], [colon_inside => 'a:b'], [hash_sign => '#'], [space_hash => 'a #b'],
        [hash_inside => 'a#b'], [comma => ','], [comma_space => 'a, b'], [comma_inside => 'a,b'],
        [open_bracket => '['], [close_bracket => ']'], [open_brace => '{'], [close_brace => '}'],
        [brackets => '[a]'], [braces => '{a}'], [ampersand => '&a'], [star => '*a'], [bang => '!a'],
        [pipe => '|'], [pipe_word => '|a'], [greater => '>'], [greater_word => '>a'], [percent => '%a'],
        [at => '@a'], [backtick => '`a'], [equals => '='], [double_equals => '=='], [merge => '<<'],
        [document_start => '---'], [document_start_text => '--- a'], [document_end => '...'],
        [document_end_text => '... a'], [tilde => '~'], [tilde_word => '~a'], [word_tilde => 'a~'],
        [null_lower => 'null'], [null_title => 'Null'], [null_upper => 'NULL'], [true_lower => 'true'],
        [false_lower => 'false'], [true_title => 'True'], [true_upper => 'TRUE'], [yes => 'yes'], [no => 'no'],
        [on => 'on'], [off => 'off'], [y => 'y'], [n => 'n'], [dot_inf => '.inf'], [minus_dot_inf => '-.inf'],
        [dot_nan => '.nan'],
        [numeric_42 => '42'], [leading_zero => '007'], [plus_one => '+1'], [minus_zero => '-0'], [zero => '0'],
        [leading_dot => '.5'], [trailing_dot => '5.'], [exponent => '1e3'], [exponent_upper => '1E3'],
        [trailing_zero => '1.50'], [underscore_number => '1_000'], [hex_number => '0x1f'], [octal_number => '0o17'],
        [binary_number => '0b101'], [inf_lower => 'inf'], [inf_title => 'Inf'], [nan_lower => 'nan'],
        [nan_title => 'NaN'], [infinity => 'Infinity'], [exponent_plus => '1e+21'], [zero_but_true => '0 but true'],
        [version_like => '1.2.3'], [time_like => '12:30'], [date_like => '2001-12-14'], [number_space => '42 '],
        [apostrophe => "it's"], [single_quote => "'"], [two_single_quotes => "''"], [double_quote => '"'],
        [quoted_word => '"a"'], [single_quoted_word => "'a'"], [both_quotes => qq{both ' and "}],
        [control_and_quotes => qq{\x01 say "hi"}], [backslash => '\\'], [backslash_inside => 'a\\b'], [backslash_n => '\\n'], [backslash_x41 => '\\x41'],
        [nul => "\0"], [control_bell => "\a"], [control_backspace => "\b"], [control_vt => "\x0b"],
        [control_ff => "\f"], [control_escape => "\e"], [control_1f => "\x1f"], [delete => "\x7f"],
        [controls_all => join('', map { chr } 0 .. 31)],
        [c1_bytes => "\x80\x81\x9f"], [nel_byte => "a\x85b"], [nbsp_byte => "a\xa0b"], [latin1_bytes => "caf\xe9"],
        [high_bytes => "\xff\xfe"],
        [latin1_chars => do { my $s = "caf\xe9"; utf8::upgrade($s); $s }], [smiley => "\x{263a}"],
        [astral => "\x{1F600}"], [astral_inside => "a\x{1F600}b"], [line_separator => "\x{2028}"],
        [line_separator_inside => "a\x{2028}b"], [paragraph_separator => "a\x{2029}b"],
        [line_separator_spaces => "a \x{2028} b"], [nel_char => "\x{85}"], [bom => "\x{feff}"],
        [bom_inside => "a\x{feff}b"], [replacement => "\x{fffd}"], [combining => "e\x{301}"],
        [right_to_left => "\x{5e9}\x{5dc}\x{5d5}\x{5dd}"], [nbsp_char => "\x{a0}"],
        [long_words_trailing_space => 'word ' x 40], [long_words => join(' ', map { "w$_" } 1 .. 40)],
        [long_no_spaces => 'x' x 200], [long_double_spaces => join('  ', map { "w$_" } 1 .. 30)],
        [long_leading_space => ' ' . join(' ', map { "w$_" } 1 .. 30)],
        [long_with_escape => "\t" . join(' ', map { "w$_" } 1 .. 30)],
        [long_with_quote => "it's " . join(' ', map { "w$_" } 1 .. 30)],
        [long_colon_words => join(': ', map { "w$_" } 1 .. 30)],
        [long_1000 => join(' ', map { "word$_" } 1 .. 150)],
        [multiline_literal => "line one is here\nline two is also here and long\n"],
        [multiline_no_trailing => "line one is here\nline two is also here and long"],
        [multiline_keep => "line one is here\nline two is also here and long\n\n"],
        [multiline_leading_space => "  indented first line\nsecond line of the text\n"],
        [multiline_leading_newline => "\nfirst line after a newline\nsecond line\n"],
        [multiline_blank_lines => "paragraph one is here\n\n\nparagraph two is here\n"],
        [multiline_trailing_spaces => "line with trailing spaces  \nnext line of the text here"],
        [multiline_whitespace_line => "first line of the text\n   \nlast line of the text"],
        [multiline_tab => "first line\twith a tab\n\tsecond line starts with a tab\n"],
        [multiline_only_newlines => "\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n"],
        [multiline_long_lines => join("\n", map { join(' ', map { "w$_" } 1 .. 30) } 1 .. 3) . "\n"],
        [multiline_unicode => "caf\x{e9} \x{263a} line one\nline two \x{1F600} is here\n"],
        [multiline_line_separator => "line one is here\x{2028}line two is also here\n"],
        [multiline_controls => "line one is here\nline two\x01 has a control\n"],
        [multiline_cr => "line one is here\r\nline two is also here and long\r\n"],
    );
    return @strings;
}

# Every case: [name, flags, builder]. The builder returns the value to dump.
sub cases {
    my @cases;
    my $add = sub { push @cases, [@_] };

    for my $entry (awkward_strings()) {
        my ($name, $string) = @$entry;
        $add->("str_$name", '-', sub { return [$string] });
        $add->("key_$name", '-', sub { return { $string => 'v' } });
    }

    # --- Root scalars: `--- value`, and the root literal block.
    $add->(root_plain => '-', sub { 'plain' });
    $add->(root_integer => '-', sub { 42 });
    $add->(root_undef => '-', sub { undef });
    $add->(root_empty => '-', sub { '' });
    $add->(root_quoted => '-', sub { 'a: b' });
    $add->(root_literal => '-', sub { "line one is here\nline two is also here and long\n" });
    $add->(root_literal_keep => '-', sub { "line one is here\nline two is also here and long\n\n" });
    $add->(root_long => '-', sub { join(' ', map { "w$_" } 1 .. 40) });

    # --- Numbers: Perl numbers, which both libraries write plain.
    my @numbers = (
        [zero => 0], [one => 1], [minus_one => -1], [int_2p31 => 2147483648], [int_minus_2p31 => -2147483648],
        [int_2p53 => 9007199254740992], [int_max => 9223372036854775807], [int_min => -9223372036854775808],
        [uint_max => 18446744073709551615], [half => 0.5], [minus_half => -4.5], [tenth => 0.1],
        [third => 1 / 3], [pi => 3.141592653589793], [big => 1e21], [small => 1e-7], [huge => 1.5e300],
        [e15 => 1e15 * 1], [inf => 9**9**9], [minus_inf => -9**9**9],
        [nan => do { my $inf = 9**9**9; $inf / $inf }],
    );
    for my $entry (@numbers) {
        my ($name, $number) = @$entry;
        $add->("num_$name", '-', sub { return [$number + 0] });
    }
    $add->(num_all_in_hash => '-', sub { return { map { ($_->[0] => $_->[1] + 0) } @numbers } });
    $add->(num_as_keys => '-', sub { return { map { ($_->[1] + 0 => $_->[0]) } @numbers[0 .. 8] } });
    $add->(booleans => '-', sub { return [!!1, !!0] });
    $add->(undef_values => '-', sub { return [undef, { a => undef }, [undef, undef]] });

    # --- Collections.
    $add->(empty_array => '-', sub { [] });
    $add->(empty_hash => '-', sub { +{} });
    $add->(empty_nested => '-', sub { [[], {}, [[]], [{}], { a => [] }, { b => {} }] });
    $add->(array_of_arrays => '-', sub { [[1, 2], [3, [4, [5]]], []] });
    $add->(array_of_hashes => '-', sub { [{ a => 1, b => 2 }, { c => [1, 2] }, {}] });
    $add->(hash_of_arrays => '-', sub { +{ list => [1, 2, 3], nested => [[1], [2, 3]], empty => [] } });
    $add->(hash_of_hashes => '-', sub { +{ a => { b => { c => { d => 'deep' } } }, e => {} } });
    $add->(mixed_message => '-', sub {
        return { command => 'publish', args => [1, 2.5, undef, 'text', { k => 'v' }], id => 17, meta => {} };
    });
    $add->(nested_50 => '-', sub { my $d = ['bottom']; $d = [$d] for 1 .. 49; $d });
    $add->(nested_hash_50 => '-', sub { my $d = { leaf => 1 }; $d = { k => $d } for 1 .. 49; $d });
    $add->(nested_600 => 'deep', sub { my $d = []; $d = [$d] for 1 .. 599; $d });
    $add->(wide_array => '-', sub { [1 .. 300] });
    $add->(wide_hash => '-', sub { +{ map { ("key$_" => $_) } 1 .. 300 } });
    $add->(long_key_200 => '-', sub { +{ ('k' x 200) => 1 } });
    $add->(long_key_1100 => '-', sub { +{ ('k' x 1100) => 1 } });
    $add->(long_key_words => '-', sub { +{ join(' ', map { "w$_" } 1 .. 40) => 1 } });
    $add->(multiline_key_long => '-', sub { +{ "line one is here\nline two is also here and long" => 1 } });

    # --- Blessed values.
    $add->(bless_hash => '-', sub { bless { a => 1 }, 'RefWireYAML::Plain' });
    $add->(bless_array => '-', sub { bless [1, 2], 'RefWireYAML::Plain' });
    $add->(bless_scalar => '-', sub { my $v = 'value'; bless \$v, 'RefWireYAML::Plain' });
    $add->(bless_scalar_number => '-', sub { my $v = 1000; bless \$v, 'RefWireYAML::Plain' });
    $add->(bless_scalar_empty => '-', sub { my $v = ''; bless \$v, 'RefWireYAML::Plain' });
    $add->(bless_scalar_awkward => '-', sub { my $v = 'a: b #c'; bless \$v, 'RefWireYAML::Plain' });
    $add->(bless_scalar_multiline => '-', sub {
        my $v = "line one is here\nline two is also here and long\n";
        bless \$v, 'RefWireYAML::Plain';
    });
    $add->(bless_scalar_undef => '-', sub { my $v; bless \$v, 'RefWireYAML::Plain' });
    $add->(bless_ref_to_ref => '-', sub { my $v = [1]; bless \$v, 'RefWireYAML::Plain' });
    $add->(bless_empty_hash => '-', sub { bless {}, 'E' });
    $add->(bless_empty_array => '-', sub { bless [], 'E' });
    $add->(bless_nested => '-', sub { bless { inner => bless([bless({ x => 1 }, 'C3')], 'C2') }, 'C1' });
    $add->(bless_in_array => '-', sub { [bless({ n => 1 }, 'A'), bless([2], 'B'), { plain => 3 }] });
    $add->(bless_in_hash => '-', sub { +{ map { ("k$_" => bless({ i => $_ }, $_ % 2 ? 'Odd' : 'Even')) } 1 .. 4 } });
    $add->(bless_long_class => '-', sub { bless {}, 'RefWireYAML::' . ('Long' x 30) });
    $add->(bless_class_digits => '-', sub { bless {}, 'Class2::V3_0' });

    # --- Shared referents and cycles: anchors and aliases.
    $add->(shared_array => '-', sub { my $x = [1]; [$x, $x] });
    $add->(shared_hash => '-', sub { my $x = { v => 1 }; { a => $x, b => $x, c => $x } });
    $add->(shared_scalar_ref => '-', sub { my $s = 'shared'; [\$s, \$s] });
    $add->(shared_across_levels => '-', sub { my $x = [1]; { list => [$x, [$x]], direct => $x } });
    $add->(shared_two_pairs => '-', sub { my $x = [1]; my $y = { y => 1 }; [$x, $y, $y, $x] });
    $add->(shared_ref_to_ref => '-', sub { my $inner = [1]; my $r = \$inner; [$r, $r, $inner] });
    $add->(shared_empty => '-', sub { my $e = []; my $h = {}; [$e, $e, $h, $h] });
    $add->(shared_blessed => '-', sub { my $o = bless { v => 1 }, 'RefWireYAML::Plain'; [$o, $o, { o => $o }] });
    $add->(shared_many => '-', sub { my $x = { shared => 1 }; [map { $x } 1 .. 50] });
    $add->(shared_ten_anchors => '-', sub { my @x = map { [$_] } 1 .. 10; [@x, reverse @x] });
    $add->(cycle_hash_self => '-', sub { my $h = { name => 'root' }; $h->{self} = $h; $h });
    $add->(cycle_array_self => '-', sub { my @a = (1); push @a, \@a; \@a });
    $add->(cycle_scalar_self => '-', sub { my $s; $s = \$s; \$s });
    $add->(cycle_two_nodes => '-', sub {
        my $a = { name => 'a' };
        my $b = { name => 'b', peer => $a };
        $a->{peer} = $b;
        [$a, $b];
    });
    $add->(cycle_long_ring => '-', sub {
        my @nodes = map { { id => $_ } } 1 .. 20;
        $nodes[$_]{next} = $nodes[($_ + 1) % 20] for 0 .. 19;
        $nodes[0];
    });
    $add->(cycle_blessed => '-', sub { my $o = bless { name => 'node' }, 'RefWireYAML::Plain'; $o->{self} = $o; $o });
    $add->(cycle_through_scalar_ref => '-', sub { my $h = {}; my $r = \$h; $h->{back} = $r; $r });

    # --- References to scalars: !!perl/ref.
    $add->(ref_to_string => '-', sub { \'str' });
    $add->(ref_to_number => '-', sub { \1 });
    $add->(ref_to_undef => '-', sub { my $u; \$u });
    $add->(ref_to_ref => '-', sub { \\'deep' });
    $add->(ref_to_array => '-', sub { \[1, 2] });
    $add->(ref_to_hash => '-', sub { \{ a => 1 } });
    $add->(ref_to_awkward => '-', sub { \"a: b\tc" });
    $add->(ref_to_multiline => '-', sub { \"line one is here\nline two is also here and long\n" });
    $add->(refs_in_array => '-', sub { [\1, \'two', \undef, \\3] });

    # --- Regexps: !!perl/regexp.
    $add->(regexp_plain => '-', sub { qr/ab+c/ });
    $add->(regexp_flags_i => '-', sub { [qr/abc/i] });
    $add->(regexp_flags_msix => '-', sub { [qr/a b/msix] });
    $add->(regexp_empty => '-', sub { [qr//] });
    $add->(regexp_slash => '-', sub { [qr{a/b}] });
    $add->(regexp_escapes => '-', sub { [qr/\d+\s*\w\\/] });
    $add->(regexp_quantifier_braces => '-', sub { [qr/a{2,3}/] });
    $add->(regexp_brackets => '-', sub { [qr/[a-z]+/] });
    $add->(regexp_colon_space => '-', sub { [qr/key: value/] });
    $add->(regexp_hash_comment => '-', sub { [qr/a #b/] });
    $add->(regexp_quote => '-', sub { [qr/it's/] });
    $add->(regexp_newline => '-', sub { [qr/a
b/x] });
    $add->(regexp_unicode => '-', sub { my $p = "\x{263a}+"; [qr/$p/] });
    $add->(regexp_latin1 => '-', sub { my $p = "caf\xe9"; [qr/$p/] });
    $add->(regexp_long => '-', sub { my $p = join('|', map { "alternative$_" } 1 .. 20); [qr/$p/] });
    $add->(regexp_blessed_other_class => '-', sub { [bless qr/x/, 'RefWireYAML::Regexp'] });
    $add->(regexp_shared => '-', sub { my $re = qr/s/; [$re, $re, { re => $re }] });
    $add->(regexp_in_hash => '-', sub { +{ match => qr/^\w+$/, list => [qr/a/, qr/b/i] } });

    return @cases;
}

sub hex_or_dash {
    my ($dump) = @_;
    return defined $dump ? unpack('H*', $dump) : '-';
}

sub main {
    binmode(STDOUT) or die "yaml_corpus.pl: binmode: $!\n";
    $YAML::VERSION eq '1.30' or warn "yaml_corpus.pl: YAML $YAML::VERSION; the corpus was written against 1.30\n";
    $YAML::XS::VERSION eq '0.86' or warn "yaml_corpus.pl: YAML::XS $YAML::XS::VERSION; the corpus was written against 0.86\n";
    local $Storable::canonical = 1;
    # Debian builds Storable with a limit of 512 nested arrays, below nested_600.
    local $Storable::recursion_limit = 5000;
    local $Storable::recursion_limit_hash = 5000;
    my %seen;
    my $count = 0;
    for my $case (cases()) {
        my ($name, $flags, $build) = @$case;
        $name =~ /^[a-z0-9_]+$/ or die "yaml_corpus.pl: bad case name $name\n";
        $seen{$name}++ and die "yaml_corpus.pl: duplicate case name $name\n";
        my $storable = Storable::nfreeze([$build->()]);
        my $pm = eval { my $text = YAML::Dump($build->()); utf8::encode($text); $text };
        my $xs = eval { YAML::XS::Dump($build->()) };
        print join(' ', 'case', $name, $flags, unpack('H*', $storable), hex_or_dash($pm), hex_or_dash($xs)), "\n";
        $count++;
    }
    print "count $count\n";
    close(STDOUT) or die "yaml_corpus.pl: write: $!\n";
    return 0;
}

exit(main()) unless caller;
1;
