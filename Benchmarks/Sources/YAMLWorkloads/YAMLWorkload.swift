import RefWire
import StorableWorkloads
import Yams

/// What is measured: one decode and one encode per RefWire dialect, each against
/// YAML::XS (in Perl) and Yams on the same file.
public enum YAMLDirection: String, Sendable, CaseIterable {
    /// YAML → a generic value: RefWire's `PerlYAMLDecoder` (YAML::XS dialect, which wrote
    /// the file), YAML::XS's `Load`, Yams' `load(yaml:)`.
    case decode
    /// That value → YAML in YAML::XS's style: RefWire's `.yamlXS` dialect, YAML::XS's
    /// `Dump`, Yams' `dump(object:)`.
    case encodeXS
    /// The same value → YAML in YAML.pm's style (RefWire's `.yaml` dialect), against the
    /// same two anchors: neither has a second style to offer.
    case encodePM

    public var label: String {
        switch self {
        case .decode: "decode"
        case .encodeXS: "encode, YAML::XS style"
        case .encodePM: "encode, YAML.pm style"
        }
    }

    /// The operation's name in `Perl/yaml_bench.pl`.
    public var perlOperation: String {
        switch self {
        case .decode: "load"
        case .encodeXS, .encodePM: "dump"
        }
    }
}

public enum YAMLContestant: String, Sendable, CaseIterable {
    case refWire = "RefWire"
    case yamlXS = "YAML::XS"
    case yams = "Yams"
}

/// One nativejson-benchmark file as YAML::XS's `Dump` writes it, and everything each
/// side needs to start from.
public struct YAMLCorpus: @unchecked Sendable {
    /// The three files of the issue: numbers (canada), short keys and many small maps
    /// (citm_catalog), text with non-ASCII strings (twitter).
    public static let standardNames = ["canada", "citm_catalog", "twitter"]

    /// Where ``convertJSON(names:jsonDirectory:into:)`` puts the YAML files, and where
    /// RefWire's encodings are written for YAML::XS to check.
    public static var directory: String { BenchmarkPaths.packageDirectory + "/.build/yaml-corpus" }

    public let name: String
    public let path: String
    public let bytes: [UInt8]
    /// The file as a Swift string: what Yams reads (converted once, outside the timing).
    public let text: String
    /// The file as RefWire reads it: the input of RefWire's encodes.
    public let value: PerlValue
    /// The file as Yams reads it: the input of Yams' encodes. (Yams' object graph is
    /// immutable once made and only read here.)
    public let yamsObject: Any

    public init(name: String, directory: String = YAMLCorpus.directory) throws {
        self.name = name
        path = directory + "/" + name + ".yaml"
        bytes = try readFile(path)
        text = String(decoding: bytes, as: UTF8.self)
        value = try SwiftYAML.decoder.decode(bytes)
        guard let object = try Yams.load(yaml: text) else { throw YAMLBenchmarkError("Yams read nothing from \(path)") }
        yamsObject = object
    }

    /// Has Perl write `NAME.yaml` into `directory` for each of `names`: JSON::XS decodes
    /// the file, YAML::XS's `Dump` encodes it. Perl's hash seed is fixed, so the bytes are
    /// the same on every run.
    public static func convertJSON(
        names: [String] = standardNames, jsonDirectory: String = BenchmarkPaths.jsonDirectory,
        into directory: String = YAMLCorpus.directory
    ) throws -> [String] {
        try makeDirectory(directory)
        let files = names.map { jsonDirectory + "/" + $0 + ".json" }
        return try ChildProcess.run(
            "perl", [PerlYAML.script, "convert", directory] + files,
            environment: ["PERL_HASH_SEED": "0", "PERL_PERTURB_KEYS": "0"])
    }
}

/// The Swift sides of each direction. Every pass returns a fingerprint (a count of what
/// it made) that is checked, so no pass can be optimised away; results are freed inside
/// the pass, as Perl frees its own.
public struct SwiftYAML: Sendable {
    static let decoder: PerlYAMLDecoder = {
        var options = YAMLDecodingOptions()
        options.dialect = .yamlXS
        return PerlYAMLDecoder(options: options)
    }()

    public static func encoder(_ dialect: YAMLDialect) -> PerlYAMLEncoder {
        var options = YAMLEncodingOptions()
        options.dialect = dialect
        return PerlYAMLEncoder(options: options)
    }

    private let xsEncoder = SwiftYAML.encoder(.yamlXS)
    private let pmEncoder = SwiftYAML.encoder(.yaml)

    public init() {}

    @inline(never)
    public func run(_ direction: YAMLDirection, _ contestant: YAMLContestant, on corpus: YAMLCorpus) throws -> Int {
        switch (direction, contestant) {
        case (.decode, .refWire): return try Self.decoder.decode(corpus.bytes).topLevelCount
        case (.encodeXS, .refWire): return try xsEncoder.encode(corpus.value).count
        case (.encodePM, .refWire): return try pmEncoder.encode(corpus.value).count
        case (.decode, .yams):
            let object = try Yams.load(yaml: corpus.text)
            return (object as? [String: Any])?.count ?? (object as? [Any])?.count ?? -1
        case (.encodeXS, .yams), (.encodePM, .yams): return try Yams.dump(object: corpus.yamsObject).utf8.count
        case (_, .yamlXS): throw YAMLBenchmarkError("YAML::XS runs in Perl")
        }
    }
}

public struct YAMLBenchmarkError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Perl's side: one long-lived `perl Perl/yaml_bench.pl serve` that times YAML::XS in its
/// own process, so process start and the pipe stay outside every timed pass.
public final class PerlYAML {
    private let process: ChildProcess

    public static var script: String { BenchmarkPaths.packageDirectory + "/Perl/yaml_bench.pl" }

    public init() throws(SubprocessError) {
        process = try ChildProcess("perl", [Self.script, "serve"])
    }

    /// "Perl 5.36.0, YAML::XS 0.86".
    public func versions() throws(SubprocessError) -> String { try request("versions") }

    /// Has Perl read and load `corpus`'s file once.
    public func load(_ corpus: YAMLCorpus) throws(SubprocessError) {
        let size = try request("load \(corpus.name) \(corpus.path)")
        guard Int(size) == corpus.bytes.count else {
            throw .protocolError("Perl read \(size) bytes of \(corpus.path), RefWire \(corpus.bytes.count)")
        }
    }

    /// Untimed passes: at least `nanoseconds` and `passes`. Returns the fastest (ns).
    public func warmUp(_ operation: String, on corpus: YAMLCorpus, nanoseconds: Double, passes: Int) throws(SubprocessError) -> Double {
        try number(request("warm \(corpus.name) \(operation) \(Int(nanoseconds)) \(passes)"))
    }

    /// The median of `passes` timed passes, in nanoseconds.
    public func medianPass(_ operation: String, on corpus: YAMLCorpus, passes: Int) throws(SubprocessError) -> Double {
        try number(request("time \(corpus.name) \(operation) \(passes)"))
    }

    /// Whether YAML::XS loads the YAML at `path` to the data it loaded from the file.
    public func loadsEqual(_ path: String, to corpus: YAMLCorpus) throws(SubprocessError) -> Bool {
        try request("verify \(corpus.name) \(path)") == "same"
    }

    public func close() throws(SubprocessError) {
        try process.send("quit")
        try process.finish()
    }

    private func request(_ line: String) throws(SubprocessError) -> String {
        try process.send(line)
        guard let reply = try process.readLine() else { throw .protocolError("Perl exited after: \(line)") }
        guard reply.hasPrefix("ok") else { throw .protocolError("Perl: \(reply) (after: \(line))") }
        return String(reply.dropFirst(3))
    }

    private func number(_ text: String) throws(SubprocessError) -> Double {
        guard let value = Double(text) else { throw .protocolError("Perl replied '\(text)', not a number") }
        return value
    }
}
