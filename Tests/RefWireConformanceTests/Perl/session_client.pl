#!/usr/bin/perl
# session_client.pl SERIALIZER COMPRESSION [KEY=VALUE...]
#
# An independent client of RefWire's session protocol (Spec/protocol.md, version 1),
# written from the specification alone with POE (POE::Component::Client::TCP, a
# POE::Filter::Reference on the connection), steered by the conformance suite's control
# channel (Spec/conformance.md §3):
#
#   refwire conform --client 'perl session_client.pl nstorable 0'
#   refwire conform --client 'perl session_client.pl json 1' --serializer json --compress
#
#   SERIALIZER   what the connection starts in: nstorable, storable, json, yaml, yamlxs
#                (frames are read whatever their format, payloads.md §2)
#   COMPRESSION  1: payloads are zlib streams from the start
#   KEY=VALUE    sealing (Spec/sealing.md, Sealing.pm; keys from `refwire keygen`):
#                  sealing=MODE    psk, static_keys or static_keys_and_psk
#                  psk_file=PATH   the pre-shared key (psk modes)
#                  key_file=PATH   the client's static private key (static modes)
#                  trust=KEY,...   server public keys: hex, or .pub files
#
#   refwire conform --client 'perl session_client.pl nstorable 0 sealing=psk psk_file=F' --seal psk --seal-psk F
#
# Sealed, the client is the initiator: a connect is done when the handshake is (refused
# if it fails), every message is sealed, the welcome must report the mode, and the
# client's final frame goes before it closes. A channel that fails later is reported as a
# violation and closed.
#
# Actions arrive on standard input as JSON lines ({"action": ...}); events go to standard
# output as JSON lines ({"event": ...}), flushed after each. The client numbers its
# requests 1, 2, 3… (hello first, wrapping past max_message_id to 0 and skipping ids in
# use), switches serializer and compression after reading the welcome, answers every
# server ping with a pong, keeps the deliveries it holds until it answers them, and
# reports as a violation anything protocol.md does not allow a server to send it (§6,
# last paragraph). It exits when standard input ends, or after REFWIRE_POE_SECONDS
# (default 600) seconds. With REFWIRE_POE_TRACE=1 it writes every message to stderr.
use strict;
use warnings;
use FindBin ();
use lib $FindBin::Bin;
use POE qw(Component::Client::TCP Wheel::ReadWrite Filter::Line Filter::Stream);
use JSON::XS ();
use Scalar::Util qw(blessed reftype);
use SessionProtocol qw(parse_integer is_name parse_message truth frame_filter from_notation
    sealing_arguments %DEFAULT_LIMITS @SERIALIZERS %SERVER_COMMANDS @SEALING_KEYS);

my ($serializer, $compression, @options) = @ARGV;
die "usage: session_client.pl nstorable|storable|json|yaml|yamlxs 0|1 [KEY=VALUE...]\n"
    unless defined $compression && grep({ $_ eq $serializer } @SERIALIZERS) && $compression =~ /^[01]$/;
my %sealing_options;
for (@options) {
    my ($key, $value) = /\A(\w+)=(.*)\z/s or die "bad option $_\n";
    die "unknown option $key\n" unless grep { $_ eq $key } @SEALING_KEYS;
    $sealing_options{$key} = $value;
}
my @sealing = sealing_arguments(%sealing_options);    # () when unsealed
my $SEALING = @sealing ? $sealing_options{sealing} : 'none';
my $TRACE = $ENV{REFWIRE_POE_TRACE};
my $json = JSON::XS->new->utf8->canonical;
binmode STDOUT;
$| = 1;

# The session, as the client sees it.
my %state;
sub reset_state {
    %state = (
        connected => 0, connecting => 0, closed_by_us => 0,
        ser => SessionProtocol::Serializer->new($serializer), zlib => 0 + $compression,
        hello_sent => 0, negotiated => 0, offered => undef,
        limits => {%DEFAULT_LIMITS},
        next_id => 1,
        pending => {},       # id => the request's cmd (and details)
        held => {},          # server delivery id => {alias, method}
        answered => {},      # server delivery ids answered (a cancel may cross the result)
        published => {},     # alias => 1 (published, or publish pending)
        rescinding => {},    # alias => 1 (rescind pending: deliveries may still come)
        subscribed => {},    # alias => 1 (subscribed, or subscribe pending)
    );
}
reset_state();

my @queue;        # actions waiting for the one in progress
my $busy = 0;     # an action (connect) is in progress

sub event {
    my (%event) = @_;
    print $json->encode(\%event), "\n";
}

sub trace { print STDERR "client: @_\n" if $TRACE }

sub describe {
    my ($m) = @_;
    return defined $m ? "$m" : 'undef' unless (reftype($m) // '') eq 'HASH';
    return '{' . join(', ', map { "$_ => " . (defined $m->{$_} ? (ref $m->{$_} ? ref $m->{$_} : $m->{$_}) : 'undef') } sort keys %$m) . '}';
}

sub next_id {
    my $max = $state{limits}{max_message_id};
    my $id = $state{next_id};
    my $tries = 0;
    while ($state{pending}{$id}) {
        $id = $id >= $max ? 0 : $id + 1;
        return undef if ++$tries > 1_000_000;
    }
    $state{next_id} = $id >= $max ? 0 : $id + 1;
    return $id;
}

# Writes a message and flushes it to the socket.
sub write_message {
    my ($message) = @_;
    trace('->', describe($message));
    $poe_kernel->call(connection => 'put', $message);
}

# ---------------------------------------------------------------------------------------
# Actions

sub run_actions {
    while (!$busy && @queue) {
        my $action = shift @queue;
        my $name = (reftype($action) // '') eq 'HASH' ? $action->{action} // '' : '';
        my $handler = __PACKAGE__->can("action_$name");
        my $refusal = $handler ? eval { $handler->($action) } : "unknown action \"$name\"";
        $refusal = "the action failed: $@" if $handler && !defined $refusal && $@;
        next if $refusal eq 'async';
        if (length $refusal) { event(event => 'refused', action => $name, text => $refusal) }
        else { event(event => 'done', action => $name) }
    }
}

# Each returns "" when done, "async" when it will report later, else why it refused.

sub action_connect {
    my ($action) = @_;
    return 'already connected' if $state{connected} || $state{connecting};
    my ($host, $port) = @$action{qw(host port)};
    ($host, $port) = split /:/, $ENV{REFWIRE_CONFORM_SERVER} // '' unless defined $port;
    return 'no host and port' unless defined $port;
    reset_state();
    $state{connecting} = 1;
    $busy = 1;
    start_connection($host // '127.0.0.1', $port);
    return 'async';
}

sub ready_for {
    my ($what, $needs_session) = @_;
    return 'not connected' unless $state{connected};
    return 'the welcome has not arrived yet' if $state{hello_sent} && !$state{negotiated};
    return 'no session: send hello first' if $needs_session && !$state{negotiated};
    return '';
}

sub request {
    my ($cmd, %fields) = @_;
    my $id = next_id() // return 'too many requests pending';
    $state{pending}{$id} = { cmd => $cmd, %fields };
    write_message({ cmd => $cmd, id => $id, %fields });
    return '';
}

sub names_problem {
    my (@names) = @_;
    for (@names) {
        return 'not a name: ' . (defined $_ ? $_ : 'undef') unless is_name($_, $state{limits}{max_name_length});
    }
    return '';
}

sub action_hello {
    my ($action) = @_;
    my $why = ready_for('hello', 0);
    return $why if length $why;
    return 'hello was already sent' if $state{hello_sent};
    my $versions = $action->{versions};
    return 'versions must be a non-empty array of integers'
        unless ref $versions eq 'ARRAY' && @$versions && !grep { !defined parse_integer($_, ~0) } @$versions;
    my %fields = (versions => [map { 0 + $_ } @$versions]);
    for my $key (qw(serializers compression)) {
        next unless exists $action->{$key};
        return "$key must be an array of names" unless ref $action->{$key} eq 'ARRAY';
        $fields{$key} = [map { "$_" } @{ $action->{$key} }];
    }
    for my $key (qw(sealing name)) {
        $fields{$key} = "$action->{$key}" if defined $action->{$key};
    }
    $state{offered} = {%fields};
    $state{hello_sent} = 1;
    return request('hello', %fields);
}

sub action_ping {
    my ($action) = @_;
    my $why = ready_for('ping', 0);
    return $why if length $why;
    return request('ping', (exists $action->{time} ? (time => from_notation($action->{time})) : ()));
}

sub action_publish {
    my ($action) = @_;
    my $why = ready_for('publish', 1);
    return $why if length $why;
    my ($alias, $methods) = @$action{qw(alias methods)};
    return 'methods must be an array' unless ref $methods eq 'ARRAY';
    $why = names_problem($alias, @$methods);
    return $why if length $why;
    my %seen;
    return 'a method is listed twice' if grep { $seen{$_}++ } @$methods;
    return request('publish', alias => "$alias", methods => [map { "$_" } @$methods]);
}

sub alias_request {
    my ($cmd, $action) = @_;
    my $why = ready_for($cmd, 1);
    return $why if length $why;
    $why = names_problem($action->{alias});
    return $why if length $why;
    return request($cmd, alias => "$action->{alias}");
}

sub action_rescind     { my $why = alias_request('rescind', @_); $state{rescinding}{"$_[0]{alias}"} = 1 unless length $why; $why }
sub action_subscribe   { my $why = alias_request('subscribe', @_); $state{subscribed}{"$_[0]{alias}"} = 1 unless length $why; $why }
sub action_unsubscribe { alias_request('unsubscribe', @_) }

sub action_listing {
    my $why = ready_for('listing', 1);
    return $why if length $why;
    return request('listing');
}

sub action_deliver {
    my ($action) = @_;
    my $why = ready_for('deliver', 1);
    return $why if length $why;
    $why = names_problem(@$action{qw(alias method)});
    return $why if length $why;
    return request('deliver', alias => "$action->{alias}", method => "$action->{method}",
        (exists $action->{payload} ? (payload => from_notation($action->{payload})) : ()));
}

sub action_respond {
    my ($action) = @_;
    return 'not connected' unless $state{connected};
    my $re = parse_integer($action->{re}, $state{limits}{max_message_id});
    return 'no such delivery held' unless defined $re && $state{held}{$re};
    delete $state{held}{$re};
    $state{answered}{$re} = 1;
    write_message({ cmd => 'result', re => $re, success => truth($action->{success}),
        (exists $action->{payload} ? (payload => from_notation($action->{payload})) : ()),
        (defined $action->{code} ? (code => "$action->{code}") : ()),
        (defined $action->{text} ? (text => "$action->{text}") : ()) });
    return '';
}

sub action_bye {
    my $why = ready_for('bye', 0);
    return $why if length $why;
    return request('bye');
}

sub action_disconnect {
    return 'not connected' unless $state{connected};
    $state{closed_by_us} = 1;
    $poe_kernel->call(connection => 'close');
    $state{connected} = 0;
    return '';
}

# ---------------------------------------------------------------------------------------
# Messages from the server

sub handle_frame {
    my ($frame) = @_;
    unless (blessed($frame) && $frame->isa('SessionProtocol::Frame')) {
        event(event => 'received', cmd => '');
        event(event => 'violation', text => "framing: $frame");
        return;
    }
    if (defined $frame->error) {
        event(event => 'received', cmd => '');
        event(event => 'violation', text => 'unreadable frame: ' . $frame->error);
        return;
    }
    my $message = $frame->value;
    trace('<-', describe($message));
    my $is_hash = (reftype($message) // '') eq 'HASH';
    my $cmd = $is_hash && defined $message->{cmd} && !ref $message->{cmd} ? "$message->{cmd}" : '';
    my $id = $is_hash ? parse_integer($message->{id}, ~0) : undef;
    event(event => 'received', cmd => $cmd, (defined $id ? (id => 0 + $id) : ()));
    my $problem = check_message($message);
    event(event => 'violation', text => $problem) if defined $problem;
}

# Returns why the message is not allowed, or undef; acts on it when it is.
sub check_message {
    my ($message) = @_;
    my $max = $state{limits}{max_message_id};
    my $parsed = parse_message($message, \%SERVER_COMMANDS, $max);
    return "$parsed->{code}: $parsed->{text}" unless $parsed->{ok};
    my $cmd = $parsed->{cmd};
    my $re = exists $message->{re} ? parse_integer($message->{re}, $max) : undef;
    my $handler = __PACKAGE__->can("on_$cmd") or return "unknown command $cmd";
    return $handler->($message, $re, $parsed->{id});
}

# The pending request a reply answers, if it is one of @cmds.
sub answered_request {
    my ($re, @cmds) = @_;
    return (undef, 'a reply without re') unless defined $re;
    my $request = $state{pending}{$re} or return (undef, "a reply to no pending request ($re)");
    return (undef, "a reply to $request->{cmd} $re cannot be this")
        unless grep { $_ eq $request->{cmd} } @cmds;
    delete $state{pending}{$re};
    return ($request, undef);
}

sub on_welcome {
    my ($message, $re) = @_;
    my ($request, $problem) = answered_request($re, 'hello');
    return $problem if $problem;
    my $offered = $state{offered};
    return "the welcome chose version $message->{version}, not offered"
        unless grep { $_ == $message->{version} } @{ $offered->{versions} };
    for my $key (qw(serializer compression)) {
        my $list = $offered->{ $key eq 'serializer' ? 'serializers' : 'compression' };
        if (exists $message->{$key}) {
            return "the welcome chose $key $message->{$key}, not offered"
                unless $list && grep { $_ eq $message->{$key} } @$list;
        } elsif ($list) {
            return "the welcome does not say which $key it chose";
        }
    }
    return "the welcome reports sealing $message->{sealing}, the channel's is $SEALING"
        if $message->{sealing} ne $SEALING;
    for my $key (keys %DEFAULT_LIMITS) {
        my $value = parse_integer($message->{limits}{$key}, ~0);
        $state{limits}{$key} = $value if defined $value;
    }
    $state{negotiated} = 1;
    # Switch after reading the welcome (§4).
    if (defined $message->{serializer}) {
        return "this client cannot write $message->{serializer}"
            unless grep { $_ eq $message->{serializer} } @SERIALIZERS;
        $state{ser}->set_name($message->{serializer});
    }
    if (defined $message->{compression}) {
        my $zlib = $message->{compression} eq 'zlib' ? 1 : 0;
        if ($zlib != $state{zlib}) {
            $state{zlib} = $zlib;
            $poe_kernel->call(connection => 'refilter');
        }
    }
    event(event => 'negotiated', version => 0 + $message->{version},
        serializer => $state{ser}->name, compression => $state{zlib} ? 'zlib' : 'none');
    return undef;
}

sub on_pong {
    my ($message, $re) = @_;
    return 'a pong that does not say event => pong' unless $message->{event} eq 'pong';
    return undef unless exists $message->{re};    # an answer to a ping without id
    my ($request, $problem) = answered_request($re, 'ping');
    return $problem;
}

sub on_ok {
    my ($message, $re) = @_;
    my ($request, $problem) = answered_request($re, qw(publish rescind listing subscribe unsubscribe bye));
    return $problem if $problem;
    my $cmd = $request->{cmd};
    if ($cmd eq 'listing') {
        return 'an ok to listing without aliases' unless exists $message->{aliases};
    } elsif ($cmd eq 'bye') {
        $state{said_bye} = 1;
    } else {
        return "an ok to $cmd for another alias"
            unless defined $message->{alias} && $message->{alias} eq $request->{alias};
        return 'an ok to subscribe without methods' if $cmd eq 'subscribe' && !exists $message->{methods};
        if ($cmd eq 'publish') { $state{published}{ $request->{alias} } = 1 }
        if ($cmd eq 'rescind') { delete $state{published}{ $request->{alias} }; delete $state{rescinding}{ $request->{alias} } }
        if ($cmd eq 'unsubscribe') { delete $state{subscribed}{ $request->{alias} } }
    }
    return undef;
}

sub on_error {
    my ($message, $re) = @_;
    return undef unless exists $message->{re};    # a violation, an unreadable frame: no request
    my ($request, $problem) = answered_request($re,
        qw(hello ping publish rescind listing subscribe unsubscribe deliver bye));
    return $problem if $problem;
    delete $state{rescinding}{ $request->{alias} } if $request->{cmd} eq 'rescind';
    delete $state{subscribed}{ $request->{alias} } if $request->{cmd} eq 'subscribe';
    return undef;
}

sub on_result {
    my ($message, $re) = @_;
    my ($request, $problem) = answered_request($re, 'deliver');
    return $problem if $problem;
    return undef if truth($message->{success});
    return 'a failed result without code' unless defined $message->{code};
    return undef;
}

sub on_deliver {
    my ($message, $re, $id) = @_;
    return "a delivery with id $id, already held" if $state{held}{$id};
    my $alias = $message->{alias};
    return "a delivery to $alias, which this client did not publish"
        unless $state{published}{$alias} || $state{rescinding}{$alias}
            || grep { $_->{cmd} eq 'publish' && $_->{alias} eq $alias } values %{ $state{pending} };
    $state{held}{$id} = { alias => $alias, method => $message->{method} };
    delete $state{answered}{$id};
    return undef;
}

sub on_cancel {
    my ($message, $re) = @_;
    return "a cancel for delivery $re, which this client never held"
        unless $state{held}{$re} || $state{answered}{$re};
    delete $state{held}{$re};
    return undef;
}

sub on_rescinded {
    my ($message) = @_;
    my $alias = $message->{alias};
    return "rescinded $alias, which this client did not subscribe to"
        unless $state{subscribed}{$alias}
            || grep { $_->{cmd} =~ /\A(?:un)?subscribe\z/ && $_->{alias} eq $alias } values %{ $state{pending} };
    delete $state{subscribed}{$alias};
    return undef;
}

sub on_ping {
    my ($message, $re, $id) = @_;
    write_message({ cmd => 'pong', re => $id, (exists $message->{time} ? (time => $message->{time}) : ()) });
    return undef;
}

sub on_bye {
    $state{server_bye} = 1;
    return undef;
}

# ---------------------------------------------------------------------------------------
# Transport

# The connect action ends here: done, or refused with why.
sub connect_finished {
    my ($refusal) = @_;
    $state{connecting} = 0;
    $busy = 0;
    if (defined $refusal) {
        event(event => 'refused', action => 'connect', text => $refusal);
    } else {
        $state{connected} = 1;
        event(event => 'done', action => 'connect');
    }
    run_actions();
}

sub start_connection {
    my ($host, $port) = @_;
    my $filter = sub { @sealing ? POE::Filter::Stream->new : frame_filter($state{ser}, $state{zlib}) };
    POE::Component::Client::TCP->new(
        Alias => 'connection',
        RemoteAddress => $host,
        RemotePort => $port,
        Filter => $filter->(),
        Connected => sub {
            my $heap = $_[HEAP];
            $heap->{server}->set_filter($filter->());
            return connect_finished() unless @sealing;
            # Sealed: the connection is usable once the handshake completes.
            $heap->{link} = SessionProtocol::SealedLink->new(
                channel => Sealing->new(role => 'initiator', @sealing), serializer => $state{ser}, zlib => $state{zlib});
            write_raw($heap, $heap->{link}->start);
        },
        ConnectError => sub {
            $_[KERNEL]->yield('shutdown');
            connect_finished("cannot connect: $_[ARG2]");
        },
        ServerInput => sub {
            my ($heap, $input) = @_[HEAP, ARG0];
            if ($heap->{link}) { receive_sealed($heap, $input) }
            else { handle_frame($input) }
        },
        ServerError => sub { },    # then Disconnected
        Disconnected => sub {
            my $was = $state{connected};
            $state{connected} = 0;
            connect_finished('the connection closed during the sealing handshake') if $state{connecting};
            event(event => 'closed') if $was && !$state{closed_by_us};
            $_[KERNEL]->alias_remove('connection');
        },
        InlineStates => {
            put => sub {
                my ($heap, $message) = @_[HEAP, ARG0];
                return unless $heap->{server} && $heap->{connected};
                $heap->{server}->put($heap->{link} ? $heap->{link}->frame_for($message) : $message);
                $heap->{server}->flush;
            },
            close => sub {
                my $heap = $_[HEAP];
                write_raw($heap, $heap->{link}->close_output) if $heap->{link};
                delete $heap->{server};
                $_[KERNEL]->alias_remove('connection');
                $_[KERNEL]->yield('shutdown');
            },
            refilter => sub {
                my $heap = $_[HEAP];
                if ($heap->{link}) { $heap->{link}->set_zlib($state{zlib}) }
                elsif ($heap->{server}) { $heap->{server}->set_filter($filter->()) }
            },
        },
    );
}

# Bytes from a sealed connection. The handshake's completion completes the connect; a
# failed channel refuses it, or later is a violation that ends the connection. (The
# server's final frame needs nothing: its closing follows.)
sub receive_sealed {
    my ($heap, $bytes) = @_;
    for my $event ($heap->{link}->receive($bytes)) {
        if ($event->{type} eq 'established') {
            connect_finished();
        } elsif ($event->{type} eq 'message') {
            handle_frame($heap->{link}->thaw($event->{payload}));
        } elsif ($event->{type} eq 'error') {
            trace('sealing failed:', $event->{error});
            my $was = $state{connected};
            $poe_kernel->call(connection => 'close');
            $state{connected} = 0;
            if ($was) {
                event(event => 'violation', text => "$event->{error}");
                event(event => 'closed');
            } else {
                connect_finished("the sealing handshake failed: $event->{error}");
            }
        }
    }
    write_raw($heap, $heap->{link}->pending_output);
}

sub write_raw {
    my ($heap, $bytes) = @_;
    return unless length $bytes && $heap->{server};
    $heap->{server}->put($bytes);
    $heap->{server}->flush;
}

POE::Session->create(inline_states => {
    _start => sub {
        $_[KERNEL]->alias_set('control');
        $_[HEAP]{stdin} = POE::Wheel::ReadWrite->new(
            InputHandle => \*STDIN,
            OutputHandle => \*STDOUT,
            Filter => POE::Filter::Line->new(InputLiteral => "\n"),
            InputEvent => 'action',
            ErrorEvent => 'stdin_end',
        );
        $_[KERNEL]->delay(stop => $ENV{REFWIRE_POE_SECONDS} || 600);
    },
    action => sub {
        my $line = $_[ARG0];
        return unless $line =~ /\S/;
        my $action = eval { $json->decode($line) };
        unless ($action) {
            event(event => 'refused', action => '', text => "not a JSON object: $@");
            return;
        }
        trace('action', $line);
        push @queue, $action;
        run_actions();
    },
    stdin_end => sub { $_[KERNEL]->yield('stop') },
    stop => sub { exit 0 },
});

POE::Kernel->run;
exit 0;
