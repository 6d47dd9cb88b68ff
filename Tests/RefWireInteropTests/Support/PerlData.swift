import Foundation
import RefWire

/// The data of a value as Perl code sees it after a trip through any serializer — the
/// Swift twin of `Perl/SameData.pm`, for checking on the Swift side what a Perl peer
/// sent back.
///
/// Scalars become their text as Perl prints them (integers in decimal, doubles with 15
/// significant digits; byte and character strings by their characters), so that the
/// integer 7, the double 7.0 and the string "7" are the same data, as they are in Perl
/// after Storable's network order or YAML. Containers keep their shape, blessed
/// referents their class, scalar references their target.
indirect enum PerlData: Equatable, CustomStringConvertible {
    case undef
    case scalar(String)
    case array([PerlData])
    case hash([String: PerlData])
    case blessed(String, PerlData)
    case reference(PerlData)
    /// Something the transport tests never send (code, regexps, shared structure).
    case unsupported(String)

    init(_ value: PerlValue) {
        switch value {
        case .undef, .hole: self = .undef
        case .integer(let number): self = .scalar(String(number))
        case .unsigned(let number): self = .scalar(String(number))
        case .double(let number): self = .scalar(number == 0 ? "0" : String(format: "%.15g", number))
        case .bytes(let bytes): self = .scalar(Self.latin1(bytes))
        case .string(let text): self = .scalar(text)
        case .bool(let flag): self = .scalar(flag ? "1" : "")
        case .array(let elements): self = .array(elements.map(PerlData.init))
        case .hash(let hash):
            var entries: [String: PerlData] = [:]
            for (key, value) in hash { entries[Self.text(of: key)] = PerlData(value) }
            self = .hash(entries)
        case .blessed(let name, let inner): self = .blessed(name, PerlData(inner))
        case .scalarReference(let target): self = .reference(PerlData(target))
        case .anchored(_, let inner), .weak(let inner): self = PerlData(inner)
        default: self = .unsupported("\(value)")
        }
    }

    private static func text(of key: PerlHash.Key) -> String {
        switch key {
        case .string(let text): text
        case .bytes(let bytes): latin1(bytes)
        }
    }

    /// A byte string's characters: each byte is the character of that code point.
    private static func latin1(_ bytes: some Sequence<UInt8>) -> String {
        var scalars = String.UnicodeScalarView()
        scalars.append(contentsOf: bytes.map { Unicode.Scalar($0) })
        return String(scalars)
    }

    var description: String {
        switch self {
        case .undef: "undef"
        case .scalar(let text): "'\(text)'"
        case .array(let elements): "[\(elements.map(\.description).joined(separator: ", "))]"
        case .hash(let entries):
            "{\(entries.sorted { $0.key < $1.key }.map { "\($0.key) => \($0.value)" }.joined(separator: ", "))}"
        case .blessed(let name, let inner): "bless(\(inner), '\(name)')"
        case .reference(let target): "\\\(target)"
        case .unsupported(let what): "<unsupported \(what)>"
        }
    }
}
