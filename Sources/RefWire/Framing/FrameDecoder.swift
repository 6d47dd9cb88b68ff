/// An incremental, sans-IO reader of reference frames (`<decimal length> NUL <payload>`),
/// byte-compatible with POE::Filter::Reference 1.37.
///
/// Feed bytes in any chunking — one byte at a time works — and take frames out until
/// ``nextFrame()`` returns `nil`; at end of input call ``finish()`` and drain once more:
///
/// ```swift
/// var decoder = FrameDecoder()
/// for chunk in chunks {
///     try decoder.feed(chunk)
///     while let frame = try decoder.nextFrame() { handle(frame.payload) }
/// }
/// decoder.finish()
/// while let frame = try decoder.nextFrame() { handle(frame.payload) }  // throws if truncated
/// ```
///
/// Cost is linear in the bytes fed: every byte is examined once, consumed bytes are
/// dropped only when they outweigh the unread ones, and payloads are slices of the
/// buffer rather than copies. (POE's `get_one` matches and cuts at the front of its
/// whole buffer for every frame, a cost proportional to everything still buffered:
/// quadratic in the number of frames that arrive together.)
public struct FrameDecoder: Sendable {
    /// The limits this decoder enforces.
    public let limits: FramingLimits

    /// Bytes fed and not yet compacted away. `buffer[..<readIndex]` has been handed out.
    private var buffer: [UInt8] = []
    /// Start of the first frame not yet handed out.
    private var readIndex = 0
    /// Stream offset of `buffer[0]`.
    private var bufferOffset = 0
    private var state = State.lengthField(digits: 0, length: 0)
    private var inputFinished = false

    private enum State: Sendable {
        /// Reading the length field that starts at `readIndex`; `digits` digits read so far.
        /// `length` saturates at `UInt64.max`, so every declared value up to that is
        /// reported exactly.
        case lengthField(digits: Int, length: UInt64)
        /// The payload starts at `start` and is `length` bytes long.
        case payload(start: Int, length: Int)
        case failed(FramingError)
    }

    public init(limits: FramingLimits = .default) {
        self.limits = limits
    }

    /// The bytes received and not yet returned as frames — a partial frame, or frames
    /// not yet taken out (POE's `get_pending`).
    public var pendingBytes: ArraySlice<UInt8> { buffer[readIndex...] }

    /// Whether nothing is buffered: the input so far ended exactly on a frame boundary.
    public var isAtFrameBoundary: Bool { readIndex == buffer.count }

    /// Stream offset of the next byte that `feed` will append.
    public var streamOffset: Int { bufferOffset + buffer.count }

    /// Appends bytes received from the peer.
    ///
    /// - Throws: the stream's ``FramingError`` if it already failed, or
    ///   ``FramingError/bufferLimitExceeded(bufferedBytes:incomingBytes:limit:)`` (and
    ///   nothing is taken) if the unread bytes would exceed the limit.
    public mutating func feed<Bytes: Collection<UInt8>>(_ bytes: Bytes) throws(FramingError) {
        precondition(!inputFinished, "FrameDecoder.feed called after finish()")
        if case .failed(let error) = state { throw error }
        let unread = buffer.count - readIndex
        let incoming = bytes.count
        guard incoming <= limits.maximumBufferedBytes - unread else {
            throw .bufferLimitExceeded(
                bufferedBytes: unread, incomingBytes: incoming, limit: limits.maximumBufferedBytes)
        }
        if incoming == 0 { return }
        if unread == 0 {
            // Everything handed out: adopt the new bytes as the buffer (no copy when they
            // already are an array) instead of appending behind dead bytes.
            bufferOffset += buffer.count
            readIndex = 0
            if let array = bytes as? [UInt8] {
                buffer = array
            } else {
                buffer.removeAll(keepingCapacity: true)
                append(bytes)
            }
            return
        }
        if readIndex > 0 && readIndex >= unread {
            compact()
        }
        append(bytes)
    }

    /// `buffer.append(contentsOf: bytes)`, as one memcpy when `bytes` are contiguous.
    /// `feed` is generic and not inlinable, so a client's call runs it unspecialised, and
    /// `Array.append(contentsOf:)` unspecialised looks up metadata and copies through an
    /// iterator: some 1,600 instructions per 4 KiB chunk. Through a buffer pointer the
    /// append is specialised here, in this module.
    private mutating func append<Bytes: Collection<UInt8>>(_ bytes: Bytes) {
        let copied: Void? = bytes.withContiguousStorageIfAvailable { contiguous in
            appendContiguous(contiguous)
        }
        if copied == nil {
            buffer.append(contentsOf: bytes)
        }
    }

    private mutating func appendContiguous(_ bytes: UnsafeBufferPointer<UInt8>) {
        buffer.append(contentsOf: bytes)
    }

    /// Declares the end of input. Frames still buffered can be taken out afterwards;
    /// then ``nextFrame()`` returns `nil` at a clean end, or throws
    /// ``FramingError/truncatedFrame(offset:bufferedBytes:expectedBytes:)``.
    public mutating func finish() {
        inputFinished = true
    }

    /// Returns the next complete frame, or `nil` if more input is needed (or the input
    /// ended cleanly after ``finish()``).
    public mutating func nextFrame() throws(FramingError) -> Frame? {
        switch state {
        case .lengthField(let digits, let length):
            return try readLengthField(digits: digits, length: length)
        case .payload(let start, let length):
            return try takePayload(start: start, length: length)
        case .failed(let error):
            throw error
        }
    }

    // MARK: - Parsing

    /// How a scan of the length field ended.
    private enum LengthScan {
        /// The field ended at the NUL at `nulIndex`.
        case complete(nulIndex: Int, length: UInt64)
        /// The buffer ended first.
        case partial(digits: Int, length: UInt64)
        /// More than the allowed digits.
        case tooLong
        /// A byte that is neither a digit nor a NUL after digits, at `index`.
        case invalid(index: Int, byte: UInt8)
    }

    @inline(__always)
    private mutating func readLengthField(digits: Int, length: UInt64) throws(FramingError) -> Frame? {
        let maximumDigits = limits.maximumLengthDigits
        let fieldStart = readIndex
        // One pass over raw memory: no bounds check or reload of `buffer` per byte.
        let scan = buffer.withUnsafeBufferPointer { bytes -> LengthScan in
            var digits = digits
            var length = length
            var index = fieldStart + digits
            while index < bytes.count {
                let byte = bytes[index]
                let digit = byte &- UInt8(ascii: "0")
                if digit < 10 {
                    digits += 1
                    if digits > maximumDigits { return .tooLong }
                    // 19 digits always fit in a UInt64; saturate only past that.
                    if digits < 20 {
                        length = length &* 10 &+ UInt64(digit)
                    } else {
                        let (times10, overflow1) = length.multipliedReportingOverflow(by: 10)
                        let (sum, overflow2) = times10.addingReportingOverflow(UInt64(digit))
                        length = overflow1 || overflow2 ? .max : sum
                    }
                    index += 1
                } else if byte == 0 && digits > 0 {
                    return .complete(nulIndex: index, length: length)
                } else {
                    return .invalid(index: index, byte: byte)
                }
            }
            return .partial(digits: digits, length: length)
        }
        switch scan {
        case .complete(let nulIndex, let length):
            guard length <= UInt64(limits.maximumFrameLength) else {
                throw fail(.frameTooLarge(
                    offset: bufferOffset + readIndex,
                    declaredLength: length,
                    limit: limits.maximumFrameLength))
            }
            return try takePayload(start: nulIndex + 1, length: Int(length))
        case .partial(let digits, let length):
            if inputFinished && digits > 0 {
                throw fail(.truncatedFrame(
                    offset: bufferOffset + readIndex, bufferedBytes: digits, expectedBytes: nil))
            }
            state = .lengthField(digits: digits, length: length)
            return nil
        case .tooLong:
            throw fail(.lengthFieldTooLong(offset: bufferOffset + readIndex, limit: maximumDigits))
        case .invalid(let index, let byte):
            throw fail(.invalidLengthPrefix(offset: bufferOffset + index, byte: byte))
        }
    }

    @inline(__always)
    private mutating func takePayload(start: Int, length: Int) throws(FramingError) -> Frame? {
        // Compare without forming `start + length`: with a frame limit near `Int.max`
        // a hostile length would overflow it.
        guard length <= buffer.count - start else {
            if inputFinished {
                let (expected, overflow) = (start - readIndex).addingReportingOverflow(length)
                throw fail(.truncatedFrame(
                    offset: bufferOffset + readIndex,
                    bufferedBytes: buffer.count - readIndex,
                    expectedBytes: overflow ? .max : expected))
            }
            state = .payload(start: start, length: length)
            return nil
        }
        let end = start + length
        let frame = Frame(storage: buffer, bounds: start..<end, offset: bufferOffset + readIndex)
        readIndex = end
        state = .lengthField(digits: 0, length: 0)
        return frame
    }

    private mutating func fail(_ error: FramingError) -> FramingError {
        state = .failed(error)
        return error
    }

    /// Drops the bytes already handed out. Called only when they are at least as many as
    /// the unread ones, so each byte is moved at most once on average.
    private mutating func compact() {
        let dropped = readIndex
        buffer.removeSubrange(0..<dropped)
        bufferOffset += dropped
        readIndex = 0
        if case .payload(let start, let length) = state {
            state = .payload(start: start - dropped, length: length)
        }
    }
}
