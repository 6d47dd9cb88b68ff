import RefWire
import RefWireTestSupport
import Testing

/// Runs every vector in `Spec/vectors/framing/` through ``FrameReader`` under every
/// chunking, so the Swift decoder is held to the same, language-neutral expectations as
/// any other implementation of `Spec/framing.md`.
@Suite("Framing vectors")
struct FramingVectorTests {
    @Test("Spec/vectors/framing is found and holds the expected topics")
    func vectorsArePresent() throws {
        let vectors = try SpecVectors.framingVectors()
        #expect(vectors.count >= 40, "only \(vectors.count) framing vectors were found")
        let topics = Set(vectors.map(\.topic))
        for topic in ["valid", "errors", "truncation", "limits", "compressed"] {
            #expect(topics.contains(topic), "no vectors from \(topic).json")
        }
        let names = vectors.map(\.name)
        #expect(Set(names).count == names.count, "vector names must be unique")
    }

    @Test("The Spec folder search fails loudly outside a repository")
    func specFolderSearchFails() {
        #expect(throws: SpecVectors.LoadError.self) {
            try SpecVectors.specFolder(startingAt: "/nonexistent/Tests/RefWireTests/Support/SpecVectors.swift")
        }
    }

    @Test("Uncompressed vector", arguments: try SpecVectors.framingVectors(compressed: false))
    func uncompressedVector(_ vector: FramingVector) throws {
        try check(vector)
    }

    @Test("zlib vector", arguments: try SpecVectors.framingVectors(compressed: true))
    func zlibVector(_ vector: FramingVector) throws {
        try check(vector)
    }

    private func check(_ vector: FramingVector) throws {
        let chunkings = vector.chunks.map { [Chunking.explicit($0)] } ?? Chunking.standard
        for chunking in chunkings {
            let run = Run(vector, chunking: chunking)
            try run.expectMatches(vector)
        }
    }
}

extension FramingVectorTests {
    /// How a vector's input is split into `feed` calls.
    enum Chunking: Sendable, CustomStringConvertible {
        case whole
        case byteByByte
        case fixed(Int)
        case explicit([Int])

        /// Used for every vector that does not give its own `chunks`.
        static let standard: [Chunking] = [.whole, .byteByByte, .fixed(2), .fixed(3), .fixed(7), .fixed(64)]

        func split(_ input: [UInt8]) -> [ArraySlice<UInt8>] {
            switch self {
            case .whole:
                return input.isEmpty ? [] : [input[...]]
            case .byteByByte:
                return Self.fixedSplit(input, size: 1)
            case .fixed(let size):
                return Self.fixedSplit(input, size: size)
            case .explicit(let sizes):
                var chunks: [ArraySlice<UInt8>] = []
                var start = 0
                for size in sizes {
                    chunks.append(input[start..<start + size])
                    start += size
                }
                return chunks
            }
        }

        private static func fixedSplit(_ input: [UInt8], size: Int) -> [ArraySlice<UInt8>] {
            stride(from: 0, to: input.count, by: size).map { input[$0..<min($0 + size, input.count)] }
        }

        var description: String {
            switch self {
            case .whole: return "whole input"
            case .byteByByte: return "one byte at a time"
            case .fixed(let size): return "chunks of \(size)"
            case .explicit(let sizes): return "chunks \(sizes)"
            }
        }
    }

    /// What a reader made of one vector under one chunking, following the runner algorithm
    /// in `Spec/vectors/README.md`.
    struct Run {
        let chunking: Chunking
        var payloads: [Result<[UInt8], PayloadError>] = []
        var frameOffsets: [Int] = []
        var error: FramingError?
        /// Where the error lies; for a refused feed, the stream offset of its first byte.
        var errorOffset: Int?
        var pending: [UInt8] = []

        init(_ vector: FramingVector, chunking: Chunking) {
            self.chunking = chunking
            var reader = FrameReader(limits: vector.framingLimits, compression: vector.payloadCompression)
            do throws(FramingError) {
                // Alternate between arrays and slices: the decoder adopts an array fed into
                // an empty buffer and copies anything else, and both paths must agree.
                for (index, chunk) in chunking.split(vector.input).enumerated() {
                    do {
                        if index.isMultiple(of: 2) { try reader.feed(Array(chunk)) } else { try reader.feed(chunk) }
                    } catch {
                        errorOffset = reader.decoder.streamOffset
                        throw error
                    }
                    try drain(&reader)
                }
                if vector.endOfInput {
                    reader.finish()
                    try drain(&reader)
                    // A clean end stays clean.
                    if try reader.next() != nil { Issue.record("a frame after the clean end (\(chunking))") }
                }
            } catch {
                self.error = error
                if errorOffset == nil { errorOffset = error.offset }
            }
            pending = Array(reader.decoder.pendingBytes)
        }

        private mutating func drain(_ reader: inout FrameReader) throws(FramingError) {
            while let read = try reader.next() {
                payloads.append(read.result.map { Array($0) })
                frameOffsets.append(read.offset)
            }
        }

        func expectMatches(_ vector: FramingVector, sourceLocation: SourceLocation = #_sourceLocation) throws {
            let context = "\(vector.testDescription), \(chunking)"
            let expectedFrames = vector.frames

            #expect(
                payloads.count == expectedFrames.count,
                "\(context): \(payloads.count) frames read, \(expectedFrames.count) expected",
                sourceLocation: sourceLocation)
            let payloadErrors = Dictionary(uniqueKeysWithValues: (vector.payloadErrors ?? []).map { ($0.index, $0) })
            for (index, (observed, expected)) in zip(payloads, expectedFrames).enumerated() {
                switch (observed, expected) {
                case (.success(let payload), .some(let expectedPayload)):
                    #expect(
                        payload == expectedPayload,
                        "\(context): frame \(index) is \(Hex.string(payload)), expected \(Hex.string(expectedPayload))",
                        sourceLocation: sourceLocation)
                case (.success(let payload), .none):
                    Issue.record(
                        "\(context): frame \(index) read as \(Hex.string(payload)), expected a payload error",
                        sourceLocation: sourceLocation)
                case (.failure(let failure), .some):
                    Issue.record("\(context): frame \(index) failed: \(failure)", sourceLocation: sourceLocation)
                case (.failure(let failure), .none):
                    let expected = try #require(payloadErrors[index])
                    #expect(failure.frameOffset == frameOffsets[index], "\(context)", sourceLocation: sourceLocation)
                    expectMatches(failure, expected, context: "\(context): frame \(index)", sourceLocation: sourceLocation)
                }
            }
            if let expectedOffsets = vector.frameOffsets {
                #expect(frameOffsets == expectedOffsets, "\(context): frame offsets", sourceLocation: sourceLocation)
            }

            if let expectedError = vector.error {
                if let error {
                    expectMatches(error, expectedError, context: context, sourceLocation: sourceLocation)
                } else {
                    Issue.record("\(context): no error, expected \(expectedError.kind.rawValue)", sourceLocation: sourceLocation)
                }
            } else if let error {
                Issue.record("\(context): unexpected error: \(error)", sourceLocation: sourceLocation)
            }

            if let expectedPending = vector.pending {
                #expect(
                    pending == expectedPending,
                    "\(context): pending \(Hex.string(pending)), expected \(Hex.string(expectedPending))",
                    sourceLocation: sourceLocation)
            }
        }

        private func expectMatches(
            _ error: FramingError, _ expected: FramingVector.ExpectedError, context: String, sourceLocation: SourceLocation
        ) {
            let context = "\(context): \(error)"
            #expect(errorOffset == expected.offset, "\(context): offset", sourceLocation: sourceLocation)
            switch (error, expected.kind) {
            case (.invalidLengthPrefix(_, let byte), .invalidLengthPrefix):
                if let expectedByte = expected.byte {
                    #expect(byte == expectedByte, "\(context): byte", sourceLocation: sourceLocation)
                }
            case (.lengthFieldTooLong(_, let limit), .lengthFieldTooLong):
                if let expectedLimit = expected.limit {
                    #expect(limit == expectedLimit, "\(context): limit", sourceLocation: sourceLocation)
                }
            case (.frameTooLarge(_, let declaredLength, let limit), .frameTooLarge):
                if let expectedDeclared = expected.declaredLength {
                    #expect(String(declaredLength) == expectedDeclared, "\(context): declared length", sourceLocation: sourceLocation)
                }
                if let expectedLimit = expected.limit {
                    #expect(limit == expectedLimit, "\(context): limit", sourceLocation: sourceLocation)
                }
            case (.truncatedFrame(_, let bufferedBytes, let expectedBytes), .truncatedFrame):
                if let expectedBuffered = expected.bufferedBytes {
                    #expect(bufferedBytes == expectedBuffered, "\(context): buffered bytes", sourceLocation: sourceLocation)
                }
                if let expectedExpected = expected.expectedBytes {
                    #expect(expectedBytes == expectedExpected, "\(context): expected bytes", sourceLocation: sourceLocation)
                }
            case (.bufferLimitExceeded(let bufferedBytes, let incomingBytes, let limit), .bufferLimitExceeded):
                if let expectedBuffered = expected.bufferedBytes {
                    #expect(bufferedBytes == expectedBuffered, "\(context): buffered bytes", sourceLocation: sourceLocation)
                }
                if let expectedIncoming = expected.incomingBytes {
                    #expect(incomingBytes == expectedIncoming, "\(context): incoming bytes", sourceLocation: sourceLocation)
                }
                if let expectedLimit = expected.limit {
                    #expect(limit == expectedLimit, "\(context): limit", sourceLocation: sourceLocation)
                }
            default:
                Issue.record("\(context): expected \(expected.kind.rawValue)", sourceLocation: sourceLocation)
            }
        }

        private func expectMatches(
            _ failure: PayloadError, _ expected: FramingVector.ExpectedPayloadError, context: String,
            sourceLocation: SourceLocation
        ) {
            let context = "\(context): \(failure)"
            guard case .decompression(let error) = failure.reason else {
                Issue.record("\(context): expected a zlib error", sourceLocation: sourceLocation)
                return
            }
            switch (error, expected.kind) {
            case (.gzipStream, .gzipStream), (.invalidHeader, .invalidHeader),
                (.presetDictionaryRequired, .presetDictionaryRequired), (.corruptData, .corruptData),
                (.checksumMismatch, .checksumMismatch), (.truncatedStream, .truncatedStream):
                break
            case (.trailingBytes(let count), .trailingBytes):
                if let expectedCount = expected.count {
                    #expect(count == expectedCount, "\(context): trailing byte count", sourceLocation: sourceLocation)
                }
            case (.outputLimitExceeded(let limit), .outputLimitExceeded):
                if let expectedLimit = expected.limit {
                    #expect(limit == expectedLimit, "\(context): limit", sourceLocation: sourceLocation)
                }
            default:
                Issue.record("\(context): expected \(expected.kind.rawValue)", sourceLocation: sourceLocation)
            }
        }
    }
}
