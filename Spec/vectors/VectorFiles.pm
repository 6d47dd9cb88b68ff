package VectorFiles;
# Writes the JSON vector files of one Spec/vectors folder, or checks that they are up to
# date: the part every folder's generate.pl shares. Files are JSON with keys in a fixed
# order (so that diffs stay readable) and short nodes on one line.
use strict;
use warnings;
use File::Spec;
use JSON::PP ();

my $json = JSON::PP->new->ascii->canonical->allow_nonref;

# Writes (or, with $check_only, compares) each file of @$files, a list of
# [file name, document], where a document's "vectors" hold hashes with a "name".
# $key_order lists every key that may appear, in the order to write them.
# Prints a count per file; returns the exit status: 1 if checking found a stale file.
sub write_all {
    my (%arguments) = @_;
    my ($folder, $files, $check_only) = @arguments{qw(folder files check_only)};
    my @key_order = @{ $arguments{key_order} };
    my %rank = map { $key_order[$_] => $_ } 0 .. $#key_order;
    my $width = $arguments{name_width} // 16;
    my (%seen, $total, $stale) = ((), 0, 0);
    for my $entry (@$files) {
        my ($file, $document) = @$entry;
        for my $vector (@{ $document->{vectors} }) {
            $seen{ $vector->{name} }++ and die "duplicate vector name $vector->{name}\n";
            $vector->{name} =~ /^[a-z0-9_]+$/ or die "bad vector name $vector->{name}\n";
        }
        my $text = to_json($document, 0, \%rank) . "\n";
        JSON::PP->new->decode($text);    # the output must be valid JSON
        my $path = File::Spec->catfile($folder, $file);
        my $current = -e $path ? do { local (@ARGV, $/) = ($path); <> } : '';
        if ($current ne $text) {
            $stale++;
            if ($check_only) {
                warn "$file is out of date\n";
            } else {
                open(my $out, '>:raw', $path) or die "$path: $!";
                print {$out} $text;
                close($out) or die "$path: $!";
            }
        }
        $total += @{ $document->{vectors} };
        printf "%-${width}s %3d vectors\n", $file, scalar @{ $document->{vectors} };
    }
    printf "%-${width}s %3d vectors\n", 'total', $total;
    return $check_only && $stale ? 1 : 0;
}

# JSON with keys in the fixed order; a node goes on one line when it is short.
sub to_json {
    my ($value, $indent, $rank) = @_;
    my $flat = flat_json($value, $rank);
    return $flat if length($flat) + 2 * $indent <= 110 || !ref $value || ref $value eq 'JSON::PP::Boolean';
    my $pad = '  ' x $indent;
    my $inner = '  ' x ($indent + 1);
    if (ref $value eq 'HASH') {
        return "{\n"
            . join(",\n",
            map { $inner . $json->encode($_) . ': ' . to_json($value->{$_}, $indent + 1, $rank) } ordered_keys($value, $rank))
            . "\n$pad}";
    }
    return "[\n" . join(",\n", map { $inner . to_json($_, $indent + 1, $rank) } @$value) . "\n$pad]";
}

sub flat_json {
    my ($value, $rank) = @_;
    if (ref $value eq 'HASH') {
        return '{' . join(', ', map { $json->encode($_) . ': ' . flat_json($value->{$_}, $rank) } ordered_keys($value, $rank)) . '}';
    }
    return '[' . join(', ', map { flat_json($_, $rank) } @$value) . ']' if ref $value eq 'ARRAY';
    return $json->encode($value);
}

sub ordered_keys {
    my ($hash, $rank) = @_;
    my @unknown = grep { !exists $rank->{$_} } keys %$hash;
    die "unknown key order for: @unknown\n" if @unknown;
    return sort { $rank->{$a} <=> $rank->{$b} } keys %$hash;
}

1;
