import Foundation
import RefWireSodium
import RefWireTestSupport
import Testing

/// The proof that Spec/sealing.md is enough: an implementation written from it in Python
/// with PyNaCl (`Python/refwire_sealing.py`) talks to ``SealedChannel`` over 127.0.0.1 in
/// both directions, in every mode, and passes every vector.
///
/// Serialized: each test runs a Python process and a socket pair, and the machine is small.
@Suite("Sodium: interop with the Python implementation", .serialized)
struct PythonInteropTests {
    /// Payload sizes the initiator sends; the responder echoes each reversed.
    static let sizes = [0, 1, 64, 1024, 65_536, 200_000, 17]

    @Test("PyNaCl is installed (the interop tests fail, never skip, without it)")
    func pynaclPresent() throws {
        let output = try Python.run(["-c", "import nacl, sys; print(nacl.__version__)"])
        #expect(!output.isEmpty)
    }

    @Test("Python initiator, Swift responder", arguments: SealingMode.allCases)
    func pythonInitiates(_ mode: SealingMode) throws {
        let listener = try LoopbackSocket.listen()
        let port = try listener.port()
        let python = try PythonProcess(
            [Python.script, "peer", "--role", "initiator", "--connect", String(port)] + peerArguments(mode, as: .initiator)
                + ["--sizes", Self.sizes.map(String.init).joined(separator: ","), "--rekey-frames", "3"])
        let connection = try listener.accept(timeoutSeconds: 30)
        let configuration = TestKeys.configurations(mode, rekey: RekeyInterval(frames: 2)).responder
        var channel = SealedChannel(role: .responder, configuration: configuration)
        var received: [[UInt8]] = []
        var session: SealedSession?
        try converse(&channel, over: connection) { event, channel, output in
            switch event {
            case .established(let established): session = established
            case .message(let payload):
                received.append(payload)
                try channel.seal(Array(payload.reversed()), into: &output)
            case .closed: try channel.close(into: &output)
            }
        }
        let report = try python.wait(timeout: .seconds(60)).split(separator: " ")
        #expect(received == Self.sizes.enumerated().map { interopPayload($0.offset, size: $0.element) })
        #expect(report.first == "ok")
        #expect(report.count == 4 && report[1] == "\(Self.sizes.count)", "python received every echo")
        #expect(report.count == 4 && String(report[2]) == Hex.string(session?.handshakeHash ?? []), "same handshake hash")
        let expectedPeer = mode == .preSharedKey ? "-" : TestKeys.responder.publicKey.hex
        #expect(report.count == 4 && String(report[3].trimmingCharacters(in: .whitespacesAndNewlines)) == expectedPeer)
        #expect(session?.peerStaticKey == (mode == .preSharedKey ? nil : TestKeys.initiator.publicKey))
    }

    @Test("Swift initiator, Python responder", arguments: SealingMode.allCases)
    func swiftInitiates(_ mode: SealingMode) throws {
        let python = try PythonProcess(
            [Python.script, "peer", "--role", "responder", "--listen"] + peerArguments(mode, as: .responder)
                + ["--rekey-frames", "5"])
        guard let port = UInt16(try python.firstLine(timeout: .seconds(30))) else {
            Issue.record("no port from python: \(python.standardError)")
            return
        }
        let connection = try LoopbackSocket.connect(port: port, timeoutSeconds: 30)
        let configuration = TestKeys.configurations(mode, rekey: RekeyInterval(bytes: 100_000)).initiator
        var channel = SealedChannel(role: .initiator, configuration: configuration)
        let payloads = Self.sizes.enumerated().map { interopPayload($0.offset + 100, size: $0.element) }
        var echoes: [[UInt8]] = []
        var session: SealedSession?
        try converse(&channel, over: connection) { event, channel, output in
            switch event {
            case .established(let established):
                session = established
                for payload in payloads { try channel.seal(payload, into: &output) }
            case .message(let payload):
                echoes.append(payload)
                if echoes.count == payloads.count { try channel.close(into: &output) }
            case .closed: break
            }
        }
        let report = try python.wait(timeout: .seconds(60)).split(separator: "\n").last?.split(separator: " ") ?? []
        #expect(echoes == payloads.map { Array($0.reversed()) })
        #expect(report.first == "ok")
        #expect(report.count == 4 && report[1] == "\(payloads.count)")
        #expect(report.count == 4 && String(report[2]) == Hex.string(session?.handshakeHash ?? []))
        #expect(session?.peerStaticKey == (mode == .preSharedKey ? nil : TestKeys.responder.publicKey))
    }

    @Test("A Python peer that does not hold the pinned key is refused", arguments: [SealingMode.staticKeys])
    func pythonStrangerRefused(_ mode: SealingMode) throws {
        let listener = try LoopbackSocket.listen()
        let port = try listener.port()
        let python = try PythonProcess([
            Python.script, "peer", "--role", "initiator", "--connect", String(port), "--mode", mode.identifier,
            "--static", TestKeys.stranger.privateKeyHex, "--trust", TestKeys.responder.publicKey.hex, "--timeout", "10",
        ])
        let connection = try listener.accept(timeoutSeconds: 30)
        var channel = SealedChannel(role: .responder, configuration: TestKeys.configurations(mode).responder)
        #expect(throws: SealingError.unknownPeerKey(TestKeys.stranger.publicKey, offset: 43)) {
            try converse(&channel, over: connection) { _, _, _ in }
        }
        _ = consume connection  // closed: the Python peer sees the connection end
        #expect(throws: Python.Failure.self) { try python.wait(timeout: .seconds(30)) }
    }

    @Test("The Python implementation passes every vector")
    func pythonChecksVectors() throws {
        let output = try Python.run([Python.script, "check", repositoryRoot().appendingPathComponent("Spec/vectors/sealing").path])
        #expect(output.contains(" 0 failed"), "\(output)")
    }

    @Test("The vector files are what Spec/vectors/sealing/generate.py writes")
    func vectorsUpToDate() throws {
        let output = try Python.run([
            repositoryRoot().appendingPathComponent("Spec/vectors/sealing/generate.py").path, "--check",
        ])
        #expect(output.contains("up to date"))
    }

    private func peerArguments(_ mode: SealingMode, as role: SealingRole) -> [String] {
        let (own, peer) = role == .initiator ? (TestKeys.initiator, TestKeys.responder) : (TestKeys.responder, TestKeys.initiator)
        var arguments = ["--mode", mode.identifier]
        if mode != .preSharedKey {
            arguments += ["--static", own.privateKeyHex, "--trust", peer.publicKey.hex]
        }
        if mode != .staticKeys { arguments += ["--psk", TestKeys.psk.hex] }
        return arguments
    }
}

/// Runs `channel` over `connection` until both final frames have crossed (or the peer
/// hangs up), calling `handle` for each event with somewhere to append bytes to send.
func converse(
    _ channel: inout SealedChannel, over connection: borrowing LoopbackSocket,
    _ handle: (SealedEvent, inout SealedChannel, inout [UInt8]) throws -> Void
) throws {
    var output: [UInt8] = []
    try channel.start(into: &output)
    // At most this many reads: a session that needs more is stuck, not slow.
    for _ in 0..<10_000 {
        if !output.isEmpty {
            try connection.sendAll(output)
            output.removeAll(keepingCapacity: true)
        }
        if channel.peerClosed && !channel.canSeal { return }
        let bytes = try connection.receive()
        if bytes.isEmpty { channel.finish() } else { try channel.feed(bytes) }
        while let event = try channel.next(into: &output) {
            try handle(event, &channel, &output)
        }
        if bytes.isEmpty {
            if !output.isEmpty { try? connection.sendAll(output) }
            return
        }
    }
    Issue.record("the conversation did not end")
}
