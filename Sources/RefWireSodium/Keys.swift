/// An X25519 public key: who a peer is, in the static-key modes. 32 bytes; printed and
/// parsed as 64 lowercase hex digits, the form `refwire keygen` prints and the form a
/// configuration pins.
public struct PublicKey: Hashable, Sendable {
    /// The key's 32 bytes.
    public let bytes: [UInt8]

    public static let byteCount = 32

    /// A public key from its 32 bytes.
    public init(bytes: some Collection<UInt8>) throws(KeyError) {
        guard bytes.count == Self.byteCount else {
            throw .invalidLength(expected: Self.byteCount, actual: bytes.count)
        }
        self.bytes = Array(bytes)
    }

    /// A public key from 64 hex digits (surrounding whitespace ignored).
    public init(hex: some StringProtocol) throws(KeyError) {
        try self.init(bytes: try KeyText.bytes(fromHex: hex))
    }

    /// 64 lowercase hex digits.
    public var hex: String { KeyText.hex(bytes) }
}

extension PublicKey: CustomStringConvertible {
    public var description: String { hex }
}

/// A peer's long-term X25519 key pair, for the static-key modes.
///
/// The private key lives in memory of its own that is wiped when the last copy of the
/// key pair goes; it is never printed (the description shows the public key only).
public struct StaticKeyPair: Sendable {
    /// The public half, which peers pin.
    public let publicKey: PublicKey
    let privateKey: SecretBytes

    /// The key pair whose private key is these 32 bytes (any 32 bytes are a valid X25519
    /// private key; libsodium clamps them).
    public init(privateKey bytes: some Collection<UInt8>) throws(KeyError) {
        guard bytes.count == PublicKey.byteCount else {
            throw .invalidLength(expected: PublicKey.byteCount, actual: bytes.count)
        }
        self.init(privateKey: SecretBytes(copying: bytes))
    }

    /// The key pair whose private key is these 64 hex digits (as ``privateKeyHex`` writes
    /// them; surrounding whitespace ignored).
    public init(privateKeyHex text: some StringProtocol) throws(KeyError) {
        var bytes = try KeyText.bytes(fromHex: text)
        defer { bytes.withUnsafeMutableBytes { Sodium.wipe($0) } }
        try self.init(privateKey: bytes)
    }

    init(privateKey: SecretBytes) {
        Sodium.ensureInitialized()
        precondition(privateKey.count == PublicKey.byteCount)
        var publicBytes = [UInt8](repeating: 0, count: PublicKey.byteCount)
        publicBytes.withUnsafeMutableBytes { Sodium.x25519PublicKey(of: privateKey.readable, into: $0) }
        self.privateKey = privateKey
        // Cannot fail: the count is right.
        self.publicKey = try! PublicKey(bytes: publicBytes)
    }

    /// A new key pair from `randomness` (the system's by default).
    public static func generate(using randomness: inout some SealingRandomness) -> StaticKeyPair {
        StaticKeyPair(privateKey: SecretBytes(count: PublicKey.byteCount, randomness: &randomness))
    }

    /// A new key pair from the system's random source.
    public static func generate() -> StaticKeyPair {
        var randomness = SystemRandomness()
        return generate(using: &randomness)
    }

    /// The private key as 64 lowercase hex digits, for writing a key file. Handle with
    /// care: whoever reads it can impersonate this peer.
    public var privateKeyHex: String { KeyText.hex(privateKey.readable) }
}

extension StaticKeyPair: CustomStringConvertible {
    public var description: String { "StaticKeyPair(public: \(publicKey.hex))" }
}

/// A 32-byte secret that both peers hold, for the pre-shared-key modes.
public struct PreSharedKey: Sendable {
    let secret: SecretBytes

    public static let byteCount = 32

    /// A pre-shared key of exactly 32 bytes. Use uniformly random bytes
    /// (``generate()``), not a password: nothing here stretches a weak secret.
    public init(bytes: some Collection<UInt8>) throws(KeyError) {
        guard bytes.count == Self.byteCount else {
            throw .invalidLength(expected: Self.byteCount, actual: bytes.count)
        }
        secret = SecretBytes(copying: bytes)
    }

    /// A pre-shared key from 64 hex digits (surrounding whitespace ignored).
    public init(hex text: some StringProtocol) throws(KeyError) {
        var bytes = try KeyText.bytes(fromHex: text)
        defer { bytes.withUnsafeMutableBytes { Sodium.wipe($0) } }
        try self.init(bytes: bytes)
    }

    /// A new random pre-shared key.
    public static func generate() -> PreSharedKey {
        var randomness = SystemRandomness()
        return generate(using: &randomness)
    }

    /// A new pre-shared key from `randomness`.
    public static func generate(using randomness: inout some SealingRandomness) -> PreSharedKey {
        PreSharedKey(secret: SecretBytes(count: byteCount, randomness: &randomness))
    }

    init(secret: SecretBytes) {
        self.secret = secret
    }

    /// The key as 64 lowercase hex digits, for writing a key file.
    public var hex: String { KeyText.hex(secret.readable) }
}

extension PreSharedKey: CustomStringConvertible {
    public var description: String { "PreSharedKey(<secret>)" }
}

/// Why a key could not be made from the bytes or text given.
public enum KeyError: Error, Hashable, Sendable {
    /// The key has the wrong number of bytes.
    case invalidLength(expected: Int, actual: Int)
    /// The text is not hex digits (two per byte).
    case invalidHex
}

extension KeyError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .invalidLength(let expected, let actual):
            "a key must be \(expected) bytes (\(expected * 2) hex digits), not \(actual)"
        case .invalidHex:
            "a key must be written as hex digits, two per byte"
        }
    }
}

/// The text form of keys: lowercase hex, one key per file or argument.
enum KeyText {
    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    static func bytes(fromHex text: some StringProtocol) throws(KeyError) -> [UInt8] {
        let utf8 = Array(text.utf8)
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
        guard let first = utf8.firstIndex(where: { !isSpace($0) }),
            let last = utf8.lastIndex(where: { !isSpace($0) })
        else { throw .invalidHex }
        let digits = utf8[first...last]
        guard digits.count.isMultiple(of: 2) else { throw .invalidHex }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = digits.startIndex
        while index < digits.endIndex {
            guard let high = value(digits[index]), let low = value(digits[index + 1]) else { throw .invalidHex }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func value(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
