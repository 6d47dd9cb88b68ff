import Logging
import NIOCore
import NIOPosix
import RefWire
import RefWireNIO
import RefWireSodium
import Synchronization
import Testing

/// ``RefWireClient`` and ``RefWireServer`` over real sockets on 127.0.0.1. Every test
/// runs under a time limit.
@Suite("Client and server over 127.0.0.1", .serialized)
struct ClientServerTests {
    // No doubles or booleans: every format carries these unchanged.
    static let request: PerlValue = ["cmd": "find", "args": [1, "two", "three", nil], "flag": "yes"]

    @Test(
        "Round trips in every format, with and without compression",
        arguments: PayloadFormat.allCases, [PayloadCompression.none, .zlib()])
    func roundTrip(format: PayloadFormat, compression: PayloadCompression) async throws {
        try await withTimeLimit {
            let wire = WireConfiguration(format: format, compression: compression)
            let server = try await startServer(.init(wire: wire))
            let client = RefWireClient(endpoints: [endpoint(server: server, wire: wire, pingPolicy: .beforeEveryUse)])
            try await client.connectAll()
            for n in 0..<5 {
                let reply = try await client.request(["n": .integer(Int64(n)), "body": Self.request], to: "backend")
                #expect(reply == ["echo": ["n": .integer(Int64(n)), "body": Self.request]])
            }
            await client.shutdown()
            await server.shutdown(gracePeriod: .seconds(2))
        }
    }

    @Test("Sealed round trips", arguments: SealingMode.allCases)
    func sealedRoundTrip(mode: SealingMode) async throws {
        try await withTimeLimit {
            let (clientSealing, serverSealing) = TestKeys.configurations(mode)
            let server = try await startServer(.init(wire: WireConfiguration(compression: .zlib(), sealing: serverSealing)))
            let wire = WireConfiguration(compression: .zlib(), sealing: clientSealing)
            let client = RefWireClient(endpoints: [endpoint(server: server, wire: wire, pingPolicy: .beforeEveryUse)])
            try await client.connectAll()
            // Pipelined: many requests in flight on one connection, answered in order.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for n in 0..<50 {
                    group.addTask {
                        let reply = try await client.request(["n": .integer(Int64(n))], to: "backend")
                        #expect(reply == ["echo": ["n": .integer(Int64(n))]])
                    }
                }
                try await group.waitForAll()
            }
            await client.shutdown()
            await server.shutdown(gracePeriod: .seconds(2))
        }
    }

    @Test("A sealed client with the wrong key cannot connect; the error is typed")
    func sealedWrongKey() async throws {
        try await withTimeLimit {
            let server = try await startServer(.init(wire: WireConfiguration(sealing: TestKeys.configurations(.preSharedKey).server)))
            let wrong = SealingConfiguration(authentication: .preSharedKey(TestKeys.otherPSK))
            let client = RefWireClient(endpoints: [endpoint(server: server, wire: WireConfiguration(sealing: wrong), attempts: 1)])
            do throws(RefWireClientError) {
                _ = try await client.request(["hello"], to: "backend")
                Issue.record("a wrong key connected")
            } catch {
                guard case .connectFailed(_, 1, _) = error else {
                    Issue.record("expected connectFailed, got \(error)")
                    return
                }
            }
            await client.shutdown()
            await server.shutdownNow()
        }
    }

    // MARK: - Pings

    /// A server that does not answer pings itself, so that its handler counts them.
    private func countingServer(pings: Counter, pong: PerlValue? = nil) async throws -> RefWireServer {
        try await startServer(.init(answersPings: false)) { request, _ in
            if ApacheBackendPOEPing.isPing(request) {
                pings.increment()
                return pong ?? ApacheBackendPOEPing.pong(answering: request)
            }
            return ["echo": request]
        }
    }

    @Test("Ping policies: before every use, never, when idle")
    func pingPolicies() async throws {
        try await withTimeLimit {
            for (policy, expected) in [(PingPolicy.beforeEveryUse, 3), (.never, 0), (PingPolicy(apacheTimeout: 0), 3)] {
                let pings = Counter()
                let server = try await countingServer(pings: pings)
                let client = RefWireClient(endpoints: [endpoint(server: server, pingPolicy: policy)])
                for _ in 0..<3 { _ = try await client.request(["x"], to: "backend") }
                #expect(pings.count == expected, "\(policy)")
                await client.shutdown()
                await server.shutdownNow()
            }

            let pings = Counter()
            let server = try await countingServer(pings: pings)
            let idle = Duration.seconds(1)
            let client = RefWireClient(endpoints: [endpoint(server: server, pingPolicy: .whenIdle(longerThan: idle))])
            let clock = ContinuousClock()
            _ = try await client.request(["x"], to: "backend")  // first use: pinged
            let used = clock.now
            _ = try await client.request(["x"], to: "backend")  // just used: not pinged
            // Unless this task was held up for longer than the idle time between the two
            // requests (a loaded machine), in which case the second one was idle.
            if used.duration(to: clock.now) < idle {
                #expect(pings.count == 1)
            }
            let before = pings.count
            try await Task.sleep(for: idle + .milliseconds(200))
            _ = try await client.request(["x"], to: "backend")  // idle: pinged
            #expect(pings.count == before + 1)
            await client.shutdown()
            await server.shutdownNow()
        }
    }

    @Test("Apache::Backend::POE ping timeouts map to policies")
    func apacheTimeouts() {
        #expect(PingPolicy(apacheTimeout: 0) == .beforeEveryUse)
        #expect(PingPolicy(apacheTimeout: -1) == .never)
        #expect(PingPolicy(apacheTimeout: 30) == .whenIdle(longerThan: .seconds(30)))
    }

    @Test("Reconnect delays grow by the multiplier up to the maximum")
    func backoffDelays() {
        let backoff = ReconnectBackoff(initialDelay: .milliseconds(100), maximumDelay: .seconds(1), multiplier: 3, maximumAttempts: 9)
        #expect((1...5).map(backoff.delay(afterAttempt:)) == [.milliseconds(100), .milliseconds(300), .milliseconds(900), .seconds(1), .seconds(1)])
    }

    @Test("The server answers Apache::Backend::POE pings itself, without the handler")
    func serverAnswersPings() async throws {
        try await withTimeLimit {
            let calls = Counter()
            let server = try await startServer { request, _ in
                calls.increment()
                return request
            }
            let client = RefWireClient(endpoints: [endpoint(server: server)])
            let ping = ApacheBackendPOEPing.message(id: 7, unixTime: 1_700_000_000)
            let reply = try await client.request(ping, to: "backend")
            #expect(reply == ["event": "pong", "time": 1_700_000_000])
            try await client.ping("backend")
            #expect(calls.count == 0)
            await client.shutdown()
            await server.shutdownNow()
        }
    }

    @Test("A failed ping drops the connection and reconnects")
    func failedPingReconnects() async throws {
        try await withTimeLimit {
            let pings = Counter()
            let server = try await countingServer(pings: pings, pong: ["event": "not a pong"])
            let client = RefWireClient(endpoints: [endpoint(server: server, pingPolicy: .beforeEveryUse)])
            try await client.connectAll()
            let reply = try await client.request(["x"], to: "backend")
            #expect(reply == ["echo": ["x"]])
            #expect(pings.count == 1)
            do throws(RefWireClientError) {
                try await client.ping("backend")
                Issue.record("a wrong answer passed as a pong")
            } catch {
                guard case .pingFailed(_, let answer) = error else {
                    Issue.record("expected pingFailed, got \(error)")
                    return
                }
                #expect(answer == ["event": "not a pong"])
            }
            await client.shutdown()
            await server.shutdownNow()
        }
    }

    // MARK: - Server features

    @Test("Pushes, close handlers, and a handler that returns nil")
    func pushesAndCloseHandlers() async throws {
        try await withTimeLimit {
            let closed = Counter()
            let server = try await startServer { request, connection in
                connection.onClose { closed.increment() }
                if request == ["silent"] { return nil }
                try await connection.send(["pushed"])
                return ["reply"]
            }
            let client = RefWireClient(endpoints: [endpoint(server: server)])
            try await client.send(["silent"], to: "backend")
            // The push arrives first and is taken as the reply: order is all a POE peer has.
            #expect(try await client.request(["x"], to: "backend") == ["pushed"])
            await client.shutdown()
            // Up to 10 s for the server to see the close: a loaded CI machine has taken over 2.
            for _ in 0..<500 where closed.count < 2 { try await Task.sleep(for: .milliseconds(20)) }
            #expect(closed.count == 2)
            await server.shutdownNow()
        }
    }

    @Test("Unknown alias is a typed error")
    func unknownAlias() async throws {
        let client = RefWireClient(endpoints: [])
        await #expect(throws: RefWireClientError.self) { try await client.request(["x"], to: "nowhere") }
    }

    @Test("stopListening refuses new connections while existing ones work; startListening reopens the port")
    func stopAndStartListening() async throws {
        try await withTimeLimit {
            let server = try await startServerOnFixedPort()
            let port = server.port
            let first = RefWireClient(endpoints: [endpoint(server: server)])
            #expect(try await first.request([1], to: "backend") == ["echo": [1]])
            await server.stopListening()
            #expect(!server.isListening)

            let second = RefWireClient(endpoints: [endpoint(server: server, attempts: 1)])
            await #expect(throws: RefWireClientError.self) { try await second.request([2], to: "backend") }
            #expect(try await first.request([3], to: "backend") == ["echo": [3]])

            try await bindingAgain { try await server.startListening() }
            #expect(server.port == port)
            // A client with the default retries: one CI run (of many) saw a single attempt
            // refused right after startListening returned; not reproduced, noted on #7.
            let third = RefWireClient(endpoints: [endpoint(server: server, attempts: 3)])
            #expect(try await third.request([4], to: "backend") == ["echo": [4]])
            #expect(try await first.request([5], to: "backend") == ["echo": [5]])
            await first.shutdown()
            await second.shutdown()
            await third.shutdown()
            await server.shutdownNow()
        }
    }

    @Test("Graceful shutdown finishes an in-flight request and its reply arrives", arguments: [false, true])
    func gracefulShutdown(sealed: Bool) async throws {
        try await withTimeLimit {
            let started = Counter()
            let (clientSealing, serverSealing) = TestKeys.configurations(.staticKeys)
            let logs = CapturedLogs()
            let server = try await startServer(
                .init(wire: WireConfiguration(sealing: sealed ? serverSealing : nil)), logs: logs
            ) { request, _ in
                started.increment()
                try await Task.sleep(for: .milliseconds(400))
                return ["done": request]
            }
            let wire = WireConfiguration(sealing: sealed ? clientSealing : nil)
            let client = RefWireClient(endpoints: [endpoint(server: server, wire: wire, attempts: 1)], logger: logs.logger("client"))
            try await client.connectAll()
            let reply = Task { try await client.request(["slow"], to: "backend") }
            while started.count == 0 { try await Task.sleep(for: .milliseconds(5)) }
            let clock = ContinuousClock()
            let elapsed = await clock.measure { await server.shutdown(gracePeriod: .seconds(10)) }
            #expect(try await reply.value == ["done": ["slow"]])
            #expect(elapsed < .seconds(8), "the shutdown waited out its grace period, not the request")
            #expect(server.connectionCount == 0)
            await client.shutdown()
            // A sealed connection ended with final frames both ways: nobody saw a truncation.
            #expect(!logs.all.contains { $0.message.contains("sealing error") || $0.message.contains("connection error") }, "\(logs.all.map(\.message))")
        }
    }

    @Test("Graceful shutdown becomes immediate after its grace period")
    func gracePeriodEnds() async throws {
        try await withTimeLimit {
            let started = Counter()
            let server = try await stallingServer(started)
            let client = RefWireClient(endpoints: [endpoint(server: server, attempts: 1)])
            let reply = try await requestInFlight(["slow"], on: client, started: started)
            let elapsed = await ContinuousClock().measure { await server.shutdown(gracePeriod: .milliseconds(300)) }
            #expect(elapsed < .seconds(10), "the shutdown waited for a request that never ends")
            await expectFailure(reply, "connectionClosed", \.isConnectionClosed)
            await client.shutdown()
        }
    }

    @Test("Immediate shutdown fails the pending request with a typed error")
    func immediateShutdown() async throws {
        try await withTimeLimit {
            let started = Counter()
            let server = try await stallingServer(started)
            let client = RefWireClient(endpoints: [endpoint(server: server, attempts: 1)])
            let reply = try await requestInFlight(["slow"], on: client, started: started)
            await server.shutdownNow()
            await expectFailure(reply, "connectionClosed", \.isConnectionClosed)
            await client.shutdown()
        }
    }

    @Test("Client shutdown fails pending requests with shuttingDown, and later calls too")
    func clientShutdown() async throws {
        try await withTimeLimit {
            let started = Counter()
            let server = try await stallingServer(started)
            let client = RefWireClient(endpoints: [endpoint(server: server)])
            let reply = try await requestInFlight(["slow"], on: client, started: started)
            await client.shutdown()
            await expectFailure(reply, "shuttingDown", \.isShuttingDown)
            await expectFailure(Task { try await client.request(["again"], to: "backend") }, "shuttingDown", \.isShuttingDown)
            await server.shutdownNow()
        }
    }

    @Test("Connections over the limit are closed at once")
    func connectionLimit() async throws {
        try await withTimeLimit {
            let logs = CapturedLogs()
            let server = try await startServer(.init(maximumConnections: 2), logs: logs)
            let clients = (0..<2).map { _ in RefWireClient(endpoints: [endpoint(server: server)]) }
            for client in clients { #expect(try await client.request(["in"], to: "backend") == ["echo": ["in"]]) }
            #expect(server.connectionCount == 2)

            let (channel, peer) = try await RawPeer.connect(port: server.port!)
            try await peer.closed.futureResult.get()  // closed by the server
            #expect(!channel.isActive)
            #expect(logs.all.contains { $0.message.contains("connection limit") })

            for client in clients { #expect(try await client.request(["still"], to: "backend") == ["echo": ["still"]]) }
            for client in clients { await client.shutdown() }
            await server.shutdownNow()
        }
    }

    @Test("A request timeout closes the connection and fails every request pending on it")
    func requestTimeout() async throws {
        try await withTimeLimit {
            let server = try await startServer { request, _ in
                if request == ["slow"] { try? await Task.sleep(for: .seconds(4)) }
                return ["echo": request]
            }
            let client = RefWireClient(endpoints: [endpoint(server: server)])
            try await client.connectAll()
            // "behind" must be queued on the connection before "slow" times out: a second
            // between them leaves room for a loaded machine.
            let slow = Task { try await client.request(["slow"], to: "backend", timeout: .seconds(1)) }
            try await Task.sleep(for: .milliseconds(50))
            let behind = Task { try await client.request(["behind"], to: "backend", timeout: .seconds(10)) }
            await expectFailure(slow, "timedOut after 1 s") { error in
                if case .timedOut(_, let after) = error { after == .seconds(1) } else { false }
            }
            await expectFailure(behind, "connectionClosed (the request behind the timed-out one)", \.isConnectionClosed)
            // The next request gets a new connection.
            #expect(try await client.request(["next"], to: "backend") == ["echo": ["next"]])
            await client.shutdown()
            await server.shutdownNow()
        }
    }

    // MARK: - Faults

    @Test("A peer that closes mid-frame: the server logs a typed truncation, and keeps serving")
    func peerClosesMidFrame() async throws {
        try await withTimeLimit {
            let logs = CapturedLogs()
            let server = try await startServer(logs: logs)
            let (channel, _) = try await RawPeer.connect(port: server.port!)
            try await channel.writeAndFlush(ByteBuffer(bytes: Array("10\0abc".utf8))).get()
            try await channel.close()
            for _ in 0..<200 where logs.errors(FramingError.self).isEmpty { try await Task.sleep(for: .milliseconds(10)) }
            #expect(logs.errors(FramingError.self) == [.truncatedFrame(offset: 0, bufferedBytes: 6, expectedBytes: 13)])

            let client = RefWireClient(endpoints: [endpoint(server: server)])
            #expect(try await client.request(["ok"], to: "backend") == ["echo": ["ok"]])
            await client.shutdown()
            await server.shutdownNow()
        }
    }

    @Test("A server that closes mid-frame: the client's request fails with a typed truncation")
    func serverClosesMidFrame() async throws {
        try await withTimeLimit {
            // A fake server: reads anything, answers with half a frame, closes.
            let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(HalfFrameAnswerer())
                    }
                }
                .bind(host: "127.0.0.1", port: 0).get()
            let endpoint = Endpoint(alias: "fake", port: listener.localAddress!.port!, pingPolicy: .never,
                                    reconnect: .init(maximumAttempts: 1))
            let client = RefWireClient(endpoints: [endpoint])
            do throws(RefWireClientError) {
                _ = try await client.request(["hello"], to: "fake")
                Issue.record("no error")
            } catch {
                guard case .framing(.truncatedFrame(offset: 0, bufferedBytes: 6, expectedBytes: 104)) = error else {
                    Issue.record("expected a truncated frame, got \(error)")
                    return
                }
            }
            await client.shutdown()
            try await listener.close()
        }
    }

    @Test("A reply that does not decode fails its request with a payload error; the connection goes on")
    func undecodableReply() async throws {
        try await withTimeLimit {
            let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(BadThenGoodAnswerer())
                    }
                }
                .bind(host: "127.0.0.1", port: 0).get()
            let endpoint = Endpoint(alias: "fake", port: listener.localAddress!.port!, pingPolicy: .never)
            let client = RefWireClient(endpoints: [endpoint])
            do throws(RefWireClientError) {
                _ = try await client.request(["first"], to: "fake")
                Issue.record("no error")
            } catch {
                guard case .payload(let payloadError) = error, case .decoding = payloadError.reason else {
                    Issue.record("expected a payload error, got \(error)")
                    return
                }
            }
            #expect(try await client.request(["second"], to: "fake") == ["ok"])
            await client.shutdown()
            try await listener.close()
        }
    }

    @Test("Garbage from a peer: typed framing error, that connection closed, others served")
    func garbage() async throws {
        try await withTimeLimit {
            let logs = CapturedLogs()
            let server = try await startServer(logs: logs)
            let client = RefWireClient(endpoints: [endpoint(server: server)])
            #expect(try await client.request(["before"], to: "backend") == ["echo": ["before"]])

            let (channel, peer) = try await RawPeer.connect(port: server.port!)
            try await channel.writeAndFlush(ByteBuffer(bytes: Array("GET / HTTP/1.0\r\n\r\n".utf8))).get()
            try await peer.closed.futureResult.get()
            #expect(logs.errors(FramingError.self) == [.invalidLengthPrefix(offset: 0, byte: UInt8(ascii: "G"))])

            #expect(try await client.request(["after"], to: "backend") == ["echo": ["after"]])
            await client.shutdown()
            await server.shutdownNow()
        }
    }

    @Test("A peer that stops reading: the server stops reading from it and its buffer stays bounded")
    func peerStopsReading() async throws {
        try await withTimeLimit(.seconds(40)) {
            let highWater = 64 << 10
            let handled = Counter()
            let peak = Atomic<Int>(0)
            let payload: PerlValue = ["data": .bytes(Array(repeating: 0x61, count: 10_000))]
            let replyFrameSize = try frame(PayloadCodec().encode(payload, as: .nstorable)).count
            let connectionBox = Mutex<RefWireServerConnection?>(nil)
            let server = try await startServer(
                .init(maximumQueuedRequests: 8, outboundHighWaterMark: highWater, outboundLowWaterMark: 16 << 10)
            ) { request, connection in
                handled.increment()
                connectionBox.withLock { $0 = connection }
                return request
            }
            // 5,000 requests of 10 kB: 50 MB, written without ever reading a reply.
            let (channel, _) = try await RawPeer.connect(port: server.port!, autoRead: false)
            let requestFrame = try frame(PayloadCodec().encode(payload, as: .nstorable))
            let sender = Task {
                for _ in 0..<5000 {
                    guard channel.isActive else { break }
                    channel.write(ByteBuffer(bytes: requestFrame), promise: nil)
                    if !channel.isWritable {
                        channel.flush()
                        try await Task.sleep(for: .milliseconds(1))
                    }
                }
                channel.flush()
            }
            // Sample the server's buffered outbound bytes while the peer is flooding it,
            // until the server has handled nothing new for half a second: it stopped
            // reading. How long that takes depends on the machine's load, so the bound
            // on it is loose; what is checked is that it happens, and early.
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(20)
            var handledSoFar = 0
            var lastHandled = clock.now
            func settled() -> Bool {
                handledSoFar > 0 && peak.load(ordering: .relaxed) > 0
                    && lastHandled.duration(to: clock.now) >= .milliseconds(500)
            }
            while clock.now < deadline, !settled() {
                if let connection = connectionBox.withLock({ $0 }) {
                    let buffered = try await connection.bufferedOutboundBytes()
                    peak.raise(to: buffered)
                }
                try await Task.sleep(for: .milliseconds(2))
                if handled.count != handledSoFar {
                    handledSoFar = handled.count
                    lastHandled = clock.now
                }
            }
            #expect(clock.now < deadline, "the server went on reading from a peer that does not read")
            #expect(handled.count < 1000, "handled \(handled.count) of 5000 requests")
            #expect(peak.load(ordering: .relaxed) <= highWater + replyFrameSize)
            #expect(peak.load(ordering: .relaxed) > 0)
            sender.cancel()
            try await channel.close()
            await server.shutdown(gracePeriod: .seconds(2))
        }
    }

    @Test("The server restarts under a connected client: the client reconnects")
    func serverRestart() async throws {
        try await withTimeLimit {
            let first = try await startServerOnFixedPort()
            let port = first.port!
            let client = RefWireClient(
                endpoints: [
                    Endpoint(alias: "backend", port: port, pingPolicy: .beforeEveryUse,
                             reconnect: .init(initialDelay: .milliseconds(20), maximumDelay: .milliseconds(100), maximumAttempts: 20))
                ])
            try await client.connectAll()
            #expect(try await client.request(["one"], to: "backend") == ["echo": ["one"]])
            await first.shutdownNow()

            let second = try await bindingAgain {
                try await startServer(.init(port: port)) { request, _ in ["second": request] }
            }
            #expect(try await client.request(["two"], to: "backend") == ["second": ["two"]])
            #expect(client.isConnected("backend"))
            await client.shutdown()
            await second.shutdownNow()
        }
    }
}

extension Atomic where Value == Int {
    func raise(to value: Int) {
        var current = load(ordering: .relaxed)
        while value > current {
            let (exchanged, original) = compareExchange(expected: current, desired: value, ordering: .relaxed)
            if exchanged { return }
            current = original
        }
    }
}

/// Answers whatever arrives with the first 6 bytes of a 104-byte frame, then closes.
final class HalfFrameAnswerer: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: Array("100\0ab".utf8)))).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }
}

/// Answers the first read with a frame that is no Storable image, later ones with `["ok"]`.
final class BadThenGoodAnswerer: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    private var reads = 0

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        reads += 1
        let payload = reads == 1 ? [0xFF, 0x00] : try! PayloadCodec().encode(["ok"], as: .nstorable)
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: frame(payload))), promise: nil)
    }
}
