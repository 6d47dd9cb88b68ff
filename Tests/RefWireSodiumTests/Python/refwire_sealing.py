"""An independent implementation of Spec/sealing.md, written from the spec alone.

It exists to prove that the spec is enough: the Swift test suite runs it against
RefWireSodium over 127.0.0.1 in both directions, and through every vector in
Spec/vectors/sealing/, which Spec/vectors/sealing/generate.py writes with it.

Primitives: PyNaCl (libsodium) for X25519, ChaCha20-Poly1305 (IETF) and
crypto_secretstream_xchacha20poly1305; Python's own hashlib and hmac for BLAKE2b and
HMAC-BLAKE2b, so the key schedule is computed by code that shares nothing with the Swift
side. Framing (`len NUL payload`, Spec/framing.md) is implemented here too.

Usage (the Swift tests run these):

    python3 refwire_sealing.py check DIR            check every vector file in DIR
    python3 refwire_sealing.py peer ARGS...         one end of a live session (see --help)
"""

import argparse
import hashlib
import hmac
import json
import os
import socket
import sys

import nacl.bindings as sodium
from nacl.exceptions import CryptoError

# ---------------------------------------------------------------------------
# Constants (Spec/sealing.md sections 2-5)

MAGIC = b"RWSL"
VERSION = 1
HEADER_LENGTH = 8
MAX_HANDSHAKE_MESSAGE = 128
STREAM_HEADER_LENGTH = 24
SEAL_OVERHEAD = 17
DEFAULT_MAX_SEALED_FRAME = 16 << 20
DEFAULT_REKEY_FRAMES = 65536
DEFAULT_REKEY_BYTES = 64 << 20
MAX_LENGTH_DIGITS = 20

TAG_MESSAGE = 0
TAG_PUSH = 1
TAG_REKEY = 2
TAG_FINAL = 3

MODE_STATIC_KEYS = 1
MODE_STATIC_KEYS_AND_PSK = 2
MODE_PSK = 3

MODE_NAMES = {"static_keys": MODE_STATIC_KEYS, "static_keys_and_psk": MODE_STATIC_KEYS_AND_PSK, "psk": MODE_PSK}
MODE_IDENTIFIERS = {value: name for name, value in MODE_NAMES.items()}

PROTOCOL_NAMES = {
    MODE_STATIC_KEYS: b"Noise_XX_25519_ChaChaPoly_BLAKE2b",
    MODE_STATIC_KEYS_AND_PSK: b"Noise_XXpsk3_25519_ChaChaPoly_BLAKE2b",
    MODE_PSK: b"Noise_NNpsk0_25519_ChaChaPoly_BLAKE2b",
}

PATTERNS = {
    MODE_STATIC_KEYS: [["e"], ["e", "ee", "s", "es"], ["s", "se"]],
    MODE_STATIC_KEYS_AND_PSK: [["e"], ["e", "ee", "s", "es"], ["s", "se", "psk"]],
    MODE_PSK: [["psk", "e"], ["e", "ee"]],
}

HASHLEN = 64
DHLEN = 32
TAGLEN = 16


class SealingError(Exception):
    """A failure with the kind and offset the vectors name (Spec/sealing.md section 7)."""

    def __init__(self, kind, offset=None, **details):
        super().__init__(f"{kind} at {offset} {details if details else ''}".strip())
        self.kind = kind
        self.offset = offset
        self.details = details


# ---------------------------------------------------------------------------
# Primitives


def blake2b(data):
    return hashlib.blake2b(data, digest_size=64).digest()


def hmac_blake2b(key, data):
    return hmac.new(key, data, hashlib.blake2b).digest()


def hkdf(chaining_key, ikm, count):
    temp = hmac_blake2b(chaining_key, ikm)
    outputs = []
    previous = b""
    for index in range(1, count + 1):
        previous = hmac_blake2b(temp, previous + bytes([index]))
        outputs.append(previous)
    return outputs


def x25519_public(private):
    return sodium.crypto_scalarmult_base(private)


def x25519(private, public):
    """DH; None when the result is all zeros (a point of small order)."""
    try:
        shared = sodium.crypto_scalarmult(private, public)
    except Exception:  # PyNaCl raises when libsodium refuses the all-zero result
        return None
    if shared == bytes(32):
        return None
    return shared


def chachapoly_nonce(n):
    return bytes(4) + n.to_bytes(8, "little")


class Randomness:
    """The system's random source."""

    def take(self, count):
        return os.urandom(count)


class ScriptedRandomness:
    """Fixed bytes, taken in order: for vectors only."""

    def __init__(self, data):
        self.data = bytes(data)
        self.position = 0

    def take(self, count):
        if self.position + count > len(self.data):
            raise RuntimeError("scripted randomness exhausted")
        chunk = self.data[self.position:self.position + count]
        self.position += count
        return chunk


# ---------------------------------------------------------------------------
# Noise (revision 34): SymmetricState and HandshakeState, empty payloads


class SymmetricState:
    def __init__(self, protocol_name):
        if len(protocol_name) <= HASHLEN:
            self.h = protocol_name + bytes(HASHLEN - len(protocol_name))
        else:
            self.h = blake2b(protocol_name)
        self.ck = self.h
        self.k = None
        self.n = 0

    def mix_hash(self, data):
        self.h = blake2b(self.h + data)

    def mix_key(self, ikm):
        self.ck, temp_k = hkdf(self.ck, ikm, 2)
        self.k, self.n = temp_k[:32], 0

    def mix_key_and_hash(self, ikm):
        self.ck, temp_h, temp_k = hkdf(self.ck, ikm, 3)
        self.mix_hash(temp_h)
        self.k, self.n = temp_k[:32], 0

    def encrypt_and_hash(self, plaintext):
        if self.k is None:
            ciphertext = plaintext
        else:
            ciphertext = sodium.crypto_aead_chacha20poly1305_ietf_encrypt(
                plaintext, self.h, chachapoly_nonce(self.n), self.k)
            self.n += 1
        self.mix_hash(ciphertext)
        return ciphertext

    def decrypt_and_hash(self, ciphertext):
        """The plaintext, or None if it does not authenticate."""
        if self.k is None:
            plaintext = ciphertext
        else:
            try:
                plaintext = sodium.crypto_aead_chacha20poly1305_ietf_decrypt(
                    ciphertext, self.h, chachapoly_nonce(self.n), self.k)
            except CryptoError:
                return None
            self.n += 1
        self.mix_hash(ciphertext)
        return plaintext

    def sealed_length(self, length):
        return length + (TAGLEN if self.k is not None else 0)

    def split(self):
        first, second = hkdf(self.ck, b"", 2)
        return first[:32], second[:32]


def message_lengths(mode):
    keyed = False
    lengths = []
    for tokens in PATTERNS[mode]:
        length = 0
        for token in tokens:
            if token == "e":
                length += DHLEN
                if mode != MODE_STATIC_KEYS:
                    keyed = True
            elif token == "s":
                length += DHLEN + (TAGLEN if keyed else 0)
            else:
                keyed = True
        lengths.append(length + (TAGLEN if keyed else 0))
    return lengths


class Handshake:
    def __init__(self, mode, initiator, prologue, static_private, psk):
        self.mode = mode
        self.initiator = initiator
        self.pattern = PATTERNS[mode]
        self.state = SymmetricState(PROTOCOL_NAMES[mode])
        self.state.mix_hash(prologue)
        self.s = static_private
        self.s_public = x25519_public(static_private) if static_private is not None else None
        self.psk = psk
        self.e = None
        self.re = None
        self.rs = None
        self.index = 0

    @property
    def complete(self):
        return self.index == len(self.pattern)

    @property
    def our_turn(self):
        return not self.complete and (self.index % 2 == 0) == self.initiator

    def _mix_e(self, public):
        self.state.mix_hash(public)
        if self.mode != MODE_STATIC_KEYS:
            self.state.mix_key(public)

    def _dh(self, token):
        if token == "ee":
            local, remote = self.e, self.re
        elif token == "es":
            local, remote = (self.e, self.rs) if self.initiator else (self.s, self.re)
        else:  # se
            local, remote = (self.s, self.re) if self.initiator else (self.e, self.rs)
        shared = x25519(local, remote)
        if shared is None:
            raise HandshakeFailure("invalid_key")
        self.state.mix_key(shared)

    def write(self, randomness):
        out = b""
        for token in self.pattern[self.index]:
            if token == "e":
                self.e = randomness.take(32)
                public = x25519_public(self.e)
                out += public
                self._mix_e(public)
            elif token == "s":
                out += self.state.encrypt_and_hash(self.s_public)
            elif token == "psk":
                self.state.mix_key_and_hash(self.psk)
            else:
                self._dh(token)
        out += self.state.encrypt_and_hash(b"")
        self.index += 1
        return out

    def read(self, message):
        expected = message_lengths(self.mode)[self.index]
        if len(message) != expected:
            raise HandshakeFailure("length", expected=expected)
        position = 0
        carried_static = False
        for token in self.pattern[self.index]:
            if token == "e":
                self.re = message[position:position + DHLEN]
                position += DHLEN
                self._mix_e(self.re)
            elif token == "s":
                length = self.state.sealed_length(DHLEN)
                key = self.state.decrypt_and_hash(message[position:position + length])
                position += length
                if key is None:
                    raise HandshakeFailure("authentication")
                self.rs = key
                carried_static = True
            elif token == "psk":
                self.state.mix_key_and_hash(self.psk)
            else:
                self._dh(token)
        if self.state.decrypt_and_hash(message[position:]) is None:
            raise HandshakeFailure("authentication")
        self.index += 1
        return carried_static


class HandshakeFailure(Exception):
    def __init__(self, reason, expected=None):
        super().__init__(reason)
        self.reason = reason
        self.expected = expected


# ---------------------------------------------------------------------------
# Framing (Spec/framing.md): enough of a reader for this protocol


class FrameReader:
    def __init__(self, max_frame_length):
        self.buffer = bytearray()
        self.base = 0  # stream offset of buffer[0]
        self.max_frame_length = max_frame_length
        self.finished = False

    def feed(self, data):
        self.buffer += data

    def next_frame(self):
        """(offset, payload), or None when more input is needed or at a clean end."""
        digits = 0
        length = 0
        index = 0
        while index < len(self.buffer):
            byte = self.buffer[index]
            if 0x30 <= byte <= 0x39:
                digits += 1
                if digits > MAX_LENGTH_DIGITS:
                    raise SealingError("framing", self.base, framing="length_field_too_long")
                length = length * 10 + (byte - 0x30)
                index += 1
            elif byte == 0 and digits > 0:
                if length > self.max_frame_length:
                    raise SealingError("sealed_frame_too_large", self.base, declared_length=length,
                                       limit=self.max_frame_length)
                start = index + 1
                if len(self.buffer) - start < length:
                    break
                payload = bytes(self.buffer[start:start + length])
                offset = self.base
                del self.buffer[:start + length]
                self.base += start + length
                return offset, payload
            else:
                raise SealingError("framing", self.base + index, framing="invalid_length_prefix")
        if self.finished and self.buffer:
            raise SealingError("truncated", self.base)
        return None

    @property
    def end_offset(self):
        return self.base + len(self.buffer)


def frame(payload):
    return str(len(payload)).encode("ascii") + b"\0" + payload


# ---------------------------------------------------------------------------
# The sealed channel (Spec/sealing.md sections 4-6)


class Config:
    def __init__(self, mode, static_private=None, trusted=None, psk=None,
                 max_sealed_frame_length=DEFAULT_MAX_SEALED_FRAME,
                 rekey_frames=DEFAULT_REKEY_FRAMES, rekey_bytes=DEFAULT_REKEY_BYTES):
        self.mode = mode
        self.static_private = static_private
        self.trusted = set(trusted or [])
        self.psk = psk
        self.max_sealed_frame_length = max_sealed_frame_length
        self.rekey_frames = rekey_frames
        self.rekey_bytes = rekey_bytes

    @classmethod
    def from_json(cls, data):
        def hexed(name):
            return bytes.fromhex(data[name]) if name in data else None
        return cls(
            MODE_NAMES[data["mode"]],
            static_private=hexed("static_private_hex"),
            trusted=[bytes.fromhex(key) for key in data.get("trusted_public_hex", [])],
            psk=hexed("psk_hex"),
            max_sealed_frame_length=data.get("max_sealed_frame_length", DEFAULT_MAX_SEALED_FRAME),
            rekey_frames=data.get("rekey_frames", DEFAULT_REKEY_FRAMES),
            rekey_bytes=data.get("rekey_bytes", DEFAULT_REKEY_BYTES),
        )


class SealedChannel:
    """One end. Events from next(): ("established", peer_static, handshake_hash),
    ("message", payload), ("closed",), or None. Bytes to send accumulate in .output."""

    def __init__(self, initiator, config, randomness=None):
        self.initiator = initiator
        self.config = config
        self.randomness = randomness or Randomness()
        self.reader = FrameReader(MAX_HANDSHAKE_MESSAGE)
        self.output = bytearray()
        self.handshake = None
        self.established = False
        self.sender = None
        self.receiver = None
        self.receive_key = None
        self.received_final = False
        self.sent_final = False
        self.frames_since_rekey = 0
        self.bytes_since_rekey = 0
        self.error = None
        # Tests of the receiving side may ask for a tag this protocol never sends.
        self.forced_tag = None

    # -- input

    def start(self):
        if self.initiator:
            header = MAGIC + bytes([VERSION, self.config.mode, 0, 0])
            self.handshake = Handshake(self.config.mode, True, header, self.config.static_private, self.config.psk)
            self.output += frame(header + self.handshake.write(self.randomness))

    def feed(self, data):
        self.reader.feed(data)

    def finish(self):
        self.reader.finished = True

    def next(self):
        if self.error is not None:
            raise self.error
        try:
            return self._next()
        except SealingError as error:
            self.error = error
            self.handshake = self.sender = self.receiver = self.receive_key = None
            raise

    def _next(self):
        while True:
            item = self.reader.next_frame()
            if item is None:
                if self.reader.finished and not self.received_final:
                    raise SealingError("truncated", self.reader.end_offset)
                return None
            offset, payload = item
            if not self.established:
                event = self._handshake_frame(offset, payload)
            else:
                event = self._transport_frame(offset, payload)
            if event is not None:
                return event

    def _handshake_frame(self, offset, payload):
        message = payload
        if self.handshake is None:
            if len(payload) < HEADER_LENGTH or payload[:4] != MAGIC:
                raise SealingError("not_a_handshake", offset)
            if payload[4] != VERSION:
                raise SealingError("unsupported_version", offset, version=payload[4])
            if payload[5] != self.config.mode:
                raise SealingError("mode_mismatch", offset, offered=payload[5])
            options = payload[6] << 8 | payload[7]
            if options != 0:
                raise SealingError("unsupported_options", offset, options=options)
            self.handshake = Handshake(self.config.mode, False, payload[:HEADER_LENGTH],
                                       self.config.static_private, self.config.psk)
            message = payload[HEADER_LENGTH:]
        number = self.handshake.index + 1
        try:
            carried_static = self.handshake.read(message)
        except HandshakeFailure as failure:
            raise self._handshake_error(failure, number, len(payload), offset)
        if carried_static and self.handshake.rs not in self.config.trusted:
            raise SealingError("unknown_peer_key", offset, key=self.handshake.rs.hex())
        if self.handshake.our_turn:
            try:
                self.output += frame(self.handshake.write(self.randomness))
            except HandshakeFailure:
                raise SealingError("invalid_peer_key", offset)
        if not self.handshake.complete:
            return None
        return self._establish()

    def _handshake_error(self, failure, number, length, offset):
        if failure.reason == "length":
            expected = failure.expected + (HEADER_LENGTH if number == 1 else 0)
            return SealingError("malformed_handshake_message", offset, message=number,
                                expected_length=expected, actual_length=length)
        if failure.reason == "authentication":
            return SealingError("handshake_authentication_failed", offset, message=number)
        return SealingError("invalid_peer_key", offset)

    def _establish(self):
        first, second = self.handshake.state.split()
        send_key, self.receive_key = (first, second) if self.initiator else (second, first)
        header = self.randomness.take(STREAM_HEADER_LENGTH)
        self.sender = sodium.crypto_secretstream_xchacha20poly1305_state()
        # init_push with this header: init_push is randombytes_buf(header) + init_pull.
        sodium.crypto_secretstream_xchacha20poly1305_init_pull(self.sender, header, send_key)
        self.output += frame(header)
        self.established = True
        self.reader.max_frame_length = self.config.max_sealed_frame_length
        handshake_hash = self.handshake.state.h
        peer = self.handshake.rs
        self.handshake = None
        return ("established", peer, handshake_hash)

    def _transport_frame(self, offset, payload):
        if self.received_final:
            raise SealingError("data_after_final", offset)
        if self.receiver is None:
            if len(payload) != STREAM_HEADER_LENGTH:
                raise SealingError("malformed_stream_header", offset, length=len(payload))
            self.receiver = sodium.crypto_secretstream_xchacha20poly1305_state()
            sodium.crypto_secretstream_xchacha20poly1305_init_pull(self.receiver, payload, self.receive_key)
            self.receive_key = None
            return None
        if len(payload) < SEAL_OVERHEAD:
            raise SealingError("authentication_failed", offset)
        try:
            message, tag = sodium.crypto_secretstream_xchacha20poly1305_pull(self.receiver, payload)
        except CryptoError:
            raise SealingError("authentication_failed", offset)
        if tag in (TAG_MESSAGE, TAG_REKEY):
            return ("message", message)
        if tag == TAG_FINAL:
            if message:
                raise SealingError("malformed_final_frame", offset)
            self.received_final = True
            self.receiver = None
            return ("closed",)
        raise SealingError("unexpected_tag", offset, tag=tag)

    # -- output

    def seal(self, payload):
        if not self.established or self.sender is None:
            raise RuntimeError("not established, or closed")
        if len(payload) > self.config.max_sealed_frame_length - SEAL_OVERHEAD:
            raise SealingError("payload_too_large")
        self.frames_since_rekey += 1
        self.bytes_since_rekey += len(payload)
        tag = TAG_MESSAGE
        if (self.frames_since_rekey >= self.config.rekey_frames
                or self.bytes_since_rekey >= self.config.rekey_bytes):
            tag = TAG_REKEY
            self.frames_since_rekey = self.bytes_since_rekey = 0
        if self.forced_tag is not None:
            tag = self.forced_tag
        self.output += frame(sodium.crypto_secretstream_xchacha20poly1305_push(self.sender, payload, None, tag))

    def close(self, payload=b""):
        if self.sender is None:
            return
        self.output += frame(sodium.crypto_secretstream_xchacha20poly1305_push(self.sender, payload, None, TAG_FINAL))
        self.sender = None

    def take_output(self):
        data = bytes(self.output)
        self.output.clear()
        return data


# ---------------------------------------------------------------------------
# Vectors (Spec/vectors/sealing/README.md)


def run_endpoint(vector, chunk_size=None):
    """Runs one endpoint vector; returns (output, events, error)."""
    config = Config.from_json(vector["config"])
    channel = SealedChannel(vector["role"] == "initiator", config,
                            ScriptedRandomness(bytes.fromhex(vector["randomness_hex"])))
    data = bytes.fromhex(vector["input_hex"])
    chunks = [data] if chunk_size is None else [data[i:i + chunk_size] for i in range(0, len(data), chunk_size)]
    events = []
    error = None
    channel.start()

    def drain():
        while True:
            event = channel.next()
            if event is None:
                return
            if event[0] == "established":
                entry = {"type": "established", "handshake_hash_hex": event[2].hex()}
                if event[1] is not None:
                    entry["peer_static_hex"] = event[1].hex()
                events.append(entry)
                for payload in vector.get("send", []):
                    channel.seal(bytes.fromhex(payload))
                if vector.get("close", False):
                    channel.close()
            elif event[0] == "message":
                events.append({"type": "message", "hex": event[1].hex()})
            else:
                events.append({"type": "closed"})

    try:
        for chunk in chunks:
            channel.feed(chunk)
            drain()
        if vector.get("end_of_input", False):
            channel.finish()
            drain()
    except SealingError as failure:
        error = {"kind": failure.kind, "offset": failure.offset}
    return channel.take_output(), events, error


def check_vectors(directory):
    files = sorted(name for name in os.listdir(directory) if name.endswith(".json"))
    if not files:
        raise SystemExit(f"no vector files in {directory}")
    count = 0
    failed = set()
    for name in files:
        with open(os.path.join(directory, name)) as handle:
            document = json.load(handle)
        for vector in document["vectors"]:
            count += 1
            expected_error = vector.get("error")
            if expected_error is not None:
                expected_error = {"kind": expected_error["kind"], "offset": expected_error["offset"]}
            for chunk_size in (None, 1, 7):
                output, events, error = run_endpoint(vector, chunk_size)
                problems = []
                if output.hex() != vector["output_hex"]:
                    problems.append("output differs")
                if events != vector["events"]:
                    problems.append(f"events differ: {events}")
                if error != expected_error:
                    problems.append(f"error {error}, expected {expected_error}")
                if problems:
                    failed.add(vector["name"])
                    print(f"FAIL {name}/{vector['name']} (chunks {chunk_size}): {'; '.join(problems)}")
    if count == 0:
        raise SystemExit("no vectors")
    print(f"{count} vectors in {len(files)} files: {count - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


# ---------------------------------------------------------------------------
# A live peer over TCP, for the Swift interop tests


def payload_for(index, size):
    """The deterministic payload number `index` of `size` bytes both sides expect."""
    return bytes((index * 31 + position * 7) & 0xFF for position in range(size))


def run_peer(arguments):
    config = Config(
        MODE_NAMES[arguments.mode],
        static_private=bytes.fromhex(arguments.static) if arguments.static else None,
        trusted=[bytes.fromhex(key) for key in arguments.trust],
        psk=bytes.fromhex(arguments.psk) if arguments.psk else None,
        rekey_frames=arguments.rekey_frames,
    )
    if arguments.listen:
        server = socket.create_server(("127.0.0.1", 0))
        server.settimeout(arguments.timeout)
        print(server.getsockname()[1], flush=True)
        connection, _ = server.accept()
        server.close()
    else:
        connection = socket.create_connection(("127.0.0.1", arguments.connect), timeout=arguments.timeout)
    connection.settimeout(arguments.timeout)
    channel = SealedChannel(arguments.role == "initiator", config)
    sizes = [int(size) for size in arguments.sizes.split(",")] if arguments.sizes else []
    received = []
    established = None
    closed = False

    def flush():
        data = channel.take_output()
        if data:
            connection.sendall(data)

    channel.start()
    flush()
    while True:
        data = connection.recv(65536)
        if data:
            channel.feed(data)
        else:
            channel.finish()  # next() raises "truncated" unless the peer's final frame came
        while True:
            event = channel.next()
            if event is None:
                break
            if event[0] == "established":
                established = event
                if arguments.role == "initiator":
                    # The initiator sends its payloads, then waits for the echoes.
                    for index, size in enumerate(sizes):
                        channel.seal(payload_for(index, size))
            elif event[0] == "message":
                received.append(event[1])
                if arguments.role == "responder":
                    # The responder echoes each payload reversed: proof it was opened.
                    channel.seal(event[1][::-1])
            else:
                closed = True
                channel.close()
        flush()  # handshake replies, echoes, the final frame
        if (arguments.role == "initiator" and established is not None
                and len(received) == len(sizes) and channel.sender is not None):
            channel.close()
            flush()
        if not data or (closed and channel.sender is None):
            break
    connection.close()
    if established is None:
        raise SystemExit("no session")
    peer = established[1].hex() if established[1] is not None else "-"
    if arguments.role == "initiator":
        expected = [payload_for(index, size)[::-1] for index, size in enumerate(sizes)]
        if received != expected:
            raise SystemExit(f"echoes differ: {len(received)} received, {len(expected)} expected")
    print(f"ok {len(received)} {established[2].hex()} {peer}", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="check every vector in a directory")
    check.add_argument("directory")
    peer = commands.add_parser("peer", help="one end of a live session over 127.0.0.1")
    peer.add_argument("--role", choices=["initiator", "responder"], required=True)
    where = peer.add_mutually_exclusive_group(required=True)
    where.add_argument("--listen", action="store_true", help="listen on an ephemeral port, printed first")
    where.add_argument("--connect", type=int, metavar="PORT")
    peer.add_argument("--mode", choices=sorted(MODE_NAMES), required=True)
    peer.add_argument("--static", help="this end's static private key, hex")
    peer.add_argument("--trust", action="append", default=[], help="a trusted public key, hex (repeatable)")
    peer.add_argument("--psk", help="the pre-shared key, hex")
    peer.add_argument("--sizes", default="", help="initiator: sizes of the payloads to send, comma-separated")
    peer.add_argument("--rekey-frames", type=int, default=DEFAULT_REKEY_FRAMES)
    peer.add_argument("--timeout", type=float, default=30.0)
    arguments = parser.parse_args()
    if arguments.command == "check":
        return check_vectors(arguments.directory)
    run_peer(arguments)
    return 0


if __name__ == "__main__":
    sys.exit(main())
