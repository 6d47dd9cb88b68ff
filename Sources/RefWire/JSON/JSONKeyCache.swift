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
    struct Bits: Equatable {
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
