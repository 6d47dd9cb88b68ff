import ArgumentParser
import RefWireSodium

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// `refwire keygen`: makes the keys of a sealed channel (Spec/sealing.md, section 8).
struct Keygen: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Make a key pair or a pre-shared key for sealed channels.",
        discussion: """
            Writes a new X25519 key pair: the private key to FILE (readable by its owner \
            only) and the public key to FILE.pub, and prints the public key on standard \
            output — the 64 hex digits a peer pins. With --psk, writes a new 32-byte \
            pre-shared key to FILE instead. With --public, prints the public key of an \
            existing private key file and writes nothing.

            Key files hold one key as 64 lowercase hex digits and a newline. Existing \
            files are never overwritten.

            Exit status: 0 success; 64 usage error; 66 the private key file cannot be \
            read or holds no key; 74 a file exists or cannot be written.
            """)

    @Option(name: .shortAndLong, help: ArgumentHelp("Where to write the new key.", valueName: "file"))
    var out: String?

    @Flag(help: "Make a pre-shared key rather than a key pair.")
    var psk = false

    @Option(help: ArgumentHelp("Print the public key of this private key file.", valueName: "file"))
    var `public`: String?

    func validate() throws {
        switch (out, `public`) {
        case (nil, nil): throw ValidationError("Give --out FILE for a new key, or --public FILE.")
        case (_?, _?): throw ValidationError("--out and --public do not go together.")
        case (nil, _?) where psk: throw ValidationError("--psk makes a key; it needs --out FILE.")
        default: break
        }
    }

    func run() throws {
        try reportingFailures { () throws(CommandFailure) in
            if let path = `public` {
                let text = try KeyFile.read(path)
                do throws(KeyError) {
                    print(try StaticKeyPair(privateKeyHex: text).publicKey.hex)
                } catch {
                    throw .cannotOpen(path: path, reason: "not a private key file: \(error)")
                }
                return
            }
            let path = out!
            if psk {
                try writeKeyFile(path, PreSharedKey.generate().hex, mode: 0o600)
                return
            }
            let pair = StaticKeyPair.generate()
            try writeKeyFile(path, pair.privateKeyHex, mode: 0o600)
            try writeKeyFile(path + ".pub", pair.publicKey.hex, mode: 0o644)
            print(pair.publicKey.hex)
        }
    }

    /// Creates `path` (which must not exist) with `mode` and writes `key` and a newline.
    private func writeKeyFile(_ path: String, _ key: String, mode: mode_t) throws(CommandFailure) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw .io("cannot create \(path): \(errnoText())") }
        defer { close(descriptor) }
        let bytes = Array((key + "\n").utf8)
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + written, $0.count - written) }
            if count < 0 {
                if errno == EINTR { continue }
                throw .io("cannot write \(path): \(errnoText())")
            }
            written += count
        }
    }
}

/// Key files: one key as 64 hex digits and a newline (`refwire keygen` writes them).
enum KeyFile {
    /// The text of a key file (a few bytes; more than 4 KiB is not a key file).
    static func read(_ path: String) throws(CommandFailure) -> String {
        let source = try ByteSource.open(path: path)
        var text: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = try source.read(into: &buffer)
            if count == 0 { break }
            text += buffer[..<count]
            guard text.count <= 4096 else { throw .cannotOpen(path: path, reason: "too large for a key file") }
        }
        return String(decoding: text, as: UTF8.self)
    }
}
