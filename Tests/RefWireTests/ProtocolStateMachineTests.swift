import RefWire
import RefWireTestSupport
import Testing

/// Targeted tests of the session protocol's messages and state machines
/// (`Spec/protocol.md`); the scenarios in `ProtocolScenarioTests` cover the conversations.
@Suite("Protocol state machines")
struct ProtocolStateMachineTests {
    static let samples: [SessionMessage] = [
        .hello(.init(id: 1, versions: [1, 2], serializers: ["json"], compression: ["zlib"], sealing: "psk", name: "c")),
        .welcome(.init(re: 1, version: 1, serializer: "json", compression: "zlib", sealing: "psk", name: "s", limits: SessionLimits())),
        .ping(.init(id: 4, time: 1_700_000_000, className: "Apache::Backend::POE::Message")),
        .pong(.init(re: 4, time: 1_700_000_000)),
        .bye(.init(id: 9)), .bye(.init(code: .shutdown, text: "later")),
        .publish(id: 2, alias: "Calc", methods: ["add", "mul"]), .rescind(id: 3, alias: "Calc"), .listing(id: 5),
        .subscribe(id: 6, alias: "Calc"), .unsubscribe(id: 7, alias: "Calc"),
        .deliver(.init(id: 8, alias: "Calc", method: "add", payload: ["a": [1, 2]])),
        .deliver(.init(id: 8, alias: "Calc", method: "add")),
        .result(.init(re: 8, success: false, payload: "p", code: "bad", text: "no")),
        .ok(.init(re: 6, alias: "Calc", methods: ["add"])), .ok(.init(re: 5, aliases: ["A", "B"])),
        .error(re: nil, ProtocolError(.malformedPayload, "x")), .error(re: 3, ProtocolError(.notOwner, "y")),
        .rescinded(alias: "Calc", code: .publisherGone), .cancel(re: 1, code: .subscriberGone),
    ]

    @Test("Every message reads back as itself, also through Storable", arguments: samples)
    func roundTrip(_ message: SessionMessage) throws {
        #expect(try SessionMessage(parsing: message.perlValue) == message)
        let codec = PayloadCodec()
        let wire = try codec.decode(try codec.encode(message.perlValue, as: .nstorable), as: .nstorable)
        #expect(try SessionMessage(parsing: wire) == message)
    }

    @Test("Messages as Perl may write them: byte strings, ids as strings, truth values, event-only pongs")
    func perlShapes() throws {
        let bytes: (String) -> PerlValue = { .bytes(Array($0.utf8)) }
        let deliver: PerlValue = .blessed(class: "Some::Class", [
            "cmd": bytes("deliver"), "id": bytes("12"), "alias": bytes("Calc"), "method": 7, "junk": [1],
        ])
        #expect(try SessionMessage(parsing: deliver) == .deliver(.init(id: 12, alias: "Calc", method: "7")))
        for (value, truth) in [(PerlValue.undef, false), ("0", false), ("", false), (0.0, false), ("0.0", true), (2, true)] {
            let result = try SessionMessage(parsing: ["cmd": "result", "re": 1, "success": value])
            #expect(result == .result(.init(re: 1, success: truth)), "success => \(value)")
        }
        #expect(try SessionMessage(parsing: ["event": "pong"]) == .pong(.init(re: nil)))
        #expect(throws: SessionMessage.ParseFailure(ProtocolError(.invalidID, "id must be an integer"), id: nil)) {
            try SessionMessage(parsing: ["cmd": "listing", "id": 1.5])
        }
    }

    // MARK: - Server

    /// Random traffic from several clients — valid, invalid and junk, with disconnects and
    /// reconnects — must keep every invariant, and every output must be a well-formed
    /// message addressed to an open connection.
    @Test("Random traffic keeps the registry's invariants", arguments: 0..<24)
    func randomTraffic(seed: UInt64) {
        var random = SeededRandom(seed: seed &* 0x9E37_79B9 &+ 1)
        var limits = SessionLimits(
            maximumMessageID: 40, maximumNameLength: 3, maximumAliasesPerConnection: 2, maximumMethodsPerAlias: 3,
            maximumSubscriptionsPerConnection: 3, maximumInFlightPerConnection: 3)
        limits.maximumViolationsPerConnection = 6
        var server = SessionServer(options: SessionServerOptions(limits: limits))
        var open: Set<ConnectionID> = []
        var nextConnection: UInt64 = 1
        var heldByConnection: [ConnectionID: [PerlValue]] = [:]
        let aliases: [PerlValue] = ["A", "B", "C", "", "DDDD", 7]
        let methods: [PerlValue] = ["x", "y", "zz"]
        func pick<T>(_ list: [T]) -> T { list[random.next(upperBound: list.count)] }
        for _ in 0..<400 {
            var outputs: [SessionServer.Output] = []
            let roll = random.next(upperBound: 100)
            if open.count < 2 || roll < 5 {
                let id = ConnectionID(nextConnection)
                nextConnection += 1
                open.insert(id)
                outputs = server.handle(.connected(id))
            } else {
                let connection = pick(open.sorted())
                let id = PerlValue.integer(Int64(random.next(upperBound: 45)) - 2)
                let message: PerlValue
                switch roll {
                case 5..<8: outputs = server.handle(.disconnected(connection)); open.remove(connection); message = .undef
                case 8..<20: message = ["cmd": "hello", "id": id, "versions": [1]]
                case 20..<30: message = ["cmd": "publish", "id": id, "alias": pick(aliases), "methods": [pick(methods), pick(methods)]]
                case 30..<40: message = ["cmd": "subscribe", "id": id, "alias": pick(aliases)]
                case 40..<62: message = ["cmd": "deliver", "id": id, "alias": pick(aliases), "method": pick(methods), "payload": id]
                case 62..<75:
                    let held = heldByConnection[connection] ?? []
                    let re = held.isEmpty || random.next(upperBound: 4) == 0 ? id : pick(held)
                    message = ["cmd": "result", "re": re, "success": .integer(Int64(random.next(upperBound: 2)))]
                case 75..<80: message = ["cmd": "rescind", "id": id, "alias": pick(aliases)]
                case 80..<84: message = ["cmd": "unsubscribe", "id": id, "alias": pick(aliases)]
                case 84..<87: message = ["cmd": "listing", "id": id]
                case 87..<89: message = ["cmd": "bye", "id": id]
                case 89..<92: message = ["cmd": "ping", "id": id]
                case 92..<95: outputs = server.handle(.unreadable(from: connection, reason: "junk")); message = .undef
                default: message = pick([[1, 2], ["cmd": "zap", "id": id], ["id": id], ["cmd": "result"]] as [PerlValue])
                }
                if !message.isUndef { outputs = server.handle(.message(message, from: connection)) }
            }
            var closedNow: Set<ConnectionID> = []
            for output in outputs {
                switch output {
                case .send(let message, let target):
                    #expect(open.contains(target) && !closedNow.contains(target), "a message to a closed connection: \(message)")
                    #expect((try? SessionMessage(parsing: message, limits: limits)) != nil, "malformed output \(message)")
                    if let parsed = try? SessionMessage(parsing: message, limits: limits), case .deliver(let delivery) = parsed {
                        heldByConnection[target, default: []].append(delivery.id.perlValue)
                    }
                case .close(let target):
                    closedNow.insert(target)
                case .configure: break
                }
            }
            for target in closedNow {
                open.remove(target)
                #expect(server.handle(.disconnected(target)).isEmpty, "the server must already have forgotten \(target)")
            }
            let problems = server.invariantViolations()
            #expect(problems.isEmpty, "seed \(seed): \(problems)")
            if !problems.isEmpty { return }
        }
        for connection in open.sorted() { _ = server.handle(.disconnected(connection)) }
        #expect(server.publishedAliases.isEmpty && server.deliveriesInFlight == 0 && server.connectionIDs.isEmpty)
    }

    @Test("Inputs for unknown connections change nothing; a connection id is taken once")
    func unknownConnections() {
        var server = SessionServer()
        #expect(server.handle(.message(["cmd": "ping", "id": 1], from: 9)).isEmpty)
        #expect(server.handle(.disconnected(9)).isEmpty)
        _ = server.handle(.connected(1))
        #expect(server.handle(.connected(1)).isEmpty)
        #expect(server.connectionIDs == [1])
    }

    @Test("Server delivery ids wrap past max_message_id and skip ids still in flight")
    func idWrap() throws {
        var server = SessionServer(options: SessionServerOptions(limits: SessionLimits(maximumMessageID: 2)))
        for connection: ConnectionID in [1, 2] {
            _ = server.handle(.connected(connection))
            _ = server.handle(.message(["cmd": "hello", "id": 0, "versions": [1]], from: connection))
        }
        _ = server.handle(.message(["cmd": "publish", "id": 1, "alias": "A", "methods": ["m"]], from: 1))
        _ = server.handle(.message(["cmd": "subscribe", "id": 1, "alias": "A"], from: 2))
        var ids: [Int64] = []
        func deliver(_ id: Int64) {
            for case .send(let message, 1) in server.handle(.message(["cmd": "deliver", "id": .integer(id), "alias": "A", "method": "m"], from: 2)) {
                if let number = message["id"]?.int64Value { ids.append(number) }
            }
        }
        deliver(0)  // server id 1
        deliver(1)  // server id 2
        _ = server.handle(.message(["cmd": "result", "re": 1, "success": 1], from: 1))
        deliver(2)  // wraps: 0
        _ = server.handle(.message(["cmd": "result", "re": 0, "success": 1], from: 1))
        deliver(0)  // 1 (free again); 2 is still in flight
        #expect(ids == [1, 2, 0, 1])
        #expect(server.invariantViolations().isEmpty)
    }

    @Test("Shutdown says bye to everyone and forgets everything")
    func shutdown() {
        var server = SessionServer()
        _ = server.handle(.connected(1))
        _ = server.handle(.message(["cmd": "hello", "id": 1, "versions": [1]], from: 1))
        _ = server.handle(.message(["cmd": "publish", "id": 2, "alias": "A", "methods": []], from: 1))
        let outputs = server.shutdown()
        #expect(outputs == [.send(["cmd": "bye", "code": "shutdown", "text": "the server is shutting down"], to: 1), .close(1)])
        #expect(server.publishedAliases.isEmpty && server.connectionIDs.isEmpty)
    }

    @Test("A hello configures the connection after the welcome")
    func configure() throws {
        var server = SessionServer()
        _ = server.handle(.connected(1, sealing: "psk"))
        let outputs = server.handle(.message(
            ["cmd": "hello", "id": 1, "versions": [1], "serializers": ["json"], "compression": ["zlib"], "sealing": "psk"], from: 1))
        #expect(outputs.count == 2)
        #expect(outputs.last == .configure(1, Negotiation(version: 1, serializer: .json, compression: .zlib, sealing: "psk")))
        #expect(server.negotiation(for: 1)?.serializer == .json)
    }

    // MARK: - Client

    @Test("The client correlates replies, tracks subscriptions and deliveries, and fails what is pending on close")
    func client() throws {
        var client = SessionClient(options: SessionClientOptions(serializers: [.json]))
        #expect(throws: SessionClientError.notReady) { try client.listing() }
        let hello = try client.hello()
        #expect(hello.message["serializers"] == ["json"])
        #expect(throws: SessionClientError.alreadyGreeted) { try client.hello() }
        let events = client.receive(["cmd": "welcome", "re": 1, "version": 1, "serializer": "json", "sealing": "none"])
        #expect(events.first == .negotiated(Negotiation(version: 1, serializer: .json)))
        let subscribe = try client.subscribe(alias: "Calc")
        _ = client.receive(["cmd": "ok", "re": subscribe.id.perlValue, "alias": "Calc", "methods": ["add"]])
        #expect(client.subscriptions == ["Calc": ["add"]])
        let call = try client.deliver(alias: "Calc", method: "add", payload: [1, 2])
        #expect(client.receive(["cmd": "deliver", "id": 5, "alias": "Mine", "method": "m"]) == [
            .delivery(.init(id: 5, alias: "Mine", method: "m")),
        ])
        #expect(try client.respond(to: 5, success: true, payload: 3) == ["cmd": "result", "re": 5, "success": 1, "payload": 3])
        #expect(throws: SessionClientError.unknownDelivery(5)) { try client.respond(to: 5, success: true) }
        #expect(client.receive(["cmd": "rescinded", "alias": "Calc", "code": "publisher_gone"]) == [.aliasGone(alias: "Calc", .publisherGone)])
        #expect(client.subscriptions.isEmpty)
        #expect(client.receive(["cmd": "ok", "re": 99]).first.map { if case .violation = $0 { true } else { false } } == true)
        let closing = client.connectionClosed()
        #expect(closing.first == .completed(call.id, .failed(ProtocolError(.connectionClosed, "the connection closed before the reply"))))
        #expect(closing.last == .closed(nil))
        #expect(throws: SessionClientError.closed) { try client.ping() }
    }

    @Test("A welcome choosing what the client did not offer is a violation")
    func unofferedChoice() throws {
        var client = SessionClient()
        _ = try client.hello()
        let events = client.receive(["cmd": "welcome", "re": 1, "version": 1, "serializer": "yaml", "sealing": "none"])
        #expect(events.count == 1)
        if case .violation(let error) = events.first { #expect(error.code == .malformedMessage) } else { Issue.record("no violation: \(events)") }
    }

    @Test("The client answers the server's ping")
    func clientPong() {
        var client = SessionClient()
        #expect(client.receive(["cmd": "ping", "id": 3, "time": 1]) == [.send(["cmd": "pong", "event": "pong", "re": 3, "time": 1])])
    }
}
