#!/usr/bin/perl
# poe_server.pl PORT SERIALIZER COMPRESSION MODE [COUNT SEED]
#
# A real POE TCP server (POE::Component::Server::TCP with POE::Filter::Reference) for
# the transport interop tests and the load benchmark. Listens on 127.0.0.1:PORT (0: any
# free port) and prints the bound port as the first line of standard output.
#
#   SERIALIZER   nstorable (POE's default, Storable's nfreeze/thaw) or yaml (YAML.pm)
#   COMPRESSION  1 for Compression => 1, 0 without
#   MODE         echo: answer every message with the same message
#                check: answer message M with {seq => M's seq, echo => M}, and check
#                that the messages of each connection are TransportCorpus's COUNT
#                messages for SEED, in order
#
# In both modes a hash {cmd => 'ping', ...} is answered {event => 'pong', time => ...},
# as the servers Apache::Backend::POE talks to do.
#
# The server stops when its standard input ends (the test closes it) or on SIGTERM, and in
# any case after REFWIRE_POE_SECONDS (default 600) seconds. On stopping it prints one line:
#   connections=C received=N pings=P mismatches=M
# and exits 0 when nothing mismatched. Details of mismatches go to standard error.
use strict;
use warnings;
use FindBin ();
use lib $FindBin::Bin;
use POE qw(Component::Server::TCP Filter::Reference);
use Scalar::Util qw(reftype);
use Socket qw(unpack_sockaddr_in);
use SameData qw(same_data);
use TransportCorpus qw(messages);

# YAML.pm leaves tagged hashes unblessed unless told (since 1.25); a POE peer that
# exchanges objects over YAML sets this, as these do.
{ no warnings "once"; $YAML::LoadBlessed = 1 }

my ($port, $serializer, $compression, $mode, $count, $seed) = @ARGV;
die "usage: poe_server.pl PORT nstorable|yaml 0|1 echo|check [COUNT SEED]\n"
    unless defined $mode && $serializer =~ /^(nstorable|yaml)$/ && $mode =~ /^(echo|check)$/;
my @expected = $mode eq 'check' ? messages($count, $seed, $serializer) : ();
my %stats = (connections => 0, received => 0, pings => 0, mismatches => 0);
$| = 1;

POE::Component::Server::TCP->new(
    Alias => 'server',
    Address => '127.0.0.1',
    Port => $port,
    ClientFilter => POE::Filter::Reference->new(
        Serializer => $serializer eq 'yaml' ? 'YAML' : undef,
        Compression => $compression,
    ),
    Started => sub {
        my ($bound) = unpack_sockaddr_in($_[HEAP]{listener}->getsockname);
        print "$bound\n";
    },
    ClientConnected => sub { $stats{connections}++; $_[HEAP]{next} = 0 },
    ClientInput => sub {
        my ($heap, $message) = @_[HEAP, ARG0];
        if ((reftype($message) // '') eq 'HASH' && ($message->{cmd} // '') eq 'ping') {
            $stats{pings}++;
            $heap->{client}->put({ event => 'pong', time => $message->{time} });
            return;
        }
        $stats{received}++;
        if ($mode eq 'echo') {
            $heap->{client}->put($message);
            return;
        }
        my $index = $heap->{next}++;
        my $problem = $index < @expected ? same_data($expected[$index], $message)
            : "message " . ($index + 1) . " is past the corpus's $count";
        if (defined $problem) {
            $stats{mismatches}++;
            warn "mismatch in message ", $index + 1, ": $problem\n" if $stats{mismatches} <= 10;
        }
        my $seq = (reftype($message) // '') eq 'HASH' ? $message->{seq} : undef;
        $heap->{client}->put({ seq => $seq, echo => $message });
    },
    ClientError => sub { },  # a peer's reset is a disconnection like any other
);

POE::Session->create(inline_states => {
    _start => sub {
        $_[KERNEL]->select_read(\*STDIN, 'stdin');
        $_[KERNEL]->sig(TERM => 'stop');
        $_[KERNEL]->delay(stop => $ENV{REFWIRE_POE_SECONDS} || 600);
    },
    stdin => sub {
        my $read = sysread(STDIN, my $ignored, 4096);
        $_[KERNEL]->yield('stop') unless $read;
    },
    stop => sub {
        print join(' ', map { "$_=$stats{$_}" } qw(connections received pings mismatches)), "\n";
        exit($stats{mismatches} ? 1 : 0);
    },
});

POE::Kernel->run;
