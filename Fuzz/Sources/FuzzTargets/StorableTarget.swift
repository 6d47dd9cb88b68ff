import RefWire

/// `StorableFuzz`: the input is one Storable image of any layout — network (`nfreeze`),
/// native (`freeze`) or file (`nstore`, `store`); its header decides, as for `thaw`.
///
/// Properties, beyond a typed error at an offset inside the image:
/// - every decoded hash finds each of its keys;
/// - a decoded value encodes in both byte orders, and decodes back to a value that
///   encodes to the same bytes (a fixed point after one trip), identical to the first
///   wherever the layout carries every detail (``ValueSubset``); the file form is the
///   file magic followed by the memory image;
/// - the options mean what they say: `trailingBytes` counts bytes without which the
///   image decodes, and which `rejectsTrailingBytes = false` accepts; a refused code
///   reference decodes as source when allowed; refusing every class accepts exactly
///   the images whose value holds none, and allowing exactly the value's classes
///   accepts the image.
enum StorableTarget {
    static func run(_ input: UnsafeBufferPointer<UInt8>) throws(FuzzFailure) {
        let value: PerlValue
        switch decode(input) {
        case .success(let decoded):
            value = decoded
        case .failure(let error):
            try checkRefusal(error, of: input)
            return
        }
        try checkHashLookups(value)
        try checkClassPolicies(value, input)
        for byteOrder in [StorableEncodingOptions.ByteOrder.network, .native] {
            try checkRoundTrip(value, byteOrder: byteOrder)
        }
    }

    static func decode(
        _ input: some Collection<UInt8>, options: StorableDecodingOptions = StorableDecodingOptions()
    ) -> Result<PerlValue, StorableDecodingError> {
        Result { () throws(StorableDecodingError) in try StorableDecoder(options: options).decode(input) }
    }

    static func encode(
        _ value: PerlValue, byteOrder: StorableEncodingOptions.ByteOrder, isFile: Bool = false
    ) -> Result<[UInt8], StorableEncodingError> {
        var options = StorableEncodingOptions()
        options.byteOrder = byteOrder
        options.isFile = isFile
        return Result { () throws(StorableEncodingError) in try StorableEncoder(options: options).encode(value) }
    }

    // MARK: - Refusals

    private static func checkRefusal(_ error: StorableDecodingError, of input: UnsafeBufferPointer<UInt8>)
        throws(FuzzFailure)
    {
        try require(
            (0...input.count).contains(error.offset), "error offset outside the image", "\(error) in \(input.count) bytes")
        switch error.kind {
        case .trailingBytes(let count):
            try require(
                count > 0 && error.offset == input.count - count, "trailingBytes misplaced", "\(error) in \(input.count) bytes")
            var lenient = StorableDecodingOptions()
            lenient.rejectsTrailingBytes = false
            let accepted = decode(input, options: lenient)
            let image = decode(input[..<error.offset])
            guard case .success(let withTrailing) = accepted, case .success(let without) = image,
                withTrailing.isIdentical(to: without)
            else {
                throw FuzzFailure(
                    "the image before the trailing bytes does not decode alike with and without them",
                    "\(describe(accepted)) vs \(describe(image))")
            }
        case .codeReferenceRefused:
            var keepingSource = StorableDecodingOptions()
            keepingSource.codeReferences = .keepSource
            let kept = decode(input, options: keepingSource)
            if case .failure(let again) = kept, again.kind == .codeReferenceRefused {
                throw FuzzFailure("code refused under codeReferences = .keepSource", "\(again)")
            }
        default:
            break
        }
    }

    // MARK: - Options

    /// Refusing every class accepts exactly the images whose value holds none, unchanged;
    /// allowing exactly the value's classes accepts the image, unchanged.
    private static func checkClassPolicies(_ value: PerlValue, _ input: UnsafeBufferPointer<UInt8>) throws(FuzzFailure) {
        let classes = value.classNames
        var refusing = StorableDecodingOptions()
        refusing.blessedValues = .refuseAll
        switch decode(input, options: refusing) {
        case .success(let decoded):
            try require(classes.isEmpty, "refuseAll accepted an object", describe(classes))
            try require(decoded.isIdentical(to: value), "refuseAll changed a value without classes")
        case .failure(let error):
            guard case .blessedValueRefused(let name) = error.kind, classes.contains(name) else {
                throw FuzzFailure("refuseAll refused a value for another reason", "\(error); classes \(describe(classes))")
            }
        }
        guard !classes.isEmpty else { return }
        var allowing = StorableDecodingOptions()
        allowing.blessedValues = .allow(classes)
        let allowed = decode(input, options: allowing)
        guard case .success(let decoded) = allowed, decoded.isIdentical(to: value) else {
            throw FuzzFailure("allowing exactly the image's classes changed the outcome", describe(allowed))
        }
    }

    // MARK: - Round trip

    static func checkRoundTrip(_ value: PerlValue, byteOrder: StorableEncodingOptions.ByteOrder) throws(FuzzFailure) {
        let encoded: [UInt8]
        switch encode(value, byteOrder: byteOrder) {
        case .success(let bytes): encoded = bytes
        case .failure(let error): throw FuzzFailure("a decoded value does not encode (\(byteOrder))", "\(error)")
        }
        let decoded: PerlValue
        switch decode(encoded) {
        case .success(let again): decoded = again
        case .failure(let error): throw FuzzFailure("an encoded value does not decode (\(byteOrder))", "\(error)")
        }
        if ValueSubset.storable(value, byteOrder: byteOrder) {
            try require(
                decoded.isIdentical(to: value), "round trip changed the value (\(byteOrder))",
                "\(describe(value)) became \(describe(decoded))")
        }
        let reencoded = encode(decoded, byteOrder: byteOrder)
        guard case .success(let bytes) = reencoded, bytes == encoded else {
            throw FuzzFailure("the decoded value encodes differently the second time (\(byteOrder))", describe(reencoded))
        }
        if byteOrder == .network {
            let file = encode(value, byteOrder: byteOrder, isFile: true)
            guard case .success(let fileBytes) = file, fileBytes == Array("pst0".utf8) + encoded else {
                throw FuzzFailure("the file image is not pst0 and the memory image", describe(file))
            }
        }
    }
}
