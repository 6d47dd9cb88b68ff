import RefWire

// The value notation of Spec/scenarios (README.md there, "Values"): plain JSON for the
// everyday Perl values of messages, `$`-escapes for the rest and for what a scenario
// leaves open (ids the other side chooses, values it may choose freely).
//

/// A message as a scenario writes it: a pattern to match a received message against, or
/// a template to build a message to send from.
public indirect enum ScenarioValue: Sendable, CustomStringConvertible {
    /// `{"$any": true}`: any value (receive only).
    case any
    /// `{"$id": "name"}`: an integer id; the first received occurrence binds the name.
    case variable(String)
    /// A value without containers, compared as Perl compares it.
    case scalar(PerlValue)
    case array([ScenarioValue])
    case hash([(key: PerlHash.Key, value: ScenarioValue)])
    /// `{"$bless": "Class", "$value": …}`.
    case blessed(String, ScenarioValue)
    /// `{"$perl": node}`: exactly this value (node notation of Spec/vectors/storable).
    case exact(PerlValue)

    public var description: String {
        switch self {
        case .any: return "<any>"
        case .variable(let name): return "<$\(name)>"
        case .scalar(let value), .exact(let value): return "\(value)"
        case .array(let elements): return "[" + elements.map(\.description).joined(separator: ", ") + "]"
        case .hash(let entries):
            return "{" + entries.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + "}"
        case .blessed(let name, let value): return "bless(\(value), \(name))"
        }
    }

    /// Whether this is the scalar `text` (a string).
    func isScalar(_ text: String) -> Bool {
        if case .scalar(let value) = self { return value.stringValue == text }
        return false
    }

    // MARK: - Reading

    /// Reads the notation from a JSON document decoded as Perl values.
    public init(notation value: PerlValue) throws(ScenarioError) {
        switch value {
        case .undef, .integer, .unsigned, .double, .string, .bytes, .bool:
            self = .scalar(value)
        case .array(let elements):
            var patterns: [ScenarioValue] = []
            for element in elements { patterns.append(try ScenarioValue(notation: element)) }
            self = .array(patterns)
        case .hash(let hash):
            let keys = hash.keys.map { PerlValue(key: $0).stringValue ?? "" }
            if !keys.isEmpty, keys.allSatisfy({ $0.hasPrefix("$") }) {
                self = try Self.escape(hash, keys: Set(keys))
                return
            }
            var entries: [(key: PerlHash.Key, value: ScenarioValue)] = []
            for (key, element) in hash { entries.append((key, try ScenarioValue(notation: element))) }
            self = .hash(entries)
        default:
            throw ScenarioError("a scenario value must be plain JSON, not \(value)")
        }
    }

    private static func escape(_ hash: PerlHash, keys: Set<String>) throws(ScenarioError) -> ScenarioValue {
        func text(_ key: String) throws(ScenarioError) -> String {
            guard let text = hash[key]?.stringValue else { throw ScenarioError("\(key) must be a string") }
            return text
        }
        switch keys {
        case ["$any"]: return .any
        case ["$id"]: return .variable(try text("$id"))
        case ["$bytes"]:
            guard let bytes = hexBytes(try text("$bytes")) else { throw ScenarioError("$bytes must be hex") }
            return .scalar(.bytes(bytes))
        case ["$bless", "$value"]:
            return .blessed(try text("$bless"), try ScenarioValue(notation: hash["$value"]!))
        case ["$perl"]:
            return .exact(try VectorNode.value(hash["$perl"]!))
        default:
            throw ScenarioError("unknown escape \(keys.sorted())")
        }
    }

    // MARK: - Building

    /// The value to send, with variables replaced by their bound ids.
    public func build(_ bindings: [String: PerlValue]) throws(ScenarioError) -> PerlValue {
        switch self {
        case .any: throw ScenarioError("$any cannot be sent")
        case .variable(let name):
            guard let value = bindings[name] else { throw ScenarioError("$id \(name) is used before it is bound") }
            return value
        case .scalar(let value), .exact(let value): return value
        case .array(let elements):
            var values: [PerlValue] = []
            for element in elements { values.append(try element.build(bindings)) }
            return .array(values)
        case .hash(let entries):
            var hash = PerlHash(minimumCapacity: entries.count)
            for (key, element) in entries { hash[key] = try element.build(bindings) }
            return .hash(hash)
        case .blessed(let name, let inner): return .blessed(class: name, try inner.build(bindings))
        }
    }

    // MARK: - Matching

    /// Whether `actual` matches; binds variables seen for the first time. On a mismatch
    /// the reason names the path.
    public func match(_ actual: PerlValue, _ bindings: inout [String: PerlValue], path: String = "$") -> String? {
        switch self {
        case .any:
            return nil
        case .variable(let name):
            guard let number = MessageFields.integer(actual) else { return "\(path): expected an id, got \(actual)" }
            if let bound = bindings[name] {
                return bound == .integer(number) ? nil : "\(path): expected $\(name) = \(bound), got \(actual)"
            }
            bindings[name] = .integer(number)
            return nil
        case .exact(let value):
            return actual == value ? nil : "\(path): expected \(value), got \(actual)"
        case .scalar(let value):
            if actual.isReference { return "\(path): expected \(value), got \(actual)" }
            switch value {
            case .integer, .unsigned:
                // Perl holds 7 and "7" interchangeably (a hash key gives back a string).
                guard let number = MessageFields.integer(actual), PerlValue.integer(number) == value else {
                    return "\(path): expected \(value), got \(actual)"
                }
                return nil
            case .double(let number):
                // Storable in network order carries non-integral doubles as text.
                let actualNumber = actual.doubleValue ?? actual.stringValue.flatMap { Double($0) }
                return actualNumber == number || (number.isNaN && actualNumber?.isNaN == true)
                    ? nil : "\(path): expected \(value), got \(actual)"
            case .string, .bytes:
                return actual.stringValue == value.stringValue && actual.stringValue != nil && !actual.isNumber
                    ? nil : "\(path): expected \(value), got \(actual)"
            default:
                return actual == value ? nil : "\(path): expected \(value), got \(actual)"
            }
        case .blessed(let name, let inner):
            guard actual.className == name else { return "\(path): expected an object of class \(name), got \(actual)" }
            return inner.match(actual.unblessed, &bindings, path: path)
        case .array(let patterns):
            if actual.className != nil { return "\(path): expected an unblessed array, got \(actual)" }
            guard let elements = actual.arrayElements else { return "\(path): expected an array, got \(actual)" }
            guard elements.count == patterns.count else {
                return "\(path): expected \(patterns.count) elements, got \(elements.count): \(actual)"
            }
            for (index, pattern) in patterns.enumerated() {
                if let problem = pattern.match(elements[index], &bindings, path: "\(path)[\(index)]") { return problem }
            }
            return nil
        case .hash(let entries):
            if actual.className != nil { return "\(path): expected an unblessed hash, got \(actual)" }
            guard let hash = actual.hashContents else { return "\(path): expected a hash, got \(actual)" }
            for (key, pattern) in entries {
                let name = PerlValue(key: key).stringValue ?? ""
                guard let value = hash[key] else { return "\(path): key \(name) is missing from \(actual)" }
                if let problem = pattern.match(value, &bindings, path: "\(path).\(name)") { return problem }
            }
            for key in hash.keys where !entries.contains(where: { $0.key == key }) {
                return "\(path): unexpected key \(PerlValue(key: key).stringValue ?? "") in \(actual)"
            }
            return nil
        }
    }

    /// Every scalar found under `key` in this pattern's hashes (for coverage checks).
    public func values(under key: String) -> [PerlValue] {
        switch self {
        case .any, .variable, .scalar, .exact: return []
        case .array(let elements): return elements.flatMap { $0.values(under: key) }
        case .blessed(_, let inner): return inner.values(under: key)
        case .hash(let entries):
            var found: [PerlValue] = []
            for (entryKey, value) in entries {
                if entryKey == PerlHash.Key.string(key), case .scalar(let scalar) = value { found.append(scalar) }
                found += value.values(under: key)
            }
            return found
        }
    }
}

extension PerlValue {
    init(key: PerlHash.Key) {
        switch key {
        case .bytes(let bytes): self = .bytes(bytes)
        case .string(let text): self = .string(text)
        }
    }

    fileprivate var isNumber: Bool {
        switch self {
        case .integer, .unsigned, .double: true
        default: false
        }
    }

    /// The referent without its class (a blessed value's contents).
    fileprivate var unblessed: PerlValue {
        switch self {
        case .blessed(_, let inner): inner
        case .weak(let inner): inner.unblessed
        case .anchored(_, let inner): inner.unblessed
        default: self
        }
    }
}

/// A problem with a scenario file, or with running one.
public struct ScenarioError: Error, Hashable, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

func hexBytes(_ text: String) -> [UInt8]? {
    let digits = Array(text.utf8)
    guard digits.count.isMultiple(of: 2) else { return nil }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(digits.count / 2)
    var index = 0
    while index < digits.count {
        guard let high = hexDigit(digits[index]), let low = hexDigit(digits[index + 1]) else { return nil }
        bytes.append(high << 4 | low)
        index += 2
    }
    return bytes
}

private func hexDigit(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
    default: nil
    }
}

/// The value nodes of `Spec/vectors/storable/README.md` ("Values"), read from JSON.
enum VectorNode {
    static func value(_ node: PerlValue) throws(ScenarioError) -> PerlValue {
        guard let hash = node.hashContents, let type = hash["type"]?.stringValue else {
            throw ScenarioError("a value node is an object with a type")
        }
        func text(_ key: String) throws(ScenarioError) -> String {
            guard let text = hash[key]?.stringValue else { throw ScenarioError("node \(type) needs \(key)") }
            return text
        }
        func child(_ key: String) throws(ScenarioError) -> PerlValue {
            guard let inner = hash[key] else { throw ScenarioError("node \(type) needs \(key)") }
            return try value(inner)
        }
        func children(_ key: String) throws(ScenarioError) -> [PerlValue] {
            guard let elements = hash[key]?.arrayElements else { throw ScenarioError("node \(type) needs \(key)") }
            var values: [PerlValue] = []
            for element in elements { values.append(try value(element)) }
            return values
        }
        switch type {
        case "undef": return .undef
        case "hole": return .hole
        case "bool": return .bool(MessageFields.truth(hash["value"] ?? .undef))
        case "int":
            guard let number = Int64(try text("value")) else { throw ScenarioError("bad int node") }
            return .integer(number)
        case "uint":
            guard let number = UInt64(try text("value")) else { throw ScenarioError("bad uint node") }
            return .unsigned(number)
        case "double":
            let literal = try text("value")
            switch literal {
            case "inf": return .double(.infinity)
            case "-inf": return .double(-.infinity)
            case "nan": return .double(.nan)
            default:
                guard let number = Double(literal) else { throw ScenarioError("bad double node") }
                return .double(number)
            }
        case "bytes":
            guard let bytes = hexBytes(try text("hex")) else { throw ScenarioError("bad bytes node") }
            return .bytes(bytes)
        case "string": return .string(try text("value"))
        case "vstring": return .vstring(literal: try text("literal"), value: try child("value"))
        case "array": return .array(try children("elements"))
        case "hash":
            guard let entries = hash["entries"]?.arrayElements else { throw ScenarioError("hash node needs entries") }
            var result = PerlHash(minimumCapacity: entries.count)
            for entry in entries {
                guard let keyNode = entry["key"], let valueNode = entry["value"] else { throw ScenarioError("bad hash entry") }
                let key: PerlHash.Key
                switch try value(keyNode) {
                case .bytes(let bytes): key = .bytes(bytes)
                case .string(let text): key = .string(text)
                default: throw ScenarioError("a hash key is a bytes or string node")
                }
                result[key] = try value(valueNode)
            }
            return .hash(result)
        case "scalar_ref": return .scalarReference(try child("value"))
        case "regexp": return .regexp(pattern: try text("pattern"), flags: try text("flags"))
        case "code": return .code(try text("source"))
        case "blessed": return .blessed(class: try text("class"), try child("value"))
        case "weak": return .weak(try child("value"))
        case "anchor":
            guard let id = hash["id"].flatMap(MessageFields.integer) else { throw ScenarioError("anchor needs an id") }
            return .anchored(PerlAnchor(Int(id)), try child("value"))
        case "alias":
            guard let id = hash["id"].flatMap(MessageFields.integer) else { throw ScenarioError("alias needs an id") }
            return .alias(PerlAnchor(Int(id)))
        default:
            throw ScenarioError("node type \(type) is not supported in scenarios")
        }
    }
}
