import Logging
import NIOCore
import NIOPosix
import RefWire
import RefWireSodium
import Synchronization

/// A server for reference-frame peers, in the spirit of a POE TCP server: every value a
/// peer sends is handed to an async handler, whose return value (if any) is sent back.
///
/// ```swift
/// let server = RefWireServer(configuration: .init(port: 7070)) { request, connection in
///     ["status": "ok", "echo": request]        // nil would send no reply
/// }
/// try await server.start()
/// print(server.port!)                         // the bound port (port 0 picks one)
/// …
/// await server.shutdown(gracePeriod: .seconds(10))
/// ```
///
/// - Order: requests on one connection are handled one after another, in order, so
///   replies go back in the order the requests came, as POE peers expect. Connections
///   are handled concurrently.
/// - Pings: Apache::Backend::POE's `{cmd => 'ping'}` is answered by the server itself
///   (``Configuration/answersPings``), in order with the other replies.
/// - A handler that throws gets its connection closed (after the replies already
///   written): a peer that matches replies to requests in order must not see a reply
///   go missing.
/// - A connection that closes cancels the task of the request being handled on it.
/// - Back-pressure: a connection whose peer does not read its replies stops being read
///   (its outbound buffer is bounded by ``Configuration/outboundHighWaterMark`` plus one
///   reply), and so does one with ``Configuration/maximumQueuedRequests`` requests waiting.
/// - Limits: ``Configuration/maximumConnections``; frame, payload and sealing limits from
///   the ``WireConfiguration``.
public final class RefWireServer: Sendable {
    /// What the server runs for each request: the reply to send, or `nil` for none.
    ///
    /// `nonisolated(nonsending)`: the handler runs on the connection's event loop thread
    /// (until it awaits something that runs elsewhere), so a request costs no thread hop.
    /// Do not block in it: the event loop serves other connections too.
    public typealias Handler =
        nonisolated(nonsending) @Sendable (PerlValue, RefWireServerConnection) async throws -> PerlValue?

    public struct Configuration: Sendable {
        /// The address to bind. Default: 127.0.0.1.
        public var host: String
        /// The port to bind; 0 picks a free one (see ``RefWireServer/port``).
        public var port: Int
        public var wire: WireConfiguration
        /// Connections beyond this many are closed as soon as they are accepted.
        /// Default: 1,024.
        public var maximumConnections: Int
        /// Requests received on one connection and not yet handled at which the server
        /// stops reading from it (it reads again at half as many). One read may overshoot
        /// it by the frames that read carried. Default: 64.
        public var maximumQueuedRequests: Int
        /// Outbound bytes buffered for one connection above which it counts as not
        /// writable: the server stops reading from it and holds its next reply. Default: 256 KiB.
        public var outboundHighWaterMark: Int
        /// Below this, a connection that was not writable is again. Default: 64 KiB.
        public var outboundLowWaterMark: Int
        /// Whether Apache::Backend::POE pings are answered without calling the handler.
        /// Default: true.
        public var answersPings: Bool
        /// The listen backlog. Default: 256.
        public var backlog: Int32

        public init(
            host: String = "127.0.0.1", port: Int = 0, wire: WireConfiguration = .init(),
            maximumConnections: Int = 1024, maximumQueuedRequests: Int = 64,
            outboundHighWaterMark: Int = 256 << 10, outboundLowWaterMark: Int = 64 << 10,
            answersPings: Bool = true, backlog: Int32 = 256
        ) {
            precondition(maximumConnections >= 1 && maximumQueuedRequests >= 1, "limits must be positive")
            precondition(0 < outboundLowWaterMark && outboundLowWaterMark <= outboundHighWaterMark, "invalid water marks")
            self.host = host
            self.port = port
            self.wire = wire
            self.maximumConnections = maximumConnections
            self.maximumQueuedRequests = maximumQueuedRequests
            self.outboundHighWaterMark = outboundHighWaterMark
            self.outboundLowWaterMark = outboundLowWaterMark
            self.answersPings = answersPings
            self.backlog = backlog
        }
    }

    public let configuration: Configuration
    public let logger: Logger
    let handler: Handler
    private let group: any EventLoopGroup
    private let state = Mutex(State())

    private struct State: ~Copyable {
        var listener: (any Channel)?
        var boundPort: Int?
        var connections: [Int: RefWireServerConnection] = [:]
        var nextConnectionID = 1
        var isShuttingDown = false
    }

    /// A server; nothing is bound until ``start()``.
    public init(
        configuration: Configuration, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "RefWireServer"), handler: @escaping Handler
    ) {
        self.configuration = configuration
        self.group = group
        self.logger = logger
        self.handler = handler
    }

    /// The port the server listens on (or last listened on); `nil` before ``start()``.
    public var port: Int? { state.withLock { $0.boundPort } }

    /// How many connections are open.
    public var connectionCount: Int { state.withLock { $0.connections.count } }

    /// Whether the listening socket is open.
    public var isListening: Bool { state.withLock { $0.listener != nil } }

    /// Binds and starts accepting connections.
    public func start() async throws {
        try await startListening()
    }

    /// Opens the listening socket: on the configured port the first time, on the port
    /// bound before after ``stopListening()``.
    public func startListening() async throws {
        let port: Int = try state.withLock { state in
            if state.isShuttingDown { throw ChannelError.ioOnClosedChannel }
            return state.boundPort ?? configuration.port
        }
        if isListening { return }
        let listener = try await makeBootstrap().bind(host: configuration.host, port: port).get()
        let bound = listener.localAddress?.port ?? port
        let stale: (any Channel)? = state.withLock { state in
            if state.isShuttingDown || state.listener != nil { return listener }
            state.listener = listener
            state.boundPort = bound
            return nil
        }
        if let stale {
            try? await stale.close()
            return
        }
        logger.info("listening", metadata: ["host": "\(configuration.host)", "port": "\(bound)"])
    }

    /// Closes the listening socket; open connections go on being served.
    public func stopListening() async {
        let listener = state.withLock { state in
            defer { state.listener = nil }
            return state.listener
        }
        guard let listener else { return }
        try? await listener.close()
        logger.info("stopped listening", metadata: ["port": "\(port ?? 0)"])
    }

    /// Stops accepting connections, lets every connection finish the requests it has
    /// received (their replies are written), then closes it. Connections still open after
    /// `gracePeriod` are closed at once. Returns when every connection is closed.
    public func shutdown(gracePeriod: Duration = .seconds(30)) async {
        let connections = beginShutdown()
        await stopListening()
        logger.info("shutting down", metadata: ["connections": "\(connections.count)"])
        guard !connections.isEmpty else { return }
        for connection in connections {
            connection.channel.pipeline.triggerUserOutboundEvent(ServerConnectionHandler.Drain(), promise: nil)
        }
        let loop = group.next()
        let deadline = loop.scheduleTask(in: TimeAmount(gracePeriod)) { [logger] in
            logger.warning("grace period over: closing the remaining connections")
            for connection in connections { connection.channel.close(promise: nil) }
        }
        try? await EventLoopFuture.andAllComplete(connections.map { $0.channel.closeFuture }, on: loop).get()
        deadline.cancel()
    }

    /// Stops accepting connections and closes every connection now; requests in flight
    /// get no reply.
    public func shutdownNow() async {
        let connections = beginShutdown()
        await stopListening()
        for connection in connections { connection.channel.close(promise: nil) }
        try? await EventLoopFuture.andAllComplete(connections.map { $0.channel.closeFuture }, on: group.next()).get()
    }

    private func beginShutdown() -> [RefWireServerConnection] {
        state.withLock { state in
            state.isShuttingDown = true
            return Array(state.connections.values)
        }
    }

    // MARK: - Connections

    private func makeBootstrap() -> ServerBootstrap {
        let configuration = configuration
        return ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: configuration.backlog)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelOption(
                .writeBufferWaterMark,
                value: .init(low: configuration.outboundLowWaterMark, high: configuration.outboundHighWaterMark)
            )
            .childChannelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture { try self.initialize(channel) }
            }
    }

    /// Admits a connection (or refuses it over the limit) and sets up its pipeline.
    private func initialize(_ channel: any Channel) throws {
        let admitted: RefWireServerConnection? = state.withLock { state in
            guard !state.isShuttingDown, state.connections.count < configuration.maximumConnections else { return nil }
            let id = state.nextConnectionID
            state.nextConnectionID += 1
            var logger = logger
            logger[metadataKey: "connection"] = "\(id)"
            let connection = RefWireServerConnection(id: id, channel: channel, logger: logger)
            state.connections[id] = connection
            return connection
        }
        guard let connection = admitted else {
            logger.warning(
                "connection refused: at the connection limit or shutting down",
                metadata: ["peer": "\(channel.remoteAddress.map { "\($0)" } ?? "?")",
                           "limit": "\(configuration.maximumConnections)"])
            channel.close(promise: nil)
            return
        }
        connection.logger.debug("connection accepted", metadata: ["peer": "\(channel.remoteAddress.map { "\($0)" } ?? "?")"])
        channel.closeFuture.whenComplete { [self] _ in
            state.withLock { _ = $0.connections.removeValue(forKey: connection.id) }
            connection.logger.debug("connection closed")
            connection.runCloseHandlers()
        }
        let sync = channel.pipeline.syncOperations
        try sync.addRefWireHandlers(configuration.wire, role: .responder)
        try sync.addHandler(ServerConnectionHandler(server: self, connection: connection))
    }
}

/// One peer's connection, as a ``RefWireServer`` handler sees it.
public final class RefWireServerConnection: Sendable {
    /// A number unique within the server.
    public let id: Int
    public let remoteAddress: SocketAddress?
    /// The server's logger with this connection's id as metadata.
    public let logger: Logger
    let channel: any Channel
    private let closeHandlers = Mutex<[@Sendable () -> Void]?>([])

    init(id: Int, channel: any Channel, logger: Logger) {
        self.id = id
        self.channel = channel
        self.remoteAddress = channel.remoteAddress
        self.logger = logger
    }

    /// Sends a value that is not the reply to a request (a push). It goes out in the
    /// order of the calls, between the replies written before and after it.
    public func send(_ value: PerlValue) async throws {
        try await channel.writeAndFlush(value).get()
    }

    /// Runs `body` once when the connection closes (at once if it already has).
    public func onClose(_ body: @escaping @Sendable () -> Void) {
        let added = closeHandlers.withLock { handlers in
            guard handlers != nil else { return false }
            handlers!.append(body)
            return true
        }
        if !added { body() }
    }

    /// Closes the connection now; a sealed connection sends its final frame first.
    public func close() {
        channel.close(promise: nil)
    }

    /// Outbound bytes written and not yet taken by the socket.
    public func bufferedOutboundBytes() async throws -> Int {
        try await channel.getOption(.bufferedWritableBytes).get()
    }

    func runCloseHandlers() {
        let handlers = closeHandlers.withLock { handlers in
            defer { handlers = nil }
            return handlers ?? []
        }
        for handler in handlers { handler() }
    }
}

/// The end of a server connection's pipeline: queues the requests, runs the handler for
/// each in order on a ``ConnectionRunner`` (an actor on the channel's event loop), writes
/// the replies, and holds reading back while the queue is full or the peer is not reading.
final class ServerConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = PerlValue
    typealias OutboundIn = PerlValue
    typealias OutboundOut = PerlValue

    /// Begins a graceful close: read no more; handle what was received; then close.
    struct Drain: Sendable {}

    let server: RefWireServer
    let connection: RefWireServerConnection
    private var context: ChannelHandlerContext?
    private var queue = CircularBuffer<PerlValue>()
    /// The runner, while it waits for the next request.
    var requestWaiter: CheckedContinuation<PerlValue?, Never>?
    /// The runner, while it waits for the channel to become writable.
    var writabilityWaiter: CheckedContinuation<Void, Never>?
    private var pendingRead = false
    private var draining = false
    private var inputClosed = false
    private var inactive = false
    private var flushScheduled = false
    private var runner: Task<Void, Never>?

    init(server: RefWireServer, connection: RefWireServerConnection) {
        self.server = server
        self.connection = connection
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        let runner = ConnectionRunner(handler: NIOLoopBound(self, eventLoop: context.eventLoop))
        self.runner = Task(executorPreference: EventLoopTaskExecutor(eventLoop: context.eventLoop)) {
            await runner.run()
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        stopRunner()
    }

    // MARK: Inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !inactive else { return }
        let request = unwrapInboundIn(data)
        if let waiter = requestWaiter {
            requestWaiter = nil
            waiter.resume(returning: request)
        } else {
            queue.append(request)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        inactive = true
        stopRunner()
        // Nobody can receive the reply of a request still being handled: its task is
        // cancelled, so that a handler that checks cancellation can stop early.
        runner?.cancel()
        context.fireChannelInactive()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            if let waiter = writabilityWaiter {
                writabilityWaiter = nil
                waiter.resume()
            }
            resumeReadingIfPossible(context: context)
        } else {
            context.flush()
        }
        context.fireChannelWritabilityChanged()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .some(ChannelEvent.inputClosed) = event as? ChannelEvent {
            // The peer will send nothing more: answer what it sent, then close.
            inputClosed = true
            beginDraining()
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Framing and sealing errors have closed the channel already; a payload that did
        // not decode is one bad message (the peer gets no reply to it).
        switch error {
        case let error as PayloadError:
            connection.logger.warning("bad payload", error: error)
        case let error as FramingError:
            connection.logger.warning("framing error: closing", error: error)
        case let error as SealingError:
            connection.logger.warning("sealing error: closing", error: error)
        case is IOError, is ChannelError:
            // A peer that resets or goes away: routine for a server.
            connection.logger.debug("connection error: closing", error: error)
            context.close(promise: nil)
        default:
            connection.logger.warning("connection error: closing", error: error)
            context.close(promise: nil)
        }
    }

    // MARK: Outbound

    func read(context: ChannelHandlerContext) {
        if draining || queue.count >= server.configuration.maximumQueuedRequests || !context.channel.isWritable {
            pendingRead = true
        } else {
            context.read()
        }
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        if event is Drain {
            beginDraining()
            promise?.succeed()
        } else {
            context.triggerUserOutboundEvent(event, promise: promise)
        }
    }

    private func resumeReadingIfPossible(context: ChannelHandlerContext) {
        guard pendingRead, !draining, queue.count <= server.configuration.maximumQueuedRequests / 2,
            context.channel.isWritable
        else { return }
        pendingRead = false
        context.read()
    }

    private func beginDraining() {
        guard !draining else { return }
        draining = true
        if let waiter = requestWaiter {
            requestWaiter = nil
            waiter.resume(returning: nil)
        }
    }

    private func stopRunner() {
        queue.removeAll()
        if let waiter = requestWaiter {
            requestWaiter = nil
            waiter.resume(returning: nil)
        }
        if let waiter = writabilityWaiter {
            writabilityWaiter = nil
            waiter.resume()
        }
    }

    // MARK: Runner interface (called on the event loop)

    /// The next request, if one is queued; `.some(nil)` when there will be none.
    func takeRequest() -> PerlValue?? {
        if let request = queue.popFirst() {
            if let context { resumeReadingIfPossible(context: context) }
            return .some(request)
        }
        return (draining || inactive) ? .some(nil) : nil
    }

    var isWritable: Bool { inactive || (context?.channel.isWritable ?? false) }
    var isActive: Bool { !inactive && context != nil }

    /// Writes a reply; the flush follows once the current batch of work is done, so that
    /// requests that arrived together are answered with one write.
    func writeReply(_ reply: PerlValue) {
        guard let context, !inactive else { return }
        context.write(wrapOutboundOut(reply), promise: nil)
        if !flushScheduled {
            flushScheduled = true
            context.eventLoop.assumeIsolated().execute { [self] in
                flushScheduled = false
                self.context?.flush()
            }
        }
    }

    /// Closes the connection once everything written has reached the socket.
    func closeAfterWrites() {
        guard let context, !inactive else { return }
        // An empty write at the head of the pipeline completes after every write before it.
        let head = (try? context.pipeline.syncOperations.context(handlerType: SealingHandler.self))
            ?? (try? context.pipeline.syncOperations.context(handlerType: FrameEncodingHandler.self))
        guard let head else {
            context.close(promise: nil)
            return
        }
        let barrier = context.eventLoop.makePromise(of: Void.self)
        head.writeAndFlush(NIOAny(context.channel.allocator.buffer(capacity: 0)), promise: barrier)
        barrier.futureResult.assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }
}

/// Runs a connection's requests one at a time, in order. It runs in a task whose executor
/// preference is the connection's event loop (``EventLoopTaskExecutor``): the handler's
/// state is touched without locks, the request handler (`nonisolated(nonsending)`) runs
/// there too, and waking the runner for the next request costs no thread hop.
struct ConnectionRunner: Sendable {
    let handler: NIOLoopBound<ServerConnectionHandler>

    func run() async {
        let server = handler.value.server
        let connection = handler.value.connection
        let answersPings = server.configuration.answersPings
        while let request = await nextRequest() {
            if !handler.value.isWritable {
                await withCheckedContinuation { handler.value.writabilityWaiter = $0 }
            }
            guard handler.value.isActive else { break }
            let reply: PerlValue?
            if answersPings && ApacheBackendPOEPing.isPing(request) {
                reply = ApacheBackendPOEPing.pong(answering: request)
            } else {
                do {
                    reply = try await server.handler(request, connection)
                } catch {
                    connection.logger.error("handler failed: closing the connection", error: error)
                    break
                }
            }
            if let reply { handler.value.writeReply(reply) }
        }
        handler.value.closeAfterWrites()
    }

    private func nextRequest() async -> PerlValue? {
        if let next = handler.value.takeRequest() { return next }
        return await withCheckedContinuation { handler.value.requestWaiter = $0 }
    }
}

/// An event loop as a task executor: tasks that prefer it run their nonisolated code on
/// the loop's thread, so resuming one from a channel handler is a job on the same thread
/// instead of a wake-up of the global pool and a hop back.
final class EventLoopTaskExecutor: TaskExecutor {
    let eventLoop: any EventLoop

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }
}
