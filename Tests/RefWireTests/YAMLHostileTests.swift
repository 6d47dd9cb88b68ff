import Foundation
import RefWire
import RefWireTestSupport
import Testing

/// Hostile YAML: nesting 100,000 deep, alias bombs, cycles, code and globs, text that is
/// not UTF-8, tabs, unterminated constructs, truncation at every byte, random damage,
/// and every limit at and past its boundary. Each must end in a typed error or a small
/// value, never a crash, a hang or an unbounded allocation.
///
/// Bounded by construction, not by timing: every input here is at most a few hundred
/// kilobytes, the decoder makes one pass over it, keeps its nesting on the heap and stops
/// at the depth limit, and aliases of collections copy nothing.
@Suite("YAML hostile inputs")
struct YAMLHostileTests {
    static func decode(_ bytes: [UInt8], _ configure: (inout YAMLDecodingOptions) -> Void = { _ in })
        throws(YAMLDecodingError) -> PerlValue
    {
        var options = YAMLDecodingOptions()
        configure(&options)
        return try PerlYAMLDecoder(options: options).decode(bytes)
    }

    static func decode(_ text: String, _ configure: (inout YAMLDecodingOptions) -> Void = { _ in })
        throws(YAMLDecodingError) -> PerlValue
    {
        try decode(Array(text.utf8), configure)
    }

    static func expectError(
        _ text: String, _ identifier: String, _ configure: (inout YAMLDecodingOptions) -> Void = { _ in },
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        expectError(Array(text.utf8), identifier, configure, sourceLocation: sourceLocation)
    }

    static func expectError(
        _ bytes: [UInt8], _ identifier: String, _ configure: (inout YAMLDecodingOptions) -> Void = { _ in },
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        do {
            let value = try decode(bytes, configure)
            Issue.record("decoded \(String(describing: value).prefix(100)); expected \(identifier)", sourceLocation: sourceLocation)
        } catch {
            #expect(error.kind.identifier == identifier, "\(error)", sourceLocation: sourceLocation)
            #expect(error.offset >= 0 && error.offset <= bytes.count, "\(error)", sourceLocation: sourceLocation)
        }
    }

    // MARK: - Depth

    @Test("Nesting 100,000 deep, flow and block, is a depth error at the limit, on a 512 KiB stack")
    func deepNesting() {
        let documents: [(String, [UInt8])] = [
            ("flow sequences", Array(("--- " + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)).utf8)),
            ("flow mappings", Array(("--- " + String(repeating: "{a: ", count: 100_000) + String(repeating: "}", count: 100_000)).utf8)),
            ("block sequences on one line", Array((String(repeating: "- ", count: 100_000) + "x\n").utf8)),
            ("block sequences on lines", Array((0..<2_000).map { String(repeating: " ", count: $0) + "-\n" }.joined().utf8)),
            ("references", Array(("--- " + String(repeating: "!!perl/ref {=: ", count: 100_000) + "x" + String(repeating: "}", count: 100_000)).utf8)),
        ]
        let outcomes = ThreadStack.run(stackSize: ThreadStack.small) { () -> [String] in
            documents.map { name, bytes in
                do throws(YAMLDecodingError) {
                    _ = try Self.decode(bytes)
                    return "\(name): decoded"
                } catch {
                    return error.kind == .depthLimitExceeded(limit: 512) ? "ok" : "\(name): \(error)"
                }
            }
        }
        for outcome in outcomes where outcome != "ok" { Issue.record("\(outcome)") }
    }

    @Test("The depth limit is exact, for flow, block and reference nesting", arguments: [1, 2, 10, 512])
    func depthLimitIsExact(limit: Int) {
        let shapes: [(Int) -> String] = [
            { "--- " + String(repeating: "[", count: $0) + String(repeating: "]", count: $0) + "\n" },
            { String(repeating: "- ", count: $0) + "x\n" },
            { (0..<$0).map { String(repeating: " ", count: 2 * $0) + "k:\n" }.joined() },
            { "--- " + String(repeating: "!!perl/ref {=: ", count: $0) + "x" + String(repeating: "}", count: $0) + "\n" },
        ]
        for shape in shapes {
            #expect(throws: Never.self) { try Self.decode(shape(limit)) { $0.maximumDepth = limit } }
            do {
                _ = try Self.decode(shape(limit + 1)) { $0.maximumDepth = limit }
                Issue.record("\(limit + 1) levels decoded with maximumDepth \(limit): \(shape(limit + 1).prefix(40))")
            } catch {
                #expect(error.kind == .depthLimitExceeded(limit: limit), "\(error)")
            }
        }
    }

    @Test("Depth costs heap, not stack: 1,000 levels decode on a 512 KiB stack")
    func deepDecodeOnSmallStack() {
        let text = "--- " + String(repeating: "[", count: 1_000) + String(repeating: "]", count: 1_000)
        let decoded = ThreadStack.run(stackSize: ThreadStack.small) { () -> Bool in
            var options = YAMLDecodingOptions()
            options.maximumDepth = 1_000
            return (try? PerlYAMLDecoder(options: options).decode(Array(text.utf8))) != nil
        }
        #expect(decoded)
    }

    // MARK: - Aliases

    @Test("A billion laughs of collections stays shared: a small value, decoded at once")
    func billionLaughs() throws {
        var text = "- &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        for level in 1...30 {
            text += "- &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ") + "]\n"
        }
        let value = try Self.decode(text) { $0.maximumTotalCount = 1_000 }
        let levels = try #require(value.arrayElements)
        #expect(levels.count == 31)
        #expect(levels[29].anchor == PerlAnchor(30))
        #expect(levels[30].anchor == nil, "no alias uses the last anchor")
        #expect(levels[30].arrayElements == Array(repeating: .alias(PerlAnchor(30)), count: 10))
        // The same with block sequences and mappings.
        var block = "a0: &a0\n  x: lol\n"
        for level in 1...30 {
            block += "a\(level): &a\(level)\n" + (0..<10).map { "  k\($0): *a\(level - 1)\n" }.joined()
        }
        #expect(throws: Never.self) { try Self.decode(block) { $0.maximumTotalCount = 1_000 } }
    }

    @Test("Aliases copying scalars are bounded: the default limit stops a scalar bomb")
    func scalarAliasBomb() {
        let text = "- &a " + String(repeating: "x", count: 1_000) + "\n" + String(repeating: "- *a\n", count: 20_000)
        Self.expectError(text, "alias_expansion_limit_exceeded")
        #expect(throws: Never.self) { try Self.decode(text) { $0.maximumAliasExpansion = 20_000_000 } }
    }

    @Test("The alias expansion limit is exact")
    func aliasExpansionLimitIsExact() {
        let text = "- &a abcd\n- *a\n- *a\n"  // each alias copies 4 bytes
        #expect(throws: Never.self) { try Self.decode(text) { $0.maximumAliasExpansion = 8 } }
        Self.expectError(text, "alias_expansion_limit_exceeded") { $0.maximumAliasExpansion = 7 }
    }

    @Test("Cycles through aliases decode to cyclic values; an alias of itself is an error")
    func aliasCycles() throws {
        let cycle = try Self.decode("--- &a [*a, {self: *a}]\n")
        #expect(cycle.isIdentical(to: .anchored(1, [.alias(1), ["self": .alias(1)]])))
        Self.expectError("--- &a *a\n", "syntax")
        Self.expectError("- *a\n- &a x\n", "undefined_alias")
    }

    // MARK: - Refused content

    @Test("Code, globs and other classes of node are refused", arguments: [
        ("--- !!perl/code '{ system(\"rm -rf /\") }'\n", "code_reference_refused"),
        ("--- !!perl/code:Foo '{ 1 }'\n", "code_reference_refused"),
        ("--- !!perl/glob\nNAME: STDOUT\nPACKAGE: main\n", "unsupported_tag"),
        ("--- !!perl/glob:IO::Handle {}\n", "unsupported_tag"),
        ("--- !File::Temp {}\n", "unsupported_tag"),
        ("--- !!python/object:os.system x\n", "unsupported_tag"),
        ("--- !!binary aGVsbG8=\n", "unsupported_tag"),
        ("%TAG ! tag:yaml.org,2002:perl/\n--- !hash:Foo {}\n", "unsupported_directive"),
    ])
    func refusedContent(_ text: String, _ identifier: String) {
        Self.expectError(text, identifier)
    }

    // MARK: - Text

    @Test("Bytes that are not UTF-8 are refused wherever they are", arguments: [
        [0xFF], [0x2D, 0x20, 0xC0, 0x80], [0x2D, 0x20, 0xED, 0xB0, 0x80], [0x2D, 0x20, 0xF4, 0x90, 0x80, 0x80],
        Array("- 'a".utf8) + [0x80] + Array("'".utf8), Array("- \"a".utf8) + [0xE2, 0x82] + Array("\"".utf8),
        Array("- |\n  a".utf8) + [0xFE] + [0x0A], Array("- &a".utf8) + [0xC3], Array("- !!perl/hash:A".utf8) + [0xC3, 0x28],
        Array("k".utf8) + [0xF8, 0x88, 0x80, 0x80, 0x80] + Array(": v".utf8), Array("# ".utf8) + [0x80] + Array("\n- a".utf8),
    ] as [[UInt8]])
    func invalidUTF8(_ bytes: [UInt8]) {
        do {
            let value = try Self.decode(bytes)
            Issue.record("decoded \(value)")
        } catch {
            // Bytes cut short at the end of the input may read as truncation instead.
            #expect(["invalid_utf8", "truncated", "syntax"].contains(error.kind.identifier), "\(error)")
        }
    }

    @Test("Raw control characters are refused; escaped they are fine")
    func controlCharacters() throws {
        for byte in [0x00, 0x01, 0x08, 0x0B, 0x0C, 0x1B, 0x1F] as [UInt8] {
            Self.expectError(Array("- a".utf8) + [byte] + Array("b\n".utf8), "invalid_character")
        }
        #expect(try Self.decode("- \"a\\x01\\0b\"\n").isIdentical(to: ["a\u{1}\u{0}b"]))
    }

    @Test("Tabs in indentation are refused; tabs inside scalars and after values are fine")
    func tabs() throws {
        Self.expectError("a:\n\tb: 1\n", "tab_indentation")
        Self.expectError("-\n\t- 1\n", "tab_indentation")
        Self.expectError("--- |\n\ttext\n", "tab_indentation")
        Self.expectError("key: one\n\t two\n", "tab_indentation")
        #expect(try Self.decode("a:\tb\t# c\nd: \"\te\"\n").isIdentical(to: ["a": "b", "d": "\te"]))
    }

    @Test("Unterminated constructs are truncated", arguments: [
        "--- 'abc", "--- \"abc", "--- \"abc\\", "--- \"\\u26", "--- [1, 2", "--- {a: 1", "--- [[[", "- [a, {b: [c",
        "--- \"a\n  b\n", "--- 'it''s",
    ])
    func unterminated(_ text: String) {
        Self.expectError(text, "truncated")
    }

    @Test("Truncation at every byte never crashes: each prefix decodes or fails with a typed error")
    func truncationEverywhere() throws {
        let documents = [
            "---\nkey: value\nlist:\n  - 'single'\n  - \"double \\u263A\"\n  - |\n    block\n  - &a [1, {b: *a}]\n",
            "--- !!perl/hash:Foo\nref: !!perl/ref\n  =: !!perl/regexp (?^i:x)\nscalar: !!perl/scalar:Bar 42\n",
            "---\n? |-\n  complex\n  key\n: >\n  folded\n  text\n\"caf\u{E9}\": \u{263A}\n",
        ]
        var errors = 0
        for document in documents {
            let bytes = Array(document.utf8)
            _ = try Self.decode(bytes)
            for length in 0..<bytes.count {
                do {
                    _ = try Self.decode(Array(bytes[..<length]))
                } catch {
                    errors += 1
                    #expect(error.offset <= length, "prefix of \(length) bytes: \(error)")
                }
            }
        }
        #expect(errors > 0)
    }

    @Test("Random damage to documents never crashes: a typed error, or a value each dialect writes and reads back")
    func randomDamage() {
        let seeds = [
            "---\nargs:\n- 1\n- 2.5\n- ~\n- text\ncommand: publish\nmeta: {a: [b, c]}\n",
            "--- &1\nname: root\nself: *1\nobj: !!perl/hash:A\n  re: !!perl/regexp (?^:x)\n",
            "- \"esc \\x41 \\u263A\"\n- 'q''t'\n- |+\n  keep\n\n- >-\n  fold\n  ed\n- ? k\n  : v\n",
            "{a: [b, 'c d', \"e\\nf\"], ? g : h, i: !!perl/ref {=: 1.5e+21}}\n",
            "--- |2-\n   caf\u{E9}\n  \u{2028} \u{1F600}\n",
        ].map { Array($0.utf8) }
        let alphabet = Array("-?:,[]{}#&*!|>'\"%@`~ \t\n\r\\0a1.e".utf8) + [0x00, 0x80, 0x85, 0xA0, 0xC2, 0xC3, 0xE2, 0xFF]
        var random = SeededRandom(seed: 0x59414D4C)
        var outcomes = (values: 0, errors: 0)
        for _ in 0..<Self.damageRounds {
            var bytes = seeds[random.next(upperBound: seeds.count)]
            for _ in 0...random.next(upperBound: 4) {
                let index = random.next(upperBound: bytes.count)
                switch random.next(upperBound: 3) {
                case 0: bytes[index] = alphabet[random.next(upperBound: alphabet.count)]
                case 1: bytes.insert(alphabet[random.next(upperBound: alphabet.count)], at: index)
                default: bytes.remove(at: index)
                }
            }
            do {
                let value = try Self.decode(bytes)
                outcomes.values += 1
                for dialect in YAMLDialect.allCases { Self.expectFixedPoint(value, dialect, source: bytes) }
            } catch {
                outcomes.errors += 1
                #expect(error.offset >= 0 && error.offset <= bytes.count, "\(error) for \(bytes)")
            }
        }
        #expect(outcomes.values > 0 && outcomes.errors > 0, "\(outcomes)")
    }

    static let damageRounds = Int(ProcessInfo.processInfo.environment["YAML_DAMAGE_ROUNDS"] ?? "") ?? 3_000

    /// A decoded value is written by `dialect` (or refused as unrepresentable), read back
    /// under that dialect, and written again to the same text.
    static func expectFixedPoint(_ value: PerlValue, _ dialect: YAMLDialect, source: [UInt8]) {
        var writing = YAMLEncodingOptions()
        writing.dialect = dialect
        var reading = YAMLDecodingOptions()
        reading.dialect = dialect
        let context = "\(dialect), from \(String(decoding: source, as: UTF8.self).debugDescription)"
        do {
            let text = try PerlYAMLEncoder(options: writing).encode(value)
            let again = try PerlYAMLDecoder(options: reading).decode(text)
            let textAgain = try PerlYAMLEncoder(options: writing).encode(again)
            #expect(textAgain == text, "\(context): \(String(decoding: text, as: UTF8.self).debugDescription) then \(String(decoding: textAgain, as: UTF8.self).debugDescription)")
        } catch let error as YAMLEncodingError {
            if case .unrepresentable = error.kind { return }
            Issue.record("\(context): \(error)")
        } catch {
            Issue.record("\(context): \(error)")
        }
    }

    // MARK: - Limits

    @Test("The input length limit is exact")
    func inputLimit() {
        let text = "--- abc\n"  // 8 bytes
        #expect(throws: Never.self) { try Self.decode(text) { $0.maximumInputLength = 8 } }
        do {
            _ = try Self.decode(text) { $0.maximumInputLength = 7 }
            Issue.record("decoded past the input limit")
        } catch {
            #expect(error.kind == .inputLimitExceeded(length: 8, limit: 7))
        }
    }

    @Test("The string limit is exact, for scalars in every style, anchors and tags", arguments: [
        "--- abcd\n", "--- 'abcd'\n", "--- \"abcd\"\n", "--- |-\n  abcd\n", "--- >-\n  abcd\n", "--- \"ab\\\n  cd\"\n",
        "- &abcd x\n- *abcd\n", "--- !!perl/hash:ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGHIJ {}\n",
    ])
    func stringLimit(_ text: String) throws {
        // The longest string in each document, in bytes.
        let longest = text.contains("!!perl") ? "tag:yaml.org,2002:perl/hash:ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGHIJ".utf8.count : 4
        #expect(throws: Never.self) { try Self.decode(text) { $0.maximumStringLength = longest } }
        Self.expectError(text, "string_limit_exceeded") { $0.maximumStringLength = longest - 1 }
    }

    @Test("The container limit is exact, for sequences and mappings in both forms", arguments: [
        "--- [1, 2, 3]\n", "- 1\n- 2\n- 3\n", "--- {a: 1, b: 2, c: 3}\n", "a: 1\nb: 2\nc: 3\n",
    ])
    func containerLimit(_ text: String) {
        #expect(throws: Never.self) { try Self.decode(text) { $0.maximumContainerCount = 3 } }
        Self.expectError(text, "container_limit_exceeded") { $0.maximumContainerCount = 2 }
    }

    @Test("The total node limit is exact; keys, values and aliases each count")
    func totalLimit() {
        let text = "- {a: 1}\n- &x [2]\n- *x\n"  // sequence, mapping, a, 1, sequence, 2, alias: 7
        #expect(throws: Never.self) { try Self.decode(text) { $0.maximumTotalCount = 7 } }
        Self.expectError(text, "total_limit_exceeded") { $0.maximumTotalCount = 6 }
    }
}
