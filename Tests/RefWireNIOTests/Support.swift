import NIOCore
import NIOEmbedded
import RefWire
import RefWireNIO
import RefWireSodium
import Synchronization
import Testing

/// The last handler of an embedded pipeline: keeps every message, error and user event
/// that reaches it.
final class Recorder<Message>: ChannelInboundHandler {
    typealias InboundIn = Message
    var messages: [Message] = []
    var errors: [any Error] = []
    var events: [Any] = []

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        messages.append(unwrapInboundIn(data))
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        errors.append(error)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        events.append(event)
    }
}

extension EmbeddedChannel {
    /// Every byte written to the channel so far, joined.
    func writtenBytes() throws -> [UInt8] {
        var bytes: [UInt8] = []
        while let buffer = try readOutbound(as: ByteBuffer.self) {
            bytes += buffer.readableBytesView
        }
        return bytes
    }

    func feed(_ bytes: some Collection<UInt8>) throws {
        try writeInbound(ByteBuffer(bytes: Array(bytes)))
    }
}

/// `bytes` cut into pieces of random sizes (1 to `maximum`), reproducibly.
func chunks(_ bytes: [UInt8], seed: UInt64, maximum: Int) -> [ArraySlice<UInt8>] {
    var random = SeededRandomSource(seed: seed)
    var pieces: [ArraySlice<UInt8>] = []
    var start = 0
    while start < bytes.count {
        let length = 1 + random.next(upperBound: maximum)
        let end = min(bytes.count, start + length)
        pieces.append(bytes[start..<end])
        start = end
    }
    return pieces
}

/// A tiny seeded generator (splitmix64), so the tests need no other module.
struct SeededRandomSource {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func next(upperBound: Int) -> Int { Int(next() % UInt64(upperBound)) }
}

/// Frames as POE::Filter::Reference writes them.
func frame(_ payload: some Collection<UInt8>) -> [UInt8] {
    Array("\(payload.count)".utf8) + [0] + Array(payload)
}

/// Fixed keys for the sealing tests.
enum TestKeys {
    static let client = try! StaticKeyPair(privateKey: (0..<32).map { UInt8($0) })
    static let server = try! StaticKeyPair(privateKey: (0..<32).map { UInt8(0x40 + $0) })
    static let stranger = try! StaticKeyPair(privateKey: (0..<32).map { UInt8(0x80 + $0) })
    static let psk = try! PreSharedKey(bytes: (0..<32).map { UInt8(0xC0 + $0) })
    static let otherPSK = try! PreSharedKey(bytes: (0..<32).map { UInt8(0xE0 ^ $0) })

    /// The initiator's (client's) and the responder's (server's) configuration for `mode`.
    static func configurations(_ mode: SealingMode) -> (client: SealingConfiguration, server: SealingConfiguration) {
        func make(_ own: StaticKeyPair, trusting peer: StaticKeyPair) -> SealingConfiguration {
            let authentication: SealingConfiguration.Authentication =
                switch mode {
                case .staticKeys: .staticKeys(own, trusting: TrustedKeys([peer.publicKey]))
                case .staticKeysAndPreSharedKey:
                    .staticKeysAndPreSharedKey(own, trusting: TrustedKeys([peer.publicKey]), psk)
                case .preSharedKey: .preSharedKey(psk)
                }
            return SealingConfiguration(authentication: authentication)
        }
        return (make(client, trusting: server), make(server, trusting: client))
    }
}

/// Runs `body`, failing the test if it takes longer than `limit`. The body is cancelled
/// then and left behind (so that even a body stuck where cancellation does not reach
/// cannot hang the test run).
func withTimeLimit<T: Sendable>(
    _ limit: Duration = .seconds(20), _ what: String = "the test",
    _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    let once = Mutex<CheckedContinuation<T, any Error>?>(nil)
    let resume: @Sendable (Result<T, any Error>) -> Void = { result in
        once.withLock { continuation in
            continuation?.resume(with: result)
            continuation = nil
        }
    }
    var tasks: [Task<Void, Never>] = []
    defer { for task in tasks { task.cancel() } }
    return try await withCheckedThrowingContinuation { continuation in
        once.withLock { $0 = continuation }
        tasks.append(Task {
            do { resume(.success(try await body())) } catch { resume(.failure(error)) }
        })
        tasks.append(Task {
            try? await Task.sleep(for: limit)
            resume(.failure(TimeLimitExceeded(what: what, limit: limit)))
        })
    }
}

struct TimeLimitExceeded: Error, CustomStringConvertible {
    var what: String
    var limit: Duration
    var description: String { "\(what) did not finish within \(limit)" }
}
