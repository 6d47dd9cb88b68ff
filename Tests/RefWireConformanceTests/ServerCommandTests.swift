import Foundation
import RefWire
import RefWireConformance
import Testing

/// `refwire conform --server-command` (Spec/conformance.md §2.1): a server started per
/// scenario and configured by `KEY=VALUE` settings, so that every scenario runs against
/// a live server.
@Suite("Servers started per scenario, configured by settings")
struct ServerCommandTests {
    @Test("Every scenario's configuration survives the trip through settings")
    func settingsRoundTrip() throws {
        let scenarios = NIOSessionServerTests.scenarios
        #expect(scenarios.contains { $0.serverOptions.requiresSealing })
        #expect(scenarios.contains { $0.serverOptions.limits.maximumAliasesPerConnection != SessionLimits().maximumAliasesPerConnection })
        for scenario in scenarios {
            let settings = scenario.serverOptions.settings
            // Applied to options that differ in every respect, the settings give the scenario's.
            let other = SessionServerOptions(
                limits: try SessionLimits(parsing: ["max_name_length": 3, "max_violations_per_connection": 2]),
                versions: [7], serializers: [.yaml], compression: [.zlib], requiresSealing: true, name: "other")
            #expect(try other.applying(settings: settings).settings == settings, "\(scenario)")
        }
    }

    @Test("Settings that are not understood are refused, naming the setting", arguments: [
        "bogus=1", "max_name_length=-1", "max_name_length=ten", "serializers=nstorable,xml", "compression=gzip",
        "versions=one", "requires_sealing=yes", "no equals sign",
    ])
    func refused(_ setting: String) {
        #expect {
            _ = try SessionServerOptions().applying(settings: [setting])
        } throws: { error in
            (error as? SessionServerOptions.SettingError)?.setting == setting
        }
    }

    @Test("refwire serve --protocol passes every scenario it can be configured for; a server that ignores the settings fails")
    func refwireServer() async throws {
        let binary = try #require(RefWireBinary.quoted, "the refwire executable was not found (set REFWIRE_EXECUTABLE)")
        let serve = "exec \(binary) serve --protocol --listen 127.0.0.1:0"
        let run = try await runCommand(
            "exec \(binary) conform --server-command \(serve.shellQuoted) --timeout 10", timeout: .seconds(240))
        let table = try #require(Table(run.lines), "no table: \(run.lines.suffix(5))")
        #expect(run.status == 0, "\(run.lines.filter { $0.hasPrefix("FAIL") })")
        #expect(table.failed == 0 && table.failLines == 0)
        // Only the scenarios with a party sealed in another mode than the run's are skipped.
        let sealedParties = NIOSessionServerTests.scenarios.filter { $0.parties.contains { $0.sealing != SessionSealing.none } }
        #expect(table.skipped == sealedParties.count, "\(run.lines.filter { $0.hasPrefix("skip") })")
        #expect(table.passed == NIOSessionServerTests.scenarios.count - sealedParties.count)

        // The same server, started without the settings: the configured scenarios fail.
        let deaf = "serve() { \(serve); }; serve"
        let deafRun = try await runCommand(
            "exec \(binary) conform --server-command \(deaf.shellQuoted) --filter publish --timeout 10", timeout: .seconds(120))
        let deafTable = try #require(Table(deafRun.lines), "no table: \(deafRun.lines.suffix(5))")
        #expect(deafRun.status == 1)
        #expect(deafTable.failed >= 1, "a server that ignores its limits passed: \(deafRun.lines.suffix(3))")
    }
}
