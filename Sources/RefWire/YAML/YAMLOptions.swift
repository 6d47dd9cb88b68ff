/// The two Perl YAML libraries whose documents RefWire reads and writes.
///
/// They disagree: each fails to load some of the other's dumps of ordinary Perl data,
/// and a few texts load as different data in each (`Spec/yaml.md` lists them). The
/// encoder writes one dialect; the decoder reads the syntax of both and follows one
/// library's reading where they differ.
public enum YAMLDialect: Hashable, Sendable, CaseIterable {
    /// YAML.pm 1.30, the library POE::Filter::Reference uses for YAML. Written in its
    /// style, but with every scalar quoted and escaped so that YAML::XS loads it too.
    case yaml
    /// YAML::XS 0.86 (libyaml): what its `Dump` writes, byte for byte.
    case yamlXS
}

/// Limits and policies for decoding YAML from untrusted peers.
///
/// Every default is safe for bytes from the network: bounded input, depth, counts,
/// string sizes and alias expansion, and nothing in the data is ever executed or loaded.
/// The decoder keeps its own stack, so depth costs heap, not thread stack: any limit is
/// safe on any thread.
public struct YAMLDecodingOptions: Hashable, Sendable {
    /// Which blessed values to accept (`!!perl/hash:Class` and its kin; a regexp is
    /// blessed into `Regexp` unless its tag names another class).
    public typealias ClassPolicy = StorableDecodingOptions.ClassPolicy
    /// What to do with `!!perl/code` nodes.
    public typealias CodePolicy = StorableDecodingOptions.CodePolicy

    /// How the input's bytes are characters.
    public enum Encoding: Hashable, Sendable {
        /// UTF-8, what YAML::XS writes and a Perl program writes after encoding YAML.pm's
        /// character string. Scalars decode as character strings (``PerlValue/string(_:)``).
        case utf8
        /// Each byte is one character, as YAML.pm reads a byte string: what
        /// POE::Filter::Reference hands YAML.pm's `Load` when a peer sends the internal
        /// bytes of a dump. Scalars decode as byte strings (``PerlValue/bytes(_:)``)
        /// unless an escape names a character above U+00FF.
        case latin1
    }

    public var encoding: Encoding = .utf8
    /// Whose reading to follow where the two libraries read the same text differently:
    /// plain `true`, `false` and `null` (strings to YAML.pm; booleans and undef to
    /// YAML::XS), and the characters U+0085, U+2028 and U+2029 (ordinary characters to
    /// YAML.pm, as in YAML 1.2; line breaks to YAML::XS, as in YAML 1.1). Every other
    /// text reads the same either way. The default follows YAML.pm, POE's YAML library:
    /// under it, every default `Dump` of Perl data by either library reads as meant.
    public var dialect: YAMLDialect = .yaml
    /// Deepest nesting of collections and references (flow, block and `!!perl/ref`).
    ///
    /// The decoder itself uses no thread stack per level. The value it returns is
    /// destroyed recursively, as every ``PerlValue`` is, so keep the limit in the
    /// thousands for values that die on small-stack threads.
    public var maximumDepth: Int = 512
    /// Longest input, in bytes.
    public var maximumInputLength: Int = 64 << 20
    /// Longest scalar, anchor, tag or class name, in bytes (as UTF-8).
    public var maximumStringLength: Int = 64 << 20
    /// Most elements (or keys) in one sequence or mapping.
    public var maximumContainerCount: Int = 1 << 24
    /// Most nodes (scalars, collections, aliases) in one document.
    public var maximumTotalCount: Int = 1 << 26
    /// Most bytes of scalar text that aliases may copy in one document.
    ///
    /// An alias of a collection or reference decodes to ``PerlValue/alias(_:)`` and
    /// copies nothing: shared and cyclic structure stays shared, so a "billion laughs"
    /// document decodes to a small value. An alias of a plain scalar copies it (Perl
    /// values share referents, not scalars); this bounds what such copies add.
    public var maximumAliasExpansion: Int = 16 << 20
    public var blessedValues: ClassPolicy = .allowAll
    public var codeReferences: CodePolicy = .refuse

    public init() {}
}

/// How to encode values as YAML.
public struct YAMLEncodingOptions: Hashable, Sendable {
    /// How the output's characters become bytes.
    public enum Encoding: Hashable, Sendable {
        /// UTF-8: what YAML::XS writes, and a Perl program after encoding YAML.pm's text.
        case utf8
        /// Perl's internal bytes for the text, which is what POE::Filter::Reference sends
        /// of YAML.pm's `Dump` (it measures and writes them under `use bytes`) and what
        /// its reader hands `Load` undecoded: one byte per character (Latin-1) when every
        /// character fits in one, so that such a peer reads every string exactly; UTF-8
        /// when one does not (a character above U+00FF), as Perl holds such a text.
        ///
        /// Perl itself also upgrades a dump to UTF-8 when the value merely holds a
        /// UTF-8-flagged string, and its peers then read every non-ASCII character as
        /// two or more Latin-1 ones. RefWire does not copy that: a Swift string (a
        /// ``PerlValue/string(_:)`` or a literal hash key) whose characters fit in
        /// Latin-1 is sent so that the peer reads it as written.
        case perlInternal
    }

    public var dialect: YAMLDialect = .yaml
    public var encoding: Encoding = .utf8
    /// Write hash keys sorted by character, as both libraries' `Dump` do. Otherwise keys
    /// keep the order of the ``PerlHash``, so a decoded document (whose keys are in the
    /// order written, which Perl's dumps sort) re-encodes to the same bytes.
    public var canonical: Bool = false
    /// Write non-integral doubles with as many digits as it takes to read back the same
    /// double, instead of Perl's 15 significant digits (pi as 3.141592653589793). Perl
    /// still reads the result, as a numeric string.
    public var losslessDoubles: Bool = false
    /// Deepest nesting to encode. The encoder keeps its own stack; the limit bounds the
    /// output's indentation (which grows by two columns a level), not thread stack.
    public var maximumDepth: Int = 10_000

    public init() {}
}
