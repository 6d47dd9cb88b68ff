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
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: 40) { buffer in
            let count = withVaList([self]) { arguments in
                vsnprintf(buffer.baseAddress!, buffer.count, "%.15g", arguments)
            }
            return String(decoding: UnsafeRawBufferPointer(start: buffer.baseAddress!, count: Int(count)), as: UTF8.self)
        }
    }
}
