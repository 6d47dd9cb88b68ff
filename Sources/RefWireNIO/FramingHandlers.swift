import NIOCore
import RefWire

/// Reads reference frames (`<length> NUL <payload>`) from the bytes of a channel and
/// fires each payload as a ``ReceivedPayload``, with a ``RefWire/FrameDecoder`` doing the
/// work under ``RefWire/FramingLimits``.
///
/// A plain inbound handler rather than a `ByteToMessageDecoder`: `FrameDecoder` already
/// buffers partial frames and hands out payloads as slices of its own buffer, so a second
/// accumulation buffer would only copy every byte twice.
///
/// A framing error means the stream lost synchronisation: the handler fires the
/// ``RefWire/FramingError`` through `errorCaught`, closes the channel and drops whatever
/// arrives after. When the input ends inside a frame (the channel goes inactive, or its
/// input is half-closed), it fires ``RefWire/FramingError/truncatedFrame(offset:bufferedBytes:expectedBytes:)``.
public final class FrameDecodingHandler: ChannelInboundHandler, RemovableChannelHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ReceivedPayload

    private var decoder: FrameDecoder
    /// Set while frames are being fired, so that a re-entrant end of input (a handler
    /// further on closed the channel) is handled once the current loop is done.
    private var isDraining = false
    private var endOfInputPending = false
    private var inputEnded = false
    private var failed = false

    public init(limits: FramingLimits = .default) {
        decoder = FrameDecoder(limits: limits)
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !failed, !inputEnded else { return }
        let buffer = unwrapInboundIn(data)
        var rest = buffer.readableBytesView
        do throws(FramingError) {
            // Feed at most what the buffer limit leaves room for, firing the frames that
            // completes, then the rest: a large read never fails merely for arriving at once.
            while !rest.isEmpty && !failed {
                let room = decoder.limits.maximumBufferedBytes - decoder.pendingBytes.count
                guard room > 0 else {
                    throw .bufferLimitExceeded(
                        bufferedBytes: decoder.pendingBytes.count, incomingBytes: rest.count,
                        limit: decoder.limits.maximumBufferedBytes)
                }
                let piece = rest.prefix(room)
                try decoder.feed(piece)
                rest = rest.dropFirst(piece.count)
                try drain(context: context)
            }
        } catch {
            fail(context: context, error)
        }
    }

    public func channelInactive(context: ChannelHandlerContext) {
        endOfInput(context: context)
        context.fireChannelInactive()
    }

    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .some(ChannelEvent.inputClosed) = event as? ChannelEvent {
            endOfInput(context: context)
        }
        context.fireUserInboundEventTriggered(event)
    }

    private func endOfInput(context: ChannelHandlerContext) {
        guard !inputEnded, !failed else { return }
        if isDraining {
            endOfInputPending = true
            return
        }
        inputEnded = true
        decoder.finish()
        do throws(FramingError) {
            try drain(context: context)
        } catch {
            failed = true
            context.fireErrorCaught(error)
        }
    }

    private func drain(context: ChannelHandlerContext) throws(FramingError) {
        isDraining = true
        defer { isDraining = false }
        while !failed, let frame = try decoder.nextFrame() {
            context.fireChannelRead(wrapInboundOut(ReceivedPayload(bytes: frame.payload, frameOffset: frame.offset)))
        }
        if endOfInputPending {
            endOfInputPending = false
            isDraining = false
            endOfInput(context: context)
        }
    }

    private func fail(context: ChannelHandlerContext, _ error: FramingError) {
        guard !failed else { return }
        failed = true
        context.fireErrorCaught(error)
        context.close(promise: nil)
    }
}

/// Writes each outbound payload (`[UInt8]`) as one reference frame, exactly as
/// POE::Filter::Reference's `put` does, with a ``RefWire/FrameEncoder``.
///
/// A payload over the frame limit is not written: its write promise fails with
/// ``RefWire/FramingError/frameTooLarge(offset:declaredLength:limit:)`` (offset: where the
/// frame would have started in this stream). The stream stays intact.
public final class FrameEncodingHandler: ChannelOutboundHandler, RemovableChannelHandler {
    public typealias OutboundIn = [UInt8]
    public typealias OutboundOut = ByteBuffer

    private let encoder: FrameEncoder
    /// Stream offset of the next frame written.
    private var offset = 0
    /// Reused for each frame, so that encoding allocates only the ByteBuffer. Let go
    /// after a large frame, so that one large payload does not pin its size.
    private var scratch: [UInt8] = []

    public init(maximumFrameLength: Int = FramingLimits.default.maximumFrameLength) {
        encoder = FrameEncoder(maximumFrameLength: maximumFrameLength)
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let payload = unwrapOutboundIn(data)
        if scratch.capacity > 1 << 20 { scratch = [] }
        scratch.removeAll(keepingCapacity: true)
        do throws(FramingError) {
            try encoder.encode(payload, into: &scratch)
        } catch {
            if case .frameTooLarge(_, let declared, let limit) = error {
                promise?.fail(FramingError.frameTooLarge(offset: offset, declaredLength: declared, limit: limit))
            } else {
                promise?.fail(error)
            }
            return
        }
        let buffer = context.channel.allocator.buffer(bytes: scratch)
        offset += scratch.count
        context.write(wrapOutboundOut(buffer), promise: promise)
    }
}
