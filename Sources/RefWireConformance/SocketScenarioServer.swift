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
public struct SocketScenarioServer: ScenarioServerSubject {
    public var host: String
    public var port: Int
    /// The wire every connection starts with; must match the server's.
    public var wire: WireConfiguration
    /// The bound on every wait (connect, a reply, a barrier). Default: 10 s.
    public var timeout: Duration
    /// Carries out a scenario's `shutdown` step (for a server the test started); `nil`:
    /// the step fails.
    /// How long ``disconnect(_:)`` waits for the server to handle the close. Default: 100 ms.
    public var disconnectSettleTime: Duration = .milliseconds(100)
    /// For a server the caller can observe: called just before a party's connection is
    /// closed; the closure it returns is awaited after the close, instead of
    /// ``disconnectSettleTime``, and returns once the server has handled the close.
    public var disconnectObserver: (@Sendable () -> @Sendable () async -> Void)?
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
        if message["cmd"]?.stringValue == "hello" { party.awaitingHelloReply = message["id"] ?? .undef }
        party.dirty = true
        parties[name] = party
    }

    public mutating func sendVector(_ vector: ProtocolVector, from name: String) async throws(ScenarioError) {
        var party = try party(name)
        try await party.stream.send(vector)
        let message = try vector.value(in: party.stream.format)
        if message["cmd"]?.stringValue == "hello" { party.awaitingHelloReply = message["id"] ?? .undef }
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
        // A close has no reply to wait for: give the server time to handle it before the
        // next barrier looks for what it caused (cancels, rescinded, failed results).
        if let settled {
            await settled()
        } else {
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

    /// Closes every connection still open.
    public mutating func closeAll() async {
        for party in parties.values { await party.stream.connection.close() }
        parties = [:]
    }
}
