import Foundation
import RefWireSodium
import RefWireTestSupport
import Testing

/// Runs every vector in `Spec/vectors/sealing/` (format: its README) through
/// ``SealedChannel``: the vectors are written by the independent Python implementation,
/// so passing them means the two implementations agree byte for byte.
@Suite("Sodium: sealing vectors")
struct SealingVectorTests {
    static let vectors: [SealingVector] = (try? SealingVector.loadAll()) ?? []

    @Test("The vector files are there and hold vectors")
    func vectorsExist() throws {
        let vectors = try SealingVector.loadAll()
        #expect(vectors.count >= 30)
        #expect(Set(vectors.map(\.name)).count == vectors.count, "vector names are unique")
    }

    @Test("Every vector, whole and in pieces", arguments: vectors, [0, 1, 7])
    func vector(_ vector: SealingVector, chunkSize: Int) throws {
        let outcome = try vector.run(chunkSize: chunkSize)
        #expect(Hex.string(outcome.output) == vector.outputHex, "output")
        #expect(outcome.events == vector.events, "events")
        #expect(outcome.error?.kind == vector.error?.kind, "error kind: \(outcome.error.map(String.init(describing:)) ?? "none")")
        #expect(outcome.error?.offset == vector.error?.offset, "error offset")
    }
}

/// One endpoint vector (Spec/vectors/sealing/README.md).
struct SealingVector: Decodable, Sendable, CustomTestStringConvertible {
    struct Configuration: Decodable, Sendable {
        var mode: String
        var staticPrivateHex: String?
        var trustedPublicHex: [String]?
        var pskHex: String?
        var maxSealedFrameLength: Int?
        var rekeyFrames: Int?
        var rekeyBytes: Int?
    }

    struct Event: Codable, Hashable, Sendable {
        var type: String
        var hex: String?
        var handshakeHashHex: String?
        var peerStaticHex: String?
    }

    struct Failure: Decodable, Sendable {
        var kind: String
        var offset: Int?
    }

    var name: String
    var description: String
    var role: String
    var config: Configuration
    var randomnessHex: String
    var inputHex: String
    var endOfInput: Bool
    var send: [String]
    var close: Bool
    var outputHex: String
    var events: [Event]
    var error: Failure?

    var testDescription: String { name }

    static func loadAll(filePath: String = #filePath) throws -> [SealingVector] {
        let folder = repositoryRoot(filePath: filePath).appendingPathComponent("Spec/vectors/sealing")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { $0.hasSuffix(".json") }.sorted()
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        struct Document: Decodable {
            var format: Int
            var vectors: [SealingVector]
        }
        return try files.flatMap { file in
            let document = try decoder.decode(Document.self, from: Data(contentsOf: folder.appendingPathComponent(file)))
            precondition(document.format == 1, "unknown vector format \(document.format) in \(file)")
            return document.vectors
        }
    }

    func sealingConfiguration() throws -> SealingConfiguration {
        guard let mode = SealingMode.allCases.first(where: { $0.identifier == config.mode }) else {
            throw VectorError.unknownMode(config.mode)
        }
        let trusted = TrustedKeys(try (config.trustedPublicHex ?? []).map { try PublicKey(hex: $0) })
        let staticKey = try config.staticPrivateHex.map { try StaticKeyPair(privateKeyHex: $0) }
        let psk = try config.pskHex.map { try PreSharedKey(hex: $0) }
        let authentication: SealingConfiguration.Authentication
        switch mode {
        case .staticKeys: authentication = .staticKeys(staticKey!, trusting: trusted)
        case .staticKeysAndPreSharedKey: authentication = .staticKeysAndPreSharedKey(staticKey!, trusting: trusted, psk!)
        case .preSharedKey: authentication = .preSharedKey(psk!)
        }
        let defaults = RekeyInterval.default
        return SealingConfiguration(
            authentication: authentication,
            limits: SealingLimits(maximumSealedFrameLength: config.maxSealedFrameLength ?? SealingLimits.default.maximumSealedFrameLength),
            rekeyInterval: RekeyInterval(frames: config.rekeyFrames ?? defaults.frames, bytes: config.rekeyBytes ?? defaults.bytes))
    }

    /// Runs the vector as its README says, feeding the input in `chunkSize`-byte pieces
    /// (0: whole).
    func run(chunkSize: Int) throws -> (output: [UInt8], events: [Event], error: SealingError?) {
        var channel = SealedChannel(
            role: role == "initiator" ? .initiator : .responder, configuration: try sealingConfiguration(),
            randomness: ScriptedRandomness(Hex.bytes(randomnessHex)!))
        let input = Hex.bytes(inputHex)!
        let payloads = send.map { Hex.bytes($0)! }
        var output: [UInt8] = []
        var events: [Event] = []
        func record(_ event: SealedEvent, _ channel: inout SealedChannel) throws {
            switch event {
            case .established(let session):
                events.append(Event(
                    type: "established", handshakeHashHex: Hex.string(session.handshakeHash),
                    peerStaticHex: session.peerStaticKey?.hex))
                for payload in payloads { try channel.seal(payload, into: &output) }
                if close { try channel.close(into: &output) }
            case .message(let payload):
                events.append(Event(type: "message", hex: Hex.string(payload)))
            case .closed:
                events.append(Event(type: "closed"))
            }
        }
        do {
            try channel.start(into: &output)
            let size = chunkSize == 0 ? max(input.count, 1) : chunkSize
            for start in stride(from: 0, to: input.count, by: size) {
                try channel.feed(input[start..<min(start + size, input.count)])
                while let event = try channel.next(into: &output) { try record(event, &channel) }
            }
            if endOfInput {
                channel.finish()
                while let event = try channel.next(into: &output) { try record(event, &channel) }
            }
            return (output, events, nil)
        } catch let error as SealingError {
            return (output, events, error)
        }
    }

    enum VectorError: Error {
        case unknownMode(String)
    }
}

/// The repository's root: the nearest ancestor of this file holding `Package.swift` and `Spec`.
func repositoryRoot(filePath: String = #filePath) -> URL {
    var directory = URL(fileURLWithPath: filePath).deletingLastPathComponent()
    while directory.pathComponents.count > 1 {
        if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path),
            FileManager.default.fileExists(atPath: directory.appendingPathComponent("Spec").path)
        {
            return directory
        }
        directory.deleteLastPathComponent()
    }
    fatalError("no repository root above \(filePath)")
}
