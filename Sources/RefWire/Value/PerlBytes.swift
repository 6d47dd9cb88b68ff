/// The bytes of a Perl byte string (a string without the UTF-8 flag), or of a byte hash key.
///
/// Most strings in Perl data are short: hash keys, names, codes, and the numbers that
/// network-order Storable writes as text (canada.json's 111,000 coordinates arrive as
/// strings like `-65.613616999999977`). Held in an array, each would be an object of its
/// own: an allocation when decoded, an atomic retain for every copy, an atomic release and
/// a free at the end, where Perl, which shares keys and allocates from arenas, pays far
/// less. So up to ``inlineCapacity`` bytes live inside the value itself, and only longer
/// strings share an array. `PerlValue` and `PerlHash.Key` stay 24 bytes wide either way.
///
/// A `PerlBytes` is an immutable collection of bytes: build one from any sequence of
/// bytes or an array literal, read it as a collection or through ``withUnsafeBytes(_:)``.
public struct PerlBytes: Sendable {
    /// The most bytes held inside the value.
    public static var inlineCapacity: Int { InlineBytes.capacity }

    /// Which form holds the bytes is decided by their count alone (inline exactly when
    /// there are at most `inlineCapacity`), so equal contents always have equal forms.
    @usableFromInline
    enum Storage: Sendable {
        case inline(InlineBytes)
        case array([UInt8])
    }

    @usableFromInline
    var storage: Storage

    /// Empty bytes.
    public init() { storage = .inline(InlineBytes()) }

    /// The bytes `bytes` points at, copied.
    @inlinable
    public init(_ bytes: UnsafeRawBufferPointer) {
        if bytes.count <= InlineBytes.capacity {
            storage = .inline(InlineBytes(bytes))
        } else {
            storage = .array(Array(bytes))
        }
    }

    /// The bytes `bytes` points at, copied.
    @inlinable
    public init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.init(UnsafeRawBufferPointer(bytes))
    }

    /// The bytes of `array`, shared with it when they are too many to hold inline.
    @inlinable
    public init(_ array: [UInt8]) {
        if array.count <= InlineBytes.capacity {
            storage = .inline(array.withUnsafeBytes(InlineBytes.init))
        } else {
            storage = .array(array)
        }
    }

    /// The bytes of `sequence`.
    @inlinable
    public init(_ sequence: some Sequence<UInt8>) {
        if let array = sequence as? [UInt8] {
            self.init(array)
        } else if let bytes = sequence as? PerlBytes {
            self = bytes
        } else if let copied = sequence.withContiguousStorageIfAvailable({ PerlBytes($0) }) {
            self = copied
        } else {
            self.init(Array(sequence))
        }
    }

    /// Calls `body` with the bytes, contiguous. The pointer is valid only inside `body`.
    @inlinable
    public func withUnsafeBytes<Result, Failure: Error>(
        _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        switch storage {
        case .inline(let inline): return try inline.withUnsafeBytes(body)
        case .array(let array):
            // An array's storage stays where it is for as long as the array lives; taking
            // the pointer out lets `body`'s typed error through (`Array.withUnsafeBytes`
            // rethrows untyped ones).
            return try withExtendedLifetime(array) { () throws(Failure) in try body(array.withUnsafeBytes { $0 }) }
        }
    }
}

/// Up to 22 bytes and their count, in 23 bytes: the enum that holds it keeps its tag in
/// the 24th, and so does `PerlValue`. Bytes past the count are zero, so equal contents are
/// equal words.
@usableFromInline
struct InlineBytes: Sendable {
    @usableFromInline static var capacity: Int { 22 }

    @usableFromInline var head: (UInt64, UInt64) = (0, 0)
    @usableFromInline var tail: (UInt32, UInt16) = (0, 0)
    @usableFromInline var count: UInt8 = 0

    @inlinable
    init() {}

    /// `bytes` copied in; at most ``capacity`` of them.
    @inlinable
    init(_ bytes: UnsafeRawBufferPointer) {
        precondition(bytes.count <= Self.capacity)
        if let base = bytes.baseAddress {
            Swift.withUnsafeMutableBytes(of: &self) { $0.baseAddress.unsafelyUnwrapped.copyMemory(from: base, byteCount: bytes.count) }
        }
        count = UInt8(truncatingIfNeeded: bytes.count)
    }

    @inlinable
    func withUnsafeBytes<Result, Failure: Error>(
        _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        var copy = self
        let count = Int(count)
        return try Swift.withUnsafeBytes(of: &copy) { (bytes) throws(Failure) in
            try body(UnsafeRawBufferPointer(start: bytes.baseAddress, count: count))
        }
    }

    @inlinable
    static func == (lhs: InlineBytes, rhs: InlineBytes) -> Bool {
        lhs.head == rhs.head && lhs.tail == rhs.tail && lhs.count == rhs.count
    }

    /// Byte order, a word at a time: read big-endian, the first byte weighs most, and
    /// since bytes past the count are zero, a prefix ties on every word and is then
    /// first by its count.
    @inlinable
    static func < (lhs: InlineBytes, rhs: InlineBytes) -> Bool {
        if lhs.head.0 != rhs.head.0 { return lhs.head.0.bigEndian < rhs.head.0.bigEndian }
        if lhs.head.1 != rhs.head.1 { return lhs.head.1.bigEndian < rhs.head.1.bigEndian }
        if lhs.tail.0 != rhs.tail.0 { return lhs.tail.0.bigEndian < rhs.tail.0.bigEndian }
        if lhs.tail.1 != rhs.tail.1 { return lhs.tail.1.bigEndian < rhs.tail.1.bigEndian }
        return lhs.count < rhs.count
    }
}

// MARK: - Collection

extension PerlBytes: RandomAccessCollection {
    public typealias Element = UInt8
    public typealias Index = Int
    public typealias Indices = Range<Int>
    public typealias SubSequence = Slice<PerlBytes>

    @inlinable
    public var startIndex: Int { 0 }

    @inlinable
    public var endIndex: Int {
        switch storage {
        case .inline(let inline): return Int(inline.count)
        case .array(let array): return array.count
        }
    }

    @inlinable
    public var count: Int { endIndex }

    @inlinable
    public var isEmpty: Bool { endIndex == 0 }

    @inlinable
    public subscript(position: Int) -> UInt8 {
        precondition(position >= 0 && position < endIndex, "PerlBytes index out of range")
        switch storage {
        case .inline(let inline): return inline.withUnsafeBytes { $0[position] }
        case .array(let array): return array[position]
        }
    }

    @inlinable
    public func withContiguousStorageIfAvailable<Result>(
        _ body: (UnsafeBufferPointer<UInt8>) throws -> Result
    ) rethrows -> Result? {
        switch storage {
        case .inline(let inline):
            var copy = inline
            let count = Int(inline.count)
            return try Swift.withUnsafeMutableBytes(of: &copy) { bytes in
                try body(UnsafeBufferPointer(start: bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), count: count))
            }
        case .array(let array):
            return try array.withUnsafeBufferPointer(body)
        }
    }
}

// MARK: - Conformances

extension PerlBytes: Hashable {
    @inlinable
    public static func == (lhs: PerlBytes, rhs: PerlBytes) -> Bool {
        switch (lhs.storage, rhs.storage) {
        case (.inline(let left), .inline(let right)):
            return left == right
        case (.array(let left), .array(let right)):
            return left == right
        default:
            return false  // the forms differ only when the counts do
        }
    }

    public func hash(into hasher: inout Hasher) {
        withUnsafeBytes { hasher.combine(bytes: $0) }
        hasher.combine(count)
    }
}

extension PerlBytes: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: UInt8...) { self.init(elements) }
}

extension PerlBytes: CustomStringConvertible, CustomDebugStringConvertible {
    /// The bytes as an array prints them.
    public var description: String { Array(self).description }
    public var debugDescription: String { "PerlBytes(\(description))" }
}

extension PerlBytes: Comparable {
    /// Byte by byte, a prefix first: Perl's `cmp` on byte strings, and Storable's
    /// canonical order of byte keys.
    public static func < (lhs: PerlBytes, rhs: PerlBytes) -> Bool {
        Borrowed.precedes(lhs.borrowed, rhs.borrowed)
    }

    /// `<` on bytes in memory: a word at a time over the common length (keys mostly
    /// differ early, where a call to `memcmp` cost more than the comparison), then the
    /// shorter first.
    @inline(__always)
    static func precedes(_ left: UnsafeRawBufferPointer, _ right: UnsafeRawBufferPointer) -> Bool {
        let common = Swift.min(left.count, right.count)
        var offset = 0
        while offset + 8 <= common {
            let l = left.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            let r = right.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            if l != r { return l.bigEndian < r.bigEndian }
            offset += 8
        }
        while offset < common {
            if left[offset] != right[offset] { return left[offset] < right[offset] }
            offset += 1
        }
        return left.count < right.count
    }
}

extension Array where Element == UInt8 {
    /// The bytes of `bytes`, sharing its array when it holds one.
    public init(_ bytes: PerlBytes) {
        switch bytes.storage {
        case .inline(let inline): self = inline.withUnsafeBytes { Array($0) }
        case .array(let array): self = array
        }
    }
}

// MARK: - Borrowing

extension PerlBytes {
    /// Bytes read without reference counting: a copy of inline bytes, or a pointer into
    /// an array that the root value being walked owns (see `PerlValue+Borrowing.swift`).
    enum Borrowed {
        case inline(InlineBytes)
        case stored(UnsafeRawBufferPointer)

        @inline(__always)
        func withUnsafeBytes<Result, Failure: Error>(
            _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
        ) throws(Failure) -> Result {
            switch self {
            case .inline(let inline): return try inline.withUnsafeBytes(body)
            case .stored(let bytes): return try body(bytes)
            }
        }

        /// Byte order, as ``PerlBytes`` `<`.
        @inline(__always)
        static func precedes(_ lhs: Borrowed, _ rhs: Borrowed) -> Bool {
            if case .inline(let left) = lhs, case .inline(let right) = rhs { return left < right }
            return lhs.withUnsafeBytes { left in rhs.withUnsafeBytes { right in PerlBytes.precedes(left, right) } }
        }

        @inline(__always)
        func withUnsafeBufferPointer<Result, Failure: Error>(
            _ body: (UnsafeBufferPointer<UInt8>) throws(Failure) -> Result
        ) throws(Failure) -> Result {
            try withUnsafeBytes { (bytes) throws(Failure) in try body(bytes.assumingMemoryBound(to: UInt8.self)) }
        }
    }

    /// The bytes, borrowed; the copy of `self` ends before the caller uses them.
    @inline(__always)
    var borrowed: Borrowed {
        switch storage {
        case .inline(let inline): return .inline(inline)
        case .array(let array): return .stored(array.withUnsafeBytes { $0 })
        }
    }
}
