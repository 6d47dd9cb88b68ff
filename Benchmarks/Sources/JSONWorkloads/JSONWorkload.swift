import Foundation
import RefWire
import StorableWorkloads

/// What is measured. Every direction runs in RefWire and in Foundation on the same
/// bytes; the untyped ones also in Perl's JSON::XS (which has no typed counterpart).
public enum JSONDirection: String, Sendable, CaseIterable {
    /// JSON → a generic value: RefWire's `PerlJSONDecoder().decode` (a `PerlValue`),
    /// JSON::XS's `decode_json`, Foundation's `JSONSerialization.jsonObject`.
    case decode
    /// That value → JSON: keys in the order decoded (RefWire), Perl's hash order
    /// (`encode_json`), Foundation's dictionary order.
    case encode
    /// The same with sorted keys: `canonical`, JSON::XS's `canonical`, `.sortedKeys`.
    case encodeCanonical
    /// JSON → the typed models of `NativeJSONModels.swift`: RefWire's Codable decoding
    /// (through `PerlValue`) against Foundation's `JSONDecoder`.
    case decodeTyped
    /// The models → JSON: `PerlJSONEncoder().encode(_:)` against `JSONEncoder`.
    case encodeTyped

    public var label: String {
        switch self {
        case .decode: "decode"
        case .encode: "encode"
        case .encodeCanonical: "encode, sorted keys"
        case .decodeTyped: "decode into structs"
        case .encodeTyped: "encode from structs"
        }
    }

    /// The operation's name in `Perl/json_bench.pl`, for the directions Perl has.
    public var perlOperation: String? {
        switch self {
        case .decode: "decode"
        case .encode: "encode"
        case .encodeCanonical: "encode_canonical"
        case .decodeTyped, .encodeTyped: nil
        }
    }
}

public enum JSONContestant: String, Sendable, CaseIterable {
    case refWire = "RefWire"
    case jsonXS = "JSON::XS"
    /// Python's orjson (Rust): the fastest general JSON library in reach here.
    case orjson = "orjson"
    case foundation = "Foundation"

    /// Whether it runs in a timing co-process (``JSONCoprocess``) rather than here; those
    /// have the untyped directions only.
    public var runsInCoprocess: Bool { self == .jsonXS || self == .orjson }
}

/// One nativejson-benchmark file, and everything each side needs to start from.
public struct JSONCorpus: @unchecked Sendable {
    /// The three files of the issue: numbers (canada), short keys and many small maps
    /// (citm_catalog), text with non-ASCII strings (twitter).
    public static let standardNames = ["canada", "citm_catalog", "twitter"]

    public let name: String
    public let path: String
    public let bytes: [UInt8]
    public let data: Data
    /// The file as RefWire reads it: the input of RefWire's encodes.
    public let value: PerlValue
    /// The file as JSONSerialization reads it: the input of Foundation's encodes.
    /// (Foundation's object graph is immutable once made and only read here.)
    public let foundationObject: Any
    public let typed: TypedDocument

    public init(name: String, directory: String = BenchmarkPaths.jsonDirectory) throws {
        self.name = name
        path = directory + "/" + name + ".json"
        bytes = try readFile(path)
        data = Data(bytes)
        value = try PerlJSONDecoder().decode(bytes)
        foundationObject = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        typed = try TypedDocument(name: name, data: data)
    }
}

/// A file's typed model, behind closures so that one report drives all three types.
public struct TypedDocument: Sendable {
    public let refWireDecode: @Sendable (Data) throws -> Int
    public let foundationDecode: @Sendable (Data) throws -> Int
    public let refWireEncode: @Sendable () throws -> Int
    public let foundationEncode: @Sendable () throws -> Int
    /// Whether RefWire and Foundation decode the file to equal structs.
    public let decodersAgree: Bool

    init(name: String, data: Data) throws {
        switch name {
        case "canada": self = try Self.make(Canada.self, data, count: \.features.count)
        case "citm_catalog": self = try Self.make(CitmCatalog.self, data, count: \.performances.count)
        case "twitter": self = try Self.make(Twitter.self, data, count: \.statuses.count)
        default: throw BenchmarkError("no typed model for \(name)")
        }
    }

    private static func make<Model: Codable & Equatable & Sendable>(
        _ type: Model.Type, _ data: Data, count: @escaping @Sendable (Model) -> Int
    ) throws -> TypedDocument {
        let model = try JSONDecoder().decode(Model.self, from: data)
        let refWireModel = try PerlJSONDecoder().decode(Model.self, from: data)
        return TypedDocument(
            refWireDecode: { try count(PerlJSONDecoder().decode(Model.self, from: $0)) },
            foundationDecode: { try count(JSONDecoder().decode(Model.self, from: $0)) },
            refWireEncode: { try PerlJSONEncoder().encode(model).count },
            foundationEncode: { try JSONEncoder().encode(model).count },
            decodersAgree: model == refWireModel)
    }

    private init(
        refWireDecode: @escaping @Sendable (Data) throws -> Int, foundationDecode: @escaping @Sendable (Data) throws -> Int,
        refWireEncode: @escaping @Sendable () throws -> Int, foundationEncode: @escaping @Sendable () throws -> Int,
        decodersAgree: Bool
    ) {
        self.refWireDecode = refWireDecode
        self.foundationDecode = foundationDecode
        self.refWireEncode = refWireEncode
        self.foundationEncode = foundationEncode
        self.decodersAgree = decodersAgree
    }
}

/// The Swift sides of each direction. Every pass returns a fingerprint (a count of what
/// it made) that is checked, so no pass can be optimised away; results are freed inside
/// the pass, as Perl frees its own.
public struct SwiftJSON: Sendable {
    private let canonical: PerlJSONEncoder = {
        var options = JSONEncodingOptions()
        options.canonical = true
        return PerlJSONEncoder(options: options)
    }()

    public init() {}

    @inline(never)
    public func run(_ direction: JSONDirection, _ contestant: JSONContestant, on corpus: JSONCorpus) throws -> Int {
        switch (direction, contestant) {
        case (.decode, .refWire): return try PerlJSONDecoder().decode(corpus.bytes).topLevelCount
        case (.encode, .refWire): return try PerlJSONEncoder().encode(corpus.value).count
        case (.encodeCanonical, .refWire): return try canonical.encode(corpus.value).count
        case (.decodeTyped, .refWire): return try corpus.typed.refWireDecode(corpus.data)
        case (.encodeTyped, .refWire): return try corpus.typed.refWireEncode()
        case (.decode, .foundation):
            let object = try JSONSerialization.jsonObject(with: corpus.data, options: [.fragmentsAllowed])
            return (object as? [String: Any])?.count ?? (object as? [Any])?.count ?? -1
        case (.encode, .foundation):
            return try JSONSerialization.data(withJSONObject: corpus.foundationObject, options: [.fragmentsAllowed]).count
        case (.encodeCanonical, .foundation):
            return try JSONSerialization.data(withJSONObject: corpus.foundationObject, options: [.fragmentsAllowed, .sortedKeys]).count
        case (.decodeTyped, .foundation): return try corpus.typed.foundationDecode(corpus.data)
        case (.encodeTyped, .foundation): return try corpus.typed.foundationEncode()
        case (_, .jsonXS), (_, .orjson): throw BenchmarkError("\(contestant.rawValue) runs in a co-process")
        }
    }
}

extension PerlValue {
    /// The element or key count of the top-level array or hash: a fingerprint of a decode.
    public var topLevelCount: Int {
        switch unwrapped {
        case .array(let elements): elements.count
        case .hash(let hash): hash.count
        default: -1
        }
    }
}

public struct BenchmarkError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A timing co-process: one long-lived `perl Perl/json_bench.pl serve` (JSON::XS) or
/// `python3 Python/json_bench.py serve` (orjson) that times its library in its own
/// process, so process start and the pipe stay outside every timed pass. Both speak the
/// same line protocol.
public final class JSONCoprocess {
    private let process: ChildProcess

    public static var perlScript: String { BenchmarkPaths.packageDirectory + "/Perl/json_bench.pl" }
    public static var pythonScript: String { BenchmarkPaths.packageDirectory + "/Python/json_bench.py" }
    /// The Python with orjson: `$REFWIRE_BENCH_PYTHON`, else the virtual environment
    /// run.sh makes (`.build/python-bench`).
    public static var python: String {
        ProcessInfo.processInfo.environment["REFWIRE_BENCH_PYTHON"]
            ?? BenchmarkPaths.packageDirectory + "/.build/python-bench/bin/python3"
    }

    public init(_ contestant: JSONContestant) throws(SubprocessError) {
        switch contestant {
        case .jsonXS: process = try ChildProcess("perl", [Self.perlScript, "serve"])
        case .orjson: process = try ChildProcess(Self.python, [Self.pythonScript, "serve"])
        case .refWire, .foundation: throw .protocolError("\(contestant.rawValue) runs in this process")
        }
    }

    /// "Perl 5.36.0, JSON::XS 4.04", "Python 3.11.7, orjson 3.13.0".
    public func versions() throws(SubprocessError) -> String { try request("versions") }

    /// Has Perl read and decode `corpus`'s file once.
    public func load(_ corpus: JSONCorpus) throws(SubprocessError) {
        let size = try request("load \(corpus.name) \(corpus.path)")
        guard Int(size) == corpus.bytes.count else {
            throw .protocolError("the co-process read \(size) bytes of \(corpus.path), RefWire \(corpus.bytes.count)")
        }
    }

    /// Untimed passes: at least `nanoseconds` and `passes`. Returns the fastest (ns).
    public func warmUp(_ operation: String, on corpus: JSONCorpus, nanoseconds: Double, passes: Int) throws(SubprocessError) -> Double {
        try number(request("warm \(corpus.name) \(operation) \(Int(nanoseconds)) \(passes)"))
    }

    /// The median of `passes` timed passes, in nanoseconds.
    public func medianPass(_ operation: String, on corpus: JSONCorpus, passes: Int) throws(SubprocessError) -> Double {
        try number(request("time \(corpus.name) \(operation) \(passes)"))
    }

    /// Whether the library decodes the JSON at `path` to the data it decoded from the
    /// file (equal canonical encodings).
    public func decodesEqual(_ path: String, to corpus: JSONCorpus) throws(SubprocessError) -> Bool {
        try request("verify \(corpus.name) \(path)") == "same"
    }

    public func close() throws(SubprocessError) {
        try process.send("quit")
        try process.finish()
    }

    private func request(_ line: String) throws(SubprocessError) -> String {
        try process.send(line)
        guard let reply = try process.readLine() else { throw .protocolError("the co-process exited after: \(line)") }
        guard reply.hasPrefix("ok") else { throw .protocolError("co-process: \(reply) (after: \(line))") }
        return String(reply.dropFirst(3))
    }

    private func number(_ text: String) throws(SubprocessError) -> Double {
        guard let value = Double(text) else { throw .protocolError("the co-process replied '\(text)', not a number") }
        return value
    }
}
