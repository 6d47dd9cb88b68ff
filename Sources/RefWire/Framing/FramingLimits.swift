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
    /// `feed` that would exceed it is refused (and changes nothing). Default: 32 MiB,
    /// room for one largest frame plus the next chunk of input.
    public var maximumBufferedBytes: Int

    public init(
        maximumFrameLength: Int = FramingLimits.default.maximumFrameLength,
        maximumLengthDigits: Int = FramingLimits.default.maximumLengthDigits,
        maximumBufferedBytes: Int = FramingLimits.default.maximumBufferedBytes
    ) {
        precondition(maximumFrameLength >= 0, "maximumFrameLength must not be negative")
        precondition(maximumLengthDigits >= 1, "maximumLengthDigits must be at least 1")
        precondition(maximumBufferedBytes >= 1, "maximumBufferedBytes must be at least 1")
        self.maximumFrameLength = maximumFrameLength
        self.maximumLengthDigits = maximumLengthDigits
        self.maximumBufferedBytes = maximumBufferedBytes
    }

    private init(uncheckedFrame: Int, digits: Int, buffered: Int) {
        maximumFrameLength = uncheckedFrame
        maximumLengthDigits = digits
        maximumBufferedBytes = buffered
    }

    /// Safe defaults for a service facing untrusted peers.
    public static let `default` = FramingLimits(
        uncheckedFrame: 16 << 20, digits: 20, buffered: 32 << 20)
}
