import Foundation
import RefWire
import RefWireTestSupport
import Testing

/// Loads the JSON vectors of `Spec/vectors/json/*.json` (format:
/// `Spec/vectors/json/README.md`).
enum JSONVectors {
    /// Every vector, in file then document order; loaded once per test process.
    static func all() throws(SpecVectors.LoadError) -> [JSONVector] {
        try loaded.get()
    }

    static func valid() throws(SpecVectors.LoadError) -> [JSONVector] {
        try all().filter { $0.error == nil }
    }

    static func errors() throws(SpecVectors.LoadError) -> [JSONVector] {
        try all().filter { $0.error != nil }
    }

    private static let loaded: Result<[JSONVector], SpecVectors.LoadError> = Result {
        () throws(SpecVectors.LoadError) in try SpecVectors.vectors(in: "json", as: JSONVector.self)
    }

    /// The files of a corpus folder under `Spec/vectors/json/` (`jsonchecker`,
    /// `roundtrip`), by name, in name order.
    static func corpus(_ folder: String) throws -> [(name: String, bytes: [UInt8])] {
        let directory = try SpecVectors.specFolder().appendingPathComponent("vectors/json/\(folder)", isDirectory: true)
        let files = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "json" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        guard !files.isEmpty else { throw SpecVectors.LoadError.noVectorFiles(folder: directory.path) }
        return try files.map { ($0.deletingPathExtension().lastPathComponent, Array(try Data(contentsOf: $0))) }
    }
}

/// One JSON vector: an input, and the value it decodes to (with its encodings) or the
/// error it fails with.
struct JSONVector: FileVector, CustomTestStringConvertible {
    /// The file the vector came from, without `.json` (set by the loader).
    var file = ""
    var name: String
    var description: String
    var input: String?
    var inputHex: String?
    var options: Options?
    var value: JSONValueNode?
    var jsonXsValue: JSONValueNode?
    var canonical: String?
    var pretty: String?
    var ascii: String?
    var error: ExpectedError?
    var jsonXs: String?

    private enum CodingKeys: String, CodingKey {
        case name, description, input, inputHex, options, value, jsonXsValue, canonical, pretty, ascii, error, jsonXs
    }

    struct Options: Decodable, Sendable {
        var maxDepth: Int?
        var maxInputLength: Int?
        var maxStringLength: Int?
        var maxContainerCount: Int?
        var maxTotalCount: Int?
        var duplicateKeys: String?
        var outOfRangeNumbers: String?
    }

    struct ExpectedError: Decodable, Sendable {
        var kind: String
        var offset: Int
    }

    var testDescription: String { "\(file)/\(name)" }

    /// The input's bytes: its text as UTF-8, or its hex.
    var bytes: [UInt8] { input.map { Array($0.utf8) } ?? Hex.bytes(inputHex!)! }

    var decodingOptions: JSONDecodingOptions {
        var result = JSONDecodingOptions()
        guard let options else { return result }
        if let value = options.maxDepth { result.maximumDepth = value }
        if let value = options.maxInputLength { result.maximumInputLength = value }
        if let value = options.maxStringLength { result.maximumStringLength = value }
        if let value = options.maxContainerCount { result.maximumContainerCount = value }
        if let value = options.maxTotalCount { result.maximumTotalCount = value }
        switch options.duplicateKeys {
        case "first_wins": result.duplicateKeys = .firstWins
        case "reject": result.duplicateKeys = .reject
        default: break
        }
        if options.outOfRangeNumbers == "keep_as_string" { result.outOfRangeNumbers = .keepAsString }
        return result
    }

    /// Rejects vectors that could make a runner pass vacuously or crash.
    func validate() throws(SpecVectors.LoadError) {
        func problem(_ text: String) -> SpecVectors.LoadError { .malformed(vector: testDescription, problem: text) }
        guard (input == nil) != (inputHex == nil) else { throw problem("needs exactly one of input and input_hex") }
        if let inputHex, Hex.bytes(inputHex) == nil { throw problem("bad hex") }
        guard (value == nil) != (error == nil) else { throw problem("needs exactly one of value and error") }
        if value != nil, canonical == nil { throw problem("a valid vector needs its canonical output") }
        if error != nil, jsonXs == nil { throw problem("an error vector must record JSON::XS's verdict") }
        if let duplicateKeys = options?.duplicateKeys, !["last_wins", "first_wins", "reject"].contains(duplicateKeys) {
            throw problem("unknown duplicate_keys \(duplicateKeys)")
        }
        if let policy = options?.outOfRangeNumbers, !["reject", "keep_as_string"].contains(policy) {
            throw problem("unknown out_of_range_numbers \(policy)")
        }
    }
}

/// A value node of the JSON vectors (README: "Values").
indirect enum JSONValueNode: Decodable, Sendable, CustomStringConvertible {
    case undef
    case bool(Bool)
    case int(Int64)
    case uint(UInt64)
    case double(Double)
    case string(String)
    case array([JSONValueNode])
    case hash([(key: String, value: JSONValueNode)])

    private enum CodingKeys: String, CodingKey { case type, value, elements, entries, key }

    private struct Entry: Decodable {
        var key: String
        var value: JSONValueNode
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let type = try container.decode(String.self, forKey: .type)
        func number<T: LosslessStringConvertible>(_: T.Type) throws -> T {
            let text = try container.decode(String.self, forKey: .value)
            guard let number = T(text) else {
                throw DecodingError.dataCorruptedError(forKey: .value, in: container, debugDescription: "bad \(type) \(text)")
            }
            return number
        }
        switch type {
        case "undef": self = .undef
        case "bool": self = .bool(try container.decode(Bool.self, forKey: .value))
        case "int": self = .int(try number(Int64.self))
        case "uint": self = .uint(try number(UInt64.self))
        case "double": self = .double(try number(Double.self))
        case "string": self = .string(try container.decode(String.self, forKey: .value))
        case "array": self = .array(try container.decode([JSONValueNode].self, forKey: .elements))
        case "hash": self = .hash(try container.decode([Entry].self, forKey: .entries).map { ($0.key, $0.value) })
        default:
            throw DecodingError.dataCorruptedError(forKey: .type, in: container, debugDescription: "unknown type \(type)")
        }
    }

    /// The value this node describes.
    var perlValue: PerlValue {
        switch self {
        case .undef: .undef
        case .bool(let truth): .bool(truth)
        case .int(let number): .integer(number)
        case .uint(let number): .unsigned(number)
        case .double(let number): .double(number)
        case .string(let text): .string(text)
        case .array(let elements): .array(elements.map(\.perlValue))
        case .hash(let entries):
            .hash(entries.reduce(into: PerlHash()) { hash, entry in hash[.string(entry.key)] = entry.value.perlValue })
        }
    }

    /// Whether `value` is what this node describes, strictly: the same kinds (an integer
    /// is not an unsigned, a byte string is not a string), doubles bit for bit (so -0.0
    /// is not 0.0), hashes with the same keys in any order.
    func matches(_ value: PerlValue) -> Bool {
        switch (self, value) {
        case (.undef, .undef): return true
        case (.bool(let expected), .bool(let actual)): return expected == actual
        case (.int(let expected), .integer(let actual)): return expected == actual
        case (.uint(let expected), .unsigned(let actual)): return expected == actual
        case (.double(let expected), .double(let actual)): return expected.bitPattern == actual.bitPattern
        case (.string(let expected), .string(let actual)): return expected.unicodeScalars.elementsEqual(actual.unicodeScalars)
        case (.array(let expected), .array(let actual)):
            return expected.count == actual.count && zip(expected, actual).allSatisfy { $0.matches($1) }
        case (.hash(let expected), .hash(let actual)):
            guard expected.count == actual.count else { return false }
            for (key, node) in expected {
                guard let element = actual[.string(key)], node.matches(element) else { return false }
            }
            return actual.keys.allSatisfy { if case .string = $0 { true } else { false } }
        default: return false
        }
    }

    var description: String { perlValue.description }
}
