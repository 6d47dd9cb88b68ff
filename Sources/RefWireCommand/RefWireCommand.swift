import ArgumentParser

/// `refwire`: tools for streams of POE::Filter::Reference frames
/// (`<decimal length> NUL <payload>`).
@main
struct RefWireCommand: AsyncParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "refwire",
        abstract: "Read, check, convert, serve and send streams of Perl POE reference frames.",
        discussion: """
            A reference frame is `<decimal length> NUL <payload>`, as written by \
            POE::Filter::Reference; with `Compression => 1` each payload is one zlib stream. \
            Its payload is a serialized Perl value, Storable's nfreeze by default.

            \(ExitStatus.helpText)
            """,
        version: version,
        subcommands: [Reframe.self, Inspect.self, Transcode.self, Serve.self, Send.self, Keygen.self, Conform.self, ConformClient.self]
    )
}

/// The exit statuses of every verb.
enum ExitStatus {
    /// The input is not a valid frame stream, or a payload could not be converted.
    static let streamError: Int32 = 1
    /// Bad command line (ArgumentParser's own status for usage and validation errors).
    static let usage: Int32 = 64  // EX_USAGE
    /// The input file could not be opened.
    static let noInput: Int32 = 66  // EX_NOINPUT
    /// Reading standard input or writing standard output failed.
    static let ioError: Int32 = 74  // EX_IOERR
    /// The peer could not be reached or the address bound; the connection was lost or a
    /// reply did not come in time (`serve`, `send`).
    static let unavailable: Int32 = 69  // EX_UNAVAILABLE

    static let helpText = """
        Exit status: 0 success (the input ended cleanly on a frame boundary); \
        1 the stream is corrupt, truncated, over a limit, or a payload could not be \
        converted (frames before the error have been written, and the message on \
        standard error names the byte offset); 64 usage error; 66 input file cannot be \
        opened; 74 read or write error.
        """
}
