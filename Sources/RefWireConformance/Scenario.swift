import RefWire

/// One scripted conversation of `Spec/scenarios/` (format: `Spec/scenarios/README.md`).
public struct Scenario: Sendable, CustomStringConvertible {
    public struct Party: Sendable {
        public var name: String
        /// The channel's sealing for this party's connection (in-process subjects only).
        public var sealing: String
    }

    public enum Step: Sendable {
        /// The party opens a connection.
        case connect(String)
        /// The party sends a message. `raw`: a conforming client never sends it (malformed,
        /// out of order, a reused id), so a client under test cannot be made to.
        case send(String, ScenarioValue, raw: Bool)
        /// The party sends a protocol vector's frame as Perl wrote it, in the connection's
        /// format (compressed and sealed as the channel is). Raw, like a raw `send`: a
        /// client under test cannot be made to write given bytes.
        case sendVector(String, ProtocolVector)
        /// The party must receive a message matching this pattern next. With a vector, whose
        /// message matches the pattern too, a runner playing the server for a client under
        /// test writes the vector's frame instead of its own encoding of the message.
        case receive(String, ScenarioValue, vector: ProtocolVector?)
        /// The server must have closed the party's connection, after everything it was sent.
        case closed(String)
        /// The party closes its connection.
        case disconnect(String)
        /// The party sends a frame whose payload does not decode.
        case unreadable(String)
        /// The server shuts down.
        case shutdown(text: String)
    }

    public var name: String
    public var file: String
    public var summary: String
    public var parties: [Party]
    public var steps: [Step]
    public var serverOptions: SessionServerOptions
    /// Whether the scenario needs server settings or events that a live server cannot be
    /// told about (limits, sealing, shutdown): runners against live servers skip it unless
    /// they were started alike.
    public var needsConfiguredServer: Bool

    public var description: String { "\(file)/\(name)" }

    /// This scenario over channels sealed in `mode` (a mode identifier of
    /// `Spec/sealing.md` §3): every party sealed, and every expected `welcome` reporting
    /// `mode` instead of `none`. `nil` for scenarios about sealing itself (a party already
    /// sealed, a `hello` stating its sealing, or a server requiring sealing), which mean
    /// something else on a sealed channel.
    public func resealed(_ mode: String) -> Scenario? {
        guard parties.allSatisfy({ $0.sealing == SessionSealing.none }), !serverOptions.requiresSealing else { return nil }
        var copy = self
        copy.parties = parties.map { Party(name: $0.name, sealing: mode) }
        copy.needsConfiguredServer = true
        copy.steps = []
        for step in steps {
            switch step {
            case .send(_, let pattern, _) where !pattern.values(under: "sealing").isEmpty:
                return nil
            case .sendVector(_, let vector) where vector.statesSealing:
                return nil
            case .receive(let party, .hash(var entries), let vector)
                where entries.contains(where: { $0.key == .string("cmd") && $0.value.isScalar("welcome") }):
                for index in entries.indices where entries[index].key == .string("sealing") && entries[index].value.isScalar(SessionSealing.none) {
                    entries[index].value = .scalar(.string(mode))
                }
                // A vector's welcome says "none": on a sealed channel it is no longer the server's.
                guard vector == nil else { return nil }
                copy.steps.append(.receive(party, .hash(entries), vector: nil))
            default:
                copy.steps.append(step)
            }
        }
        return copy
    }

    /// The parties a conforming ``SessionClient`` can play: those without raw steps.
    public var clientDrivableParties: Set<String> {
        var drivable = Set(parties.map(\.name))
        for step in steps {
            switch step {
            case .send(let party, _, raw: true), .sendVector(let party, _), .unreadable(let party): drivable.remove(party)
            default: break
            }
        }
        return drivable
    }
}

/// A scenario file.
public struct ScenarioFile: Sendable {
    public var topic: String
    public var scenarios: [Scenario]

    /// Reads a scenario file's JSON. `file` names it in scenario descriptions; `vectors`
    /// are the protocol vectors its `vector` steps may name.
    public init(json bytes: some Collection<UInt8>, file: String, vectors: [ProtocolVector] = []) throws(ScenarioError) {
        var options = JSONDecodingOptions()
        options.duplicateKeys = .reject
        let document: PerlValue
        do throws(JSONDecodingError) {
            document = try PerlJSONDecoder(options: options).decode(bytes)
        } catch {
            throw ScenarioError("\(file): \(error)")
        }
        guard document["format"].flatMap(MessageFields.integer) == 1 else { throw ScenarioError("\(file): format must be 1") }
        topic = document["topic"]?.stringValue ?? ""
        guard let list = document["scenarios"]?.arrayElements, !list.isEmpty else {
            throw ScenarioError("\(file): no scenarios")
        }
        scenarios = []
        for entry in list {
            do throws(ScenarioError) {
                scenarios.append(try Self.scenario(entry, file: file, vectors: vectors))
            } catch {
                throw ScenarioError("\(file)/\(entry["name"]?.stringValue ?? "?"): \(error)")
            }
        }
    }

    private static func scenario(_ value: PerlValue, file: String, vectors: [ProtocolVector]) throws(ScenarioError) -> Scenario {
        guard let name = value["name"]?.stringValue, !name.isEmpty else { throw ScenarioError("a scenario needs a name") }
        var options = SessionServerOptions()
        var configured = false
        if let limits = value["server_limits"] {
            do throws(ProtocolError) {
                options.limits = try SessionLimits(parsing: limits, strict: true)
            } catch {
                throw ScenarioError("server_limits: \(error.text)")
            }
            configured = true
        }
        if let settings = value["server_options"]?.hashContents {
            configured = true
            for (key, setting) in settings {
                switch PerlValue(key: key).stringValue ?? "" {
                case "requires_sealing": options.requiresSealing = MessageFields.truth(setting)
                case "serializers":
                    options.serializers = (setting.arrayElements ?? []).compactMap { $0.stringValue.flatMap(PayloadFormat.init(rawValue:)) }
                case "compression":
                    options.compression = (setting.arrayElements ?? []).compactMap { $0.stringValue.flatMap(SessionCompression.init(rawValue:)) }
                case "versions":
                    options.versions = (setting.arrayElements ?? []).compactMap(MessageFields.integer)
                case let other: throw ScenarioError("unknown server option \(other)")
                }
            }
        }
        var parties: [Scenario.Party] = []
        for entry in value["parties"]?.arrayElements ?? [] {
            if let name = entry.stringValue {
                parties.append(.init(name: name, sealing: SessionSealing.none))
            } else if let name = entry["name"]?.stringValue {
                let sealing = entry["sealing"]?.stringValue ?? SessionSealing.none
                if sealing != SessionSealing.none { configured = true }
                parties.append(.init(name: name, sealing: sealing))
            } else {
                throw ScenarioError("a party is a name or an object with a name")
            }
        }
        guard !parties.isEmpty else { throw ScenarioError("a scenario needs parties") }
        let names = Set(parties.map(\.name))
        guard names.count == parties.count else { throw ScenarioError("party names must be unique") }

        var steps: [Scenario.Step] = []
        guard let list = value["steps"]?.arrayElements, !list.isEmpty else { throw ScenarioError("a scenario needs steps") }
        for (index, step) in list.enumerated() {
            func party(_ key: String) throws(ScenarioError) -> String? {
                guard let field = step[key] else { return nil }
                guard let name = field.stringValue, names.contains(name) else {
                    throw ScenarioError("step \(index): \(key) names no party")
                }
                return name
            }
            func message() throws(ScenarioError) -> ScenarioValue {
                guard let value = step["message"] else { throw ScenarioError("step \(index) needs a message") }
                return try ScenarioValue(notation: value)
            }
            func vector() throws(ScenarioError) -> ProtocolVector? {
                guard let field = step["vector"] else { return nil }
                guard let vector = vectors.first(where: { $0.name == field.stringValue }) else {
                    throw ScenarioError("step \(index): no protocol vector named \(field)")
                }
                return vector
            }
            if let name = try party("hello") {
                // connect, hello, welcome: the opening every conforming client makes.
                steps.append(.connect(name))
                steps.append(.send(name, try ScenarioValue(notation: ["cmd": "hello", "id": 1, "versions": [1]]), raw: false))
                steps.append(.receive(name, try ScenarioValue(notation: [
                    "cmd": "welcome", "re": 1, "version": 1, "sealing": "none", "name": ["$any": true], "limits": ["$any": true],
                ]), vector: nil))
            } else if let name = try party("connect") {
                steps.append(.connect(name))
            } else if let name = try party("send") {
                if let vector = try vector() {
                    steps.append(.sendVector(name, vector))
                } else {
                    steps.append(.send(name, try message(), raw: step["raw"].map(MessageFields.truth) ?? false))
                }
            } else if let name = try party("receive") {
                let pattern = try message()
                let vector = try vector()
                if let vector {
                    // The vector stands for the server's message: nothing in it can be the server's choice.
                    guard pattern.variableNames.isEmpty else { throw ScenarioError("step \(index): a vector's message has no $id") }
                    try Self.check(vector, matches: pattern)
                }
                steps.append(.receive(name, pattern, vector: vector))
            } else if let name = try party("closed") {
                steps.append(.closed(name))
            } else if let name = try party("disconnect") {
                steps.append(.disconnect(name))
            } else if let name = try party("unreadable") {
                steps.append(.unreadable(name))
            } else if let shutdown = step["shutdown"] {
                configured = true
                steps.append(.shutdown(text: shutdown.stringValue ?? "the server is shutting down"))
            } else {
                throw ScenarioError("step \(index) is of no known kind")
            }
        }
        return Scenario(
            name: name, file: file, summary: value["description"]?.stringValue ?? "", parties: parties, steps: steps,
            serverOptions: options, needsConfiguredServer: configured)
    }

    /// A `receive` step's vector must be a message its pattern matches, in every format
    /// the vector has (Storable in network order turns numbers into text; the pattern's
    /// scalars compare as Perl does).
    private static func check(_ vector: ProtocolVector, matches pattern: ScenarioValue) throws(ScenarioError) {
        for format in vector.frames.keys.sorted(by: { $0.rawValue < $1.rawValue }) {
            var bindings: [String: PerlValue] = [:]
            if let mismatch = pattern.match(try vector.value(in: format), &bindings) {
                throw ScenarioError("vector \(vector.name) (\(format.name)) does not match the step's message: \(mismatch)")
            }
        }
    }
}
