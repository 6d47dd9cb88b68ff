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
    private var index: [Key: Int]?

    /// The number of keys past which lookups use an index.
    public static let indexThreshold = 16

    public init() {}

    /// A hash with room for `capacity` keys (decoders know the count up front).
    public init(minimumCapacity capacity: Int) {
        keyList.reserveCapacity(capacity)
        valueList.reserveCapacity(capacity)
    }

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
            index![key] = keyList.count - 1
        } else if keyList.count > Self.indexThreshold {
            rebuildIndex()
        }
        return nil
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
        if let index { return index[key] }
        return keyList.firstIndex(of: key)
    }

    private mutating func rebuildIndex() {
        var index = [Key: Int](minimumCapacity: keyList.count)
        for (position, key) in keyList.enumerated() { index[key] = position }
        self.index = index
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
            return left.unicodeScalars.elementsEqual(right.unicodeScalars)
        case (.bytes(let bytes), .string(let text)), (.string(let text), .bytes(let bytes)):
            return text.unicodeScalars.elementsEqual(bytes.lazy.map { Unicode.Scalar($0) })
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .bytes(let bytes):
            for byte in bytes { hasher.combine(UInt32(byte)) }
            hasher.combine(bytes.count)
        case .string(let text):
            var count = 0
            for scalar in text.unicodeScalars {
                hasher.combine(scalar.value)
                count += 1
            }
            hasher.combine(count)
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
