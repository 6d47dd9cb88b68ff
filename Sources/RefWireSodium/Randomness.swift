/// Where a sealed channel gets its randomness: the ephemeral X25519 keys of the handshake
/// and the secretstream header of its sending direction (Spec/sealing.md, section 4.4
/// says in which order it draws them).
///
/// Injectable so that test vectors can fix every random byte and any implementation can
/// reproduce a session byte for byte. Production code uses ``SystemRandomness``; anything
/// predictable in its place voids every guarantee of the channel.
public protocol SealingRandomness: Sendable {
    /// Fills `buffer` with unpredictable bytes.
    mutating func fill(_ buffer: UnsafeMutableRawBufferPointer)
}

/// The operating system's random source, through libsodium's `randombytes_buf`.
public struct SystemRandomness: SealingRandomness {
    public init() {}

    public mutating func fill(_ buffer: UnsafeMutableRawBufferPointer) {
        Sodium.randomBytes(buffer)
    }
}
