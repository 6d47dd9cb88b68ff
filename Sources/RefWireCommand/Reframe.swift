import ArgumentParser
import RefWire

/// `refwire reframe --from MODE --to MODE`: converts a frame stream on standard input
/// into a frame stream on standard output, frame by frame.
struct Reframe: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Convert a stream of frames from one payload mode to another.",
        discussion: """
            Reads frames on standard input and writes them on standard output as they \
            arrive, in memory bounded by the limits, so it works on an endless pipe. \
            A zraw payload is inflated (and so checked) whatever the output mode.

            At the first error the frames before it are written, a message naming the \
            byte offset goes to standard error, and the exit status is non-zero.

            \(ExitStatus.helpText)
            """)

    @Option(help: ArgumentHelp("How the input frames carry their payloads.", valueName: "mode"))
    var from: FrameMode

    @Option(help: ArgumentHelp("How the output frames carry their payloads.", valueName: "mode"))
    var to: FrameMode

    @OptionGroup(title: "Limits")
    var limits: LimitOptions

    func run() throws {
        try reportingFailures { () throws(CommandFailure) in
            let framingLimits = limits.framingLimits
            let writer = FrameWriter(
                maximumFrameLength: framingLimits.maximumFrameLength,
                compression: to.compression(maximumDecompressedSize: limits.maxDecompressedSize))
            let sink = ByteSink.standardOutput()
            var pump = FramePump(
                limits: framingLimits,
                compression: from.compression(maximumDecompressedSize: limits.maxDecompressedSize),
                source: .standardInput(),
                sink: sink)
            try pump.run { (item) throws(CommandFailure) in
                let payload: ArraySlice<UInt8>
                switch item.result {
                case .success(let decoded): payload = decoded
                case .failure(let error): throw .payload(error)
                }
                do throws(FramingError) {
                    try writer.write(payload, into: &sink.pending)
                } catch {
                    guard case .frameTooLarge(_, let length, let limit) = error else {
                        throw .framing(error, fallbackOffset: item.offset)
                    }
                    throw .stream(
                        offset: item.offset,
                        message: "the frame at byte \(item.offset) converts to a payload of \(length) bytes, "
                            + "more than the limit of \(limit) (--max-frame-length)")
                }
            }
        }
    }
}
