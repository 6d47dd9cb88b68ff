import NIOCore
import RefWire
import RefWireSodium

/// What a ``SealingHandler`` tells the handlers after it, as user inbound events.
public enum SealingHandlerEvent: Sendable, Hashable {
    /// The handshake completed; writes now go out sealed. Fired once.
    case established(SealedSession)
    /// The peer sent its final frame: nothing it sent was cut, and it sends no more.
    case peerClosed
}

/// Why a ``SealingHandler`` gave up on a connection, besides a
/// ``RefWireSodium/SealingError`` from the channel itself.
public enum SealingHandlerError: Error, Hashable, Sendable {
    /// The handshake did not complete within the handshake timeout.
    case handshakeTimedOut(TimeAmount)
}

/// A sealed channel (Spec/sealing.md) as a channel handler: bytes from the socket in,
/// ``ReceivedPayload``s out; outbound payloads (`[UInt8]`) are sealed into frames.
///
/// It replaces the frame handlers in a sealed pipeline: a ``RefWireSodium/SealedChannel``
/// frames its sealed frames itself.
///
/// - The initiator starts the handshake when the channel becomes active (or when the
///   handler is added to an active channel); the handshake must finish within
///   `handshakeTimeout`, so an unauthenticated peer cannot hold a connection open.
/// - Writes made before the handshake completes wait, up to `maximumPendingWriteBytes`
///   (beyond that their promises fail with ``RefWireSodium/SealingError/notEstablished``),
///   and go out sealed, in order, once it has.
/// - When it completes, ``SealingHandlerEvent/established(_:)`` is fired.
/// - Closing the channel first sends this side's final frame, so the peer can tell a
///   clean end from a cut one.
/// - Every ``RefWireSodium/SealingError`` from the channel is fatal: it is fired through
///   `errorCaught` and the channel is closed. A cut connection (no final frame from the
///   peer) fires ``RefWireSodium/SealingError/truncated(offset:)``. Errors about one write
///   (a payload too large) fail that write's promise only.
public final class SealingHandler: ChannelDuplexHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ReceivedPayload
    public typealias OutboundIn = [UInt8]
    public typealias OutboundOut = ByteBuffer

    /// 10 seconds: several round trips on any network.
    public static let defaultHandshakeTimeout = TimeAmount.seconds(10)
    /// 1 MiB of plaintext.
    public static let defaultMaximumPendingWriteBytes = 1 << 20

    public let role: SealingRole
    public let handshakeTimeout: TimeAmount
    public let maximumPendingWriteBytes: Int

    private var channel: SealedChannel
    private var output: [UInt8] = []
    private var pendingWrites = CircularBuffer<(payload: [UInt8], promise: EventLoopPromise<Void>?)>()
    private var pendingWriteBytes = 0
    private var flushPending = false
    private var started = false
    private var failed = false
    private var closing = false
    private var isDraining = false
    private var endOfInputPending = false
    private var inputEnded = false
    private var timeout: Scheduled<Void>?

    public init(
        role: SealingRole, configuration: SealingConfiguration,
        handshakeTimeout: TimeAmount = SealingHandler.defaultHandshakeTimeout,
        maximumPendingWriteBytes: Int = SealingHandler.defaultMaximumPendingWriteBytes
    ) {
        self.role = role
        self.handshakeTimeout = handshakeTimeout
        self.maximumPendingWriteBytes = maximumPendingWriteBytes
        channel = SealedChannel(role: role, configuration: configuration)
    }

    // MARK: - Lifecycle

    public func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context: context) }
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        timeout?.cancel()
        failPendingWrites(ChannelError.ioOnClosedChannel)
    }

    public func channelActive(context: ChannelHandlerContext) {
        start(context: context)
        context.fireChannelActive()
    }

    public func channelInactive(context: ChannelHandlerContext) {
        timeout?.cancel()
        failPendingWrites(ChannelError.ioOnClosedChannel)
        endOfInput(context: context)
        context.fireChannelInactive()
    }

    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .some(ChannelEvent.inputClosed) = event as? ChannelEvent {
            endOfInput(context: context)
        }
        context.fireUserInboundEventTriggered(event)
    }

    private func start(context: ChannelHandlerContext) {
        guard !started else { return }
        started = true
        let timeoutAmount = handshakeTimeout
        timeout = context.eventLoop.assumeIsolated().scheduleTask(in: timeoutAmount) { [weak self] in
            guard let self, !self.failed, self.channel.session == nil else { return }
            self.fail(context: context, SealingHandlerError.handshakeTimedOut(timeoutAmount))
        }
        do throws(SealingError) {
            try channel.start(into: &output)
        } catch {
            fail(context: context, error)
            return
        }
        writeOutput(context: context, promise: nil, flush: true)
    }

    // MARK: - Inbound

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !failed, !inputEnded else { return }
        var rest = unwrapInboundIn(data).readableBytesView
        do throws(SealingError) {
            while !rest.isEmpty && !failed {
                do throws(SealingError) {
                    try channel.feed(rest)
                    rest = rest.dropFirst(rest.count)
                } catch {
                    // Over the buffer limit: feed what fits and read frames to make room.
                    guard case .framing(.bufferLimitExceeded(let buffered, _, let limit)) = error,
                        limit - buffered > 0
                    else { throw error }
                    let piece = rest.prefix(limit - buffered)
                    try channel.feed(piece)
                    rest = rest.dropFirst(piece.count)
                }
                try drain(context: context)
            }
        } catch {
            fail(context: context, error)
        }
    }

    private func endOfInput(context: ChannelHandlerContext) {
        guard started, !inputEnded, !failed else { return }
        if isDraining {
            endOfInputPending = true
            return
        }
        inputEnded = true
        channel.finish()
        do throws(SealingError) {
            try drain(context: context)
        } catch {
            failed = true
            // This side closed first: the peer's direction ends without its final frame
            // because we stopped reading, not because anything was cut.
            if closing, case .truncated = error { return }
            context.fireErrorCaught(error)
        }
    }

    private func drain(context: ChannelHandlerContext) throws(SealingError) {
        isDraining = true
        defer { isDraining = false }
        while !failed, let event = try channel.next(into: &output) {
            switch event {
            case .established(let session):
                timeout?.cancel()
                timeout = nil
                // The handshake's last message and the stream header go out first, then
                // what was written meanwhile, all flushed together.
                writeOutput(context: context, promise: nil, flush: false)
                flushPending = true
                sendPendingWrites(context: context)
                context.fireUserInboundEventTriggered(SealingHandlerEvent.established(session))
            case .message(let payload):
                context.fireChannelRead(wrapInboundOut(ReceivedPayload(bytes: payload[...], frameOffset: channel.streamOffset)))
            case .closed:
                context.fireUserInboundEventTriggered(SealingHandlerEvent.peerClosed)
            }
        }
        writeOutput(context: context, promise: nil, flush: true)
        if endOfInputPending {
            endOfInputPending = false
            isDraining = false
            endOfInput(context: context)
        }
    }

    // MARK: - Outbound

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let payload = unwrapOutboundIn(data)
        if failed {
            promise?.fail(channel.failure ?? SealingError.alreadyClosed)
        } else if channel.canSeal {
            seal(payload, promise: promise, context: context)
        } else if channel.session == nil && !closing {
            guard payload.count <= maximumPendingWriteBytes - pendingWriteBytes else {
                promise?.fail(SealingError.notEstablished)
                return
            }
            pendingWriteBytes += payload.count
            pendingWrites.append((payload, promise))
        } else {
            promise?.fail(SealingError.alreadyClosed)
        }
    }

    public func flush(context: ChannelHandlerContext) {
        if channel.session == nil {
            flushPending = true
        } else {
            context.flush()
        }
    }

    public func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        guard mode != .input, channel.canSeal, !closing else {
            context.close(mode: mode, promise: promise)
            return
        }
        closing = true
        // The final frame goes out before the socket closes (a close would fail a write
        // still queued).
        do throws(SealingError) {
            try channel.close(into: &output)
        } catch {
            context.close(mode: mode, promise: promise)
            return
        }
        var buffer = context.channel.allocator.buffer(capacity: output.count)
        buffer.writeBytes(output)
        output.removeAll(keepingCapacity: true)
        context.writeAndFlush(wrapOutboundOut(buffer)).assumeIsolated().whenComplete { _ in
            context.close(mode: mode, promise: promise)
        }
    }

    private func seal(_ payload: [UInt8], promise: EventLoopPromise<Void>?, context: ChannelHandlerContext) {
        do throws(SealingError) {
            try channel.seal(payload, into: &output)
        } catch {
            promise?.fail(error)
            if error.isFatal { fail(context: context, error) }
            return
        }
        writeOutput(context: context, promise: promise, flush: false)
    }

    private func sendPendingWrites(context: ChannelHandlerContext) {
        while let (payload, promise) = pendingWrites.popFirst() {
            pendingWriteBytes -= payload.count
            seal(payload, promise: promise, context: context)
        }
        if flushPending {
            flushPending = false
            context.flush()
        }
    }

    private func writeOutput(context: ChannelHandlerContext, promise: EventLoopPromise<Void>?, flush: Bool) {
        guard !output.isEmpty else {
            promise?.succeed()
            return
        }
        let buffer = context.channel.allocator.buffer(bytes: output)
        if output.capacity > 1 << 20 { output = [] } else { output.removeAll(keepingCapacity: true) }
        context.write(wrapOutboundOut(buffer), promise: promise)
        if flush { context.flush() }
    }

    private func failPendingWrites(_ error: any Error) {
        while let (_, promise) = pendingWrites.popFirst() {
            promise?.fail(error)
        }
        pendingWriteBytes = 0
    }

    private func fail(context: ChannelHandlerContext, _ error: any Error) {
        guard !failed else { return }
        failed = true
        timeout?.cancel()
        failPendingWrites(error)
        context.fireErrorCaught(error)
        context.close(promise: nil)
    }
}
