import RefWire
import RefWireTestSupport
import Testing

/// ``FrameReader`` and ``FrameWriter``: framing plus the payload transform, with payload
/// failures kept apart from framing failures.
@Suite("FrameReader")
struct FrameReaderTests {
    @Test("Without compression payloads pass through with their offsets")
    func uncompressedPassThrough() throws {
        var reader = FrameReader()
        try reader.feed(Array("5\0hello0\03\0a\0b".utf8))
        reader.finish()
        let read = try readAll(&reader)
        #expect(read.map(\.offset) == [0, 7, 9])
        #expect(try read.map { Array(try $0.result.get()) } == [Array("hello".utf8), [], Array("a\0b".utf8)])
    }

    @Test("A framing error is thrown, not returned as a payload failure")
    func framingErrorIsThrown() throws {
        var reader = FrameReader(compression: .zlib())
        try reader.feed(Array("2\0ab+".utf8))
        let bad = try #require(try reader.next())
        guard case .failure = bad.result else {
            Issue.record("\"ab\" is not a zlib stream")
            return
        }
        #expect(throws: FramingError.invalidLengthPrefix(offset: 4, byte: UInt8(ascii: "+"))) { try reader.next() }
        #expect(throws: FramingError.invalidLengthPrefix(offset: 4, byte: UInt8(ascii: "+"))) { try reader.next() }
    }

    @Test("A writer without compression writes what the encoder writes")
    func uncompressedWriterMatchesEncoder() throws {
        var written: [UInt8] = []
        var encoded: [UInt8] = []
        for payload in [Array("hello".utf8), [], [0, 0x30, 0]] {
            try FrameWriter().write(payload, into: &written)
            try FrameEncoder().encode(payload, into: &encoded)
        }
        #expect(written == encoded)
    }

    // MARK: zlib

    @Test("A payload that does not inflate is a failure, and the next frame is still read")
    func badZlibPayloadThenGoodFrame() throws {
        let writer = FrameWriter(compression: .zlib())
        var stream: [UInt8] = []
        try writer.write(Array("first".utf8), into: &stream)
        let badOffset = stream.count
        try FrameEncoder().encode(Array("not zlib".utf8), into: &stream)
        let thirdOffset = stream.count
        try writer.write(Array("third".utf8), into: &stream)

        for chunkSize in [stream.count, 1, 5] {
            var reader = FrameReader(compression: .zlib())
            var read: [ReadPayload] = []
            var position = 0
            while position < stream.count {
                let end = min(position + chunkSize, stream.count)
                try reader.feed(stream[position..<end])
                position = end
                read += try readAll(&reader)
            }
            reader.finish()
            read += try readAll(&reader)
            #expect(try reader.next() == nil)

            try #require(read.count == 3, "chunks of \(chunkSize)")
            #expect(try read[0].result.get() == Array("first".utf8)[...])
            #expect(read[1].offset == badOffset)
            switch read[1].result {
            case .success(let payload):
                Issue.record("\"not zlib\" inflated to \(Array(payload))")
            case .failure(let failure):
                #expect(failure.frameOffset == badOffset)
                guard case .decompression(.invalidHeader) = failure.reason else {
                    Issue.record("expected invalidHeader, got \(failure)")
                    break
                }
            }
            #expect(read[2].offset == thirdOffset)
            #expect(try read[2].result.get() == Array("third".utf8)[...])
        }
    }

    @Test("Inflating past maximumDecompressedSize is a payload failure; the stream goes on")
    func decompressedSizeLimit() throws {
        let big = [UInt8](repeating: UInt8(ascii: "a"), count: 10_000)
        var stream: [UInt8] = []
        let writer = FrameWriter(compression: .zlib())
        try writer.write(big, into: &stream)
        try writer.write(Array("small".utf8), into: &stream)

        var limited = FrameReader(compression: .zlib(maximumDecompressedSize: 9_999))
        try limited.feed(stream)
        limited.finish()
        let read = try readAll(&limited)
        try #require(read.count == 2)
        guard case .failure(let failure) = read[0].result,
            case .decompression(.outputLimitExceeded(limit: 9_999)) = failure.reason
        else {
            Issue.record("expected outputLimitExceeded(limit: 9999), got \(read[0].result)")
            return
        }
        #expect(try read[1].result.get() == Array("small".utf8)[...])

        var exact = FrameReader(compression: .zlib(maximumDecompressedSize: 10_000))
        try exact.feed(stream)
        #expect(try exact.next().map { Array(try $0.result.get()) } == big)
    }

    @Test("The frame limit applies to the payload as it travels, compressed")
    func frameLimitAppliesToCompressedBytes() throws {
        let repetitive = [UInt8](repeating: 0x41, count: 1_000)
        var output: [UInt8] = []
        try FrameWriter(maximumFrameLength: 100, compression: .zlib()).write(repetitive, into: &output)
        var reader = FrameReader(limits: FramingLimits(maximumFrameLength: 100), compression: .zlib())
        try reader.feed(output)
        #expect(try reader.next().map { Array(try $0.result.get()) } == repetitive)

        let tight = FrameWriter(maximumFrameLength: 7, compression: .zlib())
        var untouched: [UInt8] = []
        #expect(throws: FramingError.self) { try tight.write(repetitive, into: &untouched) }
        #expect(untouched.isEmpty)
    }

    @Test("Writer to reader round trip with zlib over random payloads and chunkings", arguments: 0..<16)
    func zlibRoundTrip(_ seed: UInt64) throws {
        var random = SeededRandom(seed: 0x21B_0000 &+ seed)
        let payloads = (0..<(random.next(upperBound: 40) + 1)).map { _ in random.payload() }
        let writer = FrameWriter(compression: .zlib())
        var stream: [UInt8] = []
        for payload in payloads { try writer.write(payload, into: &stream) }

        var reader = FrameReader(compression: .zlib())
        var decoded: [[UInt8]] = []
        var position = 0
        for size in random.chunking(of: stream.count) {
            try reader.feed(stream[position..<position + size])
            position += size
            while let read = try reader.next() { decoded.append(Array(try read.result.get())) }
        }
        reader.finish()
        while let read = try reader.next() { decoded.append(Array(try read.result.get())) }
        #expect(decoded == payloads)
    }

    private func readAll(_ reader: inout FrameReader) throws -> [ReadPayload] {
        var read: [ReadPayload] = []
        while let payload = try reader.next() { read.append(payload) }
        return read
    }
}
