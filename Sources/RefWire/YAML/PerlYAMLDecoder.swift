/// Decodes YAML documents — what YAML.pm's and YAML::XS's `Dump` write for Perl data —
/// into ``PerlValue``s.
///
/// ```swift
/// let value = try PerlYAMLDecoder().decode(frame.payload)
/// ```
///
/// One decoder reads both libraries' output: block and flow collections, every scalar
/// style, anchors and aliases (shared and cyclic structure), and the `!!perl/…` tags for
/// objects, scalar references and regexps. Where the two read the same text as different
/// data, ``YAMLDecodingOptions/dialect`` picks whose reading to follow. The input holds
/// exactly one document. `Spec/yaml.md` states the subset and the mapping.
///
/// Decoding is one pass over the bytes with no I/O; nothing named in the data is
/// executed or loaded, and every depth, count, length and alias copy is checked against
/// ``YAMLDecodingOptions``.
public struct PerlYAMLDecoder: Sendable {
    public var options: YAMLDecodingOptions

    public init(options: YAMLDecodingOptions = YAMLDecodingOptions()) {
        self.options = options
    }

    /// Decodes one document.
    public func decode(_ bytes: some Collection<UInt8>) throws(YAMLDecodingError) -> PerlValue {
        let count = bytes.count
        guard count <= options.maximumInputLength else {
            let kind = YAMLDecodingError.Kind.inputLimitExceeded(length: count, limit: options.maximumInputLength)
            throw YAMLDecodingError(kind, offset: 0, line: 1, column: 1)
        }
        let result = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(YAMLDecodingError) in try decode(buffer) }
        }
        if let result { return try result.get() }
        return try Array(bytes).withUnsafeBufferPointer { buffer throws(YAMLDecodingError) in try decode(buffer) }
    }

    private func decode(_ buffer: UnsafeBufferPointer<UInt8>) throws(YAMLDecodingError) -> PerlValue {
        var parser = YAMLParser(buffer: buffer, options: options)
        return try parser.parseStream()
    }
}
