// Codable straight to and from Storable images: the format-neutral bridge
// (`PerlValueEncoder`, `PerlValueDecoder`) plus Storable's one rule about the root.
//
// A Storable image always holds a reference at the top: Perl freezes `\%hash`, `\@array`
// or `\$scalar`, never a bare scalar. Keyed and unkeyed containers already encode as
// hash and array references; a plain value at the root (an `Int`, a `String`, `nil`, …)
// is wrapped in a scalar reference, exactly what Perl's `nfreeze(\42)` writes, and the
// decoding side unwraps it again, so `thaw` on the Perl side gives `\42` and Swift reads
// back `42`.

extension StorableEncoder {
    /// Encodes an `Encodable` value as a Storable image, through ``PerlValueEncoder``.
    ///
    /// ```swift
    /// let image = try StorableEncoder().encode(Job(command: "publish", args: [1, 2]))
    /// // Perl: my $job = thaw($image);  # { command => "publish", args => [1, 2] }
    /// ```
    ///
    /// A value that does not encode as a reference (a plain number or string, or `nil`)
    /// is stored as a reference to it (`\42`), since a Storable image's root must be one.
    ///
    /// Numbers follow this encoder's ``StorableEncoder/options``: in network order (the
    /// default, what `nfreeze` writes) a non-integral `Double` is stored as the text Perl
    /// prints, 15 significant digits, unless
    /// ``StorableEncodingOptions/losslessDoubles`` is set.
    ///
    /// - Parameter valueEncoder: the bridge's options and `userInfo`.
    /// - Throws: ``PerlValueEncodingError`` when the value cannot be encoded,
    ///   ``StorableEncodingError`` when Storable cannot hold the result.
    public func encode<T: Encodable>(
        _ value: T, using valueEncoder: PerlValueEncoder = PerlValueEncoder()
    ) throws -> [UInt8] {
        let encoded = try valueEncoder.encode(value)
        return try encode(encoded.isReference ? encoded : .scalarReference(encoded))
    }
}

extension StorableDecoder {
    /// Decodes a `T` from a Storable image, through ``PerlValueDecoder``.
    ///
    /// ```swift
    /// let job = try StorableDecoder().decode(Job.self, from: frame.payload)
    /// ```
    ///
    /// A root that is a reference to a plain scalar (what Perl's `nfreeze(\42)` writes,
    /// and what ``StorableEncoder/encode(_:using:)`` writes for a plain value) is read
    /// as that scalar, through any blessing or weakening of the reference. Any other root
    /// — hash, array, or a reference to a reference — is decoded as it is.
    ///
    /// - Parameter valueDecoder: the bridge's options and `userInfo`.
    /// - Throws: ``StorableDecodingError`` when the image is not valid Storable,
    ///   ``PerlValueDecodingError`` when its value does not fit `T`.
    public func decode<T: Decodable>(
        _ type: T.Type, from bytes: some Collection<UInt8>, using valueDecoder: PerlValueDecoder = PerlValueDecoder()
    ) throws -> T {
        let root = try decode(bytes)
        if case .scalarReference(let scalar) = root.unwrapped, !scalar.isReference {
            // A plain scalar holds no aliases: nothing needs the rest of the root.
            return try valueDecoder.decode(type, from: scalar)
        }
        return try valueDecoder.decode(type, from: root)
    }
}
