/// The contents of a Perl hash: keys mapped to values, in a kept order.
///
/// Perl hashes have no order, but serialized ones do, and a round trip that keeps it
/// reproduces the peer's bytes. So `PerlHash` keeps insertion order for iteration and
/// encoding, while its equality, like Perl's, ignores order.
///
/// Small hashes (the common case in messages) are searched linearly; an index is built
/// once a hash grows past ``indexThreshold`` keys, so lookups stay O(1) and building a
/// hash stays linear.
public struct PerlHash: Sendable {
    /// A hash key: a byte string or a character string, as Perl keeps it.
    ///
    /// Keys compare as Perl compares them, by their characters: the byte key `"caf\xE9"`
    /// and the character key `"café"` are the same key. Which kind a key is survives a
    /// round trip (Storable records it per key).
    public enum Key: Sendable {
        case bytes([UInt8])
        case string(String)
    }

    /// A restricted hash's extra state (`Hash::Util::lock_keys` and friends), or `nil`
    /// for an ordinary hash. Perl's own comparisons ignore it; ``PerlValue/isIdentical(to:)``
    /// does not.
    public var restriction: Restriction?

    /// What makes a hash restricted: Perl refuses to store any key not in the hash or in
    /// ``allowedKeys``, and to change the values of ``lockedKeys``.
    public struct Restriction: Hashable, Sendable {
        /// Keys the hash may hold but does not hold now (Perl's placeholders).
        public var allowedKeys: [Key]
        /// Keys whose values are read-only.
        public var lockedKeys: Set<Key>

        public init(allowedKeys: [Key] = [], lockedKeys: Set<Key> = []) {
            self.allowedKeys = allowedKeys
            self.lockedKeys = lockedKeys
        }
    }

    private var keyList: [Key] = []
    private var valueList: [PerlValue] = []
    /// Positions by key, present only when the hash has more than `indexThreshold` keys.
    private var index: KeyIndex?

    /// The number of keys past which lookups use an index.
    public static let indexThreshold = 8

    public init() {}

    /// A hash with room for `capacity` keys (decoders know the count up front).
    public init(minimumCapacity capacity: Int) {
        keyList.reserveCapacity(capacity)
        valueList.reserveCapacity(capacity)
    }

    /// Keys the index should have room for when it is first built.
    private var expectedCount: Int { keyList.capacity }

    public var count: Int { keyList.count }
    public var isEmpty: Bool { keyList.isEmpty }

    /// The keys, in order.
    public var keys: [Key] { keyList }
    /// The values, in the order of ``keys``.
    public var values: [PerlValue] { valueList }

    /// The value for `key`, or `nil`. Setting `nil` removes the key.
    public subscript(key: Key) -> PerlValue? {
        get { position(of: key).map { valueList[$0] } }
        set {
            if let newValue {
                updateValue(newValue, forKey: key)
            } else {
                removeValue(forKey: key)
            }
        }
    }

    /// The value for the character-string key `key`, or `nil`.
    public subscript(key: String) -> PerlValue? {
        get { self[.string(key)] }
        set { self[.string(key)] = newValue }
    }

    /// Sets the value for `key`, keeping the key's position if it exists.
    /// - Returns: the value it replaced, if any.
    @discardableResult
    public mutating func updateValue(_ value: PerlValue, forKey key: Key) -> PerlValue? {
        if let position = position(of: key) {
            let old = valueList[position]
            valueList[position] = value
            return old
        }
        keyList.append(key)
        valueList.append(value)
        if index != nil {
            if !index!.insert(position: keyList.count - 1, of: keyList) { rebuildIndex() }
        } else if keyList.count > Self.indexThreshold {
            rebuildIndex()
        }
        return nil
    }

    /// Replaces every value with `transform(value)`, keeping keys and order.
    mutating func transformValues(_ transform: (PerlValue) throws -> PerlValue) rethrows {
        for position in valueList.indices { valueList[position] = try transform(valueList[position]) }
    }

    /// Removes `key`. - Returns: its value, if it was present.
    @discardableResult
    public mutating func removeValue(forKey key: Key) -> PerlValue? {
        guard let position = position(of: key) else { return nil }
        keyList.remove(at: position)
        let old = valueList.remove(at: position)
        if keyList.count > Self.indexThreshold {
            rebuildIndex()
        } else {
            index = nil
        }
        return old
    }

    private func position(of key: Key) -> Int? {
        if let index { return index.position(of: key, in: keyList) }
        return keyList.firstIndex(of: key)
    }

    private mutating func rebuildIndex() {
        index = KeyIndex(keys: keyList, expecting: Swift.max(keyList.count, expectedCount))
    }
}

/// An open-addressing table of positions into a hash's key list.
///
/// Keys are not stored twice and are hashed with a fast seeded hash over their bytes
/// rather than `Hasher`: building the index of every large hash a decoder reads is on
/// the hot path. The seed is random per process, so a peer cannot choose colliding keys
/// offline.
private struct KeyIndex: Sendable {
    /// Position + 1 of the key hashed to each slot; 0 for an empty slot.
    private var slots: [Int32]
    private var mask: Int
    private var count = 0

    /// An index of `keys`, sized so that `expected` keys fit without rebuilding.
    init(keys: [PerlHash.Key], expecting expected: Int) {
        var capacity = 16
        while capacity < expected * 2 { capacity <<= 1 }
        slots = Array(repeating: 0, count: capacity)
        mask = capacity - 1
        for position in keys.indices { _ = insert(position: position, of: keys) }
    }

    func position(of key: PerlHash.Key, in keys: [PerlHash.Key]) -> Int? {
        var slot = key.fastHash & mask
        while true {
            let entry = Int(slots[slot])
            if entry == 0 { return nil }
            if keys[entry - 1] == key { return entry - 1 }
            slot = (slot + 1) & mask
        }
    }

    /// Records `keys[position]`, known not to be in the table.
    /// - Returns: `false` when the table is full enough to need rebuilding instead.
    mutating func insert(position: Int, of keys: [PerlHash.Key]) -> Bool {
        guard (count + 1) * 2 <= slots.count, position < Int(Int32.max) else { return false }
        var slot = keys[position].fastHash & mask
        while slots[slot] != 0 { slot = (slot + 1) & mask }
        slots[slot] = Int32(position + 1)
        count += 1
        return true
    }
}

private let keyHashSeed = UInt64.random(in: 1...UInt64.max)

extension PerlHash.Key {
    /// A seeded multiply-rotate hash of the key's characters as Latin-1 bytes when they
    /// fit (so equal byte and character keys agree), else of its UTF-8.
    fileprivate var fastHash: Int {
        switch self {
        case .bytes(let bytes):
            return bytes.withUnsafeBytes { Self.hash($0, seed: keyHashSeed) }
        case .string(var text):
            if let hash = text.withUTF8({ utf8 in
                utf8.allSatisfy({ $0 < 0x80 }) ? Self.hash(UnsafeRawBufferPointer(utf8), seed: keyHashSeed) : nil
            }) {
                return hash
            }
            if text.unicodeScalars.allSatisfy({ $0.value <= 0xFF }) {
                return text.unicodeScalars.map { UInt8($0.value) }.withUnsafeBytes { Self.hash($0, seed: keyHashSeed) }
            }
            return text.withUTF8 { Self.hash(UnsafeRawBufferPointer($0), seed: ~keyHashSeed) }
        }
    }

    private static func hash(_ bytes: UnsafeRawBufferPointer, seed: UInt64) -> Int {
        var state = seed ^ (UInt64(bytes.count) &* 0x9E37_79B9_7F4A_7C15)
        var offset = 0
        while offset + 8 <= bytes.count {
            state = (state ^ bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) &* 0xBF58_476D_1CE4_E5B9
            state ^= state >> 31
            offset += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while offset < bytes.count {
            tail |= UInt64(bytes[offset]) << shift
            shift += 8
            offset += 1
        }
        state = (state ^ tail) &* 0x94D0_49BB_1331_11EB
        state ^= state >> 29
        state = state &* 0xBF58_476D_1CE4_E5B9
        state ^= state >> 32
        return Int(truncatingIfNeeded: state)
    }
}

extension PerlHash: Sequence {
    public struct Iterator: IteratorProtocol {
        fileprivate var keys: IndexingIterator<[Key]>
        fileprivate var values: IndexingIterator<[PerlValue]>
        public mutating func next() -> (key: Key, value: PerlValue)? {
            guard let key = keys.next(), let value = values.next() else { return nil }
            return (key, value)
        }
    }

    public func makeIterator() -> Iterator {
        Iterator(keys: keyList.makeIterator(), values: valueList.makeIterator())
    }

    public var underestimatedCount: Int { count }
}

extension PerlHash: ExpressibleByDictionaryLiteral {
    /// Later duplicates replace earlier ones, as in a Perl hash constructor.
    public init(dictionaryLiteral elements: (Key, PerlValue)...) {
        self.init(minimumCapacity: elements.count)
        for (key, value) in elements { updateValue(value, forKey: key) }
    }
}

// MARK: - Keys

extension PerlHash.Key: Hashable {
    /// Equal when the characters are equal: a byte is the character with its code point.
    public static func == (lhs: Self, rhs: Self) -> Bool {
        switch (lhs, rhs) {
        case (.bytes(let left), .bytes(let right)):
            return left == right
        case (.string(let left), .string(let right)):
            // Perl compares code points; Swift's `==` would fold canonical equivalents.
            // Equal UTF-8 is equal code points.
            return left.utf8.elementsEqual(right.utf8)
        case (.bytes(let bytes), .string(let text)), (.string(let text), .bytes(let bytes)):
            return text.unicodeScalars.elementsEqual(bytes.lazy.map { Unicode.Scalar($0) })
        }
    }

    /// Hashes the key's characters as Latin-1 bytes when they all fit (so a byte key and
    /// the character key equal to it hash alike), in bulk: keys are hashed on every
    /// lookup in a large hash, and per-character hashing dominated decoding.
    public func hash(into hasher: inout Hasher) {
        switch self {
        case .bytes(let bytes):
            bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
            hasher.combine(bytes.count)
        case .string(var text):
            let isASCII = text.withUTF8 { utf8 in
                utf8.allSatisfy { $0 < 0x80 } ? { hasher.combine(bytes: UnsafeRawBufferPointer(utf8)); return true }() : false
            }
            if isASCII {
                hasher.combine(text.utf8.count)
            } else if text.unicodeScalars.allSatisfy({ $0.value <= 0xFF }) {
                let latin1 = text.unicodeScalars.map { UInt8($0.value) }
                latin1.withUnsafeBytes { hasher.combine(bytes: $0) }
                hasher.combine(latin1.count)
            } else {
                // No byte key can equal this one; any hash consistent among character
                // keys will do.
                text.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
                hasher.combine(-1 as Int)
            }
        }
    }
}

extension PerlHash.Key: ExpressibleByStringLiteral, CustomStringConvertible {
    /// A literal key is a character string.
    public init(stringLiteral value: String) { self = .string(value) }

    /// The key's characters (a byte key read as Latin-1).
    public var description: String {
        switch self {
        case .string(let text): return text
        case .bytes(let bytes): return String(latin1: bytes)
        }
    }
}

// MARK: - Equality

extension PerlHash: Equatable {
    /// Same keys with equal values, in any order — as Perl sees two hashes.
    /// Values containing aliases are compared by ``PerlValue``'s `==`, which tracks
    /// sharing across the whole value.
    public static func == (lhs: PerlHash, rhs: PerlHash) -> Bool {
        PerlValue.hash(lhs) == PerlValue.hash(rhs)
    }
}
