/// Limits and policies for decoding JSON from untrusted peers.
///
/// The defaults accept exactly RFC 8259 JSON and read it as Perl's JSON::XS 4.x reads it
/// (`decode_json`), so a RefWire process and a Perl process given the same message see
/// the same data. Where JSON::XS is laxer (it accepts UTF-8-encoded surrogates and code
/// points above U+10FFFF, and turns numbers beyond a double's range into infinity), RefWire
/// refuses. Every size is bounded; `Spec/json.md` explains each limit.
public struct JSONDecodingOptions: Hashable, Sendable {
    /// What to do when an object names the same key twice.
    ///
    /// RFC 8259 leaves the outcome to the reader ("names SHOULD be unique"). A peer that
    /// picks a different duplicate than the program behind it enables smuggling, so the
    /// default is the choice Perl makes.
    public enum DuplicateKeyPolicy: Hashable, Sendable {
        /// The last value wins, at the position of the key's first occurrence: what
        /// JSON::XS (a Perl hash store) and most JSON parsers do. The default.
        case lastWins
        /// The first value wins; later ones are ignored.
        case firstWins
        /// Fail with ``JSONDecodingError/Kind/duplicateKey(_:)`` (I-JSON, RFC 7493).
        case reject
    }

    /// What to do with a number no ``PerlValue`` number holds: an integer outside
    /// `Int64.min ... UInt64.max`, or a fraction or exponent beyond a double's range
    /// (`1e400`). (Numbers too small for a double are not out of range: they round to
    /// zero or a subnormal, as every parser rounds.)
    public enum OutOfRangeNumberPolicy: Hashable, Sendable {
        /// Fail with ``JSONDecodingError/Kind/numberOutOfRange``. The default.
        case reject
        /// Keep the number's text as a character string (`"18446744073709551616"`), as
        /// JSON::XS keeps big integers. Re-encoding writes it as a JSON string.
        case keepAsString
    }

    /// Deepest nesting of arrays and objects. The same as JSON::XS's `max_depth`.
    ///
    /// The parser keeps its own stack, so the limit does not protect the parser; it bounds
    /// the decoded value, which `PerlValue` frees and compares by recursion (about 160
    /// bytes of stack a level in release builds, 500 in debug builds): 512 levels fit a
    /// 512 KiB thread stack.
    public var maximumDepth: Int = 512
    /// Longest input, in bytes, checked before any parsing. 64 MiB, the largest payload
    /// the framing layer inflates by default.
    public var maximumInputLength: Int = 64 << 20
    /// Longest string or object key, in bytes of UTF-8 after unescaping.
    public var maximumStringLength: Int = 64 << 20
    /// Most elements (or keys) in one array (or object).
    public var maximumContainerCount: Int = 1 << 24
    /// Most values in one document: scalars, arrays and objects, keys not counted.
    public var maximumTotalCount: Int = 1 << 24
    public var duplicateKeys: DuplicateKeyPolicy = .lastWins
    public var outOfRangeNumbers: OutOfRangeNumberPolicy = .reject

    public init() {}
}

/// How to write values as JSON.
///
/// The output is UTF-8 and is what JSON::XS's `decode_json` reads back to the same Perl
/// data: RFC 8259 text, with integers exact and doubles in the shortest form that reads
/// back to the same double.
public struct JSONEncodingOptions: Hashable, Sendable {
    /// What to do with a blessed value (an object), which JSON cannot mark.
    public enum BlessedValuePolicy: Hashable, Sendable {
        /// Fail with ``JSONEncodingError/Kind/blessedValue(className:)``, as JSON::XS
        /// does by default. The default.
        case reject
        /// Write `null`, as JSON::XS's `allow_blessed` does.
        case null
        /// Write the referent as if it were not blessed, dropping the class name.
        case unblessed
    }

    /// Write object keys sorted by code point, as JSON::XS's `canonical`: the same value
    /// always gives the same bytes. Otherwise keys keep the order of the ``PerlHash``,
    /// so a decoded document re-encodes in its own order.
    public var canonical: Bool = false
    /// Indent by three spaces per level, one value per line, with `" : "` between key and
    /// value and a newline at the end: JSON::XS's `pretty` layout, byte for byte.
    public var pretty: Bool = false
    /// Write every character outside ASCII as a `\u` escape (a surrogate pair beyond the
    /// Basic Multilingual Plane), as JSON::XS's `ascii`: the output is 7-bit clean.
    public var escapesNonASCII: Bool = false
    public var blessedValues: BlessedValuePolicy = .reject
    /// Deepest nesting to write. The same as JSON::XS's `max_depth`. The encoder keeps its
    /// own stack, so any depth within the limit is safe on any thread.
    public var maximumDepth: Int = 512
    /// Most values written again because an alias repeats a shared referent. JSON has no
    /// sharing, so each ``PerlValue/alias(_:)`` is written out in full; nested sharing can
    /// multiply (n levels of two aliases each is 2ⁿ copies), and this bounds the output.
    public var maximumAliasExpansion: Int = 1 << 20

    public init() {}
}
