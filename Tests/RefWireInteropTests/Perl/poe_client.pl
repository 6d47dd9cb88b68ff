#!/usr/bin/perl
# poe_client.pl PORT SERIALIZER COMPRESSION COUNT SEED WINDOW
#
# A real POE TCP client (POE::Component::Client::TCP with POE::Filter::Reference) for
# the transport interop tests: connects to 127.0.0.1:PORT, sends an Apache::Backend::POE
# ping and expects a hash whose `event` is `pong`, then sends TransportCorpus's COUNT
# messages for SEED, keeping up to WINDOW of them in flight, and checks that the reply
# to message M is {seq => M's seq, echo => M} (the same data as Perl sees it), in order.
#
#   SERIALIZER   nstorable (POE's default) or yaml (YAML.pm)
#   COMPRESSION  1 for Compression => 1, 0 without
#
# Prints one line: sent=N received=R pongs=P mismatches=M, and exits 0 when every
# message was answered correctly. Gives up after REFWIRE_POE_SECONDS (default 120).
use strict;
use warnings;
use FindBin ();
use lib $FindBin::Bin;
use POE qw(Component::Client::TCP Filter::Reference);
use SameData qw(same_data);
use TransportCorpus qw(messages);

# YAML.pm leaves tagged hashes unblessed unless told (since 1.25); a POE peer that
# exchanges objects over YAML sets this, as these do.
{ no warnings "once"; $YAML::LoadBlessed = 1 }

my ($port, $serializer, $compression, $count, $seed, $window) = @ARGV;
die "usage: poe_client.pl PORT nstorable|yaml 0|1 COUNT SEED WINDOW\n"
    unless defined $window && $serializer =~ /^(nstorable|yaml)$/;
my @messages = messages($count, $seed, $serializer);
my %stats = (sent => 0, received => 0, pongs => 0, mismatches => 0);
my $failure;

sub mismatch {
    $stats{mismatches}++;
    warn "$_[0]\n" if $stats{mismatches} <= 10;
}

sub fill_window {
    my ($heap) = @_;
    while ($stats{sent} < @messages && $stats{sent} - $stats{received} < $window) {
        $heap->{server}->put($messages[$stats{sent}++]);
    }
}

POE::Component::Client::TCP->new(
    RemoteAddress => '127.0.0.1',
    RemotePort => $port,
    Filter => POE::Filter::Reference->new(
        Serializer => $serializer eq 'yaml' ? 'YAML' : undef,
        Compression => $compression,
    ),
    Connected => sub {
        $_[HEAP]{server}->put({ cmd => 'ping', time => time });
        $_[KERNEL]->delay(give_up => $ENV{REFWIRE_POE_SECONDS} || 120);
    },
    ConnectError => sub { $failure = "cannot connect: $_[ARG2]"; $_[KERNEL]->yield('shutdown') },
    ServerError => sub {
        $failure //= "connection lost: $_[ARG2]" if $_[ARG1];
        $failure //= 'the server closed the connection' if $stats{received} < @messages;
        $_[KERNEL]->yield('shutdown');
    },
    ServerInput => sub {
        my ($kernel, $heap, $reply) = @_[KERNEL, HEAP, ARG0];
        if (!$stats{pongs}) {
            if (ref $reply eq 'HASH' && ($reply->{event} // '') eq 'pong') { $stats{pongs}++ }
            else { mismatch('the first reply is not a pong') }
            fill_window($heap);
            return;
        }
        my $message = $messages[$stats{received}++];
        my $problem = ref $reply ne 'HASH' ? 'the reply is not a hash'
            : same_data($message->{seq}, $reply->{seq}, '$reply->{seq}')
            // same_data($message, $reply->{echo}, '$reply->{echo}');
        mismatch("reply $stats{received}: $problem") if defined $problem;
        if ($stats{received} == @messages) {
            $kernel->delay('give_up');
            $kernel->yield('shutdown');
            return;
        }
        fill_window($heap);
    },
    InlineStates => {
        give_up => sub { $failure = 'timed out'; $_[KERNEL]->yield('shutdown') },
    },
);

POE::Kernel->run;
print join(' ', map { "$_=$stats{$_}" } qw(sent received pongs mismatches)), "\n";
warn "failure: $failure\n" if defined $failure;
exit(defined $failure || $stats{mismatches} || $stats{received} != @messages ? 1 : 0);
