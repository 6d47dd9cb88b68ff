import RefWire
import Testing

/// The README's quick start, kept compiling and true.
@Suite("README quick start")
struct QuickStartTests {
    @Test("frames written with compression are read back in any chunking")
    func readAndWrite() throws {
        let writer = FrameWriter(compression: .zlib())
        var output: [UInt8] = []
        let payloads: [[UInt8]] = [Array("first".utf8), [], Array(repeating: 7, count: 10_000)]
        for payload in payloads { try writer.write(payload, into: &output) }
        output += Array("3\0abc".utf8)   // a frame whose payload is not zlib

        var reader = FrameReader(compression: .zlib())
        var handled: [[UInt8]] = []
        var logged: [PayloadError] = []
        func drain() throws(FramingError) {
            while let payload = try reader.next() {
                switch payload.result {
                case .success(let bytes): handled.append(Array(bytes))
                case .failure(let error): logged.append(error)
                }
            }
        }
        let chunksFromSocket = stride(from: 0, to: output.count, by: 5).map { output[$0..<min($0 + 5, output.count)] }
        for chunk in chunksFromSocket {
            try reader.feed(chunk)
            try drain()
        }
        reader.finish()
        try drain()

        #expect(handled == payloads)
        #expect(logged.count == 1)
        if case .decompression(.invalidHeader) = logged.first?.reason {} else {
            Issue.record("expected an invalid zlib header, got \(String(describing: logged.first))")
        }
    }

    @Test("the value example reads as the README says")
    func values() {
        let message: PerlValue = ["command": "publish", "args": [1, 2.5, nil, true]]
        #expect(message["args"]?[0] == 1)
        let node: PerlValue = .anchored(1, ["name": "root", "self": .weak(.alias(1))])
        #expect(node["self"] == .weak(.alias(1)))
    }

    @Test("the Storable and Codable example round-trips")
    func storable() throws {
        let bytes = try StorableEncoder().encode(["id": 7, "name": "backup"])
        let request = try StorableDecoder().decode(bytes)
        let reply = try StorableEncoder().encode(["id": request["id"] ?? .undef, "status": "ok"])
        #expect(try StorableDecoder().decode(reply) == ["id": 7, "status": "ok"])

        struct Job: Codable, Equatable { var id: Int; var name: String }
        let job = try StorableDecoder().decode(Job.self, from: bytes)
        #expect(job == Job(id: 7, name: "backup"))
        let image = try StorableEncoder().encode(job)
        #expect(image == bytes)
    }
}
