#!/usr/bin/perl
# sealing_vectors.pl [DIR]
#
# Runs every vector of Spec/vectors/sealing/*.json (or DIR/*.json) against Sealing.pm,
# as Spec/vectors/sealing/README.md says: one endpoint with the vector's configuration
# and randomness, fed the recorded input whole and in 1- and 5-byte pieces (the outcome
# must not depend on chunking), its output, events and error compared with the vector's.
# Prints each failure and `N passed, M failed`; exits 1 on any failure, or if it finds
# no vectors.
use strict;
use warnings;
use FindBin ();
use lib $FindBin::Bin;
use JSON::PP ();
use Sealing;

my $directory = shift // "$FindBin::Bin/../../../Spec/vectors/sealing";
my @files = sort glob "$directory/*.json";
die "no vector files in $directory\n" unless @files;

my ($passed, $failed) = (0, 0);
for my $file (@files) {
    my $vectors = JSON::PP->new->decode(slurp($file))->{vectors};
    die "no vectors in $file\n" unless @$vectors;
    for my $vector (@$vectors) {
        my @problems = map { check($vector, $_) } 0, 1, 5;
        if (@problems) {
            $failed++;
            print "FAIL $vector->{name}: $_\n" for @problems;
        } else {
            $passed++;
        }
    }
}
die "no vectors found\n" unless $passed + $failed;
print "$passed passed, $failed failed\n";
exit($failed ? 1 : 0);

sub slurp {
    my ($path) = @_;
    open my $handle, '<', $path or die "cannot read $path: $!\n";
    local $/;
    return <$handle>;
}

# The problems of one run with input chunks of $size bytes (0: all at once).
sub check {
    my ($vector, $size) = @_;
    my $outcome = run($vector, $size);
    my $label = $size ? "in $size-byte pieces" : 'whole';
    my @problems;
    push @problems, "$label: output differs" unless $outcome->{output} eq $vector->{output_hex};
    my $json = JSON::PP->new->canonical;
    my ($got, $want) = map { [map { $json->encode($_) } @$_] } $outcome->{events}, $vector->{events};
    my ($first) = grep { ($got->[$_] // '') ne ($want->[$_] // '') } 0 .. ($#$got > $#$want ? $#$got : $#$want);
    push @problems, "$label: event $first is " . ($got->[$first] // 'missing') . ', expected ' . ($want->[$first] // 'none')
        if defined $first;
    my $expected = $vector->{error} ? "$vector->{error}{kind} at $vector->{error}{offset}" : 'no error';
    push @problems, "$label: $outcome->{error}, expected $expected" unless $outcome->{error} eq $expected;
    return @problems;
}

# Runs the vector's endpoint: what it wrote (hex), reported (as the vector's events) and
# the error it ended with.
sub run {
    my ($vector, $size) = @_;
    my $config = $vector->{config};
    my $randomness = pack 'H*', $vector->{randomness_hex};
    my $channel = Sealing->new(
        role => $vector->{role},
        mode => $config->{mode},
        (defined $config->{psk_hex} ? (psk => pack('H*', $config->{psk_hex})) : ()),
        (defined $config->{static_private_hex} ? (static_private => pack('H*', $config->{static_private_hex})) : ()),
        ($config->{trusted_public_hex} ? (trusted => [map { pack 'H*', $_ } @{ $config->{trusted_public_hex} }]) : ()),
        (map { defined $config->{$_} ? ($_ => $config->{$_}) : () } qw(max_sealed_frame_length rekey_frames rekey_bytes)),
        random => sub { my ($count) = @_; substr($randomness, 0, $count, '') },
    );
    my (@events, $error);
    my $take_events = sub {
        while (my $event = $channel->next_event) {
            push @events, vector_event($event);
            next unless $event->{type} eq 'established';
            $channel->seal(pack 'H*', $_) for @{ $vector->{send} };
            $channel->close if $vector->{close};
        }
    };
    my $input = pack 'H*', $vector->{input_hex};
    eval {
        $channel->start;
        for my $chunk ($size ? unpack("(a$size)*", $input) : ($input)) {
            $channel->feed($chunk);
            $take_events->();
        }
        if ($vector->{end_of_input}) {
            $channel->finish;
            $take_events->();
        }
        1;
    } or $error = $@;
    return {
        output => unpack('H*', $channel->take_output),
        events => \@events,
        error => !defined $error ? 'no error'
            : ref $error && $error->isa('Sealing::Error') && $error->is_fatal ? $error->kind . ' at ' . $error->offset
            : "unexpected error: $error",
    };
}

sub vector_event {
    my ($event) = @_;
    return { type => 'message', hex => unpack('H*', $event->{payload}) } if $event->{type} eq 'message';
    return { type => 'closed' } if $event->{type} eq 'closed';
    return {
        type => 'established', handshake_hash_hex => unpack('H*', $event->{handshake_hash}),
        (defined $event->{peer_static} ? (peer_static_hex => unpack('H*', $event->{peer_static})) : ()),
    };
}
