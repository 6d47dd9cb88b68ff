import RefWire

/// The control channel of `Spec/conformance.md` §3: JSON lines between the runner and a
/// client program under test. Actions (runner → client) carry values in the scenario
/// value notation (§3.1); events (client → runner) are plain JSON.
///
/// Both ends use this: ``ClientScenarioRunner`` writes actions and reads events,
/// `refwire conform-client` reads actions and writes events.
public enum ControlChannel {
    /// One JSON object as a line (UTF-8, `\n`-terminated).
    public static func line(_ object: PerlValue) throws(ScenarioError) -> [UInt8] {
        do throws(JSONEncodingError) {
            return try PerlJSONEncoder().encode(object) + [UInt8(ascii: "\n")]
        } catch {
            throw ScenarioError("\(object) cannot be written as JSON: \(error)")
        }
    }

    /// One line read back (without its `\n`): a JSON object.
    public static func parse(line: some Collection<UInt8>) throws(ScenarioError) -> PerlValue {
        let value: PerlValue
        do throws(JSONDecodingError) {
            value = try PerlJSONDecoder().decode(line)
        } catch {
            throw ScenarioError("not a JSON line: \(error)")
        }
        guard value.hashContents != nil else { throw ScenarioError("a control line is a JSON object, not \(value)") }
        return value
    }

    // MARK: - Values (§3.1)

    /// `value` in the scenario value notation, the inverse of ``value(notation:)``.
    public static func notation(_ value: PerlValue) throws(ScenarioError) -> PerlValue {
        switch value {
        case .undef, .integer, .unsigned, .string, .bool:
            return value
        case .double(let number) where number.isFinite:
            return value
        case .bytes(let bytes):
            return ["$bytes": .string(hex(bytes))]
        case .array(let elements):
            var result: [PerlValue] = []
            for element in elements { result.append(try notation(element)) }
            return .array(result)
        case .hash(let hash):
            var stringKeys = true
            var allEscapes = !hash.isEmpty
            for (key, _) in hash {
                guard case .string(let text) = key else {
                    stringKeys = false
                    break
                }
                if !text.hasPrefix("$") { allEscapes = false }
            }
            guard stringKeys, !allEscapes else { return ["$perl": try node(value)] }
            var result = PerlHash(minimumCapacity: hash.count)
            for (key, element) in hash { result[key] = try notation(element) }
            return .hash(result)
        case .blessed(let name, let inner):
            return ["$bless": .string(name), "$value": try notation(inner)]
        default:
            return ["$perl": try node(value)]
        }
    }

    /// The value a notation describes (`$any` and `$id` are not values).
    public static func value(notation: PerlValue) throws(ScenarioError) -> PerlValue {
        try ScenarioValue(notation: notation).build([:])
    }

    /// A value node of `Spec/vectors/storable/README.md` ("Values"), as read by `$perl`.
    static func node(_ value: PerlValue) throws(ScenarioError) -> PerlValue {
        switch value {
        case .undef: return ["type": "undef"]
        case .hole: return ["type": "hole"]
        case .bool(let flag): return ["type": "bool", "value": .bool(flag)]
        case .integer(let number): return ["type": "int", "value": .string(String(number))]
        case .unsigned(let number): return ["type": "uint", "value": .string(String(number))]
        case .double(let number):
            let literal = number.isNaN ? "nan" : number == .infinity ? "inf" : number == -.infinity ? "-inf" : "\(number)"
            return ["type": "double", "value": .string(literal)]
        case .bytes(let bytes): return ["type": "bytes", "hex": .string(hex(bytes))]
        case .string(let text): return ["type": "string", "value": .string(text)]
        case .vstring(let literal, let inner): return ["type": "vstring", "literal": .string(literal), "value": try node(inner)]
        case .array(let elements):
            var nodes: [PerlValue] = []
            for element in elements { nodes.append(try node(element)) }
            return ["type": "array", "elements": .array(nodes)]
        case .hash(let hash):
            var entries: [PerlValue] = []
            for (key, element) in hash {
                let keyNode: PerlValue
                switch key {
                case .string(let text): keyNode = ["type": "string", "value": .string(text)]
                case .bytes(let bytes): keyNode = ["type": "bytes", "hex": .string(hex(bytes))]
                }
                entries.append(["key": keyNode, "value": try node(element)])
            }
            return ["type": "hash", "entries": .array(entries)]
        case .scalarReference(let inner): return ["type": "scalar_ref", "value": try node(inner)]
        case .regexp(let pattern, let flags): return ["type": "regexp", "pattern": .string(pattern), "flags": .string(flags)]
        case .code(let source): return ["type": "code", "source": .string(source)]
        case .blessed(let name, let inner): return ["type": "blessed", "class": .string(name), "value": try node(inner)]
        case .weak(let inner): return ["type": "weak", "value": try node(inner)]
        default: throw ScenarioError("\(value) has no value notation here")
        }
    }

    private static func hex(_ bytes: some Collection<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    // MARK: - Actions (§3.2)

    /// The action that asks a client to send `message` (a `send` step's, variables
    /// substituted), or why no conforming client is asked to send it.
    public static func action(for message: PerlValue) throws(ScenarioError) -> PerlValue {
        var limits = SessionLimits()
        limits.maximumMethodsPerAlias = .max
        let parsed: SessionMessage
        do throws(SessionMessage.ParseFailure) {
            parsed = try SessionMessage(parsing: message, limits: limits)
        } catch {
            throw ScenarioError("not a message a client builds (\(error.error))")
        }
        var action = PerlHash()
        func set(_ key: String, _ value: PerlValue?) { if let value { action[.string(key)] = value } }
        func strings(_ list: [String]?) -> PerlValue? { list.map { .array($0.map(PerlValue.string)) } }
        switch parsed {
        case .hello(let hello):
            set("action", "hello")
            set("versions", .array(hello.versions.map(PerlValue.integer)))
            set("serializers", strings(hello.serializers))
            set("compression", strings(hello.compression))
            set("sealing", hello.sealing.map(PerlValue.string))
            set("name", hello.name.map(PerlValue.string))
        case .ping(let ping) where ping.className == nil && ping.id != nil:
            set("action", "ping")
            if let time = ping.time { set("time", try notation(time)) }
        case .publish(_, let alias, let methods):
            set("action", "publish")
            set("alias", .string(alias))
            set("methods", strings(methods))
        case .rescind(_, let alias):
            set("action", "rescind")
            set("alias", .string(alias))
        case .listing:
            set("action", "listing")
        case .subscribe(_, let alias):
            set("action", "subscribe")
            set("alias", .string(alias))
        case .unsubscribe(_, let alias):
            set("action", "unsubscribe")
            set("alias", .string(alias))
        case .deliver(let delivery):
            set("action", "deliver")
            set("alias", .string(delivery.alias))
            set("method", .string(delivery.method))
            if let payload = delivery.payload { set("payload", try notation(payload)) }
        case .result(let result):
            set("action", "respond")
            set("re", .integer(result.re.rawValue))
            set("success", .bool(result.success))
            if let payload = result.payload { set("payload", try notation(payload)) }
            set("code", result.code.map { .string($0.rawValue) })
            set("text", result.text.map(PerlValue.string))
        case .bye(let bye) where bye.id != nil && bye.code == nil && bye.text == nil:
            set("action", "bye")
        default:
            throw ScenarioError("'\(parsed.command)' as written is not a message a client sends")
        }
        return .hash(action)
    }
}
