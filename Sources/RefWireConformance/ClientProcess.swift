#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import NIOCore
import NIOPosix
import RefWire
import Synchronization

/// A client program under test: `/bin/sh -c COMMAND` in its own process group, its
/// standard input and output on pipes driven by NIO (so every wait is bounded), its
/// standard error inherited (`Spec/conformance.md` §3).
final class ClientProcess: Sendable {
    let pid: pid_t
    private let pipes: FrameConnection
    private let buffer = Mutex<(bytes: [UInt8], ended: Bool)>(([], false))
    private let reaped = Mutex(false)

    /// Our writes to a client that exited must fail with EPIPE, not kill the runner.
    private static let ignoreSIGPIPE: Void = {
        #if canImport(Glibc)
        _ = Glibc.signal(SIGPIPE, SIG_IGN)
        #elseif canImport(Musl)
        _ = Musl.signal(SIGPIPE, SIG_IGN)
        #else
        _ = Darwin.signal(SIGPIPE, SIG_IGN)
        #endif
    }()

    /// Starts `command` with `environment` added to ours.
    init(command: String, environment: [String: String], group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton)
        async throws(ScenarioError)
    {
        _ = Self.ignoreSIGPIPE
        var input: [Int32] = [-1, -1]  // the child's stdin
        var output: [Int32] = [-1, -1]  // the child's stdout
        // Close-on-exec from the start: no other child started meanwhile inherits them.
        guard Self.makePipe(&input), Self.makePipe(&output) else {
            for fd in input + output where fd >= 0 { close(fd) }
            throw ScenarioError("cannot make pipes: \(String(cString: strerror(errno)))")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, input[0], 0)
        posix_spawn_file_actions_adddup2(&actions, output[1], 1)
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
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP))

        var merged = ProcessInfo.processInfo.environment
        for (key, value) in environment { merged[key] = value }
        let words: [String] = ["/bin/sh", "-c", command]
        let argv: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var child: pid_t = 0
        let result = posix_spawn(&child, "/bin/sh", &actions, &attributes, argv, envp)
        close(input[0])
        close(output[1])
        guard result == 0 else {
            close(input[1])
            close(output[0])
            throw ScenarioError("cannot start /bin/sh: \(String(cString: strerror(result)))")
        }
        pid = child
        let box = FrameConnection.InboxBox()
        do {
            let channel = try await NIOPipeBootstrap(group: group)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(FrameConnection.ByteCollector(box: box))
                    }
                }
                .takingOwnershipOfDescriptors(input: output[0], output: input[1]).get()
            pipes = FrameConnection(accepted: channel, isSealed: false, box: box)
        } catch {
            close(output[0])
            close(input[1])
            kill(-child, SIGKILL)
            var status: Int32 = 0
            _ = waitpid(child, &status, 0)
            throw ScenarioError("cannot watch the client's pipes: \(error)")
        }
    }

    private static func makePipe(_ fds: inout [Int32]) -> Bool {
        #if os(Linux)
        return fds.withUnsafeMutableBufferPointer { systemPipe2($0.baseAddress!, Int32(O_CLOEXEC)) } == 0
        #else
        guard pipe(&fds) == 0 else { return false }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        return true
        #endif
    }

    /// Writes one line (an action) to the client's standard input.
    func write(line: [UInt8]) async throws(ScenarioError) {
        do throws(ScenarioError) {
            try await pipes.write(line)
        } catch {
            throw ScenarioError("cannot write to the client's standard input (did it exit?): \(error)")
        }
    }

    /// The next line of the client's standard output (without `\n`), `nil` at its end;
    /// throws when none comes by `deadline`.
    func nextLine(by deadline: ContinuousClock.Instant) async throws(ScenarioError) -> [UInt8]? {
        while true {
            let (line, ended): ([UInt8]?, Bool) = buffer.withLock { buffer in
                if let newline = buffer.bytes.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = Array(buffer.bytes[..<newline])
                    buffer.bytes.removeSubrange(...newline)
                    return (line, false)
                }
                if buffer.ended && !buffer.bytes.isEmpty {
                    defer { buffer.bytes = [] }
                    return (buffer.bytes, false)
                }
                return (nil, buffer.ended)
            }
            if let line { return line }
            if ended { return nil }
            let remaining = deadline - .now
            guard remaining > .zero else { throw ScenarioError("the client wrote no event in time") }
            switch await pipes.next(timeout: remaining) {
            case nil: throw ScenarioError("the client wrote no event in time")
            case .end, .payload: buffer.withLock { $0.ended = true }
            case .bytes(let bytes): buffer.withLock { $0.bytes += bytes }
            }
        }
    }

    /// Ends the client's standard input (the scenario is over).
    func closeInput() async {
        try? await pipes.channel.close(mode: .output)
    }

    /// Ends the client: closes its standard input, waits up to `grace` for its standard
    /// output to end (it exits), then kills its process group and reaps it.
    func finish(grace: Duration) async {
        await closeInput()
        if grace > .zero {
            let deadline = ContinuousClock.now + grace
            while (try? await nextLine(by: deadline)) ?? nil != nil {}
        }
        await terminate()
    }

    /// Sends `signal` to the process group (unless the shell was reaped).
    func signal(_ number: Int32) {
        reaped.withLock { done in
            if !done { _ = kill(-pid, number) }
        }
    }

    /// Waits up to `timeout` for the shell to exit and reaps it: its exit status, or 128 +
    /// the signal that ended it; `nil` if it had not exited (it is then killed).
    func exitStatus(within timeout: Duration) async -> Int32? {
        let deadline = ContinuousClock.now + timeout
        var status: Int32 = 0
        while true {
            let alreadyReaped = reaped.withLock { $0 }
            if alreadyReaped { return nil }
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid {
                reaped.withLock { $0 = true }
                try? await pipes.channel.close()
                return status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
            }
            if result < 0 && errno != EINTR { return nil }
            if ContinuousClock.now >= deadline {
                await terminate()
                return nil
            }
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Kills the process group at once and reaps the shell.
    func terminate() async {
        let alreadyReaped = reaped.withLock { done in
            defer { done = true }
            return done
        }
        guard !alreadyReaped else { return }
        // The shell is not reaped yet, so its pid (the group's id) cannot have been reused.
        kill(-pid, SIGKILL)
        var status: Int32 = 0
        let deadline = ContinuousClock.now + .seconds(5)
        while waitpid(pid, &status, WNOHANG) == 0, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(5))
        }
        try? await pipes.channel.close()
    }
}

#if os(Linux)
/// glibc's `pipe2`, which the Glibc module does not export (it needs `_GNU_SOURCE`).
@_silgen_name("pipe2")
private func systemPipe2(_ fds: UnsafeMutablePointer<Int32>, _ flags: Int32) -> Int32
#endif

/// Connections accepted by the runner's listener, waited for with a bound.
final class AcceptQueue: Sendable {
    private struct State {
        var items: [FrameConnection] = []
        var waiter: (token: UInt64, continuation: CheckedContinuation<FrameConnection?, Never>)?
        var nextToken: UInt64 = 0
        /// A wait whose time ran out before it was registered.
        var expired: UInt64?
    }

    private let state = Mutex(State())

    func push(_ connection: FrameConnection) {
        let waiter: CheckedContinuation<FrameConnection?, Never>? = state.withLock { state in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter.continuation
            }
            state.items.append(connection)
            return nil
        }
        waiter?.resume(returning: connection)
    }

    /// The next connection, or `nil` if none came within `timeout`.
    func next(timeout: Duration) async -> FrameConnection? {
        let token: UInt64 = state.withLock { state in
            state.nextToken += 1
            return state.nextToken
        }
        let timer = Task { [self] in
            try? await Task.sleep(for: timeout)
            let waiter: CheckedContinuation<FrameConnection?, Never>? = state.withLock { state in
                guard let waiter = state.waiter, waiter.token == token else {
                    state.expired = token
                    return nil
                }
                state.waiter = nil
                return waiter.continuation
            }
            waiter?.resume(returning: nil)
        }
        defer { timer.cancel() }
        return await withCheckedContinuation { (continuation: CheckedContinuation<FrameConnection?, Never>) in
            let ready: FrameConnection?? = state.withLock { state in
                if !state.items.isEmpty { return .some(state.items.removeFirst()) }
                if state.expired == token { return .some(nil) }
                state.waiter = (token, continuation)
                return .none
            }
            if case .some(let connection) = ready { continuation.resume(returning: connection) }
        }
    }

    /// Every connection accepted and not taken.
    func drain() -> [FrameConnection] {
        state.withLock { state in
            defer { state.items = [] }
            return state.items
        }
    }
}
