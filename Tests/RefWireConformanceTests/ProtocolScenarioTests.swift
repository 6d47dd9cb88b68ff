import Foundation
import RefWire
import RefWireConformance
import Testing

/// Runs every scenario of `Spec/scenarios/` (format: its README) against the sans-IO
/// ``SessionServer`` in process, once with the test playing every party from the script
/// and once with a ``SessionClient`` playing each party that a conforming client can
/// play, so the same files hold the server and the client to the specification.
/// The repository's `Spec` folder, found from this file.
func specFolder() throws -> URL {
    guard let folder = ScenarioLibrary.specFolder(nearSourceFile: #filePath) else {
        throw ScenarioError("no Spec/scenarios above \(#filePath)")
    }
    return folder
}

@Suite("Protocol scenarios")
struct ProtocolScenarioTests {
    static func all() throws -> [Scenario] {
        try ScenarioLibrary.load(specFolder: specFolder())
    }

    static func run(_ scenario: Scenario, driveClients: Bool, wireFormat: PayloadFormat?) async -> ScenarioOutcome {
        var subject = InProcessScenarioServer(
            options: scenario.serverOptions, wireFormat: wireFormat, check: { $0.invariantViolations() })
        return await ScenarioRunner(driveClients: driveClients).run(scenario, against: &subject)
    }

    @Test("Spec/scenarios is found, and covers every message and every error code")
    func coverage() throws {
        let scenarios = try Self.all()
        #expect(scenarios.count >= 30, "only \(scenarios.count) scenarios")
        let names = scenarios.map(\.name)
        #expect(Set(names).count == names.count, "scenario names must be unique")
        var sentCommands: Set<String> = []
        var receivedCommands: Set<String> = []
        var codes: Set<String> = []
        var vectors: Set<String> = []
        for scenario in scenarios {
            for step in scenario.steps {
                switch step {
                case .send(_, let pattern, _):
                    sentCommands.formUnion(pattern.values(under: "cmd").compactMap(\.stringValue))
                case .sendVector(_, let vector):
                    vectors.insert(vector.name)
                case .receive(_, let pattern, let vector):
                    receivedCommands.formUnion(pattern.values(under: "cmd").compactMap(\.stringValue))
                    codes.formUnion(pattern.values(under: "code").compactMap(\.stringValue))
                    if let vector { vectors.insert(vector.name) }
                default: break
                }
            }
        }
        // Every protocol vector is played: sent to a server, or given to a client.
        let specFolder = try #require(ScenarioLibrary.specFolder(nearSourceFile: #filePath))
        let allVectors = try ScenarioLibrary.loadVectors(specFolder: specFolder).map(\.name)
        #expect(allVectors.count >= 28)
        #expect(Set(allVectors).subtracting(vectors).isEmpty, "vectors no scenario plays: \(Set(allVectors).subtracting(vectors).sorted())")
        for command in ["hello", "ping", "bye", "publish", "rescind", "listing", "subscribe", "unsubscribe", "deliver", "result"] {
            #expect(sentCommands.contains(command), "no scenario sends \(command)")
        }
        for command in ["welcome", "pong", "ok", "error", "deliver", "result", "rescinded", "cancel", "bye"] {
            #expect(receivedCommands.contains(command), "no scenario receives \(command)")
        }
        for code in ProtocolErrorCode.allServerCodes {
            #expect(codes.contains(code.rawValue), "no scenario shows error code \(code)")
        }
        #expect(scenarios.contains { !$0.clientDrivableParties.isEmpty })
    }

    @Test("Scenario against the sans-IO server (messages through nstorable)", arguments: try all())
    func server(_ scenario: Scenario) async {
        let outcome = await Self.run(scenario, driveClients: false, wireFormat: .nstorable)
        #expect(outcome.passed, "\(outcome)")
    }

    @Test("Scenario against the sans-IO server, parties played by SessionClient", arguments: try all())
    func clients(_ scenario: Scenario) async {
        let outcome = await Self.run(scenario, driveClients: true, wireFormat: nil)
        #expect(outcome.passed, "\(outcome)")
    }

    /// The runner must be able to fail: a server that loses one message fails every
    /// scenario that expects one.
    @Test("A faulty server fails the scenarios", arguments: try all().filter { scenario in
        scenario.steps.contains { if case .receive = $0 { return true } else { return false } }
    })
    func faultyServerFails(_ scenario: Scenario) async {
        var dropping = DroppingSubject(inner: InProcessScenarioServer(options: scenario.serverOptions), dropAt: 1)
        let outcome = await ScenarioRunner(driveClients: false).run(scenario, against: &dropping)
        #expect(!outcome.passed, "dropping the first message went unnoticed")
    }

    @Test("The table ends with the counts")
    func table() {
        let table = ScenarioRunner.table([
            ScenarioOutcome(scenario: "a/one", failure: nil), ScenarioOutcome(scenario: "a/two", failure: "step 3: nope"),
        ])
        #expect(table.hasSuffix("1 passed, 1 failed"))
        #expect(table.contains("FAIL  a/two"))
    }

    @Test("Scenario notation: escapes, variables, Perl's interchangeable numbers and strings")
    func notation() throws {
        let pattern = try ScenarioValue(notation: [
            "re": ["$id": "x"], "n": 7, "s": "abc", "any": ["$any": true],
            "obj": ["$bless": "K", "$value": ["a": 1]], "raw": ["$bytes": "00ff"],
        ])
        var bindings: [String: PerlValue] = [:]
        let actual: PerlValue = [
            "re": "12", "n": .bytes(Array("7".utf8)), "s": .bytes(Array("abc".utf8)), "any": [1, 2],
            "obj": .blessed(class: "K", ["a": 1]), "raw": .bytes([0, 255]),
        ]
        #expect(pattern.match(actual, &bindings) == nil)
        #expect(bindings["x"] == .integer(12))
        var other = actual
        other["re"] = 13
        #expect(pattern.match(other, &bindings) != nil, "a bound id must match again")
        other = actual
        other["extra"] = 1
        var fresh: [String: PerlValue] = [:]
        #expect(pattern.match(other, &fresh) != nil, "extra keys are refused")
        other = actual
        other["obj"] = ["a": 1]
        fresh = [:]
        #expect(pattern.match(other, &fresh) != nil, "an unblessed hash is not an object")
        #expect(throws: ScenarioError.self) { try ScenarioValue(notation: ["$nope": 1]) }
    }
}

/// A subject that loses the `dropAt`-th message the server sends.
struct DroppingSubject<Inner: ScenarioServerSubject>: ScenarioServerSubject {
    var inner: Inner
    var dropAt: Int
    var seen = 0

    mutating func connect(_ party: String, sealing: String) async throws(ScenarioError) {
        try await inner.connect(party, sealing: sealing)
    }
    mutating func send(_ message: PerlValue, from party: String) async throws(ScenarioError) {
        try await inner.send(message, from: party)
    }
    mutating func sendVector(_ vector: ProtocolVector, from party: String) async throws(ScenarioError) {
        try await inner.sendVector(vector, from: party)
    }
    mutating func sendUnreadable(from party: String) async throws(ScenarioError) { try await inner.sendUnreadable(from: party) }
    mutating func disconnect(_ party: String) async throws(ScenarioError) { try await inner.disconnect(party) }
    mutating func shutdown(text: String) async throws(ScenarioError) { try await inner.shutdown(text: text) }
    mutating func drain(_ party: String) async throws(ScenarioError) -> (messages: [PerlValue], closed: Bool) {
        var (messages, closed) = try await inner.drain(party)
        var kept: [PerlValue] = []
        for message in messages {
            seen += 1
            if seen != dropAt { kept.append(message) }
        }
        messages = kept
        return (messages, closed)
    }
}
