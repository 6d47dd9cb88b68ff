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
            A zraw or zframe payload is inflated (and so checked) whatever the output mode.

            If either side is a value mode (frame, zframe, jframe, yframe), every payload is \
            decoded with that mode's serializer and re-encoded with the other side's \
            (the same one when the other side is raw or zraw), with the encoding options: \
            raw to frame checks that each payload is a Storable image, frame to raw writes \
            it back as nfreeze, frame to jframe converts Storable to JSON. Like Perl's \
            thaw, the Storable modes read network and native order alike; hash keys keep \
            their order unless --canonical is given. Between raw and zraw, payloads are \
            never decoded and the value options do nothing.

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

    @OptionGroup(title: "Decoding (value modes)")
    var decoding: DecodingOptions

    @OptionGroup(title: "Encoding (value modes)")
    var encoding: EncodingOptions

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
            let conversion = PayloadConversion(
                from: from, to: to, codec: payloadCodec(decoding: decoding, encoding: encoding))
            try pump.run { (item) throws(CommandFailure) in
                var payload: ArraySlice<UInt8>
                switch item.result {
                case .success(let decoded): payload = decoded
                case .failure(let error): throw .payload(error)
                }
                if let conversion {
                    payload = try conversion.convert(payload, frameOffset: item.offset)[...]
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

/// What `reframe` does to each payload when either side is a value mode: decode it with
/// the input's serializer (the output's when the input is opaque) and encode the value
/// with the output's (the input's when the output is opaque).
struct PayloadConversion {
    let decoder: ValueCodec
    let encoder: ValueCodec
    /// Whether the payloads were inflated before decoding (for messages).
    let inflated: Bool

    /// `nil` when neither mode is a value mode: payloads pass through untouched.
    init?(from: FrameMode, to: FrameMode, codec: PayloadCodec) {
        // A side without a serializer (raw, zraw) takes the other side's.
        let inputMode = from.serializer != nil ? from : to
        let outputMode = to.serializer != nil ? to : from
        guard let input = inputMode.serializer, let output = outputMode.serializer else { return nil }
        // POE reads payloads with thaw, which takes either byte order.
        decoder = ValueCodec(input, codec: inputMode.codec(codec), acceptsAnyLayout: true)
        encoder = ValueCodec(output, codec: outputMode.codec(codec))
        inflated = from.isCompressed
    }

    /// The re-encoded payload of the frame at `frameOffset`.
    func convert(_ payload: ArraySlice<UInt8>, frameOffset: Int) throws(CommandFailure) -> [UInt8] {
        let value: PerlValue
        do throws(ValueCodingError) {
            value = try decoder.decode(payload)
        } catch {
            let place = "at byte \(error.offset ?? 0) of the \(inflated ? "inflated " : "")payload"
            throw .stream(offset: frameOffset, message: "the payload does not decode: \(error.message) (\(place))")
        }
        do throws(ValueCodingError) {
            return try encoder.encode(value)
        } catch {
            throw .stream(
                offset: frameOffset,
                message: "the payload's value cannot be written as \(encoder.format.rawValue): \(error.message)")
        }
    }
}
