/// Why a stream of reference frames could not be read.
///
/// Every case but ``bufferLimitExceeded(bufferedBytes:incomingBytes:limit:)`` means the
/// stream itself is corrupt: the decoder has lost frame synchronisation, keeps throwing
/// the same error, and must be discarded (with the connection it reads). A payload that
/// merely fails to *decode* is not a framing error: see ``PayloadError``.
///
/// Offsets count bytes from the start of the stream.
public enum FramingError: Error, Hashable, Sendable {
    /// A byte other than an ASCII digit where a length field should be, or a NUL that
    /// ends a length field with no digits. POE's `get_one` would wait forever here.
    case invalidLengthPrefix(offset: Int, byte: UInt8)

    /// A length field with more digits than ``FramingLimits/maximumLengthDigits``.
    /// `offset` is the frame's first byte.
    case lengthFieldTooLong(offset: Int, limit: Int)

    /// A length field declaring more than ``FramingLimits/maximumFrameLength`` bytes.
    /// `declaredLength` saturates at `UInt64.max`.
    case frameTooLarge(offset: Int, declaredLength: UInt64, limit: Int)

    /// The input ended inside a frame: `bufferedBytes` of it (length field included)
    /// had arrived; `expectedBytes` is the frame's full size once its length is known.
    case truncatedFrame(offset: Int, bufferedBytes: Int, expectedBytes: Int?)

    /// A `feed` would have held more than ``FramingLimits/maximumBufferedBytes``
    /// unread bytes. The bytes were not taken; the stream is intact. Read the frames
    /// that are ready, then feed again.
    case bufferLimitExceeded(bufferedBytes: Int, incomingBytes: Int, limit: Int)

    /// Whether the stream is unusable after this error.
    public var isFatal: Bool {
        if case .bufferLimitExceeded = self { return false }
        return true
    }

    /// Where in the stream the problem lies, when that is a single place.
    public var offset: Int? {
        switch self {
        case .invalidLengthPrefix(let offset, _), .lengthFieldTooLong(let offset, _),
            .frameTooLarge(let offset, _, _), .truncatedFrame(let offset, _, _):
            return offset
        case .bufferLimitExceeded:
            return nil
        }
    }
}

extension FramingError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .invalidLengthPrefix(let offset, let byte):
            let shown = (0x21...0x7E).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))'" : "0x" + String(byte, radix: 16, uppercase: true)
            return "invalid length prefix at byte \(offset): expected an ASCII digit or NUL after digits, found \(shown)"
        case .lengthFieldTooLong(let offset, let limit):
            return "length field of the frame at byte \(offset) has more than \(limit) digits"
        case .frameTooLarge(let offset, let declared, let limit):
            let shown = declared == .max ? "more than \(UInt64.max)" : String(declared)
            return "frame at byte \(offset) declares \(shown) bytes, more than the limit of \(limit)"
        case .truncatedFrame(let offset, let buffered, let expected):
            if let expected {
                return "input ended inside the frame at byte \(offset): \(buffered) of \(expected) bytes arrived"
            }
            return "input ended inside the length field of the frame at byte \(offset) (\(buffered) bytes arrived)"
        case .bufferLimitExceeded(let buffered, let incoming, let limit):
            return "feeding \(incoming) bytes to \(buffered) unread bytes would exceed the buffer limit of \(limit)"
        }
    }
}
