#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Decimal text to the nearest double, correctly rounded (ties to even), without
/// allocating.
///
/// Most numbers in real documents have at most 19 significant digits, which fit a
/// `UInt64` exactly. For those, Clinger's fast path (an exact integer times an exact power
/// of ten, one rounding) covers short numbers, and the Eisel–Lemire algorithm, as
/// fast_float implements it, covers the rest in a 128-bit multiplication: Mushtak and
/// Lemire proved that for a significand of at most 64 bits it never needs a fallback
/// ("Fast number parsing without fallback", 2023). Longer significands (rare, or hostile)
/// are truncated to 19 digits; if the truncated and the next significand round to the
/// same double that is the answer, otherwise the C library's `strtod`, which is correctly
/// rounded, decides on a copy bounded to 800 significant digits plus a sticky digit, so
/// even a 100,000-digit number costs one linear scan.
enum JSONDoubleParser {
    /// The double nearest to ±`significand` × 10^`exponent`, for an exact `significand`.
    static func double(significand: UInt64, exponent: Int, negative: Bool) -> Double {
        if significand <= 1 << 53, (-22...22).contains(exponent) {
            // Both operands are exact, so IEEE arithmetic rounds once: correctly.
            var value = Double(significand)
            value = exponent < 0 ? value / exactPowersOfTen[-exponent] : value * exactPowersOfTen[exponent]
            return negative ? -value : value
        }
        let bits = eiselLemire(significand, exponent)
        return Double(bitPattern: negative ? bits | 1 << 63 : bits)
    }

    /// The double nearest to the JSON number `text` (which the parser has checked
    /// against RFC 8259's grammar), whatever its length.
    static func double(parsing text: UnsafeBufferPointer<UInt8>) -> Double {
        var index = 0
        let negative = text[0] == UInt8(ascii: "-")
        if negative { index = 1 }

        // The first 19 significant digits, and the power of ten they are to be scaled by.
        var significand: UInt64 = 0
        var significantDigits = 0
        var scale = 0
        var droppedNonzero = false
        var inFraction = false
        while index < text.count {
            let byte = text[index]
            if byte == UInt8(ascii: ".") {
                inFraction = true
            } else if byte | 0x20 == UInt8(ascii: "e") {
                break
            } else {
                let digit = UInt64(byte &- UInt8(ascii: "0"))
                if inFraction { scale -= 1 }
                if significantDigits < 19 {
                    if digit != 0 || significantDigits > 0 {
                        significand = significand * 10 + digit
                        significantDigits += 1
                    }
                } else {
                    scale += 1
                    droppedNonzero = droppedNonzero || digit != 0
                }
            }
            index += 1
        }
        let exponent = scale + explicitExponent(text, from: index)

        guard droppedNonzero else { return double(significand: significand, exponent: exponent, negative: negative) }
        // The true value lies strictly between the truncated significand and the next.
        let low = eiselLemire(significand, exponent)
        if low == eiselLemire(significand + 1, exponent) {
            return Double(bitPattern: negative ? low | 1 << 63 : low)
        }
        return correctlyRounded(text)
    }

    /// The exponent after `e` at `index` (0 if there is none), saturated far beyond any
    /// exponent that could still matter, so that no input overflows it.
    private static func explicitExponent(_ text: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        guard start < text.count else { return 0 }
        var index = start + 1
        var negative = false
        if text[index] == UInt8(ascii: "-") || text[index] == UInt8(ascii: "+") {
            negative = text[index] == UInt8(ascii: "-")
            index += 1
        }
        var exponent = 0
        while index < text.count {
            exponent = Swift.min(exponent * 10 + Int(text[index] &- UInt8(ascii: "0")), exponentSaturation)
            index += 1
        }
        return negative ? -exponent : exponent
    }

    /// Larger than any decimal exponent plus any digit count an input in memory can have,
    /// and small enough that ten times it plus a digit does not overflow.
    static let exponentSaturation = 1 << 59

    // MARK: - Eisel–Lemire

    /// The bits of the double nearest to `significand` × 10^`exponent` (sign clear), as
    /// fast_float's `compute_float<binary64>` computes them: exact for every `UInt64`
    /// significand, infinity above the largest double, zero below the smallest subnormal.
    static func eiselLemire(_ significand: UInt64, _ exponent: Int) -> UInt64 {
        let mantissaBits = 52
        let infinityExponent = 0x7FF
        if significand == 0 || exponent < powersOfFiveRange.lowerBound { return 0 }
        if exponent > powersOfFiveRange.upperBound { return UInt64(infinityExponent) << mantissaBits }

        let leadingZeros = significand.leadingZeroBitCount
        let normalized = significand << leadingZeros
        let index = 2 * (exponent - powersOfFiveRange.lowerBound)
        // The top 55 bits of the product decide the result; the second word of the power
        // is needed only when they might be off by a carry from below.
        var (high, low) = powersOfFive.withUnsafeBufferPointer { table in
            normalized.multipliedFullWidth(by: table[index])
        }
        let precisionMask = UInt64.max >> (mantissaBits + 3)
        if high & precisionMask == precisionMask {
            let lower = powersOfFive.withUnsafeBufferPointer { table in
                normalized.multipliedFullWidth(by: table[index + 1]).high
            }
            let (sum, carry) = low.addingReportingOverflow(lower)
            low = sum
            if carry { high &+= 1 }
        }

        let upperBit = Int(high >> 63)
        let shift = upperBit + 64 - mantissaBits - 3
        var mantissa = high >> shift
        // floor(log2(10^exponent)) + 63, the binary exponent of the product's top bit.
        let power = ((152_170 + 65_536) * exponent) >> 16 + 63
        var binaryExponent = power + upperBit - leadingZeros + 1023

        if binaryExponent <= 0 {
            // Subnormal, or zero.
            guard -binaryExponent + 1 < 64 else { return 0 }
            mantissa >>= UInt64(-binaryExponent + 1)
            mantissa += mantissa & 1
            mantissa >>= 1
            // Rounding up may have reached the smallest normal double.
            binaryExponent = mantissa < 1 << mantissaBits ? 0 : 1
            return UInt64(binaryExponent) << mantissaBits | mantissa & (1 << mantissaBits - 1)
        }

        // Exactly halfway between two doubles (only possible where 5^exponent fits in 64
        // bits and nothing was shifted out): round to even, down rather than up.
        if low <= 1, (-4...23).contains(exponent), mantissa & 3 == 1, mantissa << shift == high {
            mantissa &= ~1
        }
        mantissa += mantissa & 1
        mantissa >>= 1
        if mantissa >= 2 << mantissaBits {
            mantissa = 1 << mantissaBits
            binaryExponent += 1
        }
        mantissa &= ~(1 << mantissaBits)
        if binaryExponent >= infinityExponent { return UInt64(infinityExponent) << mantissaBits }
        return UInt64(binaryExponent) << mantissaBits | mantissa
    }

    /// 10^0 … 10^22: every power of ten a double holds exactly.
    private static let exactPowersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    // MARK: - Fallback

    /// The most significant digits the fallback keeps. A double's decision between two
    /// neighbours never depends on more than 768 significant digits; past them only
    /// whether any digit is nonzero matters (a sticky digit).
    private static let keptDigits = 800

    /// `strtod` of `text` rewritten as an integer significand (its first ``keptDigits``
    /// significant digits, then `1` if any later digit is nonzero) and a clamped
    /// exponent: the same double, with bounded work and no dependence on the locale's
    /// decimal point.
    private static func correctlyRounded(_ text: UnsafeBufferPointer<UInt8>) -> Double {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: keptDigits + 16) { buffer in
            var length = 0
            func append(_ byte: UInt8) {
                buffer[length] = CChar(bitPattern: byte)
                length += 1
            }
            var index = 0
            if text[0] == UInt8(ascii: "-") {
                append(UInt8(ascii: "-"))
                index = 1
            }
            var kept = 0
            var scale = 0
            var sticky = false
            var inFraction = false
            while index < text.count, text[index] | 0x20 != UInt8(ascii: "e") {
                let byte = text[index]
                index += 1
                if byte == UInt8(ascii: ".") {
                    inFraction = true
                    continue
                }
                if inFraction { scale -= 1 }
                if kept == 0 && byte == UInt8(ascii: "0") { continue }
                if kept < keptDigits {
                    append(byte)
                    kept += 1
                } else {
                    scale += 1
                    sticky = sticky || byte != UInt8(ascii: "0")
                }
            }
            if sticky {
                append(UInt8(ascii: "1"))
                scale -= 1
            }
            if kept == 0 { append(UInt8(ascii: "0")) }
            // Beyond ±100,000 the result is zero or infinite whatever the digits.
            let exponent = Swift.min(Swift.max(scale + explicitExponent(text, from: index), -100_000), 100_000)
            append(UInt8(ascii: "e"))
            for byte in String(exponent).utf8 { append(byte) }
            buffer[length] = 0
            return strtod(buffer.baseAddress!, nil)
        }
    }
}
