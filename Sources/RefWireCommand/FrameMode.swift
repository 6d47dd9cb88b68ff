import ArgumentParser
import RefWire

/// How the frames of a stream carry their payloads: the `--from` and `--to` of `reframe`.
///
/// A mode is a payload transform (none, or zlib) and, for the *value modes*, the
/// serializer that wrote the payloads. Modes for POE's other serializers (YAML, JSON)
/// are meant to join this enum by naming their ``SerializerFormat``.
enum FrameMode: String, CaseIterable, ExpressibleByArgument, Sendable {
    /// Payloads as they are, untouched.
    case raw
    /// Each payload is one zlib stream (POE::Filter::Reference `Compression => 1`).
    case zraw
    /// Each payload is a Storable image, written as `nfreeze` (POE's default).
    case frame
    /// Each payload is a zlib-compressed Storable image (POE's default serializer with
    /// `Compression => 1`).
    case zframe
    /// Each payload is JSON text (POE::Filter::Reference with a JSON serializer).
    case jframe
    /// Each payload is a YAML.pm document as POE::Filter::Reference (`Serializer =>
    /// 'YAML'`) sends it: the bytes Perl holds for the text, which its reader hands to
    /// `Load` without decoding (see ``PayloadCodec`` options in ``codec(_:)``).
    case yframe

    /// What one line of `--help` says about the mode.
    var summary: String {
        switch self {
        case .raw: return "payloads untouched"
        case .zraw: return "each payload is a zlib stream (POE `Compression => 1`)"
        case .frame: return "each payload is a Storable image, decoded and written as nfreeze (POE's default)"
        case .zframe: return "as frame, each payload zlib-compressed"
        case .jframe: return "each payload is JSON, decoded and written as JSON::XS does"
        case .yframe: return "each payload is YAML.pm's, as POE sends it (Perl's internal bytes)"
        }
    }

    static var allValueDescriptions: [String: String] {
        Dictionary(uniqueKeysWithValues: allCases.map { ($0.rawValue, $0.summary) })
    }

    /// Whether each payload is a zlib stream.
    var isCompressed: Bool {
        switch self {
        case .raw, .frame, .jframe, .yframe: return false
        case .zraw, .zframe: return true
        }
    }

    /// The payload transform of this mode, as the library models it.
    func compression(maximumDecompressedSize: Int) -> PayloadCompression {
        isCompressed ? .zlib(maximumDecompressedSize: maximumDecompressedSize) : .none
    }

    /// The serializer of the payloads for a value mode; `nil` when payloads are opaque.
    var serializer: SerializerFormat? {
        switch self {
        case .raw, .zraw: return nil
        case .frame, .zframe: return .nstorable
        case .jframe: return .json
        case .yframe: return .yaml
        }
    }

    /// `base` adjusted to this mode's payloads: `yframe` reads and writes YAML as POE
    /// sends it (``PayloadCodec/poeFilterReference(_:)``).
    func codec(_ base: PayloadCodec) -> PayloadCodec {
        guard let format = serializer?.payloadFormat else { return base }
        let poe = PayloadCodec.poeFilterReference(format)
        var codec = base
        codec.yamlDecoding.encoding = poe.yamlDecoding.encoding
        codec.yamlEncoding.encoding = poe.yamlEncoding.encoding
        return codec
    }
}
