import RefWire
import RefWireSodium
import Testing

/// One test for each attack the issue names, each built here against fresh sessions
/// (the vectors cover the same ground byte for byte with fixed keys). Every test checks
/// three things: the typed error at the right frame, that the frames before it were all
/// delivered intact, and that nothing of the failing frame (or after it) was released.
@Suite("Sodium: attacks on a sealed channel")
struct SealingAttackTests {
    /// A recorded session: what the initiator sent (handshake, header, payload frames,
    /// final frame), replayed into responders with the same scripted randomness — which
    /// answer exactly as the original did, so the tampered stream is the only change.
    struct Recording {
        let mode: SealingMode
        let configurations: (initiator: SealingConfiguration, responder: SealingConfiguration)
        let responderSeed: UInt64
        let payloads: [[UInt8]]
        /// Everything the initiator sent, frame by frame.
        let frames: [(offset: Int, bytes: [UInt8])]
        /// How many of `frames` come before the first payload frame.
        let handshakeFrames: Int

        init(mode: SealingMode = .staticKeys, seed: UInt64 = 1, payloadCount: Int = 6) throws {
            self.mode = mode
            configurations = TestKeys.configurations(mode, rekey: RekeyInterval(frames: 2))
            responderSeed = seed &+ 1000
            payloads = (0..<payloadCount).map { interopPayload($0, size: 1 + $0 * 37) }
            var initiator = SealedChannel(
                role: .initiator, configuration: configurations.initiator, randomness: ScriptedRandomness(seed: seed))
            var responder = SealedChannel(
                role: .responder, configuration: configurations.responder,
                randomness: ScriptedRandomness(seed: responderSeed))
            var (stream, _) = try handshake(&initiator, &responder)
            handshakeFrames = RefWireSodiumTests.frames(of: stream).count
            for payload in payloads { try initiator.seal(payload, into: &stream) }
            try initiator.close(into: &stream)
            frames = RefWireSodiumTests.frames(of: stream)
        }

        var handshakePart: [UInt8] { frames[..<handshakeFrames].flatMap(\.bytes) }
        var payloadFrames: [[UInt8]] { frames[handshakeFrames..<(frames.count - 1)].map(\.bytes) }
        var finalFrame: [UInt8] { frames.last!.bytes }
        var wholeStream: [UInt8] { frames.flatMap(\.bytes) }

        /// A new responder (the recorded one's randomness unless `seed` is given) reading
        /// `input`, then end of input if `finish`.
        func replay(
            _ input: [UInt8], finish: Bool = true, seed: UInt64? = nil, configuration: SealingConfiguration? = nil
        ) -> (events: [SealedEvent], error: SealingError?) {
            var responder = SealedChannel(
                role: .responder, configuration: configuration ?? configurations.responder,
                randomness: ScriptedRandomness(seed: seed ?? responderSeed))
            var output: [UInt8] = []
            do {
                try responder.feed(input)
            } catch {
                return ([], error)
            }
            var outcome = drain(&responder, output: &output)
            if outcome.error == nil && finish {
                responder.finish()
                let rest = drain(&responder, output: &output)
                outcome = (outcome.events + rest.events, rest.error)
            }
            if let error = outcome.error {
                // A failed channel stays failed: the same error again, and no sealing.
                #expect(throws: error) { try responder.next(into: &output) }
                #expect(throws: error) { try responder.seal([1, 2, 3], into: &output) }
            }
            return outcome
        }

        /// The stream offset that payload frame `index` has in a stream made of the
        /// handshake part and then `payloadFrames`.
        func offset(ofPayloadFrame index: Int, in payloadFrames: [[UInt8]]) -> Int {
            handshakePart.count + payloadFrames[..<index].reduce(0) { $0 + $1.count }
        }
    }

    @Test("Sanity: the untouched recording is delivered whole and closed")
    func untouched() throws {
        let recording = try Recording()
        let outcome = recording.replay(recording.wholeStream)
        #expect(outcome.error == nil)
        #expect(messages(outcome.events) == recording.payloads)
        #expect(outcome.events.last == .closed)
    }

    @Test("A flipped byte: every bit position of a sealed frame, and of handshake message 3")
    func flippedByte() throws {
        let recording = try Recording()
        let target = 2
        let header = recording.payloadFrames[target].firstIndex(of: 0)! + 1
        for index in header..<recording.payloadFrames[target].count {
            for bit in [0, 7] {
                var frames = recording.payloadFrames
                frames[target][index] ^= UInt8(1 << bit)
                let outcome = recording.replay(recording.handshakePart + frames.joined() + recording.finalFrame)
                #expect(
                    outcome.error == .authenticationFailed(offset: recording.offset(ofPayloadFrame: target, in: frames)),
                    "byte \(index), bit \(bit)")
                #expect(messages(outcome.events) == Array(recording.payloads[..<target]), "only the frames before it")
            }
        }
        // Message 3 (the recording's second frame): its encrypted static key and payload.
        let message3 = recording.frames[1]
        let start = message3.bytes.firstIndex(of: 0)! + 1
        for index in start..<message3.bytes.count {
            var frames = recording.frames.map(\.bytes)
            frames[1][index] ^= 0x04
            let outcome = recording.replay(Array(frames.joined()))
            #expect(outcome.error == .handshakeAuthenticationFailed(message: 3, offset: message3.offset), "byte \(index)")
            #expect(outcome.events.isEmpty)
        }
    }

    @Test("A dropped frame, at every position")
    func droppedFrame() throws {
        let recording = try Recording()
        for dropped in 0..<(recording.payloadFrames.count - 1) {
            var frames = recording.payloadFrames
            frames.remove(at: dropped)
            let outcome = recording.replay(recording.handshakePart + frames.joined() + recording.finalFrame)
            #expect(outcome.error == .authenticationFailed(offset: recording.offset(ofPayloadFrame: dropped, in: frames)))
            #expect(messages(outcome.events) == Array(recording.payloads[..<dropped]))
        }
        // The last payload frame dropped: the final frame arrives out of place.
        var frames = recording.payloadFrames
        frames.removeLast()
        let outcome = recording.replay(recording.handshakePart + frames.joined() + recording.finalFrame)
        #expect(outcome.error == .authenticationFailed(offset: recording.offset(ofPayloadFrame: frames.count, in: frames + [[]])))
        #expect(messages(outcome.events) == Array(recording.payloads.dropLast()))
    }

    @Test("Reordered frames: each adjacent pair swapped")
    func reorderedFrames() throws {
        let recording = try Recording()
        for first in 0..<(recording.payloadFrames.count - 1) {
            var frames = recording.payloadFrames
            frames.swapAt(first, first + 1)
            let outcome = recording.replay(recording.handshakePart + frames.joined() + recording.finalFrame)
            #expect(outcome.error == .authenticationFailed(offset: recording.offset(ofPayloadFrame: first, in: frames)))
            #expect(messages(outcome.events) == Array(recording.payloads[..<first]))
        }
    }

    @Test("A replayed frame: each payload frame sent again right after itself, and the stream header again")
    func replayedFrame() throws {
        let recording = try Recording()
        for replayed in recording.payloadFrames.indices {
            var frames = recording.payloadFrames
            frames.insert(frames[replayed], at: replayed + 1)
            let outcome = recording.replay(recording.handshakePart + frames.joined() + recording.finalFrame)
            #expect(outcome.error == .authenticationFailed(offset: recording.offset(ofPayloadFrame: replayed + 1, in: frames)))
            #expect(messages(outcome.events) == Array(recording.payloads[...replayed]))
        }
        // The stream header twice: the second copy is taken as a sealed frame and fails.
        let header = recording.frames[recording.handshakeFrames - 1].bytes
        let outcome = recording.replay(recording.handshakePart + header + recording.payloadFrames.joined())
        #expect(outcome.error == .authenticationFailed(offset: recording.handshakePart.count))
        #expect(messages(outcome.events).isEmpty)
    }

    @Test("A replayed recorded session, in every mode: fresh ephemeral keys refuse it", arguments: SealingMode.allCases)
    func replayedSession(_ mode: SealingMode) throws {
        let recording = try Recording(mode: mode)
        // The same stream to a responder that, as every real one does, draws new randomness.
        let outcome = recording.replay(recording.wholeStream, seed: 99)
        #expect(messages(outcome.events).isEmpty, "not one recorded payload is accepted")
        switch mode {
        case .staticKeys, .staticKeysAndPreSharedKey:
            // Message 3 was made for another message 2.
            #expect(outcome.error == .handshakeAuthenticationFailed(message: 3, offset: recording.frames[1].offset))
            #expect(outcome.events.isEmpty)
        case .preSharedKey:
            // Message 1 alone proves nothing fresh; the first sealed frame was sealed under
            // the recorded session's keys, not this one's.
            #expect(outcome.events.count == 1, "established, then nothing")
            #expect(outcome.error == .authenticationFailed(offset: recording.handshakePart.count))
        }
    }

    @Test("Truncation: the connection cut at every byte before the end of the final frame")
    func truncation() throws {
        let recording = try Recording(payloadCount: 4)
        let stream = recording.wholeStream
        let payloadStarts = (0...recording.payloadFrames.count).map {
            recording.offset(ofPayloadFrame: $0, in: recording.payloadFrames)
        }
        for cut in 0..<stream.count {
            let outcome = recording.replay(Array(stream[..<cut]))
            guard case .truncated(let offset)? = outcome.error else {
                Issue.record("cut at \(cut): \(String(describing: outcome.error)), not truncated")
                continue
            }
            // Exactly the payload frames that arrived whole are delivered, no more.
            let whole = payloadStarts.dropFirst().filter { $0 <= cut }.count
            #expect(messages(outcome.events) == Array(recording.payloads[..<whole]), "cut at \(cut)")
            #expect(offset <= cut)
            #expect(!outcome.events.contains(.closed))
        }
        let complete = recording.replay(stream)
        #expect(complete.error == nil)
        #expect(complete.events.last == .closed)
    }

    @Test("A wrong key: another pre-shared key, or frames sealed under another session's key", arguments: [
        SealingMode.preSharedKey, .staticKeysAndPreSharedKey,
    ])
    func wrongKey(_ mode: SealingMode) throws {
        let recording = try Recording(mode: mode)
        var wrong = recording.configurations.responder
        wrong.authentication =
            switch wrong.authentication {
            case .staticKeysAndPreSharedKey(let pair, let trusted, _): .staticKeysAndPreSharedKey(pair, trusting: trusted, TestKeys.otherPSK)
            default: .preSharedKey(TestKeys.otherPSK)
            }
        let outcome = recording.replay(recording.wholeStream, configuration: wrong)
        let failing = mode == .preSharedKey ? 1 : 3
        #expect(outcome.error == .handshakeAuthenticationFailed(message: failing, offset: recording.frames[failing == 1 ? 0 : 1].offset))
        #expect(outcome.events.isEmpty)

        // The right keys, but a payload frame from another session between the same peers.
        let other = try Recording(mode: mode, seed: 7)
        var frames = recording.payloadFrames
        frames[1] = other.payloadFrames[1]
        let spliced = recording.replay(recording.handshakePart + frames.joined() + recording.finalFrame)
        #expect(spliced.error == .authenticationFailed(offset: recording.offset(ofPayloadFrame: 1, in: frames)))
        #expect(messages(spliced.events) == [recording.payloads[0]])
    }

    @Test("An unknown peer key: each side refuses a key it has not pinned, before any data", arguments: [
        SealingMode.staticKeys, .staticKeysAndPreSharedKey,
    ])
    func unknownPeerKey(_ mode: SealingMode) throws {
        var (initiatorConfiguration, responderConfiguration) = TestKeys.configurations(mode)
        func pinStranger(_ configuration: inout SealingConfiguration) {
            let stranger = TrustedKeys([TestKeys.stranger.publicKey])
            configuration.authentication =
                switch configuration.authentication {
                case .staticKeys(let pair, _): .staticKeys(pair, trusting: stranger)
                case .staticKeysAndPreSharedKey(let pair, _, let psk): .staticKeysAndPreSharedKey(pair, trusting: stranger, psk)
                case .preSharedKey: configuration.authentication
                }
        }
        // The responder pins someone else: it refuses message 3, which proves the initiator's key.
        var strangerResponder = responderConfiguration
        pinStranger(&strangerResponder)
        var initiator = SealedChannel(role: .initiator, configuration: initiatorConfiguration)
        var responder = SealedChannel(role: .responder, configuration: strangerResponder)
        var toResponder: [UInt8] = []
        var toInitiator: [UInt8] = []
        try initiator.start(into: &toResponder)
        let message1Length = toResponder.count
        try responder.feed(toResponder)
        #expect(drain(&responder, output: &toInitiator).error == nil)
        try initiator.feed(toInitiator)
        let established = drain(&initiator, output: &toResponder)
        #expect(established.events.count == 1)
        try initiator.seal(Array("secret".utf8), into: &toResponder)
        try responder.feed(toResponder[message1Length...])
        let refused = drain(&responder, output: &toInitiator)
        #expect(refused.error == .unknownPeerKey(TestKeys.initiator.publicKey, offset: message1Length))
        #expect(refused.events.isEmpty, "no session, no payload")

        // The initiator pins someone else: it refuses message 2 and sends no message 3.
        pinStranger(&initiatorConfiguration)
        var wary = SealedChannel(role: .initiator, configuration: initiatorConfiguration)
        var honest = SealedChannel(role: .responder, configuration: responderConfiguration)
        var request: [UInt8] = []
        var reply: [UInt8] = []
        try wary.start(into: &request)
        let sentBefore = request.count
        try honest.feed(request)
        _ = drain(&honest, output: &reply)
        try wary.feed(reply)
        let outcome = drain(&wary, output: &request)
        #expect(outcome.error == .unknownPeerKey(TestKeys.responder.publicKey, offset: 0))
        #expect(request.count == sentBefore, "message 3 is never written")
    }

    @Test("Downgrade attempts: clear text, a weaker mode, another version, options, a tampered transcript")
    func downgrade() throws {
        let recording = try Recording(mode: .staticKeysAndPreSharedKey)
        let message1 = payload(ofFrame: recording.frames[0].bytes)

        // A peer (or a man in the middle) speaking clear POE frames.
        let storable: [UInt8] = [0x05, 0x0B, 0x03, 0, 0, 0, 1, 0x0A, 0x02, 0x68, 0x69]
        #expect(recording.replay(frame(storable), finish: false).error == .notAHandshake(offset: 0))
        #expect(recording.replay(frame(Array(message1.dropFirst(8))), finish: false).error == .notAHandshake(offset: 0))

        // Message 1 rewritten to ask for static keys without the pre-shared key.
        var weaker = message1
        weaker[5] = SealingMode.staticKeys.rawValue
        #expect(
            recording.replay(frame(weaker), finish: false).error
                == .modeMismatch(offered: 1, required: .staticKeysAndPreSharedKey, offset: 0))
        var version = message1
        version[4] = 0
        #expect(recording.replay(frame(version), finish: false).error == .unsupportedVersion(0, offset: 0))
        var options = message1
        options[6] = 0x80
        #expect(recording.replay(frame(options), finish: false).error == .unsupportedOptions(0x8000, offset: 0))

        // A responder configured for the weaker mode cannot be steered into it either:
        // with a pre-shared key, message 1's (empty) payload is encrypted, so it is
        // 56 bytes, not the 40 of a static_keys message 1.
        var weakResponder = SealedChannel(role: .responder, configuration: TestKeys.configurations(.staticKeys).responder)
        var reply: [UInt8] = []
        try weakResponder.feed(frame(weaker))
        #expect(
            drain(&weakResponder, output: &reply).error
                == .malformedHandshakeMessage(message: 1, expectedLength: 40, actualLength: 56, offset: 0))

        // The transcript binds all of message 1: a man in the middle who changes what the
        // responder cannot check by itself (a bit of the ephemeral key) is found out before
        // anything is sent — by the initiator, whose own message 1 is in its transcript,
        // or, with a pre-shared key, already by the responder (message 1 then carries an
        // encrypted payload).
        for mode in [SealingMode.staticKeys, .staticKeysAndPreSharedKey] {
            let configurations = TestKeys.configurations(mode)
            var initiator = SealedChannel(role: .initiator, configuration: configurations.initiator)
            var honest = SealedChannel(role: .responder, configuration: configurations.responder)
            var request: [UInt8] = []
            var answer: [UInt8] = []
            try initiator.start(into: &request)
            var tampered = payload(ofFrame: request)
            tampered[8] ^= 0x40
            try honest.feed(frame(tampered))
            let responderOutcome = drain(&honest, output: &answer)
            if mode == .staticKeysAndPreSharedKey {
                #expect(responderOutcome.error == .handshakeAuthenticationFailed(message: 1, offset: 0))
                #expect(answer.isEmpty)
                continue
            }
            #expect(responderOutcome.error == nil)
            try initiator.feed(answer)
            let sentBefore = request.count
            #expect(drain(&initiator, output: &request).error == .handshakeAuthenticationFailed(message: 2, offset: 0))
            #expect(request.count == sentBefore, "no message 3")
        }

        // An initiator facing a responder that answers in clear text.
        var hopeful = SealedChannel(role: .initiator, configuration: recording.configurations.initiator)
        var ignored: [UInt8] = []
        try hopeful.start(into: &ignored)
        try hopeful.feed(frame(storable))
        #expect(
            drain(&hopeful, output: &ignored).error
                == .malformedHandshakeMessage(message: 2, expectedLength: 96, actualLength: storable.count, offset: 0))

        // Clear text injected after the handshake is just a frame that does not authenticate.
        let injected = recording.replay(recording.handshakePart + frame(storable + [UInt8](repeating: 0, count: 20)))
        #expect(injected.error == .authenticationFailed(offset: recording.handshakePart.count))
        #expect(messages(injected.events).isEmpty)
    }

    @Test("An oversize sealed frame: refused at its length field, before its bytes arrive")
    func oversizeFrame() throws {
        let limit = 1_000
        var configurations = TestKeys.configurations(.staticKeys)
        configurations.responder.limits = SealingLimits(maximumSealedFrameLength: limit)
        var initiator = SealedChannel(role: .initiator, configuration: configurations.initiator)
        var responder = SealedChannel(role: .responder, configuration: configurations.responder)
        var (toResponder, _) = try handshake(&initiator, &responder)
        let handshakeLength = toResponder.count

        // At the limit: accepted.
        try initiator.seal([UInt8](repeating: 7, count: limit - SealedChannel.sealOverhead), into: &toResponder)
        var ignored: [UInt8] = []
        try responder.feed(toResponder[handshakeLength...])
        #expect(messages(drain(&responder, output: &ignored).events).map(\.count) == [limit - SealedChannel.sealOverhead])

        // One byte more: only the length field and NUL are fed, and that is enough.
        let offset = responder.streamOffset
        try responder.feed(Array("\(limit + 1)".utf8) + [0])
        let outcome = drain(&responder, output: &ignored)
        #expect(outcome.error == .sealedFrameTooLarge(offset: offset, declaredLength: UInt64(limit + 1), limit: limit))
        #expect(outcome.events.isEmpty)

        // During the handshake the limit is the handshake's own, whatever the configuration.
        var fresh = SealedChannel(role: .responder, configuration: configurations.responder)
        try fresh.feed(Array("\(SealedChannel.maximumHandshakeMessageLength + 1)\u{0}".utf8))
        #expect(
            drain(&fresh, output: &ignored).error
                == .sealedFrameTooLarge(
                    offset: 0, declaredLength: UInt64(SealedChannel.maximumHandshakeMessageLength + 1),
                    limit: SealedChannel.maximumHandshakeMessageLength))

        // The sender refuses to seal what the peer would refuse, and sends nothing.
        var small = TestKeys.configurations(.staticKeys, limits: SealingLimits(maximumSealedFrameLength: limit))
        small.responder.limits = .default
        var sender = SealedChannel(role: .initiator, configuration: small.initiator)
        var receiver = SealedChannel(role: .responder, configuration: small.responder)
        var (output, _) = try handshake(&sender, &receiver)
        let before = output
        #expect(throws: SealingError.payloadTooLarge(length: limit, limit: limit - SealedChannel.sealOverhead)) {
            try sender.seal([UInt8](repeating: 0, count: limit), into: &output)
        }
        #expect(output == before)
        let canSeal = sender.canSeal
        #expect(canSeal, "a refused payload is not fatal")
    }
}
