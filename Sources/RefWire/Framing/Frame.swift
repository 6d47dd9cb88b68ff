/// One reference frame: the payload that followed a `length NUL` prefix.
///
/// A frame holds the decoder's buffer and the payload's bounds (four words) rather than
/// an `ArraySlice` (four words by itself) beside the offset. Swift 6.3 destroys an
/// `Optional` of a struct of more than four words through an outlined, metadata-driven
/// value witness: some 70 instructions more than the single `swift_release` a four-word
/// payload gets, paid once per frame by every `while let frame = try decoder.nextFrame()`
/// (measured with callgrind; see `Benchmarks/README.md`).
public struct Frame: Sendable {
    @usableFromInline var storage: [UInt8]
    @usableFromInline var bounds: Range<Int>

    /// The stream offset of the frame's first byte (the first digit of its length).
    public var offset: Int

    /// A frame carrying a copy of `payload`'s bytes (then indexed from zero).
    public init(payload: ArraySlice<UInt8>, offset: Int) {
        storage = Array(payload)
        bounds = storage.indices
        self.offset = offset
    }

    /// A frame whose payload is `storage[bounds]`: no copy.
    init(storage: [UInt8], bounds: Range<Int>, offset: Int) {
        self.storage = storage
        self.bounds = bounds
        self.offset = offset
    }

    /// The payload bytes. A slice of the decoder's buffer, not a copy: its indices are
    /// not zero-based (use `startIndex`, or `Array(payload)` for a fresh array).
    @inlinable
    public var payload: ArraySlice<UInt8> {
        get { storage[bounds] }
        set {
            storage = Array(newValue)
            bounds = storage.indices
        }
    }
}

extension Frame: Hashable {
    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.offset == rhs.offset && lhs.payload == rhs.payload
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(payload)
        hasher.combine(offset)
    }
}
