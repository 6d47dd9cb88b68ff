#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

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
        /// A key without the UTF-8 flag; short ones are held inside the key.
        case bytes(PerlBytes)
        case string(String)

        /// A byte key holding the bytes of `array`.
        @inlinable
        public static func bytes(_ array: [UInt8]) -> Key { .bytes(PerlBytes(array)) }
    }

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

    /// Entries in insertion order, shared copy-on-write; `nil` for an empty hash that has
    /// no restriction. One allocation holds every entry, so a hash costs one object (two
    /// past ``indexThreshold`` keys, with its index) and `PerlValue` stays small.
    /// Safe to send: the storage is only ever mutated while this hash alone holds it.
    nonisolated(unsafe) private var storage: PerlHashStorage?

    /// The number of keys past which lookups use an index.
    public static let indexThreshold = 8

    public init() {}

    /// A hash with room for `capacity` keys (decoders know the count up front).
    public init(minimumCapacity capacity: Int) {
        if capacity > 0 { storage = .make(capacity: capacity) }
    }

    public var count: Int { storage?.count ?? 0 }
    public var isEmpty: Bool { count == 0 }

    /// The keys, in order.
    public var keys: [Key] { withEntries { $0.map(\.key) } }
    /// The values, in the order of ``keys``.
    public var values: [PerlValue] { withEntries { $0.map(\.value) } }

    /// A restricted hash's extra state (`Hash::Util::lock_keys` and friends), or `nil`
    /// for an ordinary hash. Perl's own comparisons ignore it; ``PerlValue/isIdentical(to:)``
    /// does not.
    public var restriction: Restriction? {
        get { storage?.withUnsafeMutablePointerToHeader { $0.pointee.restriction } }
        set {
            guard newValue != nil || storage != nil else { return }
            uniqueStorage(minimumCapacity: count).withUnsafeMutablePointerToHeader { $0.pointee.restriction = newValue }
        }
    }

    /// The value for `key`, or `nil`. Setting `nil` removes the key.
    public subscript(key: Key) -> PerlValue? {
        get {
            guard let storage, let position = storage.position(of: key, hash: key.indexHash) else { return nil }
            return storage.withEntries { $0[position].value }
        }
        set {
            if let newValue {
                updateValue(newValue, forKey: key)
            } else {
                removeValue(forKey: key)
            }
        }
    }

    /// The value for `key`, trying the entry at `expected` first; `expected` moves past
    /// the entry found. Readers that take a hash's keys in the order it holds them (the
    /// Codable bridge reading a struct whose fields came in declaration order) then find
    /// each with one comparison instead of a hashed lookup.
    func value(forKey key: Key, expectedAt expected: inout Int) -> PerlValue? {
        guard let storage else { return nil }
        let guess = expected
        let position: Int? =
            if guess < storage.count, storage.withEntries({ $0[guess].key == key }) {
                guess
            } else {
                storage.position(of: key, hash: key.indexHash)
            }
        guard let position else { return nil }
        expected = position + 1
        return storage.withEntries { $0[position].value }
    }

    /// The identity of the hash's storage, for telling hashes apart cheaply; `nil` when
    /// the hash is empty.
    var storageIdentity: ObjectIdentifier? { storage.map(ObjectIdentifier.init) }

    /// The value for the character-string key `key`, or `nil`.
    public subscript(key: String) -> PerlValue? {
        get { self[.string(key)] }
        set { self[.string(key)] = newValue }
    }

    /// Sets the value for `key`, keeping the key's position if it exists.
    /// - Returns: the value it replaced, if any.
    @discardableResult
    public mutating func updateValue(_ value: PerlValue, forKey key: Key) -> PerlValue? {
        updateValue(value, forKey: key, hash: key.indexHash)
    }

    /// ``updateValue(_:forKey:)`` with the key's ``Key/indexHash`` already known: decoders
    /// read the same keys over and over and keep their hashes.
    @discardableResult
    mutating func updateValue(_ value: consuming PerlValue, forKey key: consuming Key, hash: Int) -> PerlValue? {
        if let position = storage?.position(of: key, hash: hash) {
            return uniqueStorage(minimumCapacity: count).withEntries { entries in
                swap(&entries[position].value, &value)
                return value
            }
        }
        uniqueStorage(minimumCapacity: count + 1).append(PerlHashEntry(key: key, value: value, hash: hash))
        return nil
    }

    /// Whether an entry's key has the ``Key/indexHash`` `hash`: `false` proves a key with
    /// that hash absent without comparing keys (`true` may be another key's collision).
    func containsEntry(withHash hash: Int) -> Bool {
        storage?.containsEntry(withHash: hash) ?? false
    }

    /// Appends `key`, whose ``Key/indexHash`` is `hash`, with `value`: for decoders, which
    /// know the key absent (see ``containsEntry(withHash:)``) and skip the search for it.
    mutating func appendNew(_ value: consuming PerlValue, forKey key: consuming Key, hash: Int) {
        makeUnique(minimumCapacity: count + 1)
        storage.unsafelyUnwrapped.append(PerlHashEntry(key: key, value: value, hash: hash))
    }

    /// For decoders that hold a whole object's keys and values before making its hash:
    /// the hash of `count` entries, the `position`th made by `entry(position)` with the
    /// key whose ``Key/indexHash`` is `hash(position)`, in one allocation with its index
    /// built once; or `nil`, before `entry` is called at all, if two of the hashes are
    /// equal (a repeated key, or rarely a collision), for the caller to resolve with
    /// ``updateValue(_:forKey:hash:)``.
    ///
    /// Appending entry by entry checks uniqueness, capacity and the index at every key;
    /// here the hashes are checked against each other first, and nothing else is.
    @inline(__always)
    static func withDistinctHashes(
        count: Int, hash: (Int) -> Int, entry: (Int) -> (key: Key, value: PerlValue)
    ) -> PerlHash? {
        withDistinctHashes(count: count, hash: hash) { entries in
            for position in 0..<count {
                let (key, value) = entry(position)
                (entries + position).initialize(to: PerlHashEntry(key: key, value: value, hash: hash(position)))
            }
        }
    }

    /// The same for a decoder that keeps whole entries: `entries` are moved into the
    /// hash, a copy of their bytes, when their hashes are distinct; else they stay where
    /// they are and the result is `nil`. (Moving each key and value out of an entry on
    /// its own compiled to a copy of both and a destruction of the entry: a retain and a
    /// release of every string and container.)
    @inline(__always)
    static func moving(distinctEntries entries: UnsafeMutableBufferPointer<PerlHashEntry>) -> PerlHash? {
        guard let source = entries.baseAddress else { return PerlHash() }
        return withDistinctHashes(count: entries.count, hash: { entries[$0].hash }) {
            $0.moveInitialize(from: source, count: entries.count)
        }
    }

    /// The hash whose `count` entries `initialize` puts in place, if the `count` hashes
    /// are distinct.
    @inline(__always)
    private static func withDistinctHashes(
        count: Int, hash: (Int) -> Int, initialize: (UnsafeMutablePointer<PerlHashEntry>) -> Void
    ) -> PerlHash? {
        guard count > 0 else { return PerlHash() }
        guard count < Int(Int32.max) else { return nil }
        var index: PerlHashIndex?
        if count > indexThreshold {
            guard let built = PerlHashIndex(distinctHashes: count, hash: hash) else { return nil }
            index = built
        } else {
            for position in 1..<count {
                let current = hash(position)
                for earlier in 0..<position where hash(earlier) == current { return nil }
            }
        }
        let storage = PerlHashStorage.make(capacity: count)
        storage.withUnsafeMutablePointers { header, entries in
            initialize(entries)
            header.pointee.count = count
            header.pointee.index = index
        }
        var made = PerlHash()
        made.storage = storage
        return made
    }

    /// Replaces every value with `transform(value)`, keeping keys and order.
    mutating func transformValues(_ transform: (PerlValue) throws -> PerlValue) rethrows {
        guard !isEmpty else { return }
        try uniqueStorage(minimumCapacity: count).withEntries { entries in
            for position in entries.indices { entries[position].value = try transform(entries[position].value) }
        }
    }

    /// Removes `key`. - Returns: its value, if it was present.
    @discardableResult
    public mutating func removeValue(forKey key: Key) -> PerlValue? {
        guard let position = storage?.position(of: key, hash: key.indexHash) else { return nil }
        return uniqueStorage(minimumCapacity: count).remove(at: position)
    }

    /// The entries, in order, for reading without copying them out.
    func withEntries<Result, Failure: Error>(
        _ body: (UnsafeBufferPointer<PerlHashEntry>) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        guard let storage else { return try body(UnsafeBufferPointer(start: nil, count: 0)) }
        return try storage.withEntries { entries throws(Failure) in try body(UnsafeBufferPointer(entries)) }
    }

    /// The entries and header, borrowed from the storage: see `PerlValue+Borrowing.swift`
    /// for when that is sound.
    @inline(__always)
    var borrowed: Borrowed {
        guard let storage else { return Borrowed(entries: UnsafeBufferPointer(start: nil, count: 0), header: nil) }
        let header = storage.withUnsafeMutablePointerToHeader { UnsafePointer($0) }
        let entries = storage.withUnsafeMutablePointerToElements { UnsafePointer($0) }
        return Borrowed(entries: UnsafeBufferPointer(start: entries, count: header.pointee.count), header: header)
    }

    /// Storage this hash alone owns, with room for `minimumCapacity` entries.
    private mutating func uniqueStorage(minimumCapacity: Int) -> PerlHashStorage {
        makeUnique(minimumCapacity: minimumCapacity)
        return storage.unsafelyUnwrapped
    }

    /// Makes `storage` this hash's alone, with room for `minimumCapacity` entries. Callers
    /// on hot paths use `storage` in place after it: a returned reference costs a retain.
    private mutating func makeUnique(minimumCapacity: Int) {
        let isUnique = isKnownUniquelyReferenced(&storage)
        let current = storage?.entryCapacity ?? 0
        if isUnique, current >= minimumCapacity { return }
        let capacity = minimumCapacity > current ? Swift.max(minimumCapacity, current * 2, 4) : current
        let fresh = PerlHashStorage.make(capacity: capacity)
        if let storage { fresh.fill(from: storage, moving: isUnique) }
        storage = fresh
    }
}

/// One key and its value, with the key's ``PerlHash/Key/indexHash``.
struct PerlHashEntry {
    var key: PerlHash.Key
    var value: PerlValue
    let hash: Int
}

struct PerlHashHeader {
    var count = 0
    let capacity: Int
    var restriction: PerlHash.Restriction?
    /// Positions by key, present only when the hash has more than `indexThreshold` keys.
    var index: PerlHashIndex?
}

/// A hash's entries, tail-allocated after its header. Mutated only through a `PerlHash`
/// that holds it alone (copy-on-write).
final class PerlHashStorage: ManagedBuffer<PerlHashHeader, PerlHashEntry> {
    static func make(capacity: Int) -> PerlHashStorage {
        let buffer = create(minimumCapacity: capacity) { _ in PerlHashHeader(capacity: capacity) }
        return unsafeDowncast(buffer, to: PerlHashStorage.self)
    }

    var count: Int { withUnsafeMutablePointerToHeader { $0.pointee.count } }
    var entryCapacity: Int { withUnsafeMutablePointerToHeader { $0.pointee.capacity } }

    /// Entry by entry: `deinitialize(count:)` of many goes through the runtime's generic
    /// `swift_arrayDestroy`, which looks up and calls the entry type's destroy witness
    /// for each one; one at a time, each is destroyed by code compiled for the type
    /// (1–3 % of a Storable decode, whose result is destroyed within the pass).
    deinit {
        withUnsafeMutablePointers { header, entries in
            for position in 0..<header.pointee.count { (entries + position).deinitialize(count: 1) }
        }
    }

    @inline(__always)
    func withEntries<Result, Failure: Error>(
        _ body: (UnsafeMutableBufferPointer<PerlHashEntry>) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        let count = self.count
        return try withUnsafeMutablePointerToElements { entries throws(Failure) in
            try body(UnsafeMutableBufferPointer(start: entries, count: count))
        }
    }

    /// The position of `key`, whose index hash is `hash`.
    func position(of key: PerlHash.Key, hash: Int) -> Int? {
        withUnsafeMutablePointers { header, entries in
            if header.pointee.index != nil {
                return header.pointee.index.unsafelyUnwrapped.position(hash: hash) {
                    entries[$0].hash == hash && entries[$0].key == key
                }
            }
            for position in 0..<header.pointee.count where entries[position].hash == hash && entries[position].key == key {
                return position
            }
            return nil
        }
    }

    func containsEntry(withHash hash: Int) -> Bool {
        withUnsafeMutablePointers { header, entries in
            if header.pointee.index != nil {
                return header.pointee.index.unsafelyUnwrapped.position(hash: hash) { entries[$0].hash == hash } != nil
            }
            for position in 0..<header.pointee.count where entries[position].hash == hash { return true }
            return false
        }
    }

    /// Appends an entry whose key is not present; the capacity is known to suffice.
    ///
    /// The pointers are taken out of their closures (`self` outlives this call) so that
    /// no closure keeps `self` alive with a retain and a release per entry.
    @inline(__always)
    func append(_ entry: consuming PerlHashEntry) {
        let header = withUnsafeMutablePointerToHeader { $0 }
        let entries = withUnsafeMutablePointerToElements { $0 }
        let position = header.pointee.count
        let hash = entry.hash
        (entries + position).initialize(to: entry)
        header.pointee.count += 1
        if header.pointee.index != nil {
            if !header.pointee.index!.insert(position: position, hash: hash) { rebuildIndex(header, entries) }
        } else if position >= PerlHash.indexThreshold {
            rebuildIndex(header, entries)
        }
    }

    func remove(at position: Int) -> PerlValue {
        withUnsafeMutablePointers { header, entries in
            let removed = (entries + position).move()
            let count = header.pointee.count
            (entries + position).moveInitialize(from: entries + position + 1, count: count - position - 1)
            header.pointee.count -= 1
            if header.pointee.count > PerlHash.indexThreshold {
                rebuildIndex(header, entries)
            } else {
                header.pointee.index = nil
            }
            return removed.value
        }
    }

    /// Fills this fresh storage with `other`'s entries: moved out of it (leaving it empty)
    /// when nothing else holds it, else copied.
    func fill(from other: PerlHashStorage, moving: Bool) {
        other.withUnsafeMutablePointers { source, sourceEntries in
            withUnsafeMutablePointers { header, entries in
                if moving {
                    entries.moveInitialize(from: sourceEntries, count: source.pointee.count)
                } else {
                    entries.initialize(from: sourceEntries, count: source.pointee.count)
                }
                header.pointee.count = source.pointee.count
                header.pointee.restriction = source.pointee.restriction
                header.pointee.index = source.pointee.index
                if moving { source.pointee.count = 0 }
            }
        }
    }

    private func rebuildIndex(_ header: UnsafeMutablePointer<PerlHashHeader>, _ entries: UnsafeMutablePointer<PerlHashEntry>) {
        let count = header.pointee.count
        var index = PerlHashIndex(expecting: Swift.max(count, header.pointee.capacity))
        for position in 0..<count { _ = index.insert(position: position, hash: entries[position].hash) }
        header.pointee.index = index
    }
}

/// An open-addressing table of positions into a hash's entries, probed by the hashes the
/// entries keep, so neither building nor growing it hashes a key again.
struct PerlHashIndex {
    /// Position + 1 of the entry hashed to each slot; 0 for an empty slot.
    private var slots: [Int32]
    private var count = 0

    /// An empty index sized so that `expected` keys fit without rebuilding.
    init(expecting expected: Int) {
        var capacity = 16
        while capacity < expected * 2 { capacity <<= 1 }
        slots = Array(repeating: 0, count: capacity)
    }

    func position(hash: Int, where matches: (Int) -> Bool) -> Int? {
        slots.withUnsafeBufferPointer { slots in
            let mask = slots.count - 1
            var slot = hash & mask
            while true {
                let entry = Int(slots[slot])
                if entry == 0 { return nil }
                if matches(entry - 1) { return entry - 1 }
                slot = (slot + 1) & mask
            }
        }
    }

    /// An index of `count` entries whose hashes `hash` gives, or `nil` if two of them
    /// have the same hash. One pass over the slots' buffer: taking it entry by entry
    /// checked the array's uniqueness at every key.
    @inline(__always)
    init?(distinctHashes count: Int, hash: (Int) -> Int) {
        self.init(expecting: count)
        self.count = count
        let distinct = slots.withUnsafeMutableBufferPointer { slots in
            let mask = slots.count - 1
            for position in 0..<count {
                let current = hash(position)
                var slot = current & mask
                while slots[slot] != 0 {
                    if hash(Int(slots[slot]) - 1) == current { return false }
                    slot = (slot + 1) & mask
                }
                slots[slot] = Int32(position + 1)
            }
            return true
        }
        guard distinct else { return nil }
    }

    /// Records the entry at `position`, known not to be in the table.
    /// - Returns: `false` when the table is full enough to need rebuilding instead.
    mutating func insert(position: Int, hash: Int) -> Bool {
        guard (count + 1) * 2 <= slots.count, position < Int(Int32.max) else { return false }
        count += 1
        return slots.withUnsafeMutableBufferPointer { slots in
            let mask = slots.count - 1
            var slot = hash & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(position + 1)
            return true
        }
    }
}

private let keyHashSeed = UInt64.random(in: 1...UInt64.max)

extension PerlHash.Key {
    /// The hash a ``PerlHash`` files this key under: a seeded multiply-rotate hash of its
    /// characters as Latin-1 bytes when they fit (so equal byte and character keys agree),
    /// else of its UTF-8. Not `Hasher`: hashing keys is on every decoder's hot path. The
    /// seed is random per process, so a peer cannot choose colliding keys offline.
    var indexHash: Int {
        switch self {
        case .bytes(let bytes):
            return bytes.withUnsafeBytes { Self.indexHash(latin1: $0) }
        case .string(var text):
            if let hash = text.withUTF8({ utf8 in
                utf8.allSatisfy({ $0 < 0x80 }) ? Self.indexHash(latin1: UnsafeRawBufferPointer(utf8)) : nil
            }) {
                return hash
            }
            if text.unicodeScalars.allSatisfy({ $0.value <= 0xFF }) {
                return text.unicodeScalars.map { UInt8($0.value) }.withUnsafeBytes { Self.indexHash(latin1: $0) }
            }
            return text.withUTF8 { Self.hash(UnsafeRawBufferPointer($0), seed: ~keyHashSeed) }
        }
    }

    /// ``indexHash`` of the key whose characters are these Latin-1 bytes.
    static func indexHash(latin1 bytes: UnsafeRawBufferPointer) -> Int {
        hash(bytes, seed: keyHashSeed)
    }

    /// Whole words, then the last (overlapping) word or the short tail read in at most
    /// two loads: no loop over single bytes.
    private static func hash(_ bytes: UnsafeRawBufferPointer, seed: UInt64) -> Int {
        let count = bytes.count
        var state = seed ^ (UInt64(count) &* 0x9E37_79B9_7F4A_7C15)
        var tail: UInt64
        if count >= 8 {
            var offset = 0
            while offset + 8 < count {
                state = (state ^ bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) &* 0xBF58_476D_1CE4_E5B9
                state ^= state >> 31
                offset += 8
            }
            tail = bytes.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
        } else if count >= 4 {
            tail = UInt64(bytes.loadUnaligned(as: UInt32.self))
                | UInt64(bytes.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self)) << 32
        } else if count > 0 {
            tail = UInt64(bytes[0]) | UInt64(bytes[count / 2]) << 8 | UInt64(bytes[count - 1]) << 16
        } else {
            tail = 0
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
        fileprivate let storage: PerlHashStorage?
        fileprivate var position = 0

        public mutating func next() -> (key: Key, value: PerlValue)? {
            guard let storage, position < storage.count else { return nil }
            defer { position += 1 }
            return storage.withEntries { ($0[position].key, $0[position].value) }
        }
    }

    public func makeIterator() -> Iterator { Iterator(storage: storage) }

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
            return utf8Equal(left, right)
        case (.bytes(let bytes), .string(let text)), (.string(let text), .bytes(let bytes)):
            return text.unicodeScalars.elementsEqual(bytes.lazy.map { Unicode.Scalar($0) })
        }
    }

    /// Whether two strings have the same UTF-8, compared in bulk: lookups by key (the
    /// Codable bridge does one per field) compare keys far more often than they hash them.
    private static func utf8Equal(_ left: String, _ right: String) -> Bool {
        guard left.utf8.count == right.utf8.count else { return false }
        let contiguous = left.utf8.withContiguousStorageIfAvailable { left in
            right.utf8.withContiguousStorageIfAvailable { right in
                left.isEmpty || memcmp(left.baseAddress!, right.baseAddress!, left.count) == 0
            }
        }
        return (contiguous ?? nil) ?? left.utf8.elementsEqual(right.utf8)
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

extension PerlHash.Key: Comparable {
    /// Perl's `cmp` on keys (what `sort keys %hash` and canonical encodings use): by code
    /// point, a byte being the code point of its value. UTF-8's byte order is code
    /// point order, so keys of one kind compare as bytes.
    public static func < (lhs: Self, rhs: Self) -> Bool {
        switch (lhs, rhs) {
        case (.bytes(let left), .bytes(let right)):
            return left < right
        case (.string(let left), .string(let right)):
            return left.utf8.lexicographicallyPrecedes(right.utf8)
        default:
            return lhs.codePoints.lexicographicallyPrecedes(rhs.codePoints)
        }
    }

    private var codePoints: [UInt32] {
        switch self {
        case .bytes(let bytes): return bytes.map { UInt32($0) }
        case .string(let text): return text.unicodeScalars.map(\.value)
        }
    }

    /// `<` on two keys where they lie, for encoders walking a value through pointers
    /// (see `PerlValue+Borrowing.swift`): keys of one kind are compared as bytes in
    /// place, without copying (so retaining) either.
    static func precedes(_ lhs: UnsafePointer<Self>, _ rhs: UnsafePointer<Self>) -> Bool {
        if let left = lhs.pointee.borrowedBytes, let right = rhs.pointee.borrowedBytes {
            return PerlBytes.Borrowed.precedes(left, right)
        }
        if case .string = lhs.pointee, case .string = rhs.pointee {
            return withUTF8(ofStringKey: lhs) { left in
                withUTF8(ofStringKey: rhs) { right in
                    PerlBytes.precedes(UnsafeRawBufferPointer(left), UnsafeRawBufferPointer(right))
                }
            }
        }
        return lhs.pointee < rhs.pointee
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
