/// One reference frame: the payload that followed a `length NUL` prefix.
public struct Frame: Sendable, Hashable {
    /// The payload bytes. A slice of the decoder's buffer, not a copy: its indices are
    /// not zero-based (use `startIndex`, or `Array(payload)` for a fresh array).
    public var payload: ArraySlice<UInt8>

    /// The stream offset of the frame's first byte (the first digit of its length).
    public var offset: Int

    public init(payload: ArraySlice<UInt8>, offset: Int) {
        self.payload = payload
        self.offset = offset
    }
}
