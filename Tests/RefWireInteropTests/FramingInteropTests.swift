import Foundation
import RefWire
import RefWireTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// RefWire's framing against the real POE::Filter::Reference 1.37, in both directions,
// with and without `Compression => 1`:
//
// - Perl `put` → Swift ``FrameReader``: streams of 10,000 frames (payloads of 3 B to
//   exactly 1 MiB) fed at random boundaries (1 B to 256 KiB), and smaller streams fed
//   one byte at a time; every payload must equal, byte for byte, the `nfreeze` output
//   Perl recorded for it.
// - Swift ``FrameWriter`` → Perl `get_one`: the same kind of payloads (plus empty ones,
//   which `put` cannot make) read by POE in random chunks or one byte at a time; Perl
//   checks the bytes POE hands to `thaw` and the thawed structures.
//
// The Perl side is `Perl/poe_put.pl` and `Perl/poe_get.pl` next to this file. Missing
// Perl or POE fails these tests (CI installs `libpoe-perl`); nothing is skipped. Seeds
// are fixed so that a failure reproduces; set `REFWIRE_INTEROP_SEED` to try others.
@Suite("FramingInterop: POE::Filter::Reference ⇄ RefWire framing")
struct FramingInteropTests {
    /// Frames in each large stream.
    static let frameCount = 10_000
    /// Frames in each one-byte-at-a-time stream, and their largest payload.
    static let dripFrameCount = 300
    static let dripMaximumPayload = 128 << 10

    @Test("POE::Filter::Reference 1.37, Storable and Compress::Zlib are installed")
    func perlHasPOE() throws {
        let output = try perlOutput(script: """
            for my $module (qw(POE::Filter::Reference Storable Compress::Zlib)) {
                eval "require $module; 1" or die "Perl module $module is not installed "
                    . "(Debian: apt-get install libpoe-perl): $@";
            }
            print $POE::Filter::Reference::VERSION;
            """)
        #expect(String(decoding: output, as: UTF8.self) == "1.370")
    }

    // MARK: Perl put → Swift decode

    @Test("Perl put → Swift FrameReader, 10,000 frames fed at random boundaries", arguments: [false, true])
    func perlPutSwiftDecode(compressed: Bool) throws {
        let seed = InteropSeed.value(compressed ? 2 : 1)
        let fixture = try PerlStream.make(seed: seed, count: Self.frameCount, compressed: compressed)
        #expect(fixture.payloads.count >= 10_000)

        var rng = SeededRandom(seed: seed)
        let chunks = ChunkPlan.random(for: fixture.layout, using: &rng)
        let census = BoundaryCensus(chunks: chunks, layout: fixture.layout)
        let start = ContinuousClock.now
        let decoded = try decode(fixture, compressed: compressed, chunks: chunks)
        let elapsed = ContinuousClock.now - start
        decoded.expectMatches(fixture, context: "seed \(seed)")
        census.expectVariety(context: "seed \(seed)")
        print("""
            FramingInterop put→decode compressed=\(compressed) seed=\(seed): \(decoded.count) frames, \
            \(fixture.stream.count) stream bytes, \(fixture.payloadBytes) payload bytes, \
            \(chunks.count) chunks (\(census)); perl put \(fixture.perlTime), swift decode \(elapsed)
            """)
    }

    @Test("Perl put → Swift FrameReader, fed one byte at a time", arguments: [false, true])
    func perlPutSwiftDripDecode(compressed: Bool) throws {
        let seed = InteropSeed.value(compressed ? 4 : 3)
        let fixture = try PerlStream.make(
            seed: seed, count: Self.dripFrameCount, compressed: compressed,
            maximumPayload: Self.dripMaximumPayload)
        let start = ContinuousClock.now
        let decoded = try decode(fixture, compressed: compressed, chunks: nil)
        let elapsed = ContinuousClock.now - start
        decoded.expectMatches(fixture, context: "seed \(seed), drip feed")
        print("""
            FramingInterop put→drip-decode compressed=\(compressed) seed=\(seed): \(decoded.count) frames, \
            \(fixture.stream.count) stream bytes (= feeds), \(fixture.payloadBytes) payload bytes; \
            perl put \(fixture.perlTime), swift decode \(elapsed)
            """)
    }

    /// Feeds `fixture.stream` to a ``FrameReader`` in chunks of the given sizes (one
    /// byte at a time for `nil`), draining after each, and checks every payload.
    private func decode(_ fixture: PerlStream, compressed: Bool, chunks: [Int]?) throws -> Decoded {
        var reader = FrameReader(compression: compressed ? .zlib() : .none)
        var decoded = Decoded(expected: fixture.payloads)
        let stream = fixture.stream
        var position = 0
        var chunk = 0
        while position < stream.count {
            let size = chunks.map { $0[chunk] } ?? 1
            chunk += 1
            try reader.feed(stream[position..<(position + size)])
            position += size
            while let read = try reader.next() { decoded.check(read) }
        }
        reader.finish()
        while let read = try reader.next() { decoded.check(read) }
        decoded.endedAtFrameBoundary = reader.decoder.isAtFrameBoundary
        return decoded
    }

    // MARK: Swift encode → Perl get_one

    @Test("Swift FrameWriter → Perl get_one, 10,000+ frames read at random boundaries", arguments: [false, true])
    func swiftEncodePerlGetOne(compressed: Bool) throws {
        let seed = InteropSeed.value(compressed ? 6 : 5)
        try encodeAndCheckInPerl(
            seed: seed, count: Self.frameCount, maximumPayload: 1 << 20, compressed: compressed, drip: false)
    }

    @Test("Swift FrameWriter → Perl get_one, read one byte at a time", arguments: [false, true])
    func swiftEncodePerlDripGetOne(compressed: Bool) throws {
        let seed = InteropSeed.value(compressed ? 8 : 7)
        try encodeAndCheckInPerl(
            seed: seed, count: Self.dripFrameCount, maximumPayload: Self.dripMaximumPayload,
            compressed: compressed, drip: true)
    }

    /// Takes real `nfreeze` payloads from Perl, adds empty ones, writes them with
    /// ``FrameWriter``, and has POE read them back.
    private func encodeAndCheckInPerl(
        seed: UInt64, count: Int, maximumPayload: Int, compressed: Bool, drip: Bool
    ) throws {
        // Only the payloads are used; the Perl stream is made uncompressed (cheaper).
        let fixture = try PerlStream.make(
            seed: seed, count: count, compressed: false, maximumPayload: maximumPayload)
        var rng = SeededRandom(seed: seed)

        // Empty payloads (`0\0`, or a compressed empty string): `put` never writes them,
        // a peer may. At the very start and end, and a few in between.
        var payloads = fixture.payloads
        let empties = max(3, count / 500)
        payloads.insert([], at: 0)
        payloads.append([])
        for _ in 0..<(empties - 2) {
            payloads.insert([], at: Int.random(in: 0...payloads.count, using: &rng))
        }

        let writer = FrameWriter(compression: compressed ? .zlib() : .none)
        var stream: [UInt8] = []
        stream.reserveCapacity(fixture.payloadBytes + payloads.count * 16)
        var layout = FrameLayout()
        let start = ContinuousClock.now
        for payload in payloads {
            let offset = stream.count
            try writer.write(payload, into: &stream)
            layout.append(frameAt: offset, in: stream)
        }
        let elapsed = ContinuousClock.now - start
        #expect(layout.streamEnd == stream.count)

        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let expected = directory.url.appendingPathComponent("expected.bin")
        try PayloadFile.write(payloads, to: expected)
        var chunksArgument = "drip"
        var chunkCount = stream.count
        var censusText = "one byte at a time"
        if !drip {
            let chunks = ChunkPlan.random(for: layout, using: &rng)
            let census = BoundaryCensus(chunks: chunks, layout: layout)
            census.expectVariety(context: "seed \(seed)")
            censusText = census.description
            chunkCount = chunks.count
            let plan = directory.url.appendingPathComponent("chunks.bin")
            try ChunkPlan.write(chunks, to: plan)
            chunksArgument = plan.path
        }

        let perlStart = ContinuousClock.now
        let result = try runPerl(
            script: PerlScript.launcher,
            arguments: [PerlScript.path("poe_get.pl"), compressed ? "1" : "0", expected.path, chunksArgument],
            stdin: stream, timeout: .seconds(300))
        let perlTime = ContinuousClock.now - perlStart
        let summary = Summary(result.stdout)
        let context = "seed \(seed), compressed=\(compressed), drip=\(drip); poe_get.pl: \(summary) \(result.stderr)"

        #expect(result.status == 0, "poe_get.pl exited with \(result.status); \(context)")
        guard summary["frames"] != nil else {
            Issue.record("poe_get.pl printed no summary; \(context)")
            return
        }
        #expect(summary["frames"] == payloads.count, "\(context)")
        #expect(summary["expected"] == payloads.count, "\(context)")
        #expect(summary["mismatches"] == 0, "\(context)")
        #expect(summary["pending"] == 0, "POE's buffer is not empty at the end; \(context)")
        #expect(summary["chunks"] == chunkCount, "\(context)")
        #expect(summary["stream_bytes"] == stream.count, "\(context)")
        #expect(summary["payload_bytes"] == fixture.payloadBytes, "\(context)")
        #expect(payloads.count >= (drip ? Self.dripFrameCount : 10_000))
        print("""
            FramingInterop encode→get_one compressed=\(compressed) drip=\(drip) seed=\(seed): \
            \(payloads.count) frames (\(payloads.count - fixture.payloads.count) empty), \
            \(stream.count) stream bytes, \(fixture.payloadBytes) payload bytes, \(chunkCount) chunks \
            (\(censusText)); perl put \(fixture.perlTime), swift encode \(elapsed), perl get_one \(perlTime)
            """)
    }
}

/// What came out of a ``FrameReader``, checked against the expected payloads as it came.
private struct Decoded {
    let expected: [ArraySlice<UInt8>]
    var count = 0
    var offsets: [Int] = []
    var mismatches = 0
    var firstMismatches: [String] = []
    var endedAtFrameBoundary = false

    init(expected: [ArraySlice<UInt8>]) {
        self.expected = expected
        offsets.reserveCapacity(expected.count)
    }

    mutating func check(_ read: ReadPayload) {
        defer { count += 1 }
        offsets.append(read.offset)
        guard count < expected.count else {
            return fail("frame \(count) at byte \(read.offset): more frames than Perl wrote")
        }
        switch read.result {
        case .failure(let error):
            fail("frame \(count): \(error)")
        case .success(let payload):
            let want = expected[count]
            if !bytesEqual(payload, want) {
                let firstDifference = zip(payload, want).prefix { $0 == $1 }.count
                fail("frame \(count) at byte \(read.offset): \(payload.count) bytes, expected \(want.count); "
                    + "they differ from payload byte \(firstDifference)")
            }
        }
    }

    private mutating func fail(_ message: String) {
        mismatches += 1
        if firstMismatches.count < 5 { firstMismatches.append(message) }
    }

    func expectMatches(_ fixture: PerlStream, context: String) {
        #expect(count == fixture.payloads.count, "decoded \(count) frames, Perl wrote \(fixture.payloads.count); \(context)")
        #expect(mismatches == 0, "\(mismatches) mismatched payloads, first: \(firstMismatches); \(context)")
        #expect(endedAtFrameBoundary, "bytes left over after the last frame; \(context)")
        // Frames start where Perl's do: the stream is exactly its frames, in order.
        #expect(offsets == fixture.layout.offsets, "frame offsets differ from Perl's; \(context)")
    }
}

// MARK: - Frame layout and chunking

/// Where each frame of a stream starts and how long its `digits NUL` prefix is, known
/// independently of the decoder under test.
private struct FrameLayout {
    var offsets: [Int] = []
    /// Digits plus the NUL.
    var prefixSizes: [Int] = []
    var streamEnd = 0

    /// Records the frame that starts at `offset` and ends `stream`.
    mutating func append(frameAt offset: Int, in stream: [UInt8]) {
        var digits = 0
        while stream[offset + digits] != 0 { digits += 1 }
        offsets.append(offset)
        prefixSizes.append(digits + 1)
        streamEnd = stream.count
    }
}

private enum ChunkPlan {
    static let maximumChunk = 256 << 10

    /// Random chunk sizes (1 B to 256 KiB) covering the stream: the chunks between
    /// random cuts of two kinds. A walk of log-uniform steps cuts anywhere; but length
    /// fields are a tiny fraction of the bytes, so half the frames, chosen at random, get
    /// a cut at their start too, in a place of one of four kinds drawn with equal odds:
    /// on the frame boundary, after one of the digits (inside the length field or just
    /// before the NUL), right after the NUL, or 1–64 bytes further. The splits that
    /// matter most are then frequent rather than accidental.
    static func random(for layout: FrameLayout, using rng: inout SeededRandom) -> [Int] {
        let end = layout.streamEnd
        var cuts: Set<Int> = [0, end]
        var position = 0
        while true {
            position += logUniformSize(using: &rng)
            guard position < end else { break }
            cuts.insert(position)
        }
        for (offset, prefix) in zip(layout.offsets, layout.prefixSizes) where Bool.random(using: &rng) {
            let digits = prefix - 1
            let into = switch Int.random(in: 0..<4, using: &rng) {
            case 0: 0
            case 1: Int.random(in: 1...digits, using: &rng)
            case 2: digits + 1
            default: digits + 1 + Int.random(in: 1...64, using: &rng)
            }
            if offset + into < end { cuts.insert(offset + into) }
        }
        let sorted = cuts.sorted()
        var sizes: [Int] = []
        sizes.reserveCapacity(sorted.count)
        for (from, to) in zip(sorted, sorted.dropFirst()) {
            var size = to - from
            while size > maximumChunk {
                sizes.append(maximumChunk)
                size -= maximumChunk
            }
            sizes.append(size)
        }
        return sizes
    }

    /// 1 B to 256 KiB, log-uniform: as many chunks of 1–2 bytes as of 128–256 KiB.
    static func logUniformSize(using rng: inout SeededRandom) -> Int {
        let magnitude = Int.random(in: 0...18, using: &rng)
        return Int.random(in: (1 << magnitude)...min((2 << magnitude) - 1, maximumChunk), using: &rng)
    }

    /// For `poe_get.pl`: each size as 4 bytes, big-endian.
    static func write(_ sizes: [Int], to url: URL) throws {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(sizes.count * 4)
        for size in sizes {
            let size = UInt32(size)
            bytes += [UInt8(size >> 24), UInt8(size >> 16 & 0xFF), UInt8(size >> 8 & 0xFF), UInt8(size & 0xFF)]
        }
        try Data(bytes).write(to: url)
    }
}

/// Where the chunk boundaries fell, relative to the frames.
private struct BoundaryCensus: CustomStringConvertible {
    var onFrameBoundary = 0
    /// After a digit: inside the length field, or between its last digit and the NUL.
    var insideLengthField = 0
    /// Right after the NUL, before the first payload byte.
    var afterNUL = 0
    var insidePayload = 0

    init(chunks: [Int], layout: FrameLayout) {
        var frame = 0
        var boundary = 0
        for size in chunks.dropLast() {
            boundary += size
            while frame + 1 < layout.offsets.count && layout.offsets[frame + 1] <= boundary { frame += 1 }
            let into = boundary - layout.offsets[frame]
            let prefix = layout.prefixSizes[frame]
            if into == 0 {
                onFrameBoundary += 1
            } else if into < prefix {
                insideLengthField += 1
            } else if into == prefix {
                afterNUL += 1
            } else {
                insidePayload += 1
            }
        }
    }

    func expectVariety(context: String) {
        #expect(
            onFrameBoundary >= 500 && insideLengthField >= 500 && afterNUL >= 500 && insidePayload >= 500,
            "chunk boundaries too uniform: \(self); \(context)")
    }

    var description: String {
        "boundaries: \(onFrameBoundary) between frames, \(insideLengthField) in length fields, "
            + "\(afterNUL) right after the NUL, \(insidePayload) in payloads"
    }
}

// MARK: - Perl streams

/// A stream written by POE's `put` (`Perl/poe_put.pl`), with the payloads it carries.
private struct PerlStream {
    /// The bytes of `stream.bin`.
    var stream: [UInt8]
    /// Each frame's payload before compression: Perl's `nfreeze` output.
    var payloads: [ArraySlice<UInt8>]
    var payloadBytes: Int
    var layout: FrameLayout
    var perlTime: Duration

    static func make(seed: UInt64, count: Int, compressed: Bool, maximumPayload: Int = 1 << 20) throws -> PerlStream {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let start = ContinuousClock.now
        let output = try perlOutput(
            script: PerlScript.launcher,
            arguments: [
                PerlScript.path("poe_put.pl"), String(seed), String(count), compressed ? "1" : "0",
                directory.url.path, String(maximumPayload),
            ],
            timeout: .seconds(300))
        let perlTime = ContinuousClock.now - start
        let summary = Summary(output)
        let stream = try [UInt8](Data(contentsOf: directory.url.appendingPathComponent("stream.bin")))
        let payloads = try PayloadFile.read(directory.url.appendingPathComponent("payloads.bin"))
        let payloadBytes = payloads.reduce(0) { $0 + $1.count }
        #expect(summary["frames"] == count && payloads.count == count, "poe_put.pl: \(summary)")
        #expect(summary["stream_bytes"] == stream.count, "poe_put.pl: \(summary)")
        #expect(summary["payload_bytes"] == payloadBytes, "poe_put.pl: \(summary)")
        #expect(summary["max_payload"] == maximumPayload && summary["min_payload"] == 3, "poe_put.pl: \(summary)")

        // The frame layout from the length fields Perl wrote, parsed here (not by the
        // decoder under test); for uncompressed streams they must be the payloads' lengths.
        var layout = FrameLayout()
        layout.offsets.reserveCapacity(count)
        layout.prefixSizes.reserveCapacity(count)
        var position = 0
        for payload in payloads {
            guard position < stream.count else { throw InteropFailure("stream.bin has fewer than \(count) frames") }
            var digits = 0
            var length = 0
            while position + digits < stream.count, case let digit = stream[position + digits] &- UInt8(ascii: "0"), digit < 10 {
                length = length * 10 + Int(digit)
                digits += 1
            }
            guard digits > 0, position + digits < stream.count, stream[position + digits] == 0 else {
                throw InteropFailure("stream.bin: no length field at byte \(position)")
            }
            if !compressed && length != payload.count {
                throw InteropFailure("stream.bin: frame at byte \(position) is \(length) bytes, its payload \(payload.count)")
            }
            layout.offsets.append(position)
            layout.prefixSizes.append(digits + 1)
            position += digits + 1 + length
        }
        layout.streamEnd = position
        #expect(position == stream.count, "stream.bin is not exactly its \(count) frames")
        return PerlStream(
            stream: stream, payloads: payloads, payloadBytes: payloadBytes, layout: layout, perlTime: perlTime)
    }
}

private enum PerlScript {
    /// `runPerl` runs a script given as text; this one replaces itself with
    /// `perl FILE ARGS…` (same perl, same process), so scripts keep their file name.
    static let launcher = #"exec($^X, @ARGV) or die "cannot exec $^X: $!\n";"#

    static func path(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Perl").appendingPathComponent(name).path
    }
}

/// Payload lists on disk: per payload an 8-byte big-endian length, then the bytes.
private enum PayloadFile {
    static func read(_ url: URL) throws -> [ArraySlice<UInt8>] {
        let bytes = try [UInt8](Data(contentsOf: url))
        var payloads: [ArraySlice<UInt8>] = []
        var position = 0
        while position < bytes.count {
            guard bytes.count - position >= 8 else { throw InteropFailure("\(url.path) is truncated") }
            var length = 0
            for byte in bytes[position..<(position + 8)] { length = length << 8 | Int(byte) }
            position += 8
            guard length <= bytes.count - position else { throw InteropFailure("\(url.path) is truncated") }
            payloads.append(bytes[position..<(position + length)])
            position += length
        }
        return payloads
    }

    static func write(_ payloads: [ArraySlice<UInt8>], to url: URL) throws {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(payloads.reduce(0) { $0 + $1.count + 8 })
        for payload in payloads {
            let length = UInt64(payload.count)
            for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: length >> UInt64(shift))) }
            bytes.append(contentsOf: payload)
        }
        try Data(bytes).write(to: url)
    }
}

/// `key=value …` integers from a script's summary line.
private struct Summary: CustomStringConvertible {
    let text: String
    let values: [String: Int]

    init(_ output: [UInt8]) {
        text = String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        var values: [String: Int] = [:]
        for field in text.split(whereSeparator: \.isWhitespace) {
            let parts = field.split(separator: "=", maxSplits: 1)
            if parts.count == 2, let value = Int(parts[1]) { values[String(parts[0])] = value }
        }
        self.values = values
    }

    subscript(key: String) -> Int? { values[key] }
    var description: String { text.isEmpty ? "(no output)" : text }
}

private struct TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("refwire-framing-interop-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(at: url) }
}

private struct InteropFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

private enum InteropSeed {
    /// The seed for one stream: fixed, or derived from `REFWIRE_INTEROP_SEED`.
    static func value(_ stream: UInt64) -> UInt64 {
        guard let base = ProcessInfo.processInfo.environment["REFWIRE_INTEROP_SEED"].flatMap(UInt64.init) else {
            return 0x5EED_0000 + stream
        }
        return base &* 16 &+ stream
    }
}

private func bytesEqual(_ a: ArraySlice<UInt8>, _ b: ArraySlice<UInt8>) -> Bool {
    guard a.count == b.count else { return false }
    return a.withUnsafeBytes { a in
        b.withUnsafeBytes { b in a.count == 0 || memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0 }
    }
}
