import RefWire

/// What a payload looks like: whether it is zlib-compressed, and (the library's
/// ``PayloadKind``) which serializer probably wrote it.
struct PayloadSniffer {
    /// Inflation stops past this many bytes (the payload then counts as not inflating).
    var maximumDecompressedSize: Int

    enum Compression: String, Sendable {
        /// No zlib header at the start.
        case none
        /// A zlib header, and the payload inflates completely.
        case zlib
        /// A zlib header, but the payload does not inflate: corrupt, too large, or a raw
        /// payload that happens to start with two bytes that form a valid header.
        case zlibInvalid = "zlib-invalid"
    }

    struct Result: Sendable {
        var compression: Compression
        /// Why a payload with a zlib header did not inflate.
        var zlibError: ZlibError?
        /// The payload after inflation (the payload itself unless `compression == .zlib`).
        var decoded: ArraySlice<UInt8>
        var kind: PayloadKind
    }

    func sniff(_ payload: ArraySlice<UInt8>) -> Result {
        var compression = Compression.none
        var zlibError: ZlibError?
        var decoded = payload
        if Self.hasZlibHeader(payload) {
            do throws(ZlibError) {
                decoded = try Zlib.decompress(payload, maximumOutputSize: maximumDecompressedSize)[...]
                compression = .zlib
            } catch {
                compression = .zlibInvalid
                zlibError = error
            }
        }
        return Result(
            compression: compression, zlibError: zlibError, decoded: decoded, kind: PayloadKind(sniffing: decoded))
    }

    /// RFC 1950: CM = 8 (deflate), CINFO ≤ 7, no preset dictionary (this protocol never
    /// uses one), and `CMF * 256 + FLG` a multiple of 31.
    static func hasZlibHeader(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard bytes.count >= 2 else { return false }
        let cmf = bytes[bytes.startIndex]
        let flg = bytes[bytes.startIndex + 1]
        return cmf & 0x0F == 8 && cmf >> 4 <= 7 && flg & 0x20 == 0
            && (Int(cmf) << 8 | Int(flg)) % 31 == 0
    }
}
