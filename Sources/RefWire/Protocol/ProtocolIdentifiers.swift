/// A message id: the number a sender gives each request it sends on one connection, and
/// that the reply names in its `re` key (`Spec/protocol.md` §3).
///
/// Each direction of a connection has its own id space: a client numbers its requests,
/// and the server numbers the deliveries it sends that client. Ids are integers from 0 to
/// ``SessionLimits/maximumMessageID``.
public struct MessageID: RawRepresentable, Hashable, Comparable, Sendable, ExpressibleByIntegerLiteral,
    CustomStringConvertible
{
    public var rawValue: Int64

    public init(rawValue: Int64) { self.rawValue = rawValue }
    public init(_ rawValue: Int64) { self.rawValue = rawValue }
    public init(integerLiteral value: Int64) { self.rawValue = value }

    public static func < (lhs: MessageID, rhs: MessageID) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { String(rawValue) }

    /// The id as a Perl value: an integer, as Perl's `$id++` holds it.
    public var perlValue: PerlValue { .integer(rawValue) }
}

/// An opaque name for one connection of a ``SessionServer``, chosen by the transport.
/// The state machine never interprets it beyond equality and order (which only makes
/// its diagnostics deterministic).
public struct ConnectionID: RawRepresentable, Hashable, Comparable, Sendable, ExpressibleByIntegerLiteral,
    CustomStringConvertible
{
    public var rawValue: UInt64

    public init(rawValue: UInt64) { self.rawValue = rawValue }
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }
    public init(integerLiteral value: UInt64) { self.rawValue = value }

    public static func < (lhs: ConnectionID, rhs: ConnectionID) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { "#\(rawValue)" }
}

/// The limits both roles apply to the messages they read, and that a server announces in
/// its `welcome` (`Spec/protocol.md` §7). Defaults are safe for untrusted peers.
public struct SessionLimits: Hashable, Sendable {
    /// The largest message id (`id` or `re`). Default: 2³¹ − 1, which a 32-bit Perl and a
    /// JSON peer both hold exactly.
    public var maximumMessageID: Int64
    /// The longest alias or method name, in characters. Default: 256.
    public var maximumNameLength: Int
    /// The most aliases one connection may have published at once. Default: 64.
    public var maximumAliasesPerConnection: Int
    /// The most methods one alias may list. Default: 256.
    public var maximumMethodsPerAlias: Int
    /// The most aliases one connection may be subscribed to at once. Default: 256.
    public var maximumSubscriptionsPerConnection: Int
    /// The most deliveries one connection may have sent that still await their result.
    /// Default: 1024.
    public var maximumInFlightPerConnection: Int
    /// The most protocol violations (malformed or unreadable messages, unknown commands,
    /// bad ids, requests out of order) a connection may commit before it is closed.
    /// Default: 16.
    public var maximumViolationsPerConnection: Int

    public init(
        maximumMessageID: Int64 = 2_147_483_647,
        maximumNameLength: Int = 256,
        maximumAliasesPerConnection: Int = 64,
        maximumMethodsPerAlias: Int = 256,
        maximumSubscriptionsPerConnection: Int = 256,
        maximumInFlightPerConnection: Int = 1024,
        maximumViolationsPerConnection: Int = 16
    ) {
        precondition(maximumMessageID >= 1, "maximumMessageID must be at least 1")
        precondition(maximumNameLength >= 1, "maximumNameLength must be at least 1")
        precondition(maximumAliasesPerConnection >= 0 && maximumMethodsPerAlias >= 0, "limits must not be negative")
        precondition(maximumSubscriptionsPerConnection >= 0 && maximumInFlightPerConnection >= 0, "limits must not be negative")
        precondition(maximumViolationsPerConnection >= 1, "maximumViolationsPerConnection must be at least 1")
        self.maximumMessageID = maximumMessageID
        self.maximumNameLength = maximumNameLength
        self.maximumAliasesPerConnection = maximumAliasesPerConnection
        self.maximumMethodsPerAlias = maximumMethodsPerAlias
        self.maximumSubscriptionsPerConnection = maximumSubscriptionsPerConnection
        self.maximumInFlightPerConnection = maximumInFlightPerConnection
        self.maximumViolationsPerConnection = maximumViolationsPerConnection
    }

    /// The limits as the `limits` hash of a `welcome`, keys in a fixed order.
    public var perlValue: PerlValue {
        [
            "max_message_id": .integer(maximumMessageID),
            "max_name_length": .integer(Int64(maximumNameLength)),
            "max_aliases_per_connection": .integer(Int64(maximumAliasesPerConnection)),
            "max_methods_per_alias": .integer(Int64(maximumMethodsPerAlias)),
            "max_subscriptions_per_connection": .integer(Int64(maximumSubscriptionsPerConnection)),
            "max_in_flight_per_connection": .integer(Int64(maximumInFlightPerConnection)),
            "max_violations_per_connection": .integer(Int64(maximumViolationsPerConnection)),
        ]
    }

    /// Limits from a `limits` hash (a `welcome`'s, or a scenario's `server_limits`); keys
    /// that are absent keep the defaults. `strict` refuses keys it does not know (a
    /// `welcome` from a newer server may carry more).
    public init(parsing value: PerlValue, strict: Bool = false) throws(ProtocolError) {
        self.init()
        guard let hash = value.hashContents else { throw ProtocolError(.malformedMessage, "limits must be a hash") }
        func number(_ key: String) throws(ProtocolError) -> Int64? {
            guard let field = hash[key] else { return nil }
            guard let number = MessageFields.integer(field), number >= 0 else {
                throw ProtocolError(.malformedMessage, "limit \(key) must be a non-negative integer")
            }
            return number
        }
        func int(_ key: String) throws(ProtocolError) -> Int? {
            try number(key).map { Int(clamping: $0) }
        }
        for key in hash.keys where strict {
            let name = MessageFields.text(.init(key)) ?? ""
            guard Self.keys.contains(name) else { throw ProtocolError(.malformedMessage, "unknown limit \(name)") }
        }
        maximumMessageID = max(1, try number("max_message_id") ?? maximumMessageID)
        maximumNameLength = max(1, try int("max_name_length") ?? maximumNameLength)
        maximumAliasesPerConnection = try int("max_aliases_per_connection") ?? maximumAliasesPerConnection
        maximumMethodsPerAlias = try int("max_methods_per_alias") ?? maximumMethodsPerAlias
        maximumSubscriptionsPerConnection = try int("max_subscriptions_per_connection") ?? maximumSubscriptionsPerConnection
        maximumInFlightPerConnection = try int("max_in_flight_per_connection") ?? maximumInFlightPerConnection
        maximumViolationsPerConnection = max(1, try int("max_violations_per_connection") ?? maximumViolationsPerConnection)
    }
}

extension PerlValue {
    fileprivate init(_ key: PerlHash.Key) {
        switch key {
        case .bytes(let bytes): self = .bytes(bytes)
        case .string(let text): self = .string(text)
        }
    }
}
