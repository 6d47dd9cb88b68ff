// Codable straight to and from YAML: the format-neutral bridge (`PerlValueEncoder`,
// `PerlValueDecoder`) plus a document. Unlike a Storable image, a YAML document's root
// may be a plain scalar, so values go through as they are.

extension PerlYAMLEncoder {
    /// Encodes an `Encodable` value as a YAML document, through ``PerlValueEncoder``.
    ///
    /// ```swift
    /// let text = try PerlYAMLEncoder().encode(Job(command: "publish", args: [1, 2]))
    /// // Perl: my $job = YAML::Load($text);  # { command => "publish", args => [1, 2] }
    /// ```
    ///
    /// - Parameter valueEncoder: the bridge's options and `userInfo`.
    /// - Throws: ``PerlValueEncodingError`` when the value cannot be encoded,
    ///   ``YAMLEncodingError`` when the dialect cannot hold the result.
    public func encode<T: Encodable>(
        _ value: T, using valueEncoder: PerlValueEncoder = PerlValueEncoder()
    ) throws -> [UInt8] {
        try encode(valueEncoder.encode(value))
    }
}

extension PerlYAMLDecoder {
    /// Decodes a `T` from a YAML document, through ``PerlValueDecoder`` (which reads
    /// Perl's loose typing: `"42"` is an `Int`, `1` a `Bool`).
    ///
    /// - Parameter valueDecoder: the bridge's options and `userInfo`.
    /// - Throws: ``YAMLDecodingError`` when the document is not YAML this decoder reads,
    ///   ``PerlValueDecodingError`` when its value does not fit `T`.
    public func decode<T: Decodable>(
        _ type: T.Type, from bytes: some Collection<UInt8>, using valueDecoder: PerlValueDecoder = PerlValueDecoder()
    ) throws -> T {
        try valueDecoder.decode(type, from: decode(bytes))
    }
}
