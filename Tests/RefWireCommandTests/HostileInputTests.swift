import Foundation
import RefWire
import Testing

/// Hostile input, end to end: each case runs the built `refwire` on one input in a
/// subprocess and requires a clear, typed refusal (exit status 1, one line on standard
/// error naming the error and, for input that does not decode, the byte where it was
/// found) — or, where RefWire documents that it accepts such data (code kept as text,
/// hook-frozen objects kept as data, …), a clean success — in bounded time and memory.
///
/// Time is the child's CPU time (user + system), which a loaded machine does not
/// stretch: every case must take under ``cpuLimit``. Memory is the child's peak resident
/// set size, measured by the kernel (``MeasuredRun``): under ``memoryLimitKiB`` for every
/// input (all are under 2 MiB), except where a documented limit allows more (a zlib bomb
/// may inflate up to `--max-decompressed-size`).
///
/// The inputs are built here: from what Perl itself writes (``PerlSamples``), damaged
/// (truncated everywhere, trailing garbage, forged fields), and crafted (forged counts
/// and lengths, invalid markers, back-references and class indexes, nesting 100,000 deep
/// in every format, invalid UTF-8, overlong forms and surrogates, 100,000-digit numbers,
/// a zlib stream of 1 GiB of zeros, exponential sharing in Storable and YAML alias bombs
/// and cycles, code, hooked and overloaded objects, regexps with code blocks).
@Suite("Hostile input through refwire")
struct HostileInputTests {
    /// The most CPU time one input may cost. In a debug build (`refwire` as `swift
    /// build` leaves it for the tests) the slowest case, an image with 2³⁰ paths to one
    /// array written as JSON, takes about half of it (the JSON encoder writes 2²⁰ values
    /// before its alias limit stops it); the next slowest, the zlib bombs, a tenth.
    static let cpuLimit = 1.0
    /// The most memory one input under 2 MiB may cost, in KiB. `refwire` itself takes
    /// about 16 MiB before it reads anything.
    static let memoryLimitKiB = 64 << 10

    @Test("Perl wrote every sample the damaged inputs start from")
    func perlWroteTheSamples() throws {
        let samples = try PerlSamples.samples.get()
        for name in PerlSamples.names {
            #expect(samples[name]?.isEmpty == false, "no sample \(name)")
        }
    }

    @Test("Every case is under 2 MiB, named once, and the suite covers what it claims")
    func casesAreSmallAndUnique() {
        let cases = HostileCases.all
        #expect(cases.count >= 300, "only \(cases.count) cases")
        #expect(Set(cases.map(\.name)).count == cases.count, "case names must be unique")
        for hostile in cases {
            #expect(hostile.input.count < 2 << 20, "\(hostile.name) is \(hostile.input.count) bytes")
        }
        for topic in ["framing", "zlib", "storable", "json", "yaml", "auto"] {
            #expect(cases.contains { $0.name.hasPrefix(topic + "/") }, "no \(topic) cases")
        }
    }

    @Test("A hostile input is refused with a typed error, or accepted as documented, fast and small",
          arguments: HostileCases.all)
    func hostileInput(_ hostile: HostileCase) throws {
        let run = try MeasuredRun(hostile.arguments, stdin: hostile.input)
        let memoryLimit = hostile.memoryLimitKiB ?? Self.memoryLimitKiB
        print(String(
            format: "hostile %@: status %d, %.3f s CPU, %.3f s wall, %d KiB peak",
            hostile.name, run.status, run.cpuSeconds, run.wallSeconds, run.peakResidentKiB))

        #expect(!run.outcome.timedOut, "\(hostile.name) did not finish")
        #expect(run.cpuSeconds < Self.cpuLimit, "\(hostile.name) took \(run.cpuSeconds) s of CPU")
        #expect(run.peakResidentKiB < memoryLimit, "\(hostile.name) peaked at \(run.peakResidentKiB) KiB")
        switch hostile.expected {
        case .refused(let fragment, let offset):
            #expect(run.status == 1, "\(hostile.name): status \(run.status), stderr \(run.stderrText)")
            let lines = run.stderrText.split(separator: "\n", omittingEmptySubsequences: false)
            #expect(lines.count == 2 && lines[1].isEmpty, "\(hostile.name): one line expected: \(run.stderrText)")
            #expect(run.stderrText.contains(fragment), "\(hostile.name): \(run.stderrText)")
            switch offset {
            case .at(let byte):
                #expect(run.stderrText.hasPrefix("refwire: error at byte \(byte): "), "\(hostile.name): \(run.stderrText)")
            case .any:
                #expect(run.stderrText.hasPrefix("refwire: error at byte "), "\(hostile.name): \(run.stderrText)")
            case .none:
                #expect(run.stderrText.hasPrefix("refwire: "), "\(hostile.name): \(run.stderrText)")
            }
        case .accepted(let check):
            #expect(run.status == 0, "\(hostile.name): status \(run.status), stderr \(run.stderrText)")
            #expect(run.stderrText.isEmpty, "\(hostile.name): \(run.stderrText)")
            if let check {
                try check(run.stdout)
            }
        case .refusedOrAccepted:
            if run.status == 0 {
                #expect(run.stderrText.isEmpty, "\(hostile.name): \(run.stderrText)")
            } else {
                #expect(run.status == 1, "\(hostile.name): status \(run.status), stderr \(run.stderrText)")
                #expect(
                    run.stderrText.hasPrefix("refwire: error at byte ") && run.stderrText.filter { $0 == "\n" }.count == 1,
                    "\(hostile.name): \(run.stderrText)")
            }
        }
    }

    @Test("The zlib bomb is 1 GiB of zeros in one valid zlib stream")
    func zlibBombIsValid() throws {
        // The construction, checked in full at a size that fits in memory…
        for size in [1, 4, 258, 262, 1 << 20] {
            let stream = ZlibBomb.zeros(count: size)
            #expect(try Zlib.decompress(stream, maximumOutputSize: size) == [UInt8](repeating: 0, count: size))
        }
        // …and the bomb itself up to 64 MiB, where its ratio shows.
        let bomb = ZlibBomb.gibibyte
        #expect(bomb.count < 1_100_000)
        #expect(throws: ZlibError.outputLimitExceeded(limit: 64 << 20)) {
            try Zlib.decompress(bomb, maximumOutputSize: 64 << 20)
        }
    }
}

/// One hostile input and what `refwire` must do with it.
struct HostileCase: CustomTestStringConvertible, Sendable {
    enum Expectation: Sendable {
        /// Exit status 1 and one line on standard error containing `fragment`.
        case refused(String, Offset)
        /// Exit status 0, nothing on standard error, and the output passes `check`.
        case accepted(check: (@Sendable ([UInt8]) throws -> Void)?)
        /// Either, where both are right (a prefix of a YAML document may be one).
        case refusedOrAccepted
    }

    /// Where the error line says the problem is.
    enum Offset: Sendable {
        /// `refwire: error at byte N: …`
        case at(Int)
        /// `refwire: error at byte …` at some byte.
        case any
        /// Not about a byte: a value that cannot be written (`refwire: cannot write …`).
        case none
    }

    var name: String
    var arguments: [String]
    var input: [UInt8]
    var expected: Expectation
    /// A memory limit other than the suite's, where a documented limit allows more.
    var memoryLimitKiB: Int?

    var testDescription: String { name }

    static func refused(
        _ name: String, _ arguments: [String], _ input: [UInt8], _ fragment: String, at offset: Offset = .any,
        memoryLimitKiB: Int? = nil
    ) -> HostileCase {
        HostileCase(name: name, arguments: arguments, input: input, expected: .refused(fragment, offset),
                    memoryLimitKiB: memoryLimitKiB)
    }

    static func accepted(
        _ name: String, _ arguments: [String], _ input: [UInt8], check: (@Sendable ([UInt8]) throws -> Void)? = nil
    ) -> HostileCase {
        HostileCase(name: name, arguments: arguments, input: input, expected: .accepted(check: check))
    }
}
