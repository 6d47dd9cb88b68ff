package Sealing;
# Sealing: RefWire's sealed channel (Spec/sealing.md), written from the spec and
# Spec/vectors/sealing/ alone, as a sans-IO object: it is fed the bytes the peer sent
# and hands out events and the bytes to send; it never touches a socket.
#
#   my $channel = Sealing->new(role => 'initiator', mode => 'psk', psk => $key);
#   $channel->start;                          # message 1 (an initiator); nothing (a responder)
#   $channel->feed($bytes);                   # what the peer sent, in chunks of any size
#   while (my $event = $channel->next_event) { ... }   # undef: more input needed
#   $channel->seal($payload);  $channel->close;        # once established
#   $socket->write($channel->take_output);
#   $channel->finish;                         # the input has ended; then next_event again
#
# Events are hashes: {type => 'established', handshake_hash => 64 bytes, peer_static =>
# 32 bytes (static modes)}, {type => 'message', payload => BYTES}, {type => 'closed'}.
# Errors are Sealing::Error objects thrown with die: fatal ones (section 6.3, with the
# stream offset of the frame concerned) fail the channel, which then throws the same
# error for every later call and holds no key; local ones (sealing before the handshake
# completed, after closing, a payload over the limit) leave it usable.
#
# libsodium is reached through FFI::Platypus (package Sealing::Sodium below); HMAC and
# HKDF are built from BLAKE2b as section 2 says.
use strict;
use warnings;
use Carp qw(croak);

use constant {
    TAG_MESSAGE => 0, TAG_PUSH => 1, TAG_REKEY => 2, TAG_FINAL => 3,
    SEAL_OVERHEAD => 17,                  # secretstream's tag byte and MAC
    STREAM_HEADER_BYTES => 24,
    HANDSHAKE_FRAME_LIMIT => 128,         # section 6.1
    MAXIMUM_LENGTH_DIGITS => 20,          # framing.md section 4
    MAGIC => 'RWSL', VERSION => 1,
};

our %DEFAULTS = (
    max_sealed_frame_length => 16 * 1024 * 1024,
    rekey_frames => 65536,
    rekey_bytes => 64 * 1024 * 1024,
);

# Section 3: each mode's byte, Noise protocol name and pattern (one token list per
# message, the initiator's first).
our %MODES = (
    static_keys => {
        byte => 1, protocol => 'Noise_XX_25519_ChaChaPoly_BLAKE2b', static => 1, psk => 0,
        pattern => [[qw(e)], [qw(e ee s es)], [qw(s se)]],
    },
    static_keys_and_psk => {
        byte => 2, protocol => 'Noise_XXpsk3_25519_ChaChaPoly_BLAKE2b', static => 1, psk => 1,
        pattern => [[qw(e)], [qw(e ee s es)], [qw(s se psk)]],
    },
    psk => {
        byte => 3, protocol => 'Noise_NNpsk0_25519_ChaChaPoly_BLAKE2b', static => 0, psk => 1,
        pattern => [[qw(psk e)], [qw(e ee)]],
    },
);

# ---------------------------------------------------------------------------------------
# Keys (section 8)

# A key file's 32 bytes: 64 hex digits, either case, surrounding whitespace ignored.
sub read_key_file {
    my ($path) = @_;
    open my $file, '<', $path or croak "cannot read the key file $path: $!";
    my $text = do { local $/; <$file> };
    return parse_key($text) // croak "$path does not hold a key (64 hex digits)";
}

# The 32 bytes of a key written as 64 hex digits, or undef.
sub parse_key {
    my ($text) = @_;
    return defined $text && $text =~ /\A\s*([0-9A-Fa-f]{64})\s*\z/ ? pack('H*', $1) : undef;
}

# ---------------------------------------------------------------------------------------
# The channel

# new(role => initiator|responder, mode => ..., psk => 32 bytes, static_private => 32
# bytes, trusted => [32-byte public keys], max_sealed_frame_length, rekey_frames,
# rekey_bytes, random => sub { N random bytes }). The keys a mode needs are required and
# those it does not use are refused (section 7): a misconfiguration must never yield a
# silently weaker channel. random defaults to libsodium's randombytes_buf; the vectors
# inject theirs.
sub new {
    my ($class, %args) = @_;
    my $mode = $MODES{ $args{mode} // '' } or croak "unknown sealing mode " . ($args{mode} // 'undef');
    croak "role must be initiator or responder" unless ($args{role} // '') =~ /\A(?:initiator|responder)\z/;
    check_keys($mode, \%args);
    return bless {
        %DEFAULTS,
        %args,
        mode_info => $mode,
        random => $args{random} // \&Sealing::Sodium::random_bytes,
        input => '', input_offset => 0, ended => 0,    # input_offset: the stream offset of input's first byte
        output => '', events => [],
        phase => 'handshake',                          # handshake, header, open, peer_closed
        started => 0, noise => undef, sender => undef, receiver => undef, send_closed => 0,
        rekey_count => 0, rekey_total => 0,
        error => undef,
    }, $class;
}

sub check_keys {
    my ($mode, $args) = @_;
    if ($mode->{psk}) {
        croak "mode $args->{mode} needs a 32-byte pre-shared key" unless length($args->{psk} // '') == 32;
    } else {
        croak "mode $args->{mode} uses no pre-shared key" if defined $args->{psk};
    }
    if ($mode->{static}) {
        croak "mode $args->{mode} needs a 32-byte static private key" unless length($args->{static_private} // '') == 32;
        croak "mode $args->{mode} needs pinned public keys"
            unless ref $args->{trusted} eq 'ARRAY' && @{ $args->{trusted} };
        croak 'a pinned public key is not 32 bytes' if grep { length != 32 } @{ $args->{trusted} };
    } else {
        croak "mode $args->{mode} uses no static keys" if defined $args->{static_private} || defined $args->{trusted};
    }
}

sub is_established { defined $_[0]{sender} || $_[0]{send_closed} }
sub error          { $_[0]{error} }    # the fatal error, once failed

# Starts the handshake: an initiator writes message 1; a responder waits for it.
sub start {
    my ($self) = @_;
    croak 'the channel has already started' if $self->{started}++;
    return unless $self->{role} eq 'initiator';
    my $header = MAGIC . pack('CCn', VERSION, $self->{mode_info}{byte}, 0);
    $self->{noise} = $self->new_handshake($header);
    $self->write_frame($header . $self->{noise}->write_message);
}

sub feed {
    my ($self, $bytes) = @_;
    die $self->{error} if $self->{error};
    croak 'feed after finish' if $self->{ended};
    croak 'the channel must start before it is fed' unless $self->{started};
    $self->{input} .= bytes_only($bytes);
}

# The input has ended (the connection closed): next_event then reports `truncated`
# unless the peer's FINAL frame came first.
sub finish { $_[0]{ended} = 1 }

sub next_event {
    my ($self) = @_;
    die $self->{error} if $self->{error};
    until (@{ $self->{events} }) {
        my ($payload, $offset) = $self->next_frame or return undef;
        $self->receive_frame($payload, $offset);
    }
    return shift @{ $self->{events} };
}

sub take_output {
    my ($self) = @_;
    my $output = $self->{output};
    $self->{output} = '';
    return $output;
}

# Seals one payload as one frame (section 5.2), with REKEY when it completes an interval.
sub seal {
    my ($self, $payload) = @_;
    $self->check_can_send;
    $payload = bytes_only($payload);
    my $largest = $self->{max_sealed_frame_length} - SEAL_OVERHEAD;
    local_error('payload_too_large', "a payload of " . length($payload) . " bytes; at most $largest can be sealed")
        if length $payload > $largest;
    $self->{rekey_count} += 1;
    $self->{rekey_total} += length $payload;
    my $tag = TAG_MESSAGE;
    if ($self->{rekey_count} >= $self->{rekey_frames} || $self->{rekey_total} >= $self->{rekey_bytes}) {
        $tag = TAG_REKEY;
        $self->{rekey_count} = $self->{rekey_total} = 0;
    }
    $self->write_frame($self->{sender}->seal($payload, $tag));
}

# Ends the sending direction with an empty FINAL frame (section 5.3). Closing twice is
# harmless; receiving goes on.
sub close {
    my ($self) = @_;
    return if $self->{send_closed} && !$self->{error};
    $self->check_can_send;
    $self->write_frame($self->{sender}->seal('', TAG_FINAL));
    $self->{sender} = undef;
    $self->{send_closed} = 1;
}

sub check_can_send {
    my ($self) = @_;
    die $self->{error} if $self->{error};
    local_error('send_closed', 'the sending direction is closed') if $self->{send_closed};
    local_error('not_established', 'the handshake has not completed') unless $self->{sender};
}

# ---------------------------------------------------------------------------------------
# Receiving

# The next complete frame as (payload, stream offset), or () when more input is needed
# or the input ended cleanly. Fails the channel on a framing error, a frame over the
# limit in force (checked at its length field, before any of it is buffered), any byte
# after the peer's FINAL, or an end of input before it.
sub next_frame {
    my ($self) = @_;
    my $offset = $self->{input_offset};
    my $available = length $self->{input};
    if ($self->{phase} eq 'peer_closed') {
        $self->fail('data_after_final', $offset, "a frame after the peer's final frame") if $available;
        return;
    }
    my ($digits, $nul) = substr($self->{input}, 0, MAXIMUM_LENGTH_DIGITS + 2) =~ /\A([0-9]*)(\0?)/;
    $self->fail('framing', $offset, 'a length field of more than ' . MAXIMUM_LENGTH_DIGITS . ' digits')
        if length $digits > MAXIMUM_LENGTH_DIGITS;
    if (!$nul) {
        return $self->awaiting_input($offset) if length $digits == $available;
        $self->fail('framing', $offset, 'a length field that is not decimal digits then NUL');
    }
    $self->fail('framing', $offset, 'a frame without a length') unless length $digits;
    my $length = 0 + $digits;    # leading zeros accepted (framing.md section 2.2)
    my $limit = $self->{phase} eq 'handshake' ? HANDSHAKE_FRAME_LIMIT : $self->{max_sealed_frame_length};
    $self->fail('sealed_frame_too_large', $offset, "a frame of $digits bytes; the limit is $limit")
        if $length > $limit;
    my $size = length($digits) + 1 + $length;
    return $self->awaiting_input($offset) if $available < $size;
    my $payload = substr($self->{input}, length($digits) + 1, $length);
    substr($self->{input}, 0, $size, '');    # cheap in Perl: the string's start moves
    $self->{input_offset} += $size;
    return ($payload, $offset);
}

# No complete frame: more input is needed, unless the input has ended, in which case
# the frame at $offset (or the end of input) was cut before the peer's FINAL.
sub awaiting_input {
    my ($self, $offset) = @_;
    $self->fail('truncated', $offset, "the input ended before the peer's final frame") if $self->{ended};
    return;
}

sub receive_frame {
    my ($self, $payload, $offset) = @_;
    my $phase = $self->{phase};
    if ($phase eq 'handshake') {
        # The handshake's refusals come from Sealing::Handshake without an offset.
        eval { $self->receive_handshake_message($payload); 1 } or $self->fail_at($@, $offset);
    } elsif ($phase eq 'header') {
        $self->receive_stream_header($payload, $offset);
    } else {
        $self->receive_sealed_frame($payload, $offset);
    }
}

sub receive_handshake_message {
    my ($self, $message) = @_;
    unless ($self->{noise}) {    # a responder's first frame: message 1
        my $header = check_message_1_header($message, $self->{mode_info}{byte});
        $self->{noise} = $self->new_handshake($header);
        $message = substr($message, length $header);
    }
    my $noise = $self->{noise};
    $noise->read_message($message);
    $self->write_frame($noise->write_message) if $noise->is_my_turn;
    $self->complete_handshake if $noise->is_complete;
}

# Section 6.2's checks of message 1's header, in order; returns the 8-byte header.
sub check_message_1_header {
    my ($message, $mode_byte) = @_;
    refuse('not_a_handshake', 'the first frame is not a RefWire sealing handshake')
        unless length $message >= 8 && substr($message, 0, 4) eq MAGIC;
    my ($version, $mode, $options) = unpack 'x4 C C n', $message;
    refuse('unsupported_version', "sealing version $version") unless $version == VERSION;
    refuse('mode_mismatch', "the initiator's mode byte is $mode, this side's $mode_byte") unless $mode == $mode_byte;
    refuse('unsupported_options', sprintf('options %04x', $options)) unless $options == 0;
    return substr($message, 0, 8);
}

sub new_handshake {
    my ($self, $prologue) = @_;
    return Sealing::Handshake->new(
        mode => $self->{mode_info}, initiator => $self->{role} eq 'initiator', prologue => $prologue,
        psk => $self->{psk}, static_private => $self->{static_private}, trusted => $self->{trusted},
        random => $self->{random});
}

# Section 4.6 and 5.1: Split, this side's stream header, and the established event.
sub complete_handshake {
    my ($self) = @_;
    my $noise = delete $self->{noise};
    my ($initiator_key, $responder_key) = $noise->split_keys;
    my ($send_key, $receive_key) = $self->{role} eq 'initiator'
        ? ($initiator_key, $responder_key) : ($responder_key, $initiator_key);
    $self->{receive_key} = $receive_key;
    my $header = draw($self->{random}, STREAM_HEADER_BYTES);
    $self->{sender} = Sealing::Stream->new($send_key, $header);
    $self->write_frame($header);
    $self->{phase} = 'header';
    push @{ $self->{events} }, {
        type => 'established', handshake_hash => $noise->handshake_hash,
        ($self->{mode_info}{static} ? (peer_static => $noise->remote_static) : ()),
    };
}

sub receive_stream_header {
    my ($self, $header, $offset) = @_;
    $self->fail('malformed_stream_header', $offset, 'a stream header of ' . length($header) . ' bytes')
        unless length $header == STREAM_HEADER_BYTES;
    $self->{receiver} = Sealing::Stream->new(delete $self->{receive_key}, $header);
    $self->{phase} = 'open';
}

sub receive_sealed_frame {
    my ($self, $sealed, $offset) = @_;
    my ($payload, $tag) = $self->{receiver}->open($sealed);
    $self->fail('authentication_failed', $offset, 'a sealed frame does not authenticate') unless defined $payload;
    $self->fail('unexpected_tag', $offset, 'a frame tagged PUSH') if $tag == TAG_PUSH;
    if ($tag == TAG_FINAL) {
        $self->fail('malformed_final_frame', $offset, 'a final frame that carries data') if length $payload;
        $self->{receiver} = undef;
        $self->{phase} = 'peer_closed';
        push @{ $self->{events} }, { type => 'closed' };
        return;
    }
    push @{ $self->{events} }, { type => 'message', payload => $payload };
}

# ---------------------------------------------------------------------------------------
# Helpers

sub write_frame {
    my ($self, $payload) = @_;
    $self->{output} .= length($payload) . "\0" . $payload;
}

# $count bytes from a random source (section 4.5).
sub draw {
    my ($random, $count) = @_;
    my $bytes = $random->($count);
    croak "the random source gave " . length($bytes // '') . " bytes, not $count" unless length($bytes // '') == $count;
    return $bytes;
}

# Fails the channel for good: the error is kept, every key erased.
sub fail {
    my ($self, $kind, $offset, $text) = @_;
    $self->{error} = Sealing::Error->new(kind => $kind, offset => $offset, text => $text, fatal => 1);
    delete @$self{qw(noise sender receiver receive_key psk static_private)};
    die $self->{error};
}

# A refusal from the handshake, now that the frame it was about is known.
sub fail_at {
    my ($self, $exception, $offset) = @_;
    die $exception unless ref $exception && $exception->isa('Sealing::Error');
    $self->fail($exception->kind, $offset, $exception->text);
}

sub refuse { die Sealing::Error->new(kind => $_[0], text => $_[1], fatal => 1) }

sub local_error { die Sealing::Error->new(kind => $_[0], text => $_[1], fatal => 0) }

# A copy of $bytes as a byte string: the C side sees a string's internal bytes.
sub bytes_only {
    my ($bytes) = @_;
    utf8::downgrade($bytes, 1) or croak 'sealing takes byte strings, not wide characters';
    return $bytes;
}

# ---------------------------------------------------------------------------------------
package Sealing::Error;
# An error of section 6.3 (kind, offset of the frame concerned) or a local one.
use overload '""' => \&describe, fallback => 1;

sub new      { my ($class, %fields) = @_; bless {%fields}, $class }
sub kind     { $_[0]{kind} }
sub offset   { $_[0]{offset} }
sub text     { $_[0]{text} }
sub is_fatal { $_[0]{fatal} }

sub describe {
    my ($self) = @_;
    return "sealing: $self->{kind}" . (defined $self->{offset} ? " at offset $self->{offset}" : '')
        . (defined $self->{text} ? ": $self->{text}" : '') . "\n";
}

# ---------------------------------------------------------------------------------------
package Sealing::Handshake;
# Noise's HandshakeState and SymmetricState (section 4) for one side. Messages here are
# the token bytes: message 1's header is the prologue, added and checked by the channel.
# Refusals are thrown as Sealing::Error without an offset.

sub new {
    my ($class, %args) = @_;
    my $name = $args{mode}{protocol};
    my $h = $name . ("\0" x (64 - length $name));
    # e and s are this side's private keys, re and rs the peer's public keys.
    my $self = bless { %args, h => $h, ck => $h, k => undef, n => 0, index => 0 }, $class;
    $self->{s} = delete $self->{static_private};
    $self->{static_public} = Sealing::Sodium::public_key($self->{s}) if $args{mode}{static};
    $self->mix_hash($args{prologue});
    return $self;
}

sub handshake_hash { $_[0]{h} }
sub remote_static  { $_[0]{rs} }
sub tokens         { $_[0]{mode}{pattern}[ $_[0]{index} ] }
sub is_complete    { $_[0]{index} == @{ $_[0]{mode}{pattern} } }
# The initiator writes messages 1 and 3, the responder message 2.
sub is_my_turn     { !$_[0]->is_complete && ($_[0]{index} % 2 == 0) == !!$_[0]{initiator} }

sub write_message {
    my ($self) = @_;
    my $message = '';
    for my $token (@{ $self->tokens }) {
        if ($token eq 'e') {
            $self->{e} = Sealing::draw($self->{random}, 32);
            my $public = Sealing::Sodium::public_key($self->{e});
            $message .= $public;
            $self->mix_ephemeral($public);
        } elsif ($token eq 's') {
            $message .= $self->encrypt_and_hash($self->{static_public});
        } else {
            $self->mix_token($token);
        }
    }
    $message .= $self->encrypt_and_hash('');
    $self->{index}++;
    return $message;
}

sub read_message {
    my ($self, $message) = @_;
    my $expected = $self->expected_length;
    Sealing::refuse('malformed_handshake_message',
        'handshake message ' . ($self->{index} + 1) . ' of ' . length($message) . " bytes, not $expected")
        unless length $message == $expected;
    my $tokens = $self->tokens;
    for my $token (@$tokens) {
        if ($token eq 'e') {
            $self->{re} = substr($message, 0, 32, '');
            $self->mix_ephemeral($self->{re});
        } elsif ($token eq 's') {
            $self->{rs} = $self->decrypt_and_hash(substr($message, 0, defined $self->{k} ? 48 : 32, ''));
        } else {
            $self->mix_token($token);
        }
    }
    $self->decrypt_and_hash($message);    # the empty payload's tag: the length check left only it
    $self->{index}++;
    # Only now, with the whole message authenticated, is the peer's static key proven.
    Sealing::refuse('unknown_peer_key', 'the peer proved a static key that is not pinned')
        if (grep { $_ eq 's' } @$tokens) && !grep { $_ eq $self->{rs} } @{ $self->{trusted} };
}

# The length a message must have (section 4.4), derived from its tokens: 32 bytes per
# ephemeral key, a static key is 48 once a cipher key is set (32 before), and the empty
# payload is a 16-byte tag once a key is set.
sub expected_length {
    my ($self) = @_;
    my $keyed = defined $self->{k};
    my $length = 0;
    for my $token (@{ $self->tokens }) {
        if ($token eq 'e') { $length += 32; $keyed ||= $self->{mode}{psk} }
        elsif ($token eq 's') { $length += $keyed ? 48 : 32 }
        else { $keyed = 1 }
    }
    return $length + ($keyed ? 16 : 0);
}

# The e token's hashing: in the psk modes the ephemeral key is also mixed into the key.
sub mix_ephemeral {
    my ($self, $public) = @_;
    $self->mix_hash($public);
    $self->mix_key($public) if $self->{mode}{psk};
}

sub mix_token {
    my ($self, $token) = @_;
    return $self->mix_key_and_hash($self->{psk}) if $token eq 'psk';
    # ee, es, se: the first letter is the initiator's key, the second the responder's.
    my ($initiator_key, $responder_key) = split //, $token;
    my ($mine, $theirs) = $self->{initiator} ? ($initiator_key, $responder_key) : ($responder_key, $initiator_key);
    my $secret = Sealing::Sodium::dh($self->{$mine}, $self->{"r$theirs"})
        // Sealing::refuse('invalid_peer_key', "the peer's key has small order");
    $self->mix_key($secret);
}

sub mix_hash {
    my ($self, $data) = @_;
    $self->{h} = Sealing::Sodium::hash($self->{h} . $data);
}

sub mix_key {
    my ($self, $input) = @_;
    my ($ck, $key) = hkdf($self->{ck}, $input, 2);
    @$self{qw(ck k n)} = ($ck, substr($key, 0, 32), 0);
}

sub mix_key_and_hash {
    my ($self, $input) = @_;
    my ($ck, $hash, $key) = hkdf($self->{ck}, $input, 3);
    $self->{ck} = $ck;
    $self->mix_hash($hash);
    @$self{qw(k n)} = (substr($key, 0, 32), 0);
}

sub encrypt_and_hash {
    my ($self, $plain) = @_;
    my $cipher = defined $self->{k} ? Sealing::Sodium::aead_encrypt($self->{k}, $self->{n}++, $self->{h}, $plain) : $plain;
    $self->mix_hash($cipher);
    return $cipher;
}

sub decrypt_and_hash {
    my ($self, $cipher) = @_;
    my $plain = $cipher;
    if (defined $self->{k}) {
        $plain = Sealing::Sodium::aead_decrypt($self->{k}, $self->{n}++, $self->{h}, $cipher)
            // Sealing::refuse('handshake_authentication_failed', 'a handshake message does not authenticate');
    }
    $self->mix_hash($cipher);
    return $plain;
}

# Noise's Split: the initiator-to-responder and responder-to-initiator keys.
sub split_keys {
    my ($self) = @_;
    my ($first, $second) = hkdf($self->{ck}, '', 2);
    return (substr($first, 0, 32), substr($second, 0, 32));
}

# Section 2's HKDF: the first $count 64-byte outputs.
sub hkdf {
    my ($chaining_key, $input, $count) = @_;
    my $temporary = hmac($chaining_key, $input);
    my @outputs = (hmac($temporary, "\x01"));
    push @outputs, hmac($temporary, $outputs[-1] . chr(@outputs + 1)) while @outputs < $count;
    return @outputs;
}

# HMAC (RFC 2104) over BLAKE2b-512, whose block is 128 bytes. Keys here are at most 64.
sub hmac {
    my ($key, $data) = @_;
    my $block = $key . ("\0" x (128 - length $key));
    my $inner = Sealing::Sodium::hash(($block ^ ("\x36" x 128)) . $data);
    return Sealing::Sodium::hash(($block ^ ("\x5c" x 128)) . $inner);
}

# ---------------------------------------------------------------------------------------
package Sealing::Stream;
# One direction's crypto_secretstream_xchacha20poly1305 state, kept in C memory and
# wiped when dropped. Both directions start with init_pull on the header (section 5.1:
# init_push is init_pull on a header it draws itself, and the vectors fix the header).

sub new {
    my ($class, $key, $header) = @_;
    my $state = Sealing::Sodium::stream_state($key, $header);
    return bless \$state, $class;
}

sub seal { my ($self, $payload, $tag) = @_; Sealing::Sodium::stream_push($$self, $payload, $tag) }

# (payload, tag), or () if the frame does not authenticate.
sub open { my ($self, $sealed) = @_; Sealing::Sodium::stream_pull($$self, $sealed) }

sub DESTROY { Sealing::Sodium::free_stream_state(${ $_[0] }) }

# ---------------------------------------------------------------------------------------
package Sealing::Sodium;
# The libsodium calls of section 2, through FFI::Platypus. Inputs are passed as Perl
# strings (read only); outputs are written into C memory from malloc and copied out, so
# C never writes into a Perl string that might share its buffer with another.
use FFI::Platypus 2.00;
use FFI::CheckLib qw(find_lib_or_die);
use FFI::Platypus::Memory qw(malloc free);
use FFI::Platypus::Buffer qw(buffer_to_scalar);

my $ffi = FFI::Platypus->new(api => 2, lib => find_lib_or_die(lib => 'sodium'));
my %c;
for (
    [sodium_init => [] => 'int'],
    [sodium_memzero => [qw(opaque size_t)] => 'void'],
    [randombytes_buf => [qw(opaque size_t)] => 'void'],
    [crypto_scalarmult => [qw(opaque string string)] => 'int'],
    [crypto_scalarmult_base => [qw(opaque string)] => 'int'],
    [crypto_generichash => [qw(opaque size_t string uint64 opaque size_t)] => 'int'],
    [crypto_aead_chacha20poly1305_ietf_encrypt =>
        [qw(opaque opaque string uint64 string uint64 opaque string string)] => 'int'],
    [crypto_aead_chacha20poly1305_ietf_decrypt =>
        [qw(opaque opaque opaque string uint64 string uint64 string string)] => 'int'],
    [crypto_secretstream_xchacha20poly1305_statebytes => [] => 'size_t'],
    [crypto_secretstream_xchacha20poly1305_init_pull => [qw(opaque string string)] => 'int'],
    [crypto_secretstream_xchacha20poly1305_push =>
        [qw(opaque opaque opaque string uint64 opaque uint64 uint8)] => 'int'],
    [crypto_secretstream_xchacha20poly1305_pull =>
        [qw(opaque opaque opaque uint8* string uint64 opaque uint64)] => 'int'],
) {
    my ($name, $arguments, $result) = @$_;
    (my $short = $name) =~ s/\A(?:crypto_secretstream_xchacha20poly1305|crypto_aead_chacha20poly1305_ietf|crypto)_//;
    $c{$short} = $ffi->function($name => $arguments => $result);
}
$c{sodium_init}->() >= 0 or die "libsodium cannot be initialized\n";
my $STATE_BYTES = $c{statebytes}->();

# Calls $call->(pointer) with $size bytes of fresh C memory; returns those bytes if it
# returned 0 (libsodium's success), else undef. The memory is wiped before it is freed.
sub with_buffer {
    my ($size, $call) = @_;
    my $pointer = malloc($size || 1);
    my $status = $call->($pointer);
    my $bytes = $status == 0 ? ($size ? buffer_to_scalar($pointer, $size) : '') : undef;
    $c{sodium_memzero}->($pointer, $size || 1);
    free($pointer);
    return $bytes;
}

sub random_bytes {
    my ($count) = @_;
    return with_buffer($count, sub { $c{randombytes_buf}->($_[0], $count); 0 });
}

# X25519; undef when the result is all zeros (the peer's key has small order).
sub dh {
    my ($private, $public) = @_;
    return with_buffer(32, sub { $c{scalarmult}->($_[0], $private, $public) });
}

sub public_key {
    my ($private) = @_;
    return with_buffer(32, sub { $c{scalarmult_base}->($_[0], $private) });
}

# BLAKE2b-512, no key.
sub hash {
    my ($data) = @_;
    return with_buffer(64, sub { $c{generichash}->($_[0], 64, $data, length $data, undef, 0) });
}

# The IETF nonce: 4 zero bytes, then the counter as 8 bytes little-endian.
sub nonce { pack 'x4 Q<', $_[0] }

sub aead_encrypt {
    my ($key, $counter, $ad, $plain) = @_;
    return with_buffer(length($plain) + 16, sub {
        $c{encrypt}->($_[0], undef, $plain, length $plain, $ad, length $ad, undef, nonce($counter), $key) });
}

# The plaintext, or undef if $cipher does not authenticate.
sub aead_decrypt {
    my ($key, $counter, $ad, $cipher) = @_;
    return undef if length $cipher < 16;
    return with_buffer(length($cipher) - 16, sub {
        $c{decrypt}->($_[0], undef, undef, $cipher, length $cipher, $ad, length $ad, nonce($counter), $key) });
}

# A secretstream state in C memory, initialized with init_pull (Sealing::Stream).
sub stream_state {
    my ($key, $header) = @_;
    my $state = malloc($STATE_BYTES);
    $c{init_pull}->($state, $header, $key) == 0 or die "secretstream init_pull failed\n";
    return $state;
}

sub free_stream_state {
    my ($state) = @_;
    $c{sodium_memzero}->($state, $STATE_BYTES);
    free($state);
}

sub stream_push {
    my ($state, $message, $tag) = @_;
    return with_buffer(length($message) + Sealing::SEAL_OVERHEAD, sub {
        $c{push}->($state, $_[0], undef, $message, length $message, undef, 0, $tag) });
}

sub stream_pull {
    my ($state, $sealed) = @_;
    return if length $sealed < Sealing::SEAL_OVERHEAD;
    my $tag;
    my $message = with_buffer(length($sealed) - Sealing::SEAL_OVERHEAD, sub {
        $c{pull}->($state, $_[0], undef, \$tag, $sealed, length $sealed, undef, 0) });
    return defined $message ? ($message, $tag) : ();
}

1;
