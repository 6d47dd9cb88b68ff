import RefWire
import RefWireTestSupport
import Testing

/// Replays every vector in `Spec/vectors/yaml/` (documents written by YAML.pm and
/// YAML::XS, or by hand; see its README) through ``PerlYAMLDecoder``, and re-encodes the
/// valid ones with ``PerlYAMLEncoder`` in the dialects each names, so the Swift
/// implementation is held to the same language-neutral expectations as any other.
@Suite("YAML vectors")
struct YAMLVectorTests {
    @Test("Spec/vectors/yaml is found and holds every topic")
    func vectorsArePresent() throws {
        let vectors = try YAMLVectors.all()
        #expect(vectors.count >= 250, "only \(vectors.count) YAML vectors were found")
        let files = Set(vectors.map(\.file))
        for file in ["scalars", "collections", "objects", "sharing", "dialects", "errors"] {
            #expect(files.contains(file), "no vectors from \(file).json")
        }
        let names = vectors.map(\.name)
        #expect(Set(names).count == names.count, "vector names must be unique")
        let valid = try YAMLVectors.valid()
        #expect(valid.filter { $0.reencodes.contains("yaml") }.count >= 50)
        #expect(valid.filter { $0.reencodes.contains("yamlxs") }.count >= 50)
        #expect(try YAMLVectors.errors().count >= 50)
    }

    @Test("Valid vector decodes to its value", arguments: try YAMLVectors.valid())
    func decodes(_ vector: YAMLVector) throws {
        let expected = try #require(try vector.value?.perlValue())
        let value = try PerlYAMLDecoder(options: vector.decodingOptions).decode(vector.document)
        #expect(value.isIdentical(to: expected), "decoded \(value), expected \(expected)")
    }

    @Test("Valid vector re-encodes to the same bytes in the dialects it names",
          arguments: try YAMLVectors.valid().filter { !$0.reencodes.isEmpty })
    func reencodes(_ vector: YAMLVector) throws {
        let value = try PerlYAMLDecoder(options: vector.decodingOptions).decode(vector.document)
        for name in vector.reencodes {
            var options = YAMLEncodingOptions()
            options.dialect = try #require(YAMLVectors.dialect(name))
            let written = try PerlYAMLEncoder(options: options).encode(value)
            #expect(Hex.string(written) == vector.yamlHex, "\(name): \(String(decoding: written, as: UTF8.self).debugDescription)")
        }
    }

    @Test("Error vector fails with its error", arguments: try YAMLVectors.errors())
    func fails(_ vector: YAMLVector) throws {
        let expected = try #require(vector.error)
        do {
            let value = try PerlYAMLDecoder(options: vector.decodingOptions).decode(vector.document)
            Issue.record("decoded \(value); expected \(expected.kind)")
        } catch {
            #expect(error.kind.identifier == expected.kind, "\(error)")
            if let offset = expected.offset { #expect(error.offset == offset, "\(error)") }
            if let line = expected.line { #expect(error.line == line, "\(error)") }
            if let column = expected.column { #expect(error.column == column, "\(error)") }
            if let limit = expected.limit {
                switch error.kind {
                case .depthLimitExceeded(let actual), .inputLimitExceeded(_, let actual), .stringLimitExceeded(let actual),
                    .containerLimitExceeded(let actual), .totalLimitExceeded(let actual), .aliasExpansionLimitExceeded(let actual):
                    #expect(actual == limit, "\(error)")
                default:
                    Issue.record("the vector gives a limit for \(error)")
                }
            }
        }
    }

    @Test("Every error kind has a vector")
    func errorKindsCovered() throws {
        let kinds = Set(try YAMLVectors.errors().compactMap { $0.error?.kind })
        for kind in [
            "truncated", "invalid_utf8", "invalid_character", "invalid_escape", "tab_indentation", "syntax",
            "unsupported_directive", "no_document", "multiple_documents", "undefined_alias", "duplicate_key",
            "invalid_key", "unsupported_tag", "invalid_reference", "depth_limit_exceeded", "input_limit_exceeded",
            "string_limit_exceeded", "container_limit_exceeded", "total_limit_exceeded",
            "alias_expansion_limit_exceeded", "blessed_value_refused", "code_reference_refused",
        ] {
            #expect(kinds.contains(kind), "no error vector of kind \(kind)")
        }
    }
}

// MARK: - Loading

/// The vectors of `Spec/vectors/yaml/*.json` (format: `Spec/vectors/yaml/README.md`).
enum YAMLVectors {
    /// Every vector, in file then document order; loaded once per test process.
    static func all() throws(SpecVectors.LoadError) -> [YAMLVector] {
        try loaded.get()
    }

    static func valid() throws(SpecVectors.LoadError) -> [YAMLVector] {
        try all().filter { $0.error == nil }
    }

    static func errors() throws(SpecVectors.LoadError) -> [YAMLVector] {
        try all().filter { $0.error != nil }
    }

    static func dialect(_ name: String) -> YAMLDialect? {
        switch name {
        case "yaml": .yaml
        case "yamlxs": .yamlXS
        default: nil
        }
    }

    private static let loaded: Result<[YAMLVector], SpecVectors.LoadError> = Result {
        () throws(SpecVectors.LoadError) in try SpecVectors.vectors(in: "yaml", as: YAMLVector.self)
    }
}

/// One YAML vector: a document, and the value it decodes to or the error it fails with.
struct YAMLVector: FileVector, CustomTestStringConvertible {
    /// The file the vector came from, without `.json` (set by the loader).
    var file = ""
    var name: String
    var description: String
    var writtenBy: String
    var yamlHex: String
    var options: Options?
    var value: VectorValueNode?
    var reencodes: [String] = []
    var error: ExpectedError?

    private enum CodingKeys: String, CodingKey {
        case name, description, writtenBy, yamlHex, options, value, reencodes, error
    }

    struct Options: Decodable, Sendable {
        var dialect: String?
        var encoding: String?
        var maxDepth: Int?
        var maxInputLength: Int?
        var maxStringLength: Int?
        var maxContainerCount: Int?
        var maxTotalCount: Int?
        var maxAliasExpansion: Int?
        var blessed: VectorBlessedPolicy?
        var code: String?
    }

    struct ExpectedError: Decodable, Sendable {
        var kind: String
        var offset: Int?
        var line: Int?
        var column: Int?
        var limit: Int?
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        description = try container.decode(String.self, forKey: .description)
        writtenBy = try container.decode(String.self, forKey: .writtenBy)
        yamlHex = try container.decode(String.self, forKey: .yamlHex)
        options = try container.decodeIfPresent(Options.self, forKey: .options)
        value = try container.decodeIfPresent(VectorValueNode.self, forKey: .value)
        reencodes = try container.decodeIfPresent([String].self, forKey: .reencodes) ?? []
        error = try container.decodeIfPresent(ExpectedError.self, forKey: .error)
    }

    var testDescription: String { "\(file)/\(name)" }

    var document: [UInt8] { Hex.bytes(yamlHex)! }

    var decodingOptions: YAMLDecodingOptions {
        var result = YAMLDecodingOptions()
        guard let options else { return result }
        if options.dialect == "yamlxs" { result.dialect = .yamlXS }
        if options.encoding == "latin1" { result.encoding = .latin1 }
        if let value = options.maxDepth { result.maximumDepth = value }
        if let value = options.maxInputLength { result.maximumInputLength = value }
        if let value = options.maxStringLength { result.maximumStringLength = value }
        if let value = options.maxContainerCount { result.maximumContainerCount = value }
        if let value = options.maxTotalCount { result.maximumTotalCount = value }
        if let value = options.maxAliasExpansion { result.maximumAliasExpansion = value }
        switch options.blessed {
        case .allowAll?: result.blessedValues = .allowAll
        case .refuseAll?: result.blessedValues = .refuseAll
        case .allow(let list)?: result.blessedValues = .allow(Set(list))
        case nil: break
        }
        if options.code == "keep_source" { result.codeReferences = .keepSource }
        return result
    }

    /// Rejects vectors that could make a runner pass vacuously or crash.
    func validate() throws(SpecVectors.LoadError) {
        func problem(_ text: String) -> SpecVectors.LoadError { .malformed(vector: testDescription, problem: text) }
        guard Hex.bytes(yamlHex) != nil else { throw problem("bad hex") }
        guard (value == nil) != (error == nil) else { throw problem("needs exactly one of value and error") }
        guard reencodes.allSatisfy({ YAMLVectors.dialect($0) != nil }) else { throw problem("unknown dialect in reencodes") }
        if let dialect = options?.dialect, YAMLVectors.dialect(dialect) == nil { throw problem("unknown dialect \(dialect)") }
        if let encoding = options?.encoding, encoding != "utf8" && encoding != "latin1" { throw problem("unknown encoding") }
        do {
            if let value { _ = try value.perlValue() }
        } catch {
            throw problem("bad value: \(error)")
        }
    }
}
