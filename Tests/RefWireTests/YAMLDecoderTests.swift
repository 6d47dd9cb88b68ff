import RefWire
import Testing

/// Decoding every construct of the YAML subset (`Spec/yaml.md`), each checked against
/// the exact value, kinds included (`isIdentical`).
@Suite("YAML decoding")
struct YAMLDecoderTests {
    static func decode(_ text: String, _ configure: (inout YAMLDecodingOptions) -> Void = { _ in }) throws -> PerlValue {
        var options = YAMLDecodingOptions()
        configure(&options)
        return try PerlYAMLDecoder(options: options).decode(Array(text.utf8))
    }

    static func expectDecodes(
        _ text: String, to expected: PerlValue, _ configure: (inout YAMLDecodingOptions) -> Void = { _ in },
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        do {
            let value = try decode(text, configure)
            #expect(value.isIdentical(to: expected), "\(text.debugDescription) decoded to \(value), expected \(expected)",
                    sourceLocation: sourceLocation)
        } catch {
            Issue.record("\(text.debugDescription): \(error)", sourceLocation: sourceLocation)
        }
    }

    // MARK: - Plain scalars

    @Test("Plain scalars: undef, numbers Perl prints that way, strings otherwise", arguments: [
        ("~", PerlValue.undef), ("", .undef), ("42", .integer(42)), ("-7", .integer(-7)), ("0", .integer(0)),
        ("9223372036854775807", .integer(.max)), ("-9223372036854775808", .integer(.min)),
        ("9223372036854775808", .unsigned(1 << 63)), ("18446744073709551615", .unsigned(.max)),
        ("18446744073709551616", .string("18446744073709551616")), ("4.5", .double(4.5)), ("-0.25", .double(-0.25)),
        ("1e+21", .double(1e21)), ("1e-07", .double(1e-7)), ("Inf", .double(.infinity)), ("-Inf", .double(-.infinity)),
        ("3.14159265358979", .double(3.14159265358979)),
        ("007", .string("007")), ("+1", .string("+1")), ("-0", .string("-0")), ("1.50", .string("1.50")),
        ("1.0", .string("1.0")), (".5", .string(".5")), ("1e3", .string("1e3")), ("0x1F", .string("0x1F")),
        ("1_000", .string("1_000")), ("inf", .string("inf")), (".inf", .string(".inf")), ("1.2.3", .string("1.2.3")),
        ("word", .string("word")), ("two words", .string("two words")), ("a:b", .string("a:b")), ("a#b", .string("a#b")),
        ("-a", .string("-a")), (":a", .string(":a")), ("caf\u{E9} \u{263A}", .string("caf\u{E9} \u{263A}")),
    ] as [(String, PerlValue)])
    func plainScalar(_ text: String, _ expected: PerlValue) {
        Self.expectDecodes("--- \(text)\n", to: expected)
        Self.expectDecodes("- \(text)\n", to: .array([expected]))
    }

    @Test("NaN reads as a double")
    func notANumber() throws {
        let value = try Self.decode("--- NaN\n")
        guard case .double(let number) = value else {
            Issue.record("\(value)")
            return
        }
        #expect(number.isNaN)
    }

    @Test("true, false and null are strings to YAML.pm and a boolean and undef to YAML::XS")
    func keywordsByDialect() {
        let text = "- true\n- false\n- null\n- 'true'\n- ~\n"
        Self.expectDecodes(text, to: ["true", "false", "null", "true", .undef])
        Self.expectDecodes(text, to: [true, false, .undef, "true", .undef]) { $0.dialect = .yamlXS }
    }

    @Test("A plain scalar continues on more-indented lines, folded")
    func multiLinePlain() {
        Self.expectDecodes("key: one two\n  three\n\n  four\nnext: x\n", to: ["key": "one two three\nfour", "next": "x"])
        Self.expectDecodes("- a # comment\n- b#c\n", to: ["a", "b#c"])
    }

    // MARK: - Quoted scalars

    @Test("Single quotes: '' is a quote, line breaks fold")
    func singleQuoted() {
        Self.expectDecodes("--- 'it''s'\n", to: "it's")
        Self.expectDecodes("--- ''\n", to: "")
        Self.expectDecodes("--- '~'\n", to: "~")
        Self.expectDecodes("--- '42'\n", to: "42")
        Self.expectDecodes("- 'one two\n  three\n\n  four  '\n", to: ["one two three\nfour  "])
    }

    @Test("Double quotes: every YAML escape")
    func doubleQuotedEscapes() {
        Self.expectDecodes(
            "--- \"\\0\\a\\b\\t\\\t\\n\\v\\f\\r\\e\\ \\\"\\/\\\\\\N\\_\\L\\P\\x41\\xe9\\u263A\\U0001F600\"" + "\n",
            to: .string("\u{0}\u{7}\u{8}\t\t\n\u{B}\u{C}\r\u{1B} \"/\\\u{85}\u{A0}\u{2028}\u{2029}A\u{E9}\u{263A}\u{1F600}"))
    }

    @Test("Double quotes fold line breaks; an escaped break joins lines")
    func doubleQuotedFolding() {
        Self.expectDecodes("- \"one two\n  three\n\n  four\"\n", to: ["one two three\nfour"])
        Self.expectDecodes("- \"abc\\\n  def\"\n", to: ["abcdef"])
        Self.expectDecodes("- \"a\\\n  \\ b\"\n", to: ["a b"])
    }

    @Test("Quoted scalars on one line read as written, the next token's position counted in characters")
    func quotedAsWritten() throws {
        Self.expectDecodes("{'a b ': \"é'\\\"\", 'x\\y': '\"'}\n", to: ["a b ": "é'\"", "x\\y": "\""])
        Self.expectDecodes("- ' lead and trail '\n- \"\"\n- 'it''s'\n- '日本'\n", to: [" lead and trail ", "", "it's", "日本"])
        // A tab is left to the general reading, which keeps it.
        Self.expectDecodes("- 'a\tb'\n", to: ["a\tb"])
        do {
            _ = try Self.decode("- 'é日' ]\n")
            Issue.record("decoded a stray ]")
        } catch let error as YAMLDecodingError {
            #expect(error.line == 1 && error.column == 8, "\(error)")
        }
    }

    // MARK: - Block scalars

    @Test("Literal blocks: clip, strip, keep, indentation indicators")
    func literal() {
        Self.expectDecodes("- |\n  one\n   two\n\n- x\n", to: ["one\n two\n", "x"])
        Self.expectDecodes("- |-\n  one\n  two\n", to: ["one\ntwo"])
        Self.expectDecodes("- |+\n  one\n\n\n- x\n", to: ["one\n\n\n", "x"])
        Self.expectDecodes("- |2\n   lead\n  next\n", to: [" lead\nnext\n"])
        Self.expectDecodes("- |-2\n   lead\n  next\n", to: [" lead\nnext"])
        Self.expectDecodes("- |2-\n   lead\n  next\n", to: [" lead\nnext"])
        Self.expectDecodes("key: |\n  text # not a comment\n", to: ["key": "text # not a comment\n"])
    }

    @Test("Folded blocks join lines with spaces, keep empty and more-indented lines")
    func folded() {
        Self.expectDecodes("--- >\n  one\n  two\n\n  three\n    indented\n  four\n", to: "one two\nthree\n  indented\nfour\n")
        Self.expectDecodes("--- >-\n  one\n  two\n", to: "one two")
    }

    @Test("A top-level literal block may sit at column 0, as YAML.pm writes it")
    func topLevelLiteralAtColumnZero() {
        Self.expectDecodes("--- |\nline one\nline two\n", to: "line one\nline two\n")
        Self.expectDecodes("--- |-\nline one\n  indented\n", to: "line one\n  indented")
        Self.expectDecodes("--- !!perl/scalar:A |\nline\n", to: .blessed(class: "A", .scalarReference("line\n")))
    }

    // MARK: - Collections

    @Test("Block sequences and mappings, indentless and compact forms")
    func blockCollections() {
        let expected: PerlValue = ["a": [[1, 2], ["x": 1, "y": [3]]], "b": [:], "c": []]
        // YAML.pm's layout.
        Self.expectDecodes("---\na:\n  -\n    - 1\n    - 2\n  - x: 1\n    y:\n      - 3\nb: {}\nc: []\n", to: expected)
        // YAML::XS's layout.
        Self.expectDecodes("---\na:\n- - 1\n  - 2\n- x: 1\n  y:\n  - 3\nb: {}\nc: []\n", to: expected)
    }

    @Test("Empty values are undef")
    func emptyValues() {
        Self.expectDecodes("a:\nb: ~\n", to: ["a": .undef, "b": .undef])
        Self.expectDecodes("-\n- \n-\n", to: [.undef, .undef, .undef])
        Self.expectDecodes("---\n", to: .undef)
        Self.expectDecodes("--- ~\n...\n", to: .undef)
    }

    @Test("Flow collections, nested, with pairs and keys without values")
    func flowCollections() {
        Self.expectDecodes("--- [1, [2, 3], {a: b, c: [d]}, []]\n", to: [1, [2, 3], ["a": "b", "c": ["d"]], []])
        Self.expectDecodes("--- {a: 1, b, 'c': \"d\", }\n", to: ["a": 1, "b": .undef, "c": "d"])
        Self.expectDecodes("--- [a: 1, b]\n", to: [["a": 1], "b"])
        Self.expectDecodes("--- [\n  1,\n  2\n]\n", to: [1, 2])
        Self.expectDecodes("key: [x, y]\n", to: ["key": ["x", "y"]])
    }

    @Test("Complex keys (`? key`) in block mappings")
    func complexKeys() {
        Self.expectDecodes("? long key\n: value\n? |-\n  two\n  lines\n:\n  k: 1\n", to: ["long key": "value", "two\nlines": ["k": 1]])
        Self.expectDecodes("- ? a\n  : b\n  c: d\n", to: [["a": "b", "c": "d"]])
    }

    @Test("Keys are the text of scalars: numbers as written, null as the empty string")
    func keyText() {
        Self.expectDecodes("007: a\n1.50: b\n~: c\n'x': d\n\"y\\tz\": e\n42: f\n",
                           to: ["007": "a", "1.50": "b", "": "c", "x": "d", "y\tz": "e", "42": "f"])
        Self.expectDecodes("true: a\nnull: b\n", to: ["true": "a", "null": "b"])
        Self.expectDecodes("true: a\nfalse: b\n", to: ["1": "a", "": "b"]) { $0.dialect = .yamlXS }
    }

    @Test("Hash keys keep the document's order")
    func keyOrder() throws {
        let value = try Self.decode("b: 1\na: 2\nc: 3\n")
        #expect(value.hashContents?.keys.map(\.description) == ["b", "a", "c"])
    }

    // MARK: - Documents

    @Test("Markers, directives, comments, a byte order mark and CR LF line ends")
    func documents() {
        Self.expectDecodes("# comment\n%YAML 1.1\n--- # YAML:1.0\na: 1 # trailing\n...\n# after\n", to: ["a": 1])
        Self.expectDecodes("\u{FEFF}--- x\n", to: "x")
        Self.expectDecodes("---\r\na: 1\r\nb:\r\n  - 2\r\n", to: ["a": 1, "b": [2]])
        Self.expectDecodes("a: 1\n", to: ["a": 1])
        Self.expectDecodes("--- 42", to: 42)
    }

    // MARK: - Tags

    @Test("Perl tags: objects, scalar references, regexps")
    func perlTags() {
        Self.expectDecodes("--- !!perl/hash:Foo::Bar\na: 1\n", to: .blessed(class: "Foo::Bar", ["a": 1]))
        Self.expectDecodes("--- !!perl/array:Foo [1]\n", to: .blessed(class: "Foo", [1]))
        Self.expectDecodes("--- !!perl/hash {}\n", to: [:])
        Self.expectDecodes("--- !!perl/scalar:Foo text\n", to: .blessed(class: "Foo", .scalarReference("text")))
        Self.expectDecodes("--- !!perl/scalar:Foo 1000\n", to: .blessed(class: "Foo", .scalarReference(1000)))
        Self.expectDecodes("--- !!perl/scalar:Foo ~\n", to: .blessed(class: "Foo", .scalarReference("~")))
        Self.expectDecodes("--- !!perl/ref\n=: 1\n", to: .scalarReference(1))
        Self.expectDecodes("- !!perl/ref\n  =: !!perl/ref\n    =: x\n", to: [.scalarReference(.scalarReference("x"))])
        Self.expectDecodes("--- !!perl/ref:Foo\n=: [1]\n", to: .blessed(class: "Foo", .scalarReference([1])))
        Self.expectDecodes("--- !!perl/regexp (?^i:ab+c)\n", to: .blessed(class: "Regexp", .regexp(pattern: "ab+c", flags: "i")))
        Self.expectDecodes("--- !!perl/regexp:My::Re (?^msix:a b)\n", to: .blessed(class: "My::Re", .regexp(pattern: "a b", flags: "msix")))
        Self.expectDecodes("--- !!perl/regexp (?i-xsm:old)\n", to: .blessed(class: "Regexp", .regexp(pattern: "old", flags: "i")))
        Self.expectDecodes("--- !!perl/regexp plain\n", to: .blessed(class: "Regexp", .regexp(pattern: "plain", flags: "")))
    }

    @Test("Tag forms: verbatim, %-escaped, and the YAML types read")
    func tagForms() {
        Self.expectDecodes("--- !<tag:yaml.org,2002:perl/hash:Foo> {}\n", to: .blessed(class: "Foo", [:]))
        Self.expectDecodes("--- !!perl/hash:Caf%C3%A9 {}\n", to: .blessed(class: "Café", [:]))
        Self.expectDecodes("- !!str 42\n- !!str ~\n- !!null ~\n- !!map {a: 1}\n- !!seq [1]\n", to: ["42", "~", .undef, ["a": 1], [1]])
        Self.expectDecodes("- &a !!perl/hash:A {}\n- !!perl/hash:B &b {}\n- *a\n- *b\n", to: [
            .anchored(1, .blessed(class: "A", [:])), .anchored(2, .blessed(class: "B", [:])), .alias(1), .alias(2),
        ])
    }

    @Test("Code: refused by default, its source text kept if asked")
    func code() {
        Self.expectDecodes("--- !!perl/code '{ 42 }'\n", to: .code("{ 42 }")) { $0.codeReferences = .keepSource }
        Self.expectDecodes("--- !!perl/code:Foo '{ 42 }'\n", to: .blessed(class: "Foo", .code("{ 42 }"))) {
            $0.codeReferences = .keepSource
        }
    }

    @Test("Class policies: allow some, refuse all")
    func classPolicies() throws {
        let text = "- !!perl/hash:Allowed {}\n- !!perl/regexp (?^:x)\n"
        Self.expectDecodes(text, to: [.blessed(class: "Allowed", [:]), .blessed(class: "Regexp", .regexp(pattern: "x", flags: ""))]) {
            $0.blessedValues = .allow(["Allowed", "Regexp"])
        }
        #expect(throws: YAMLDecodingError.self) { try Self.decode(text) { $0.blessedValues = .allow(["Allowed"]) } }
        #expect(throws: YAMLDecodingError.self) { try Self.decode(text) { $0.blessedValues = .refuseAll } }
    }

    // MARK: - Anchors and aliases

    @Test("Shared referents and cycles stay shared")
    func sharing() {
        Self.expectDecodes("- &1\n  - 1\n- *1\n- k: *1\n", to: [.anchored(1, [1]), .alias(1), ["k": .alias(1)]])
        Self.expectDecodes("--- &1\nn: 1\nself: *1\n", to: .anchored(1, ["n": 1, "self": .alias(1)]))
        Self.expectDecodes("--- &1 !!perl/ref\n=: *1\n", to: .anchored(1, .scalarReference(.alias(1))))
        Self.expectDecodes("- &1 !!perl/scalar:A x\n- *1\n", to: [.anchored(1, .blessed(class: "A", .scalarReference("x"))), .alias(1)])
        Self.expectDecodes("- &r !!perl/regexp (?^:s)\n- *r\n", to: [
            .anchored(1, .blessed(class: "Regexp", .regexp(pattern: "s", flags: ""))), .alias(1),
        ])
    }

    @Test("An anchored plain scalar is copied; an anchor no alias uses is dropped")
    func scalarAnchorsAndUnusedAnchors() {
        Self.expectDecodes("- &a text\n- *a\n- &n 42\n- *n\n", to: ["text", "text", 42, 42])
        Self.expectDecodes("- &unused [1]\n- &used [2]\n- *used\n", to: [[1], .anchored(2, [2]), .alias(2)])
        Self.expectDecodes("&k key: *k\n", to: ["key": "key"])
    }

    @Test("An anchor defined again is the latest definition")
    func redefinedAnchor() {
        Self.expectDecodes("- &a [1]\n- *a\n- &a [2]\n- *a\n", to: [.anchored(1, [1]), .alias(1), .anchored(2, [2]), .alias(2)])
    }

    // MARK: - Characters

    @Test("LS, PS and NEL are characters to YAML.pm and line breaks to YAML::XS")
    func unicodeLineBreaks() {
        Self.expectDecodes("- a\u{2028}b\n- 'c\u{2028}  d'\n", to: ["a\u{2028}b", "c\u{2028}  d"])
        Self.expectDecodes("- 'c\u{2028}  d'\n- \"e\u{85}f\"\n", to: ["c\u{2028}d", "e f"]) { $0.dialect = .yamlXS }
    }

    @Test("Latin-1 input: each byte a character, scalars and keys byte strings")
    func latin1() throws {
        let bytes: [UInt8] = Array("- caf".utf8) + [0xE9] + Array("\n- \"\\u263A\"\n- \"\\xff\"\n".utf8) + Array("- k".utf8) + [0xFF]
            + Array(": v\n".utf8)
        var options = YAMLDecodingOptions()
        options.encoding = .latin1
        let value = try PerlYAMLDecoder(options: options).decode(bytes)
        let expected: PerlValue = [.bytes(Array("caf".utf8) + [0xE9]), .string("\u{263A}"), .bytes([0xFF]),
                                   .hash([.bytes([0x6B, 0xFF]): .bytes(Array("v".utf8))])]
        #expect(value.isIdentical(to: expected), "\(value)")
    }

    @Test("Raw DEL and C1 controls are characters, as YAML.pm writes them")
    func rawControlsAboveASCII() {
        Self.expectDecodes("- a\u{7F}\u{80}\u{9F}b\n", to: ["a\u{7F}\u{80}\u{9F}b"])
    }

    @Test("Decoding reads from any collection of bytes")
    func nonContiguousInput() throws {
        let text = "- [1, 2]\n- {a: b}\n"
        let value = try PerlYAMLDecoder().decode(text.utf8)
        #expect(value.isIdentical(to: [[1, 2], ["a": "b"]]))
        let sliced = try PerlYAMLDecoder().decode(Array(("xx" + text).utf8).dropFirst(2))
        #expect(sliced.isIdentical(to: value))
    }
}
