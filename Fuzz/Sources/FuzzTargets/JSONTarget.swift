import RefWire

/// `JSONFuzz`: the input is one JSON document.
///
/// Properties, beyond a typed error at an offset inside the input:
/// - every decoded object finds each of its keys;
/// - `trailingBytes` counts the bytes after a document that decodes without them;
/// - the duplicate-key policies agree wherever the document names no key twice, and
///   `reject` refuses nothing but a duplicate key;
/// - a decoded value always encodes — compact, `pretty`, `escapesNonASCII` and
///   `canonical` — and each decodes back to the same value (identical, keys in order,
///   except for `canonical`, which sorts them), and the compact encoding is a fixed
///   point.
enum JSONTarget {
    static func decode(
        _ input: some Collection<UInt8>, options: JSONDecodingOptions = JSONDecodingOptions()
    ) -> Result<PerlValue, JSONDecodingError> {
        Result { () throws(JSONDecodingError) in try PerlJSONDecoder(options: options).decode(input) }
    }

    static func encode(_ value: PerlValue, options: JSONEncodingOptions = JSONEncodingOptions())
        -> Result<[UInt8], JSONEncodingError>
    {
        Result { () throws(JSONEncodingError) in try PerlJSONEncoder(options: options).encode(value) }
    }

    static func run(_ input: UnsafeBufferPointer<UInt8>) throws(FuzzFailure) {
        switch decode(input) {
        case .success(let value):
            try checkHashLookups(value)
            try checkDuplicateKeyPolicies(value, input)
            try checkEncodings(value)
        case .failure(let error):
            try checkRefusal(error, of: input)
        }
    }

    private static func checkRefusal(_ error: JSONDecodingError, of input: UnsafeBufferPointer<UInt8>)
        throws(FuzzFailure)
    {
        try require(
            (0...input.count).contains(error.offset), "error offset outside the input", "\(error) in \(input.count) bytes")
        if case .trailingBytes(let count) = error.kind {
            try require(count > 0 && count <= input.count - error.offset, "trailingBytes count out of range", "\(error)")
            let document = decode(input[..<error.offset])
            guard case .success = document else {
                throw FuzzFailure("the document before the trailing bytes does not decode", describe(document))
            }
        }
    }

    private static func checkDuplicateKeyPolicies(_ value: PerlValue, _ input: UnsafeBufferPointer<UInt8>)
        throws(FuzzFailure)
    {
        var rejecting = JSONDecodingOptions()
        rejecting.duplicateKeys = .reject
        var firstWinning = JSONDecodingOptions()
        firstWinning.duplicateKeys = .firstWins
        let rejected = decode(input, options: rejecting)
        let first = decode(input, options: firstWinning)
        switch rejected {
        case .success(let strict):
            try require(strict.isIdentical(to: value), "duplicateKeys = .reject changed a document without duplicates")
            guard case .success(let firstValue) = first, firstValue.isIdentical(to: value) else {
                throw FuzzFailure("duplicateKeys = .firstWins changed a document without duplicates", describe(first))
            }
        case .failure(let error):
            guard case .duplicateKey = error.kind else {
                throw FuzzFailure("duplicateKeys = .reject refused a document for another reason", "\(error)")
            }
            guard case .success = first else {
                throw FuzzFailure("duplicateKeys = .firstWins refused a document .lastWins reads", describe(first))
            }
        }
    }

    private static func checkEncodings(_ value: PerlValue) throws(FuzzFailure) {
        var layouts: [(name: String, options: JSONEncodingOptions)] = [("compact", JSONEncodingOptions())]
        var pretty = JSONEncodingOptions()
        pretty.pretty = true
        layouts.append(("pretty", pretty))
        var ascii = JSONEncodingOptions()
        ascii.escapesNonASCII = true
        layouts.append(("escapesNonASCII", ascii))
        var canonical = JSONEncodingOptions()
        canonical.canonical = true
        layouts.append(("canonical", canonical))

        for (name, options) in layouts {
            let encoded: [UInt8]
            switch encode(value, options: options) {
            case .success(let bytes): encoded = bytes
            case .failure(let error): throw FuzzFailure("a decoded document does not encode (\(name))", "\(error)")
            }
            if options.escapesNonASCII {
                try require(encoded.allSatisfy { $0 < 0x80 }, "escapesNonASCII wrote a byte outside ASCII")
            }
            let decoded: PerlValue
            switch decode(encoded) {
            case .success(let again): decoded = again
            case .failure(let error):
                throw FuzzFailure("an encoded document does not decode (\(name))", "\(error) in \(describe(String(decoding: encoded, as: UTF8.self)))")
            }
            let same = options.canonical ? decoded == value : decoded.isIdentical(to: value)
            try require(same, "round trip changed the value (\(name))", "\(describe(value)) became \(describe(decoded))")
            if name == "compact" {
                let again = encode(decoded)
                guard case .success(let bytes) = again, bytes == encoded else {
                    throw FuzzFailure("the decoded value encodes differently the second time", describe(again))
                }
            }
        }
    }
}
