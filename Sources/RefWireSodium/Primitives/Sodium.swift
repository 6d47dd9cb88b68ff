import CSodium

/// The libsodium primitives the sealed channel is built from, each behind a small Swift
/// function that takes raw buffers of the right sizes: X25519, ChaCha20-Poly1305 (IETF),
/// BLAKE2b-512 and HMAC-BLAKE2b (for Noise's HKDF).
///
/// Scratch space that holds key material (``withSecureScratch(byteCount:_:)``) is wiped
/// with `sodium_memzero` before it goes.
enum Sodium {
    /// `sodium_init()`, once per process: it picks the fastest implementation of each
    /// primitive for this CPU (without it libsodium runs its portable reference code) and
    /// opens the random source. Every public entry point that reaches libsodium calls
    /// ``ensureInitialized()`` first; a Swift global is initialised exactly once, safely.
    private static let initialized: Bool = sodium_init() >= 0

    static func ensureInitialized() {
        precondition(initialized, "libsodium could not be initialised (sodium_init failed)")
    }

    // MARK: - Sizes

    /// X25519 private and public keys, and the shared secret of one exchange.
    static let x25519Bytes = 32
    /// BLAKE2b's output in Noise_*_BLAKE2b: `HASHLEN`.
    static let hashBytes = 64
    /// BLAKE2b's (and so HMAC-BLAKE2b's) block size: `BLOCKLEN`.
    static let hashBlockBytes = 128
    /// ChaCha20-Poly1305 keys, and what Noise keeps of each 64-byte HKDF output.
    static let cipherKeyBytes = 32
    /// The Poly1305 tag an AEAD ciphertext carries.
    static let aeadTagBytes = 16

    // MARK: - X25519

    /// `public = X25519(private, 9)`: the public key of a private scalar (clamped by
    /// libsodium, as RFC 7748 says).
    static func x25519PublicKey(
        of privateKey: UnsafeRawBufferPointer, into publicKey: UnsafeMutableRawBufferPointer
    ) {
        precondition(privateKey.count == x25519Bytes && publicKey.count == x25519Bytes)
        // Fails only for a scalar that clamps to zero, which clamping rules out.
        let status = crypto_scalarmult_base(
            publicKey.baseAddress!.assumingMemoryBound(to: UInt8.self),
            privateKey.baseAddress!.assumingMemoryBound(to: UInt8.self))
        precondition(status == 0, "crypto_scalarmult_base failed")
    }

    /// X25519 Diffie-Hellman. Returns `false` when the result is all zeros: `peer` is a
    /// point of small order, which contributes nothing secret (RFC 7748 section 6.1), and
    /// a peer that sends one is refused.
    static func x25519(
        _ privateKey: UnsafeRawBufferPointer, _ peer: UnsafeRawBufferPointer,
        into shared: UnsafeMutableRawBufferPointer
    ) -> Bool {
        precondition(privateKey.count == x25519Bytes && peer.count == x25519Bytes && shared.count == x25519Bytes)
        return crypto_scalarmult(
            shared.baseAddress!.assumingMemoryBound(to: UInt8.self),
            privateKey.baseAddress!.assumingMemoryBound(to: UInt8.self),
            peer.baseAddress!.assumingMemoryBound(to: UInt8.self)) == 0
    }

    // MARK: - ChaCha20-Poly1305 (IETF), Noise's ChaChaPoly

    /// The 96-bit nonce Noise's ChaChaPoly uses for counter `n`: 32 zero bits, then `n`
    /// little-endian.
    private static func withNonce<R>(_ n: UInt64, _ body: (UnsafePointer<UInt8>) -> R) -> R {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 12) { nonce in
            nonce.initialize(repeating: 0)
            withUnsafeBytes(of: n.littleEndian) { counter in
                for index in 0..<8 { nonce[4 + index] = counter[index] }
            }
            return body(UnsafePointer(nonce.baseAddress!))
        }
    }

    /// Appends `ENCRYPT(k, n, ad, plaintext)` (ciphertext, then the 16-byte tag) to `output`.
    static func aeadSeal(
        key: UnsafeRawBufferPointer, nonce: UInt64, associatedData: UnsafeRawBufferPointer,
        plaintext: UnsafeRawBufferPointer, appendingTo output: inout [UInt8]
    ) {
        precondition(key.count == cipherKeyBytes)
        let start = output.count
        output.append(contentsOf: repeatElement(0, count: plaintext.count + aeadTagBytes))
        output.withUnsafeMutableBufferPointer { buffer in
            withNonce(nonce) { nonce in
                var written: UInt64 = 0
                let status = crypto_aead_chacha20poly1305_ietf_encrypt(
                    buffer.baseAddress! + start, &written,
                    plaintext.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(plaintext.count),
                    associatedData.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(associatedData.count),
                    nil, nonce, key.baseAddress!.assumingMemoryBound(to: UInt8.self))
                precondition(status == 0 && written == UInt64(plaintext.count + aeadTagBytes))
            }
        }
    }

    /// `DECRYPT(k, n, ad, ciphertext)` into `plaintext` (exactly `ciphertext.count − 16`
    /// bytes). Returns `false`, with `plaintext` zeroed, when the tag does not verify.
    static func aeadOpen(
        key: UnsafeRawBufferPointer, nonce: UInt64, associatedData: UnsafeRawBufferPointer,
        ciphertext: UnsafeRawBufferPointer, into plaintext: UnsafeMutableRawBufferPointer
    ) -> Bool {
        precondition(key.count == cipherKeyBytes && ciphertext.count >= aeadTagBytes)
        precondition(plaintext.count == ciphertext.count - aeadTagBytes)
        // A zero-length plaintext has no buffer of its own; libsodium still wants a pointer.
        var empty: UInt8 = 0
        return withNonce(nonce) { nonce in
            withUnsafeMutablePointer(to: &empty) { empty in
                var written: UInt64 = 0
                return crypto_aead_chacha20poly1305_ietf_decrypt(
                    plaintext.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? empty, &written, nil,
                    ciphertext.baseAddress!.assumingMemoryBound(to: UInt8.self), UInt64(ciphertext.count),
                    associatedData.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(associatedData.count),
                    nonce, key.baseAddress!.assumingMemoryBound(to: UInt8.self)) == 0
            }
        }
    }

    // MARK: - BLAKE2b

    /// Unkeyed BLAKE2b-512 of `input`: Noise's `HASH`.
    static func blake2b(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) {
        precondition(output.count == hashBytes)
        let status = crypto_generichash(
            output.baseAddress!.assumingMemoryBound(to: UInt8.self), hashBytes,
            input.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(input.count), nil, 0)
        precondition(status == 0, "crypto_generichash failed")
    }

    /// HMAC (RFC 2104) over BLAKE2b-512, as Noise's HKDF uses it: `HMAC-HASH(key, data)`
    /// with a 128-byte block. `key` is at most one block (Noise's keys are 64 bytes) and
    /// `data` at most one block (Noise's HKDF inputs are at most 65 bytes).
    ///
    /// libsodium has no HMAC-BLAKE2b; both passes go through one scratch block that is
    /// wiped afterwards, since it holds the key.
    static func hmacBlake2b(
        key: UnsafeRawBufferPointer, data: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer
    ) {
        precondition(key.count <= hashBlockBytes && data.count <= hashBlockBytes && output.count == hashBytes)
        withSecureScratch(byteCount: 2 * hashBlockBytes) { scratch in
            // Inner: HASH((K ^ ipad) || data).
            pad(key, with: 0x36, into: scratch)
            UnsafeMutableRawBufferPointer(rebasing: scratch[hashBlockBytes...]).copyMemory(from: data)
            blake2b(UnsafeRawBufferPointer(rebasing: scratch[..<(hashBlockBytes + data.count)]), into: output)
            // Outer: HASH((K ^ opad) || inner).
            pad(key, with: 0x5C, into: scratch)
            UnsafeMutableRawBufferPointer(rebasing: scratch[hashBlockBytes...]).copyMemory(
                from: UnsafeRawBufferPointer(output))
            blake2b(UnsafeRawBufferPointer(rebasing: scratch[..<(hashBlockBytes + hashBytes)]), into: output)
        }
    }

    /// The first block of `scratch`: `key` zero-padded to a block, XORed with `byte`.
    private static func pad(_ key: UnsafeRawBufferPointer, with byte: UInt8, into scratch: UnsafeMutableRawBufferPointer) {
        for index in 0..<hashBlockBytes {
            scratch[index] = (index < key.count ? key[index] : 0) ^ byte
        }
    }

    // MARK: - Memory

    /// Overwrites `buffer` with zeros in a way the compiler may not optimise away.
    static func wipe(_ buffer: UnsafeMutableRawBufferPointer) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        sodium_memzero(base, buffer.count)
    }

    /// Fills `buffer` from the operating system's random source (`randombytes_buf`).
    static func randomBytes(_ buffer: UnsafeMutableRawBufferPointer) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        ensureInitialized()
        randombytes_buf(base, buffer.count)
    }
}

/// Runs `body` with `byteCount` bytes of stack or heap scratch that are wiped afterwards.
func withSecureScratch<R>(byteCount: Int, _ body: (UnsafeMutableRawBufferPointer) throws -> R) rethrows -> R {
    try withUnsafeTemporaryAllocation(byteCount: byteCount, alignment: 16) { scratch in
        scratch.initializeMemory(as: UInt8.self, repeating: 0)
        defer { Sodium.wipe(scratch) }
        return try body(scratch)
    }
}
