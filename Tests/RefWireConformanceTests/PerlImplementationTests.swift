import Foundation
import RefWire
@testable import RefWireConformance
import RefWireNIO
import RefWireSodium
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

    /// The failures of a `refwire conform` run, each with the lines that say why (the
    /// first few in full, then the names).
    static func failures(_ lines: [String]) -> String {
        var shown: [String] = []
        var failures = 0
        var inFailure = false
        for line in lines {
            if line.hasPrefix("FAIL") {
                failures += 1
                inFailure = failures <= 3
                shown.append(line)
            } else if inFailure && line.hasPrefix(" ") {
                shown.append(line)
            } else {
                inFailure = false
            }
        }
        return shown.joined(separator: "\n")
    }

    @Test("refwire conform --server against session_server.pl", arguments: serverSettings)
    func server(_ setting: Setting) async throws {
        let binary = try #require(RefWireBinary.quoted, "the refwire executable was not found (set REFWIRE_EXECUTABLE)")
        // The server ends itself after REFWIRE_POE_SECONDS in case the test cannot end it.
        // With 300 s and 10 s a step, one CI run saw all 54 scenarios of one setting fail,
        // in the first minutes, when every suite runs at once on two cores (alone it
        // passes; the reasons were not printed then, and are now). The likelier cause was
        // the concurrency pool held by tests blocked on child processes, which scripts/test
        // now runs apart (README); the wider bounds stay, as a run slowed that much could
        // outlive a 300 s server.
        let server = try await ClientProcess(
            command: "exec perl \(Self.script("session_server.pl")) \(setting.perlArguments) 0",
            environment: ["REFWIRE_POE_SECONDS": "900"])
        let portLine = try await server.nextLine(by: .now + .seconds(60))
        let port = try #require(portLine.flatMap { Int(String(decoding: $0, as: UTF8.self)) }, "no port from session_server.pl")

        let run = try await runCommand(
            "exec \(binary) conform --server 127.0.0.1:\(port) \(setting.refwireOptions) --timeout 30",
            timeout: .seconds(600))
        await server.closeInput()
        _ = await server.exitStatus(within: .seconds(10))

        let table = try #require(Table(run.lines), "no table: \(run.lines.suffix(5))")
        #expect(run.status == 0, "\(Self.failures(run.lines))")
        #expect(table.failed == 0 && table.failLines == 0, "\(Self.failures(run.lines))")
        #expect(table.passed >= 40, "\(table.passed) scenarios passed")
        print("PerlImplementation server \(setting.testDescription): \(run.lines.last ?? ""), \(table.skipped) skipped")
    }

    @Test("refwire conform --client session_client.pl", arguments: clientSettings)
    func client(_ setting: Setting) async throws {
        let binary = try #require(RefWireBinary.quoted, "the refwire executable was not found (set REFWIRE_EXECUTABLE)")
        let client = "perl \(Self.script("session_client.pl")) \(setting.perlArguments)"
        let quotedClient = "'" + client.replacingOccurrences(of: "'", with: "'\\''") + "'"
        let run = try await runCommand(
            "exec \(binary) conform --client \(quotedClient) \(setting.refwireOptions) --timeout 30",
            timeout: .seconds(600))

        let table = try #require(Table(run.lines), "no table: \(run.lines.suffix(5))")
        #expect(run.status == 0, "\(Self.failures(run.lines))")
        #expect(table.failed == 0 && table.failLines == 0, "\(Self.failures(run.lines))")
        #expect(table.passed >= 40, "\(table.passed) scenarios passed")
        print("PerlImplementation client \(setting.testDescription): \(run.lines.last ?? ""), \(table.skipped) skipped")
    }

    /// The scenarios a live run skips because they need the server configured (limits,
    /// options, a shutdown), unsealed: each against a session_server.pl started with the
    /// scenario's settings (`refwire conform --server-command`), so that the Perl server
    /// passes every scenario it can.
    static let configuredScenarios = NIOSessionServerTests.scenarios.filter {
        $0.needsConfiguredServer && $0.parties.allSatisfy { $0.sealing == SessionSealing.none }
    }

    @Test("Scenarios that need a configured server, each against its own session_server.pl", arguments: configuredScenarios)
    func configured(_ scenario: Scenario) async throws {
        let runner = ServerCommandRunner(command: "exec perl \(Self.script("session_server.pl")) nstorable 0 0", timeout: .seconds(10))
        let outcome = await runner.run(scenario)
        #expect(outcome.passed, "\(outcome)")
    }

    // MARK: - Sealed channels (Spec/sealing.md): Perl/Sealing.pm, libsodium through FFI::Platypus

    @Test("sealing_vectors.pl passes every vector of Spec/vectors/sealing, and fails a tampered one")
    func sealingVectors() async throws {
        let folder = try specFolder().appendingPathComponent("vectors/sealing")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".json") }.sorted()
        var vectors: [[String: Any]] = []
        for file in files {
            let data = try Data(contentsOf: folder.appendingPathComponent(file))
            let document = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            vectors += try #require(document["vectors"] as? [[String: Any]])
        }
        #expect(vectors.count >= 30)
        let run = try await runCommand("exec perl \(Self.script("sealing_vectors.pl"))", timeout: .seconds(120))
        #expect(run.status == 0, "\(run.lines.suffix(20))")
        #expect(run.lines.last == "\(vectors.count) passed, 0 failed", "\(run.lines.suffix(20))")

        // The runner can fail: one vector whose expected output has one byte changed.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("refwire-perl-vectors-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var tampered = vectors[0]
        let output = try #require(tampered["output_hex"] as? String)
        tampered["output_hex"] = String(output.dropLast(2)) + (output.hasSuffix("00") ? "01" : "00")
        let document: [String: Any] = ["format": 1, "vectors": [tampered]]
        try JSONSerialization.data(withJSONObject: document).write(to: directory.appendingPathComponent("tampered.json"))
        let failing = try await runCommand(
            "exec perl \(Self.script("sealing_vectors.pl")) \(directory.path.shellQuoted)", timeout: .seconds(60))
        #expect(failing.status == 1)
        #expect(failing.lines.last == "0 passed, 1 failed", "\(failing.lines)")
    }

    /// Fixed keys for the sealed runs: RefWire's side uses them in process; the Perl side
    /// reads them from key files (Spec/sealing.md §8) in a folder of their own.
    struct SealingKeys {
        static let clientPrivate = (0..<32).map { UInt8(0x21 + $0) }
        static let serverPrivate = (0..<32).map { UInt8(0x61 + $0) }
        static let client = try! StaticKeyPair(privateKey: clientPrivate)
        static let server = try! StaticKeyPair(privateKey: serverPrivate)
        static let psk = try! PreSharedKey(bytes: (0..<32).map { UInt8(0xA1 ^ $0) })
        static let otherPSK = try! PreSharedKey(bytes: (0..<32).map { UInt8(0x5A ^ $0) })

        let directory: URL

        init() throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("refwire-perl-seal-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let hex = { (bytes: [UInt8]) in bytes.map { String(format: "%02x", $0) }.joined() }
            for (name, key) in [("psk", Self.psk.hex), ("other.psk", Self.otherPSK.hex),
                                ("client.key", hex(Self.clientPrivate)), ("server.key", hex(Self.serverPrivate))] {
                try (key + "\n").write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
            }
        }

        func remove() { try? FileManager.default.removeItem(at: directory) }

        /// session_server.pl's or session_client.pl's sealing arguments in `mode`, shell-quoted.
        func perlArguments(_ mode: SealingMode, server: Bool, psk: String = "psk") -> String {
            var arguments = ["sealing=\(mode.identifier)"]
            if mode != .staticKeys { arguments.append("psk_file=" + directory.appendingPathComponent(psk).path) }
            if mode != .preSharedKey {
                arguments.append("key_file=" + directory.appendingPathComponent(server ? "server.key" : "client.key").path)
                arguments.append("trust=" + (server ? Self.client : Self.server).publicKey.hex)
            }
            return arguments.map(\.shellQuoted).joined(separator: " ")
        }

        /// RefWire's side of the channel in `mode`: the client's, or the server's.
        static func wire(_ mode: SealingMode, server: Bool, psk: PreSharedKey = psk, setting: Setting? = nil) throws -> WireConfiguration {
            var wire = WireConfiguration()
            if let setting {
                wire = WireConfiguration(
                    format: try #require(PayloadFormat(rawValue: setting.serializer)), compression: setting.compressed ? .zlib() : .none)
            }
            let (own, peer) = server ? (Self.server, Self.client) : (Self.client, Self.server)
            let authentication: SealingConfiguration.Authentication =
                switch mode {
                case .staticKeys: .staticKeys(own, trusting: TrustedKeys([peer.publicKey]))
                case .staticKeysAndPreSharedKey: .staticKeysAndPreSharedKey(own, trusting: TrustedKeys([peer.publicKey]), psk)
                case .preSharedKey: .preSharedKey(psk)
                }
            wire.sealing = SealingConfiguration(authentication: authentication)
            return wire
        }
    }

    /// A sealed run: the mode, and the serializer and compression the wire starts with.
    struct SealedSetting: CustomTestStringConvertible, Sendable {
        var mode: SealingMode
        var setting: Setting
        var testDescription: String { "\(mode.identifier), \(setting.testDescription)" }
    }

    static let sealedServerSettings = [
        SealedSetting(mode: .preSharedKey, setting: Setting(serializer: "nstorable", compressed: false)),
        SealedSetting(mode: .preSharedKey, setting: Setting(serializer: "json", compressed: true)),
        SealedSetting(mode: .staticKeys, setting: Setting(serializer: "nstorable", compressed: false)),
    ]
    static let sealedClientSettings = [
        SealedSetting(mode: .preSharedKey, setting: Setting(serializer: "nstorable", compressed: false)),
        SealedSetting(mode: .preSharedKey, setting: Setting(serializer: "json", compressed: false)),
        SealedSetting(mode: .staticKeysAndPreSharedKey, setting: Setting(serializer: "nstorable", compressed: true)),
    ]

    /// session_server.pl sealed in `mode`, for ServerCommandRunner (which appends each
    /// scenario's configuration).
    static func sealedServerCommand(_ keys: SealingKeys, _ mode: SealingMode, _ setting: Setting, psk: String = "psk") -> String {
        "exec perl \(script("session_server.pl")) \(setting.perlArguments) 0 \(keys.perlArguments(mode, server: true, psk: psk))"
    }

    /// Each scenario resealed in the run's mode (as `refwire conform --seal` plays them)
    /// against its own sealed session_server.pl, configured as the scenario says.
    @Test("Every scenario resealed, each against its own sealed session_server.pl", arguments: sealedServerSettings)
    func sealedServer(_ sealed: SealedSetting) async throws {
        let keys = try SealingKeys()
        defer { keys.remove() }
        let wire = try SealingKeys.wire(sealed.mode, server: false, setting: sealed.setting)
        let runner = ServerCommandRunner(
            command: Self.sealedServerCommand(keys, sealed.mode, sealed.setting), wire: wire, timeout: .seconds(10))
        let scenarios = NIOSessionServerTests.scenarios.compactMap { $0.resealed(sealed.mode.identifier) }
            .filter { $0.carriageProblem(in: wire.format, codec: wire.codec) == nil }
        #expect(scenarios.count >= NIOSessionServerTests.scenarios.count - 12)
        var failures: [String] = []
        for scenario in scenarios {
            let outcome = await runner.run(scenario)
            if !outcome.passed { failures.append(outcome.description) }
        }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
        print("PerlImplementation sealed server \(sealed.testDescription): \(scenarios.count - failures.count) of \(scenarios.count) passed")
    }

    /// The scenarios written for sealed parties (a hello stating another sealing, a
    /// welcome reporting the mode), as they are, against a server sealed in their mode.
    @Test("Scenarios about sealing, against session_server.pl sealed in their party's mode")
    func sealedPartyScenarios() async throws {
        let keys = try SealingKeys()
        defer { keys.remove() }
        let scenarios = NIOSessionServerTests.scenarios.filter { scenario in
            let modes = Set(scenario.parties.map(\.sealing))
            return modes.count == 1 && modes.first != SessionSealing.none
        }
        #expect(scenarios.count >= 2)
        for scenario in scenarios {
            let mode = try #require(SealingMode.allCases.first { $0.identifier == scenario.parties[0].sealing })
            let setting = Setting(serializer: "nstorable", compressed: false)
            let runner = ServerCommandRunner(
                command: Self.sealedServerCommand(keys, mode, setting), wire: try SealingKeys.wire(mode, server: false),
                timeout: .seconds(10))
            let outcome = await runner.run(scenario)
            #expect(outcome.passed, "\(outcome)")
        }
    }

    @Test("A sealed session_server.pl refuses a peer with another key, and an unsealed one")
    func sealedServerRefuses() async throws {
        let keys = try SealingKeys()
        defer { keys.remove() }
        let setting = Setting(serializer: "nstorable", compressed: false)
        let command = Self.sealedServerCommand(keys, .preSharedKey, setting)
        let chosen = NIOSessionServerTests.scenarios.filter { scenario in
            ClientConformanceTests.brokenScenarios.contains { scenario.description.hasSuffix($0) }
        }
        #expect(chosen.count >= 3)
        for wire in [try SealingKeys.wire(.preSharedKey, server: false, psk: SealingKeys.otherPSK), WireConfiguration()] {
            let runner = ServerCommandRunner(command: command, wire: wire, timeout: .milliseconds(1500))
            for scenario in chosen {
                let played = wire.sealing == nil ? scenario : try #require(scenario.resealed(SealingMode.preSharedKey.identifier))
                let outcome = await runner.run(played)
                #expect(!outcome.passed, "a peer the server must refuse passed \(scenario)")
            }
        }
    }

    @Test("session_client.pl sealed passes every scenario it can play", arguments: sealedClientSettings)
    func sealedClient(_ sealed: SealedSetting) async throws {
        let keys = try SealingKeys()
        defer { keys.remove() }
        let wire = try SealingKeys.wire(sealed.mode, server: true, setting: sealed.setting)
        let command = "exec perl \(Self.script("session_client.pl")) \(sealed.setting.perlArguments) \(keys.perlArguments(sealed.mode, server: false))"
        let runner = ClientScenarioRunner(command: command, wire: wire, timeout: .seconds(10))
        let carried = ClientConformanceTests.scenarios.filter { $0.carriageProblem(in: wire.format, codec: wire.codec) == nil }
        let (ran, _) = await ClientConformanceTests.runAll(runner, carried)
        #expect(ran.count >= 40)
        let failures = ran.filter { !$0.passed }
        #expect(failures.isEmpty, "\(failures.map(\.description).joined(separator: "\n"))")
        print("PerlImplementation sealed client \(sealed.testDescription): \(ran.count - failures.count) of \(ran.count) passed")
    }

    @Test("session_client.pl with another pre-shared key fails")
    func sealedClientWrongKey() async throws {
        let keys = try SealingKeys()
        defer { keys.remove() }
        let command = "exec perl \(Self.script("session_client.pl")) nstorable 0 \(keys.perlArguments(.preSharedKey, server: false, psk: "other.psk"))"
        let runner = ClientScenarioRunner(command: command, wire: try SealingKeys.wire(.preSharedKey, server: true), timeout: .milliseconds(1500))
        let chosen = ClientConformanceTests.scenarios.filter { scenario in
            ClientConformanceTests.brokenScenarios.contains { scenario.description.hasSuffix($0) }
        }
        let (ran, _) = await ClientConformanceTests.runAll(runner, chosen)
        #expect(ran.count >= 3)
        for outcome in ran {
            #expect(!outcome.passed, "a client with another key passed \(outcome.scenario)")
        }
    }
}
