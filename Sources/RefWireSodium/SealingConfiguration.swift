import RefWire

/// How the two peers authenticate each other: which Noise handshake pattern runs
/// (Spec/sealing.md, section 3). The mode travels in the first handshake message, is
/// bound into the transcript, and must equal the responder's own: there is no
/// negotiation, so there is nothing to downgrade.
public enum SealingMode: UInt8, Sendable, CaseIterable {
    /// Both peers prove a static X25519 key the other has pinned:
    /// `Noise_XX_25519_ChaChaPoly_BLAKE2b`, three messages.
    case staticKeys = 1
    /// Static keys and a pre-shared key, both required:
    /// `Noise_XXpsk3_25519_ChaChaPoly_BLAKE2b`, three messages.
    case staticKeysAndPreSharedKey = 2
    /// A pre-shared key only (no identities): `Noise_NNpsk0_25519_ChaChaPoly_BLAKE2b`,
    /// two messages.
    case preSharedKey = 3

    /// The Noise protocol name, hashed first into the transcript.
    public var noiseProtocolName: String {
        switch self {
        case .staticKeys: "Noise_XX_25519_ChaChaPoly_BLAKE2b"
        case .staticKeysAndPreSharedKey: "Noise_XXpsk3_25519_ChaChaPoly_BLAKE2b"
        case .preSharedKey: "Noise_NNpsk0_25519_ChaChaPoly_BLAKE2b"
        }
    }

    /// The name used in vectors and on the command line.
    public var identifier: String {
        switch self {
        case .staticKeys: "static_keys"
        case .staticKeysAndPreSharedKey: "static_keys_and_psk"
        case .preSharedKey: "psk"
        }
    }
}

/// The public keys a peer accepts from the other side in the static-key modes: the
/// pinned keys. A handshake that presents any other key fails with
/// ``SealingError/unknownPeerKey(_:)`` before any application data is exchanged.
public struct TrustedKeys: Sendable, Hashable {
    public var keys: Set<PublicKey>

    public init(_ keys: some Sequence<PublicKey>) {
        self.keys = Set(keys)
    }

    public func contains(_ key: PublicKey) -> Bool { keys.contains(key) }
}

/// Everything one end of a sealed channel needs: how it authenticates, its limits and
/// when it rekeys. Both ends must use the same ``mode``.
public struct SealingConfiguration: Sendable {
    /// Who this peer is and whom it accepts.
    public enum Authentication: Sendable {
        /// ``SealingMode/staticKeys``.
        case staticKeys(StaticKeyPair, trusting: TrustedKeys)
        /// ``SealingMode/staticKeysAndPreSharedKey``.
        case staticKeysAndPreSharedKey(StaticKeyPair, trusting: TrustedKeys, PreSharedKey)
        /// ``SealingMode/preSharedKey``.
        case preSharedKey(PreSharedKey)
    }

    public var authentication: Authentication
    public var limits: SealingLimits
    public var rekeyInterval: RekeyInterval

    public init(
        authentication: Authentication, limits: SealingLimits = .default, rekeyInterval: RekeyInterval = .default
    ) {
        self.authentication = authentication
        self.limits = limits
        self.rekeyInterval = rekeyInterval
    }

    /// The handshake this configuration runs.
    public var mode: SealingMode {
        switch authentication {
        case .staticKeys: .staticKeys
        case .staticKeysAndPreSharedKey: .staticKeysAndPreSharedKey
        case .preSharedKey: .preSharedKey
        }
    }

    var staticKeyPair: StaticKeyPair? {
        switch authentication {
        case .staticKeys(let pair, _), .staticKeysAndPreSharedKey(let pair, _, _): pair
        case .preSharedKey: nil
        }
    }

    var trustedKeys: TrustedKeys? {
        switch authentication {
        case .staticKeys(_, let trusted), .staticKeysAndPreSharedKey(_, let trusted, _): trusted
        case .preSharedKey: nil
        }
    }

    var preSharedKey: PreSharedKey? {
        switch authentication {
        case .staticKeysAndPreSharedKey(_, _, let key), .preSharedKey(let key): key
        case .staticKeys: nil
        }
    }
}

/// The bounds a sealed channel enforces on what its peer sends.
public struct SealingLimits: Sendable, Hashable {
    /// The largest sealed frame payload accepted (ciphertext and its 17-byte overhead),
    /// checked when the frame's length field ends, before any of it is buffered. It also
    /// bounds what ``SealedChannel/seal(_:into:)`` sends, so that a peer with the same
    /// limit never refuses it. Default: 16 MiB, framing's default frame limit.
    public var maximumSealedFrameLength: Int

    /// The most bytes received and not yet handed out (FramingLimits'
    /// `maximumBufferedBytes`). Default: derived from the frame limit as framing derives it.
    public var maximumBufferedBytes: Int

    public init(maximumSealedFrameLength: Int = 16 << 20, maximumBufferedBytes: Int? = nil) {
        precondition(
            maximumSealedFrameLength >= SealedChannel.sealOverhead,
            "maximumSealedFrameLength must leave room for the 17-byte secretstream overhead")
        let framing = FramingLimits(
            maximumFrameLength: maximumSealedFrameLength, maximumBufferedBytes: maximumBufferedBytes)
        self.maximumSealedFrameLength = maximumSealedFrameLength
        self.maximumBufferedBytes = framing.maximumBufferedBytes
    }

    public static let `default` = SealingLimits()

    /// The largest plaintext one sealed frame can carry.
    public var maximumPayloadLength: Int { maximumSealedFrameLength - SealedChannel.sealOverhead }

    /// Framing limits for the transport phase.
    var transportFraming: FramingLimits {
        FramingLimits(maximumFrameLength: maximumSealedFrameLength, maximumBufferedBytes: maximumBufferedBytes)
    }

    /// Framing limits for the handshake: no handshake message is longer than
    /// ``SealedChannel/maximumHandshakeMessageLength``, so an unauthenticated peer cannot
    /// make this side buffer a large frame. The buffer limit stays the transport's, as the
    /// bytes that follow the last handshake message may already be data frames.
    var handshakeFraming: FramingLimits {
        FramingLimits(
            maximumFrameLength: SealedChannel.maximumHandshakeMessageLength,
            maximumBufferedBytes: maximumBufferedBytes)
    }
}

/// When a sender rekeys its direction (secretstream's `TAG_REKEY`): after this many
/// frames or this many plaintext bytes since the last rekey, whichever comes first. The
/// receiver follows the tag, so the two ends need not agree on it.
///
/// Rekeying gives forward secrecy within a long connection: whoever later learns a
/// direction's current state cannot decrypt the frames sealed before the last rekey.
public struct RekeyInterval: Sendable, Hashable {
    public var frames: Int
    public var bytes: Int

    public init(frames: Int = 65_536, bytes: Int = 64 << 20) {
        precondition(frames >= 1 && bytes >= 1, "a rekey interval must be positive")
        self.frames = frames
        self.bytes = bytes
    }

    /// Every 65,536 frames or 64 MiB.
    public static let `default` = RekeyInterval()
}

extension SealingConfiguration {
    /// A configuration from pieces named separately, as a command line or a configuration
    /// file names them (for example `--seal MODE --seal-key FILE --seal-trust KEY
    /// --seal-psk FILE`). The mode decides which pieces are required: a missing one, or
    /// one the mode does not use, is an error, never a silently weaker channel.
    public init(
        mode: SealingMode, staticKeyPair: StaticKeyPair?, trustedKeys: TrustedKeys?, preSharedKey: PreSharedKey?,
        limits: SealingLimits = .default, rekeyInterval: RekeyInterval = .default
    ) throws(SealingConfigurationError) {
        let usesStatic = mode != .preSharedKey
        let usesPreSharedKey = mode != .staticKeys
        if usesStatic {
            guard staticKeyPair != nil else { throw .missing("a static key pair", mode: mode) }
            guard let trustedKeys, !trustedKeys.keys.isEmpty else { throw .missing("a trusted public key", mode: mode) }
        } else {
            guard staticKeyPair == nil else { throw .unused("a static key pair", mode: mode) }
            guard trustedKeys == nil else { throw .unused("trusted public keys", mode: mode) }
        }
        if usesPreSharedKey {
            guard preSharedKey != nil else { throw .missing("a pre-shared key", mode: mode) }
        } else {
            guard preSharedKey == nil else { throw .unused("a pre-shared key", mode: mode) }
        }
        let authentication: Authentication =
            switch mode {
            case .staticKeys: .staticKeys(staticKeyPair!, trusting: trustedKeys!)
            case .staticKeysAndPreSharedKey: .staticKeysAndPreSharedKey(staticKeyPair!, trusting: trustedKeys!, preSharedKey!)
            case .preSharedKey: .preSharedKey(preSharedKey!)
            }
        self.init(authentication: authentication, limits: limits, rekeyInterval: rekeyInterval)
    }
}

/// Why the pieces given do not make a configuration for their mode.
public enum SealingConfigurationError: Error, Hashable, Sendable {
    /// The mode needs this piece.
    case missing(String, mode: SealingMode)
    /// The mode does not use this piece (given by mistake, or for another mode).
    case unused(String, mode: SealingMode)
}

extension SealingConfigurationError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .missing(let piece, let mode): "sealing mode \(mode.identifier) needs \(piece)"
        case .unused(let piece, let mode): "sealing mode \(mode.identifier) does not use \(piece)"
        }
    }
}
