import NIOCore
import RefWire
import RefWireNIO

/// A live server as a scenario subject: one TCP connection per party
/// (`Spec/conformance.md` §2).
///
/// `send` writes a frame in the party's current serializer and compression (switched when
/// a `welcome` arrives); `sendUnreadable` writes `5\0` and five bytes that decode in no
/// format; `drain` sets a barrier — an id-less `ping` whose `time` is a fresh token — and
/// reads up to its `pong` or the end of the stream. A live server cannot be configured
/// or shut down by the runner: run only scenarios without ``Scenario/needsConfiguredServer``
/// (``shutdown(text:)`` fails), unless the server was started alike.
///
/// A close has no reply, yet what it causes must be over before the runner looks: when
/// a party that asked to publish aliases disconnects (and when ``closeAll()`` ends a
/// scenario), the runner asks the server for its `listing` on a connection of its own
/// until none of those aliases is listed (`Spec/protocol.md` §5.4: the server rescinds a
/// gone publisher's aliases before anything else it does for the close). So the next
/// step, or the next scenario on the same server, starts from the state the close left.
public struct SocketScenarioServer: ScenarioServerSubject {
    public var host: String
    public var port: Int
    /// The wire every connection starts with; must match the server's.
    public var wire: WireConfiguration
    /// The bound on every wait (connect, a reply, a barrier). Default: 10 s.
    public var timeout: Duration
    /// How long ``disconnect(_:)`` waits for the server to handle a close it cannot observe (the
    /// party published nothing, or the server cannot be asked for its listing). Default: 100 ms.
    public var disconnectSettleTime: Duration = .milliseconds(100)
    /// For a server the caller can observe: called just before a party's connection is
    /// closed; the closure it returns is awaited after the close, instead of
    /// ``disconnectSettleTime``, and returns once the server has handled the close.
    public var disconnectObserver: (@Sendable () -> @Sendable () async -> Void)?
    /// Carries out a scenario's `shutdown` step (for a server the test started); `nil`:
    /// the step fails.
    public var shutdownHandler: (@Sendable (String) async -> Void)?

    private struct Party {
        var stream: MessageStream
        var awaitingHelloReply: PerlValue?
        var closed = false
        /// Sent something since its last barrier.
        var dirty = false
        /// Received at another party's drain (see ``drain(_:)``).
        var stash: [PerlValue] = []
    }

    private var parties: [String: Party] = [:]
    private var barrier = 0
    /// The aliases each party asked to publish (whether or not the server agreed).
    private var publishing: [String: Set<String>] = [:]

    public init(host: String, port: Int, wire: WireConfiguration = WireConfiguration(), timeout: Duration = .seconds(10)) {
        self.host = host
        self.port = port
        self.wire = wire
        self.timeout = timeout
    }

    /// The frame of ``sendUnreadable(from:)``'s payload: five bytes no serializer reads.
    public static let unreadablePayload: [UInt8] = [0x00, 0x01, 0x02, 0x03, 0x04]

    public mutating func connect(_ party: String, sealing: String) async throws(ScenarioError) {
        let channelSealing = wire.sealing?.mode.identifier ?? SessionSealing.none
        guard sealing == channelSealing else {
            throw ScenarioError("\(party) needs a \(sealing) channel; this run's channels are \(channelSealing)")
        }
        if let old = parties[party] { await old.stream.connection.close() }
        let connection = try await FrameConnection.connect(host: host, port: port, sealing: wire.sealing, timeout: timeout)
        parties[party] = Party(stream: MessageStream(connection: connection, wire: wire))
    }

    private func party(_ name: String) throws(ScenarioError) -> Party {
        guard let party = parties[name] else { throw ScenarioError("\(name) is not connected") }
        return party
    }

    public mutating func send(_ message: PerlValue, from name: String) async throws(ScenarioError) {
        var party = try party(name)
        try await party.stream.send(message)
        sent(message, by: name, party: &party)
    }

    public mutating func sendVector(_ vector: ProtocolVector, from name: String) async throws(ScenarioError) {
        var party = try party(name)
        try await party.stream.send(vector)
        sent(try vector.value(in: party.stream.format), by: name, party: &party)
    }

    /// Notes what a sent message asks for: a `hello` awaits its answer before anything
    /// else is read; a `publish` names an alias a close will have to rescind.
    private mutating func sent(_ message: PerlValue, by name: String, party: inout Party) {
        switch message["cmd"]?.stringValue {
        case "hello": party.awaitingHelloReply = message["id"] ?? .undef
        case "publish": if let alias = message["alias"]?.stringValue { publishing[name, default: []].insert(alias) }
        default: break
        }
        party.dirty = true
        parties[name] = party
    }

    public mutating func sendUnreadable(from name: String) async throws(ScenarioError) {
        // Not compressed: junk that does not inflate is as unreadable as junk that does not decode.
        try await party(name).stream.sendPayload(Self.unreadablePayload)
        parties[name]?.dirty = true
    }

    public mutating func disconnect(_ name: String) async throws(ScenarioError) {
        let party = try party(name)
        parties[name] = nil
        let settled = disconnectObserver?()
        await party.stream.connection.close()
        // A close has no reply to wait for: the server must have handled it before the next
        // barrier looks for what it caused (cancels, rescinded, failed results).
        let others = parties.keys.reduce(into: Set<String>()) { $0.formUnion(publishing[$1] ?? []) }
        let aliases = (publishing.removeValue(forKey: name) ?? []).subtracting(others)
        if let settled {
            await settled()
        } else if aliases.isEmpty {
            try? await Task.sleep(for: disconnectSettleTime)
        } else if await !awaitUnlisted(aliases) {
            try? await Task.sleep(for: disconnectSettleTime)
        }
    }

    public mutating func shutdown(text: String) async throws(ScenarioError) {
        guard let shutdownHandler else { throw ScenarioError("a live server cannot be shut down by the runner") }
        await shutdownHandler(text)
    }

    public mutating func drain(_ name: String) async throws(ScenarioError) -> (messages: [PerlValue], closed: Bool) {
        // The server handles each connection on its own: what another party sent may not be
        // handled yet when this party's barrier returns. A barrier on every party that sent
        // since its last one comes first, so that everything it caused is on its way.
        for other in parties.keys.sorted() where other != name && parties[other]!.dirty {
            let (messages, closed) = try await barrier(other)
            parties[other]!.stash += messages
            if closed { parties[other]!.closed = true }
        }
        let (messages, closed) = try await barrier(name)
        let stash = parties[name]?.stash ?? []
        parties[name]?.stash = []
        return (stash + messages, closed)
    }

    private mutating func barrier(_ name: String) async throws(ScenarioError) -> (messages: [PerlValue], closed: Bool) {
        // A party not connected yet has received nothing.
        guard var party = parties[name] else { return ([], false) }
        party.dirty = false
        defer { parties[name] = party }
        guard !party.closed else { return ([], true) }
        var messages: [PerlValue] = []
        // After a hello, nothing may be sent before its answer (Spec/protocol.md §4).
        if let helloID = party.awaitingHelloReply {
            party.awaitingHelloReply = nil
            while true {
                guard let message = try await party.stream.receive(timeout: timeout) else {
                    party.closed = true
                    return (messages, true)
                }
                messages.append(message)
                let command = message["cmd"]?.stringValue
                if (command == "welcome" || command == "error"), let re = message["re"], MessageFields.integer(re) == MessageFields.integer(helloID) {
                    if command == "welcome" { try party.stream.apply(welcome: message) }
                    break
                }
            }
        }
        barrier += 1
        let token = "refwire-barrier-\(barrier)"
        // The server may have closed the connection already: a failed write is not an error,
        // the end of the stream tells.
        try? await party.stream.send(["cmd": "ping", "time": .string(token)])
        while true {
            guard let message = try await party.stream.receive(timeout: timeout) else {
                party.closed = true
                return (messages, true)
            }
            if message["cmd"]?.stringValue == "pong", message["re"] == nil, message["time"]?.stringValue == token {
                return (messages, false)
            }
            messages.append(message)
        }
    }

    /// A `receive` step waits up to ``timeout`` for its message.
    public var patience: Duration { timeout }

    /// Closes every connection still open, and waits until the server has rescinded the
    /// aliases they asked to publish: a scenario leaves nothing behind on a server that
    /// runs the next.
    public mutating func closeAll() async {
        for party in parties.values { await party.stream.connection.close() }
        parties = [:]
        let aliases = publishing.values.reduce(into: Set<String>()) { $0.formUnion($1) }
        publishing = [:]
        if !aliases.isEmpty, await !awaitUnlisted(aliases) { try? await Task.sleep(for: disconnectSettleTime) }
    }

    /// Asks for the server's `listing` on a connection of its own until none of `aliases`
    /// is in it (within ``timeout``). `false` if the server cannot be asked (it refuses the
    /// connection or the `hello`, or has shut down) or the aliases stay.
    private func awaitUnlisted(_ aliases: Set<String>) async -> Bool {
        guard var probe = try? await MessageStream(
            connection: FrameConnection.connect(host: host, port: port, sealing: wire.sealing, timeout: timeout), wire: wire)
        else { return false }
        let unlisted = await pollListing(on: &probe, until: aliases)
        await probe.connection.close()
        return unlisted
    }

    private func pollListing(on probe: inout MessageStream, until aliases: Set<String>) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        do throws(ScenarioError) {
            try await probe.send(["cmd": "hello", "id": 1, "versions": [1]])
            guard let welcome = try await probe.receive(timeout: timeout), welcome["cmd"]?.stringValue == "welcome" else { return false }
            try probe.apply(welcome: welcome)
            var id: Int64 = 1
            while ContinuousClock.now < deadline {
                id += 1
                try await probe.send(["cmd": "listing", "id": .integer(id)])
                guard let reply = try await probe.receive(timeout: timeout), reply["cmd"]?.stringValue == "ok" else { return false }
                let listed = Set((reply["aliases"]?.arrayElements ?? []).compactMap(\.stringValue))
                if listed.isDisjoint(with: aliases) { return true }
                try? await Task.sleep(for: .milliseconds(5))
            }
        } catch {
            return false
        }
        return false
    }
}
