import Foundation
import RefWire
import RefWireTestSupport
import Testing

/// Encoding in both dialects. The expected texts are what YAML.pm 1.30 and YAML::XS 0.86
/// `Dump` write for the same Perl data (the interop tests check that against Perl for a
/// whole corpus), except where the `yaml` dialect must differ from YAML.pm so that
/// YAML::XS loads the text as the same data.
@Suite("YAML encoding")
struct YAMLEncoderTests {
    static func encode(_ value: PerlValue, _ dialect: YAMLDialect, _ configure: (inout YAMLEncodingOptions) -> Void = { _ in })
        throws(YAMLEncodingError) -> String
    {
        var options = YAMLEncodingOptions()
        options.dialect = dialect
        configure(&options)
        return String(decoding: try PerlYAMLEncoder(options: options).encode(value), as: UTF8.self)
    }

    static func expect(
        _ value: PerlValue, yaml: String, yamlXS: String, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        for (dialect, expected) in [(YAMLDialect.yaml, yaml), (.yamlXS, yamlXS)] {
            do {
                let text = try encode(value, dialect)
                #expect(text == expected, "\(dialect): \(text.debugDescription)", sourceLocation: sourceLocation)
            } catch {
                Issue.record("\(dialect): \(error)", sourceLocation: sourceLocation)
            }
        }
    }

    @Test("Collections: YAML.pm indents sequences in mappings and starts nested sequences on a new line")
    func collections() {
        let message: PerlValue = .hash([
            "args": [1, 2.5, .undef, "text"], "command": "publish", "list": [], "meta": [:],
        ])
        Self.expect(message,
            yaml: "---\nargs:\n  - 1\n  - 2.5\n  - ~\n  - text\ncommand: publish\nlist: []\nmeta: {}\n",
            yamlXS: "---\nargs:\n- 1\n- 2.5\n- ~\n- text\ncommand: publish\nlist: []\nmeta: {}\n")
        Self.expect([[1, [2]], ["a": [3]]],
            yaml: "---\n-\n  - 1\n  -\n    - 2\n- a:\n    - 3\n",
            yamlXS: "---\n- - 1\n  - - 2\n- a:\n  - 3\n")
        Self.expect([], yaml: "--- []\n", yamlXS: "--- []\n")
        Self.expect("plain", yaml: "--- plain\n", yamlXS: "--- plain\n")
        Self.expect(.undef, yaml: "--- ~\n", yamlXS: "--- ~\n")
    }

    @Test("Scalars: each dialect quotes what its reader would load as something else")
    func quoting() {
        Self.expect(["it's", "a: b", "", "~", "true", "007", "42", "  lead", "tab\there", "line one\nline two", 42],
            yaml: "---\n- it's\n- 'a: b'\n- ''\n- '~'\n- 'true'\n- 007\n- 42\n- '  lead'\n- tab\there\n- \"line one\\nline two\"\n- 42\n",
            yamlXS: "---\n- it's\n- 'a: b'\n- ''\n- '~'\n- 'true'\n- '007'\n- '42'\n- '  lead'\n- \"tab\\there\"\n- \"line one\\nline two\"\n- 42\n")
        Self.expect(["\u{1}\u{1B}\\\"", "caf\u{E9} \u{263A}"],
            yaml: "---\n- \"\\x01\\e\\\\\\\"\"\n- caf\u{E9} \u{263A}\n",
            yamlXS: "---\n- \"\\x01\\e\\\\\\\"\"\n- caf\u{E9} \u{263A}\n")
    }

    @Test("Characters YAML::XS cannot read raw are escaped in the yaml dialect, in YAML.pm's escapes")
    func yamlDialectEscapes() {
        Self.expect(["a\u{7F}\u{85}\u{9F}b", "\u{2028}", "x \u{2028} y", "\u{1F600}", "\u{FEFF}", "\u{8}"],
            yaml: "---\n- \"a\\x7f\\x85\\x9fb\"\n- '\u{2028}'\n- \"x\\x20\u{2028}\\x20y\"\n- \u{1F600}\n- \u{FEFF}\n- \"\\x08\"\n",
            yamlXS: "---\n- \"a\\x7F\\N\\x9Fb\"\n- '\u{2028}  '\n- \"x \\L y\"\n- \"\\U0001F600\"\n- \"\\uFEFF\"\n- \"\\b\"\n")
    }

    @Test("Byte strings are written as the characters Perl sees, one per byte")
    func byteStrings() {
        Self.expect([.bytes([0x63, 0x61, 0x66, 0xE9]), .bytes([0x80])],
            yaml: "---\n- caf\u{E9}\n- \"\\x80\"\n",
            yamlXS: "---\n- caf\u{E9}\n- \"\\x80\"\n")
    }

    @Test("Multi-line text longer than 30 characters is a literal block; at the top level indented")
    func literalBlocks() {
        let text = "line one is here\nline two is also here and long\n"
        Self.expect([.string(text)],
            yaml: "---\n- |\n  line one is here\n  line two is also here and long\n",
            yamlXS: "---\n- |\n  line one is here\n  line two is also here and long\n")
        // YAML.pm writes a top-level block at column 0, which YAML::XS cannot read.
        Self.expect(.string(text),
            yaml: "--- |\n  line one is here\n  line two is also here and long\n",
            yamlXS: "--- |\n  line one is here\n  line two is also here and long\n")
        Self.expect([.string("  lead\nline two is also here and long\n\n")],
            yaml: "---\n- |+2\n    lead\n  line two is also here and long\n\n",
            yamlXS: "---\n- |2+\n    lead\n  line two is also here and long\n\n...\n")
    }

    @Test("YAML::XS folds long lines at 80 columns; YAML.pm never does")
    func folding() {
        let words = (1...20).map { "word\($0)" }.joined(separator: " ")
        Self.expect([.string(words)],
            yaml: "---\n- \(words)\n",
            yamlXS: "---\n- word1 word2 word3 word4 word5 word6 word7 word8 word9 word10 word11 word12 word13\n  word14 word15 word16 word17 word18 word19 word20\n")
    }

    @Test("Keys: long and multi-line keys after `?`, where each reader needs it")
    func keys() {
        let long = String(repeating: "k", count: 130)
        Self.expect(.hash([.string(long): 1, "multi\nline": 2]),
            yaml: "---\n\(long): 1\n\"multi\\nline\": 2\n",
            yamlXS: "---\n? \(long)\n: 1\n? \"multi\\nline\"\n: 2\n")
        let longer = String(repeating: "k", count: 1100)
        Self.expect(.hash([.string(longer): 1, "a\u{2028}b": ["x": 1]]),
            yaml: "---\n? \(longer)\n: 1\n? 'a\u{2028}b'\n:\n  x: 1\n",
            yamlXS: "---\n? \(longer)\n: 1\n? 'a\u{2028}  b'\n: x: 1\n")
    }

    @Test("Objects, references and regexps get their Perl tags")
    func tags() {
        Self.expect([
            .blessed(class: "Foo::Bar", ["a": 1]), .blessed(class: "List", [1]),
            .blessed(class: "Name", .scalarReference("v")), .scalarReference(.scalarReference("x")),
            .blessed(class: "Regexp", .regexp(pattern: "ab+c", flags: "i")), .regexp(pattern: "x", flags: ""),
            .blessed(class: "My::Re", .regexp(pattern: "y", flags: "")), .blessed(class: "Ref", .scalarReference([1])),
        ],
            yaml: """
                ---
                - !!perl/hash:Foo::Bar
                  a: 1
                - !!perl/array:List
                  - 1
                - !!perl/scalar:Name v
                - !!perl/ref
                  =: !!perl/ref
                    =: x
                - !!perl/regexp (?^i:ab+c)
                - !!perl/regexp (?^:x)
                - !!perl/regexp:My::Re (?^:y)
                - !!perl/ref:Ref
                  =:
                    - 1

                """,
            yamlXS: """
                ---
                - !!perl/hash:Foo::Bar
                  a: 1
                - !!perl/array:List
                  - 1
                - !!perl/scalar:Name v
                - !!perl/ref
                  =: !!perl/ref
                    =: x
                - !!perl/regexp (?^i:ab+c)
                - !!perl/regexp (?^:x)
                - !!perl/regexp:My::Re (?^:y)
                - !!perl/ref:Ref
                  =:
                  - 1

                """)
    }

    @Test("Shared referents and cycles get anchors, numbered as written; weakness is dropped")
    func anchors() {
        let value: PerlValue = [.anchored(7, [1]), .alias(7), .anchored(3, ["n": 1, "self": .weak(.alias(3))])]
        let text = "---\n- &1\n  - 1\n- *1\n- &2\n  n: 1\n  self: *2\n"
        Self.expect(value, yaml: text, yamlXS: text)
    }

    @Test("Numbers as Perl prints them; booleans as 1 and ''; lossless doubles on request")
    func numbers() throws {
        Self.expect([.integer(.min), .unsigned(.max), .double(0.1), .double(.pi), .double(1e21), .double(-.infinity), .double(.nan),
                     .bool(true), .bool(false)],
            yaml: "---\n- -9223372036854775808\n- 18446744073709551615\n- 0.1\n- 3.14159265358979\n- 1e+21\n- -Inf\n- NaN\n- 1\n- ''\n",
            yamlXS: "---\n- -9223372036854775808\n- 18446744073709551615\n- 0.1\n- 3.14159265358979\n- 1e+21\n- -Inf\n- NaN\n- 1\n- ''\n")
        let lossless = try Self.encode([.double(.pi), .double(0.1), .double(100)], .yaml) { $0.losslessDoubles = true }
        #expect(lossless == "---\n- 3.141592653589793\n- 0.1\n- 100\n")
    }

    @Test("Hash keys in the hash's order, or sorted by character with canonical")
    func canonical() throws {
        let value: PerlValue = .hash(["b": 1, "\u{E9}": 2, "a": 3, "B": 4])
        #expect(try Self.encode(value, .yaml) == "---\nb: 1\n\u{E9}: 2\na: 3\nB: 4\n")
        #expect(try Self.encode(value, .yaml) { $0.canonical = true } == "---\nB: 4\na: 3\nb: 1\n\u{E9}: 2\n")
    }

    @Test("Values neither dialect can carry are refused", arguments: [
        ("code", PerlValue.code("{ 1 }")),
        ("a hooked object", .hooked(PerlHookedObject(className: "H", kind: .hash, serialized: []))),
        ("a blessed reference to undef", .blessed(class: "A", .scalarReference(.undef))),
        ("a blessed plain scalar", .blessed(class: "A", "x")),
        ("an anchored plain scalar", .anchored(1, "x")),
        ("an empty class name", .blessed(class: "", [:])),
    ])
    func unrepresentable(_ what: String, _ value: PerlValue) {
        for dialect in YAMLDialect.allCases {
            do {
                let text = try Self.encode(value, dialect)
                Issue.record("\(what) (\(dialect)) encoded as \(text)")
            } catch {
                guard case .unrepresentable = error.kind else {
                    Issue.record("\(what): \(error)")
                    return
                }
            }
        }
    }

    @Test("The yaml dialect refuses what YAML.pm cannot read back: U+FFFE, classes outside \\w(\\w|::)*")
    func yamlDialectRefusals() throws {
        for value: PerlValue in ["a\u{FFFE}", .blessed(class: "a-b", [:]), .blessed(class: "Caf\u{E9}", [:])] {
            #expect(throws: YAMLEncodingError.self) { try Self.encode(value, .yaml) }
        }
        #expect(try Self.encode(.blessed(class: "a-b", [:]), .yamlXS) == "--- !!perl/hash:a-b {}\n")
        #expect(try Self.encode(.blessed(class: "Caf\u{E9}", [:]), .yamlXS) == "--- !!perl/hash:Caf%C3%A9 {}\n")
    }

    @Test("Aliases must follow their anchor; anchors are defined once")
    func anchorErrors() {
        for dialect in YAMLDialect.allCases {
            #expect(throws: YAMLEncodingError(.undefinedAnchor(1))) { try Self.encode([.alias(1), .anchored(1, [1])], dialect) }
            #expect(throws: YAMLEncodingError(.duplicateAnchor(1))) { try Self.encode([.anchored(1, [1]), .anchored(1, [2])], dialect) }
        }
    }

    @Test("Depth is limited, exactly; deep values encode without recursion")
    func depth() throws {
        let deep = (0..<9).reduce(PerlValue.array([1])) { inner, _ in .array([inner]) }  // ten sequences
        #expect(throws: Never.self) { try Self.encode(deep, .yaml) { $0.maximumDepth = 10 } }
        #expect(throws: YAMLEncodingError(.depthLimitExceeded(limit: 9))) { try Self.encode(deep, .yaml) { $0.maximumDepth = 9 } }
        // Built, written and destroyed on a small stack.
        let lastLine = ThreadStack.run(stackSize: ThreadStack.small) { () -> String? in
            let deeper = (0..<999).reduce(PerlValue.array([1])) { inner, _ in .array([inner]) }
            let text = try? Self.encode(deeper, .yaml)
            return text?.split(separator: "\n").last.map(String.init)
        }
        #expect(lastLine == String(repeating: " ", count: 2 * 999) + "- 1")
    }

    @Test("Values round-trip through each dialect: decode(encode(v)) is v, up to Perl's sameness")
    func roundTrips() throws {
        let values: [PerlValue] = [
            ["a": [1, 2, ["b": .undef]], "c": [:], "d": []],
            [.string("text"), .string("007"), .string("true"), .string(""), .string("~"), .string(" lead"), .string("it's")],
            [.string("a\u{0}b\u{1F}c\u{7F}d\u{85}e\u{A0}f\u{2028}g\u{2029}h\u{FEFF}i"), .string(" \u{2028} "), .string("\t\n\r")],
            [.string(String(repeating: "long word ", count: 40)), .string(String(repeating: "line\n", count: 10))],
            [.string("x\n\n"), .string("\n\n\n"), .string("  indented\nline two is also here and long\n")],
            [.anchored(1, ["self": .alias(1)]), .anchored(2, .scalarReference(.alias(2)))],
            [.blessed(class: "A", ["x": .blessed(class: "B", [1])]), .blessed(class: "C", .scalarReference("v"))],
            .hash([.string(String(repeating: "k", count: 2000)): 1, "a: b": 2, "- x": 3, "... y": 4, "\u{FEFF}z": 5]),
        ]
        for value in values {
            for dialect in YAMLDialect.allCases {
                var options = YAMLEncodingOptions()
                options.dialect = dialect
                let text = try PerlYAMLEncoder(options: options).encode(value)
                var decoding = YAMLDecodingOptions()
                decoding.dialect = dialect
                let decoded = try PerlYAMLDecoder(options: decoding).decode(text)
                #expect(decoded == value, "\(dialect):\n\(String(decoding: text, as: UTF8.self))decoded \(decoded)")
            }
        }
    }
}


