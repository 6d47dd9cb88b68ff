import RefWire
import RefWireTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Plain numerals against the definition the decoder follows (`Spec/yaml.md`): a plain
/// scalar is a number exactly when Perl prints that number as it is written. The
/// reference computes that the slow, obvious way: `Int64`/`UInt64` of the text for
/// integer numerals, and for the rest the C library's `strtod`, printed back with
/// Perl's `%.15g`. The decoder reads numerals from the bytes instead; it must agree on
/// every text, to the bit.
@Suite("YAML: numbers")
struct YAMLNumberTests {
    /// Perl's text for a double, as `Double.perlText(lossless: false)` writes it.
    static func perlText(_ number: Double) -> String {
        if number.isNaN { return "NaN" }
        if number.isInfinite { return number < 0 ? "-Inf" : "Inf" }
        if number == 0 { return "0" }
        return format("%.15g", number)
    }

    static func format(_ format: String, _ number: Double) -> String {
        var buffer = [CChar](repeating: 0, count: 64)
        let count = withVaList([number]) { vsnprintf(&buffer, buffer.count, format, $0) }
        return String(decoding: buffer.prefix(Int(count)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// What a plain scalar written `text` is, by definition.
    static func reference(_ text: String) -> PerlValue {
        let bytes = Array(text.utf8)
        guard let first = bytes.first, bytes.count <= 32,
            first == UInt8(ascii: "-") || (0x30...0x39).contains(first) || first == UInt8(ascii: "I")
                || first == UInt8(ascii: "N")
        else { return .string(text) }
        let digits = first == UInt8(ascii: "-") ? bytes.dropFirst() : bytes[...]
        if !digits.isEmpty, digits.allSatisfy({ (0x30...0x39).contains($0) }) {
            guard digits.first != UInt8(ascii: "0") || digits.count == 1, text != "-0" else { return .string(text) }
            if let signed = Int64(text) { return .integer(signed) }
            return UInt64(text).map(PerlValue.unsigned) ?? .string(text)
        }
        if let number = Double(text), perlText(number) == text { return .double(number) }
        return .string(text)
    }

    /// Numerals of every shape: doubles of every binary exponent and of short decimals,
    /// printed as Perl prints them and with more digits; then each changed in the ways
    /// that make a numeral not Perl's (a trailing zero, an exponent without its sign or
    /// its second digit, a capital `E`, a leading zero, no digit before the point).
    static func numerals(count: Int) -> [String] {
        var random = SeededRandom(seed: 0x5941_4D4C)
        var texts: [String] = []
        for _ in 0..<count {
            var number = Double(bitPattern: random.next())
            if !number.isFinite || random.next(upperBound: 2) == 0 {
                // A short decimal near 1, where fixed and exponent notation meet.
                let digits = Double(random.next(upperBound: 1_000_000_000)) + 1
                number = digits * pow(10, Double(random.next(upperBound: 30) - 20))
                if random.next(upperBound: 2) == 0 { number = -number }
            }
            let precision = [15, 15, 15, 16, 17, 6, 1][random.next(upperBound: 7)]
            let text = format("%.\(precision)g", number)
            texts.append(text)
            switch random.next(upperBound: 8) {
            case 0: texts.append(text.contains(".") ? text + "0" : text + ".0")
            case 1: texts.append(text.replacingAll("e+", with: "e").replacingAll("e-", with: "e-0"))
            case 2: texts.append(text.replacingAll("e+0", with: "e+").replacingAll("e-0", with: "e-"))
            case 3: texts.append(text.replacingAll("e", with: "E"))
            case 4: texts.append(text.hasPrefix("-") ? "-0" + text.dropFirst() : "0" + text)
            case 5: texts.append(text.replacingAll("0.", with: "."))
            case 6: texts.append(text + "e+20")
            default: break
            }
        }
        return texts + [
            "1e+300", "1e+301", "9.99999999999999e+300", "1.79769313486232e+308", "1.7976931348623e+308",
            "2.2250738585072e-308", "4.94065645841247e-324", "5e-324", "1e-300", "1e-301", "1e+1000",
            "1e-05", "0.0001", "1e+15", "100000000000000", "123456789012345.6", "0.1", "0.00012", "-0.5",
            "Inf", "-Inf", "NaN", "-NaN", "inf", "Infinity", "1.", "-.5", "12:30", "2014-10-03",
        ]
    }

    @Test("Plain numerals read as their definition says, to the bit")
    func numeralsMatchTheirDefinition() throws {
        let texts = Self.numerals(count: 20_000)
        let document = texts.map { "- \($0)\n" }.joined()
        var options = YAMLDecodingOptions()
        options.dialect = .yamlXS
        guard case .array(let values) = try PerlYAMLDecoder(options: options).decode(Array(document.utf8)) else {
            Issue.record("not a sequence")
            return
        }
        #expect(values.count == texts.count)
        var mismatches: [String] = []
        for (text, value) in zip(texts, values) {
            let expected = Self.reference(text)
            let same: Bool
            switch (value, expected) {
            case (.double(let read), .double(let defined)):
                same = read.bitPattern == defined.bitPattern || (read.isNaN && defined.isNaN)
            default:
                same = value.isIdentical(to: expected)
            }
            if !same { mismatches.append("\(text): \(value), expected \(expected)") }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches, first: \(mismatches.prefix(10))")
        // Both answers are common, so both are tested.
        let doubles = values.filter { if case .double = $0 { true } else { false } }.count
        let strings = values.filter { if case .string = $0 { true } else { false } }.count
        #expect(doubles > texts.count / 3 && strings > texts.count / 10, "\(doubles) doubles, \(strings) strings")
    }

    @Test("A numeral key is its text, whichever way it reads")
    func numeralKeys() throws {
        let texts = Self.numerals(count: 2_000)
        var seen: Set<String> = []
        let keys = texts.filter { seen.insert($0).inserted }
        let document = keys.enumerated().map { "\($1): \($0)\n" }.joined()
        let value = try PerlYAMLDecoder().decode(Array(document.utf8))
        guard case .hash(let hash) = value else {
            Issue.record("not a mapping")
            return
        }
        #expect(hash.keys.map(\.description) == keys)
    }
}

extension String {
    fileprivate func replacingAll(_ target: String, with replacement: String) -> String {
        var result = ""
        var rest = Substring(self)
        while let range = rest.range(of: target) {
            result += rest[..<range.lowerBound] + replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}

extension Substring {
    fileprivate func range(of target: String) -> Range<Index>? {
        var start = startIndex
        while start < endIndex {
            if self[start...].hasPrefix(target) { return start..<index(start, offsetBy: target.count) }
            start = index(after: start)
        }
        return nil
    }
}
