#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The hash keys a JSON or YAML reader has met, by their bytes.
///
/// Documents repeat their keys: every record in an array has the same ones. A key met
/// again is shared (a `String` copy: nothing for short keys, a retain for long ones)
/// instead of being built and allocated anew, as Perl shares hash keys. The bytes live
/// in one flat buffer, so a lookup is a length check and a `memcmp`, with no reference
/// counting. The table is made only once a document has shown enough keys to repeat
/// some, so small messages never pay for it; its size keeps one large document's keys
/// apart (twitter.json's 94 distinct keys, in 256 slots, missed a quarter of the time).
/// (Values repeat too, but caching them was measured to cost more than it saves on the
/// nativejson files: their repeated values are mostly long or escaped.)
struct RepeatedKeyCache {
    /// Longest key cached, in bytes.
    static let maximumLength = 40
    private static let slotCount = 1024
    /// Lookups before the table is made.
    private static let lookupsBeforeCaching = 256

    private var lookups = 0
    private var lengths: [Int] = []
    private var bytes: [UInt8] = []
    private var texts: [String] = []

    /// The key cached for `key`'s bytes, if any (a key longer than ``maximumLength``
    /// never is).
    mutating func lookup(_ key: UnsafeRawBufferPointer, hash: Int) -> String? {
        guard !texts.isEmpty else {
            lookups += 1
            if lookups > Self.lookupsBeforeCaching {
                lengths = Array(repeating: -1, count: Self.slotCount)
                bytes = Array(repeating: 0, count: Self.slotCount * Self.maximumLength)
                texts = Array(repeating: "", count: Self.slotCount)
            }
            return nil
        }
        let slot = hash & (Self.slotCount - 1)
        guard lengths[slot] == key.count else { return nil }
        let matches = bytes.withUnsafeBytes { table in
            key.isEmpty || memcmp(table.baseAddress! + slot * Self.maximumLength, key.baseAddress!, key.count) == 0
        }
        return matches ? texts[slot] : nil
    }

    mutating func store(_ text: String, for key: UnsafeRawBufferPointer, hash: Int) {
        guard !texts.isEmpty, key.count <= Self.maximumLength else { return }
        let slot = hash & (Self.slotCount - 1)
        lengths[slot] = key.count
        bytes.withUnsafeMutableBytes { table in
            guard let source = key.baseAddress else { return }
            (table.baseAddress! + slot * Self.maximumLength).copyMemory(from: source, byteCount: key.count)
        }
        texts[slot] = text
    }
}
