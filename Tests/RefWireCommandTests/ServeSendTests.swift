import Foundation
import RefWire
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `refwire serve` and `refwire send` as scripts use them: over 127.0.0.1, plain and
/// sealed, each run bounded in time.
@Suite("serve and send", .serialized)
struct ServeSendTests {
    static let messages: [PerlValue] = [
        ["cmd": "store", "key": "k1", "value": [1, -2, "three", nil]],  // (nfreeze writes a 2.5 as text)
        .blessed(class: "Job", ["id": 7, "name": .bytes(Array("caf\u{e9}".utf8))]),
        ["empty": [:]],
    ]

    /// The frames of `messages` as POE writes them (nfreeze).
    static func frames(_ messages: [PerlValue]) throws -> [UInt8] {
        var output: [UInt8] = []
        let writer = FrameWriter()
        for message in messages { try writer.write(try StorableEncoder().encode(message), into: &output) }
        return output
    }

    static func values(ofFrames bytes: [UInt8]) throws -> [PerlValue] {
        var reader = FrameReader()
        try reader.feed(bytes)
        reader.finish()
        var values: [PerlValue] = []
        while let payload = try reader.next() { values.append(try StorableDecoder().decode(try payload.result.get())) }
        return values
    }

    /// A running `refwire serve`, and the port it printed first.
    struct Server {
        let child: ChildProcess
        let port: Int

        init(_ arguments: [String]) throws {
            let executable = try #require(RefWireExecutable.path, "the refwire executable was not found")
            child = try ChildProcess(executable: executable, arguments: ["serve", "--listen", "127.0.0.1:0"] + arguments)
            var line: Int?
            for _ in 0..<300 where line == nil {
                _ = child.readStdout(atLeast: 1, timeout: 0.1)
                if let newline = child.stdout.firstIndex(of: UInt8(ascii: "\n")) {
                    line = Int(String(decoding: child.stdout[..<newline], as: UTF8.self))
                }
            }
            port = try #require(line, "serve printed no port: \(String(decoding: child.stdout, as: UTF8.self))")
        }

        /// SIGTERM (a graceful shutdown), then what it printed after the port.
        func stop() -> ProcessOutcome {
            kill(child.pid, SIGTERM)
            return child.finish(timeout: 30)
        }
    }

    @Test("send writes the echo server's replies, in order; serve exits 0 on SIGTERM")
    func echo() throws {
        let server = try Server(["--echo"])
        let sent = try runRefWire(["send", "127.0.0.1:\(server.port)", "--timeout", "10"], stdin: Self.frames(Self.messages))
        let stopped = server.stop()
        #expect(sent.status == 0, "\(sent.stderrText)")
        #expect(try Self.values(ofFrames: sent.stdout) == Self.messages)
        #expect(stopped.status == 0, "\(stopped.stderrText)")
    }

    @Test("sealed with a pre-shared key; the wrong key gets no reply and status 69")
    func sealed() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("refwire-serve-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let (key, other) = (directory.appendingPathComponent("psk").path, directory.appendingPathComponent("other").path)
        #expect(try runRefWire(["keygen", "--psk", "--out", key]).status == 0)
        #expect(try runRefWire(["keygen", "--psk", "--out", other]).status == 0)

        let server = try Server(["--echo", "--compress", "--seal", "psk", "--seal-psk", key])
        let sent = try runRefWire(
            ["send", "127.0.0.1:\(server.port)", "--compress", "--seal", "psk", "--seal-psk", key, "--timeout", "10"],
            stdin: try compressedFrames())
        let refused = try runRefWire(
            ["send", "127.0.0.1:\(server.port)", "--compress", "--seal", "psk", "--seal-psk", other, "--timeout", "5",
             "--connect-timeout", "5"],
            stdin: try compressedFrames())
        let stopped = server.stop()

        #expect(sent.status == 0, "\(sent.stderrText)")
        var reader = FrameReader(compression: .zlib())
        try reader.feed(sent.stdout)
        var replies: [PerlValue] = []
        while let payload = try reader.next() { replies.append(try StorableDecoder().decode(try payload.result.get())) }
        #expect(replies == Self.messages)
        #expect(refused.status == 69, "\(refused.stderrText)")
        #expect(refused.stdout.isEmpty)
        #expect(stopped.status == 0, "\(stopped.stderrText)")
    }

    /// The messages as frames with zlib payloads (POE's `Compression => 1`).
    private func compressedFrames() throws -> [UInt8] {
        var output: [UInt8] = []
        let writer = FrameWriter(compression: .zlib())
        for message in Self.messages { try writer.write(try StorableEncoder().encode(message), into: &output) }
        return output
    }

    @Test("without --echo, serve writes what it receives to standard output as frames")
    func sink() throws {
        let server = try Server([])
        // Nothing answers, so send gives up after its timeout, having delivered the message.
        let sent = try runRefWire(["send", "127.0.0.1:\(server.port)", "--timeout", "1"], stdin: Self.frames([Self.messages[0]]))
        let stopped = server.stop()
        #expect(sent.status == 69, "\(sent.stderrText)")
        let newline = try #require(stopped.stdout.firstIndex(of: UInt8(ascii: "\n")))
        #expect(try Self.values(ofFrames: Array(stopped.stdout[(newline + 1)...])) == [Self.messages[0]])
    }

    @Test("usage errors: --echo with --protocol, auto as a wire format, a bad address")
    func usage() throws {
        #expect(try runRefWire(["serve", "--listen", "127.0.0.1:0", "--echo", "--protocol"]).status == 64)
        #expect(try runRefWire(["serve", "--listen", "127.0.0.1:0", "--serializer", "auto"]).status == 64)
        #expect(try runRefWire(["send", "localhost"]).status == 64)
        #expect(try runRefWire(["send", "127.0.0.1:1", "--seal-psk", "/nonexistent"]).status == 64)
    }

    @Test("send to a port nobody listens on: status 69")
    func unreachable() throws {
        let outcome = try runRefWire(["send", "127.0.0.1:1", "--connect-timeout", "2"], stdin: Self.frames(Self.messages))
        #expect(outcome.status == 69, "\(outcome.stderrText)")
    }
}
