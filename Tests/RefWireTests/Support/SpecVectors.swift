import Foundation
import RefWire
import RefWireTestSupport
import Testing

/// Finds and loads the language-neutral test vectors kept in the repository's `Spec/`
/// folder (format: `Spec/vectors/README.md`).
///
/// The folder is located from this file's `#filePath`, so the vectors are read from the
/// working tree the tests were built from, not from a copy that could go stale.
enum SpecVectors {
    enum LoadError: Error, CustomStringConvertible {
        case specFolderNotFound(searchedFrom: String)
        case noVectorFiles(folder: String)
        case noVectors(folder: String)
        case unreadable(file: String, underlying: any Error)
        case malformed(vector: String, problem: String)

        var description: String {
            switch self {
            case .specFolderNotFound(let start):
                return "no Spec/vectors folder next to a Package.swift above \(start)"
            case .noVectorFiles(let folder):
                return "no *.json vector files in \(folder)"
            case .noVectors(let folder):
                return "the vector files in \(folder) hold no vectors"
            case .unreadable(let file, let underlying):
                return "cannot load \(file): \(underlying)"
            case .malformed(let vector, let problem):
                return "vector \(vector) is malformed: \(problem)"
            }
        }
    }

    /// The repository's `Spec` folder: the nearest ancestor of this source file that
    /// holds both `Package.swift` and `Spec/vectors`.
    static func specFolder(startingAt filePath: String = #filePath) throws(LoadError) -> URL {
        let fileManager = FileManager.default
        var directory = URL(fileURLWithPath: filePath).deletingLastPathComponent()
        while directory.pathComponents.count > 1 {
            let spec = directory.appendingPathComponent("Spec", isDirectory: true)
            let vectors = spec.appendingPathComponent("vectors", isDirectory: true)
            let manifest = directory.appendingPathComponent("Package.swift")
            var isDirectory: ObjCBool = false
            if fileManager.fileExists(atPath: manifest.path),
                fileManager.fileExists(atPath: vectors.path, isDirectory: &isDirectory), isDirectory.boolValue
            {
                return spec
            }
            directory.deleteLastPathComponent()
        }
        throw .specFolderNotFound(searchedFrom: filePath)
    }

    /// Every vector in `Spec/vectors/framing/*.json`, in file then document order.
    static func framingVectors() throws(LoadError) -> [FramingVector] {
        try loadedFramingVectors.get()
    }

    /// The framing vectors whose payloads are (or are not) zlib-compressed.
    static func framingVectors(compressed: Bool) throws(LoadError) -> [FramingVector] {
        try framingVectors().filter { ($0.compression == .zlib) == compressed }
    }

    /// Loaded once per test process: parameterized tests ask for the vectors while the
    /// test plan is built.
    private static let loadedFramingVectors: Result<[FramingVector], LoadError> = Result {
        () throws(LoadError) in try loadFramingVectors()
    }

    private static func loadFramingVectors() throws(LoadError) -> [FramingVector] {
        var vectors: [FramingVector] = []
        for (topic, document) in try documents(in: "framing", as: FramingVectorDocument.self) {
            for var vector in document.vectors {
                vector.topic = topic
                try vector.validate()
                vectors.append(vector)
            }
        }
        guard !vectors.isEmpty else { throw .noVectors(folder: "Spec/vectors/framing") }
        return vectors
    }

    /// Every `*.json` document in `Spec/vectors/<folder>`, by file name (without the
    /// extension), in file-name order.
    static func documents<Document: Decodable>(in folder: String, as type: Document.Type)
        throws(LoadError) -> [(name: String, document: Document)]
    {
        let directory = try specFolder().appendingPathComponent("vectors/\(folder)", isDirectory: true)
        let files: [URL]
        do {
            files = try FileManager.default
                .contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
                .filter { $0.pathExtension == "json" }
                .sorted { $0.lastPathComponent < $1.lastPathComponent }
        } catch {
            throw .unreadable(file: directory.path, underlying: error)
        }
        guard !files.isEmpty else { throw .noVectorFiles(folder: directory.path) }

        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        var documents: [(name: String, document: Document)] = []
        for file in files {
            do {
                let document = try decoder.decode(Document.self, from: Data(contentsOf: file))
                documents.append((file.deletingPathExtension().lastPathComponent, document))
            } catch {
                throw .unreadable(file: file.path, underlying: error)
            }
        }
        return documents
    }

}

/// One `Spec/vectors/framing/*.json` file.
struct FramingVectorDocument: Decodable {
    var format: Int
    var topic: String
    var vectors: [FramingVector]
}

/// One framing vector: a byte stream, how to feed it, and what a decoder must make of it.
struct FramingVector: Decodable, Sendable, CustomTestStringConvertible {
    /// The file the vector came from, without `.json` (set by the loader).
    var topic = ""
    var name: String
    var description: String
    var inputHex: String
    var chunks: [Int]?
    var limits: Limits?
    var compression: Compression?
    var maxDecompressedSize: Int?
    var endOfInput: Bool
    /// One entry per frame; `nil` where the frame's payload fails (see `payloadErrors`).
    var framesHex: [String?]
    var frameOffsets: [Int]?
    var error: ExpectedError?
    var payloadErrors: [ExpectedPayloadError]?
    var pendingHex: String?

    struct Limits: Decodable, Sendable {
        var maxFrameLength: Int?
        var maxLengthDigits: Int?
        var maxBufferedBytes: Int?
    }

    enum Compression: String, Decodable, Sendable {
        case none
        case zlib
    }

    /// A framing error: `kind` and `offset` always; the other fields when given.
    struct ExpectedError: Decodable, Sendable {
        var kind: FramingErrorKind
        var offset: Int
        var byte: UInt8?
        /// Decimal, because values up to 2^64 - 1 do not survive a JSON number.
        var declaredLength: String?
        var bufferedBytes: Int?
        var incomingBytes: Int?
        /// `.some(nil)` when the vector says `null` (the length field never ended),
        /// `nil` when it does not say.
        var expectedBytes: Int??
        var limit: Int?

        private enum CodingKeys: String, CodingKey {
            case kind, offset, byte, declaredLength, bufferedBytes, incomingBytes, expectedBytes, limit
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            kind = try container.decode(FramingErrorKind.self, forKey: .kind)
            offset = try container.decode(Int.self, forKey: .offset)
            byte = try container.decodeIfPresent(UInt8.self, forKey: .byte)
            declaredLength = try container.decodeIfPresent(String.self, forKey: .declaredLength)
            bufferedBytes = try container.decodeIfPresent(Int.self, forKey: .bufferedBytes)
            incomingBytes = try container.decodeIfPresent(Int.self, forKey: .incomingBytes)
            if container.contains(.expectedBytes) {
                expectedBytes = .some(try container.decodeIfPresent(Int.self, forKey: .expectedBytes))
            }
            limit = try container.decodeIfPresent(Int.self, forKey: .limit)
        }
    }

    struct ExpectedPayloadError: Decodable, Sendable {
        var index: Int
        var kind: ZlibErrorKind
        var count: Int?
        var limit: Int?
    }

    enum FramingErrorKind: String, Decodable, Sendable {
        case invalidLengthPrefix = "invalid_length_prefix"
        case lengthFieldTooLong = "length_field_too_long"
        case frameTooLarge = "frame_too_large"
        case truncatedFrame = "truncated_frame"
        case bufferLimitExceeded = "buffer_limit_exceeded"
    }

    enum ZlibErrorKind: String, Decodable, Sendable {
        case gzipStream = "gzip_stream"
        case invalidHeader = "invalid_header"
        case presetDictionaryRequired = "preset_dictionary_required"
        case corruptData = "corrupt_data"
        case checksumMismatch = "checksum_mismatch"
        case truncatedStream = "truncated_stream"
        case trailingBytes = "trailing_bytes"
        case outputLimitExceeded = "output_limit_exceeded"
    }

    private enum CodingKeys: String, CodingKey {
        case name, description, inputHex, chunks, limits, compression, maxDecompressedSize
        case endOfInput, framesHex, frameOffsets, error, payloadErrors, pendingHex
    }

    var testDescription: String { "\(topic)/\(name)" }

    // MARK: Derived values

    var input: [UInt8] { Hex.bytes(inputHex)! }

    var pending: [UInt8]? { pendingHex.map { Hex.bytes($0)! } }

    /// The payloads expected in order; `nil` for a payload that must fail.
    var frames: [[UInt8]?] { framesHex.map { $0.map { Hex.bytes($0)! } } }

    var framingLimits: FramingLimits {
        let defaults = FramingLimits.default
        return FramingLimits(
            maximumFrameLength: limits?.maxFrameLength ?? defaults.maximumFrameLength,
            maximumLengthDigits: limits?.maxLengthDigits ?? defaults.maximumLengthDigits,
            maximumBufferedBytes: limits?.maxBufferedBytes ?? defaults.maximumBufferedBytes)
    }

    var payloadCompression: PayloadCompression {
        switch compression ?? .none {
        case .none: return .none
        case .zlib:
            return .zlib(maximumDecompressedSize: maxDecompressedSize ?? PayloadCompression.defaultMaximumDecompressedSize)
        }
    }

    /// Rejects vectors that could make a runner pass vacuously or crash.
    func validate() throws(SpecVectors.LoadError) {
        func problem(_ text: String) -> SpecVectors.LoadError { .malformed(vector: testDescription, problem: text) }
        for hex in [inputHex, pendingHex].compactMap({ $0 }) + framesHex.compactMap({ $0 }) {
            guard Hex.bytes(hex) != nil else { throw problem("bad hex \"\(hex)\"") }
        }
        if let chunks {
            guard chunks.allSatisfy({ $0 >= 0 }), chunks.reduce(0, +) == inputHex.utf8.count / 2 else {
                throw problem("chunks do not add up to the input's length")
            }
        }
        let failing = Set((payloadErrors ?? []).map(\.index))
        for (index, frame) in framesHex.enumerated() where (frame == nil) != failing.contains(index) {
            throw problem("frame \(index) must be null exactly when payload_errors lists it")
        }
        guard failing.allSatisfy({ $0 < framesHex.count }) else { throw problem("payload error index out of range") }
        if let frameOffsets, frameOffsets.count != framesHex.count {
            throw problem("frame_offsets and frames_hex differ in length")
        }
        if maxDecompressedSize != nil && compression != .zlib {
            throw problem("max_decompressed_size without zlib compression")
        }
    }
}

/// A vector from a folder whose files are `{"format": 1, "topic": …, "vectors": […]}`
/// (the Storable, YAML and JSON folders).
protocol FileVector: Decodable, Sendable {
    /// The file the vector came from, without `.json` (set by the loader).
    var file: String { get set }
    /// Rejects vectors that could make a runner pass vacuously or crash.
    func validate() throws(SpecVectors.LoadError)
}

private struct FileVectorDocument<Vector: FileVector>: Decodable {
    var format: Int
    var topic: String
    var vectors: [Vector]
}

extension SpecVectors {
    /// Every vector of `Spec/vectors/<folder>/*.json`, in file then document order, each
    /// validated.
    static func vectors<Vector: FileVector>(in folder: String, as _: Vector.Type) throws(LoadError) -> [Vector] {
        var vectors: [Vector] = []
        for (name, document) in try documents(in: folder, as: FileVectorDocument<Vector>.self) {
            guard document.format == 1 else {
                throw .malformed(vector: name, problem: "format \(document.format) is not 1")
            }
            for var vector in document.vectors {
                vector.file = name
                try vector.validate()
                vectors.append(vector)
            }
        }
        guard !vectors.isEmpty else { throw .noVectors(folder: "Spec/vectors/\(folder)") }
        return vectors
    }
}
