import RefWire
import RefWireTestSupport
import Testing

/// `PerlHash` keeps its entries in one copy-on-write buffer with an index past
/// `indexThreshold` keys; these tests hold it to a plain list of pairs under random edits.
@Suite("PerlHash")
struct PerlHashTests {
    /// The reference: pairs in insertion order, searched by Perl's key equality.
    private struct Model {
        var pairs: [(key: PerlHash.Key, value: PerlValue)] = []

        func position(of key: PerlHash.Key) -> Int? { pairs.firstIndex { $0.key == key } }

        mutating func update(_ value: PerlValue, for key: PerlHash.Key) -> PerlValue? {
            if let position = position(of: key) {
                defer { pairs[position].value = value }
                return pairs[position].value
            }
            pairs.append((key, value))
            return nil
        }

        mutating func remove(_ key: PerlHash.Key) -> PerlValue? {
            guard let position = position(of: key) else { return nil }
            return pairs.remove(at: position).value
        }
    }

    /// Keys from a small pool, so that edits hit existing keys often; the same characters
    /// come as byte keys and as character keys, which Perl treats as one key.
    private static func key(_ random: inout SeededRandom) -> PerlHash.Key {
        let number = random.next(upperBound: 40)
        let text = number.isMultiple(of: 7) ? "clé\(number)" : "key\(number)"
        if random.next(upperBound: 2) == 0 { return .string(text) }
        return .bytes(text.unicodeScalars.map { UInt8($0.value) })
    }

    private static func expectMatches(_ hash: PerlHash, _ model: Model, _ context: Comment) {
        #expect(hash.count == model.pairs.count, context)
        #expect(hash.keys.elementsEqual(model.pairs.map(\.key)) { $0 == $1 && $0.isSameKind(as: $1) }, context)
        #expect(hash.values == model.pairs.map(\.value), context)
        for (key, value) in model.pairs { #expect(hash[key] == value, context) }
    }

    @Test("random inserts, updates and removals agree with a list of pairs, across the index threshold")
    func randomEdits() {
        for seed in UInt64(1)...40 {
            var random = SeededRandom(seed: seed)
            var hash = PerlHash()
            var model = Model()
            var snapshots: [(PerlHash, Model)] = []
            for step in 0..<300 {
                let key = Self.key(&random)
                switch random.next(upperBound: 10) {
                case 0..<6:
                    let value = PerlValue.integer(Int64(step))
                    #expect(hash.updateValue(value, forKey: key) == model.update(value, for: key), "seed \(seed)")
                case 6..<9:
                    #expect(hash.removeValue(forKey: key) == model.remove(key), "seed \(seed)")
                default:
                    // A copy must not see later edits of the original (and the other way round).
                    snapshots.append((hash, model))
                }
                #expect(hash[key] == model.position(of: key).map { model.pairs[$0].value }, "seed \(seed)")
            }
            Self.expectMatches(hash, model, "seed \(seed)")
            for (snapshot, snapshotModel) in snapshots { Self.expectMatches(snapshot, snapshotModel, "seed \(seed) snapshot") }
        }
    }

    @Test("a byte key and the character key with the same characters are one key, at every size")
    func byteAndCharacterKeysAgree() {
        for size in [1, PerlHash.indexThreshold, PerlHash.indexThreshold + 1, 100] {
            var hash = PerlHash()
            for number in 0..<size { hash[.bytes(Array("caf\u{E9}\(number)".unicodeScalars.map { UInt8($0.value) }))] = .integer(Int64(number)) }
            for number in 0..<size { #expect(hash["café\(number)"] == .integer(Int64(number)), "size \(size)") }
            hash["café0"] = "replaced"
            #expect(hash.count == size)
            #expect(hash.keys[0].isSameKind(as: .bytes([])), "replacing a value keeps the key as it was stored")
        }
    }

    @Test("keys order as Perl's cmp orders them: by code point, whatever their kind and length")
    func keyOrder() {
        var random = SeededRandom(seed: 7)
        // Shared prefixes, both sides of the inline limit, Latin-1 and wider characters.
        let alphabet: [Unicode.Scalar] = ["a", "b", "\u{0}", "\u{7F}", "\u{E9}", "\u{FF}", "\u{100}", "\u{1F600}"]
        var keys: [PerlHash.Key] = []
        for _ in 0..<300 {
            let length = [0, 1, 7, 8, 15, 16, 21, 22, 23, 40][random.next(upperBound: 10)]
            let scalars = (0..<length).map { _ in alphabet[random.next(upperBound: random.next(upperBound: 2) == 0 ? 2 : alphabet.count)] }
            let text = String(String.UnicodeScalarView(scalars))
            if scalars.allSatisfy({ $0.value <= 0xFF }), random.next(upperBound: 2) == 0 {
                keys.append(.bytes(scalars.map { UInt8($0.value) }))
            } else {
                keys.append(.string(text))
            }
        }
        func codePoints(_ key: PerlHash.Key) -> [UInt32] {
            switch key {
            case .bytes(let bytes): bytes.map(UInt32.init)
            case .string(let text): text.unicodeScalars.map(\.value)
            }
        }
        for left in keys.prefix(60) {
            for right in keys {
                #expect((left < right) == codePoints(left).lexicographicallyPrecedes(codePoints(right)), "\(left) < \(right)")
            }
        }
    }

    @Test("a restriction can be set on an empty hash and survives copies and edits")
    func restrictionOnEmptyHash() {
        var hash = PerlHash()
        hash.restriction = PerlHash.Restriction(allowedKeys: ["a"])
        let copy = hash
        hash["a"] = 1
        #expect(copy.isEmpty && copy.restriction?.allowedKeys == ["a"])
        #expect(hash.count == 1 && hash.restriction?.allowedKeys == ["a"])
        hash.restriction = nil
        #expect(hash.restriction == nil && copy.restriction != nil)
    }
}

extension PerlHash.Key {
    fileprivate func isSameKind(as other: Self) -> Bool {
        switch (self, other) {
        case (.bytes, .bytes), (.string, .string): true
        default: false
        }
    }
}
