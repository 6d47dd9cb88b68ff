import Dispatch
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A Perl program that runs beside a test — a POE server or client — rather than to
/// completion before it: the transport interop tests talk to it over 127.0.0.1 while it
/// runs.
///
/// The peer's first line of standard output is read at once (the servers print their
/// bound port there); the rest, and standard error, are collected until it exits.
/// ``finish(timeout:)`` closes its standard input, which the scripts take as the signal
/// to stop, and waits; after the timeout the peer is killed, so no test can hang on it.
final class PerlPeer: @unchecked Sendable {
    private let process: Process
    private let input = Pipe()
    private let output = Pipe()
    private let errors = Pipe()
    private let collectedStdout = Collected()
    private let collectedStderr = Collected()
    private let readers: DispatchGroup
    /// The first line of standard output, without its newline.
    let firstLine: String

    /// Starts `perl Perl/SCRIPT ARGUMENTS…` (with the hash seed pinned, as every interop
    /// script) and waits up to `startTimeout` for its first line of output.
    init(_ script: String, arguments: [String], environment: [String: String] = [:],
         startTimeout: Duration = .seconds(30)) throws {
        // No end of these pipes may leak into a child another test spawns meanwhile: a
        // leaked end keeps the peer's input open, or our reads from ending, for as long
        // as that child lives. The peer gets its own copies as 0, 1 and 2 (dup2 clears
        // the flag).
        for pipe in [input, output, errors] {
            for descriptor in [pipe.fileHandleForReading.fileDescriptor, pipe.fileHandleForWriting.fileDescriptor] {
                _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
            }
        }
        let process = Process()
        self.process = process
        process.executableURL = try perlExecutable()
        process.arguments = ["-e", StorablePerl.launcher, "--", StorablePerl.path(script)] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try withNoSignalsBlocked { try process.run() }

        let readers = DispatchGroup()
        self.readers = readers
        let lineRead = DispatchSemaphore(value: 0)
        let line = Collected()
        let (stdout, stderr) = (collectedStdout, collectedStderr)
        let (outputDescriptor, errorDescriptor) =
            (output.fileHandleForReading.fileDescriptor, errors.fileHandleForReading.fileDescriptor)
        runOnThread(in: readers) {
            var first: [UInt8] = []
            var byte: UInt8 = 0
            while read(outputDescriptor, &byte, 1) == 1, byte != UInt8(ascii: "\n") { first.append(byte) }
            line.bytes = first
            lineRead.signal()
            stdout.bytes = readToEnd(outputDescriptor)
        }
        runOnThread(in: readers) { stderr.bytes = readToEnd(errorDescriptor) }

        if lineRead.wait(timeout: .now() + .seconds(Int(startTimeout.components.seconds))) == .timedOut {
            sendKill(to: process)
            throw PerlError.timedOut(after: startTimeout, stderr: collectedStderr.text)
        }
        firstLine = String(decoding: line.bytes, as: UTF8.self)
        if firstLine.isEmpty {  // it printed nothing before ending its output: it failed
            process.waitUntilExit()
            _ = readers.wait(timeout: .now() + .seconds(5))
            throw PerlError.failed(status: process.terminationStatus, stderr: collectedStderr.text)
        }
    }

    /// Closes the peer's standard input and waits for it to exit: what it printed after
    /// its first line, its standard error and its exit status. A peer that has not exited
    /// a few seconds after its input closed gets SIGTERM (the scripts stop on it as on
    /// end of input); after `timeout`, SIGKILL.
    func finish(timeout: Duration = .seconds(120)) throws -> (stdout: String, stderr: String, status: Int32) {
        try? input.fileHandleForWriting.close()
        if readers.wait(timeout: .now() + .seconds(5)) == .timedOut {
            kill(process.processIdentifier, SIGTERM)
            if readers.wait(timeout: .now() + .seconds(Int(timeout.components.seconds))) == .timedOut {
                sendKill(to: process)
                _ = readers.wait(timeout: .now() + .seconds(5))
                process.waitUntilExit()
                throw PerlError.timedOut(after: timeout, stderr: collectedStderr.text)
            }
        }
        process.waitUntilExit()
        return (collectedStdout.text, collectedStderr.text, process.terminationStatus)
    }

    /// Kills the peer at once (a server crash, for the fault tests) and waits for it.
    func crash() {
        sendKill(to: process)
        process.waitUntilExit()
        try? input.fileHandleForWriting.close()
        _ = readers.wait(timeout: .now() + .seconds(5))
    }

    deinit {
        if process.isRunning { sendKill(to: process) }
    }
}

private func sendKill(to process: Process) {
    kill(process.processIdentifier, SIGKILL)
}

extension Collected {
    var text: String { String(decoding: bytes, as: UTF8.self) }
}
