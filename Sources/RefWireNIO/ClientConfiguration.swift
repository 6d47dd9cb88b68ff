import RefWire
import RefWireSodium

/// When a ``RefWireClient`` checks a connection with a ping before using it, as
/// Apache::Backend::POE does with its per-alias ping timeout.
public enum PingPolicy: Sendable, Hashable {
    /// Ping before every request (Apache::Backend::POE's default, timeout 0).
    case beforeEveryUse
    /// Never ping (a negative timeout).
    case never
    /// Ping only when the connection has not been used for longer than this (a
    /// positive timeout, in seconds).
    case whenIdle(longerThan: Duration)

    /// The policy for an Apache::Backend::POE ping timeout: 0 pings before every use,
    /// a negative value never pings, a positive one pings when the last use was more
    /// than that many seconds ago.
    public init(apacheTimeout: Int) {
        if apacheTimeout == 0 {
            self = .beforeEveryUse
        } else if apacheTimeout < 0 {
            self = .never
        } else {
            self = .whenIdle(longerThan: .seconds(apacheTimeout))
        }
    }
}

/// The ping a client sends and how it recognises the answer. The default is
/// Apache::Backend::POE's (``ApacheBackendPOEPing``).
public struct PingConfiguration: Sendable {
    /// Builds the ping; the argument counts the pings sent by the client, from 1.
    public var message: @Sendable (Int64) -> PerlValue
    /// Whether a reply is the expected answer.
    public var isPong: @Sendable (PerlValue) -> Bool
    /// How long to wait for the answer before the connection counts as dead.
    /// Default: 5 seconds.
    public var timeout: Duration

    public init(
        message: @escaping @Sendable (Int64) -> PerlValue = { ApacheBackendPOEPing.message(id: $0) },
        isPong: @escaping @Sendable (PerlValue) -> Bool = ApacheBackendPOEPing.isPong,
        timeout: Duration = .seconds(5)
    ) {
        self.message = message
        self.isPong = isPong
        self.timeout = timeout
    }
}

/// How a client waits between connection attempts: `initialDelay`, then each delay
/// `multiplier` times the last, at most `maximumDelay`, for at most `maximumAttempts`
/// attempts in a row.
public struct ReconnectBackoff: Sendable, Hashable {
    public var initialDelay: Duration
    public var maximumDelay: Duration
    public var multiplier: Double
    public var maximumAttempts: Int

    /// Default: 100 ms doubling up to 5 s, 6 attempts (about 10 s in all).
    public init(
        initialDelay: Duration = .milliseconds(100), maximumDelay: Duration = .seconds(5),
        multiplier: Double = 2, maximumAttempts: Int = 6
    ) {
        precondition(maximumAttempts >= 1 && multiplier >= 1, "invalid backoff")
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
        self.multiplier = multiplier
        self.maximumAttempts = maximumAttempts
    }

    /// The delay after attempt `attempt` (from 1) failed.
    public func delay(afterAttempt attempt: Int) -> Duration {
        var delay = initialDelay
        for _ in 1..<max(attempt, 1) {
            delay = delay * multiplier
            if delay >= maximumDelay { return maximumDelay }
        }
        return min(delay, maximumDelay)
    }
}

/// A named back end a ``RefWireClient`` keeps a persistent connection to (an
/// Apache::Backend::POE alias).
public struct Endpoint: Sendable {
    public var alias: String
    public var host: String
    public var port: Int
    public var wire: WireConfiguration
    public var pingPolicy: PingPolicy
    public var ping: PingConfiguration
    /// The longest a connection attempt may take, sealing handshake included. Default: 5 s.
    public var connectTimeout: Duration
    /// How long a request waits for its reply unless the call says otherwise; `nil`
    /// waits for ever. Default: 30 s.
    public var requestTimeout: Duration?
    public var reconnect: ReconnectBackoff
    /// Requests sent on one connection and not yet answered beyond which further
    /// requests fail at once. Default: 1,024.
    public var maximumPendingRequests: Int

    public init(
        alias: String, host: String = "127.0.0.1", port: Int, wire: WireConfiguration = .init(),
        pingPolicy: PingPolicy = .beforeEveryUse, ping: PingConfiguration = .init(),
        connectTimeout: Duration = .seconds(5), requestTimeout: Duration? = .seconds(30),
        reconnect: ReconnectBackoff = .init(), maximumPendingRequests: Int = 1024
    ) {
        precondition(maximumPendingRequests >= 1, "maximumPendingRequests must be positive")
        self.alias = alias
        self.host = host
        self.port = port
        self.wire = wire
        self.pingPolicy = pingPolicy
        self.ping = ping
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.reconnect = reconnect
        self.maximumPendingRequests = maximumPendingRequests
    }
}

/// Why a ``RefWireClient`` call failed.
public enum RefWireClientError: Error, Sendable, CustomStringConvertible {
    /// No endpoint has this alias.
    case unknownAlias(String)
    /// Every attempt to connect failed; `underlying` is the last attempt's error.
    case connectFailed(alias: String, attempts: Int, underlying: any Error & Sendable)
    /// No reply within the timeout. The connection was closed: replies match requests in
    /// order, so a late reply would have been taken for the next request's.
    case timedOut(alias: String, after: Duration)
    /// The connection closed while the request waited for its reply (or before it was sent).
    case connectionClosed(alias: String)
    /// The ping before use got no answer, or not the expected one, even on a new connection.
    case pingFailed(alias: String, reply: PerlValue?)
    /// Too many requests wait for replies on the connection.
    case tooManyPendingRequests(alias: String, limit: Int)
    /// The client is shutting down (or has shut down).
    case shuttingDown
    /// The stream from the server was corrupt; the connection was closed.
    case framing(FramingError)
    /// The reply did not inflate or decode (the connection goes on).
    case payload(PayloadError)
    /// The request could not be encoded, or was over the frame limit; nothing was sent.
    case encoding(any Error & Sendable)
    /// The sealed channel failed; the connection was closed.
    case sealing(SealingError)

    public var description: String {
        switch self {
        case .unknownAlias(let alias): "no endpoint named '\(alias)'"
        case .connectFailed(let alias, let attempts, let error):
            "could not connect to '\(alias)' in \(attempts) attempt(s): \(error)"
        case .timedOut(let alias, let after): "no reply from '\(alias)' within \(after); connection closed"
        case .connectionClosed(let alias): "the connection to '\(alias)' closed with the request pending"
        case .pingFailed(let alias, let reply): "'\(alias)' did not answer the ping (reply: \(reply.map { "\($0)" } ?? "none"))"
        case .tooManyPendingRequests(let alias, let limit): "more than \(limit) requests pending on '\(alias)'"
        case .shuttingDown: "the client is shutting down"
        case .framing(let error): "framing error: \(error)"
        case .payload(let error): "\(error)"
        case .encoding(let error): "request not sent: \(error)"
        case .sealing(let error): "sealing error: \(error)"
        }
    }
}
