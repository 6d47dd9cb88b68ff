/// Read access to the storage a value holds, without copying the value.
///
/// Every copy of a `PerlValue` that holds an array, a hash or an out-of-line string is an
/// atomic retain and, later, an atomic release. An encoder that copies each member out of
/// its container to write it spends most of its time on them: Storable's encoder spent
/// 58 % of its time on twitter in `swift_retain` and `swift_release`, JSON's 24 % on
/// citm_catalog. The compiler cannot drop those copies itself: between loading a member
/// and its last use, the writer calls mutating methods that, for all it can tell, could
/// free the container the member lives in.
///
/// So encoders walk a value through pointers instead, and take the storage of each member
/// through these accessors, which end the member's copy before any call. They are sound
/// only under the rule every walker here keeps: the root value it was given owns every
/// container and string it reaches, and nothing mutates that root while the walk runs, so
/// no storage a pointer reaches moves or dies under it.
///
/// The walker switches on `pointer.pointee` with patterns that bind only trivial payloads
/// (numbers, anchors) and reaches the others through these accessors: a pattern that
/// binds an array or string keeps the whole value copied across the case's calls.
extension PerlValue {
    /// A `.array`'s elements, borrowed from its storage.
    @inline(__always)
    var borrowedElements: UnsafeBufferPointer<PerlValue>? {
        guard case .array(let elements) = self else { return nil }
        return elements.withUnsafeBufferPointer { $0 }
    }

    /// A `.hash`'s entries and restriction, borrowed from its storage.
    @inline(__always)
    var borrowedHash: PerlHash.Borrowed? {
        guard case .hash(let hash) = self else { return nil }
        return hash.borrowed
    }

    /// A `.bytes` value's bytes: copied when held inline, else borrowed from its storage.
    @inline(__always)
    var borrowedBytes: PerlBytes.Borrowed? {
        guard case .bytes(let bytes) = self else { return nil }
        return bytes.borrowed
    }

    /// A `.string` value's UTF-8, borrowed from its storage when the string has storage of
    /// its own (see ``Swift/String/borrowedUTF8``); `nil` for other values and for small
    /// strings, which copying costs no reference counting.
    @inline(__always)
    var borrowedUTF8: UnsafeBufferPointer<UInt8>? {
        guard case .string(let text) = self else { return nil }
        return text.borrowedUTF8
    }
}

extension PerlHash {
    /// A hash's entries and restriction, read through pointers into its storage.
    struct Borrowed {
        var entries: UnsafeBufferPointer<PerlHashEntry>
        /// The storage's header, `nil` for an empty hash without a restriction.
        var header: UnsafePointer<PerlHashHeader>?

        var restriction: PerlHash.Restriction? { header?.pointee.restriction }
        var isRestricted: Bool { header?.pointee.restriction != nil }
    }
}

extension String {
    /// This string's UTF-8 where the string keeps it, for strings longer than a small
    /// string holds (15 bytes): their bytes live in storage the string references (or in
    /// the binary, for literals), which stays put for as long as its owner does. `nil` for
    /// shorter strings, whose bytes may live inside the `String` value itself, and for
    /// strings without contiguous UTF-8.
    @inline(__always)
    var borrowedUTF8: UnsafeBufferPointer<UInt8>? {
        guard utf8.count > 15 else { return nil }
        return utf8.withContiguousStorageIfAvailable { $0 }
    }
}

extension PerlHash.Key {
    /// A byte key's bytes, as ``PerlValue/borrowedBytes`` gives a value's.
    @inline(__always)
    var borrowedBytes: PerlBytes.Borrowed? {
        guard case .bytes(let bytes) = self else { return nil }
        return bytes.borrowed
    }

    /// A character key's UTF-8, borrowed as ``PerlValue/borrowedUTF8`` is.
    @inline(__always)
    var borrowedUTF8: UnsafeBufferPointer<UInt8>? {
        guard case .string(let text) = self else { return nil }
        return text.borrowedUTF8
    }

    /// Calls `body` with the UTF-8 of the character key at `key` (nothing for a byte
    /// key): borrowed from the key's storage, or copied from a small string, which costs
    /// no reference counting.
    @inline(__always)
    static func withUTF8<Value, Failure: Error>(
        ofStringKey key: UnsafePointer<PerlHash.Key>,
        _ body: (UnsafeBufferPointer<UInt8>) throws(Failure) -> Value
    ) throws(Failure) -> Value {
        if let utf8 = key.pointee.borrowedUTF8 { return try body(utf8) }
        guard case .string(var text) = key.pointee else { return try body(UnsafeBufferPointer(start: nil, count: 0)) }
        // `withUTF8` rethrows untyped errors: carry the typed one out as a result.
        let outcome = text.withUTF8 { utf8 in Result { () throws(Failure) -> Value in try body(utf8) } }
        return try outcome.get()
    }
}
