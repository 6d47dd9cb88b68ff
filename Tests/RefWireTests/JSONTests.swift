import RefWire
import Testing

/// Decodes `text` with `options`, or fails the test.
private func decode(_ text: String, _ options: JSONDecodingOptions = JSONDecodingOptions()) throws -> PerlValue {
    try PerlJSONDecoder(options: options).decode(Array(text.utf8))
}

/// The error decoding `bytes` fails with, or `nil` (recorded as an issue) if it decodes.
private func decodingError(
    _ bytes: [UInt8], _ options: JSONDecodingOptions = JSONDecodingOptions(),
    sourceLocation: SourceLocation = #_sourceLocation
) -> JSONDecodingError? {
    do {
        let value = try PerlJSONDecoder(options: options).decode(bytes)
        Issue.record("decoded \(value)", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error
    }
}

private func decodingError(
    _ text: String, _ options: JSONDecodingOptions = JSONDecodingOptions(),
    sourceLocation: SourceLocation = #_sourceLocation
) -> JSONDecodingError? {
    decodingError(Array(text.utf8), options, sourceLocation: sourceLocation)
}

/// `value` encoded with `options`, as text.
private func encode(_ value: PerlValue, _ options: JSONEncodingOptions = JSONEncodingOptions()) throws -> String {
    String(decoding: try PerlJSONEncoder(options: options).encode(value), as: UTF8.self)
}

private func encodingError(_ value: PerlValue, _ options: JSONEncodingOptions = JSONEncodingOptions()) -> JSONEncodingError? {
    do {
        let bytes = try PerlJSONEncoder(options: options).encode(value)
        Issue.record("encoded \(String(decoding: bytes, as: UTF8.self))")
        return nil
    } catch {
        return error
    }
}

@Suite("JSON: decoding")
struct JSONDecodingTests {
    @Test("Each JSON type maps to its PerlValue, as JSON::XS maps it")
    func mapping() throws {
        let value = try decode(#"{"o": {"k": 1}, "a": [1, -2, 3.5], "s": "text", "t": true, "f": false, "n": null}"#)
        let expected: PerlValue = [
            "o": ["k": .integer(1)], "a": [.integer(1), .integer(-2), .double(3.5)], "s": .string("text"),
            "t": .bool(true), "f": .bool(false), "n": .undef,
        ]
        #expect(value.isIdentical(to: expected), "\(value)")
        // Keys are character strings, in document order.
        let keys = try #require(value.hashContents).keys
        #expect(keys.map(\.description) == ["o", "a", "s", "t", "f", "n"])
        #expect(keys.allSatisfy { if case .string = $0 { true } else { false } })
    }

    @Test("Any value may be the root, with whitespace around it (RFC 8259)")
    func scalarRoots() throws {
        #expect(try decode(#" "A JSON payload" "#).isIdentical(to: .string("A JSON payload")))
        #expect(try decode("\t\r\n 42 \n").isIdentical(to: .integer(42)))
        #expect(try decode("null").isIdentical(to: .undef))
        #expect(try decode("true").isIdentical(to: .bool(true)))
        #expect(try decode("[]").isIdentical(to: .array([])))
        #expect(try decode("{}").isIdentical(to: .hash([:])))
        #expect(try decode(" [ { } , [ ] ] ").isIdentical(to: .array([.hash([:]), .array([])])))
    }

    @Test("Integers are exact to 64 bits, signed and unsigned; -0 is the integer 0, as in JSON::XS")
    func integerBoundaries() throws {
        let cases: [(String, PerlValue)] = [
            ("0", .integer(0)), ("-0", .integer(0)), ("1", .integer(1)), ("-1", .integer(-1)),
            ("2147483647", .integer(2_147_483_647)), ("-2147483648", .integer(-2_147_483_648)),
            ("4294967295", .integer(4_294_967_295)), ("9007199254740993", .integer(9_007_199_254_740_993)),
            ("1234567890123456789", .integer(1_234_567_890_123_456_789)),
            ("9223372036854775807", .integer(.max)), ("-9223372036854775808", .integer(.min)),
            ("9223372036854775808", .unsigned(1 << 63)), ("18446744073709551615", .unsigned(.max)),
            ("10000000000000000000", .unsigned(10_000_000_000_000_000_000)),
        ]
        for (text, expected) in cases {
            #expect(try decode(text).isIdentical(to: expected), "\(text)")
        }
    }

    @Test("Integers beyond 64 bits are an error, or with the option their text")
    func integersOutOfRange() throws {
        var keep = JSONDecodingOptions()
        keep.outOfRangeNumbers = .keepAsString
        for text in [
            "18446744073709551616", "-9223372036854775809", "99999999999999999999", "-18446744073709551616",
            "100000000000000000000", String(repeating: "9", count: 400),
        ] {
            let error = decodingError("[\(text)]")
            #expect(error == JSONDecodingError(.numberOutOfRange, at: 1), "\(text)")
            #expect(try decode("[\(text)]", keep).isIdentical(to: .array([.string(text)])), "\(text)")
        }
    }

    @Test("Fractions and exponents are doubles, correctly rounded; integral ones stay doubles")
    func doubles() throws {
        let cases: [(String, Double)] = [
            ("1.0", 1), ("-0.0", -0.0), ("0.0", 0), ("0e0", 0), ("1e2", 100), ("1E+2", 100), ("1e-2", 0.01),
            ("0.1", 0.1), ("1.5", 1.5), ("3.141592653589793", .pi), ("1.7976931348623157e308", .greatestFiniteMagnitude),
            ("-1.7976931348623157e308", -.greatestFiniteMagnitude), ("2.2250738585072014e-308", 0x1p-1022),
            ("2.225073858507201e-308", Double(bitPattern: 0x000F_FFFF_FFFF_FFFF)), ("5e-324", .leastNonzeroMagnitude),
            ("4.9406564584124654e-324", .leastNonzeroMagnitude), ("2.4703282292062328e-324", .leastNonzeroMagnitude),
            // Below half the least subnormal: rounds to zero, which is not out of range.
            ("2.4703282292062327e-324", 0), ("1e-400", 0), ("-1e-400", -0.0),
            ("9007199254740993.0", 9_007_199_254_740_992), ("123456789012345678901234567890.0", 1.2345678901234568e29),
            ("0.000000000000000000000000000001", 1e-30), ("1e22", 1e22), ("1e23", 1e23),
        ]
        for (text, expected) in cases {
            let value = try decode(text)
            guard case .double(let number) = value else {
                Issue.record("\(text) decoded as \(value)")
                continue
            }
            #expect(number.bitPattern == expected.bitPattern, "\(text): \(number), expected \(expected)")
        }
    }

    @Test("Doubles beyond the largest finite one are an error, or with the option their text")
    func doublesOutOfRange() throws {
        var keep = JSONDecodingOptions()
        keep.outOfRangeNumbers = .keepAsString
        for text in ["1e400", "-1e400", "1.7976931348623159e308", "1e99999999999999999999999", "123e1000000"] {
            #expect(decodingError(" \(text)") == JSONDecodingError(.numberOutOfRange, at: 1), "\(text)")
            #expect(try decode(text, keep).isIdentical(to: .string(text)), "\(text)")
        }
        // The largest double's upper rounding boundary rounds down, just.
        #expect(try decode("1.7976931348623158e308").isIdentical(to: .double(.greatestFiniteMagnitude)))
    }

    @Test("Numbers outside RFC 8259's grammar are refused at the offending byte")
    func malformedNumbers() {
        let cases: [(String, JSONDecodingError.Kind, Int)] = [
            ("[01]", .invalidNumber, 2), ("[-01]", .invalidNumber, 3), ("[1.]", .invalidNumber, 3),
            ("[1.e5]", .invalidNumber, 3), ("[1e]", .invalidNumber, 3), ("[1e+]", .invalidNumber, 4),
            ("[0e+-1]", .invalidNumber, 4), ("[-]", .invalidNumber, 2), ("[-a]", .invalidNumber, 2),
            ("[.5]", .unexpectedByte(UInt8(ascii: "."), expected: .value), 1),
            ("[+1]", .unexpectedByte(UInt8(ascii: "+"), expected: .value), 1),
            ("[0x14]", .unexpectedByte(UInt8(ascii: "x"), expected: .commaOrEndOfArray), 2),
            ("[1 2]", .unexpectedByte(UInt8(ascii: "2"), expected: .commaOrEndOfArray), 3),
            ("[Infinity]", .unexpectedByte(UInt8(ascii: "I"), expected: .value), 1),
            ("[NaN]", .unexpectedByte(UInt8(ascii: "N"), expected: .value), 1),
            ("-", .truncated, 1), ("1.", .truncated, 2), ("1e", .truncated, 2), ("1e-", .truncated, 3),
        ]
        for (text, kind, offset) in cases {
            #expect(decodingError(text) == JSONDecodingError(kind, at: offset), "\(text)")
        }
    }

    @Test("Strings: every escape, surrogate pairs, and raw UTF-8 up to four bytes")
    func strings() throws {
        let cases: [(String, String)] = [
            (#""""#, ""), (#""plain""#, "plain"), (#""\"\\\/\b\f\n\r\t""#, "\"\\/\u{08}\u{0C}\n\r\t"),
            (#""\u0000\u001f\u0041\u00e9\u20AC""#, "\u{00}\u{1F}A\u{E9}\u{20AC}"),
            (#""\ud83d\ude00 \uD834\uDD1E""#, "\u{1F600} \u{1D11E}"), (#""\udbff\udfff""#, "\u{10FFFF}"),
            ("\"caf\u{E9} \u{20AC} \u{1F600} \u{10FFFF}\"", "caf\u{E9} \u{20AC} \u{1F600} \u{10FFFF}"),
            ("\"\u{7F}\u{FEFF}\u{FFFF}\"", "\u{7F}\u{FEFF}\u{FFFF}"),  // DEL and noncharacters are characters
            (#""a\u00e9\n"# + String(repeating: "x", count: 100) + "\"", "a\u{E9}\n" + String(repeating: "x", count: 100)),
        ]
        for (json, expected) in cases {
            let value = try decode(json)
            #expect(value.isIdentical(to: .string(expected)), "\(json) decoded as \(value)")
        }
    }

    @Test("Strings: lone surrogates, bad escapes and raw control characters are refused")
    func badEscapes() {
        let cases: [(String, JSONDecodingError.Kind, Int)] = [
            (#"["\ud800"]"#, .loneSurrogate, 2), (#"["\udc00"]"#, .loneSurrogate, 2),
            (#"["\ud800x"]"#, .loneSurrogate, 2), (#"["\ud800\n"]"#, .loneSurrogate, 2),
            (#"["ab\ud800\ud800"]"#, .loneSurrogate, 4), (#"["\ud800\u0041"]"#, .loneSurrogate, 2),
            (#"["\udfff\ud800"]"#, .loneSurrogate, 2),
            (#"["\x15"]"#, .invalidEscape, 2), (#"["\017"]"#, .invalidEscape, 2), (#"["\u12G4"]"#, .invalidEscape, 2),
            (#"["\U0041"]"#, .invalidEscape, 2), (#"["tab\ character"]"#, .invalidEscape, 5),
            ("[\"a\tb\"]", .unescapedControlCharacter(0x09), 3), ("[\"line\nbreak\"]", .unescapedControlCharacter(0x0A), 6),
            ("[\"\u{00}\"]", .unescapedControlCharacter(0x00), 2), ("[\"\u{1F}\"]", .unescapedControlCharacter(0x1F), 2),
            ("['single']", .unexpectedByte(UInt8(ascii: "'"), expected: .value), 1),
            (#"["\u00"#, .truncated, 6), (#"["\"#, .truncated, 3), (#"["\ud800"#, .truncated, 8),
            (#"["\ud800\"#, .truncated, 9), (#"["abc"#, .truncated, 5),
        ]
        for (text, kind, offset) in cases {
            #expect(decodingError(text) == JSONDecodingError(kind, at: offset), "\(text)")
        }
    }

    @Test("Strings: invalid UTF-8 is refused at its first byte, overlong forms and encoded surrogates included")
    func invalidUTF8() {
        let quote = UInt8(ascii: "\"")
        let cases: [[UInt8]] = [
            [0x80], [0xBF], [0xC0, 0x80], [0xC1, 0xBF], [0xE0, 0x80, 0x80], [0xE0, 0x9F, 0xBF],
            [0xF0, 0x80, 0x80, 0x80], [0xF0, 0x8F, 0xBF, 0xBF],  // overlong forms
            [0xED, 0xA0, 0x80], [0xED, 0xBF, 0xBF],  // UTF-16 surrogates, encoded
            [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80], [0xFE], [0xFF],  // beyond U+10FFFF
            [0xC3], [0xE2, 0x82], [0xF0, 0x9F, 0x98], [0xC3, 0x41], [0xE2, 0x28, 0xA1],  // truncated sequences
        ]
        for bad in cases {
            // After some valid text, and next to an escape: the offset is the bad byte's.
            let plain = [quote] + Array("ok \u{E9} ".utf8) + bad + [quote]
            #expect(decodingError(plain) == JSONDecodingError(.invalidUTF8, at: 7), "\(bad)")
            let escaped = [quote] + Array(#"\n"#.utf8) + bad + Array(#"\u0041"#.utf8) + [quote]
            #expect(decodingError(escaped) == JSONDecodingError(.invalidUTF8, at: 3), "\(bad), escaped")
            // In a key too.
            let key = Array(#"{"#.utf8) + plain + Array(#":1}"#.utf8)
            #expect(decodingError(key)?.kind == .invalidUTF8, "\(bad) in a key")
        }
    }

    @Test("Structure errors name the byte and what was expected")
    func structureErrors() {
        let cases: [(String, JSONDecodingError.Kind, Int)] = [
            ("", .truncated, 0), ("   ", .truncated, 3), ("[", .truncated, 1), ("[1,", .truncated, 3),
            (#"{"a""#, .truncated, 4), (#"{"a":"#, .truncated, 5), (#"{"a":1"#, .truncated, 6), ("tru", .truncated, 3),
            ("[1,]", .unexpectedByte(UInt8(ascii: "]"), expected: .value), 3),
            ("[,1]", .unexpectedByte(UInt8(ascii: ","), expected: .value), 1),
            (#"{"a":1,}"#, .unexpectedByte(UInt8(ascii: "}"), expected: .key), 7),
            ("{a:1}", .unexpectedByte(UInt8(ascii: "a"), expected: .key), 1),
            (#"{"a" 1}"#, .unexpectedByte(UInt8(ascii: "1"), expected: .colon), 5),
            (#"{"a"::1}"#, .unexpectedByte(UInt8(ascii: ":"), expected: .value), 5),
            (#"{"a",1}"#, .unexpectedByte(UInt8(ascii: ","), expected: .colon), 4),
            (#"["a":1]"#, .unexpectedByte(UInt8(ascii: ":"), expected: .commaOrEndOfArray), 4),
            (#"["a"}"#, .unexpectedByte(UInt8(ascii: "}"), expected: .commaOrEndOfArray), 4),
            (#"{"a":1]"#, .unexpectedByte(UInt8(ascii: "]"), expected: .commaOrEndOfObject), 6),
            ("[truth]", .unexpectedByte(UInt8(ascii: "t"), expected: .literal), 4),
            ("[nul]", .unexpectedByte(UInt8(ascii: "]"), expected: .literal), 4),
            ("[\u{0C}1]", .unexpectedByte(0x0C, expected: .value), 1),  // form feed is not whitespace
            ("\u{FEFF}[]", .unexpectedByte(0xEF, expected: .value), 0),  // nor is a byte order mark
            ("[1]]", .trailingBytes(count: 1), 3), ("[1] x", .trailingBytes(count: 1), 4),
            (#"{"a":true} "b""#, .trailingBytes(count: 3), 11), ("1 2", .trailingBytes(count: 1), 2),
            ("[1]\u{00}", .trailingBytes(count: 1), 3),
        ]
        for (text, kind, offset) in cases {
            #expect(decodingError(text) == JSONDecodingError(kind, at: offset), "\(text)")
        }
    }

    @Test("Duplicate keys: last wins at the first key's place (JSON::XS), first wins, or refused")
    func duplicateKeys() throws {
        let text = #"{"a": 1, "b": 2, "a": 3, "a": 4}"#
        let lastWins = try decode(text)
        #expect(lastWins.isIdentical(to: ["a": 4, "b": 2]), "\(lastWins)")
        #expect(try #require(lastWins.hashContents).keys == ["a", "b"])

        var options = JSONDecodingOptions()
        options.duplicateKeys = .firstWins
        #expect(try decode(text, options).isIdentical(to: ["a": 1, "b": 2]))

        options.duplicateKeys = .reject
        #expect(decodingError(text, options) == JSONDecodingError(.duplicateKey("a"), at: 17))
        // Keys are compared as characters, after unescaping; nested objects have their own keys.
        #expect(decodingError(#"[{"\u00e9": 1, "é": 2}]"#, options) == JSONDecodingError(.duplicateKey("é"), at: 15))
        #expect(try decode(#"{"a": {"a": 1}, "b": {"a": 2}}"#, options).isIdentical(to: ["a": ["a": 1], "b": ["a": 2]]))
        // Past the point where a hash indexes its keys.
        let many = (0..<40).map { "\"k\($0)\": \($0)" }.joined(separator: ", ")
        #expect(decodingError("{\(many), \"k17\": 0}", options)?.kind == .duplicateKey("k17"))
        let repeated = try #require(try decode("{\(many), \"k17\": -1}").hashContents)
        #expect(repeated.count == 40 && repeated["k17"] == -1 && repeated.keys[17] == "k17")
        options.duplicateKeys = .firstWins
        #expect(try #require(try decode("{\(many), \"k17\": -1}", options).hashContents)["k17"] == 17)
    }

    @Test("Objects made in one step find every key, below and past the index threshold")
    func objectLookups() throws {
        for count in [1, 2, PerlHash.indexThreshold, PerlHash.indexThreshold + 1, 40, 1_000] {
            let members = (0..<count).map { "\"key \($0)\": \($0)" }.joined(separator: ", ")
            let hash = try #require(try decode("{\(members)}").hashContents)
            #expect(hash.count == count)
            for index in 0..<count {
                #expect(hash["key \(index)"] == .integer(Int64(index)), "key \(index) of \(count)")
            }
            #expect(hash["key \(count)"] == nil)
            var grown = hash
            grown["key \(count)"] = 0
            #expect(grown.count == count + 1 && grown["key \(count)"] == 0 && grown["key 0"] == 0)
        }
    }

    @Test("Depth: the limit is exact, and 100,000 levels fail fast without recursion")
    func depthLimit() throws {
        for limit in [1, 2, 20, 512] {
            var options = JSONDecodingOptions()
            options.maximumDepth = limit
            let atLimit = String(repeating: "[", count: limit) + String(repeating: "]", count: limit)
            _ = try decode(atLimit, options)
            let objects = String(repeating: #"{"a":"#, count: limit) + "1" + String(repeating: "}", count: limit)
            _ = try decode(objects, options)
            let past = "[" + atLimit + "]"
            #expect(decodingError(past, options) == JSONDecodingError(.depthLimitExceeded(limit: limit), at: limit))
        }
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(decodingError(deep) == JSONDecodingError(.depthLimitExceeded(limit: 512), at: 512))
        // Raised, the parser itself has no depth bound; a deep value is freed iteratively
        // by nobody but Swift, so the test keeps it inside a small limit of its own.
        var options = JSONDecodingOptions()
        options.maximumDepth = 100_000
        let unclosed = String(repeating: "[", count: 100_000)
        #expect(decodingError(unclosed, options) == JSONDecodingError(.truncated, at: 100_000))
    }

    @Test("Limits: string length, container count, total count and input length, at and past each")
    func limits() throws {
        var options = JSONDecodingOptions()
        options.maximumStringLength = 4
        _ = try decode(#"["abcd", "\u00e9\u00e9", "\n\n\n\n"]"#, options)
        #expect(decodingError(#"["abcde"]"#, options) == JSONDecodingError(.stringLimitExceeded(limit: 4), at: 1))
        #expect(decodingError(#"["éé\n"]"#, options) == JSONDecodingError(.stringLimitExceeded(limit: 4), at: 1))
        #expect(decodingError(#"{"abcde": 1}"#, options) == JSONDecodingError(.stringLimitExceeded(limit: 4), at: 1))

        options = JSONDecodingOptions()
        options.maximumContainerCount = 3
        _ = try decode(#"[[1, 2, 3], {"a": 1, "b": 2, "c": 3}]"#, options)
        #expect(decodingError("[1, 2, 3, 4]", options) == JSONDecodingError(.containerLimitExceeded(limit: 3), at: 8))
        #expect(
            decodingError(#"{"a":1,"b":2,"c":3,"d":4}"#, options)
                == JSONDecodingError(.containerLimitExceeded(limit: 3), at: 18))
        options.maximumContainerCount = 0
        _ = try decode("[[], {}]", JSONDecodingOptions())
        #expect(decodingError("[[]]", options) == JSONDecodingError(.containerLimitExceeded(limit: 0), at: 1))

        options = JSONDecodingOptions()
        options.maximumTotalCount = 5  // [ 1 [ 2 ] 3 ] counts 5 values; keys do not count
        _ = try decode("[1, [2], 3]", options)
        _ = try decode(#"{"a": 1, "b": {"c": 2}, "d": 3}"#, options)
        #expect(decodingError("[1, [2], 3, 4]", options) == JSONDecodingError(.totalLimitExceeded(limit: 5), at: 12))

        options = JSONDecodingOptions()
        options.maximumInputLength = 8
        _ = try decode("[1,2,34]", options)
        #expect(decodingError("[1,2,345]", options) == JSONDecodingError(.inputLimitExceeded(length: 9, limit: 8), at: 8))
    }

    @Test("Any collection of bytes decodes: arrays, slices, and non-contiguous sequences")
    func inputForms() throws {
        let bytes = Array(#"  {"k": [1, "v"]}  "#.utf8)
        let expected: PerlValue = ["k": [1, "v"]]
        #expect(try PerlJSONDecoder().decode(bytes).isIdentical(to: expected))
        #expect(try PerlJSONDecoder().decode(bytes[2...]).isIdentical(to: expected))
        #expect(try PerlJSONDecoder().decode(bytes.lazy.map { $0 }).isIdentical(to: expected))  // not contiguous
        #expect(decodingError([UInt8]()) == JSONDecodingError(.truncated, at: 0))
    }
}

@Suite("JSON: encoding")
struct JSONEncodingTests {
    @Test("Each PerlValue maps to its JSON, compactly, keys in the hash's order")
    func mapping() throws {
        let value: PerlValue = [
            "z": [1, -2, .unsigned(.max), 2.5, nil, .hole, true, false], "a": "text", "b": .bytes([0x63, 0x61, 0x66, 0xE9]),
            "v": .vstring(literal: "v1.2", value: .string("\u{1}\u{2}")), "w": .weak(["x": 1]),
        ]
        #expect(
            try encode(value)
                == #"{"z":[1,-2,18446744073709551615,2.5,null,null,true,false],"a":"text","b":"café","v":"\u0001\u0002","w":{"x":1}}"#
        )
    }

    @Test("Integers at every boundary are written exactly")
    func integers() throws {
        for number in [0, 1, -1, 9, 10, 99, 100, Int64.max, Int64.min, Int64.max - 1, Int64.min + 1, 1 << 53, -(1 << 53)] {
            #expect(try encode(.integer(number)) == String(number))
        }
        for number in [UInt64.max, 1 << 63, 10_000_000_000_000_000_000] {
            #expect(try encode(.unsigned(number)) == String(number))
        }
        // Every digit count, at both ends, and powers of two (where the count is estimated).
        var power: UInt64 = 1
        for _ in 0..<20 {
            for number in [power - 1, power, power + 1] {
                #expect(try encode(.unsigned(number)) == String(number))
            }
            power = power &* 10
        }
        for shift in 0..<64 {
            for number in [UInt64(1) << shift, (UInt64(1) << shift) - 1] {
                #expect(try encode([.unsigned(number)]) == "[\(number)]")
            }
        }
    }

    @Test("Doubles: shortest text, always with a fraction or exponent, no + in exponents")
    func doubleLayout() throws {
        let cases: [(Double, String)] = [
            (0, "0.0"), (-0.0, "-0.0"), (1, "1.0"), (-1, "-1.0"), (1.5, "1.5"), (0.1, "0.1"), (100, "100.0"),
            (1e20, "100000000000000000000.0"), (1e21, "1e21"), (1.5e21, "1.5e21"), (1.2345678901234568e20, "123456789012345680000.0"),
            (1e-6, "0.000001"), (1.5e-6, "0.0000015"), (1e-7, "1e-7"), (1.25e-7, "1.25e-7"), (1.2345, "1.2345"),
            (-1.2345, "-1.2345"), (.pi, "3.141592653589793"), (1.0 / 3, "0.3333333333333333"), (0.1 + 0.2, "0.30000000000000004"),
            (.leastNonzeroMagnitude, "5e-324"), (0x1p-1022, "2.2250738585072014e-308"),
            (Double(bitPattern: 0x000F_FFFF_FFFF_FFFF), "2.225073858507201e-308"),
            (.greatestFiniteMagnitude, "1.7976931348623157e308"), (-.greatestFiniteMagnitude, "-1.7976931348623157e308"),
            (9_007_199_254_740_992, "9007199254740992.0"), (1e16, "10000000000000000.0"), (0.001, "0.001"),
            (1e300, "1e300"), (123e-20, "1.23e-18"),
        ]
        for (number, text) in cases {
            #expect(try encode(.double(number)) == text, "\(number)")
        }
    }

    @Test("Non-finite doubles are an error: JSON numbers are finite")
    func nonFinite() {
        for number in [Double.nan, .infinity, -.infinity] {
            #expect(encodingError([.double(number)])?.kind.identifier == "non_finite_number")
        }
    }

    @Test("Strings are escaped as JSON::XS escapes them; byte strings are Latin-1")
    func stringEscapes() throws {
        let text = "\"\\/\u{08}\u{09}\u{0A}\u{0C}\u{0D}\u{00}\u{1F}\u{7F} é€😀"
        #expect(try encode(.string(text)) == #""\"\\/\b\t\n\f\r\u0000\u001f"# + "\u{7F} é€😀\"")
        var ascii = JSONEncodingOptions()
        ascii.escapesNonASCII = true
        #expect(try encode(.string(text), ascii) == #""\"\\/\b\t\n\f\r\u0000\u001f"# + "\u{7F}" + #" \u00e9\u20ac\ud83d\ude00""#)
        let bytes: PerlValue = .bytes([0x22, 0x00, 0x41, 0x7F, 0x80, 0xE9, 0xFF])
        #expect(try encode(bytes) == #""\"\u0000A"# + "\u{7F}\u{80}\u{E9}\u{FF}\"")
        #expect(try encode(bytes, ascii) == #""\"\u0000A"# + "\u{7F}" + #"\u0080\u00e9\u00ff""#)
        // Every length up to two blocks of sixteen, a word and a tail, with a special at
        // every position: each of the writer's paths (short strings as two words, runs
        // sixteen and eight bytes at a time, the tail) meets one everywhere.
        for length in 1...43 {
            for position in 0..<length {
                var characters = Array(repeating: Character("x"), count: length)
                characters[position] = "\n"
                let expected = "\"" + String(characters).replacingNewlines() + "\""
                #expect(try encode(.string(String(characters))) == expected)
            }
        }
    }

    @Test("Every character from U+0000 to U+00FF, alone and inside text, as a string and as a byte string")
    func everyLatin1Character() throws {
        var ascii = JSONEncodingOptions()
        ascii.escapesNonASCII = true
        let shortEscapes: [UInt8: String] = [0x08: #"\b"#, 0x09: #"\t"#, 0x0A: #"\n"#, 0x0C: #"\f"#, 0x0D: #"\r"#, 0x22: #"\""#, 0x5C: #"\\"#]
        for byte in UInt8.min...UInt8.max {
            let character = String(Unicode.Scalar(byte))
            let hexEscape = #"\u00"# + (byte < 0x10 ? "0" : "") + String(byte, radix: 16)
            let plain = shortEscapes[byte] ?? (byte < 0x20 ? hexEscape : character)
            let escaped = byte >= 0x80 ? hexEscape : plain
            for (prefix, suffix) in [("", ""), ("abcd", "efgh"), ("abcdefghijk", "lmnopqrstu")] {
                let expected = "\"" + prefix + plain + suffix + "\""
                let expectedASCII = "\"" + prefix + escaped + suffix + "\""
                #expect(try encode(.string(prefix + character + suffix)) == expected, "U+\(String(byte, radix: 16))")
                #expect(try encode(.string(prefix + character + suffix), ascii) == expectedASCII, "U+\(String(byte, radix: 16))")
                let bytes = Array(prefix.utf8) + [byte] + Array(suffix.utf8)
                #expect(try encode(.bytes(bytes)) == expected, "byte \(byte)")
                #expect(try encode(.bytes(bytes), ascii) == expectedASCII, "byte \(byte)")
            }
        }
    }

    @Test("Keys: byte keys as Latin-1, escaped like strings; canonical order is code point order")
    func canonicalOrder() throws {
        var hash = PerlHash()
        for key: PerlHash.Key in ["b", "a", "é", .bytes([0xE8]), "€", "😀", "aa", "", "B", .bytes([0x61, 0x62]), "\u{FFFF}", "\n"] {
            hash[key] = .integer(1)
        }
        var options = JSONEncodingOptions()
        options.canonical = true
        let keys = try #require(try PerlJSONDecoder().decode(Array(try encode(.hash(hash), options).utf8)).hashContents).keys
        #expect(keys.map(\.description) == ["", "\n", "B", "a", "aa", "ab", "b", "è", "é", "€", "\u{FFFF}", "😀"])
        #expect(try encode(.hash(hash)).hasPrefix(#"{"b":1,"a":1,"é":1,"è":1"#))
    }

    @Test("Repeated keys are written as the first time, whether their storage is shared or not, in every option")
    func repeatedKeys() throws {
        // Keys of every length up to two blocks and a word, with a character to escape
        // (or, with `ascii`, to write as \u) at every position, and plain ones.
        var keys: [String] = ["", "a", "id", "created_at", "profile_image_url_https"]
        for length in 1...40 {
            for position in 0..<length {
                for special in ["\n", "\"", "\\", "\u{1}", "é", "😀"] {
                    var characters = Array(repeating: "k", count: length)
                    characters[position] = special
                    keys.append(characters.joined())
                }
            }
        }
        // Code point order, so that canonical output is the same document.
        keys.sort { $0.unicodeScalars.map(\.value).lexicographicallyPrecedes($1.unicodeScalars.map(\.value)) }
        // Each key in three hashes, with a different neighbour in each: a key is met again
        // in hashes of other keys, after other keys were written.
        var hashes: [[String]] = []
        for round in 0..<3 {
            for index in keys.indices {
                hashes.append(index + round + 1 < keys.count ? [keys[index], keys[index + round + 1]] : [keys[index]])
            }
        }
        let value = PerlValue.array(
            hashes.map { keys in
                var hash = PerlHash()
                for key in keys { hash[.string(key)] = 1 }
                return .hash(hash)
            })
        for (pretty, ascii) in [(false, false), (true, false), (false, true), (true, true)] {
            var options = JSONEncodingOptions()
            options.pretty = pretty
            options.escapesNonASCII = ascii
            var canonical = options
            canonical.canonical = true
            let expected: String
            if pretty {
                expected = try encode(value, canonical)
            } else {
                // Each key written as a string value is, which no cache of keys touches.
                let hashTexts = try hashes.map { keys in
                    try "{" + keys.map { try encode(.string($0), options) + ":1" }.joined(separator: ",") + "}"
                }
                expected = "[" + hashTexts.joined(separator: ",") + "]"
                #expect(try encode(value, canonical) == expected)
            }
            #expect(try encode(value, options) == expected)
            // Decoded, every repeat of a key shares the first one's storage.
            #expect(try encode(decode(expected), options) == expected)
        }
    }

    @Test("Repeated byte keys are written as the first time, beside equal character keys")
    func repeatedByteKeys() throws {
        let cafe: [UInt8] = [0x63, 0x61, 0x66, 0xE9]
        let long = Array("a long byte key past sixteen bytes\u{8}".utf8)
        // A byte key and a character key of the same characters are one key in a hash.
        let value: PerlValue = [
            ["caf\u{E9}": 1], [.bytes(cafe): 2], [.bytes(cafe): 3], ["caf\u{E9}": 4],
            [.bytes([0x22, 0x80]): 5, .bytes(long): 6], [.bytes(long): 7, .bytes([0x22, 0x80]): 8],
        ]
        #expect(
            try encode(value)
                == #"[{"café":1},{"café":2},{"café":3},{"café":4},{"\""# + "\u{80}" + #"":5,"a long byte key past sixteen bytes\b":6},"#
                + #"{"a long byte key past sixteen bytes\b":7,"\""# + "\u{80}" + #"":8}]"#)
        var ascii = JSONEncodingOptions()
        ascii.escapesNonASCII = true
        #expect(
            try encode(value, ascii)
                == #"[{"caf\u00e9":1},{"caf\u00e9":2},{"caf\u00e9":3},{"caf\u00e9":4},{"\"\u0080":5,"#
                + #""a long byte key past sixteen bytes\b":6},{"a long byte key past sixteen bytes\b":7,"\"\u0080":8}]"#)
    }

    @Test("More distinct keys than the writer keeps, many alike but for their last characters, each written again")
    func manyDistinctKeys() throws {
        // Numbers as keys (citm_catalog's ids) differ only in their last characters.
        let keys = (0..<6000).map { String(205_700_000 + $0 * 7) } + (0..<200).map { "a key longer than fifteen bytes \($0)" }
        let value = PerlValue.array(
            (0..<3).map { round in
                var hash = PerlHash()
                for key in keys.sorted() { hash[.string(key)] = .integer(Int64(round)) }
                return .hash(hash)
            })
        var canonical = JSONEncodingOptions()
        canonical.canonical = true
        let expected = try encode(value, canonical)
        #expect(try encode(value) == expected)
        #expect(try encode(decode(expected)) == expected)
    }

    @Test("Canonical order: hashes of keys met before, in the same order or another, sort as the first did")
    func repeatedCanonicalHashes() throws {
        let keys = (0..<40).map { "key \($0 * 37 % 40)" } + ["é", "\n", "Z", "a long key past fifteen bytes", "k"]
        // Every length (past the sixteen keys sorted by insertion), each in two orders,
        // and more hashes of other keys than the writer keeps orders of.
        var shapes: [[String]] = []
        for count in 1...keys.count {
            shapes.append(Array(keys.prefix(count)))
            shapes.append(Array(keys.prefix(count).reversed()))
        }
        for index in 0..<200 { shapes.append(["k\(index)", "j\(index)", "k"]) }
        let hashes = shapes + shapes + shapes.reversed()
        let value = PerlValue.array(
            hashes.map { keys in
                var hash = PerlHash()
                for (position, key) in keys.enumerated() { hash[.string(key)] = .integer(Int64(position)) }
                return .hash(hash)
            })
        // Each key written as a string value is, with its position in its hash.
        let hashTexts = try hashes.map { keys in
            let sorted = keys.enumerated().sorted {
                $0.element.unicodeScalars.map(\.value).lexicographicallyPrecedes($1.element.unicodeScalars.map(\.value))
            }
            return try "{" + sorted.map { try encode(.string($0.element)) + ":\($0.offset)" }.joined(separator: ",") + "}"
        }
        let expected = "[" + hashTexts.joined(separator: ",") + "]"
        var canonical = JSONEncodingOptions()
        canonical.canonical = true
        #expect(try encode(value, canonical) == expected)
        // Decoded, every repeat of a key shares the first one's storage.
        #expect(try encode(decode(try encode(value)), canonical) == expected)
    }

    @Test("Pretty output is JSON::XS's pretty layout: three spaces, \" : \", a final newline")
    func pretty() throws {
        var options = JSONEncodingOptions()
        options.pretty = true
        options.canonical = true
        // "e" holds arrays of scalars only, which the writer writes without a frame.
        let value: PerlValue = ["c": [:], "d": [], "a": [1, ["b": 2]], "e": [[1.5, "x"], [nil]]]
        #expect(
            try encode(value, options) == """
                {
                   "a" : [
                      1,
                      {
                         "b" : 2
                      }
                   ],
                   "c" : {},
                   "d" : [],
                   "e" : [
                      [
                         1.5,
                         "x"
                      ],
                      [
                         null
                      ]
                   ]
                }

                """)
        #expect(try encode(1, options) == "1\n")
        #expect(try encode([], options) == "[]\n")
    }

    @Test("Booleans Perl's way: \\1 and \\0, and JSON::PP::Boolean objects, are true and false")
    func perlBooleans() throws {
        let value: PerlValue = [
            .scalarReference(1), .scalarReference(0), .scalarReference("1"), .scalarReference(.bytes([0x30])),
            .blessed(class: "JSON::PP::Boolean", .scalarReference(1)), .blessed(class: "JSON::PP::Boolean", .scalarReference(0)),
            .anchored(1, .blessed(class: "JSON::PP::Boolean", .scalarReference(1))), .alias(1), .alias(1),
        ]
        #expect(try encode(value) == "[true,false,true,false,true,false,true,true,true]")
        #expect(encodingError([.scalarReference(2)])?.kind.identifier == "unrepresentable")
        #expect(encodingError([.scalarReference("true")])?.kind.identifier == "unrepresentable")
        #expect(encodingError([.scalarReference(.array([]))])?.kind.identifier == "unrepresentable")
    }

    @Test("Blessed values are refused, or written as null, or as their referent")
    func blessedValues() throws {
        let value: PerlValue = ["object": .blessed(class: "My::Class", ["x": 1])]
        #expect(encodingError(value)?.kind == .blessedValue(className: "My::Class"))
        var options = JSONEncodingOptions()
        options.blessedValues = .null
        #expect(try encode(value, options) == #"{"object":null}"#)
        options.blessedValues = .unblessed
        #expect(try encode(value, options) == #"{"object":{"x":1}}"#)
    }

    @Test("Code, regexps, hooked objects are refused, as JSON::XS refuses them")
    func unrepresentable() {
        for value: PerlValue in [
            .code("{ 1 }"), .blessed(class: "Regexp", .regexp(pattern: "a+", flags: "i")),
            .hooked(PerlHookedObject(className: "Foo", kind: .hash, serialized: [1])),
        ] {
            var options = JSONEncodingOptions()
            options.blessedValues = .unblessed
            #expect(encodingError(["x": value], options)?.kind.identifier == "unrepresentable", "\(value)")
        }
    }

    @Test("Shared referents are written out at every alias; cycles and undefined anchors are errors")
    func sharing() throws {
        let shared: PerlValue = .array([.anchored(1, ["n": 1]), .alias(1), ["inner": .weak(.alias(1))]])
        #expect(try encode(shared) == #"[{"n":1},{"n":1},{"inner":{"n":1}}]"#)
        // An alias may come before its anchor in a hand-built value.
        #expect(try encode([.alias(2), .anchored(2, [7])]) == "[[7],[7]]")
        let cycle: PerlValue = .anchored(1, ["name": "root", "self": .weak(.alias(1))])
        #expect(encodingError(cycle)?.kind == .cycle(1))
        let indirect: PerlValue = .anchored(1, [["up": .alias(2)], .anchored(2, ["down": .alias(1)])])
        #expect(encodingError(indirect)?.kind == .cycle(1))
        #expect(encodingError([.alias(9)])?.kind == .undefinedAnchor(9))
    }

    @Test("Alias expansion is bounded: 2^n copies from n levels of sharing stop at the limit")
    func aliasExpansionLimit() throws {
        // Level k is an array holding level k-1 twice: 2^k leaves.
        var level: PerlValue = .anchored(1, [1])
        for depth in 2...40 {
            level = .anchored(PerlAnchor(depth), [level, .alias(PerlAnchor(depth - 1))])
        }
        #expect(encodingError(level)?.kind == .aliasExpansionLimitExceeded(limit: 1 << 20))
        var options = JSONEncodingOptions()
        options.maximumAliasExpansion = 10
        #expect(try encode([.anchored(1, [1, 2]), .alias(1), .alias(1)], options) == "[[1,2],[1,2],[1,2]]")  // 2 × 3 values
        #expect(encodingError([.anchored(1, [1, 2, 3, 4]), .alias(1), .alias(1), .alias(1)], options)?.kind
            == .aliasExpansionLimitExceeded(limit: 10))
    }

    @Test("Depth: the limit is exact")
    func depthLimit() throws {
        for limit in [1, 3, 512] {
            var options = JSONEncodingOptions()
            options.maximumDepth = limit
            var value: PerlValue = []
            for _ in 1..<limit { value = [value] }
            #expect(try encode(value, options) == String(repeating: "[", count: limit) + String(repeating: "]", count: limit))
            #expect(encodingError([value], options)?.kind == .depthLimitExceeded(limit: limit))
            #expect(encodingError(["k": value], options)?.kind == .depthLimitExceeded(limit: limit))
        }
    }

    @Test("Decoding then encoding gives the document back, in its own key order")
    func roundTrip() throws {
        let text = #"{"z":1,"a":[true,false,null,-0.0,1.5e-7,"é\n"],"m":{"y":{},"x":[]},"n":-9223372036854775808}"#
        #expect(try encode(decode(text)) == text)
    }
}

@Suite("JSON: Codable")
struct JSONCodableTests {
    struct Job: Codable, Equatable {
        var id: Int
        var name: String
        var weight: Double
        var tags: [String]
        var blob: [UInt8]
        var parent: Int?
        var limits: [String: UInt64]
    }

    @Test("A Codable type goes to JSON and back; keys in declaration order")
    func roundTrip() throws {
        let job = Job(
            id: -7, name: "publish é", weight: 0.1, tags: ["a", "b"], blob: [0, 0xFF, 0x22], parent: nil,
            limits: ["max": .max])
        let bytes = try PerlJSONEncoder().encode(job)
        #expect(
            String(decoding: bytes, as: UTF8.self)
                == #"{"id":-7,"name":"publish é","weight":0.1,"tags":["a","b"],"blob":"\u0000ÿ\"","limits":{"max":18446744073709551615}}"#
        )
        #expect(try PerlJSONDecoder().decode(Job.self, from: bytes) == job)
    }

    @Test("Plain values are whole documents")
    func scalars() throws {
        #expect(try PerlJSONEncoder().encode(42 as Int) == Array("42".utf8))
        #expect(try PerlJSONEncoder().encode("x" as String) == Array(#""x""#.utf8))
        #expect(try PerlJSONEncoder().encode(nil as Int?) == Array("null".utf8))
        #expect(try PerlJSONDecoder().decode(Int?.self, from: Array("null".utf8)) == nil)
        #expect(try PerlJSONDecoder().decode([Double].self, from: Array("[1, 2.5, 1e2]".utf8)) == [1, 2.5, 100])
    }

    @Test("Errors keep their types: JSON syntax, bridge mismatch, non-finite numbers")
    func errors() {
        #expect(throws: JSONDecodingError.self) { try PerlJSONDecoder().decode([Int].self, from: Array("[1,".utf8)) }
        #expect(throws: PerlValueDecodingError.self) { try PerlJSONDecoder().decode([Int].self, from: Array(#"["x"]"#.utf8)) }
        #expect(throws: JSONEncodingError.self) { try PerlJSONEncoder().encode([Double.nan]) }
    }
}

extension String {
    /// This text with each newline written as JSON's `\n`.
    fileprivate func replacingNewlines() -> String {
        split(separator: "\n", omittingEmptySubsequences: false).joined(separator: #"\n"#)
    }
}
