import Foundation
import RefWire
import RefWireConformance
import RefWireNIO
import RefWireSodium
import Testing

/// Every scenario against ``RefWireSessionServer`` over 127.0.0.1, through the socket
/// subject that `refwire conform --server` uses: one TCP connection per party, barriers
/// with `ping`. Each scenario gets its own server, configured as the scenario says.
@Suite("Session server over NIO")
struct NIOSessionServerTests {
    static let scenarios: [Scenario] = (try? ScenarioLibrary.load(specFolder: specFolder())) ?? []

    static func run(_ scenario: Scenario, wire: WireConfiguration) async -> ScenarioOutcome {
        let server = RefWireSessionServer(configuration: .init(
            wire: wire, session: scenario.serverOptions, closeLinger: .milliseconds(500)))
        do {
            try await server.start()
        } catch {
            return ScenarioOutcome(scenario: scenario.description, failure: "\(error)")
        }
        var subject = SocketScenarioServer(host: "127.0.0.1", port: server.port!, wire: wire, timeout: .seconds(5))
        subject.shutdownHandler = { text in await server.shutdown(text: text, gracePeriod: .seconds(2)) }
        subject.disconnectObserver = Self.settles(server)
        var outcome = await ScenarioRunner(driveClients: false).run(scenario, against: &subject)
        let problems = server.inspect { $0.invariantViolations() }
        if outcome.passed, !problems.isEmpty {
            outcome = ScenarioOutcome(scenario: scenario.description, failure: "invariants: \(problems)")
        }
        await subject.closeAll()
        await server.shutdown(gracePeriod: .seconds(2))
        return outcome
    }

    /// Waits, after a party closes its connection, until the server's state machine has
    /// handled the close (it knows one connection fewer, and has handed what the close
    /// caused to the other connections), rather than for a fixed time a loaded machine
    /// may exceed.
    static func settles(_ server: RefWireSessionServer) -> @Sendable () -> @Sendable () async -> Void {
        {
            let before = server.inspect { $0.connectionIDs.count }
            return {
                // Generous: the whole test suite may be loading the machine.
                let deadline = ContinuousClock.now + .seconds(30)
                while server.inspect({ $0.connectionIDs.count }) >= before, ContinuousClock.now < deadline {
                    try? await Task.sleep(for: .milliseconds(2))
                }
            }
        }
    }

    /// Runs every scenario (sequentially) and returns the failures.
    static func runAll(_ scenarios: [Scenario], wire: WireConfiguration) async -> [ScenarioOutcome] {
        var failures: [ScenarioOutcome] = []
        for scenario in scenarios {
            let outcome = await run(scenario, wire: wire)
            if !outcome.passed { failures.append(outcome) }
        }
        return failures
    }

    /// Scenarios whose parties need no sealing this run cannot give.
    static func unsealed() -> [Scenario] {
        scenarios.filter { $0.parties.allSatisfy { $0.sealing == SessionSealing.none } }
    }

    @Test("The scenarios are found")
    func found() {
        #expect(Self.scenarios.count >= 30)
    }

    @Test("Scenario over 127.0.0.1 (nstorable, uncompressed)", arguments: unsealed())
    func scenario(_ scenario: Scenario) async {
        let outcome = await Self.run(scenario, wire: WireConfiguration())
        #expect(outcome.passed, "\(outcome)")
    }

    @Test("Every scenario in every serializer, with and without zlib", arguments: [
        (PayloadFormat.storable, false), (.json, false), (.yaml, false), (.yamlxs, false),
        (.nstorable, true), (.storable, true), (.json, true), (.yaml, true), (.yamlxs, true),
    ])
    func matrix(_ format: PayloadFormat, _ zlib: Bool) async {
        let wire = WireConfiguration(format: format, compression: zlib ? .zlib() : .none)
        // A scenario whose messages the format cannot carry (byte strings in JSON) is not run in it.
        let carried = Self.unsealed().filter { $0.carriageProblem(in: format, codec: wire.codec) == nil }
        #expect(carried.count >= Self.unsealed().count - 6)
        let failures = await Self.runAll(carried, wire: wire)
        #expect(failures.isEmpty, "\(failures.map(\.description).joined(separator: "\n"))")
    }

    @Test("Every scenario over channels sealed with a pre-shared key")
    func sealed() async {
        var wire = WireConfiguration()
        wire.sealing = SealingConfiguration(authentication: .preSharedKey(PreSharedKey.generate()))
        let resealed = Self.scenarios.compactMap { $0.resealed(SealingMode.preSharedKey.identifier) }
        #expect(resealed.count >= Self.scenarios.count - 5)
        // And the scenarios written for a psk-sealed party, as they are.
        let native = Self.scenarios.filter { $0.parties.allSatisfy { $0.sealing == SealingMode.preSharedKey.identifier } }
        #expect(!native.isEmpty)
        let failures = await Self.runAll(resealed + native, wire: wire)
        #expect(failures.isEmpty, "\(failures.map(\.description).joined(separator: "\n"))")
    }

    /// The socket runner must be able to fail: a subject that loses one message the
    /// server sent fails every scenario that expects one.
    @Test("Losing one message over the socket fails the scenario")
    func lossIsNoticed() async throws {
        let candidates = Self.unsealed().filter { scenario in
            !scenario.needsConfiguredServer && scenario.steps.contains { if case .receive = $0 { true } else { false } }
        }.prefix(8)
        #expect(!candidates.isEmpty)
        for scenario in candidates {
            let server = RefWireSessionServer(configuration: .init(session: scenario.serverOptions, closeLinger: .milliseconds(200)))
            try await server.start()
            var inner = SocketScenarioServer(host: "127.0.0.1", port: server.port!, timeout: .seconds(5))
            inner.disconnectObserver = Self.settles(server)
            var dropping = DroppingSubject(inner: inner, dropAt: 1)
            let outcome = await ScenarioRunner(driveClients: false).run(scenario, against: &dropping)
            #expect(!outcome.passed, "\(scenario): dropping the first message went unnoticed")
            await dropping.inner.closeAll()
            await server.shutdown(gracePeriod: .seconds(1))
        }
    }
}
