import RefWire
import RefWireTestSupport
import Testing

/// Hostile JSON: nesting 100,000 deep, every invalid UTF-8 form, lone surrogates,
/// numbers of 100,000 digits, trailing garbage, truncation at every byte, inputs past
/// each limit. Each must end in its typed error (or, for valid but extreme input, the
/// right value) without a crash.
///
/// Bounded time and memory by construction, not by timing: every input here is at most
/// a few hundred kilobytes, the parser makes one pass with no recursion, and every count
/// and length is checked against its limit as it grows. A clock is read only as a
/// loose guard against a pathological slowdown.
@Suite("JSON hostile inputs")
struct JSONHostileTests {
    struct HostileCase: Sendable, CustomTestStringConvertible {
        var name: String
        var input: [UInt8]
        var options = JSONDecodingOptions()
        var expected: JSONDecodingError

        var testDescription: String { name }
    }

    static let cases: [HostileCase] = {
        var cases: [HostileCase] = []
        func add(
            _ name: String, _ input: [UInt8], _ kind: JSONDecodingError.Kind, at offset: Int,
            _ options: JSONDecodingOptions = .init()
        ) {
            cases.append(HostileCase(name: name, input: input, options: options, expected: JSONDecodingError(kind, at: offset)))
        }
        let depth = JSONDecodingError.Kind.depthLimitExceeded(limit: 512)
        add("arrays_100000_deep", Array(repeating: UInt8(ascii: "["), count: 100_000), depth, at: 512)
        let closed = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        add("arrays_100000_deep_closed", Array(closed.utf8), depth, at: 512)
        add("objects_100000_deep", Array(String(repeating: #"{"a":"#, count: 100_000).utf8), depth, at: 512 * 5)
        add("mixed_100000_deep", Array(String(repeating: #"[{"k":"#, count: 50_000).utf8), depth, at: 3 * 256 + 3 * 256)
        var unlimited = JSONDecodingOptions()
        unlimited.maximumDepth = .max
        add("arrays_100000_deep_unlimited", Array(repeating: UInt8(ascii: "["), count: 100_000), .truncated, at: 100_000, unlimited)

        // Every overlong two-byte form, every encoded surrogate, every byte that never
        // appears in UTF-8, every truncated sequence: inside a string, after some text.
        var invalid: [[UInt8]] = []
        for lead in UInt8(0xC0)...0xC1 { for trail in UInt8(0x80)...0xBF { invalid.append([lead, trail]) } }
        for second in UInt8(0xA0)...0xBF { invalid.append([0xED, second, 0x80]) }
        for second in UInt8(0x80)...0x9F { invalid.append([0xE0, second, 0x80]) }
        for second in UInt8(0x80)...0x8F { invalid.append([0xF0, second, 0x80, 0x80]) }
        for second in UInt8(0x90)...0xBF { invalid.append([0xF4, second, 0x80, 0x80]) }
        for byte in UInt8(0xF5)...0xFF { invalid.append([byte, 0x80, 0x80, 0x80]) }
        for byte in UInt8(0x80)...0xBF { invalid.append([byte]) }
        for sequence in [[0xC3], [0xE2, 0x82], [0xF0, 0x9F, 0x98]] as [[UInt8]] { invalid.append(sequence) }
        for (index, bytes) in invalid.enumerated() {
            let hex = Hex.string(bytes)
            add("utf8_\(index)_\(hex)", Array(#"["text "#.utf8) + bytes + Array(#"", 1]"#.utf8), .invalidUTF8, at: 7)
            add("utf8_key_\(index)_\(hex)", Array(#"{"k"#.utf8) + bytes + Array(#"":1}"#.utf8), .invalidUTF8, at: 3)
        }

        // Lone and misordered surrogate escapes, at every position of the pair.
        for (index, text) in [
            #""\ud800""#, #""\udbff""#, #""\udc00""#, #""\udfff""#, #""\ud800\ud800""#, #""\udc00\ud800""#,
            #""\ud800a""#, #""\ud800\n""#, #""\ud800\u0000""#, #""x\uDBFF\uE000""#,
        ].enumerated() {
            let offset = text.hasPrefix(#""x"#) ? 2 : 1
            add("surrogate_\(index)", Array(text.utf8), .loneSurrogate, at: offset)
        }

        // Numbers of 100,000 digits, and exponents of as many.
        let digits = String(repeating: "7", count: 100_000)
        add("integer_100000_digits", Array("[\(digits)]".utf8), .numberOutOfRange, at: 1)
        add("negative_integer_100000_digits", Array("[-\(digits)]".utf8), .numberOutOfRange, at: 1)
        add("exponent_100000_digits", Array("[1e\(digits)]".utf8), .numberOutOfRange, at: 1)
        add(
            "fraction_100000_digits_then_garbage", Array("[0.\(digits)x]".utf8),
            .unexpectedByte(UInt8(ascii: "x"), expected: .commaOrEndOfArray), at: 100_003)
        add("leading_zero_then_100000_digits", Array("[0\(digits)]".utf8), .invalidNumber, at: 2)

        // Garbage after a document.
        for (index, tail) in ["x", "]", "}", ",", "[]", "\"s\"", "1", "null", "\u{00}", "\u{FEFF}", "/* */"].enumerated() {
            add("trailing_\(index)", Array("{\"a\":[1,2]}   \(tail)".utf8), .trailingBytes(count: tail.utf8.count), at: 14)
        }

        // Inputs past their limits, before the work they would cost.
        var small = JSONDecodingOptions()
        small.maximumInputLength = 1 << 20
        add(
            "input_past_limit", Array(repeating: UInt8(ascii: " "), count: (1 << 20) + 1),
            .inputLimitExceeded(length: (1 << 20) + 1, limit: 1 << 20), at: 1 << 20, small)
        small = JSONDecodingOptions()
        small.maximumContainerCount = 1_000
        add(
            "array_of_100000", Array(("[" + String(repeating: "0,", count: 99_999) + "0]").utf8),
            .containerLimitExceeded(limit: 1_000), at: 2_000, small)
        small = JSONDecodingOptions()
        small.maximumTotalCount = 10_000
        // The 10,001st value is the 0 inside the 5,000th inner array.
        add(
            "values_past_total", Array(("[" + String(repeating: "[0],", count: 9_999) + "[0]]").utf8),
            .totalLimitExceeded(limit: 10_000), at: 1 + 4 * 4_999 + 1, small)
        small = JSONDecodingOptions()
        small.maximumStringLength = 1 << 16
        add(
            "string_of_200000", Array(("[\"" + String(repeating: "a", count: 200_000) + "\"]").utf8),
            .stringLimitExceeded(limit: 1 << 16), at: 1, small)
        return cases
    }()

    @Test("Every hostile input is small, so that every case is fast by construction")
    func inputsAreSmall() {
        #expect(Self.cases.count >= 250, "only \(Self.cases.count) hostile cases")
        #expect(Self.cases.allSatisfy { $0.input.count <= 1_200_000 })
        #expect(Set(Self.cases.map(\.name)).count == Self.cases.count, "case names must be unique")
    }

    @Test("Hostile input fails with its typed error", arguments: Self.cases)
    func fails(_ hostile: HostileCase) {
        let clock = ContinuousClock()
        let start = clock.now
        do {
            let value = try PerlJSONDecoder(options: hostile.options).decode(hostile.input)
            Issue.record("decoded \(String(describing: value).prefix(100)); expected \(hostile.expected)")
        } catch {
            #expect(error == hostile.expected)
        }
        #expect(start.duration(to: clock.now) < .seconds(5), "far slower than one linear pass")
    }

    @Test("A 100,000-digit fraction is valid JSON: it reads as the nearest double, in one pass")
    func longFraction() throws {
        let text = "0." + String(repeating: "3", count: 100_000)
        let value = try PerlJSONDecoder().decode(Array(text.utf8))
        #expect(value.isIdentical(to: .double(1.0 / 3.0)))
        let tiny = "1e-" + String(repeating: "9", count: 100_000)
        #expect(try PerlJSONDecoder().decode(Array(tiny.utf8)).isIdentical(to: .double(0)))
    }

    /// Documents whose every proper prefix must fail as truncated: containers, so no
    /// prefix is itself a document.
    static let truncationSources: [String] = [
        #"{"a":[1,-2.5e-3,true,false,null,"s\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00 é😀"],"b":{},"c":[],"d":{"e":[[]]}}"#,
        #"  [ 0 , 1.5 , -0 , 1E+2 , "x" , { "k" : null } ]  "#,
        #"[18446744073709551615,-9223372036854775808,5e-324,1.7976931348623157e308]"#,
    ]

    @Test("Truncation at every byte fails as truncated, at the end of the input", arguments: Self.truncationSources)
    func truncatedEverywhere(_ source: String) throws {
        let bytes = Array(source.utf8)
        _ = try PerlJSONDecoder().decode(bytes)
        // The trailing whitespace of a source is not part of the document.
        let documentEnd = bytes.lastIndex { $0 != UInt8(ascii: " ") }! + 1
        for length in 0..<documentEnd {
            do {
                let value = try PerlJSONDecoder().decode(bytes[..<length])
                Issue.record("\(length) of \(bytes.count) bytes decoded: \(value)")
            } catch {
                #expect(error == JSONDecodingError(.truncated, at: length), "prefix of \(length) bytes")
            }
        }
    }

    @Test("Random bytes and random mutations of valid documents never crash, and any error is in range")
    func randomInputs() {
        var random = SeededRandom(seed: 0x4855_4E54)
        let seeds = Self.truncationSources.map { Array($0.utf8) }
        let alphabet = Array(#"{}[],:"\-0123456789.eE+truefalsnl ud83ec\"#.utf8) + [0x00, 0x1F, 0x7F, 0x80, 0xC3, 0xED, 0xF0, 0xFF]
        var decoded = 0
        for round in 0..<20_000 {
            var input: [UInt8]
            if round.isMultiple(of: 2) {
                input = (0..<random.next(upperBound: 40)).map { _ in alphabet[random.next(upperBound: alphabet.count)] }
            } else {
                input = seeds[random.next(upperBound: seeds.count)]
                for _ in 0...random.next(upperBound: 3) {
                    let position = random.next(upperBound: input.count)
                    switch random.next(upperBound: 3) {
                    case 0: input[position] = alphabet[random.next(upperBound: alphabet.count)]
                    case 1: input.remove(at: position)
                    default: input.insert(alphabet[random.next(upperBound: alphabet.count)], at: position)
                    }
                }
            }
            do {
                let value = try PerlJSONDecoder().decode(input)
                // Whatever decodes must encode, and decode back to the same value.
                if let bytes = try? PerlJSONEncoder().encode(value) {
                    #expect(try PerlJSONDecoder().decode(bytes).isIdentical(to: value), "\(Hex.string(input))")
                }
                decoded += 1
            } catch {
                #expect(error.offset >= 0 && error.offset <= input.count, "\(error) for \(Hex.string(input))")
            }
        }
        #expect(decoded > 100, "the mutations should leave some documents valid")
    }
}
