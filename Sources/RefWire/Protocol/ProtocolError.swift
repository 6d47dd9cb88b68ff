/// A stable error code of the session protocol (`Spec/protocol.md` §6): the `code` of an
/// `error` reply, of a failed `result`, of a `cancel`, a `rescinded` notice or a `bye`.
///
/// Codes are lower-case ASCII words joined by underscores and never change meaning. A
/// publisher may put a code of its own in a failed result; unknown codes are carried as
/// they are.
public struct ProtocolErrorCode: RawRepresentable, Hashable, Sendable, ExpressibleByStringLiteral,
    CustomStringConvertible
{
    public var rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public var description: String { rawValue }

    // Messages that cannot be understood.
    /// Not a hash, no `cmd`, or a field of the wrong type or missing.
    public static let malformedMessage: Self = "malformed_message"
    /// A frame whose payload did not decode (reported by the transport).
    public static let malformedPayload: Self = "malformed_payload"
    /// A `cmd` the receiver does not accept.
    public static let unknownCommand: Self = "unknown_command"
    /// A request without a valid `id`: missing, not an integer, negative or too large.
    public static let invalidID: Self = "invalid_id"
    /// A `deliver` whose `id` names a delivery of the same connection still in flight.
    public static let duplicateID: Self = "duplicate_id"
    /// Too many violations: the connection is closed.
    public static let tooManyViolations: Self = "too_many_violations"

    // Negotiation.
    /// A session request before the `hello` exchange.
    public static let helloRequired: Self = "hello_required"
    /// A second `hello` on one connection.
    public static let duplicateHello: Self = "duplicate_hello"
    /// No protocol version in common (the connection is closed).
    public static let unsupportedVersion: Self = "unsupported_version"
    /// No serializer in common (the connection is closed).
    public static let noCommonSerializer: Self = "no_common_serializer"
    /// No compression in common (the connection is closed).
    public static let noCommonCompression: Self = "no_common_compression"
    /// The server requires a sealed channel and this one is not (the connection is closed).
    public static let sealingRequired: Self = "sealing_required"
    /// The `hello` states a sealing other than the channel's (the connection is closed).
    public static let sealingMismatch: Self = "sealing_mismatch"

    // The routed-session model.
    /// An alias or method name that is empty, too long, not a string, or listed twice.
    public static let invalidName: Self = "invalid_name"
    /// `publish` of an alias some connection has published.
    public static let duplicateAlias: Self = "duplicate_alias"
    /// An alias nobody has published.
    public static let unknownAlias: Self = "unknown_alias"
    /// A method the alias does not list.
    public static let unknownMethod: Self = "unknown_method"
    /// `rescind` of an alias another connection published.
    public static let notOwner: Self = "not_owner"
    /// `deliver` or `unsubscribe` without a subscription to the alias.
    public static let notSubscribed: Self = "not_subscribed"
    public static let tooManyAliases: Self = "too_many_aliases"
    public static let tooManyMethods: Self = "too_many_methods"
    public static let tooManySubscriptions: Self = "too_many_subscriptions"
    public static let tooManyInFlight: Self = "too_many_in_flight"

    // Parties that go away.
    /// The publisher of an alias disconnected (failed results, `rescinded` notices).
    public static let publisherGone: Self = "publisher_gone"
    /// The alias was rescinded while a delivery to it was in flight.
    public static let aliasRescinded: Self = "alias_rescinded"
    /// The sender of a delivery disconnected before its result (a `cancel`).
    public static let subscriberGone: Self = "subscriber_gone"
    /// `rescinded` notice: the publisher rescinded the alias.
    public static let rescinded: Self = "rescinded"
    /// A `bye` from a server that is shutting down.
    public static let shutdown: Self = "shutdown"
    /// A failed `result` whose publisher gave no code.
    public static let failed: Self = "failed"
    /// Local only, never on the wire: the connection closed before the reply.
    public static let connectionClosed: Self = "connection_closed"

    /// Whether the server closes the connection after an `error` with this code.
    public var closesConnection: Bool {
        [.unsupportedVersion, .noCommonSerializer, .noCommonCompression, .sealingRequired, .sealingMismatch,
         .tooManyViolations].contains(self)
    }

    /// Whether a server counts an error with this code as a violation
    /// (``SessionLimits/maximumViolationsPerConnection``).
    public var isViolation: Bool {
        [.malformedMessage, .malformedPayload, .unknownCommand, .invalidID, .helloRequired, .duplicateHello]
            .contains(self)
    }

    /// Every code the server itself sends (not `connection_closed`, which is local).
    public static let allServerCodes: [ProtocolErrorCode] = [
        .malformedMessage, .malformedPayload, .unknownCommand, .invalidID, .duplicateID, .tooManyViolations,
        .helloRequired, .duplicateHello, .unsupportedVersion, .noCommonSerializer, .noCommonCompression,
        .sealingRequired, .sealingMismatch, .invalidName, .duplicateAlias, .unknownAlias, .unknownMethod,
        .notOwner, .notSubscribed, .tooManyAliases, .tooManyMethods, .tooManySubscriptions, .tooManyInFlight,
        .publisherGone, .aliasRescinded, .subscriberGone, .rescinded, .shutdown, .failed,
    ]
}

/// An error of the session protocol: a stable ``code`` and a human-readable ``text``
/// (which may change between releases; compare codes, not texts).
public struct ProtocolError: Error, Hashable, Sendable, CustomStringConvertible {
    public var code: ProtocolErrorCode
    public var text: String

    public init(_ code: ProtocolErrorCode, _ text: String) {
        self.code = code
        self.text = text
    }

    public var description: String { "\(code): \(text)" }
}
