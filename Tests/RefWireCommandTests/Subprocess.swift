#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Foundation

/// The built `refwire` executable.
///
/// SwiftPM puts it in the same products directory as the test bundle, whatever the
/// scratch path (`swift test`, `swift test --scratch-path X`). `REFWIRE_EXECUTABLE`
/// overrides the search.
enum RefWireExecutable {
    static let path: String? = locate()

    private static func locate() -> String? {
        if let override = ProcessInfo.processInfo.environment["REFWIRE_EXECUTABLE"] {
            return override
        }
        var directories: [URL] = []
        // The test runner itself: `<products>/RefWirePackageTests.xctest` on Linux.
        if let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            directories.append(URL(fileURLWithPath: executable).deletingLastPathComponent())
        }
        if let first = CommandLine.arguments.first {
            directories.append(URL(fileURLWithPath: first).deletingLastPathComponent())
        }
        // Test bundles (macOS: `<products>/RefWirePackageTests.xctest/Contents/MacOS/...`).
        for bundle in Bundle.allBundles where bundle.bundleURL.pathExtension == "xctest" {
            directories.append(bundle.bundleURL.deletingLastPathComponent())
        }
        directories.append(Bundle.main.bundleURL)
        for directory in directories {
            // The bundle's own directory first, then a few parents (bundle internals).
            var candidate = directory.standardizedFileURL
            for _ in 0..<4 {
                let binary = candidate.appendingPathComponent("refwire").path
                if FileManager.default.isExecutableFile(atPath: binary) { return binary }
                candidate.deleteLastPathComponent()
            }
        }
        return nil
    }
}

/// How a child process ended, with everything it wrote.
struct ProcessOutcome {
    /// The exit status, or 128 + the signal number if a signal killed it.
    var status: Int32
    var stdout: [UInt8]
    var stderr: [UInt8]
    /// Peak resident set size in KiB (`VmHWM`), sampled while the child ran; 0 unless
    /// asked for. Not `ru_maxrss`: glibc's `posix_spawn` uses `vfork`, and Linux then
    /// counts the parent's peak (the test process's) in the child's `ru_maxrss`.
    var peakResidentKiB: Int
    var timedOut: Bool

    var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    var stderrText: String { String(decoding: stderr, as: UTF8.self) }
}

enum SubprocessError: Error, CustomStringConvertible {
    case executableNotFound
    case system(String, Int32)

    var description: String {
        switch self {
        case .executableNotFound:
            return "refwire executable not found next to the test bundle (set REFWIRE_EXECUTABLE)"
        case .system(let call, let code):
            return "\(call) failed: \(String(cString: strerror(code)))"
        }
    }
}

/// A child process with its three standard streams on pipes. Driven by `poll(2)` on
/// one thread, so a child that fills one pipe while we write another never deadlocks.
final class ChildProcess {
    let pid: pid_t
    private var stdinFD: Int32
    private var stdoutFD: Int32
    private var stderrFD: Int32
    private(set) var stdout: [UInt8] = []
    private(set) var stderr: [UInt8] = []
    /// Receives stdout instead of `stdout` collecting it (for outputs too big to keep).
    var stdoutSink: ((ArraySlice<UInt8>) -> Void)?
    /// Whether to sample the child's `VmHWM` (its own high-water mark, kept by the kernel)
    /// from `/proc` at every step. Sampling goes on until the child closes its output, so
    /// a peak reached before the last write is seen.
    var samplesMemory = false
    private(set) var peakResidentKiB = 0

    /// Our writes to a child that has exited must fail with EPIPE, not kill the tests.
    private static let ignoreSIGPIPE: Void = {
        signal(SIGPIPE, SIG_IGN)
    }()

    private static let spawnLock = NSLock()

    init(executable: String, arguments: [String]) throws {
        _ = Self.ignoreSIGPIPE
        // Tests run in parallel, and no other child may inherit our pipe ends: they are
        // made close-on-exec, and creating them and spawning happen under one lock, so
        // no spawn sees them before the flag is set.
        Self.spawnLock.lock()
        defer { Self.spawnLock.unlock() }
        var stdinPipe: [Int32] = [-1, -1]
        var stdoutPipe: [Int32] = [-1, -1]
        var stderrPipe: [Int32] = [-1, -1]
        for index in 0..<3 {
            let result: Int32
            switch index {
            case 0: result = pipe(&stdinPipe)
            case 1: result = pipe(&stdoutPipe)
            default: result = pipe(&stderrPipe)
            }
            if result != 0 { throw SubprocessError.system("pipe", errno) }
        }
        for fd in stdinPipe + stdoutPipe + stderrPipe {
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdinPipe[0], 0)
        posix_spawn_file_actions_adddup2(&actions, stdoutPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, stderrPipe[1], 2)

        // The child gets default signal dispositions (we ignore SIGPIPE) and no mask.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var child: pid_t = 0
        let result = posix_spawn(&child, executable, &actions, &attributes, argv, environ)
        close(stdinPipe[0])
        close(stdoutPipe[1])
        close(stderrPipe[1])
        guard result == 0 else {
            close(stdinPipe[1])
            close(stdoutPipe[0])
            close(stderrPipe[0])
            throw SubprocessError.system("posix_spawn", result)
        }
        pid = child
        stdinFD = stdinPipe[1]
        stdoutFD = stdoutPipe[0]
        stderrFD = stderrPipe[0]
        _ = fcntl(stdinFD, F_SETFL, fcntl(stdinFD, F_GETFL) | O_NONBLOCK)
    }

    deinit {
        for fd in [stdinFD, stdoutFD, stderrFD] where fd >= 0 { close(fd) }
    }

    /// Writes `input` to the child's stdin (reading its output meanwhile), then closes
    /// stdin if `close` is set. Stops early, silently, if the child closed its stdin.
    /// Returns false on timeout.
    @discardableResult
    func send(_ input: [UInt8], close: Bool, timeout: Double = 120) -> Bool {
        var offset = 0
        let deadline = Date().addingTimeInterval(timeout)
        while stdinFD >= 0 && offset < input.count {
            guard pollOnce(wantWrite: true, deadline: deadline) else { return false }
            let written = input.withUnsafeBytes { bytes in
                write(stdinFD, bytes.baseAddress! + offset, min(bytes.count - offset, 64 << 10))
            }
            if written > 0 {
                offset += written
            } else if written < 0 && errno != EAGAIN && errno != EINTR {
                closeStdin()  // EPIPE: the child stopped reading.
            }
        }
        if close { closeStdin() }
        return true
    }

    func closeStdin() {
        if stdinFD >= 0 {
            close(stdinFD)
            stdinFD = -1
        }
    }

    /// Reads the child's output until `stdout` holds at least `count` bytes (or it ends).
    /// Returns false on timeout.
    @discardableResult
    func readStdout(atLeast count: Int, timeout: Double = 30) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while stdout.count < count && stdoutFD >= 0 {
            guard pollOnce(wantWrite: false, deadline: deadline) else { return false }
        }
        return true
    }

    /// Closes stdin, reads the outputs to their end, and reaps the child.
    func finish(timeout: Double = 300) -> ProcessOutcome {
        closeStdin()
        let deadline = Date().addingTimeInterval(timeout)
        var timedOut = false
        while stdoutFD >= 0 || stderrFD >= 0 {
            if !pollOnce(wantWrite: false, deadline: deadline) {
                timedOut = true
                kill(pid, SIGKILL)
                break
            }
        }
        sampleMemory()
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let exited = status & 0x7F == 0
        return ProcessOutcome(
            status: exited ? (status >> 8) & 0xFF : 128 + (status & 0x7F),
            stdout: stdout, stderr: stderr,
            peakResidentKiB: peakResidentKiB, timedOut: timedOut)
    }

    private func sampleMemory() {
        guard samplesMemory,
            let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        else { return }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let kib = line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first
            peakResidentKiB = max(peakResidentKiB, kib.flatMap { Int($0) } ?? 0)
        }
    }

    /// One `poll` over the open pipes; reads whatever is readable. Returns false when
    /// the deadline passed, true otherwise (including when stdin became writable).
    private func pollOnce(wantWrite: Bool, deadline: Date) -> Bool {
        sampleMemory()
        var entries: [pollfd] = []
        if wantWrite && stdinFD >= 0 { entries.append(pollfd(fd: stdinFD, events: Int16(POLLOUT), revents: 0)) }
        if stdoutFD >= 0 { entries.append(pollfd(fd: stdoutFD, events: Int16(POLLIN), revents: 0)) }
        if stderrFD >= 0 { entries.append(pollfd(fd: stderrFD, events: Int16(POLLIN), revents: 0)) }
        if entries.isEmpty { return true }
        let remaining = deadline.timeIntervalSinceNow
        if remaining <= 0 { return false }
        let ready = poll(&entries, nfds_t(entries.count), Int32(min(remaining, 1) * 1000))
        if ready < 0 { return errno == EINTR }
        if ready == 0 { return deadline.timeIntervalSinceNow > 0 }
        for entry in entries where entry.revents != 0 {
            if entry.fd == stdoutFD { drain(&stdoutFD, isStdout: true) }
            if entry.fd == stderrFD { drain(&stderrFD, isStdout: false) }
            // A writable (or broken) stdin: the caller writes next.
        }
        return true
    }

    private func drain(_ fd: inout Int32, isStdout: Bool) {
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if count > 0 {
            if isStdout, let sink = stdoutSink {
                sink(buffer[0..<count])
            } else if isStdout {
                stdout.append(contentsOf: buffer[0..<count])
            } else {
                stderr.append(contentsOf: buffer[0..<count])
            }
        } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
            close(fd)
            fd = -1
        }
    }
}

/// Runs `refwire` with `arguments`, feeding it `stdin`, to completion.
func runRefWire(
    _ arguments: [String], stdin: [UInt8] = [], samplingMemory: Bool = false,
    stdoutSink: ((ArraySlice<UInt8>) -> Void)? = nil
) throws -> ProcessOutcome {
    guard let executable = RefWireExecutable.path else { throw SubprocessError.executableNotFound }
    let child = try ChildProcess(executable: executable, arguments: arguments)
    child.stdoutSink = stdoutSink
    child.samplesMemory = samplingMemory
    child.send(stdin, close: true, timeout: 300)
    return child.finish()
}
