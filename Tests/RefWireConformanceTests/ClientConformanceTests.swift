import Foundation
import RefWire
@testable import RefWireConformance
import RefWireNIO
import RefWireSodium
import Testing

/// The built `refwire` executable, next to the test bundle (`REFWIRE_EXECUTABLE` overrides).
enum RefWireBinary {
    static let path: String? = {
        if let override = ProcessInfo.processInfo.environment["REFWIRE_EXECUTABLE"] { return override }
        var directories: [URL] = []
        if let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            directories.append(URL(fileURLWithPath: executable).deletingLastPathComponent())
        }
        if let first = CommandLine.arguments.first { directories.append(URL(fileURLWithPath: first).deletingLastPathComponent()) }
        for bundle in Bundle.allBundles where bundle.bundleURL.pathExtension == "xctest" {
            directories.append(bundle.bundleURL.deletingLastPathComponent())
        }
        for directory in directories {
            var candidate = directory.standardizedFileURL
            for _ in 0..<4 {
                let binary = candidate.appendingPathComponent("refwire").path
                if FileManager.default.isExecutableFile(atPath: binary) { return binary }
                candidate.deleteLastPathComponent()
            }
        }
        return nil
    }()

    /// `path` quoted for `/bin/sh`.
    static var quoted: String? { path.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" } }
}

/// What a command printed on standard output, and how it ended.
struct CommandRun {
    var lines: [String]
    /// `nil`: it did not exit in time (and was killed).
    var status: Int32?
}

/// Runs a shell command to completion, bounded by `timeout`.
func runCommand(_ command: String, timeout: Duration = .seconds(60)) async throws -> CommandRun {
    let process = try await ClientProcess(command: command, environment: [:])
    await process.closeInput()
    let deadline = ContinuousClock.now + timeout
    var lines: [String] = []
    while let line = (try? await process.nextLine(by: deadline)) ?? nil {
        lines.append(String(decoding: line, as: UTF8.self))
    }
    return CommandRun(lines: lines, status: await process.exitStatus(within: .seconds(5)))
}

/// The summary of a `refwire conform` table (`Spec/conformance.md` §4).
struct Table {
    var passed = 0, failed = 0, skipped = 0
    var passLines = 0, failLines = 0, skipLines = 0

    init?(_ lines: [String]) {
        guard let last = lines.last else { return nil }
        let words = last.split(separator: " ")
        guard words.count == 4, words[1] == "passed,", words[3] == "failed", let passed = Int(words[0]), let failed = Int(words[2]) else {
            return nil
        }
        self.passed = passed
        self.failed = failed
        for line in lines.dropLast() {
            if line.hasPrefix("pass  ") { passLines += 1 }
            if line.hasPrefix("FAIL  ") { failLines += 1 }
            if line.hasPrefix("skip  ") { skipLines += 1 }
            if line.hasSuffix(" skipped"), let count = Int(line.split(separator: " ")[0]) { skipped = count }
        }
    }
}

/// The NIO session client (`refwire conform-client`) through the control channel, the
/// client runner's ability to fail, and `refwire conform` as a command.
@Suite("Client conformance over the control channel")
struct ClientConformanceTests {
    static let scenarios = NIOSessionServerTests.scenarios

    static func clientCommand(_ arguments: String = "") throws -> String {
        let binary = try #require(RefWireBinary.quoted, "the refwire executable was not found (set REFWIRE_EXECUTABLE)")
        return "exec \(binary) conform-client \(arguments)"
    }

    /// Runs every scenario (sequentially); the outcomes of those that ran.
    static func runAll(_ runner: ClientScenarioRunner, _ scenarios: [Scenario]) async -> (ran: [ScenarioOutcome], skipped: Int) {
        var ran: [ScenarioOutcome] = []
        var skipped = 0
        for scenario in scenarios {
            switch await runner.run(scenario) {
            case .ran(let outcome): ran.append(outcome)
            case .skipped: skipped += 1
            }
        }
        return (ran, skipped)
    }

    @Test("Which party a client plays, and which scenarios it cannot play")
    func parties() throws {
        let playable = Self.scenarios.filter { ClientScenarioRunner.skipReason($0, wire: WireConfiguration()) == nil }
        #expect(playable.count >= 40)
        var sealedWire = WireConfiguration()
        sealedWire.sealing = SealingConfiguration(authentication: .preSharedKey(PreSharedKey.generate()))
        // Sealed, scenarios about sealing itself are skipped; the rest are played resealed.
        let mode = SealingMode.preSharedKey.identifier
        #expect(Self.scenarios.allSatisfy { $0.resealed(mode) != nil || ClientScenarioRunner.skipReason($0, wire: sealedWire) != nil })
        let sealedPlayable = Self.scenarios.filter { ClientScenarioRunner.skipReason($0, wire: sealedWire) == nil }
        #expect(sealedPlayable.count >= 40)
        for scenario in sealedPlayable {
            let resealed = try #require(ClientScenarioRunner.played(scenario, wire: sealedWire))
            let party = try #require(ClientScenarioRunner.clientParty(of: resealed, wire: sealedWire))
            #expect(resealed.parties.first { $0.name == party }?.sealing == mode)
        }
        // Raw steps and sealed parties are the runner's to play.
        let rawOnly = try #require(Self.scenarios.first { $0.name == "hello_required" })
        #expect(ClientScenarioRunner.clientParty(of: rawOnly) == nil)
    }

    @Test("Actions carry values in the scenario notation, both ways")
    func notation() throws {
        let values: [PerlValue] = [
            .undef, 7, -3, .unsigned(.max), 2.5, .double(.infinity), "café", .bytes([0, 0xFF]), true,
            ["a": [1, "x", .undef], "b": .bytes([1])], .blessed(class: "My::Point", ["x": 1]), ["$odd": 1],
            .scalarReference(3), .array([]),
        ]
        for value in values {
            let notation = try ControlChannel.notation(value)
            let line = try ControlChannel.line(["v": notation])
            let back = try ControlChannel.value(notation: try ControlChannel.parse(line: line.dropLast())["v"]!)
            #expect(back == value, "\(value) came back as \(back)")
        }
        let action = try ControlChannel.action(for: ["cmd": "result", "re": 4, "success": 0, "code": "nope", "text": "t"])
        #expect(action == ["action": "respond", "re": 4, "success": false, "code": "nope", "text": "t"])
        #expect(throws: ScenarioError.self) { try ControlChannel.action(for: ["cmd": "ping", "time": 1]) }  // no id
        #expect(throws: ScenarioError.self) { try ControlChannel.action(for: ["cmd": "welcome", "re": 1]) }
    }

    /// Each wait for one of the client's events is bounded by this. Every scenario here is
    /// expected to pass, so it only decides how long a failure takes; 5 s failed twice on
    /// this two-core machine with a fuzzer or a build running alongside.
    static let eventTimeout: Duration = .seconds(15)

    @Test("RefWireSessionClient passes every scenario it can play (nstorable)")
    func nioClient() async throws {
        let runner = ClientScenarioRunner(command: try Self.clientCommand(), timeout: Self.eventTimeout)
        let (ran, skipped) = await Self.runAll(runner, Self.scenarios)
        #expect(ran.count >= 40)
        #expect(ran.count + skipped == Self.scenarios.count)
        let failures = ran.filter { !$0.passed }
        #expect(failures.isEmpty, "\(failures.map(\.description).joined(separator: "\n"))")
    }

    @Test("RefWireSessionClient over other wires", arguments: [(PayloadFormat.storable, true), (.json, false)])
    func nioClientWires(_ format: PayloadFormat, _ zlib: Bool) async throws {
        let wire = WireConfiguration(format: format, compression: zlib ? .zlib() : .none)
        let arguments = "--serializer \(format.rawValue)" + (zlib ? " --compress" : "")
        let runner = ClientScenarioRunner(command: try Self.clientCommand(arguments), wire: wire, timeout: Self.eventTimeout)
        let carried = Self.scenarios.filter { $0.carriageProblem(in: format, codec: wire.codec) == nil }
        let (ran, _) = await Self.runAll(runner, carried)
        #expect(ran.count >= 35)
        let failures = ran.filter { !$0.passed }
        #expect(failures.isEmpty, "\(failures.map(\.description).joined(separator: "\n"))")
    }

    @Test("RefWireSessionClient over channels sealed with a pre-shared key; a client with another key fails")
    func nioClientSealed() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("refwire-client-seal-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let key = PreSharedKey.generate()
        let keyPath = directory.appendingPathComponent("psk").path
        let otherPath = directory.appendingPathComponent("other").path
        try key.hex.write(toFile: keyPath, atomically: true, encoding: .utf8)
        try PreSharedKey.generate().hex.write(toFile: otherPath, atomically: true, encoding: .utf8)
        var wire = WireConfiguration()
        wire.sealing = SealingConfiguration(authentication: .preSharedKey(key))

        let command = try Self.clientCommand("--seal psk --seal-psk \(keyPath.shellQuoted)")
        let runner = ClientScenarioRunner(command: command, wire: wire, timeout: Self.eventTimeout)
        let (ran, skipped) = await Self.runAll(runner, Self.scenarios)
        #expect(ran.count >= 40)
        #expect(ran.count + skipped == Self.scenarios.count)
        let failures = ran.filter { !$0.passed }
        #expect(failures.isEmpty, "\(failures.map(\.description).joined(separator: "\n"))")

        let wrongKey = try Self.clientCommand("--seal psk --seal-psk \(otherPath.shellQuoted)")
        let wrong = ClientScenarioRunner(command: wrongKey, wire: wire, timeout: .milliseconds(1500))
        let chosen = Self.scenarios.filter { scenario in Self.brokenScenarios.contains { scenario.description.hasSuffix($0) } }
        let (wrongRan, _) = await Self.runAll(wrong, chosen)
        #expect(wrongRan.count >= 3)
        for outcome in wrongRan {
            #expect(!outcome.passed, "a client with another key passed \(outcome.scenario)")
        }
    }

    static let brokenScenarios = ["session/hello_welcome", "publish/publish_and_listing", "deliver/deliver_and_result", "gone/subscriber_gone"]

    @Test("A broken client fails", arguments: [
        // Never answers (echoes the actions): every wait times out.
        "cat",
        // Exits at once.
        "true",
        // Builds other messages than it is asked for.
        "sed -u 's/\"alias\":\"Calc\"/\"alias\":\"Calx\"/; s/\"versions\":\\[1\\]/\"versions\":[1,2]/' | CLIENT",
        // Reports receiving nothing, so never the barrier ping.
        "CLIENT | grep --line-buffered -v '\"received\"'",
        // Reports a violation for every message.
        "CLIENT | sed -u 's/\"event\":\"received\"/\"event\":\"violation\",\"text\":\"made up\",\"x\":\"received\"/'",
    ])
    func brokenClient(_ template: String) async throws {
        let command = template.replacingOccurrences(of: "CLIENT", with: try Self.clientCommand())
        let runner = ClientScenarioRunner(command: command, timeout: .milliseconds(1500))
        let chosen = Self.scenarios.filter { scenario in Self.brokenScenarios.contains { scenario.description.hasSuffix($0) } }
        #expect(chosen.count >= 3)
        let (ran, _) = await Self.runAll(runner, chosen)
        #expect(!ran.isEmpty)
        for outcome in ran {
            #expect(!outcome.passed, "\(command) passed \(outcome.scenario)")
        }
    }

    @Test("refwire conform --client 'refwire conform-client' passes; a broken client fails it")
    func conformClientCommand() async throws {
        let binary = try #require(RefWireBinary.quoted)
        let good = try await runCommand("exec \(binary) conform --client \(try Self.clientCommand().shellQuoted) --timeout 5")
        #expect(good.status == 0, "\(good.lines.suffix(20).joined(separator: "\n"))")
        let table = try #require(Table(good.lines), "\(good.lines.suffix(5))")
        #expect(table.failed == 0 && table.failLines == 0, "\(good.lines.filter { !$0.hasPrefix("pass") })")
        #expect(table.passed >= 40 && table.passed == table.passLines)
        #expect(table.skipped == table.skipLines && table.passed + table.skipped == Self.scenarios.count)

        let broken = try await runCommand("exec \(binary) conform --client true --timeout 2 --filter session/hello_welcome")
        #expect(broken.status == 1)
        #expect(broken.lines.last == "0 passed, 1 failed", "\(broken.lines)")
        #expect(broken.lines.first?.hasPrefix("FAIL  session/hello_welcome") == true)
    }

    @Test("refwire conform --server against refwire serve --protocol")
    func conformServerCommand() async throws {
        let binary = try #require(RefWireBinary.quoted)
        let server = try await ClientProcess(command: "exec \(binary) serve --listen 127.0.0.1:0 --protocol", environment: [:])
        defer { Task { await server.terminate() } }
        let portLine = try #require(try await server.nextLine(by: .now + .seconds(20)), "the server printed no port")
        let port = try #require(Int(String(decoding: portLine, as: UTF8.self)))
        let run = try await runCommand("exec \(binary) conform --server 127.0.0.1:\(port) --timeout 5")
        #expect(run.status == 0, "\(run.lines.filter { !$0.hasPrefix("pass") })")
        let table = try #require(Table(run.lines), "\(run.lines.suffix(5))")
        #expect(table.failed == 0, "\(run.lines.filter { !$0.hasPrefix("pass") })")
        #expect(table.passed >= 40 && table.passed == table.passLines && table.skipped == table.skipLines)
        #expect(table.passed + table.skipped == Self.scenarios.count)
        server.signal(SIGTERM)
        #expect(await server.exitStatus(within: .seconds(10)) != nil, "the server did not stop on SIGTERM")

        // Nothing listens there any more: exit 69, or 1 with every scenario failed.
        let gone = try await runCommand("exec \(binary) conform --server 127.0.0.1:\(port) --timeout 2 --filter session/hello_welcome")
        #expect(gone.status != 0)
    }
}

extension String {
    /// This text as one `/bin/sh` word.
    var shellQuoted: String { "'" + replacingOccurrences(of: "'", with: "'\\''") + "'" }
}
