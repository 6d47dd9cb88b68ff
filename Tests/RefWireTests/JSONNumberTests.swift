import RefWire
import RefWireTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Doubles both ways, against references that are correct by definition: the C
/// library's `strtod` (correctly rounded in glibc, for inputs of any length) for
/// reading, and Swift's `description` (shortest round-trip digits) for writing.
///
/// Reading is checked at every decimal exponent the Eisel–Lemire table covers and past
/// both ends, so every table entry is exercised; writing is checked on random bit
/// patterns, which reach every binary exponent.
@Suite("JSON: numbers")
struct JSONNumberTests {
    /// What RefWire reads `text` as: the double's bits, or `nil` if it is not a double.
    static func refWire(_ text: String) -> UInt64? {
        guard case .double(let value)? = try? PerlJSONDecoder().decode(Array(text.utf8)) else { return nil }
        return value.bitPattern
    }

    /// What glibc's `strtod` reads `text` as.
    static func reference(_ text: String) -> UInt64 {
        strtod(text, nil).bitPattern
    }

    static func randomDigits(_ count: Int, using random: inout SeededRandom) -> String {
        var digits = String(UnicodeScalar(UInt8(ascii: "1") + UInt8(random.next(upperBound: 9))))
        for _ in 1..<max(count, 1) { digits.append(Character(UnicodeScalar(UInt8(ascii: "0") + UInt8(random.next(upperBound: 10))))) }
        return String(digits.prefix(count))
    }

    @Test("Every decimal exponent from 10^-360 to 10^330, with 1 to 19 significant digits, rounds as strtod")
    func everyExponent() {
        var random = SeededRandom(seed: 0x4A53_4F4E)
        var mismatches: [String] = []
        var checked = 0
        for exponent in -360...330 {
            for digits in [1, 2, 8, 15, 16, 17, 18, 19] {
                for _ in 0..<4 {
                    let significand = Self.randomDigits(digits, using: &random)
                    // The same number as an integer with an exponent, and with a point.
                    let point = random.next(upperBound: digits + 1)
                    let split = significand.index(significand.startIndex, offsetBy: point)
                    let integerPart = point == 0 ? "0" : String(significand[..<split])
                    let texts = [
                        "\(significand)e\(exponent)",
                        "-\(integerPart).\(significand[split...])0e\(exponent + digits - point)",
                    ]
                    for text in texts {
                        let expected = Self.reference(text)
                        guard Double(bitPattern: expected).isFinite else { continue }  // out of range: tested elsewhere
                        checked += 1
                        if Self.refWire(text) != expected { mismatches.append(text) }
                    }
                }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) of \(checked) differ from strtod: \(mismatches.prefix(10))")
        #expect(checked > 40_000)
    }

    @Test("Halfway points between neighbouring doubles, and decimals just above and below them, round as strtod")
    func halfwayCases() {
        // A double plus half its ulp lies exactly halfway to the next one (ties go to
        // the even one); every double and every power of two is a finite decimal, so
        // the midpoint's exact text can be written out and nudged either way.
        var random = SeededRandom(seed: 7)
        var mismatches: [String] = []
        var checked = 0
        for exponentBits in stride(from: 0, through: 2046, by: 3) {
            let low = Double(
                sign: .plus, exponentBitPattern: UInt(exponentBits), significandBitPattern: random.next() & (1 << 52 - 1))
            let ulpExponent = exponentBits == 0 ? -1074 : exponentBits - 1023 - 52
            let midpoint = ExactDecimal(low) + ExactDecimal(powerOfTwo: ulpExponent - 1)
            for decimal in [midpoint, midpoint.nudgedUp, midpoint.nudgedDown] {
                let text = decimal.text
                checked += 1
                if Self.refWire(text) != Self.reference(text) { mismatches.append(String(text.prefix(60))) }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) of \(checked) differ from strtod: \(mismatches.prefix(5))")
        #expect(checked > 2_000)
    }

    @Test("Long significands (20 to 2,000 digits, and a 100,000-digit one) round as strtod")
    func longSignificands() {
        var random = SeededRandom(seed: 20)
        var mismatches: [String] = []
        for length in [20, 21, 25, 40, 100, 500, 767, 768, 769, 800, 801, 2_000] {
            for _ in 0..<30 {
                let digits = Self.randomDigits(length, using: &random)
                let exponent = random.next(upperBound: 700) - 350 - length
                var texts = ["\(digits)e\(exponent)", "0.\(digits)e\(exponent + length)"]
                if length > 20 { texts.append("\(digits.prefix(20)).\(digits.dropFirst(20))e\(exponent + length - 20)") }
                for text in texts where Double(bitPattern: Self.reference(text)).isFinite {
                    if Self.refWire(text) != Self.reference(text) { mismatches.append(String(text.prefix(50))) }
                }
            }
        }
        // Ambiguous truncations: 17 significant digits of a halfway point, then zeros,
        // then a 1 far away, which decides the rounding.
        for tail in [0, 1, 17, 760, 790, 5_000] {
            let text = "9007199254740993" + String(repeating: "0", count: tail) + "1e-\(tail + 1)"
            if Self.refWire(text) != Self.reference(text) { mismatches.append(String(text.prefix(50))) }
            let exact = "9007199254740993" + String(repeating: "0", count: tail) + "e-\(tail)"
            if Self.refWire(exact) != Self.reference(exact) { mismatches.append(String(exact.prefix(50))) }
        }
        let huge = "0." + Self.randomDigits(100_000, using: &random)
        if Self.refWire(huge) != Self.reference(huge) { mismatches.append("100,000 digits") }
        #expect(mismatches.isEmpty, "\(mismatches.count) differ from strtod: \(mismatches.prefix(5))")
    }

    @Test("Known hard inputs round as strtod")
    func hardCases() {
        let texts = [
            "2.2250738585072011e-308", "2.2250738585072012e-308", "2.2250738585072013e-308",
            "2.4703282292062327e-324", "2.4703282292062328e-324", "4.9406564584124654e-324",
            "1.7976931348623157e308", "1.7976931348623158e308", "7.3177701707893310e+15", "9007199254740993e0",
            "9007199254740993.0", "9007199254740995.0", "1.00000000000000011102230246251565404236316680908203125",
            "1.00000000000000011102230246251565404236316680908203124", "0.1", "0.2", "0.3", "1e23", "8.41e21",
            "5.0e-324", "1e-323", "7.1e-323", "4.4501477170144023e-308", "3.4028235677973366e38",
            "9.999999999999999e22", "1.0000000000000001e23", "123456789.123456789e-10", "1448997445238699.0",
            // Halfway between the largest double and 2^1024, minus a hair: rounds down.
            "179769313486231580793728971405303415079934132710037826936173778980444968292764750946649017"
                + "977587207096330286416692887910946555547851940402630657488671505820681908902000708383676273"
                + "854845817711531764475730270069855571366959622842914819860834936475292719074168444365510704"
                + "342711559699508093042880177904174497791.99999999999999999999999999999999999999999999999999"
                + "99999999999999999999",
        ]
        for text in texts {
            #expect(Self.refWire(text) == Self.reference(text), "\(text.prefix(40))")
        }
    }

    @Test("Writing: random doubles come back bit for bit, in as few digits as Swift's shortest form")
    func shortestRoundTrip() throws {
        var random = SeededRandom(seed: 0x5348_4F52)
        var values: [Double] = [.leastNonzeroMagnitude, .greatestFiniteMagnitude, .leastNormalMagnitude, 1, 0.1, 1e21, 1e-7]
        for _ in 0..<100_000 {
            let value = Double(bitPattern: random.next())
            if value.isFinite { values.append(value) }
        }
        for _ in 0..<20_000 {
            // Short decimals, where layout choices (point position, exponent) matter most.
            let digits = Double(random.next(upperBound: 1_000_000))
            let exponent = random.next(upperBound: 60) - 30
            values.append(digits * pow(10, Double(exponent)))
        }
        let failures = try Self.writingFailures(values)
        #expect(failures.isEmpty, "\(failures.count) of \(values.count): \(failures.prefix(5))")
    }

    @Test("Writing: integers have the standard library's digits, at every length and both ends of each")
    func integerDigits() throws {
        var unsigned: [UInt64] = [0, .max]
        var power: UInt64 = 1
        for _ in 0...19 {
            unsigned += [power - 1, power, power + 1, power + power / 2]
            if power > UInt64.max / 10 { break }
            power *= 10
        }
        var random = SeededRandom(seed: 0x494E_5453)
        for _ in 0..<20_000 { unsigned.append(random.next() >> random.next(upperBound: 64)) }
        var failures: [String] = []
        for value in unsigned {
            let written = String(decoding: try PerlJSONEncoder().encode(.unsigned(value)), as: UTF8.self)
            if written != String(value) { failures.append("\(value) written as \(written)") }
            let signed = Int64(truncatingIfNeeded: value)
            let writtenSigned = String(decoding: try PerlJSONEncoder().encode(.integer(signed)), as: UTF8.self)
            if writtenSigned != String(signed) { failures.append("\(signed) written as \(writtenSigned)") }
        }
        // In an array, each number's bytes past its digits are overwritten by what follows.
        let array = String(decoding: try PerlJSONEncoder().encode(.array(unsigned.map { .unsigned($0) })), as: UTF8.self)
        if array != "[" + unsigned.map(String.init).joined(separator: ",") + "]" { failures.append("the array differs") }
        #expect(failures.isEmpty, "\(failures.count) failures: \(failures.prefix(5))")
    }

    @Test("Writing: edge cases have Swift's shortest digits, from subnormals to the largest double")
    func shortestEdgeCases() throws {
        var values: [Double] = [
            .leastNonzeroMagnitude, .leastNonzeroMagnitude * 2, .leastNormalMagnitude, .leastNormalMagnitude.nextDown,
            .greatestFiniteMagnitude, 1e23, 8.41e21, 9007199254740992.nextUp, 4503599627370497,
            1e21, 1e21.nextDown, 1e-7, 1e-7.nextDown, 1e-6, 0.3, 2.0 / 3,
        ]
        // Every power of two and of ten, with its neighbours: where the interval of
        // reals reading back as the double is lopsided, and where digit counts change.
        for exponent in -1074...1023 {
            let power = Double(sign: .plus, exponent: exponent, significand: 1)
            values += [power, power.nextUp, power.nextDown]
        }
        for exponent in -323...308 {
            let power = Double("1e\(exponent)")!
            values += [power, power.nextUp, power.nextDown]
        }
        // Integers below and above 2^53, and short decimals on both sides of the point.
        for digits in 1...17 {
            let power = Double("1e\(digits)")!
            values += [power - 1, power + 1, (power - 1) / 1_000, 1 / power]
        }
        values = values.filter { $0 > 0 } + values.map { -$0 }
        let failures = try Self.writingFailures(values)
        #expect(failures.isEmpty, "\(failures.count) of \(values.count): \(failures.prefix(5))")
    }

    /// Each value written, read back and compared: it must come back bit for bit, with
    /// the significant digits of Swift's `description`, as a double (a point or an
    /// exponent).
    static func writingFailures(_ values: [Double]) throws -> [String] {
        var failures: [String] = []
        for value in values {
            let text = String(decoding: try PerlJSONEncoder().encode(.double(value)), as: UTF8.self)
            let back = try PerlJSONDecoder().decode(Array(text.utf8))
            guard case .double(let number) = back, number.bitPattern == value.bitPattern else {
                failures.append("\(value) → \(text) → \(back)")
                continue
            }
            if Self.significantDigits(text) != Self.significantDigits(value.description) {
                failures.append("\(value): \(text) is not as short as \(value.description)")
            }
            if !text.contains(".") && !text.contains("e") { failures.append("\(value): \(text) reads back as an integer") }
        }
        return failures
    }

    /// The significant digits of a number's text: no sign, point, exponent, or leading
    /// and trailing zeros.
    static func significantDigits(_ text: String) -> String {
        let mantissa = text.prefix { $0 != "e" && $0 != "E" }.filter(\.isNumber)
        return String(mantissa.drop(while: { $0 == "0" }).reversed().drop(while: { $0 == "0" }).reversed())
    }
}

/// A nonnegative decimal number held exactly: `digits` × 10^`exponent`.
struct ExactDecimal {
    var digits: [UInt8]
    var exponent: Int

    /// The exact value of a finite, nonnegative double (glibc prints it exactly: no
    /// double has more than 767 significant digits).
    init(_ value: Double) {
        var buffer = [CChar](repeating: 0, count: 1_000)
        let count = withVaList([value]) { vsnprintf(&buffer, buffer.count, "%.800e", $0) }
        let text = String(decoding: buffer.prefix(Int(count)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let parts = text.split(separator: "e")
        digits = parts[0].utf8.filter { $0 != UInt8(ascii: ".") }.map { $0 - UInt8(ascii: "0") }
        exponent = Int(parts[1])! - 800
    }

    /// 2^`power`: the digits of 2^power, or of 5^-power scaled by 10^power.
    init(powerOfTwo power: Int) {
        var result: [UInt8] = [1]
        for _ in 0..<abs(power) {
            var carry: UInt8 = 0
            for index in result.indices.reversed() {
                let product = result[index] * (power >= 0 ? 2 : 5) + carry
                result[index] = product % 10
                carry = product / 10
            }
            if carry > 0 { result.insert(carry, at: 0) }
        }
        digits = result
        exponent = power >= 0 ? 0 : power
    }

    private init(digits: [UInt8], exponent: Int) {
        self.digits = digits
        self.exponent = exponent
    }

    static func + (lhs: ExactDecimal, rhs: ExactDecimal) -> ExactDecimal {
        let exponent = min(lhs.exponent, rhs.exponent)
        let left = lhs.digits + Array(repeating: 0, count: lhs.exponent - exponent)
        let right = rhs.digits + Array(repeating: 0, count: rhs.exponent - exponent)
        let width = max(left.count, right.count) + 1
        let paddedLeft = Array(repeating: 0, count: width - left.count) + left
        let paddedRight = Array(repeating: 0, count: width - right.count) + right
        var sum = Array(repeating: UInt8(0), count: width)
        var carry: UInt8 = 0
        for index in (0..<width).reversed() {
            let total = paddedLeft[index] + paddedRight[index] + carry
            sum[index] = total % 10
            carry = total / 10
        }
        return ExactDecimal(digits: sum, exponent: exponent)
    }

    /// A little more: a 1 appended past the last digit.
    var nudgedUp: ExactDecimal { ExactDecimal(digits: digits + [1], exponent: exponent - 1) }

    /// A little less: one unit off the last digit, then a 9 (for a last digit above 0).
    var nudgedDown: ExactDecimal {
        var lowered = digits
        if let last = lowered.lastIndex(where: { $0 > 0 }) {
            lowered[last] -= 1
            for index in (last + 1)..<lowered.count { lowered[index] = 9 }
        }
        return ExactDecimal(digits: lowered + [9], exponent: exponent - 1)
    }

    /// JSON text: the digits (leading zeros dropped) and the exponent.
    var text: String {
        let significant = digits.drop { $0 == 0 }
        guard !significant.isEmpty else { return "0" }
        return String(decoding: significant.map { $0 + UInt8(ascii: "0") }, as: UTF8.self) + "e\(exponent)"
    }
}
