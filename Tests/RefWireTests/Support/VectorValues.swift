import RefWire
import RefWireTestSupport

// What the vector folders of Spec/vectors share: their notation for Perl values
// (Spec/vectors/storable/README.md, "Values") and for class policies.

/// A vector's class policy: `"allow_all"`, `"refuse_all"` or a list of allowed classes.
enum VectorBlessedPolicy: Decodable, Sendable {
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

/// A value node of the vectors (README: "Values").
indirect enum VectorValueNode: Decodable, Sendable {
    case undef
    case hole
    case bool(Bool)
    case int(String)
    case uint(String)
    case double(String)
    case bytes(String)
    case string(String)
    case vstring(literal: String, value: VectorValueNode)
    case array([VectorValueNode])
    case hash([Entry], restricted: Restriction?)
    case scalarRef(VectorValueNode)
    case regexp(pattern: String, flags: String)
    case code(String)
    case hooked(className: String, kind: String, serializedHex: String, references: [VectorValueNode])
    case blessed(className: String, VectorValueNode)
    case weak(VectorValueNode)
    case anchor(Int, VectorValueNode)
    case alias(Int)

    struct Entry: Decodable, Sendable {
        var key: VectorValueNode
        var value: VectorValueNode
    }

    struct Restriction: Decodable, Sendable {
        var allowedKeys: [VectorValueNode]
        var lockedKeys: [VectorValueNode]
    }

    private enum CodingKeys: String, CodingKey {
        case type, value, hex, literal, elements, entries, restricted, pattern, flags, source
        case `class`, kind, serializedHex, references, id
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let type = try container.decode(String.self, forKey: .type)
        func text(_ key: CodingKeys) throws -> String { try container.decode(String.self, forKey: key) }
        func node(_ key: CodingKeys) throws -> VectorValueNode { try container.decode(VectorValueNode.self, forKey: key) }
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
        case "array": self = .array(try container.decode([VectorValueNode].self, forKey: .elements))
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
                references: try container.decode([VectorValueNode].self, forKey: .references))
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
