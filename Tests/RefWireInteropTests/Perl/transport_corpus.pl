#!/usr/bin/perl
# transport_corpus.pl COUNT SEED SERIALIZER
#
# Prints TransportCorpus's COUNT messages for SEED (as poe_server.pl and poe_client.pl
# generate them), one per line as the hex of its nfreeze image, so that the Swift side of
# the transport interop tests sends exactly the messages the Perl peer expects.
use strict;
use warnings;
use FindBin ();
use lib $FindBin::Bin;
use Storable qw(nfreeze);
use TransportCorpus qw(messages);

my ($count, $seed, $serializer) = @ARGV;
die "usage: transport_corpus.pl COUNT SEED SERIALIZER\n" unless defined $serializer;
print unpack('H*', nfreeze($_)), "\n" for messages($count, $seed, $serializer);
