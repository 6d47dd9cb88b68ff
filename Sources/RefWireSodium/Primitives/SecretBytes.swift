/// A fixed-size buffer of secret bytes (a key, a chaining key, a private scalar) on the
/// heap, wiped with `sodium_memzero` when the last reference goes.
///
/// A class rather than an array: an array's storage may be copied by the runtime (growth,
/// copy-on-write) and the old copy freed unwiped, and it cannot run code when it dies.
/// Each instance is owned by one handshake or channel, which is itself uniquely owned
/// (``SealedChannel`` is `~Copyable`); the bytes are mutated only through that owner.
final class SecretBytes {
    let bytes: UnsafeMutableRawBufferPointer

    /// `count` zero bytes.
    init(count: Int) {
        bytes = .allocate(byteCount: count, alignment: 16)
        bytes.initializeMemory(as: UInt8.self, repeating: 0)
    }

    /// A copy of `source`.
    convenience init(copying source: UnsafeRawBufferPointer) {
        self.init(count: source.count)
        bytes.copyMemory(from: source)
    }

    /// A copy of `source`.
    convenience init(copying source: some Collection<UInt8>) {
        self.init(count: source.count)
        _ = bytes.initializeMemory(as: UInt8.self, from: source)
    }

    /// `count` bytes from `randomness`.
    convenience init(count: Int, randomness: inout some SealingRandomness) {
        self.init(count: count)
        randomness.fill(bytes)
    }

    deinit {
        Sodium.wipe(bytes)
        bytes.deallocate()
    }

    var count: Int { bytes.count }

    /// Read-only view of the bytes.
    var readable: UnsafeRawBufferPointer { UnsafeRawBufferPointer(bytes) }

    /// The first `count` bytes, read-only.
    func prefix(_ count: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: bytes[..<count])
    }
}

// Immutable after `init` wherever it is shared (keys in a configuration); otherwise
// confined to one uniquely owned handshake or channel.
extension SecretBytes: @unchecked Sendable {}
