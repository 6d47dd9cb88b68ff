import ArgumentParser
import Foundation
import RefWire
import RefWireConformance
import RefWireNIO
import Synchronization

/// `refwire conform-client`: RefWire's client side of the conformance control channel
/// (`Spec/conformance.md` §3). Reads actions as JSON lines on standard input, carries
/// them out with ``RefWireSessionClient``, and writes events as JSON lines on standard
/// output. Hidden: it exists for `refwire conform --client 'refwire conform-client'`.
struct ConformClient: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conform-client",
        abstract: "Play a client of the session protocol for `refwire conform --client` (Spec/conformance.md §3).",
        shouldDisplay: false)

    @OptionGroup
    var connection: ConnectionOptions

    func run() async throws {
        let wire: WireConfiguration
        do throws(CommandFailure) {
            wire = try connection.wire()
        } catch {
            StandardError.write("refwire: \(error.message)\n")
            throw ExitCode(error.exitStatus)
        }
        var driver = ControlDriver(wire: wire)
        for await line in Self.standardInputLines() {
            await driver.handle(line)
        }
        await driver.end()
    }

    /// Standard input's lines (without `\n`), read on a thread of their own.
    static func standardInputLines() -> AsyncStream<[UInt8]> {
        let (lines, continuation) = AsyncStream.makeStream(of: [UInt8].self)
        let thread = Thread {
            var buffer: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 64 << 10)
            while true {
                let count = chunk.withUnsafeMutableBytes { read(STDIN_FILENO, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { break }
                buffer += chunk[0..<count]
                while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                    continuation.yield(Array(buffer[..<newline]))
                    buffer.removeSubrange(...newline)
                }
            }
            if !buffer.isEmpty { continuation.yield(buffer) }
            continuation.finish()
        }
        thread.start()
        return lines
    }
}

/// Writes events, one line each, whole (from any task).
final class EventWriter: Sendable {
    private let lock = Mutex(())

    func emit(_ event: PerlValue) {
        guard let line = try? ControlChannel.line(event) else { return }
        lock.withLock { _ in
            line.withUnsafeBytes { _ = writeAll(STDOUT_FILENO, $0) }
        }
    }
}

/// Carries out the actions of `Spec/conformance.md` §3.2 on one ``RefWireSessionClient``
/// at a time.
struct ControlDriver {
    let wire: WireConfiguration
    let events = EventWriter()
    private var client: RefWireSessionClient?
    private var watchers: [Task<Void, Never>] = []

    init(wire: WireConfiguration) {
        self.wire = wire
    }

    private struct Refusal: Error {
        var text: String
        init(_ text: String) { self.text = text }
    }

    mutating func handle(_ line: [UInt8]) async {
        guard let action = try? ControlChannel.parse(line: line), let name = action["action"]?.stringValue else {
            StandardError.write("refwire conform-client: ignoring a line that is not an action\n")
            return
        }
        do throws(Refusal) {
            try await perform(name, action)
            events.emit(["event": "done", "action": .string(name)])
        } catch {
            events.emit(["event": "refused", "action": .string(name), "text": .string(error.text)])
        }
    }

    /// EOF on standard input: the scenario is over.
    mutating func end() async {
        await client?.close()
        client = nil
        for watcher in watchers { await watcher.value }
    }

    private func connected() throws(Refusal) -> RefWireSessionClient {
        guard let client else { throw Refusal("not connected") }
        return client
    }

    private static func strings(_ value: PerlValue?) -> [String]? {
        value?.arrayElements?.compactMap(\.stringValue)
    }

    private static func value(_ notation: PerlValue?) throws(Refusal) -> PerlValue? {
        guard let notation else { return nil }
        do throws(ScenarioError) {
            return try ControlChannel.value(notation: notation)
        } catch {
            throw Refusal("bad value: \(error)")
        }
    }

    /// Builds and writes a request; returns once written.
    private func request(
        _ build: (inout SessionClient) throws(SessionClientError) -> SessionClient.Request
    ) async throws(Refusal) {
        let client = try connected()
        do throws(SessionTransportError) {
            _ = try await client.request(build)
        } catch {
            throw Refusal("\(error)")
        }
    }

    private mutating func perform(_ name: String, _ action: PerlValue) async throws(Refusal) {
        switch name {
        case "connect":
            guard client == nil else { throw Refusal("already connected") }
            var host = action["host"]?.stringValue
            var port = action["port"].flatMap(MessageFields.integer).map(Int.init)
            if host == nil || port == nil,
               let address = ProcessInfo.processInfo.environment[ClientScenarioRunner.serverVariable],
               let colon = address.lastIndex(of: ":") {
                host = host ?? String(address[..<colon])
                port = port ?? Int(address[address.index(after: colon)...])
            }
            guard let host, let port else { throw Refusal("no host and port") }
            let connected: RefWireSessionClient
            do throws(SessionTransportError) {
                connected = try await RefWireSessionClient.connect(
                    host: host, port: port, wire: wire, options: .init(answersServerPings: false))
            } catch {
                throw Refusal("\(error)")
            }
            client = connected
            watchers.append(Task { [events] in await Self.watch(connected, events: events) })
        case "hello":
            let versions = (action["versions"]?.arrayElements ?? []).compactMap(MessageFields.integer)
            guard !versions.isEmpty else { throw Refusal("no versions") }
            var serializers: [PayloadFormat]?
            if let names = Self.strings(action["serializers"]) {
                serializers = []
                for name in names {
                    guard let format = PayloadFormat(rawValue: name) else { throw Refusal("unknown serializer \(name)") }
                    serializers!.append(format)
                }
            }
            var compression: [SessionCompression]?
            if let names = Self.strings(action["compression"]) {
                compression = []
                for name in names {
                    guard let method = SessionCompression(rawValue: name) else { throw Refusal("unknown compression \(name)") }
                    compression!.append(method)
                }
            }
            let sealing = action["sealing"]?.stringValue
            let hostName = action["name"]?.stringValue
            try await request { (session: inout SessionClient) throws(SessionClientError) in
                session.options.versions = versions
                session.options.serializers = serializers
                session.options.compression = compression
                session.options.sealing = sealing
                session.options.name = hostName
                return try session.hello()
            }
        case "ping":
            let time = try Self.value(action["time"])
            try await request { (session: inout SessionClient) throws(SessionClientError) in try session.ping(time: time) }
        case "publish":
            let alias = action["alias"]?.stringValue ?? ""
            let methods = Self.strings(action["methods"]) ?? []
            try await request { (session: inout SessionClient) throws(SessionClientError) in
                try session.publish(alias: alias, methods: methods)
            }
        case "rescind":
            let alias = action["alias"]?.stringValue ?? ""
            try await request { (session: inout SessionClient) throws(SessionClientError) in try session.rescind(alias: alias) }
        case "listing":
            try await request { (session: inout SessionClient) throws(SessionClientError) in try session.listing() }
        case "subscribe":
            let alias = action["alias"]?.stringValue ?? ""
            try await request { (session: inout SessionClient) throws(SessionClientError) in try session.subscribe(alias: alias) }
        case "unsubscribe":
            let alias = action["alias"]?.stringValue ?? ""
            try await request { (session: inout SessionClient) throws(SessionClientError) in
                try session.unsubscribe(alias: alias)
            }
        case "deliver":
            let alias = action["alias"]?.stringValue ?? ""
            let method = action["method"]?.stringValue ?? ""
            let payload = try Self.value(action["payload"])
            try await request { (session: inout SessionClient) throws(SessionClientError) in
                try session.deliver(alias: alias, method: method, payload: payload)
            }
        case "respond":
            guard let re = action["re"].flatMap(MessageFields.integer) else { throw Refusal("no delivery id (re)") }
            let success = action["success"].map(MessageFields.truth) ?? false
            let payload = try Self.value(action["payload"])
            let code = action["code"]?.stringValue.map(ProtocolErrorCode.init(rawValue:))
            let text = action["text"]?.stringValue
            let client = try connected()
            do throws(SessionTransportError) {
                try await client.respond(to: MessageID(re), success: success, payload: payload, code: code, text: text)
            } catch {
                throw Refusal("\(error)")
            }
        case "bye":
            try await request { (session: inout SessionClient) throws(SessionClientError) in try session.bye() }
        case "disconnect":
            let current = try connected()
            client = nil
            await current.close()
        default:
            throw Refusal("unknown action")
        }
    }

    /// Reports what arrives on `client`'s connection, answers the server's pings after
    /// reporting them, and reports the end.
    private static func watch(_ client: RefWireSessionClient, events: EventWriter) async {
        for await event in client.events {
            switch event {
            case .received(let message):
                var report: PerlHash = ["event": "received", "cmd": .string(message["cmd"]?.stringValue ?? "")]
                if let id = message["id"].flatMap(MessageFields.integer) { report["id"] = .integer(id) }
                events.emit(.hash(report))
            case .session(.violation(let error)):
                events.emit(["event": "violation", "text": .string("\(error.code.rawValue): \(error.text)")])
            case .session(.send(let reply)):
                try? await client.send(reply)
            case .session(.negotiated(let negotiation)):
                var report: PerlHash = ["event": "negotiated", "version": .integer(negotiation.version)]
                if let format = negotiation.serializer { report["serializer"] = .string(format.name) }
                if let compression = negotiation.compression { report["compression"] = .string(compression.rawValue) }
                events.emit(.hash(report))
            default:
                break
            }
        }
        events.emit(["event": "closed"])
    }
}
