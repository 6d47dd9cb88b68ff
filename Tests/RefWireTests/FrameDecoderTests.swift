import RefWire
import RefWireTestSupport
import Testing

/// Decoder behaviour the language-neutral vectors cannot express: what happens after an
/// error, buffer ownership, stream positions over long runs, and encoder round trips.
@Suite("FrameDecoder")
struct FrameDecoderTests {
    // MARK: Errors

    /// Streams that end in each fatal error, and whether `finish()` is needed to see it.
    static let fatalStreams: [(name: String, bytes: [UInt8], limits: FramingLimits, finish: Bool)] = [
        ("invalid length prefix", Array("5\0helloX".utf8), .default, false),
        ("NUL without digits", [0], .default, false),
        ("length field too long", Array("12345".utf8), FramingLimits(maximumLengthDigits: 4), false),
        ("frame too large", Array("6\0".utf8), FramingLimits(maximumFrameLength: 5), false),
        ("truncated frame", Array("5\0hel".utf8), .default, true),
        ("truncated length field", Array("12".utf8), .default, true),
    ]

    @Test("A fatal error is thrown again by every later call", arguments: fatalStreams.indices)
    func fatalErrorIsSticky(_ index: Int) throws {
        let stream = Self.fatalStreams[index]
        var decoder = FrameDecoder(limits: stream.limits)
        var firstError: FramingError?
        do throws(FramingError) {
            try decoder.feed(stream.bytes)
            if stream.finish { decoder.finish() }
            while try decoder.nextFrame() != nil {}
        } catch {
            firstError = error
        }
        let error = try #require(firstError, "\(stream.name) did not fail")
        #expect(error.isFatal)
        let pending = Array(decoder.pendingBytes)
        for _ in 0..<3 {
            #expect(throws: error) { try decoder.nextFrame() }
        }
        if !stream.finish {
            // Even bytes that would be a valid frame on their own are refused.
            #expect(throws: error) { try decoder.feed(Array("1\0a".utf8)) }
            #expect(throws: error) { try decoder.feed([UInt8]()) }
        }
        #expect(Array(decoder.pendingBytes) == pending)
    }

    @Test("A refused feed changes nothing, and feeding works again after draining")
    func bufferLimitRefusalChangesNothing() throws {
        var decoder = FrameDecoder(limits: FramingLimits(maximumBufferedBytes: 10))
        try decoder.feed(Array("5\0hel".utf8))
        #expect(try decoder.nextFrame() == nil)
        let before = (pending: Array(decoder.pendingBytes), offset: decoder.streamOffset, boundary: decoder.isAtFrameBoundary)

        #expect(throws: FramingError.bufferLimitExceeded(bufferedBytes: 5, incomingBytes: 6, limit: 10)) {
            try decoder.feed(Array("lo1\0ab".utf8))
        }
        #expect(Array(decoder.pendingBytes) == before.pending)
        #expect(decoder.streamOffset == before.offset)
        #expect(decoder.isAtFrameBoundary == before.boundary)
        #expect(try decoder.nextFrame() == nil)

        // The same bytes in smaller pieces are fine: the stream is intact.
        try decoder.feed(Array("lo".utf8))
        let hello = try #require(try decoder.nextFrame())
        #expect(Array(hello.payload) == Array("hello".utf8))
        #expect(hello.offset == 0)
        try decoder.feed(Array("1\0ab".utf8))
        let a = try #require(try decoder.nextFrame())
        #expect(Array(a.payload) == Array("a".utf8))
        #expect(a.offset == 7)
        #expect(Array(decoder.pendingBytes) == Array("b".utf8))
    }

    @Test("Frames not yet taken out count against the buffer limit")
    func bufferLimitCountsUntakenFrames() throws {
        var decoder = FrameDecoder(limits: FramingLimits(maximumBufferedBytes: 14))
        try decoder.feed(Array("5\0hello5\0world".utf8))
        #expect(throws: FramingError.bufferLimitExceeded(bufferedBytes: 14, incomingBytes: 3, limit: 14)) {
            try decoder.feed(Array("1\0x".utf8))
        }
        let hello = try #require(try decoder.nextFrame())
        #expect(Array(hello.payload) == Array("hello".utf8))
        try decoder.feed(Array("1\0x".utf8))  // 7 unread + 3 now fit
        #expect(try decoder.nextFrame().map { Array($0.payload) } == Array("world".utf8))
        #expect(try decoder.nextFrame().map { Array($0.payload) } == Array("x".utf8))
        #expect(decoder.isAtFrameBoundary)
    }

    @Test("An empty feed is accepted even when the buffer is full")
    func emptyFeedAtFullBuffer() throws {
        var decoder = FrameDecoder(limits: FramingLimits(maximumBufferedBytes: 3))
        try decoder.feed(Array("9\0a".utf8))
        try decoder.feed([UInt8]())
        #expect(throws: FramingError.bufferLimitExceeded(bufferedBytes: 3, incomingBytes: 1, limit: 3)) {
            try decoder.feed([UInt8(ascii: "b")])
        }
    }

    @Test("Truncation is only an error once finish() says no more input comes")
    func truncationNeedsFinish() throws {
        var decoder = FrameDecoder()
        try decoder.feed(Array("5\0hel".utf8))
        for _ in 0..<3 { #expect(try decoder.nextFrame() == nil) }
        decoder.finish()
        #expect(throws: FramingError.truncatedFrame(offset: 0, bufferedBytes: 5, expectedBytes: 7)) {
            try decoder.nextFrame()
        }
    }

    @Test("Frames buffered before finish() are still delivered, then the end stays clean")
    func finishKeepsBufferedFrames() throws {
        var decoder = FrameDecoder()
        try decoder.feed(Array("3\0one3\0two".utf8))
        decoder.finish()
        #expect(try decoder.nextFrame().map { Array($0.payload) } == Array("one".utf8))
        #expect(try decoder.nextFrame().map { Array($0.payload) } == Array("two".utf8))
        for _ in 0..<3 { #expect(try decoder.nextFrame() == nil) }
        #expect(decoder.isAtFrameBoundary)
    }

    @Test("A frame limit of Int.max cannot be overflowed by a hostile length")
    func unboundedFrameLengthDoesNotOverflow() throws {
        let limits = FramingLimits(maximumFrameLength: .max)

        var waiting = FrameDecoder(limits: limits)
        try waiting.feed(Array("9223372036854775807\0abc".utf8))
        #expect(try waiting.nextFrame() == nil)
        waiting.finish()
        #expect(throws: FramingError.truncatedFrame(offset: 0, bufferedBytes: 23, expectedBytes: .max)) {
            try waiting.nextFrame()
        }

        var refused = FrameDecoder(limits: limits)
        try refused.feed(Array("9223372036854775808\0".utf8))
        #expect(throws: FramingError.frameTooLarge(offset: 0, declaredLength: 9_223_372_036_854_775_808, limit: .max)) {
            try refused.nextFrame()
        }
    }

    @Test("Error properties: fatality and offset")
    func errorProperties() {
        let refused = FramingError.bufferLimitExceeded(bufferedBytes: 1, incomingBytes: 2, limit: 2)
        #expect(!refused.isFatal)
        #expect(refused.offset == nil)
        let fatal: [FramingError] = [
            .invalidLengthPrefix(offset: 3, byte: 0x2B),
            .lengthFieldTooLong(offset: 3, limit: 20),
            .frameTooLarge(offset: 3, declaredLength: .max, limit: 16),
            .truncatedFrame(offset: 3, bufferedBytes: 2, expectedBytes: nil),
        ]
        for error in fatal {
            #expect(error.isFatal)
            #expect(error.offset == 3)
            #expect(error.description.contains("3"))
        }
    }

    // MARK: Buffer ownership

    @Test("Payload slices stay valid after later feeds, compaction and buffer replacement")
    func payloadSlicesSurviveLaterFeeds() throws {
        var decoder = FrameDecoder()
        var kept: [(Frame, [UInt8])] = []

        var chunk = Array("5\0hello3\0ab".utf8)
        try decoder.feed(chunk)
        chunk[2] = UInt8(ascii: "J")  // The caller's array is the caller's: no aliasing.
        kept.append((try #require(try decoder.nextFrame()), Array("hello".utf8)))
        #expect(try decoder.nextFrame() == nil)

        // 7 bytes handed out, 4 unread: this feed compacts the buffer.
        try decoder.feed(Array("c4\0wxyz".utf8)[...])
        kept.append((try #require(try decoder.nextFrame()), Array("abc".utf8)))
        kept.append((try #require(try decoder.nextFrame()), Array("wxyz".utf8)))

        // Everything handed out: the next array becomes the buffer.
        var replacement = Array("2\0hi".utf8)
        try decoder.feed(replacement)
        replacement[3] = 0
        kept.append((try #require(try decoder.nextFrame()), Array("hi".utf8)))

        // Many more feeds and frames, forcing further compactions.
        for round in 0..<200 {
            let payload = Array("round \(round)".utf8)
            var bytes = try FrameEncoder().encode(payload)
            bytes.append(contentsOf: Array("1\0".utf8))
            try decoder.feed(bytes[..<(bytes.count - 1)])
            kept.append((try #require(try decoder.nextFrame()), payload))
            try decoder.feed(bytes[(bytes.count - 1)...])
            try decoder.feed([UInt8(ascii: "!")])
            kept.append((try #require(try decoder.nextFrame()), Array("!".utf8)))
        }

        for (frame, expected) in kept {
            #expect(Array(frame.payload) == expected)
        }
    }

    @Test("A decoder is a value: copies continue independently")
    func copiesAreIndependent() throws {
        var original = FrameDecoder()
        try original.feed(Array("3\0a".utf8))
        var copy = original
        try original.feed(Array("bc".utf8))
        try copy.feed(Array("xy".utf8))
        #expect(try original.nextFrame().map { Array($0.payload) } == Array("abc".utf8))
        #expect(try copy.nextFrame().map { Array($0.payload) } == Array("axy".utf8))
    }

    // MARK: Stream positions

    @Test("pendingBytes, isAtFrameBoundary and streamOffset track the stream")
    func streamPositions() throws {
        var decoder = FrameDecoder()
        #expect(decoder.isAtFrameBoundary)
        #expect(decoder.streamOffset == 0)
        #expect(decoder.pendingBytes.isEmpty)

        try decoder.feed(Array("5\0he".utf8))
        #expect(!decoder.isAtFrameBoundary)
        #expect(decoder.streamOffset == 4)
        #expect(Array(decoder.pendingBytes) == Array("5\0he".utf8))
        #expect(try decoder.nextFrame() == nil)
        #expect(Array(decoder.pendingBytes) == Array("5\0he".utf8))

        try decoder.feed(Array("llo2\0".utf8))
        #expect(decoder.streamOffset == 9)
        // A complete frame not yet taken out is still pending (POE's get_pending).
        #expect(Array(decoder.pendingBytes) == Array("5\0hello2\0".utf8))
        let hello = try #require(try decoder.nextFrame())
        #expect(hello.offset == 0)
        #expect(Array(decoder.pendingBytes) == Array("2\0".utf8))
        #expect(!decoder.isAtFrameBoundary)

        try decoder.feed(Array("ok".utf8))
        let ok = try #require(try decoder.nextFrame())
        #expect(ok.offset == 7)
        #expect(Array(ok.payload) == Array("ok".utf8))
        #expect(decoder.isAtFrameBoundary)
        #expect(decoder.pendingBytes.isEmpty)
        #expect(decoder.streamOffset == 11)
    }

    @Test("10,000 random frames under random chunking: payloads, offsets, positions")
    func randomFramesUnderRandomChunking() throws {
        var random = SeededRandom(seed: 0x5EED_F4A3_0000_0001)
        var stream: [UInt8] = []
        var expected: [(payload: [UInt8], offset: Int)] = []
        let encoder = FrameEncoder()
        for _ in 0..<10_000 {
            let payload = random.payload()
            let offset = stream.count
            // Now and then a length field with leading zeros, which readers accept.
            if random.next(upperBound: 20) == 0 {
                stream.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: random.next(upperBound: 4) + 1))
            }
            try encoder.encode(payload, into: &stream)
            expected.append((payload, offset))
        }

        var decoder = FrameDecoder()
        var received: [Frame] = []
        var position = 0
        while position < stream.count {
            let size = min(random.chunkSize(), stream.count - position)
            let chunk = stream[position..<position + size]
            if random.next(upperBound: 2) == 0 { try decoder.feed(Array(chunk)) } else { try decoder.feed(chunk) }
            position += size
            #expect(decoder.streamOffset == position)
            // Sometimes let frames pile up before taking them out.
            if random.next(upperBound: 4) != 0 {
                while let frame = try decoder.nextFrame() { received.append(frame) }
                // Drained: what is pending is exactly the partial frame after the last one.
                let nextFrameStart = received.count < expected.count ? expected[received.count].offset : stream.count
                #expect(decoder.pendingBytes.count == position - nextFrameStart)
                #expect(decoder.isAtFrameBoundary == (position == nextFrameStart))
            }
        }
        decoder.finish()
        while let frame = try decoder.nextFrame() { received.append(frame) }

        #expect(received.count == expected.count)
        for (frame, expectation) in zip(received, expected) {
            guard frame.offset == expectation.offset, Array(frame.payload) == expectation.payload else {
                Issue.record("frame at \(frame.offset) differs from the one written at \(expectation.offset)")
                return
            }
        }
        #expect(decoder.isAtFrameBoundary)
        #expect(decoder.streamOffset == stream.count)
    }
}

// MARK: - Encoder

@Suite("FrameEncoder")
struct FrameEncoderTests {
    @Test("Writes the decimal length without leading zeros, one NUL, then the payload",
          arguments: [0, 1, 9, 10, 99, 100, 1_000, 65_536, 1_000_000])
    func outputFormat(_ length: Int) throws {
        let payload = [UInt8](repeating: 0x30, count: length)
        let frame = try FrameEncoder().encode(payload)
        let digits = Array(String(length).utf8)
        #expect(Array(frame[..<digits.count]) == digits)
        #expect(frame[digits.count] == 0)
        #expect(frame.count == digits.count + 1 + length)
        #expect(Array(frame[(digits.count + 1)...]) == payload)
    }

    @Test("Appends to existing output")
    func appendsToOutput() throws {
        var output = Array("3\0abc".utf8)
        try FrameEncoder().encode(Array("hello".utf8)[1...], into: &output)
        try FrameEncoder().encode(EmptyCollection<UInt8>(), into: &output)
        #expect(output == Array("3\0abc4\0ello0\0".utf8))
    }

    @Test("Refuses payloads over its limit, leaving the output untouched")
    func frameTooLarge() throws {
        let encoder = FrameEncoder(maximumFrameLength: 4)
        var output = Array("1\0x".utf8)
        #expect(throws: FramingError.frameTooLarge(offset: 3, declaredLength: 5, limit: 4)) {
            try encoder.encode(Array("hello".utf8), into: &output)
        }
        #expect(output == Array("1\0x".utf8))
        try encoder.encode(Array("hell".utf8), into: &output)
        #expect(output == Array("1\0x4\0hell".utf8))
    }

    @Test("Writes exactly what POE::Filter::Reference's put wrote in the vectors")
    func matchesPOEPut() throws {
        let vectors = try SpecVectors.framingVectors().filter { $0.name.hasSuffix("written_by_poe_put") && $0.compression != .zlib }
        try #require(!vectors.isEmpty)
        for vector in vectors {
            var output: [UInt8] = []
            for payload in vector.frames { try FrameEncoder().encode(try #require(payload), into: &output) }
            #expect(output == vector.input, "\(vector.name)")
        }
    }

    @Test("Encoder to decoder round trip over random payloads, chunkings and tight limits",
          arguments: 0..<64)
    func roundTrip(_ seed: UInt64) throws {
        var random = SeededRandom(seed: 0xC0FF_EE00 &+ seed)
        let payloads = (0..<(random.next(upperBound: 60) + 1)).map { _ in random.payload() }
        let largest = payloads.map(\.count).max()!
        let encoder = FrameEncoder(maximumFrameLength: largest)
        var stream: [UInt8] = []
        for payload in payloads { try encoder.encode(payload, into: &stream) }

        let chunks = random.chunking(of: stream.count)
        // Drained after every feed, the decoder never holds more than the largest frame
        // less one byte plus one chunk: the tightest buffer limit that always suffices.
        let largestFrame = "\(largest)".utf8.count + 1 + largest
        let limits = FramingLimits(
            maximumFrameLength: largest,
            maximumLengthDigits: "\(largest)".utf8.count,
            maximumBufferedBytes: largestFrame - 1 + (chunks.max() ?? 1))
        var decoder = FrameDecoder(limits: limits)
        var decoded: [[UInt8]] = []
        var position = 0
        for size in chunks {
            try decoder.feed(stream[position..<position + size])
            position += size
            while let frame = try decoder.nextFrame() { decoded.append(Array(frame.payload)) }
        }
        decoder.finish()
        while let frame = try decoder.nextFrame() { decoded.append(Array(frame.payload)) }
        #expect(decoded == payloads)
    }
}

// MARK: - Seeded randomness

extension SeededRandom {
    /// Mostly small payloads, some empty, a few large; bytes favour NUL and digits,
    /// the bytes a framing bug would trip over.
    mutating func payload() -> [UInt8] {
        let length: Int
        switch next(upperBound: 100) {
        case 0..<10: length = 0
        case 10..<90: length = next(upperBound: 64)
        case 90..<98: length = next(upperBound: 1_000)
        default: length = next(upperBound: 20_000)
        }
        return (0..<length).map { _ in
            switch next(upperBound: 4) {
            case 0: return 0
            case 1: return UInt8(ascii: "0") + UInt8(next(upperBound: 10))
            default: return UInt8(truncatingIfNeeded: next())
            }
        }
    }

    /// Chunk sizes from single bytes to many frames' worth.
    mutating func chunkSize() -> Int {
        switch next(upperBound: 4) {
        case 0: return 1
        case 1: return next(upperBound: 16) + 1
        case 2: return next(upperBound: 512) + 1
        default: return next(upperBound: 16_384) + 1
        }
    }

    /// Chunk sizes that add up to `total`.
    mutating func chunking(of total: Int) -> [Int] {
        var sizes: [Int] = []
        var remaining = total
        while remaining > 0 {
            let size = min(chunkSize(), remaining)
            sizes.append(size)
            remaining -= size
        }
        return sizes
    }
}
