/// Decodes and encodes payloads in any ``PayloadFormat``, with one set of options per
/// format.
///
/// ```swift
/// let codec = PayloadCodec()
/// let (value, format) = try codec.decodeSniffing(frame.payload)   // whatever the peer sent
/// let reply = try codec.encode(["ok": 1], as: format)              // answered in kind
/// ```
public struct PayloadCodec: Sendable {
    public var storableDecoding = StorableDecodingOptions()
    public var storableEncoding = StorableEncodingOptions()
    public var jsonDecoding = JSONDecodingOptions()
    public var jsonEncoding = JSONEncodingOptions()
    /// Options for both YAML formats; the format decides the encoder's dialect.
    public var yamlDecoding = YAMLDecodingOptions()
    public var yamlEncoding = YAMLEncodingOptions()

    public init() {}

    /// The codec of a POE::Filter::Reference peer whose serializer writes `format`: the
    /// defaults, except that YAML.pm payloads (``PayloadFormat/yaml``) are Perl's internal
    /// bytes rather than UTF-8 text.
    ///
    /// POE writes the bytes Perl holds for YAML.pm's `Dump` (Latin-1, or UTF-8 when the
    /// value holds a wider character) and its reader hands `Load` the bytes it received
    /// undecoded, so that each byte reads as one character. This codec does both the
    /// same way, so that a POE peer reads back the strings it would read from another
    /// POE peer (Spec/payloads.md). YAML::XS's `Dump` and `Load` deal in UTF-8, so
    /// ``PayloadFormat/yamlxs`` keeps the default.
    public static func poeFilterReference(_ format: PayloadFormat) -> PayloadCodec {
        var codec = PayloadCodec()
        if format == .yaml {
            codec.yamlDecoding.encoding = .latin1
            codec.yamlEncoding.encoding = .perlInternal
        }
        return codec
    }

    /// Decodes a payload in `format`. A Storable format reads any Storable image, as
    /// Perl's `thaw` does: the header says which layout it is.
    public func decode(_ bytes: some Collection<UInt8>, as format: PayloadFormat) throws(PayloadDecodingError)
        -> PerlValue
    {
        switch format {
        case .nstorable, .storable:
            do throws(StorableDecodingError) {
                return try StorableDecoder(options: storableDecoding).decode(bytes)
            } catch {
                throw .storable(error)
            }
        case .json:
            do throws(JSONDecodingError) {
                return try PerlJSONDecoder(options: jsonDecoding).decode(bytes)
            } catch {
                throw .json(error)
            }
        case .yaml, .yamlxs:
            do throws(YAMLDecodingError) {
                return try PerlYAMLDecoder(options: yamlDecoding).decode(bytes)
            } catch {
                throw .yaml(error)
            }
        }
    }

    /// Decodes a payload in whichever format its first bytes name.
    /// - Returns: the value, and the format it was in.
    public func decodeSniffing(_ bytes: some Collection<UInt8>) throws(PayloadDecodingError)
        -> (value: PerlValue, format: PayloadFormat)
    {
        let kind = PayloadKind(sniffing: bytes)
        guard let format = kind.format else { throw PayloadDecodingError(unreadable: kind) }
        return (try decode(bytes, as: format), format)
    }

    /// Encodes `value` in `format`. The Storable formats set the byte order of
    /// ``storableEncoding`` and write memory images (not files); the YAML formats set the
    /// dialect of ``yamlEncoding``.
    public func encode(_ value: PerlValue, as format: PayloadFormat) throws(PayloadEncodingError) -> [UInt8] {
        switch format {
        case .nstorable, .storable:
            var options = storableEncoding
            options.byteOrder = format == .nstorable ? .network : .native
            options.isFile = false
            do throws(StorableEncodingError) {
                return try StorableEncoder(options: options).encode(value)
            } catch {
                throw .storable(error)
            }
        case .json:
            do throws(JSONEncodingError) {
                return try PerlJSONEncoder(options: jsonEncoding).encode(value)
            } catch {
                throw .json(error)
            }
        case .yaml, .yamlxs:
            var options = yamlEncoding
            options.dialect = format == .yaml ? .yaml : .yamlXS
            do throws(YAMLEncodingError) {
                return try PerlYAMLEncoder(options: options).encode(value)
            } catch {
                throw .yaml(error)
            }
        }
    }
}

/// Why a payload could not be decoded: the format's own error, or why no format could
/// read it.
public enum PayloadDecodingError: Error, Hashable, Sendable, CustomStringConvertible {
    case storable(StorableDecodingError)
    case json(JSONDecodingError)
    case yaml(YAMLDecodingError)
    /// The payload is empty.
    case empty
    /// The first bytes match no format RefWire knows.
    case unrecognizedFormat
    /// A format RefWire recognises but does not read, such as Sereal, with its version.
    case unsupportedFormat(name: String, version: Int)

    /// Why a payload of `kind` has no format to decode it with.
    init(unreadable kind: PayloadKind) {
        switch kind {
        case .unsupportedStorable(let error): self = .storable(error)
        case .sereal(let version): self = .unsupportedFormat(name: "Sereal", version: version)
        case .empty: self = .empty
        case .storable, .json, .yaml, .unknown: self = .unrecognizedFormat
        }
    }

    /// Where in the payload decoding failed, when the format's decoder says.
    public var offset: Int? {
        switch self {
        case .storable(let error): error.offset
        case .json(let error): error.offset
        case .yaml(let error): error.offset
        case .empty, .unrecognizedFormat, .unsupportedFormat: nil
        }
    }

    public var description: String {
        switch self {
        // Each format's error already names its format ("Storable: …", "JSON: …").
        case .storable(let error): "\(error)"
        case .json(let error): "\(error)"
        case .yaml(let error): "\(error)"
        case .empty: "the payload is empty"
        case .unrecognizedFormat: "the payload is in no format RefWire reads (Storable, JSON or YAML)"
        case .unsupportedFormat(let name, let version): "\(name) (version \(version)) is not supported"
        }
    }
}

/// Why a value could not be encoded in a format.
public enum PayloadEncodingError: Error, Hashable, Sendable, CustomStringConvertible {
    case storable(StorableEncodingError)
    case json(JSONEncodingError)
    case yaml(YAMLEncodingError)

    public var description: String {
        switch self {
        // Each format's error already names its format ("Storable: …", "JSON: …").
        case .storable(let error): "\(error)"
        case .json(let error): "\(error)"
        case .yaml(let error): "\(error)"
        }
    }
}
