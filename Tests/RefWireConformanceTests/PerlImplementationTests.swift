import Foundation
import RefWire
@testable import RefWireConformance
import RefWireNIO
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

    /// The `KEY=VALUE` arguments that configure session_server.pl as `options` say.
    static func perlConfiguration(_ options: SessionServerOptions) -> [String] {
        var arguments: [String] = []
        for (key, value) in options.limits.perlValue.hashContents ?? PerlHash() {
            if case .string(let name) = key, let number = value.int64Value { arguments.append("\(name)=\(number)") }
        }
        arguments.append("serializers=" + options.serializers.map(\.name).joined(separator: ","))
        arguments.append("compression=" + options.compression.map(\.rawValue).joined(separator: ","))
        arguments.append("versions=" + options.versions.map(String.init).joined(separator: ","))
        if options.requiresSealing { arguments.append("requires_sealing=1") }
        return arguments
    }

    /// The scenarios a live run skips because they need the server configured (limits,
    /// options, a shutdown), unsealed: each against a session_server.pl started with the
    /// scenario's configuration, so that the Perl server passes every scenario it can.
    static let configuredScenarios = NIOSessionServerTests.scenarios.filter {
        $0.needsConfiguredServer && $0.parties.allSatisfy { $0.sealing == SessionSealing.none }
    }

    @Test("Scenarios that need a configured server, each against its own session_server.pl", arguments: configuredScenarios)
    func configured(_ scenario: Scenario) async throws {
        let arguments = Self.perlConfiguration(scenario.serverOptions).map { "'\($0)'" }.joined(separator: " ")
        let server = try await ClientProcess(
            command: "exec perl \(Self.script("session_server.pl")) nstorable 0 0 \(arguments)",
            environment: ["REFWIRE_POE_SECONDS": "60"])
        let portLine = try await server.nextLine(by: .now + .seconds(30))
        let port = try #require(portLine.flatMap { Int(String(decoding: $0, as: UTF8.self)) }, "no port from session_server.pl")
        var subject = SocketScenarioServer(host: "127.0.0.1", port: port, wire: WireConfiguration(), timeout: .seconds(10))
        // The script shuts down (bye to every connection) when its standard input ends.
        subject.shutdownHandler = { _ in await server.closeInput() }
        subject.disconnectSettleTime = .milliseconds(300)
        let outcome = await ScenarioRunner(driveClients: false).run(scenario, against: &subject)
        await subject.closeAll()
        await server.closeInput()
        _ = await server.exitStatus(within: .seconds(10))
        #expect(outcome.passed, "\(outcome)")
    }
}
