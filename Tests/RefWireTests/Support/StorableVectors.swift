import Foundation
import RefWire
import RefWireTestSupport
import Testing

/// Loads the Storable vectors of `Spec/vectors/storable/*.json` (format:
/// `Spec/vectors/storable/README.md`) and turns their value nodes into ``PerlValue``s.
enum StorableVectors {
    /// Every vector, in file then document order; loaded once per test process.
    static func all() throws(SpecVectors.LoadError) -> [StorableVector] {
        try loaded.get()
    }

    static func valid() throws(SpecVectors.LoadError) -> [StorableVector] {
        try all().filter { $0.error == nil }
    }

    static func errors() throws(SpecVectors.LoadError) -> [StorableVector] {
        try all().filter { $0.error != nil }
    }

    private static let loaded: Result<[StorableVector], SpecVectors.LoadError> = Result {
        () throws(SpecVectors.LoadError) in try load()
    }

    private static func load() throws(SpecVectors.LoadError) -> [StorableVector] {
        var vectors: [StorableVector] = []
        for (name, document) in try SpecVectors.documents(in: "storable", as: StorableVectorDocument.self) {
            guard document.format == 1 else {
                throw .malformed(vector: name, problem: "format \(document.format) is not 1")
            }
            for var vector in document.vectors {
                vector.file = name
                try vector.validate()
                vectors.append(vector)
            }
        }
        guard !vectors.isEmpty else { throw .noVectors(folder: "Spec/vectors/storable") }
        return vectors
    }
}

struct StorableVectorDocument: Decodable {
    var format: Int
    var topic: String
    var vectors: [StorableVector]
}

/// One Storable vector: an image, and the value it decodes to or the error it fails with.
struct StorableVector: Decodable, Sendable, CustomTestStringConvertible {
    /// The file the vector came from, without `.json` (set by the loader).
    var file = ""
    var name: String
    var description: String
    var networkHex: String
    var nativeHex: String?
    var fileHex: String?
    var options: Options?
    var encodeOptions: EncodeOptions?
    var value: StorableValueNode?
    var nativeValue: StorableValueNode?
    var reencodes: Bool?
    var error: ExpectedError?
    var perlThaw: String?

    private enum CodingKeys: String, CodingKey {
        case name, description, networkHex, nativeHex, fileHex, options, encodeOptions, value, nativeValue
        case reencodes, error, perlThaw
    }

    struct Options: Decodable, Sendable {
        var maxDepth: Int?
        var maxContainerCount: Int?
        var maxTotalCount: Int?
        var maxStringLength: Int?
        var blessed: BlessedPolicy?
        var code: String?
        var rejectTrailingBytes: Bool?
    }

    enum BlessedPolicy: Decodable, Sendable {
        case allowAll
        case refuseAll
        case allow([String])

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let list = try? container.decode([String].self) {
                self = .allow(list)
                return
            }
            switch try container.decode(String.self) {
            case "allow_all": self = .allowAll
            case "refuse_all": self = .refuseAll
            case let other:
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "unknown blessed policy \(other)")
            }
        }
    }

    struct EncodeOptions: Decodable, Sendable {
        var overloadedClasses: [String]?
    }

    struct ExpectedError: Decodable, Sendable {
        var kind: String
        var offset: Int?
        var byte: UInt8?
        var tag: UInt64?
        var index: Int?
        var count: Int?
        var limit: Int?
        var className: String?
    }

    /// `file/name`, for test output.
    var testName: String { "\(file)/\(name)" }
    var testDescription: String { testName }

    var network: [UInt8] { Hex.bytes(networkHex)! }
    var native: [UInt8]? { nativeHex.map { Hex.bytes($0)! } }
    var fileImage: [UInt8]? { fileHex.map { Hex.bytes($0)! } }

    var decodingOptions: StorableDecodingOptions {
        var result = StorableDecodingOptions()
        guard let options else { return result }
        if let value = options.maxDepth { result.maximumDepth = value }
        if let value = options.maxContainerCount { result.maximumContainerCount = value }
        if let value = options.maxTotalCount { result.maximumTotalCount = value }
        if let value = options.maxStringLength { result.maximumStringLength = value }
        switch options.blessed {
        case .allowAll?: result.blessedValues = .allowAll
        case .refuseAll?: result.blessedValues = .refuseAll
        case .allow(let list)?: result.blessedValues = .allow(Set(list))
        case nil: break
        }
        if options.code == "keep_source" { result.codeReferences = .keepSource }
        if let value = options.rejectTrailingBytes { result.rejectsTrailingBytes = value }
        return result
    }

    /// The options to re-encode with: network order, hash entries in the value's order.
    func encodingOptions(file: Bool) -> StorableEncodingOptions {
        var result = StorableEncodingOptions()
        result.byteOrder = .network
        result.isFile = file
        result.canonical = false
        result.overloadedClasses = Set(encodeOptions?.overloadedClasses ?? [])
        return result
    }

    /// Rejects vectors that could make a runner pass vacuously or crash.
    func validate() throws(SpecVectors.LoadError) {
        func problem(_ text: String) -> SpecVectors.LoadError { .malformed(vector: testName, problem: text) }
        for hex in [networkHex, nativeHex, fileHex].compactMap({ $0 }) where Hex.bytes(hex) == nil {
            throw problem("bad hex")
        }
        guard (value == nil) != (error == nil) else { throw problem("needs exactly one of value and error") }
        if error == nil, reencodes == nil { throw problem("a valid vector must say whether it reencodes") }
        if nativeValue != nil, nativeHex == nil { throw problem("native_value without native_hex") }
        do {
            if let value { _ = try value.perlValue() }
            if let nativeValue { _ = try nativeValue.perlValue() }
        } catch {
            throw problem("bad value: \(error)")
        }
    }
}

/// A value node of the vectors (README: "Values").
indirect enum StorableValueNode: Decodable, Sendable {
    case undef
    case hole
    case bool(Bool)
    case int(String)
    case uint(String)
    case double(String)
    case bytes(String)
    case string(String)
    case vstring(literal: String, value: StorableValueNode)
    case array([StorableValueNode])
    case hash([Entry], restricted: Restriction?)
    case scalarRef(StorableValueNode)
    case regexp(pattern: String, flags: String)
    case code(String)
    case hooked(className: String, kind: String, serializedHex: String, references: [StorableValueNode])
    case blessed(className: String, StorableValueNode)
    case weak(StorableValueNode)
    case anchor(Int, StorableValueNode)
    case alias(Int)

    struct Entry: Decodable, Sendable {
        var key: StorableValueNode
        var value: StorableValueNode
    }

    struct Restriction: Decodable, Sendable {
        var allowedKeys: [StorableValueNode]
        var lockedKeys: [StorableValueNode]
    }

    private enum CodingKeys: String, CodingKey {
        case type, value, hex, literal, elements, entries, restricted, pattern, flags, source
        case `class`, kind, serializedHex, references, id
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let type = try container.decode(String.self, forKey: .type)
        func text(_ key: CodingKeys) throws -> String { try container.decode(String.self, forKey: key) }
        func node(_ key: CodingKeys) throws -> StorableValueNode { try container.decode(StorableValueNode.self, forKey: key) }
        switch type {
        case "undef": self = .undef
        case "hole": self = .hole
        case "bool": self = .bool(try container.decode(Bool.self, forKey: .value))
        case "int": self = .int(try text(.value))
        case "uint": self = .uint(try text(.value))
        case "double": self = .double(try text(.value))
        case "bytes": self = .bytes(try text(.hex))
        case "string": self = .string(try text(.value))
        case "vstring": self = .vstring(literal: try text(.literal), value: try node(.value))
        case "array": self = .array(try container.decode([StorableValueNode].self, forKey: .elements))
        case "hash":
            self = .hash(
                try container.decode([Entry].self, forKey: .entries),
                restricted: try container.decodeIfPresent(Restriction.self, forKey: .restricted))
        case "scalar_ref": self = .scalarRef(try node(.value))
        case "regexp": self = .regexp(pattern: try text(.pattern), flags: try text(.flags))
        case "code": self = .code(try text(.source))
        case "hooked":
            self = .hooked(
                className: try text(.class), kind: try text(.kind), serializedHex: try text(.serializedHex),
                references: try container.decode([StorableValueNode].self, forKey: .references))
        case "blessed": self = .blessed(className: try text(.class), try node(.value))
        case "weak": self = .weak(try node(.value))
        case "anchor": self = .anchor(try container.decode(Int.self, forKey: .id), try node(.value))
        case "alias": self = .alias(try container.decode(Int.self, forKey: .id))
        default:
            throw DecodingError.dataCorruptedError(forKey: .type, in: container, debugDescription: "unknown node type \(type)")
        }
    }

    struct ConversionError: Error, CustomStringConvertible {
        let description: String
    }

    /// The ``PerlValue`` this node describes.
    func perlValue() throws(ConversionError) -> PerlValue {
        switch self {
        case .undef: return .undef
        case .hole: return .hole
        case .bool(let value): return .bool(value)
        case .int(let text):
            guard let number = Int64(text) else { throw ConversionError(description: "bad int \(text)") }
            return .integer(number)
        case .uint(let text):
            guard let number = UInt64(text) else { throw ConversionError(description: "bad uint \(text)") }
            return .unsigned(number)
        case .double(let text):
            switch text {
            case "inf": return .double(.infinity)
            case "-inf": return .double(-.infinity)
            case "nan": return .double(.nan)
            default:
                guard let number = Double(text) else { throw ConversionError(description: "bad double \(text)") }
                return .double(number)
            }
        case .bytes(let hex):
            guard let bytes = Hex.bytes(hex) else { throw ConversionError(description: "bad hex \(hex)") }
            return .bytes(bytes)
        case .string(let text): return .string(text)
        case .vstring(let literal, let value):
            let inner = try value.perlValue()
            switch inner {
            case .bytes, .string: return .vstring(literal: literal, value: inner)
            default: throw ConversionError(description: "a vstring holds a bytes or string node")
            }
        case .array(let elements):
            var values: [PerlValue] = []
            for element in elements { values.append(try element.perlValue()) }
            return .array(values)
        case .hash(let entries, let restricted):
            var hash = PerlHash(minimumCapacity: entries.count)
            for entry in entries {
                let key = try entry.key.hashKey()
                guard hash[key] == nil else { throw ConversionError(description: "duplicate key \(key)") }
                hash[key] = try entry.value.perlValue()
            }
            if let restricted {
                var allowed: [PerlHash.Key] = []
                for key in restricted.allowedKeys { allowed.append(try key.hashKey()) }
                var locked: Set<PerlHash.Key> = []
                for key in restricted.lockedKeys { locked.insert(try key.hashKey()) }
                hash.restriction = PerlHash.Restriction(allowedKeys: allowed, lockedKeys: locked)
            }
            return .hash(hash)
        case .scalarRef(let value): return .scalarReference(try value.perlValue())
        case .regexp(let pattern, let flags): return .regexp(pattern: pattern, flags: flags)
        case .code(let source): return .code(source)
        case .hooked(let className, let kindName, let serializedHex, let references):
            let kind: PerlHookedObject.Kind
            switch kindName {
            case "scalar": kind = .scalar
            case "array": kind = .array
            case "hash": kind = .hash
            default: throw ConversionError(description: "bad hooked kind \(kindName)")
            }
            guard let serialized = Hex.bytes(serializedHex) else {
                throw ConversionError(description: "bad hex \(serializedHex)")
            }
            var values: [PerlValue] = []
            for reference in references { values.append(try reference.perlValue()) }
            return .hooked(PerlHookedObject(className: className, kind: kind, serialized: serialized, references: values))
        case .blessed(let className, let value): return .blessed(class: className, try value.perlValue())
        case .weak(let value): return .weak(try value.perlValue())
        case .anchor(let id, let value): return .anchored(PerlAnchor(id), try value.perlValue())
        case .alias(let id): return .alias(PerlAnchor(id))
        }
    }

    /// A `bytes` or `string` node as a hash key.
    func hashKey() throws(ConversionError) -> PerlHash.Key {
        switch self {
        case .bytes(let hex):
            guard let bytes = Hex.bytes(hex) else { throw ConversionError(description: "bad hex \(hex)") }
            return .bytes(bytes)
        case .string(let text):
            return .string(text)
        default:
            throw ConversionError(description: "a key must be a bytes or string node")
        }
    }
}
