import CSodium

/// One direction of `crypto_secretstream_xchacha20poly1305`: the state that seals (push)
/// or opens (pull) that direction's frames in order.
///
/// The state lives at a fixed heap address, so no copy of the key is ever left behind by
/// a move, and is wiped in `deinit`. Owned by one ``SealedChannel``.
final class SecretStream {
    static let keyBytes = 32
    static let headerBytes = 24
    /// One tag byte and a 16-byte Poly1305 MAC per message.
    static let overhead = 17

    static let tagMessage: UInt8 = 0
    static let tagPush: UInt8 = 1
    static let tagRekey: UInt8 = 2
    static let tagFinal: UInt8 = 3

    private let state: UnsafeMutablePointer<crypto_secretstream_xchacha20poly1305_state>

    /// The state for `key` and `header`, for pushing or pulling.
    ///
    /// Pushing uses it too: libsodium's `init_push` draws the header with
    /// `randombytes_buf` and then does exactly what `init_pull` does with it, so
    /// `init_pull` on a header from the channel's own ``SealingRandomness`` is `init_push`
    /// with injectable randomness — which is what makes the test vectors reproducible.
    init(key: SecretBytes, header: UnsafeRawBufferPointer) {
        precondition(key.count == Self.keyBytes && header.count == Self.headerBytes)
        state = .allocate(capacity: 1)
        let status = crypto_secretstream_xchacha20poly1305_init_pull(
            state, header.baseAddress!.assumingMemoryBound(to: UInt8.self),
            key.readable.baseAddress!.assumingMemoryBound(to: UInt8.self))
        precondition(status == 0, "crypto_secretstream_xchacha20poly1305_init_pull failed")
    }

    deinit {
        sodium_memzero(state, MemoryLayout<crypto_secretstream_xchacha20poly1305_state>.size)
        state.deallocate()
    }

    /// Seals `message` with `tag` into `ciphertext` (`message.count + 17` bytes).
    @inline(__always)
    func push(_ message: UnsafeRawBufferPointer, tag: UInt8, into ciphertext: UnsafeMutablePointer<UInt8>) {
        let status = crypto_secretstream_xchacha20poly1305_push(
            state, ciphertext, nil, message.baseAddress?.assumingMemoryBound(to: UInt8.self),
            UInt64(message.count), nil, 0, tag)
        precondition(status == 0, "crypto_secretstream_xchacha20poly1305_push failed")
    }

    /// Opens `ciphertext` into `message` (`ciphertext.count − 17` bytes) and returns its
    /// tag, or `nil` if it does not authenticate. libsodium checks the MAC before it
    /// writes a byte of `message`, and then leaves its state as it was.
    @inline(__always)
    func pull(_ ciphertext: UnsafeRawBufferPointer, into message: UnsafeMutablePointer<UInt8>) -> UInt8? {
        guard ciphertext.count >= Self.overhead else { return nil }
        var tag: UInt8 = 0
        let status = crypto_secretstream_xchacha20poly1305_pull(
            state, message, nil, &tag, ciphertext.baseAddress!.assumingMemoryBound(to: UInt8.self),
            UInt64(ciphertext.count), nil, 0)
        return status == 0 ? tag : nil
    }
}
