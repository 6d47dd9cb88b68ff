import RefWire
import Testing

@Suite("Storable's shared key cache")
struct StorableKeyCacheTests {
    @Test("The same key bytes under other flags make another key, once the cache is on")
    func flagsKeepKeysApart() throws {
        // "ā" (U+0101, past Latin-1) as a character key is the bytes C4 81 with the UTF-8
        // flag; as a byte key, the same bytes without it. The cache starts after 256 keys, and predicts each key
        // from the one before: 600 hashes alternating the two must keep them apart.
        let records: [PerlValue] = (0..<600).map { index in
            var hash = PerlHash()
            hash.updateValue(.integer(Int64(index)), forKey: index.isMultiple(of: 2) ? .string("ā") : .bytes([0xC4, 0x81]))
            hash.updateValue(.undef, forKey: .string("next"))
            return .hash(hash)
        }
        let value = PerlValue.array(records)
        let decoded = try StorableDecoder().decode(StorableEncoder().encode(value))
        #expect(decoded.isIdentical(to: value))
    }
}
