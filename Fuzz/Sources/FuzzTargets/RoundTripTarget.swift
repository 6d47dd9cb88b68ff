import RefWire

/// `RoundTripFuzz`: the input is a payload in any format RefWire reads, sniffed as
/// `refwire transcode --from auto` reads it; its value is written in every format of
/// the registry (``PayloadFormat``) and read back.
///
/// For each output format:
/// - a value read from the same format (Storable in either order counts as one, YAML in
///   either dialect as one) encodes; so does a value in the output format's exact
///   subset (``ValueSubset``); anything else may be refused, as the format's writer
///   documents — and YAML may refuse anything as `unrepresentable`, which is how its
///   writer says a reader would not load the text back as the value;
/// - what encodes decodes (another format may refuse it only at one of its limits,
///   which count nesting and sizes in their own units) to a value that encodes to the
///   same bytes again (for YAML, unless ``ValueSubset/yamlStable(_:)`` says no text
///   can);
/// - a value in the output format's exact subset, or read from the same format, comes
///   back identical from Storable and JSON when read from that format, equal (`==`:
///   bytes equal characters, holes equal `undef`) when read from another, and from YAML
///   as far as YAML carries Perl data (``YAMLCarried``).
enum RoundTripTarget {
    static func run(_ input: UnsafeBufferPointer<UInt8>) throws(FuzzFailure) {
        let codec = PayloadCodec()
        let sniffed = Result { () throws(PayloadDecodingError) in try codec.decodeSniffing(input) }
        guard case .success(let (value, source)) = sniffed else { return }
        for target in PayloadFormat.allCases {
            try check(value, from: source, through: target, codec)
        }
    }

    static func check(_ value: PerlValue, from source: PayloadFormat, through target: PayloadFormat, _ codec: PayloadCodec)
        throws(FuzzFailure)
    {
        let sameFormat =
            source == target || (source.isStorable && target.isStorable) || (source.isYAML && target.isYAML)
        let exact = isExact(value, in: target)
        let route = "\(source) → \(target)"

        let encoded: [UInt8]
        switch Result(catching: { () throws(PayloadEncodingError) in try codec.encode(value, as: target) }) {
        case .success(let bytes):
            encoded = bytes
        case .failure(.yaml(let error)) where error.kind.isUnrepresentable:
            return
        case .failure(let error):
            try require(
                !sameFormat && !exact,
                "a value \(sameFormat ? "read from" : "exactly representable in") \(target) does not encode (\(route))",
                "\(error) for \(describe(value))")
            return
        }

        // Read YAML::XS's text as YAML::XS reads it: it writes the line separators LS and
        // PS raw where only its reading gives them back (`Spec/yaml.md` §6), and the
        // codec's reading is YAML.pm's unless told otherwise.
        var reader = codec
        if target == .yamlxs { reader.yamlDecoding.dialect = .yamlXS }
        let decoded: PerlValue
        switch Result(catching: { () throws(PayloadDecodingError) in try reader.decode(encoded, as: target) }) {
        case .success(let again):
            decoded = again
        case .failure(let error):
            if !sameFormat && isLimit(error) { return }
            throw FuzzFailure(
                "an encoded value does not decode (\(route))",
                "\(error) for \(describe(value)) in \(describe(encoded))")
        }

        if !target.isYAML || ValueSubset.yamlStable(value) {
            let reencoded = Result(catching: { () throws(PayloadEncodingError) in try codec.encode(decoded, as: target) })
            guard case .success(let bytes) = reencoded, bytes == encoded else {
                throw FuzzFailure(
                    "the decoded value encodes differently the second time (\(route))",
                    "\(describe(encoded)) then \(describe(reencoded))")
            }
        }

        guard exact || (sameFormat && target.isYAML) else { return }
        let same: Bool
        if target.isYAML {
            let numbersAsText = target == .yaml
            same = YAMLCarried.normalize(decoded, numbersAsText: numbersAsText)
                .isIdentical(to: YAMLCarried.normalize(value, numbersAsText: numbersAsText))
        } else {
            same = sameFormat ? decoded.isIdentical(to: value) : decoded == value
        }
        try require(same, "round trip changed the value (\(route))", "\(describe(value)) became \(describe(decoded))")
    }

    /// Whether `format` carries every detail of `value` that the comparison looks at.
    static func isExact(_ value: PerlValue, in format: PayloadFormat) -> Bool {
        switch format {
        case .nstorable: ValueSubset.storableNetwork(value)
        case .storable: ValueSubset.storableNative(value)
        case .json: ValueSubset.json(value)
        case .yaml, .yamlxs: ValueSubset.yaml(value)
        }
    }

    /// Whether decoding stopped at one of the decoder's limits.
    static func isLimit(_ error: PayloadDecodingError) -> Bool {
        switch error {
        case .storable(let error):
            switch error.kind {
            case .depthLimitExceeded, .containerLimitExceeded, .totalLimitExceeded, .stringLimitExceeded: true
            default: false
            }
        case .json(let error):
            switch error.kind {
            case .depthLimitExceeded, .containerLimitExceeded, .totalLimitExceeded, .stringLimitExceeded,
                .inputLimitExceeded:
                true
            default: false
            }
        case .yaml(let error):
            switch error.kind {
            case .depthLimitExceeded, .containerLimitExceeded, .totalLimitExceeded, .stringLimitExceeded,
                .inputLimitExceeded, .aliasExpansionLimitExceeded:
                true
            default: false
            }
        default:
            false
        }
    }
}

extension YAMLEncodingError.Kind {
    /// Whether the writer refused a value its dialect cannot carry.
    var isUnrepresentable: Bool {
        if case .unrepresentable = self { return true }
        return false
    }
}
