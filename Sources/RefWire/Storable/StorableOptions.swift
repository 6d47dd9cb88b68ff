/// Limits and policies for decoding Storable images from untrusted peers.
///
/// Every default is safe for bytes from the network: bounded depth, counts and string
/// sizes, and nothing in the data is ever executed or loaded. (Perl's own `thaw` loads
/// the modules that hook-frozen or overloaded classes name and crashes on deep nesting.)
public struct StorableDecodingOptions: Hashable, Sendable {
    /// Which blessed values to accept.
    public enum ClassPolicy: Hashable, Sendable {
        /// Accept objects of every class (as data; no class code runs).
        case allowAll
        /// Refuse every blessed value.
        case refuseAll
        /// Accept objects of these classes only. `Regexp` must be listed for `qr//`.
        case allow(Set<String>)
    }

    /// What to do with code references (stored by Perl only with `$Storable::Deparse`).
    public enum CodePolicy: Hashable, Sendable {
        /// Fail with ``StorableDecodingError/Kind/codeReferenceRefused``.
        case refuse
        /// Carry the source text as ``PerlValue/code(_:)``; it is never evaluated.
        case keepSource
    }

    /// Deepest nesting of references and containers. Perl's `thaw` crashes near 100,000.
    ///
    /// The decoder recurses, using about 1–3 KiB of stack per level in release builds
    /// (more in debug builds): the default fits the 8 MiB stacks of Linux threads and the
    /// main thread, not 512 KiB ones. Lower it when decoding on small-stack threads.
    public var maximumDepth: Int = 512
    /// Most elements (or keys) one array or hash may declare.
    public var maximumContainerCount: Int = 1 << 24
    /// Most values (scalars, references and containers) in one image.
    public var maximumTotalCount: Int = 1 << 26
    /// Longest string, in bytes.
    public var maximumStringLength: Int = 64 << 20
    public var blessedValues: ClassPolicy = .allowAll
    public var codeReferences: CodePolicy = .refuse
    /// Whether bytes after the root object are an error (Perl ignores them).
    public var rejectsTrailingBytes: Bool = true

    public init() {}
}

/// Which Storable release must be able to read the output.
///
/// Newer releases read everything older ones write, so the target only ever removes
/// markers: pick the oldest Storable among the peers.
public enum StorableTarget: Hashable, Sendable, CaseIterable {
    /// Storable 2.15–2.62 (Perl 5.8.8–5.26): format 2.7; no regexps, no `SX_SVUNDEF_ELEM`,
    /// no 64-bit lengths.
    case storable2
    /// Storable 3.x before 3.32 (Perl 5.28–5.36): format 2.11, what this machine's Perl
    /// writes; booleans are written as Perl's immortal yes and no.
    case storable3
    /// Storable 3.32 and later (Perl 5.38+): format 2.11 plus the boolean markers.
    case storable3_32

    /// The minor version written in the header.
    var headerMinorVersion: UInt8 {
        switch self {
        case .storable2: return 7
        case .storable3, .storable3_32: return 11
        }
    }
}

/// How to encode values as Storable images.
public struct StorableEncodingOptions: Hashable, Sendable {
    /// The number layout to write.
    public enum ByteOrder: Hashable, Sendable {
        /// What `nfreeze` writes: portable, POE's default.
        case network
        /// What `freeze` writes on this machine (64-bit little-endian on x86_64).
        case native
    }

    public var byteOrder: ByteOrder = .network
    /// Prefix the file magic `pst0`, as `store`/`nstore` do.
    public var isFile: Bool = false
    /// Write hash keys sorted as `$Storable::canonical = 1` does. Otherwise keys keep the
    /// order of the ``PerlHash``, so a decoded image re-encodes to the same bytes.
    public var canonical: Bool = false
    public var target: StorableTarget = .storable3
    /// Write non-integral doubles in network order with all 17 significant digits instead
    /// of Perl's 15 (pi survives as 3.141592653589793). Perl still reads the result, as a
    /// numeric string.
    public var losslessDoubles: Bool = false
    /// Classes that use `overload`: Perl marks references to their objects
    /// (`SX_OVERLOAD`) and checks on reading that the class is loaded.
    public var overloadedClasses: Set<String> = []
    /// Deepest nesting to encode.
    public var maximumDepth: Int = 10_000

    public init() {}
}
