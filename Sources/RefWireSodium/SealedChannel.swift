import RefWire

/// Which end of the connection a channel is: the initiator writes the first handshake
/// message (usually the client), the responder answers it.
public enum SealingRole: Sendable, Hashable {
    case initiator
    case responder
}

/// What the handshake established, reported once by ``SealedEvent/established(_:)``.
public struct SealedSession: Sendable, Hashable {
    /// The handshake that ran.
    public var mode: SealingMode
    /// The static key the peer proved, in the static-key modes (always one of the
    /// trusted keys); `nil` with a pre-shared key only.
    public var peerStaticKey: PublicKey?
    /// Noise's handshake hash: 64 bytes that both ends share and no other session has,
    /// for channel binding (for example, to sign or log the session).
    public var handshakeHash: [UInt8]
}

/// What the channel made of the frames received.
public enum SealedEvent: Sendable, Hashable {
    /// The handshake completed: ``SealedChannel/seal(_:into:)`` may be used from now on.
    case established(SealedSession)
    /// A payload the peer sealed, authentic and in order.
    case message([UInt8])
    /// The peer's final frame: it will send nothing more, and nothing was cut.
    case closed
}

/// One end of a sealed channel for reference frames (Spec/sealing.md): an authenticated
/// Noise handshake, then `crypto_secretstream_xchacha20poly1305` in each direction, over
/// the unchanged `len NUL payload` framing.
///
/// Sans-IO: it consumes the bytes the peer sent and appends the bytes to send to an
/// output buffer; the caller moves them over whatever transport it has.
///
/// ```swift
/// var channel = SealedChannel(role: .initiator, configuration: configuration)
/// var output: [UInt8] = []
/// try channel.start(into: &output)               // handshake message 1
/// send(output); output.removeAll()
/// for chunk in chunksFromPeer {
///     try channel.feed(chunk)
///     while let event = try channel.next(into: &output) {
///         switch event {
///         case .established(let session): try channel.seal(hello, into: &output)
///         case .message(let payload): handle(payload)
///         case .closed: break                      // the peer's final frame
///         }
///     }
///     send(output); output.removeAll()
/// }
/// channel.finish()
/// while let event = try channel.next(into: &output) { … }   // throws .truncated if cut
/// ```
///
/// `~Copyable` because a copy would hold the same sending state: two copies sealing
/// would reuse a key and nonce, the one thing a stream cipher must never do. Keys live in
/// wiped-on-release memory and are dropped as soon as they are no longer needed: the
/// handshake state when the handshake ends, each direction's state after its final frame,
/// everything on the first error.
public struct SealedChannel: ~Copyable {
    /// The version byte of the first handshake message.
    public static let protocolVersion: UInt8 = 1
    /// The first bytes of the first handshake message: `RWSL`.
    public static let magic: [UInt8] = Array("RWSL".utf8)
    /// The largest handshake frame payload accepted (the largest message is 96 bytes).
    public static let maximumHandshakeMessageLength = 128
    /// What sealing adds to a payload: secretstream's tag byte and 16-byte MAC.
    public static let sealOverhead = SecretStream.overhead
    /// The length of a secretstream header, each direction's first frame after the handshake.
    public static let streamHeaderLength = SecretStream.headerBytes
    /// Magic, version, mode, options: the prologue of the handshake.
    static let handshakeHeaderLength = 8

    public let role: SealingRole
    public let configuration: SealingConfiguration
    private var randomness: any SealingRandomness
    private var decoder: FrameDecoder
    /// The stream offset of the current decoder's first byte: the handshake and the
    /// transport read with different limits, so the decoder is replaced in between.
    private var decoderBase = 0
    private var inputFinished = false
    private var state: State

    private enum State {
        /// An initiator before ``start(into:)``.
        case notStarted
        /// The handshake runs; a responder has no handshake state until message 1.
        case handshake(NoiseHandshake?)
        case transport(Transport)
        case failed(SealingError)
    }

    /// The two directions after the handshake.
    private final class Transport {
        let session: SealedSession
        /// This side's sending state; `nil` after its final frame.
        var sender: SecretStream?
        /// The receiving key until the peer's stream header arrives.
        var receivingKey: SecretBytes?
        /// The receiving state; `nil` before the header and after the final frame.
        var receiver: SecretStream?
        /// Frames and plaintext bytes sealed since the last `TAG_REKEY` (one field, so
        /// that counting a frame is one access to the class).
        var sinceRekey = (frames: 0, bytes: 0)
        var receivedFinal = false
        /// The storage of the last payload handed out, reused for the next one when the
        /// caller has let go of it (then it is uniquely referenced again): opening a frame
        /// then allocates nothing. See ``prepareMessage(count:placeholder:)``.
        var recycled: [UInt8] = []

        init(session: SealedSession, sender: SecretStream, receivingKey: SecretBytes) {
            self.session = session
            self.sender = sender
            self.receivingKey = receivingKey
        }

        /// Makes ``recycled`` `count` bytes long, ready to open the next payload into.
        ///
        /// `removeAll(keepingCapacity:)` keeps the storage when nobody else holds it and
        /// gives fresh storage of the same capacity when the caller still holds the last
        /// payload (so a payload handed out never changes). Storage far larger than needed
        /// is let go, so that one large payload does not make every later one as large.
        /// The bytes are filled with `placeholder`'s tail (one vectorised copy, which
        /// `pull` then overwrites entirely) rather than zeros, which Array writes one by one.
        func prepareMessage(count: Int, placeholder: ArraySlice<UInt8>) {
            if recycled.capacity > 2 * count + 4096 { recycled = [] }
            recycled.removeAll(keepingCapacity: true)
            recycled.append(contentsOf: placeholder.suffix(count))
        }
    }

    /// A channel end. Nothing is sent until ``start(into:)``.
    public init(
        role: SealingRole, configuration: SealingConfiguration,
        randomness: some SealingRandomness = SystemRandomness()
    ) {
        Sodium.ensureInitialized()
        self.role = role
        self.configuration = configuration
        self.randomness = randomness
        decoder = FrameDecoder(limits: configuration.limits.handshakeFraming)
        state = role == .initiator ? .notStarted : .handshake(nil)
    }

    // MARK: - State

    /// The session, once the handshake has completed.
    public var session: SealedSession? {
        if case .transport(let transport) = state { return transport.session }
        return nil
    }

    /// Whether ``seal(_:into:)`` can be used: the handshake completed and this side has
    /// not closed, and nothing failed.
    public var canSeal: Bool {
        if case .transport(let transport) = state { return transport.sender != nil }
        return false
    }

    /// Whether the peer's final frame arrived.
    public var peerClosed: Bool {
        if case .transport(let transport) = state { return transport.receivedFinal }
        return false
    }

    /// The error the channel failed with, if it did.
    public var failure: SealingError? {
        if case .failed(let error) = state { return error }
        return nil
    }

    /// The stream offset of the next byte ``feed(_:)`` takes.
    public var streamOffset: Int { decoderBase + decoder.streamOffset }

    // MARK: - Input

    /// Starts the handshake: the initiator appends message 1 to `output`; for a responder
    /// this does nothing (it answers in ``next(into:)``).
    public mutating func start(into output: inout [UInt8]) throws(SealingError) {
        guard case .notStarted = state else {
            if case .failed(let error) = state { throw error }
            return
        }
        var header = Self.magic
        header += [Self.protocolVersion, configuration.mode.rawValue, 0, 0]
        let handshake = header.withUnsafeBytes { prologue in
            NoiseHandshake(
                mode: configuration.mode, isInitiator: true, prologue: prologue,
                localStatic: configuration.staticKeyPair, preSharedKey: configuration.preSharedKey)
        }
        var message = header
        do {
            try handshake.writeMessage(randomness: &randomness, into: &message)
        } catch {
            preconditionFailure("message 1 has no Diffie-Hellman token")
        }
        appendFrame(message, to: &output)
        state = .handshake(handshake)
    }

    /// Takes bytes received from the peer, in any chunking.
    ///
    /// - Throws: the channel's error if it failed, or
    ///   `.framing(.bufferLimitExceeded(…))` (not fatal: nothing was taken) if the bytes
    ///   not yet handed out would exceed ``SealingLimits/maximumBufferedBytes``.
    public mutating func feed<Bytes: Collection<UInt8>>(_ bytes: Bytes) throws(SealingError) {
        if case .failed(let error) = state { throw error }
        do {
            try decoder.feed(bytes)
        } catch {
            throw error.isFatal ? fail(translate(error)) : translate(error)
        }
    }

    /// Declares the end of input (the connection closed). Events still buffered can be
    /// taken out afterwards; then ``next(into:)`` returns `nil` if the peer's final frame
    /// arrived, and throws ``SealingError/truncated(offset:)`` if not.
    public mutating func finish() {
        inputFinished = true
        decoder.finish()
    }

    /// Handles the next frame received: returns what it meant, or `nil` when more input is
    /// needed (or the input ended after the peer's final frame). Handshake replies, and
    /// this side's stream header when the handshake completes, are appended to `output`.
    ///
    /// - Throws: a ``SealingError`` (fatal); the same error again on every later call.
    public mutating func next(into output: inout [UInt8]) throws(SealingError) -> SealedEvent? {
        while true {
            let frame: Frame?
            switch state {
            case .failed(let error):
                throw error
            case .notStarted:
                preconditionFailure("SealedChannel.next called on an initiator before start(into:)")
            case .handshake, .transport:
                do {
                    frame = try decoder.nextFrame()
                } catch {
                    throw fail(translate(error))
                }
            }
            guard let frame else {
                guard inputFinished else { return nil }
                if case .transport(let transport) = state, transport.receivedFinal { return nil }
                throw fail(.truncated(offset: streamOffset))
            }
            let offset = decoderBase + frame.offset
            let event: SealedEvent?
            switch state {
            case .handshake(let handshake):
                event = try receiveHandshake(frame.payload, offset: offset, handshake, output: &output)
            case .transport(let transport):
                event = try receiveSealed(frame.payload, offset: offset, transport)
            case .notStarted, .failed:
                preconditionFailure("unreachable: checked above")
            }
            if let event { return event }
        }
    }

    // MARK: - Output

    /// Seals `payload` as the next frame of this side's direction and appends the frame
    /// (`len NUL ciphertext`) to `output`.
    ///
    /// Every ``RekeyInterval`` frames or bytes, the frame carries `TAG_REKEY` and the
    /// direction's key is replaced after it.
    ///
    /// - Throws: ``SealingError/notEstablished`` before the handshake completed,
    ///   ``SealingError/alreadyClosed`` after ``close(into:)``,
    ///   ``SealingError/payloadTooLarge(length:limit:)`` above
    ///   ``SealingLimits/maximumPayloadLength`` (none of these is fatal, and `output` is
    ///   unchanged), or the channel's error if it failed.
    @inlinable
    public mutating func seal<Payload: Collection<UInt8>>(
        _ payload: Payload, into output: inout [UInt8]
    ) throws(SealingError) {
        // Specialised in the caller's module, so that an array or slice reaches the
        // non-generic path below without a witness-table call per frame.
        let sealed = payload.withContiguousStorageIfAvailable { buffer in
            Result { () throws(SealingError) in try sealContiguous(UnsafeRawBufferPointer(buffer), into: &output) }
        }
        if let sealed {
            try sealed.get()
        } else {
            try Array(payload).withUnsafeBytes { buffer in
                Result { () throws(SealingError) in try sealContiguous(buffer, into: &output) }
            }.get()
        }
    }

    @usableFromInline
    mutating func sealContiguous(_ payload: UnsafeRawBufferPointer, into output: inout [UInt8]) throws(SealingError) {
        let sender = try readySender()
        let limit = configuration.limits.maximumPayloadLength
        guard payload.count <= limit else { throw .payloadTooLarge(length: payload.count, limit: limit) }
        Self.appendSealed(payload, tag: nextTag(forPayloadLength: payload.count), sender: sender, to: &output)
    }

    /// Sends this side's final frame (`TAG_FINAL`, empty) and forgets its sending key: the
    /// peer now knows that nothing was cut. Receiving goes on until the peer's own final
    /// frame. Closing twice does nothing.
    public mutating func close(into output: inout [UInt8]) throws(SealingError) {
        if case .transport(let transport) = state, transport.sender == nil { return }
        let sender = try readySender()
        Self.appendSealed(UnsafeRawBufferPointer(start: nil, count: 0), tag: SecretStream.tagFinal, sender: sender, to: &output)
        if case .transport(let transport) = state { transport.sender = nil }
    }

    // MARK: - Handshake

    private mutating func receiveHandshake(
        _ payload: ArraySlice<UInt8>, offset: Int, _ existing: NoiseHandshake?, output: inout [UInt8]
    ) throws(SealingError) -> SealedEvent? {
        let handshake: NoiseHandshake
        var message = payload
        if let existing {
            handshake = existing
        } else {
            // Message 1, at the responder: the header first, checked field by field
            // against this side's own before anything else happens.
            handshake = try acceptFirstMessage(payload, offset: offset)
            message = payload.dropFirst(Self.handshakeHeaderLength)
        }
        let number = handshake.messageIndex + 1
        let read = message.withUnsafeBytes { bytes in
            Result { () throws(NoiseHandshake.Failure) in try handshake.readMessage(bytes) }
        }
        if case .failure(let failure) = read {
            throw fail(handshakeError(failure, message: number, length: payload.count, offset: offset))
        }
        if handshake.lastReadCarriedStatic, let key = handshake.remoteStatic,
            let trusted = configuration.trustedKeys, !trusted.contains(key)
        {
            throw fail(.unknownPeerKey(key, offset: offset))
        }
        if handshake.isOurTurn {
            var reply: [UInt8] = []
            do {
                try handshake.writeMessage(randomness: &randomness, into: &reply)
            } catch {
                // The peer's ephemeral from an earlier message is of small order.
                throw fail(.invalidPeerKey(offset: offset))
            }
            appendFrame(reply, to: &output)
        }
        guard handshake.isComplete else {
            state = .handshake(handshake)
            return nil
        }
        return establish(handshake, output: &output)
    }

    /// Checks message 1's header and starts the responder's handshake with it as prologue.
    private mutating func acceptFirstMessage(_ payload: ArraySlice<UInt8>, offset: Int) throws(SealingError) -> NoiseHandshake {
        guard payload.starts(with: Self.magic), payload.count >= Self.handshakeHeaderLength else {
            throw fail(.notAHandshake(offset: offset))
        }
        let start = payload.startIndex
        let version = payload[start + 4]
        guard version == Self.protocolVersion else { throw fail(.unsupportedVersion(version, offset: offset)) }
        let mode = payload[start + 5]
        guard mode == configuration.mode.rawValue else {
            throw fail(.modeMismatch(offered: mode, required: configuration.mode, offset: offset))
        }
        let options = UInt16(payload[start + 6]) << 8 | UInt16(payload[start + 7])
        guard options == 0 else { throw fail(.unsupportedOptions(options, offset: offset)) }
        return payload.prefix(Self.handshakeHeaderLength).withUnsafeBytes { prologue in
            NoiseHandshake(
                mode: configuration.mode, isInitiator: false, prologue: prologue,
                localStatic: configuration.staticKeyPair, preSharedKey: configuration.preSharedKey)
        }
    }

    private func handshakeError(
        _ failure: NoiseHandshake.Failure, message: Int, length: Int, offset: Int
    ) -> SealingError {
        switch failure {
        case .length(let expected):
            // Message 1's lengths count its header too.
            let header = message == 1 ? Self.handshakeHeaderLength : 0
            return .malformedHandshakeMessage(
                message: message, expectedLength: expected + header, actualLength: length, offset: offset)
        case .authentication:
            return .handshakeAuthenticationFailed(message: message, offset: offset)
        case .invalidKey:
            return .invalidPeerKey(offset: offset)
        }
    }

    /// The handshake is over: derive both directions' keys, send this side's stream
    /// header, and read on with the transport's limits.
    private mutating func establish(_ handshake: NoiseHandshake, output: inout [UInt8]) -> SealedEvent {
        let keys = handshake.split()
        let session = SealedSession(
            mode: handshake.mode, peerStaticKey: handshake.remoteStatic, handshakeHash: handshake.handshakeHash)
        var header = [UInt8](repeating: 0, count: SecretStream.headerBytes)
        header.withUnsafeMutableBytes { randomness.fill($0) }
        let sender = header.withUnsafeBytes { SecretStream(key: keys.sending, header: $0) }
        appendFrame(header, to: &output)
        state = .transport(Transport(session: session, sender: sender, receivingKey: keys.receiving))

        // Whatever followed the last handshake message is already transport frames.
        let pending = decoder.pendingBytes
        decoderBase += decoder.streamOffset - pending.count
        var transportDecoder = FrameDecoder(limits: configuration.limits.transportFraming)
        // Cannot fail: the same buffer limit already held these bytes.
        try! transportDecoder.feed(pending)
        if inputFinished { transportDecoder.finish() }
        decoder = transportDecoder
        return .established(session)
    }

    // MARK: - Transport

    private mutating func receiveSealed(
        _ payload: ArraySlice<UInt8>, offset: Int, _ transport: Transport
    ) throws(SealingError) -> SealedEvent? {
        if transport.receivedFinal { throw fail(.dataAfterFinal(offset: offset)) }
        guard let receiver = transport.receiver else {
            // The peer's first frame: its stream header.
            guard payload.count == SecretStream.headerBytes, let key = transport.receivingKey else {
                throw fail(.malformedStreamHeader(length: payload.count, offset: offset))
            }
            transport.receiver = payload.withUnsafeBytes { SecretStream(key: key, header: $0) }
            transport.receivingKey = nil
            return nil
        }
        guard payload.count >= SecretStream.overhead else { throw fail(.authenticationFailed(offset: offset)) }
        transport.prepareMessage(count: payload.count - SecretStream.overhead, placeholder: payload)
        let tag = payload.withUnsafeBytes { ciphertext in
            transport.recycled.withUnsafeMutableBufferPointer { plaintext in
                receiver.pull(ciphertext, into: plaintext.baseAddress ?? UnsafeMutablePointer(bitPattern: 1)!)
            }
        }
        // Nothing is handed out unless the frame authenticated (and then all of it).
        switch tag {
        case nil:
            throw fail(.authenticationFailed(offset: offset))
        case SecretStream.tagMessage, SecretStream.tagRekey:
            return .message(transport.recycled)
        case SecretStream.tagFinal:
            guard transport.recycled.isEmpty else { throw fail(.malformedFinalFrame(offset: offset)) }
            transport.receivedFinal = true
            transport.receiver = nil
            return .closed
        case let other?:
            throw fail(.unexpectedTag(other, offset: offset))
        }
    }

    private func readySender() throws(SealingError) -> SecretStream {
        switch state {
        case .failed(let error): throw error
        case .notStarted, .handshake: throw .notEstablished
        case .transport(let transport):
            guard let sender = transport.sender else { throw .alreadyClosed }
            return sender
        }
    }

    /// The tag of the next frame: `TAG_REKEY` when it completes a rekey interval.
    private func nextTag(forPayloadLength length: Int) -> UInt8 {
        guard case .transport(let transport) = state else { preconditionFailure("no transport") }
        let interval = configuration.rekeyInterval
        var count = transport.sinceRekey
        count.frames += 1
        count.bytes += length
        let rekey = count.frames >= interval.frames || count.bytes >= interval.bytes
        transport.sinceRekey = rekey ? (0, 0) : count
        return rekey ? SecretStream.tagRekey : SecretStream.tagMessage
    }

    /// Appends `len NUL push(message, tag)`, sealing straight into `output`.
    ///
    /// The frame's room is made by appending the plaintext itself (one vectorised copy,
    /// cheaper than Array's element-wise zero fill), which `push` then overwrites from the
    /// original: nothing is sealed in place, so libsodium's buffers never overlap.
    @inline(__always)
    private static func appendSealed(
        _ message: UnsafeRawBufferPointer, tag: UInt8, sender: SecretStream, to output: inout [UInt8]
    ) {
        let sealedLength = message.count + SecretStream.overhead
        output.reserveCapacity(output.count + 21 + sealedLength)
        appendFrameHeader(length: sealedLength, to: &output)
        let start = output.count
        output.append(tag)
        output.append(contentsOf: message.assumingMemoryBound(to: UInt8.self))
        output.append(contentsOf: Self.macPlaceholder)
        output.withUnsafeMutableBufferPointer { buffer in
            sender.push(message, tag: tag, into: buffer.baseAddress! + start)
        }
    }

    /// Room for the MAC, appended as one copy.
    private static let macPlaceholder = [UInt8](repeating: 0, count: SecretStream.overhead - 1)

    /// Appends one frame carrying `payload` (handshake messages and stream headers).
    private func appendFrame(_ payload: [UInt8], to output: inout [UInt8]) {
        Self.appendFrameHeader(length: payload.count, to: &output)
        output.append(contentsOf: payload)
    }

    /// Appends a frame's length field and NUL, as framing writes them (no leading zeros).
    private static func appendFrameHeader(length: Int, to output: inout [UInt8]) {
        // At most 19 digits for a non-negative Int, built right to left, then one append.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { field in
            var value = length
            var first = 19
            field[19] = 0
            repeat {
                first -= 1
                field[first] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: value % 10)
                value /= 10
            } while value > 0
            output.append(contentsOf: UnsafeBufferPointer(rebasing: field[first..<20]))
        }
    }

    // MARK: - Failure

    /// Records `error` as the channel's end, dropping every key it held.
    private mutating func fail(_ error: SealingError) -> SealingError {
        state = .failed(error)
        return error
    }

    /// A framing error as the channel reports it: offsets in the whole stream, an oversized
    /// frame and a cut connection by their sealing names.
    private func translate(_ error: FramingError) -> SealingError {
        let base = decoderBase
        switch error {
        case .frameTooLarge(let offset, let declared, let limit):
            return .sealedFrameTooLarge(offset: base + offset, declaredLength: declared, limit: limit)
        case .truncatedFrame(let offset, _, _):
            return .truncated(offset: base + offset)
        case .invalidLengthPrefix(let offset, let byte):
            return .framing(.invalidLengthPrefix(offset: base + offset, byte: byte))
        case .lengthFieldTooLong(let offset, let limit):
            return .framing(.lengthFieldTooLong(offset: base + offset, limit: limit))
        case .bufferLimitExceeded:
            return .framing(error)
        }
    }
}

// A channel owns all of its state (the classes it holds are never shared), so moving it
// to another thread moves everything with it.
extension SealedChannel: @unchecked Sendable {}
