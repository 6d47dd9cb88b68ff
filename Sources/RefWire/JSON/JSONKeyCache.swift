#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Where the JSON text of hash keys already written in one document lies in the output,
/// so that a key met again is copied from there rather than read, checked and escaped
/// again: documents repeat a few keys over and over (every tweet has the same thirty).
///
/// Keys are found by their bits, not their characters. A key's bits are its characters
/// (a short key) or the address of its storage, and the decoders give every repeat of a
/// key the same storage, so a repeat is found with a few word comparisons and, as no key
/// is copied, no reference counting. Equal bits are the same key: the document being
/// written owns every key's storage for the whole encoding and changes none, so no
/// address is reused or rewritten meanwhile. Equal keys with different bits (a key
/// decoded twice into storage of its own) are merely written afresh.
struct JSONKeyCache: ~Copyable {
    /// A key's bits, zeros past its size.
    struct Bits: Equatable, BitwiseCopyable {
        var first: UInt64
        var second: UInt64
        var third: UInt64
    }

    private struct Slot {
        var bits: Bits
        /// Where the key's JSON text, quotes included, lies in the output; 0 bytes for
        /// an empty slot (a key's text is at least its two quotes).
        var start: Int
        var count: Int
    }

    /// Keys with bits wider than ``Bits`` (none today) are not cached.
    static var isUsable: Bool { MemoryLayout<PerlHash.Key>.size <= MemoryLayout<Bits>.size }

    /// Past this many keys the cache stops taking new ones: a document whose keys are
    /// mostly unique (ids as keys) would otherwise only grow it.
    private static let maximumCount = 4096

    /// Open addressing, a power of two of slots, at most half of them full; allocated
    /// when the first key is added.
    private var slots: UnsafeMutablePointer<Slot>?
    private var capacity = 0
    private var count = 0
    /// 64 less the base-2 logarithm of `capacity`.
    private var shift: UInt64 = 64
    /// Where a key lies in a hash entry.
    private let keyOffset = MemoryLayout<PerlHashEntry>.offset(of: \.key)!

    init() {}

    deinit { free(slots) }

    /// The bits of the key of `entry`, read without copying the key.
    @inline(__always)
    func bits(ofKeyOf entry: UnsafePointer<PerlHashEntry>) -> Bits {
        var bits = Bits(first: 0, second: 0, third: 0)
        withUnsafeMutableBytes(of: &bits) { target in
            target.baseAddress!.copyMemory(
                from: UnsafeRawPointer(entry) + keyOffset, byteCount: MemoryLayout<PerlHash.Key>.size)
        }
        return bits
    }

    /// Where the text of the key with `bits` lies in the output, if it was added.
    @inline(__always)
    func written(_ bits: Bits) -> (start: Int, count: Int)? {
        guard let slots else { return nil }
        var index = home(of: bits)
        while true {
            let slot = slots[index]
            if slot.count == 0 { return nil }
            if slot.bits == bits { return (slot.start, slot.count) }
            index = (index + 1) & (capacity - 1)
        }
    }

    /// Records that the text of the key with `bits`, which ``written(_:)`` did not find,
    /// lies at `start..<start + count` in the output.
    mutating func add(_ bits: Bits, start: Int, count textCount: Int) {
        guard count < Self.maximumCount else { return }
        if 2 * (count + 1) > capacity { grow() }
        insert(Slot(bits: bits, start: start, count: textCount))
        count += 1
    }

    private mutating func insert(_ slot: Slot) {
        guard let slots else { return }
        var index = home(of: slot.bits)
        while slots[index].count != 0 { index = (index + 1) & (capacity - 1) }
        slots[index] = slot
    }

    @inline(never)
    private mutating func grow() {
        let old = slots
        let oldCapacity = capacity
        capacity = Swift.max(64, capacity * 2)
        shift = UInt64(capacity.leadingZeroBitCount + 1)
        // calloc: zeroed slots are empty ones.
        guard let memory = calloc(capacity, MemoryLayout<Slot>.stride) else { fatalError("out of memory") }
        slots = memory.bindMemory(to: Slot.self, capacity: capacity)
        if let old {
            for index in 0..<oldCapacity where old[index].count != 0 { insert(old[index]) }
            free(old)
        }
    }

    /// The slot to look for `bits` from: every word multiplied into all the bits above
    /// it, and the top bits of the last product taken, which all of the key's bits reach
    /// (short keys that are numbers differ only in their last few characters, and long
    /// keys' addresses only in their middle bits).
    @inline(__always)
    private func home(of bits: Bits) -> Int {
        let mixed = bits.first &* 0x9E37_79B9_7F4A_7C15 ^ bits.second &* 0xC2B2_AE3D_27D4_EB4F ^ bits.third
        return Int(truncatingIfNeeded: (mixed &* 0xBF58_476D_1CE4_E5B9) >> shift)
    }
}

/// The order the keys of hashes already written in canonical order sorted into, found
/// by the keys' bits as ``JSONKeyCache`` finds one key: documents repeat their records,
/// every record of a kind a hash of the same keys in the same order (each twitter.json
/// user has the same forty), which sort the same way every time. A repeat costs a read of
/// its keys' bits and a comparison, where sorting copies every key and compares them.
struct JSONKeyOrderCache: ~Copyable {
    private struct Slot {
        var hash: Int
        /// Where the hash's key bits lie in `keyBits`, and its positions in key order in
        /// `positions`; 0 keys for an empty slot.
        var start: Int
        var count: Int
    }

    private static let slotCount = 256
    /// Past this many orders, or keys in all, the cache stops taking new ones.
    private static let maximumOrders = 128
    private static let maximumKeys = 1 << 14

    /// `slotCount` slots, open addressing, allocated when the first order is added.
    private var slots: UnsafeMutablePointer<Slot>?
    private var orderCount = 0
    private var keyBits = ScratchStack<JSONKeyCache.Bits>()
    private var positions = ScratchStack<Int>()

    init() {}

    deinit { free(slots) }

    /// The positions, in key order, of the entries of a hash whose keys have `bits` in
    /// the hash's order, if such a hash was added; valid until the next ``add(_:for:)``.
    func order(of bits: UnsafeBufferPointer<JSONKeyCache.Bits>) -> UnsafeBufferPointer<Int>? {
        guard let slots, let bitsStart = bits.baseAddress else { return nil }
        let hash = Self.hash(of: bits)
        var index = hash & (Self.slotCount - 1)
        while slots[index].count != 0 {
            let slot = slots[index]
            if slot.hash == hash && slot.count == bits.count
                && memcmp(
                    keyBits.buffer(slot.start..<slot.start + slot.count).baseAddress!, bitsStart,
                    bits.count * MemoryLayout<JSONKeyCache.Bits>.stride) == 0
            {
                return UnsafeBufferPointer(positions.buffer(slot.start..<slot.start + slot.count))
            }
            index = (index + 1) & (Self.slotCount - 1)
        }
        return nil
    }

    /// Records that the entries of a hash whose keys have `bits`, which ``order(of:)`` did
    /// not find, are in key order at `order`.
    mutating func add(_ order: UnsafeBufferPointer<Int>, for bits: UnsafeBufferPointer<JSONKeyCache.Bits>) {
        guard !bits.isEmpty, orderCount < Self.maximumOrders, keyBits.count + bits.count <= Self.maximumKeys else { return }
        if slots == nil {
            // calloc: zeroed slots are empty ones.
            guard let memory = calloc(Self.slotCount, MemoryLayout<Slot>.stride) else { fatalError("out of memory") }
            slots = memory.bindMemory(to: Slot.self, capacity: Self.slotCount)
        }
        guard let slots else { return }
        let hash = Self.hash(of: bits)
        var index = hash & (Self.slotCount - 1)
        while slots[index].count != 0 { index = (index + 1) & (Self.slotCount - 1) }
        slots[index] = Slot(hash: hash, start: keyBits.count, count: bits.count)
        keyBits.append(contentsOf: bits)
        positions.append(contentsOf: order)
        orderCount += 1
    }

    /// The keys' bits folded into one word, each multiplied into all the bits above it,
    /// the top bits brought down for the slot.
    private static func hash(of bits: UnsafeBufferPointer<JSONKeyCache.Bits>) -> Int {
        var mixed = UInt64(bits.count)
        for key in bits {
            mixed = (mixed ^ key.first ^ key.second &* 0xC2B2_AE3D_27D4_EB4F ^ key.third) &* 0x9E37_79B9_7F4A_7C15
        }
        return Int(truncatingIfNeeded: mixed >> 32 ^ mixed)
    }
}
