import RefWire

/// `SniffFuzz`: the input is a payload of unknown format, as `refwire transcode --from
/// auto` and `inspect` meet it.
///
/// Properties: ``PayloadCodec/decodeSniffing(_:)`` is exactly "sniff, then decode in the
/// format sniffed" — the same value or the same error as decoding in that format
/// directly, and for a payload with no format the error that names why; a sniffed
/// Storable header is the one ``StorableHeader`` parses; and what the codec writes is
/// sniffed as what it is.
enum SniffTarget {
    static func run(_ input: UnsafeBufferPointer<UInt8>) throws(FuzzFailure) {
        let kind = PayloadKind(sniffing: input)
        _ = kind.description
        let codec = PayloadCodec()
        let sniffed = Result { () throws(PayloadDecodingError) in try codec.decodeSniffing(input) }

        guard let format = kind.format else {
            let expected: PayloadDecodingError
            switch kind {
            case .empty: expected = .empty
            case .unsupportedStorable(let error): expected = .storable(error)
            case .sereal(let version): expected = .unsupportedFormat(name: "Sereal", version: version)
            default: expected = .unrecognizedFormat
            }
            guard case .failure(let error) = sniffed, error == expected else {
                throw FuzzFailure("a payload of kind \(kind) was not refused as such", describe(sniffed))
            }
            return
        }

        if case .storable(let header) = kind {
            let parsed = Result { () throws(StorableDecodingError) in try StorableHeader(parsing: input) }
            guard case .success(let reparsed) = parsed, reparsed == header else {
                throw FuzzFailure("the sniffed Storable header is not the parsed one", describe(parsed))
            }
            try require(
                (header.byteOrder == .network) == (format == .nstorable), "sniffed format disagrees with the header's order")
        }

        let direct = Result { () throws(PayloadDecodingError) in try codec.decode(input, as: format) }
        switch (sniffed, direct) {
        case (.success(let result), .success(let value)):
            try require(result.format == format, "decodeSniffing names another format", "\(result.format) vs \(format)")
            try require(result.value.isIdentical(to: value), "decodeSniffing decoded another value")
            try checkWrittenPayloadsSniff(result.value)
        case (.failure(let left), .failure(let right)):
            try require(left == right, "decodeSniffing failed differently", "\(left) vs \(right)")
        default:
            throw FuzzFailure("decodeSniffing and decode(as: \(format)) disagree", "\(describe(sniffed)) vs \(describe(direct))")
        }
    }

    /// A payload the codec writes is sniffed as its format: Storable images and YAML
    /// documents always, JSON documents whose root is an array or an object (the only
    /// ones sniffing claims).
    private static func checkWrittenPayloadsSniff(_ value: PerlValue) throws(FuzzFailure) {
        let codec = PayloadCodec()
        for format in PayloadFormat.allCases {
            let encoded = Result { () throws(PayloadEncodingError) in try codec.encode(value, as: format) }
            guard case .success(let bytes) = encoded else { continue }
            let kind = PayloadKind(sniffing: bytes)
            switch format {
            case .nstorable, .storable:
                try require(kind.format == format, "an encoded \(format) image sniffs as \(kind)")
            case .json:
                let opening = bytes.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }
                if opening == UInt8(ascii: "{") || opening == UInt8(ascii: "[") {
                    try require(kind == .json, "an encoded JSON document sniffs as \(kind)")
                }
            case .yaml, .yamlxs:
                // Both dialects open every document with `---`.
                try require(kind == .yaml, "an encoded \(format) document sniffs as \(kind)")
            }
        }
    }
}
