import FrameDecoderCandidate
import RefWire
import Testing

/// The candidate must behave exactly as FrameDecoder does: the same frames at the same
/// offsets, the same errors at the same points, for any input and any chunking.
@Suite("CandidateFrameDecoder matches FrameDecoder")
struct CandidateEquivalenceTests {
    @Test("Random streams, corruptions, limits and chunkings", arguments: 0..<400)
    func matches(seed: Int) {
        var random = Generator(seed: UInt64(seed))
        let limits = random.limits()
        let stream = random.stream()
        let chunks = random.chunks(of: stream)
        let expected = Self.events(FrameDecoderDriver(limits: limits), chunks)
        let found = Self.events(CandidateDriver(limits: limits), chunks)
        #expect(found == expected, "seed \(seed), limits \(limits), \(stream.count) bytes")
    }

    @Test("The random streams reach every kind of error")
    func coverage() {
        var kinds: Set<String> = []
        for seed in 0..<400 {
            var random = Generator(seed: UInt64(seed))
            let limits = random.limits()
            let stream = random.stream()
            for event in Self.events(FrameDecoderDriver(limits: limits), random.chunks(of: stream)) {
                switch event {
                case .frame: kinds.insert("frame")
                case .failed(let error), .feedRefused(let error): kinds.insert(Self.kind(error))
                }
            }
        }
        #expect(kinds == ["frame", "invalid", "tooLong", "tooLarge", "truncated", "bufferLimit"])
    }

    static func kind(_ error: FramingError) -> String {
        switch error {
        case .invalidLengthPrefix: "invalid"
        case .lengthFieldTooLong: "tooLong"
        case .frameTooLarge: "tooLarge"
        case .truncatedFrame: "truncated"
        case .bufferLimitExceeded: "bufferLimit"
        }
    }

    @Test("A large valid stream in 4 KiB chunks")
    func largeStream() {
        var random = Generator(seed: 42)
        var stream: [UInt8] = []
        let encoder = FrameEncoder()
        for _ in 0..<5_000 {
            try! encoder.encode(random.bytes(count: random.int(in: 0...300)), into: &stream)
        }
        let chunks = stride(from: 0, to: stream.count, by: 4096).map {
            stream[$0..<min($0 + 4096, stream.count)]
        }
        let expected = Self.events(FrameDecoderDriver(limits: .default), chunks)
        #expect(expected.count == 5_000)
        #expect(Self.events(CandidateDriver(limits: .default), chunks) == expected)
    }

    /// Feeds `chunks`, draining after each, then finishes and drains; logs what happens.
    static func events<Driver: DecoderDriver>(_ driver: Driver, _ chunks: [ArraySlice<UInt8>]) -> [Event] {
        var driver = driver
        var events: [Event] = []
        func drain() -> Bool {
            while true {
                do {
                    guard let (payload, offset) = try driver.next() else { return true }
                    events.append(.frame(payload, offset: offset))
                } catch {
                    events.append(.failed(error))
                    return false
                }
            }
        }
        for chunk in chunks {
            do {
                try driver.feed(chunk)
            } catch {
                events.append(.feedRefused(error))
                if error.isFatal { return events }
            }
            guard drain() else { return events }
        }
        driver.finish()
        _ = drain()
        return events
    }
}

enum Event: Equatable, CustomStringConvertible {
    case frame([UInt8], offset: Int)
    case failed(FramingError)
    case feedRefused(FramingError)

    var description: String {
        switch self {
        case .frame(let payload, let offset): "frame(\(payload.count) B at \(offset))"
        case .failed(let error): "failed(\(error))"
        case .feedRefused(let error): "feedRefused(\(error))"
        }
    }
}

protocol DecoderDriver {
    mutating func feed(_ bytes: ArraySlice<UInt8>) throws(FramingError)
    mutating func finish()
    mutating func next() throws(FramingError) -> ([UInt8], Int)?
}

struct FrameDecoderDriver: DecoderDriver {
    var decoder: FrameDecoder
    init(limits: FramingLimits) { decoder = FrameDecoder(limits: limits) }
    mutating func feed(_ bytes: ArraySlice<UInt8>) throws(FramingError) { try decoder.feed(bytes) }
    mutating func finish() { decoder.finish() }
    mutating func next() throws(FramingError) -> ([UInt8], Int)? {
        try decoder.nextFrame().map { (Array($0.payload), $0.offset) }
    }
}

struct CandidateDriver: DecoderDriver {
    var decoder: CandidateFrameDecoder
    init(limits: FramingLimits) { decoder = CandidateFrameDecoder(limits: limits) }
    mutating func feed(_ bytes: ArraySlice<UInt8>) throws(FramingError) { try decoder.feed(bytes) }
    mutating func finish() { decoder.finish() }
    mutating func next() throws(FramingError) -> ([UInt8], Int)? {
        try decoder.nextFrame().map { (Array($0.payload), $0.offset) }
    }
}

/// Deterministic inputs: valid frames (leading zeros and empty payloads included), then
/// byte flips, digit runs, stray NULs and truncation.
struct Generator {
    private var state: UInt64

    init(seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 &+ 1 }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func int(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.count))
    }

    mutating func bytes(count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8(truncatingIfNeeded: next()) }
    }

    mutating func limits() -> FramingLimits {
        switch int(in: 0...3) {
        case 0: .default
        case 1: FramingLimits(maximumFrameLength: int(in: 0...80))
        case 2: FramingLimits(maximumLengthDigits: int(in: 1...4))
        default: FramingLimits(maximumBufferedBytes: int(in: 1...200))
        }
    }

    mutating func stream() -> [UInt8] {
        var stream: [UInt8] = []
        for _ in 0..<int(in: 0...12) {
            let payload = bytes(count: int(in: 0...70))
            let zeros = int(in: 0...5) == 0 ? int(in: 1...22) : 0
            stream += Array(repeating: UInt8(ascii: "0"), count: zeros)
            stream += Array(String(payload.count).utf8) + [0] + payload
        }
        switch int(in: 0...5) {
        case 0 where !stream.isEmpty:
            stream[int(in: 0...stream.count - 1)] = UInt8(truncatingIfNeeded: next())
        case 1:
            stream += Array(repeating: UInt8(ascii: "9"), count: int(in: 1...25)) + [0]
        case 2 where !stream.isEmpty:
            stream.removeLast(int(in: 1...stream.count))
        case 3:
            stream += [0]
        default:
            break
        }
        return stream
    }

    mutating func chunks(of stream: [UInt8]) -> [ArraySlice<UInt8>] {
        let largest = [1, 3, 17, 64, 4096][int(in: 0...4)]
        var chunks: [ArraySlice<UInt8>] = []
        var start = 0
        while start < stream.count {
            let end = min(start + int(in: 1...largest), stream.count)
            chunks.append(stream[start..<end])
            start = end
        }
        if int(in: 0...3) == 0 { chunks.insert([], at: chunks.isEmpty ? 0 : int(in: 0...chunks.count - 1)) }
        return chunks
    }
}
