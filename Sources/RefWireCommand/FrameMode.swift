import ArgumentParser
import RefWire

/// How the frames of a stream carry their payloads: the `--from` and `--to` of `reframe`.
///
/// Today the modes differ only in the payload transform. Modes that decode payloads into
/// values (Storable, YAML, JSON) are meant to join this enum.
enum FrameMode: String, CaseIterable, ExpressibleByArgument, Sendable {
    /// Payloads as they are, untouched.
    case raw
    /// Each payload is one zlib stream (POE::Filter::Reference `Compression => 1`).
    case zraw

    /// What one line of `--help` says about the mode.
    var summary: String {
        switch self {
        case .raw: return "payloads untouched"
        case .zraw: return "each payload is a zlib stream (POE `Compression => 1`)"
        }
    }

    static var allValueDescriptions: [String: String] {
        Dictionary(uniqueKeysWithValues: allCases.map { ($0.rawValue, $0.summary) })
    }

    /// The payload transform of this mode, as the library models it.
    func compression(maximumDecompressedSize: Int) -> PayloadCompression {
        switch self {
        case .raw: return .none
        case .zraw: return .zlib(maximumDecompressedSize: maximumDecompressedSize)
        }
    }
}
