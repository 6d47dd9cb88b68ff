/// A Perl data structure, as the reference-frame serializers carry it.
///
/// Each `PerlValue` is what one Perl scalar holds: a plain value (`undef`, a number, a
/// string, a boolean) or a *reference*. As in JSON-to-Perl mappings, `.array` and
/// `.hash` are references to an anonymous array or hash (what `[...]` and `{...}`
/// evaluate to), so `["a": [1, 2]]` is the Perl `{ a => [1, 2] }`.
///
/// ## Sharing and cycles
///
/// Perl data is a graph: two references may point at one referent, and a referent may
/// contain a reference to itself. A value marks such a referent once, with
/// ``anchored(_:_:)``, where a depth-first, in-order walk first reaches it; every other
/// reference to it is an ``alias(_:)``. This is Storable's object table and YAML's
/// `&anchor`/`*alias` in one form, and being a plain tree of values it needs no
/// reference counting across the cycle: nothing can leak.
///
/// ```swift
/// // my $node = { name => "root" }; $node->{self} = $node;
/// let node: PerlValue = .anchored(1, .hash(["name": "root", "self": .alias(1)]))
/// ```
///
/// Wrappers nest in one order: ``weak(_:)`` (a property of the reference) outside
/// ``anchored(_:_:)`` (the referent's identity) outside ``blessed(class:_:)`` (the
/// referent's class) outside the referent's contents.
///
/// Only the cases that contain another `PerlValue`, or a payload wider than a string,
/// are `indirect`: the others hold their payload out of line (arrays, hashes, long
/// strings) or inline in at most 23 bytes (numbers, short strings of either kind), so a
/// plain number or short string costs no allocation of its own and a value stays three
/// words wide.
public enum PerlValue: Sendable {
    /// Perl's `undef`.
    case undef
    /// Perl's one immortal `undef` (`PL_sv_undef`). In an array it is a slot that holds
    /// no element (`exists $array[i]` is false), as sparse arrays have; elsewhere (`\undef`)
    /// it reads as `undef` that cannot be assigned to. Storable keeps the distinction.
    case hole
    /// A signed integer (Perl's IV).
    case integer(Int64)
    /// An unsigned integer (Perl's UV), used for values above `Int64.max`.
    /// Compares equal to an ``integer(_:)`` of the same number.
    case unsigned(UInt64)
    /// A floating-point number (Perl's NV).
    case double(Double)
    /// A byte string: a Perl string without the UTF-8 flag. Each byte is one character
    /// (Latin-1), as Perl sees it. Short ones are held inside the value (see ``PerlBytes``).
    case bytes(PerlBytes)
    /// A character string: a Perl string with the UTF-8 flag on.
    case string(String)
    /// A boolean, as Perl 5.36+ keeps `!!1` and `!!0` (Storable 3.32 stores them).
    case bool(Bool)
    /// A version string (`v1.2.3`): `value` is the scalar Perl holds (for `v1.2.3`, the
    /// characters 1, 2 and 3), `literal` the text it was written as.
    indirect case vstring(literal: String, value: PerlValue)

    /// A reference to an array.
    case array([PerlValue])
    /// A reference to a hash.
    case hash(PerlHash)
    /// A reference to a scalar (`\"text"`, `\42`); a reference to a reference when the
    /// scalar itself holds one (`\[1, 2]`).
    indirect case scalarReference(PerlValue)
    /// A reference to a compiled regular expression (`qr/pattern/flags`; Perl blesses it
    /// into `Regexp`). Carried as its pattern and flag letters, never compiled.
    indirect case regexp(pattern: String, flags: String)
    /// A reference to code, carried as Perl source text (what `B::Deparse` printed, the
    /// body without the leading `sub`). Never evaluated.
    case code(String)
    /// A reference to an object its class serialized itself (Storable's
    /// `STORABLE_freeze` hook), kept as the data the hook produced.
    indirect case hooked(PerlHookedObject)

    /// A referent blessed into `class`; the payload is a reference value
    /// (`bless {...}, 'Class'`).
    indirect case blessed(class: String, PerlValue)
    /// A weakened reference (`Scalar::Util::weaken`); the payload is a reference value
    /// or an alias.
    indirect case weak(PerlValue)
    /// The first occurrence of a referent that is reached again through aliases; the
    /// payload is a reference value.
    indirect case anchored(PerlAnchor, PerlValue)
    /// Another reference to the referent marked with the same anchor.
    case alias(PerlAnchor)
}

/// An object whose class serialized itself: what Storable's `STORABLE_freeze` hook
/// returned, kept as data so that no class code ever has to run to read it.
///
/// Perl rebuilds such an object by blessing an empty referent of ``kind`` into
/// ``className`` and calling the class's `STORABLE_thaw` with ``serialized`` and the
/// ``references``; RefWire only carries the parts.
public struct PerlHookedObject: Hashable, Sendable {
    /// The kind of referent the class's thaw hook fills in.
    public enum Kind: UInt8, Hashable, Sendable {
        case scalar = 0
        case array = 1
        case hash = 2
    }

    public var className: String
    public var kind: Kind
    /// The string the freeze hook returned first, opaque to everyone but the class.
    public var serialized: [UInt8]
    /// The extra references the freeze hook returned after the string, each a reference
    /// value (or an alias of one).
    public var references: [PerlValue]

    public init(className: String, kind: Kind, serialized: [UInt8], references: [PerlValue] = []) {
        self.className = className
        self.kind = kind
        self.serialized = serialized
        self.references = references
    }
}

/// The identity of a shared referent within one ``PerlValue``.
///
/// Anchors only need to be distinct within a value. Decoders derive them from where the
/// referent sits in the input, so they grow through a value but need not be consecutive.
/// Equality of values ignores the numbers and compares the shape of the sharing instead.
public struct PerlAnchor: Hashable, Sendable, Comparable, ExpressibleByIntegerLiteral,
    CustomStringConvertible
{
    public var id: Int

    public init(_ id: Int) { self.id = id }
    public init(integerLiteral id: Int) { self.id = id }

    public static func < (lhs: PerlAnchor, rhs: PerlAnchor) -> Bool { lhs.id < rhs.id }
    public var description: String { "&\(id)" }
}

extension PerlValue {
    /// A byte string holding the bytes of `array`.
    @inlinable
    public static func bytes(_ array: [UInt8]) -> PerlValue { .bytes(PerlBytes(array)) }
}

// MARK: - Kinds

extension PerlValue {
    /// Whether this scalar holds a reference rather than a plain value.
    public var isReference: Bool {
        switch self {
        case .undef, .hole, .integer, .unsigned, .double, .bytes, .string, .bool, .vstring:
            return false
        case .array, .hash, .scalarReference, .regexp, .code, .hooked, .blessed, .weak, .anchored, .alias:
            return true
        }
    }

    /// Whether this is `undef` (a ``hole`` included).
    public var isUndef: Bool {
        switch self {
        case .undef, .hole: return true
        default: return false
        }
    }

    /// The value with ``weak(_:)``, ``anchored(_:_:)`` and ``blessed(class:_:)`` wrappers
    /// removed: the referent's contents, or the plain value itself.
    /// An ``alias(_:)`` is returned as it is: resolving it needs the whole value (see
    /// ``anchoredValues()``).
    public var unwrapped: PerlValue {
        var value = self
        while true {
            switch value {
            case .weak(let inner), .anchored(_, let inner), .blessed(_, let inner):
                value = inner
            default:
                return value
            }
        }
    }

    /// The class the referent is blessed into, if any.
    public var className: String? {
        var value = self
        while true {
            switch value {
            case .blessed(let name, _): return name
            case .hooked(let object): return object.className
            case .weak(let inner), .anchored(_, let inner): value = inner
            default: return nil
            }
        }
    }

    /// The anchor this reference defines or refers to, if its referent is shared.
    public var anchor: PerlAnchor? {
        var value = self
        while true {
            switch value {
            case .anchored(let anchor, _), .alias(let anchor): return anchor
            case .weak(let inner): value = inner
            default: return nil
            }
        }
    }

    /// Whether this reference is weak.
    public var isWeak: Bool {
        if case .weak = self { return true }
        return false
    }
}

// MARK: - Plain values

extension PerlValue {
    /// The number, if this is an integer that fits in `Int64`.
    public var int64Value: Int64? {
        switch self {
        case .integer(let value): return value
        case .unsigned(let value): return Int64(exactly: value)
        default: return nil
        }
    }

    /// The number, if this is an integer that fits in `UInt64`.
    public var uint64Value: UInt64? {
        switch self {
        case .integer(let value): return UInt64(exactly: value)
        case .unsigned(let value): return value
        default: return nil
        }
    }

    /// The number, if this is a double or an integer.
    public var doubleValue: Double? {
        switch self {
        case .double(let value): return value
        case .integer(let value): return Double(value)
        case .unsigned(let value): return Double(value)
        default: return nil
        }
    }

    /// The text, if this is a character string, or a byte string read as Perl reads it
    /// (one Latin-1 character per byte).
    public var stringValue: String? {
        switch self {
        case .string(let text): return text
        case .bytes(let bytes): return String(latin1: bytes)
        case .vstring(_, let value): return value.stringValue
        default: return nil
        }
    }

    /// The boolean, if this is one.
    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }
}

extension String {
    /// Perl's reading of a byte string: each byte is the character with that code point.
    init(latin1 bytes: some Sequence<UInt8>) {
        var scalars = String.UnicodeScalarView()
        scalars.append(contentsOf: bytes.lazy.map { Unicode.Scalar($0) })
        self = String(scalars)
    }
}
