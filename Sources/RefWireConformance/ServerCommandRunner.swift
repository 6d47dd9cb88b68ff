#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import RefWire
import RefWireNIO

/// Runs each scenario against its own server, started by a command with the scenario's
/// configuration (`Spec/conformance.md` §2.1): so a live implementation passes the
/// scenarios that need server limits, options or a shutdown, which a server started once
/// cannot be told about.
///
/// Per scenario: `/bin/sh -c 'COMMAND SETTING…'`, with the scenario's
/// ``SessionServerOptions/settings`` appended shell-quoted; the first line of its standard
/// output is the port it listens on at 127.0.0.1; the scenario runs as against
/// ``SocketScenarioServer``; a `shutdown` step sends it `SIGTERM` and waits for it to exit
/// (it must first send every connection `bye` with code `shutdown` and close them). At the
/// end it gets `SIGTERM`
/// and its standard input closes, and it is killed if it has not exited within the timeout.
public struct ServerCommandRunner: Sendable {
    public var command: String
    /// The wire every connection starts with; the command must start its server alike.
    public var wire: WireConfiguration
    public var timeout: Duration

    public init(command: String, wire: WireConfiguration = WireConfiguration(), timeout: Duration = .seconds(10)) {
        self.command = command
        self.wire = wire
        self.timeout = timeout
    }

    /// `command` with `settings` appended, each quoted for `/bin/sh`.
    public static func commandLine(_ command: String, settings: [String]) -> String {
        ([command] + settings.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }).joined(separator: " ")
    }

    public func run(_ scenario: Scenario) async -> ScenarioOutcome {
        func failed(_ text: String) -> ScenarioOutcome { ScenarioOutcome(scenario: scenario.description, failure: text) }
        let server: ClientProcess
        do throws(ScenarioError) {
            server = try await ClientProcess(command: Self.commandLine(command, settings: scenario.serverOptions.settings), environment: [:])
        } catch {
            return failed("cannot start the server: \(error)")
        }
        let port: Int?
        do throws(ScenarioError) {
            port = try await server.nextLine(by: .now + timeout).flatMap { Int(String(decoding: $0, as: UTF8.self)) }
        } catch {
            port = nil
        }
        guard let port else {
            await server.terminate()
            return failed("the server command printed no port on its first line")
        }
        var subject = SocketScenarioServer(host: "127.0.0.1", port: port, wire: wire, timeout: timeout)
        // A shutdown is over when the server has exited: what it sent before is waiting
        // in each party's socket, and no barrier can overtake it.
        subject.shutdownHandler = { [timeout] _ in
            server.signal(SIGTERM)
            _ = await server.exitStatus(within: timeout)
        }
        let outcome = await ScenarioRunner(driveClients: false).run(scenario, against: &subject)
        await subject.closeAll()
        server.signal(SIGTERM)
        await server.closeInput()
        _ = await server.exitStatus(within: timeout)  // killed if it is still running then
        return outcome
    }
}
