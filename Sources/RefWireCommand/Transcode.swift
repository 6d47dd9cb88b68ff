import ArgumentParser
import RefWire

/// `refwire transcode --from FMT --to FMT [FILE]`: converts one payload (not a frame
/// stream) from one serialization of Perl data to another.
struct Transcode: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Convert one serialized Perl value from one format to another.",
        discussion: """
            Reads one payload (not a frame stream) from the file or standard input, \
            decodes it into a Perl value, and writes it in the output format on standard \
            output. The input must be the format --from names: an nfreeze image for \
            nstorable, a freeze image (little- or big-endian) for storable, JSON text for \
            json; with --from auto, whichever of them its first bytes name. Hash keys keep \
            their order unless --canonical is given, so a decoded payload re-encodes to the \
            same bytes.

            Decoding never runs code or loads modules, and the decoding limits bound the \
            work and memory one payload can cost.

            Exit status: 0 success; 1 the input does not decode, is over a limit, or holds \
            a value the output format cannot (nothing is written; for input that does \
            not decode, the message on standard error names the byte offset); 64 usage \
            error; 66 input file cannot be opened; 74 read or write error.
            """)

    @Option(help: ArgumentHelp("The format of the input.", valueName: "format"))
    var from: SerializerFormat

    @Option(help: ArgumentHelp("The format to write.", valueName: "format"))
    var to: SerializerFormat

    @Argument(help: ArgumentHelp("The payload to read; standard input when absent or `-`.", valueName: "file"))
    var file: String?

    @Option(help: ArgumentHelp("Largest input accepted, in bytes.", valueName: "bytes"))
    var maxInputSize: Int = 256 << 20

    @OptionGroup(title: "Decoding")
    var decoding: DecodingOptions

    @OptionGroup(title: "Encoding")
    var encoding: EncodingOptions

    func validate() throws {
        guard to != .auto else {
            throw ValidationError("auto is an input format only: give --to a format to write.")
        }
        guard maxInputSize >= 0 else {
            throw ValidationError("--max-input-size must not be negative.")
        }
    }

    func run() throws {
        try reportingFailures { () throws(CommandFailure) in
            let source = try ByteSource.open(path: file ?? "-")
            let input = try readAll(source)
            let codec = payloadCodec(decoding: decoding, encoding: encoding)
            let value: PerlValue
            do throws(ValueCodingError) {
                value = try ValueCodec(from, codec: codec).decode(input)
            } catch {
                throw .stream(offset: error.offset ?? 0, message: error.message)
            }
            let output: [UInt8]
            do throws(ValueCodingError) {
                output = try ValueCodec(to, codec: codec).encode(value)
            } catch {
                throw .conversion("cannot write the value as \(to.rawValue): \(error.message)")
            }
            let sink = ByteSink.standardOutput()
            sink.pending = output
            try sink.flush()
        }
    }

    /// The whole input, up to `--max-input-size` bytes.
    private func readAll(_ source: ByteSource) throws(CommandFailure) -> [UInt8] {
        var input: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: FramePump.chunkSize)
        while true {
            let count = try source.read(into: &buffer)
            if count == 0 { return input }
            guard input.count + count <= maxInputSize else {
                throw .stream(
                    offset: maxInputSize,
                    message: "the input is longer than the limit of \(maxInputSize) bytes (--max-input-size)")
            }
            input.append(contentsOf: buffer[0..<count])
        }
    }
}
