import Foundation
import RefWire
import RefWireTestSupport
import Testing

/// The session protocol's byte-level vectors (`Spec/vectors/protocol/messages.json`):
/// each message of Spec/protocol.md as POE::Filter::Reference frames it in each
/// serializer, and what a reader must make of it — the message it is, or the error code
/// it earns on its own.
@Suite("Protocol vectors")
struct ProtocolVectorTests {
    struct Vector: CustomTestStringConvertible, Sendable {
        var name: String
        var format: PayloadFormat
        var frame: [UInt8]
        /// The command the message is, or `nil` when it must be refused.
        var command: String?
        /// The error code of a refused message.
        var error: String?

        var testDescription: String { "\(name) (\(format.name))" }
    }

    static let vectors: [Vector] = {
        guard let url = try? SpecVectors.specFolder().appendingPathComponent("vectors/protocol/messages.json"),
              let data = try? Data(contentsOf: url),
              let document = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let entries = document["vectors"] as? [[String: Any]]
        else { return [] }
        return entries.flatMap { entry -> [Vector] in
            let frames = entry["frames"] as? [String: String] ?? [:]
            let expect = entry["expect"] as? [String: String] ?? [:]
            return frames.sorted { $0.key < $1.key }.compactMap { format, hex in
                guard let format = PayloadFormat(rawValue: format), let bytes = Hex.bytes(hex) else { return nil }
                return Vector(
                    name: entry["name"] as? String ?? "?", format: format, frame: bytes,
                    command: expect["cmd"], error: expect["error"])
            }
        }
    }()

    @Test("The vectors are there: every message of §5, refusals, every serializer")
    func present() {
        #expect(Self.vectors.count >= 100, "\(Self.vectors.count) vectors")
        let commands = Set(Self.vectors.compactMap(\.command))
        for command in ["hello", "welcome", "ping", "pong", "publish", "rescind", "listing", "subscribe", "unsubscribe",
                        "deliver", "result", "ok", "error", "rescinded", "cancel", "bye"] {
            #expect(commands.contains(command), "no vector for \(command)")
        }
        #expect(Set(Self.vectors.map(\.format)) == [.nstorable, .storable, .json, .yaml, .yamlxs])
        #expect(Self.vectors.contains { $0.error != nil })
    }

    @Test("Each frame reads as the message it is, or is refused with its code", arguments: vectors)
    func read(_ vector: Vector) throws {
        var reader = FrameReader()
        try reader.feed(vector.frame)
        reader.finish()
        let payload = try #require(try reader.next(), "no frame")
        #expect(try reader.next() == nil, "more than one frame")
        let value = try PayloadCodec.poeFilterReference(vector.format).decode(try payload.result.get(), as: vector.format)
        do throws(SessionMessage.ParseFailure) {
            let message = try SessionMessage(parsing: value)
            #expect(vector.error == nil, "read as \(message), expected \(vector.error ?? "")")
            #expect(message.perlValue["cmd"]?.stringValue == vector.command)
            // What RefWire would write for it reads back as the same message.
            #expect(try SessionMessage(parsing: message.perlValue) == message)
        } catch {
            #expect(vector.command == nil, "refused with \(error.error.code), expected \(vector.command ?? "")")
            #expect(error.error.code.rawValue == vector.error)
        }
    }
}
