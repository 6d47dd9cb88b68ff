#!/usr/bin/perl
# session_server.pl SERIALIZER COMPRESSION PORT [KEY=VALUE...]
#
# An independent server of RefWire's session protocol (Spec/protocol.md, version 1),
# written from the specification alone with POE (POE::Component::Server::TCP, one
# POE::Filter::Reference per connection). It keeps the registry of published aliases,
# routes deliveries and results with per-direction ids, answers every error code of
# protocol.md §6, enforces the limits of §7 and the ordering rules of §5.3 and §5.4.
# Listens on 127.0.0.1:PORT (0: any free port) and prints the bound port as the first
# line of standard output.
#
#   SERIALIZER   what the connection starts in: nstorable (POE's default), storable,
#                json (JSON::XS), yaml (YAML.pm) or yamlxs (YAML::XS). Frames are read
#                whatever their format (payloads.md §2 sniffing); before the welcome the
#                server answers in the format the peer last wrote.
#   COMPRESSION  1: payloads are zlib streams from the start (POE's Compression => 1)
#   KEY=VALUE    the server's configuration, as a scenario's server_limits and
#                server_options say:
#                  max_message_id=N, max_name_length=N, ... (every limit of §7)
#                  serializers=nstorable,json   (what hello may choose; default all five)
#                  compression=none,zlib        (default both)
#                  versions=1                   (default 1)
#                  requires_sealing=1           (an unsealed hello is refused)
#                  name=TEXT                    (the welcome's name)
#                and sealing (Spec/sealing.md, Sealing.pm; keys from `refwire keygen`):
#                  sealing=MODE                 psk, static_keys or static_keys_and_psk
#                  psk_file=PATH                the pre-shared key (psk modes)
#                  key_file=PATH                the server's static private key (static modes)
#                  trust=KEY,...                client public keys: hex, or .pub files
#
# With sealing, every connection is sealed as the responder: the handshake first, then
# each frame's payload is opened and read as on an unsealed connection, and every reply is
# sealed; the welcome reports the mode. A connection whose channel fails is closed at
# once; one whose client sends its final frame is ended as if it had closed, and the
# server's final frame goes before every close.
# Every close lingers (Spec/protocol.md §5.4, Closing): the server half-closes once its
# last frame is out, discards what the peer still sends, and closes at the peer's end of
# input or after 2 s, so that a late frame from the peer cannot reset the connection and
# destroy that last frame.
#
# The server shuts down (bye with code shutdown to every connection, then closes them)
# when its standard input ends, on SIGTERM or SIGINT, and after REFWIRE_POE_SECONDS
# (default 600) seconds. With REFWIRE_POE_TRACE=1 it writes every message to stderr.
use strict;
use warnings;
use FindBin ();
use lib $FindBin::Bin;
use POE qw(Component::Server::TCP Filter::Stream);
use Scalar::Util qw(blessed reftype);
use Socket qw(unpack_sockaddr_in);
use SessionProtocol qw(parse_integer is_name parse_message truth frame_filter sealing_arguments
    %DEFAULT_LIMITS @LIMIT_KEYS @SERIALIZERS @COMPRESSIONS %CLIENT_COMMANDS @SEALING_KEYS);

my ($serializer, $compression, $port, @options) = @ARGV;
die "usage: session_server.pl nstorable|storable|json|yaml|yamlxs 0|1 PORT [KEY=VALUE...]\n"
    unless defined $port && grep({ $_ eq $serializer } @SERIALIZERS) && $compression =~ /^[01]$/;

my %limits = %DEFAULT_LIMITS;
my %config = (
    serializers => [@SERIALIZERS],
    compression => [@COMPRESSIONS],
    versions => [1],
    requires_sealing => 0,
    name => 'refwire-perl-poe',
);
my %sealing_options;
for (@options) {
    my ($key, $value) = /\A(\w+)=(.*)\z/s or die "bad option $_\n";
    if (exists $limits{$key}) { $limits{$key} = 0 + $value }
    elsif ($key =~ /\A(?:serializers|compression|versions)\z/) { $config{$key} = [split /,/, $value] }
    elsif ($key =~ /\A(?:requires_sealing|name)\z/) { $config{$key} = $value }
    elsif (grep { $_ eq $key } @SEALING_KEYS) { $sealing_options{$key} = $value }
    else { die "unknown option $key\n" }
}
my @sealing = sealing_arguments(%sealing_options);    # () when unsealed
my $SEALING = @sealing ? $sealing_options{sealing} : 'none';
my $MAX_ID = $limits{max_message_id};
my $TRACE = $ENV{REFWIRE_POE_TRACE};
$| = 1;

# ---------------------------------------------------------------------------------------
# State. A connection (keyed by its POE session id):
#   sid, greeted, violations, ser (SessionProtocol::Serializer), zlib (0|1),
#   aliases   [names, in publish order]
#   subs      {alias => 1} and sub_order [aliases, in subscription order]
#   sent      {sender id => delivery}  (deliveries this connection sent, in flight)
#   held      {server id => delivery}  (deliveries routed to this connection, in flight)
#   next_id   the next server delivery id to try on this connection
# An alias: {name, owner (connection), methods [...], subscribers [connections, in order]}
# A delivery: {seq, sender, sender_id, publisher, server_id, alias}
my %connections;
my %aliases;
my $delivery_seq = 0;
my $shutting_down = 0;
my %open_sessions;    # connections whose socket is still open

sub trace { print STDERR "@_\n" if $TRACE }

sub send_to {
    my ($conn, $message) = @_;
    return if $conn->{gone};
    trace("-> $conn->{sid}", describe($message));
    $poe_kernel->call($conn->{sid}, 'rw_send', $message);
}

sub describe {
    my ($m) = @_;
    return "$m" unless (reftype($m) // '') eq 'HASH';
    return '{' . join(', ', map { "$_ => " . (defined $m->{$_} ? (ref $m->{$_} ? ref $m->{$_} : $m->{$_}) : 'undef') } sort keys %$m) . '}';
}

sub error_to {
    my ($conn, $code, $re, $text) = @_;
    send_to($conn, { cmd => 'error', (defined $re ? (re => 0 + $re) : ()), code => $code, text => $text });
}

sub failed_result {
    my ($conn, $re, $code, $text) = @_;
    send_to($conn, { cmd => 'result', re => 0 + $re, success => 0, code => $code, text => $text });
}

# A violation: the error, and at the limit too_many_violations and the end.
sub violation {
    my ($conn, $code, $re, $text) = @_;
    error_to($conn, $code, $re, $text);
    if (++$conn->{violations} >= $limits{max_violations_per_connection}) {
        error_to($conn, 'too_many_violations', undef,
            "$conn->{violations} violations: the connection is closed");
        end_connection($conn);
    }
}

# The server ends a connection: it forgets it (§5.4), then asks the transport to close.
sub end_connection {
    my ($conn) = @_;
    forget($conn);
    $poe_kernel->call($conn->{sid}, 'rw_close');
}

# §5.4: a connection that ended (disconnected, said bye or was closed).
sub forget {
    my ($conn) = @_;
    return if $conn->{gone};
    $conn->{gone} = 1;
    delete $connections{$conn->{sid}};
    # 1. its aliases, in publish order
    for my $name (@{ $conn->{aliases} }) {
        my $alias = delete $aliases{$name} or next;
        for my $delivery (deliveries_to($alias)) {
            remove_delivery($delivery);
            failed_result($delivery->{sender}, $delivery->{sender_id}, 'publisher_gone',
                "the publisher of $name went away");
        }
        for my $subscriber (@{ $alias->{subscribers} }) {
            unsubscribe_only($subscriber, $name);
            send_to($subscriber, { cmd => 'rescinded', alias => $name, code => 'publisher_gone' });
        }
    }
    $conn->{aliases} = [];
    # 2. the deliveries it sent, in delivery order
    for my $delivery (sort { $a->{seq} <=> $b->{seq} } values %{ $conn->{sent} }) {
        remove_delivery($delivery);
        send_to($delivery->{publisher}, { cmd => 'cancel', re => 0 + $delivery->{server_id}, code => 'subscriber_gone' });
    }
    # 3. its subscriptions
    for my $name (@{ $conn->{sub_order} }) {
        my $alias = $aliases{$name} or next;
        $alias->{subscribers} = [grep { $_ != $conn } @{ $alias->{subscribers} }];
    }
    $conn->{subs} = {};
    $conn->{sub_order} = [];
}

sub deliveries_to {
    my ($alias) = @_;
    my $owner = $alias->{owner};
    return sort { $a->{seq} <=> $b->{seq} }
        grep { $_->{alias} eq $alias->{name} } values %{ $owner->{held} };
}

sub remove_delivery {
    my ($delivery) = @_;
    delete $delivery->{sender}{sent}{ $delivery->{sender_id} };
    delete $delivery->{publisher}{held}{ $delivery->{server_id} };
}

sub unsubscribe_only {
    my ($conn, $name) = @_;
    delete $conn->{subs}{$name};
    $conn->{sub_order} = [grep { $_ ne $name } @{ $conn->{sub_order} }];
}

# ---------------------------------------------------------------------------------------
# Input

sub handle_frame {
    my ($conn, $frame) = @_;
    return if $conn->{gone};
    unless (blessed($frame) && $frame->isa('SessionProtocol::Frame')) {
        # POE::Filter::Reference's own failure (its buffer limit): give up on the stream.
        trace("<- $conn->{sid} framing failure: $frame");
        error_to($conn, 'malformed_payload', undef, "framing: $frame");
        end_connection($conn);
        return;
    }
    if (defined $frame->error) {
        trace("<- $conn->{sid} unreadable: ", $frame->error);
        violation($conn, 'malformed_payload', undef, $frame->error);
        return;
    }
    # Before the welcome, answer in the format the peer writes (payloads.md §2).
    $conn->{ser}->set_name($frame->format) unless $conn->{greeted} || $frame->format eq 'yaml' && $conn->{ser}->name =~ /^yaml/;
    handle_message($conn, $frame->value);
}

sub handle_message {
    my ($conn, $message) = @_;
    trace("<- $conn->{sid}", describe($message));
    my $parsed = parse_message($message, \%CLIENT_COMMANDS, $MAX_ID);
    unless ($parsed->{ok}) {
        # A missing or mistyped field of a command that needs the hello first is
        # hello_required before a hello (the session state is checked before the fields).
        if ($parsed->{code} eq 'malformed_message' && defined $parsed->{cmd}
            && !$conn->{greeted} && needs_hello($parsed->{cmd})) {
            violation($conn, 'hello_required', $parsed->{re}, "$parsed->{cmd} needs a hello first");
            return;
        }
        violation($conn, $parsed->{code}, $parsed->{re}, $parsed->{text});
        return;
    }
    my ($cmd, $id) = @$parsed{qw(cmd id)};
    if (!$conn->{greeted} && needs_hello($cmd)) {
        violation($conn, 'hello_required', $id, "$cmd needs a hello first");
        return;
    }
    my $handler = __PACKAGE__->can("on_$cmd") or die "no handler for $cmd";
    $handler->($conn, $message, $id);
}

sub needs_hello { $_[0] !~ /\A(?:hello|ping|pong|bye)\z/ }

sub on_ping {
    my ($conn, $message, $id) = @_;
    my $pong = { cmd => 'pong', event => 'pong',
        (defined $id ? (re => 0 + $id) : ()),
        (exists $message->{time} ? (time => $message->{time}) : ()) };
    my $class = blessed($message);
    bless $pong, $class if defined $class;
    send_to($conn, $pong);
}

sub on_pong { }    # this server sends no ping; a pong answers nothing and is ignored

sub on_hello {
    my ($conn, $message, $id) = @_;
    if ($conn->{greeted}) {
        violation($conn, 'duplicate_hello', $id, 'the session is already open');
        return;
    }
    my %offered = map { (parse_integer($_, ~0) => 1) } @{ $message->{versions} };
    my ($version) = sort { $b <=> $a } grep { $offered{$_} } @{ $config{versions} };
    return refuse_hello($conn, $id, 'unsupported_version',
        'no version in common: the server speaks ' . join(', ', @{ $config{versions} }))
        unless defined $version;
    return refuse_hello($conn, $id, 'sealing_required', 'this server requires a sealed channel')
        if $config{requires_sealing} && $SEALING eq 'none';
    return refuse_hello($conn, $id, 'sealing_mismatch',
        "the hello states sealing $message->{sealing}, the channel's is $SEALING")
        if defined $message->{sealing} && $message->{sealing} ne $SEALING;
    my ($chosen_serializer, $chosen_compression);
    if (exists $message->{serializers}) {
        my %have = map { $_ => 1 } @{ $config{serializers} };
        ($chosen_serializer) = grep { $have{$_} } @{ $message->{serializers} };
        return refuse_hello($conn, $id, 'no_common_serializer',
            'no serializer in common: the server has ' . join(', ', @{ $config{serializers} }))
            unless defined $chosen_serializer;
    }
    if (exists $message->{compression}) {
        my %have = map { $_ => 1 } @{ $config{compression} };
        ($chosen_compression) = grep { $have{$_} } @{ $message->{compression} };
        return refuse_hello($conn, $id, 'no_common_compression',
            'no compression in common: the server has ' . join(', ', @{ $config{compression} }))
            unless defined $chosen_compression;
    }
    $conn->{greeted} = 1;
    send_to($conn, {
        cmd => 'welcome', re => 0 + $id, version => 0 + $version,
        (defined $chosen_serializer ? (serializer => $chosen_serializer) : ()),
        (defined $chosen_compression ? (compression => $chosen_compression) : ()),
        sealing => $SEALING, name => $config{name},
        limits => { map { $_ => 0 + $limits{$_} } @LIMIT_KEYS },
    });
    # Switch after writing the welcome (§4).
    $conn->{ser}->set_name($chosen_serializer) if defined $chosen_serializer;
    if (defined $chosen_compression) {
        my $zlib = $chosen_compression eq 'zlib' ? 1 : 0;
        if ($zlib != $conn->{zlib}) {
            $conn->{zlib} = $zlib;
            $poe_kernel->call($conn->{sid}, 'rw_refilter', $zlib);
        }
    }
}

sub refuse_hello {
    my ($conn, $id, $code, $text) = @_;
    error_to($conn, $code, $id, $text);
    end_connection($conn);
}

sub check_name {
    my ($conn, $id, $what, $name) = @_;
    return 1 if is_name($name, $limits{max_name_length});
    error_to($conn, 'invalid_name', $id, "$what is not a name (a string of 1 to $limits{max_name_length} characters)");
    return 0;
}

sub on_publish {
    my ($conn, $message, $id) = @_;
    my ($name, $methods) = @$message{qw(alias methods)};
    return unless check_name($conn, $id, 'the alias', $name);
    $name = "$name";
    return error_to($conn, 'duplicate_alias', $id, "$name is already published") if $aliases{$name};
    my (%seen, @names);
    for my $method (@$methods) {
        return error_to($conn, 'invalid_name', $id, 'a method is not a name')
            unless is_name($method, $limits{max_name_length});
        return error_to($conn, 'invalid_name', $id, "the method $method is listed twice")
            if $seen{"$method"}++;
        push @names, "$method";
    }
    return error_to($conn, 'too_many_methods', $id, "at most $limits{max_methods_per_alias} methods")
        if @names > $limits{max_methods_per_alias};
    return error_to($conn, 'too_many_aliases', $id, "at most $limits{max_aliases_per_connection} aliases")
        if @{ $conn->{aliases} } >= $limits{max_aliases_per_connection};
    $aliases{$name} = { name => $name, owner => $conn, methods => \@names, subscribers => [] };
    push @{ $conn->{aliases} }, $name;
    send_to($conn, { cmd => 'ok', re => 0 + $id, alias => $name });
}

sub on_rescind {
    my ($conn, $message, $id) = @_;
    my $name = $message->{alias};
    return unless check_name($conn, $id, 'the alias', $name);
    $name = "$name";
    my $alias = $aliases{$name} or return error_to($conn, 'unknown_alias', $id, "$name is not published");
    return error_to($conn, 'not_owner', $id, "$name was published by another connection")
        if $alias->{owner} != $conn;
    delete $aliases{$name};
    $conn->{aliases} = [grep { $_ ne $name } @{ $conn->{aliases} }];
    send_to($conn, { cmd => 'ok', re => 0 + $id, alias => $name });
    for my $delivery (deliveries_to($alias)) {
        remove_delivery($delivery);
        failed_result($delivery->{sender}, $delivery->{sender_id}, 'alias_rescinded', "$name was rescinded");
        send_to($conn, { cmd => 'cancel', re => 0 + $delivery->{server_id}, code => 'alias_rescinded' });
    }
    for my $subscriber (@{ $alias->{subscribers} }) {
        unsubscribe_only($subscriber, $name);
        send_to($subscriber, { cmd => 'rescinded', alias => $name, code => 'rescinded' });
    }
}

sub on_listing {
    my ($conn, $message, $id) = @_;
    send_to($conn, { cmd => 'ok', re => 0 + $id, aliases => [sort keys %aliases] });
}

sub on_subscribe {
    my ($conn, $message, $id) = @_;
    my $name = $message->{alias};
    return unless check_name($conn, $id, 'the alias', $name);
    $name = "$name";
    my $alias = $aliases{$name} or return error_to($conn, 'unknown_alias', $id, "$name is not published");
    unless ($conn->{subs}{$name}) {
        return error_to($conn, 'too_many_subscriptions', $id,
            "at most $limits{max_subscriptions_per_connection} subscriptions")
            if @{ $conn->{sub_order} } >= $limits{max_subscriptions_per_connection};
        $conn->{subs}{$name} = 1;
        push @{ $conn->{sub_order} }, $name;
        push @{ $alias->{subscribers} }, $conn;
    }
    send_to($conn, { cmd => 'ok', re => 0 + $id, alias => $name, methods => [@{ $alias->{methods} }] });
}

sub on_unsubscribe {
    my ($conn, $message, $id) = @_;
    my $name = $message->{alias};
    return unless check_name($conn, $id, 'the alias', $name);
    $name = "$name";
    return error_to($conn, 'not_subscribed', $id, "not subscribed to $name") unless $conn->{subs}{$name};
    unsubscribe_only($conn, $name);
    if (my $alias = $aliases{$name}) {
        $alias->{subscribers} = [grep { $_ != $conn } @{ $alias->{subscribers} }];
    }
    send_to($conn, { cmd => 'ok', re => 0 + $id, alias => $name });
}

sub on_deliver {
    my ($conn, $message, $id) = @_;
    my ($name, $method) = @$message{qw(alias method)};
    return failed_result($conn, $id, 'duplicate_id', "a delivery with id $id is in flight")
        if $conn->{sent}{$id};
    return failed_result($conn, $id, 'invalid_name', 'the alias or the method is not a name')
        unless is_name($name, $limits{max_name_length}) && is_name($method, $limits{max_name_length});
    ($name, $method) = ("$name", "$method");
    my $alias = $aliases{$name} or return failed_result($conn, $id, 'unknown_alias', "$name is not published");
    return failed_result($conn, $id, 'not_subscribed', "not subscribed to $name") unless $conn->{subs}{$name};
    return failed_result($conn, $id, 'unknown_method', "$name has no method $method")
        unless grep { $_ eq $method } @{ $alias->{methods} };
    return failed_result($conn, $id, 'too_many_in_flight',
        "at most $limits{max_in_flight_per_connection} deliveries in flight")
        if keys %{ $conn->{sent} } >= $limits{max_in_flight_per_connection};
    my $publisher = $alias->{owner};
    my $server_id = $publisher->{next_id};
    $server_id = ($server_id >= $MAX_ID ? 0 : $server_id + 1) while $publisher->{held}{$server_id};
    $publisher->{next_id} = $server_id >= $MAX_ID ? 0 : $server_id + 1;
    my $delivery = { seq => ++$delivery_seq, sender => $conn, sender_id => $id,
        publisher => $publisher, server_id => $server_id, alias => $name };
    $conn->{sent}{$id} = $delivery;
    $publisher->{held}{$server_id} = $delivery;
    send_to($publisher, { cmd => 'deliver', id => 0 + $server_id, alias => $name, method => $method,
        (exists $message->{payload} ? (payload => $message->{payload}) : ()) });
}

sub on_result {
    my ($conn, $message) = @_;
    my $re = parse_integer($message->{re}, $MAX_ID);
    my $delivery = $conn->{held}{$re} or return;    # late, twice, another's, made up: dropped
    remove_delivery($delivery);
    my $success = truth($message->{success});
    send_to($delivery->{sender}, {
        cmd => 'result', re => 0 + $delivery->{sender_id}, success => $success,
        (exists $message->{payload} ? (payload => $message->{payload}) : ()),
        ($success ? () : (code => $message->{code} // 'failed', text => $message->{text} // '')),
    });
}

sub on_bye {
    my ($conn, $message, $id) = @_;
    send_to($conn, { cmd => 'ok', re => 0 + $id }) if defined $id;
    end_connection($conn);
}

sub shutdown_server {
    my ($text) = @_;
    return if $shutting_down++;
    for my $conn (sort { $a->{sid} <=> $b->{sid} } values %connections) {
        send_to($conn, { cmd => 'bye', code => 'shutdown', text => $text });
        $conn->{gone} = 1;
        $poe_kernel->call($conn->{sid}, 'rw_close');
    }
    %connections = ();
    %aliases = ();
    $poe_kernel->post(server => 'shutdown');
}

# ---------------------------------------------------------------------------------------
# Transport

POE::Component::Server::TCP->new(
    Alias => 'server',
    Address => '127.0.0.1',
    Port => $port,
    Started => sub {
        my ($bound) = unpack_sockaddr_in($_[HEAP]{listener}->getsockname);
        print "$bound\n";
    },
    ClientConnected => sub {
        my ($heap, $session) = @_[HEAP, SESSION];
        my $conn = {
            sid => $session->ID, greeted => 0, violations => 0,
            ser => SessionProtocol::Serializer->new($serializer), zlib => 0 + $compression,
            aliases => [], subs => {}, sub_order => [], sent => {}, held => {}, next_id => 1,
        };
        if (@sealing) {
            $heap->{client}->set_filter(POE::Filter::Stream->new);
            $heap->{link} = SessionProtocol::SealedLink->new(
                channel => Sealing->new(role => 'responder', @sealing), serializer => $conn->{ser}, zlib => $conn->{zlib});
            $heap->{link}->start;    # a responder waits for message 1
        } else {
            $heap->{client}->set_filter(frame_filter($conn->{ser}, $conn->{zlib}));
        }
        $heap->{conn} = $conn;
        if ($shutting_down) { $poe_kernel->yield('shutdown'); return }
        $connections{$conn->{sid}} = $conn;
        $open_sessions{$conn->{sid}} = 1;
        trace("connected $conn->{sid}");
    },
    ClientInput => sub {
        my ($heap, $input) = @_[HEAP, ARG0];
        return if !$heap->{conn} || $heap->{lingering};
        if ($heap->{link}) { receive_sealed($heap, $input) }
        else { handle_frame($heap->{conn}, $input) }
    },
    ClientDisconnected => sub {
        $_[KERNEL]->delay('linger_over');
        my $conn = $_[HEAP]{conn} or return;
        delete $open_sessions{$conn->{sid}};
        trace("disconnected $conn->{sid}");
        forget($conn);    # nothing if the server already forgot it
    },
    ClientError => sub { },
    ClientFlushed => sub { half_close(@_[KERNEL, HEAP]) if $_[HEAP]{lingering} },
    InlineStates => {
        rw_send => sub {
            my ($heap, $message) = @_[HEAP, ARG0];
            return unless $heap->{client} && !$heap->{shutdown} && !$heap->{lingering};
            eval { $heap->{client}->put($heap->{link} ? $heap->{link}->frame_for($message) : $message); 1 }
                or warn "cannot write a message to connection $heap->{conn}{sid}: $@";
        },
        rw_close => sub {
            my ($kernel, $heap) = @_[KERNEL, HEAP];
            return if $heap->{lingering} || !$heap->{client};
            write_raw($heap, $heap->{link}->close_output) if $heap->{link};
            $heap->{lingering} = 1;
            half_close($kernel, $heap) unless $heap->{client}->get_driver_out_octets;
        },
        linger_over => sub { $_[KERNEL]->yield('shutdown') },
        rw_refilter => sub {
            my ($heap, $zlib) = @_[HEAP, ARG0];
            if ($heap->{link}) { $heap->{link}->set_zlib($zlib) }
            elsif ($heap->{client}) { $heap->{client}->set_filter(frame_filter($heap->{conn}{ser}, $zlib)) }
        },
    },
);

# Bytes from a sealed connection: messages are handled as on an unsealed connection, and
# what the handshake answers goes out (replies carry it along, in order, if it is not
# already out). The client's final frame ends the connection as its closing would; a
# failed channel ends it too, without a final frame (nothing can be sealed on it).
sub receive_sealed {
    my ($heap, $bytes) = @_;
    my $conn = $heap->{conn};
    for my $event ($heap->{link}->receive($bytes)) {
        if ($event->{type} eq 'message') {
            handle_frame($conn, $heap->{link}->thaw($event->{payload}));
        } elsif ($event->{type} eq 'closed') {
            trace("<- $conn->{sid} final frame");
            end_connection($conn);
        } elsif ($event->{type} eq 'error') {
            trace("<- $conn->{sid} $event->{error}");
            end_connection($conn);
        }
    }
    write_raw($heap, $heap->{link}->pending_output);
}

# A lingering close (Spec/protocol.md §5.4): once its last frame is out, the server
# half-closes and discards what the peer still sends until the peer closes or the linger
# ends. Closing at once with unread input would make TCP reset the connection, and the
# peer could lose that last frame (an error, or bye) before reading it.
sub half_close {
    my ($kernel, $heap) = @_;
    return if $heap->{half_closed}++ || !$heap->{client};
    $heap->{client}->shutdown_output;
    $kernel->delay(linger_over => 2);    # seconds, as RefWireSessionServer.closeLinger
}

sub write_raw {
    my ($heap, $bytes) = @_;
    $heap->{client}->put($bytes) if length $bytes && $heap->{client};
}

POE::Session->create(inline_states => {
    _start => sub {
        $_[KERNEL]->alias_set('controller');
        $_[KERNEL]->select_read(\*STDIN, 'stdin');
        $_[KERNEL]->delay(time_limit => $ENV{REFWIRE_POE_SECONDS} || 600);
        $_[KERNEL]->sig(TERM => 'signal');
        $_[KERNEL]->sig(INT => 'signal');
    },
    stdin => sub {
        my $read = sysread(STDIN, my $ignored, 4096);
        $_[KERNEL]->yield('stop', 'the server is stopping') unless $read;
    },
    signal => sub { $_[KERNEL]->sig_handled; $_[KERNEL]->yield('stop', "signal $_[ARG0]") },
    time_limit => sub { $_[KERNEL]->yield('stop', 'time limit') },
    stop => sub {
        my ($kernel, $text) = @_[KERNEL, ARG0];
        $kernel->select_read(\*STDIN);
        shutdown_server($text);
        $kernel->delay(time_limit => undef);
        $kernel->delay(hard_stop => 5);    # if a peer does not read its bye
        $kernel->delay(poll_stop => 0.02);
    },
    poll_stop => sub {
        exit 0 unless %open_sessions;
        $_[KERNEL]->delay(poll_stop => 0.02);
    },
    hard_stop => sub { exit 0 },
});

POE::Kernel->run;
exit 0;
