/// Noise's `HandshakeState` (revision 34, section 5.3) for the three patterns of
/// ``SealingMode``, with empty payloads: a sans-IO interpreter of the pattern's tokens
/// that writes and reads one message at a time.
///
/// Owned by one ``SealedChannel``; its secrets (the ephemeral private key, and through
/// ``SymmetricState`` the chaining and cipher keys) are wiped when it goes.
final class NoiseHandshake {
    enum Token {
        case e, s, ee, es, se, psk
    }

    /// Why a message could not be read. The channel adds the message number and offset.
    enum Failure: Error {
        /// The message is not the length its tokens give.
        case length(expected: Int)
        /// An encrypted part did not authenticate.
        case authentication
        /// A public key of small order: the exchange gave all zeros.
        case invalidKey
    }

    let mode: SealingMode
    let isInitiator: Bool
    private let symmetric: SymmetricState
    private let pattern: [[Token]]
    private let localStatic: StaticKeyPair?
    private let preSharedKey: PreSharedKey?
    private let ephemeralPrivate = SecretBytes(count: Sodium.x25519Bytes)
    private var ephemeralPublic: [UInt8] = []
    private var remoteEphemeral: [UInt8] = []
    /// The peer's static key, once a message carrying it has been read.
    private(set) var remoteStatic: PublicKey?
    /// How many messages have been written or read.
    private(set) var messageIndex = 0

    /// `Initialize(handshake_pattern, initiator, prologue, s, e, rs, re, psk)` with no
    /// pre-messages (neither pattern has any).
    init(
        mode: SealingMode, isInitiator: Bool, prologue: UnsafeRawBufferPointer,
        localStatic: StaticKeyPair?, preSharedKey: PreSharedKey?
    ) {
        self.mode = mode
        self.isInitiator = isInitiator
        self.pattern = Self.pattern(mode)
        self.localStatic = localStatic
        self.preSharedKey = preSharedKey
        symmetric = SymmetricState(protocolName: mode.noiseProtocolName)
        symmetric.mixHash(prologue)
        precondition(Self.usesStatic(mode) == (localStatic != nil), "static key presence must match the mode")
        precondition(Self.usesPreSharedKey(mode) == (preSharedKey != nil), "pre-shared key presence must match the mode")
    }

    static func pattern(_ mode: SealingMode) -> [[Token]] {
        switch mode {
        case .staticKeys: [[.e], [.e, .ee, .s, .es], [.s, .se]]
        case .staticKeysAndPreSharedKey: [[.e], [.e, .ee, .s, .es], [.s, .se, .psk]]
        case .preSharedKey: [[.psk, .e], [.e, .ee]]
        }
    }

    static func usesStatic(_ mode: SealingMode) -> Bool { mode != .preSharedKey }
    static func usesPreSharedKey(_ mode: SealingMode) -> Bool { mode != .staticKeys }

    /// The length of every message of `mode`'s handshake (payloads are empty).
    static func messageLengths(_ mode: SealingMode) -> [Int] {
        var keyed = false
        return pattern(mode).map { tokens in
            var length = 0
            for token in tokens {
                switch token {
                case .e:
                    length += Sodium.x25519Bytes
                    // With a pre-shared key, `e` also calls MixKey (Noise section 9.2).
                    if usesPreSharedKey(mode) { keyed = true }
                case .s: length += Sodium.x25519Bytes + (keyed ? Sodium.aeadTagBytes : 0)
                case .ee, .es, .se, .psk: keyed = true
                }
            }
            return length + (keyed ? Sodium.aeadTagBytes : 0)
        }
    }

    var isComplete: Bool { messageIndex == pattern.count }

    /// Whether the next message is this side's to write.
    var isOurTurn: Bool { !isComplete && messageIndex.isMultiple(of: 2) == isInitiator }

    /// Whether the last message read carried the peer's static key.
    var lastReadCarriedStatic: Bool { messageIndex > 0 && pattern[messageIndex - 1].contains(.s) }

    /// The handshake hash `h`: after the last message, the session's channel binding.
    var handshakeHash: [UInt8] { symmetric.handshakeHash }

    /// `WriteMessage(payload = "")`: appends the next message to `output`, drawing a new
    /// ephemeral key from `randomness` at its `e` token.
    ///
    /// Throws ``Failure/invalidKey`` (and `output` may then hold part of the message, to
    /// be discarded) when an exchange with a key the peer sent earlier gives all zeros:
    /// the peer's ephemeral in message 1 is first used when message 2 is written.
    func writeMessage(randomness: inout some SealingRandomness, into output: inout [UInt8]) throws(Failure) {
        precondition(isOurTurn, "not this side's turn to write a handshake message")
        for token in pattern[messageIndex] {
            switch token {
            case .e:
                randomness.fill(ephemeralPrivate.bytes)
                ephemeralPublic = [UInt8](repeating: 0, count: Sodium.x25519Bytes)
                ephemeralPublic.withUnsafeMutableBytes { Sodium.x25519PublicKey(of: ephemeralPrivate.readable, into: $0) }
                output.append(contentsOf: ephemeralPublic)
                ephemeralPublic.withUnsafeBytes { mixEphemeral($0) }
            case .s:
                localStatic!.publicKey.bytes.withUnsafeBytes { symmetric.encryptAndHash($0, appendingTo: &output) }
            case .psk:
                symmetric.mixKeyAndHash(preSharedKey!.secret.readable)
            case .ee, .es, .se:
                guard exchange(token) else { throw .invalidKey }
            }
        }
        symmetric.encryptAndHash(UnsafeRawBufferPointer(start: nil, count: 0), appendingTo: &output)
        messageIndex += 1
    }

    /// `ReadMessage(message)`, whose payload must be empty.
    func readMessage(_ message: UnsafeRawBufferPointer) throws(Failure) {
        precondition(!isComplete && !isOurTurn, "not the peer's turn to write a handshake message")
        let expected = Self.messageLengths(mode)[messageIndex]
        guard message.count == expected else { throw .length(expected: expected) }
        var position = 0
        func take(_ count: Int) -> UnsafeRawBufferPointer {
            defer { position += count }
            return UnsafeRawBufferPointer(rebasing: message[position..<(position + count)])
        }
        for token in pattern[messageIndex] {
            switch token {
            case .e:
                let key = take(Sodium.x25519Bytes)
                remoteEphemeral = Array(key)
                mixEphemeral(key)
            case .s:
                let sealed = take(symmetric.sealedLength(Sodium.x25519Bytes))
                var key = [UInt8](repeating: 0, count: Sodium.x25519Bytes)
                let opened = key.withUnsafeMutableBytes { symmetric.decryptAndHash(sealed, into: $0) }
                guard opened else { throw .authentication }
                remoteStatic = try! PublicKey(bytes: key)
            case .psk:
                symmetric.mixKeyAndHash(preSharedKey!.secret.readable)
            case .ee, .es, .se:
                guard exchange(token) else { throw .invalidKey }
            }
        }
        let payload = take(symmetric.sealedLength(0))
        let opened = symmetric.decryptAndHash(payload, into: UnsafeMutableRawBufferPointer(start: nil, count: 0))
        guard opened else { throw .authentication }
        messageIndex += 1
    }

    /// `Split()`, after the last message: (this side's sending key, its receiving key).
    func split() -> (sending: SecretBytes, receiving: SecretBytes) {
        precondition(isComplete, "Split before the handshake completed")
        let keys = symmetric.split()
        return isInitiator
            ? (keys.initiatorToResponder, keys.responderToInitiator)
            : (keys.responderToInitiator, keys.initiatorToResponder)
    }

    /// The `e` token's hashing: `MixHash(e.public_key)`, and with a pre-shared key also
    /// `MixKey(e.public_key)` (Noise section 9.2).
    private func mixEphemeral(_ publicKey: UnsafeRawBufferPointer) {
        symmetric.mixHash(publicKey)
        if Self.usesPreSharedKey(mode) { symmetric.mixKey(publicKey) }
    }

    /// `ee`, `es` or `se`: `MixKey(DH(...))` with the keys the token names, from this
    /// side's point of view. Returns `false` if the result is all zeros.
    private func exchange(_ token: Token) -> Bool {
        // es: the initiator's ephemeral with the responder's static; se: the initiator's
        // static with the responder's ephemeral.
        let useLocalStatic: Bool
        let useRemoteStatic: Bool
        switch token {
        case .ee: (useLocalStatic, useRemoteStatic) = (false, false)
        case .es: (useLocalStatic, useRemoteStatic) = (!isInitiator, isInitiator)
        case .se: (useLocalStatic, useRemoteStatic) = (isInitiator, !isInitiator)
        default: preconditionFailure("not a Diffie-Hellman token")
        }
        let local = useLocalStatic ? localStatic!.privateKey : ephemeralPrivate
        let remote = useRemoteStatic ? remoteStatic!.bytes : remoteEphemeral
        return withSecureScratch(byteCount: Sodium.x25519Bytes) { shared in
            let valid = remote.withUnsafeBytes { Sodium.x25519(local.readable, $0, into: shared) }
            if valid { symmetric.mixKey(UnsafeRawBufferPointer(shared)) }
            return valid
        }
    }
}
