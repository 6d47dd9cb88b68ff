import RefWire
import RefWireTestSupport
import Testing

@Suite("Zlib")
struct ZlibTests {
    // MARK: Round trips

    @Test("The empty input compresses to zlib's canonical empty stream and back")
    func emptyRoundTrip() throws {
        let compressed = Zlib.compress([UInt8]())
        // Header 78 9C, an empty final fixed block, Adler-32 of nothing (1).
        #expect(compressed == [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])
        #expect(try Zlib.decompress(compressed, maximumOutputSize: 0) == [])
    }

    @Test("Small inputs round-trip at every level", arguments: Int32(-1)...9)
    func smallRoundTrip(level: Int32) throws {
        for input in [[0x00], Array("hello, world".utf8), Array(repeating: 0x61, count: 300)] as [[UInt8]] {
            let compressed = Zlib.compress(input, level: level)
            #expect(try Zlib.decompress(compressed, maximumOutputSize: input.count) == input)
        }
    }

    @Test("1 MiB of random bytes round-trips", arguments: [-1, 0, 1, 6, 9] as [Int32])
    func randomRoundTrip(level: Int32) throws {
        let input = TestData.random(count: 1 << 20, seed: 1)
        let compressed = Zlib.compress(input, level: level)
        try expectSameBytes(Zlib.decompress(compressed, maximumOutputSize: input.count), input)
    }

    @Test("1 MiB of compressible bytes round-trips", arguments: [-1, 0, 1, 6, 9] as [Int32])
    func compressibleRoundTrip(level: Int32) throws {
        let input = TestData.text(count: 1 << 20, seed: 2)
        let compressed = Zlib.compress(input, level: level)
        if level != 0 { #expect(compressed.count < input.count / 2) }
        try expectSameBytes(Zlib.decompress(compressed, maximumOutputSize: input.count), input)
    }

    @Test("Output that outgrows the first buffer many times over round-trips")
    func geometricGrowth() throws {
        // ~10 KiB of input inflating to 16 MiB: the 40 KiB first guess doubles ~9 times.
        let input = [UInt8](repeating: 0xA5, count: 16 << 20)
        let compressed = Zlib.compress(input)
        try expectSameBytes(Zlib.decompress(compressed, maximumOutputSize: .max), input)
    }

    @Test("Slices and collections without contiguous storage work as input")
    func collectionInputs() throws {
        let input = TestData.text(count: 10_000, seed: 3)
        let lazyInput = input.lazy.map { $0 }  // no contiguous storage
        let compressed = Zlib.compress(lazyInput)
        expectSameBytes(compressed, Zlib.compress(input))

        // A slice of a larger buffer: indices don't start at zero.
        let framed = [0xEE, 0xEE] + compressed + [0xEE]
        let slice = framed[2..<(framed.count - 1)]
        try expectSameBytes(Zlib.decompress(slice, maximumOutputSize: input.count), input)
        try expectSameBytes(Zlib.decompress(slice.lazy.map { $0 }, maximumOutputSize: input.count), input)
    }

    @Test("Level 0 completes where zlib 1.2.13's deflateBound is too small (madler/zlib#758)")
    func storedOutputBeyondDeflateBound() throws {
        let input: [UInt8] = [0x68, 0x00, 0x00, 0x00, 0x00, 0x50, 0x00]
        let compressed = Zlib.compress(input, level: 0)
        #expect(try Zlib.decompress(compressed, maximumOutputSize: input.count) == input)
    }

    // MARK: Truncation, checksum, trailing bytes

    @Test("Every proper prefix of a stream is truncated, never a success")
    func everyTruncation() throws {
        let compressed = Zlib.compress(TestData.text(count: 2_000, seed: 4))
        for length in 0..<compressed.count {
            #expect(throws: ZlibError.truncatedStream, "prefix of \(length) bytes") {
                try Zlib.decompress(compressed.prefix(length), maximumOutputSize: 1 << 20)
            }
        }
    }

    @Test("A large stream cut short after the output has grown is truncated")
    func truncationAfterGrowth() throws {
        let compressed = Zlib.compress(TestData.text(count: 1 << 20, seed: 5))
        for length in [compressed.count / 2, compressed.count - 5, compressed.count - 1] {
            #expect(throws: ZlibError.truncatedStream) {
                try Zlib.decompress(compressed.prefix(length), maximumOutputSize: 1 << 20)
            }
        }
    }

    @Test("A damaged Adler-32 trailer is a checksum mismatch", arguments: 1...4)
    func checksumMismatch(byteFromEnd: Int) throws {
        var compressed = Zlib.compress(TestData.text(count: 5_000, seed: 6))
        compressed[compressed.count - byteFromEnd] ^= 0x01
        #expect(throws: ZlibError.checksumMismatch) {
            try Zlib.decompress(compressed, maximumOutputSize: 1 << 20)
        }
    }

    @Test("Bytes after the stream are reported with their count")
    func trailingBytes() throws {
        let compressed = Zlib.compress(Array("payload".utf8))
        #expect(throws: ZlibError.trailingBytes(count: 1)) {
            try Zlib.decompress(compressed + [0x00], maximumOutputSize: 100)
        }
        #expect(throws: ZlibError.trailingBytes(count: compressed.count)) {
            try Zlib.decompress(compressed + compressed, maximumOutputSize: 100)
        }
    }

    // MARK: Not a zlib stream

    @Test("gzip data is recognized as such")
    func gzip() throws {
        // `printf '' | gzip -n`: header, an empty final block, CRC-32 and size of nothing.
        let gzip: [UInt8] = [
            0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03,
            0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        ]
        #expect(throws: ZlibError.gzipStream) { try Zlib.decompress(gzip, maximumOutputSize: 100) }
        #expect(throws: ZlibError.gzipStream) { try Zlib.decompress(gzip.prefix(2), maximumOutputSize: 100) }
    }

    @Test("Raw deflate data (no zlib header) has an invalid header", arguments: [0, 10, 10_000])
    func rawDeflate(count: Int) throws {
        for level in [-1, 1, 9] as [Int32] {
            let compressed = Zlib.compress(TestData.text(count: count, seed: 7), level: level)
            let raw = compressed.dropFirst(2).dropLast(4)
            #expect(throws: ZlibError.invalidHeader) { try Zlib.decompress(raw, maximumOutputSize: 1 << 20) }
        }
    }

    @Test(
        "Headers failing RFC 1950's checks are invalid",
        arguments: [
            [0x78, 0x9D],  // FCHECK wrong
            [0x77, 0x85],  // CM 7 (FCHECK right)
            [0x88, 0x98],  // CINFO 8: a 64 KiB window (FCHECK right)
            [0x0F],  // one byte that cannot begin a zlib header
            [0x00, 0x00],
            [0xFF, 0xFF, 0xFF, 0xFF],
        ] as [[UInt8]])
    func invalidHeader(bytes: [UInt8]) throws {
        #expect(throws: ZlibError.invalidHeader) { try Zlib.decompress(bytes, maximumOutputSize: 100) }
    }

    @Test("A lone valid first header byte is a truncated stream")
    func lonePlausibleByte() throws {
        #expect(throws: ZlibError.truncatedStream) { try Zlib.decompress([0x78], maximumOutputSize: 100) }
    }

    @Test("A stream that needs a preset dictionary is refused")
    func presetDictionary() throws {
        // FLG with FDICT (0x20) and default FLEVEL, FCHECK making CMF·FLG a multiple of 31,
        // then a DICTID and a deflate body.
        let cmf: UInt8 = 0x78
        var flg: UInt8 = 0x80 | 0x20
        flg |= UInt8(31 - (UInt16(cmf) << 8 | UInt16(flg)) % 31)
        let body = Zlib.compress(Array("abc".utf8)).dropFirst(2)
        let stream = [cmf, flg, 0x12, 0x34, 0x56, 0x78] + body
        #expect(throws: ZlibError.presetDictionaryRequired) {
            try Zlib.decompress(stream, maximumOutputSize: 100)
        }
        #expect(throws: ZlibError.presetDictionaryRequired) {
            try Zlib.decompress([cmf, flg], maximumOutputSize: 100)
        }
    }

    @Test("Malformed deflate data carries zlib's reason")
    func corruptData() throws {
        // A final block of the reserved type 3.
        #expect(throws: ZlibError.corruptData(reason: "invalid block type")) {
            try Zlib.decompress([0x78, 0x9C, 0x07, 0x00], maximumOutputSize: 100)
        }
        // A stored block whose NLEN is not the complement of LEN.
        #expect(throws: ZlibError.corruptData(reason: "invalid stored block lengths")) {
            try Zlib.decompress([0x78, 0x01, 0x01, 0x05, 0x00, 0x00, 0x00], maximumOutputSize: 100)
        }
    }

    // MARK: Output limit

    @Test("A zlib bomb stops at the limit")
    func bomb() throws {
        let compressed = Zlib.compress([UInt8](repeating: 0, count: 64 << 20))
        #expect(compressed.count < 128 << 10)
        #expect(throws: ZlibError.outputLimitExceeded(limit: 1 << 20)) {
            try Zlib.decompress(compressed, maximumOutputSize: 1 << 20)
        }
        #expect(throws: ZlibError.outputLimitExceeded(limit: 0)) {
            try Zlib.decompress(compressed, maximumOutputSize: 0)
        }
    }

    /// Sizes around the first buffer's 4 KiB floor, and one needing several doublings.
    @Test("Output of exactly the limit passes; one byte more fails", arguments: [0, 1, 4095, 4096, 4097, 300_000])
    func exactLimit(count: Int) throws {
        let input = TestData.text(count: count, seed: 8)
        let compressed = Zlib.compress(input)
        try expectSameBytes(Zlib.decompress(compressed, maximumOutputSize: count), input)
        if count > 0 {
            #expect(throws: ZlibError.outputLimitExceeded(limit: count - 1)) {
                try Zlib.decompress(compressed, maximumOutputSize: count - 1)
            }
        }
    }

    // MARK: Descriptions

    @Test("Errors describe themselves in one line")
    func descriptions() {
        let errors: [ZlibError] = [
            .gzipStream, .invalidHeader, .presetDictionaryRequired, .corruptData(reason: "invalid block type"),
            .checksumMismatch, .truncatedStream, .trailingBytes(count: 3), .outputLimitExceeded(limit: 1024),
        ]
        for error in errors {
            #expect(!error.description.isEmpty && !error.description.contains("\n"))
        }
        #expect(Set(errors.map(\.description)).count == errors.count)
        #expect(ZlibError.trailingBytes(count: 3).description.contains("3"))
        #expect(ZlibError.corruptData(reason: "invalid block type").description.contains("invalid block type"))
    }
}

/// `#expect(actual == expected)`, but a failure says where the bytes part rather than
/// printing megabytes of array literal.
private func expectSameBytes(
    _ actual: [UInt8], _ expected: [UInt8], sourceLocation: SourceLocation = #_sourceLocation
) {
    guard actual != expected else { return }
    let offset = zip(actual, expected).enumerated().first { $0.element.0 != $0.element.1 }?.offset
        ?? min(actual.count, expected.count)
    Issue.record(
        "got \(actual.count) bytes, expected \(expected.count); first difference at offset \(offset)",
        sourceLocation: sourceLocation)
}

/// Reproducible test inputs.
private enum TestData {
    /// Incompressible bytes.
    static func random(count: Int, seed: UInt64) -> [UInt8] {
        var generator = SeededRandom(seed: seed)
        return (0..<count).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
    }

    /// Word salad: compresses well, but not trivially.
    static func text(count: Int, seed: UInt64) -> [UInt8] {
        let words = ["frame", "payload", "poe", "session", "kernel", "filter", "reference", "wheel", " ", "\n"]
            .map { Array($0.utf8) }
        var generator = SeededRandom(seed: seed)
        var text: [UInt8] = []
        text.reserveCapacity(count + 16)
        while text.count < count {
            text += words[Int(generator.next() % UInt64(words.count))]
        }
        return Array(text.prefix(count))
    }
}

