/// How payloads are compressed inside frames: POE::Filter::Reference's `Compression`.
public enum PayloadCompression: Sendable, Hashable {
    /// Payloads travel as they are (POE's default).
    case none
    /// Each payload is one zlib stream (`Compression => 1`). Inflation stops with an
    /// error past `maximumDecompressedSize` bytes.
    case zlib(maximumDecompressedSize: Int = PayloadCompression.defaultMaximumDecompressedSize)

    /// 64 MiB: four times the default frame limit, far below what a zlib bomb reaches.
    public static let defaultMaximumDecompressedSize = 64 << 20

    /// Turns a payload as it travels into the payload as it was written.
    func decode(_ payload: ArraySlice<UInt8>) throws(ZlibError) -> ArraySlice<UInt8> {
        switch self {
        case .none: return payload
        case .zlib(let limit): return try Zlib.decompress(payload, maximumOutputSize: limit)[...]
        }
    }
}
