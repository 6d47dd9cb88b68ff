/// Reads the payloads of a reference-frame stream: framing plus the payload transforms
/// (today zlib inflation), keeping the two kinds of failure apart.
///
/// A corrupt stream throws a ``FramingError`` from ``next()``; a payload that fails to
/// inflate comes back as `.failure(PayloadError)` and the following frame is still read.
public struct FrameReader: Sendable {
    public private(set) var decoder: FrameDecoder
    public let compression: PayloadCompression

    public init(limits: FramingLimits = .default, compression: PayloadCompression = .none) {
        self.decoder = FrameDecoder(limits: limits)
        self.compression = compression
    }

    /// See ``FrameDecoder/feed(_:)``.
    public mutating func feed<Bytes: Collection<UInt8>>(_ bytes: Bytes) throws(FramingError) {
        try decoder.feed(bytes)
    }

    /// See ``FrameDecoder/finish()``.
    public mutating func finish() { decoder.finish() }

    /// The next payload, `nil` when more input is needed or the input ended cleanly.
    public mutating func next() throws(FramingError) -> ReadPayload? {
        guard let frame = try decoder.nextFrame() else { return nil }
        do throws(ZlibError) {
            return ReadPayload(offset: frame.offset, result: .success(try compression.decode(frame.payload)))
        } catch {
            return ReadPayload(
                offset: frame.offset,
                result: .failure(PayloadError(frameOffset: frame.offset, reason: .decompression(error))))
        }
    }
}

/// One payload as read from a stream, or why it could not be read.
public struct ReadPayload: Sendable {
    /// Stream offset of the frame that carried it.
    public var offset: Int
    public var result: Result<ArraySlice<UInt8>, PayloadError>
}

/// Writes payloads as reference frames, applying the payload transforms.
public struct FrameWriter: Sendable {
    public var encoder: FrameEncoder
    public let compression: PayloadCompression

    public init(
        maximumFrameLength: Int = FramingLimits.default.maximumFrameLength,
        compression: PayloadCompression = .none
    ) {
        self.encoder = FrameEncoder(maximumFrameLength: maximumFrameLength)
        self.compression = compression
    }

    /// Appends the frame for `payload` to `output`.
    public func write<Payload: Collection<UInt8>>(
        _ payload: Payload, into output: inout [UInt8]
    ) throws(FramingError) {
        switch compression {
        case .none: try encoder.encode(payload, into: &output)
        case .zlib: try encoder.encode(Zlib.compress(payload), into: &output)
        }
    }
}
