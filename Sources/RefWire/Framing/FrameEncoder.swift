/// Writes reference frames: `<decimal length> NUL <payload>`, exactly as
/// POE::Filter::Reference's `put` does (`length($frozen) . "\0" . $frozen`).
public struct FrameEncoder: Sendable {
    /// Payloads longer than this are refused, so that a peer enforcing the same limit
    /// is never sent a frame it must reject. Default: ``FramingLimits/default``'s.
    public var maximumFrameLength: Int

    public init(maximumFrameLength: Int = FramingLimits.default.maximumFrameLength) {
        self.maximumFrameLength = maximumFrameLength
    }

    /// Appends one frame carrying `payload` to `output`.
    ///
    /// - Throws: ``FramingError/frameTooLarge(offset:declaredLength:limit:)`` if the
    ///   payload is over ``maximumFrameLength``; its offset is `output.count`, where the
    ///   frame would have started. `output` is left unchanged.
    public func encode<Payload: Collection<UInt8>>(
        _ payload: Payload, into output: inout [UInt8]
    ) throws(FramingError) {
        let length = payload.count
        guard length <= maximumFrameLength else {
            throw .frameTooLarge(
                offset: output.count, declaredLength: UInt64(length), limit: maximumFrameLength)
        }
        Self.appendDecimal(length, to: &output)
        output.append(0)
        output.append(contentsOf: payload)
    }

    /// One frame carrying `payload`, as a new array.
    public func encode<Payload: Collection<UInt8>>(_ payload: Payload) throws(FramingError) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(payload.count + 21)
        try encode(payload, into: &output)
        return output
    }

    private static func appendDecimal(_ value: Int, to output: inout [UInt8]) {
        // At most 19 digits for a non-negative Int; built right to left.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var value = value
            var first = 20
            repeat {
                first -= 1
                digits[first] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: value % 10)
                value /= 10
            } while value > 0
            output.append(contentsOf: UnsafeBufferPointer(rebasing: digits[first..<20]))
        }
    }
}
