import Logging
import NIOCore
import NIOPosix
import RefWire
import RefWireSodium
import Synchronization

/// The session protocol's client (`Spec/protocol.md`) over SwiftNIO: one connection
/// driving a ``RefWire/SessionClient``.
///
/// Requests return when written (``request(_:)``, a ``PendingReply`` to await later) or
/// when answered (``hello()``, ``publish(alias:methods:)``, …). Everything else the
/// server says arrives on ``events``: every message as `.received` before the state
/// machine's events about it. The serializer and compression switch as soon as the
/// `welcome` is read, before the next frame is decoded.
public final class RefWireSessionClient: Sendable {
    public enum Event: Sendable {
        /// A message arrived (reported before anything the client does about it).
        case received(PerlValue)
        /// What the state machine made of it: deliveries, cancels, `rescinded`,
        /// violations, the end of the session… With ``Options/answersServerPings``
        /// off, `.send` carries the `pong` the caller must ``send(_:)``.
        case session(SessionClient.Event)
    }

    public struct Options: Sendable {
        public var session: SessionClientOptions
        /// Answer the server's `ping` at once (default). Off: the `pong` is an event.
        public var answersServerPings: Bool
        /// The bound on connecting. Default: 10 s.
        public var connectTimeout: Duration
        /// Events buffered for a slow reader before the oldest are dropped. Default: 4096.
        public var maximumBufferedEvents: Int

        public init(
            session: SessionClientOptions = SessionClientOptions(), answersServerPings: Bool = true,
            connectTimeout: Duration = .seconds(10), maximumBufferedEvents: Int = 4096
        ) {
            self.session = session
            self.answersServerPings = answersServerPings
            self.connectTimeout = connectTimeout
            self.maximumBufferedEvents = maximumBufferedEvents
        }
    }

    /// A request written and not yet answered.
    public struct PendingReply: Sendable {
        public let id: MessageID
        /// The message as written.
        public let message: PerlValue
        let future: EventLoopFuture<SessionClient.Outcome>

        /// Waits for the reply (`.failed` with `connection_closed` if the connection ends first).
        public func outcome() async throws(SessionTransportError) -> SessionClient.Outcome {
            do {
                return try await future.get()
            } catch {
                throw .closed
            }
        }
    }

    struct State {
        var client: SessionClient
        var waiters: [MessageID: EventLoopPromise<SessionClient.Outcome>] = [:]
    }

    public let events: AsyncStream<Event>
    private let continuation: AsyncStream<Event>.Continuation
    private let state: Mutex<State>
    private let channel: any Channel
    let options: Options
    let wire: WireConfiguration

    private init(channel: any Channel, options: Options, wire: WireConfiguration, box: HandlerBox) {
        self.channel = channel
        self.options = options
        self.wire = wire
        self.state = Mutex(State(client: SessionClient(options: options.session)))
        (events, continuation) = AsyncStream.makeStream(of: Event.self, bufferingPolicy: .bufferingOldest(options.maximumBufferedEvents))
    }

    /// Holds the client for the pipeline's handler until it exists, and whether the
    /// connection ended before it did.
    final class HandlerBox: Sendable {
        struct State {
            var client: RefWireSessionClient?
            var endedEarly = false
        }
        let state = Mutex(State())
        var client: RefWireSessionClient? { state.withLock { $0.client } }
    }

    /// Connects to `host:port` (sealing first if `wire` says so). Nothing is sent: call ``hello()``.
    public static func connect(
        host: String, port: Int, wire: WireConfiguration = WireConfiguration(), options: Options = Options(),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws(SessionTransportError) -> RefWireSessionClient {
        let box = HandlerBox()
        let timeout = options.connectTimeout.components
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(.nanoseconds(timeout.seconds * 1_000_000_000 + timeout.attoseconds / 1_000_000_000))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addRefWireHandlers(wire, role: .initiator)
                    try channel.pipeline.syncOperations.addHandler(SessionClientHandler(box: box))
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: host, port: port).get()
        } catch {
            throw .unavailable("cannot connect to \(host):\(port): \(error)")
        }
        let client = RefWireSessionClient(channel: channel, options: options, wire: wire, box: box)
        let endedEarly = box.state.withLock { state in
            state.client = client
            return state.endedEarly
        }
        if endedEarly {
            // The connection ended before the box was filled (the server closed it at
            // once): the events end, pending requests fail.
            client.ended()
        } else {
            // Whatever arrived before the box was filled is read now (nothing should: the
            // server speaks after the hello).
            channel.pipeline.fireChannelReadComplete()
        }
        return client
    }

    /// The session's state.
    public var sessionState: SessionClient.State { state.withLock { $0.client.state } }

    /// Builds a request with the state machine and writes it; returns once written.
    public func request(
        _ build: (inout SessionClient) throws(SessionClientError) -> SessionClient.Request
    ) async throws(SessionTransportError) -> PendingReply {
        let eventLoop = channel.eventLoop
        let made: Result<(SessionClient.Request, EventLoopPromise<SessionClient.Outcome>), SessionClientError> = state.withLock { state in
            do throws(SessionClientError) {
                let request = try build(&state.client)
                let promise = eventLoop.makePromise(of: SessionClient.Outcome.self)
                state.waiters[request.id] = promise
                return .success((request, promise))
            } catch {
                return .failure(error)
            }
        }
        let (request, promise): (SessionClient.Request, EventLoopPromise<SessionClient.Outcome>)
        switch made {
        case .success(let pair): (request, promise) = pair
        case .failure(let error): throw .refused(error)
        }
        try await send(request.message)
        return PendingReply(id: request.id, message: request.message, future: promise.futureResult)
    }

    /// Writes a message as it is (a `result`, a `pong`, or anything a test needs).
    public func send(_ message: PerlValue) async throws(SessionTransportError) {
        do {
            try await channel.writeAndFlush(message)
        } catch {
            throw .writeFailed("\(error)")
        }
    }

    public func hello() async throws(SessionTransportError) -> SessionClient.Outcome {
        try await request { (client: inout SessionClient) throws(SessionClientError) in try client.hello() }.outcome()
    }
    public func ping(time: PerlValue? = nil) async throws(SessionTransportError) -> SessionClient.Outcome {
        try await request { (client: inout SessionClient) throws(SessionClientError) in try client.ping(time: time) }.outcome()
    }
    public func publish(alias: String, methods: [String]) async throws(SessionTransportError) -> SessionClient.Outcome {
        try await request { (client: inout SessionClient) throws(SessionClientError) in try client.publish(alias: alias, methods: methods) }.outcome()
    }
    public func rescind(alias: String) async throws(SessionTransportError) -> SessionClient.Outcome {
        try await request { (client: inout SessionClient) throws(SessionClientError) in try client.rescind(alias: alias) }.outcome()
    }
    public func listing() async throws(SessionTransportError) -> SessionClient.Outcome {
        try await request { (client: inout SessionClient) throws(SessionClientError) in try client.listing() }.outcome()
    }
    public func subscribe(alias: String) async throws(SessionTransportError) -> SessionClient.Outcome {
        try await request { (client: inout SessionClient) throws(SessionClientError) in try client.subscribe(alias: alias) }.outcome()
    }
    public func unsubscribe(alias: String) async throws(SessionTransportError) -> SessionClient.Outcome {
        try await request { (client: inout SessionClient) throws(SessionClientError) in try client.unsubscribe(alias: alias) }.outcome()
    }
    public func deliver(alias: String, method: String, payload: PerlValue? = nil) async throws(SessionTransportError) -> SessionClient.Outcome {
        try await request { (client: inout SessionClient) throws(SessionClientError) in
            try client.deliver(alias: alias, method: method, payload: payload)
        }.outcome()
    }
    public func bye() async throws(SessionTransportError) -> SessionClient.Outcome {
        try await request { (client: inout SessionClient) throws(SessionClientError) in try client.bye() }.outcome()
    }

    /// Answers a delivery this client holds (a `.session(.delivery)` event).
    public func respond(
        to id: MessageID, success: Bool, payload: PerlValue? = nil, code: ProtocolErrorCode? = nil, text: String? = nil
    ) async throws(SessionTransportError) {
        let made: Result<PerlValue, SessionClientError> = state.withLock { state in
            do throws(SessionClientError) {
                return .success(try state.client.respond(to: id, success: success, payload: payload, code: code, text: text))
            } catch {
                return .failure(error)
            }
        }
        switch made {
        case .success(let message): try await send(message)
        case .failure(let error): throw .refused(error)
        }
    }

    /// Closes the connection; pending requests fail with `connection_closed`.
    public func close() async {
        try? await channel.close()
    }

    // MARK: - From the pipeline (on the event loop)

    func received(_ message: PerlValue, context: ChannelHandlerContext) {
        continuation.yield(.received(message))
        let (events, completions) = state.withLock { state in
            let events = state.client.receive(message)
            var completions: [(EventLoopPromise<SessionClient.Outcome>, SessionClient.Outcome)] = []
            for case .completed(let id, let outcome) in events {
                if let promise = state.waiters.removeValue(forKey: id) { completions.append((promise, outcome)) }
            }
            return (events, completions)
        }
        for event in events {
            switch event {
            case .negotiated(let negotiation):
                do {
                    try context.pipeline.syncOperations.applyNegotiation(negotiation, wire: wire)
                } catch {
                    context.close(promise: nil)
                }
            case .send(let reply) where options.answersServerPings:
                context.writeAndFlush(NIOAny(reply), promise: nil)
                continue
            default: break
            }
            continuation.yield(.session(event))
        }
        for (promise, outcome) in completions { promise.succeed(outcome) }
    }

    func ended() {
        let (events, waiters) = state.withLock { state in
            let events = state.client.connectionClosed()
            defer { state.waiters = [:] }
            return (events, state.waiters)
        }
        for event in events { continuation.yield(.session(event)) }
        for (_, promise) in waiters {
            promise.succeed(.failed(ProtocolError(.connectionClosed, "the connection closed before the reply")))
        }
        continuation.finish()
    }
}

final class SessionClientHandler: ChannelInboundHandler {
    typealias InboundIn = PerlValue

    private let box: RefWireSessionClient.HandlerBox
    private var early: [PerlValue] = []

    init(box: RefWireSessionClient.HandlerBox) { self.box = box }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let message = unwrapInboundIn(data)
        guard let client = box.client else {
            early.append(message)
            return
        }
        flushEarly(client, context: context)
        client.received(message, context: context)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if let client = box.client { flushEarly(client, context: context) }
        context.fireChannelReadComplete()
    }

    private func flushEarly(_ client: RefWireSessionClient, context: ChannelHandlerContext) {
        while !early.isEmpty { client.received(early.removeFirst(), context: context) }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if error is PayloadError {
            // A frame that did not decode: the server broke the protocol; report, go on.
            box.client?.received(.undef, context: context)
            return
        }
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        let client: RefWireSessionClient? = box.state.withLock { state in
            if state.client == nil { state.endedEarly = true }
            return state.client
        }
        if let client {
            flushEarly(client, context: context)
            client.ended()
        }
        context.fireChannelInactive()
    }
}
