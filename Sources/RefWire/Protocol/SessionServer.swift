/// The server side of the session protocol (`Spec/protocol.md`), without I/O: the
/// registry of published aliases, the subscriptions, and the deliveries in flight.
///
/// A transport feeds it what happens on its connections (``Input``) and carries out what
/// it answers (``Output``): messages to send, negotiated settings to apply, connections
/// to close. It keeps no clock and does no I/O, so one instance serves any number of
/// connections from one event loop, and a test or fuzzer can drive it directly.
///
/// ```swift
/// var server = SessionServer()
/// _ = server.handle(.connected(1))
/// for output in server.handle(.message(decoded, from: 1)) {
///     switch output {
///     case .send(let message, let connection): write(message, to: connection)
///     case .configure(let connection, let negotiation): apply(negotiation, to: connection)
///     case .close(let connection): close(connection)
///     }
/// }
/// ```
///
/// Outputs are in the order they must be carried out; the messages for any one
/// connection are in the order the specification gives.
public struct SessionServer: Sendable {
    public enum Input: Hashable, Sendable {
        /// A connection opened; `sealing` is the channel's sealing (`none` or a mode).
        case connected(ConnectionID, sealing: String = SessionSealing.none)
        /// A decoded message arrived.
        case message(PerlValue, from: ConnectionID)
        /// A frame arrived whose payload did not decode (a payload error; the stream goes on).
        case unreadable(from: ConnectionID, reason: String)
        /// The connection closed (by the peer, or after a ``Output/close(_:)``).
        case disconnected(ConnectionID)
    }

    public enum Output: Hashable, Sendable {
        case send(PerlValue, to: ConnectionID)
        /// Apply `negotiation` to the frames written after the messages before this output,
        /// and to the frames read from now on.
        case configure(ConnectionID, Negotiation)
        /// Close the connection once the messages before this output are written. The
        /// server has already forgotten it.
        case close(ConnectionID)
    }

    /// Counters for monitoring.
    public struct Statistics: Hashable, Sendable {
        /// Results whose `re` named no delivery in flight (late after a `cancel`, or bogus).
        public var droppedResults = 0
        /// Violations answered (malformed messages, unknown commands, …).
        public var violations = 0
        /// Deliveries routed to a publisher.
        public var deliveries = 0
    }

    public let options: SessionServerOptions
    public private(set) var statistics = Statistics()

    private var connections: [ConnectionID: Connection] = [:]
    private var registry: [String: PublishedAlias] = [:]
    private var routes: [RouteKey: Route] = [:]
    private var nextSequence: UInt64 = 0

    private struct Connection: Sendable {
        var sealing: String
        var negotiation: Negotiation?
        /// Aliases this connection published, in publish order.
        var published: [String] = []
        /// Aliases this connection subscribed to, in subscription order.
        var subscriptions: [String] = []
        /// Deliveries this connection sent that await their result: its own id → route.
        var inFlight: [MessageID: RouteKey] = [:]
        /// Deliveries routed to this connection that await its result (the server's ids).
        var held: Set<MessageID> = []
        /// The next id the server gives a message it sends this connection.
        var nextID: Int64 = 1
        var violations = 0
        /// Set while the connection is being forgotten: nothing more is sent to it.
        var isClosing = false
    }

    private struct PublishedAlias: Sendable {
        var owner: ConnectionID
        var methods: [String]
        var subscribers: [ConnectionID] = []
    }

    private struct RouteKey: Hashable, Sendable {
        var publisher: ConnectionID
        var id: MessageID
    }

    private struct Route: Sendable {
        var origin: ConnectionID
        var originID: MessageID
        var alias: String
        var sequence: UInt64
    }

    public init(options: SessionServerOptions = SessionServerOptions()) {
        self.options = options
    }

    // MARK: - Introspection

    /// The open connections, in order.
    public var connectionIDs: [ConnectionID] { connections.keys.sorted() }
    /// The published aliases, sorted by code point.
    public var publishedAliases: [String] { registry.keys.sorted(by: Self.codePointOrder) }
    /// The connection that published `alias`.
    public func owner(of alias: String) -> ConnectionID? { registry[alias]?.owner }
    /// The methods `alias` lists.
    public func methods(of alias: String) -> [String]? { registry[alias]?.methods }
    /// The connections subscribed to `alias`, in subscription order.
    public func subscribers(of alias: String) -> [ConnectionID] { registry[alias]?.subscribers ?? [] }
    /// What `connection` negotiated, once it has.
    public func negotiation(for connection: ConnectionID) -> Negotiation? { connections[connection]?.negotiation }
    /// The number of deliveries routed and awaiting their result.
    public var deliveriesInFlight: Int { routes.count }

    /// Checks the registry's invariants (`Spec/protocol.md` §8) and describes each one
    /// that does not hold; empty when all hold. For tests and fuzzing: O(state).
    public func invariantViolations() -> [String] {
        var problems: [String] = []
        let limits = options.limits
        for (alias, entry) in registry {
            guard let owner = connections[entry.owner] else {
                problems.append("alias '\(alias)' is owned by \(entry.owner), which is not connected")
                continue
            }
            if owner.published.filter({ $0 == alias }).count != 1 {
                problems.append("alias '\(alias)' is not listed exactly once by its owner \(entry.owner)")
            }
            if Set(entry.methods).count != entry.methods.count || entry.methods.count > limits.maximumMethodsPerAlias {
                problems.append("alias '\(alias)' has duplicate methods or too many")
            }
            if Set(entry.subscribers).count != entry.subscribers.count {
                problems.append("alias '\(alias)' lists a subscriber twice")
            }
            for subscriber in entry.subscribers where connections[subscriber]?.subscriptions.contains(alias) != true {
                problems.append("alias '\(alias)' lists subscriber \(subscriber), which does not list it")
            }
        }
        for (id, connection) in connections {
            if connection.published.count > limits.maximumAliasesPerConnection {
                problems.append("\(id) has more aliases than the limit")
            }
            if connection.subscriptions.count > limits.maximumSubscriptionsPerConnection {
                problems.append("\(id) has more subscriptions than the limit")
            }
            if connection.inFlight.count > limits.maximumInFlightPerConnection {
                problems.append("\(id) has more deliveries in flight than the limit")
            }
            if Set(connection.subscriptions).count != connection.subscriptions.count {
                problems.append("\(id) lists a subscription twice")
            }
            for alias in connection.published where registry[alias]?.owner != id {
                problems.append("\(id) lists alias '\(alias)', which it does not own")
            }
            for alias in connection.subscriptions where registry[alias]?.subscribers.contains(id) != true {
                problems.append("\(id) is subscribed to '\(alias)', which does not list it")
            }
            for (originID, key) in connection.inFlight where routes[key]?.origin != id || routes[key]?.originID != originID {
                problems.append("\(id)'s delivery \(originID) has no matching route")
            }
            for held in connection.held where routes[RouteKey(publisher: id, id: held)] == nil {
                problems.append("\(id) holds delivery \(held), which has no route")
            }
            if connection.negotiation == nil && !(connection.published.isEmpty && connection.subscriptions.isEmpty && connection.inFlight.isEmpty) {
                problems.append("\(id) has session state before its hello")
            }
            if connection.isClosing { problems.append("\(id) is left half-forgotten") }
        }
        for (key, route) in routes {
            guard let publisher = connections[key.publisher] else {
                problems.append("route \(key.publisher)/\(key.id) has a publisher that is not connected")
                continue
            }
            if !publisher.held.contains(key.id) { problems.append("route \(key.publisher)/\(key.id) is not held by its publisher") }
            if registry[route.alias]?.owner != key.publisher {
                problems.append("route \(key.publisher)/\(key.id) is to alias '\(route.alias)', which its publisher does not own")
            }
            if connections[route.origin]?.inFlight[route.originID] != key {
                problems.append("route \(key.publisher)/\(key.id) is not in flight for its origin \(route.origin)")
            }
            if key.id.rawValue < 0 || key.id.rawValue > limits.maximumMessageID { problems.append("route id \(key.id) out of range") }
        }
        return problems
    }

    // MARK: - Input

    /// Handles one input and returns what to do, in order.
    public mutating func handle(_ input: Input) -> [Output] {
        var outputs: [Output] = []
        switch input {
        case .connected(let connection, let sealing):
            guard connections[connection] == nil else { break }
            connections[connection] = Connection(sealing: sealing)
        case .message(let value, let connection):
            guard connections[connection] != nil else { break }  // late frames of a closed connection
            receive(value, from: connection, into: &outputs)
        case .unreadable(let connection, let reason):
            guard connections[connection] != nil else { break }
            violation(ProtocolError(.malformedPayload, "the frame did not decode: \(reason)"), re: nil, on: connection, into: &outputs)
        case .disconnected(let connection):
            guard connections[connection] != nil else { break }
            forget(connection, into: &outputs)
        }
        return outputs
    }

    /// Sends `ping` to a connection (keep-alive); the client answers with a `pong` that
    /// the server ignores. Returns nothing for an unknown connection.
    public mutating func ping(_ connection: ConnectionID, time: PerlValue? = nil) -> [Output] {
        guard connections[connection] != nil, let id = allocateID(on: connection) else { return [] }
        return [.send(SessionMessage.ping(.init(id: id, time: time)).perlValue, to: connection)]
    }

    /// Ends every session: a `bye` with code `shutdown` to each connection, then closes it.
    public mutating func shutdown(text: String = "the server is shutting down") -> [Output] {
        var outputs: [Output] = []
        for connection in connections.keys.sorted() {
            outputs.append(.send(SessionMessage.bye(.init(code: .shutdown, text: text)).perlValue, to: connection))
            outputs.append(.close(connection))
        }
        connections = [:]
        registry = [:]
        routes = [:]
        return outputs
    }

    // MARK: - Messages

    private mutating func receive(_ value: PerlValue, from connection: ConnectionID, into outputs: inout [Output]) {
        let message: SessionMessage
        do throws(SessionMessage.ParseFailure) {
            message = try SessionMessage(parsing: value, limits: options.limits)
        } catch {
            let negotiated = connections[connection]?.negotiation != nil
            if error.error.code.isViolation {
                violation(error.error, re: error.id, on: connection, into: &outputs)
            } else if !negotiated {
                violation(ProtocolError(.helloRequired, "say hello first"), re: error.id, on: connection, into: &outputs)
            } else if let id = error.id, value["cmd"].flatMap(MessageFields.text) == "deliver" {
                // A delivery with a bad name still gets its result.
                send(.result(.failure(re: id, error.error)), to: connection, into: &outputs)
            } else {
                send(.error(re: error.id, error.error), to: connection, into: &outputs)
            }
            return
        }
        let negotiated = connections[connection]?.negotiation != nil
        switch message {
        case .ping(let ping):
            send(.pong(.init(answering: ping)), to: connection, into: &outputs)
        case .pong:
            break
        case .bye(let bye):
            if let id = bye.id { send(.ok(.init(re: id)), to: connection, into: &outputs) }
            outputs.append(.close(connection))
            forget(connection, into: &outputs)
        case .hello(let hello):
            if negotiated {
                violation(ProtocolError(.duplicateHello, "this connection has already said hello"), re: hello.id, on: connection, into: &outputs)
            } else {
                negotiate(hello, on: connection, into: &outputs)
            }
        case .publish, .rescind, .listing, .subscribe, .unsubscribe, .deliver, .result:
            guard negotiated else {
                violation(ProtocolError(.helloRequired, "say hello before \(message.command)"), re: message.requestID,
                          on: connection, into: &outputs)
                return
            }
            route(message, from: connection, into: &outputs)
        case .welcome, .ok, .error, .rescinded, .cancel:
            violation(ProtocolError(.unknownCommand, "'\(message.command)' is not a message a server accepts"),
                      re: nil, on: connection, into: &outputs)
        }
    }

    private mutating func negotiate(_ hello: SessionMessage.Hello, on connection: ConnectionID, into outputs: inout [Output]) {
        let sealing = connections[connection]?.sealing ?? SessionSealing.none
        func refuse(_ code: ProtocolErrorCode, _ text: String) {
            send(.error(re: hello.id, ProtocolError(code, text)), to: connection, into: &outputs)
            outputs.append(.close(connection))
            forget(connection, into: &outputs)
        }
        guard let version = hello.versions.filter(options.versions.contains).max() else {
            return refuse(.unsupportedVersion, "no protocol version in common; this server speaks \(options.versions.map(String.init).joined(separator: ", "))")
        }
        if options.requiresSealing && sealing == SessionSealing.none {
            return refuse(.sealingRequired, "this server requires a sealed channel")
        }
        if let stated = hello.sealing, stated != sealing {
            return refuse(.sealingMismatch, "the hello says sealing '\(stated)' but the channel's is '\(sealing)'")
        }
        var serializer: PayloadFormat?
        if let offered = hello.serializers {
            serializer = offered.lazy.compactMap(PayloadFormat.init(rawValue:)).first(where: options.serializers.contains)
            if serializer == nil {
                return refuse(.noCommonSerializer, "no serializer in common; this server has \(options.serializers.map(\.name).joined(separator: ", "))")
            }
        }
        var compression: SessionCompression?
        if let offered = hello.compression {
            compression = offered.lazy.compactMap(SessionCompression.init(rawValue:)).first(where: options.compression.contains)
            if compression == nil {
                return refuse(.noCommonCompression, "no compression in common; this server has \(options.compression.map(\.rawValue).joined(separator: ", "))")
            }
        }
        let negotiation = Negotiation(version: version, serializer: serializer, compression: compression, sealing: sealing)
        connections[connection]?.negotiation = negotiation
        let welcome = SessionMessage.Welcome(
            re: hello.id, version: version, serializer: serializer?.name, compression: compression?.rawValue,
            sealing: sealing, name: options.name, limits: options.limits)
        send(.welcome(welcome), to: connection, into: &outputs)
        outputs.append(.configure(connection, negotiation))
    }

    private mutating func route(_ message: SessionMessage, from connection: ConnectionID, into outputs: inout [Output]) {
        let limits = options.limits
        func reply(_ reply: SessionMessage) { send(reply, to: connection, into: &outputs) }
        func refuse(_ id: MessageID, _ code: ProtocolErrorCode, _ text: String) {
            reply(.error(re: id, ProtocolError(code, text)))
        }
        switch message {
        case .publish(let id, let alias, let methods):
            if registry[alias] != nil { return refuse(id, .duplicateAlias, "alias '\(alias)' is already published") }
            guard connections[connection]!.published.count < limits.maximumAliasesPerConnection else {
                return refuse(id, .tooManyAliases, "a connection may publish at most \(limits.maximumAliasesPerConnection) aliases")
            }
            registry[alias] = PublishedAlias(owner: connection, methods: methods)
            connections[connection]!.published.append(alias)
            reply(.ok(.init(re: id, alias: alias)))

        case .rescind(let id, let alias):
            guard let entry = registry[alias] else { return refuse(id, .unknownAlias, "alias '\(alias)' is not published") }
            guard entry.owner == connection else { return refuse(id, .notOwner, "alias '\(alias)' was published by another connection") }
            reply(.ok(.init(re: id, alias: alias)))
            withdraw(alias, code: .aliasRescinded, notice: .rescinded, into: &outputs)

        case .listing(let id):
            reply(.ok(.init(re: id, aliases: publishedAliases)))

        case .subscribe(let id, let alias):
            guard let entry = registry[alias] else { return refuse(id, .unknownAlias, "alias '\(alias)' is not published") }
            if !connections[connection]!.subscriptions.contains(alias) {
                guard connections[connection]!.subscriptions.count < limits.maximumSubscriptionsPerConnection else {
                    return refuse(id, .tooManySubscriptions, "a connection may subscribe to at most \(limits.maximumSubscriptionsPerConnection) aliases")
                }
                connections[connection]!.subscriptions.append(alias)
                registry[alias]!.subscribers.append(connection)
            }
            reply(.ok(.init(re: id, alias: alias, methods: entry.methods)))

        case .unsubscribe(let id, let alias):
            guard let position = connections[connection]!.subscriptions.firstIndex(of: alias) else {
                return refuse(id, .notSubscribed, "this connection is not subscribed to '\(alias)'")
            }
            connections[connection]!.subscriptions.remove(at: position)
            registry[alias]?.subscribers.removeAll { $0 == connection }
            reply(.ok(.init(re: id, alias: alias)))

        case .deliver(let delivery):
            deliver(delivery, from: connection, into: &outputs)

        case .result(let result):
            let key = RouteKey(publisher: connection, id: result.re)
            guard let route = routes.removeValue(forKey: key) else {
                statistics.droppedResults += 1
                return
            }
            connections[connection]!.held.remove(result.re)
            connections[route.origin]!.inFlight[route.originID] = nil
            var forwarded = SessionMessage.DeliveryResult(re: route.originID, success: result.success, payload: result.payload)
            if !result.success {
                forwarded.code = result.code.flatMap { $0.rawValue.isEmpty ? nil : $0 } ?? .failed
                forwarded.text = result.text ?? ""
            }
            send(.result(forwarded), to: route.origin, into: &outputs)

        case .ping, .pong, .bye, .hello, .welcome, .ok, .error, .rescinded, .cancel:
            preconditionFailure("route(_:) handles session requests only")
        }
    }

    private mutating func deliver(_ delivery: SessionMessage.Delivery, from connection: ConnectionID, into outputs: inout [Output]) {
        let limits = options.limits
        func fail(_ code: ProtocolErrorCode, _ text: String) {
            send(.result(.failure(re: delivery.id, ProtocolError(code, text))), to: connection, into: &outputs)
        }
        let sender = connections[connection]!
        if sender.inFlight[delivery.id] != nil {
            return fail(.duplicateID, "delivery \(delivery.id) of this connection is still in flight")
        }
        guard let entry = registry[delivery.alias] else {
            return fail(.unknownAlias, "alias '\(delivery.alias)' is not published")
        }
        guard sender.subscriptions.contains(delivery.alias) else {
            return fail(.notSubscribed, "subscribe to '\(delivery.alias)' before delivering to it")
        }
        guard entry.methods.contains(delivery.method) else {
            return fail(.unknownMethod, "alias '\(delivery.alias)' has no method '\(delivery.method)'")
        }
        guard sender.inFlight.count < limits.maximumInFlightPerConnection,
            let id = allocateID(on: entry.owner)
        else {
            return fail(.tooManyInFlight, "a connection may have at most \(limits.maximumInFlightPerConnection) deliveries in flight")
        }
        let key = RouteKey(publisher: entry.owner, id: id)
        routes[key] = Route(origin: connection, originID: delivery.id, alias: delivery.alias, sequence: nextSequence)
        nextSequence += 1
        connections[connection]!.inFlight[delivery.id] = key
        connections[entry.owner]!.held.insert(id)
        statistics.deliveries += 1
        let forwarded = SessionMessage.Delivery(id: id, alias: delivery.alias, method: delivery.method, payload: delivery.payload)
        send(.deliver(forwarded), to: entry.owner, into: &outputs)
    }

    /// The next id for a message the server sends `connection`, skipping ids of its
    /// deliveries still in flight; `nil` if every id is in use.
    private mutating func allocateID(on connection: ConnectionID) -> MessageID? {
        guard var state = connections[connection] else { return nil }
        let maximum = options.limits.maximumMessageID
        guard Int64(state.held.count) <= maximum else { return nil }
        var candidate = state.nextID > maximum ? 0 : state.nextID
        while state.held.contains(MessageID(candidate)) { candidate = candidate >= maximum ? 0 : candidate + 1 }
        state.nextID = candidate + 1
        connections[connection] = state
        return MessageID(candidate)
    }

    // MARK: - Removal

    /// Removes a published alias: fails its deliveries in flight (`code` to each sender,
    /// a `cancel` to the publisher if it is still connected), then tells its subscribers
    /// with a `rescinded` notice carrying `notice`.
    private mutating func withdraw(_ alias: String, code: ProtocolErrorCode, notice: ProtocolErrorCode, into outputs: inout [Output]) {
        guard let entry = registry.removeValue(forKey: alias) else { return }
        let owner = entry.owner
        connections[owner]?.published.removeAll { $0 == alias }
        let pending = routes.filter { $0.key.publisher == owner && $0.value.alias == alias }
            .sorted { $0.value.sequence < $1.value.sequence }
        for (key, route) in pending {
            routes[key] = nil
            connections[owner]?.held.remove(key.id)
            connections[route.origin]?.inFlight[route.originID] = nil
            let text = code == .publisherGone ? "the publisher of '\(alias)' disconnected" : "alias '\(alias)' was rescinded"
            send(.result(.failure(re: route.originID, ProtocolError(code, text))), to: route.origin, into: &outputs)
            send(.cancel(re: key.id, code: code), to: owner, into: &outputs)
        }
        for subscriber in entry.subscribers {
            connections[subscriber]?.subscriptions.removeAll { $0 == alias }
            send(.rescinded(alias: alias, code: notice), to: subscriber, into: &outputs)
        }
    }

    /// Forgets a connection that closed, with the consequences for everyone else.
    private mutating func forget(_ connection: ConnectionID, into outputs: inout [Output]) {
        guard let state = connections[connection] else { return }
        connections[connection]?.isClosing = true
        for alias in state.published {
            withdraw(alias, code: .publisherGone, notice: .publisherGone, into: &outputs)
        }
        let sent = routes.filter { $0.value.origin == connection }.sorted { $0.value.sequence < $1.value.sequence }
        for (key, _) in sent {
            routes[key] = nil
            connections[key.publisher]?.held.remove(key.id)
            send(.cancel(re: key.id, code: .subscriberGone), to: key.publisher, into: &outputs)
        }
        for alias in connections[connection]?.subscriptions ?? [] {
            registry[alias]?.subscribers.removeAll { $0 == connection }
        }
        connections[connection] = nil
    }

    // MARK: - Replies

    private mutating func violation(_ error: ProtocolError, re: MessageID?, on connection: ConnectionID, into outputs: inout [Output]) {
        statistics.violations += 1
        send(.error(re: re, error), to: connection, into: &outputs)
        connections[connection]!.violations += 1
        if connections[connection]!.violations >= options.limits.maximumViolationsPerConnection {
            let limit = options.limits.maximumViolationsPerConnection
            send(.error(re: nil, ProtocolError(.tooManyViolations, "\(limit) protocol violations: closing")), to: connection, into: &outputs)
            outputs.append(.close(connection))
            forget(connection, into: &outputs)
        }
    }

    private func send(_ message: SessionMessage, to connection: ConnectionID, into outputs: inout [Output]) {
        guard let state = connections[connection], !state.isClosing else { return }
        outputs.append(.send(message.perlValue, to: connection))
    }

    static func codePointOrder(_ lhs: String, _ rhs: String) -> Bool {
        lhs.unicodeScalars.lexicographicallyPrecedes(rhs.unicodeScalars) { $0.value < $1.value }
    }
}

/// The settings of a ``SessionServer``.
public struct SessionServerOptions: Sendable {
    public var limits: SessionLimits
    /// The protocol versions the server speaks.
    public var versions: [Int64]
    /// The serializers the server accepts in a `hello`.
    public var serializers: [PayloadFormat]
    /// The compressions the server accepts in a `hello`.
    public var compression: [SessionCompression]
    /// Whether a `hello` on an unsealed channel is refused (`sealing_required`).
    public var requiresSealing: Bool
    /// The server's name in its `welcome`; `nil` leaves it out.
    public var name: String?

    public init(
        limits: SessionLimits = SessionLimits(), versions: [Int64] = SessionProtocol.versions,
        serializers: [PayloadFormat] = PayloadFormat.allCases, compression: [SessionCompression] = SessionCompression.allCases,
        requiresSealing: Bool = false, name: String? = "refwire"
    ) {
        self.limits = limits
        self.versions = versions
        self.serializers = serializers
        self.compression = compression
        self.requiresSealing = requiresSealing
        self.name = name
    }
}
