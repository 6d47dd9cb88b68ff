import Foundation
import RefWire
import RefWireNIO
import RefWireTestSupport
import Synchronization
import Testing

// Live interop over 127.0.0.1 between RefWireNIO and real POE processes: a POE TCP server
// (POE::Component::Server::TCP with POE::Filter::Reference, `Perl/poe_server.pl`) and a
// POE TCP client (`Perl/poe_client.pl`), with Storable, Storable + zlib and YAML.
//
// Both sides exchange the same generated corpus (`Perl/TransportCorpus.pm`, 1,000
// messages of nested Perl data) and both sides check it: the Perl peer compares what it
// received with the corpus as Perl data (`SameData.pm`), and the Swift side compares
// every reply with what it sent (`PerlData`, the same comparison in Swift).

/// A serializer and compression setting of POE::Filter::Reference, as both sides name it.
struct POEFilterSetting: CustomTestStringConvertible, Sendable {
    var serializer: String
    var compressed: Bool

    static let all = [
        POEFilterSetting(serializer: "nstorable", compressed: false),
        POEFilterSetting(serializer: "nstorable", compressed: true),
        POEFilterSetting(serializer: "yaml", compressed: false),
        POEFilterSetting(serializer: "yaml", compressed: true),
    ]

    var testDescription: String { serializer + (compressed ? " + zlib" : "") }

    /// The arguments `poe_server.pl` and `poe_client.pl` take for it.
    var perlArguments: [String] { [serializer, compressed ? "1" : "0"] }

    /// The same setting for RefWireNIO.
    var wire: WireConfiguration {
        WireConfiguration.poeFilterReference(
            format: serializer == "yaml" ? .yaml : .nstorable,
            compression: compressed ? .zlib() : .none)
    }
}

/// The corpus both sides exchange, as Perl generates it (nfreeze images, decoded here).
enum TransportCorpus {
    static let count = 1_000
    static let seed = 20_261_122

    static func messages(for setting: POEFilterSetting) throws -> [PerlValue] {
        let result = try StorablePerl.run(
            "transport_corpus.pl", arguments: [String(count), String(seed), setting.serializer])
        try #require(result.status == 0, "\(result.stderr)")
        let decoder = StorableDecoder()
        return try String(decoding: result.stdout, as: UTF8.self).split(separator: "\n").map { line in
            try decoder.decode(try #require(Hex.bytes(String(line))))
        }
    }
}

@Suite("POETransportInterop: RefWireNIO against a real POE server and client", .serialized)
struct POETransportInteropTests {
    /// Parses a summary line `key=value key=value …` that the Perl peers print.
    static func summary(_ text: String) -> [String: Int] {
        let line = text.split(separator: "\n").last ?? ""
        var fields: [String: Int] = [:]
        for field in line.split(separator: " ") {
            let parts = field.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { fields[String(parts[0])] = Int(parts[1]) }
        }
        return fields
    }

    /// A POE echo server on `port` again. The port is free once the old server died, but
    /// while the suite runs in parallel another test's socket may take it for a moment (an
    /// ephemeral port), so a failed bind is retried briefly.
    static func restartPOE(port: Int, _ setting: POEFilterSetting) throws -> PerlPeer {
        for attempt in 1... {
            do {
                return try PerlPeer("poe_server.pl", arguments: [String(port)] + setting.perlArguments + ["echo"])
            } catch where attempt < 20 {
                usleep(100_000)
            }
        }
        fatalError("unreachable")
    }

    @Test("the Swift client exchanges the corpus with a POE server", arguments: POEFilterSetting.all)
    func swiftClientWithPOEServer(setting: POEFilterSetting) async throws {
        let corpus = try TransportCorpus.messages(for: setting)
        #expect(corpus.count == TransportCorpus.count)
        let server = try PerlPeer(
            "poe_server.pl",
            arguments: ["0"] + setting.perlArguments
                + ["check", String(TransportCorpus.count), String(TransportCorpus.seed)])
        let port = try #require(Int(server.firstLine), "no port from poe_server.pl")

        // Apache::Backend::POE's default: a ping before every use, answered by POE.
        let client = RefWireClient(endpoints: [
            Endpoint(alias: "poe", port: port, wire: setting.wire, pingPolicy: .beforeEveryUse,
                     requestTimeout: .seconds(30))
        ])
        try await client.connectAll()
        var mismatches: [String] = []
        for message in corpus {
            let reply = try await client.request(message, to: "poe")
            if PerlData(reply["seq"] ?? .undef) != PerlData(message["seq"] ?? .undef)
                || PerlData(reply["echo"] ?? .undef) != PerlData(message)
            {
                mismatches.append("sent \(PerlData(message)), got \(PerlData(reply))")
            }
        }
        await client.shutdown()
        let finished = try server.finish()

        #expect(mismatches.isEmpty, "\(mismatches.count) replies differ; first: \(mismatches.prefix(3))")
        #expect(finished.status == 0, "poe_server.pl: \(finished.stderr)")
        let counts = Self.summary(finished.stdout)
        #expect(counts["received"] == TransportCorpus.count)
        #expect(counts["mismatches"] == 0, "\(finished.stderr)")
        #expect(counts["pings"] == TransportCorpus.count, "one ping before each request")
        print("POETransportInterop \(setting.testDescription): Swift client -> POE server, \(corpus.count) messages, \(mismatches.count) bad replies; server: \(finished.stdout.trimmingCharacters(in: .newlines))")
    }

    @Test("a POE client exchanges the corpus with the Swift server", arguments: POEFilterSetting.all)
    func poeClientWithSwiftServer(setting: POEFilterSetting) async throws {
        let corpus = try TransportCorpus.messages(for: setting)
        let received = ReceivedLog()
        let server = RefWireServer(configuration: .init(wire: setting.wire)) { message, _ in
            let index = received.append(message)
            let matches = index < corpus.count && PerlData(message) == PerlData(corpus[index])
            if !matches { received.noteMismatch("message \(index + 1): got \(PerlData(message))") }
            return .hash(["seq": message["seq"] ?? .undef, "echo": message])
        }
        try await server.start()
        let port = try #require(server.port)

        let result = try StorablePerl.run(
            "poe_client.pl",
            arguments: [String(port)] + setting.perlArguments
                + [String(TransportCorpus.count), String(TransportCorpus.seed), "8"])
        await server.shutdown(gracePeriod: .seconds(5))

        let output = String(decoding: result.stdout, as: UTF8.self)
        #expect(result.status == 0, "poe_client.pl: \(result.stderr)")
        let counts = Self.summary(output)
        #expect(counts["received"] == TransportCorpus.count)
        #expect(counts["pongs"] == 1, "the Swift server answers Apache::Backend::POE's ping")
        #expect(counts["mismatches"] == 0, "\(result.stderr)")
        #expect(received.count == TransportCorpus.count)
        #expect(received.mismatches.isEmpty, "\(received.mismatches.prefix(3))")
        print("POETransportInterop \(setting.testDescription): POE client -> Swift server, \(received.count) messages, \(received.mismatches.count) differ from the corpus; client: \(output.trimmingCharacters(in: .newlines))")
    }

    @Test("a POE server restarts under a connected Swift client: the next request succeeds")
    func poeServerRestarts() async throws {
        let setting = POEFilterSetting.all[0]
        var server = try PerlPeer("poe_server.pl", arguments: ["0"] + setting.perlArguments + ["echo"])
        let port = try #require(Int(server.firstLine))
        let client = RefWireClient(endpoints: [
            Endpoint(alias: "poe", port: port, wire: setting.wire, pingPolicy: .never,
                     requestTimeout: .seconds(10),
                     reconnect: .init(initialDelay: .milliseconds(20), maximumDelay: .milliseconds(200),
                                      multiplier: 2, maximumAttempts: 20))
        ])
        try await client.connectAll()
        #expect(try await client.request(["n": 1], to: "poe") == ["n": 1])

        server.crash()  // SIGKILL: no goodbye, the socket just closes
        server = try Self.restartPOE(port: port, setting)
        #expect(Int(server.firstLine) == port)

        // The first request after the crash may find the old connection dead (that is
        // what ping validation is for); with pings off it fails at once with a typed
        // error, and the one after it reconnects.
        var reply: PerlValue?
        for _ in 0..<2 where reply == nil {
            do {
                reply = try await client.request(["n": 2], to: "poe")
            } catch {
                guard case .connectionClosed = error else { throw error }
            }
        }
        #expect(reply == ["n": 2])
        await client.shutdown()
        let finished = try server.finish()
        #expect(Self.summary(finished.stdout)["received"] == 1)
    }

    @Test("with pings before every use, a POE server that restarted costs no failed request")
    func pingValidationHidesRestart() async throws {
        let setting = POEFilterSetting.all[0]
        var server = try PerlPeer("poe_server.pl", arguments: ["0"] + setting.perlArguments + ["echo"])
        let port = try #require(Int(server.firstLine))
        let client = RefWireClient(endpoints: [
            Endpoint(alias: "poe", port: port, wire: setting.wire, pingPolicy: .beforeEveryUse,
                     requestTimeout: .seconds(10),
                     reconnect: .init(initialDelay: .milliseconds(20), maximumDelay: .milliseconds(200),
                                      multiplier: 2, maximumAttempts: 20))
        ])
        #expect(try await client.request(["n": 1], to: "poe") == ["n": 1])
        server.crash()
        server = try Self.restartPOE(port: port, setting)
        #expect(try await client.request(["n": 2], to: "poe") == ["n": 2])
        await client.shutdown()
        let counts = Self.summary(try server.finish().stdout)
        #expect(counts["received"] == 1)
        #expect(counts["pings"] == 1)
    }
}

/// What the Swift server received, from the event loop threads.
final class ReceivedLog: Sendable {
    private let state = Mutex<(count: Int, mismatches: [String])>((0, []))

    /// Counts `message` and returns its index.
    func append(_ message: PerlValue) -> Int {
        state.withLock { state in
            defer { state.count += 1 }
            return state.count
        }
    }

    func noteMismatch(_ text: String) { state.withLock { $0.mismatches.append(text) } }
    var count: Int { state.withLock { $0.count } }
    var mismatches: [String] { state.withLock { $0.mismatches } }
}
