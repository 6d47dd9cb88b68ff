import RefWire
import RefWireTestSupport
import Testing

/// Replays every vector in `Spec/vectors/storable/` (written and read by real Perl; see
/// its README) through ``StorableDecoder``, and re-encodes the valid ones with
/// ``StorableEncoder``, so the Swift implementation is held to the same
/// language-neutral expectations as any other.
@Suite("Storable vectors")
struct StorableVectorTests {
    @Test("Spec/vectors/storable is found and holds every topic")
    func vectorsArePresent() throws {
        let vectors = try StorableVectors.all()
        #expect(vectors.count >= 150, "only \(vectors.count) Storable vectors were found")
        let files = Set(vectors.map(\.file))
        for file in ["scalars", "containers", "sharing", "objects", "errors"] {
            #expect(files.contains(file), "no vectors from \(file).json")
        }
        let names = vectors.map(\.name)
        #expect(Set(names).count == names.count, "vector names must be unique")
        #expect(try StorableVectors.errors().count >= 40)
        #expect(try StorableVectors.valid().contains { $0.nativeHex != nil })
        #expect(try StorableVectors.valid().contains { $0.fileHex != nil })
    }

    @Test("Valid vector decodes to its value", arguments: try StorableVectors.valid())
    func decodes(_ vector: StorableVector) throws {
        let decoder = StorableDecoder(options: vector.decodingOptions)
        let expected = try #require(try vector.value?.perlValue())
        let value = try decoder.decode(vector.network)
        #expect(value.isIdentical(to: expected), "network image: decoded \(value), expected \(expected)")
        if let file = vector.fileImage {
            let fromFile = try decoder.decode(file)
            #expect(fromFile.isIdentical(to: expected), "file image: decoded \(fromFile), expected \(expected)")
        }
        if let native = vector.native {
            let nativeExpected = try vector.nativeValue?.perlValue() ?? expected
            let fromNative = try decoder.decode(native)
            #expect(fromNative.isIdentical(to: nativeExpected), "native image: decoded \(fromNative), expected \(nativeExpected)")
        }
    }

    @Test("Valid vector re-encodes to the same bytes where the README says it does",
          arguments: try StorableVectors.valid().filter { $0.reencodes == true })
    func reencodes(_ vector: StorableVector) throws {
        let value = try StorableDecoder(options: vector.decodingOptions).decode(vector.network)
        let network = try StorableEncoder(options: vector.encodingOptions(file: false)).encode(value)
        #expect(Hex.string(network) == vector.networkHex)
        if let file = vector.fileHex {
            let stored = try StorableEncoder(options: vector.encodingOptions(file: true)).encode(value)
            #expect(Hex.string(stored) == file)
        }
        // And from the expected value itself, not only from what this decoder made.
        let expected = try #require(try vector.value?.perlValue())
        let fromExpected = try StorableEncoder(options: vector.encodingOptions(file: false)).encode(expected)
        #expect(Hex.string(fromExpected) == vector.networkHex, "encoding the vector's value")
    }

    @Test("Error vector fails with its error", arguments: try StorableVectors.errors())
    func fails(_ vector: StorableVector) throws {
        let expected = try #require(vector.error)
        do {
            let value = try StorableDecoder(options: vector.decodingOptions).decode(vector.network)
            Issue.record("decoded \(value); expected \(expected.kind)")
        } catch {
            #expect(error.kind.identifier == expected.kind, "\(error)")
            if let offset = expected.offset { #expect(error.offset == offset, "\(error)") }
            switch error.kind {
            case .invalidOpcode(let byte):
                if let expectedByte = expected.byte { #expect(byte == expectedByte) }
            case .invalidBackReference(let tag):
                if let expectedTag = expected.tag { #expect(tag == expectedTag) }
            case .invalidClassIndex(let index):
                if let expectedIndex = expected.index { #expect(index == expectedIndex) }
            case .trailingBytes(let count):
                if let expectedCount = expected.count { #expect(count == expectedCount) }
            case .depthLimitExceeded(let limit), .totalLimitExceeded(let limit):
                if let expectedLimit = expected.limit { #expect(limit == expectedLimit) }
            case .containerLimitExceeded(_, let limit), .stringLimitExceeded(_, let limit):
                if let expectedLimit = expected.limit { #expect(limit == expectedLimit) }
            case .blessedValueRefused(let className):
                if let expectedClass = expected.className { #expect(className == expectedClass) }
            default:
                break
            }
        }
    }

    @Test("Every error kind has a vector")
    func errorKindsCovered() throws {
        let kinds = Set(try StorableVectors.errors().compactMap { $0.error?.kind })
        for kind in [
            "truncated", "trailing_bytes", "unsupported_version", "unsupported_native_layout", "invalid_opcode",
            "invalid_back_reference", "invalid_class_index", "malformed", "invalid_utf8", "depth_limit_exceeded",
            "container_limit_exceeded", "total_limit_exceeded", "string_limit_exceeded", "blessed_value_refused",
            "code_reference_refused", "tied_value_refused", "shared_scalar_slot",
        ] {
            #expect(kinds.contains(kind), "no error vector of kind \(kind)")
        }
    }
}

