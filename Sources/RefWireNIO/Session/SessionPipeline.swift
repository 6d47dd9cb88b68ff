import NIOCore
import RefWire

/// Errors of the session transports (``RefWireSessionServer``, ``RefWireSessionClient``).
public enum SessionTransportError: Error, Sendable, CustomStringConvertible {
    /// The address could not be bound or reached.
    case unavailable(String)
    /// The session client refused to make the request (not negotiated, closed, …).
    case refused(SessionClientError)
    /// Writing to the connection failed (closed, or the value did not encode).
    case writeFailed(String)
    /// The connection ended before the reply.
    case closed
    /// The pipeline could not be switched to the negotiated serializer or compression.
    case negotiationFailed(String)

    public var description: String {
        switch self {
        case .unavailable(let text): "unavailable: \(text)"
        case .refused(let error): "refused: \(error)"
        case .writeFailed(let text): "write failed: \(text)"
        case .closed: "the connection closed"
        case .negotiationFailed(let text): "cannot apply the negotiation: \(text)"
        }
    }
}

extension ChannelPipeline.SynchronousOperations {
    /// Switches the pipeline built by ``addRefWireHandlers(_:role:)`` to what a `welcome`
    /// settled (`Spec/protocol.md` §4): the serializer and compression of later frames.
    /// `nil` members keep what is in use. Call on the channel's event loop, after the
    /// `welcome` went through the codec (server) or was read (client).
    func applyNegotiation(_ negotiation: Negotiation, wire: WireConfiguration) throws {
        let codec = try handler(type: PerlValueCodecHandler.self)
        let existingCompression = try? handler(type: PayloadCompressionHandler.self)
        if let format = negotiation.serializer, format != codec.format {
            let replacement = PerlValueCodecHandler(format: format, codec: wire.codec, sniffsInputFormat: wire.sniffsInputFormat)
            try addHandler(replacement, position: .after(codec))
            removeHandler(codec, promise: nil)
        }
        guard let compression = negotiation.compression else { return }
        let current = try handler(type: PerlValueCodecHandler.self)
        switch compression {
        case .none:
            if let existingCompression { removeHandler(existingCompression, promise: nil) }
        case .zlib:
            if existingCompression == nil {
                let limit: Int
                if case .zlib(let configured) = wire.compression { limit = configured } else { limit = PayloadCompression.defaultMaximumDecompressedSize }
                try addHandler(PayloadCompressionHandler(compression: .zlib(maximumDecompressedSize: limit)), position: .before(current))
            }
        }
    }
}
