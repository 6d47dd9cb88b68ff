// libFuzzer entry point of the sealed channel's target (SealingTarget.swift, beside this
// file, says what it checks). A broken property is reported and aborts, so that
// libFuzzer keeps the input as a crash.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    do {
        try SealingTarget.run(UnsafeBufferPointer(start: data, count: count))
    } catch {
        let report = "\n==== SealingFuzz finding: \(error)\n"
        _ = report.utf8CString.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count - 1) }
        abort()
    }
    return 0
}
