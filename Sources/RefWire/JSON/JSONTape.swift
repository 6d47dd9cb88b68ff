#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A JSON document checked and indexed in one pass, for decoding straight into
/// `Decodable` types (``JSONTapeDecoder``) without a ``PerlValue`` tree.
///
/// Each value is one ``Entry`` in document order, each object key one entry before its
/// value; a container's entry says where its contents end, so a value the type does not
/// ask for is skipped in one step. Nothing is allocated per value: strings stay bytes in
/// the input until a `String` is asked for. Numbers are parsed here, as the tree parser
/// parses them, because whether a number is out of range (an error, or a string under
/// ``JSONDecodingOptions/OutOfRangeNumberPolicy/keepAsString``) is part of reading the
/// document.
struct JSONTape {
    enum Kind: UInt8 {
        case null, `false`, `true`
        /// Payload: the `Int64`'s bits.
        case integer
        /// Payload: the `UInt64` (above `Int64.max`).
        case unsigned
        /// Payload: the `Double`'s bits.
        case double
        /// A number out of range kept as its text (a string to Perl). Payload: its length;
        /// offset: its first byte.
        case numberText
        /// Payload: the length of the bytes between the quotes; offset: the opening quote.
        case string
        /// An object key, laid out as a string.
        case key
        /// Payload: the index after its last entry (low 32 bits) and its element count
        /// (high 32 bits).
        case array
        /// As an array, the count being of members.
        case object
    }

    /// Flags in ``Entry/header``.
    static let escapedFlag: UInt64 = 1 << 4
    /// An object that names a key twice, or might (a key with escapes, compared only
    /// unescaped): its keys are compared exactly when it is decoded.
    static let duplicatesFlag: UInt64 = 1 << 5
    /// A string or key without escapes whose bytes are not all ASCII (checked as UTF-8
    /// by the tape pass): making its `String` need not look at the bytes again.
    static let nonASCIIFlag: UInt64 = 1 << 6

    /// One value: kind in the low 4 bits of `header`, flags in the next 4, the byte offset
    /// above them. `payload` is a container's end and count, a number's bits or text
    /// length, a string's or key's byte length, or, for one with escapes, its position
    /// among the builder's unescaped strings.
    struct Entry {
        var header: UInt64
        var payload: UInt64

        init(_ kind: Kind, offset: Int, payload: UInt64, flags: UInt64 = 0) {
            header = UInt64(kind.rawValue) | flags | UInt64(offset) << 8
            self.payload = payload
        }

        /// (A bit cast: `Kind(rawValue:)` is a call with a range check, on every access.)
        var kind: Kind { unsafeBitCast(UInt8(truncatingIfNeeded: header & 0xF), to: Kind.self) }
        var offset: Int { Int(truncatingIfNeeded: header >> 8) }
        var isEscaped: Bool { header & JSONTape.escapedFlag != 0 }
        var mayHaveDuplicates: Bool { header & JSONTape.duplicatesFlag != 0 }
        var isASCII: Bool { header & JSONTape.nonASCIIFlag == 0 }
        /// For a container: the index after its contents.
        var end: Int { Int(truncatingIfNeeded: payload & 0xFFFF_FFFF) }
        /// For a container: its elements or members.
        var count: Int { Int(truncatingIfNeeded: payload >> 32) }
    }

    let entries: UnsafeBufferPointer<Entry>
    let input: UnsafeBufferPointer<UInt8>

    /// A `null` after the document, standing for a value that is not there (the missing
    /// `super` key of ``KeyedDecodingContainerProtocol/superDecoder()``).
    var missing: Int { entries.count - 1 }

    @inline(__always)
    subscript(index: Int) -> Entry { entries[index] }

    /// The index of the value after the one at `index`.
    @inline(__always)
    func next(after index: Int) -> Int {
        let entry = entries[index]
        return entry.kind.rawValue >= Kind.array.rawValue ? entry.end : index + 1
    }

    /// The bytes between a string's or key's quotes, or a number's text.
    @inline(__always)
    func rawBytes(_ index: Int) -> UnsafeBufferPointer<UInt8> {
        let entry = entries[index]
        let start = entry.kind == .numberText ? entry.offset : entry.offset + 1
        return UnsafeBufferPointer(rebasing: input[start..<start + Int(truncatingIfNeeded: entry.payload)])
    }
}

/// The pass that writes a ``JSONTape``: ``JSONParser/parseDocument()``'s grammar, limits
/// and error offsets, with the tree parser's own scanners for whitespace, literals,
/// numbers and strings, so that both paths accept and reject exactly the same documents.
struct JSONTapeBuilder: ~Copyable {
    private(set) var scanner: JSONParser
    /// The strings and keys with escapes, unescaped, in tape order: an escaped entry's
    /// payload is its position here. The check that a string is well formed makes it,
    /// so it is made once, not again by the decoder.
    private(set) var unescaped: [String] = []
    /// The tape. (A stack of its own rather than an array: appending checks no
    /// uniqueness.)
    private(set) var entries: ScratchStack<JSONTape.Entry>
    /// The innermost open container, kept out of `outer` so that counting its values and
    /// noting its keys write no array.
    private var innermost: OpenContainer?
    /// The other open containers, outermost first.
    private var outer = ScratchStack<OpenContainer>()
    /// Fingerprints and tape indices of the keys of the open objects, innermost last.
    private var keyPrints = ScratchStack<(print: UInt64, index: Int)>()
    private var valueCount = 0

    /// An object or array being read. (Internal, not private: the 6.3 compiler crashes in
    /// debug builds taking the builder's stored properties from another file when one
    /// holds a private type.)
    struct OpenContainer {
        var index: Int
        var isObject: Bool
        /// Values completed in it so far.
        var count = 0
        var keyPrintStart: Int
        /// Bits of its keys' fingerprints seen so far (256, so that objects of a few dozen
        /// keys rarely repeat one): a key whose bit is new is no duplicate.
        var keyBloom: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        /// The tape index of its first key equal to an earlier one.
        var firstDuplicate: Int?
        /// Whether a key had escapes, so that duplicates must be searched after unescaping.
        var hasEscapedKey = false
        /// Whether a key past the first ``scannedKeyLimit`` may repeat an earlier one,
        /// to be settled when the object closes.
        var sortsAtClose = false
    }

    /// The keys of an object whose fingerprints are scanned for a repeat as they come.
    /// Past them a possible repeat is settled by sorting when the object closes, so that
    /// an object of many keys (whose filter is full) costs `n log n`, not a scan per key.
    static let scannedKeyLimit = 64

    init(buffer: UnsafeBufferPointer<UInt8>, options: JSONDecodingOptions) {
        scanner = JSONParser(buffer: buffer, options: options)
        entries = ScratchStack(capacity: Swift.min(buffer.count / 4, 1 << 16) + 2)
    }

    private var base: UnsafePointer<UInt8> { scanner.base }
    private var end: Int { scanner.end }
    private var options: JSONDecodingOptions { scanner.options }

    /// Reads the document, leaving the tape in ``entries`` with the `missing` entry last.
    mutating func build() throws(JSONDecodingError) {
        scanner.skipWhitespace()
        document: while true {
            guard scanner.position < end else { throw scanner.failure(.truncated, at: end) }
            try count()
            let position = scanner.position
            switch base[position] {
            case UInt8(ascii: "{"):
                try open(isObject: true)
                scanner.position += 1
                scanner.skipWhitespace()
                if scanner.position < end && base[scanner.position] == UInt8(ascii: "}") {
                    scanner.position += 1
                    try close()
                } else {
                    try checkContainerCount(0, at: scanner.position)
                    try parseKey()
                    continue document
                }
            case UInt8(ascii: "["):
                try open(isObject: false)
                scanner.position += 1
                scanner.skipWhitespace()
                if scanner.position < end && base[scanner.position] == UInt8(ascii: "]") {
                    scanner.position += 1
                    try close()
                } else {
                    try checkContainerCount(0, at: scanner.position)
                    continue document
                }
            case UInt8(ascii: "\""):
                _ = try parseString(as: .string)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                switch try scanner.parseNumber() {
                case .integer(let number): append(.integer, at: position, payload: UInt64(bitPattern: number))
                case .unsigned(let number): append(.unsigned, at: position, payload: number)
                case .double(let number): append(.double, at: position, payload: number.bitPattern)
                default: append(.numberText, at: position, payload: UInt64(scanner.position - position))
                }
            case UInt8(ascii: "t"):
                try scanner.parseLiteral("true")
                append(.true, at: position, payload: 0)
            case UInt8(ascii: "f"):
                try scanner.parseLiteral("false")
                append(.false, at: position, payload: 0)
            case UInt8(ascii: "n"):
                try scanner.parseLiteral("null")
                append(.null, at: position, payload: 0)
            default:
                throw scanner.failure(.unexpectedByte(base[position], expected: .value), at: position)
            }

            // A value ended: go on in the innermost open container, closing containers
            // as long as they end.
            while let container = innermost {
                scanner.skipWhitespace()
                guard scanner.position < end else { throw scanner.failure(.truncated, at: end) }
                let byte = base[scanner.position]
                scanner.position += 1
                if byte == UInt8(ascii: ",") {
                    try checkContainerCount(container.count, at: scanner.position - 1)
                    scanner.skipWhitespace()
                    if container.isObject { try parseKey() }
                    continue document
                }
                guard byte == UInt8(ascii: container.isObject ? "}" : "]") else {
                    throw scanner.failure(
                        .unexpectedByte(byte, expected: container.isObject ? .commaOrEndOfObject : .commaOrEndOfArray),
                        at: scanner.position - 1)
                }
                try close()
            }
            break
        }
        scanner.skipWhitespace()
        if scanner.position < end { throw scanner.failure(.trailingBytes(count: end - scanner.position), at: scanner.position) }
        entries.append(JSONTape.Entry(.null, offset: 0, payload: 0))
    }

    // MARK: Containers

    @inline(__always)
    private mutating func append(_ kind: JSONTape.Kind, at offset: Int, payload: UInt64, flags: UInt64 = 0) {
        entries.append(JSONTape.Entry(kind, offset: offset, payload: payload, flags: flags))
        if kind != .key { innermost?.count += 1 }
    }

    private mutating func open(isObject: Bool) throws(JSONDecodingError) {
        guard outer.count + (innermost == nil ? 0 : 1) < options.maximumDepth else {
            throw scanner.failure(.depthLimitExceeded(limit: options.maximumDepth), at: scanner.position)
        }
        if let parent = innermost { outer.append(parent) }
        innermost = OpenContainer(index: entries.count, isObject: isObject, keyPrintStart: keyPrints.count)
        entries.append(JSONTape.Entry(isObject ? .object : .array, offset: scanner.position, payload: 0))
    }

    /// Closes the innermost container, which ended just before `scanner.position`.
    private mutating func close() throws(JSONDecodingError) {
        let container = innermost.unsafelyUnwrapped
        innermost = outer.popLast()
        var flags: UInt64 = 0
        if container.isObject {
            if container.hasEscapedKey || container.sortsAtClose || container.firstDuplicate != nil {
                if let duplicate = try firstDuplicateKey(container) {
                    if options.duplicateKeys == .reject {
                        throw JSONDecodingError(
                            .duplicateKey(JSONTapeKeys.string(entries, key: duplicate, base: base, unescaped: unescaped)),
                            at: entries[duplicate].offset)
                    }
                    flags = JSONTape.duplicatesFlag
                }
            }
            keyPrints.removeLast(from: container.keyPrintStart)
        }
        let kind: JSONTape.Kind = container.isObject ? .object : .array
        entries[container.index] = JSONTape.Entry(
            kind, offset: entries[container.index].offset,
            payload: UInt64(entries.count) | UInt64(container.count) << 32, flags: flags)
        innermost?.count += 1
    }

    /// The first key of `container` equal to an earlier one: found by the fingerprints
    /// already, by sorting them, or (when a key has escapes) by comparing the keys
    /// unescaped.
    private mutating func firstDuplicateKey(_ container: OpenContainer) throws(JSONDecodingError) -> Int? {
        if !container.hasEscapedKey {
            guard container.sortsAtClose, container.firstDuplicate == nil else { return container.firstDuplicate }
            return firstRepeatBySorting(container)
        }
        var seen: Set<[UInt8]> = []
        var index = container.index + 1
        while index < entries.count {
            if !seen.insert(JSONTapeKeys.bytes(entries, key: index, base: base, unescaped: unescaped)).inserted {
                return index
            }
            index = JSONTape.nextIndex(entries, after: index + 1)
        }
        return nil
    }

    @inline(__always)
    private mutating func count() throws(JSONDecodingError) {
        valueCount += 1
        if valueCount > options.maximumTotalCount {
            throw scanner.failure(.totalLimitExceeded(limit: options.maximumTotalCount), at: scanner.position)
        }
    }

    @inline(__always)
    private func checkContainerCount(_ entries: Int, at offset: Int) throws(JSONDecodingError) {
        if entries >= options.maximumContainerCount {
            throw scanner.failure(.containerLimitExceeded(limit: options.maximumContainerCount), at: offset)
        }
    }

    // MARK: Keys and strings

    /// A key, the colon after it, and the whitespace before its value.
    private mutating func parseKey() throws(JSONDecodingError) {
        guard scanner.position < end else { throw scanner.failure(.truncated, at: end) }
        guard base[scanner.position] == UInt8(ascii: "\"") else {
            throw scanner.failure(.unexpectedByte(base[scanner.position], expected: .key), at: scanner.position)
        }
        let index = entries.count
        let escaped = try parseString(as: .key)
        noteKey(index, escaped: escaped)
        scanner.skipWhitespace()
        guard scanner.position < end else { throw scanner.failure(.truncated, at: end) }
        guard base[scanner.position] == UInt8(ascii: ":") else {
            throw scanner.failure(.unexpectedByte(base[scanner.position], expected: .colon), at: scanner.position)
        }
        scanner.position += 1
        scanner.skipWhitespace()
    }

    /// Looks for the key at `index` among its object's earlier keys: a 256-bit filter
    /// first, then the fingerprints, then the bytes. Objects rarely repeat a key, and
    /// this costs a few operations per key where a hash set would allocate.
    private mutating func noteKey(_ index: Int, escaped: Bool) {
        if escaped {
            innermost!.hasEscapedKey = true
            return
        }
        let key = entries[index]
        let print = fingerprint(key)
        let bit: UInt64 = 1 << (print >> 58)
        defer { keyPrints.append((print, index)) }
        let seen: Bool
        switch print >> 56 & 3 {
        case 0: seen = innermost.unsafelyUnwrapped.keyBloom.0 & bit != 0; innermost!.keyBloom.0 |= bit
        case 1: seen = innermost.unsafelyUnwrapped.keyBloom.1 & bit != 0; innermost!.keyBloom.1 |= bit
        case 2: seen = innermost.unsafelyUnwrapped.keyBloom.2 & bit != 0; innermost!.keyBloom.2 |= bit
        default: seen = innermost.unsafelyUnwrapped.keyBloom.3 & bit != 0; innermost!.keyBloom.3 |= bit
        }
        guard seen else { return }
        guard innermost.unsafelyUnwrapped.firstDuplicate == nil else { return }
        guard innermost.unsafelyUnwrapped.count < Self.scannedKeyLimit else {
            innermost!.sortsAtClose = true
            return
        }
        let start = innermost.unsafelyUnwrapped.keyPrintStart
        for earlier in keyPrints.buffer(start..<keyPrints.count) where earlier.print == print {
            let other = entries[earlier.index]
            if !other.isEscaped, other.payload == key.payload,
                key.payload == 0 || memcmp(base + other.offset + 1, base + key.offset + 1, Int(key.payload)) == 0
            {
                innermost!.firstDuplicate = index
                return
            }
        }
    }

    /// The first key of `container` (none with escapes) equal to an earlier one: its
    /// keys' fingerprints sorted, and where fingerprints are equal the keys sorted by
    /// their bytes, so that keys made to share a fingerprint cost no more.
    private func firstRepeatBySorting(_ container: OpenContainer) -> Int? {
        var prints = Array(keyPrints.buffer(container.keyPrintStart..<keyPrints.count))
        prints.sort { ($0.print, $0.index) < ($1.print, $1.index) }
        var first: Int?
        var runStart = 0
        while runStart < prints.count {
            var runEnd = runStart + 1
            while runEnd < prints.count && prints[runEnd].print == prints[runStart].print { runEnd += 1 }
            if runEnd - runStart > 1 {
                // Sorted by bytes, then by position: a key equal to the one before it
                // repeats an earlier key.
                let run = prints[runStart..<runEnd].map(\.index).sorted { left, right in
                    let order = compareKeys(left, right)
                    return order != 0 ? order < 0 : left < right
                }
                for position in run.indices.dropFirst() where compareKeys(run[position - 1], run[position]) == 0 {
                    first = Swift.min(first ?? .max, run[position])
                }
            }
            runStart = runEnd
        }
        return first
    }

    /// The order of two unescaped keys' bytes (shorter first), as `memcmp` gives it.
    private func compareKeys(_ left: Int, _ right: Int) -> Int32 {
        let (leftKey, rightKey) = (entries[left], entries[right])
        guard leftKey.payload == rightKey.payload else { return leftKey.payload < rightKey.payload ? -1 : 1 }
        return memcmp(base + leftKey.offset + 1, base + rightKey.offset + 1, Int(leftKey.payload))
    }

    /// A hash of a key's length and its first and last eight bytes (the key may be
    /// shorter: the bytes around it are the quotes and the input).
    @inline(__always)
    private func fingerprint(_ key: JSONTape.Entry) -> UInt64 {
        let length = Int(key.payload)
        let start = key.offset + 1
        var head: UInt64 = 0
        var tail: UInt64 = 0
        let bytes = UnsafeRawPointer(base + start)
        if length >= 8 {
            head = bytes.loadUnaligned(as: UInt64.self)
            tail = bytes.loadUnaligned(fromByteOffset: length - 8, as: UInt64.self)
        } else if length >= 4 {
            // Two loads that overlap cover four to seven bytes (the length tells them apart).
            head = UInt64(bytes.loadUnaligned(as: UInt32.self))
                | UInt64(bytes.loadUnaligned(fromByteOffset: length - 4, as: UInt32.self)) << 32
        } else if length > 0 {
            head = UInt64(base[start]) | UInt64(base[start + length / 2]) << 8 | UInt64(base[start + length - 1]) << 16
        }
        var mixed = (head ^ UInt64(length) &* 0x9E37_79B9_7F4A_7C15) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ tail ^ mixed >> 31) &* 0x94D0_49BB_1331_11EB
        return mixed ^ mixed >> 29
    }

    /// A string or key at `scanner.position`; whether it has escapes.
    ///
    /// A string without escapes is checked where it lies (UTF-8 only if it is not ASCII),
    /// which is the tree parser's own check in the same order; one with escapes is read
    /// by the tree parser's `finishString`, which has every escape rule.
    private mutating func parseString(as kind: JSONTape.Kind) throws(JSONDecodingError) -> Bool {
        let quote = scanner.position
        var highBits: UInt64 = 0
        let special = scanner.nextSpecialByte(from: quote + 1, highBits: &highBits)
        if special < end && base[special] == UInt8(ascii: "\"") {
            let length = special - quote - 1
            guard length <= options.maximumStringLength else {
                throw scanner.failure(.stringLimitExceeded(limit: options.maximumStringLength), at: quote)
            }
            var flags: UInt64 = 0
            if highBits & 0x8080_8080_8080_8080 != 0 {
                let content = UnsafeBufferPointer(start: base + quote + 1, count: length)
                if !UTF8Validation.isValid(content) {
                    throw scanner.failure(.invalidUTF8, at: quote + 1 + UTF8Validation.firstInvalidOffset(in: content))
                }
                flags = JSONTape.nonASCIIFlag
            }
            scanner.position = special + 1
            append(kind, at: quote, payload: UInt64(length), flags: flags)
            return false
        }
        let text = try scanner.finishString(quote: quote, special: special, highBits: highBits)
        append(kind, at: quote, payload: UInt64(unescaped.count), flags: JSONTape.escapedFlag)
        unescaped.append(text)
        return true
    }
}

extension JSONTape {
    /// ``JSONTape/next(after:)`` while the tape is being written.
    @inline(__always)
    static func nextIndex(_ entries: borrowing ScratchStack<Entry>, after index: Int) -> Int {
        let entry = entries[index]
        return entry.kind.rawValue >= Kind.array.rawValue ? entry.end : index + 1
    }
}

/// The text of keys and strings on a tape being written: where they lie, or unescaped.
enum JSONTapeKeys {
    /// The string whose entry is `entries[key]`, unescaped.
    static func string(
        _ entries: borrowing ScratchStack<JSONTape.Entry>, key: Int, base: UnsafePointer<UInt8>, unescaped: [String]
    ) -> String {
        let entry = entries[key]
        guard !entry.isEscaped else { return unescaped[Int(entry.payload)] }
        let content = UnsafeBufferPointer(start: base + entry.offset + 1, count: Int(entry.payload))
        return UTF8Validation.string(validUTF8: content, isASCII: entry.isASCII)
    }

    /// The UTF-8 of `entries[key]`, unescaped.
    static func bytes(
        _ entries: borrowing ScratchStack<JSONTape.Entry>, key: Int, base: UnsafePointer<UInt8>, unescaped: [String]
    ) -> [UInt8] {
        let entry = entries[key]
        guard !entry.isEscaped else { return Array(unescaped[Int(entry.payload)].utf8) }
        return Array(UnsafeBufferPointer(start: base + entry.offset + 1, count: Int(entry.payload)))
    }
}
