import RefWire
import RefWireTestSupport
import Testing

/// `PerlBytes` holds up to `inlineCapacity` bytes inside the value and longer strings in an
/// array; these tests hold both forms, and the step between them, to a plain `[UInt8]`.
@Suite("PerlBytes")
struct PerlBytesTests {
    /// Every length around the step from inline to array, and a long one.
    private static let lengths = Array(0...(PerlBytes.inlineCapacity + 2)) + [1_000]

    private static func pattern(_ count: Int, seed: UInt8 = 0) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ Int(seed) &+ 0x80) }
    }

    @Test("short strings stay inside the value, which stays 24 bytes wide")
    func layout() {
        #expect(PerlBytes.inlineCapacity == 22)
        #expect(MemoryLayout<PerlBytes>.size == 24)
        #expect(MemoryLayout<PerlValue>.size == 24)
        #expect(MemoryLayout<PerlHash.Key>.size == 24)
    }

    @Test("reads back what it was built from, in every form and through every initializer", arguments: lengths)
    func contents(count: Int) {
        let array = Self.pattern(count)
        let built: [PerlBytes] = [
            PerlBytes(array),
            array.withUnsafeBytes { PerlBytes($0) },
            array.withUnsafeBufferPointer { PerlBytes($0) },
            PerlBytes(array.lazy.map { $0 }),
            PerlBytes(AnySequence(array)),
        ]
        for bytes in built {
            #expect(bytes.count == count)
            #expect(bytes.isEmpty == (count == 0))
            #expect(Array(bytes) == array)
            #expect(bytes.elementsEqual(array))
            #expect(bytes.indices.map { bytes[$0] } == array)
            #expect(bytes.withUnsafeBytes { Array($0) } == array)
            #expect(bytes.withContiguousStorageIfAvailable { Array($0) } == array)
            #expect(bytes == built[0])
            #expect(bytes.hashValue == built[0].hashValue)
            #expect(bytes.description == array.description)
        }
    }

    @Test("equal only when the bytes are, across both forms", arguments: lengths)
    func equality(count: Int) {
        let bytes = PerlBytes(Self.pattern(count))
        #expect(bytes != PerlBytes(Self.pattern(count + 1)))
        if count > 0 {
            #expect(bytes != PerlBytes(Self.pattern(count - 1)))
            var changed = Self.pattern(count)
            changed[count - 1] ^= 1
            #expect(bytes != PerlBytes(changed))
            #expect(!(bytes == PerlBytes(changed)))
        }
    }

    @Test("orders bytes as Perl's cmp does: byte by byte, a prefix first")
    func order() {
        let strings: [[UInt8]] = [[], [0], [0, 0], [1], Array(repeating: 0x61, count: 22),
            Array(repeating: 0x61, count: 23), [0x61, 0x62], [0xFF], Array(repeating: 0xFF, count: 40)]
        for left in strings {
            for right in strings {
                #expect(
                    (PerlBytes(left) < PerlBytes(right)) == left.lexicographicallyPrecedes(right),
                    "\(left) < \(right)")
            }
        }
    }

    @Test("a value and a key built from an array hold the same bytes as one built from PerlBytes")
    func valuesAndKeys() {
        for count in Self.lengths {
            let array = Self.pattern(count)
            #expect(PerlValue.bytes(array).isIdentical(to: .bytes(PerlBytes(array))))
            #expect(PerlHash.Key.bytes(array) == .bytes(PerlBytes(array)))
            // A byte key equals the character key with the same characters (Latin-1).
            let text = String(String.UnicodeScalarView(array.map { Unicode.Scalar($0) }))
            #expect(PerlHash.Key.bytes(array) == .string(text))
            #expect(PerlHash.Key.bytes(array).hashValue == PerlHash.Key.string(text).hashValue)
            if case .bytes(let bytes) = PerlValue.bytes(array) {
                #expect(Array(bytes) == array)
            } else {
                Issue.record("not a byte string")
            }
        }
    }
}
