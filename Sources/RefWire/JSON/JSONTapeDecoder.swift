#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// JSON straight into `Decodable` types: the document is read into a ``JSONTape`` and the
// containers walk it, instead of building a ``PerlValue`` tree for ``PerlValueDecoder``
// to walk and throw away.
//
// The result is the bridge's, observably: the same values, the same errors at the same
// coding paths, the same options. The conversions themselves are the bridge's (each
// scalar is handed to ``PerlDecodingContext`` as the `PerlValue` the tree parser would
// have made, which costs nothing for numbers), so only the walking is new: what the
// bridge finds in a ``PerlHash`` (one value per key, where the first occurrence stood),
// the tape finds by comparing key bytes, with the same hint of document order.

extension PerlJSONDecoder {
    /// ``decode(_:from:using:)`` without the `PerlValue` tree.
    func decodeDirectly<T: Decodable>(
        _ type: T.Type, from buffer: UnsafeBufferPointer<UInt8>, using valueDecoder: PerlValueDecoder
    ) throws -> T {
        guard buffer.count <= options.maximumInputLength else {
            throw JSONDecodingError(
                .inputLimitExceeded(length: buffer.count, limit: options.maximumInputLength),
                at: options.maximumInputLength)
        }
        // The tape's container entries hold 32-bit indices; a larger document (some
        // gigabytes) takes the tree's path.
        guard buffer.count < Int(UInt32.max) - 2 else { return try valueDecoder.decode(type, from: decode(buffer)) }
        // The decoders read the document and its tape through the state, which owns
        // both: a type may keep its `Decoder` past `init(from:)` and use it later, after
        // this call has returned and the caller's buffer is gone.
        let document = JSONDocumentCopy(buffer)
        var builder = JSONTapeBuilder(buffer: document.bytes, options: options)
        try builder.build()
        let state = JSONTapeDecodingState(
            document: document, entries: builder.entries, unescaped: builder.unescaped, options: options,
            valueDecoder: valueDecoder)
        do {
            return try state.decodeValue(T.self, at: 0, path: JSONTapeLocation(node: 0, key: nil), depth: 0)
        } catch {
            throw PerlValueDecodingError(converting: error)
        }
    }
}

/// A document's bytes, copied into memory of their own for as long as any decoder of
/// it lives.
final class JSONDocumentCopy {
    let bytes: UnsafeBufferPointer<UInt8>

    init(_ source: UnsafeBufferPointer<UInt8>) {
        let copy = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: source.count)
        _ = copy.initialize(from: source)
        bytes = UnsafeBufferPointer(copy)
    }

    deinit { bytes.deallocate() }
}

/// What one `decode` call shares across all its nested decoders.
final class JSONTapeDecodingState {
    let tape: JSONTape
    /// What `tape` points into, owned here.
    private let document: JSONDocumentCopy
    private let entries: ScratchStack<JSONTape.Entry>
    let context: PerlDecodingContext
    /// The strings the tape marks as escaped, unescaped (see `JSONTapeBuilder.unescaped`).
    private let unescaped: [String]
    private let duplicateKeys: JSONDecodingOptions.DuplicateKeyPolicy
    /// Where the keyed container reading the object at `object` expects its next key:
    /// the tape index (or, for an object with duplicates, the member position) after the
    /// last key found in it. See ``PerlDecodingContext/keyHint``. One per nesting depth
    /// (modulo ``keyHintSlots``), so that a nested container does not take its parent's:
    /// a struct's fields after a nested one are found at the hint too, not by a scan.
    let keyHints: UnsafeMutablePointer<(object: Int, next: Int)>
    static let keyHintSlots = 64  // a power of two

    @exclusivity(unchecked) private var typeTraits = PerlTypeTraitsCache<TypeTraits>()

    /// The coding paths of the decoders made so far, as a tree in an array (node 0 is
    /// the root). A decoder holds its node's number rather than a path: the standard
    /// library's `KeyedDecodingContainer` copies its container on every call, and a
    /// container that holds one reference and integers copies with one retain. Nodes
    /// are made only for decoders (one per struct, array or dictionary decoded, not per
    /// scalar) and live as long as the state.
    @exclusivity(unchecked) private var pathNodes: [PathNode] = [PathNode(key: nil, parent: -1, type: nil)]

    struct PathNode {
        /// The step from the parent; `nil` where a value takes its decoder's place
        /// (``SingleValueDecodingContainer/decode(_:)``).
        var key: (any CodingKey)?
        var parent: Int32
        /// The type being decoded, for error messages; `nil` for a nested container.
        var type: Any.Type?
    }

    /// The objects with duplicate keys whose members have been made unique, by tape index.
    @exclusivity(unchecked) private var uniqueMembers: [Int: [Member]] = [:]

    struct TypeTraits {
        var byteCollection: (any RangeReplaceableCollection<UInt8>.Type)?
        var array: (any JSONTapeDecodableArray.Type)?
        var stringKeyedDictionary: (any JSONTapeDecodableStringKeyedDictionary.Type)?
    }

    init(
        document: JSONDocumentCopy, entries: consuming ScratchStack<JSONTape.Entry>, unescaped: [String],
        options: JSONDecodingOptions, valueDecoder: PerlValueDecoder
    ) {
        self.document = document
        // `entries` is never appended to again and lives as long as `self`, so its buffer
        // stays put.
        tape = JSONTape(entries: UnsafeBufferPointer(entries.buffer(0..<entries.count)), input: document.bytes)
        self.entries = entries
        context = PerlDecodingContext(options: valueDecoder.options, userInfo: valueDecoder.userInfo, root: .undef)
        duplicateKeys = options.duplicateKeys
        self.unescaped = unescaped
        keyHints = .allocate(capacity: Self.keyHintSlots)
        keyHints.initialize(repeating: (-1, 0), count: Self.keyHintSlots)
    }

    deinit {
        keyHints.deallocate()
    }

    private func traits<T>(of type: T.Type) -> TypeTraits {
        typeTraits.traits(of: type) { type in
            TypeTraits(
                byteCollection: type as? any RangeReplaceableCollection<UInt8>.Type,
                array: type as? any JSONTapeDecodableArray.Type,
                stringKeyedDictionary: type as? any JSONTapeDecodableStringKeyedDictionary.Type)
        }
    }

    // MARK: Values

    /// ``PerlDecodingContext/decodeResolved(_:from:at:depth:)`` for the value at `index`.
    func decodeValue<T: Decodable>(
        _ type: T.Type, at index: Int, path: @autoclosure () -> JSONTapeLocation, depth: Int
    ) throws -> T {
        if let plain = PerlDecodingContext.PlainType(T.self) {
            return try decodePlain(plain, T.self, at: index, path: codingPath(path()))
        }
        let traits = traits(of: T.self)
        let kind = tape[index].kind
        if kind == .string || kind == .numberText, let collectionType = traits.byteCollection {
            return try context.decodeByteCollection(collectionType, T.self, from: resolved(index), at: codingPath(path()))
        }
        let options = context.options
        guard depth < options.maximumDepth else {
            throw context.error(
                .depthLimitExceeded(limit: options.maximumDepth, cycle: nil), at: codingPath(path()), type: T.self)
        }
        if kind == .array, let arrayType = traits.array {
            return try arrayType.decodeTapeArray(at: index, as: T.self, state: self, at: path, depth: depth + 1)
        }
        if kind == .object, let dictionaryType = traits.stringKeyedDictionary {
            return try dictionaryType.decodeTapeDictionary(at: index, as: T.self, state: self, at: path, depth: depth + 1)
        }
        return try T(from: JSONTapeDecoder(state: self, index: index, node: node(path(), type: T.self), depth: depth + 1))
    }

    // MARK: Coding paths

    /// A new node for `location`, the place of a decoder of `type`.
    func node(_ location: JSONTapeLocation, type: Any.Type?) -> Int32 {
        guard let number = Int32(exactly: pathNodes.count) else { preconditionFailure("over 2^31 nested decoders") }
        pathNodes.append(PathNode(key: location.key, parent: location.node, type: type))
        return number
    }

    func type(ofNode node: Int32) -> Any.Type? { pathNodes[Int(node)].type }

    /// The coding path of `location`, made when an error or the `codingPath` property
    /// asks for it.
    func codingPath(_ location: JSONTapeLocation) -> PerlCodingPath {
        var keys: [any CodingKey] = location.key.map { [$0] } ?? []
        var node = Int(location.node)
        while node > 0 {
            if let key = pathNodes[node].key { keys.append(key) }
            node = Int(pathNodes[node].parent)
        }
        return keys.reversed().reduce(PerlCodingPath.root) { $0.appending($1) }
    }

    /// A plain value, `T` being the type `plain` names. The commonest are read straight
    /// from the tape: what the bridge's conversion gives for them, without making the
    /// `PerlValue` it would look at. (`T`, not `T?`: see
    /// ``PerlDecodingContext/decodePlain(_:_:from:at:)``.)
    @inline(__always)
    private func decodePlain<T>(
        _ plain: PerlDecodingContext.PlainType, _ type: T.Type, at index: Int, path: @autoclosure () -> PerlCodingPath
    ) throws -> T {
        let entry = tape[index]
        switch (plain, entry.kind) {
        case (.string, .string):
            return unsafeBitCast(string(index), to: T.self)
        case (.double, .double):
            return unsafeBitCast(Double(bitPattern: entry.payload), to: T.self)
        case (.int, .integer):
            return unsafeBitCast(Int(Int64(bitPattern: entry.payload)), to: T.self)
        case (.int64, .integer):
            return unsafeBitCast(Int64(bitPattern: entry.payload), to: T.self)
        case (.bool, .true):
            return unsafeBitCast(true, to: T.self)
        case (.bool, .false):
            return unsafeBitCast(false, to: T.self)
        default:
            return try context.decodePlain(plain, T.self, from: resolved(index), at: path)
        }
    }

    /// The value at `index` as the `PerlValue` the tree parser makes of it, for the
    /// bridge's conversions. A container becomes a stand-in with its size (and an
    /// object its keys), which is all the bridge's error messages say of it.
    func resolved(_ index: Int) -> PerlResolvedValue {
        PerlResolvedValue(value: value(index), className: nil, trail: nil)
    }

    private func value(_ index: Int) -> PerlValue {
        let entry = tape[index]
        switch entry.kind {
        case .null: return .undef
        case .false: return .bool(false)
        case .true: return .bool(true)
        case .integer: return .integer(Int64(bitPattern: entry.payload))
        case .unsigned: return .unsigned(entry.payload)
        case .double: return .double(Double(bitPattern: entry.payload))
        case .numberText, .string, .key: return .string(string(index))
        case .array: return .array(Array(repeating: .undef, count: entry.count))
        case .object:
            var hash = PerlHash()
            for member in members(index) { hash[.string(string(member.key))] = .undef }
            return .hash(hash)
        }
    }

    /// The text of the string, key or kept number at `index`.
    func string(_ index: Int) -> String {
        let entry = tape[index]
        guard entry.isEscaped else { return UTF8Validation.string(validUTF8: tape.rawBytes(index), isASCII: entry.isASCII) }
        return unescaped[Int(entry.payload)]
    }

    // MARK: Objects

    /// One key of an object and the value that counts for it.
    struct Member {
        var key: Int
        var value: Int
    }

    /// The object's members as its `PerlHash` holds them: each key once, where it first
    /// occurs, with the value the duplicate-key policy picks.
    func members(_ object: Int) -> [Member] {
        if let unique = uniqueMembers[object] { return unique }
        let entry = tape[object]
        var result: [Member] = []
        result.reserveCapacity(entry.count)
        var index = object + 1
        while index < entry.end {
            result.append(Member(key: index, value: index + 1))
            index = tape.next(after: index + 1)
        }
        guard entry.mayHaveDuplicates else { return result }
        var unique: [Member] = []
        var positions: [[UInt8]: Int] = [:]
        for member in result {
            let key = keyBytes(member.key)
            if let position = positions[key] {
                if duplicateKeys == .lastWins { unique[position].value = member.value }
            } else {
                positions[key] = unique.count
                unique.append(member)
            }
        }
        uniqueMembers[object] = unique
        return unique
    }

    private func keyBytes(_ index: Int) -> [UInt8] {
        tape[index].isEscaped ? Array(string(index).utf8) : Array(tape.rawBytes(index))
    }

    /// The tape index of the value for the key `name` in the object at `object`, looked
    /// for first where the previous key of that object was found, plus one (see
    /// ``keyHints``).
    func member(_ name: UnsafeRawBufferPointer, of object: Int, depth: Int) -> Int? {
        let hint = keyHints + (depth & (Self.keyHintSlots - 1))
        let hinted = hint.pointee.object == object ? hint.pointee.next : -1
        if tape[object].mayHaveDuplicates {
            // The members made unique, the duplicate-key policy's choice of value.
            let unique = members(object)
            if hinted >= 0, hinted < unique.count, key(unique[hinted].key, is: name) {
                hint.pointee = (object, hinted + 1)
                return unique[hinted].value
            }
            for position in unique.indices where key(unique[position].key, is: name) {
                hint.pointee = (object, position + 1)
                return unique[position].value
            }
            return nil
        }
        let end = tape[object].end
        if hinted >= 0, hinted < end, key(hinted, is: name) {
            hint.pointee = (object, tape.next(after: hinted + 1))
            return hinted + 1
        }
        var index = object + 1
        while index < end {
            let next = tape.next(after: index + 1)
            if key(index, is: name) {
                hint.pointee = (object, next)
                return index + 1
            }
            index = next
        }
        return nil
    }

    /// Whether the key at `index` is `name`.
    @inline(__always)
    func key(_ index: Int, is name: UnsafeRawBufferPointer) -> Bool {
        let entry = tape[index]
        if entry.isEscaped { return string(index).utf8.elementsEqual(name) }
        guard Int(truncatingIfNeeded: entry.payload) == name.count else { return false }
        let bytes = UnsafeRawPointer(tape.input.baseAddress! + entry.offset + 1)
        let count = name.count
        // Keys are short: two overlapping words, or a few bytes, beat a call.
        switch count {
        case 8...16:
            let other = name.baseAddress!
            return bytes.loadUnaligned(as: UInt64.self) == other.loadUnaligned(as: UInt64.self)
                && bytes.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
                    == other.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
        case 0..<8:
            for offset in 0..<count where bytes.load(fromByteOffset: offset, as: UInt8.self) != name[offset] {
                return false
            }
            return true
        default:
            return memcmp(bytes, name.baseAddress!, count) == 0
        }
    }
}

// MARK: - Collections

/// ``PerlDecodableArray`` for the tape.
protocol JSONTapeDecodableArray {
    static func decodeTapeArray<T>(
        at index: Int, as type: T.Type, state: JSONTapeDecodingState, at path: () -> JSONTapeLocation, depth: Int
    ) throws -> T
}

extension Array: JSONTapeDecodableArray where Element: Decodable {
    static func decodeTapeArray<T>(
        at index: Int, as type: T.Type, state: JSONTapeDecodingState, at path: () -> JSONTapeLocation, depth: Int
    ) throws -> T {
        let count = state.tape[index].count
        var element = index + 1
        if let plain = PerlDecodingContext.PlainType(Element.self) {
            return try state.context.decodePlainArray(plain, count: count, as: T.self, at: { state.codingPath(path()) }) { _ in
                defer { element = state.tape.next(after: element) }
                return state.resolved(element)
            }
        }
        let node = state.node(path(), type: T.self)
        let array = try [Element](unsafeUninitializedCapacity: count) { buffer, initialized in
            for position in 0..<count {
                let value = try state.decodeValue(
                    Element.self, at: element, path: JSONTapeLocation(node: node, key: PerlCodingKey(index: position)),
                    depth: depth)
                (buffer.baseAddress.unsafelyUnwrapped + position).initialize(to: value)
                initialized = position + 1
                element = state.tape.next(after: element)
            }
        }
        return unsafeBitCast(array, to: T.self)
    }
}

/// ``PerlDecodableStringKeyedDictionary`` for the tape.
protocol JSONTapeDecodableStringKeyedDictionary {
    static func decodeTapeDictionary<T>(
        at index: Int, as type: T.Type, state: JSONTapeDecodingState, at path: () -> JSONTapeLocation, depth: Int
    ) throws -> T
}

extension Dictionary: JSONTapeDecodableStringKeyedDictionary where Key == String, Value: Decodable {
    static func decodeTapeDictionary<T>(
        at index: Int, as type: T.Type, state: JSONTapeDecodingState, at path: () -> JSONTapeLocation, depth: Int
    ) throws -> T {
        let members = state.members(index)
        let node = state.node(path(), type: T.self)
        var dictionary = [String: Value](minimumCapacity: members.count)
        for member in members {
            let name = state.string(member.key)
            dictionary[name] = try state.decodeValue(
                Value.self, at: member.value, path: JSONTapeLocation(node: node, key: PerlCodingKey(stringValue: name)),
                depth: depth)
        }
        return unsafeBitCast(dictionary, to: T.self)
    }
}

// MARK: - Decoder and containers

/// A place in the document: a decoder's path node, and one step below it that has no
/// node of its own (a field or element being read).
struct JSONTapeLocation {
    var node: Int32
    var key: (any CodingKey)?
}

/// ``PerlValueDecoderImplementation`` over the tape: one per decoded value.
///
/// Three words, so that it is stored inline in an `any Decoder` and its containers copy
/// with one retain (see ``JSONTapeDecodingState/PathNode``).
struct JSONTapeDecoder: Decoder {
    /// Strong: a type may keep its decoder, or a container, past `init(from:)`, and the
    /// state keeps the document and its tape alive for it.
    let state: JSONTapeDecodingState
    /// The value's tape index.
    let index: Int
    /// Its path node in `state`.
    let node: Int32
    /// Its nesting depth. (`Int32`: each level is a path node, and two billion of them
    /// do not fit in memory.)
    let depth: Int32

    init(state: JSONTapeDecodingState, index: Int, node: Int32, depth: Int) {
        self.state = state
        self.index = index
        self.node = node
        self.depth = Int32(truncatingIfNeeded: depth)
    }

    /// The type being decoded, for error messages; `nil` for a nested container.
    var type: Any.Type? { state.type(ofNode: node) }
    var path: PerlCodingPath { state.codingPath(here) }
    /// This decoder's own place.
    var here: JSONTapeLocation { JSONTapeLocation(node: node, key: nil) }
    /// The place of its member or element `key`.
    func location(_ key: any CodingKey) -> JSONTapeLocation { JSONTapeLocation(node: node, key: key) }

    var codingPath: [any CodingKey] { path.keys }
    var userInfo: [CodingUserInfoKey: Any] { state.context.userInfo }

    func container<Key: CodingKey>(keyedBy keyType: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard state.tape[index].kind == .object else {
            let type = type
            throw state.context.mismatch(
                type.map { "a hash reference (for \($0))" } ?? "a hash reference", state.resolved(index), at: path,
                type: type ?? [String: Any].self)
        }
        return KeyedDecodingContainer(JSONTapeKeyedDecodingContainer<Key>(decoder: self))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard state.tape[index].kind == .array else {
            let type = type
            throw state.context.mismatch(
                type.map { "an array reference (for \($0))" } ?? "an array reference", state.resolved(index), at: path,
                type: type ?? [Any].self)
        }
        return JSONTapeUnkeyedDecodingContainer(decoder: self)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        JSONTapeSingleValueDecodingContainer(decoder: self)
    }

    /// A decoder for a nested container's contents, one level deeper.
    func nested(_ index: Int, at location: JSONTapeLocation) throws -> JSONTapeDecoder {
        let options = state.context.options
        guard depth < options.maximumDepth else {
            throw state.context.error(
                .depthLimitExceeded(limit: options.maximumDepth, cycle: nil), at: state.codingPath(location),
                type: Any.self)
        }
        return JSONTapeDecoder(state: state, index: index, node: state.node(location, type: nil), depth: Int(depth) + 1)
    }
}

struct JSONTapeKeyedDecodingContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: JSONTapeDecoder

    private var state: JSONTapeDecodingState { decoder.state }
    var codingPath: [any CodingKey] { decoder.codingPath }

    /// The keys the type knows, in the object's order.
    var allKeys: [Key] { state.members(decoder.index).compactMap { Key(stringValue: state.string($0.key)) } }

    func contains(_ key: Key) -> Bool { lookup(key) != nil }

    private func lookup(_ key: Key) -> Int? { lookup(name: key.stringValue) }

    /// The tape index of the value for the key `name` (the work is the state's, outside
    /// this generic type: a closure here would copy the container for each key).
    private func lookup(name: String) -> Int? {
        // Unretained: the decoder holds the state for the call. A strong capture cost a
        // retain and a release per key, and so did an `unowned(unsafe)` one (calling a
        // method through it makes a strong reference); so did a `var` copy of the name
        // for `withUTF8`.
        let state = Unmanaged.passUnretained(decoder.state)
        let (object, depth) = (decoder.index, Int(decoder.depth))
        if let found = name.utf8.withContiguousStorageIfAvailable({ utf8 in
            state._withUnsafeGuaranteedRef { $0.member(UnsafeRawBufferPointer(utf8), of: object, depth: depth) }
        }) {
            return found
        }
        var name = name
        return name.withUTF8 { utf8 in
            state._withUnsafeGuaranteedRef { $0.member(UnsafeRawBufferPointer(utf8), of: object, depth: depth) }
        }
    }

    private func raw(_ key: Key, type: Any.Type) throws -> Int {
        guard let index = lookup(key) else {
            throw state.context.error(.keyNotFound(key.stringValue), at: decoder.path, type: type)
        }
        return index
    }

    func decodeNil(forKey key: Key) throws -> Bool { try state.tape[raw(key, type: Never.self)].kind == .null }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try plain(type, key) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try plain(type, key) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try plain(type, key) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try plain(type, key) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try plain(type, key) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try plain(type, key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try plain(type, key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try plain(type, key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try plain(type, key) }
    func decode(_ type: Int128.Type, forKey key: Key) throws -> Int128 { try plain(type, key) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try plain(type, key) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try plain(type, key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try plain(type, key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try plain(type, key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try plain(type, key) }
    func decode(_ type: UInt128.Type, forKey key: Key) throws -> UInt128 { try plain(type, key) }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try state.decodeValue(type, at: raw(key, type: type), path: decoder.location(key), depth: Int(decoder.depth))
    }

    /// One lookup instead of the default's three (`contains`, `decodeNil`, `decode`).
    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? { try present(type, key) }
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

    private func present<T: Decodable>(_ type: T.Type, _ key: Key) throws -> T? {
        guard let index = lookup(key), state.tape[index].kind != .null else { return nil }
        return try state.decodeValue(type, at: index, path: decoder.location(key), depth: Int(decoder.depth))
    }

    /// A plain value; ``JSONTapeDecodingState/decodeValue(_:at:path:depth:)`` knows the
    /// plain types.
    @inline(__always)
    private func plain<T: Decodable>(_ type: T.Type, _ key: Key) throws -> T {
        try state.decodeValue(type, at: raw(key, type: type), path: decoder.location(key), depth: Int(decoder.depth))
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        try decoder.nested(raw(key, type: [String: Any].self), at: decoder.location(key)).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try decoder.nested(raw(key, type: [Any].self), at: decoder.location(key)).unkeyedContainer()
    }

    /// The value for `super`; `null` when there is none, as with Foundation's decoders.
    func superDecoder() throws -> any Decoder {
        let key = PerlCodingKey.super
        return try decoder.nested(lookup(name: key.stringValue) ?? state.tape.missing, at: decoder.location(key))
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        try decoder.nested(lookup(key) ?? state.tape.missing, at: decoder.location(key))
    }
}

struct JSONTapeUnkeyedDecodingContainer: UnkeyedDecodingContainer {
    let decoder: JSONTapeDecoder
    let count: Int?
    private(set) var currentIndex = 0
    /// The tape index of the element at `currentIndex`.
    private var cursor: Int

    init(decoder: JSONTapeDecoder) {
        self.decoder = decoder
        count = decoder.state.tape[decoder.index].count
        cursor = decoder.index + 1
    }

    private var state: JSONTapeDecodingState { decoder.state }
    private var elementCount: Int { count.unsafelyUnwrapped }
    var codingPath: [any CodingKey] { decoder.codingPath }
    var isAtEnd: Bool { currentIndex >= elementCount }

    private var currentLocation: JSONTapeLocation { decoder.location(PerlCodingKey(index: currentIndex)) }

    /// The next element; the index moves on only once it has been decoded.
    private func next(_ type: Any.Type) throws -> Int {
        guard !isAtEnd else {
            throw state.context.error(
                .arrayExhausted(expected: String(describing: type), count: elementCount),
                at: state.codingPath(currentLocation), type: type)
        }
        return cursor
    }

    private mutating func advance() {
        cursor = state.tape.next(after: cursor)
        currentIndex += 1
    }

    mutating func decodeNil() throws -> Bool {
        guard try state.tape[next(Never.self)].kind == .null else { return false }
        advance()
        return true
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try plain(type) }
    mutating func decode(_ type: String.Type) throws -> String { try plain(type) }

    mutating func decode(_ type: Double.Type) throws -> Double { try plain(type) }
    mutating func decode(_ type: Float.Type) throws -> Float { try plain(type) }
    mutating func decode(_ type: Int.Type) throws -> Int { try plain(type) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try plain(type) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try plain(type) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try plain(type) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try plain(type) }
    mutating func decode(_ type: Int128.Type) throws -> Int128 { try plain(type) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try plain(type) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try plain(type) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try plain(type) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try plain(type) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try plain(type) }
    mutating func decode(_ type: UInt128.Type) throws -> UInt128 { try plain(type) }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let result = try state.decodeValue(type, at: next(type), path: currentLocation, depth: Int(decoder.depth))
        advance()
        return result
    }

    /// A plain value; ``JSONTapeDecodingState/decodeValue(_:at:path:depth:)`` knows the
    /// plain types.
    @inline(__always)
    private mutating func plain<T: Decodable>(_ type: T.Type) throws -> T {
        let result = try state.decodeValue(type, at: next(type), path: currentLocation, depth: Int(decoder.depth))
        advance()
        return result
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        let container = try decoder.nested(next([String: Any].self), at: currentLocation)
            .container(keyedBy: type)
        advance()
        return container
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let container = try decoder.nested(next([Any].self), at: currentLocation).unkeyedContainer()
        advance()
        return container
    }

    mutating func superDecoder() throws -> any Decoder {
        let superDecoder = try decoder.nested(next(Any.self), at: currentLocation)
        advance()
        return superDecoder
    }
}

struct JSONTapeSingleValueDecodingContainer: SingleValueDecodingContainer {
    let decoder: JSONTapeDecoder

    var codingPath: [any CodingKey] { decoder.codingPath }

    func decodeNil() -> Bool { decoder.state.tape[decoder.index].kind == .null }
    func decode(_ type: Bool.Type) throws -> Bool { try plain(type) }
    func decode(_ type: String.Type) throws -> String { try plain(type) }
    func decode(_ type: Double.Type) throws -> Double { try plain(type) }
    func decode(_ type: Float.Type) throws -> Float { try plain(type) }
    func decode(_ type: Int.Type) throws -> Int { try plain(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try plain(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try plain(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try plain(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try plain(type) }
    func decode(_ type: Int128.Type) throws -> Int128 { try plain(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try plain(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try plain(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try plain(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try plain(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try plain(type) }
    func decode(_ type: UInt128.Type) throws -> UInt128 { try plain(type) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        // The value takes this decoder's place, one level deeper.
        try decoder.state.decodeValue(type, at: decoder.index, path: decoder.here, depth: Int(decoder.depth))
    }

    /// A plain value; ``JSONTapeDecodingState/decodeValue(_:at:path:depth:)`` knows the
    /// plain types.
    @inline(__always)
    private func plain<T: Decodable>(_ type: T.Type) throws -> T {
        try decoder.state.decodeValue(type, at: decoder.index, path: decoder.here, depth: Int(decoder.depth))
    }
}
