import CSodium
import RefWireSodium

/// One payload size: the frames of one pass, sealed once by RefWire (for opening) and the
/// same payloads sealed by raw secretstream (for raw pulling).
struct SealingWorkload {
    let payloadSize: Int
    let framesPerPass: Int
    let payload: [UInt8]

    /// The receiver's input before the payload frames: the sender's handshake messages and
    /// stream header (the receiver's own randomness is fixed, so it answers identically
    /// every time and these bytes stay valid).
    let handshakeInput: [UInt8]
    /// The pass's payload frames as RefWire sealed them: `len NUL ciphertext` each.
    let sealedStream: [UInt8]

    /// Raw secretstream: key, header, and the pass's messages pushed into one buffer.
    let rawKey: [UInt8]
    let rawHeader: [UInt8]
    let rawCiphertexts: [UInt8]

    /// About `passBytes` of payload per pass.
    init(payloadSize: Int, passBytes: Int = 4 << 20) throws {
        self.payloadSize = payloadSize
        framesPerPass = max(passBytes / payloadSize, 16)
        payload = (0..<payloadSize).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 7) }

        var sender = SealedChannel(role: .initiator, configuration: Self.configurations.initiator, randomness: FixedRandomness(seed: 1))
        var receiver = Self.receiver()
        var toReceiver: [UInt8] = []
        var toSender: [UInt8] = []
        try sender.start(into: &toReceiver)
        var fed = (receiver: 0, sender: 0)
        for _ in 0..<3 {
            try receiver.feed(toReceiver[fed.receiver...])
            fed.receiver = toReceiver.count
            while try receiver.next(into: &toSender) != nil {}
            try sender.feed(toSender[fed.sender...])
            fed.sender = toSender.count
            while try sender.next(into: &toReceiver) != nil {}
        }
        handshakeInput = toReceiver
        var stream: [UInt8] = []
        stream.reserveCapacity(framesPerPass * (payloadSize + 24))
        for _ in 0..<framesPerPass { try sender.seal(payload, into: &stream) }
        sealedStream = stream

        var key = [UInt8](repeating: 0, count: 32)
        crypto_secretstream_xchacha20poly1305_keygen(&key)
        var header = [UInt8](repeating: 0, count: 24)
        var state = crypto_secretstream_xchacha20poly1305_state()
        crypto_secretstream_xchacha20poly1305_init_push(&state, &header, key)
        let (count, message) = (framesPerPass, payload)
        var ciphertexts = [UInt8](repeating: 0, count: count * (payloadSize + 17))
        ciphertexts.withUnsafeMutableBufferPointer { output in
            for index in 0..<count {
                crypto_secretstream_xchacha20poly1305_push(
                    &state, output.baseAddress! + index * (message.count + 17), nil, message, UInt64(message.count), nil, 0,
                    UInt8(crypto_secretstream_xchacha20poly1305_TAG_MESSAGE))
            }
        }
        rawKey = key
        rawHeader = header
        rawCiphertexts = ciphertexts
    }

    // MARK: - The four measured loops (each returns a checksum, so nothing is optimised away)

    /// RefWire: `SealedChannel.seal` of every frame of a pass, each into a reused buffer,
    /// as a writer that sends each frame at once does. The channel is made (handshake
    /// included) before the clock starts.
    func refWireSeal(_ clock: ContinuousClock) throws -> (Duration, Int) {
        var sender = try Self.establishedSender()
        var output: [UInt8] = []
        output.reserveCapacity(payloadSize + 32)
        var checksum = 0
        let start = clock.now
        for _ in 0..<framesPerPass {
            output.removeAll(keepingCapacity: true)
            try sender.seal(payload, into: &output)
            checksum &+= Int(output[output.count - 1])
        }
        return (start.duration(to: clock.now), checksum)
    }

    /// Raw libsodium: `crypto_secretstream_xchacha20poly1305_push` of every message of a
    /// pass into one preallocated buffer.
    func rawPush(_ clock: ContinuousClock) -> (Duration, Int) {
        var state = crypto_secretstream_xchacha20poly1305_state()
        var header = [UInt8](repeating: 0, count: 24)
        crypto_secretstream_xchacha20poly1305_init_push(&state, &header, rawKey)
        var output = [UInt8](repeating: 0, count: payloadSize + 17)
        var checksum = 0
        let start = clock.now
        output.withUnsafeMutableBufferPointer { buffer in
            payload.withUnsafeBufferPointer { message in
                for _ in 0..<framesPerPass {
                    crypto_secretstream_xchacha20poly1305_push(
                        &state, buffer.baseAddress!, nil, message.baseAddress, UInt64(payloadSize), nil, 0,
                        UInt8(crypto_secretstream_xchacha20poly1305_TAG_MESSAGE))
                    checksum &+= Int(buffer[payloadSize + 16])
                }
            }
        }
        return (start.duration(to: clock.now), checksum)
    }

    /// RefWire: a receiver (past its handshake, untimed) fed the pass's frames in one
    /// piece, taking every payload out as its own array.
    func refWireOpen(_ clock: ContinuousClock) throws -> (Duration, Int) {
        var receiver = Self.receiver()
        var ignored: [UInt8] = []
        try receiver.feed(handshakeInput)
        while try receiver.next(into: &ignored) != nil {}
        var checksum = 0
        var count = 0
        let start = clock.now
        try receiver.feed(sealedStream)
        while let event = try receiver.next(into: &ignored) {
            if case .message(let opened) = event {
                checksum &+= opened.count &+ Int(opened.last ?? 0)
                count += 1
            }
        }
        let elapsed = start.duration(to: clock.now)
        guard count == framesPerPass else { throw BenchmarkError.mismatch("opened \(count) of \(framesPerPass) frames") }
        return (elapsed, checksum)
    }

    /// Raw libsodium: `crypto_secretstream_xchacha20poly1305_pull` of every message of a
    /// pass into one preallocated buffer.
    func rawPull(_ clock: ContinuousClock) throws -> (Duration, Int) {
        var state = crypto_secretstream_xchacha20poly1305_state()
        crypto_secretstream_xchacha20poly1305_init_pull(&state, rawHeader, rawKey)
        var output = [UInt8](repeating: 0, count: payloadSize)
        var checksum = 0
        var failures = 0
        let start = clock.now
        output.withUnsafeMutableBufferPointer { buffer in
            rawCiphertexts.withUnsafeBufferPointer { ciphertexts in
                var tag: UInt8 = 0
                for index in 0..<framesPerPass {
                    let status = crypto_secretstream_xchacha20poly1305_pull(
                        &state, buffer.baseAddress!, nil, &tag,
                        ciphertexts.baseAddress! + index * (payloadSize + 17), UInt64(payloadSize + 17), nil, 0)
                    if status != 0 { failures += 1 }
                    checksum &+= payloadSize &+ Int(buffer.last ?? 0)
                }
            }
        }
        let elapsed = start.duration(to: clock.now)
        guard failures == 0 else { throw BenchmarkError.mismatch("\(failures) raw pulls failed") }
        return (elapsed, checksum)
    }

    // MARK: - Fixtures

    static let configurations: (initiator: SealingConfiguration, responder: SealingConfiguration) = {
        let initiator = try! StaticKeyPair(privateKey: [UInt8](repeating: 1, count: 32))
        let responder = try! StaticKeyPair(privateKey: [UInt8](repeating: 2, count: 32))
        func make(_ own: StaticKeyPair, _ peer: StaticKeyPair) -> SealingConfiguration {
            SealingConfiguration(authentication: .staticKeys(own, trusting: TrustedKeys([peer.publicKey])))
        }
        return (make(initiator, responder), make(responder, initiator))
    }()

    static func receiver() -> SealedChannel {
        SealedChannel(role: .responder, configuration: configurations.responder, randomness: FixedRandomness(seed: 2))
    }

    /// A fresh sender past its handshake (with a throwaway receiver).
    static func establishedSender() throws -> SealedChannel {
        var sender = SealedChannel(role: .initiator, configuration: configurations.initiator, randomness: FixedRandomness(seed: 3))
        var receiver = receiver()
        var toReceiver: [UInt8] = []
        var toSender: [UInt8] = []
        try sender.start(into: &toReceiver)
        try receiver.feed(toReceiver)
        while try receiver.next(into: &toSender) != nil {}
        try sender.feed(toSender)
        while try sender.next(into: &toReceiver) != nil {}
        guard sender.canSeal else { throw BenchmarkError.mismatch("handshake did not complete") }
        return sender
    }
}

enum BenchmarkError: Error, CustomStringConvertible {
    case mismatch(String)

    var description: String {
        switch self {
        case .mismatch(let what): what
        }
    }
}

/// Fixed randomness (SplitMix64): every pass's handshake and stream are the same bytes.
struct FixedRandomness: SealingRandomness {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func fill(_ buffer: UnsafeMutableRawBufferPointer) {
        for index in 0..<buffer.count {
            state &+= 0x9E37_79B9_7F4A_7C15
            var mixed = state
            mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
            mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
            buffer[index] = UInt8(truncatingIfNeeded: mixed ^ (mixed >> 31))
        }
    }
}
