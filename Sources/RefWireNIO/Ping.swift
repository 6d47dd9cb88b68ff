#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import RefWire

/// The ping that Apache::Backend::POE's connections use to check a back end before use,
/// and its answer: a request hash whose `cmd` is `ping` (the client sends an
/// `Apache::Backend::POE::Message` object with `id`, `created`, `send_time` and `time`),
/// answered by a hash whose `event` is `pong`.
public enum ApacheBackendPOEPing {
    /// The class Apache::Backend::POE blesses its messages into.
    public static let messageClass = "Apache::Backend::POE::Message"

    /// A ping as Apache::Backend::POE sends it: `bless { cmd => 'ping', time => time(), id,
    /// created, send_time }, 'Apache::Backend::POE::Message'`.
    public static func message(id: Int64, unixTime: Int64 = currentUnixTime()) -> PerlValue {
        let seconds = PerlValue.integer(unixTime)
        let fields: PerlValue = [
            "id": .integer(id), "cmd": "ping", "time": seconds, "created": seconds, "send_time": seconds,
        ]
        return .blessed(class: messageClass, fields)
    }

    /// Whether `value` is a ping: a hash (blessed or not) whose `cmd` is `ping`.
    public static func isPing(_ value: PerlValue) -> Bool {
        value["cmd"] == "ping"
    }

    /// Whether `value` answers a ping: a hash whose `event` is `pong`.
    public static func isPong(_ value: PerlValue) -> Bool {
        value["event"] == "pong"
    }

    /// The answer to `ping`: `{ event => 'pong', time => <the ping's time> }` (no `time`
    /// if the ping had none).
    public static func pong(answering ping: PerlValue) -> PerlValue {
        var reply: PerlValue = ["event": "pong"]
        if let time = ping["time"] { reply["time"] = time }
        return reply
    }

    /// Perl's `time()`: whole seconds since the epoch.
    public static func currentUnixTime() -> Int64 {
        Int64(time(nil))
    }
}
