#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension Double {
    /// How Perl prints a double: `%.15g`, with `Inf`, `-Inf` and `NaN`, and zero as `0`
    /// whatever its sign (as Perl stringifies it, and so as YAML.pm and YAML::XS dump
    /// it); in lossless mode the shortest text that reads back to the same double. The
    /// text formats write doubles as Perl would (Storable in network order, YAML), so
    /// that a value reads the same in Perl whichever side wrote it.
    func perlText(lossless: Bool) -> String {
        if isNaN { return "NaN" }
        if isInfinite { return self < 0 ? "-Inf" : "Inf" }
        if lossless { return "\(self)" }
        if self == 0 { return "0" }
        if let text = shortestTextIfPercentG15() { return text }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: 40) { buffer in
            let count = withVaList([self]) { arguments in
                vsnprintf(buffer.baseAddress!, buffer.count, "%.15g", arguments)
            }
            return String(decoding: UnsafeRawBufferPointer(start: buffer.baseAddress!, count: Int(count)), as: UTF8.self)
        }
    }

    /// `%.15g` read off Swift's shortest round-trip text (`description`), where the two
    /// differ at most by a final `.0`: a normal double that Swift writes without an
    /// exponent (10⁻⁴ ≤ |x| < 2⁵³), with at most 15 significant digits, which is most
    /// doubles that came from text, at a tenth of the cost of `vsnprintf` through
    /// `withVaList`. Its exact value is within half an ulp of those digits, far less than
    /// half a unit in the 15th digit, so `%.15g` rounds to the same digits, and with at
    /// most 15 of them it writes them without an exponent too. `nil` otherwise.
    private func shortestTextIfPercentG15() -> String? {
        guard isNormal else { return nil }
        var text = description
        return text.withUTF8 { bytes -> String? in
            var digits = 0
            for byte in bytes {
                switch byte {
                case UInt8(ascii: "e"): return nil
                case UInt8(ascii: "0"): if digits > 0 { digits += 1 }  // leading zeros are not significant
                case UInt8(ascii: "1")...UInt8(ascii: "9"): digits += 1
                default: break  // `-`, `.`
                }
            }
            let integral = bytes.count >= 2 && bytes[bytes.count - 2] == UInt8(ascii: ".")
                && bytes[bytes.count - 1] == UInt8(ascii: "0")
            guard digits - (integral ? 1 : 0) <= 15 else { return nil }
            let length = integral ? bytes.count - 2 : bytes.count
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[..<length]), as: UTF8.self)
        }
    }
}
