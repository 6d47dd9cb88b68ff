#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Encodes ``PerlValue``s as JSON (RFC 8259) that Perl's JSON::XS reads back to the same
/// data.
///
/// ```swift
/// var options = JSONEncodingOptions()
/// options.canonical = true                       // JSON::XS->new->canonical
/// let bytes = try PerlJSONEncoder(options: options).encode(["id": 7, "tags": ["a", "b"]])
/// // {"id":7,"tags":["a","b"]}
/// ```
///
/// | PerlValue | JSON |
/// |---|---|
/// | `.hash` | object; `.bytes` keys as Latin-1 characters |
/// | `.array` | array |
/// | `.string` | string |
/// | `.bytes` | string, each byte the character with that code point (Perl's reading) |
/// | `.integer`, `.unsigned` | integer, exact |
/// | `.double` | the shortest number that reads back as the same double, with a fraction or exponent (`1.0`, `1e21`) |
/// | `.bool`, `\1` and `\0`, `JSON::PP::Boolean` objects | `true`, `false` |
/// | `.undef`, `.hole` | `null` |
/// | `.vstring` | its string |
/// | `.weak`, `.anchored` | what they wrap |
/// | `.alias` | the shared referent, written again (JSON has no sharing); a cycle is an error |
/// | `.blessed` | an error, `null` or the referent (``JSONEncodingOptions/blessedValues``) |
/// | `.code`, `.regexp`, `.hooked`, other scalar references | an error, as in JSON::XS |
///
/// With ``JSONEncodingOptions/canonical``, output differs from JSON::XS's canonical
/// output only in how numbers are written: JSON::XS prints doubles with 15 significant
/// digits (`%.15g`), losing precision, integral ones as integers and negative zero as
/// `-0` (`Spec/json.md`, section 6).
public struct PerlJSONEncoder: Sendable {
    public var options: JSONEncodingOptions

    public init(options: JSONEncodingOptions = JSONEncodingOptions()) {
        self.options = options
    }

    /// Encodes `value` as one JSON document in UTF-8. Any value may be the root (RFC 8259,
    /// and JSON::XS 4 by default).
    public func encode(_ value: PerlValue) throws(JSONEncodingError) -> [UInt8] {
        try JSONWriter(root: value, options: options).encode()
    }
}

/// One pass over one value, without recursion: the arrays and hashes being written are
/// frames on a stack of the writer's own, so nesting costs heap, not thread stack, and
/// is bounded by ``JSONEncodingOptions/maximumDepth`` alone. The wrappers around a
/// reference (weak, anchored, blessed, alias) are peeled in a loop; what they begin (an
/// anchor being written, an alias being expanded) ends with the value they wrap.
struct JSONWriter: ~Copyable {
    private var output: JSONOutputBuffer
    private let options: JSONEncodingOptions
    /// The value being written. It owns every array and hash that frames point into.
    private let root: PerlValue
    /// The arrays and hashes being written, innermost last.
    private var frames = ScratchStack<Frame>()
    /// Every anchored referent of `root`, built when the first alias is met and never
    /// changed after.
    private var referents: [PerlAnchor: PerlValue]?
    /// Anchors whose referent is being written, as a set (an alias to one of them is a
    /// cycle) and in the order they began.
    private var openAnchors: Set<PerlAnchor> = []
    private var anchorStack: [PerlAnchor] = []
    /// Aliases being expanded around the current value, and the values written inside
    /// expansions so far.
    private var expansionDepth = 0
    private var expandedValues = 0
    /// Canonical order's scratch: the entries' positions in key order, used as a stack
    /// (a hash being written pushes its positions, nested hashes push theirs above, and
    /// each pops its own), and the UTF-8 of one hash's keys and where each key lies in
    /// it, used while the hash's keys are sorted.
    private var order = ScratchStack<Int>()
    private var keyBytes = ScratchStack<UInt8>()
    private var keySpans = ScratchStack<KeySpan>()
    /// The hash keys written so far, to copy a repeated key's text rather than escape it
    /// again, and the orders hashes' keys sorted into, to reuse for a hash of the same
    /// keys; with the bits of the keys of the hash being sorted.
    private var writtenKeys = JSONKeyCache()
    private var keyOrders = JSONKeyOrderCache()
    private var hashKeyBits = ScratchStack<JSONKeyCache.Bits>()

    /// An array or hash being written.
    ///
    /// A frame points into its container's storage without owning it, so that pushing,
    /// resuming and popping frames, and reading members, cost no reference counting:
    /// `root` owns every array and hash the writer reaches (alias expansions reach them
    /// through `referents`, which `root`'s storage backs too) for the writer's whole run,
    /// and nothing mutates them, so their buffers neither move nor die under a frame.
    private struct Frame {
        var kind: Kind
        /// An array's elements.
        var elements = UnsafeBufferPointer<PerlValue>(start: nil, count: 0)
        /// A hash's entries, in the hash's order.
        var entries = UnsafeBufferPointer<PerlHashEntry>(start: nil, count: 0)
        /// In canonical order, where the entries' positions in key order lie on `order`.
        var orderBase = 0
        /// The position of the next member.
        var next = 0
        /// What the wrappers around the container began, to end with it.
        var anchorsBase: Int
        var expansions: Int

        enum Kind {
            case array
            /// A hash written in its own order.
            case hash
            /// A hash written in code point order of its keys.
            case canonicalHash
        }
    }

    /// Where one key's UTF-8 lies in `keyBytes`, and its first eight bytes.
    private struct KeySpan: BitwiseCopyable {
        var start: Int
        var end: Int
        /// The first eight bytes as a big-endian number, zeros past the key's end: keys
        /// whose prefixes differ are in the order of their prefixes, so most comparisons
        /// are one integer comparison.
        var prefix: UInt64

        /// Whether this key comes before `other` in code point order (the order of
        /// their UTF-8 bytes).
        @inline(__always)
        func precedes(_ other: KeySpan, in bytes: UnsafeBufferPointer<UInt8>) -> Bool {
            if prefix != other.prefix { return prefix < other.prefix }
            return JSONKeyOrder.bytesPrecede(
                UnsafeBufferPointer(rebasing: bytes[start..<end]),
                UnsafeBufferPointer(rebasing: bytes[other.start..<other.end]))
        }
    }

    init(root: PerlValue, options: JSONEncodingOptions) {
        self.root = root
        self.options = options
        output = JSONOutputBuffer(escapesNonASCII: options.escapesNonASCII)
    }

    /// The document: `root`, and a newline after it in pretty layout.
    consuming func encode() throws(JSONEncodingError) -> [UInt8] {
        _ = try start(root)
        while frames.count > 0 {
            let top = frames.count - 1
            switch frames[top].kind {
            case .array: try continueArray(top)
            case .hash: try continueHash(top)
            case .canonicalHash: try continueCanonicalHash(top)
            }
        }
        if options.pretty { output.append(UInt8(ascii: "\n")) }
        return output.finish()
    }

    /// Writes the innermost array's elements, from where it left off, until one opens a
    /// container of its own (which becomes the innermost) or the array ends.
    private mutating func continueArray(_ top: Int) throws(JSONEncodingError) {
        let elements = frames[top].elements
        var position = frames[top].next
        while position < elements.count {
            startMember(at: position)
            position += 1
            if try writeMember(elements.baseAddress.unsafelyUnwrapped + position - 1) {
                frames[top].next = position
                return
            }
        }
        close(frames.removeLast())
    }

    /// Writes the innermost hash's members in the hash's order, as ``continueArray(_:)``
    /// writes elements.
    private mutating func continueHash(_ top: Int) throws(JSONEncodingError) {
        let entries = frames[top].entries
        var position = frames[top].next
        while position < entries.count {
            startMember(at: position)
            let entry = entries.baseAddress.unsafelyUnwrapped + position
            appendKey(of: entry)
            appendKeySeparator()
            position += 1
            if try writeMember(entry.pointer(to: \.value).unsafelyUnwrapped) {
                frames[top].next = position
                return
            }
        }
        close(frames.removeLast())
    }

    /// Writes the key of `entry` as a JSON string: copied from where it was first
    /// written if the key was met before (see ``JSONKeyCache``), otherwise escaped.
    @inline(__always)
    private mutating func appendKey(of entry: UnsafePointer<PerlHashEntry>) {
        guard JSONKeyCache.isUsable else { return appendKeyText(entry.pointee.key) }
        let bits = writtenKeys.bits(ofKeyOf: entry)
        if let (start, count) = writtenKeys.written(bits) {
            output.appendWritten(start: start, count: count)
            return
        }
        let start = output.writtenCount
        appendKeyText(entry.pointee.key)
        writtenKeys.add(bits, start: start, count: output.writtenCount - start)
    }

    /// Writes `key` as a JSON string, escaping its characters.
    @inline(never)
    private mutating func appendKeyText(_ key: PerlHash.Key) {
        switch key {
        case .string(let text): appendString(text)
        case .bytes(let bytes): bytes.borrowed.withUnsafeBufferPointer { output.appendString(latin1: $0) }
        }
    }

    /// Writes the innermost hash's members in canonical order, the positions `order`
    /// holds for it.
    private mutating func continueCanonicalHash(_ top: Int) throws(JSONEncodingError) {
        let entries = frames[top].entries
        let orderBase = frames[top].orderBase
        var position = frames[top].next
        while position < entries.count {
            startMember(at: position)
            let entry = entries.baseAddress.unsafelyUnwrapped + order[orderBase + position]
            appendKey(of: entry)
            appendKeySeparator()
            position += 1
            if try writeMember(entry.pointer(to: \.value).unsafelyUnwrapped) {
                frames[top].next = position
                return
            }
        }
        close(frames.removeLast())
    }

    /// The comma before a member, and its line in pretty layout: members of the
    /// innermost frame's container unless `depth` says how deep the container is.
    @inline(__always)
    private mutating func startMember(at position: Int, depth: Int? = nil) {
        if position > 0 { output.append(UInt8(ascii: ",")) }
        if options.pretty { output.appendNewline(indentation: depth ?? frames.count) }
    }

    @inline(__always)
    private mutating func appendKeySeparator() {
        if options.pretty { output.append(" : ") } else { output.append(UInt8(ascii: ":")) }
    }

    /// Writes a member: a scalar whole, or the opening of an array or hash.
    /// - Returns: whether it opened a container, whose frame is now the innermost.
    @inline(__always)
    private mutating func writeMember(_ value: UnsafePointer<PerlValue>) throws(JSONEncodingError) -> Bool {
        if let opened = try writeUnwrapped(value) { return opened }
        return try start(value.pointee)
    }

    /// Writes `value` (a scalar whole, or the opening of an array or hash) if it is a
    /// number, string, boolean, null, array or hash without wrappers and no alias is
    /// being expanded: most values, which need none of ``start(_:)``'s bookkeeping.
    /// - Returns: `nil` if it left the value to ``start(_:)``, otherwise whether it opened
    ///   a container, whose frame is now the innermost.
    ///
    /// The value is read in place, and its cases bind only trivial payloads: strings,
    /// arrays and hashes are reached through the borrowing accessors
    /// (`PerlValue+Borrowing.swift`), as a copy of each would cost a retain and a release.
    @inline(__always)
    private mutating func writeUnwrapped(_ value: UnsafePointer<PerlValue>) throws(JSONEncodingError) -> Bool? {
        guard expansionDepth == 0 else { return nil }
        // Containers first, apart from the switch: taken inside it, the compiler kept a
        // copy of the value, so a retain, across the calls that write it.
        if let elements = value.pointee.borrowedElements {
            if try writeWhole(elements) { return false }
            return try open(elements, anchorsBase: anchorStack.count, expansions: 0)
        }
        if let hash = value.pointee.borrowedHash {
            return try open(hash.entries, anchorsBase: anchorStack.count, expansions: 0)
        }
        switch value.pointee {
        case .integer(let number): output.append(number)
        case .string:
            if let utf8 = value.pointee.borrowedUTF8 {
                output.appendString(utf8: utf8)
            } else if case .string(let text) = value.pointee {
                appendString(text)
            }
        case .double(let number):
            guard number.isFinite else { throw JSONEncodingError(.nonFiniteNumber(number)) }
            output.append(number)
        case .unsigned(let number): output.append(number)
        case .bytes:
            // Perl peers send most strings as bytes (Storable without the UTF-8 flag).
            value.pointee.borrowedBytes.unsafelyUnwrapped.withUnsafeBufferPointer { output.appendString(latin1: $0) }
        case .bool(let truth): output.append(truth ? "true" : "false")
        case .undef, .hole: output.append("null")
        default: return nil
        }
        return false
    }

    /// Writes a non-empty array of plain scalars whole, as its frame would, without
    /// pushing one: rows of numbers (canada's coordinate pairs) would otherwise cost a
    /// frame's push, resumption and pop for every few values.
    /// - Returns: whether it wrote the array; `false` if an element is anything else.
    @inline(__always)
    private mutating func writeWhole(_ elements: UnsafeBufferPointer<PerlValue>) throws(JSONEncodingError) -> Bool {
        guard !elements.isEmpty, elements.allSatisfy(\.isPlainScalar) else { return false }
        try checkDepth()
        output.append(UInt8(ascii: "["))
        for position in elements.indices {
            startMember(at: position, depth: frames.count + 1)
            _ = try writeUnwrapped(elements.baseAddress.unsafelyUnwrapped + position)
        }
        if options.pretty { output.appendNewline(indentation: frames.count) }
        output.append(UInt8(ascii: "]"))
        return true
    }

    /// Writes an array's opening and pushes its frame, or writes `[]`, with what the
    /// wrappers around it began. The buffer is an array's storage, escaped from it,
    /// which is sound here: see `Frame`. - Returns: whether it pushed a frame.
    private mutating func open(
        _ elements: UnsafeBufferPointer<PerlValue>, anchorsBase: Int, expansions: Int
    ) throws(JSONEncodingError) -> Bool {
        try checkDepth()
        guard !elements.isEmpty else {
            output.append("[]")
            return false
        }
        output.append(UInt8(ascii: "["))
        frames.append(Frame(kind: .array, elements: elements, anchorsBase: anchorsBase, expansions: expansions))
        return true
    }

    /// Writes a hash's opening and pushes its frame (with its keys sorted in canonical
    /// order), or writes `{}`, as the other `open` does an array's.
    private mutating func open(
        _ entries: UnsafeBufferPointer<PerlHashEntry>, anchorsBase: Int, expansions: Int
    ) throws(JSONEncodingError) -> Bool {
        try checkDepth()
        guard !entries.isEmpty else {
            output.append("{}")
            return false
        }
        output.append(UInt8(ascii: "{"))
        var frame = Frame(kind: .hash, entries: entries, anchorsBase: anchorsBase, expansions: expansions)
        if options.canonical {
            frame.kind = .canonicalHash
            frame.orderBase = orderKeys(of: entries)
        }
        frames.append(frame)
        return true
    }

    /// Writes a scalar whole, or the opening of an array or hash, peeling any wrappers
    /// first. - Returns: whether it opened a container, whose frame is now the innermost.
    private mutating func start(_ value: consuming PerlValue) throws(JSONEncodingError) -> Bool {
        try countExpandedValue()
        let anchorsBase = anchorStack.count
        var expansions = 0
        var current = value
        // Each case writes a scalar and breaks, opens a container and returns, or peels
        // a wrapper and continues.
        peeling: while true {
            switch current {
            case .undef, .hole:
                output.append("null")
            case .bool(let truth):
                output.append(truth ? "true" : "false")
            case .integer(let number):
                output.append(number)
            case .unsigned(let number):
                output.append(number)
            case .double(let number):
                guard number.isFinite else { throw JSONEncodingError(.nonFiniteNumber(number)) }
                output.append(number)
            case .string(let text):
                appendString(text)
            case .bytes(let bytes):
                bytes.borrowed.withUnsafeBufferPointer { output.appendString(latin1: $0) }
            case .vstring(_, let text):
                current = text
                continue peeling
            case .array(let elements):
                let buffer = elements.withUnsafeBufferPointer { $0 }
                if try open(buffer, anchorsBase: anchorsBase, expansions: expansions) { return true }
            case .hash(let hash):
                if try open(hash.withEntries { $0 }, anchorsBase: anchorsBase, expansions: expansions) { return true }
            case .weak(let inner):
                current = inner
                continue peeling
            case .anchored(let anchor, let inner):
                if openAnchors.insert(anchor).inserted { anchorStack.append(anchor) }
                current = inner
                continue peeling
            case .alias(let anchor):
                guard !openAnchors.contains(anchor) else { throw JSONEncodingError(.cycle(anchor)) }
                if referents == nil { referents = root.anchoredValues() }
                guard let referent = referents?[anchor] else { throw JSONEncodingError(.undefinedAnchor(anchor)) }
                openAnchors.insert(anchor)
                anchorStack.append(anchor)
                expansionDepth += 1
                expansions += 1
                try countExpandedValue()
                current = referent
                continue peeling
            case .blessed(let className, let inner):
                if className == Self.booleanClass, case .scalarReference(let scalar) = inner.unwrapped {
                    guard let truth = Self.numericTruth(of: scalar) else {
                        throw JSONEncodingError(.unrepresentable("a \(className) object that holds no number"))
                    }
                    output.append(truth ? "true" : "false")
                    break peeling
                }
                switch options.blessedValues {
                case .reject: throw JSONEncodingError(.blessedValue(className: className))
                case .null:
                    output.append("null")
                    break peeling
                case .unblessed:
                    current = inner
                    continue peeling
                }
            case .scalarReference(let scalar):
                // JSON::XS writes \1 and \0 as true and false, and refuses other scalar
                // references: what matters is the scalar's string value.
                switch Self.perlText(of: scalar) {
                case "1"?: output.append("true")
                case "0"?: output.append("false")
                default: throw JSONEncodingError(.unrepresentable("a reference to a scalar other than 1 or 0"))
                }
            case .regexp(let pattern, let flags):
                throw JSONEncodingError(.unrepresentable("a regexp (qr/\(pattern)/\(flags))"))
            case .code:
                throw JSONEncodingError(.unrepresentable("a code reference"))
            case .hooked(let object):
                throw JSONEncodingError(.unrepresentable("an object of class \(object.className) serialized by its class's hook"))
            }
            break
        }
        if anchorStack.count > anchorsBase || expansions > 0 { endWrappers(anchorsBase: anchorsBase, expansions: expansions) }
        return false
    }

    /// Ends an array or hash whose last member has been written.
    private mutating func close(_ frame: Frame) {
        if frame.kind == .canonicalHash {
            order.removeLast(from: frame.orderBase)
        }
        if options.pretty { output.appendNewline(indentation: frames.count) }
        output.append(frame.kind == .array ? UInt8(ascii: "]") : UInt8(ascii: "}"))
        if anchorStack.count > frame.anchorsBase || frame.expansions > 0 {
            endWrappers(anchorsBase: frame.anchorsBase, expansions: frame.expansions)
        }
    }

    /// Ends the anchors and alias expansions that wrappers around a value began.
    @inline(never)
    private mutating func endWrappers(anchorsBase: Int, expansions: Int) {
        while anchorStack.count > anchorsBase { openAnchors.remove(anchorStack.removeLast()) }
        expansionDepth -= expansions
    }

    private func checkDepth() throws(JSONEncodingError) {
        if frames.count >= options.maximumDepth { throw JSONEncodingError(.depthLimitExceeded(limit: options.maximumDepth)) }
    }

    private mutating func countExpandedValue() throws(JSONEncodingError) {
        guard expansionDepth > 0 else { return }
        expandedValues += 1
        if expandedValues > options.maximumAliasExpansion {
            throw JSONEncodingError(.aliasExpansionLimitExceeded(limit: options.maximumAliasExpansion))
        }
    }

    private mutating func appendString(_ text: String) {
        // Not `utf8.span`: a span must keep the string alive, which costs a retain and a
        // release of every string longer than 15 bytes, and is a call into the runtime.
        if let done: Void = text.utf8.withContiguousStorageIfAvailable({ output.appendString(utf8: $0) }) { return done }
        var contiguous = text
        contiguous.withUTF8 { output.appendString(utf8: $0) }
    }

    /// Pushes onto `order` the positions of a hash's `entries` in code point order of
    /// their keys, and returns where they start: the order a hash of the same keys was
    /// given before, or else the order ``sortKeys(of:)`` finds.
    private mutating func orderKeys(of entries: UnsafeBufferPointer<PerlHashEntry>) -> Int {
        guard JSONKeyCache.isUsable, let first = entries.baseAddress else { return sortKeys(of: entries) }
        hashKeyBits.removeLast(from: 0)
        for index in entries.indices { hashKeyBits.append(writtenKeys.bits(ofKeyOf: first + index)) }
        let bits = UnsafeBufferPointer(hashKeyBits.buffer(0..<entries.count))
        let orderBase = order.count
        if let known = keyOrders.order(of: bits) {
            order.append(contentsOf: known)
            return orderBase
        }
        _ = sortKeys(of: entries)
        keyOrders.add(UnsafeBufferPointer(order.buffer(orderBase..<orderBase + entries.count)), for: bits)
        return orderBase
    }

    /// Pushes onto `order` the positions of a hash's `entries` in code point order of
    /// their keys, as Perl's `sort` orders them, and returns where they start. Each
    /// key's characters are copied once, as UTF-8 (a byte key's Latin-1 converted):
    /// UTF-8 byte order is code point order, so positions sort by the keys' first eight
    /// bytes and then `memcmp`. The keys are written as in the hash's own order, not
    /// from the copies, which are dropped once sorted.
    private mutating func sortKeys(of entries: UnsafeBufferPointer<PerlHashEntry>) -> Int {
        let orderBase = order.count
        defer {
            keyBytes.removeLast(from: 0)
            keySpans.removeLast(from: 0)
        }
        for index in entries.indices {
            let start = keyBytes.count
            switch entries[index].key {
            case .string(let text):
                // Not `utf8.span`, as in `appendString(_:)`.
                if text.utf8.withContiguousStorageIfAvailable({ keyBytes.append(contentsOf: $0) }) == nil {
                    var contiguous = text
                    contiguous.withUTF8 { keyBytes.append(contentsOf: $0) }
                }
            case .bytes(let bytes):
                for byte in bytes {
                    if byte < 0x80 {
                        keyBytes.append(byte)
                    } else {
                        keyBytes.append(0xC0 | byte >> 6)
                        keyBytes.append(0x80 | byte & 0x3F)
                    }
                }
            }
            let end = keyBytes.count
            var prefix: UInt64 = 0
            for byte in keyBytes.buffer(start..<Swift.min(start + 8, end)) { prefix = prefix << 8 | UInt64(byte) }
            if end - start < 8 { prefix <<= 8 * UInt64(8 - (end - start)) }
            keySpans.append(KeySpan(start: start, end: end, prefix: prefix))
        }
        for position in entries.indices { order.append(position) }
        let bytes = UnsafeBufferPointer(keyBytes.buffer(0..<keyBytes.count))
        let spans = keySpans.buffer(0..<entries.count)
        let positions = order.buffer(orderBase..<orderBase + entries.count)
        if positions.count <= 64 {
            // Most hashes are small: an insertion sort, without the general sort's calls
            // and scratch allocation, which cost more up to some 64 keys (twitter.json's
            // users have 40), as most comparisons are one of prefixes.
            for sorted in positions.indices.dropFirst() {
                let position = positions[sorted]
                var slot = sorted
                while slot > 0 && spans[position].precedes(spans[positions[slot - 1]], in: bytes) {
                    positions[slot] = positions[slot - 1]
                    slot -= 1
                }
                positions[slot] = position
            }
        } else {
            var positions = positions
            positions.sort { spans[$0].precedes(spans[$1], in: bytes) }
        }
        return orderBase
    }

    /// The class JSON::XS (through Types::Serialiser), JSON::PP and Cpanel::JSON::XS
    /// bless their booleans into: a reference to 1 or 0.
    static let booleanClass = "JSON::PP::Boolean"

    /// Perl's truth of a boolean object's number (JSON::XS takes its `SvIV`).
    private static func numericTruth(of scalar: PerlValue) -> Bool? {
        switch scalar {
        case .integer(let number): number != 0
        case .unsigned(let number): number != 0
        case .bool(let truth): truth
        case .double(let number): number.isFinite ? number.rounded(.towardZero) != 0 : nil
        default: nil
        }
    }

    /// The scalar's string value when it is a short plain scalar, as Perl would print it.
    private static func perlText(of scalar: PerlValue) -> String? {
        switch scalar {
        case .integer(let number): String(number)
        case .unsigned(let number): String(number)
        case .bool(let truth): truth ? "1" : ""
        case .double(let number) where number.isFinite && number.rounded() == number && number.magnitude < 1e15:
            String(Int64(number))
        case .string, .bytes, .vstring: scalar.stringValue
        default: nil
        }
    }
}

/// Canonical key order: by code point, as Perl's `sort` (and JSON::XS's `canonical`)
/// orders keys, which for UTF-8 is byte order.
enum JSONKeyOrder {
    static func bytesPrecede(_ lhs: UnsafeBufferPointer<UInt8>, _ rhs: UnsafeBufferPointer<UInt8>) -> Bool {
        let common = Swift.min(lhs.count, rhs.count)
        if common > 0 {
            let order = memcmp(lhs.baseAddress!, rhs.baseAddress!, common)
            if order != 0 { return order < 0 }
        }
        return lhs.count < rhs.count
    }
}

extension PerlValue {
    /// Whether ``JSONWriter`` writes this value whole on its fast path: a number, a
    /// string of either kind, a boolean or null, with no wrapper.
    fileprivate var isPlainScalar: Bool {
        switch self {
        case .integer, .unsigned, .double, .string, .bytes, .bool, .undef, .hole: true
        default: false
        }
    }
}
