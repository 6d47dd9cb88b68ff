#!/usr/bin/env python3
"""Writes the sealing vectors (Spec/vectors/sealing/*.json) with the independent Python
implementation of Spec/sealing.md (Tests/RefWireSodiumTests/Python/refwire_sealing.py).

    python3 Spec/vectors/sealing/generate.py           rewrite the JSON files
    python3 Spec/vectors/sealing/generate.py --check   exit 1 if they are out of date

Needs PyNaCl (pip install pynacl). Every key and random byte is derived from a fixed
label with BLAKE2b, so the files are the same on every run. Each session is simulated
with both ends talking to each other; each vector is then one end replaying what the
other sent (possibly tampered with, as its description says), and its expected output,
events and error are what the implementation does with it — checked against what the
vector is meant to show, so a vector that does not fail the way its name says stops the
generator.
"""

import hashlib
import json
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, os.path.join(ROOT, "Tests", "RefWireSodiumTests", "Python"))

import refwire_sealing as sealing  # noqa: E402

GENERATED_BY = "Spec/vectors/sealing/generate.py"


def derive(label, length=32):
    """`length` bytes fixed by `label`: BLAKE2b of the label, extended by counter."""
    out = b""
    counter = 0
    while len(out) < length:
        out += hashlib.blake2b(f"refwire sealing vectors: {label} #{counter}".encode(), digest_size=64).digest()
        counter += 1
    return out[:length]


INITIATOR_STATIC = derive("initiator static key")
RESPONDER_STATIC = derive("responder static key")
STRANGER_STATIC = derive("stranger static key")
PSK = derive("pre-shared key")
OTHER_PSK = derive("another pre-shared key")


def public(private):
    return sealing.x25519_public(private)


def config_json(mode, static=None, trusted=(), psk=None, **limits):
    data = {"mode": mode}
    if static is not None:
        data["static_private_hex"] = static.hex()
        data["trusted_public_hex"] = [public(key).hex() for key in trusted]  # trusted: the peers' private keys
    if psk is not None:
        data["psk_hex"] = psk.hex()
    data.update(limits)
    return data


def party_configs(mode, initiator_limits=None, responder_limits=None):
    """Initiator and responder configurations of `mode`, each trusting the other."""
    uses_static = mode != "psk"
    uses_psk = mode != "static_keys"

    def make(static, peer, limits):
        return config_json(
            mode,
            static=static if uses_static else None,
            trusted=[peer] if uses_static else (),
            psk=PSK if uses_psk else None,
            **(limits or {}))
    return make(INITIATOR_STATIC, RESPONDER_STATIC, initiator_limits), make(
        RESPONDER_STATIC, INITIATOR_STATIC, responder_limits)


def simulate(initiator, responder):
    """Runs two endpoint descriptions against each other; returns the bytes each sent."""
    ends = {}
    for role, spec in (("initiator", initiator), ("responder", responder)):
        channel = sealing.SealedChannel(
            role == "initiator", sealing.Config.from_json(spec["config"]),
            sealing.ScriptedRandomness(bytes.fromhex(spec["randomness_hex"])))
        ends[role] = {"channel": channel, "spec": spec, "sent": b""}
    ends["initiator"]["channel"].start()

    def drain(end):
        channel = end["channel"]
        while True:
            event = channel.next()
            if event is None:
                return
            if event[0] == "established":
                for payload in end["spec"].get("send", []):
                    channel.seal(bytes.fromhex(payload))
                if end["spec"].get("close", False):
                    channel.close()

    moved = True
    while moved:
        moved = False
        for source, target in (("initiator", "responder"), ("responder", "initiator")):
            data = ends[source]["channel"].take_output()
            if data:
                moved = True
                ends[source]["sent"] += data
                ends[target]["channel"].feed(data)
                drain(ends[target])
    return ends["initiator"]["sent"], ends["responder"]["sent"]


def endpoint(name, description, role, spec, input_bytes, end_of_input=True, expect_error=None):
    """One endpoint vector: `spec` receiving `input_bytes`, with its outcome filled in."""
    vector = {
        "name": name,
        "description": description,
        "role": role,
        "config": spec["config"],
        "randomness_hex": spec["randomness_hex"],
        "input_hex": input_bytes.hex(),
        "end_of_input": end_of_input,
        "send": spec.get("send", []),
        "close": spec.get("close", False),
    }
    output, events, error = sealing.run_endpoint(vector)
    for chunk_size in (1, 5):
        if sealing.run_endpoint(vector, chunk_size) != (output, events, error):
            raise SystemExit(f"{name}: the outcome depends on chunking")
    actual_kind = error["kind"] if error else None
    if actual_kind != expect_error:
        raise SystemExit(f"{name}: expected {expect_error}, got {error}")
    vector["output_hex"] = output.hex()
    vector["events"] = events
    if error is not None:
        vector["error"] = error
    return vector


def frames_of(stream):
    """[(offset, whole frame bytes)] of a frame stream."""
    frames = []
    offset = 0
    while offset < len(stream):
        nul = stream.index(b"\0", offset)
        length = int(stream[offset:nul])
        end = nul + 1 + length
        frames.append((offset, stream[offset:end]))
        offset = end
    return frames


def payload_of(frame_bytes):
    return frame_bytes[frame_bytes.index(b"\0") + 1:]


# ---------------------------------------------------------------------------


def message(index, size):
    return sealing.payload_for(index, size).hex()


def session_specs(mode, label, rekey=None):
    initiator_config, responder_config = party_configs(mode, initiator_limits=rekey, responder_limits=rekey)
    initiator = {
        "config": initiator_config,
        "randomness_hex": derive(f"{label} initiator randomness", 56).hex(),
        "send": [message(0, 5), message(1, 0), message(2, 300), message(3, 1), message(4, 64)],
        "close": True,
    }
    responder = {
        "config": responder_config,
        "randomness_hex": derive(f"{label} responder randomness", 56).hex(),
        "send": [message(10, 11), message(11, 1000), message(12, 0)],
        "close": True,
    }
    return initiator, responder


MODES = [
    ("static_keys", "Noise_XX: static keys pinned both ways"),
    ("static_keys_and_psk", "Noise_XXpsk3: static keys and a pre-shared key"),
    ("psk", "Noise_NNpsk0: a pre-shared key only"),
]


def sessions():
    vectors = []
    for mode, summary in MODES:
        rekey = {"rekey_frames": 2} if mode != "psk" else {"rekey_bytes": 300}
        interval = "every 2 frames" if "rekey_frames" in rekey else "every 300 bytes"
        initiator, responder = session_specs(mode, mode, rekey)
        to_responder, to_initiator = simulate(initiator, responder)
        for role, spec, received in (("initiator", initiator, to_initiator), ("responder", responder, to_responder)):
            vector = endpoint(
                f"{mode}_session_{role}",
                f"{summary}. The {role} of a complete session: handshake, its stream header, "
                f"its payloads (rekeying {interval}), "
                "its final frame; it reads the other end's payloads and final frame.",
                role, spec, received)
            expected_output = to_responder if role == "initiator" else to_initiator
            if vector["output_hex"] != expected_output.hex():
                raise SystemExit(f"{vector['name']}: replay differs from the simulated session")
            vectors.append(vector)
    return vectors


def attacks():
    """Tampering with the transport: each on the responder reading the initiator's stream
    of a static_keys session (and the initiator for the reflected case)."""
    initiator, responder = session_specs("static_keys", "attacks", {"rekey_frames": 2})
    to_responder, to_initiator = simulate(initiator, responder)
    frames = frames_of(to_responder)
    responder_frames = frames_of(to_initiator)
    # Frames: 0 message 1, 1 message 3, 2 stream header, 3.. payloads, last the final frame.
    data = frames[3:-1]
    final = frames[-1]
    head = b"".join(f for _, f in frames[:3])

    def stream(parts):
        return b"".join(parts)

    vectors = []
    flipped = bytearray(data[1][1])
    flipped[-5] ^= 0x01
    vectors.append(endpoint(
        "flipped_byte", "One bit of the second payload frame's ciphertext flipped: the first payload is "
        "delivered, the second fails authentication and nothing of it is released.",
        "responder", responder, stream([head, data[0][1], bytes(flipped)] + [f for _, f in data[2:]] + [final[1]]),
        expect_error="authentication_failed"))
    flipped_tag = bytearray(data[0][1])
    flipped_tag[flipped_tag.index(b"\0") + 1] ^= 0x80
    vectors.append(endpoint(
        "flipped_tag_byte", "The first byte of the first payload's ciphertext (the encrypted tag) flipped.",
        "responder", responder, stream([head, bytes(flipped_tag)] + [f for _, f in data[1:]] + [final[1]]),
        expect_error="authentication_failed"))
    vectors.append(endpoint(
        "dropped_frame", "The second payload frame removed: the third arrives where the second should be.",
        "responder", responder, stream([head, data[0][1]] + [f for _, f in data[2:]] + [final[1]]),
        expect_error="authentication_failed"))
    vectors.append(endpoint(
        "reordered_frames", "The second and third payload frames swapped.",
        "responder", responder, stream([head, data[0][1], data[2][1], data[1][1]] + [f for _, f in data[3:]] + [final[1]]),
        expect_error="authentication_failed"))
    vectors.append(endpoint(
        "replayed_frame", "The first payload frame sent twice: the copy fails.",
        "responder", responder, stream([head, data[0][1], data[0][1]] + [f for _, f in data[1:]] + [final[1]]),
        expect_error="authentication_failed"))
    vectors.append(endpoint(
        "truncated_before_final", "The connection ends after the last payload, before the final frame: every "
        "payload is delivered, then the cut is reported at the end of the input.",
        "responder", responder, stream([head] + [f for _, f in data]),
        expect_error="truncated"))
    vectors.append(endpoint(
        "truncated_inside_frame", "The connection ends in the middle of the third payload frame.",
        "responder", responder, stream([head, data[0][1], data[1][1], data[2][1][:10]]),
        expect_error="truncated"))
    vectors.append(endpoint(
        "truncated_in_handshake", "The connection ends after handshake message 1: the responder answered "
        "with message 2 and is cut off.",
        "responder", responder, frames[0][1], expect_error="truncated"))
    vectors.append(endpoint(
        "data_after_final", "A frame (a copy of the first payload) after the final frame.",
        "responder", responder, stream([head] + [f for _, f in data] + [final[1], data[0][1]]),
        expect_error="data_after_final"))
    vectors.append(endpoint(
        "reflected_frames", "The initiator's own stream sent back to it after a genuine handshake: its "
        "sending key is not its receiving key, so its own first payload fails.",
        "initiator", initiator,
        stream([f for _, f in responder_frames[:2]] + [data[0][1]]),
        expect_error="authentication_failed"))
    vectors.append(endpoint(
        "malformed_stream_header", "The responder's stream header cut to 23 bytes.",
        "initiator", initiator,
        stream([responder_frames[0][1], sealing.frame(payload_of(responder_frames[1][1])[:23])]),
        expect_error="malformed_stream_header"))

    # A replayed recorded session: the initiator's whole stream against a responder with
    # fresh randomness (a new ephemeral key): message 3 was made for another message 2.
    fresh = dict(responder, randomness_hex=derive("attacks fresh responder randomness", 56).hex())
    vectors.append(endpoint(
        "replayed_session", "A recording of the initiator's whole stream replayed to the responder, which "
        "answers with a new ephemeral key: message 3 no longer authenticates.",
        "responder", fresh, to_responder, expect_error="handshake_authentication_failed"))

    # Frames a genuine peer never sends, sealed with the real keys.
    vectors.append(endpoint(
        "unexpected_tag", "A payload sealed with TAG_PUSH, which this protocol never uses.",
        "responder", responder, stream([head, sealed_with(initiator, responder, tag=sealing.TAG_PUSH)]),
        expect_error="unexpected_tag"))
    vectors.append(endpoint(
        "final_frame_with_data", "A final frame (TAG_FINAL) carrying 3 bytes.",
        "responder", responder, stream([head, sealed_with(initiator, responder, final_payload=b"abc")]),
        expect_error="malformed_final_frame"))

    # Sizes: the limit is checked at the length field, before the payload arrives.
    small = dict(responder, config=dict(responder["config"], max_sealed_frame_length=100), send=[message(10, 11)])
    vectors.append(endpoint(
        "oversize_sealed_frame", "A responder whose limit is 100 bytes receives a 317-byte sealed frame: "
        "refused at its length field (only the length field and NUL need to arrive).",
        "responder", small, stream([head, data[0][1], data[1][1], data[2][1][:4]]),
        end_of_input=False, expect_error="sealed_frame_too_large"))
    vectors.append(endpoint(
        "oversize_handshake_frame", "A first frame declaring 129 bytes: over the handshake's 128-byte limit "
        "before any of it is buffered.",
        "responder", responder, b"129\0", end_of_input=False, expect_error="sealed_frame_too_large"))
    return vectors


def sealed_with(initiator, responder, tag=None, final_payload=None):
    """The first payload frame the initiator would send, sealed with `tag` (or a final
    frame carrying `final_payload`)."""
    i = sealing.SealedChannel(True, sealing.Config.from_json(initiator["config"]),
                              sealing.ScriptedRandomness(bytes.fromhex(initiator["randomness_hex"])))
    r = sealing.SealedChannel(False, sealing.Config.from_json(responder["config"]),
                              sealing.ScriptedRandomness(bytes.fromhex(responder["randomness_hex"])))
    i.start()
    r.feed(i.take_output())
    while r.next() is not None:
        pass
    i.feed(r.take_output())
    while i.next() is not None:
        pass
    i.take_output()
    if final_payload is not None:
        i.close(final_payload)
    else:
        i.forced_tag = tag
        i.seal(bytes.fromhex(message(0, 5)))
    return i.take_output()


def handshakes():
    """Refusals during the handshake: wrong keys, unknown keys, downgrades."""
    vectors = []
    initiator, responder = session_specs("static_keys", "handshakes")
    to_responder, to_initiator = simulate(initiator, responder)
    message1 = payload_of(frames_of(to_responder)[0][1])

    # Unknown peer keys, on each side.
    stranger_responder = dict(responder, config=dict(
        responder["config"], trusted_public_hex=[public(STRANGER_STATIC).hex()]))
    vectors.append(endpoint(
        "unknown_initiator_key", "The responder pins another key than the initiator's: message 3 "
        "authenticates, but the key it proves is not trusted.",
        "responder", stranger_responder, to_responder, expect_error="unknown_peer_key"))
    stranger_initiator = dict(initiator, config=dict(
        initiator["config"], trusted_public_hex=[public(STRANGER_STATIC).hex()]))
    vectors.append(endpoint(
        "unknown_responder_key", "The initiator pins another key than the responder's: it refuses message 2 "
        "and never sends message 3.",
        "initiator", stranger_initiator, to_initiator, expect_error="unknown_peer_key"))

    # Wrong pre-shared keys.
    for mode, where in (("psk", "message 1"), ("static_keys_and_psk", "message 3")):
        i, r = session_specs(mode, f"wrong psk {mode}")
        to_r, _ = simulate(i, r)
        wrong = dict(r, config=dict(r["config"], psk_hex=OTHER_PSK.hex()))
        vectors.append(endpoint(
            f"wrong_psk_{mode}", f"Mode {mode}: the responder holds another pre-shared key; {where} does not "
            "authenticate.", "responder", wrong, to_r, expect_error="handshake_authentication_failed"))

    # Downgrades and clear text.
    storable = bytes.fromhex("050b0300000001") + b"\x0a\x05hello" + b"\x03\x00\x00\x00\x01"
    vectors.append(endpoint(
        "clear_text_peer", "A peer that does not seal sends a POE frame (a Storable payload) first.",
        "responder", responder, sealing.frame(storable), end_of_input=False, expect_error="not_a_handshake"))
    vectors.append(endpoint(
        "stripped_header", "Message 1 without its 8-byte header (magic, version, mode, options).",
        "responder", responder, sealing.frame(message1[8:]), end_of_input=False, expect_error="not_a_handshake"))
    psk_i, psk_r = session_specs("static_keys_and_psk", "downgrade")
    psk_to_r, _ = simulate(psk_i, psk_r)
    psk_message1 = payload_of(frames_of(psk_to_r)[0][1])
    downgraded = bytearray(psk_message1)
    downgraded[5] = sealing.MODE_STATIC_KEYS
    vectors.append(endpoint(
        "downgraded_mode", "Message 1 of a static_keys_and_psk initiator with its mode byte rewritten to "
        "static_keys (no pre-shared key): the responder requires its own mode and refuses.",
        "responder", psk_r, sealing.frame(bytes(downgraded)), end_of_input=False, expect_error="mode_mismatch"))
    unknown_mode = bytearray(message1)
    unknown_mode[5] = 0
    vectors.append(endpoint(
        "unknown_mode", "Message 1 with mode byte 0, which names no mode.",
        "responder", responder, sealing.frame(bytes(unknown_mode)), end_of_input=False, expect_error="mode_mismatch"))
    version = bytearray(message1)
    version[4] = 2
    vectors.append(endpoint(
        "unsupported_version", "Message 1 asking for protocol version 2.",
        "responder", responder, sealing.frame(bytes(version)), end_of_input=False, expect_error="unsupported_version"))
    options = bytearray(message1)
    options[7] = 0x01
    vectors.append(endpoint(
        "unsupported_options", "Message 1 with an option bit this version does not define.",
        "responder", responder, sealing.frame(bytes(options)), end_of_input=False, expect_error="unsupported_options"))

    # The transcript binds message 1: a man in the middle who changes its ephemeral key
    # gets a message 2 from the responder that the initiator cannot authenticate.
    tampered = bytearray(message1)
    tampered[8] ^= 0x40
    replacement = dict(responder)
    r = sealing.SealedChannel(False, sealing.Config.from_json(replacement["config"]),
                              sealing.ScriptedRandomness(bytes.fromhex(replacement["randomness_hex"])))
    r.feed(sealing.frame(bytes(tampered)))
    while r.next() is not None:
        pass
    vectors.append(endpoint(
        "tampered_message_1", "A man in the middle flips a bit of the initiator's ephemeral key in message 1 "
        "and forwards it; the responder's genuine message 2 then fails at the initiator, whose transcript "
        "differs.", "initiator", initiator, r.take_output(), end_of_input=False,
        expect_error="handshake_authentication_failed"))
    vectors.append(endpoint(
        "malformed_message_3", "Message 3 one byte short.",
        "responder", responder,
        frames_of(to_responder)[0][1] + sealing.frame(payload_of(frames_of(to_responder)[1][1])[:-1]),
        end_of_input=False, expect_error="malformed_handshake_message"))
    zero = bytearray(message1)
    zero[8:40] = bytes(32)
    vectors.append(endpoint(
        "small_order_ephemeral", "Message 1 whose ephemeral key is all zeros, a point of small order: the "
        "exchange when writing message 2 gives zeros.",
        "responder", responder, sealing.frame(bytes(zero)), end_of_input=False, expect_error="invalid_peer_key"))
    return vectors


FILES = {
    "sessions.json": ("complete sessions in each mode, from each end", sessions),
    "transport.json": ("tampering with sealed frames: flipped, dropped, reordered, replayed, truncated, "
                       "oversize, reflected, frames a genuine peer never sends", attacks),
    "handshake.json": ("handshake refusals: unknown keys, wrong pre-shared keys, clear text, downgrades, "
                       "tampering, malformed messages", handshakes),
}


def render(topic, vectors):
    names = [vector["name"] for vector in vectors]
    if len(names) != len(set(names)):
        raise SystemExit("duplicate vector names")
    document = {"format": 1, "generated_by": GENERATED_BY, "topic": topic, "vectors": vectors}
    return json.dumps(document, indent=2) + "\n"


def main():
    check = "--check" in sys.argv[1:]
    stale = []
    seen = set()
    for name, (topic, build) in FILES.items():
        text = render(topic, build())
        for vector in json.loads(text)["vectors"]:
            if vector["name"] in seen:
                raise SystemExit(f"vector name {vector['name']} used twice")
            seen.add(vector["name"])
        path = os.path.join(HERE, name)
        if check:
            existing = open(path).read() if os.path.exists(path) else None
            if existing != text:
                stale.append(name)
        else:
            with open(path, "w") as handle:
                handle.write(text)
    if check:
        if stale:
            print(f"out of date: {', '.join(stale)} (run {GENERATED_BY})")
            return 1
        print(f"{len(seen)} vectors up to date")
        return 0
    print(f"wrote {len(seen)} vectors")
    return 0


if __name__ == "__main__":
    sys.exit(main())
