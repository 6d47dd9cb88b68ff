// The Codable bridge, encoding half: any `Encodable` value → `PerlValue`.
//
// The bridge knows nothing of any serialization format. Storable (and, later, JSON and
// YAML) add thin conveniences on top: encode to a `PerlValue` here, then serialize it.
//
// | Swift                                   | PerlValue                                      |
// |-----------------------------------------|------------------------------------------------|
// | keyed container (struct, class, enum)   | `.hash`, `.string` keys in encoding order      |
// | `[String: V]`, `[Int: V]`               | `.hash` (`Int` keys as their decimal text)     |
// | unkeyed container (`Array`, `Set`, …)   | `.array`                                       |
// | `Bool`                                  | `.bool`                                        |
// | `Int`, `Int8` … `Int64`                 | `.integer`                                     |
// | `UInt`, `UInt8` … `UInt64`              | `.integer`, or `.unsigned` above `Int64.max`   |
// | `Int128`, `UInt128`                     | as above when 64 bits hold it, else the exact  |
// |                                         | decimal text as a byte string (as Perl would)  |
// | `Float`, `Double`                       | `.double` (NaN and infinities included)        |
// | `String`                                | `.string`                                      |
// | `nil` (`encodeNil`)                     | `.undef`; `encodeIfPresent(nil)` omits the key |
// | byte collections (`[UInt8]`, `Data`, …) | `.bytes` (see `encodesBytesAsByteStrings`)     |

/// How ``PerlValueEncoder`` builds values.
public struct PerlValueEncodingOptions: Hashable, Sendable {
    /// Encode every `RangeReplaceableCollection` of `UInt8` (`[UInt8]`, `ArraySlice<UInt8>`,
    /// Foundation's `Data`, …) as one Perl byte string, ``PerlValue/bytes(_:)``, rather than
    /// as an array of small integers.
    ///
    /// Binary data in Perl is a string without the UTF-8 flag; an array reference of
    /// numbers is what Perl code would almost never expect for it. The collection is
    /// recognized by protocol, so `Data` is covered without RefWire importing Foundation.
    /// ``PerlValueDecoder`` reads such collections from either form.
    public var encodesBytesAsByteStrings: Bool = true

    /// Deepest nesting of values to encode. Swift values are finite trees, but a class
    /// graph whose `encode(to:)` follows a cycle is not: the limit turns endless recursion
    /// into ``PerlValueEncodingError/Kind/depthLimitExceeded(limit:)`` long before the
    /// stack runs out.
    public var maximumDepth: Int = 512

    public init() {}
}

/// Encodes `Encodable` values as ``PerlValue``s, the format-neutral half of every
/// serializer's Codable support.
///
/// ```swift
/// struct Job: Codable { var command: String; var args: [Int] }
/// let value = try PerlValueEncoder().encode(Job(command: "publish", args: [1, 2]))
/// // {"command" => "publish", "args" => [1, 2]}
/// ```
///
/// Keyed containers become hash references whose keys keep the order in which they were
/// encoded (synthesized conformances encode properties in declaration order), so the
/// same value always serializes to the same bytes.
public struct PerlValueEncoder: Sendable {
    public var options: PerlValueEncodingOptions
    /// Values handed to the types' `encode(to:)` through `Encoder.userInfo`.
    public var userInfo: [CodingUserInfoKey: any Sendable]

    public init(
        options: PerlValueEncodingOptions = PerlValueEncodingOptions(),
        userInfo: [CodingUserInfoKey: any Sendable] = [:]
    ) {
        self.options = options
        self.userInfo = userInfo
    }

    /// Encodes `value`.
    ///
    /// Errors the value's own `encode(to:)` throws are reported as
    /// ``PerlValueEncodingError`` too, with the original in
    /// ``PerlValueEncodingError/underlyingError``.
    public func encode<T: Encodable>(_ value: T) throws(PerlValueEncodingError) -> PerlValue {
        let context = PerlEncodingContext(options: options, userInfo: userInfo)
        do {
            if let value = try context.encodeValue(value, at: .root, depth: 0, isTopLevel: true) {
                return value
            }
        } catch {
            throw PerlValueEncodingError(converting: error)
        }
        throw PerlValueEncodingError(.nothingEncoded(type: String(describing: T.self)), codingPath: [])
    }
}

/// Why a value could not be encoded as a ``PerlValue``, and where.
public struct PerlValueEncodingError: Error, CustomStringConvertible {
    public enum Kind: Hashable, Sendable {
        /// The top-level value's `encode(to:)` encoded nothing at all. (A nested value that
        /// encodes nothing becomes an empty hash, as with Foundation's `JSONEncoder`.)
        case nothingEncoded(type: String)
        /// Nesting deeper than ``PerlValueEncodingOptions/maximumDepth``.
        case depthLimitExceeded(limit: Int)
        /// The value's own `encode(to:)` refused it: an `EncodingError.invalidValue`, or
        /// any other error it threw (kept in ``PerlValueEncodingError/underlyingError``).
        case invalidValue(String)
    }

    public var kind: Kind
    /// Where in the value the error happened.
    public var codingPath: [any CodingKey]
    /// The error a type's `encode(to:)` threw, when it threw one of its own.
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
        case .nothingEncoded(let type): what = "\(type) did not encode any value"
        case .depthLimitExceeded(let limit):
            what = "nesting deeper than \(limit) levels (does encode(to:) follow a cycle?)"
        case .invalidValue(let reason): what = reason
        }
        return "PerlValue encoding: at \(codingPathDescription): \(what)"
    }

    /// The error for anything thrown while encoding. Errors raised by the bridge travel
    /// through the types' `encode(to:)` as `EncodingError`s (so the types can handle them
    /// as Codable errors) carrying the bridge's error, which is unwrapped here.
    init(converting error: any Error) {
        switch error {
        case let error as PerlValueEncodingError:
            self = error
        case EncodingError.invalidValue(_, let context):
            if let error = context.underlyingError as? PerlValueEncodingError {
                self = error
            } else {
                self.init(
                    .invalidValue(context.debugDescription), codingPath: context.codingPath,
                    underlyingError: context.underlyingError ?? error)
            }
        default:
            self.init(.invalidValue(String(describing: error)), codingPath: [], underlyingError: error)
        }
    }

    /// The Codable error that carries this one through a type's `encode(to:)`.
    var asEncodingError: EncodingError {
        EncodingError.invalidValue(
            (),
            EncodingError.Context(codingPath: codingPath, debugDescription: description, underlyingError: self))
    }
}

// MARK: - Coding paths (shared with the decoder)

/// A coding path as a persistent linked list: a nested container or value extends its
/// parent's path in O(1), and the `[any CodingKey]` array Codable wants is built only
/// when someone asks (in practice: when an error is reported).
indirect enum PerlCodingPath: Sendable {
    case root
    case key(any CodingKey, parent: PerlCodingPath)

    func appending(_ key: any CodingKey) -> PerlCodingPath { .key(key, parent: self) }
    func appending(index: Int) -> PerlCodingPath { .key(PerlCodingKey(index: index), parent: self) }

    var keys: [any CodingKey] {
        var keys: [any CodingKey] = []
        var node = self
        while case .key(let key, let parent) = node {
            keys.append(key)
            node = parent
        }
        return keys.reversed()
    }

    /// `items[2].name`: array positions in brackets, identifier-like hash keys after a
    /// dot, other keys quoted in brackets (`["first name"]`); `(root)` for the empty path.
    static func render(_ keys: [any CodingKey]) -> String {
        guard !keys.isEmpty else { return "(root)" }
        var output = ""
        for key in keys {
            if let key = key as? PerlCodingKey, let index = key.intValue, key.isIndex {
                output += "[\(index)]"
            } else if isIdentifier(key.stringValue) {
                if !output.isEmpty { output += "." }
                output += key.stringValue
            } else {
                output += "[\""
                for character in key.stringValue.unicodeScalars {
                    if character == "\"" || character == "\\" { output += "\\" }
                    output.unicodeScalars.append(character)
                }
                output += "\"]"
            }
        }
        return output
    }

    private static func isIdentifier(_ text: String) -> Bool {
        var scalars = text.unicodeScalars.makeIterator()
        guard let first = scalars.next(), first == "_" || first.properties.isAlphabetic else { return false }
        while let scalar = scalars.next() {
            guard scalar == "_" || scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) else {
                return false
            }
        }
        return true
    }
}

/// The keys the bridge makes up itself: array positions, and `super` for the default
/// `superEncoder()`/`superDecoder()`.
struct PerlCodingKey: CodingKey, Sendable {
    /// The hash key; unused for an array position, whose text is made only when asked.
    private let name: String
    let intValue: Int?
    /// Whether this key is an array position rather than a hash key.
    let isIndex: Bool

    var stringValue: String { isIndex ? "Index \(intValue.unsafelyUnwrapped)" : name }

    init(index: Int) {
        self.name = ""
        self.intValue = index
        self.isIndex = true
    }

    init(stringValue: String) {
        self.name = stringValue
        self.intValue = nil
        self.isIndex = false
    }

    init(intValue: Int) {
        self.name = String(intValue)
        self.intValue = intValue
        self.isIndex = false
    }

    static let `super` = PerlCodingKey(stringValue: "super")
}

// MARK: - Encoding machinery

/// What one `encode(_:)` call shares across all its nested encoders.
final class PerlEncodingContext {
    let options: PerlValueEncodingOptions
    let userInfo: [CodingUserInfoKey: Any]

    init(options: PerlValueEncodingOptions, userInfo: [CodingUserInfoKey: any Sendable]) {
        self.options = options
        self.userInfo = userInfo.mapValues { $0 as Any }
    }

    /// Encodes one value at `path`. Plain values and byte collections are converted
    /// directly (generic code such as `Array.encode(to:)` reaches them through the
    /// generic `encode`, and a nested encoder per element would cost an allocation each);
    /// everything else gets an encoder of its own.
    ///
    /// - Returns: `nil` only for a top-level value that encoded nothing.
    func encodeValue<T: Encodable>(_ value: T, at path: PerlCodingPath, depth: Int, isTopLevel: Bool = false)
        throws -> PerlValue?
    {
        if let plain = Self.plainValue(value) { return plain }
        if options.encodesBytesAsByteStrings {
            if let bytes = value as? [UInt8] { return .bytes(bytes) }
            if isByteCollection(T.self), let bytes = value as? any RangeReplaceableCollection<UInt8> {
                return .bytes(Self.byteArray(bytes))
            }
        }
        guard depth < options.maximumDepth else {
            throw PerlValueEncodingError(
                .depthLimitExceeded(limit: options.maximumDepth), codingPath: path.keys
            ).asEncodingError
        }
        let encoder = PerlValueEncoderImplementation(context: self, path: path, depth: depth + 1)
        try value.encode(to: encoder)
        if let result = encoder.finish() { return result }
        return isTopLevel ? nil : .hash(PerlHash())
    }

    private static func byteArray<C: Collection<UInt8>>(_ bytes: C) -> [UInt8] { Array(bytes) }

    /// Which types are byte collections, remembered per type: the runtime's conformance
    /// check for a constrained existential is costly, and every generic value asks it.
    private var byteCollectionTypes: [ObjectIdentifier: Bool] = [:]

    private func isByteCollection<T>(_ type: T.Type) -> Bool {
        let identifier = ObjectIdentifier(type)
        if let known = byteCollectionTypes[identifier] { return known }
        let isByteCollection = type is any RangeReplaceableCollection<UInt8>.Type
        byteCollectionTypes[identifier] = isByteCollection
        return isByteCollection
    }

    /// The value for the standard library's plain types, recognized by their static type
    /// (a metatype comparison, folded away when `T` is known at compile time).
    /// (`unsafeBitCast` after the metatype check: the types are identical, and a checked
    /// cast would cost a runtime call when `T` is not known statically.)
    @inline(__always)
    static func plainValue<T>(_ value: T) -> PerlValue? {
        if T.self == String.self { return .string(unsafeBitCast(value, to: String.self)) }
        if T.self == Int.self { return .integer(Int64(unsafeBitCast(value, to: Int.self))) }
        if T.self == Bool.self { return .bool(unsafeBitCast(value, to: Bool.self)) }
        if T.self == Double.self { return .double(unsafeBitCast(value, to: Double.self)) }
        if T.self == Int64.self { return .integer(unsafeBitCast(value, to: Int64.self)) }
        if T.self == UInt64.self { return unsigned(unsafeBitCast(value, to: UInt64.self)) }
        if T.self == UInt.self { return unsigned(UInt64(unsafeBitCast(value, to: UInt.self))) }
        if T.self == Int32.self { return .integer(Int64(unsafeBitCast(value, to: Int32.self))) }
        if T.self == UInt32.self { return .integer(Int64(unsafeBitCast(value, to: UInt32.self))) }
        if T.self == Int16.self { return .integer(Int64(unsafeBitCast(value, to: Int16.self))) }
        if T.self == UInt16.self { return .integer(Int64(unsafeBitCast(value, to: UInt16.self))) }
        if T.self == Int8.self { return .integer(Int64(unsafeBitCast(value, to: Int8.self))) }
        if T.self == UInt8.self { return .integer(Int64(unsafeBitCast(value, to: UInt8.self))) }
        if T.self == Float.self { return .double(Double(unsafeBitCast(value, to: Float.self))) }
        if T.self == Int128.self { return wide(unsafeBitCast(value, to: Int128.self)) }
        if T.self == UInt128.self { return wide(unsafeBitCast(value, to: UInt128.self)) }
        return nil
    }

    /// Perl's own choice for an unsigned number: an IV while it fits, a UV above.
    static func unsigned(_ value: UInt64) -> PerlValue {
        if let signed = Int64(exactly: value) { return .integer(signed) }
        return .unsigned(value)
    }

    /// A 128-bit integer: a number while 64 bits hold it; beyond, its exact decimal text
    /// as a byte string, which is how Perl itself carries integers too large for an IV
    /// or UV (and what ``PerlValueDecoder`` parses back exactly).
    static func wide<I: FixedWidthInteger>(_ value: I) -> PerlValue {
        if let signed = Int64(exactly: value) { return .integer(signed) }
        if let unsigned = UInt64(exactly: value) { return .unsigned(unsigned) }
        return .bytes(PerlBytes(String(value).utf8))
    }
}

/// A container (or super encoder) handed out before its contents are known, filled in
/// later by the code that holds it. Its value is collected when the enclosing
/// encoder finishes.
enum PerlDeferredValue {
    case hash(PerlHashBuilder)
    case array(PerlArrayBuilder)
    case encoder(PerlValueEncoderImplementation)

    func finish() -> PerlValue {
        switch self {
        case .hash(let builder): return builder.finish()
        case .array(let builder): return builder.finish()
        case .encoder(let encoder): return encoder.finish() ?? .hash(PerlHash())
        }
    }
}

/// The hash a keyed container writes to. Plain values go straight into the `PerlHash`
/// (O(1) per key past its index threshold, so large keyed containers stay linear);
/// deferred ones get a placeholder that keeps their key's place in the order.
final class PerlHashBuilder {
    var hash = PerlHash()
    var deferred: [(key: PerlHash.Key, value: PerlDeferredValue)] = []

    func set(_ value: PerlValue, for key: some CodingKey) {
        hash.updateValue(value, forKey: .string(key.stringValue))
    }

    func reserve(_ value: PerlDeferredValue, for key: some CodingKey) {
        let key = PerlHash.Key.string(key.stringValue)
        hash.updateValue(.undef, forKey: key)
        deferred.append((key, value))
    }

    func finish() -> PerlValue {
        for (key, value) in deferred { hash.updateValue(value.finish(), forKey: key) }
        deferred.removeAll()
        return .hash(hash)
    }
}

/// The array an unkeyed container writes to; deferred elements as in ``PerlHashBuilder``.
final class PerlArrayBuilder {
    var elements: [PerlValue] = []
    var deferred: [(index: Int, value: PerlDeferredValue)] = []

    func reserve(_ value: PerlDeferredValue) {
        deferred.append((elements.count, value))
        elements.append(.undef)
    }

    func finish() -> PerlValue {
        for (index, value) in deferred { elements[index] = value.finish() }
        deferred.removeAll()
        return .array(elements)
    }
}

/// The `Encoder` a type's `encode(to:)` receives: one per encoded value.
final class PerlValueEncoderImplementation: Encoder {
    enum Storage {
        case empty
        case value(PerlValue)
        case hash(PerlHashBuilder)
        case array(PerlArrayBuilder)
    }

    let context: PerlEncodingContext
    let path: PerlCodingPath
    let depth: Int
    var storage: Storage = .empty

    init(context: PerlEncodingContext, path: PerlCodingPath, depth: Int) {
        self.context = context
        self.path = path
        self.depth = depth
    }

    var codingPath: [any CodingKey] { path.keys }
    var userInfo: [CodingUserInfoKey: Any] { context.userInfo }

    /// The encoded value; `nil` if nothing was encoded.
    func finish() -> PerlValue? {
        switch storage {
        case .empty: return nil
        case .value(let value): return value
        case .hash(let builder): return builder.finish()
        case .array(let builder): return builder.finish()
        }
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let builder: PerlHashBuilder
        switch storage {
        case .hash(let existing):
            // A subclass and its superclass may both ask for the keyed container.
            builder = existing
        case .empty:
            builder = PerlHashBuilder()
            storage = .hash(builder)
        case .value, .array:
            preconditionFailure("PerlValueEncoder: a keyed container was requested after another kind was used")
        }
        return KeyedEncodingContainer(
            PerlKeyedEncodingContainer<Key>(context: context, builder: builder, path: path, depth: depth))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let builder: PerlArrayBuilder
        switch storage {
        case .array(let existing):
            builder = existing
        case .empty:
            builder = PerlArrayBuilder()
            storage = .array(builder)
        case .value, .hash:
            preconditionFailure("PerlValueEncoder: an unkeyed container was requested after another kind was used")
        }
        return PerlUnkeyedEncodingContainer(context: context, builder: builder, path: path, depth: depth)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        PerlSingleValueEncodingContainer(encoder: self)
    }
}

struct PerlKeyedEncodingContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let context: PerlEncodingContext
    let builder: PerlHashBuilder
    let path: PerlCodingPath
    let depth: Int

    var codingPath: [any CodingKey] { path.keys }

    mutating func encodeNil(forKey key: Key) throws { builder.set(.undef, for: key) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { builder.set(.bool(value), for: key) }
    mutating func encode(_ value: String, forKey key: Key) throws { builder.set(.string(value), for: key) }
    mutating func encode(_ value: Double, forKey key: Key) throws { builder.set(.double(value), for: key) }
    mutating func encode(_ value: Float, forKey key: Key) throws { builder.set(.double(Double(value)), for: key) }
    mutating func encode(_ value: Int, forKey key: Key) throws { builder.set(.integer(Int64(value)), for: key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { builder.set(.integer(Int64(value)), for: key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { builder.set(.integer(Int64(value)), for: key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { builder.set(.integer(Int64(value)), for: key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { builder.set(.integer(value), for: key) }
    mutating func encode(_ value: Int128, forKey key: Key) throws {
        builder.set(PerlEncodingContext.wide(value), for: key)
    }
    mutating func encode(_ value: UInt, forKey key: Key) throws {
        builder.set(PerlEncodingContext.unsigned(UInt64(value)), for: key)
    }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { builder.set(.integer(Int64(value)), for: key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { builder.set(.integer(Int64(value)), for: key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { builder.set(.integer(Int64(value)), for: key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws {
        builder.set(PerlEncodingContext.unsigned(value), for: key)
    }
    mutating func encode(_ value: UInt128, forKey key: Key) throws {
        builder.set(PerlEncodingContext.wide(value), for: key)
    }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        let encoded = try context.encodeValue(value, at: path.appending(key), depth: depth)
        builder.set(encoded ?? .hash(PerlHash()), for: key)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
        -> KeyedEncodingContainer<NestedKey>
    {
        let nested = PerlHashBuilder()
        builder.reserve(.hash(nested), for: key)
        return KeyedEncodingContainer(
            PerlKeyedEncodingContainer<NestedKey>(
                context: context, builder: nested, path: path.appending(key), depth: depth + 1))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let nested = PerlArrayBuilder()
        builder.reserve(.array(nested), for: key)
        return PerlUnkeyedEncodingContainer(
            context: context, builder: nested, path: path.appending(key), depth: depth + 1)
    }

    mutating func superEncoder() -> any Encoder { superEncoder(for: PerlCodingKey.super) }
    mutating func superEncoder(forKey key: Key) -> any Encoder { superEncoder(for: key) }

    private func superEncoder(for key: some CodingKey) -> any Encoder {
        let encoder = PerlValueEncoderImplementation(context: context, path: path.appending(key), depth: depth + 1)
        builder.reserve(.encoder(encoder), for: key)
        return encoder
    }
}

struct PerlUnkeyedEncodingContainer: UnkeyedEncodingContainer {
    let context: PerlEncodingContext
    let builder: PerlArrayBuilder
    let path: PerlCodingPath
    let depth: Int

    var codingPath: [any CodingKey] { path.keys }
    var count: Int { builder.elements.count }

    mutating func encodeNil() throws { builder.elements.append(.undef) }
    mutating func encode(_ value: Bool) throws { builder.elements.append(.bool(value)) }
    mutating func encode(_ value: String) throws { builder.elements.append(.string(value)) }
    mutating func encode(_ value: Double) throws { builder.elements.append(.double(value)) }
    mutating func encode(_ value: Float) throws { builder.elements.append(.double(Double(value))) }
    mutating func encode(_ value: Int) throws { builder.elements.append(.integer(Int64(value))) }
    mutating func encode(_ value: Int8) throws { builder.elements.append(.integer(Int64(value))) }
    mutating func encode(_ value: Int16) throws { builder.elements.append(.integer(Int64(value))) }
    mutating func encode(_ value: Int32) throws { builder.elements.append(.integer(Int64(value))) }
    mutating func encode(_ value: Int64) throws { builder.elements.append(.integer(value)) }
    mutating func encode(_ value: Int128) throws { builder.elements.append(PerlEncodingContext.wide(value)) }
    mutating func encode(_ value: UInt) throws { builder.elements.append(PerlEncodingContext.unsigned(UInt64(value))) }
    mutating func encode(_ value: UInt8) throws { builder.elements.append(.integer(Int64(value))) }
    mutating func encode(_ value: UInt16) throws { builder.elements.append(.integer(Int64(value))) }
    mutating func encode(_ value: UInt32) throws { builder.elements.append(.integer(Int64(value))) }
    mutating func encode(_ value: UInt64) throws { builder.elements.append(PerlEncodingContext.unsigned(value)) }
    mutating func encode(_ value: UInt128) throws { builder.elements.append(PerlEncodingContext.wide(value)) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        let encoded = try context.encodeValue(value, at: path.appending(index: count), depth: depth)
        builder.elements.append(encoded ?? .hash(PerlHash()))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type)
        -> KeyedEncodingContainer<NestedKey>
    {
        let nested = PerlHashBuilder()
        let nestedPath = path.appending(index: count)
        builder.reserve(.hash(nested))
        return KeyedEncodingContainer(
            PerlKeyedEncodingContainer<NestedKey>(
                context: context, builder: nested, path: nestedPath, depth: depth + 1))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let nested = PerlArrayBuilder()
        let nestedPath = path.appending(index: count)
        builder.reserve(.array(nested))
        return PerlUnkeyedEncodingContainer(context: context, builder: nested, path: nestedPath, depth: depth + 1)
    }

    mutating func superEncoder() -> any Encoder {
        let encoder = PerlValueEncoderImplementation(
            context: context, path: path.appending(index: count), depth: depth + 1)
        builder.reserve(.encoder(encoder))
        return encoder
    }
}

struct PerlSingleValueEncodingContainer: SingleValueEncodingContainer {
    let encoder: PerlValueEncoderImplementation

    var codingPath: [any CodingKey] { encoder.codingPath }

    private func set(_ value: PerlValue) {
        switch encoder.storage {
        case .empty, .value:
            encoder.storage = .value(value)
        case .hash, .array:
            preconditionFailure("PerlValueEncoder: a single value was encoded after a container was requested")
        }
    }

    mutating func encodeNil() throws { set(.undef) }
    mutating func encode(_ value: Bool) throws { set(.bool(value)) }
    mutating func encode(_ value: String) throws { set(.string(value)) }
    mutating func encode(_ value: Double) throws { set(.double(value)) }
    mutating func encode(_ value: Float) throws { set(.double(Double(value))) }
    mutating func encode(_ value: Int) throws { set(.integer(Int64(value))) }
    mutating func encode(_ value: Int8) throws { set(.integer(Int64(value))) }
    mutating func encode(_ value: Int16) throws { set(.integer(Int64(value))) }
    mutating func encode(_ value: Int32) throws { set(.integer(Int64(value))) }
    mutating func encode(_ value: Int64) throws { set(.integer(value)) }
    mutating func encode(_ value: Int128) throws { set(PerlEncodingContext.wide(value)) }
    mutating func encode(_ value: UInt) throws { set(PerlEncodingContext.unsigned(UInt64(value))) }
    mutating func encode(_ value: UInt8) throws { set(.integer(Int64(value))) }
    mutating func encode(_ value: UInt16) throws { set(.integer(Int64(value))) }
    mutating func encode(_ value: UInt32) throws { set(.integer(Int64(value))) }
    mutating func encode(_ value: UInt64) throws { set(PerlEncodingContext.unsigned(value)) }
    mutating func encode(_ value: UInt128) throws { set(PerlEncodingContext.wide(value)) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        // The value takes this encoder's place: same path, one level deeper.
        let encoded = try encoder.context.encodeValue(value, at: encoder.path, depth: encoder.depth)
        set(encoded ?? .hash(PerlHash()))
    }
}
