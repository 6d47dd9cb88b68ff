import NIOCore
import NIOEmbedded
import RefWire
import RefWireNIO
import RefWireSodium
import Testing

/// The channel handlers on an `EmbeddedChannel`: every chunking, the limits, and the
/// typed errors.
@Suite("Channel handlers")
struct HandlerTests {
    static let payloads: [[UInt8]] = [
        Array("hello".utf8), [], Array("a\0b".utf8), Array(repeating: 0x37, count: 1000), [0],
    ]

    private func decoderChannel(limits: FramingLimits = .default) throws -> (EmbeddedChannel, Recorder<ReceivedPayload>) {
        let recorder = Recorder<ReceivedPayload>()
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandlers([FrameDecodingHandler(limits: limits), recorder])
        try channel.connect(to: .init(ipAddress: "127.0.0.1", port: 1)).wait()
        return (channel, recorder)
    }

    @Test("Frames come out whole in any chunking, one byte at a time included", arguments: [1, 2, 3, 7, 64, 5000])
    func frameDecodingAnyChunking(maximumChunk: Int) throws {
        let stream = Self.payloads.flatMap(frame)
        let (channel, recorder) = try decoderChannel()
        for piece in chunks(stream, seed: UInt64(maximumChunk), maximum: maximumChunk) {
            try channel.feed(piece)
        }
        #expect(recorder.messages.map { Array($0.bytes) } == Self.payloads)
        var offset = 0
        var offsets: [Int] = []
        for payload in Self.payloads {
            offsets.append(offset)
            offset += frame(payload).count
        }
        #expect(recorder.messages.map(\.frameOffset) == offsets)
        #expect(recorder.errors.isEmpty)
        _ = try channel.finish()
        #expect(recorder.errors.isEmpty)
    }

    @Test("A read larger than the buffer limit is taken in pieces when its frames fit")
    func bufferLimitIsNotAChunkLimit() throws {
        let limits = FramingLimits(maximumFrameLength: 100, maximumBufferedBytes: 200)
        let (channel, recorder) = try decoderChannel(limits: limits)
        let payloads = (0..<100).map { Array(repeating: UInt8($0), count: 90) }
        try channel.feed(payloads.flatMap(frame))  // 9,300 bytes in one read
        #expect(recorder.messages.map { Array($0.bytes) } == payloads)
        #expect(recorder.errors.isEmpty)
        #expect(channel.isActive)
    }

    @Test("Garbage is a fatal framing error: fired once, channel closed, later input ignored")
    func garbageClosesTheChannel() throws {
        let (channel, recorder) = try decoderChannel()
        try channel.feed(frame(Array("ok".utf8)) + Array("GET / HTTP/1.0\r\n".utf8))
        #expect(recorder.messages.map { Array($0.bytes) } == [Array("ok".utf8)])
        #expect(recorder.errors.count == 1)
        #expect(recorder.errors.first as? FramingError == .invalidLengthPrefix(offset: 4, byte: UInt8(ascii: "G")))
        #expect(!channel.isActive)
    }

    @Test("A declared length over the limit fails at the NUL, before the payload arrives")
    func frameTooLarge() throws {
        let (channel, recorder) = try decoderChannel(limits: FramingLimits(maximumFrameLength: 10))
        try channel.feed(Array("11\0".utf8))
        #expect(recorder.errors.first as? FramingError == .frameTooLarge(offset: 0, declaredLength: 11, limit: 10))
        #expect(!channel.isActive)
    }

    @Test("Input that ends inside a frame is a typed truncation error")
    func truncationAtClose() throws {
        let (channel, recorder) = try decoderChannel()
        try channel.feed(frame(Array("one".utf8)) + Array("5\0ab".utf8))
        _ = try? channel.finish()
        #expect(recorder.messages.count == 1)
        #expect(recorder.errors.first as? FramingError == .truncatedFrame(offset: 5, bufferedBytes: 4, expectedBytes: 7))
    }

    @Test("Frames are written as POE writes them; an oversized payload fails its write only")
    func frameEncoding() throws {
        let channel = EmbeddedChannel(handler: FrameEncodingHandler(maximumFrameLength: 8))
        for payload in [Array("hello".utf8), [], Array("a\0b".utf8)] {
            try channel.writeOutbound(payload)
        }
        #expect(try channel.writtenBytes() == Array("5\0hello0\03\0a\0b".utf8))
        #expect(throws: FramingError.frameTooLarge(offset: 14, declaredLength: 9, limit: 8)) {
            try channel.writeOutbound(Array(repeating: UInt8(1), count: 9))
        }
        try channel.writeOutbound(Array("x".utf8))
        #expect(try channel.writtenBytes() == Array("1\0x".utf8))
        _ = try channel.finish()
    }

    // MARK: - Compression

    @Test("zlib payloads inflate; one that does not is a payload error and the stream goes on")
    func compression() throws {
        let recorder = Recorder<ReceivedPayload>()
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandlers([
            FrameDecodingHandler(), FrameEncodingHandler(), PayloadCompressionHandler(compression: .zlib(maximumDecompressedSize: 4096)),
            recorder,
        ])
        try channel.connect(to: .init(ipAddress: "127.0.0.1", port: 1)).wait()
        let good = Zlib.compress(Array("hello, hello, hello".utf8))
        let bomb = Zlib.compress([UInt8](repeating: 0, count: 1 << 20))
        try channel.feed(frame(good) + frame(Array("not zlib".utf8)) + frame(bomb) + frame(good))
        #expect(recorder.messages.map { Array($0.bytes) } == [Array("hello, hello, hello".utf8), Array("hello, hello, hello".utf8)])
        #expect(recorder.errors.count == 2)
        let errors = recorder.errors.compactMap { $0 as? PayloadError }
        guard errors.count == 2, case .decompression(.invalidHeader) = errors[0].reason,
            case .decompression(.outputLimitExceeded(4096)) = errors[1].reason
        else {
            Issue.record("unexpected errors: \(recorder.errors)")
            return
        }
        #expect(errors[0].frameOffset == frame(good).count)
        #expect(channel.isActive)

        try channel.writeOutbound(Array("reply".utf8))
        var reader = FrameReader(compression: .zlib())
        try reader.feed(try channel.writtenBytes())
        #expect(try Array(reader.next()?.result.get() ?? []) == Array("reply".utf8))
    }

    // MARK: - Values

    static let value: PerlValue = [
        // No doubles (Storable writes them as strings) and no booleans (YAML reads them
        // back as 1): values every format carries unchanged.
        "cmd": "publish", "args": [1, "two", nil, "text", ["nested": "yes"]], "n": -7,
    ]

    @Test("Values round-trip through the whole stack in every format", arguments: PayloadFormat.allCases)
    func valueStack(format: PayloadFormat) throws {
        for compression in [PayloadCompression.none, .zlib()] {
            let wire = WireConfiguration(format: format, compression: compression)
            let sender = EmbeddedChannel()
            try sender.pipeline.syncOperations.addRefWireHandlers(wire, role: .initiator)
            let receiver = EmbeddedChannel()
            let recorder = Recorder<PerlValue>()
            try receiver.pipeline.syncOperations.addRefWireHandlers(wire, role: .responder)
            try receiver.pipeline.syncOperations.addHandler(recorder)

            try sender.writeOutbound(Self.value)
            try sender.writeOutbound(PerlValue.array([]))
            let bytes = try sender.writtenBytes()
            for byte in bytes { try receiver.feed([byte]) }
            #expect(recorder.messages == [Self.value, []])
            #expect(recorder.errors.isEmpty)
        }
    }

    @Test("Sniffing reads whatever format the peer sent")
    func sniffing() throws {
        let receiver = EmbeddedChannel()
        let recorder = Recorder<PerlValue>()
        try receiver.pipeline.syncOperations.addRefWireHandlers(WireConfiguration(sniffsInputFormat: true), role: .responder)
        try receiver.pipeline.syncOperations.addHandler(recorder)
        for format in PayloadFormat.allCases {
            try receiver.feed(frame(try PayloadCodec().encode(Self.value, as: format)))
        }
        #expect(recorder.messages == Array(repeating: Self.value, count: PayloadFormat.allCases.count))
    }

    @Test("A payload that does not decode is a typed payload error; the next one is read")
    func undecodablePayload() throws {
        let receiver = EmbeddedChannel()
        let recorder = Recorder<PerlValue>()
        try receiver.pipeline.syncOperations.addRefWireHandlers(WireConfiguration(), role: .responder)
        try receiver.pipeline.syncOperations.addHandler(recorder)
        try receiver.connect(to: .init(ipAddress: "127.0.0.1", port: 1)).wait()
        try receiver.feed(frame([0x05, 0x0B, 0xFF]) + frame(try PayloadCodec().encode(Self.value, as: .nstorable)))
        #expect(recorder.messages == [Self.value])
        let error = try #require(recorder.errors.first as? PayloadError)
        guard case .decoding(let reason) = error.reason, reason is PayloadDecodingError else {
            Issue.record("expected a decoding error, got \(error)")
            return
        }
        #expect(error.frameOffset == 0)
        #expect(receiver.isActive)
    }

    @Test("A value that does not encode fails its write with the typed error; nothing is sent")
    func unencodableValue() throws {
        let sender = EmbeddedChannel()
        try sender.pipeline.syncOperations.addRefWireHandlers(WireConfiguration(format: .json), role: .initiator)
        // JSON has no blessed objects (without allow_blessed): the encoder refuses them.
        let blessed = PerlValue.blessed(class: "Foo", ["a": 1])
        #expect(throws: PayloadEncodingError.self) { try sender.writeOutbound(blessed) }
        #expect(try sender.writtenBytes().isEmpty)
    }

    // MARK: - Sealing

    /// Moves bytes between two embedded channels until neither has anything to send.
    private func shuttle(_ a: EmbeddedChannel, _ b: EmbeddedChannel, chunk: Int = .max) throws {
        var moved = true
        while moved {
            moved = false
            for (from, to) in [(a, b), (b, a)] {
                let bytes = try from.writtenBytes()
                guard !bytes.isEmpty else { continue }
                moved = true
                var start = 0
                while start < bytes.count && to.isActive {
                    let end = min(bytes.count, start + chunk)
                    try to.feed(bytes[start..<end])
                    start = end
                }
            }
        }
    }

    private func sealedPair(
        _ mode: SealingMode, client: SealingConfiguration? = nil
    ) throws -> (EmbeddedChannel, Recorder<PerlValue>, EmbeddedChannel, Recorder<PerlValue>) {
        let (clientConfiguration, serverConfiguration) = TestKeys.configurations(mode)
        func make(_ configuration: SealingConfiguration, _ role: SealingRole) throws -> (EmbeddedChannel, Recorder<PerlValue>) {
            let channel = EmbeddedChannel()
            let recorder = Recorder<PerlValue>()
            try channel.pipeline.syncOperations.addRefWireHandlers(
                WireConfiguration(compression: .zlib(), sealing: configuration), role: role)
            try channel.pipeline.syncOperations.addHandler(recorder)
            return (channel, recorder)
        }
        let (a, ar) = try make(client ?? clientConfiguration, .initiator)
        let (b, br) = try make(serverConfiguration, .responder)
        try b.connect(to: .init(ipAddress: "127.0.0.1", port: 2)).wait()
        return (a, ar, b, br)
    }

    @Test("Sealing: handshake between two channels, writes queued before it, final frames", arguments: SealingMode.allCases)
    func sealedHandshake(mode: SealingMode) throws {
        let (client, clientRecorder, server, serverRecorder) = try sealedPair(mode)
        // Written before the channel is even active: held until the handshake is done.
        client.writeAndFlush(Self.value, promise: nil)
        try client.connect(to: .init(ipAddress: "127.0.0.1", port: 1)).wait()
        try shuttle(client, server, chunk: 1)
        for recorder in [clientRecorder, serverRecorder] {
            #expect(recorder.events.contains { if case .established = $0 as? SealingHandlerEvent { true } else { false } })
            #expect(recorder.errors.isEmpty)
        }
        #expect(serverRecorder.messages == [Self.value])
        try server.writeAndFlush(PerlValue.array(["reply"])).wait()
        try shuttle(client, server, chunk: 3)
        #expect(clientRecorder.messages == [["reply"]])

        // Closing sends the final frame: the peer sees a clean end, not a truncation.
        try client.close().wait()
        try shuttle(client, server)
        #expect(serverRecorder.events.contains { ($0 as? SealingHandlerEvent) == .peerClosed })
        _ = try? server.finish()
        #expect(serverRecorder.errors.isEmpty)
    }

    @Test("Sealing: a tampered frame is a typed sealing error and closes the channel")
    func sealedTampering() throws {
        let (client, _, server, serverRecorder) = try sealedPair(.preSharedKey)
        try client.connect(to: .init(ipAddress: "127.0.0.1", port: 1)).wait()
        try shuttle(client, server)
        try client.writeAndFlush(Self.value).wait()
        var bytes = try client.writtenBytes()
        bytes[bytes.count - 1] ^= 0x01
        try server.feed(bytes)
        #expect(serverRecorder.messages.isEmpty)
        guard case .authenticationFailed = serverRecorder.errors.first as? SealingError else {
            Issue.record("expected authenticationFailed, got \(serverRecorder.errors)")
            return
        }
        #expect(!server.isActive)
    }

    @Test("Sealing: a wrong pre-shared key fails the handshake with a typed error")
    func sealedWrongKey() throws {
        let wrong = SealingConfiguration(authentication: .preSharedKey(TestKeys.otherPSK))
        let (client, _, server, serverRecorder) = try sealedPair(.preSharedKey, client: wrong)
        try client.connect(to: .init(ipAddress: "127.0.0.1", port: 1)).wait()
        try shuttle(client, server)
        guard case .handshakeAuthenticationFailed = serverRecorder.errors.first as? SealingError else {
            Issue.record("expected handshakeAuthenticationFailed, got \(serverRecorder.errors)")
            return
        }
        #expect(!server.isActive)
    }

    @Test("Sealing: a connection cut without the final frame is a typed truncation")
    func sealedTruncation() throws {
        let (client, _, server, serverRecorder) = try sealedPair(.staticKeys)
        try client.connect(to: .init(ipAddress: "127.0.0.1", port: 1)).wait()
        try shuttle(client, server)
        // The peer's side of the socket ended (not this side closing): no final frame came.
        server.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        guard case .truncated = serverRecorder.errors.first as? SealingError else {
            Issue.record("expected truncated, got \(serverRecorder.errors)")
            return
        }
    }

    @Test("Sealing: a handshake that does not finish in time closes the channel")
    func sealedHandshakeTimeout() throws {
        let channel = EmbeddedChannel()
        let recorder = Recorder<ReceivedPayload>()
        try channel.pipeline.syncOperations.addHandlers([
            SealingHandler(role: .responder, configuration: TestKeys.configurations(.preSharedKey).server, handshakeTimeout: .seconds(2)),
            recorder,
        ])
        try channel.connect(to: .init(ipAddress: "127.0.0.1", port: 1)).wait()
        channel.embeddedEventLoop.advanceTime(by: .seconds(3))
        #expect(recorder.errors.first as? SealingHandlerError == .handshakeTimedOut(.seconds(2)))
        #expect(!channel.isActive)
    }
}
