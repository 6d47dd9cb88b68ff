import ArgumentParser
import Foundation
import RefWire
import RefWireConformance
import RefWireNIO

/// `refwire conform --server HOST:PORT | --server-command COMMAND | --client COMMAND`: the
/// protocol scenarios against a live implementation (Spec/conformance.md).
struct Conform: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the session protocol's conformance scenarios against a server or a client.",
        discussion: """
            With --server, connects to a running server (one connection per scenario party) \
            and checks every message it sends; scenarios that need a configured server are \
            skipped. With --server-command, starts COMMAND (with /bin/sh -c) once per \
            scenario with the scenario's server configuration appended as KEY=VALUE \
            arguments; the server prints its port on its first line, listens on 127.0.0.1, \
            and shuts down (bye to every connection) on SIGTERM (Spec/conformance.md §2.1): \
            every scenario runs. With --client, starts COMMAND (with /bin/sh -c) once per scenario, plays \
            the server and steers the client through JSON lines on its standard input \
            (Spec/conformance.md §3). Prints one line per scenario and ends with \
            "N passed, M failed".

            Exit status: 0 all passed; 1 a scenario failed or none ran; 64 usage error; \
            66 the scenarios cannot be read.
            """)

    @Option(help: ArgumentHelp("Test the server listening here: HOST:PORT.", valueName: "host:port"))
    var server: HostAndPort?

    @Option(help: ArgumentHelp(
        "Test servers this shell command starts, one per scenario, configured by KEY=VALUE arguments.", valueName: "command"))
    var serverCommand: String?

    @Option(help: ArgumentHelp("Test the client program this shell command starts.", valueName: "command"))
    var client: String?

    @Option(help: ArgumentHelp(
        "The Spec folder holding scenarios/ (default: $REFWIRE_SPEC, else a Spec/ above the executable or the current directory).",
        valueName: "dir"))
    var spec: String?

    @Option(help: ArgumentHelp("Run only the scenarios whose file/name contains this text.", valueName: "text"))
    var filter: String?

    @Option(help: ArgumentHelp("Longest wait for any reply, in seconds.", valueName: "seconds"))
    var timeout = 10.0

    @OptionGroup
    var connection: ConnectionOptions

    func validate() throws {
        guard [server != nil, serverCommand != nil, client != nil].filter({ $0 }).count == 1 else {
            throw ValidationError("Give exactly one of --server, --server-command and --client.")
        }
        guard timeout > 0 else { throw ValidationError("--timeout must be positive.") }
    }

    func run() async throws {
        let scenarios: [Scenario]
        do throws(ScenarioError) {
            guard let folder = spec.map({ URL(fileURLWithPath: $0, isDirectory: true) }) ?? ScenarioLibrary.locateSpecFolder() else {
                throw ScenarioError("no Spec folder found; give --spec DIR")
            }
            scenarios = try ScenarioLibrary.load(specFolder: folder).filter { filter == nil || $0.description.contains(filter!) }
        } catch {
            StandardError.write("refwire: \(error)\n")
            throw ExitCode(ExitStatus.noInput)
        }
        let wire: WireConfiguration
        do throws(CommandFailure) {
            wire = try connection.wire()
        } catch {
            StandardError.write("refwire: \(error.message)\n")
            throw ExitCode(error.exitStatus)
        }
        let limit = Duration.milliseconds(Int64(timeout * 1000))
        let sealing = wire.sealing?.mode.identifier ?? SessionSealing.none
        var outcomes: [ScenarioOutcome] = []
        var skipped: [(scenario: String, reason: String)] = []
        for original in scenarios {
            var scenario = original
            if let mode = wire.sealing?.mode.identifier, client == nil {
                // Over sealed channels every party is sealed in the run's mode; scenarios
                // about sealing itself mean something else there.
                guard let sealed = original.resealed(mode) else {
                    skipped.append((original.description, "about sealing itself; run it unsealed"))
                    continue
                }
                scenario = sealed
                scenario.needsConfiguredServer = original.needsConfiguredServer
            }
            if let problem = scenario.carriageProblem(in: wire.format, codec: wire.codec) {
                skipped.append((scenario.description, problem))
                continue
            }
            if let server {
                if scenario.needsConfiguredServer {
                    skipped.append((scenario.description, "needs a configured server"))
                    continue
                }
                var subject = SocketScenarioServer(host: server.host, port: server.port, wire: wire, timeout: limit)
                outcomes.append(await ScenarioRunner(driveClients: false).run(scenario, against: &subject))
                await subject.closeAll()
            } else if let serverCommand {
                if let party = scenario.parties.first(where: { $0.sealing != sealing }) {
                    skipped.append((scenario.description, "\(party.name) needs a \(party.sealing) channel; this run's are \(sealing)"))
                    continue
                }
                let runner = ServerCommandRunner(command: serverCommand, wire: wire, timeout: limit)
                outcomes.append(await runner.run(scenario))
            } else if let client {
                let runner = ClientScenarioRunner(command: client, wire: wire, timeout: limit)
                switch await runner.run(scenario) {
                case .ran(let outcome): outcomes.append(outcome)
                case .skipped(let reason): skipped.append((scenario.description, reason))
                }
            }
        }
        writeStandardOutputLine(ScenarioRunner.table(outcomes, skipped: skipped))
        if outcomes.isEmpty || outcomes.contains(where: { !$0.passed }) { throw ExitCode(1) }
    }
}

/// Writes one line to standard output at once (unbuffered).
func writeStandardOutputLine(_ text: String) {
    var line = text + "\n"
    line.withUTF8 { bytes in _ = writeAll(STDOUT_FILENO, UnsafeRawBufferPointer(bytes)) }
}
