import RefWire

/// What a payload looks like: which serializer probably wrote it, and whether it is
/// zlib-compressed. Guesswork from the first bytes, kept honest: anything not clearly
/// recognised is `unknown`.
///
/// Self-contained so that it can move into the library once it has format sniffing.
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

    /// A Storable header (Storable.xs `magic_write`): an optional `pst0` file magic, a
    /// byte `(major << 1) | netorder`, the minor version and, in native order, the
    /// byte-order string of the machine that wrote it.
    struct StorableHeader: Hashable, Sendable {
        var fileMagic: Bool
        var networkOrder: Bool
        var major: Int
        var minor: Int
        /// Native order only, e.g. `12345678` for a little-endian 64-bit perl.
        var byteOrder: String?

        var version: String { "\(major).\(minor)" }
    }

    enum Kind: Hashable, Sendable {
        case empty
        case storable(StorableHeader)
        case yaml
        case json
        case unknown

        /// A single token: `storable-network`, `storable-file-native`, `yaml`, ...
        var identifier: String {
            switch self {
            case .empty: return "empty"
            case .storable(let header):
                return "storable-" + (header.fileMagic ? "file-" : "")
                    + (header.networkOrder ? "network" : "native")
            case .yaml: return "yaml"
            case .json: return "json"
            case .unknown: return "unknown"
            }
        }

        /// The identifier with the details: `storable-network 2.11`,
        /// `storable-native 2.11 12345678`.
        var description: String {
            guard case .storable(let header) = self else { return identifier }
            var text = "\(identifier) \(header.version)"
            if let byteOrder = header.byteOrder { text += " \(byteOrder)" }
            return text
        }
    }

    struct Result: Sendable {
        var compression: Compression
        /// Why a payload with a zlib header did not inflate.
        var zlibError: ZlibError?
        /// The payload after inflation (the payload itself unless `compression == .zlib`).
        var decoded: ArraySlice<UInt8>
        var kind: Kind
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
        return Result(compression: compression, zlibError: zlibError, decoded: decoded, kind: Self.kind(of: decoded))
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

    static func kind(of bytes: ArraySlice<UInt8>) -> Kind {
        guard !bytes.isEmpty else { return .empty }
        if let header = storableHeader(bytes) { return .storable(header) }
        if bytes.starts(with: "---".utf8) { return .yaml }
        if let firstNonSpace = bytes.first(where: { !isJSONWhitespace($0) }),
            firstNonSpace == UInt8(ascii: "{") || firstNonSpace == UInt8(ascii: "[")
        {
            return .json
        }
        return .unknown
    }

    /// The Storable major version every Storable since 0.7 writes.
    static let storableMajor = 2

    static func storableHeader(_ bytes: ArraySlice<UInt8>) -> StorableHeader? {
        var rest = bytes
        let fileMagic = rest.starts(with: "pst0".utf8)
        if fileMagic { rest = rest.dropFirst(4) }
        guard rest.count >= 2 else { return nil }
        let versionByte = rest[rest.startIndex]
        let minor = Int(rest[rest.startIndex + 1])
        guard Int(versionByte >> 1) == storableMajor else { return nil }
        let networkOrder = versionByte & 1 == 1
        rest = rest.dropFirst(2)
        var byteOrder: String?
        if !networkOrder {
            // A length byte, then that many ASCII digits ("1234", "12345678", "4321"...).
            guard let length = rest.first, (1...16).contains(length), rest.count > Int(length) else {
                return nil
            }
            let digits = rest.dropFirst().prefix(Int(length))
            guard digits.allSatisfy({ (UInt8(ascii: "1")...UInt8(ascii: "8")).contains($0) }) else {
                return nil
            }
            byteOrder = String(decoding: digits, as: UTF8.self)
        }
        return StorableHeader(
            fileMagic: fileMagic, networkOrder: networkOrder, major: storableMajor, minor: minor,
            byteOrder: byteOrder)
    }

    private static func isJSONWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }
}
