package SessionProtocol;
# SessionProtocol: what session_server.pl and session_client.pl share, written from
# Spec/protocol.md (version 1) and Spec/payloads.md alone.
#
#   SessionProtocol::Serializer  a serializer object for POE::Filter::Reference
#                                (freeze/thaw methods): writes one named format
#                                (nstorable, storable, json, yaml, yamlxs) and reads any
#                                of them by sniffing (payloads.md §2). thaw never dies: it
#                                returns a SessionProtocol::Frame holding the value or the
#                                reason the payload did not decode, so that an unreadable
#                                frame (malformed_payload) is told apart from a message
#                                that is not a hash (malformed_message).
#   parse_integer, is_name       the readers of protocol.md §2 and §7
#   parse_message                checks a message against the tables of §5.1 (from a
#                                client) or §5.2 (from a server)
#   %DEFAULT_LIMITS, @LIMIT_KEYS §7
#   sealing_arguments            the KEY=VALUE sealing options as Sealing->new's arguments
#   SessionProtocol::SealedLink  a sealed connection (Spec/sealing.md, Sealing.pm): what
#                                POE::Filter::Reference does, with every payload sealed
use strict;
use warnings;
use B ();
use Scalar::Util qw(blessed reftype looks_like_number);
use Storable ();
use JSON::XS ();
use YAML ();
use YAML::XS ();
use Exporter 'import';

our @EXPORT_OK = qw(parse_integer is_name parse_message message_id truth
    %DEFAULT_LIMITS @LIMIT_KEYS @SERIALIZERS @COMPRESSIONS %CLIENT_COMMANDS %SERVER_COMMANDS
    frame_filter from_notation sealing_arguments @SEALING_KEYS);

# Objects travel as data: YAML.pm and YAML::XS leave tagged nodes unblessed unless told.
{ no warnings 'once'; $YAML::LoadBlessed = 1; $YAML::XS::LoadBlessed = 1; }

our @LIMIT_KEYS = qw(max_message_id max_name_length max_aliases_per_connection
    max_methods_per_alias max_subscriptions_per_connection max_in_flight_per_connection
    max_violations_per_connection);
our %DEFAULT_LIMITS = (
    max_message_id => 2147483647,
    max_name_length => 256,
    max_aliases_per_connection => 64,
    max_methods_per_alias => 256,
    max_subscriptions_per_connection => 256,
    max_in_flight_per_connection => 1024,
    max_violations_per_connection => 16,
);
our @SERIALIZERS = qw(nstorable storable json yaml yamlxs);
our @COMPRESSIONS = qw(none zlib);

# ---------------------------------------------------------------------------------------
# Scalars (protocol.md §2)

# An integer in 0..$max: an IV, a UV, an integral NV, or a canonical decimal string.
# Returns the integer, or undef when $value is not one.
sub parse_integer {
    my ($value, $max) = @_;
    return undef if !defined $value || ref $value;
    my $flags = B::svref_2object(\$value)->FLAGS;
    my $numeric = ($flags & (B::SVf_IOK() | B::SVf_NOK())) && !($flags & B::SVf_POK());
    if ($numeric) {
        return undef unless $value == int($value) && $value >= 0 && $value <= $max;
        return 0 + sprintf('%.0f', $value) if $flags & B::SVf_NOK() && !($flags & B::SVf_IOK());
        return 0 + $value;
    }
    return undef unless $value =~ /\A(?:0|[1-9][0-9]{0,18})\z/;
    return undef if length($value) > length($max) || (length($value) == length($max) && $value gt $max);
    return 0 + $value;
}

# A name: a non-empty string (an integer reads as its decimal text) of at most $max
# characters. References (arrays, objects, JSON booleans) are not names.
sub is_name {
    my ($value, $max) = @_;
    return 0 if !defined $value || ref $value;
    my $length = length("$value");
    return $length >= 1 && $length <= $max;
}

# Perl's truth, for `success`: JSON booleans are objects with a bool overload.
sub truth { $_[0] ? 1 : 0 }

# The id of a message if readable (used for `re` in errors), else undef.
sub message_id {
    my ($message, $max) = @_;
    return undef unless (reftype($message) // '') eq 'HASH' && exists $message->{id};
    return parse_integer($message->{id}, $max);
}

# ---------------------------------------------------------------------------------------
# Message tables (protocol.md §5). Field kinds:
#   id      the request id (checked separately: invalid_id)
#   int     an integer (0..max_message_id)
#   ints    a non-empty array of integers
#   string  a defined non-reference scalar
#   strings an array of strings
#   name    a defined value, checked as a name by the command itself (invalid_name)
#   array   an array reference (its elements checked by the command)
#   hash    a hash reference
#   bool    any value (Perl's truth)
#   any     any value
# A trailing '?' marks an optional field.

our %CLIENT_COMMANDS = (
    hello       => { id => 'id', versions => 'ints', serializers => 'strings?', compression => 'strings?', sealing => 'string?', name => 'string?' },
    ping        => { id => 'id?', time => 'any?' },
    publish     => { id => 'id', alias => 'name', methods => 'array' },
    rescind     => { id => 'id', alias => 'name' },
    listing     => { id => 'id' },
    subscribe   => { id => 'id', alias => 'name' },
    unsubscribe => { id => 'id', alias => 'name' },
    deliver     => { id => 'id', alias => 'name', method => 'name', payload => 'any?' },
    result      => { re => 'int', success => 'bool', payload => 'any?', code => 'string?', text => 'string?' },
    bye         => { id => 'id?' },
    pong        => { re => 'int?' },
);

our %SERVER_COMMANDS = (
    welcome   => { re => 'int', version => 'int', serializer => 'string?', compression => 'string?', sealing => 'string', name => 'string?', limits => 'hash' },
    pong      => { event => 'string', re => 'int?', time => 'any?' },
    ok        => { re => 'int', alias => 'string?', methods => 'strings?', aliases => 'strings?' },
    error     => { re => 'int?', code => 'string', text => 'string' },
    deliver   => { id => 'id', alias => 'string', method => 'string', payload => 'any?' },
    result    => { re => 'int', success => 'bool', payload => 'any?', code => 'string?', text => 'string?' },
    rescinded => { alias => 'string', code => 'string' },
    cancel    => { re => 'int', code => 'string' },
    ping      => { id => 'id', time => 'any?' },
    bye       => { code => 'string', text => 'string' },
);

# parse_message($message, $table, $max_id) checks a message's shape. Returns a hash:
#   { ok => 1, cmd => ..., id => ... (the request id, if any) }
# or { code => ..., re => ... (the readable id, if any), text => ... } where code is
# malformed_message, unknown_command or invalid_id. Semantic checks (names, the session
# state) are the caller's.
sub parse_message {
    my ($message, $table, $max) = @_;
    return { code => 'malformed_message', text => 'a message is a hash' }
        unless (reftype($message) // '') eq 'HASH';
    my $re = message_id($message, $max);
    my $cmd = $message->{cmd};
    return { code => 'malformed_message', re => $re, text => 'the message has no cmd' }
        if !defined $cmd;
    return { code => 'malformed_message', re => $re, text => 'cmd is not a string' }
        if ref $cmd;
    my $spec = $table->{$cmd};
    return { code => 'unknown_command', re => $re, text => "unknown command \"$cmd\"" }
        unless $spec;
    my $id;
    if (my $kind = $spec->{id}) {
        if (exists $message->{id}) {
            $id = parse_integer($message->{id}, $max);
            return { code => 'invalid_id', text => "$cmd: id is not an integer from 0 to $max" }
                unless defined $id;
        } elsif ($kind eq 'id') {
            return { code => 'invalid_id', text => "$cmd: the request has no id" };
        }
    }
    for my $field (sort keys %$spec) {
        next if $field eq 'id';
        my ($kind, $optional) = $spec->{$field} =~ /\A(\w+)(\?)?\z/;
        unless (exists $message->{$field}) {
            next if $optional;
            return { code => 'malformed_message', re => $id, cmd => $cmd, text => "$cmd: $field is missing" };
        }
        my $value = $message->{$field};
        my $problem = field_problem($kind, $value, $max);
        return { code => 'malformed_message', re => $id, cmd => $cmd, text => "$cmd: $field $problem" }
            if defined $problem;
    }
    return { ok => 1, cmd => $cmd, id => $id };
}

sub field_problem {
    my ($kind, $value, $max) = @_;
    my $type = reftype($value) // '';
    if ($kind eq 'int') {
        return defined parse_integer($value, $max) ? undef : "is not an integer from 0 to $max";
    } elsif ($kind eq 'ints') {
        return 'is not an array' unless $type eq 'ARRAY';
        return 'is empty' unless @$value;
        for (@$value) { return 'holds a non-integer' unless defined parse_integer($_, ~0) }
        return undef;
    } elsif ($kind eq 'string') {
        return (defined $value && !ref $value) ? undef : 'is not a string';
    } elsif ($kind eq 'strings') {
        return 'is not an array' unless $type eq 'ARRAY';
        for (@$value) { return 'holds a non-string' unless defined $_ && !ref $_ }
        return undef;
    } elsif ($kind eq 'name') {
        return defined $value ? undef : 'is undefined';
    } elsif ($kind eq 'array') {
        return $type eq 'ARRAY' ? undef : 'is not an array';
    } elsif ($kind eq 'hash') {
        return $type eq 'HASH' ? undef : 'is not a hash';
    }
    return undef;    # bool, any
}

# A value in the scenario notation (Spec/scenarios/README.md, "Values"; JSON decoded by
# JSON::XS) as the Perl value it stands for. $id and $any are the caller's business.
# JSON booleans become 1 and 0 (Storable 3.26 has no booleans to write).
sub from_notation {
    my ($node) = @_;
    if (ref $node eq 'HASH') {
        my @keys = keys %$node;
        if (@keys && !grep { !/\A\$/ } @keys) {
            return pack('H*', $node->{'$bytes'}) if exists $node->{'$bytes'};
            return bless from_notation($node->{'$value'}), $node->{'$bless'} if exists $node->{'$bless'};
            return perl_node($node->{'$perl'}) if exists $node->{'$perl'};
            die "unsupported escape @keys\n";
        }
        return { map { $_ => from_notation($node->{$_}) } @keys };
    }
    return [map { from_notation($_) } @$node] if ref $node eq 'ARRAY';
    return $node ? 1 : 0 if JSON::XS::is_bool($node);
    return $node;
}

# The value notation of Spec/vectors/storable/README.md ("Values"), for the kinds a
# message can hold (no sharing, holes, regexps, code or hooks).
sub perl_node {
    my ($n) = @_;
    my $type = $n->{type} // '';
    return undef if $type eq 'undef';
    return $n->{value} ? !!1 : !!0 if $type eq 'bool';
    return 0 + $n->{value} if $type eq 'int' || $type eq 'uint';
    if ($type eq 'double') {
        return 9**9**9 if $n->{value} eq 'inf';
        return -9**9**9 if $n->{value} eq '-inf';
        return 0 + $n->{value};
    }
    return pack('H*', $n->{hex}) if $type eq 'bytes';
    if ($type eq 'string') { my $s = "$n->{value}"; utf8::upgrade($s); return $s }
    return [map { perl_node($_) } @{ $n->{elements} }] if $type eq 'array';
    return { map { (perl_node($_->{key}) => perl_node($_->{value})) } @{ $n->{entries} } } if $type eq 'hash';
    if ($type eq 'scalar_ref') { my $v = perl_node($n->{value}); return \$v }
    return bless perl_node($n->{value}), $n->{class} if $type eq 'blessed';
    die "unsupported value node $type\n";
}

# ---------------------------------------------------------------------------------------
# Sealing options (Spec/sealing.md §7 and §8), shared by the server and the client:
#   sealing=MODE     psk, static_keys or static_keys_and_psk (none, the default: unsealed)
#   psk_file=PATH    the pre-shared key file (psk modes)
#   key_file=PATH    this side's static private key file (static modes)
#   trust=KEY,...    the peer public keys to accept, each 64 hex digits or a .pub file
our @SEALING_KEYS = qw(sealing psk_file key_file trust);

# The Sealing->new arguments (but the role) that the sealing options describe, or () for
# an unsealed channel. Dies when a key cannot be read or the mode lacks one it needs.
sub sealing_arguments {
    my (%options) = @_;
    my $mode = $options{sealing} // 'none';
    if ($mode eq 'none') {
        die "psk_file, key_file and trust need sealing=MODE\n" if grep { defined $options{$_} } qw(psk_file key_file trust);
        return ();
    }
    require Sealing;
    my @arguments = (
        mode => $mode,
        (defined $options{psk_file} ? (psk => Sealing::read_key_file($options{psk_file})) : ()),
        (defined $options{key_file} ? (static_private => Sealing::read_key_file($options{key_file})) : ()),
        (defined $options{trust} ? (trusted => [map { trusted_key($_) } split /,/, $options{trust}]) : ()),
    );
    Sealing->new(role => 'initiator', @arguments);    # refuses a configuration the mode cannot use
    return @arguments;
}

sub trusted_key {
    my ($entry) = @_;
    return Sealing::read_key_file($entry) if $entry =~ /\.pub\z/;
    return Sealing::parse_key($entry) // die "trust: $entry is neither 64 hex digits nor a .pub file\n";
}

# A POE::Filter::Reference over one connection's serializer object.
sub frame_filter {
    my ($serializer, $compression) = @_;
    require POE::Filter::Reference;
    return POE::Filter::Reference->new(
        Serializer => $serializer,
        Compression => $compression ? 1 : 0,
        NoFatals => 1,
        MaxBuffer => 64 * 1024 * 1024,
    );
}

# ---------------------------------------------------------------------------------------
package SessionProtocol::SealedLink;
# One sealed connection: a Sealing channel with the connection's serializer object and
# compression. It does what POE::Filter::Reference does on an unsealed connection
# (freeze, compress; uncompress, thaw), with each payload sealed as one frame. The
# channel frames the sealed bytes itself, so the connection's POE filter is
# POE::Filter::Stream and everything written comes from here, in order.
use Compress::Zlib ();

# new(channel => Sealing, serializer => SessionProtocol::Serializer, zlib => 0|1)
sub new {
    my ($class, %args) = @_;
    return bless {%args}, $class;
}

sub set_zlib       { $_[0]{zlib} = $_[1] }
sub is_established { $_[0]{channel}->is_established }

# What to write first: message 1 for an initiator, nothing for a responder.
sub start {
    my ($self) = @_;
    $self->{channel}->start;
    return $self->{channel}->take_output;
}

# Feeds bytes from the peer. Returns the events (Sealing.pm's); a sealing failure ends
# the list as {type => 'error', error => Sealing::Error}, after every event before it.
# Then write pending_output (the handshake's answers). A message's payload is thawed only
# when its turn comes (thaw), since the message before it may switch the compression.
sub receive {
    my ($self, $bytes) = @_;
    return $self->events(sub { $self->{channel}->feed($bytes) });
}

# The connection has ended: `truncated` unless the peer's FINAL frame came first.
sub finish {
    my ($self) = @_;
    return $self->events(sub { $self->{channel}->finish });
}

sub events {
    my ($self, $action) = @_;
    my @events;
    my $ok = eval {
        $action->();
        while (my $event = $self->{channel}->next_event) {
            push @events, $event;
        }
        1;
    };
    push @events, { type => 'error', error => $@ } unless $ok;
    return @events;
}

# A message's payload as a SessionProtocol::Frame. As with POE::Filter::Reference, a
# payload that does not inflate is thawed as undef, which the serializer object reports
# as an unreadable frame.
sub thaw {
    my ($self, $payload) = @_;
    return $self->{serializer}->thaw($self->{zlib} ? Compress::Zlib::uncompress($payload) : $payload);
}

# The bytes that carry $message. Dies if the channel cannot seal (not established,
# failed, closed, or the payload is over the limit).
sub frame_for {
    my ($self, $message) = @_;
    my $payload = $self->{serializer}->freeze($message);
    $payload = Compress::Zlib::compress($payload) if $self->{zlib};
    $self->{channel}->seal($payload);
    return $self->{channel}->take_output;
}

sub pending_output { $_[0]{channel}->take_output }

# The last bytes to write: the FINAL frame once established (a failed or unfinished
# channel has none to send).
sub close_output {
    my ($self) = @_;
    my $channel = $self->{channel};
    $channel->close if $channel->is_established && !$channel->error;
    return $channel->take_output;
}

# ---------------------------------------------------------------------------------------
package SessionProtocol::Frame;
# What SessionProtocol::Serializer::thaw returns: {value => V, format => NAME} or
# {error => TEXT}. Made only by thaw, so no peer can forge one.
sub value  { $_[0]{value} }
sub error  { $_[0]{error} }
sub format { $_[0]{format} }

# ---------------------------------------------------------------------------------------
package SessionProtocol::Serializer;
use Scalar::Util qw(blessed);

my $json_writer = JSON::XS->new->utf8->allow_nonref->allow_blessed->allow_unknown;
my $json_reader = JSON::XS->new->utf8;

# new(NAME): writes NAME; reads anything it can sniff.
sub new {
    my ($class, $name) = @_;
    die "unknown serializer $name\n" unless grep { $_ eq $name } @SessionProtocol::SERIALIZERS;
    return bless { name => $name, sniffed => undef }, $class;
}
sub name { $_[0]{name} }
sub set_name { $_[0]{name} = $_[1] }
# The format the last readable frame was in (storable, nstorable, json or yaml).
sub sniffed { $_[0]{sniffed} }

sub freeze {
    my ($self, $value) = @_;
    my $name = $self->{name};
    return Storable::nfreeze($value) if $name eq 'nstorable';
    return Storable::freeze($value) if $name eq 'storable';
    return $json_writer->encode($value) if $name eq 'json';
    if ($name eq 'yamlxs') {
        return YAML::XS::Dump($value);    # UTF-8 bytes
    }
    # yaml: YAML.pm's text as POE::Filter::Reference writes it: the bytes Perl holds
    # (payloads.md §1): Latin-1 when every character fits in a byte, else UTF-8.
    my $text = YAML::Dump($value);
    utf8::encode($text) unless utf8::downgrade($text, 1);
    return $text;
}

sub thaw {
    my ($self, $bytes) = @_;
    my $frame = sub { bless {@_}, 'SessionProtocol::Frame' };
    return $frame->(error => 'the payload did not inflate as a zlib stream') unless defined $bytes;
    return $frame->(error => 'empty payload') unless length $bytes;
    my $first = ord $bytes;
    if (substr($bytes, 0, 4) eq 'pst0' || ($first >= 0x02 && $first <= 0x0F)) {
        my $image = substr($bytes, 0, 4) eq 'pst0' ? substr($bytes, 4) : $bytes;
        my $value = eval { local $SIG{__DIE__}; local $SIG{__WARN__} = sub { }; Storable::thaw($image) };
        return $frame->(error => "Storable: " . ($@ || 'did not thaw')) if $@ || !defined $value;
        $self->{sniffed} = (ord($image) & 1) ? 'nstorable' : 'storable';
        return $frame->(value => $value, format => $self->{sniffed});
    }
    return $frame->(error => 'Sereal is not supported')
        if $bytes =~ /\A(?:=srl|=\xF3rl|=\xC3\xB3rl)/;
    (my $text = $bytes) =~ s/\A\xEF\xBB\xBF//;
    if ($text =~ /\A(?:---|%YAML)/) {
        # yaml is POE's YAML: YAML.pm loads the bytes as they came, each byte one
        # character (payloads.md §1). Otherwise the text is UTF-8 (yamlxs), read by
        # YAML::XS, or by YAML.pm where YAML::XS refuses it.
        my $value;
        if ($self->{name} eq 'yaml') {
            $value = eval { local $SIG{__DIE__}; local $SIG{__WARN__} = sub { }; YAML::Load($bytes) };
            return $frame->(error => "YAML: $@") if $@;
            $self->{sniffed} = 'yaml';
            return $frame->(value => $value, format => 'yaml');
        }
        $value = eval { local $SIG{__DIE__}; local $SIG{__WARN__} = sub { }; YAML::XS::Load($text) };
        if ($@) {
            # Not UTF-8 (a Latin-1 peer) or a YAML.pm-only construct: YAML.pm reads the
            # bytes as POE's filter would hand them over.
            $value = eval { local $SIG{__DIE__}; local $SIG{__WARN__} = sub { }; YAML::Load($text) };
            return $frame->(error => "YAML: $@") if $@;
        }
        $self->{sniffed} = 'yaml';
        return $frame->(value => $value, format => 'yaml');
    }
    if ($text =~ /\A[ \t\r\n]*[\[{]/) {
        my $value = eval { local $SIG{__DIE__}; $json_reader->decode($bytes) };
        return $frame->(error => "JSON: $@") if $@;
        $self->{sniffed} = 'json';
        return $frame->(value => $value, format => 'json');
    }
    return $frame->(error => 'the payload is in no known format');
}

1;
