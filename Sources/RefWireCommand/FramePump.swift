import RefWire

/// The read loop shared by the verbs: reads the input in chunks, hands each frame to a
/// handler as soon as it is complete, and flushes the output after every chunk, so an
/// endless pipe is processed as it goes in memory bounded by the limits.
struct FramePump {
    /// Bytes asked of `read(2)` at a time.
    static let chunkSize = 64 << 10

    private(set) var reader: FrameReader
    let limits: FramingLimits
    let source: ByteSource
    let sink: ByteSink

    /// Output is written early when this much has collected within one chunk (a chunk of
    /// small compressed frames can inflate to a lot).
    var flushThreshold = 1 << 20

    init(limits: FramingLimits, compression: PayloadCompression, source: ByteSource, sink: ByteSink) {
        self.reader = FrameReader(limits: limits, compression: compression)
        self.limits = limits
        self.source = source
        self.sink = sink
    }

    /// Stream offset of the end of the input read so far.
    var bytesRead: Int { reader.decoder.streamOffset }

    /// Runs to the end of the input. At the first error, the output produced by the
    /// frames before it is flushed and the error thrown.
    mutating func run(_ handle: (ReadPayload) throws(CommandFailure) -> Void) throws(CommandFailure) {
        do throws(CommandFailure) {
            try pump(handle)
        } catch {
            // The frames before the error are part of the output; a failure to write them
            // is the lesser news.
            try? sink.flush()
            throw error
        }
        try sink.flush()
    }

    private mutating func pump(_ handle: (ReadPayload) throws(CommandFailure) -> Void) throws(CommandFailure) {
        var buffer = [UInt8](repeating: 0, count: Self.chunkSize)
        while true {
            let count = try source.read(into: &buffer)
            if count == 0 { break }
            var chunk = buffer[0..<count]
            while !chunk.isEmpty {
                try drain(handle)
                // Everything buffered now belongs to one unfinished frame. Feed only what
                // fits under the limit, so a small --max-buffered-bytes still works with
                // large reads, and exceeding it is an error about that frame.
                let pending = reader.decoder.pendingBytes.count
                let room = limits.maximumBufferedBytes - pending
                guard room > 0 else {
                    let frameOffset = reader.decoder.streamOffset - pending
                    throw .stream(
                        offset: frameOffset,
                        message: "the frame at byte \(frameOffset) needs more than "
                            + "\(limits.maximumBufferedBytes) bytes buffered (--max-buffered-bytes)")
                }
                let piece = chunk.prefix(room)
                do throws(FramingError) {
                    try reader.feed(piece)
                } catch {
                    throw .framing(error, fallbackOffset: reader.decoder.streamOffset)
                }
                chunk = chunk.dropFirst(piece.count)
            }
            try drain(handle)
            try sink.flush()
        }
        reader.finish()
        try drain(handle)
    }

    private mutating func drain(_ handle: (ReadPayload) throws(CommandFailure) -> Void) throws(CommandFailure) {
        while true {
            let item: ReadPayload?
            do throws(FramingError) {
                item = try reader.next()
            } catch {
                throw .framing(error, fallbackOffset: reader.decoder.streamOffset)
            }
            guard let item else { return }
            try handle(item)
            if sink.pending.count >= flushThreshold { try sink.flush() }
        }
    }
}
