import RefWireSodium

/// The sealed channel's fuzz target (Spec/sealing.md): the handshake and the frame opener.
///
/// The first input byte picks a mode and one of two games:
///
/// - **Handshake bytes.** The rest of the input is what a peer sends to a responder (or,
///   after message 1, to an initiator). Nobody can forge a handshake without the keys, so
///   whatever the bytes, the channel must never report a session or a payload; every
///   error must name an offset inside the input; end of input must then be an error.
/// - **Transport script.** A genuine sender and receiver complete a handshake; the rest of
///   the input is a script of operations on the sender's frames — seal a payload (with
///   rekeying as configured), close, flip a bit, drop, duplicate or swap frames, inject a
///   forged frame, cut the stream — which the receiver then reads in chunks the input
///   chooses. The model: the receiver delivers exactly the genuine frames, in order, up to
///   the first frame that is not the next genuine one, and then fails with
///   `authenticationFailed` (or `dataAfterFinal` after the final frame) at that frame's
///   offset; with no such frame it ends cleanly after the final frame, or reports
///   `truncated` at the right offset. Nothing of a failing frame is ever released, and a
///   failed channel keeps failing.
///
/// This file is compiled both into the fuzzer (`Fuzz/Sources/SealingFuzz`) and into the
/// main package's tests (`Tests/RefWireSodiumTests/SealingFuzzTarget.swift` links here),
/// which run it on seeded random inputs.
enum SealingTarget {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func run(_ input: UnsafeBufferPointer<UInt8>) throws(Failure) {
        var script = Script(input)
        guard let setup = script.byte() else { return }
        let mode = SealingMode.allCases[Int(setup % 3)]
        let chunkSize = [0, 1, 3, 64][Int(setup >> 2 & 3)]
        switch setup >> 4 & 3 {
        case 0: try handshakeBytes(script.rest, mode: mode, role: .responder, chunkSize: chunkSize)
        case 1: try handshakeBytes(script.rest, mode: mode, role: .initiator, chunkSize: chunkSize)
        default: try transport(&script, mode: mode, rekeyFrames: Int(setup >> 6) + 1, chunkSize: chunkSize)
        }
    }

    // MARK: - Handshake bytes

    private static func handshakeBytes(
        _ bytes: ArraySlice<UInt8>, mode: SealingMode, role: SealingRole, chunkSize: Int
    ) throws(Failure) {
        let configurations = Keys.configurations(mode)
        var channel = SealedChannel(
            role: role, configuration: role == .initiator ? configurations.initiator : configurations.responder,
            randomness: FixedRandomness(seed: 1))
        var output: [UInt8] = []
        do {
            try channel.start(into: &output)
        } catch {
            throw Failure(description: "start failed: \(error)")
        }
        let outcome = read(bytes, into: &channel, chunkSize: chunkSize, finish: true)
        for event in outcome.events {
            throw Failure(description: "forged handshake bytes produced \(event)")
        }
        guard let error = outcome.error else {
            throw Failure(description: "end of input inside a handshake reported no error")
        }
        try checkOffset(error, limit: bytes.count)
        try checkStaysFailed(&channel, error)
    }

    // MARK: - Transport script

    private static func transport(
        _ script: inout Script, mode: SealingMode, rekeyFrames: Int, chunkSize: Int
    ) throws(Failure) {
        let configurations = Keys.configurations(mode, rekeyFrames: rekeyFrames)
        var sender = SealedChannel(role: .initiator, configuration: configurations.initiator, randomness: FixedRandomness(seed: 2))
        var receiver = SealedChannel(role: .responder, configuration: configurations.responder, randomness: FixedRandomness(seed: 3))
        var prefix: [UInt8] = []
        do {
            // The handshake, in memory: the sender's part is the receiver's input prefix.
            var toSender: [UInt8] = []
            try sender.start(into: &prefix)
            var fed = (receiver: 0, sender: 0)
            for _ in 0..<3 {
                try receiver.feed(prefix[fed.receiver...])
                fed.receiver = prefix.count
                while try receiver.next(into: &toSender) != nil {}
                try sender.feed(toSender[fed.sender...])
                fed.sender = toSender.count
                while try sender.next(into: &prefix) != nil {}
            }
        } catch {
            throw Failure(description: "genuine handshake failed: \(error)")
        }
        guard sender.canSeal else { throw Failure(description: "genuine handshake did not complete") }
        // The receiver already read the handshake: it goes on from the prefix's end.
        let base = prefix.count

        // The frames as they will travel, and those the sender made, in order.
        var frames: [[UInt8]] = []
        var genuine: [(frame: [UInt8], payload: [UInt8], isFinal: Bool)] = []
        var cut = 0
        operations: while let operation = script.byte() {
            switch operation % 10 {
            case 0, 1, 2, 3:
                guard sender.canSeal else { continue }
                let payload = script.bytes(Int(script.byte() ?? 0) % 80)
                var frame: [UInt8] = []
                do {
                    try sender.seal(payload, into: &frame)
                } catch {
                    throw Failure(description: "genuine seal failed: \(error)")
                }
                frames.append(frame)
                genuine.append((frame, payload, false))
            case 4:
                guard sender.canSeal else { continue }
                var frame: [UInt8] = []
                do {
                    try sender.close(into: &frame)
                } catch {
                    throw Failure(description: "genuine close failed: \(error)")
                }
                frames.append(frame)
                genuine.append((frame, [], true))
            case 5:
                // Flip one bit of a frame's payload (never its length field).
                guard !frames.isEmpty else { continue }
                let index = Int(script.byte() ?? 0) % frames.count
                let start = frames[index].firstIndex(of: 0)! + 1
                guard start < frames[index].count else { continue }
                let position = start + Int(script.byte() ?? 0) % (frames[index].count - start)
                frames[index][position] ^= 1 << ((script.byte() ?? 0) % 8)
            case 6:
                guard !frames.isEmpty else { continue }
                frames.remove(at: Int(script.byte() ?? 0) % frames.count)
            case 7:
                guard !frames.isEmpty else { continue }
                let index = Int(script.byte() ?? 0) % frames.count
                frames.insert(frames[index], at: index + 1)
            case 8:
                guard frames.count >= 2 else { continue }
                let index = Int(script.byte() ?? 0) % (frames.count - 1)
                frames.swapAt(index, index + 1)
            default:
                if script.byte().map({ $0 & 1 == 0 }) ?? true {
                    // A forged frame of the fuzzer's bytes.
                    let payload = script.bytes(Int(script.byte() ?? 0))
                    frames.append(Array(String(payload.count).utf8) + [0] + payload)
                } else {
                    // Cut the stream: the connection ends this many bytes early.
                    cut = Int(script.byte() ?? 0)
                    break operations
                }
            }
        }

        // The model's verdict. A frame is genuine by its bytes: the next one the sender
        // made, or not (a flipped bit flipped back is genuine again).
        var stream = frames.flatMap { $0 }
        cut = min(cut, stream.count)
        stream.removeLast(cut)
        var expected: [[UInt8]] = []
        var expectedError: SealingError?
        var expectClosed = false
        var nextGenuine = 0
        var offset = base
        for frame in frames {
            let end = offset + frame.count
            // A frame the cut removed entirely is simply not there (the end is then clean
            // after the final frame, truncated before it); one cut in the middle is truncated.
            if offset >= base + stream.count { break }
            if end > base + stream.count {
                expectedError = .truncated(offset: offset)
                break
            }
            if expectClosed {
                expectedError = .dataAfterFinal(offset: offset)
                break
            }
            guard nextGenuine < genuine.count, frame == genuine[nextGenuine].frame else {
                expectedError = .authenticationFailed(offset: offset)
                break
            }
            if genuine[nextGenuine].isFinal { expectClosed = true } else { expected.append(genuine[nextGenuine].payload) }
            nextGenuine += 1
            offset = end
        }
        if expectedError == nil && !expectClosed {
            expectedError = .truncated(offset: base + stream.count)
        }

        let outcome = read(stream[...], into: &receiver, chunkSize: chunkSize, finish: true)
        let delivered = outcome.events.compactMap { event -> [UInt8]? in
            if case .message(let payload) = event { payload } else { nil }
        }
        guard delivered == expected else {
            throw Failure(description: "delivered \(delivered.count) payloads, the model \(expected.count)")
        }
        guard outcome.events.contains(.closed) == expectClosed else {
            throw Failure(description: "closed: \(!expectClosed), the model \(expectClosed)")
        }
        guard outcome.error == expectedError else {
            throw Failure(description: "error \(String(describing: outcome.error)), the model \(String(describing: expectedError))")
        }
        if let error = outcome.error { try checkStaysFailed(&receiver, error) }
    }

    // MARK: - Helpers

    /// Feeds `bytes` in pieces of `chunkSize` (0: whole) and takes events until the first
    /// error; declares the end of input if `finish`.
    private static func read(
        _ bytes: ArraySlice<UInt8>, into channel: inout SealedChannel, chunkSize: Int, finish: Bool
    ) -> (events: [SealedEvent], error: SealingError?) {
        var events: [SealedEvent] = []
        var output: [UInt8] = []
        let size = chunkSize == 0 ? max(bytes.count, 1) : chunkSize
        do {
            var start = bytes.startIndex
            while start < bytes.endIndex {
                let end = min(start + size, bytes.endIndex)
                try channel.feed(bytes[start..<end])
                while let event = try channel.next(into: &output) { events.append(event) }
                start = end
            }
            if finish {
                channel.finish()
                while let event = try channel.next(into: &output) { events.append(event) }
            }
            return (events, nil)
        } catch {
            return (events, error)
        }
    }

    private static func checkOffset(_ error: SealingError, limit: Int) throws(Failure) {
        guard let offset = error.offset, offset >= 0, offset <= limit else {
            throw Failure(description: "\(error) names no offset within the \(limit) input bytes")
        }
    }

    private static func checkStaysFailed(_ channel: inout SealedChannel, _ error: SealingError) throws(Failure) {
        guard error.isFatal else { return }
        var output: [UInt8] = []
        var readAgain: SealingError?
        do throws(SealingError) {
            _ = try channel.next(into: &output)
        } catch {
            readAgain = error
        }
        var sealAgain: SealingError?
        do throws(SealingError) {
            try channel.seal([1], into: &output)
        } catch {
            sealAgain = error
        }
        guard readAgain == error, sealAgain == error, output.isEmpty else {
            throw Failure(description: "failed with \(error), then read \(String(describing: readAgain)) and sealed \(String(describing: sealAgain))")
        }
    }

    /// Fixed keys: the target checks properties, not secrecy.
    private enum Keys {
        static let initiator = try! StaticKeyPair(privateKey: [UInt8](repeating: 0x11, count: 32))
        static let responder = try! StaticKeyPair(privateKey: [UInt8](repeating: 0x22, count: 32))
        static let psk = try! PreSharedKey(bytes: [UInt8](repeating: 0x33, count: 32))

        static func configurations(
            _ mode: SealingMode, rekeyFrames: Int = 65_536
        ) -> (initiator: SealingConfiguration, responder: SealingConfiguration) {
            func make(_ own: StaticKeyPair, _ peer: StaticKeyPair) -> SealingConfiguration {
                let trusted = TrustedKeys([peer.publicKey])
                let authentication: SealingConfiguration.Authentication =
                    switch mode {
                    case .staticKeys: .staticKeys(own, trusting: trusted)
                    case .staticKeysAndPreSharedKey: .staticKeysAndPreSharedKey(own, trusting: trusted, psk)
                    case .preSharedKey: .preSharedKey(psk)
                    }
                return SealingConfiguration(
                    authentication: authentication, limits: SealingLimits(maximumSealedFrameLength: 4096),
                    rekeyInterval: RekeyInterval(frames: rekeyFrames))
            }
            return (make(initiator, responder), make(responder, initiator))
        }
    }

    /// Deterministic randomness (SplitMix64), so that a finding reproduces.
    private struct FixedRandomness: SealingRandomness {
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

    /// The input, read from the front.
    private struct Script {
        private let input: UnsafeBufferPointer<UInt8>
        private var position = 0

        init(_ input: UnsafeBufferPointer<UInt8>) { self.input = input }

        mutating func byte() -> UInt8? {
            guard position < input.count else { return nil }
            defer { position += 1 }
            return input[position]
        }

        mutating func bytes(_ count: Int) -> [UInt8] {
            let taken = Array(input[position..<min(position + count, input.count)])
            position += taken.count
            return taken
        }

        var rest: ArraySlice<UInt8> { Array(input[position...])[...] }
    }
}
