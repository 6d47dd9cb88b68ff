/// The serializations of reference-frame payloads that RefWire reads and writes: the
/// registry of serializers, each with the name that the CLI, the protocol's hello and
/// POE configurations use, and the version of the format it writes.
public enum PayloadFormat: String, CaseIterable, Hashable, Sendable {
    /// Storable in network order: what `nfreeze` writes, and what POE sends by default.
    case nstorable
    /// Storable in this machine's native order: what `freeze` writes here.
    case storable
    /// JSON (RFC 8259), as JSON::XS reads and writes it.
    case json
    /// YAML in YAML.pm's style, which YAML.pm and YAML::XS both load.
    case yaml
    /// YAML as YAML::XS's `Dump` writes it.
    case yamlxs

    /// The serializer's name.
    public var name: String { rawValue }

    /// The version of the format this serializer writes by default. Storable's is the
    /// `major.minor` its header carries; readers accept every older minor version too.
    public var formatVersion: String {
        switch self {
        case .nstorable, .storable:
            let target = StorableEncodingOptions().target
            return "\(StorableHeader.supportedMajorVersion).\(target.headerMinorVersion)"
        case .json:
            return "RFC 8259"
        case .yaml, .yamlxs:
            // What both Perl libraries read: YAML.pm implements YAML 1.0 with parts of
            // 1.1, YAML::XS (libyaml) YAML 1.1.
            return "1.1"
        }
    }

    /// Whether the format is Storable, in either byte order.
    public var isStorable: Bool { self == .nstorable || self == .storable }

    /// Whether the format is YAML, in either dialect.
    public var isYAML: Bool { self == .yaml || self == .yamlxs }
}

/// What the first bytes of a payload say it is, before anything is decoded.
///
/// Sniffing is a guess, kept honest: a payload counts as JSON or YAML only if it opens the
/// way JSON::XS and both Perl YAML libraries open every document they write for a
/// reference (`{` or `[`; `---`), and anything else is ``unknown``.
public enum PayloadKind: Hashable, Sendable, CustomStringConvertible {
    /// A Storable image whose header RefWire reads.
    case storable(StorableHeader)
    /// A Storable image of a version or native layout RefWire does not read; the error
    /// names it.
    case unsupportedStorable(StorableDecodingError)
    case json
    case yaml
    /// A Sereal document (`=srl` or `=\xF3rl`), which RefWire recognises but does not read.
    case sereal(version: Int)
    case empty
    case unknown

    /// Sniffs `bytes`.
    public init(sniffing bytes: some Collection<UInt8>) {
        let prefix = Array(bytes.prefix(Self.sniffedLength))
        self = Self.sniff(prefix[...])
    }

    /// Enough for any header: the file magic, two version bytes, a byte-order string of up
    /// to 255 bytes and four sizes.
    private static let sniffedLength = 4 + 2 + 1 + 255 + 4

    private static func sniff(_ bytes: ArraySlice<UInt8>) -> PayloadKind {
        guard let first = bytes.first else { return .empty }
        if bytes.starts(with: StorableHeader.fileMagic) || (0x02...0x0F).contains(first) {
            do throws(StorableDecodingError) {
                return .storable(try StorableHeader(parsing: bytes))
            } catch {
                // A recognised Storable version byte with a header RefWire cannot read is
                // Storable nonetheless; anything else in that byte range is no format.
                if case .unsupportedVersion = error.kind { return .unsupportedStorable(error) }
                if case .unsupportedNativeLayout = error.kind { return .unsupportedStorable(error) }
                return bytes.starts(with: StorableHeader.fileMagic) ? .unsupportedStorable(error) : .unknown
            }
        }
        if let version = serealVersion(bytes) { return .sereal(version: version) }
        var text = bytes
        if text.starts(with: [0xEF, 0xBB, 0xBF]) { text = text.dropFirst(3) }  // a UTF-8 byte order mark
        if text.starts(with: "---".utf8) || text.starts(with: "%YAML".utf8) { return .yaml }
        let opening = text.first { !(($0 == 0x20) || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D) }
        if opening == UInt8(ascii: "{") || opening == UInt8(ascii: "[") { return .json }
        return .unknown
    }

    /// Sereal's magic (`=srl` before protocol 3, `=\xF3rl` from 3 on, or that byte in
    /// UTF-8 when the document went through a character layer) and the protocol version
    /// in the low nibble of the next byte.
    private static func serealVersion(_ bytes: ArraySlice<UInt8>) -> Int? {
        for magic in [[0x3D, 0x73, 0x72, 0x6C], [0x3D, 0xF3, 0x72, 0x6C], [0x3D, 0xC3, 0xB3, 0x72, 0x6C]] as [[UInt8]]
        where bytes.starts(with: magic) {
            return bytes.dropFirst(magic.count).first.map { Int($0 & 0x0F) } ?? 0
        }
        return nil
    }

    /// The format to decode this payload with; `nil` if there is none.
    public var format: PayloadFormat? {
        switch self {
        case .storable(let header): header.byteOrder == .network ? .nstorable : .storable
        case .json: .json
        case .yaml: .yaml
        case .unsupportedStorable, .sereal, .empty, .unknown: nil
        }
    }

    /// A single token: `storable-network`, `storable-file-native`, `json`, `yaml`,
    /// `sereal`, `storable-unsupported`, `empty`, `unknown`.
    public var identifier: String {
        switch self {
        case .storable(let header):
            "storable-\(header.isFile ? "file-" : "")\(header.byteOrder == .network ? "network" : "native")"
        case .unsupportedStorable: "storable-unsupported"
        case .json: "json"
        case .yaml: "yaml"
        case .sereal: "sereal"
        case .empty: "empty"
        case .unknown: "unknown"
        }
    }

    /// The identifier with the details: `storable-network 2.11`, `storable-native 2.11
    /// 12345678`, `sereal 4`, or what is unsupported about a Storable header.
    public var description: String {
        switch self {
        case .storable(let header):
            let version = "\(identifier) \(header.majorVersion).\(header.minorVersion)"
            switch header.byteOrder {
            case .network: return version
            case .littleEndian: return "\(version) \("12345678".prefix(header.integerSize))"
            case .bigEndian: return "\(version) \("87654321".suffix(header.integerSize))"
            }
        case .unsupportedStorable(let error): return "\(identifier): \(error)"
        case .sereal(let version): return "\(identifier) \(version)"
        default: return identifier
        }
    }
}
