/// The hash keys a reader has met, by their bytes, each with what the reader made of it
/// (`Value`: the JSON and YAML readers keep the key's `String`, Storable's its
/// `PerlHash.Key`, hash and flags).
///
/// Documents repeat their keys: every record in an array has the same ones. A key met
/// again is shared (a `String` copy: nothing for short keys, a retain for long ones)
/// instead of being built and allocated anew, as Perl shares hash keys. The bytes live
/// in one flat buffer, so a lookup is a length check and a comparison of words, with no
/// reference counting. The table is made only once a document has shown enough keys to repeat
/// some, so small messages never pay for it; its size keeps one large document's keys
/// apart (twitter.json's 94 distinct keys, in 256 slots, missed a quarter of the time).
/// (Values repeat too, but caching them was measured to cost more than it saves on the
/// nativejson files: their repeated values are mostly long or escaped.)
///
/// Records repeat their keys in the same order too, so each cached key remembers the one
/// that followed it last time: ``predicted(at:available:followedBy:)`` (for a reader
/// that finds where a key ends) and ``predicted(_:)`` (for one that is told) check that
/// one first, with no hashing and no search.
struct RepeatedKeyCache<Value>: ~Copyable {
    /// Longest key cached, in bytes.
    static var maximumLength: Int { 40 }
    private static var slotCount: Int { 1024 }
    /// Slots a key may take, next to the one its hash names. With one, two keys of a
    /// document that named the same slot evicted each other at every record: up to one
    /// key in eleven of twitter.json's was built again, depending on the process's hash
    /// seed, and its decoding took 2-7 % more instructions. A full set gives its first
    /// slot to a newcomer.
    private static var ways: Int { 4 }
    /// Lookups before the table is made.
    private static var lookupsBeforeCaching: Int { 256 }

    private struct Slot {
        /// The key's length in bytes; -1 for an empty slot.
        var length = -1
        var hash = 0
        /// The slot of the key that followed this one last time, or -1.
        var successor = -1
        var value: Value?
    }

    private var lookups = 0
    /// `slotCount` slots once the table is made.
    private var slots: UnsafeMutablePointer<Slot>?
    /// Each slot's key bytes, `maximumLength` apart.
    private var keyBytes: UnsafeMutableRawPointer?
    /// The slot of the key met last, or -1.
    private var previous = -1

    init() {}

    deinit {
        guard let slots else { return }
        slots.deinitialize(count: Self.slotCount)
        slots.deallocate()
        keyBytes.unsafelyUnwrapped.deallocate()
    }

    /// The key that followed the previous key last time, its hash and its length, if the
    /// bytes at `start` are that key followed by `terminator` (`available` bytes may be
    /// read). The reader learns where its key ends from the prediction, without scanning.
    @inline(__always)
    mutating func predicted(at start: UnsafeRawPointer, available: Int, followedBy terminator: UInt8)
        -> (value: Value, hash: Int, count: Int)?
    {
        guard previous >= 0, let slots else { return nil }
        let slot = slots[previous].successor
        guard slot >= 0 else { return nil }
        let count = slots[slot].length
        guard count < available, start.load(fromByteOffset: count, as: UInt8.self) == terminator,
            matches(slot, UnsafeRawBufferPointer(start: start, count: count))
        else { return nil }
        previous = slot
        return (slots[slot].value.unsafelyUnwrapped, slots[slot].hash, count)
    }

    /// The key that followed the previous key last time and its hash, if `key` holds its
    /// bytes: for readers that know where a key ends, and so skip hashing it.
    @inline(__always)
    mutating func predicted(_ key: UnsafeRawBufferPointer) -> (value: Value, hash: Int)? {
        guard previous >= 0, let slots else { return nil }
        let slot = slots[previous].successor
        guard slot >= 0, matches(slot, key) else { return nil }
        previous = slot
        return (slots[slot].value.unsafelyUnwrapped, slots[slot].hash)
    }

    /// The key cached for `key`'s bytes, if any (a key longer than ``maximumLength``
    /// never is).
    mutating func lookup(_ key: UnsafeRawBufferPointer, hash: Int) -> Value? {
        guard let slots else {
            lookups += 1
            if lookups > Self.lookupsBeforeCaching {
                let table = UnsafeMutablePointer<Slot>.allocate(capacity: Self.slotCount)
                table.initialize(repeating: Slot(), count: Self.slotCount)
                self.slots = table
                keyBytes = .allocate(byteCount: Self.slotCount * Self.maximumLength, alignment: 8)
            }
            return nil
        }
        let home = hash & (Self.slotCount - 1)
        for way in 0..<Self.ways where matches(home ^ way, key) {
            follow(home ^ way)
            return slots[home ^ way].value
        }
        return nil
    }

    mutating func store(_ value: Value, for key: UnsafeRawBufferPointer, hash: Int) {
        guard let slots, key.count <= Self.maximumLength else {
            previous = -1
            return
        }
        let home = hash & (Self.slotCount - 1)
        var slot = home
        for way in 0..<Self.ways where slots[home ^ way].length < 0 {
            slot = home ^ way
            break
        }
        slots[slot].length = key.count
        slots[slot].hash = hash
        slots[slot].value = value
        if let source = key.baseAddress {
            (keyBytes.unsafelyUnwrapped + slot * Self.maximumLength).copyMemory(from: source, byteCount: key.count)
        }
        follow(slot)
    }

    /// Records that `slot`'s key came after the previous one.
    private mutating func follow(_ slot: Int) {
        if previous >= 0 { slots.unsafelyUnwrapped[previous].successor = slot }
        previous = slot
    }

    /// Whether `slot` holds `key`'s bytes: compared a word at a time (the last word
    /// overlapping), as keys are short, without a call to `memcmp`.
    @inline(__always)
    private func matches(_ slot: Int, _ key: UnsafeRawBufferPointer) -> Bool {
        let count = key.count
        guard slots.unsafelyUnwrapped[slot].length == count else { return false }
        guard let key = key.baseAddress, count > 0 else { return true }
        let cached = UnsafeRawPointer(keyBytes.unsafelyUnwrapped + slot * Self.maximumLength)
        if count >= 8 {
            var offset = 0
            while offset + 8 < count {
                if cached.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                    != key.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                {
                    return false
                }
                offset += 8
            }
            return cached.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
                == key.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
        }
        if count >= 4 {
            return cached.loadUnaligned(as: UInt32.self) == key.loadUnaligned(as: UInt32.self)
                && cached.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self)
                    == key.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self)
        }
        // One to three bytes: the first, middle and last cover them all.
        return cached.load(as: UInt8.self) == key.load(as: UInt8.self)
            && cached.load(fromByteOffset: count / 2, as: UInt8.self) == key.load(fromByteOffset: count / 2, as: UInt8.self)
            && cached.load(fromByteOffset: count - 1, as: UInt8.self) == key.load(fromByteOffset: count - 1, as: UInt8.self)
    }
}
