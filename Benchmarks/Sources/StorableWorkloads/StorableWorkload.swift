import RefWire

/// What is measured, in both languages, on the same bytes.
public enum StorableDirection: String, Sendable, CaseIterable {
    /// Image → value: Perl's `thaw`, RefWire's `StorableDecoder().decode`.
    case decode
    /// Value → image: Perl's `nfreeze` (hash order as it comes), RefWire's default
    /// `StorableEncoder` (hash order as decoded).
    case encode
    /// Value → image with sorted keys: `$Storable::canonical = 1`, `options.canonical`.
    case encodeCanonical

    /// The operation's name in `Perl/storable_bench.pl`.
    public var perlOperation: String {
        switch self {
        case .decode: "thaw"
        case .encode: "nfreeze"
        case .encodeCanonical: "nfreeze_canonical"
        }
    }

    public var label: String {
        switch self {
        case .decode: "decode (thaw)"
        case .encode: "encode (nfreeze)"
        case .encodeCanonical: "encode, canonical"
        }
    }

    /// Whether the goal (≥ 2 × Perl) applies: decode and default encode.
    public var hasGoal: Bool { self != .encodeCanonical }
}

/// RefWire's side of each direction. Every pass returns a fingerprint (the top-level
/// count after a decode, the byte count after an encode) that is checked, so no pass can
/// be optimised away; the decoded value and the encoded bytes are freed inside the pass,
/// as Perl frees its own inside its pass.
public struct SwiftStorable: Sendable {
    public let decoder = StorableDecoder()
    public let encoder: StorableEncoder
    public let canonicalEncoder: StorableEncoder

    /// JSON::XS decodes `true` and `false` as two shared objects of `JSON::PP::Boolean`,
    /// a class that uses `overload`, so Perl marks references to them `SX_OVERLOAD`.
    /// Naming the class is all the encoder needs to write Perl's bytes.
    public static let overloadedClasses: Set<String> = ["JSON::PP::Boolean"]

    public init() {
        var options = StorableEncodingOptions()
        options.overloadedClasses = Self.overloadedClasses
        encoder = StorableEncoder(options: options)
        options.canonical = true
        canonicalEncoder = StorableEncoder(options: options)
    }

    @inline(never)
    public func run(_ direction: StorableDirection, on corpus: StorableCorpus) throws -> Int {
        switch direction {
        case .decode: try decoder.decode(corpus.image).topLevelCount
        case .encode: try encoder.encode(corpus.value).count
        case .encodeCanonical: try canonicalEncoder.encode(corpus.value).count
        }
    }

    /// What ``run(_:on:)`` must return for `corpus`.
    public func expectedFingerprint(_ direction: StorableDirection, on corpus: StorableCorpus) throws -> Int {
        switch direction {
        case .decode: corpus.value.topLevelCount
        case .encode: try encoder.encode(corpus.value).count
        case .encodeCanonical: try canonicalEncoder.encode(corpus.value).count
        }
    }
}
