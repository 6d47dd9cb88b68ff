/// A frame arrived intact but its payload could not be turned into a message.
///
/// Unlike a ``FramingError`` this leaves the stream usable: the next frame can be read
/// (Perl's `NoFatals`). Unlike `NoFatals` it is never confused with a message: readers
/// return it as the failure side of a `Result`.
public struct PayloadError: Error, Sendable {
    /// The stream offset of the frame whose payload failed.
    public var frameOffset: Int
    /// What went wrong.
    public var reason: Reason

    public enum Reason: Sendable {
        /// The payload was not a valid zlib stream, or inflated past its limit.
        case decompression(ZlibError)
        /// The serializer refused the payload.
        case decoding(any Error & Sendable)
    }

    public init(frameOffset: Int, reason: Reason) {
        self.frameOffset = frameOffset
        self.reason = reason
    }
}

extension PayloadError: CustomStringConvertible {
    public var description: String {
        switch reason {
        case .decompression(let error):
            return "payload of the frame at byte \(frameOffset) did not inflate: \(error)"
        case .decoding(let error):
            return "payload of the frame at byte \(frameOffset) did not decode: \(error)"
        }
    }
}
