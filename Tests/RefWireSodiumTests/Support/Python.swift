import Dispatch
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Runs the independent Python implementation (`Python/refwire_sealing.py`, PyNaCl).
///
/// The interpreter is `$REFWIRE_PYTHON` (scripts/test sets it to the virtual environment
/// it makes, `.build/python`, where it installs PyNaCl), else `.build/python/bin/python3`
/// in the repository if it exists, else `python3` on `$PATH`. The tests fail, never skip,
/// when it or PyNaCl is missing.
enum Python {
    enum Failure: Error, CustomStringConvertible {
        case notFound(String)
        case timedOut(Duration, stderr: String)
        case failed(status: Int32, stdout: String, stderr: String)
        case noPort(stderr: String)

        var description: String {
            switch self {
            case .notFound(let searched): "no python3 found (\(searched)); run scripts/test, which installs PyNaCl"
            case .timedOut(let limit, let stderr): "python timed out after \(limit); stderr: \(stderr)"
            case .failed(let status, let stdout, let stderr): "python exited \(status); stdout: \(stdout); stderr: \(stderr)"
            case .noPort(let stderr): "the listening python peer printed no port; stderr: \(stderr)"
            }
        }
    }

    static var script: String {
        repositoryRoot().appendingPathComponent("Tests/RefWireSodiumTests/Python/refwire_sealing.py").path
    }

    static func interpreter() throws -> String {
        let environment = ProcessInfo.processInfo.environment
        if let python = environment["REFWIRE_PYTHON"], !python.isEmpty {
            guard FileManager.default.isExecutableFile(atPath: python) else { throw Failure.notFound("$REFWIRE_PYTHON=\(python)") }
            return python
        }
        let venv = repositoryRoot().appendingPathComponent(".build/python/bin/python3").path
        if FileManager.default.isExecutableFile(atPath: venv) { return venv }
        for directory in (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(directory)/python3"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw Failure.notFound("$REFWIRE_PYTHON, \(venv), $PATH")
    }

    /// Runs python with `arguments` to completion and returns its standard output.
    static func run(_ arguments: [String], timeout: Duration = .seconds(120)) throws -> String {
        let process = try PythonProcess(arguments)
        return try process.wait(timeout: timeout)
    }
}

/// A running python process whose standard output is read as it comes (the listening
/// peer prints its port first) and which is killed if it outlives its time.
final class PythonProcess: @unchecked Sendable {
    private let process = Process()
    private let stdout = Pipe()
    private let stderr = Pipe()
    private let lock = NSLock()
    private var collectedOut: [UInt8] = []
    private var collectedErr: [UInt8] = []
    private let readers = DispatchGroup()

    init(_ arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: try Python.interpreter())
        process.arguments = arguments
        // No __pycache__ folders in the source tree.
        process.environment = ProcessInfo.processInfo.environment.merging(["PYTHONDONTWRITEBYTECODE": "1"]) { $1 }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        for (pipe, isOut) in [(stdout, true), (stderr, false)] {
            readers.enter()
            Thread { [self] in
                let descriptor = pipe.fileHandleForReading.fileDescriptor
                var buffer = [UInt8](repeating: 0, count: 4096)
                while true {
                    let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                    if count > 0 {
                        lock.withLock {
                            if isOut { collectedOut += buffer[..<count] } else { collectedErr += buffer[..<count] }
                        }
                    } else if count == 0 || errno != EINTR {
                        break
                    }
                }
                readers.leave()
            }.start()
        }
    }

    var standardError: String { lock.withLock { String(decoding: collectedErr, as: UTF8.self) } }

    /// The first line of standard output, waiting up to `timeout` for it.
    func firstLine(timeout: Duration) throws -> String {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let line = lock.withLock({ collectedOut.firstIndex(of: 0x0A).map { String(decoding: collectedOut[..<$0], as: UTF8.self) } }) {
                return line
            }
            if !process.isRunning { break }
            Thread.sleep(forTimeInterval: 0.01)
        }
        throw Python.Failure.noPort(stderr: standardError)
    }

    /// Waits for the process to exit (killing it after `timeout`) and returns its output;
    /// throws unless it exited 0.
    func wait(timeout: Duration) throws -> String {
        let finished = DispatchSemaphore(value: 0)
        let process = self.process
        Thread {
            process.waitUntilExit()
            finished.signal()
        }.start()
        let seconds = Double(timeout.components.seconds)
        if finished.wait(timeout: .now() + seconds) == .timedOut {
            process.terminate()
            _ = finished.wait(timeout: .now() + 5)
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            throw Python.Failure.timedOut(timeout, stderr: standardError)
        }
        _ = readers.wait(timeout: .now() + 10)
        let output = lock.withLock { String(decoding: collectedOut, as: UTF8.self) }
        guard process.terminationStatus == 0, process.terminationReason == .exit else {
            throw Python.Failure.failed(status: process.terminationStatus, stdout: output, stderr: standardError)
        }
        return output
    }

    deinit {
        if process.isRunning { process.terminate() }
    }
}
