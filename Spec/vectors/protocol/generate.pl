#!/usr/bin/perl
# Writes the session protocol's byte-level vectors (messages.json) in this folder: each
# message of Spec/protocol.md §5 as a Perl peer writes it, framed by
# POE::Filter::Reference 1.37's own `put` in each serializer POE offers (Storable's
# nfreeze, Storable's native freeze, JSON::XS and YAML::XS through freeze/thaw objects;
# YAML.pm), and what a reader must make of it: the message it is (`cmd`) or the error code
# of §6 it earns on its own, whoever reads it. The ids fit the conversations of
# Spec/scenarios/vectors.json, which send and receive these very frames: listing 4 and its
# ok, subscribe 5, deliver 6 and its results, rescind 7 and its error.
#
#   perl Spec/vectors/protocol/generate.pl            # rewrite messages.json
#   perl Spec/vectors/protocol/generate.pl --check    # fail if it is out of date
#
# Needs perl 5.36 with POE, JSON::XS, YAML and YAML::XS (Debian: libpoe-perl,
# libjson-xs-perl, libyaml-perl, libyaml-libyaml-perl).
use strict;
use warnings;
use utf8;
use File::Basename qw(dirname);
use File::Spec;
use lib dirname(File::Spec->rel2abs(__FILE__)) . '/..';
use VectorFiles;
use JSON::XS ();
use POE::Filter::Reference;
use Scalar::Util qw(blessed reftype);
use YAML ();
use YAML::XS ();

my $check_only = grep { $_ eq '--check' } @ARGV;
# Keys in sorted order, so that the file is the same on every run (POE's nfreeze honours it).
$Storable::canonical = 1;
my $folder = dirname(File::Spec->rel2abs(__FILE__));

# Storable's native byte order for POE::Filter::Reference, which itself uses nfreeze.
package NativeStorableSerializer {
    sub new { bless {}, shift }
    sub freeze { Storable::freeze($_[1]) }
    sub thaw { Storable::thaw($_[1]) }
}

# JSON for POE::Filter::Reference: an object with freeze and thaw, canonical.
package JSONSerializer {
    my $codec = JSON::XS->new->utf8->canonical;
    sub new { bless {}, shift }
    sub freeze { $codec->encode($_[1]) }
    sub thaw { $codec->decode($_[1]) }
}

# YAML::XS for POE::Filter::Reference: its Dump and Load, through an object (POE finds
# no freeze or thaw in the package itself).
package YAMLXSSerializer {
    sub new { bless {}, shift }
    sub freeze { YAML::XS::Dump($_[1]) }
    sub thaw { YAML::XS::Load($_[1]) }
}

my %filters = (
    nstorable => POE::Filter::Reference->new(),
    storable => POE::Filter::Reference->new(Serializer => NativeStorableSerializer->new),
    json => POE::Filter::Reference->new(Serializer => JSONSerializer->new),
    yaml => POE::Filter::Reference->new(Serializer => 'YAML'),
    yamlxs => POE::Filter::Reference->new(Serializer => YAMLXSSerializer->new),
);
my @formats = qw(nstorable storable json yaml yamlxs);

# Whether JSON can carry the value (no objects, no references but arrays and hashes).
sub json_can {
    my ($value) = @_;
    return 1 unless ref $value;
    return 0 if blessed $value;
    my $type = reftype $value;
    return !grep { !json_can($_) } @$value if $type eq 'ARRAY';
    return !grep { !json_can($_) } values %$value if $type eq 'HASH';
    return 0;
}

my $limits = {
    max_message_id => 2147483647, max_name_length => 255, max_aliases_per_connection => 64,
    max_methods_per_alias => 256, max_subscriptions_per_connection => 256,
    max_in_flight_per_connection => 1024, max_violations_per_connection => 16,
};

# [name, description, value, expectation]: expectation is a command or `!error_code`.
my @cases = (
    [hello => 'a hello offering every choice', { cmd => 'hello', id => 1, versions => [1], serializers => ['nstorable', 'json'], compression => ['none', 'zlib'], sealing => 'none', name => 'front end' }, 'hello'],
    [hello_minimal => 'a hello with only the required fields', { cmd => 'hello', id => 0, versions => [1] }, 'hello'],
    [welcome => 'a welcome with the limits of §7', { cmd => 'welcome', re => 1, version => 1, serializer => 'nstorable', compression => 'none', sealing => 'none', limits => $limits }, 'welcome'],
    [ping_apache => 'Apache::Backend::POE\'s ping: a blessed Apache::Backend::POE::Message', bless({ cmd => 'ping', time => 1795320897, id => 3, created => 1795320897, send_time => 1795320897 }, 'Apache::Backend::POE::Message'), 'ping'],
    [ping => 'a plain ping with an id', { cmd => 'ping', id => 2 }, 'ping'],
    [pong => 'a pong as the server writes it, with event for Apache::Backend::POE', { cmd => 'pong', event => 'pong', re => 2 }, 'pong'],
    [publish => 'publish an alias and its methods', { cmd => 'publish', id => 4, alias => 'search', methods => ['find', 'count'] }, 'publish'],
    [rescind => 'rescind an alias', { cmd => 'rescind', id => 7, alias => 'search' }, 'rescind'],
    [listing => 'ask for the published aliases', { cmd => 'listing', id => 4 }, 'listing'],
    [subscribe => 'subscribe to an alias', { cmd => 'subscribe', id => 5, alias => 'search' }, 'subscribe'],
    [unsubscribe => 'unsubscribe from an alias', { cmd => 'unsubscribe', id => 8, alias => 'search' }, 'unsubscribe'],
    [deliver => 'deliver a call with a nested payload', { cmd => 'deliver', id => 6, alias => 'search', method => 'find', payload => { terms => ['caf', 'bar'], limit => 10, filters => undef } }, 'deliver'],
    [result_success => 'a successful result with a payload', { cmd => 'result', re => 6, success => 1, payload => [1, 2, 3] }, 'result'],
    [result_failure => 'a failed result with its code and text', { cmd => 'result', re => 6, success => 0, code => 'failed', text => 'no index' }, 'result'],
    [ok_listing => 'the reply to listing', { cmd => 'ok', re => 4, aliases => ['search', 'store'] }, 'ok'],
    [error => 'an error reply', { cmd => 'error', re => 7, code => 'unknown_alias', text => 'no alias search' }, 'error'],
    [rescinded => 'the notice to subscribers of a rescinded alias', { cmd => 'rescinded', alias => 'search', code => 'rescinded' }, 'rescinded'],
    [cancel => 'the notice that a held delivery is cancelled', { cmd => 'cancel', re => 12, code => 'subscriber_gone' }, 'cancel'],
    [bye => 'bye', { cmd => 'bye', id => 10 }, 'bye'],
    [ids_as_strings => 'ids as Perl returns them from hash keys: decimal strings', { cmd => 'subscribe', id => '11', alias => 'search' }, 'subscribe'],
    [not_a_hash => 'an array is not a message', ['cmd', 'ping'], '!malformed_message'],
    [no_cmd => 'a hash without cmd', { id => 1, alias => 'search' }, '!malformed_message'],
    [unknown_cmd => 'a cmd no role accepts', { cmd => 'frobnicate', id => 1 }, '!unknown_command'],
    [negative_id => 'a negative id', { cmd => 'listing', id => -1 }, '!invalid_id'],
    [leading_zero_id => 'an id in non-canonical decimal', { cmd => 'listing', id => '07' }, '!invalid_id'],
    [fractional_id => 'an id that is not an integer', { cmd => 'listing', id => 1.5 }, '!invalid_id'],
    [versions_not_array => 'hello with versions not an array', { cmd => 'hello', id => 1, versions => 1 }, '!malformed_message'],
    [publish_methods_not_array => 'publish with methods not an array', { cmd => 'publish', id => 1, alias => 'search', methods => 'find' }, '!malformed_message'],
);

my @vectors;
for my $case (@cases) {
    my ($name, $description, $value, $expectation) = @$case;
    my %frames;
    for my $format (@formats) {
        next if $format eq 'json' && !json_can($value);
        my ($frame) = @{ $filters{$format}->put([$value]) };
        # POE must read its own frame back as the same message.
        my $back = $filters{$format}->get([$frame]);
        die "$name: POE read $format back as " . scalar(@$back) . " messages\n" unless @$back == 1;
        $frames{$format} = unpack('H*', $frame);
    }
    my %expect = $expectation =~ /^!(.+)/ ? (error => $1) : (cmd => $expectation);
    push @vectors, { name => $name, description => $description, frames => \%frames, expect => \%expect };
}

my @key_order = qw(format generated_by topic poe_version vectors name description frames nstorable storable json yaml yamlxs expect cmd error);
my @documents = ([
    'messages.json',
    {
        format => 1,
        generated_by => 'Spec/vectors/protocol/generate.pl',
        topic => 'the messages of Spec/protocol.md as POE::Filter::Reference frames them, and what a reader makes of each',
        poe_version => $POE::Filter::Reference::VERSION // $POE::VERSION,
        vectors => \@vectors,
    },
]);
exit VectorFiles::write_all(folder => $folder, files => \@documents, check_only => $check_only, key_order => \@key_order, name_width => 18);
