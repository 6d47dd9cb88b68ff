import RefWireSodium
import RefWireTestSupport

/// Randomness that hands out fixed bytes in order: what makes a vector reproducible.
/// Running out stops the test (the channel drew more than the spec says it draws).
struct ScriptedRandomness: SealingRandomness {
    private let bytes: [UInt8]
    private var position = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// `count` bytes fixed by `seed` (SplitMix64), for tests that need distinct but
    /// repeatable sessions. A session end draws 56: an ephemeral key and a stream header.
    init(seed: UInt64, count: Int = 56) {
        var random = SeededRandom(seed: seed)
        self.init((0..<count).map { _ in UInt8(truncatingIfNeeded: random.next()) })
    }

    mutating func fill(_ buffer: UnsafeMutableRawBufferPointer) {
        precondition(position + buffer.count <= bytes.count, "scripted randomness exhausted")
        for index in 0..<buffer.count {
            buffer[index] = bytes[position + index]
        }
        position += buffer.count
    }
}
