import Logging
import Synchronization
import NIOCore
import NIOPosix
import RefWire
import RefWireSodium

/// The session protocol's server (`Spec/protocol.md`) over SwiftNIO: a ``RefWire/SessionServer``
/// state machine behind a lock, driven by the connections of its own listener.
///
/// Why not ``RefWireServer``: its handler answers one request with at most one reply,
/// while the session server routes messages between connections, must hear of every
/// connection as it opens and of every payload that does not decode (fed to the state
/// machine as `.unreadable`), and switches a connection's serializer after writing its
/// `welcome`. The pipeline is the same (``NIOCore/ChannelPipeline/SynchronousOperations/addRefWireHandlers(_:role:)``).
///
/// Ordering: every input is handled under the lock, and each output is handed to its
/// connection's event loop with `execute` while the lock is still held, so each
/// connection sees its messages in the order the state machine produced them. A
/// `configure` output switches the pipeline after the `welcome` before it was encoded; a
/// `close` output half-closes after the writes before it complete, then closes at the
/// peer's end of input or after ``Configuration/closeLinger``.
public final class RefWireSessionServer: Sendable {
    public struct Configuration: Sendable {
        /// The address to listen on; port 0 picks a free port (see ``port``).
        public var host: String
        public var port: Int
        /// The wire every connection starts with (POE's default: `nstorable`, uncompressed).
        public var wire: WireConfiguration
        /// What the state machine offers and enforces.
        public var session: SessionServerOptions
        /// Connections beyond this many are closed at once. Default: 1024.
        public var maximumConnections: Int
        /// How long a connection the server closed may wait for its peer to close before
        /// the server closes it fully (lets the peer read everything; default 2 s).
        public var closeLinger: Duration
        public var backlog: Int32

        public init(
            host: String = "127.0.0.1", port: Int = 0, wire: WireConfiguration = WireConfiguration(),
            session: SessionServerOptions = SessionServerOptions(), maximumConnections: Int = 1024,
            closeLinger: Duration = .seconds(2), backlog: Int32 = 256
        ) {
            precondition(maximumConnections >= 1, "maximumConnections must be at least 1")
            self.host = host
            self.port = port
            self.wire = wire
            self.session = session
            self.maximumConnections = maximumConnections
            self.closeLinger = closeLinger
            self.backlog = backlog
        }
    }

    public let configuration: Configuration
    public let logger: Logger
    private let group: any EventLoopGroup

    struct Connection: Sendable {
        var channel: any Channel
        var handler: NIOLoopBound<SessionServerHandler>
    }

    struct State {
        var server: SessionServer
        var connections: [ConnectionID: Connection] = [:]
        var nextConnection: UInt64 = 1
        var listener: (any Channel)?
        var boundPort: Int?
        var isShuttingDown = false
    }

    private let state: Mutex<State>

    public init(
        configuration: Configuration, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "refwire.session-server")
    ) {
        self.configuration = configuration
        self.group = group
        self.logger = logger
        self.state = Mutex(State(server: SessionServer(options: configuration.session)))
    }

    /// The bound port, once listening.
    public var port: Int? { state.withLock { $0.boundPort } }

    /// The number of open connections.
    public var connectionCount: Int { state.withLock { $0.connections.count } }

    /// Reads the state machine (e.g. `invariantViolations()` in tests).
    public func inspect<Result>(_ body: (SessionServer) -> Result) -> Result {
        state.withLock { body($0.server) }
    }

    /// Binds and starts accepting connections.
    public func start() async throws(SessionTransportError) {
        let wire = configuration.wire
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: configuration.backlog)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addRefWireHandlers(wire, role: .responder)
                    try channel.pipeline.syncOperations.addHandler(SessionServerHandler(server: self, wire: wire))
                }
            }
        do {
            let listener = try await bootstrap.bind(host: configuration.host, port: configuration.port).get()
            state.withLock {
                $0.listener = listener
                $0.boundPort = listener.localAddress?.port
            }
        } catch {
            throw .unavailable("cannot listen on \(configuration.host):\(configuration.port): \(error)")
        }
    }

    /// Sends every connection `bye` (`code => 'shutdown'`), closes them and stops
    /// listening; waits at most `gracePeriod` for the connections to end.
    public func shutdown(text: String = "the server is shutting down", gracePeriod: Duration = .seconds(5)) async {
        let listener: (any Channel)? = state.withLock { state in
            state.isShuttingDown = true
            let outputs = state.server.shutdown(text: text)
            dispatch(outputs, in: state)
            defer { state.listener = nil }
            return state.listener
        }
        try? await listener?.close()
        let deadline = ContinuousClock.now + gracePeriod
        while connectionCount > 0, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        let remaining = state.withLock { Array($0.connections.values) }
        for connection in remaining { connection.channel.close(promise: nil) }
    }

    // MARK: - From the connections

    /// A new connection: registers it (or refuses it past the limit) and feeds `.connected`.
    func opened(_ channel: any Channel, handler: SessionServerHandler) -> ConnectionID? {
        let sealing = configuration.wire.sealing?.mode.identifier ?? SessionSealing.none
        return state.withLock { state in
            guard !state.isShuttingDown, state.connections.count < configuration.maximumConnections else { return nil }
            let id = ConnectionID(state.nextConnection)
            state.nextConnection += 1
            state.connections[id] = Connection(channel: channel, handler: NIOLoopBound(handler, eventLoop: channel.eventLoop))
            dispatch(state.server.handle(.connected(id, sealing: sealing)), in: state)
            return id
        }
    }

    func input(_ input: SessionServer.Input) {
        state.withLock { state in
            if case .disconnected(let id) = input { state.connections[id] = nil }
            dispatch(state.server.handle(input), in: state)
        }
    }

    private func dispatch(_ outputs: [SessionServer.Output], in state: State) {
        for output in outputs {
            let id: ConnectionID
            switch output {
            case .send(_, let connection), .configure(let connection, _), .close(let connection): id = connection
            }
            guard let connection = state.connections[id] else { continue }
            let handler = connection.handler
            connection.channel.eventLoop.execute { handler.value.apply(output) }
        }
    }
}

/// The last handler of a session server connection: values in, state machine outputs out.
final class SessionServerHandler: ChannelInboundHandler {
    typealias InboundIn = PerlValue
    typealias OutboundOut = PerlValue

    private let server: RefWireSessionServer
    private let wire: WireConfiguration
    private var context: ChannelHandlerContext?
    private var id: ConnectionID?
    private var closing = false
    private var lastWrite: EventLoopFuture<Void>?

    init(server: RefWireSessionServer, wire: WireConfiguration) {
        self.server = server
        self.wire = wire
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive { register(context: context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        register(context: context)
        context.fireChannelActive()
    }

    private func register(context: ChannelHandlerContext) {
        guard id == nil, !closing else { return }
        guard let id = server.opened(context.channel, handler: self) else {
            closing = true
            context.close(promise: nil)
            return
        }
        self.id = id
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let id, !closing else { return }
        server.input(.message(unwrapInboundIn(data), from: id))
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let error = error as? PayloadError {
            // One frame did not decode; the stream goes on (Spec/protocol.md §6 malformed_payload).
            guard let id, !closing else { return }
            server.input(.unreadable(from: id, reason: "\(error)"))
            return
        }
        // Framing or sealing failed: the stream cannot go on.
        server.logger.debug("session connection failed", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        closing = true
        if let id {
            self.id = nil
            server.input(.disconnected(id))
        }
        context.fireChannelInactive()
    }

    /// Carries out one output of the state machine, on the channel's event loop.
    func apply(_ output: SessionServer.Output) {
        guard let context else { return }
        switch output {
        case .send(let message, _):
            let logger = server.logger
            let write = context.writeAndFlush(wrapOutboundOut(message))
            write.whenFailure { error in logger.debug("session write failed", metadata: ["error": "\(error)"]) }
            lastWrite = write
        case .configure(_, let negotiation):
            do {
                try context.pipeline.syncOperations.applyNegotiation(negotiation, wire: wire)
            } catch {
                server.logger.error("cannot apply the negotiation", metadata: ["error": "\(error)"])
                context.close(promise: nil)
            }
        case .close:
            guard !closing else { return }
            closing = true
            let channel = context.channel
            let linger = TimeAmount.nanoseconds(Int64(server.configuration.closeLinger.components.seconds) * 1_000_000_000
                + server.configuration.closeLinger.components.attoseconds / 1_000_000_000)
            let done = lastWrite ?? context.eventLoop.makeSucceededVoidFuture()
            done.whenComplete { _ in
                // Half-close: the peer reads everything sent, then its end of input closes us.
                channel.close(mode: .output, promise: nil)
                channel.eventLoop.scheduleTask(in: linger) { channel.close(promise: nil) }
            }
        }
    }
}
