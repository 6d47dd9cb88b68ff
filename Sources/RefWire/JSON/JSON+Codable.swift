// Codable straight to and from JSON: the format-neutral bridge (`PerlValueEncoder`,
// `PerlValueDecoder`) plus the JSON serializer. Unlike Storable, JSON needs no rule for
// the root: a plain value (`42`, `"text"`, `null`) is a whole document.
//
// What this means for a type's fields is the bridge's mapping: `Data` and `[UInt8]`
// become Perl byte strings, so in JSON a string of the characters U+0000…U+00FF (as
// JSON::XS writes a Perl byte string), and decode back from one; `Int128` beyond 64 bits
// is a string; `nil` is `null`, and `encodeIfPresent(nil)` leaves the key out.

extension PerlJSONEncoder {
    /// Encodes an `Encodable` value as a JSON document, through ``PerlValueEncoder``.
    ///
    /// ```swift
    /// let bytes = try PerlJSONEncoder().encode(Job(command: "publish", args: [1, 2]))
    /// // {"command":"publish","args":[1,2]} — keys in declaration order, or sorted
    /// // with `options.canonical`
    /// ```
    ///
    /// - Parameter valueEncoder: the bridge's options and `userInfo`.
    /// - Throws: ``PerlValueEncodingError`` when the value cannot be encoded,
    ///   ``JSONEncodingError`` when JSON cannot hold the result (a NaN or an infinity).
    public func encode<T: Encodable>(
        _ value: T, using valueEncoder: PerlValueEncoder = PerlValueEncoder()
    ) throws -> [UInt8] {
        try encode(valueEncoder.encode(value))
    }
}

extension PerlJSONDecoder {
    /// Decodes a `T` from a JSON document, with ``PerlValueDecoder``'s mapping.
    ///
    /// The result, and any error, is exactly what
    /// `valueDecoder.decode(type, from: decode(bytes))` gives, but the document is read
    /// straight into `T`, without building the ``PerlValue`` in between.
    ///
    /// ```swift
    /// let job = try PerlJSONDecoder().decode(Job.self, from: frame.payload)
    /// ```
    ///
    /// - Parameter valueDecoder: the bridge's options and `userInfo`.
    /// - Throws: ``JSONDecodingError`` when the document is not valid JSON (or exceeds
    ///   a limit), ``PerlValueDecodingError`` when its value does not fit `T`.
    public func decode<T: Decodable>(
        _ type: T.Type, from bytes: some Collection<UInt8>, using valueDecoder: PerlValueDecoder = PerlValueDecoder()
    ) throws -> T {
        let result = try bytes.withContiguousStorageIfAvailable { buffer in
            try decodeDirectly(type, from: buffer, using: valueDecoder)
        }
        if let result { return result }
        return try Array(bytes).withUnsafeBufferPointer { buffer in
            try decodeDirectly(type, from: buffer, using: valueDecoder)
        }
    }
}
