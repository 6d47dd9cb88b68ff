// The Codable bridge, decoding half: `PerlValue` → any `Decodable` value.
//
// Perl is loosely typed, and the serializers show it: a number that was ever used as a
// string travels as a string, Storable's `nfreeze` writes integers beyond 32 bits and
// every non-integral double as decimal text, booleans before Perl 5.36 are `1` and `""`,
// and a byte string and a character string with the same characters are the same string.
// The decoder accepts what a Perl peer's data really holds, and nothing that would lose
// information silently:
//
// | Swift                       | accepted PerlValue                                        |
// |-----------------------------|-----------------------------------------------------------|
// | keyed container             | `.hash` (byte or character keys, compared by characters)  |
// | unkeyed container           | `.array`                                                  |
// | `Bool`                      | `.bool`; integers `0`, `1`; strings `""`, `"0"`, `"1"`     |
// | integers (8…128 bits)       | `.integer`, `.unsigned`, integral `.double`, numeric       |
// |                             | strings — all only when the type holds the value exactly  |
// | `Float`, `Double`           | `.double`, `.integer`, `.unsigned`, numeric strings,      |
// |                             | rounded to nearest; `Float` overflow is an error          |
// | `String`                    | `.string`; `.bytes` read as Latin-1 (as Perl does);       |
// |                             | `.vstring` as its characters; `.integer`/`.unsigned` as   |
// |                             | their decimal text                                        |
// | byte collections            | `.bytes`; `.string` whose characters are all ≤ U+00FF;    |
// | (`[UInt8]`, `Data`, …)      | `.array` of integers 0…255                                |
// | `Optional` (`nil`)          | `.undef`, `.hole`, or a missing key                       |
//
// Everywhere, `.blessed` and `.weak` wrappers are looked through to the referent,
// `.anchored` to its payload, and an `.alias` to the payload its anchor marks in the
// root value. Scalar references, regexps, code and hook-serialized objects decode as
// nothing but themselves, i.e. they are type mismatches for every Swift type.
//
// Numeric strings are decimal, as Perl prints numbers: an optional sign, digits with an
// optional fraction, an optional exponent (`42`, `-7`, `3.25`, `.5`, `1e+20`, `1E-7`),
// and for floating-point types `Inf`, `-Inf`, `Infinity` and `NaN` in any case. No
// whitespace, hexadecimal, octal or trailing text. Integer types take any of these that
// denote an integer exactly (`1e3` is 1000, `2.50` is not an integer); floating-point
// types parse with correct rounding, the inverse of shortest round-trip printing.

/// How ``PerlValueDecoder`` reads values.
public struct PerlValueDecodingOptions: Hashable, Sendable {
    /// Deepest nesting of values to decode.
    ///
    /// Perl data may be cyclic (`$node->{self} = $node`). A type can decode part of a
    /// cycle — a parent's name through a child's back-reference — but a type that follows
    /// the cycle would recurse forever; the limit stops it with
    /// ``PerlValueDecodingError/Kind/depthLimitExceeded(limit:cycle:)``, which names the
    /// anchor the cycle runs through. The default matches
    /// ``StorableDecodingOptions/maximumDepth``, so anything Storable decodes fits.
    public var maximumDepth: Int = 512

    public init() {}
}

/// Decodes `Decodable` values from ``PerlValue``s, the format-neutral half of every
/// serializer's Codable support.
///
/// ```swift
/// struct Job: Decodable { var command: String; var args: [Int] }
/// let job = try PerlValueDecoder().decode(Job.self, from: ["command": "publish", "args": ["1", 2]])
/// ```
///
/// Errors are always ``PerlValueDecodingError``s: they say what was expected, what Perl
/// value was found, and where (`items[2].name`). Inside the types' `init(from:)` they
/// travel as `DecodingError`s of the matching case (so the usual `catch
/// DecodingError.typeMismatch` fallbacks work), carrying the bridge's error as their
/// `underlyingError`. Errors a type throws itself are converted, with the original kept in
/// ``PerlValueDecodingError/underlyingError``.
public struct PerlValueDecoder: Sendable {
    public var options: PerlValueDecodingOptions
    /// Values handed to the types' `init(from:)` through `Decoder.userInfo`.
    public var userInfo: [CodingUserInfoKey: any Sendable]

    public init(
        options: PerlValueDecodingOptions = PerlValueDecodingOptions(),
        userInfo: [CodingUserInfoKey: any Sendable] = [:]
    ) {
        self.options = options
        self.userInfo = userInfo
    }

    /// Decodes a `T` from `value`. Aliases in `value` are resolved against `value` itself.
    public func decode<T: Decodable>(_ type: T.Type, from value: PerlValue) throws(PerlValueDecodingError) -> T {
        try decode(type, from: value, root: value)
    }

    /// Decodes a `T` from `value`, a part of `root` against which aliases are resolved.
    func decode<T: Decodable>(_ type: T.Type, from value: PerlValue, root: PerlValue)
        throws(PerlValueDecodingError) -> T
    {
        let context = PerlDecodingContext(options: options, userInfo: userInfo, root: root)
        do {
            return try context.decodeValue(T.self, from: value, at: .root, depth: 0, trail: nil)
        } catch {
            throw PerlValueDecodingError(converting: error)
        }
    }
}

/// Why a ``PerlValue`` could not be decoded as a Swift type, and where.
public struct PerlValueDecodingError: Error, CustomStringConvertible {
    public enum Kind: Hashable, Sendable {
        /// The value is of a kind the type cannot be read from. `expected` names the Swift
        /// type (and the container it needed), `found` describes the Perl value.
        case typeMismatch(expected: String, found: String)
        /// A hash has no value for `key`.
        case keyNotFound(String)
        /// `undef` where a value of type `expected` is required.
        case valueNotFound(expected: String)
        /// An array has no more elements (it holds `count`) where a value is required.
        case arrayExhausted(expected: String, count: Int)
        /// A number, or numeric string, that `type` cannot hold: out of range, or not an
        /// integer where an integer is required. Nothing is rounded or truncated.
        case numberNotRepresentable(String, type: String)
        /// An alias whose anchor marks no referent in the root value.
        case unresolvedAlias(PerlAnchor)
        /// Nesting deeper than ``PerlValueDecodingOptions/maximumDepth``; `cycle` is an
        /// anchor that was followed more than once on the way, when there is one — the
        /// data is cyclic and the type follows the cycle.
        case depthLimitExceeded(limit: Int, cycle: PerlAnchor?)
        /// The type's own `init(from:)` rejected the data (a `DecodingError` it threw, or
        /// any other error, kept in ``PerlValueDecodingError/underlyingError``).
        case dataCorrupted(String)
    }

    public var kind: Kind
    /// Where in the value the error happened: for ``Kind/keyNotFound(_:)``, the hash.
    public var codingPath: [any CodingKey]
    /// The error a type's `init(from:)` threw, when it threw one of its own.
    public var underlyingError: (any Error)?

    public init(_ kind: Kind, codingPath: [any CodingKey], underlyingError: (any Error)? = nil) {
        self.kind = kind
        self.codingPath = codingPath
        self.underlyingError = underlyingError
    }

    /// ``codingPath`` as text: `items[2].name`, or `(root)`.
    public var codingPathDescription: String { PerlCodingPath.render(codingPath) }

    public var description: String {
        let what: String
        switch kind {
        case .typeMismatch(let expected, let found): what = "expected \(expected), found \(found)"
        case .keyNotFound(let key): what = "no key \(PerlDescribe.quoted(key)) in the hash"
        case .valueNotFound(let expected): what = "expected \(expected), found undef"
        case .arrayExhausted(let expected, let count):
            what = "expected \(expected), but the array ends after \(count) element\(count == 1 ? "" : "s")"
        case .numberNotRepresentable(let number, let type): what = "\(number) is not representable as \(type)"
        case .unresolvedAlias(let anchor): what = "alias *\(anchor.id) refers to no anchored value"
        case .depthLimitExceeded(let limit, let cycle?):
            what = "nesting deeper than \(limit) levels: the value is cyclic through &\(cycle.id),"
                + " and the type follows the cycle"
        case .depthLimitExceeded(let limit, nil): what = "nesting deeper than \(limit) levels"
        case .dataCorrupted(let reason): what = reason
        }
        return "PerlValue decoding: at \(codingPathDescription): \(what)"
    }

    init(converting error: any Error) {
        switch error {
        case let error as PerlValueDecodingError:
            self = error
        case let error as DecodingError:
            let context: DecodingError.Context
            let kind: Kind
            switch error {
            case .typeMismatch(let type, let found):
                context = found
                kind = .dataCorrupted("\(type): \(found.debugDescription)")
            case .valueNotFound(let type, let found):
                context = found
                kind = .valueNotFound(expected: String(describing: type))
            case .keyNotFound(let key, let found):
                context = found
                kind = .keyNotFound(key.stringValue)
            case .dataCorrupted(let found):
                context = found
                kind = .dataCorrupted(found.debugDescription)
            @unknown default:
                self.init(.dataCorrupted(String(describing: error)), codingPath: [], underlyingError: error)
                return
            }
            if let error = context.underlyingError as? PerlValueDecodingError {
                self = error
            } else {
                self.init(kind, codingPath: context.codingPath, underlyingError: context.underlyingError ?? error)
            }
        default:
            self.init(.dataCorrupted(String(describing: error)), codingPath: [], underlyingError: error)
        }
    }
}

// MARK: - Decoding machinery

/// A list of the anchors whose aliases were followed on the way to a value, kept only to
/// name the cycle when the depth limit is hit (a finite tree can only exceed it by
/// following some alias again and again).
final class PerlAliasTrail {
    let anchor: PerlAnchor
    let parent: PerlAliasTrail?

    init(_ anchor: PerlAnchor, parent: PerlAliasTrail?) {
        self.anchor = anchor
        self.parent = parent
    }

    /// An anchor that appears twice, if any.
    static func repeatedAnchor(in trail: PerlAliasTrail?) -> PerlAnchor? {
        var seen: Set<PerlAnchor> = []
        var node = trail
        while let current = node {
            if !seen.insert(current.anchor).inserted { return current.anchor }
            node = current.parent
        }
        return nil
    }
}

/// A value with its wrappers looked through and its aliases followed.
struct PerlResolvedValue {
    /// The referent's contents or the plain value; never a wrapper or an alias, and
    /// `.undef` for a hole.
    var value: PerlValue
    /// The class the referent is blessed into, for error messages.
    var className: String?
    var trail: PerlAliasTrail?

    var isUndef: Bool {
        if case .undef = value { return true }
        return false
    }

    /// What the error messages call the value.
    var description: String {
        let text = PerlDescribe.value(value)
        guard let className else { return text }
        return "\(text) blessed into \(className)"
    }
}

/// What one `decode` call shares across all its nested decoders.
final class PerlDecodingContext {
    let options: PerlValueDecodingOptions
    let userInfo: [CodingUserInfoKey: Any]
    let root: PerlValue
    /// Where the keyed container reading `hash` expects its next key: one past the last
    /// key found in that hash. Types mostly read their fields in the order the data
    /// holds them, so most lookups are one comparison. A nested container moves the hint
    /// to its own hash; its parent then pays one hashed lookup to pick the thread up.
    /// Only ever a guess: the key at the hinted position is compared before it is used.
    @exclusivity(unchecked) var keyHint: (hash: ObjectIdentifier?, position: Int) = (nil, 0)

    /// The referents by anchor, collected from `root` the first time an alias is met,
    /// so that values without sharing never pay for the walk.
    private var anchoredValues: [PerlAnchor: PerlValue]?

    init(options: PerlValueDecodingOptions, userInfo: [CodingUserInfoKey: any Sendable], root: PerlValue) {
        self.options = options
        self.userInfo = userInfo.mapValues { $0 as Any }
        self.root = root
    }

    // MARK: Errors

    /// The bridge's error, dressed as the Codable error of the matching case to travel
    /// through `init(from:)`.
    func error(_ kind: PerlValueDecodingError.Kind, at path: PerlCodingPath, type: Any.Type) -> DecodingError {
        let keys = path.keys
        let error = PerlValueDecodingError(kind, codingPath: keys)
        let context = DecodingError.Context(
            codingPath: keys, debugDescription: error.description, underlyingError: error)
        switch kind {
        case .typeMismatch: return .typeMismatch(type, context)
        case .valueNotFound, .arrayExhausted: return .valueNotFound(type, context)
        case .keyNotFound(let key): return .keyNotFound(PerlCodingKey(stringValue: key), context)
        case .numberNotRepresentable, .unresolvedAlias, .depthLimitExceeded, .dataCorrupted:
            return .dataCorrupted(context)
        }
    }

    func mismatch(_ expected: String, _ found: PerlResolvedValue, at path: PerlCodingPath, type: Any.Type)
        -> DecodingError
    {
        if found.isUndef { return error(.valueNotFound(expected: expected), at: path, type: type) }
        return error(.typeMismatch(expected: expected, found: found.description), at: path, type: type)
    }

    // MARK: Resolving

    /// Looks through wrappers and follows aliases.
    ///
    /// `path` is built only if resolving fails.
    @inline(__always)
    func resolve(_ value: PerlValue, trail: PerlAliasTrail?, at path: @autoclosure () -> PerlCodingPath)
        throws -> PerlResolvedValue
    {
        switch value {
        case .weak, .anchored, .blessed, .alias, .hole:
            return try resolveWrapped(value, trail: trail, at: path())
        default:
            // Most values are neither wrapped nor aliased: no loop, and no access to the
            // alias table.
            return PerlResolvedValue(value: value, className: nil, trail: trail)
        }
    }

    @inline(never)
    private func resolveWrapped(
        _ value: PerlValue, trail: PerlAliasTrail?, at path: @autoclosure () -> PerlCodingPath
    ) throws -> PerlResolvedValue {
        var value = value
        var className: String?
        var trail = trail
        var aliasesFollowed = 0
        while true {
            switch value {
            case .weak(let inner), .anchored(_, let inner):
                value = inner
            case .blessed(let name, let inner):
                if className == nil { className = name }
                value = inner
            case .alias(let anchor):
                // Well-formed values alias only references, so one step suffices; a
                // hand-built `.anchored(1, .alias(1))` must not loop here.
                aliasesFollowed += 1
                trail = PerlAliasTrail(anchor, parent: trail)
                if aliasesFollowed > options.maximumDepth {
                    throw error(
                        .depthLimitExceeded(limit: options.maximumDepth, cycle: anchor), at: path(), type: Any.self)
                }
                if anchoredValues == nil { anchoredValues = root.anchoredValues() }
                guard let target = anchoredValues?[anchor] else {
                    throw error(.unresolvedAlias(anchor), at: path(), type: Any.self)
                }
                value = target
            case .hole:
                return PerlResolvedValue(value: .undef, className: className, trail: trail)
            default:
                return PerlResolvedValue(value: value, className: className, trail: trail)
            }
        }
    }

    // MARK: Values

    /// Decodes a `T` from `value` found at `path`.
    ///
    /// `path` is built only when it is needed: for a nested decoder, or for an error. Most
    /// values (array elements above all) are plain, and building a path for each cost
    /// more than decoding it.
    func decodeValue<T: Decodable>(
        _ type: T.Type, from value: PerlValue, at path: @autoclosure () -> PerlCodingPath, depth: Int,
        trail: PerlAliasTrail?
    ) throws -> T {
        try decodeResolved(type, from: resolve(value, trail: trail, at: path()), at: path(), depth: depth)
    }

    /// Decodes a `T` from an already resolved value.
    func decodeResolved<T: Decodable>(
        _ type: T.Type, from resolved: PerlResolvedValue, at path: @autoclosure () -> PerlCodingPath, depth: Int
    ) throws -> T {
        if let plain = PlainType(T.self) { return try decodePlain(plain, T.self, from: resolved, at: path) }
        let traits = traits(of: T.self)
        switch resolved.value {
        case .bytes, .string:
            if let collectionType = traits.byteCollection {
                return try decodeByteCollection(collectionType, T.self, from: resolved, at: path())
            }
        default:
            break
        }
        guard depth < options.maximumDepth else {
            let cycle = PerlAliasTrail.repeatedAnchor(in: resolved.trail)
            throw error(.depthLimitExceeded(limit: options.maximumDepth, cycle: cycle), at: path(), type: T.self)
        }
        // Arrays and string-keyed dictionaries skip the standard library's `init(from:)`:
        // its unspecialised loop looks up the collection's generic metadata for every
        // element, which cost ten times what decoding the element did. A value of another
        // kind takes the standard path, for the standard error.
        switch resolved.value {
        case .array(let elements):
            if let arrayType = traits.array {
                return try arrayType.decodeArray(
                    elements, as: T.self, context: self, at: path, depth: depth + 1, trail: resolved.trail)
            }
        case .hash(let hash):
            if let dictionaryType = traits.stringKeyedDictionary {
                return try dictionaryType.decodeDictionary(
                    hash, as: T.self, context: self, at: path, depth: depth + 1, trail: resolved.trail)
            }
        default:
            break
        }
        let decoder = PerlValueDecoderImplementation(
            context: self, value: resolved, path: path(), depth: depth + 1, type: T.self)
        return try T(from: decoder)
    }

    /// The standard library's plain types, recognized by their static type: a metatype
    /// comparison, folded away when `T` is known at compile time. Generic code such as
    /// `Array.init(from:)` reaches them through the generic `decode`; a nested decoder per
    /// element would cost for nothing.
    enum PlainType {
        case string, bool, double, float
        case int, int8, int16, int32, int64, int128
        case uint, uint8, uint16, uint32, uint64, uint128

        @inline(__always)
        init?<T>(_ type: T.Type) {
            if T.self == String.self { self = .string }
            else if T.self == Int.self { self = .int }
            else if T.self == Bool.self { self = .bool }
            else if T.self == Double.self { self = .double }
            else if T.self == Int64.self { self = .int64 }
            else if T.self == UInt64.self { self = .uint64 }
            else if T.self == UInt.self { self = .uint }
            else if T.self == Int32.self { self = .int32 }
            else if T.self == UInt32.self { self = .uint32 }
            else if T.self == Int16.self { self = .int16 }
            else if T.self == UInt16.self { self = .uint16 }
            else if T.self == Int8.self { self = .int8 }
            else if T.self == UInt8.self { self = .uint8 }
            else if T.self == Float.self { self = .float }
            else if T.self == Int128.self { self = .int128 }
            else if T.self == UInt128.self { self = .uint128 }
            else { return nil }
        }
    }

    /// A plain value as `T`, which `plain` says it is. (`unsafeBitCast`, not a checked
    /// cast: the types are identical, and a cast would cost a runtime call when `T` is not
    /// known statically. The result is `T`, not `T?`: an optional of an unspecialised `T`
    /// looks up its metadata on every call.)
    @inline(__always)
    func decodePlain<T>(
        _ plain: PlainType, _ type: T.Type, from value: PerlResolvedValue, at path: () -> PerlCodingPath
    ) throws -> T {
        switch plain {
        case .string: unsafeBitCast(try string(value, at: path()), to: T.self)
        case .bool: unsafeBitCast(try bool(value, at: path()), to: T.self)
        case .double: unsafeBitCast(try floatingPoint(Double.self, value, at: path()), to: T.self)
        case .float: unsafeBitCast(try floatingPoint(Float.self, value, at: path()), to: T.self)
        case .int: unsafeBitCast(try integer(Int.self, value, at: path()), to: T.self)
        case .int8: unsafeBitCast(try integer(Int8.self, value, at: path()), to: T.self)
        case .int16: unsafeBitCast(try integer(Int16.self, value, at: path()), to: T.self)
        case .int32: unsafeBitCast(try integer(Int32.self, value, at: path()), to: T.self)
        case .int64: unsafeBitCast(try integer(Int64.self, value, at: path()), to: T.self)
        case .int128: unsafeBitCast(try integer(Int128.self, value, at: path()), to: T.self)
        case .uint: unsafeBitCast(try integer(UInt.self, value, at: path()), to: T.self)
        case .uint8: unsafeBitCast(try integer(UInt8.self, value, at: path()), to: T.self)
        case .uint16: unsafeBitCast(try integer(UInt16.self, value, at: path()), to: T.self)
        case .uint32: unsafeBitCast(try integer(UInt32.self, value, at: path()), to: T.self)
        case .uint64: unsafeBitCast(try integer(UInt64.self, value, at: path()), to: T.self)
        case .uint128: unsafeBitCast(try integer(UInt128.self, value, at: path()), to: T.self)
        }
    }

    /// An array of a plain type, `T` being `[E]` for the `E` that `plain` names: a loop
    /// specialised for each plain type, since such arrays (coordinates, ids) are often
    /// the bulk of a document and the generic loop pays a metadata lookup per array.
    /// `element` gives the elements resolved, in order (a JSON tape walks to each from
    /// the one before).
    func decodePlainArray<T>(
        _ plain: PlainType, count: Int, as type: T.Type, at path: () -> PerlCodingPath,
        element: (Int) throws -> PerlResolvedValue
    ) throws -> T {
        switch plain {
        case .string: unsafeBitCast(try plainArray(plain, String.self, count, at: path, element), to: T.self)
        case .bool: unsafeBitCast(try plainArray(plain, Bool.self, count, at: path, element), to: T.self)
        case .double: unsafeBitCast(try plainArray(plain, Double.self, count, at: path, element), to: T.self)
        case .float: unsafeBitCast(try plainArray(plain, Float.self, count, at: path, element), to: T.self)
        case .int: unsafeBitCast(try plainArray(plain, Int.self, count, at: path, element), to: T.self)
        case .int8: unsafeBitCast(try plainArray(plain, Int8.self, count, at: path, element), to: T.self)
        case .int16: unsafeBitCast(try plainArray(plain, Int16.self, count, at: path, element), to: T.self)
        case .int32: unsafeBitCast(try plainArray(plain, Int32.self, count, at: path, element), to: T.self)
        case .int64: unsafeBitCast(try plainArray(plain, Int64.self, count, at: path, element), to: T.self)
        case .int128: unsafeBitCast(try plainArray(plain, Int128.self, count, at: path, element), to: T.self)
        case .uint: unsafeBitCast(try plainArray(plain, UInt.self, count, at: path, element), to: T.self)
        case .uint8: unsafeBitCast(try plainArray(plain, UInt8.self, count, at: path, element), to: T.self)
        case .uint16: unsafeBitCast(try plainArray(plain, UInt16.self, count, at: path, element), to: T.self)
        case .uint32: unsafeBitCast(try plainArray(plain, UInt32.self, count, at: path, element), to: T.self)
        case .uint64: unsafeBitCast(try plainArray(plain, UInt64.self, count, at: path, element), to: T.self)
        case .uint128: unsafeBitCast(try plainArray(plain, UInt128.self, count, at: path, element), to: T.self)
        }
    }

    private func plainArray<E>(
        _ plain: PlainType, _ type: E.Type, _ count: Int, at path: () -> PerlCodingPath,
        _ element: (Int) throws -> PerlResolvedValue
    ) throws -> [E] {
        var array: [E] = []
        array.reserveCapacity(count)
        for index in 0..<count {
            let resolved = try element(index)
            array.append(try decodePlain(plain, E.self, from: resolved, at: { path().appending(index: index) }))
        }
        return array
    }

    /// A byte collection (`[UInt8]`, `Data`, … anything range-replaceable of `UInt8`)
    /// from a byte string, or from a character string that Perl could downgrade to one.
    func decodeByteCollection<T>(
        _ collectionType: any RangeReplaceableCollection<UInt8>.Type, _ type: T.Type, from value: PerlResolvedValue,
        at path: PerlCodingPath
    ) throws -> T {
        let bytes: [UInt8]
        switch value.value {
        case .bytes(let contents):
            bytes = Array(contents)
        case .string(let text):
            var latin1: [UInt8] = []
            latin1.reserveCapacity(text.unicodeScalars.count)
            for scalar in text.unicodeScalars {
                guard scalar.value <= 0xFF else {
                    throw error(
                        .typeMismatch(
                            expected: "\(T.self) (bytes)",
                            found: "\(value.description), which has characters above U+00FF"),
                        at: path, type: T.self)
                }
                latin1.append(UInt8(scalar.value))
            }
            bytes = latin1
        default:
            preconditionFailure("byte collections are decoded from strings only")
        }
        // `collectionType` is `T`'s own metatype, so the cast cannot fail.
        return Self.makeCollection(collectionType, bytes) as! T
    }

    private static func makeCollection<C: RangeReplaceableCollection<UInt8>>(_ type: C.Type, _ bytes: [UInt8]) -> C {
        if let array = bytes as? C { return array }
        return C(bytes)
    }

    /// What the bridge needs to know of a non-plain type, found once per type: the
    /// runtime's conformance checks are costly, and every value of the type would ask.
    struct TypeTraits {
        var byteCollection: (any RangeReplaceableCollection<UInt8>.Type)?
        var array: (any PerlDecodableArray.Type)?
        var stringKeyedDictionary: (any PerlDecodableStringKeyedDictionary.Type)?
    }

    /// Touched for every non-plain value; the context is confined to one `decode` call on
    /// one thread, so the exclusivity check on each access buys nothing.
    @exclusivity(unchecked) private var typeTraits = PerlTypeTraitsCache<TypeTraits>()

    private func traits<T>(of type: T.Type) -> TypeTraits {
        typeTraits.traits(of: type) { type in
            TypeTraits(
                byteCollection: type as? any RangeReplaceableCollection<UInt8>.Type,
                array: type as? any PerlDecodableArray.Type,
                stringKeyedDictionary: type as? any PerlDecodableStringKeyedDictionary.Type)
        }
    }

    // MARK: Plain values

    func bool(_ value: PerlResolvedValue, at path: @autoclosure () -> PerlCodingPath) throws -> Bool {
        switch value.value {
        case .bool(let flag): return flag
        case .integer(0), .unsigned(0): return false
        case .integer(1), .unsigned(1): return true
        case .bytes(let bytes):
            switch bytes {
            case [], [0x30]: return false
            case [0x31]: return true
            default: break
            }
        case .string(let text):
            switch text {
            case "", "0": return false
            case "1": return true
            default: break
            }
        default:
            break
        }
        throw mismatch("Bool", value, at: path(), type: Bool.self)
    }

    func string(_ value: PerlResolvedValue, at path: @autoclosure () -> PerlCodingPath) throws -> String {
        switch value.value {
        case .string(let text): return text
        case .bytes(let bytes): return String(latin1: bytes)
        case .integer(let number): return String(number)
        case .unsigned(let number): return String(number)
        case .vstring(_, let inner):
            if let text = inner.stringValue { return text }
        default:
            break
        }
        throw mismatch("String", value, at: path(), type: String.self)
    }

    func integer<I: FixedWidthInteger>(
        _ type: I.Type, _ value: PerlResolvedValue, at path: @autoclosure () -> PerlCodingPath
    ) throws -> I {
        let number: String
        switch value.value {
        case .integer(let integer):
            if let result = I(exactly: integer) { return result }
            number = String(integer)
        case .unsigned(let integer):
            if let result = I(exactly: integer) { return result }
            number = String(integer)
        case .double(let double):
            if let result = I(exactly: double) { return result }
            number = PerlDescribe.double(double)
        case .bytes(let bytes):
            switch PerlNumericText.integer(I.self, bytes) {
            case .value(let result): return result
            case .notRepresentable: number = String(latin1: bytes)
            case .notNumeric: throw mismatch(String(describing: I.self), value, at: path(), type: I.self)
            }
        case .string(let text):
            switch PerlNumericText.integer(I.self, text.utf8) {
            case .value(let result): return result
            case .notRepresentable: number = text
            case .notNumeric: throw mismatch(String(describing: I.self), value, at: path(), type: I.self)
            }
        default:
            throw mismatch(String(describing: I.self), value, at: path(), type: I.self)
        }
        throw error(.numberNotRepresentable(number, type: String(describing: I.self)), at: path(), type: I.self)
    }

    func floatingPoint<F: BinaryFloatingPoint & LosslessStringConvertible>(
        _ type: F.Type, _ value: PerlResolvedValue, at path: @autoclosure () -> PerlCodingPath
    ) throws -> F {
        let number: String
        switch value.value {
        case .double(let double):
            let result = F(double)
            guard result.isInfinite, double.isFinite else { return result }
            number = PerlDescribe.double(double)
        case .integer(let integer):
            return F(integer)
        case .unsigned(let integer):
            return F(integer)
        case .bytes(let bytes):
            guard let parsed = PerlNumericText.floatingPoint(F.self, bytes) else {
                throw mismatch(String(describing: F.self), value, at: path(), type: F.self)
            }
            guard parsed.overflowed else { return parsed.value }
            number = String(latin1: bytes)
        case .string(let text):
            guard let parsed = PerlNumericText.floatingPoint(F.self, text.utf8) else {
                throw mismatch(String(describing: F.self), value, at: path(), type: F.self)
            }
            guard parsed.overflowed else { return parsed.value }
            number = text
        default:
            throw mismatch(String(describing: F.self), value, at: path(), type: F.self)
        }
        throw error(.numberNotRepresentable(number, type: String(describing: F.self)), at: path(), type: F.self)
    }
}

/// What a decoder needs to know of a non-plain type, found once per type: the runtime's
/// conformance checks are costly, and every value of the type would ask.
struct PerlTypeTraitsCache<Traits> {
    private var known: [ObjectIdentifier: Traits] = [:]
    /// A small direct-mapped cache in front of `known`, by the metatype's address: a
    /// document's few types are asked for over and over, and hashing the identifier for
    /// the dictionary cost more than the rest of decoding a small struct's field.
    private var recent = [(type: ObjectIdentifier, traits: Traits)?](repeating: nil, count: 32)

    @inline(__always)
    mutating func traits<T>(of type: T.Type, _ find: (T.Type) -> Traits) -> Traits {
        let identifier = ObjectIdentifier(type)
        // Metadata addresses share their low bits (types are laid out at like distances),
        // so the slot is taken from the high bits of a multiplicative hash.
        let slot = Int(truncatingIfNeeded: (UInt64(UInt(bitPattern: identifier)) &* 0x9E37_79B9_7F4A_7C15) >> 59)
        if let cached = recent[slot], cached.type == identifier { return cached.traits }
        return miss(identifier, slot) { find(type) }
    }

    /// Not generic over the decoded type, so that it is specialized for `Traits`: an
    /// unspecialized lookup pays for `Optional<Traits>`'s metadata on every call.
    private mutating func miss(_ identifier: ObjectIdentifier, _ slot: Int, _ find: () -> Traits) -> Traits {
        let traits: Traits
        if let cached = known[identifier] {
            traits = cached
        } else {
            traits = find()
            known[identifier] = traits
        }
        recent[slot] = (identifier, traits)
        return traits
    }
}

// MARK: - Collections

/// An array the bridge decodes itself, as `Array.init(from:)` would through an unkeyed
/// container: the same elements, depths, paths and errors, without a container.
protocol PerlDecodableArray {
    /// Decodes each element at `depth`, the array's contents' depth. `T` is `Self` (the
    /// caller's static type for it, so that no cast is needed on the way back).
    static func decodeArray<T>(
        _ elements: [PerlValue], as type: T.Type, context: PerlDecodingContext, at path: () -> PerlCodingPath,
        depth: Int, trail: PerlAliasTrail?
    ) throws -> T
}

extension Array: PerlDecodableArray where Element: Decodable {
    static func decodeArray<T>(
        _ elements: [PerlValue], as type: T.Type, context: PerlDecodingContext, at path: () -> PerlCodingPath,
        depth: Int, trail: PerlAliasTrail?
    ) throws -> T {
        if let plain = PerlDecodingContext.PlainType(Element.self) {
            return try context.decodePlainArray(plain, count: elements.count, as: T.self, at: path) { index in
                try context.resolve(elements[index], trail: trail, at: path().appending(index: index))
            }
        }
        // Filled in place: an unspecialised `append` looks up the array's metadata each time.
        let array = try [Element](unsafeUninitializedCapacity: elements.count) { buffer, initialized in
            for index in elements.indices {
                let element = try context.decodeValue(
                    Element.self, from: elements[index], at: path().appending(index: index), depth: depth,
                    trail: trail)
                (buffer.baseAddress.unsafelyUnwrapped + index).initialize(to: element)
                initialized = index + 1
            }
        }
        return unsafeBitCast(array, to: T.self)
    }
}

/// A dictionary with `String` keys that the bridge decodes itself, as
/// `Dictionary.init(from:)` would through a keyed container: every key in the hash's
/// order, a byte key read as Latin-1.
protocol PerlDecodableStringKeyedDictionary {
    /// Decodes each value at `depth`, the hash's contents' depth. `T` is `Self`.
    static func decodeDictionary<T>(
        _ hash: PerlHash, as type: T.Type, context: PerlDecodingContext, at path: () -> PerlCodingPath,
        depth: Int, trail: PerlAliasTrail?
    ) throws -> T
}

extension Dictionary: PerlDecodableStringKeyedDictionary where Key == String, Value: Decodable {
    static func decodeDictionary<T>(
        _ hash: PerlHash, as type: T.Type, context: PerlDecodingContext, at path: () -> PerlCodingPath,
        depth: Int, trail: PerlAliasTrail?
    ) throws -> T {
        var dictionary = [String: Value](minimumCapacity: hash.count)
        for (key, value) in hash {
            let name = key.description
            dictionary[name] = try context.decodeValue(
                Value.self, from: value, at: path().appending(PerlCodingKey(stringValue: name)), depth: depth,
                trail: trail)
        }
        return unsafeBitCast(dictionary, to: T.self)
    }
}

// MARK: - Decoder and containers

/// The `Decoder` a type's `init(from:)` receives: one per decoded value.
struct PerlValueDecoderImplementation: Decoder {
    let context: PerlDecodingContext
    let value: PerlResolvedValue
    let path: PerlCodingPath
    let depth: Int
    /// The type being decoded, for error messages; `nil` for a nested container.
    let type: Any.Type?

    var codingPath: [any CodingKey] { path.keys }
    var userInfo: [CodingUserInfoKey: Any] { context.userInfo }

    func container<Key: CodingKey>(keyedBy keyType: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .hash(let hash) = value.value else {
            throw context.mismatch(
                type.map { "a hash reference (for \($0))" } ?? "a hash reference", value, at: path,
                type: type ?? [String: Any].self)
        }
        return KeyedDecodingContainer(PerlKeyedDecodingContainer<Key>(decoder: self, hash: hash))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let elements) = value.value else {
            throw context.mismatch(
                type.map { "an array reference (for \($0))" } ?? "an array reference", value, at: path,
                type: type ?? [Any].self)
        }
        return PerlUnkeyedDecodingContainer(decoder: self, elements: elements)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        PerlSingleValueDecodingContainer(decoder: self)
    }

    /// A decoder for a nested container's contents, one level deeper.
    func nested(_ raw: PerlValue, at path: PerlCodingPath, type: Any.Type?) throws -> PerlValueDecoderImplementation {
        let resolved = try context.resolve(raw, trail: value.trail, at: path)
        guard depth < context.options.maximumDepth else {
            throw context.error(
                .depthLimitExceeded(
                    limit: context.options.maximumDepth, cycle: PerlAliasTrail.repeatedAnchor(in: resolved.trail)),
                at: path, type: type ?? Any.self)
        }
        return PerlValueDecoderImplementation(
            context: context, value: resolved, path: path, depth: depth + 1, type: type)
    }

    func resolve(_ raw: PerlValue, at path: @autoclosure () -> PerlCodingPath) throws -> PerlResolvedValue {
        try context.resolve(raw, trail: value.trail, at: path())
    }
}

struct PerlKeyedDecodingContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: PerlValueDecoderImplementation
    let hash: PerlHash

    var codingPath: [any CodingKey] { decoder.codingPath }

    /// The keys the type knows, in the hash's order. Byte keys are read as Latin-1.
    var allKeys: [Key] { hash.keys.compactMap { Key(stringValue: $0.description) } }

    func contains(_ key: Key) -> Bool { hash[.string(key.stringValue)] != nil }

    /// The value for `key`, looked up where the previous key of this hash was found, plus
    /// one (see ``PerlDecodingContext/keyHint``).
    private func lookup(_ key: Key) -> PerlValue? {
        let context = decoder.context
        let identity = hash.storageIdentity
        var expected = context.keyHint.hash == identity ? context.keyHint.position : 0
        let value = hash.value(forKey: .string(key.stringValue), expectedAt: &expected)
        context.keyHint = (identity, expected)
        return value
    }

    private func raw(_ key: Key, type: Any.Type) throws -> PerlValue {
        guard let value = lookup(key) else {
            throw decoder.context.error(.keyNotFound(key.stringValue), at: decoder.path, type: type)
        }
        return value
    }

    private func resolved(_ key: Key, type: Any.Type) throws -> PerlResolvedValue {
        try decoder.resolve(raw(key, type: type), at: decoder.path.appending(key))
    }

    func decodeNil(forKey key: Key) throws -> Bool { try resolved(key, type: Never.self).isUndef }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool {
        try decoder.context.bool(resolved(key, type: type), at: decoder.path.appending(key))
    }
    func decode(_ type: String.Type, forKey key: Key) throws -> String {
        try decoder.context.string(resolved(key, type: type), at: decoder.path.appending(key))
    }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try floatingPoint(type, key) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try floatingPoint(type, key) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try integer(type, key) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try integer(type, key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try integer(type, key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try integer(type, key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try integer(type, key) }
    func decode(_ type: Int128.Type, forKey key: Key) throws -> Int128 { try integer(type, key) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try integer(type, key) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try integer(type, key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try integer(type, key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try integer(type, key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try integer(type, key) }
    func decode(_ type: UInt128.Type, forKey key: Key) throws -> UInt128 { try integer(type, key) }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try decoder.context.decodeValue(
            type, from: raw(key, type: type), at: decoder.path.appending(key), depth: decoder.depth,
            trail: decoder.value.trail)
    }

    /// One lookup instead of the default's three (`contains`, `decodeNil`, `decode`).
    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        try present(type, key)
    }

    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? { try present(type, key) }
    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? { try present(type, key) }
    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? { try present(type, key) }
    func decodeIfPresent(_ type: Float.Type, forKey key: Key) throws -> Float? { try present(type, key) }
    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { try present(type, key) }
    func decodeIfPresent(_ type: Int8.Type, forKey key: Key) throws -> Int8? { try present(type, key) }
    func decodeIfPresent(_ type: Int16.Type, forKey key: Key) throws -> Int16? { try present(type, key) }
    func decodeIfPresent(_ type: Int32.Type, forKey key: Key) throws -> Int32? { try present(type, key) }
    func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? { try present(type, key) }
    func decodeIfPresent(_ type: Int128.Type, forKey key: Key) throws -> Int128? { try present(type, key) }
    func decodeIfPresent(_ type: UInt.Type, forKey key: Key) throws -> UInt? { try present(type, key) }
    func decodeIfPresent(_ type: UInt8.Type, forKey key: Key) throws -> UInt8? { try present(type, key) }
    func decodeIfPresent(_ type: UInt16.Type, forKey key: Key) throws -> UInt16? { try present(type, key) }
    func decodeIfPresent(_ type: UInt32.Type, forKey key: Key) throws -> UInt32? { try present(type, key) }
    func decodeIfPresent(_ type: UInt64.Type, forKey key: Key) throws -> UInt64? { try present(type, key) }
    func decodeIfPresent(_ type: UInt128.Type, forKey key: Key) throws -> UInt128? { try present(type, key) }

    /// A plain value or `nil`, with one lookup; `decodeValue` recognizes the plain types.
    private func present<T: Decodable>(_ type: T.Type, _ key: Key) throws -> T? {
        guard let raw = lookup(key) else { return nil }
        let resolved = try decoder.resolve(raw, at: decoder.path.appending(key))
        if resolved.isUndef { return nil }
        return try decoder.context.decodeResolved(
            type, from: resolved, at: decoder.path.appending(key), depth: decoder.depth)
    }

    private func integer<I: FixedWidthInteger>(_ type: I.Type, _ key: Key) throws -> I {
        try decoder.context.integer(type, resolved(key, type: type), at: decoder.path.appending(key))
    }

    private func floatingPoint<F: BinaryFloatingPoint & LosslessStringConvertible>(_ type: F.Type, _ key: Key)
        throws -> F
    {
        try decoder.context.floatingPoint(type, resolved(key, type: type), at: decoder.path.appending(key))
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        try decoder.nested(raw(key, type: [String: Any].self), at: decoder.path.appending(key), type: nil)
            .container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try decoder.nested(raw(key, type: [Any].self), at: decoder.path.appending(key), type: nil)
            .unkeyedContainer()
    }

    /// The value for `super`; `undef` when there is none, as with Foundation's decoders.
    func superDecoder() throws -> any Decoder {
        let key = PerlCodingKey.super
        return try decoder.nested(hash[.string(key.stringValue)] ?? .undef, at: decoder.path.appending(key), type: nil)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        try decoder.nested(hash[.string(key.stringValue)] ?? .undef, at: decoder.path.appending(key), type: nil)
    }
}

struct PerlUnkeyedDecodingContainer: UnkeyedDecodingContainer {
    let decoder: PerlValueDecoderImplementation
    let elements: [PerlValue]
    private(set) var currentIndex = 0

    init(decoder: PerlValueDecoderImplementation, elements: [PerlValue]) {
        self.decoder = decoder
        self.elements = elements
    }

    var codingPath: [any CodingKey] { decoder.codingPath }
    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    private var currentPath: PerlCodingPath { decoder.path.appending(index: currentIndex) }

    /// The next element; the index moves on only once it has been decoded.
    private func next(_ type: Any.Type) throws -> PerlValue {
        guard !isAtEnd else {
            throw decoder.context.error(
                .arrayExhausted(expected: String(describing: type), count: elements.count), at: currentPath, type: type)
        }
        return elements[currentIndex]
    }

    private func resolvedNext(_ type: Any.Type) throws -> PerlResolvedValue {
        try decoder.resolve(next(type), at: currentPath)
    }

    mutating func decodeNil() throws -> Bool {
        guard try resolvedNext(Never.self).isUndef else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool {
        let result = try decoder.context.bool(resolvedNext(type), at: currentPath)
        currentIndex += 1
        return result
    }

    mutating func decode(_ type: String.Type) throws -> String {
        let result = try decoder.context.string(resolvedNext(type), at: currentPath)
        currentIndex += 1
        return result
    }

    mutating func decode(_ type: Double.Type) throws -> Double { try floatingPoint(type) }
    mutating func decode(_ type: Float.Type) throws -> Float { try floatingPoint(type) }
    mutating func decode(_ type: Int.Type) throws -> Int { try integer(type) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
    mutating func decode(_ type: Int128.Type) throws -> Int128 { try integer(type) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }
    mutating func decode(_ type: UInt128.Type) throws -> UInt128 { try integer(type) }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let result = try decoder.context.decodeValue(
            type, from: next(type), at: currentPath, depth: decoder.depth, trail: decoder.value.trail)
        currentIndex += 1
        return result
    }

    private mutating func integer<I: FixedWidthInteger>(_ type: I.Type) throws -> I {
        let result = try decoder.context.integer(type, resolvedNext(type), at: currentPath)
        currentIndex += 1
        return result
    }

    private mutating func floatingPoint<F: BinaryFloatingPoint & LosslessStringConvertible>(_ type: F.Type)
        throws -> F
    {
        let result = try decoder.context.floatingPoint(type, resolvedNext(type), at: currentPath)
        currentIndex += 1
        return result
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        let container = try decoder.nested(next([String: Any].self), at: currentPath, type: nil)
            .container(keyedBy: type)
        currentIndex += 1
        return container
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let container = try decoder.nested(next([Any].self), at: currentPath, type: nil).unkeyedContainer()
        currentIndex += 1
        return container
    }

    mutating func superDecoder() throws -> any Decoder {
        let superDecoder = try decoder.nested(next(Any.self), at: currentPath, type: nil)
        currentIndex += 1
        return superDecoder
    }
}

struct PerlSingleValueDecodingContainer: SingleValueDecodingContainer {
    let decoder: PerlValueDecoderImplementation

    var codingPath: [any CodingKey] { decoder.codingPath }
    private var context: PerlDecodingContext { decoder.context }
    private var value: PerlResolvedValue { decoder.value }
    private var path: PerlCodingPath { decoder.path }

    func decodeNil() -> Bool { value.isUndef }
    func decode(_ type: Bool.Type) throws -> Bool { try context.bool(value, at: path) }
    func decode(_ type: String.Type) throws -> String { try context.string(value, at: path) }
    func decode(_ type: Double.Type) throws -> Double { try context.floatingPoint(type, value, at: path) }
    func decode(_ type: Float.Type) throws -> Float { try context.floatingPoint(type, value, at: path) }
    func decode(_ type: Int.Type) throws -> Int { try context.integer(type, value, at: path) }
    func decode(_ type: Int8.Type) throws -> Int8 { try context.integer(type, value, at: path) }
    func decode(_ type: Int16.Type) throws -> Int16 { try context.integer(type, value, at: path) }
    func decode(_ type: Int32.Type) throws -> Int32 { try context.integer(type, value, at: path) }
    func decode(_ type: Int64.Type) throws -> Int64 { try context.integer(type, value, at: path) }
    func decode(_ type: Int128.Type) throws -> Int128 { try context.integer(type, value, at: path) }
    func decode(_ type: UInt.Type) throws -> UInt { try context.integer(type, value, at: path) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try context.integer(type, value, at: path) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try context.integer(type, value, at: path) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try context.integer(type, value, at: path) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try context.integer(type, value, at: path) }
    func decode(_ type: UInt128.Type) throws -> UInt128 { try context.integer(type, value, at: path) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        // The value is already resolved; it takes this decoder's place, one level deeper.
        try context.decodeResolved(type, from: value, at: path, depth: decoder.depth)
    }
}

// MARK: - Numeric strings

/// Perl's decimal number text, parsed exactly.
enum PerlNumericText {
    enum IntegerResult<I> {
        case value(I)
        /// Numeric text, but not an integer the type can hold.
        case notRepresentable
        /// Not numeric text at all.
        case notNumeric
    }

    /// A decimal number's parts: `digits` (without leading zeros) × 10^`exponent`.
    private struct Decimal {
        var isNegative = false
        var digits: [UInt8] = []
        var exponent = 0
    }

    /// Splits `[+-]digits[.digits][(e|E)[+-]digits]` (at least one mantissa digit) into
    /// its parts; `nil` for anything else.
    private static func decimal(_ text: some Collection<UInt8>) -> Decimal? {
        var result = Decimal()
        var iterator = text.makeIterator()
        var byte = iterator.next()
        if byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+") {
            result.isNegative = byte == UInt8(ascii: "-")
            byte = iterator.next()
        }
        var mantissaDigits = 0
        var fractionDigits = 0
        var inFraction = false
        while let current = byte {
            if current >= UInt8(ascii: "0"), current <= UInt8(ascii: "9") {
                mantissaDigits += 1
                if inFraction { fractionDigits += 1 }
                // Leading zeros are dropped; after the point they still count in
                // `fractionDigits`, which alone decides the scale.
                if current != UInt8(ascii: "0") || !result.digits.isEmpty {
                    result.digits.append(current &- UInt8(ascii: "0"))
                }
            } else if current == UInt8(ascii: "."), !inFraction {
                inFraction = true
            } else {
                break
            }
            byte = iterator.next()
        }
        guard mantissaDigits > 0 else { return nil }
        var exponent = 0
        if let marker = byte {
            guard marker == UInt8(ascii: "e") || marker == UInt8(ascii: "E") else { return nil }
            byte = iterator.next()
            var negativeExponent = false
            if byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+") {
                negativeExponent = byte == UInt8(ascii: "-")
                byte = iterator.next()
            }
            var exponentDigits = 0
            while let current = byte {
                guard current >= UInt8(ascii: "0"), current <= UInt8(ascii: "9") else { return nil }
                exponentDigits += 1
                // Saturate: anything this large is out of every type's range anyway.
                exponent = min(exponent * 10 + Int(current &- UInt8(ascii: "0")), 1_000_000)
                byte = iterator.next()
            }
            guard exponentDigits > 0 else { return nil }
            if negativeExponent { exponent = -exponent }
        }
        result.exponent = exponent - fractionDigits
        // Trailing zeros belong in the exponent: `2.50` is 25 × 10^-1.
        while result.digits.last == 0 {
            result.digits.removeLast()
            result.exponent += 1
        }
        return result
    }

    /// The integer `text` denotes, if it is numeric text for one that `I` holds.
    static func integer<I: FixedWidthInteger>(_ type: I.Type, _ text: some Collection<UInt8>) -> IntegerResult<I> {
        guard let decimal = decimal(text) else { return .notNumeric }
        guard !decimal.digits.isEmpty else { return .value(0) }  // zero, however written
        guard decimal.exponent >= 0, decimal.digits.count + decimal.exponent <= 39 else { return .notRepresentable }
        var magnitude: UInt128 = 0
        for digit in decimal.digits {
            let (scaled, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = scaled.addingReportingOverflow(UInt128(digit))
            guard !overflow1, !overflow2 else { return .notRepresentable }
            magnitude = sum
        }
        for _ in 0..<decimal.exponent {
            let (scaled, overflow) = magnitude.multipliedReportingOverflow(by: 10)
            guard !overflow else { return .notRepresentable }
            magnitude = scaled
        }
        if decimal.isNegative {
            let signed: Int128
            if magnitude == UInt128(Int128.max) + 1 {
                signed = .min
            } else if let positive = Int128(exactly: magnitude) {
                signed = -positive
            } else {
                return .notRepresentable
            }
            return I(exactly: signed).map { .value($0) } ?? .notRepresentable
        }
        return I(exactly: magnitude).map { .value($0) } ?? .notRepresentable
    }

    /// The number `text` denotes, correctly rounded; `overflowed` when it is finite text
    /// beyond the type's range. `nil` when it is not numeric text.
    static func floatingPoint<F: BinaryFloatingPoint & LosslessStringConvertible>(
        _ type: F.Type, _ text: some Collection<UInt8>
    ) -> (value: F, overflowed: Bool)? {
        if let special = special(F.self, text) { return (special, false) }
        guard decimal(text) != nil else { return nil }
        // Validated as plain decimal, so the standard parser (correctly rounded) sees no
        // hexadecimal, whitespace or other forms Perl would not have written.
        guard let value = F(String(decoding: text, as: UTF8.self)) else { return nil }
        return (value, value.isInfinite)
    }

    /// `Inf`, `Infinity`, `NaN` in any case, optionally signed (Perl prints `Inf`, `-Inf`
    /// and `NaN`).
    private static func special<F: BinaryFloatingPoint>(_ type: F.Type, _ text: some Collection<UInt8>) -> F? {
        guard let first = text.first, text.count <= 9 else { return nil }
        var word = String(decoding: text, as: UTF8.self).lowercased()
        var sign: F = 1
        if first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            if first == UInt8(ascii: "-") { sign = -1 }
            word.removeFirst()
        }
        switch word {
        case "inf", "infinity": return sign * .infinity
        case "nan": return .nan
        default: return nil
        }
    }
}

// MARK: - Describing values in errors

enum PerlDescribe {
    /// Longest text quoted in a message before it is shortened.
    static let maximumQuotedLength = 48

    static func value(_ value: PerlValue) -> String {
        switch value {
        case .undef, .hole: return "undef"
        case .integer(let number): return "the integer \(number)"
        case .unsigned(let number): return "the integer \(number)"
        case .double(let number): return "the number \(double(number))"
        case .bool(let flag): return "the boolean \(flag)"
        case .bytes: return "the byte string \(shortened(value.description))"
        case .string: return "the string \(shortened(value.description))"
        case .vstring(let literal, _): return "the version string \(literal)"
        case .array(let elements):
            return "an array reference (\(elements.count) element\(elements.count == 1 ? "" : "s"))"
        case .hash(let hash): return "a hash reference (\(hash.count) key\(hash.count == 1 ? "" : "s"))"
        case .scalarReference: return "a scalar reference"
        case .regexp: return "the regexp \(shortened(value.description))"
        case .code: return "a code reference"
        case .hooked(let object): return "an object of class \(object.className) serialized by its STORABLE_freeze hook"
        case .blessed(let name, let inner): return "\(Self.value(inner)) blessed into \(name)"
        case .weak(let inner): return Self.value(inner)
        case .anchored(_, let inner): return Self.value(inner)
        case .alias(let anchor): return "alias *\(anchor.id)"
        }
    }

    static func double(_ number: Double) -> String { PerlValue.double(number).description }

    static func quoted(_ text: String) -> String { shortened(PerlValue.string(text).description) }

    private static func shortened(_ text: String) -> String {
        guard text.count > maximumQuotedLength else { return text }
        return text.prefix(maximumQuotedLength - 1) + "…"
    }
}
