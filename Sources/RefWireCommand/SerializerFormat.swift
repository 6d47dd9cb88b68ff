import ArgumentParser
import RefWire

/// A serialization of Perl data: the `--from` and `--to` of `transcode`. Every format of
/// the library's registry (``PayloadFormat``), and `auto` (whatever the input's first
/// bytes say) for `--from` only.
enum SerializerFormat: String, CaseIterable, ExpressibleByArgument, Sendable {
    /// Storable in network order: what `nfreeze` writes, and what POE sends.
    case nstorable
    /// Storable in the native order of this machine: what `freeze` writes here.
    case storable
    /// JSON, as JSON::XS reads and writes it.
    case json
    /// YAML in YAML.pm's style (which YAML::XS loads too).
    case yaml
    /// YAML as YAML::XS writes it.
    case yamlxs
    /// The format the input's first bytes name.
    case auto

    /// What one line of `--help` says about the format.
    var summary: String {
        switch self {
        case .nstorable: return "Storable in network order (nfreeze; POE's default)"
        case .storable: return "Storable in this machine's native order (freeze)"
        case .json: return "JSON (RFC 8259), as JSON::XS reads and writes it"
        case .yaml: return "YAML, UTF-8, in YAML.pm's style (YAML.pm and YAML::XS both load it); reads either"
        case .yamlxs: return "YAML, UTF-8, as YAML::XS's Dump writes it; reads either"
        case .auto: return "--from only: whichever of these the input's first bytes name"
        }
    }

    static var allValueDescriptions: [String: String] {
        Dictionary(uniqueKeysWithValues: allCases.map { ($0.rawValue, $0.summary) })
    }

    /// The library's format; `nil` for ``auto``.
    var payloadFormat: PayloadFormat? {
        switch self {
        case .nstorable: return .nstorable
        case .storable: return .storable
        case .json: return .json
        case .yaml: return .yaml
        case .yamlxs: return .yamlxs
        case .auto: return nil
        }
    }
}

/// Why a payload could not be decoded or a value encoded.
struct ValueCodingError: Error {
    /// Where in the payload decoding failed; `nil` for encoding errors.
    var offset: Int?
    /// The error, without the offset.
    var message: String

    init(_ error: PayloadDecodingError) {
        offset = error.offset
        // The formats' descriptions end with the offset, which callers place themselves
        // (relative to the stream, or to the frame's payload).
        var text: String
        switch error {
        case .storable(let error): text = error.description
        case .json(let error): text = error.description
        case .yaml(let error): text = error.description
        default: text = error.description
        }
        if let offset = error.offset {
            let suffix = " (at byte \(offset))"
            if text.hasSuffix(suffix) { text.removeLast(suffix.count) }
        }
        message = text
    }

    init(_ error: PayloadEncodingError) {
        offset = nil
        switch error {
        case .storable(let error): message = error.description
        case .json(let error): message = error.description
        case .yaml(let error): message = error.description
        }
    }

    init(offset: Int, message: String) {
        self.offset = offset
        self.message = message
    }
}

/// A format with the options to decode and encode it.
struct ValueCodec: Sendable {
    var format: SerializerFormat
    var codec: PayloadCodec
    /// Whether a Storable format accepts any Storable image, as Perl's `thaw` does
    /// (network or native order, with or without the file magic). Otherwise the image
    /// must be the one ``format`` names.
    var acceptsAnyLayout: Bool

    init(_ format: SerializerFormat, codec: PayloadCodec, acceptsAnyLayout: Bool = false) {
        self.format = format
        self.codec = codec
        self.acceptsAnyLayout = acceptsAnyLayout
    }

    func decode(_ bytes: some Collection<UInt8>) throws(ValueCodingError) -> PerlValue {
        guard let payloadFormat = format.payloadFormat else {
            do throws(PayloadDecodingError) {
                return try codec.decodeSniffing(bytes).value
            } catch {
                throw ValueCodingError(error)
            }
        }
        if payloadFormat.isStorable, !acceptsAnyLayout {
            let header: StorableHeader
            do throws(StorableDecodingError) {
                header = try StorableHeader(parsing: bytes)
            } catch {
                throw ValueCodingError(.storable(error))
            }
            if let mismatch = layoutMismatch(header) { throw mismatch }
        }
        do throws(PayloadDecodingError) {
            return try codec.decode(bytes, as: payloadFormat)
        } catch {
            throw ValueCodingError(error)
        }
    }

    /// Encodes `value`; ``format`` is not ``SerializerFormat/auto`` (the verbs refuse it
    /// as an output format).
    func encode(_ value: PerlValue) throws(ValueCodingError) -> [UInt8] {
        guard let payloadFormat = format.payloadFormat else {
            preconditionFailure("auto is an input format only")
        }
        do throws(PayloadEncodingError) {
            return try codec.encode(value, as: payloadFormat)
        } catch {
            throw ValueCodingError(error)
        }
    }

    /// Why an image of the other byte order, or a file image, is refused: a message that
    /// says which format it is. `nil` when the header is the one ``format`` names.
    private func layoutMismatch(_ header: StorableHeader) -> ValueCodingError? {
        let found: String
        switch (header.isFile, header.byteOrder) {
        case (true, .network): found = "a network-order file image (nstore)"
        case (true, _): found = "a native-order file image (store)"
        case (false, .network): found = "a network-order image (nfreeze; --from nstorable)"
        case (false, _): found = "a native-order image (freeze; --from storable)"
        }
        let expected = !header.isFile && (header.byteOrder == .network) == (format == .nstorable)
        return expected ? nil : ValueCodingError(offset: 0, message: "expected \(format.summary), found \(found)")
    }
}

/// The library's codec with the decoding and encoding options of a verb.
func payloadCodec(decoding: DecodingOptions, encoding: EncodingOptions) -> PayloadCodec {
    var codec = PayloadCodec()
    codec.storableDecoding = decoding.storableOptions
    codec.jsonDecoding = decoding.jsonOptions
    codec.yamlDecoding = decoding.yamlOptions
    codec.storableEncoding = encoding.storableOptions
    codec.jsonEncoding = encoding.jsonOptions
    codec.yamlEncoding = encoding.yamlOptions
    return codec
}

// MARK: - Options

/// The limits and policies for decoding payloads, shared by every verb that decodes.
/// Every default is safe for data from the network.
struct DecodingOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Deepest nesting of references and containers.", valueName: "count"))
    var maxDepth: Int = StorableDecodingOptions().maximumDepth

    @Option(help: ArgumentHelp("Most elements or keys one array or hash may declare.", valueName: "count"))
    var maxContainerCount: Int = StorableDecodingOptions().maximumContainerCount

    @Option(help: ArgumentHelp("Most values in one payload.", valueName: "count"))
    var maxTotalCount: Int = StorableDecodingOptions().maximumTotalCount

    @Option(help: ArgumentHelp("Longest string, in bytes.", valueName: "bytes"))
    var maxStringLength: Int = StorableDecodingOptions().maximumStringLength

    @Option(
        name: .customLong("allow-class"),
        help: ArgumentHelp(
            "Accept objects of this class only (repeatable; `Regexp` for qr//). Default: every class, as data.",
            valueName: "name"))
    var allowedClasses: [String] = []

    @Flag(help: "Keep code references (stored with $Storable::Deparse) as their source text, never run. Default: refuse them.")
    var allowCode = false

    func validate() throws {
        for (value, name) in [
            (maxDepth, "--max-depth"), (maxContainerCount, "--max-container-count"),
            (maxTotalCount, "--max-total-count"), (maxStringLength, "--max-string-length"),
        ] where value < 0 {
            throw ValidationError("\(name) must not be negative.")
        }
    }

    var storableOptions: StorableDecodingOptions {
        var options = StorableDecodingOptions()
        options.maximumDepth = maxDepth
        options.maximumContainerCount = maxContainerCount
        options.maximumTotalCount = maxTotalCount
        options.maximumStringLength = maxStringLength
        options.blessedValues = allowedClasses.isEmpty ? .allowAll : .allow(Set(allowedClasses))
        options.codeReferences = allowCode ? .keepSource : .refuse
        return options
    }

    /// The same limits and policies for YAML.
    var yamlOptions: YAMLDecodingOptions {
        var options = YAMLDecodingOptions()
        options.maximumDepth = maxDepth
        options.maximumContainerCount = maxContainerCount
        options.maximumTotalCount = maxTotalCount
        options.maximumStringLength = maxStringLength
        options.blessedValues = allowedClasses.isEmpty ? .allowAll : .allow(Set(allowedClasses))
        options.codeReferences = allowCode ? .keepSource : .refuse
        return options
    }

    /// The same limits for JSON (which has no classes or code).
    var jsonOptions: JSONDecodingOptions {
        var options = JSONDecodingOptions()
        options.maximumDepth = maxDepth
        options.maximumContainerCount = maxContainerCount
        options.maximumTotalCount = maxTotalCount
        options.maximumStringLength = maxStringLength
        return options
    }
}

/// Which Storable release must read the output: the `--target` of the verbs that encode.
enum StorableTargetOption: String, CaseIterable, ExpressibleByArgument, Sendable {
    case storable2
    case storable3
    case storable3_32 = "storable3.32"

    var target: StorableTarget {
        switch self {
        case .storable2: return .storable2
        case .storable3: return .storable3
        case .storable3_32: return .storable3_32
        }
    }

    var summary: String {
        switch self {
        case .storable2: return "Storable 2.15–2.62 (Perl 5.8.8–5.26): format 2.7"
        case .storable3: return "Storable 3.x before 3.32 (Perl 5.28–5.36): format 2.11"
        case .storable3_32: return "Storable 3.32+ (Perl 5.38+): format 2.11 with boolean markers"
        }
    }

    static var allValueDescriptions: [String: String] {
        Dictionary(uniqueKeysWithValues: allCases.map { ($0.rawValue, $0.summary) })
    }
}

/// How to encode values, shared by every verb that encodes.
struct EncodingOptions: ParsableArguments {
    @Flag(help: "Write hash keys sorted, as $Storable::canonical = 1 does. Default: keep the input's key order.")
    var canonical = false

    @Option(help: ArgumentHelp("The oldest Storable release that must read the output.", valueName: "version"))
    var target: StorableTargetOption = .storable3

    @Flag(help: "Write non-integral doubles with all 17 significant digits (Perl reads them as numeric strings).")
    var losslessDoubles = false

    @Flag(help: "JSON: indent the output as JSON::XS's `pretty` does.")
    var pretty = false

    var storableOptions: StorableEncodingOptions {
        var options = StorableEncodingOptions()
        options.canonical = canonical
        options.target = target.target
        options.losslessDoubles = losslessDoubles
        return options
    }

    var yamlOptions: YAMLEncodingOptions {
        var options = YAMLEncodingOptions()
        options.canonical = canonical
        options.losslessDoubles = losslessDoubles
        return options
    }

    var jsonOptions: JSONEncodingOptions {
        var options = JSONEncodingOptions()
        options.canonical = canonical
        options.pretty = pretty
        return options
    }
}
