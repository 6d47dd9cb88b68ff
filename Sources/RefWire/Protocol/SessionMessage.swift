/// One message of the session protocol (`Spec/protocol.md`), typed.
///
/// On the wire every message is a Perl hash with a `cmd` key naming it, so that a Perl
/// peer with a plain POE::Filter::Reference can read and write it. ``init(parsing:limits:)``
/// reads such a hash (blessed or not, strings as bytes or characters, numbers as Perl
/// may hold them); ``perlValue`` writes one, keys in a fixed order.
public enum SessionMessage: Hashable, Sendable {
    // Both directions.
    case ping(Ping)
    case pong(Pong)
    case bye(Bye)
    // Client to server.
    case hello(Hello)
    case publish(id: MessageID, alias: String, methods: [String])
    case rescind(id: MessageID, alias: String)
    case listing(id: MessageID)
    case subscribe(id: MessageID, alias: String)
    case unsubscribe(id: MessageID, alias: String)
    /// Client to server (to an alias), and server to the alias's publisher.
    case deliver(Delivery)
    /// Publisher to server, and server to the delivery's sender.
    case result(DeliveryResult)
    // Server to client.
    case welcome(Welcome)
    case ok(OKReply)
    case error(re: MessageID?, ProtocolError)
    /// An alias the receiver was subscribed to is gone; `code` is `rescinded` or
    /// `publisher_gone`.
    case rescinded(alias: String, code: ProtocolErrorCode)
    /// A delivery the receiver holds is no longer wanted; `code` is `subscriber_gone` or
    /// `alias_rescinded`. Its result, if sent, is dropped.
    case cancel(re: MessageID, code: ProtocolErrorCode)

    /// `hello`: the client's offer (`Spec/protocol.md` §4).
    public struct Hello: Hashable, Sendable {
        public var id: MessageID
        /// Protocol versions the client speaks; the server picks the highest in common.
        public var versions: [Int64]
        /// Serializer names (``PayloadFormat``), most preferred first; `nil` keeps the
        /// one in use.
        public var serializers: [String]?
        /// Compression names (`none`, `zlib`), most preferred first; `nil` keeps the one in use.
        public var compression: [String]?
        /// The sealing the client believes the channel has (`none` or a mode of
        /// `Spec/sealing.md`); `nil` says nothing.
        public var sealing: String?
        public var name: String?

        public init(id: MessageID, versions: [Int64] = [1], serializers: [String]? = nil, compression: [String]? = nil,
                    sealing: String? = nil, name: String? = nil) {
            self.id = id
            self.versions = versions
            self.serializers = serializers
            self.compression = compression
            self.sealing = sealing
            self.name = name
        }
    }

    /// `welcome`: what the server chose.
    public struct Welcome: Hashable, Sendable {
        public var re: MessageID
        public var version: Int64
        public var serializer: String?
        public var compression: String?
        public var sealing: String
        public var name: String?
        public var limits: SessionLimits?

        public init(re: MessageID, version: Int64, serializer: String? = nil, compression: String? = nil,
                    sealing: String = "none", name: String? = nil, limits: SessionLimits? = nil) {
            self.re = re
            self.version = version
            self.serializer = serializer
            self.compression = compression
            self.sealing = sealing
            self.name = name
            self.limits = limits
        }
    }

    /// `ping`, as this protocol and Apache::Backend::POE send it (a hash, possibly blessed
    /// into `Apache::Backend::POE::Message`, with `cmd => 'ping'`, `time` and `id`).
    public struct Ping: Hashable, Sendable {
        public var id: MessageID?
        /// Echoed in the pong, whatever it is.
        public var time: PerlValue?
        /// The class the ping hash was blessed into; the pong is blessed alike.
        public var className: String?

        public init(id: MessageID?, time: PerlValue? = nil, className: String? = nil) {
            self.id = id
            self.time = time
            self.className = className
        }
    }

    /// `pong`: carries `event => 'pong'` as Apache::Backend::POE requires, and `cmd => 'pong'`.
    public struct Pong: Hashable, Sendable {
        public var re: MessageID?
        public var time: PerlValue?
        public var className: String?

        public init(re: MessageID?, time: PerlValue? = nil, className: String? = nil) {
            self.re = re
            self.time = time
            self.className = className
        }

        /// The pong that answers `ping`.
        public init(answering ping: Ping) {
            self.init(re: ping.id, time: ping.time, className: ping.className)
        }
    }

    /// `bye`: a client's request to end the session (with `id`), or a server's notice
    /// that it ends it (with `code` and `text`).
    public struct Bye: Hashable, Sendable {
        public var id: MessageID?
        public var code: ProtocolErrorCode?
        public var text: String?

        public init(id: MessageID? = nil, code: ProtocolErrorCode? = nil, text: String? = nil) {
            self.id = id
            self.code = code
            self.text = text
        }
    }

    /// `deliver`: a call of `method` on `alias`.
    public struct Delivery: Hashable, Sendable {
        public var id: MessageID
        public var alias: String
        public var method: String
        /// Any Perl value; `nil` when the message has no `payload` key.
        public var payload: PerlValue?

        public init(id: MessageID, alias: String, method: String, payload: PerlValue? = nil) {
            self.id = id
            self.alias = alias
            self.method = method
            self.payload = payload
        }
    }

    /// `result`: the outcome of one delivery.
    public struct DeliveryResult: Hashable, Sendable {
        public var re: MessageID
        public var success: Bool
        public var payload: PerlValue?
        /// On failure: why (a ``ProtocolErrorCode`` or the publisher's own code).
        public var code: ProtocolErrorCode?
        public var text: String?

        public init(re: MessageID, success: Bool, payload: PerlValue? = nil, code: ProtocolErrorCode? = nil,
                    text: String? = nil) {
            self.re = re
            self.success = success
            self.payload = payload
            self.code = code
            self.text = text
        }

        /// A failure the server reports for delivery `re`.
        public static func failure(re: MessageID, _ error: ProtocolError) -> Self {
            Self(re: re, success: false, code: error.code, text: error.text)
        }
    }

    /// `ok`: the success reply to `publish`, `rescind`, `listing`, `subscribe`,
    /// `unsubscribe` and `bye`.
    public struct OKReply: Hashable, Sendable {
        public var re: MessageID
        public var alias: String?
        /// `subscribe`: the alias's methods.
        public var methods: [String]?
        /// `listing`: every published alias, sorted by code point.
        public var aliases: [String]?

        public init(re: MessageID, alias: String? = nil, methods: [String]? = nil, aliases: [String]? = nil) {
            self.re = re
            self.alias = alias
            self.methods = methods
            self.aliases = aliases
        }
    }

    /// Why a value is not a message: the error to reply with, and the `id` of the request
    /// when it could be read (the reply's `re`).
    public struct ParseFailure: Error, Hashable, Sendable {
        public var error: ProtocolError
        public var id: MessageID?

        public init(_ error: ProtocolError, id: MessageID?) {
            self.error = error
            self.id = id
        }
    }

    /// The `cmd` name.
    public var command: String {
        switch self {
        case .ping: "ping"
        case .pong: "pong"
        case .bye: "bye"
        case .hello: "hello"
        case .publish: "publish"
        case .rescind: "rescind"
        case .listing: "listing"
        case .subscribe: "subscribe"
        case .unsubscribe: "unsubscribe"
        case .deliver: "deliver"
        case .result: "result"
        case .welcome: "welcome"
        case .ok: "ok"
        case .error: "error"
        case .rescinded: "rescinded"
        case .cancel: "cancel"
        }
    }

    /// The `id` of a request (a message that expects a reply), if this is one.
    public var requestID: MessageID? {
        switch self {
        case .ping(let ping): ping.id
        case .bye(let bye): bye.id
        case .hello(let hello): hello.id
        case .publish(let id, _, _), .rescind(let id, _), .listing(let id), .subscribe(let id, _),
            .unsubscribe(let id, _):
            id
        case .deliver(let delivery): delivery.id
        case .pong, .result, .welcome, .ok, .error, .rescinded, .cancel: nil
        }
    }
}

// MARK: - Writing

extension SessionMessage {
    /// The message as the hash that goes on the wire, keys in the order of
    /// `Spec/protocol.md` §5.
    public var perlValue: PerlValue {
        var hash = PerlHash()
        hash["cmd"] = .string(command)
        func put(_ key: String, _ value: PerlValue?) { if let value { hash[key] = value } }
        func put(_ key: String, _ text: String?) { if let text { hash[key] = .string(text) } }
        func put(_ key: String, _ id: MessageID?) { if let id { hash[key] = id.perlValue } }
        func put(_ key: String, _ names: [String]?) { if let names { hash[key] = .array(names.map { .string($0) }) } }
        switch self {
        case .ping(let ping):
            put("id", ping.id)
            put("time", ping.time)
            return ping.className.map { .blessed(class: $0, .hash(hash)) } ?? .hash(hash)
        case .pong(let pong):
            hash["event"] = "pong"
            put("re", pong.re)
            put("time", pong.time)
            return pong.className.map { .blessed(class: $0, .hash(hash)) } ?? .hash(hash)
        case .bye(let bye):
            put("id", bye.id)
            put("code", bye.code?.rawValue)
            put("text", bye.text)
        case .hello(let hello):
            put("id", hello.id)
            hash["versions"] = .array(hello.versions.map { .integer($0) })
            put("serializers", hello.serializers)
            put("compression", hello.compression)
            put("sealing", hello.sealing)
            put("name", hello.name)
        case .welcome(let welcome):
            put("re", welcome.re)
            hash["version"] = .integer(welcome.version)
            put("serializer", welcome.serializer)
            put("compression", welcome.compression)
            hash["sealing"] = .string(welcome.sealing)
            put("name", welcome.name)
            put("limits", welcome.limits?.perlValue)
        case .publish(let id, let alias, let methods):
            put("id", id)
            put("alias", alias)
            put("methods", methods)
        case .rescind(let id, let alias), .subscribe(let id, let alias), .unsubscribe(let id, let alias):
            put("id", id)
            put("alias", alias)
        case .listing(let id):
            put("id", id)
        case .deliver(let delivery):
            put("id", delivery.id)
            put("alias", delivery.alias)
            put("method", delivery.method)
            put("payload", delivery.payload)
        case .result(let result):
            put("re", result.re)
            hash["success"] = .integer(result.success ? 1 : 0)
            put("payload", result.payload)
            put("code", result.code?.rawValue)
            put("text", result.text)
        case .ok(let reply):
            put("re", reply.re)
            put("alias", reply.alias)
            put("methods", reply.methods)
            put("aliases", reply.aliases)
        case .error(let re, let error):
            put("re", re)
            put("code", error.code.rawValue)
            put("text", error.text)
        case .rescinded(let alias, let code):
            put("alias", alias)
            put("code", code.rawValue)
        case .cancel(let re, let code):
            put("re", re)
            put("code", code.rawValue)
        }
        return .hash(hash)
    }
}

// MARK: - Reading

extension SessionMessage {
    /// Reads a message. Keys the message does not define are ignored.
    ///
    /// - Throws: ``ParseFailure`` with `malformed_message`, `unknown_command`,
    ///   `invalid_id` or `invalid_name`, and the request's id when it could be read.
    public init(parsing value: PerlValue, limits: SessionLimits = SessionLimits()) throws(ParseFailure) {
        guard let hash = value.hashContents else {
            throw ParseFailure(ProtocolError(.malformedMessage, "a message must be a hash"), id: nil)
        }
        var reader = MessageFields(hash: hash, limits: limits)
        var commandValue: PerlValue? = hash["cmd"]
        if commandValue == nil, hash["event"].flatMap(MessageFields.text) == "pong" { commandValue = .string("pong") }
        guard let commandValue else {
            throw ParseFailure(ProtocolError(.malformedMessage, "the message has no cmd"), id: try? reader.optionalID("id"))
        }
        guard let command = MessageFields.text(commandValue) else {
            throw ParseFailure(ProtocolError(.malformedMessage, "cmd must be a string"), id: try? reader.optionalID("id"))
        }
        do throws(ProtocolError) {
            switch command {
            case "ping":
                reader.requestID = try reader.optionalID("id")
                self = .ping(Ping(id: reader.requestID, time: hash["time"], className: value.className))
            case "pong":
                self = .pong(Pong(re: try reader.optionalID("re"), time: hash["time"], className: value.className))
            case "bye":
                reader.requestID = try reader.optionalID("id")
                let code = try reader.optionalText("code").map(ProtocolErrorCode.init(rawValue:))
                self = .bye(Bye(id: reader.requestID, code: code, text: try reader.optionalText("text")))
            case "hello":
                let id = try reader.requiredID()
                let versions = try reader.integers("versions")
                guard !versions.isEmpty else { throw ProtocolError(.malformedMessage, "versions must not be empty") }
                self = .hello(Hello(
                    id: id, versions: versions, serializers: try reader.optionalTexts("serializers"),
                    compression: try reader.optionalTexts("compression"), sealing: try reader.optionalText("sealing"),
                    name: try reader.optionalText("name")))
            case "publish":
                let id = try reader.requiredID()
                let alias = try reader.name("alias")
                guard let methodsValue = hash["methods"] else {
                    throw ProtocolError(.malformedMessage, "publish needs methods")
                }
                guard let elements = methodsValue.arrayElements else {
                    throw ProtocolError(.malformedMessage, "methods must be an array")
                }
                var methods: [String] = []
                for element in elements {
                    let method = try reader.checkName(element, what: "method")
                    guard !methods.contains(method) else { throw ProtocolError(.invalidName, "method '\(method)' is listed twice") }
                    methods.append(method)
                    if methods.count > limits.maximumMethodsPerAlias {
                        throw ProtocolError(.tooManyMethods, "an alias may list at most \(limits.maximumMethodsPerAlias) methods")
                    }
                }
                self = .publish(id: id, alias: alias, methods: methods)
            case "rescind":
                let id = try reader.requiredID()
                self = .rescind(id: id, alias: try reader.name("alias"))
            case "listing":
                self = .listing(id: try reader.requiredID())
            case "subscribe":
                let id = try reader.requiredID()
                self = .subscribe(id: id, alias: try reader.name("alias"))
            case "unsubscribe":
                let id = try reader.requiredID()
                self = .unsubscribe(id: id, alias: try reader.name("alias"))
            case "deliver":
                let id = try reader.requiredID()
                self = .deliver(Delivery(
                    id: id, alias: try reader.name("alias"), method: try reader.name("method", what: "method"),
                    payload: hash["payload"]))
            case "result":
                let re = try reader.requiredID("re")
                guard let success = hash["success"] else { throw ProtocolError(.malformedMessage, "result needs success") }
                self = .result(DeliveryResult(
                    re: re, success: MessageFields.truth(success), payload: hash["payload"],
                    code: try reader.optionalText("code").map(ProtocolErrorCode.init(rawValue:)),
                    text: try reader.optionalText("text")))
            case "welcome":
                let re = try reader.requiredID("re")
                guard let version = hash["version"].flatMap(MessageFields.integer) else {
                    throw ProtocolError(.malformedMessage, "welcome needs an integer version")
                }
                self = .welcome(Welcome(
                    re: re, version: version, serializer: try reader.optionalText("serializer"),
                    compression: try reader.optionalText("compression"),
                    sealing: try reader.optionalText("sealing") ?? "none", name: try reader.optionalText("name"),
                    limits: try hash["limits"].map { value throws(ProtocolError) in try SessionLimits(parsing: value) }))
            case "ok":
                self = .ok(OKReply(
                    re: try reader.requiredID("re"), alias: try reader.optionalText("alias"),
                    methods: try reader.optionalTexts("methods"), aliases: try reader.optionalTexts("aliases")))
            case "error":
                let re = try reader.optionalID("re")
                guard let code = try reader.optionalText("code") else { throw ProtocolError(.malformedMessage, "error needs a code") }
                self = .error(re: re, ProtocolError(ProtocolErrorCode(rawValue: code), try reader.optionalText("text") ?? ""))
            case "rescinded":
                let alias = try reader.name("alias")
                guard let code = try reader.optionalText("code") else { throw ProtocolError(.malformedMessage, "rescinded needs a code") }
                self = .rescinded(alias: alias, code: ProtocolErrorCode(rawValue: code))
            case "cancel":
                let re = try reader.requiredID("re")
                guard let code = try reader.optionalText("code") else { throw ProtocolError(.malformedMessage, "cancel needs a code") }
                self = .cancel(re: re, code: ProtocolErrorCode(rawValue: code))
            default:
                throw ProtocolError(.unknownCommand, "unknown command '\(command.prefix(64))'")
            }
        } catch {
            // A request's id is worth reporting even when the rest is wrong.
            let id = reader.requestID ?? (try? reader.optionalID("id"))
            throw ParseFailure(error, id: error.code == .invalidID ? nil : id)
        }
    }
}

/// Reads the fields of a message hash as a Perl peer may have written them.
package struct MessageFields {
    let hash: PerlHash
    let limits: SessionLimits
    /// The request's id, once read.
    var requestID: MessageID?

    init(hash: PerlHash, limits: SessionLimits) {
        self.hash = hash
        self.limits = limits
    }

    /// An integer as Perl may hold one: an IV or UV, an NV with an integral value, or a
    /// string in canonical decimal (`"7"`, not `"07"` or `"+7"`), as a hash key gives back.
    package static func integer(_ value: PerlValue) -> Int64? {
        switch value {
        case .integer(let number): return number
        case .unsigned(let number): return Int64(exactly: number)
        case .double(let number): return number.rounded() == number ? Int64(exactly: number) : nil
        case .string, .bytes:
            guard let text = value.stringValue, let number = Int64(text), String(number) == text else { return nil }
            return number
        default: return nil
        }
    }

    /// A string: a byte or character string, or an integer (which Perl stringifies).
    package static func text(_ value: PerlValue) -> String? {
        switch value {
        case .string(let text): return text
        case .bytes: return value.stringValue
        case .integer(let number): return String(number)
        case .unsigned(let number): return String(number)
        default: return nil
        }
    }

    /// Perl's truth: undef, `""`, `"0"` and 0 are false; anything else is true.
    package static func truth(_ value: PerlValue) -> Bool {
        switch value {
        case .undef, .hole: return false
        case .integer(let number): return number != 0
        case .unsigned(let number): return number != 0
        case .double(let number): return number != 0
        case .bool(let flag): return flag
        case .string, .bytes:
            let text = value.stringValue ?? ""
            return !(text.isEmpty || text == "0")
        case .vstring(_, let inner): return truth(inner)
        default: return true
        }
    }

    func id(_ value: PerlValue, key: String) throws(ProtocolError) -> MessageID {
        guard let number = Self.integer(value) else {
            throw ProtocolError(.invalidID, "\(key) must be an integer")
        }
        guard number >= 0, number <= limits.maximumMessageID else {
            throw ProtocolError(.invalidID, "\(key) must be between 0 and \(limits.maximumMessageID)")
        }
        return MessageID(number)
    }

    func optionalID(_ key: String) throws(ProtocolError) -> MessageID? {
        guard let value = hash[key] else { return nil }
        return try id(value, key: key)
    }

    mutating func requiredID(_ key: String = "id") throws(ProtocolError) -> MessageID {
        guard let value = hash[key] else {
            throw ProtocolError(key == "id" ? .invalidID : .malformedMessage, "the message has no \(key)")
        }
        let id = try id(value, key: key)
        if key == "id" { requestID = id }
        return id
    }

    func optionalText(_ key: String) throws(ProtocolError) -> String? {
        guard let value = hash[key] else { return nil }
        guard let text = Self.text(value) else { throw ProtocolError(.malformedMessage, "\(key) must be a string") }
        return text
    }

    func optionalTexts(_ key: String) throws(ProtocolError) -> [String]? {
        guard let value = hash[key] else { return nil }
        guard let elements = value.arrayElements else { throw ProtocolError(.malformedMessage, "\(key) must be an array") }
        var texts: [String] = []
        for element in elements {
            guard let text = Self.text(element) else { throw ProtocolError(.malformedMessage, "\(key) must hold strings") }
            texts.append(text)
        }
        return texts
    }

    func integers(_ key: String) throws(ProtocolError) -> [Int64] {
        guard let elements = hash[key]?.arrayElements else { throw ProtocolError(.malformedMessage, "\(key) must be an array") }
        var numbers: [Int64] = []
        for element in elements {
            guard let number = Self.integer(element) else { throw ProtocolError(.malformedMessage, "\(key) must hold integers") }
            numbers.append(number)
        }
        return numbers
    }

    func name(_ key: String, what: String = "alias") throws(ProtocolError) -> String {
        guard let value = hash[key] else { throw ProtocolError(.malformedMessage, "the message has no \(key)") }
        return try checkName(value, what: what)
    }

    func checkName(_ value: PerlValue, what: String) throws(ProtocolError) -> String {
        guard let text = Self.text(value) else { throw ProtocolError(.invalidName, "a \(what) name must be a string") }
        guard !text.isEmpty else { throw ProtocolError(.invalidName, "a \(what) name must not be empty") }
        guard text.unicodeScalars.count <= limits.maximumNameLength else {
            throw ProtocolError(.invalidName, "a \(what) name may have at most \(limits.maximumNameLength) characters")
        }
        return text
    }
}
