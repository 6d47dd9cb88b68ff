import CSodium
import RefWire
import RefWireSodium
import RefWireTestSupport
import Testing

@Suite("Sodium: sealed channel")
struct SealedChannelTests {
    @Test("A session in each mode: both ends agree on the session, payloads cross both ways, both close cleanly",
        arguments: SealingMode.allCases)
    func session(_ mode: SealingMode) throws {
        let configurations = TestKeys.configurations(mode)
        var initiator = SealedChannel(role: .initiator, configuration: configurations.initiator)
        var responder = SealedChannel(role: .responder, configuration: configurations.responder)
        var toResponder: [UInt8] = []
        var toInitiator: [UInt8] = []
        try initiator.start(into: &toResponder)
        try responder.feed(toResponder)
        toResponder.removeAll()
        let first = drain(&responder, output: &toInitiator)
        try initiator.feed(toInitiator)
        toInitiator.removeAll()
        let second = drain(&initiator, output: &toResponder)
        #expect(first.error == nil && second.error == nil)

        let sizes = [0, 1, 17, 1024, 65_536, 300_000]
        let payloads = sizes.enumerated().map { interopPayload($0.offset, size: $0.element) }
        for payload in payloads { try initiator.seal(payload, into: &toResponder) }
        try initiator.close(into: &toResponder)
        // Fed in 4 KiB pieces, as a socket delivers them.
        var received: [SealedEvent] = first.events
        for start in stride(from: 0, to: toResponder.count, by: 4096) {
            try responder.feed(toResponder[start..<min(start + 4096, toResponder.count)])
            let outcome = drain(&responder, output: &toInitiator)
            #expect(outcome.error == nil)
            received += outcome.events
        }
        for payload in payloads.reversed() { try responder.seal(payload, into: &toInitiator) }
        try responder.close(into: &toInitiator)
        try initiator.feed(toInitiator)
        initiator.finish()
        responder.finish()
        let answered = drain(&initiator, output: &toResponder)
        #expect(answered.error == nil)
        #expect(drain(&responder, output: &toInitiator).error == nil, "a clean end after the final frame")

        guard case .established(let responderSession)? = received.first,
            case .established(let initiatorSession)? = second.events.first
        else {
            Issue.record("no session")
            return
        }
        #expect(responderSession.handshakeHash == initiatorSession.handshakeHash)
        #expect(responderSession.handshakeHash.count == 64)
        #expect(initiatorSession.mode == mode)
        let usesStatic = mode != .preSharedKey
        #expect(responderSession.peerStaticKey == (usesStatic ? TestKeys.initiator.publicKey : nil))
        #expect(initiatorSession.peerStaticKey == (usesStatic ? TestKeys.responder.publicKey : nil))
        #expect(messages(received) == payloads)
        #expect(received.last == .closed)
        #expect(messages(answered.events) == payloads.reversed())
        #expect(answered.events.last == .closed)
        let closed = (initiator.peerClosed, responder.peerClosed, initiator.canSeal, responder.canSeal)
        #expect(closed == (true, true, false, false), "both ends closed both ways")
    }

    @Test("Two sessions with the same keys share no handshake hash and no ciphertext")
    func freshKeysPerConnection() throws {
        var streams: [[UInt8]] = []
        var hashes: [[UInt8]] = []
        for _ in 0..<2 {
            let configurations = TestKeys.configurations(.staticKeys)
            var initiator = SealedChannel(role: .initiator, configuration: configurations.initiator)
            var responder = SealedChannel(role: .responder, configuration: configurations.responder)
            var (toResponder, _) = try handshake(&initiator, &responder)
            let start = toResponder.count
            try initiator.seal([UInt8](repeating: 0, count: 64), into: &toResponder)
            streams.append(Array(toResponder[start...]))
            hashes.append(initiator.session!.handshakeHash)
        }
        #expect(hashes[0] != hashes[1])
        #expect(streams[0] != streams[1])
    }

    @Test("Rekeying every N frames or bytes changes the ciphertext after the Nth frame, and the receiver follows")
    func rekeying() throws {
        func sealedStream(_ interval: RekeyInterval) throws -> (frames: [[UInt8]], delivered: [[UInt8]]) {
            let configurations = TestKeys.configurations(.staticKeys, rekey: interval)
            var initiator = SealedChannel(
                role: .initiator, configuration: configurations.initiator, randomness: ScriptedRandomness(seed: 5))
            var responder = SealedChannel(
                role: .responder, configuration: configurations.responder, randomness: ScriptedRandomness(seed: 6))
            var (stream, _) = try handshake(&initiator, &responder)
            let start = stream.count
            let payloads = (0..<6).map { interopPayload($0, size: 100) }
            for payload in payloads { try initiator.seal(payload, into: &stream) }
            var ignored: [UInt8] = []
            try responder.feed(stream[start...])
            let outcome = drain(&responder, output: &ignored)
            #expect(outcome.error == nil)
            #expect(messages(outcome.events) == payloads)
            return (frames(of: Array(stream[start...])).map(\.bytes), messages(outcome.events))
        }
        let never = try sealedStream(RekeyInterval(frames: 1_000))
        let everyThird = try sealedStream(RekeyInterval(frames: 3))
        let by250Bytes = try sealedStream(RekeyInterval(bytes: 250))
        // Frames 1 and 2 are sealed alike; frame 3 carries TAG_REKEY (its ciphertext and
        // MAC differ), and every frame after it is under a new key.
        #expect(Array(everyThird.frames[..<2]) == Array(never.frames[..<2]))
        for index in 2..<6 { #expect(everyThird.frames[index] != never.frames[index], "frame \(index + 1)") }
        // 100-byte payloads: the third brings the count to 300 >= 250.
        #expect(by250Bytes.frames == everyThird.frames)
    }

    @Test("Local misuse is refused without harm: sealing too early, after close, closing twice")
    func localMisuse() throws {
        let configurations = TestKeys.configurations(.preSharedKey)
        var initiator = SealedChannel(role: .initiator, configuration: configurations.initiator)
        var responder = SealedChannel(role: .responder, configuration: configurations.responder)
        var output: [UInt8] = []
        #expect(throws: SealingError.notEstablished) { try initiator.seal([1], into: &output) }
        #expect(throws: SealingError.notEstablished) { try responder.close(into: &output) }
        #expect(output.isEmpty)
        try handshake(&initiator, &responder)
        var stream: [UInt8] = []
        try initiator.close(into: &stream)
        let closed = stream
        try initiator.close(into: &stream)
        #expect(stream == closed, "closing twice sends one final frame")
        #expect(throws: SealingError.alreadyClosed) { try initiator.seal([1], into: &stream) }
        #expect(!SealingError.alreadyClosed.isFatal && !SealingError.notEstablished.isFatal)
    }

    @Test("A refused feed (buffer limit) changes nothing and is not fatal")
    func bufferLimit() throws {
        var configurations = TestKeys.configurations(.staticKeys)
        configurations.responder.limits = SealingLimits(maximumSealedFrameLength: 100, maximumBufferedBytes: 200)
        var initiator = SealedChannel(role: .initiator, configuration: configurations.initiator)
        var responder = SealedChannel(role: .responder, configuration: configurations.responder)
        var (stream, _) = try handshake(&initiator, &responder)
        let start = stream.count
        for index in 0..<5 { try initiator.seal(interopPayload(index, size: 60), into: &stream) }
        let chunk = stream[start...]
        #expect(chunk.count > 200)
        var ignored: [UInt8] = []
        #expect(throws: SealingError.framing(.bufferLimitExceeded(bufferedBytes: 0, incomingBytes: chunk.count, limit: 200))) {
            try responder.feed(chunk)
        }
        // Fed in pieces that fit, everything arrives.
        var delivered: [[UInt8]] = []
        for piece in stride(from: chunk.startIndex, to: chunk.endIndex, by: 100) {
            try responder.feed(chunk[piece..<min(piece + 100, chunk.endIndex)])
            delivered += messages(drain(&responder, output: &ignored).events)
        }
        #expect(delivered == (0..<5).map { interopPayload($0, size: 60) })
    }

    @Test("Handshake messages have the lengths Spec/sealing.md gives, and the initiator's first is framed with the header")
    func handshakeLayout() throws {
        for (mode, lengths) in [
            (SealingMode.staticKeys, [40, 96, 64]), (.staticKeysAndPreSharedKey, [56, 96, 64]), (.preSharedKey, [56, 48]),
        ] {
            let configurations = TestKeys.configurations(mode)
            var initiator = SealedChannel(role: .initiator, configuration: configurations.initiator)
            var responder = SealedChannel(role: .responder, configuration: configurations.responder)
            let (toResponder, toInitiator) = try handshake(&initiator, &responder)
            var sent = [frames(of: toResponder), frames(of: toInitiator)]
            var observed: [Int] = []
            for index in 0..<lengths.count {
                observed.append(payload(ofFrame: sent[index % 2].removeFirst().bytes).count)
            }
            #expect(observed == lengths, "\(mode)")
            // Then each side's stream header.
            #expect(sent.map { $0.map { payload(ofFrame: $0.bytes).count } } == [[24], [24]], "\(mode)")
            #expect(Array(payload(ofFrame: frames(of: toResponder)[0].bytes).prefix(8)) == Array("RWSL".utf8) + [1, mode.rawValue, 0, 0])
        }
    }

    @Test("libsodium's init_push is randombytes_buf followed by init_pull, which the channel relies on")
    func initPushIsInitPull() {
        var key = [UInt8](repeating: 0, count: 32)
        crypto_secretstream_xchacha20poly1305_keygen(&key)
        for _ in 0..<8 {
            var pushed = crypto_secretstream_xchacha20poly1305_state()
            var pulled = crypto_secretstream_xchacha20poly1305_state()
            var header = [UInt8](repeating: 0, count: 24)
            #expect(crypto_secretstream_xchacha20poly1305_init_push(&pushed, &header, key) == 0)
            #expect(crypto_secretstream_xchacha20poly1305_init_pull(&pulled, header, key) == 0)
            let same = withUnsafeBytes(of: &pushed) { a in withUnsafeBytes(of: &pulled) { b in a.elementsEqual(b) } }
            #expect(same)
        }
        #expect(crypto_secretstream_xchacha20poly1305_abytes() == UInt(SealedChannel.sealOverhead))
        #expect(crypto_secretstream_xchacha20poly1305_headerbytes() == UInt(SealedChannel.streamHeaderLength))
        #expect(crypto_secretstream_xchacha20poly1305_tag_final() == 3)
        #expect(crypto_secretstream_xchacha20poly1305_tag_rekey() == 2)
    }
}

@Suite("Sodium: keys")
struct SealingKeyTests {
    @Test("X25519 public keys: RFC 7748 section 6.1")
    func rfc7748() throws {
        let alice = try StaticKeyPair(privateKeyHex: "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a")
        #expect(alice.publicKey.hex == "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a")
        let bob = try StaticKeyPair(privateKeyHex: "  5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb\n")
        #expect(bob.publicKey == (try PublicKey(hex: "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f")))
    }

    @Test("Key text: hex only, 32 bytes only; private keys never printed")
    func keyText() throws {
        #expect(throws: KeyError.invalidHex) { try PublicKey(hex: "zz") }
        #expect(throws: KeyError.invalidHex) { try PublicKey(hex: "") }
        #expect(throws: KeyError.invalidLength(expected: 32, actual: 31)) { try PreSharedKey(hex: String(repeating: "ab", count: 31)) }
        #expect(throws: KeyError.invalidLength(expected: 32, actual: 2)) { try StaticKeyPair(privateKey: [1, 2]) }
        let pair = StaticKeyPair.generate()
        #expect(!"\(pair)".contains(pair.privateKeyHex))
        #expect("\(pair)".contains(pair.publicKey.hex))
        #expect(try StaticKeyPair(privateKeyHex: pair.privateKeyHex).publicKey == pair.publicKey)
        #expect(StaticKeyPair.generate().publicKey != pair.publicKey)
        let psk = PreSharedKey.generate()
        #expect(!"\(psk)".contains(psk.hex))
        #expect(try PreSharedKey(hex: psk.hex).hex == psk.hex)
    }
}

@Suite("Sodium: configuration")
struct SealingConfigurationTests {
    @Test("Pieces named separately make a configuration only when they fit the mode")
    func fromPieces() throws {
        let pair = TestKeys.initiator
        let trusted = TrustedKeys([TestKeys.responder.publicKey])
        let psk = TestKeys.psk
        #expect(try SealingConfiguration(mode: .staticKeys, staticKeyPair: pair, trustedKeys: trusted, preSharedKey: nil).mode == .staticKeys)
        #expect(try SealingConfiguration(mode: .preSharedKey, staticKeyPair: nil, trustedKeys: nil, preSharedKey: psk).mode == .preSharedKey)
        #expect(
            try SealingConfiguration(mode: .staticKeysAndPreSharedKey, staticKeyPair: pair, trustedKeys: trusted, preSharedKey: psk).mode
                == .staticKeysAndPreSharedKey)
        #expect(throws: SealingConfigurationError.missing("a pre-shared key", mode: .staticKeysAndPreSharedKey)) {
            try SealingConfiguration(mode: .staticKeysAndPreSharedKey, staticKeyPair: pair, trustedKeys: trusted, preSharedKey: nil)
        }
        #expect(throws: SealingConfigurationError.missing("a trusted public key", mode: .staticKeys)) {
            try SealingConfiguration(mode: .staticKeys, staticKeyPair: pair, trustedKeys: TrustedKeys([]), preSharedKey: nil)
        }
        #expect(throws: SealingConfigurationError.unused("a pre-shared key", mode: .staticKeys)) {
            try SealingConfiguration(mode: .staticKeys, staticKeyPair: pair, trustedKeys: trusted, preSharedKey: psk)
        }
        #expect(throws: SealingConfigurationError.unused("a static key pair", mode: .preSharedKey)) {
            try SealingConfiguration(mode: .preSharedKey, staticKeyPair: pair, trustedKeys: nil, preSharedKey: psk)
        }
    }
}
