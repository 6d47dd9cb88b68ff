/// Noise's `SymmetricState` (Noise Protocol Framework, revision 34, section 5.2) for
/// `25519_ChaChaPoly_BLAKE2b`: the chaining key `ck`, the handshake hash `h`, and the
/// cipher key `k` with its nonce `n` — the running transcript that binds every byte of
/// the handshake, and the keys derived from every Diffie-Hellman result so far.
///
/// A class so that its secrets live in ``SecretBytes`` that are wiped when it goes; owned
/// by exactly one ``NoiseHandshake``.
final class SymmetricState {
    /// `ck`: secret.
    private let chainingKey = SecretBytes(count: Sodium.hashBytes)
    /// `k`, the first 32 bytes of an HKDF output: secret.
    private let cipherKey = SecretBytes(count: Sodium.cipherKeyBytes)
    private var hasKey = false
    /// `n`: the nonce of the next encryption under `k`.
    private var nonce: UInt64 = 0
    /// `h`: the hash of everything the handshake has sent so far. Public (it is only a
    /// commitment), and after the handshake the session's channel-binding value.
    private(set) var handshakeHash: [UInt8]

    /// `InitializeSymmetric(protocol_name)`.
    init(protocolName: String) {
        let name = Array(protocolName.utf8)
        if name.count <= Sodium.hashBytes {
            handshakeHash = name + [UInt8](repeating: 0, count: Sodium.hashBytes - name.count)
        } else {
            handshakeHash = [UInt8](repeating: 0, count: Sodium.hashBytes)
            name.withUnsafeBytes { input in
                handshakeHash.withUnsafeMutableBytes { Sodium.blake2b(input, into: $0) }
            }
        }
        handshakeHash.withUnsafeBytes { chainingKey.bytes.copyMemory(from: $0) }
    }

    /// Whether `k` is set, so that handshake payloads and static keys travel encrypted.
    var isKeyed: Bool { hasKey }

    /// `MixHash(data)`: `h = HASH(h || data)`.
    func mixHash(_ data: UnsafeRawBufferPointer) {
        var input = handshakeHash
        input.append(contentsOf: data)
        input.withUnsafeBytes { input in
            handshakeHash.withUnsafeMutableBytes { Sodium.blake2b(input, into: $0) }
        }
    }

    /// `MixKey(input_key_material)`: `ck, temp_k = HKDF(ck, ikm, 2)`; `k = temp_k[0..<32]`.
    func mixKey(_ inputKeyMaterial: UnsafeRawBufferPointer) {
        let outputs = hkdf(inputKeyMaterial, outputs: 2)
        chainingKey.bytes.copyMemory(from: outputs.prefix(Sodium.hashBytes))
        setKey(from: UnsafeRawBufferPointer(rebasing: outputs.readable[Sodium.hashBytes...]))
    }

    /// `MixKeyAndHash(input_key_material)`: `ck, temp_h, temp_k = HKDF(ck, ikm, 3)`;
    /// `MixHash(temp_h)`; `k = temp_k[0..<32]`. Used for the pre-shared key.
    func mixKeyAndHash(_ inputKeyMaterial: UnsafeRawBufferPointer) {
        let outputs = hkdf(inputKeyMaterial, outputs: 3)
        let hashBytes = Sodium.hashBytes
        chainingKey.bytes.copyMemory(from: outputs.prefix(hashBytes))
        mixHash(UnsafeRawBufferPointer(rebasing: outputs.readable[hashBytes..<(2 * hashBytes)]))
        setKey(from: UnsafeRawBufferPointer(rebasing: outputs.readable[(2 * hashBytes)...]))
    }

    /// `EncryptAndHash(plaintext)`, appending the result to `output`.
    func encryptAndHash(_ plaintext: UnsafeRawBufferPointer, appendingTo output: inout [UInt8]) {
        let start = output.count
        if hasKey {
            handshakeHash.withUnsafeBytes { associatedData in
                Sodium.aeadSeal(
                    key: cipherKey.readable, nonce: nonce, associatedData: associatedData,
                    plaintext: plaintext, appendingTo: &output)
            }
            nonce += 1
        } else {
            output.append(contentsOf: plaintext)
        }
        output[start...].withUnsafeBytes { mixHash($0) }
    }

    /// `DecryptAndHash(ciphertext)` into `plaintext` (16 bytes shorter when keyed).
    /// Returns `false` when the ciphertext does not authenticate; the state must then be
    /// abandoned.
    func decryptAndHash(_ ciphertext: UnsafeRawBufferPointer, into plaintext: UnsafeMutableRawBufferPointer) -> Bool {
        if hasKey {
            let opened = handshakeHash.withUnsafeBytes { associatedData in
                Sodium.aeadOpen(
                    key: cipherKey.readable, nonce: nonce, associatedData: associatedData,
                    ciphertext: ciphertext, into: plaintext)
            }
            guard opened else { return false }
            nonce += 1
        } else {
            plaintext.copyMemory(from: ciphertext)
        }
        mixHash(ciphertext)
        return true
    }

    /// The length `EncryptAndHash` gives for `plaintextLength` bytes now.
    func sealedLength(_ plaintextLength: Int) -> Int {
        plaintextLength + (hasKey ? Sodium.aeadTagBytes : 0)
    }

    /// `Split()`: `temp_k1, temp_k2 = HKDF(ck, "", 2)`, each cut to 32 bytes. The first
    /// key is the initiator's sending key, the second the responder's.
    func split() -> (initiatorToResponder: SecretBytes, responderToInitiator: SecretBytes) {
        let outputs = hkdf(UnsafeRawBufferPointer(start: nil, count: 0), outputs: 2)
        let first = SecretBytes(copying: outputs.prefix(Sodium.cipherKeyBytes))
        let second = SecretBytes(
            copying: UnsafeRawBufferPointer(
                rebasing: outputs.readable[Sodium.hashBytes..<(Sodium.hashBytes + Sodium.cipherKeyBytes)]))
        return (first, second)
    }

    private func setKey(from output: UnsafeRawBufferPointer) {
        cipherKey.bytes.copyMemory(from: UnsafeRawBufferPointer(rebasing: output[..<Sodium.cipherKeyBytes]))
        hasKey = true
        nonce = 0
    }

    /// Noise's `HKDF(ck, ikm, n)` with HMAC-BLAKE2b: `n` (2 or 3) outputs of 64 bytes,
    /// one after the other.
    ///
    ///     temp_key = HMAC(ck, ikm)
    ///     output1  = HMAC(temp_key, 0x01)
    ///     output2  = HMAC(temp_key, output1 || 0x02)
    ///     output3  = HMAC(temp_key, output2 || 0x03)
    private func hkdf(_ inputKeyMaterial: UnsafeRawBufferPointer, outputs count: Int) -> SecretBytes {
        let hashBytes = Sodium.hashBytes
        let outputs = SecretBytes(count: count * hashBytes)
        withSecureScratch(byteCount: 2 * hashBytes + 1) { scratch in
            let temporaryKey = UnsafeMutableRawBufferPointer(rebasing: scratch[..<hashBytes])
            let input = UnsafeMutableRawBufferPointer(rebasing: scratch[hashBytes...])
            Sodium.hmacBlake2b(key: chainingKey.readable, data: inputKeyMaterial, into: temporaryKey)
            var inputLength = 0
            for index in 0..<count {
                input[inputLength] = UInt8(index + 1)
                let output = UnsafeMutableRawBufferPointer(
                    rebasing: outputs.bytes[(index * hashBytes)..<((index + 1) * hashBytes)])
                Sodium.hmacBlake2b(
                    key: UnsafeRawBufferPointer(temporaryKey),
                    data: UnsafeRawBufferPointer(rebasing: input[..<(inputLength + 1)]), into: output)
                // The next input is this output followed by the next counter byte.
                input.copyMemory(from: UnsafeRawBufferPointer(output))
                inputLength = hashBytes
            }
        }
        return outputs
    }
}
