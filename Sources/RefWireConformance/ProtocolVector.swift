import Foundation
import RefWire

/// One byte-level vector of the session protocol (`Spec/vectors/protocol/messages.json`):
/// a message as a Perl peer writes it, framed by POE::Filter::Reference in each
/// serializer, and what every reader must make of it.
///
/// Scenarios send and receive these frames (`Spec/scenarios/README.md`, the `vector`
/// steps), so every subject the suite runs against — in process, over sockets, a live
/// server or a client program — reads the bytes Perl wrote, not the runner's encoding.
public struct ProtocolVector: Sendable, CustomStringConvertible {
    /// What a reader must make of the frame on its own.
    public enum Expectation: Sendable, Hashable {
        /// The message it is: its `cmd`.
        case command(String)
        /// The error code of `Spec/protocol.md` §6 the frame earns, whoever reads it.
        case refused(String)
    }

    public var name: String
    public var summary: String
    /// Each serializer's whole frame (`<length> NUL <payload>`), for the formats that can
    /// carry the message (JSON has no objects).
    public var frames: [PayloadFormat: [UInt8]]
    public var expectation: Expectation

    public var description: String { name }

    /// Whether the message is a `hello` that states the channel's sealing: it then means
    /// something else on a sealed channel. (What a client sends the server only a server
    /// sends, a `welcome` among them, is refused whatever it says.)
    public var statesSealing: Bool {
        frames.keys.contains { format in
            guard let message = try? value(in: format) else { return false }
            return message["cmd"]?.stringValue == "hello" && message["sealing"] != nil
        }
    }

    /// The frame's payload in `format`, or `nil` if the vector has none in it.
    public func payload(in format: PayloadFormat) -> [UInt8]? {
        guard let frame = frames[format], let separator = frame.firstIndex(of: 0) else { return nil }
        return Array(frame[(separator + 1)...])
    }

    /// The value the payload in `format` holds, read as POE::Filter::Reference's peers
    /// write it (`PayloadCodec.poeFilterReference`).
    public func value(in format: PayloadFormat) throws(ScenarioError) -> PerlValue {
        guard let payload = payload(in: format) else { throw ScenarioError("vector \(name) has no \(format.name) frame") }
        do {
            return try PayloadCodec.poeFilterReference(format).decode(payload, as: format)
        } catch {
            throw ScenarioError("vector \(name) does not decode as \(format.name): \(error)")
        }
    }
}

extension ProtocolVector {
    /// The file of protocol vectors under a `Spec` folder.
    public static func file(in specFolder: URL) -> URL {
        specFolder.appendingPathComponent("vectors/protocol/messages.json")
    }

    /// Every vector of `messages.json`, in file order. Every frame must be one whole frame
    /// (its length field equal to the payload's length): a damaged file fails here, not
    /// as a mysterious scenario failure.
    public static func load(json bytes: some Collection<UInt8>) throws(ScenarioError) -> [ProtocolVector] {
        let document: PerlValue
        do throws(JSONDecodingError) {
            document = try PerlJSONDecoder().decode(bytes)
        } catch {
            throw ScenarioError("protocol vectors: \(error)")
        }
        guard document["format"].flatMap(MessageFields.integer) == 1, let entries = document["vectors"]?.arrayElements else {
            throw ScenarioError("protocol vectors: not a format 1 file with vectors")
        }
        var vectors: [ProtocolVector] = []
        for entry in entries {
            guard let name = entry["name"]?.stringValue else { throw ScenarioError("protocol vectors: a vector without a name") }
            var frames: [PayloadFormat: [UInt8]] = [:]
            for (key, hex) in entry["frames"]?.hashContents ?? PerlHash() {
                guard let formatName = PerlValue(key: key).stringValue, let format = PayloadFormat(rawValue: formatName),
                      let bytes = hex.stringValue.flatMap(hexBytes)
                else { throw ScenarioError("protocol vector \(name): a frame that is not a known format's hex") }
                guard let separator = bytes.firstIndex(of: 0),
                      Int(String(decoding: bytes[..<separator], as: UTF8.self)) == bytes.count - separator - 1
                else { throw ScenarioError("protocol vector \(name): the \(formatName) frame is not one whole frame") }
                frames[format] = bytes
            }
            let expectation: Expectation
            if let command = entry["expect"]?["cmd"]?.stringValue {
                expectation = .command(command)
            } else if let code = entry["expect"]?["error"]?.stringValue {
                expectation = .refused(code)
            } else {
                throw ScenarioError("protocol vector \(name): expect needs cmd or error")
            }
            vectors.append(ProtocolVector(
                name: name, summary: entry["description"]?.stringValue ?? "", frames: frames, expectation: expectation))
        }
        guard !vectors.isEmpty else { throw ScenarioError("protocol vectors: none in the file") }
        return vectors
    }
}
