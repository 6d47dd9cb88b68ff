import ArgumentParser
import RefWire

/// Why a verb stopped before the end of its input. Carries its exit status and the
/// message printed on standard error.
enum CommandFailure: Error {
    /// The stream is corrupt or over a limit, or a payload could not be converted.
    case stream(offset: Int, message: String)
    /// A value that decoded but cannot be written in the output format.
    case conversion(String)
    /// The input file could not be opened.
    case cannotOpen(path: String, reason: String)
    /// Reading or writing failed.
    case io(String)
    /// The options do not make a usable configuration (found only when applying them).
    case usage(String)
    /// The peer could not be reached, the listening address bound, or the connection
    /// was lost or timed out.
    case unavailable(String)

    var exitStatus: Int32 {
        switch self {
        case .stream, .conversion: return ExitStatus.streamError
        case .cannotOpen: return ExitStatus.noInput
        case .io: return ExitStatus.ioError
        case .usage: return ExitStatus.usage
        case .unavailable: return ExitStatus.unavailable
        }
    }

    var message: String {
        switch self {
        case .stream(let offset, let message): return "error at byte \(offset): \(message)"
        case .conversion(let message): return message
        case .cannotOpen(let path, let reason): return "cannot open \(path): \(reason)"
        case .io(let message), .usage(let message), .unavailable(let message): return message
        }
    }

    /// A framing error, at the offset it names (or `fallbackOffset` when it names none).
    static func framing(_ error: FramingError, fallbackOffset: Int) -> CommandFailure {
        .stream(offset: error.offset ?? fallbackOffset, message: error.description)
    }

    /// A payload that failed to inflate or decode.
    static func payload(_ error: PayloadError) -> CommandFailure {
        var message = error.description
        if case .decompression(.outputLimitExceeded) = error.reason { message += " (--max-decompressed-size)" }
        return .stream(offset: error.frameOffset, message: message)
    }
}

/// Runs `body`; on a ``CommandFailure`` prints `refwire: <message>` on standard error
/// and exits with the failure's status.
func reportingFailures(_ body: () throws(CommandFailure) -> Void) throws {
    do {
        try body()
    } catch {
        StandardError.write("refwire: \(error.message)\n")
        throw ExitCode(error.exitStatus)
    }
}
