import RefWire
import Testing

@Suite("FramingLimits")
struct FramingLimitsTests {
    @Test("the buffer limit follows a raised frame limit unless it is given")
    func bufferDefaultFollowsFrameLimit() throws {
        #expect(FramingLimits.default.maximumBufferedBytes == 32 << 20)
        #expect(FramingLimits(maximumFrameLength: 1_000).maximumBufferedBytes == 32 << 20)
        let raised = FramingLimits(maximumFrameLength: 40 << 20)
        #expect(raised.maximumBufferedBytes == (40 << 20) + 20 + 1 + (64 << 10))
        #expect(FramingLimits(maximumFrameLength: 40 << 20, maximumBufferedBytes: 5).maximumBufferedBytes == 5)

        // A largest frame under the raised limit, fed whole, completes.
        let payload = [UInt8](repeating: 0x2A, count: 40 << 20)
        let stream = try FrameEncoder(maximumFrameLength: raised.maximumFrameLength).encode(payload)
        var decoder = FrameDecoder(limits: raised)
        try decoder.feed(stream)
        #expect(try decoder.nextFrame()?.payload.count == payload.count)
    }
}

@Suite("Frame payloads")
struct FramePayloadSharingTests {
    @Test("payloads are slices of the bytes fed, not copies")
    func payloadsShareTheFedArray() throws {
        let stream = Array("5\0hello3\0abc".utf8)
        var decoder = FrameDecoder()
        try decoder.feed(stream)
        let first = try #require(try decoder.nextFrame())
        let second = try #require(try decoder.nextFrame())
        let streamStart = stream.withUnsafeBufferPointer { $0.baseAddress }
        #expect(first.payload.withUnsafeBufferPointer { $0.baseAddress } == streamStart.map { $0 + 2 })
        #expect(second.payload.withUnsafeBufferPointer { $0.baseAddress } == streamStart.map { $0 + 9 })
        #expect(Array(second.payload) == Array("abc".utf8))
    }
}
