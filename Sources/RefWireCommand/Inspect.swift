import ArgumentParser
import RefWire

/// `refwire inspect [FILE]`: one line per frame, then a summary.
struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the frames of a stream: offset, length, compression, payload kind, value.",
        discussion: """
            One line per frame: its byte offset in the stream, its payload length, the \
            payload's compression, its length once inflated, what kind of payload it \
            looks like, and its first (up to \(Inspect.shownBytes)) bytes in hex after \
            inflation. A summary line follows.

            Compression: `none`; `zlib` (a zlib header, and the payload inflates); \
            `zlib-invalid` (a zlib header, but the payload does not inflate: corrupt, too \
            large, or a raw payload that merely starts with such two bytes). Kinds: \
            `storable-network` (nfreeze), `storable-native` (freeze), `storable-file-...` \
            (`pst0` magic) with their version, `storable-unsupported` (a Storable version \
            or layout RefWire does not read), `yaml` (`---`), `json` (`{` or `[`), \
            `sereal` (recognised, not read), `empty`, `unknown`. Kinds are guesses from \
            the first bytes.

            Unless --no-values is given, each Storable or JSON payload is decoded (with the \
            decoding options; no code runs) and a line follows its frame's: `value:` and \
            the value in a Perl-like notation (cut to --value-width characters), or \
            `value error:` and why it does not decode. With --json the frame's object \
            has a `value` field, or `valueError` and `valueErrorOffset` (in the payload, \
            after inflation). A payload that does not decode is reported, not an error: \
            the listing goes on.

            At the first framing error the frames before it have been listed, a message \
            naming the byte offset goes to standard error, and the exit status is 1.

            \(ExitStatus.helpText)
            """)

    /// Payload bytes shown per frame.
    static let shownBytes = 16

    @Argument(help: ArgumentHelp("The stream to read; standard input when absent or `-`.", valueName: "file"))
    var file: String?

    @Flag(help: "Print one JSON object per line instead of a table.")
    var json = false

    @Flag(inversion: .prefixedNo, help: "Decode Storable payloads and show their values.")
    var values = true

    @Option(help: ArgumentHelp(
        "Most characters of a value shown in the table (0: no limit; --json shows it whole).",
        valueName: "count"))
    var valueWidth: Int = 240

    @OptionGroup(title: "Decoding")
    var decoding: DecodingOptions

    func validate() throws {
        guard valueWidth >= 0 else {
            throw ValidationError("--value-width must not be negative.")
        }
    }

    @OptionGroup(title: "Limits")
    var limits: LimitOptions

    func run() throws {
        try reportingFailures { () throws(CommandFailure) in
            let source = try ByteSource.open(path: file ?? "-")
            let sink = ByteSink.standardOutput()
            let sniffer = PayloadSniffer(maximumDecompressedSize: limits.maxDecompressedSize)
            let format = InspectFormat(json: json, valueWidth: valueWidth)
            var codec = PayloadCodec()
            codec.storableDecoding = decoding.storableOptions
            codec.jsonDecoding = decoding.jsonOptions
            var pump = FramePump(
                limits: limits.framingLimits, compression: .none, source: source, sink: sink)
            var frames = 0
            sink.append(format.header)
            do throws(CommandFailure) {
                try pump.run { (item) throws(CommandFailure) in
                    // Compression is `.none`: every frame arrives as a success.
                    guard case .success(let payload) = item.result else { return }
                    let result = sniffer.sniff(payload)
                    var value: Result<PerlValue, ValueCodingError>?
                    if values, let payloadFormat = result.kind.format {
                        value = Result { () throws(ValueCodingError) in
                            do throws(PayloadDecodingError) {
                                return try codec.decode(result.decoded, as: payloadFormat)
                            } catch {
                                throw ValueCodingError(error)
                            }
                        }
                    }
                    sink.append(
                        format.line(offset: item.offset, length: payload.count, result: result, value: value))
                    frames += 1
                }
            } catch {
                if json {
                    sink.append(format.errorLine(error))
                    try? sink.flush()
                }
                throw error
            }
            sink.append(format.summary(frames: frames, bytes: pump.bytesRead))
            try sink.flush()
        }
    }
}

/// The text of `inspect`'s lines, as a table or as JSON lines.
struct InspectFormat {
    var json: Bool
    /// Most characters of a value in the table; 0 for no limit.
    var valueWidth: Int = 0

    var header: String {
        json ? "" : pad("OFFSET", 12) + "  " + pad("LENGTH", 10) + "  " + pad("COMPRESSION", 12, left: true)
            + "  " + pad("DECODED", 10) + "  " + pad("KIND", 30, left: true) + "  FIRST BYTES\n"
    }

    /// The frame's line; `value` is the decoded payload, if it was decoded.
    func line(
        offset: Int, length: Int, result: PayloadSniffer.Result, value: Result<PerlValue, ValueCodingError>? = nil
    ) -> String {
        let shown = hex(result.decoded.prefix(Inspect.shownBytes))
        if !json {
            var text = pad(String(offset), 12) + "  " + pad(String(length), 10) + "  "
                + pad(result.compression.rawValue, 12, left: true) + "  "
                + pad(String(result.decoded.count), 10) + "  "
                + pad(result.kind.description, 30, left: true) + "  " + shown + "\n"
            switch value {
            case .success(let value)?: text += pad("", 14) + "value: " + oneLine(value.description, cut: true) + "\n"
            case .failure(let error)?: text += pad("", 14) + "value error: " + oneLine(valueError(error)) + "\n"
            case nil: break
            }
            return text
        }
        var fields: [(String, String)] = [
            ("type", quoted("frame")),
            ("offset", String(offset)),
            ("length", String(length)),
            ("compression", quoted(result.compression.rawValue)),
            ("decodedLength", String(result.decoded.count)),
            ("kind", quoted(result.kind.identifier)),
        ]
        if case .storable(let header) = result.kind {
            fields.append(("storableVersion", quoted("\(header.majorVersion).\(header.minorVersion)")))
            switch header.byteOrder {
            case .network: break
            case .littleEndian: fields.append(("byteOrder", quoted(String("12345678".prefix(header.integerSize)))))
            case .bigEndian: fields.append(("byteOrder", quoted(String("87654321".suffix(header.integerSize)))))
            }
        }
        if let error = result.zlibError {
            fields.append(("zlibError", quoted(error.description)))
        }
        fields.append(("firstBytes", quoted(shown)))
        switch value {
        case .success(let value)?:
            fields.append(("value", quoted(value.description)))
        case .failure(let error)?:
            fields.append(("valueError", quoted(error.message)))
            fields.append(("valueErrorOffset", String(error.offset ?? 0)))
        case nil:
            break
        }
        return object(fields)
    }

    func summary(frames: Int, bytes: Int) -> String {
        if json {
            return object([("type", quoted("summary")), ("frames", String(frames)), ("bytes", String(bytes))])
        }
        return "\(frames) frame\(frames == 1 ? "" : "s"), \(bytes) byte\(bytes == 1 ? "" : "s")\n"
    }

    func errorLine(_ failure: CommandFailure) -> String {
        var fields = [("type", quoted("error"))]
        if case .stream(let offset, _) = failure { fields.append(("offset", String(offset))) }
        fields.append(("message", quoted(failure.message)))
        return object(fields)
    }

    // MARK: - Helpers

    private func valueError(_ error: ValueCodingError) -> String {
        error.message + " (at byte \(error.offset ?? 0) of the payload)"
    }

    /// `text` on one line (code and `/x` regexps may hold line breaks), cut to
    /// ``valueWidth`` characters when `cut` is set.
    private func oneLine(_ text: String, cut: Bool = false) -> String {
        var out = ""
        var count = 0
        for character in text {
            if cut, valueWidth > 0, count == valueWidth {
                return out + "…"
            }
            switch character {
            case "\n", "\r\n": out += "\\n"
            case "\r": out += "\\r"
            default: out.append(character)
            }
            count += 1
        }
        return out
    }

    private func object(_ fields: [(String, String)]) -> String {
        "{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}\n"
    }

    private func hex(_ bytes: ArraySlice<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(bytes.count * 3)
        for byte in bytes {
            if !text.isEmpty { text.append(UInt8(ascii: " ")) }
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    private func pad(_ text: String, _ width: Int, left: Bool = false) -> String {
        let padding = String(repeating: " ", count: max(0, width - text.count))
        return left ? text + padding : padding + text
    }

    /// A JSON string literal.
    private func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let code = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - code.count) + code
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
