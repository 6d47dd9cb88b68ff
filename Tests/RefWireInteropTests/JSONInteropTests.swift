import Foundation
import RefWire
import RefWireTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// RefWire's JSON decoder and encoder against real Perl 5.36 / JSON::XS 4.04.
//
// - `Perl/json_corpus.pl` builds more than 200 named Perl data structures and prints
//   each one's JSON::XS encodings: canonical, default (Perl's hash order, under a fixed
//   hash seed) and canonical pretty.
// - Swift decodes every encoding (or refuses it with the error the corpus names: JSON::XS
//   writes infinities and NaN as `inf` and `nan`, and the largest double rounded up past
//   itself), and re-encodes each value as JSON::XS wrote it: default order, canonical,
//   canonical pretty.
// - (a) Each re-encoding must equal JSON::XS's bytes, except in how numbers are written:
//   JSON::XS prints doubles with 15 significant digits (`%.15g`), integral ones as
//   integers, negative zero as `-0`; RefWire the shortest text that reads back exactly,
//   always with a fraction or an exponent. Texts that differ only in number tokens are
//   counted, and (b) checks that those numbers mean the same to Perl.
// - (b) `Perl/json_check.pl` decodes JSON::XS's text and Swift's with JSON::XS and
//   compares them in Perl's own terms: the kind of every scalar (string, integer,
//   double, boolean, undef) and its value, doubles bit for bit.
// - Values built in Swift are decoded by Perl and compared with what Perl source says
//   they are.
//
// Missing Perl or JSON::XS fails these tests; nothing is skipped.
@Suite("JSONInterop: Perl JSON::XS 4.04 ⇄ RefWire")
struct JSONInteropTests {
    @Test("Perl 5.36 with JSON::XS 4.04 and JSON::PP is installed")
    func perlHasJSONXS() throws {
        let output = try perlOutput(script: """
            for my $module (qw(JSON::XS JSON::PP B)) {
                eval "require $module; 1" or die "Perl module $module is not installed: $@";
            }
            print "$] $JSON::XS::VERSION";
            """)
        let fields = String(decoding: output, as: UTF8.self).split(separator: " ")
        #expect(fields.count == 2)
        #expect(fields.first.flatMap { Double($0) }.map { $0 >= 5.036 } == true, "perl \(fields)")
        #expect(fields.last == "4.04", "the corpus and its expectations were written against JSON::XS 4.04")
    }

    @Test("json_check.pl reports every kind of difference and passes equal data (self-test)")
    func comparatorSelfTest() throws {
        let result = try JSONPerl.run("json_check.pl", arguments: ["--self-test"])
        let lines = String(decoding: result.stdout, as: UTF8.self).split(separator: "\n")
        #expect(result.status == 0, "\(lines.filter { $0.hasPrefix("not ok") }.joined(separator: "\n")) \(result.stderr)")
        let summary = lines.last.map(String.init) ?? ""
        #expect(summary.hasPrefix("self-test pass=") && summary.hasSuffix(" fail=0"), "\(summary)")
        #expect(Int(summary.split(separator: " ")[1].dropFirst(5)) ?? 0 >= 30, "\(summary)")
    }

    @Test("The corpus holds at least 200 cases, every JSON kind, and the values JSON::XS writes wrongly")
    func corpusCoverage() throws {
        let corpus = try JSONCorpus.shared.get()
        #expect(corpus.cases.count >= 200, "only \(corpus.cases.count) cases")
        #expect(Set(corpus.cases.map(\.name)).count == corpus.cases.count, "case names must be unique")
        #expect(corpus.cases.filter { $0.expectedError != nil }.count >= 4)
        var kinds: Set<String> = []
        for outcome in try JSONCorpus.outcomes.get() { kinds.formUnion(outcome.kinds) }
        for kind in ["undef", "bool", "integer", "unsigned", "double", "string", "array", "hash"] {
            #expect(kinds.contains(kind), "no case holds a \(kind)")
        }
        print("JSONInterop corpus: \(corpus.cases.count) cases, \(corpus.cases.count * 3) JSON::XS texts, \(corpus.totalBytes) bytes")
    }

    @Test("Perl → Swift: every JSON::XS text decodes, or is refused with the error the corpus names")
    func decodeEveryText() throws {
        let corpus = try JSONCorpus.shared.get()
        let outcomes = try JSONCorpus.outcomes.get()
        var decoded = 0
        for (testCase, outcome) in zip(corpus.cases, outcomes) {
            for form in JSONTextForm.allCases {
                switch (outcome.forms[form]!.decodeError, testCase.expectedError) {
                case (nil, nil):
                    decoded += 1
                case (nil, let expected?):
                    Issue.record("\(testCase.name) (\(form)) decoded, but must be refused with \(expected)")
                case (let error?, let expected?):
                    #expect(error.kind.identifier == expected, "\(testCase.name) (\(form)): \(error)")
                case (let error?, nil):
                    Issue.record("\(testCase.name) (\(form)) does not decode: \(error)")
                }
            }
            if testCase.expectedError == nil {
                #expect(outcome.formsAgree, "\(testCase.name): the three JSON::XS texts decode to different values")
            }
        }
        print("JSONInterop decode: \(decoded) texts decoded")
    }

    @Test("Perl → Swift → Perl: byte-identical re-encoding but for number formatting, and deep-equal in Perl's judgement")
    func roundTrip() throws {
        let corpus = try JSONCorpus.shared.get()
        let outcomes = try JSONCorpus.outcomes.get()
        var records: [JSONCheckRecord] = []
        var identical = 0
        var numberFormatting = 0
        for (testCase, outcome) in zip(corpus.cases, outcomes) where testCase.expectedError == nil {
            for form in JSONTextForm.allCases {
                let label = "\(testCase.name)/\(form.rawValue)"
                let original = testCase.text(form)
                guard let encoded = outcome.forms[form]!.encoded else {
                    Issue.record("\(label) does not encode: \(outcome.forms[form]!.encodeError ?? "?")")
                    continue
                }
                if encoded == original {
                    identical += 1
                } else if JSONTokens.differOnlyInNumbers(original, encoded) {
                    numberFormatting += 1
                } else {
                    let at = zip(original, encoded).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(original.count, encoded.count)
                    Issue.record("""
                        \(label): Swift's bytes differ from JSON::XS's at byte \(at) of \(original.count) (Swift: \(encoded.count)): \
                        JSON::XS …\(String(decoding: original.dropFirst(max(0, at - 20)).prefix(60), as: UTF8.self)) \
                        Swift …\(String(decoding: encoded.dropFirst(max(0, at - 20)).prefix(60), as: UTF8.self))
                        """)
                }
                records.append(JSONCheckRecord(name: label, expected: Hex.string(original), actual: Hex.string(encoded)))
            }
        }
        let verdicts = try JSONCheck.judge(records)
        #expect(verdicts.records == records.count, "json_check.pl judged \(verdicts.records) of \(records.count)")
        for failure in verdicts.failures {
            Issue.record("Perl judges the round trip unequal: \(failure)")
        }
        #expect(numberFormatting > 0 && identical > numberFormatting, "the corpus should exercise both")
        print("""
            JSONInterop round trip: \(records.count) texts re-encoded; byte-identical to JSON::XS \(identical), \
            differing only in how numbers are written \(numberFormatting); Perl judges \(verdicts.ok) deep-equal, \
            \(verdicts.failures.count) unequal, \(verdicts.atof) doubles read one ulp apart by JSON::XS's own conversion \
            (equal when correctly rounded)
            """)
    }

    @Test("Values nested to the default depth limit decode, encode and are freed on a 512 KiB stack")
    func defaultDepthOnSmallStack() throws {
        let deep = try #require(try JSONCorpus.shared.get().cases.first { $0.name == "nested_hashes_511" })
        let text = deep.text(.canonical)
        // ThreadStack (RefWireTestSupport) runs work on a thread of the stack size given.
        var options = JSONEncodingOptions()
        options.canonical = true
        let encoder = PerlJSONEncoder(options: options)
        let result = ThreadStack.run(stackSize: ThreadStack.small) { () -> [UInt8]? in
            guard let value = try? PerlJSONDecoder().decode(text) else { return nil }
            return try? encoder.encode(value)
        }
        #expect(result == text)
    }

    // MARK: - Values built in Swift

    /// A value built in Swift, and Perl source for what JSON::XS must read from its JSON.
    struct SwiftBuilt: Sendable {
        var name: String
        var value: PerlValue
        var perl: String
        var options = JSONEncodingOptions()
    }

    static let swiftBuilt: [SwiftBuilt] = {
        var examples: [SwiftBuilt] = [
            SwiftBuilt(
                name: "doubles_exact",
                value: [0.1, .double(0.1 + 0.2), .double(.pi), .double(1.0 / 3), -0.0, 1e21, 1e-7, .double(.leastNonzeroMagnitude),
                        .double(.leastNormalMagnitude), .double(.greatestFiniteMagnitude), 123456789.123456789, 1.0, 100.0, 1e300],
                perl: """
                    [0.1, 0.1 + 0.2, 3.141592653589793, 1/3, -0.0, 1e21, 1e-7, 5e-324, 2.2250738585072014e-308,
                     1.7976931348623157e308, 123456789.123456789, 1.0, 100.0, 1e300]
                    """),
            SwiftBuilt(
                name: "integers",
                value: [.integer(.max), .integer(.min + 1), .unsigned(.max), .unsigned(1 << 63), 0, -1, 4_294_967_296],
                perl: "[9223372036854775807, -9223372036854775807, 18446744073709551615, 9223372036854775808, 0, -1, 4294967296]"),
            SwiftBuilt(
                name: "integer_min",
                value: [.integer(.min)],
                // JSON::XS 4.04 reads the least 64-bit integer as a string (its range check
                // is off by one); RefWire writes the integer, and reads it back as one.
                perl: "['-9223372036854775808']"),
            SwiftBuilt(
                name: "strings",
                value: ["", "plain", "\"\\/\u{08}\u{0C}\n\r\t", "\u{00}\u{1F}\u{7F}", "caf\u{E9} \u{20AC} \u{1F600} \u{10FFFF}",
                        .bytes([0x63, 0x61, 0x66, 0xE9, 0xFF, 0x00]), .vstring(literal: "v1.2.3", value: .string("\u{1}\u{2}\u{3}"))],
                perl: #"""
                    ["", "plain", "\"\\/\b\f\n\r\t", "\x00\x1f\x7f", "caf\x{e9} \x{20ac} \x{1F600} \x{10FFFF}",
                     "caf\x{e9}\x{ff}\x00", "\x01\x02\x03"]
                    """#),
            SwiftBuilt(
                name: "booleans_and_null",
                value: [true, false, nil, .hole, .scalarReference(1), .scalarReference(0),
                        .blessed(class: "JSON::PP::Boolean", .scalarReference(1)), .blessed(class: "JSON::PP::Boolean", .scalarReference(0))],
                perl: "[JSON::PP::true, JSON::PP::false, undef, undef, JSON::PP::true, JSON::PP::false, JSON::PP::true, JSON::PP::false]"),
            SwiftBuilt(
                name: "keys",
                value: .hash([
                    "plain": 1, "caf\u{E9}": 2, .bytes([0x6E, 0x61, 0xEF, 0x76, 0x65]): 3, "\u{1F600}": 4, "": 5, "a\"b\\c\n": 6,
                ]),
                perl: #"{ plain => 1, "caf\x{e9}" => 2, "na\x{ef}ve" => 3, "\x{1F600}" => 4, "" => 5, "a\"b\\c\n" => 6 }"#),
            SwiftBuilt(
                name: "shared_referents_expanded",
                value: ["first": .anchored(1, ["id": 7, "tags": ["x"]]), "second": .alias(1), "weak": .weak(.alias(1))],
                perl: "{ first => { id => 7, tags => ['x'] }, second => { id => 7, tags => ['x'] }, weak => { id => 7, tags => ['x'] } }"),
            SwiftBuilt(
                name: "unblessed_object",
                value: [.blessed(class: "My::Point", ["x": 1.5, "y": -2])],
                perl: "[{ x => 1.5, y => -2 }]",
                options: { var options = JSONEncodingOptions(); options.blessedValues = .unblessed; return options }()),
        ]
        // The same message in every output form.
        let message: PerlValue = [
            "id": 1001, "command": "publish", "args": ["topic/\u{E9}", ["qos": 1, "retain": false]], "sent": 1_700_000_000.125,
            "nested": ["a": [], "b": [:], "c": [[1, 2], ["d": nil]]],
        ]
        let perl = """
            { id => 1001, command => 'publish', args => ["topic/\\x{e9}", { qos => 1, retain => JSON::PP::false }],
              sent => 1700000000.125, nested => { a => [], b => {}, c => [[1, 2], { d => undef }] } }
            """
        for canonical in [false, true] {
            for pretty in [false, true] {
                for ascii in [false, true] {
                    var options = JSONEncodingOptions()
                    options.canonical = canonical
                    options.pretty = pretty
                    options.escapesNonASCII = ascii
                    examples.append(SwiftBuilt(
                        name: "message_\(canonical ? "canonical" : "plain")_\(pretty ? "pretty" : "compact")_\(ascii ? "ascii" : "utf8")",
                        value: message, perl: perl, options: options))
                }
            }
        }
        // Random doubles, bit patterns spread over every exponent: Perl must read each one
        // back to the same double (compared with Perl's own reading of a %.17g literal).
        var random = SeededRandom(seed: 0xD0_0B1E)
        var doubles: [Double] = []
        while doubles.count < 500 {
            let value = Double(bitPattern: random.next())
            if value.isFinite { doubles.append(value) }
        }
        examples.append(SwiftBuilt(
            name: "doubles_random", value: .array(doubles.map { .double($0) }),
            perl: "[" + doubles.map { JSONInteropTests.perlLiteral($0) }.joined(separator: ", ") + "]"))
        return examples
    }()

    /// Perl source for exactly `value`, as a double (NV) even when integral: Perl's own
    /// arithmetic would make an integral result an integer.
    static func perlLiteral(_ value: Double) -> String {
        let bigEndian = withUnsafeBytes(of: value.bitPattern.bigEndian) { Array($0) }
        return "unpack('d>', pack('H*', '\(Hex.string(bigEndian))'))"
    }

    @Test("Swift-built values → Perl: JSON::XS reads what Perl source says")
    func swiftBuiltValues() throws {
        var records: [JSONCheckRecord] = []
        for example in Self.swiftBuilt {
            let bytes = try PerlJSONEncoder(options: example.options).encode(example.value)
            records.append(JSONCheckRecord(
                name: example.name, expected: "perl:" + Hex.string(Array(example.perl.utf8)), actual: Hex.string(bytes)))
        }
        let verdicts = try JSONCheck.judge(records)
        #expect(verdicts.records == records.count)
        for failure in verdicts.failures {
            Issue.record("Perl disagrees about a Swift-built value: \(failure)")
        }
        print("JSONInterop Swift-built: \(records.count) documents, Perl judges \(verdicts.ok) as expected")
    }

    @Test("Canonical and pretty output match JSON::XS's for the same Perl data, byte for byte")
    func layoutMatchesJSONXS() throws {
        // A value without doubles: every byte must agree, in every layout.
        let script = """
            use JSON::XS;
            my $data = { b => [1, { d => [], c => {} }], a => "x\\x{e9}\\x{1F600}\\n", '' => [JSON::XS::true, undef, -7] };
            binmode STDOUT;
            for my $coder (JSON::XS->new->utf8->canonical, JSON::XS->new->utf8->canonical->pretty,
                           JSON::XS->new->utf8->canonical->ascii, JSON::XS->new->utf8->canonical->pretty->ascii) {
                print unpack('H*', $coder->encode($data)), "\\n";
            }
            """
        let lines = String(decoding: try perlOutput(script: script), as: UTF8.self).split(separator: "\n").map(String.init)
        try #require(lines.count == 4)
        let value: PerlValue = ["b": [1, ["d": [], "c": [:]]], "a": "x\u{E9}\u{1F600}\n", "": [true, nil, -7]]
        for (index, (pretty, ascii)) in [(false, false), (true, false), (false, true), (true, true)].enumerated() {
            var options = JSONEncodingOptions()
            options.canonical = true
            options.pretty = pretty
            options.escapesNonASCII = ascii
            #expect(Hex.string(try PerlJSONEncoder(options: options).encode(value)) == lines[index], "pretty \(pretty), ascii \(ascii)")
        }
    }
}

// MARK: - The corpus

enum JSONTextForm: String, CaseIterable, Sendable, CustomStringConvertible {
    case canonical
    case `default`
    case pretty

    var description: String { rawValue }
}

struct JSONCorpusCase: Sendable {
    var name: String
    var flags: [String]
    var texts: [JSONTextForm: [UInt8]]

    func text(_ form: JSONTextForm) -> [UInt8] { texts[form]! }

    var expectedError: String? {
        flags.first { $0.hasPrefix("error=") }.map { String($0.dropFirst(6)) }
    }

    /// How RefWire re-encodes a value read from `form`: as JSON::XS wrote it.
    static func encodingOptions(_ form: JSONTextForm) -> JSONEncodingOptions {
        var options = JSONEncodingOptions()
        options.canonical = form != .default
        options.pretty = form == .pretty
        return options
    }
}

struct JSONCorpus: Sendable {
    var cases: [JSONCorpusCase]

    var totalBytes: Int { cases.reduce(0) { $0 + $1.texts.values.reduce(0) { $0 + $1.count } } }

    /// Made once per test process.
    static let shared: Result<JSONCorpus, any Error> = Result { try load() }

    /// Each case decoded and re-encoded, once per test process.
    static let outcomes: Result<[JSONCaseOutcome], any Error> = Result {
        try shared.get().cases.map(JSONCaseOutcome.init)
    }

    private static func load() throws -> JSONCorpus {
        let result = try JSONPerl.run("json_corpus.pl")
        guard result.status == 0 else { throw PerlError.failed(status: result.status, stderr: result.stderr) }
        var cases: [JSONCorpusCase] = []
        var declared: Int?
        for line in String(decoding: result.stdout, as: UTF8.self).split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
            switch fields.first {
            case "case" where fields.count == 6:
                guard let canonical = Hex.bytes(fields[3]), let plain = Hex.bytes(fields[4]), let pretty = Hex.bytes(fields[5]) else {
                    throw JSONInteropError("bad hex in case \(fields[1])")
                }
                let flags = fields[2] == "-" ? [] : fields[2].split(separator: ";").map(String.init)
                cases.append(JSONCorpusCase(
                    name: fields[1], flags: flags, texts: [.canonical: canonical, .default: plain, .pretty: pretty]))
            case "count" where fields.count == 2:
                declared = Int(fields[1])
            default:
                throw JSONInteropError("unexpected line: \(line.prefix(80))")
            }
        }
        guard declared == cases.count else {
            throw JSONInteropError("json_corpus.pl declared \(declared.map(String.init) ?? "no") count for \(cases.count) cases")
        }
        return JSONCorpus(cases: cases)
    }
}

/// What Swift made of one case's three texts.
struct JSONCaseOutcome: Sendable {
    struct Form: Sendable {
        var decodeError: JSONDecodingError?
        var encoded: [UInt8]?
        var encodeError: String?
    }

    var forms: [JSONTextForm: Form] = [:]
    /// Whether the three texts decode to equal values (keys in any order).
    var formsAgree = true
    /// The kinds of values present.
    var kinds: Set<String> = []

    init(_ testCase: JSONCorpusCase) {
        var values: [JSONTextForm: PerlValue] = [:]
        for form in JSONTextForm.allCases {
            var result = Form()
            do {
                let value = try PerlJSONDecoder().decode(testCase.text(form))
                values[form] = value
                do {
                    result.encoded = try PerlJSONEncoder(options: JSONCorpusCase.encodingOptions(form)).encode(value)
                } catch {
                    result.encodeError = String(describing: error)
                }
            } catch {
                result.decodeError = error
            }
            forms[form] = result
        }
        if let canonical = values[.canonical], let plain = values[.default], let pretty = values[.pretty] {
            formsAgree = canonical == plain && canonical.isIdentical(to: pretty)
            Self.survey(canonical, into: &self)
        }
    }

    private static func survey(_ value: PerlValue, into outcome: inout JSONCaseOutcome) {
        switch value {
        case .undef, .hole: outcome.kinds.insert("undef")
        case .bool: outcome.kinds.insert("bool")
        case .integer: outcome.kinds.insert("integer")
        case .unsigned: outcome.kinds.insert("unsigned")
        case .string, .bytes, .vstring: outcome.kinds.insert("string")
        case .double:
            outcome.kinds.insert("double")
        case .array(let elements):
            outcome.kinds.insert("array")
            for element in elements { survey(element, into: &outcome) }
        case .hash(let hash):
            outcome.kinds.insert("hash")
            for (_, element) in hash { survey(element, into: &outcome) }
        default:
            outcome.kinds.insert("other")
        }
    }
}

/// JSON texts compared token by token.
enum JSONTokens {
    /// Whether `lhs` and `rhs` are the same text but for the spelling of numbers: every
    /// byte outside number tokens equal (strings compared escape for escape).
    static func differOnlyInNumbers(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        var left = 0
        var right = 0
        var inString = false
        while left < lhs.count && right < rhs.count {
            if !inString && startsNumber(lhs[left]) && startsNumber(rhs[right]) {
                left = endOfNumber(lhs, from: left)
                right = endOfNumber(rhs, from: right)
                continue
            }
            guard lhs[left] == rhs[right] else { return false }
            if inString && lhs[left] == UInt8(ascii: "\\") {
                // The escaped byte must match too, and cannot end the string.
                left += 1
                right += 1
                guard left < lhs.count, right < rhs.count, lhs[left] == rhs[right] else { return false }
            } else if lhs[left] == UInt8(ascii: "\"") {
                inString.toggle()
            }
            left += 1
            right += 1
        }
        return left == lhs.count && right == rhs.count
    }

    private static func startsNumber(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    private static func endOfNumber(_ text: [UInt8], from start: Int) -> Int {
        var index = start
        while index < text.count, "-+0123456789.eE".utf8.contains(text[index]) { index += 1 }
        return index
    }
}

struct JSONInteropError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

// MARK: - Running the Perl side

enum JSONPerl {
    /// `runPerl` runs a script given as text; this one pins the hash seed and replaces
    /// itself with `perl FILE ARGS…` (same perl), so the scripts keep their file names
    /// and JSON::XS's default key order is the same in every run.
    static let launcher = #"""
        $ENV{PERL_HASH_SEED} = '0';
        $ENV{PERL_PERTURB_KEYS} = 'DETERMINISTIC';
        exec($^X, @ARGV) or die "cannot exec $^X: $!\n";
        """#

    static func run(_ script: String, arguments: [String] = [], stdin: [UInt8] = [])
        throws -> (stdout: [UInt8], stderr: String, status: Int32)
    {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Perl").appendingPathComponent(script).path
        return try runPerl(script: launcher, arguments: [path] + arguments, stdin: stdin, timeout: .seconds(300))
    }
}

/// One record for `json_check.pl`.
struct JSONCheckRecord {
    var name: String
    /// Hex of the original JSON text, or `perl:` and the hex of Perl source.
    var expected: String
    var actual: String

    var line: String { [name, expected, actual].joined(separator: "\t") }
}

enum JSONCheck {
    struct Verdicts {
        var records = 0
        var ok = 0
        var atof = 0
        var failures: [String] = []
    }

    /// Runs `json_check.pl` over `records`; a missing summary is an error.
    static func judge(_ records: [JSONCheckRecord]) throws -> Verdicts {
        let input = Array(records.map(\.line).joined(separator: "\n").utf8) + [0x0A]
        let result = try JSONPerl.run("json_check.pl", stdin: input)
        var verdicts = Verdicts()
        var summary: [String: Int] = [:]
        for line in String(decoding: result.stdout, as: UTF8.self).split(separator: "\n") {
            if line.hasPrefix("ok ") {
                verdicts.ok += 1
            } else if line.hasPrefix("not ok ") {
                verdicts.failures.append(String(line.dropFirst(7)))
            } else if line.hasPrefix("records=") {
                for field in line.split(separator: " ") {
                    let parts = field.split(separator: "=")
                    if parts.count == 2, let value = Int(parts[1]) { summary[String(parts[0])] = value }
                }
            }
        }
        guard let count = summary["records"] else {
            throw JSONInteropError("json_check.pl printed no summary (status \(result.status)): \(result.stderr)")
        }
        if result.status != 0 && verdicts.failures.isEmpty {
            throw JSONInteropError("json_check.pl exited with \(result.status): \(result.stderr)")
        }
        verdicts.records = count
        verdicts.atof = summary["atof"] ?? 0
        return verdicts
    }
}
