import RefWire

/// Why a sealed channel stopped, or refused a local request.
///
/// Every error about what the peer sent is fatal: the channel wipes its keys, keeps
/// throwing the same error, and the connection must be closed. No plaintext from a frame
/// that fails is ever returned, and the frames before it were all returned intact.
/// Only the last three cases (the local ones) and a refused feed
/// (`.framing(.bufferLimitExceeded)`) leave the channel usable: see ``isFatal``.
///
/// Offsets are stream offsets of the frame concerned in the bytes received (the first
/// digit of its length field), as framing counts them.
public enum SealingError: Error, Hashable, Sendable {
    // MARK: Handshake

    /// The first frame is not a sealing handshake (its payload does not start with the
    /// magic `RWSL`): a peer speaking clear text, or one whose handshake was stripped.
    case notAHandshake(offset: Int)
    /// The peer speaks a version of this protocol that this side does not.
    case unsupportedVersion(UInt8, offset: Int)
    /// The peer asked for another mode than this side's (``SealingMode``), or a mode byte
    /// that names none (`offered` is the byte). Never answered with a weaker handshake.
    case modeMismatch(offered: UInt8, required: SealingMode, offset: Int)
    /// The handshake's options field holds bits this version does not define.
    case unsupportedOptions(UInt16, offset: Int)
    /// Handshake message number `message` (1, 2 or 3) has the wrong length.
    case malformedHandshakeMessage(message: Int, expectedLength: Int, actualLength: Int, offset: Int)
    /// Handshake message `message` did not authenticate: a wrong pre-shared key, a peer
    /// without the private key of the static key it presented, a transcript that differs
    /// between the two sides (a tampered or replayed message, a rewritten option), or a
    /// recorded session replayed.
    case handshakeAuthenticationFailed(message: Int, offset: Int)
    /// The peer proved a static key that is not among the pinned ones.
    case unknownPeerKey(PublicKey, offset: Int)
    /// The peer sent an X25519 public key of small order (an exchange with it gives all
    /// zeros, nothing secret).
    case invalidPeerKey(offset: Int)

    // MARK: Transport

    /// The peer's first frame after the handshake is not a 24-byte secretstream header.
    case malformedStreamHeader(length: Int, offset: Int)
    /// A sealed frame did not authenticate: a byte of it changed, or it is not the next
    /// frame of this direction of this session (a frame dropped, reordered, replayed, or
    /// sealed under another key). secretstream cannot tell these apart, by design.
    case authenticationFailed(offset: Int)
    /// A sealed frame authenticated but carries a secretstream tag this protocol never
    /// sends (`TAG_PUSH`).
    case unexpectedTag(UInt8, offset: Int)
    /// The peer's final frame (`TAG_FINAL`) carries data; it must be empty.
    case malformedFinalFrame(offset: Int)
    /// A frame arrived after the peer's final frame.
    case dataAfterFinal(offset: Int)
    /// The input ended before the peer's final frame: the connection was cut (during the
    /// handshake, between frames or inside one). What arrived before is authentic, but
    /// there may have been more.
    case truncated(offset: Int)
    /// A frame declared more than the limit (``SealingLimits/maximumSealedFrameLength``, or
    /// during the handshake ``SealedChannel/maximumHandshakeMessageLength``). Refused at
    /// its length field, before anything of it was buffered.
    case sealedFrameTooLarge(offset: Int, declaredLength: UInt64, limit: Int)
    /// The bytes received are not a frame stream (a framing error other than the above).
    case framing(FramingError)

    // MARK: Local requests (not fatal)

    /// ``SealedChannel/seal(_:into:)`` was given more than
    /// ``SealingLimits/maximumPayloadLength`` bytes. Nothing was sent.
    case payloadTooLarge(length: Int, limit: Int)
    /// Sealing was asked for before the handshake completed.
    case notEstablished
    /// Sealing was asked for after this side's final frame.
    case alreadyClosed

    /// Whether the channel is unusable after this error.
    public var isFatal: Bool {
        switch self {
        case .payloadTooLarge, .notEstablished, .alreadyClosed: false
        case .framing(let error): error.isFatal
        default: true
        }
    }

    /// The name of the error's kind in the vectors (`Spec/vectors/sealing`).
    public var kind: String {
        switch self {
        case .notAHandshake: "not_a_handshake"
        case .unsupportedVersion: "unsupported_version"
        case .modeMismatch: "mode_mismatch"
        case .unsupportedOptions: "unsupported_options"
        case .malformedHandshakeMessage: "malformed_handshake_message"
        case .handshakeAuthenticationFailed: "handshake_authentication_failed"
        case .unknownPeerKey: "unknown_peer_key"
        case .invalidPeerKey: "invalid_peer_key"
        case .malformedStreamHeader: "malformed_stream_header"
        case .authenticationFailed: "authentication_failed"
        case .unexpectedTag: "unexpected_tag"
        case .malformedFinalFrame: "malformed_final_frame"
        case .dataAfterFinal: "data_after_final"
        case .truncated: "truncated"
        case .sealedFrameTooLarge: "sealed_frame_too_large"
        case .framing: "framing"
        case .payloadTooLarge: "payload_too_large"
        case .notEstablished: "not_established"
        case .alreadyClosed: "already_closed"
        }
    }

    /// The stream offset of the frame concerned, when there is one.
    public var offset: Int? {
        switch self {
        case .notAHandshake(let offset), .unsupportedVersion(_, let offset), .modeMismatch(_, _, let offset),
            .unsupportedOptions(_, let offset), .malformedHandshakeMessage(_, _, _, let offset),
            .handshakeAuthenticationFailed(_, let offset), .unknownPeerKey(_, let offset),
            .invalidPeerKey(let offset), .malformedStreamHeader(_, let offset), .authenticationFailed(let offset),
            .unexpectedTag(_, let offset), .malformedFinalFrame(let offset), .dataAfterFinal(let offset),
            .truncated(let offset), .sealedFrameTooLarge(let offset, _, _):
            offset
        case .framing(let error): error.offset
        case .payloadTooLarge, .notEstablished, .alreadyClosed: nil
        }
    }
}

extension SealingError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .notAHandshake(let offset):
            "the frame at byte \(offset) is not a sealing handshake: the peer is not sealing"
        case .unsupportedVersion(let version, let offset):
            "the handshake at byte \(offset) asks for sealing version \(version); this side speaks version \(SealedChannel.protocolVersion)"
        case .modeMismatch(let offered, let required, let offset):
            "the handshake at byte \(offset) asks for mode \(SealingMode(rawValue: offered)?.identifier ?? "byte \(offered)"); this side requires \(required.identifier)"
        case .unsupportedOptions(let options, let offset):
            "the handshake at byte \(offset) sets option bits 0x\(String(options, radix: 16)) that this version does not define"
        case .malformedHandshakeMessage(let message, let expected, let actual, let offset):
            "handshake message \(message) at byte \(offset) is \(actual) bytes, not \(expected)"
        case .handshakeAuthenticationFailed(let message, let offset):
            "handshake message \(message) at byte \(offset) did not authenticate (wrong key, tampering or replay)"
        case .unknownPeerKey(let key, let offset):
            "the peer proved the static key \(key.hex) at byte \(offset), which is not trusted"
        case .invalidPeerKey(let offset):
            "the handshake message at byte \(offset) carries a public key of small order"
        case .malformedStreamHeader(let length, let offset):
            "the frame at byte \(offset) should be a 24-byte stream header, not \(length) bytes"
        case .authenticationFailed(let offset):
            "the sealed frame at byte \(offset) did not authenticate (changed, dropped, reordered, replayed or foreign)"
        case .unexpectedTag(let tag, let offset):
            "the sealed frame at byte \(offset) carries tag \(tag), which this protocol never sends"
        case .malformedFinalFrame(let offset):
            "the final frame at byte \(offset) carries data"
        case .dataAfterFinal(let offset):
            "a frame at byte \(offset) follows the peer's final frame"
        case .truncated(let offset):
            "the input ended at byte \(offset) before the peer's final frame: the connection was cut"
        case .sealedFrameTooLarge(let offset, let declared, let limit):
            "the frame at byte \(offset) declares \(declared) bytes, more than the limit of \(limit)"
        case .framing(let error):
            error.description
        case .payloadTooLarge(let length, let limit):
            "a payload of \(length) bytes is more than one sealed frame carries (\(limit))"
        case .notEstablished:
            "the handshake has not completed"
        case .alreadyClosed:
            "this side has already sent its final frame"
        }
    }
}
