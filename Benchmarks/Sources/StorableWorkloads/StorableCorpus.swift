import RefWire

/// One nativejson-benchmark file as Perl's `nfreeze` writes it, and what RefWire makes
/// of it.
public struct StorableCorpus: Sendable {
    /// The three files of the issue: numbers (canada), short keys and many small hashes
    /// (citm_catalog), text with non-ASCII strings (twitter).
    public static let standardNames = ["canada", "citm_catalog", "twitter"]

    public let name: String
    /// Size of the JSON file the image was made from.
    public let jsonByteCount: Int
    /// The image: Perl's default (non-canonical) `nfreeze` of the JSON::XS-decoded file.
    public let image: [UInt8]
    public let imagePath: String
    /// `image` decoded by RefWire, once, untimed: the input of the encode workloads.
    public let value: PerlValue
    /// The values in ``value``: scalars, containers and references (Storable's objects).
    public let valueCount: Int

    /// Reads `NAME.nfreeze` from `directory` (see ``convertJSON(names:jsonDirectory:into:)``)
    /// and decodes it once.
    public init(name: String, directory: String = BenchmarkPaths.corpusDirectory) throws {
        self.name = name
        imagePath = directory + "/" + name + ".nfreeze"
        image = try readFile(imagePath)
        jsonByteCount = try readFile(BenchmarkPaths.jsonDirectory + "/" + name + ".json").count
        value = try StorableDecoder().decode(image)
        valueCount = value.nodeCount
    }

    /// Has Perl write `NAME.nfreeze` into `directory` for each of `names`: JSON::XS
    /// decodes the file, Storable's `nfreeze` encodes it. Perl's hash seed is fixed, so
    /// the bytes are the same on every run.
    public static func convertJSON(
        names: [String] = standardNames, jsonDirectory: String = BenchmarkPaths.jsonDirectory,
        into directory: String = BenchmarkPaths.corpusDirectory
    ) throws -> [String] {
        try makeDirectory(directory)
        let files = names.map { jsonDirectory + "/" + $0 + ".json" }
        return try ChildProcess.run(
            "perl", [BenchmarkPaths.perlScript, "convert", directory] + files,
            environment: ["PERL_HASH_SEED": "0", "PERL_PERTURB_KEYS": "0"])
    }
}

extension PerlValue {
    /// How many values this one holds, itself included (hash keys not counted).
    public var nodeCount: Int {
        switch self {
        case .array(let elements):
            return elements.reduce(1) { $0 + $1.nodeCount }
        case .hash(let hash):
            return hash.values.reduce(1) { $0 + $1.nodeCount }
        case .scalarReference(let inner), .weak(let inner), .anchored(_, let inner), .blessed(_, let inner):
            return 1 + inner.nodeCount
        case .vstring(_, let inner):
            return inner.nodeCount
        case .hooked(let object):
            return object.references.reduce(1) { $0 + $1.nodeCount }
        case .undef, .hole, .integer, .unsigned, .double, .bytes, .string, .bool, .regexp, .code, .alias:
            return 1
        }
    }

    /// The element or key count of the referenced array or hash: a cheap fingerprint
    /// of a decode, checked after every pass.
    public var topLevelCount: Int {
        switch unwrapped {
        case .array(let elements): elements.count
        case .hash(let hash): hash.count
        default: -1
        }
    }
}
