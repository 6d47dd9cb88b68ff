import NIOCore
import NIOPosix
import RefWire
import RefWireNIO
import RefWireSodium
import Synchronization

/// One TCP connection that reads and writes whole messages, with the serializer and
/// compression switchable at any point (as a `welcome` does), raw frames when a test
/// needs them, and every wait bounded.
///
/// The bytes are framed here with the sans-IO ``RefWire/FrameDecoder`` rather than by
/// RefWireNIO's handlers, so that a test can write what no handler would (a frame that
/// does not decode) and switch formats between two frames without racing the pipeline.
/// With sealing, RefWireNIO's ``SealingHandler`` frames and this connection sees payloads.
final class FrameConnection: Sendable {
    enum Item: Sendable {
        case bytes([UInt8])
        case payload([UInt8])
        case end
    }

    struct Inbox {
        var items: [Item] = []
        var waiter: (token: UInt64, continuation: CheckedContinuation<Item?, Never>)?
        var nextToken: UInt64 = 0
    }

    let channel: any Channel
    let isSealed: Bool
    private let box: InboxBox

    /// Connects to `host:port`; with `sealing`, runs the handshake as the initiator.
    static func connect(
        host: String, port: Int, sealing: SealingConfiguration?, timeout: Duration,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws(ScenarioError) -> FrameConnection {
        let box = InboxBox()
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(.milliseconds(Int64(timeout.components.seconds * 1000)))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let sealing {
                        try channel.pipeline.syncOperations.addHandler(SealingHandler(role: .initiator, configuration: sealing))
                        try channel.pipeline.syncOperations.addHandler(PayloadCollector(box: box))
                    } else {
                        try channel.pipeline.syncOperations.addHandler(ByteCollector(box: box))
                    }
                }
            }
        do {
            let channel = try await bootstrap.connect(host: host, port: port).get()
            return FrameConnection(accepted: channel, isSealed: sealing != nil, box: box)
        } catch {
            throw ScenarioError("cannot connect to \(host):\(port): \(error)")
        }
    }

    /// Wraps an accepted channel whose pipeline ends in a collector made with `box`.
    init(accepted channel: any Channel, isSealed: Bool, box: InboxBox) {
        self.channel = channel
        self.isSealed = isSealed
        self.box = box
    }

    /// The next item read, or `nil` if none came within `timeout`.
    func next(timeout: Duration) async -> Item? {
        let eventLoop = channel.eventLoop
        return await withCheckedContinuation { (continuation: CheckedContinuation<Item?, Never>) in
            let token: UInt64? = box.inbox.withLock { inbox in
                if !inbox.items.isEmpty {
                    continuation.resume(returning: inbox.items.removeFirst())
                    return nil
                }
                inbox.nextToken += 1
                inbox.waiter = (inbox.nextToken, continuation)
                return inbox.nextToken
            }
            guard let token else { return }
            let nanoseconds = timeout.components.seconds * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000
            eventLoop.scheduleTask(in: .nanoseconds(nanoseconds)) { [box] in
                let waiter: CheckedContinuation<Item?, Never>? = box.inbox.withLock { inbox in
                    guard let waiter = inbox.waiter, waiter.token == token else { return nil }
                    inbox.waiter = nil
                    return waiter.continuation
                }
                waiter?.resume(returning: nil)
            }
        }
    }

    /// Writes bytes as they are (unsealed) or one payload (sealed).
    func write(_ bytes: [UInt8]) async throws(ScenarioError) {
        do {
            if isSealed {
                try await channel.writeAndFlush(bytes)
            } else {
                try await channel.writeAndFlush(channel.allocator.buffer(bytes: bytes))
            }
        } catch {
            throw ScenarioError("write failed: \(error)")
        }
    }

    func close() async {
        try? await channel.close()
    }

    /// The inbox shared by a connection and the collector handler of its pipeline.
    final class InboxBox: Sendable {
        let inbox = Mutex(Inbox())

        func push(_ item: Item) {
            let waiter: CheckedContinuation<Item?, Never>? = inbox.withLock { inbox in
                if let waiter = inbox.waiter {
                    inbox.waiter = nil
                    return waiter.continuation
                }
                inbox.items.append(item)
                return nil
            }
            waiter?.resume(returning: item)
        }
    }

    final class ByteCollector: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        let box: InboxBox
        init(box: InboxBox) { self.box = box }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            box.push(.bytes(Array(unwrapInboundIn(data).readableBytesView)))
        }
        func channelInactive(context: ChannelHandlerContext) { box.push(.end) }
        func errorCaught(context: ChannelHandlerContext, error: any Error) { context.close(promise: nil) }
    }

    final class PayloadCollector: ChannelInboundHandler {
        typealias InboundIn = ReceivedPayload
        let box: InboxBox
        init(box: InboxBox) { self.box = box }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            box.push(.payload(Array(unwrapInboundIn(data).bytes)))
        }
        func channelInactive(context: ChannelHandlerContext) { box.push(.end) }
        func errorCaught(context: ChannelHandlerContext, error: any Error) { context.close(promise: nil) }
    }
}

/// Messages over a ``FrameConnection``: framing, compression and serializer, switchable.
struct MessageStream {
    let connection: FrameConnection
    var format: PayloadFormat
    var compression: PayloadCompression
    let codec: PayloadCodec
    private var decoder: FrameDecoder
    private(set) var ended = false

    init(connection: FrameConnection, wire: WireConfiguration) {
        self.connection = connection
        self.format = wire.format
        self.compression = wire.compression
        self.codec = wire.codec
        self.decoder = FrameDecoder(limits: wire.limits)
    }

    /// Applies what a `welcome` chose (its `serializer` and `compression` keys).
    mutating func apply(welcome: PerlValue) throws(ScenarioError) {
        if let name = welcome["serializer"]?.stringValue {
            guard let format = PayloadFormat(rawValue: name) else { throw ScenarioError("the welcome chose unknown serializer \(name)") }
            self.format = format
        }
        if let name = welcome["compression"]?.stringValue {
            switch name {
            case "none": compression = .none
            case "zlib": compression = .zlib()
            default: throw ScenarioError("the welcome chose unknown compression \(name)")
            }
        }
    }

    func payload(_ message: PerlValue) throws(ScenarioError) -> [UInt8] {
        do {
            return compressed(try codec.encode(message, as: format))
        } catch {
            throw ScenarioError("\(message) does not encode as \(format.name): \(error)")
        }
    }

    private func compressed(_ serialized: [UInt8]) -> [UInt8] {
        if case .zlib = compression { return Zlib.compress(serialized) }
        return serialized
    }

    /// Writes one message as a frame.
    func send(_ message: PerlValue) async throws(ScenarioError) {
        try await sendPayload(try payload(message))
    }

    /// Writes a protocol vector's payload in the current format as a frame, compressed
    /// as the connection is: the bytes Perl wrote, not this side's encoding.
    func send(_ vector: ProtocolVector) async throws(ScenarioError) {
        guard let serialized = vector.payload(in: format) else {
            throw ScenarioError("vector \(vector.name) has no \(format.name) frame")
        }
        try await sendPayload(compressed(serialized))
    }

    /// Writes one frame with this payload (after compression, if any, was applied by the caller).
    func sendPayload(_ payload: [UInt8]) async throws(ScenarioError) {
        if connection.isSealed {
            try await connection.write(payload)
        } else {
            try await connection.write(Array("\(payload.count)".utf8) + [0] + payload)
        }
    }

    /// The next message, or `nil` at the end of the stream. Throws on a timeout, a corrupt
    /// stream, or a payload that does not decode.
    mutating func receive(timeout: Duration) async throws(ScenarioError) -> PerlValue? {
        while true {
            if !connection.isSealed {
                let frame: Frame?
                do {
                    frame = try decoder.nextFrame()
                } catch {
                    throw ScenarioError("the stream is corrupt: \(error)")
                }
                if let frame { return try decode(frame.payload) }
            }
            if ended { return nil }
            switch await connection.next(timeout: timeout) {
            case nil:
                throw ScenarioError("nothing arrived within \(timeout)")
            case .end:
                ended = true
                decoder.finish()
            case .bytes(let bytes):
                do {
                    try decoder.feed(bytes)
                } catch {
                    throw ScenarioError("the stream is corrupt: \(error)")
                }
            case .payload(let bytes):
                return try decode(bytes[...])
            }
        }
    }

    private func decode(_ payload: ArraySlice<UInt8>) throws(ScenarioError) -> PerlValue {
        var bytes = payload
        if case .zlib(let limit) = compression {
            do {
                bytes = try Zlib.decompress(payload, maximumOutputSize: limit)[...]
            } catch {
                throw ScenarioError("a payload does not inflate: \(error)")
            }
        }
        do {
            return try codec.decode(bytes, as: format)
        } catch {
            throw ScenarioError("a payload does not decode as \(format.name): \(error)")
        }
    }
}
