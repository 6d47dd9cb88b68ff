/// What a `hello`/`welcome` exchange settled for one connection (`Spec/protocol.md` §4).
///
/// A transport applies it to every frame after the `welcome`: the server after writing
/// the `welcome`, the client after reading it.
public struct Negotiation: Hashable, Sendable {
    /// The protocol version both sides speak.
    public var version: Int64
    /// The serializer for later frames; `nil`: keep the one in use.
    public var serializer: PayloadFormat?
    /// The compression for later frames; `nil`: keep the one in use.
    public var compression: SessionCompression?
    /// The channel's sealing: `none`, or a mode of `Spec/sealing.md`.
    public var sealing: String

    public init(version: Int64, serializer: PayloadFormat? = nil, compression: SessionCompression? = nil,
                sealing: String = SessionSealing.none) {
        self.version = version
        self.serializer = serializer
        self.compression = compression
        self.sealing = sealing
    }
}

/// The compression names of `hello` and `welcome`.
public enum SessionCompression: String, CaseIterable, Hashable, Sendable {
    /// Payloads as they are (POE's default).
    case none
    /// Each payload one zlib stream (POE's `Compression => 1`).
    case zlib
}

/// The sealing names of `hello` and `welcome`: `none`, or a mode identifier of
/// `Spec/sealing.md` §3.
public enum SessionSealing {
    public static let none = "none"
    public static let modes = ["static_keys", "static_keys_and_psk", "psk"]
}

/// The protocol versions this implementation speaks.
public enum SessionProtocol {
    public static let versions: [Int64] = [1]
}
