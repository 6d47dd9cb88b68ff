import Foundation
import RefWireSodium
import Testing

/// `refwire keygen`, run as the built executable.
@Suite("Sodium: refwire keygen")
struct KeygenTests {
    @Test("A key pair: private key owner-only, public key in FILE.pub and on standard output")
    func keyPair() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("server.key").path
        let made = try refwire(["keygen", "--out", path])
        #expect(made.status == 0, "\(made.stderr)")
        let printed = made.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let privateText = try String(contentsOfFile: path, encoding: .utf8)
        let publicText = try String(contentsOfFile: path + ".pub", encoding: .utf8)
        #expect(privateText.count == 65 && privateText.hasSuffix("\n"))
        #expect(publicText == printed + "\n")
        #expect(try StaticKeyPair(privateKeyHex: privateText).publicKey.hex == printed)
        let permissions = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(permissions == 0o600)

        let shown = try refwire(["keygen", "--public", path])
        #expect(shown.status == 0)
        #expect(shown.stdout == printed + "\n")

        // Never overwritten.
        let again = try refwire(["keygen", "--out", path])
        #expect(again.status == 74)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == privateText)
    }

    @Test("A pre-shared key, and usage errors")
    func preSharedKeyAndUsage() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("link.psk").path
        let made = try refwire(["keygen", "--psk", "--out", path])
        #expect(made.status == 0)
        #expect(made.stdout.isEmpty, "a secret is never printed")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect((try? PreSharedKey(hex: text)) != nil)
        #expect(try refwire(["keygen"]).status == 64)
        #expect(try refwire(["keygen", "--psk", "--public", path]).status == 64)
        let notAKey = try refwire(["keygen", "--public", directory.appendingPathComponent("missing").path])
        #expect(notAKey.status == 66)
    }

    private func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("refwire-keygen-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Runs the `refwire` executable built next to this test bundle.
    private func refwire(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = try Self.executable()
        process.arguments = arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // Key files and usage texts are small: both pipes fit before the process exits.
        process.waitUntilExit()
        let stdout = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return (process.terminationStatus, stdout, stderr)
    }

    private static func executable() throws -> URL {
        if let override = ProcessInfo.processInfo.environment["REFWIRE_EXECUTABLE"] {
            return URL(fileURLWithPath: override)
        }
        // The test runner (`<products>/RefWirePackageTests.xctest`) sits beside `refwire`.
        let runner = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        let binary = URL(fileURLWithPath: runner).deletingLastPathComponent().appendingPathComponent("refwire")
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: binary.path])
        }
        return binary
    }
}
