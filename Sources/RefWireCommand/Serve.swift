import ArgumentParser
import Dispatch
import Logging
import RefWire
import RefWireNIO
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// `refwire serve --listen HOST:PORT [--echo]`: a reference-frame server for POE peers.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Accept connections from POE peers and answer or record their messages.",
        discussion: """
            Listens on HOST:PORT (port 0: any free port, printed as the first line of \
            standard output) for peers that speak POE::Filter::Reference with the given \
            serializer and compression. Apache::Backend::POE pings ({cmd => 'ping'}) are \
            answered with {event => 'pong'}. With --echo, every other message is answered \
            with the same message; without it, each message is written to standard output \
            as a frame (same serializer and compression) and not answered.

            SIGINT or SIGTERM shuts down gracefully: the server stops accepting, lets the \
            requests in progress finish and their replies go out, then closes every \
            connection (after --grace-period at the latest); a second signal closes at once.

            Exit status: 0 after a shutdown; 64 usage error; 66 a key file cannot be read; \
            69 the address cannot be bound; 74 standard output cannot be written.
            """)

    @Option(help: ArgumentHelp("The address to listen on: HOST:PORT, or [IPV6]:PORT.", valueName: "host:port"))
    var listen: HostAndPort

    @Flag(help: "Answer every message with the same message.")
    var echo = false

    @Flag(name: .customLong("protocol"), help: "Run the session protocol's server (Spec/protocol.md) instead.")
    var sessionProtocol = false

    @Argument(help: ArgumentHelp(
        "With --protocol: the server's configuration, e.g. max_aliases_per_connection=2 serializers=nstorable,json (Spec/conformance.md §2.1).",
        valueName: "key=value"))
    var settings: [String] = []

    @OptionGroup
    var connection: ConnectionOptions

    @Option(help: ArgumentHelp("Connections beyond this many are closed at once.", valueName: "count"))
    var maxConnections = RefWireServer.Configuration().maximumConnections

    @Option(help: ArgumentHelp(
        "Longest a graceful shutdown waits for requests in progress, in seconds.", valueName: "seconds"))
    var gracePeriod = 30.0

    func validate() throws {
        guard maxConnections >= 1 else { throw ValidationError("--max-connections must be at least 1.") }
        guard gracePeriod >= 0 else { throw ValidationError("--grace-period must not be negative.") }
        guard !(echo && sessionProtocol) else { throw ValidationError("--echo and --protocol exclude each other.") }
        guard sessionProtocol || settings.isEmpty else { throw ValidationError("KEY=VALUE settings configure --protocol.") }
        do throws(SessionServerOptions.SettingError) {
            _ = try SessionServerOptions().applying(settings: settings)
        } catch {
            throw ValidationError("\(error)")
        }
    }

    func run() async throws {
        let signals = ShutdownSignals()
        if sessionProtocol { return try await serveProtocol(signals: signals) }  // ServeProtocol.swift
        let server: RefWireServer
        do throws(CommandFailure) {
            let wire = try connection.wire()
            var configuration = RefWireServer.Configuration(host: listen.host, port: listen.port, wire: wire)
            configuration.maximumConnections = maxConnections
            server = RefWireServer(
                configuration: configuration, logger: commandLogger("refwire.serve"), handler: handler(wire))
        } catch {
            StandardError.write("refwire: \(error.message)\n")
            throw ExitCode(error.exitStatus)
        }
        do {
            try await server.start()
        } catch {
            StandardError.write("refwire: cannot listen on \(listen): \(error)\n")
            throw ExitCode(ExitStatus.unavailable)
        }
        if listen.port == 0, let port = server.port {
            recorder.write(Array("\(port)\n".utf8))
        }
        await signals.next()
        let immediate = Task {
            await signals.next()
            await server.shutdownNow()
        }
        await server.shutdown(gracePeriod: .milliseconds(Int64(gracePeriod * 1000)))
        immediate.cancel()
        if recorder.failed { throw ExitCode(ExitStatus.ioError) }
    }

    /// Standard output, shared by the connections' event loops.
    private var recorder: FrameRecorder { FrameRecorder.standardOutput }

    private func handler(_ wire: WireConfiguration) -> RefWireServer.Handler {
        if echo { return { message, _ in message } }
        let writer = connection.frameWriter()
        let (codec, format) = (wire.codec, wire.format)
        let recorder = self.recorder
        return { message, _ in
            // A value the server decoded re-encodes in the same format; should it not,
            // the peer is told by its connection closing (the handler throws).
            var frame: [UInt8] = []
            try writer.write(try codec.encode(message, as: format), into: &frame)
            recorder.write(frame)
            return nil
        }
    }
}

/// Frames written to standard output from several threads, one whole frame at a time.
final class FrameRecorder: Sendable {
    static let standardOutput = FrameRecorder(descriptor: STDOUT_FILENO)

    private let descriptor: Int32
    private let state = Mutex(false)

    private init(descriptor: Int32) { self.descriptor = descriptor }

    /// Whether a write failed (the rest are dropped).
    var failed: Bool { state.withLock { $0 } }

    func write(_ bytes: [UInt8]) {
        state.withLock { failed in
            guard !failed else { return }
            failed = bytes.withUnsafeBytes { writeAll(descriptor, $0) } != nil
        }
    }
}

/// SIGINT and SIGTERM, delivered one at a time to whoever awaits ``next()``.
final class ShutdownSignals: Sendable {
    private let stream: AsyncStream<Int32>
    /// Kept so that the sources live as long as this; never touched again.
    private let sources: Mutex<[any DispatchSourceSignal]>

    init() {
        let (stream, continuation) = AsyncStream.makeStream(of: Int32.self)
        self.stream = stream
        sources = Mutex([SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)  // delivered to the dispatch source instead
            let source = DispatchSource.makeSignalSource(signal: number)
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            return source
        })
    }

    /// Waits for the next signal. One waiter at a time (AsyncStream has one consumer).
    func next() async {
        var iterator = stream.makeAsyncIterator()
        _ = await iterator.next()
    }
}
