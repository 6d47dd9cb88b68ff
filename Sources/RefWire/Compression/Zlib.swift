import CZlib

/// Per-payload zlib, exactly as Compress::Zlib's `compress` and `uncompress` do it
/// (RFC 1950: a two-byte header, a deflate stream, an Adler-32 trailer).
///
/// Decompression is strict where Compress::Zlib is lax or dangerous: output is bounded
/// (a 1 MiB payload can inflate to 1 GiB), and the stream must be a complete zlib stream
/// with a valid checksum and nothing after it.
public enum Zlib {
    /// Compresses `input` into one zlib stream. `level` is zlib's: 0...9, or -1 for
    /// zlib's default (what Compress::Zlib's `compress` uses).
    ///
    /// The bytes are the ones Compress::Zlib's `compress($data, $level)` writes when
    /// both sides link the same zlib: same window (15 bits), same memLevel (9, not
    /// `deflateInit`'s 8) and same strategy. Deflate's output depends on all three, so
    /// matching Perl means matching them, not merely producing a valid stream.
    public static func compress<Input: Collection<UInt8>>(_ input: Input, level: Int32 = -1) -> [UInt8] {
        precondition((-1...9).contains(level), "zlib compression levels are -1...9, not \(level)")
        if let output = input.withContiguousStorageIfAvailable({ deflate($0, level: level) }) {
            return output
        }
        return Array(input).withUnsafeBufferPointer { deflate($0, level: level) }
    }

    /// Inflates one complete zlib stream, producing at most `maximumOutputSize` bytes.
    ///
    /// However far the stream would inflate, it costs at most `maximumOutputSize` + 1
    /// bytes of output: inflation stops as soon as the output passes the limit. Output
    /// that outgrows the first buffer goes into further buffers, never copied while
    /// inflating, and is joined once the stream has ended; so a stream over the limit
    /// (a zlib bomb) costs the limit, and one within it up to about 1.5 times its
    /// output while it is joined. zlib's own state adds about 40 KiB.
    public static func decompress<Input: Collection<UInt8>>(
        _ input: Input, maximumOutputSize: Int
    ) throws(ZlibError) -> [UInt8] {
        precondition(maximumOutputSize >= 0, "maximumOutputSize must not be negative")
        let result =
            input.withContiguousStorageIfAvailable { inflate($0, limit: maximumOutputSize) }
            ?? Array(input).withUnsafeBufferPointer { inflate($0, limit: maximumOutputSize) }
        return try result.get()
    }
}

/// Why a payload could not be inflated.
public enum ZlibError: Error, Hashable, Sendable {
    /// The data starts like a gzip file (`1F 8B`), not a zlib stream.
    case gzipStream
    /// The first two bytes are not a zlib header (raw deflate data lands here).
    case invalidHeader
    /// The stream needs a preset dictionary, which this protocol never uses.
    case presetDictionaryRequired
    /// The deflate data is malformed; `reason` is zlib's message.
    case corruptData(reason: String)
    /// The Adler-32 trailer does not match the inflated bytes.
    case checksumMismatch
    /// The input ended before the stream did.
    case truncatedStream
    /// Bytes follow the end of the zlib stream.
    case trailingBytes(count: Int)
    /// Inflating would produce more than `limit` bytes.
    case outputLimitExceeded(limit: Int)
}

extension ZlibError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .gzipStream: "gzip data (starts 1F 8B) where a zlib stream was expected"
        case .invalidHeader: "not a zlib stream: the two-byte header is invalid"
        case .presetDictionaryRequired: "zlib stream requires a preset dictionary"
        case .corruptData(let reason): "corrupt zlib stream: \(reason)"
        case .checksumMismatch: "zlib stream fails its Adler-32 check"
        case .truncatedStream: "zlib stream ends prematurely"
        case .trailingBytes(let count): "\(count) byte(s) follow the end of the zlib stream"
        case .outputLimitExceeded(let limit): "zlib stream inflates to more than \(limit) bytes"
        }
    }
}

// MARK: - Deflate

extension Zlib {
    private static func deflate(_ input: UnsafeBufferPointer<UInt8>, level: Int32) -> [UInt8] {
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        defer {
            stream.deinitialize(count: 1)
            stream.deallocate()
        }
        // Compress::Zlib::compress: _deflateInit(..., Z_DEFLATED, MAX_WBITS, MAX_MEM_LEVEL,
        // Z_DEFAULT_STRATEGY, ...). Only an invalid level could make this fail, and the
        // caller's precondition has ruled that out.
        let status = refwire_deflateInit2(
            stream, level, Z_DEFLATED, MAX_WBITS, MAX_MEM_LEVEL, Z_DEFAULT_STRATEGY)
        precondition(status == Z_OK, "deflateInit2 failed (\(status))")
        defer { deflateEnd(stream) }

        // With deflateBound's room, one Z_FINISH call completes the stream.
        var capacity = Int(deflateBound(stream, uLong(input.count)))
        var output: [UInt8] = []
        var read = 0
        while true {
            var status = Z_OK
            var full = false
            output.reallocate(capacity: capacity) { buffer, written in
                repeat {
                    status = stream.run(CZlib.deflate, input: input, read: &read, output: buffer, written: &written)
                    // Z_OK with room left: inputs over 4 GiB go in pieces; feed the next.
                } while status == Z_OK && written < buffer.count
                full = written == buffer.count
            }
            if status == Z_STREAM_END { break }
            precondition((status == Z_OK || status == Z_BUF_ERROR) && full, "deflate failed (\(status))")
            // Out of room despite deflateBound: zlib 1.2.13 underestimates it for level 0
            // with memLevel 9 (madler/zlib#758), exactly Compress::Zlib's configuration.
            capacity = max(capacity * 2, 64)
        }

        // deflateBound is sized for incompressible input; don't leave callers holding
        // (and queueing) mostly empty storage.
        if output.capacity - output.count > output.count {
            output = output.withUnsafeBufferPointer { Array($0) }
        }
        return output
    }
}

// MARK: - Inflate

extension Zlib {
    private static func inflate(
        _ input: UnsafeBufferPointer<UInt8>, limit: Int
    ) -> Result<[UInt8], ZlibError> {
        Result { () throws(ZlibError) in try inflateStream(input, limit: limit) }
    }

    private static func inflateStream(
        _ input: UnsafeBufferPointer<UInt8>, limit: Int
    ) throws(ZlibError) -> [UInt8] {
        try validateHeader(input)

        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        defer {
            stream.deinitialize(count: 1)
            stream.deallocate()
        }
        // Fails only if zlib cannot allocate its state (a few KiB), which is the same
        // condition under which Swift itself traps.
        let status = refwire_inflateInit(stream)
        precondition(status == Z_OK, "inflateInit failed (\(status))")
        defer { inflateEnd(stream) }

        // The output may grow to one byte past the limit: whether zlib fills that byte
        // is how a stream that overshoots is told from one that ends exactly on it.
        let ceiling = limit == .max ? limit : limit + 1
        // Payloads seldom compress better than 4:1, so this usually needs no growth;
        // the floor spares tiny inputs a string of doublings.
        let (estimate, overflow) = input.count.multipliedReportingOverflow(by: 4)
        var capacity = min(ceiling, overflow ? .max : max(estimate, 4096))

        // Buffers zlib has filled, and their total size. Growing one buffer by copying
        // it would hold the old and the new one at once: twice the limit for a bomb.
        var filled: [[UInt8]] = []
        var produced = 0
        var read = 0
        while true {
            var status = Z_OK
            var full = false
            let output = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, written in
                written = 0
                repeat {
                    status = stream.run(CZlib.inflate, input: input, read: &read, output: buffer, written: &written)
                    // Z_OK means progress with input left: inputs over 4 GiB go in pieces.
                } while status == Z_OK && written < buffer.count
                full = written == buffer.count
            }
            produced += output.count

            switch status {
            case Z_STREAM_END:
                guard produced <= limit else { throw .outputLimitExceeded(limit: limit) }
                guard read == input.count else { throw .trailingBytes(count: input.count - read) }
                guard !filled.isEmpty else { return output }
                filled.append(output)
                return Self.join(&filled, count: produced)
            case Z_OK, Z_BUF_ERROR:
                // With room to spare, zlib stopped because the input ran out.
                guard full else { throw .truncatedStream }
                guard produced < ceiling else { throw .outputLimitExceeded(limit: limit) }
                filled.append(output)
                // Each buffer as large as all before it (so the output doubles), up to
                // what is left below the ceiling.
                capacity = min(produced, ceiling - produced)
            case Z_NEED_DICT:
                // validateHeader catches FDICT first; kept for completeness.
                throw .presetDictionaryRequired
            case Z_DATA_ERROR:
                let reason = stream.pointee.msg.map { String(cString: $0) } ?? "invalid deflate data"
                // zlib reports a bad trailer only through this message.
                throw reason == "incorrect data check" ? .checksumMismatch : .corruptData(reason: reason)
            case Z_MEM_ERROR:
                // zlib could not allocate its 32 KiB window: Swift's own allocations
                // trap in this situation, and so does this.
                fatalError("zlib could not allocate memory")
            default:
                preconditionFailure("inflate failed (\(status))")
            }
        }
    }

    /// The buffers' bytes in one array of `count` bytes, each buffer let go as soon as
    /// it is copied (`buffers` is left empty).
    private static func join(_ buffers: inout [[UInt8]], count: Int) -> [UInt8] {
        buffers.reverse()
        return [UInt8](unsafeUninitializedCapacity: count) { joined, written in
            written = 0
            while let buffer = buffers.popLast() {
                buffer.withUnsafeBufferPointer { bytes in
                    _ = UnsafeMutableBufferPointer(rebasing: joined[written...]).initialize(fromContentsOf: bytes)
                }
                written += buffer.count
            }
        }
    }

    /// Checks the RFC 1950 header before zlib sees it, so that what zlib reports as
    /// "incorrect header check" (or, for FDICT, a dictionary request midway) becomes an
    /// error a caller can act on.
    ///
    /// Raw deflate data fails here unless it opens with a non-final stored block
    /// (`CM` = 8 needs the three low bits clear), and then zlib rejects it later.
    private static func validateHeader(_ input: UnsafeBufferPointer<UInt8>) throws(ZlibError) {
        /// CMF: compression method 8 (deflate), window of at most 32 KiB.
        func isValidCMF(_ cmf: UInt8) -> Bool { cmf & 0x0F == 8 && cmf >> 4 <= 7 }

        guard input.count >= 2 else {
            // Nothing, or one byte that could still begin a stream.
            if let cmf = input.first, !isValidCMF(cmf) { throw .invalidHeader }
            throw .truncatedStream
        }
        let cmf = input[0]
        let flg = input[1]
        if cmf == 0x1F && flg == 0x8B { throw .gzipStream }
        guard isValidCMF(cmf), (UInt16(cmf) << 8 | UInt16(flg)) % 31 == 0 else { throw .invalidHeader }
        if flg & 0x20 != 0 { throw .presetDictionaryRequired }
    }
}

// MARK: - Plumbing

extension UnsafeMutablePointer where Pointee == z_stream {
    /// Runs one `deflate` or `inflate` call from the unread rest of `input` into the
    /// unwritten rest of `output`, then advances `read` and `written` by what it
    /// consumed and produced.
    ///
    /// zlib counts in 32 bits, so each call sees at most 4 GiB of either buffer; it is
    /// told `Z_FINISH` once it has been shown the last of the input. For `inflate` that
    /// also lets a stream that completes in one call skip maintaining a window.
    fileprivate func run(
        _ call: (z_streamp?, Int32) -> Int32,
        input: UnsafeBufferPointer<UInt8>, read: inout Int,
        output: UnsafeMutableBufferPointer<UInt8>, written: inout Int
    ) -> Int32 {
        let inputPiece = Swift.min(input.count - read, Int(uInt.max))
        let outputPiece = Swift.min(output.count - written, Int(uInt.max))
        // zlib never writes through next_in; it lacks `const` only for C89's sake.
        pointee.next_in = input.baseAddress.map { UnsafeMutablePointer<UInt8>(mutating: $0 + read) }
        pointee.avail_in = uInt(inputPiece)
        pointee.next_out = output.baseAddress.map { $0 + written }
        pointee.avail_out = uInt(outputPiece)

        let flush = read + inputPiece == input.count ? Z_FINISH : Z_NO_FLUSH
        let status = call(self, flush)

        read += inputPiece - Int(pointee.avail_in)
        written += outputPiece - Int(pointee.avail_out)
        return status
    }
}

extension Array where Element == UInt8 {
    /// Moves the bytes into fresh storage for `capacity` bytes and lets `fill` append in
    /// place, through the storage and the count of bytes initialized so far.
    ///
    /// Unlike growing a zero-filled array, nothing is written twice: zlib writes
    /// straight into the uninitialized tail.
    fileprivate mutating func reallocate(
        capacity: Int, fill: (UnsafeMutableBufferPointer<UInt8>, inout Int) -> Void
    ) {
        let previous = self
        self = Array(unsafeUninitializedCapacity: Swift.max(capacity, previous.count)) { buffer, count in
            count = previous.withUnsafeBufferPointer { buffer.initialize(fromContentsOf: $0) }
            fill(buffer, &count)
        }
    }
}
