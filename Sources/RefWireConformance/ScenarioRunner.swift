import RefWire

/// A server under test, reached through one connection per scenario party.
///
/// The in-process subject (``InProcessScenarioServer``) drives a ``SessionServer``
/// directly. A subject over sockets opens a TCP connection per party, writes each message
/// as a frame, and implements ``drain(_:)`` with a barrier: it sends the party's own
/// `ping` with a fresh id and reads until the matching `pong` (or the end of the
/// stream): everything read before it is what the party received.
public protocol ScenarioServerSubject {
    mutating func connect(_ party: String, sealing: String) async throws(ScenarioError)
    mutating func send(_ message: PerlValue, from party: String) async throws(ScenarioError)
    /// Sends a protocol vector's payload in the party's current format, compressed and
    /// sealed as its connection is.
    mutating func sendVector(_ vector: ProtocolVector, from party: String) async throws(ScenarioError)
    /// Sends a frame whose payload does not decode.
    mutating func sendUnreadable(from party: String) async throws(ScenarioError)
    mutating func disconnect(_ party: String) async throws(ScenarioError)
    mutating func shutdown(text: String) async throws(ScenarioError)
    /// What the party received since the last call, in order, and whether the server
    /// has closed its connection.
    mutating func drain(_ party: String) async throws(ScenarioError) -> (messages: [PerlValue], closed: Bool)

    // Hooks for a party played outside the runner (``ClientScenarioRunner``); the
    // defaults do nothing.

    /// The message `party` sends for a `send` step, if something other than the runner
    /// makes it (an external client, which must write a message matching `pattern`);
    /// `nil`: the runner makes it. Called before ``send(_:from:)`` gets the message.
    mutating func outgoing(_ pattern: ScenarioValue, bindings: [String: PerlValue], from party: String)
        async throws(ScenarioError) -> PerlValue?
    /// A message `party` received matched its `receive` step, which names `vector` when
    /// the party is to be given that vector's frame in place of the message.
    mutating func delivered(_ message: PerlValue, as vector: ProtocolVector?, to party: String) async throws(ScenarioError)
    /// A `closed` step found `party` closed by the server, after everything it received.
    mutating func confirmClosed(_ party: String) async throws(ScenarioError)
    /// How long a `receive` step keeps collecting while its party has received nothing:
    /// a server in another process may still be handling what caused the message (a
    /// close, which has no reply to wait for). Zero (the default): what was not received
    /// by the barrier never will be.
    var patience: Duration { get }
}

extension ScenarioServerSubject {
    public mutating func outgoing(_ pattern: ScenarioValue, bindings: [String: PerlValue], from party: String)
        async throws(ScenarioError) -> PerlValue? { nil }
    public mutating func delivered(_ message: PerlValue, as vector: ProtocolVector?, to party: String) async throws(ScenarioError) {}
    public mutating func confirmClosed(_ party: String) async throws(ScenarioError) {}
    public var patience: Duration { .zero }
}

/// How a scenario ran.
public struct ScenarioOutcome: Sendable, CustomStringConvertible {
    public var scenario: String
    /// `nil`: passed.
    public var failure: String?

    public init(scenario: String, failure: String?) {
        self.scenario = scenario
        self.failure = failure
    }

    public var passed: Bool { failure == nil }
    public var description: String { failure.map { "FAIL \(scenario): \($0)" } ?? "pass \(scenario)" }
}

/// Runs scenarios against a server subject, checking every message every party receives.
///
/// With `driveClients`, every party without raw steps is played by a ``SessionClient``:
/// its messages are the ones the client builds when asked for what the step sends (and
/// must match the step), and each message it receives must be accepted by the client
/// without a violation. So one run checks the server and the client at once.
public struct ScenarioRunner {
    public var driveClients: Bool

    public init(driveClients: Bool) {
        self.driveClients = driveClients
    }

    public func run(_ scenario: Scenario, against subject: inout some ScenarioServerSubject) async -> ScenarioOutcome {
        var run = Run(scenario: scenario, drive: driveClients ? scenario.clientDrivableParties : [])
        do throws(ScenarioError) {
            try await run.perform(on: &subject)
            return ScenarioOutcome(scenario: scenario.description, failure: nil)
        } catch {
            return ScenarioOutcome(scenario: scenario.description, failure: "step \(run.stepIndex + 1): \(error)")
        }
    }

    /// The pass/fail table of `Spec/conformance.md` §4, ending with `N passed, M failed`;
    /// `skipped` lists scenarios not run, with the reason.
    public static func table(_ outcomes: [ScenarioOutcome], skipped: [(scenario: String, reason: String)] = []) -> String {
        var lines = outcomes.map { $0.passed ? "pass  \($0.scenario)" : "FAIL  \($0.scenario)\n      \($0.failure!)" }
        lines += skipped.map { "skip  \($0.scenario) (\($0.reason))" }
        let failed = outcomes.filter { !$0.passed }.count
        if !skipped.isEmpty { lines.append("\(skipped.count) skipped") }
        lines.append("\(outcomes.count - failed) passed, \(failed) failed")
        return lines.joined(separator: "\n")
    }

    private struct Run {
        let scenario: Scenario
        let drive: Set<String>
        var stepIndex = 0
        var bindings: [String: PerlValue] = [:]
        var inboxes: [String: [PerlValue]] = [:]
        var closed: Set<String> = []
        var clients: [String: SessionClient] = [:]

        init(scenario: Scenario, drive: Set<String>) {
            self.scenario = scenario
            self.drive = drive
        }

        mutating func perform(on subject: inout some ScenarioServerSubject) async throws(ScenarioError) {
            for (index, step) in scenario.steps.enumerated() {
                stepIndex = index
                try await collect(from: &subject)
                switch step {
                case .receive, .closed: break
                default: try expectQuiet()
                }
                switch step {
                case .connect(let party):
                    let sealing = scenario.parties.first { $0.name == party }?.sealing ?? SessionSealing.none
                    try await subject.connect(party, sealing: sealing)
                    closed.remove(party)
                    if drive.contains(party) {
                        clients[party] = SessionClient(options: SessionClientOptions(limits: scenario.serverOptions.limits))
                    }
                case .send(let party, let pattern, _):
                    let message: PerlValue
                    if let external = try await subject.outgoing(pattern, bindings: bindings, from: party) {
                        message = external
                    } else {
                        message = try outgoing(pattern, from: party)
                    }
                    try await subject.send(message, from: party)
                case .sendVector(let party, let vector):
                    try await subject.sendVector(vector, from: party)
                case .receive(let party, let pattern, let vector):
                    let deadline = ContinuousClock.now + subject.patience
                    while inboxes[party, default: []].isEmpty, !closed.contains(party), ContinuousClock.now < deadline {
                        try? await Task.sleep(for: .milliseconds(5))
                        try await collect(from: &subject)
                    }
                    guard !inboxes[party, default: []].isEmpty else {
                        throw ScenarioError("\(party) should receive \(pattern) but received nothing\(closed.contains(party) ? " (connection closed)" : "")")
                    }
                    let message = inboxes[party]!.removeFirst()
                    if let problem = pattern.match(message, &bindings) {
                        throw ScenarioError("\(party) received a message that does not match: \(problem)")
                    }
                    try deliverToClient(message, party: party)
                    try await subject.delivered(message, as: vector, to: party)
                case .closed(let party):
                    guard inboxes[party, default: []].isEmpty else {
                        throw ScenarioError("\(party) should be closed but first has \(inboxes[party]![0]) to receive")
                    }
                    guard closed.contains(party) else { throw ScenarioError("the server should have closed \(party)'s connection") }
                    _ = clients[party]?.connectionClosed()
                    try await subject.confirmClosed(party)
                case .disconnect(let party):
                    try await subject.disconnect(party)
                    closed.insert(party)
                    _ = clients[party]?.connectionClosed()
                case .unreadable(let party):
                    try await subject.sendUnreadable(from: party)
                case .shutdown(let text):
                    try await subject.shutdown(text: text)
                }
            }
            stepIndex = scenario.steps.count
            try await collect(from: &subject)
            try expectQuiet()
        }

        /// Takes what each open party received into its inbox.
        mutating func collect(from subject: inout some ScenarioServerSubject) async throws(ScenarioError) {
            for party in scenario.parties.map(\.name) where !closed.contains(party) {
                let (messages, isClosed) = try await subject.drain(party)
                inboxes[party, default: []] += messages
                if isClosed { closed.insert(party) }
            }
        }

        func expectQuiet() throws(ScenarioError) {
            for party in scenario.parties.map(\.name) {
                if let message = inboxes[party]?.first {
                    throw ScenarioError("\(party) received \(message), which the scenario does not expect here")
                }
            }
        }

        /// The message a party sends: the step's, or, for a party a client plays, the one
        /// the client builds, which must match the step's.
        mutating func outgoing(_ pattern: ScenarioValue, from party: String) throws(ScenarioError) -> PerlValue {
            let scripted = try pattern.build(bindings)
            guard var client = clients[party] else { return scripted }
            defer { clients[party] = client }
            let message: SessionMessage
            do throws(SessionMessage.ParseFailure) {
                // Limits are the server's to enforce; a client builds what it is asked to.
                var permissive = scenario.serverOptions.limits
                permissive.maximumMethodsPerAlias = .max
                message = try SessionMessage(parsing: scripted, limits: permissive)
            } catch {
                throw ScenarioError("\(party)'s message is not one a client builds (\(error.error)); mark the step raw")
            }
            do throws(any Error) {
                let built: PerlValue
                switch message {
                case .hello(let hello):
                    client.options.versions = hello.versions
                    client.options.serializers = try hello.serializers.map { names throws(ScenarioError) in
                        try names.map { name throws(ScenarioError) in
                            guard let format = PayloadFormat(rawValue: name) else { throw ScenarioError("serializer \(name): mark the step raw") }
                            return format
                        }
                    }
                    client.options.compression = try hello.compression.map { names throws(ScenarioError) in
                        try names.map { name throws(ScenarioError) in
                            guard let compression = SessionCompression(rawValue: name) else { throw ScenarioError("compression \(name): mark the step raw") }
                            return compression
                        }
                    }
                    client.options.sealing = hello.sealing
                    client.options.name = hello.name
                    built = try client.hello().message
                case .ping(let ping) where ping.className == nil:
                    built = try client.ping(time: ping.time).message
                case .publish(_, let alias, let methods): built = try client.publish(alias: alias, methods: methods).message
                case .rescind(_, let alias): built = try client.rescind(alias: alias).message
                case .listing: built = try client.listing().message
                case .subscribe(_, let alias): built = try client.subscribe(alias: alias).message
                case .unsubscribe(_, let alias): built = try client.unsubscribe(alias: alias).message
                case .deliver(let delivery):
                    built = try client.deliver(alias: delivery.alias, method: delivery.method, payload: delivery.payload).message
                case .bye(let bye) where bye.id != nil: built = try client.bye().message
                case .result(let result):
                    built = try client.respond(
                        to: result.re, success: result.success, payload: result.payload, code: result.code, text: result.text)
                default:
                    throw ScenarioError("\(party) sends '\(message.command)', which a client does not build; mark the step raw")
                }
                var scratch = bindings
                if let problem = pattern.match(built, &scratch) {
                    throw ScenarioError("the client playing \(party) built a different message: \(problem)")
                }
                return built
            } catch let error as ScenarioError {
                throw error
            } catch {
                throw ScenarioError("the client playing \(party) refused to send \(message.command): \(error)")
            }
        }

        mutating func deliverToClient(_ message: PerlValue, party: String) throws(ScenarioError) {
            guard var client = clients[party] else { return }
            defer { clients[party] = client }
            for event in client.receive(message) {
                switch event {
                case .violation(let error):
                    throw ScenarioError("the client playing \(party) rejected \(message): \(error)")
                case .send(let reply):
                    throw ScenarioError("the client playing \(party) wants to send \(reply), which the scenario does not script")
                default: break
                }
            }
        }
    }
}

/// A ``SessionServer`` in process, as a scenario subject. Each message can make a round
/// trip through a serializer on the way in and out, as it would over a connection.
public struct InProcessScenarioServer: ScenarioServerSubject {
    public private(set) var server: SessionServer
    /// Encode and decode every message in this format (`nil`: hand values over as they are).
    public var wireFormat: PayloadFormat?
    /// Called after every input, e.g. to check invariants; a non-empty answer fails the run.
    public var check: (@Sendable (SessionServer) -> [String])?

    private var connections: [String: ConnectionID] = [:]
    private var parties: [ConnectionID: String] = [:]
    private var inboxes: [String: [PerlValue]] = [:]
    private var closed: Set<String> = []
    private var nextConnection: UInt64 = 1
    private let codec = PayloadCodec()

    public init(options: SessionServerOptions, wireFormat: PayloadFormat? = .nstorable,
                 check: (@Sendable (SessionServer) -> [String])? = nil) {
        self.server = SessionServer(options: options)
        self.wireFormat = wireFormat
        self.check = check
    }

    private func wire(_ value: PerlValue) throws(ScenarioError) -> PerlValue {
        guard let wireFormat else { return value }
        do {
            return try codec.decode(try codec.encode(value, as: wireFormat), as: wireFormat)
        } catch {
            throw ScenarioError("\(value) does not survive \(wireFormat.name): \(error)")
        }
    }

    private mutating func apply(_ outputs: [SessionServer.Output]) throws(ScenarioError) {
        for output in outputs {
            switch output {
            case .send(let message, let connection):
                guard let party = parties[connection] else { throw ScenarioError("the server sent to unknown connection \(connection)") }
                guard !closed.contains(party) else { throw ScenarioError("the server sent \(message) to \(party) after closing it") }
                inboxes[party, default: []].append(try wire(message))
            case .configure:
                break
            case .close(let connection):
                guard let party = parties[connection] else { throw ScenarioError("the server closed unknown connection \(connection)") }
                closed.insert(party)
            }
        }
        if let check, case let problems = check(server), !problems.isEmpty {
            throw ScenarioError("server invariants: " + problems.joined(separator: "; "))
        }
    }

    private func connection(_ party: String) throws(ScenarioError) -> ConnectionID {
        guard let connection = connections[party] else { throw ScenarioError("\(party) is not connected") }
        return connection
    }

    public mutating func connect(_ party: String, sealing: String) async throws(ScenarioError) {
        let connection = ConnectionID(nextConnection)
        nextConnection += 1
        connections[party] = connection
        parties[connection] = party
        closed.remove(party)
        try apply(server.handle(.connected(connection, sealing: sealing)))
    }

    public mutating func send(_ message: PerlValue, from party: String) async throws(ScenarioError) {
        let connection = try connection(party)
        guard !closed.contains(party) else { throw ScenarioError("\(party) sends on a closed connection") }
        try apply(server.handle(.message(try wire(message), from: connection)))
    }

    public mutating func sendVector(_ vector: ProtocolVector, from party: String) async throws(ScenarioError) {
        // Read as a transport reads a frame: the message, or a payload that does not decode.
        let format = wireFormat ?? .nstorable
        guard let payload = vector.payload(in: format) else { throw ScenarioError("vector \(vector.name) has no \(format.name) frame") }
        let connection = try connection(party)
        guard !closed.contains(party) else { throw ScenarioError("\(party) sends on a closed connection") }
        do {
            let message = try PayloadCodec.poeFilterReference(format).decode(payload, as: format)
            try apply(server.handle(.message(message, from: connection)))
        } catch let error as ScenarioError {
            throw error
        } catch {
            try apply(server.handle(.unreadable(from: connection, reason: "\(error)")))
        }
    }

    public mutating func sendUnreadable(from party: String) async throws(ScenarioError) {
        try apply(server.handle(.unreadable(from: try connection(party), reason: "scenario")))
    }

    public mutating func disconnect(_ party: String) async throws(ScenarioError) {
        let connection = try connection(party)
        closed.insert(party)
        try apply(server.handle(.disconnected(connection)))
    }

    public mutating func shutdown(text: String) async throws(ScenarioError) {
        try apply(server.shutdown(text: text))
    }

    public mutating func drain(_ party: String) async throws(ScenarioError) -> (messages: [PerlValue], closed: Bool) {
        let messages = inboxes.removeValue(forKey: party) ?? []
        let isClosed = closed.contains(party)
        if isClosed, let connection = connections[party] {
            // The transport reports the close it carried out; the server must already have forgotten it.
            try apply(server.handle(.disconnected(connection)))
        }
        return (messages, isClosed)
    }
}
