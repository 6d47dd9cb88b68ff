import Dispatch
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// Runs real Perl for interop tests: the point is checking RefWire against the code it
// has to talk to, so the tests fail loudly (rather than skip) when Perl is missing.

/// Why a Perl run produced no usable result.
enum PerlError: Error, CustomStringConvertible {
    /// No `perl` executable: not at `$PERL`, nor anywhere on `$PATH`.
    case perlNotFound(searched: String)
    /// Perl outlived its time limit and was killed.
    case timedOut(after: Duration, stderr: String)
    /// Perl was killed by a signal (other than by our timeout).
    case killedBySignal(Int32, stderr: String)
    /// Perl exited with a non-zero status (only from ``perlOutput(script:arguments:stdin:timeout:)``).
    case failed(status: Int32, stderr: String)

    var description: String {
        switch self {
        case .perlNotFound(let searched):
            "perl not found (searched \(searched)); install it, e.g. `apt-get install perl`"
        case .timedOut(let duration, let stderr):
            "perl timed out after \(duration) and was killed; stderr: \(stderr)"
        case .killedBySignal(let signal, let stderr):
            "perl was killed by signal \(signal); stderr: \(stderr)"
        case .failed(let status, let stderr):
            "perl exited with status \(status); stderr: \(stderr)"
        }
    }
}

/// Runs `perl -e script -- arguments…` with `stdin` as its standard input, and returns
/// what it wrote and how it exited.
///
/// - `arguments` reach the script as `@ARGV` verbatim (even ones starting with `-`).
/// - Standard output is raw bytes; the script should `binmode STDIN; binmode STDOUT;`
///   when it deals in binary data, or Perl's I/O layers may translate it.
/// - Standard input is written, and both outputs read, concurrently on threads of their
///   own: a script that writes a lot before reading everything (or the other way round)
///   cannot deadlock on full pipe buffers. A script may exit without reading its input.
/// - Perl starts with no signals blocked, whatever the calling thread blocks (Swift
///   concurrency and Dispatch threads block most), so `alarm`, `kill` and `$SIG{...}`
///   work in scripts as they do from a shell.
/// - After `timeout`, Perl gets SIGTERM, then SIGKILL, and this throws
///   ``PerlError/timedOut(after:stderr:)``: a hung script fails its test rather than
///   hanging the suite.
///
/// Perl is `$PERL` if set, else the first `perl` on `$PATH`.
func runPerl(
    script: String, arguments: [String] = [], stdin: [UInt8] = [], timeout: Duration = .seconds(120)
) throws -> (stdout: [UInt8], stderr: String, status: Int32) {
    let process = Process()
    process.executableURL = try perlExecutable()
    process.arguments = ["-e", script, "--"] + arguments
    let input = Pipe()
    let output = Pipe()
    let errors = Pipe()
    // No end of these pipes may leak into a child another test spawns meanwhile: a
    // leaked end keeps Perl's input open, or our reads from ending, for as long as that
    // child lives. Perl gets its own copies as 0, 1 and 2 (dup2 clears the flag).
    for pipe in [input, output, errors] {
        for descriptor in [pipe.fileHandleForReading.fileDescriptor, pipe.fileHandleForWriting.fileDescriptor] {
            _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        }
    }
    process.standardInput = input
    process.standardOutput = output
    process.standardError = errors
    // Foundation spawns from this thread and passes its signal mask on to the child.
    try withNoSignalsBlocked { try process.run() }

    let collectedStdout = Collected()
    let collectedStderr = Collected()
    let group = DispatchGroup()
    // Blocking I/O gets threads of its own: on a small machine Dispatch's pool can be
    // too busy to run all three at once, and each may be waiting for another.
    runOnThread(in: group) {
        collectedStdout.bytes = readToEnd(output.fileHandleForReading.fileDescriptor)
    }
    runOnThread(in: group) {
        collectedStderr.bytes = readToEnd(errors.fileHandleForReading.fileDescriptor)
    }
    runOnThread(in: group) {
        writeAll(stdin, to: input.fileHandleForWriting.fileDescriptor)
        try? input.fileHandleForWriting.close()
    }

    var timedOut = false
    if group.wait(timeout: .now() + timeout.dispatchInterval) == .timedOut {
        timedOut = true
        process.terminate()
        if group.wait(timeout: .now() + .seconds(5)) == .timedOut {
            kill(process.processIdentifier, SIGKILL)
            // Something else (a grandchild) may still hold the pipes open: don't wait forever.
            _ = group.wait(timeout: .now() + .seconds(5))
        }
    }
    process.waitUntilExit()

    let stderr = String(decoding: collectedStderr.bytes, as: UTF8.self)
    if timedOut { throw PerlError.timedOut(after: timeout, stderr: stderr) }
    if process.terminationReason == .uncaughtSignal {
        throw PerlError.killedBySignal(process.terminationStatus, stderr: stderr)
    }
    return (collectedStdout.bytes, stderr, process.terminationStatus)
}

/// Like ``runPerl(script:arguments:stdin:timeout:)``, but for scripts that must succeed:
/// returns standard output, and throws ``PerlError/failed(status:stderr:)`` (with Perl's
/// complaint, e.g. "Can't locate Compress/Zlib.pm") on a non-zero exit.
func perlOutput(
    script: String, arguments: [String] = [], stdin: [UInt8] = [], timeout: Duration = .seconds(120)
) throws -> [UInt8] {
    let result = try runPerl(script: script, arguments: arguments, stdin: stdin, timeout: timeout)
    guard result.status == 0 else { throw PerlError.failed(status: result.status, stderr: result.stderr) }
    return result.stdout
}

// MARK: - Plumbing

func perlExecutable() throws -> URL {
    let environment = ProcessInfo.processInfo.environment
    if let perl = environment["PERL"], !perl.isEmpty {
        guard FileManager.default.isExecutableFile(atPath: perl) else {
            throw PerlError.perlNotFound(searched: "$PERL=\(perl)")
        }
        return URL(fileURLWithPath: perl)
    }
    let path = environment["PATH"] ?? "/usr/bin:/bin"
    for directory in path.split(separator: ":") where !directory.isEmpty {
        let candidate = "\(directory)/perl"
        if FileManager.default.isExecutableFile(atPath: candidate) { return URL(fileURLWithPath: candidate) }
    }
    throw PerlError.perlNotFound(searched: "$PATH=\(path)")
}

/// Runs `body` with this thread's signal mask emptied, restoring it afterwards.
func withNoSignalsBlocked<Result>(_ body: () throws -> Result) rethrows -> Result {
    var none = sigset_t()
    var previous = sigset_t()
    sigemptyset(&none)
    pthread_sigmask(SIG_SETMASK, &none, &previous)
    defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
    return try body()
}

func runOnThread(in group: DispatchGroup, _ body: @escaping @Sendable () -> Void) {
    group.enter()
    Thread {
        body()
        group.leave()
    }.start()
}

/// Reads `descriptor` until end of file (or an error other than EINTR).
///
/// Plain read(2): FileHandle's `readToEnd` is much slower on Linux.
func readToEnd(_ descriptor: Int32) -> [UInt8] {
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 64 << 10)
    while true {
        let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        if count > 0 {
            bytes += chunk[..<count]
        } else if count == 0 || errno != EINTR {
            return bytes
        }
    }
}

/// Writes all of `bytes` to `descriptor`, giving up quietly on an error other than
/// EINTR: EPIPE means Perl exited without reading everything, which is its right.
///
/// Must run on a thread of its own: it blocks SIGPIPE on the calling thread for good,
/// so that writing to a pipe Perl has closed fails with EPIPE instead of killing the
/// test process. (The signal stays pending on that thread and dies with it; ignoring
/// SIGPIPE process-wide instead would also make Perl inherit the ignoring.)
private func writeAll(_ bytes: [UInt8], to descriptor: Int32) {
    var pipeSignal = sigset_t()
    sigemptyset(&pipeSignal)
    sigaddset(&pipeSignal, SIGPIPE)
    pthread_sigmask(SIG_BLOCK, &pipeSignal, nil)

    bytes.withUnsafeBytes { buffer in
        guard let base = buffer.baseAddress else { return }
        var offset = 0
        while offset < buffer.count {
            let count = write(descriptor, base + offset, buffer.count - offset)
            if count >= 0 {
                offset += count
            } else if errno != EINTR {
                return
            }
        }
    }
}

/// Bytes one reader thread collects. Normally the group's wait already orders the
/// write before the read; the lock covers the case where a killed Perl's pipes stay
/// open and the reader is abandoned still running.
final class Collected: @unchecked Sendable {
    private let lock = NSLock()
    private var _bytes: [UInt8] = []
    var bytes: [UInt8] {
        get { lock.withLock { _bytes } }
        set { lock.withLock { _bytes = newValue } }
    }
}

extension Duration {
    fileprivate var dispatchInterval: DispatchTimeInterval {
        let (seconds, attoseconds) = components
        guard seconds < Int64(Int.max / 1_000_000_000) else { return .never }
        return .nanoseconds(Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000))
    }
}
