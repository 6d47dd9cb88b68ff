import RefWireTestSupport
import Testing

/// The fuzz target's properties (`SealingFuzzTarget.swift` links to
/// `Fuzz/Sources/SealingFuzz/SealingTarget.swift`) on seeded random inputs, so that
/// `swift test` checks the model and the channel against each other without libFuzzer.
@Suite("Sodium: fuzz target")
struct SealingFuzzTargetTests {
    /// Inputs the fuzzer found, each named for what it showed.
    static let findings: [(name: String, hex: String)] = [
        // Close, duplicate the final frame, cut exactly the copy: a clean end, not a
        // truncation (the model had it wrong).
        ("cut-removes-a-whole-frame-after-final", "6068f7f7f377f714f7f3f7f7f7f7f7f7f7"),
    ]

    @Test("Saved findings", arguments: findings.map(\.name))
    func finding(_ name: String) throws {
        let input = Hex.bytes(Self.findings.first { $0.name == name }!.hex)!
        let outcome = input.withUnsafeBufferPointer { buffer in
            Result { () throws(SealingTarget.Failure) in try SealingTarget.run(buffer) }
        }
        if case .failure(let failure) = outcome { Issue.record("\(failure)") }
    }

    @Test("Seeded random scripts and handshake bytes satisfy every property", arguments: 0..<4)
    func seededInputs(_ game: UInt8) throws {
        var random = SeededRandom(seed: 0x5EA1 + UInt64(game))
        for _ in 0..<150 {
            let length = random.next(upperBound: 200)
            // The first byte picks the game (bits 4-5), the rest is random.
            var input = [UInt8](repeating: 0, count: length + 1)
            for index in input.indices { input[index] = UInt8(truncatingIfNeeded: random.next()) }
            input[0] = input[0] & 0b1100_1111 | game << 4
            let outcome = input.withUnsafeBufferPointer { buffer in
                Result { () throws(SealingTarget.Failure) in try SealingTarget.run(buffer) }
            }
            if case .failure(let failure) = outcome {
                Issue.record("\(failure) on input \(Hex.string(input))")
            }
        }
    }
}
