package SameData;
# same_data(WANT, GOT, PATH): whether two Perl structures hold the same data as Perl code
# sees it after a trip through any of the serializers: undef stays undef, scalars are
# `eq` (or numbers equal when printed with 15 significant digits, which is what
# network-order Storable and text formats keep of a double), arrays and hashes match
# element by element, blessed referents keep their class, and scalar references their
# target. Returns undef when they match, or a message naming the first difference.
use strict;
use warnings;
use Exporter 'import';
use Scalar::Util qw(blessed looks_like_number reftype);

our @EXPORT_OK = qw(same_data);

sub same_data {
    my ($want, $got, $path) = @_;
    $path //= '$v';
    return defined $got ? "$path: undef became '$got'" : undef unless defined $want;
    return "$path: '$want' became undef" unless defined $got;
    my ($want_type, $got_type) = (reftype($want) // '', reftype($got) // '');
    return "$path: $want_type became " . ($got_type || 'a scalar') if $want_type ne $got_type;
    my ($want_class, $got_class) = (blessed($want) // '', blessed($got) // '');
    return "$path: class '$want_class' became '$got_class'" if $want_class ne $got_class;
    if ($want_type eq 'ARRAY') {
        return "$path: " . @$want . ' elements became ' . @$got if @$want != @$got;
        for my $index (0 .. $#$want) {
            my $problem = same_data($want->[$index], $got->[$index], "$path\[$index]");
            return $problem if defined $problem;
        }
        return undef;
    }
    if ($want_type eq 'HASH') {
        my @want_keys = sort keys %$want;
        my @got_keys = sort keys %$got;
        return "$path: keys (@want_keys) became (@got_keys)" if "@want_keys" ne "@got_keys";
        for my $key (@want_keys) {
            my $problem = same_data($want->{$key}, $got->{$key}, "$path\{$key}");
            return $problem if defined $problem;
        }
        return undef;
    }
    return same_data($$want, $$got, "\${$path}") if $want_type eq 'SCALAR' || $want_type eq 'REF';
    return "$path: cannot compare a $want_type" if $want_type ne '';
    return undef if $want eq $got;
    return undef if looks_like_number($want) && looks_like_number($got)
        && sprintf('%.15g', $want) eq sprintf('%.15g', $got);
    return "$path: '$want' became '$got'";
}

1;
