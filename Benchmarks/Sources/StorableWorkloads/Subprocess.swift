#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A child process whose stdin and stdout are pipes to us (stderr is ours), driven one
/// line at a time: the Perl timing co-process, and the tools run to completion.
public final class ChildProcess {
    public let pid: pid_t
    private var input: Int32
    private var output: Int32
    private var buffered: [UInt8] = []

    /// Starts `executable` (looked up in `PATH` if it has no slash) with `arguments`,
    /// and with `environment` added to ours.
    public init(_ executable: String, _ arguments: [String], environment: [String: String] = [:])
        throws(SubprocessError)
    {
        signal(SIGPIPE, SIG_IGN)  // a child that dies must not take us with it
        var toChild: [Int32] = [-1, -1]
        var fromChild: [Int32] = [-1, -1]
        guard pipe(&toChild) == 0, pipe(&fromChild) == 0 else { throw .system("pipe", errno) }
        for fd in toChild + fromChild { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, toChild[0], 0)
        posix_spawn_file_actions_adddup2(&actions, fromChild[1], 1)

        var variables: [String] = []
        var index = 0
        while let entry = environ[index] {
            let text = String(cString: entry)
            let name = text.split(separator: "=", maxSplits: 1).first.map(String.init) ?? text
            if environment[name] == nil { variables.append(text) }
            index += 1
        }
        variables += environment.map { "\($0.key)=\($0.value)" }
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = variables.map { strdup($0) } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var child: pid_t = 0
        let result = posix_spawnp(&child, executable, &actions, nil, argv, envp)
        close(toChild[0])
        close(fromChild[1])
        guard result == 0 else {
            close(toChild[1])
            close(fromChild[0])
            throw .system("posix_spawn \(executable)", result)
        }
        pid = child
        input = toChild[1]
        output = fromChild[0]
    }

    deinit {
        if input >= 0 { close(input) }
        if output >= 0 { close(output) }
    }

    /// Writes `line` and a newline to the child's stdin.
    public func send(_ line: String) throws(SubprocessError) {
        let bytes = Array((line + "\n").utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { write(input, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                throw .system("write to child", errno)
            }
            offset += written
        }
    }

    /// The next line the child writes, without its newline; nil at the end of its output.
    public func readLine() throws(SubprocessError) -> String? {
        while true {
            if let newline = buffered.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffered[..<newline], as: UTF8.self)
                buffered.removeSubrange(...newline)
                return line
            }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let count = chunk.withUnsafeMutableBytes { read(output, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw .system("read from child", errno)
            }
            if count == 0 {
                guard !buffered.isEmpty else { return nil }
                let line = String(decoding: buffered, as: UTF8.self)
                buffered.removeAll()
                return line
            }
            buffered.append(contentsOf: chunk[0..<count])
        }
    }

    /// Closes the child's stdin, reads the rest of its output and waits for it to exit.
    /// Returns the lines it wrote, or throws if it failed.
    @discardableResult
    public func finish() throws(SubprocessError) -> [String] {
        if input >= 0 {
            close(input)
            input = -1
        }
        var lines: [String] = []
        while let line = try readLine() { lines.append(line) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw .system("waitpid", errno) }
        }
        let exited = status & 0x7F == 0
        let code = exited ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        guard code == 0 else { throw .failed(pid: pid, status: code, output: lines) }
        return lines
    }

    /// Runs `executable` to completion; its stdout, line by line.
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:])
        throws(SubprocessError) -> [String]
    {
        try ChildProcess(executable, arguments, environment: environment).finish()
    }
}

public enum SubprocessError: Error, CustomStringConvertible {
    case system(String, Int32)
    case failed(pid: pid_t, status: Int32, output: [String])
    case protocolError(String)

    public var description: String {
        switch self {
        case .system(let call, let code): "\(call) failed: \(String(cString: strerror(code)))"
        case .failed(let pid, let status, let output):
            "child \(pid) exited with status \(status)" + (output.isEmpty ? "" : ": \(output.joined(separator: " / "))")
        case .protocolError(let detail): detail
        }
    }
}
