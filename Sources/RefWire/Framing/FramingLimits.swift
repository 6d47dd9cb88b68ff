/// The bounds a ``FrameDecoder`` enforces on untrusted input.
///
/// POE::Filter::Reference 1.37 has one bound, `MaxBuffer` (512 MiB by default), and a
/// corrupt length prefix makes it buffer up to that bound before it complains. RefWire
/// checks each limit at the earliest byte that can violate it, so a hostile or broken
/// peer costs at most a few bytes of work before the stream is refused.
public struct FramingLimits: Sendable, Hashable {
    /// The largest payload a frame may declare, in bytes. Checked the moment the length
    /// field ends, before any payload byte is buffered. Default: 16 MiB.
    public var maximumFrameLength: Int

    /// The most ASCII digits a length field may have, leading zeros included (Perl's
    /// `put` never writes leading zeros, but its `get_one` accepts them). Default: 20,
    /// enough for any length a 64-bit peer can write.
    public var maximumLengthDigits: Int

    /// The most bytes the decoder holds that have not yet been handed out as frames. A
    /// `feed` that would exceed it is refused (and changes nothing). Below
    /// `maximumFrameLength + maximumLengthDigits + 1` a largest frame can never complete:
    /// its feeds are refused. Default: 32 MiB, or one largest frame plus 64 KiB if that
    /// is more.
    public var maximumBufferedBytes: Int

    /// Creates limits. Omit `maximumBufferedBytes` to have it follow the frame limit.
    public init(
        maximumFrameLength: Int = FramingLimits.default.maximumFrameLength,
        maximumLengthDigits: Int = FramingLimits.default.maximumLengthDigits,
        maximumBufferedBytes: Int? = nil
    ) {
        precondition(maximumFrameLength >= 0, "maximumFrameLength must not be negative")
        precondition(maximumLengthDigits >= 1, "maximumLengthDigits must be at least 1")
        precondition(maximumBufferedBytes ?? 1 >= 1, "maximumBufferedBytes must be at least 1")
        let largestFrame = maximumFrameLength.addingSaturating(maximumLengthDigits).addingSaturating(1)
        let buffered = maximumBufferedBytes ?? max(32 << 20, largestFrame.addingSaturating(64 << 10))
        self.maximumFrameLength = maximumFrameLength
        self.maximumLengthDigits = maximumLengthDigits
        self.maximumBufferedBytes = buffered
    }

    /// Safe defaults for a service facing untrusted peers.
    public static let `default` = FramingLimits(
        maximumFrameLength: 16 << 20, maximumLengthDigits: 20, maximumBufferedBytes: 32 << 20)
}

extension Int {
    func addingSaturating(_ other: Int) -> Int {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? (other > 0 ? .max : .min) : sum
    }
}
