/// The client side of the session protocol (`Spec/protocol.md`), without I/O: the
/// `hello` negotiation, the requests awaiting replies, the client's subscriptions and
/// published aliases, and the deliveries it holds.
///
/// Each request method returns the message to send (and its id); ``receive(_:)`` takes
/// each decoded message from the server and returns ``Event``s: replies correlated to
/// their requests, deliveries to answer with ``respond(to:success:payload:code:text:)``,
/// notices, and messages the client must send on its own (a `pong`).
///
/// ```swift
/// var client = SessionClient()
/// write(try client.hello().message)
/// for event in client.receive(decoded) { ... }          // .negotiated, .completed(1, .welcome)
/// let call = try client.deliver(alias: "Calc", method: "add", payload: [1, 2])
/// ```
public struct SessionClient: Sendable {
    public enum State: Hashable, Sendable {
        /// No `hello` sent yet.
        case initial
        /// `hello` sent, `welcome` awaited.
        case greeting
        case ready(Negotiation)
        case closed
    }

    /// A message to send, and the id its reply will carry in `re`.
    public struct Request: Hashable, Sendable {
        public var id: MessageID
        public var message: PerlValue
    }

    /// How a request ended.
    public enum Outcome: Hashable, Sendable {
        case welcome(SessionMessage.Welcome)
        case pong(time: PerlValue?)
        case published(alias: String)
        case rescinded(alias: String)
        case listing(aliases: [String])
        case subscribed(alias: String, methods: [String])
        case unsubscribed(alias: String)
        /// The result of a delivery, success or failure (the publisher's or the server's).
        case result(SessionMessage.DeliveryResult)
        case goodbye
        /// An `error` reply, or `connection_closed` when the connection ended first.
        case failed(ProtocolError)
    }

    public enum Event: Hashable, Sendable {
        /// The reply to request `id`.
        case completed(MessageID, Outcome)
        /// Apply these settings to frames from now on (the `welcome` has been read).
        case negotiated(Negotiation)
        /// The server delivers a call to an alias this client published; answer it with
        /// ``respond(to:success:payload:code:text:)``.
        case delivery(SessionMessage.Delivery)
        /// A delivery this client holds is no longer wanted; its result would be dropped.
        case cancelled(MessageID, ProtocolErrorCode)
        /// An alias this client was subscribed to is gone (`rescinded` or `publisher_gone`).
        case aliasGone(alias: String, ProtocolErrorCode)
        /// Send this message (a `pong` to the server's `ping`).
        case send(PerlValue)
        /// An `error` the server sent about no request of this client (a bad frame).
        case serverError(ProtocolError)
        /// The session ended: the server's `bye`, or the connection closed.
        case closed(ProtocolError?)
        /// The server broke the protocol; the client should close the connection.
        case violation(ProtocolError)
    }

    public var options: SessionClientOptions
    public private(set) var state: State = .initial
    /// Aliases this client is subscribed to, with their methods.
    public private(set) var subscriptions: [String: [String]] = [:]
    /// Aliases this client has published.
    public private(set) var publishedAliases: Set<String> = []
    /// Deliveries this client holds and has not answered (the server's ids).
    public private(set) var heldDeliveries: Set<MessageID> = []

    private var pending: [MessageID: Pending] = [:]
    private var nextID: Int64 = 1

    private enum Pending: Hashable, Sendable {
        case hello, ping, publish(String), rescind(String), listing, subscribe(String), unsubscribe(String), deliver, bye
    }

    public init(options: SessionClientOptions = SessionClientOptions()) {
        self.options = options
    }

    /// The ids of requests awaiting their reply, in order.
    public var pendingRequests: [MessageID] { pending.keys.sorted() }

    // MARK: - Requests

    /// The `hello` that opens the session, built from ``options``.
    public mutating func hello() throws(SessionClientError) -> Request {
        guard state == .initial else { throw state == .closed ? .closed : .alreadyGreeted }
        let id = try allocate(.hello)
        state = .greeting
        let hello = SessionMessage.Hello(
            id: id, versions: options.versions, serializers: options.serializers?.map(\.name),
            compression: options.compression?.map(\.rawValue), sealing: options.sealing, name: options.name)
        return Request(id: id, message: SessionMessage.hello(hello).perlValue)
    }

    /// A `ping`; `time` is echoed in the `pong`. Allowed before the `hello`.
    public mutating func ping(time: PerlValue? = nil) throws(SessionClientError) -> Request {
        guard state != .closed else { throw .closed }
        let id = try allocate(.ping)
        return Request(id: id, message: SessionMessage.ping(.init(id: id, time: time)).perlValue)
    }

    public mutating func publish(alias: String, methods: [String]) throws(SessionClientError) -> Request {
        try checkName(alias, what: "alias")
        for method in methods { try checkName(method, what: "method") }
        return try session(.publish(alias)) { .publish(id: $0, alias: alias, methods: methods) }
    }

    public mutating func rescind(alias: String) throws(SessionClientError) -> Request {
        try checkName(alias, what: "alias")
        return try session(.rescind(alias)) { .rescind(id: $0, alias: alias) }
    }

    public mutating func listing() throws(SessionClientError) -> Request {
        try session(.listing) { .listing(id: $0) }
    }

    public mutating func subscribe(alias: String) throws(SessionClientError) -> Request {
        try checkName(alias, what: "alias")
        return try session(.subscribe(alias)) { .subscribe(id: $0, alias: alias) }
    }

    public mutating func unsubscribe(alias: String) throws(SessionClientError) -> Request {
        try checkName(alias, what: "alias")
        return try session(.unsubscribe(alias)) { .unsubscribe(id: $0, alias: alias) }
    }

    /// A call of `method` on `alias`; the reply is a ``Outcome/result(_:)``.
    public mutating func deliver(alias: String, method: String, payload: PerlValue? = nil) throws(SessionClientError) -> Request {
        try checkName(alias, what: "alias")
        try checkName(method, what: "method")
        return try session(.deliver) { .deliver(.init(id: $0, alias: alias, method: method, payload: payload)) }
    }

    /// Asks the server to end the session; it answers `ok` and closes.
    public mutating func bye() throws(SessionClientError) -> Request {
        guard state != .closed else { throw .closed }
        let id = try allocate(.bye)
        return Request(id: id, message: SessionMessage.bye(.init(id: id)).perlValue)
    }

    /// The `result` answering delivery `id`, which this client holds.
    public mutating func respond(
        to id: MessageID, success: Bool, payload: PerlValue? = nil, code: ProtocolErrorCode? = nil, text: String? = nil
    ) throws(SessionClientError) -> PerlValue {
        guard state != .closed else { throw .closed }
        guard heldDeliveries.remove(id) != nil else { throw .unknownDelivery(id) }
        return SessionMessage.result(.init(re: id, success: success, payload: payload, code: code, text: text)).perlValue
    }

    private mutating func session(_ kind: Pending, _ make: (MessageID) -> SessionMessage) throws(SessionClientError) -> Request {
        guard case .ready = state else { throw state == .closed ? .closed : .notReady }
        let id = try allocate(kind)
        return Request(id: id, message: make(id).perlValue)
    }

    private mutating func allocate(_ kind: Pending) throws(SessionClientError) -> MessageID {
        guard pending.count < options.maximumPendingRequests else { throw .tooManyPendingRequests(limit: options.maximumPendingRequests) }
        let maximum = options.limits.maximumMessageID
        guard Int64(pending.count) <= maximum else { throw .tooManyPendingRequests(limit: pending.count) }
        var candidate = nextID > maximum ? 0 : nextID
        while pending[MessageID(candidate)] != nil { candidate = candidate >= maximum ? 0 : candidate + 1 }
        nextID = candidate + 1
        pending[MessageID(candidate)] = kind
        return MessageID(candidate)
    }

    private func checkName(_ name: String, what: String) throws(SessionClientError) {
        do throws(ProtocolError) {
            _ = try MessageFields(hash: PerlHash(), limits: options.limits).checkName(.string(name), what: what)
        } catch {
            throw .invalidName(error)
        }
    }

    // MARK: - Input

    /// Handles one message from the server.
    public mutating func receive(_ value: PerlValue) -> [Event] {
        guard state != .closed else { return [] }
        let message: SessionMessage
        do throws(SessionMessage.ParseFailure) {
            message = try SessionMessage(parsing: value, limits: options.limits)
        } catch {
            return [.violation(error.error)]
        }
        func violation(_ text: String) -> [Event] { [.violation(ProtocolError(.malformedMessage, text))] }
        switch message {
        case .ping(let ping):
            return [.send(SessionMessage.pong(.init(answering: ping)).perlValue)]
        case .pong(let pong):
            guard let re = pong.re, pending[re] == .ping else { return [] }  // unsolicited pongs are harmless
            pending[re] = nil
            return [.completed(re, .pong(time: pong.time))]
        case .welcome(let welcome):
            guard pending[welcome.re] == .hello else { return violation("a welcome answering no hello") }
            pending[welcome.re] = nil
            guard options.versions.contains(welcome.version) else { return violation("the server chose version \(welcome.version), which was not offered") }
            var negotiation = Negotiation(version: welcome.version, sealing: welcome.sealing)
            if let name = welcome.serializer {
                guard let format = PayloadFormat(rawValue: name), options.serializers?.contains(format) == true else {
                    return violation("the server chose serializer '\(name)', which was not offered")
                }
                negotiation.serializer = format
            }
            if let name = welcome.compression {
                guard let compression = SessionCompression(rawValue: name), options.compression?.contains(compression) == true else {
                    return violation("the server chose compression '\(name)', which was not offered")
                }
                negotiation.compression = compression
            }
            state = .ready(negotiation)
            return [.negotiated(negotiation), .completed(welcome.re, .welcome(welcome))]
        case .ok(let reply):
            guard let kind = pending.removeValue(forKey: reply.re) else { return violation("an ok answering no request (\(reply.re))") }
            switch kind {
            case .publish(let alias):
                publishedAliases.insert(alias)
                return [.completed(reply.re, .published(alias: alias))]
            case .rescind(let alias):
                publishedAliases.remove(alias)
                return [.completed(reply.re, .rescinded(alias: alias))]
            case .listing:
                return [.completed(reply.re, .listing(aliases: reply.aliases ?? []))]
            case .subscribe(let alias):
                subscriptions[alias] = reply.methods ?? []
                return [.completed(reply.re, .subscribed(alias: alias, methods: reply.methods ?? []))]
            case .unsubscribe(let alias):
                subscriptions[alias] = nil
                return [.completed(reply.re, .unsubscribed(alias: alias))]
            case .bye:
                return [.completed(reply.re, .goodbye)] + close(nil)
            case .hello, .ping, .deliver:
                return violation("an ok answering a \(kind)")
            }
        case .error(let re, let error):
            guard let re else { return [.serverError(error)] }
            guard let kind = pending.removeValue(forKey: re) else { return [.serverError(error)] }
            if kind == .hello { state = .closed }
            var events: [Event] = [.completed(re, .failed(error))]
            if error.code.closesConnection { events += close(error) }
            return events
        case .result(let result):
            guard pending[result.re] == .deliver else { return violation("a result answering no delivery (\(result.re))") }
            pending[result.re] = nil
            return [.completed(result.re, .result(result))]
        case .deliver(let delivery):
            guard case .ready = state else { return violation("a delivery before the welcome") }
            guard heldDeliveries.insert(delivery.id).inserted else { return violation("delivery \(delivery.id) is already held") }
            return [.delivery(delivery)]
        case .cancel(let re, let code):
            heldDeliveries.remove(re)
            return [.cancelled(re, code)]
        case .rescinded(let alias, let code):
            subscriptions[alias] = nil
            return [.aliasGone(alias: alias, code)]
        case .bye(let bye):
            return close(bye.code.map { ProtocolError($0, bye.text ?? "") })
        case .hello, .publish, .rescind, .listing, .subscribe, .unsubscribe:
            return violation("'\(message.command)' is not a message a client accepts")
        }
    }

    /// The connection closed: every request still pending fails with `connection_closed`.
    public mutating func connectionClosed() -> [Event] {
        guard state != .closed else { return [] }
        return close(nil)
    }

    private mutating func close(_ reason: ProtocolError?) -> [Event] {
        state = .closed
        var events: [Event] = pending.keys.sorted().map {
            .completed($0, .failed(ProtocolError(.connectionClosed, "the connection closed before the reply")))
        }
        pending = [:]
        heldDeliveries = []
        events.append(.closed(reason))
        return events
    }
}

/// The settings of a ``SessionClient``.
public struct SessionClientOptions: Hashable, Sendable {
    /// Limits for reading the server's messages, and the client's id space.
    public var limits: SessionLimits
    public var versions: [Int64]
    /// Serializers to offer, most preferred first; `nil` keeps the one in use.
    public var serializers: [PayloadFormat]?
    /// Compressions to offer, most preferred first; `nil` keeps the one in use.
    public var compression: [SessionCompression]?
    /// The channel's sealing, stated in the `hello` so the server can check it; `nil`
    /// states nothing.
    public var sealing: String?
    public var name: String?
    /// The most requests awaiting replies at once. Default: 1024.
    public var maximumPendingRequests: Int

    public init(
        limits: SessionLimits = SessionLimits(), versions: [Int64] = SessionProtocol.versions,
        serializers: [PayloadFormat]? = nil, compression: [SessionCompression]? = nil, sealing: String? = nil,
        name: String? = nil, maximumPendingRequests: Int = 1024
    ) {
        precondition(maximumPendingRequests >= 1, "maximumPendingRequests must be at least 1")
        self.limits = limits
        self.versions = versions
        self.serializers = serializers
        self.compression = compression
        self.sealing = sealing
        self.name = name
        self.maximumPendingRequests = maximumPendingRequests
    }
}

/// Why a ``SessionClient`` refused to make a request.
public enum SessionClientError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The session is not negotiated yet (no `welcome`).
    case notReady
    /// `hello` was already sent.
    case alreadyGreeted
    /// The session has ended.
    case closed
    case tooManyPendingRequests(limit: Int)
    /// An alias or method name the server would refuse.
    case invalidName(ProtocolError)
    /// `respond(to:)` for a delivery the client does not hold (answered, cancelled or never received).
    case unknownDelivery(MessageID)

    public var description: String {
        switch self {
        case .notReady: "the session is not negotiated yet"
        case .alreadyGreeted: "hello was already sent"
        case .closed: "the session has ended"
        case .tooManyPendingRequests(let limit): "more than \(limit) requests would await replies"
        case .invalidName(let error): error.text
        case .unknownDelivery(let id): "no delivery \(id) is held"
        }
    }
}
