import RefWire

/// `SessionServerFuzz`: the input is a script of events for the session protocol's server
/// state machine (Spec/protocol.md): connections opening and closing, and messages from
/// any of them — well-formed requests built from a small vocabulary of aliases, methods
/// and ids (so that they collide), results for deliveries the server routed, unreadable
/// payloads, and arbitrary values (a Storable image taken from the input).
///
/// Properties, after every event:
/// - the registry's invariants hold (``SessionServer/invariantViolations()``);
/// - every output goes to a connection that is open, and every message the server sends
///   is well formed by the spec's own reading (``SessionMessage/init(parsing:limits:)``);
/// - a connection the server closed is forgotten: a later `disconnected` for it does
///   nothing;
/// and at the end, once every connection has closed, nothing is left: no alias, no
/// delivery in flight, no connection.
///
/// Small limits make the limit paths reachable; the script is read one byte per choice,
/// and ends with the input (at most ``maximumEvents`` events).
enum SessionServerTarget {
    static let maximumEvents = 2_000

    static let limits: SessionLimits = {
        var limits = SessionLimits(
            maximumMessageID: 40, maximumNameLength: 4, maximumAliasesPerConnection: 2, maximumMethodsPerAlias: 3,
            maximumSubscriptionsPerConnection: 3, maximumInFlightPerConnection: 3)
        limits.maximumViolationsPerConnection = 6
        return limits
    }()

    static let aliases: [PerlValue] = ["A", "B", "C", "", "DDDDD", 7, .bytes([0xE9])]
    static let methods: [PerlValue] = ["x", "y", "zz", ""]
    static let commands: [PerlValue] = [
        "hello", "ping", "publish", "rescind", "listing", "subscribe", "unsubscribe", "deliver", "result", "bye",
        "welcome", "pong", "ok", "error", "rescinded", "cancel", "zap",
    ]

    /// The input, one choice at a time; zeros once it runs out.
    struct Script {
        let input: UnsafeBufferPointer<UInt8>
        var position = 0

        var isAtEnd: Bool { position >= input.count }

        mutating func next(_ bound: Int) -> Int {
            guard position < input.count else { return 0 }
            defer { position += 1 }
            return Int(input[position]) % bound
        }

        mutating func pick<T>(_ list: [T]) -> T { list[next(list.count)] }

        /// A message id: mostly small (colliding), sometimes out of range or not a number.
        mutating func id() -> PerlValue {
            switch next(16) {
            case 0: return .integer(-1)
            case 1: return .integer(41)
            case 2: return "7"
            case 3: return .double(3.5)
            case 4: return .undef
            default: return .integer(Int64(next(8)))
            }
        }

        /// Up to `count` bytes of the input, as they come.
        mutating func bytes(upTo count: Int) -> [UInt8] {
            let length = min(next(count + 1), input.count - min(position, input.count))
            defer { position += length }
            return Array(input[position..<position + length])
        }
    }

    static func run(_ input: UnsafeBufferPointer<UInt8>) throws(FuzzFailure) {
        var script = Script(input: input)
        var server = SessionServer(options: SessionServerOptions(limits: limits))
        var open: [ConnectionID] = []
        var nextConnection: UInt64 = 1
        /// The ids of deliveries the server routed to each connection: results refer to them.
        var routed: [ConnectionID: [PerlValue]] = [:]

        var events = 0
        while !script.isAtEnd && events < maximumEvents {
            events += 1
            let outputs: [SessionServer.Output]
            let choice = script.next(32)
            if open.isEmpty || choice == 0 {
                let connection = ConnectionID(nextConnection)
                nextConnection += 1
                open.append(connection)
                outputs = server.handle(.connected(connection))
            } else {
                let connection = script.pick(open)
                switch choice {
                case 1:
                    outputs = server.handle(.disconnected(connection))
                    open.removeAll { $0 == connection }
                case 2:
                    outputs = server.handle(.unreadable(from: connection, reason: "fuzz"))
                case 3:
                    // Whatever the input's bytes decode to, as a peer might send it.
                    let value = (try? StorableDecoder().decode(script.bytes(upTo: 64))) ?? .undef
                    outputs = server.handle(.message(value, from: connection))
                case 4:
                    outputs = server.ping(connection, time: script.id())
                default:
                    let message = request(&script, routed: routed[connection] ?? [])
                    outputs = server.handle(.message(message, from: connection))
                }
            }
            try check(outputs, server: &server, open: &open, routed: &routed)
        }

        for connection in open { _ = server.handle(.disconnected(connection)) }
        try require(
            server.publishedAliases.isEmpty && server.deliveriesInFlight == 0 && server.connectionIDs.isEmpty,
            "state left after every connection closed",
            "aliases \(server.publishedAliases), in flight \(server.deliveriesInFlight), connections \(server.connectionIDs)")
    }

    /// A message in the protocol's shape, with parts chosen to collide or be slightly off.
    static func request(_ script: inout Script, routed: [PerlValue]) -> PerlValue {
        var message = PerlHash()
        let command = script.next(4) == 0 ? script.pick(commands) : script.pick(Array(commands.prefix(10)))
        message["cmd"] = command
        switch command.stringValue {
        case "hello":
            message["id"] = script.id()
            message["versions"] = script.pick([[1], [1, 2], [2], [], "1"] as [PerlValue])
            if script.next(3) == 0 { message["serializers"] = script.pick([["nstorable"], ["json", "yaml"], ["x"]] as [PerlValue]) }
        case "result":
            message["re"] = routed.isEmpty || script.next(4) == 0 ? script.id() : script.pick(routed)
            message["success"] = script.pick([1, 0, "", "0", .undef, "yes"] as [PerlValue])
            if script.next(2) == 0 { message["payload"] = script.pick([["n": 1], .undef, "text"] as [PerlValue]) }
        default:
            if script.next(8) != 0 { message["id"] = script.id() }
            if script.next(4) != 0 { message["alias"] = script.pick(aliases) }
            if script.next(3) != 0 { message["method"] = script.pick(methods) }
            if script.next(3) != 0 {
                message["methods"] = .array((0..<script.next(5)).map { _ in script.pick(methods) })
            }
            if script.next(3) == 0 { message["payload"] = script.pick([["n": 1], .undef, [1, 2]] as [PerlValue]) }
        }
        // Now and then not a plain hash at all.
        switch script.next(16) {
        case 0: return .blessed(class: "Some::Class", .hash(message))
        case 1: return .array([.hash(message)])
        default: return .hash(message)
        }
    }

    private static func check(
        _ outputs: [SessionServer.Output], server: inout SessionServer, open: inout [ConnectionID],
        routed: inout [ConnectionID: [PerlValue]]
    ) throws(FuzzFailure) {
        var closed: [ConnectionID] = []
        for output in outputs {
            switch output {
            case .send(let message, let target):
                try require(open.contains(target) && !closed.contains(target), "a message to a closed connection", describe(message))
                let parsed: SessionMessage
                do throws(SessionMessage.ParseFailure) {
                    parsed = try SessionMessage(parsing: message, limits: limits)
                } catch {
                    throw FuzzFailure("the server sent a malformed message", "\(describe(message)): \(error)")
                }
                if case .deliver(let delivery) = parsed { routed[target, default: []].append(delivery.id.perlValue) }
            case .close(let target):
                try require(open.contains(target), "closing a connection that is not open", "\(target)")
                closed.append(target)
            case .configure(let target, _):
                try require(open.contains(target) && !closed.contains(target), "configuring a closed connection", "\(target)")
            }
        }
        for target in closed {
            open.removeAll { $0 == target }
            routed[target] = nil
            let after = server.handle(.disconnected(target))
            try require(after.isEmpty, "a closed connection was not forgotten", "\(target): \(describe(after))")
        }
        let problems = server.invariantViolations()
        try require(problems.isEmpty, "registry invariants broken", problems.joined(separator: "; "))
    }
}
