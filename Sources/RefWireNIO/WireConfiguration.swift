import NIOCore
import RefWire
import RefWireSodium

/// Everything both ends of a connection must agree on: how values are serialized,
/// compressed, framed and (optionally) sealed, and the limits applied to what the peer
/// sends. One value configures ``RefWireServer``, ``RefWireClient`` and
/// ``NIOCore/ChannelPipeline/SynchronousOperations/addRefWireHandlers(_:role:)``.
public struct WireConfiguration: Sendable {
    /// The format values are written in (POE's default: Storable `nfreeze`).
    public var format: PayloadFormat
    /// Whether received payloads are decoded in whatever format their first bytes name
    /// (``RefWire/PayloadCodec/decodeSniffing(_:)``) rather than in ``format`` only.
    /// Replies are still written in ``format``.
    public var sniffsInputFormat: Bool
    /// Per-payload zlib (POE's `Compression => 1`); `.none` is POE's default.
    public var compression: PayloadCompression
    /// Bounds on received frames. Ignored when ``sealing`` is set: a sealed channel
    /// frames itself, with ``RefWireSodium/SealingConfiguration/limits``.
    public var limits: FramingLimits
    /// Options of each serializer (limits on decoding, encoder targets).
    public var codec: PayloadCodec
    /// When set, every frame is sealed (Spec/sealing.md) and the handshake runs first.
    public var sealing: SealingConfiguration?

    public init(
        format: PayloadFormat = .nstorable,
        sniffsInputFormat: Bool = false,
        compression: PayloadCompression = .none,
        limits: FramingLimits = .default,
        codec: PayloadCodec = .init(),
        sealing: SealingConfiguration? = nil
    ) {
        self.format = format
        self.sniffsInputFormat = sniffsInputFormat
        self.compression = compression
        self.limits = limits
        self.codec = codec
        self.sealing = sealing
    }
}

/// A payload as it moves inbound through a RefWire pipeline: the bytes of one frame
/// (after unsealing and inflating, as far as the handler that fires it goes) and where
/// the frame was, so that a ``RefWire/PayloadError`` can say which frame failed.
public struct ReceivedPayload: Sendable, Hashable {
    /// The payload. A slice: its indices need not start at zero.
    public var bytes: ArraySlice<UInt8>
    /// The stream offset of the frame that carried it. A sealed channel does not report
    /// where each frame began: for sealed frames this is the number of bytes received
    /// when the frame was opened (the end of that frame or later).
    public var frameOffset: Int

    public init(bytes: ArraySlice<UInt8>, frameOffset: Int) {
        self.bytes = bytes
        self.frameOffset = frameOffset
    }
}

extension ChannelPipeline.SynchronousOperations {
    /// Adds the handlers that turn bytes into ``RefWire/PerlValue``s and back, as `wire`
    /// says: a ``SealingHandler`` (which frames itself) or a ``FrameDecodingHandler`` and
    /// ``FrameEncodingHandler``; a ``PayloadCompressionHandler`` for zlib; then a
    /// ``PerlValueCodecHandler``. Handlers added after these read and write `PerlValue`.
    ///
    /// - Parameter role: which side starts the sealing handshake (the connecting side is
    ///   the initiator). Unused without sealing.
    public func addRefWireHandlers(_ wire: WireConfiguration, role: SealingRole) throws {
        if let sealing = wire.sealing {
            try addHandler(SealingHandler(role: role, configuration: sealing))
        } else {
            try addHandler(FrameDecodingHandler(limits: wire.limits))
            try addHandler(FrameEncodingHandler(maximumFrameLength: wire.limits.maximumFrameLength))
        }
        if case .zlib = wire.compression {
            try addHandler(PayloadCompressionHandler(compression: wire.compression))
        }
        try addHandler(
            PerlValueCodecHandler(format: wire.format, codec: wire.codec, sniffsInputFormat: wire.sniffsInputFormat))
    }
}
