import RefWire

/// A deterministic stream of reference frames, encoded with RefWire's ``FrameEncoder``,
/// that every workload decodes.
///
/// Payload sizes cycle pseudo-randomly through 50...62 bytes (about 56 on average), so
/// most length fields are two digits and a frame is about 59 bytes on the wire. The
/// payload bytes are arbitrary, NULs and ASCII digits included, as a Storable payload's
/// are: a decoder must skip them by length, never scan them.
public struct FrameCorpus: Sendable {
    /// The encoded frames, back to back.
    public let bytes: [UInt8]
    /// What a correct decode of ``bytes`` must report.
    public let expected: ScanTally

    public var frameCount: Int { expected.frames }

    /// Builds `frameCount` frames; the same count always gives the same bytes.
    public init(frameCount: Int, payloadSizes: ClosedRange<Int> = 50...62) {
        precondition(frameCount >= 0, "frameCount must not be negative")
        var random = SplitMix64(seed: 0x5EED_F8BF_A675)
        var payload: [UInt8] = []
        var bytes: [UInt8] = []
        bytes.reserveCapacity(frameCount * (payloadSizes.upperBound + 3))
        var payloadBytes = 0
        let encoder = FrameEncoder()
        let sizeCount = UInt64(payloadSizes.count)
        for _ in 0..<frameCount {
            let size = payloadSizes.lowerBound + Int(random.next() % sizeCount)
            payload.removeAll(keepingCapacity: true)
            for _ in 0..<size {
                payload.append(UInt8(truncatingIfNeeded: random.next()))
            }
            do {
                try encoder.encode(payload, into: &bytes)
            } catch {
                preconditionFailure("a \(size)-byte payload cannot exceed the frame limit: \(error)")
            }
            payloadBytes += size
        }
        self.bytes = bytes
        self.expected = ScanTally(frames: frameCount, payloadBytes: payloadBytes)
    }
}

/// What a scan found: the frames and the sum of their payload lengths. Every workload
/// returns one, so the work cannot be optimised away, and each run is checked against
/// ``FrameCorpus/expected``.
public struct ScanTally: Sendable, Hashable {
    public var frames: Int
    public var payloadBytes: Int

    public init(frames: Int = 0, payloadBytes: Int = 0) {
        self.frames = frames
        self.payloadBytes = payloadBytes
    }
}

/// Sebastiano Vigna's SplitMix64: a tiny, fixed generator, so corpora are identical on
/// every machine and in every run.
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
