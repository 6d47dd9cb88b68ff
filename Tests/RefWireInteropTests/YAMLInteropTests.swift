import Foundation
import RefWire
import RefWireTestSupport
import Testing

// RefWire's YAML decoder and encoder against real Perl 5.36 with YAML.pm 1.30 and
// YAML::XS 0.86.
//
// - `Perl/yaml_corpus.pl` builds more than 300 named Perl values (strings of every
//   awkward shape as values and as keys, numbers, undef, nested and empty collections,
//   objects, scalar references, regexps, shared and cyclic structure, long text) and
//   prints each one's Storable image, YAML.pm dump and YAML::XS dump.
// - Swift decodes every dump (YAML.pm's under YAML.pm's reading, YAML::XS's under
//   YAML::XS's) and every Storable image, encodes each value in both dialects, and
//   `Perl/yaml_check.pl` has YAML.pm and YAML::XS load every document and judge it
//   against the original value: shape, classes, sharing, `eq` for scalars, and, where
//   the text came from the same library that loads it, nothing less than that
//   library's own round trip keeps (numbers, booleans). YAML values also go to
//   Storable and back.
// - The two libraries' own cross-loading (each loading the other's dumps) is measured
//   in the same run: where one cannot read the other, Swift reads both.
// - Byte identity: the `yamlXS` dialect must reproduce YAML::XS's dumps; the `yaml`
//   dialect YAML.pm's, except where YAML.pm's text does not load back in both
//   libraries (the reason the dialect exists).
//
// What no text can carry through a library is listed in `libraryLimits`, each with
// the reason; a listed case that turns out to work fails the test, so the list stays
// true. Missing Perl or a missing module fails these tests; nothing is skipped.
@Suite("YAMLInterop: YAML.pm 1.30 and YAML::XS 0.86 ⇄ RefWire")
struct YAMLInteropTests {
    /// Values that some library cannot carry whatever the text, and where.
    static let libraryLimits: [String: LibraryLimit] = [
        "bless_scalar_undef": LibraryLimit(
            reason: """
                neither library writes a blessed reference to undef: both dump `!!perl/scalar:Class ~` and load \
                it as the string "~" (RefWire refuses to write it)
                """),
        "bless_ref_to_ref": LibraryLimit(
            routes: [.from(.yamlXS), .into(.yamlXS)],
            reason: """
                YAML::XS dumps a blessed reference to a reference as its address (`!!perl/scalar:Class \
                SCALAR(0x…)`) and refuses the `!!perl/ref:Class` that YAML.pm writes and reads
                """),
        "cycle_scalar_self": LibraryLimit(
            routes: [.into(.yaml)], reason: "YAML.pm cannot load a cycle through a scalar reference, from any text"),
        "cycle_through_scalar_ref": LibraryLimit(
            routes: [.into(.yaml)], reason: "YAML.pm cannot load a cycle through a scalar reference, from any text"),
        "regexp_newline": LibraryLimit(
            routes: [.into(.yamlXS)],
            reason: "YAML::XS cannot load a regexp whose pattern holds a line break (it wraps the text in another regexp)"),
        "regexp_shared": LibraryLimit(
            routes: [.from(.yaml), .from(.yamlXS)],
            reason: "neither library anchors a regexp referenced twice, so their dumps hold three regexps, not one"),
        "regexp_unicode": LibraryLimit(
            routes: [.from(.storable), .into(.storable)],
            reason: "Storable 3.26 drops the UTF-8 flag of a regexp's pattern: its image holds the pattern's UTF-8 bytes"),
    ]

    /// Dumps RefWire does not decode, and why.
    static let undecodable: [String: (source: YAMLCorpusSource, reason: String)] = [
        "key_document_end_text": (
            .yaml,
            """
            YAML.pm writes the key "... a" unquoted at the start of a line, where every YAML reader but YAML.pm \
            (YAML::XS included) sees a document end marker
            """),
    ]

    @Test("Perl 5.36 with YAML 1.30 and YAML::XS 0.86 is installed")
    func perlHasYAML() throws {
        let output = try perlOutput(script: """
            require YAML; require YAML::XS; require Storable;
            print "$YAML::VERSION $YAML::XS::VERSION";
            """)
        #expect(String(decoding: output, as: UTF8.self) == "1.30 0.86", "the corpus and its expectations were written against these")
    }

    @Test("yaml_check.pl reports every kind of difference and passes equal data (self-test)")
    func comparatorSelfTest() throws {
        let result = try StorablePerl.run("yaml_check.pl", arguments: ["--self-test"])
        let lines = String(decoding: result.stdout, as: UTF8.self).split(separator: "\n")
        #expect(result.status == 0, "\(lines.filter { $0.hasPrefix("not ok") }.joined(separator: "\n")) \(result.stderr)")
        #expect(lines.last?.hasPrefix("self-test pass=") == true && lines.last?.hasSuffix("fail=0") == true, "\(lines.last ?? "")")
        #expect(lines.filter { $0.hasPrefix("ok ") }.count >= 20)
    }

    @Test("The corpus holds at least 300 cases and makes both libraries write every construct")
    func corpusCoverage() throws {
        let corpus = try YAMLCorpus.shared.get()
        #expect(corpus.cases.count >= 300, "only \(corpus.cases.count) cases")
        #expect(Set(corpus.cases.map(\.name)).count == corpus.cases.count, "case names must be unique")
        for (source, constructs) in [(YAMLCorpusSource.yaml, YAMLCorpus.constructs), (.yamlXS, YAMLCorpus.constructs + YAMLCorpus.xsConstructs)] {
            let texts = corpus.cases.compactMap { $0.dump(source) }.map { String(decoding: $0, as: UTF8.self) }
            for (construct, marker) in constructs {
                let count = texts.filter { $0.contains(marker) }.count
                #expect(count > 0, "no \(source) dump holds \(construct) (\(marker.debugDescription))")
            }
        }
        // YAML::XS folds long scalars over lines at 80 columns; YAML.pm never does.
        let folded = corpus.cases.filter { testCase in
            guard let xs = testCase.dump(.yamlXS), let pm = testCase.dump(.yaml) else { return false }
            return xs.filter { $0 == 0x0A }.count > pm.filter { $0 == 0x0A }.count
        }
        #expect(folded.count >= 10, "only \(folded.count) cases where YAML::XS folds lines")
        print("YAMLInterop corpus: \(corpus.cases.count) cases; YAML::XS folds lines in \(folded.count)")
    }

    @Test("Perl → Swift: every dump and image decodes (the documented exception aside)")
    func decodeEverything() throws {
        let corpus = try YAMLCorpus.shared.get()
        let outcomes = try YAMLCorpus.outcomes.get()
        var decoded = 0
        for (testCase, outcome) in zip(corpus.cases, outcomes) {
            for source in YAMLCorpusSource.allCases where testCase.dump(source) != nil || source == .storable {
                let known = Self.undecodable[testCase.name].map { $0.source == source } ?? false
                switch (outcome.decodeErrors[source], known) {
                case (nil, false): decoded += 1
                case (nil, true): Issue.record("\(testCase.name) (\(source)) decodes, but is listed as undecodable")
                case (_?, true): break
                case (let error?, false): Issue.record("\(testCase.name) (\(source)) does not decode: \(error)")
                }
            }
        }
        print("YAMLInterop decode: \(decoded) dumps and images decoded")
    }

    @Test("Perl → Swift → Perl in every direction: YAML.pm and YAML::XS load RefWire's documents as the same data")
    func roundTrip() throws {
        let corpus = try YAMLCorpus.shared.get()
        let outcomes = try YAMLCorpus.outcomes.get()
        var records: [YAMLCheckRecord] = []
        for (testCase, outcome) in zip(corpus.cases, outcomes) {
            // The libraries' own cross-loading, for comparison.
            for (source, loader) in [(YAMLCorpusSource.yaml, YAMLLoader.yamlXS), (.yamlXS, .yaml)] {
                if let dump = testCase.dump(source) {
                    records.append(YAMLCheckRecord(
                        name: "\(testCase.name)/\(source)-dump>\(loader)", original: testCase.name, loader: loader, payload: dump, strict: false))
                }
            }
            for (route, document) in outcome.encoded {
                records.append(YAMLCheckRecord(
                    name: "\(testCase.name)/\(route)", original: testCase.name, loader: route.loader, payload: document,
                    strict: route.isSameLibrary))
            }
        }
        let verdicts = try YAMLCheck.judge(records)
        #expect(verdicts.records == records.count, "yaml_check.pl judged \(verdicts.records) of \(records.count)")

        let crossFailures = Set(verdicts.failures.keys.filter { $0.contains("-dump>") })
        var tally: [String: (ok: Int, documented: Int, unexpected: Int)] = [:]
        var limitsSeen: Set<String> = []
        var equal: Set<String> = []
        for (testCase, outcome) in zip(corpus.cases, outcomes) {
            for route in Set(outcome.encoded.keys).union(outcome.encodeErrors.keys) {
                let name = "\(testCase.name)/\(route)"
                var entry = tally[route.description, default: (0, 0, 0)]
                defer { tally[route.description] = entry }
                guard let failure = outcome.encodeErrors[route].map({ "RefWire refuses to write it: \($0)" }) ?? verdicts.failures[name]
                else {
                    entry.ok += 1
                    equal.insert(name)
                    continue
                }
                if let limit = Self.libraryLimits[testCase.name], limit.covers(route) {
                    limitsSeen.insert(testCase.name)
                    entry.documented += 1
                } else if route.dialect == .yamlXS, route.loader == .yaml,
                    crossFailures.contains("\(testCase.name)/yamlXS-dump>yaml")
                {
                    // YAML::XS's style, which YAML.pm cannot read from YAML::XS either.
                    entry.documented += 1
                } else {
                    entry.unexpected += 1
                    Issue.record("\(name): \(failure)")
                }
            }
        }
        for name in Set(Self.libraryLimits.keys).subtracting(limitsSeen).sorted() {
            Issue.record("\(name) is listed as a library limit (\(Self.libraryLimits[name]!.reason)) but every route works")
        }
        let pmUnreadable = crossFailures.filter { $0.hasSuffix("/yamlXS-dump>yaml") }.count
        let xsUnreadable = crossFailures.filter { $0.hasSuffix("/yaml-dump>yamlXS") }.count
        // Where one library cannot read the other's dump: Swift reads both dumps, and its
        // yaml-dialect documents load in both libraries.
        let crossCases = Set(crossFailures.map { String($0.split(separator: "/")[0]) })
        let bridged = crossCases.filter { name in
            [YAMLCorpusSource.yaml, .yamlXS].allSatisfy { source in
                corpus.cases.first { $0.name == name }?.dump(source) == nil || Self.undecodable[name]?.source == source
                    || YAMLLoader.allCases.allSatisfy { equal.contains("\(name)/\(YAMLRoute(source: source, dialect: .yaml, loader: $0))") }
            }
        }
        #expect(crossCases.subtracting(bridged).isSubset(of: Set(Self.libraryLimits.keys)), "\(crossCases.subtracting(bridged).sorted())")
        let lines = tally.keys.sorted().map { key in
            let entry = tally[key]!
            return "  \(key): \(entry.ok) deep-equal, \(entry.documented) documented, \(entry.unexpected) unexpected"
        }
        print("""
            YAMLInterop round trip: \(records.count) documents judged by Perl. The libraries themselves: YAML::XS \
            cannot load \(xsUnreadable) of \(corpus.cases.count) YAML.pm dumps, YAML.pm \(pmUnreadable) YAML::XS dumps; \
            for \(bridged.count) of those \(crossCases.count) values, RefWire decodes both dumps and both libraries \
            load its yaml-dialect documents (the rest are library limits)
            \(lines.joined(separator: "\n"))
            """)
    }

    @Test("Byte identity: the yamlXS dialect writes what YAML::XS writes; the yaml dialect what YAML.pm writes where both load it")
    func byteIdentity() throws {
        let corpus = try YAMLCorpus.shared.get()
        let outcomes = try YAMLCorpus.outcomes.get()
        var xsIdentical = 0
        var xsTotal = 0
        var pmIdentical = 0
        var pmTotal = 0
        var pmChanged: [YAMLCheckRecord] = []
        for (testCase, outcome) in zip(corpus.cases, outcomes) {
            if let dump = testCase.dump(.yamlXS), let written = outcome.encoded[YAMLRoute(source: .yamlXS, dialect: .yamlXS, loader: .yamlXS)] {
                xsTotal += 1
                if written == dump {
                    xsIdentical += 1
                } else if Self.libraryLimits[testCase.name] == nil {
                    Issue.record("""
                        \(testCase.name): YAML::XS wrote
                        \(String(decoding: dump, as: UTF8.self))RefWire wrote
                        \(String(decoding: written, as: UTF8.self))
                        """)
                }
            }
            if let dump = testCase.dump(.yaml), let written = outcome.encoded[YAMLRoute(source: .yaml, dialect: .yaml, loader: .yaml)] {
                pmTotal += 1
                if written == dump {
                    pmIdentical += 1
                } else {
                    // Only where YAML.pm's own text does not load back in both libraries.
                    for loader in YAMLLoader.allCases {
                        pmChanged.append(YAMLCheckRecord(
                            name: "\(testCase.name)/\(loader)", original: testCase.name, loader: loader, payload: dump, strict: false))
                    }
                }
            }
        }
        let verdicts = try YAMLCheck.judge(pmChanged)
        for name in Set(pmChanged.map { String($0.name.split(separator: "/")[0]) }).sorted()
        where verdicts.failures["\(name)/yaml"] == nil && verdicts.failures["\(name)/yamlXS"] == nil {
            Issue.record("\(name): the yaml dialect departs from YAML.pm's text, which both libraries load as it is")
        }
        print("""
            YAMLInterop bytes: yamlXS dialect identical to YAML::XS for \(xsIdentical) of \(xsTotal) dumps; yaml \
            dialect identical to YAML.pm for \(pmIdentical) of \(pmTotal) (the other \(pmTotal - pmIdentical) are \
            YAML.pm texts that YAML.pm or YAML::XS loads as other data)
            """)
        #expect(xsTotal - xsIdentical <= 2, "only bless_scalar_undef and bless_ref_to_ref may differ")
    }

    @Test("Swift-built values → Perl: both libraries load them as Perl source says")
    func swiftBuiltValues() throws {
        var records: [YAMLCheckRecord] = []
        for example in YAMLSwiftBuilt.examples {
            for dialect in YAMLDialect.allCases {
                var options = YAMLEncodingOptions()
                options.dialect = dialect
                options.losslessDoubles = example.lossless
                let document = try PerlYAMLEncoder(options: options).encode(example.value)
                for loader in YAMLLoader.allCases where dialect == .yaml || loader == .yamlXS || example.yamlPMReadsXSStyle {
                    records.append(YAMLCheckRecord(
                        name: "\(example.name)/\(dialect)>\(loader)", perlSource: example.perl, loader: loader, payload: document))
                }
                // And Swift reads its own document back as an equal value.
                var decoding = YAMLDecodingOptions()
                decoding.dialect = dialect
                decoding.maximumDepth = 2_000
                let decoded = try PerlYAMLDecoder(options: decoding).decode(document)
                if let expected = example.readBack {
                    #expect(decoded == expected, "\(example.name) (\(dialect)): read back \(decoded)")
                }
            }
        }
        let verdicts = try YAMLCheck.judge(records)
        #expect(verdicts.records == records.count)
        for (name, failure) in verdicts.failures.sorted(by: { $0.key < $1.key }) {
            Issue.record("Perl disagrees about \(name): \(failure)")
        }
        print("YAMLInterop Swift-built: \(records.count) documents, Perl judges \(verdicts.ok) as expected")
    }
}

// MARK: - The corpus

enum YAMLCorpusSource: String, CaseIterable, Sendable, CustomStringConvertible {
    /// YAML.pm's dump, decoded under YAML.pm's reading.
    case yaml
    /// YAML::XS's dump, decoded under YAML::XS's reading.
    case yamlXS
    /// The Storable image.
    case storable

    var description: String { rawValue }
}

enum YAMLLoader: String, CaseIterable, Sendable, CustomStringConvertible {
    case yaml
    case yamlXS
    /// Storable's `thaw`, for YAML → Storable (not a YAML loader, so not in `allCases`).
    case storable

    static var allCases: [YAMLLoader] { [.yaml, .yamlXS] }

    /// The loader's name in yaml_check.pl.
    var checkName: String {
        switch self {
        case .yaml: "yaml"
        case .yamlXS: "yamlxs"
        case .storable: "storable"
        }
    }

    var description: String { rawValue }
}

/// One way through Swift: decode a source, write a dialect (or Storable), load.
struct YAMLRoute: Hashable, Sendable, CustomStringConvertible {
    var source: YAMLCorpusSource
    /// `nil`: written as Storable.
    var dialect: YAMLDialect?
    var loader: YAMLLoader

    /// Whether the text came from, and goes to, the same library.
    var isSameLibrary: Bool {
        (source == .yaml && dialect == .yaml && loader == .yaml) || (source == .yamlXS && dialect == .yamlXS && loader == .yamlXS)
    }

    var description: String { "\(source)>\(dialect.map { "\($0)" } ?? "storable")>\(loader)" }
}

/// A value some library cannot carry whatever the text, on the routes it affects.
struct LibraryLimit: Sendable {
    enum Route: Sendable {
        /// Decoded from this source.
        case from(YAMLCorpusSource)
        /// Loaded by this loader.
        case into(YAMLLoader)
    }

    /// Every route, if empty.
    var routes: [Route] = []
    var reason: String

    func covers(_ route: YAMLRoute) -> Bool {
        routes.isEmpty || routes.contains { pattern in
            switch pattern {
            case .from(let source): route.source == source
            case .into(let loader): route.loader == loader
            }
        }
    }
}

struct YAMLCorpusCase: Sendable {
    var name: String
    var flags: [String]
    var storable: [UInt8]
    var yaml: [UInt8]?
    var xs: [UInt8]?

    func dump(_ source: YAMLCorpusSource) -> [UInt8]? {
        switch source {
        case .yaml: yaml
        case .yamlXS: xs
        case .storable: nil
        }
    }

    var isDeep: Bool { flags.contains("deep") }
}

/// What Swift made of one case: decoding errors by source, every document written, and
/// every refusal to write one. Holds no `PerlValue`, so that no deep value is destroyed
/// on a small stack.
struct YAMLCaseOutcome: Sendable {
    var decodeErrors: [YAMLCorpusSource: String] = [:]
    var encoded: [YAMLRoute: [UInt8]] = [:]
    var encodeErrors: [YAMLRoute: String] = [:]

    init(_ testCase: YAMLCorpusCase) {
        var decoding = YAMLDecodingOptions()
        decoding.maximumDepth = testCase.isDeep ? 1_000 : decoding.maximumDepth
        var storableDecoding = StorableDecodingOptions()
        storableDecoding.maximumDepth = 2 * decoding.maximumDepth  // a reference and an array per level
        for source in YAMLCorpusSource.allCases {
            let value: PerlValue
            do {
                switch source {
                case .storable:
                    let image = try StorableDecoder(options: storableDecoding).decode(testCase.storable)
                    guard let element = image.arrayElements?.first else { throw YAMLInteropError("not a one-element array") }
                    value = element
                case .yaml, .yamlXS:
                    guard let dump = testCase.dump(source) else { continue }
                    decoding.dialect = source == .yaml ? .yaml : .yamlXS
                    value = try PerlYAMLDecoder(options: decoding).decode(dump)
                }
            } catch {
                decodeErrors[source] = "\(error)"
                continue
            }
            for dialect in YAMLDialect.allCases {
                var options = YAMLEncodingOptions()
                options.dialect = dialect
                let document = Result { () throws(YAMLEncodingError) in try PerlYAMLEncoder(options: options).encode(value) }
                for loader in YAMLLoader.allCases {
                    let route = YAMLRoute(source: source, dialect: dialect, loader: loader)
                    switch document {
                    case .success(let bytes): encoded[route] = bytes
                    case .failure(let error): encodeErrors[route] = "\(error)"
                    }
                }
            }
            if source != .storable {
                let route = YAMLRoute(source: source, dialect: nil, loader: .storable)
                do {
                    encoded[route] = try StorableEncoder().encode(.array([value]))
                } catch {
                    encodeErrors[route] = "\(error)"
                }
            }
        }
    }
}

struct YAMLCorpus: Sendable {
    var cases: [YAMLCorpusCase]

    /// Constructs both libraries write, and a text marker for each.
    static let constructs: [(String, String)] = [
        ("a single-quoted scalar", "'"), ("a double-quoted scalar", "\""), ("a literal block", "|\n"),
        ("a stripped literal block", "|-\n"), ("a kept literal block", "|+\n"), ("an indentation indicator", "|2"),
        ("an anchor", "&1"), ("an alias", "*1"), ("a second anchor", "&2"), ("undef", "~"),
        ("an empty sequence", "[]"), ("an empty mapping", "{}"), ("a blessed hash", "!!perl/hash:"),
        ("a blessed array", "!!perl/array:"), ("a blessed scalar", "!!perl/scalar:"), ("a scalar reference", "!!perl/ref"),
        ("a regexp", "!!perl/regexp"), ("a \\x escape", "\\x"), ("a \\e escape", "\\e"), ("a \\0 escape", "\\0"),
        ("a \\t escape", "\\t"), ("a \\n escape", "\\n"), ("a \\\" escape", "\\\""), ("a complex key", "? "),
    ]

    /// Constructs only YAML::XS writes.
    static let xsConstructs: [(String, String)] = [
        ("a \\u escape", "\\u"), ("a \\U escape", "\\U"), ("a \\N escape", "\\N"), ("a \\L escape", "\\L"),
        ("a \\b escape", "\\b"), ("a document end marker", "\n...\n"), ("an indentless sequence", ":\n- "),
        ("a compact nested sequence", "- - "),
    ]

    /// Made once per test process.
    static let shared: Result<YAMLCorpus, any Error> = Result { try load() }

    /// Each case decoded and re-encoded, once per test process, on a thread with a large
    /// stack (the corpus nests 600 levels, and deep values are destroyed recursively).
    static let outcomes: Result<[YAMLCaseOutcome], any Error> = Result {
        let corpus = try shared.get()
        return ThreadStack.run(stackSize: ThreadStack.large) { corpus.cases.map(YAMLCaseOutcome.init) }
    }

    private static func load() throws -> YAMLCorpus {
        let result = try StorablePerl.run("yaml_corpus.pl")
        guard result.status == 0 else { throw PerlError.failed(status: result.status, stderr: result.stderr) }
        var cases: [YAMLCorpusCase] = []
        var declared: Int?
        for line in String(decoding: result.stdout, as: UTF8.self).split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
            switch fields.first {
            case "case" where fields.count == 6:
                guard let storable = Hex.bytes(fields[3]) else { throw YAMLInteropError("bad hex in case \(fields[1])") }
                cases.append(YAMLCorpusCase(
                    name: fields[1], flags: fields[2] == "-" ? [] : fields[2].split(separator: ";").map(String.init),
                    storable: storable, yaml: fields[4] == "-" ? nil : Hex.bytes(fields[4]),
                    xs: fields[5] == "-" ? nil : Hex.bytes(fields[5])))
            case "count" where fields.count == 2:
                declared = Int(fields[1])
            default:
                throw YAMLInteropError("unexpected line: \(line.prefix(80))")
            }
        }
        guard declared == cases.count else {
            throw YAMLInteropError("yaml_corpus.pl declared \(declared.map(String.init) ?? "no") count for \(cases.count) cases")
        }
        return YAMLCorpus(cases: cases)
    }
}

struct YAMLInteropError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

// MARK: - The judge

struct YAMLCheckRecord {
    var name: String
    /// `corpus:NAME` or `perl:` and the hex of Perl source.
    var original: String
    var loader: YAMLLoader
    var payload: [UInt8]
    var strict: Bool

    init(name: String, original corpusCase: String, loader: YAMLLoader, payload: [UInt8], strict: Bool) {
        self.name = name
        original = "corpus:\(corpusCase)"
        self.loader = loader
        self.payload = payload
        self.strict = strict
    }

    init(name: String, perlSource: String, loader: YAMLLoader, payload: [UInt8]) {
        self.name = name
        original = "perl:" + Hex.string(Array(perlSource.utf8))
        self.loader = loader
        self.payload = payload
        strict = false
    }

    var line: String {
        [name, original, loader.checkName, Hex.string(payload), strict ? "strict" : "loose"].joined(separator: "\t")
    }
}

enum YAMLCheck {
    struct Verdicts {
        var records = 0
        var ok = 0
        /// By record name.
        var failures: [String: String] = [:]
    }

    /// Runs `yaml_check.pl` over `records`; a missing summary is an error.
    static func judge(_ records: [YAMLCheckRecord]) throws -> Verdicts {
        guard !records.isEmpty else { return Verdicts() }
        let input = Array(records.map(\.line).joined(separator: "\n").utf8) + [0x0A]
        let result = try StorablePerl.run("yaml_check.pl", stdin: input)
        var verdicts = Verdicts()
        var sawSummary = false
        for line in String(decoding: result.stdout, as: UTF8.self).split(separator: "\n") {
            if line.hasPrefix("ok ") {
                verdicts.ok += 1
            } else if line.hasPrefix("not ok ") {
                let rest = line.dropFirst(7)
                let name = rest.prefix { $0 != ":" }
                verdicts.failures[String(name)] = String(rest.dropFirst(name.count + 1))
            } else if line.hasPrefix("records=") {
                sawSummary = true
                verdicts.records = Int(line.split(separator: " ")[0].dropFirst("records=".count)) ?? -1
            }
        }
        guard sawSummary else {
            throw YAMLInteropError("yaml_check.pl printed no summary (status \(result.status)): \(result.stderr)")
        }
        return verdicts
    }
}

// MARK: - Values built in Swift

private struct YAMLSwiftBuilt: Sendable {
    var name: String
    var value: PerlValue
    /// Perl source for what both libraries must load, in both dialects.
    var perl: String
    var lossless = false
    /// Whether YAML.pm reads the `yamlXS` dialect's document too. Not where YAML::XS's
    /// style (libyaml's escapes, line separators as breaks) is what YAML.pm cannot read
    /// from YAML::XS either.
    var yamlPMReadsXSStyle = true
    /// What Swift must read back from its own document, if checked.
    var readBack: PerlValue?

    static var examples: [YAMLSwiftBuilt] {
        let deep = (0..<999).reduce(PerlValue.array([])) { inner, _ in .array([inner]) }
        // A "billion laughs" shape: ten levels, each listing the one below ten times.
        var laughs: PerlValue = .anchored(1, .array([.string("lol")]))
        for level in 2...10 {
            laughs = .anchored(PerlAnchor(level), .array([laughs] + Array(repeating: .alias(PerlAnchor(level - 1)), count: 9)))
        }
        return [
            YAMLSwiftBuilt(
                name: "numbers",
                value: .array([.integer(0), .integer(-7), .integer(.min), .integer(.max), .unsigned(.max), .double(0.5),
                               .double(-4.25), .double(1e21), .double(.infinity), .double(-.infinity), .double(.pi)]),
                perl: "[0, -7, '-9223372036854775808', '9223372036854775807', '18446744073709551615', 0.5, -4.25, '1e+21', 9**9**9, -9**9**9, '3.14159265358979']",
                readBack: .array([.integer(0), .integer(-7), .integer(.min), .integer(.max), .unsigned(.max), .double(0.5),
                                  .double(-4.25), .double(1e21), .double(.infinity), .double(-.infinity), .double(3.14159265358979)])),
            YAMLSwiftBuilt(
                name: "lossless_pi", value: .array([.double(.pi), .double(0.1)]), perl: "['3.141592653589793', '0.1']",
                lossless: true),
            YAMLSwiftBuilt(
                name: "booleans_and_undef", value: .array([.bool(true), .bool(false), .undef, .hole]),
                perl: "[1, '', undef, undef]", readBack: .array([.integer(1), .string(""), .undef, .undef])),
            YAMLSwiftBuilt(
                name: "strings",
                value: .array([.bytes([]), .bytes([0xE9, 0x80, 0xFF]), .string("é☺\u{1F600}"), .string("true"),
                               .string("a\u{2028} b"), .string("\u{85}\u{A0}"), .string("line one is here\nline two is here too\n"),
                               .string(String(repeating: "word ", count: 30))]),
                perl: """
                    ['', "\\xe9\\x80\\xff", "\\x{e9}\\x{263a}\\x{1F600}", 'true', "a\\x{2028} b", "\\x{85}\\x{a0}",
                     "line one is here\\nline two is here too\\n", 'word ' x 30]
                    """,
                yamlPMReadsXSStyle: false),
            YAMLSwiftBuilt(
                name: "keys",
                value: .hash([.bytes([0xE9]): .integer(1), .string("☺"): .integer(2), .string("null"): .integer(3),
                              .string(String(repeating: "k", count: 1500)): .integer(4), .string("a\u{2028}b"): .integer(5)]),
                perl: "+{ \"\\xe9\" => 1, \"\\x{263a}\" => 2, null => 3, ('k' x 1500) => 4, \"a\\x{2028}b\" => 5 }",
                yamlPMReadsXSStyle: false),
            YAMLSwiftBuilt(
                name: "objects",
                value: .array([
                    .blessed(class: "RefWire::Point", .hash(["x": .integer(1), "y": .integer(2)])),
                    .blessed(class: "RefWire::List", .array([.string("a")])),
                    .blessed(class: "RefWire::Name", .scalarReference(.string("text"))),
                    .blessed(class: "Regexp", .regexp(pattern: "ab+c", flags: "i")),
                    .blessed(class: "RefWire::Pattern", .regexp(pattern: "x", flags: "")),
                    .scalarReference(.scalarReference(.integer(1))),
                ]),
                perl: """
                    [bless({ x => 1, y => 2 }, 'RefWire::Point'), bless(['a'], 'RefWire::List'),
                     bless(\\(my $s = 'text'), 'RefWire::Name'), qr/ab+c/i, bless(qr/x/, 'RefWire::Pattern'), \\\\1]
                    """),
            YAMLSwiftBuilt(
                name: "sharing_and_weak_cycles",
                value: .anchored(1, .hash(["name": "root", "self": .weak(.alias(1)),
                                           "pair": .array([.anchored(2, .array([.integer(1)])), .alias(2)])])),
                perl: "my $h = { name => 'root' }; $h->{self} = $h; my $x = [1]; $h->{pair} = [$x, $x]; $h"),
            YAMLSwiftBuilt(
                name: "billion_laughs_shape", value: laughs,
                perl: "my $l = ['lol']; for (2 .. 10) { my $below = $l; $l = [$below, ($below) x 9] } $l"),
            YAMLSwiftBuilt(name: "depth_1000", value: deep, perl: "my $d = []; $d = [$d] for 2 .. 1000; $d"),
        ]
    }
}
