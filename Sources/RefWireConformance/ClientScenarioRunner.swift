import NIOCore
import NIOPosix
import RefWire
import RefWireNIO
import RefWireSodium

/// Runs scenarios against a client program through the control channel of
/// `Spec/conformance.md` §3.
///
/// Per scenario: a listener on 127.0.0.1 (a free port), the command started with
/// `/bin/sh -c` and `REFWIRE_CONFORM_SERVER=127.0.0.1:PORT`, and an in-process
/// ``SessionServer`` configured as the scenario says, which plays the server for every
/// party. The runner plays every party but one itself; the client plays the party of
/// ``clientParty(of:)``: its `send` steps become actions, and the frame the client writes
/// must match the step (then goes to the server); what the server sends it must match
/// its `receive` steps and is written to the client, followed before the next step by a
/// barrier (a server `ping`, which the client must answer; no violation may be reported
/// meanwhile). Every wait is bounded by ``timeout``; the client is killed at the end.
///
/// With ``WireConfiguration/sealing`` set, the runner's side of the client's connection
/// is sealed as the responder with that configuration, and each scenario is played as
/// ``Scenario/resealed(_:)`` in the run's mode (scenarios about sealing itself are
/// skipped): the client must seal as the initiator with the same keys.
///
/// Side effect: the process ignores `SIGPIPE` (a write to a client that exited fails).
public struct ClientScenarioRunner: Sendable {
    public enum Result: Sendable {
        case ran(ScenarioOutcome)
        case skipped(String)
    }

    public var command: String
    /// The wire the client's connection starts with (the client must be given the same,
    /// sealing included: the runner seals as the responder, the client as the initiator).
    public var wire: WireConfiguration
    public var timeout: Duration
    /// The environment variable giving the client the server's address.
    public static let serverVariable = "REFWIRE_CONFORM_SERVER"
    /// The first id of the runner's barrier pings (`1000000 + n`).
    public static let barrierBaseID: Int64 = 1_000_000

    public init(command: String, wire: WireConfiguration = WireConfiguration(), timeout: Duration = .seconds(10)) {
        self.command = command
        self.wire = wire
        self.timeout = timeout
    }

    /// The party the client plays: the first without raw or unreadable steps, sealed as
    /// the run's channels are (unsealed without `wire.sealing`).
    public static func clientParty(of scenario: Scenario, wire: WireConfiguration = WireConfiguration()) -> String? {
        let drivable = scenario.clientDrivableParties
        let sealing = wire.sealing?.mode.identifier ?? SessionSealing.none
        return scenario.parties.first { drivable.contains($0.name) && $0.sealing == sealing }?.name
    }

    /// `scenario` as this run plays it: over sealed channels, ``Scenario/resealed(_:)`` in
    /// the run's mode (`nil` for a scenario about sealing itself); else as it is.
    public static func played(_ scenario: Scenario, wire: WireConfiguration) -> Scenario? {
        guard let mode = wire.sealing?.mode.identifier else { return scenario }
        return scenario.resealed(mode)
    }

    /// Why the client cannot play `scenario` (as written: it is resealed here over sealed
    /// channels), or `nil` if it can.
    public static func skipReason(_ scenario: Scenario, wire: WireConfiguration) -> String? {
        guard let scenario = played(scenario, wire: wire) else { return "about sealing itself; run it unsealed" }
        guard let party = clientParty(of: scenario, wire: wire) else { return "no party a client can play" }
        var ids: [String: PerlValue] = [:]
        for step in scenario.steps {
            guard case .send(party, let pattern, _) = step else { continue }
            for name in pattern.variableNames where ids[name] == nil { ids[name] = .integer(Int64(ids.count + 1)) }
            do throws(ScenarioError) {
                _ = try ControlChannel.action(for: try pattern.build(ids))
            } catch {
                return "\(party) sends what no action asks for: \(error)"
            }
        }
        return nil
    }

    public func run(_ original: Scenario) async -> Result {
        if let reason = Self.skipReason(original, wire: wire) { return .skipped(reason) }
        let scenario = Self.played(original, wire: wire)!
        let party = Self.clientParty(of: scenario, wire: wire)!
        func failed(_ text: String) -> Result { .ran(ScenarioOutcome(scenario: scenario.description, failure: text)) }

        let accepted = AcceptQueue()
        let sealing = wire.sealing
        let listener: any Channel
        do {
            listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let box = FrameConnection.InboxBox()
                        if let sealing {
                            try channel.pipeline.syncOperations.addHandler(SealingHandler(role: .responder, configuration: sealing))
                            try channel.pipeline.syncOperations.addHandler(FrameConnection.PayloadCollector(box: box))
                        } else {
                            try channel.pipeline.syncOperations.addHandler(FrameConnection.ByteCollector(box: box))
                        }
                        accepted.push(FrameConnection(accepted: channel, isSealed: sealing != nil, box: box))
                    }
                }
                .bind(host: "127.0.0.1", port: 0).get()
        } catch {
            return failed("cannot listen on 127.0.0.1: \(error)")
        }
        guard let port = listener.localAddress?.port else {
            try? await listener.close()
            return failed("the listener has no port")
        }
        let process: ClientProcess
        do throws(ScenarioError) {
            process = try await ClientProcess(command: command, environment: [Self.serverVariable: "127.0.0.1:\(port)"])
        } catch {
            try? await listener.close()
            return failed("\(error)")
        }
        var subject = ExternalClientSubject(
            inner: InProcessScenarioServer(options: scenario.serverOptions, wireFormat: nil), party: party,
            process: process, accepted: accepted, port: port, wire: wire, timeout: timeout)
        var outcome = await ScenarioRunner(driveClients: false).run(scenario, against: &subject)
        if outcome.passed {
            do throws(ScenarioError) {
                try await subject.finish()
            } catch {
                outcome = ScenarioOutcome(scenario: scenario.description, failure: "at the end: \(error)")
            }
        }
        // A passing client gets its time to exit; a failing one is killed at once.
        await process.finish(grace: outcome.passed ? timeout : .zero)
        await subject.closeConnections()
        try? await listener.close()
        return .ran(outcome)
    }
}

extension ScenarioValue {
    /// The names of the `$id` variables in this value.
    var variableNames: [String] {
        switch self {
        case .variable(let name): [name]
        case .any, .scalar, .exact: []
        case .array(let elements): elements.flatMap(\.variableNames)
        case .hash(let entries): entries.flatMap(\.value.variableNames)
        case .blessed(_, let inner): inner.variableNames
        }
    }
}

/// The in-process server, with one party played by a client program over a socket.
struct ExternalClientSubject: ScenarioServerSubject {
    var inner: InProcessScenarioServer
    let party: String
    let process: ClientProcess
    let accepted: AcceptQueue
    let port: Int
    let wire: WireConfiguration
    let timeout: Duration

    /// The client's connection, from its `connect` until it or the server ends it.
    private var stream: MessageStream?
    /// The server closed the client's connection (it is closed once a `closed` step, or
    /// the end, confirms it).
    private var closedByServer = false
    /// What the runner wrote to the client and the client has not reported `received` yet.
    private var unreported: [String] = []
    /// Written something since the last barrier.
    private var dirty = false
    private var barriers: Int64 = 0
    private var retired: [FrameConnection] = []

    init(
        inner: InProcessScenarioServer, party: String, process: ClientProcess, accepted: AcceptQueue, port: Int,
        wire: WireConfiguration, timeout: Duration
    ) {
        self.inner = inner
        self.party = party
        self.process = process
        self.accepted = accepted
        self.port = port
        self.wire = wire
        self.timeout = timeout
    }

    // MARK: - The control channel

    private func act(_ action: PerlValue) async throws(ScenarioError) {
        try await process.write(line: try ControlChannel.line(action))
    }

    private enum ClosedEvents {
        case fail, allow
    }

    /// Reads events until one satisfies `wanted` (returned). On the way, each `received`
    /// must be the next message the runner wrote, a `violation` fails, and a `closed`
    /// fails unless allowed.
    private mutating func awaitEvent(
        _ what: String, closed: ClosedEvents = .fail, _ wanted: (PerlValue) -> Bool
    ) async throws(ScenarioError) -> PerlValue {
        let deadline = ContinuousClock.now + timeout
        while true {
            let line: [UInt8]?
            do throws(ScenarioError) {
                line = try await process.nextLine(by: deadline)
            } catch {
                throw ScenarioError("waiting for \(what): \(error)")
            }
            guard let line else { throw ScenarioError("waiting for \(what): the client's standard output ended (it exited)") }
            // Lines that are not JSON objects are ignored (§3.3).
            guard let event = try? ControlChannel.parse(line: line) else { continue }
            switch event["event"]?.stringValue {
            case "received":
                let command = event["cmd"]?.stringValue ?? ""
                guard !unreported.isEmpty else {
                    throw ScenarioError("the client reports receiving '\(command)', which the runner did not send (waiting for \(what))")
                }
                let sent = unreported.removeFirst()
                guard sent == command else {
                    throw ScenarioError("the client reports receiving '\(command)'; the runner sent '\(sent)'")
                }
            case "violation":
                throw ScenarioError("the client reports a protocol violation: \(event["text"]?.stringValue ?? "(no text)")")
            case "closed":
                if closed == .fail, !wanted(event) {
                    throw ScenarioError("the client reports its connection closed (waiting for \(what))")
                }
            default: break
            }
            if wanted(event) { return event }
        }
    }

    /// Writes an action and waits for its `done`; `refused` fails.
    private mutating func perform(_ action: PerlValue, closed: ClosedEvents = .fail) async throws(ScenarioError) {
        let name = action["action"]?.stringValue ?? ""
        try await act(action)
        let answer = try await awaitEvent("the '\(name)' action to be done", closed: closed) { event in
            let kind = event["event"]?.stringValue
            return (kind == "done" || kind == "refused") && event["action"]?.stringValue == name
        }
        if answer["event"]?.stringValue == "refused" {
            throw ScenarioError("the client refused the '\(name)' action: \(answer["text"]?.stringValue ?? "(no text)")")
        }
    }

    /// Every message written to the client was reported and accepted: a server `ping`
    /// the client must report and answer with `pong`, and nothing else.
    private mutating func barrier() async throws(ScenarioError) {
        guard var current = stream else { return }
        dirty = false
        barriers += 1
        let id = ClientScenarioRunner.barrierBaseID + barriers
        try await current.send(["cmd": "ping", "id": .integer(id)])
        unreported.append("ping")
        _ = try await awaitEvent("the barrier ping \(id) to be reported") { event in
            event["event"]?.stringValue == "received" && event["cmd"]?.stringValue == "ping"
                && event["id"].flatMap(MessageFields.integer) == id
        }
        defer { stream = current }
        while true {
            let message: PerlValue?
            do throws(ScenarioError) {
                message = try await current.receive(timeout: timeout)
            } catch {
                throw ScenarioError("waiting for the pong to barrier ping \(id): \(error)")
            }
            guard let message else { throw ScenarioError("the client closed its connection instead of answering ping \(id)") }
            if message["cmd"]?.stringValue == "pong", message["re"].flatMap(MessageFields.integer) == id { return }
            throw ScenarioError("the client sent \(message), which the scenario does not script")
        }
    }

    // MARK: - ScenarioServerSubject

    mutating func connect(_ name: String, sealing: String) async throws(ScenarioError) {
        if name == party {
            let channelSealing = wire.sealing?.mode.identifier ?? SessionSealing.none
            guard sealing == channelSealing else {
                throw ScenarioError("\(party) needs a \(sealing) channel; this run's channels are \(channelSealing)")
            }
            if let old = stream { retired.append(old.connection) }
            stream = nil
            try await perform(["action": "connect", "host": "127.0.0.1", "port": .integer(Int64(port))])
            guard let connection = await accepted.next(timeout: timeout) else {
                throw ScenarioError("the client said it connected, but no connection arrived within \(timeout)")
            }
            stream = MessageStream(connection: connection, wire: wire)
            closedByServer = false
            unreported = []
            dirty = false
        }
        try await inner.connect(name, sealing: sealing)
    }

    mutating func outgoing(_ pattern: ScenarioValue, bindings: [String: PerlValue], from name: String)
        async throws(ScenarioError) -> PerlValue?
    {
        guard name == party else { return nil }
        try await perform(try ControlChannel.action(for: try pattern.build(bindings)))
        guard var current = stream else { throw ScenarioError("the client sent with no connection open") }
        let message: PerlValue?
        do throws(ScenarioError) {
            message = try await current.receive(timeout: timeout)
        } catch {
            throw ScenarioError("the client said it sent a message: \(error)")
        }
        stream = current
        guard let message else { throw ScenarioError("the client closed its connection instead of sending") }
        var scratch = bindings
        if let problem = pattern.match(message, &scratch) {
            throw ScenarioError("the client playing \(party) sent a different message: \(problem)")
        }
        return message
    }

    mutating func send(_ message: PerlValue, from name: String) async throws(ScenarioError) {
        try await inner.send(message, from: name)
    }

    mutating func sendVector(_ vector: ProtocolVector, from name: String) async throws(ScenarioError) {
        guard name != party else { throw ScenarioError("a client is not asked to send a vector's frame") }
        try await inner.sendVector(vector, from: name)
    }

    mutating func sendUnreadable(from name: String) async throws(ScenarioError) {
        guard name != party else { throw ScenarioError("a client is not asked to send an unreadable frame") }
        try await inner.sendUnreadable(from: name)
    }

    mutating func disconnect(_ name: String) async throws(ScenarioError) {
        if name == party {
            try await perform(["action": "disconnect"], closed: .allow)
            if var current = stream {
                stream = nil
                defer { retired.append(current.connection) }
                while true {
                    let message: PerlValue?
                    do throws(ScenarioError) {
                        message = try await current.receive(timeout: timeout)
                    } catch {
                        throw ScenarioError("the client said it disconnected: \(error)")
                    }
                    guard let message else { break }
                    throw ScenarioError("the client sent \(message) while disconnecting")
                }
            }
        }
        try await inner.disconnect(name)
    }

    mutating func shutdown(text: String) async throws(ScenarioError) {
        try await inner.shutdown(text: text)
    }

    mutating func drain(_ name: String) async throws(ScenarioError) -> (messages: [PerlValue], closed: Bool) {
        if name == party, dirty, !closedByServer { try await barrier() }
        let drained = try await inner.drain(name)
        if name == party, drained.closed { closedByServer = true }
        return drained
    }

    mutating func delivered(_ message: PerlValue, as vector: ProtocolVector?, to name: String) async throws(ScenarioError) {
        guard name == party else { return }
        guard var current = stream else { throw ScenarioError("\(party) received \(message) with no connection open") }
        if let vector {
            try await current.send(vector)
        } else {
            try await current.send(message)
        }
        let command = message["cmd"]?.stringValue ?? ""
        // The server switches after writing the welcome (Spec/protocol.md §4).
        if command == "welcome" { try current.apply(welcome: message) }
        stream = current
        unreported.append(command)
        dirty = true
    }

    mutating func confirmClosed(_ name: String) async throws(ScenarioError) {
        guard name == party, let current = stream else { return }
        // The server closed the connection: the client reads what it was sent, then the end.
        stream = nil
        retired.append(current.connection)
        await current.connection.close()
        _ = try await awaitEvent("the client to report its connection closed", closed: .allow) { event in
            event["event"]?.stringValue == "closed"
        }
        guard unreported.isEmpty else {
            throw ScenarioError("the client did not report receiving \(unreported.joined(separator: ", ")) before its connection closed")
        }
    }

    /// After the last step: a connection the server closed is closed now, and checked as
    /// by a `closed` step.
    mutating func finish() async throws(ScenarioError) {
        if closedByServer { try await confirmClosed(party) }
    }

    /// Closes the client's connections on the runner's side.
    mutating func closeConnections() async {
        if let current = stream { retired.append(current.connection) }
        stream = nil
        for connection in retired + accepted.drain() { await connection.close() }
        retired = []
    }
}
