import Foundation
@testable import RefWireConformance
import Testing

/// The second implementation of Spec/protocol.md — a server and a client in Perl with
/// POE, written from the spec alone (`Perl/`, see its README) — checked by the same
/// suite through `refwire conform`, as a user would check theirs: proof that the spec
/// is implementable outside Swift, and that the suite judges another implementation.
@Suite("The Perl/POE implementation of the protocol passes the conformance suite", .serialized)
struct PerlImplementationTests {
    /// `Perl/NAME`, quoted for `/bin/sh`.
    static func script(_ name: String) -> String {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Perl").appendingPathComponent(name).path
        return "'" + path.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// A serializer and compression, as both `refwire` and the Perl scripts name them.
    struct Setting: CustomTestStringConvertible, Sendable {
        var serializer: String
        var compressed: Bool
        var perlArguments: String { "\(serializer) \(compressed ? 1 : 0)" }
        var refwireOptions: String { "--serializer \(serializer)" + (compressed ? " --compress" : "") }
        var testDescription: String { serializer + (compressed ? " + zlib" : "") }
    }

    static let serverSettings = [
        Setting(serializer: "nstorable", compressed: false), Setting(serializer: "nstorable", compressed: true),
        Setting(serializer: "storable", compressed: false), Setting(serializer: "yaml", compressed: false),
        Setting(serializer: "yamlxs", compressed: true), Setting(serializer: "json", compressed: false),
    ]
    static let clientSettings = [
        Setting(serializer: "nstorable", compressed: false), Setting(serializer: "yaml", compressed: true),
        Setting(serializer: "json", compressed: false),
    ]

    @Test("refwire conform --server against session_server.pl", arguments: serverSettings)
    func server(_ setting: Setting) async throws {
        let binary = try #require(RefWireBinary.quoted, "the refwire executable was not found (set REFWIRE_EXECUTABLE)")
        let server = try await ClientProcess(
            command: "exec perl \(Self.script("session_server.pl")) \(setting.perlArguments) 0",
            environment: ["REFWIRE_POE_SECONDS": "300"])
        let portLine = try await server.nextLine(by: .now + .seconds(30))
        let port = try #require(portLine.flatMap { Int(String(decoding: $0, as: UTF8.self)) }, "no port from session_server.pl")

        let run = try await runCommand(
            "exec \(binary) conform --server 127.0.0.1:\(port) \(setting.refwireOptions) --timeout 10",
            timeout: .seconds(240))
        await server.closeInput()
        _ = await server.exitStatus(within: .seconds(10))

        let table = try #require(Table(run.lines), "no table: \(run.lines.suffix(5))")
        #expect(run.status == 0, "\(run.lines.filter { $0.hasPrefix("FAIL") })")
        #expect(table.failed == 0 && table.failLines == 0, "\(run.lines.filter { $0.hasPrefix("FAIL") })")
        #expect(table.passed >= 40, "\(table.passed) scenarios passed")
        print("PerlImplementation server \(setting.testDescription): \(run.lines.last ?? ""), \(table.skipped) skipped")
    }

    @Test("refwire conform --client session_client.pl", arguments: clientSettings)
    func client(_ setting: Setting) async throws {
        let binary = try #require(RefWireBinary.quoted, "the refwire executable was not found (set REFWIRE_EXECUTABLE)")
        let client = "perl \(Self.script("session_client.pl")) \(setting.perlArguments)"
        let quotedClient = "'" + client.replacingOccurrences(of: "'", with: "'\\''") + "'"
        let run = try await runCommand(
            "exec \(binary) conform --client \(quotedClient) \(setting.refwireOptions) --timeout 10",
            timeout: .seconds(300))

        let table = try #require(Table(run.lines), "no table: \(run.lines.suffix(5))")
        #expect(run.status == 0, "\(run.lines.filter { $0.hasPrefix("FAIL") })")
        #expect(table.failed == 0 && table.failLines == 0, "\(run.lines.filter { $0.hasPrefix("FAIL") })")
        #expect(table.passed >= 40, "\(table.passed) scenarios passed")
        print("PerlImplementation client \(setting.testDescription): \(run.lines.last ?? ""), \(table.skipped) skipped")
    }
}
