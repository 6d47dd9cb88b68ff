import RefWireSodium
import Testing

/// Fixed keys for tests (not the vectors' keys, which the vector files carry).
enum TestKeys {
    static let initiator = try! StaticKeyPair(privateKey: (0..<32).map { UInt8($0) })
    static let responder = try! StaticKeyPair(privateKey: (0..<32).map { UInt8(0x40 + $0) })
    static let stranger = try! StaticKeyPair(privateKey: (0..<32).map { UInt8(0x80 + $0) })
    static let psk = try! PreSharedKey(bytes: (0..<32).map { UInt8(0xC0 + $0) })
    static let otherPSK = try! PreSharedKey(bytes: (0..<32).map { UInt8(0xE0 ^ $0) })

    /// The initiator's and the responder's configuration for `mode`, each trusting the other.
    static func configurations(
        _ mode: SealingMode, limits: SealingLimits = .default, rekey: RekeyInterval = .default
    ) -> (initiator: SealingConfiguration, responder: SealingConfiguration) {
        func make(_ own: StaticKeyPair, trusting peer: StaticKeyPair) -> SealingConfiguration {
            let authentication: SealingConfiguration.Authentication =
                switch mode {
                case .staticKeys: .staticKeys(own, trusting: TrustedKeys([peer.publicKey]))
                case .staticKeysAndPreSharedKey:
                    .staticKeysAndPreSharedKey(own, trusting: TrustedKeys([peer.publicKey]), psk)
                case .preSharedKey: .preSharedKey(psk)
                }
            return SealingConfiguration(authentication: authentication, limits: limits, rekeyInterval: rekey)
        }
        return (make(initiator, trusting: responder), make(responder, trusting: initiator))
    }
}

/// Everything `channel` makes of the input fed so far: the events, in order, and its
/// replies appended to `output`. Stops at the first error, returning the events before it.
func drain(
    _ channel: inout SealedChannel, output: inout [UInt8]
) -> (events: [SealedEvent], error: SealingError?) {
    var events: [SealedEvent] = []
    do {
        while let event = try channel.next(into: &output) { events.append(event) }
        return (events, nil)
    } catch {
        return (events, error)
    }
}

/// The payloads of `events` that are messages.
func messages(_ events: [SealedEvent]) -> [[UInt8]] {
    events.compactMap { if case .message(let payload) = $0 { payload } else { nil } }
}

/// Runs a handshake between two channels in memory, and returns what each sent (the
/// initiator's bytes first). Both must end established, or the test fails.
@discardableResult
func handshake(
    _ initiator: inout SealedChannel, _ responder: inout SealedChannel,
    sourceLocation: SourceLocation = #_sourceLocation
) throws -> (toResponder: [UInt8], toInitiator: [UInt8]) {
    var toResponder: [UInt8] = []
    var toInitiator: [UInt8] = []
    try initiator.start(into: &toResponder)
    var sentToResponder = 0
    var sentToInitiator = 0
    var established = (initiator: false, responder: false)
    // Three messages at most, then the stream headers: a few rounds always suffice.
    for _ in 0..<4 {
        try responder.feed(toResponder[sentToResponder...])
        sentToResponder = toResponder.count
        while let event = try responder.next(into: &toInitiator) {
            if case .established = event { established.responder = true }
        }
        try initiator.feed(toInitiator[sentToInitiator...])
        sentToInitiator = toInitiator.count
        while let event = try initiator.next(into: &toResponder) {
            if case .established = event { established.initiator = true }
        }
    }
    #expect(established.initiator && established.responder, "handshake did not complete", sourceLocation: sourceLocation)
    return (toResponder, toInitiator)
}

/// The frames of a stream, whole (length field, NUL and payload), with their offsets.
func frames(of stream: [UInt8]) -> [(offset: Int, bytes: [UInt8])] {
    var result: [(Int, [UInt8])] = []
    var offset = 0
    while offset < stream.count {
        let nul = stream[offset...].firstIndex(of: 0)!
        let length = Int(String(decoding: stream[offset..<nul], as: UTF8.self))!
        let end = nul + 1 + length
        result.append((offset, Array(stream[offset..<end])))
        offset = end
    }
    return result
}

/// The payload of one whole frame.
func payload(ofFrame frame: [UInt8]) -> [UInt8] {
    Array(frame[(frame.firstIndex(of: 0)! + 1)...])
}

/// `payload` as one frame.
func frame(_ payload: [UInt8]) -> [UInt8] {
    Array(String(payload.count).utf8) + [0] + payload
}

/// The deterministic payload number `index` of `size` bytes, as the Python peer makes it.
func interopPayload(_ index: Int, size: Int) -> [UInt8] {
    (0..<size).map { UInt8(truncatingIfNeeded: index * 31 + $0 * 7) }
}
