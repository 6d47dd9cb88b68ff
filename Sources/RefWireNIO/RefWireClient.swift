import Logging
import NIOCore
import NIOPosix
import RefWire
import RefWireSodium
import Synchronization

/// Persistent connections to named back ends, in the spirit of Perl's
/// Apache::Backend::POE: connect them all at start-up, reuse them, check them with a
/// ping before use (``PingPolicy``), reconnect with back-off when one drops.
///
/// ```swift
/// let client = RefWireClient(endpoints: [Endpoint(alias: "search", port: 7070)])
/// try await client.connectAll()
/// let reply = try await client.request(["cmd": "find", "q": "perl"], to: "search")
/// await client.shutdown()
/// ```
///
/// **Correlation.** POE servers answer in order, so on each connection the n-th reply
/// answers the n-th request; requests may be pipelined (many may wait at once). A request
/// whose reply does not come in time therefore closes its connection: a late reply would
/// otherwise be taken for the next request's. The request fails with
/// ``RefWireClientError/timedOut(alias:after:)`` and every other request waiting on that
/// connection with ``RefWireClientError/connectionClosed(alias:)``; the next call
/// reconnects. For the same reason ``send(_:to:)`` must only be used for messages the
/// server does not answer.
public final class RefWireClient: Sendable {
    public let logger: Logger
    private let endpoints: [String: EndpointConnector]

    /// A client for `endpoints` (aliases must be unique). Nothing connects until
    /// ``connectAll()`` or the first request.
    public init(
        endpoints: [Endpoint], group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "RefWireClient")
    ) {
        self.logger = logger
        var connectors: [String: EndpointConnector] = [:]
        for endpoint in endpoints {
            precondition(connectors[endpoint.alias] == nil, "duplicate endpoint alias '\(endpoint.alias)'")
            var endpointLogger = logger
            endpointLogger[metadataKey: "alias"] = "\(endpoint.alias)"
            connectors[endpoint.alias] = EndpointConnector(endpoint: endpoint, group: group, logger: endpointLogger)
        }
        self.endpoints = connectors
    }

    /// Connects every endpoint (concurrently), as Apache::Backend::POE connects its
    /// aliases when a child starts. Throws the first failure after trying them all; the
    /// endpoints that failed are tried again on their first use.
    public func connectAll() async throws(RefWireClientError) {
        let failure: RefWireClientError? = await withTaskGroup(of: RefWireClientError?.self) { group in
            for connector in endpoints.values {
                group.addTask {
                    do throws(RefWireClientError) {
                        _ = try await connector.connection()
                        return nil
                    } catch {
                        return error
                    }
                }
            }
            var first: RefWireClientError?
            for await result in group where first == nil { first = result }
            return first
        }
        if let failure { throw failure }
    }

    /// Sends `value` to the endpoint `alias` and returns its reply.
    ///
    /// - Parameter timeout: how long to wait for the reply; default: the endpoint's
    ///   ``Endpoint/requestTimeout``. On timeout the connection is closed (see the type's
    ///   discussion).
    public func request(_ value: PerlValue, to alias: String, timeout: Duration? = nil) async throws(RefWireClientError)
        -> PerlValue
    {
        let connector = try connector(alias)
        let connection = try await connector.connectionForUse()
        return try await connection.request(value, timeout: timeout ?? connector.endpoint.requestTimeout)
    }

    /// Sends `value` to `alias` expecting no reply; returns once it was written.
    public func send(_ value: PerlValue, to alias: String) async throws(RefWireClientError) {
        let connector = try connector(alias)
        let connection = try await connector.connectionForUse()
        try await connection.send(value)
    }

    /// Pings `alias` now, whatever its policy; throws ``RefWireClientError/pingFailed(alias:reply:)``
    /// (or the connection's error) if the answer is not a pong.
    public func ping(_ alias: String) async throws(RefWireClientError) {
        let connector = try connector(alias)
        try await connector.ping(try await connector.connection())
    }

    /// Whether `alias` has an open connection now.
    public func isConnected(_ alias: String) -> Bool {
        endpoints[alias]?.isConnected ?? false
    }

    /// Closes every connection; requests waiting fail with
    /// ``RefWireClientError/shuttingDown``, and so does every later call.
    public func shutdown() async {
        await withTaskGroup(of: Void.self) { group in
            for connector in endpoints.values {
                group.addTask { await connector.shutdown() }
            }
        }
    }

    private func connector(_ alias: String) throws(RefWireClientError) -> EndpointConnector {
        guard let connector = endpoints[alias] else { throw .unknownAlias(alias) }
        return connector
    }
}

// MARK: - Endpoint

/// One endpoint's connection: connecting with back-off, reconnecting when it drops, and
/// deciding when to ping.
final class EndpointConnector: Sendable {
    let endpoint: Endpoint
    let logger: Logger
    private let group: any EventLoopGroup
    private let state = Mutex(State())
    private let pingCounter = Atomic<Int64>(0)

    private struct State: ~Copyable {
        var connection: ClientConnection?
        var connecting: Task<ClientConnection, any Error>?
        var lastUse = NIODeadline.distantPast
        var isShutDown = false
    }

    init(endpoint: Endpoint, group: any EventLoopGroup, logger: Logger) {
        self.endpoint = endpoint
        self.group = group
        self.logger = logger
    }

    var isConnected: Bool { state.withLock { $0.connection?.channel.isActive ?? false } }

    /// A connection to use for one call: pinged first if the policy says so, and replaced
    /// by a new one if the ping fails.
    func connectionForUse() async throws(RefWireClientError) -> ClientConnection {
        let connection = try await self.connection()
        let now = NIODeadline.now()
        let lastUse = state.withLock { state in
            defer { state.lastUse = now }
            return state.lastUse
        }
        let mustPing: Bool =
            switch endpoint.pingPolicy {
            case .beforeEveryUse: true
            case .never: false
            case .whenIdle(let idle): now - lastUse > TimeAmount(idle)
            }
        guard mustPing else { return connection }
        do throws(RefWireClientError) {
            try await ping(connection)
            return connection
        } catch {
            if case .shuttingDown = error { throw error }
            logger.warning("ping failed: reconnecting", error: error)
            connection.channel.close(promise: nil)
            drop(connection)
            return try await self.connection()
        }
    }

    func ping(_ connection: ClientConnection) async throws(RefWireClientError) {
        let id = pingCounter.add(1, ordering: .relaxed).newValue
        let reply = try await connection.request(endpoint.ping.message(id), timeout: endpoint.ping.timeout)
        guard endpoint.ping.isPong(reply) else { throw .pingFailed(alias: endpoint.alias, reply: reply) }
    }

    /// The open connection, or a new one (waiting for a connection attempt under way).
    func connection() async throws(RefWireClientError) -> ClientConnection {
        enum Found {
            case open(ClientConnection)
            case connecting(Task<ClientConnection, any Error>)
        }
        let found: Found = try state.withLock { (state) throws(RefWireClientError) in
            if state.isShutDown { throw .shuttingDown }
            if let connection = state.connection, connection.channel.isActive { return .open(connection) }
            if let connecting = state.connecting { return .connecting(connecting) }
            let connecting = Task { try await self.connectWithBackoff() }
            state.connecting = connecting
            return .connecting(connecting)
        }
        switch found {
        case .open(let connection):
            return connection
        case .connecting(let task):
            do {
                return try await task.value
            } catch {
                throw RefWireClientError(error, alias: endpoint.alias)
            }
        }
    }

    private func connectWithBackoff() async throws -> ClientConnection {
        var attempt = 0
        while true {
            attempt += 1
            do {
                let connection = try await connectOnce()
                let kept: Bool = state.withLock { state in
                    state.connecting = nil
                    guard !state.isShutDown else { return false }
                    state.connection = connection
                    return true
                }
                guard kept else {
                    connection.channel.close(promise: nil)
                    throw RefWireClientError.shuttingDown
                }
                logger.info("connected", metadata: ["attempt": "\(attempt)"])
                connection.channel.closeFuture.whenComplete { [self] _ in connectionClosed(connection) }
                return connection
            } catch {
                let shutDown = state.withLock { $0.isShutDown }
                if shutDown || Task.isCancelled {
                    state.withLock { $0.connecting = nil }
                    throw RefWireClientError.shuttingDown
                }
                logger.debug("connection attempt failed", error: error, metadata: ["attempt": "\(attempt)"])
                guard attempt < endpoint.reconnect.maximumAttempts else {
                    state.withLock { $0.connecting = nil }
                    logger.warning("could not connect", error: error, metadata: ["attempts": "\(attempt)"])
                    throw RefWireClientError.connectFailed(
                        alias: endpoint.alias, attempts: attempt, underlying: RefWireClientError.sendable(error))
                }
                do {
                    try await Task.sleep(for: endpoint.reconnect.delay(afterAttempt: attempt))
                } catch {
                    state.withLock { $0.connecting = nil }
                    throw RefWireClientError.shuttingDown
                }
            }
        }
    }

    private func connectOnce() async throws -> ClientConnection {
        let loop = group.next()
        let ready = loop.makePromise(of: Void.self)
        let endpoint = endpoint
        let logger = logger
        let channel = try await ClientBootstrap(group: loop)
            .connectTimeout(TimeAmount(endpoint.connectTimeout))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    try sync.addRefWireHandlers(endpoint.wire, role: .initiator)
                    try sync.addHandler(
                        ClientConnectionHandler(
                            alias: endpoint.alias, maximumPendingRequests: endpoint.maximumPendingRequests,
                            sealed: endpoint.wire.sealing != nil, ready: ready,
                            readyTimeout: TimeAmount(endpoint.connectTimeout), logger: logger))
                }
            }
            .connect(host: endpoint.host, port: endpoint.port).get()
        do {
            try await ready.futureResult.get()
        } catch {
            channel.close(promise: nil)
            throw error
        }
        return ClientConnection(channel: channel, alias: endpoint.alias)
    }

    /// Forgets `connection` if it is the current one.
    private func drop(_ connection: ClientConnection) {
        state.withLock { state in
            if state.connection === connection { state.connection = nil }
        }
    }

    /// A connection dropped: reconnect in the background, so that the next call finds a
    /// connection (Apache::Backend::POE reconnects on next use; reconnecting at once
    /// keeps that first call fast).
    private func connectionClosed(_ connection: ClientConnection) {
        let reconnect: Bool = state.withLock { state in
            guard state.connection === connection else { return false }
            state.connection = nil
            guard !state.isShutDown, state.connecting == nil else { return false }
            state.connecting = Task { try await self.connectWithBackoff() }
            return true
        }
        if reconnect { logger.info("connection closed: reconnecting") }
    }

    func shutdown() async {
        let (connection, connecting) = state.withLock { state in
            state.isShutDown = true
            defer {
                state.connection = nil
                state.connecting = nil
            }
            return (state.connection, state.connecting)
        }
        connecting?.cancel()
        if let connection {
            connection.channel.pipeline.triggerUserOutboundEvent(ClientConnectionHandler.ShutDown(), promise: nil)
            try? await connection.channel.closeFuture.get()
        }
    }
}

/// One open connection of an endpoint.
final class ClientConnection: Sendable {
    let channel: any Channel
    let alias: String

    init(channel: any Channel, alias: String) {
        self.channel = channel
        self.alias = alias
    }

    func request(_ value: PerlValue, timeout: Duration?) async throws(RefWireClientError) -> PerlValue {
        let reply = channel.eventLoop.makePromise(of: PerlValue.self)
        channel.writeAndFlush(
            ClientConnectionHandler.Request(value: value, reply: reply, timeout: timeout), promise: nil)
        do {
            return try await reply.futureResult.get()
        } catch {
            throw RefWireClientError(error, alias: alias)
        }
    }

    func send(_ value: PerlValue) async throws(RefWireClientError) {
        do {
            try await channel.writeAndFlush(ClientConnectionHandler.Request(value: value, reply: nil, timeout: nil)).get()
        } catch {
            throw RefWireClientError(error, alias: alias)
        }
    }
}

extension RefWireClientError {
    /// `error` as a client error: client errors as they are, the pipeline's typed errors
    /// wrapped, anything else (a closed channel) as a closed connection.
    init(_ error: any Error, alias: String) {
        switch error {
        case let error as RefWireClientError: self = error
        case let error as FramingError: self = .framing(error)
        case let error as PayloadError: self = .payload(error)
        case let error as PayloadEncodingError: self = .encoding(error)
        case let error as SealingError: self = .sealing(error)
        default: self = .connectionClosed(alias: alias)
        }
    }

    /// `error` as an `Error & Sendable`, for ``connectFailed(alias:attempts:underlying:)``.
    static func sendable(_ error: any Error) -> any Error & Sendable {
        switch error {
        case let error as RefWireClientError: error
        case let error as FramingError: error
        case let error as SealingError: error
        case let error as ChannelError: error
        case let error as IOError: ConnectError(description: "\(error)", errnoCode: error.errnoCode)
        default: ConnectError(description: "\(error)", errnoCode: nil)
        }
    }
}

/// Why a connection attempt failed, when the error itself cannot be kept (as text).
public struct ConnectError: Error, Sendable, Hashable, CustomStringConvertible {
    public var description: String
    /// The system error number, when the attempt failed in a system call.
    public var errnoCode: Int32?
}

// MARK: - Handler

/// The end of a client connection's pipeline: matches replies to requests in order,
/// times requests out, and reports readiness (after the sealing handshake if sealed).
final class ClientConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = PerlValue
    typealias OutboundIn = Request
    typealias OutboundOut = PerlValue

    /// A value to send, and where its reply goes (`nil`: none expected).
    struct Request: Sendable {
        var value: PerlValue
        var reply: EventLoopPromise<PerlValue>?
        var timeout: Duration?
    }

    /// Close the connection, failing what waits with ``RefWireClientError/shuttingDown``.
    struct ShutDown: Sendable {}

    private struct Pending {
        var id: Int
        var reply: EventLoopPromise<PerlValue>
        var timeout: Scheduled<Void>?
    }

    private let alias: String
    private let maximumPendingRequests: Int
    private let sealed: Bool
    private let logger: Logger
    private var ready: EventLoopPromise<Void>?
    private let readyTimeout: TimeAmount
    private var readyTimer: Scheduled<Void>?
    private var pending = CircularBuffer<Pending>()
    private var nextID = 0
    /// Why the connection ends; every request still waiting fails with it.
    private var closeReason: RefWireClientError?
    private var inactive = false

    init(
        alias: String, maximumPendingRequests: Int, sealed: Bool, ready: EventLoopPromise<Void>,
        readyTimeout: TimeAmount, logger: Logger
    ) {
        self.alias = alias
        self.maximumPendingRequests = maximumPendingRequests
        self.sealed = sealed
        self.ready = ready
        self.readyTimeout = readyTimeout
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        readyTimer = context.eventLoop.assumeIsolated().scheduleTask(in: readyTimeout) { [self] in
            guard ready != nil else { return }
            failReady(RefWireClientError.timedOut(alias: alias, after: .nanoseconds(readyTimeout.nanoseconds)))
            context.close(promise: nil)
        }
        if context.channel.isActive && !sealed { succeedReady() }
    }

    func channelActive(context: ChannelHandlerContext) {
        if !sealed { succeedReady() }
        context.fireChannelActive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .some(.established) = event as? SealingHandlerEvent { succeedReady() }
        context.fireUserInboundEventTriggered(event)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let reply = unwrapInboundIn(data)
        guard let request = pending.popFirst() else {
            logger.warning("reply with no request waiting: dropped")
            return
        }
        request.timeout?.cancel()
        request.reply.succeed(reply)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        switch error {
        case let error as PayloadError:
            // One reply did not decode: it answered the oldest request.
            if let request = pending.popFirst() {
                request.timeout?.cancel()
                request.reply.fail(RefWireClientError.payload(error))
            }
        default:
            // Framing and sealing errors have closed the channel; anything else does now.
            if closeReason == nil { closeReason = RefWireClientError(error, alias: alias) }
            logger.warning("connection error", error: error)
            failReady(error)
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        inactive = true
        failReady(closeReason ?? RefWireClientError.connectionClosed(alias: alias))
        let reason = closeReason ?? .connectionClosed(alias: alias)
        while let request = pending.popFirst() {
            request.timeout?.cancel()
            request.reply.fail(reason)
        }
        context.fireChannelInactive()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        if inactive || closeReason != nil {
            let error = closeReason ?? .connectionClosed(alias: alias)
            request.reply?.fail(error)
            promise?.fail(error)
            return
        }
        guard let reply = request.reply else {
            context.write(wrapOutboundOut(request.value), promise: promise)
            return
        }
        guard pending.count < maximumPendingRequests else {
            reply.fail(RefWireClientError.tooManyPendingRequests(alias: alias, limit: maximumPendingRequests))
            promise?.succeed()
            return
        }
        nextID &+= 1
        let id = nextID
        var timer: Scheduled<Void>?
        if let timeout = request.timeout {
            timer = context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(timeout)) { [self] in
                timedOut(id: id, after: timeout, context: context)
            }
        }
        pending.append(Pending(id: id, reply: reply, timeout: timer))
        // A write that fails (the value does not encode, or is over the frame limit) sent
        // nothing: its request leaves the queue, and the replies stay matched.
        let written = context.eventLoop.makePromise(of: Void.self)
        written.futureResult.assumeIsolated().whenFailure { [self] error in
            guard let index = pending.firstIndex(where: { $0.id == id }) else { return }
            let request = pending.remove(at: index)
            request.timeout?.cancel()
            request.reply.fail(RefWireClientError(error, alias: alias))
        }
        if let promise { written.futureResult.cascade(to: promise) }
        context.write(wrapOutboundOut(request.value), promise: written)
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard event is ShutDown else {
            context.triggerUserOutboundEvent(event, promise: promise)
            return
        }
        if closeReason == nil { closeReason = .shuttingDown }
        context.close(promise: promise)
    }

    private func timedOut(id: Int, after timeout: Duration, context: ChannelHandlerContext) {
        guard let index = pending.firstIndex(where: { $0.id == id }) else { return }
        let request = pending.remove(at: index)
        logger.warning("request timed out: closing the connection", metadata: ["timeout": "\(timeout)"])
        request.reply.fail(RefWireClientError.timedOut(alias: alias, after: timeout))
        if closeReason == nil { closeReason = .connectionClosed(alias: alias) }
        context.close(promise: nil)
    }

    private func succeedReady() {
        readyTimer?.cancel()
        readyTimer = nil
        ready?.succeed()
        ready = nil
    }

    private func failReady(_ error: any Error) {
        readyTimer?.cancel()
        readyTimer = nil
        ready?.fail(error)
        ready = nil
    }
}
