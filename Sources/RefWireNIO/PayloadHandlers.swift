import NIOCore
import RefWire

/// Per-payload zlib between the framing (or sealing) and the serializer: inbound payloads
/// are inflated, outbound ones deflated, exactly as Compress::Zlib's `uncompress` and
/// `compress` (POE::Filter::Reference with `Compression => 1`).
///
/// Inflation is bounded by the compression's `maximumDecompressedSize`. A payload that
/// does not inflate is one bad message, not a corrupt stream: the handler fires a
/// ``RefWire/PayloadError`` (reason `.decompression`) through `errorCaught`, drops that
/// payload and goes on with the next.
public final class PayloadCompressionHandler: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = ReceivedPayload
    public typealias InboundOut = ReceivedPayload
    public typealias OutboundIn = [UInt8]
    public typealias OutboundOut = [UInt8]

    public let compression: PayloadCompression

    public init(compression: PayloadCompression = .zlib()) {
        self.compression = compression
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .zlib(let limit) = compression else {
            context.fireChannelRead(data)
            return
        }
        let payload = unwrapInboundIn(data)
        do throws(ZlibError) {
            let inflated = try Zlib.decompress(payload.bytes, maximumOutputSize: limit)
            context.fireChannelRead(wrapInboundOut(ReceivedPayload(bytes: inflated[...], frameOffset: payload.frameOffset)))
        } catch {
            context.fireErrorCaught(PayloadError(frameOffset: payload.frameOffset, reason: .decompression(error)))
        }
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard case .zlib = compression else {
            context.write(data, promise: promise)
            return
        }
        context.write(wrapOutboundOut(Zlib.compress(unwrapOutboundIn(data))), promise: promise)
    }
}

/// Turns payloads into ``RefWire/PerlValue``s and values into payloads with a
/// ``RefWire/PayloadCodec``: the last RefWire handler of a pipeline, after which
/// handlers read and write `PerlValue`.
///
/// A payload that does not decode fires a ``RefWire/PayloadError`` (reason `.decoding`,
/// carrying the ``RefWire/PayloadDecodingError``) and is dropped; the stream goes on. A
/// value that does not encode fails its write promise with the
/// ``RefWire/PayloadEncodingError`` and nothing is written.
public final class PerlValueCodecHandler: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = ReceivedPayload
    public typealias InboundOut = PerlValue
    public typealias OutboundIn = PerlValue
    public typealias OutboundOut = [UInt8]

    /// The format values are written in, and read in unless ``sniffsInputFormat``.
    public let format: PayloadFormat
    public let codec: PayloadCodec
    /// Whether payloads are read in whatever format their first bytes name.
    public let sniffsInputFormat: Bool

    public init(format: PayloadFormat = .nstorable, codec: PayloadCodec = .init(), sniffsInputFormat: Bool = false) {
        self.format = format
        self.codec = codec
        self.sniffsInputFormat = sniffsInputFormat
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let payload = unwrapInboundIn(data)
        do throws(PayloadDecodingError) {
            let value =
                sniffsInputFormat
                ? try codec.decodeSniffing(payload.bytes).value : try codec.decode(payload.bytes, as: format)
            context.fireChannelRead(wrapInboundOut(value))
        } catch {
            context.fireErrorCaught(PayloadError(frameOffset: payload.frameOffset, reason: .decoding(error)))
        }
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        do throws(PayloadEncodingError) {
            let bytes = try codec.encode(unwrapOutboundIn(data), as: format)
            context.write(wrapOutboundOut(bytes), promise: promise)
        } catch {
            promise?.fail(error)
        }
    }
}
