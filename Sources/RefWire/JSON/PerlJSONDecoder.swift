#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Decodes JSON (RFC 8259) into ``PerlValue``s, as Perl's JSON::XS reads it.
///
/// ```swift
/// let message = try PerlJSONDecoder().decode(frame.payload)
/// message["command"]                         // "publish"
/// ```
///
/// | JSON | PerlValue |
/// |---|---|
/// | object | `.hash`, with `.string` keys in document order |
/// | array | `.array` |
/// | string | `.string` |
/// | integer (no fraction, no exponent) | `.integer`, or `.unsigned` above `Int64.max`; `-0` is `.integer(0)` |
/// | other number | `.double`, correctly rounded |
/// | `true`, `false` | `.bool` |
/// | `null` | `.undef` |
///
/// Decoding is one pass over the bytes, with no recursion (nesting costs heap, not
/// stack) and no Foundation. Input is strict RFC 8259: UTF-8 only, no comments, no
/// trailing commas, nothing after the document but whitespace; every size is bounded by
/// ``JSONDecodingOptions``. Any value may be the document's root.
public struct PerlJSONDecoder: Sendable {
    public var options: JSONDecodingOptions

    public init(options: JSONDecodingOptions = JSONDecodingOptions()) {
        self.options = options
    }

    /// Decodes one document.
    public func decode(_ bytes: some Collection<UInt8>) throws(JSONDecodingError) -> PerlValue {
        let result = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(JSONDecodingError) in try decode(buffer) }
        }
        if let result { return try result.get() }
        return try Array(bytes).withUnsafeBufferPointer { buffer throws(JSONDecodingError) in try decode(buffer) }
    }

    private func decode(_ buffer: UnsafeBufferPointer<UInt8>) throws(JSONDecodingError) -> PerlValue {
        guard buffer.count <= options.maximumInputLength else {
            throw JSONDecodingError(
                .inputLimitExceeded(length: buffer.count, limit: options.maximumInputLength),
                at: options.maximumInputLength)
        }
        var parser = JSONParser(buffer: buffer, options: options)
        return try parser.parseDocument()
    }
}

/// One pass over one document.
///
/// The parser is a loop over a stack of open containers rather than a recursion, so
/// nesting is bounded by ``JSONDecodingOptions/maximumDepth`` alone. The values of all
/// open containers live in one ``ValueStack``; closing an array moves its elements
/// into an exactly sized `[PerlValue]` in one step, closing an object builds its
/// ``PerlHash`` from the keys and values on top of the stacks.
struct JSONParser: ~Copyable {
    let base: UnsafePointer<UInt8>
    let end: Int
    var position = 0
    let options: JSONDecodingOptions

    private var values = ValueStack()
    /// The keys of the open objects, innermost last.
    private var keys = MoveStack<PendingKey>()
    private var containers: [OpenContainer] = []
    private var valueCount = 0
    /// Unescaped bytes of the string being read, reused from string to string.
    private var scratch: [UInt8] = []
    private var keyCache = RepeatedKeyCache<String>()

    struct PendingKey {
        var text: String
        /// The key's ``PerlHash/Key/indexHash``, computed once per distinct key.
        var hash: Int
        /// Where the key starts, for a duplicate key error.
        var offset: Int
    }

    private struct OpenContainer {
        var isObject: Bool
        /// Where its values (and, for an object, its keys) start on the stacks.
        var valueStart: Int
        var keyStart: Int
    }

    init(buffer: UnsafeBufferPointer<UInt8>, options: JSONDecodingOptions) {
        base = buffer.baseAddress ?? UnsafePointer(bitPattern: 1)!
        end = buffer.count
        self.options = options
    }

    mutating func parseDocument() throws(JSONDecodingError) -> PerlValue {
        skipWhitespace()
        document: while true {
            // A value starts here.
            guard position < end else { throw failure(.truncated, at: end) }
            try count()
            switch base[position] {
            case UInt8(ascii: "{"):
                try open(isObject: true)
                position += 1
                skipWhitespace()
                if position < end && base[position] == UInt8(ascii: "}") {
                    position += 1
                    containers.removeLast()
                    values.push(.hash(PerlHash()))
                } else {
                    try checkContainerCount(0, at: position)
                    try parseKey()
                    continue document
                }
            case UInt8(ascii: "["):
                try open(isObject: false)
                position += 1
                skipWhitespace()
                if position < end && base[position] == UInt8(ascii: "]") {
                    position += 1
                    containers.removeLast()
                    values.push(.array([]))
                } else {
                    try checkContainerCount(0, at: position)
                    continue document
                }
            case UInt8(ascii: "\""):
                values.push(.string(try parseString()))
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                values.push(try parseNumber())
            case UInt8(ascii: "t"):
                try parseLiteral("true")
                values.push(.bool(true))
            case UInt8(ascii: "f"):
                try parseLiteral("false")
                values.push(.bool(false))
            case UInt8(ascii: "n"):
                try parseLiteral("null")
                values.push(.undef)
            default:
                throw failure(.unexpectedByte(base[position], expected: .value), at: position)
            }

            // A value ended: go on in the innermost open container, closing containers
            // as long as they end.
            while let container = containers.last {
                skipWhitespace()
                guard position < end else { throw failure(.truncated, at: end) }
                let byte = base[position]
                position += 1
                if byte == UInt8(ascii: ",") {
                    try checkContainerCount(values.count - container.valueStart, at: position - 1)
                    skipWhitespace()
                    if container.isObject { try parseKey() }
                    continue document
                }
                if container.isObject {
                    guard byte == UInt8(ascii: "}") else {
                        throw failure(.unexpectedByte(byte, expected: .commaOrEndOfObject), at: position - 1)
                    }
                    try closeObject(container)
                } else {
                    guard byte == UInt8(ascii: "]") else {
                        throw failure(.unexpectedByte(byte, expected: .commaOrEndOfArray), at: position - 1)
                    }
                    values.push(.array(values.popArray(from: container.valueStart)))
                }
                containers.removeLast()
            }
            break
        }
        skipWhitespace()
        if position < end { throw failure(.trailingBytes(count: end - position), at: position) }
        return values.pop()
    }

    // MARK: - Containers

    private mutating func open(isObject: Bool) throws(JSONDecodingError) {
        guard containers.count < options.maximumDepth else {
            throw failure(.depthLimitExceeded(limit: options.maximumDepth), at: position)
        }
        containers.append(OpenContainer(isObject: isObject, valueStart: values.count, keyStart: keys.count))
    }

    /// Counts one more value against the total limit.
    @inline(__always)
    private mutating func count() throws(JSONDecodingError) {
        valueCount += 1
        if valueCount > options.maximumTotalCount {
            throw failure(.totalLimitExceeded(limit: options.maximumTotalCount), at: position)
        }
    }

    /// Checks that a container holding `entries` may take one more, which starts at
    /// (or after the comma at) `offset`.
    @inline(__always)
    private func checkContainerCount(_ entries: Int, at offset: Int) throws(JSONDecodingError) {
        if entries >= options.maximumContainerCount {
            throw failure(.containerLimitExceeded(limit: options.maximumContainerCount), at: offset)
        }
    }

    /// A key, the colon after it, and the whitespace before its value.
    @inline(__always)
    private mutating func parseKey() throws(JSONDecodingError) {
        guard position < end else { throw failure(.truncated, at: end) }
        guard base[position] == UInt8(ascii: "\"") else {
            throw failure(.unexpectedByte(base[position], expected: .key), at: position)
        }
        let offset = position
        let (text, hash) = try parseKeyString()
        keys.push(PendingKey(text: text, hash: hash, offset: offset))
        skipWhitespace()
        guard position < end else { throw failure(.truncated, at: end) }
        guard base[position] == UInt8(ascii: ":") else {
            throw failure(.unexpectedByte(base[position], expected: .colon), at: position)
        }
        position += 1
        skipWhitespace()
    }

    /// Replaces the keys and values of the innermost object with the hash they make.
    ///
    /// Keys and values are moved, not copied, into a hash made in one step when no two
    /// keys have the same hash. Only then (a duplicate key, or rarely a collision) are
    /// they inserted one by one, under ``JSONDecodingOptions/duplicateKeys``.
    @inline(never)
    private mutating func closeObject(_ container: OpenContainer) throws(JSONDecodingError) {
        let keyStart = container.keyStart
        let valueStart = container.valueStart
        let total = keys.count - keyStart
        if let hash = PerlHash.withDistinctHashes(
            count: total,
            hash: { keys[keyStart + $0].hash },
            entry: { (.string(keys.take(at: keyStart + $0).text), values.take(at: valueStart + $0)) })
        {
            keys.forget(from: keyStart)
            values.forget(from: valueStart)
            values.push(.hash(hash))
            return
        }
        var hash = PerlHash(minimumCapacity: total)
        var taken = 0
        do {
            // Cuts both stacks back: all was taken, or, after a rejected duplicate, the
            // rest is destroyed.
            defer {
                keys.removeLast(from: keyStart + taken)
                keys.forget(from: keyStart)
                values.removeLast(from: valueStart + taken)
                values.forget(from: valueStart)
            }
            while taken < total {
                let key = keys.take(at: keyStart + taken)
                let value = values.take(at: valueStart + taken)
                taken += 1
                if !hash.containsEntry(withHash: key.hash) {
                    let keyHash = key.hash
                    hash.appendNew(consume value, forKey: .string((consume key).text), hash: keyHash)
                    continue
                }
                if let previous = hash.updateValue(value, forKey: .string(key.text), hash: key.hash) {
                    switch options.duplicateKeys {
                    case .lastWins: break
                    case .firstWins: hash.updateValue(previous, forKey: .string(key.text), hash: key.hash)
                    case .reject: throw failure(.duplicateKey(key.text), at: key.offset)
                    }
                }
            }
        }
        values.push(.hash(hash))
    }

    // MARK: - Scalars

    /// Skips spaces, tabs, line feeds and carriage returns (RFC 8259's whitespace).
    /// Compact documents have none, and pay one comparison; the one space after a colon
    /// in indented documents costs two.
    @inline(__always)
    mutating func skipWhitespace() {
        guard position < end && base[position] <= 0x20 else { return }
        if base[position] == 0x20 && position + 1 < end && base[position + 1] > 0x20 {
            position += 1
            return
        }
        skipWhitespaceRun()
    }

    /// Indented documents have a line feed and a run of spaces before each member. The
    /// spaces go sixteen at a time, in two loads whose counts are combined without a
    /// branch: indentation is mostly 6 to 10 spaces, and a branch on whether the first
    /// eight were all spaces was mispredicted.
    @inline(never)
    private mutating func skipWhitespaceRun() {
        let spaces: UInt64 = 0x2020_2020_2020_2020
        if base[position] == 0x0A { position += 1 }
        while position < end {
            if end - position >= 16 {
                let first = UInt64(littleEndian: UnsafeRawPointer(base + position).loadUnaligned(as: UInt64.self))
                let second = UInt64(littleEndian: UnsafeRawPointer(base + position + 8).loadUnaligned(as: UInt64.self))
                let head = (first ^ spaces).trailingZeroBitCount >> 3
                let run = head == 8 ? 8 + (second ^ spaces).trailingZeroBitCount >> 3 : head
                position += run
                if run == 16 { continue }
            }
            switch base[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    /// `true`, `false` or `null`: its first four bytes compared in one load where the
    /// input has them; byte by byte otherwise, and to name the byte that differs.
    mutating func parseLiteral(_ literal: StaticString) throws(JSONDecodingError) {
        let length = literal.utf8CodeUnitCount
        if end - position >= length {
            let head = UnsafeRawPointer(base + position).loadUnaligned(as: UInt32.self)
            let expected = UnsafeRawPointer(literal.utf8Start).loadUnaligned(as: UInt32.self)
            if head == expected && (length == 4 || base[position + 4] == literal.utf8Start[4]) {
                position += length
                return
            }
        }
        for index in 0..<length {
            guard position < end else { throw failure(.truncated, at: end) }
            guard base[position] == literal.utf8Start[index] else {
                throw failure(.unexpectedByte(base[position], expected: .literal), at: position)
            }
            position += 1
        }
    }

    /// A number, checked against RFC 8259's grammar as it is scanned. Its digits are
    /// gathered into a `UInt64` on the way; only numbers of more than 19 digits, which
    /// that cannot hold, are looked at again.
    mutating func parseNumber() throws(JSONDecodingError) -> PerlValue {
        let start = position
        let negative = base[position] == UInt8(ascii: "-")
        if negative { position += 1 }
        var significand: UInt64 = 0

        let integerStart = position
        guard position < end else { throw failure(.truncated, at: end) }
        if base[position] == UInt8(ascii: "0") {
            position += 1
        } else {
            guard isDigit(base[position]) else { throw failure(.invalidNumber, at: position) }
            scanDigits(into: &significand)
        }
        let integerDigits = position - integerStart
        if position < end && isDigit(base[position]) { throw failure(.invalidNumber, at: position) }  // 01

        var fractionDigits = 0
        var isInteger = true
        if position < end && base[position] == UInt8(ascii: ".") {
            isInteger = false
            position += 1
            let fractionStart = position
            scanDigits(into: &significand)
            fractionDigits = position - fractionStart
            if fractionDigits == 0 { throw failure(position < end ? .invalidNumber : .truncated, at: position) }
        }
        var exponent = 0
        if position < end && base[position] | 0x20 == UInt8(ascii: "e") {
            isInteger = false
            position += 1
            var negativeExponent = false
            if position < end && (base[position] == UInt8(ascii: "-") || base[position] == UInt8(ascii: "+")) {
                negativeExponent = base[position] == UInt8(ascii: "-")
                position += 1
            }
            guard position < end else { throw failure(.truncated, at: end) }
            guard isDigit(base[position]) else { throw failure(.invalidNumber, at: position) }
            while position < end && isDigit(base[position]) {
                exponent = Swift.min(exponent * 10 + Int(base[position] &- UInt8(ascii: "0")), JSONDoubleParser.exponentSaturation)
                position += 1
            }
            if negativeExponent { exponent = -exponent }
        }

        let text = UnsafeBufferPointer(start: base + start, count: position - start)
        if isInteger {
            guard let magnitude = integerDigits <= 19 ? significand : Self.exactInteger(text, digits: integerDigits) else {
                return try outOfRange(text, at: start)
            }
            if !negative {
                return magnitude <= UInt64(Int64.max) ? .integer(Int64(magnitude)) : .unsigned(magnitude)
            }
            guard magnitude <= UInt64(Int64.max) + 1 else { return try outOfRange(text, at: start) }
            return .integer(Int64(bitPattern: 0 &- magnitude))
        }
        let value =
            integerDigits + fractionDigits <= 19
            ? JSONDoubleParser.double(significand: significand, exponent: exponent - fractionDigits, negative: negative)
            : JSONDoubleParser.double(parsing: text)
        guard value.isFinite else { return try outOfRange(text, at: start) }
        return .double(value)
    }

    @inline(__always)
    private func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }

    /// Consumes digits, accumulating them (modulo 2⁶⁴: only up to 19 are used).
    @inline(__always)
    private mutating func scanDigits(into significand: inout UInt64) {
        while position < end {
            let digit = base[position] &- UInt8(ascii: "0")
            guard digit < 10 else { return }
            significand = significand &* 10 &+ UInt64(digit)
            position += 1
        }
    }

    /// The magnitude of a 20-digit or longer integer, if a `UInt64` holds it.
    private static func exactInteger(_ text: UnsafeBufferPointer<UInt8>, digits: Int) -> UInt64? {
        guard digits == 20 else { return nil }  // no leading zeros: 21 digits exceed 2⁶⁴
        var value: UInt64 = 0
        for byte in text.suffix(20) {
            let (tenfold, overflow) = value.multipliedReportingOverflow(by: 10)
            let (sum, carry) = tenfold.addingReportingOverflow(UInt64(byte &- UInt8(ascii: "0")))
            if overflow || carry { return nil }
            value = sum
        }
        return value
    }

    @inline(never)
    private func outOfRange(_ text: UnsafeBufferPointer<UInt8>, at start: Int) throws(JSONDecodingError) -> PerlValue {
        switch options.outOfRangeNumbers {
        case .reject: throw failure(.numberOutOfRange, at: start)
        case .keepAsString: return .string(String(decoding: text, as: UTF8.self))
        }
    }

    /// The key whose opening quote is at `position`, and its ``PerlHash/Key/indexHash``.
    ///
    /// A key of ASCII without escapes (nearly every key) is its bytes: the key cache gives
    /// back the `String` and hash of the same bytes met before, trying the key that came
    /// next last time before hashing the bytes where they lie. Any other key is read as a
    /// string.
    @inline(__always)
    private mutating func parseKeyString() throws(JSONDecodingError) -> (String, Int) {
        let quote = position
        // The predicted key's bytes and then a quote: they are ASCII without escapes, as
        // every cached key is, so the scan below would have found just that.
        if let (text, hash, count) = keyCache.predicted(
            at: base + quote + 1, available: end - quote - 1, followedBy: UInt8(ascii: "\""))
        {
            position = quote + count + 2
            return (text, hash)
        }
        var highBits: UInt64 = 0
        let special = nextSpecialByte(from: quote + 1, highBits: &highBits)
        guard special < end, base[special] == UInt8(ascii: "\""), highBits & 0x8080_8080_8080_8080 == 0 else {
            let text = try finishString(quote: quote, special: special, highBits: highBits)
            return (text, PerlHash.Key.string(text).indexHash)
        }
        let bytes = UnsafeRawBufferPointer(start: base + quote + 1, count: special - quote - 1)
        let hash = PerlHash.Key.indexHash(latin1: bytes)
        if let text = keyCache.lookup(bytes, hash: hash) {
            position = special + 1
            return (text, hash)
        }
        let text = try finishString(quote: quote, special: special, highBits: highBits)
        keyCache.store(text, for: bytes, hash: hash)
        return (text, hash)
    }

    /// The string whose opening quote is at `position`.
    @inline(__always)
    private mutating func parseString() throws(JSONDecodingError) -> String {
        let quote = position
        var highBits: UInt64 = 0
        let special = nextSpecialByte(from: quote + 1, highBits: &highBits)
        return try finishString(quote: quote, special: special, highBits: highBits)
    }

    /// The rest of the string whose opening quote is at `quote`, scanned up to `special`
    /// (the first `"`, `\` or control character, or the end) with `highBits` gathered
    /// from the bytes before it.
    ///
    /// Runs without escapes are found eight bytes at a time, noting on the way whether
    /// any byte is outside ASCII; only then are they validated as UTF-8 (escapes are
    /// ASCII and decode to whole characters, so the raw bytes are invalid exactly where
    /// the unescaped text would be). A string without escapes becomes a `String` straight
    /// from the input; escapes are decoded into a scratch buffer first.
    mutating func finishString(quote: Int, special: Int, highBits scanned: UInt64) throws(JSONDecodingError)
        -> String
    {
        let contentStart = quote + 1
        var runStart = contentStart
        var escaped = false
        var highBits = scanned
        position = special
        while true {
            guard position < end else { throw failure(.truncated, at: end) }
            let byte = base[position]
            if byte == UInt8(ascii: "\"") { break }
            if byte < 0x20 { throw failure(.unescapedControlCharacter(byte), at: position) }
            // A backslash.
            if !escaped {
                escaped = true
                scratch.removeAll(keepingCapacity: true)
            }
            scratch.append(contentsOf: UnsafeBufferPointer(start: base + runStart, count: position - runStart))
            try parseEscape()
            if scratch.count > options.maximumStringLength {
                throw failure(.stringLimitExceeded(limit: options.maximumStringLength), at: quote)
            }
            runStart = position
            position = nextSpecialByte(from: position, highBits: &highBits)
        }
        let run = UnsafeBufferPointer(start: base + runStart, count: position - runStart)
        position += 1
        if escaped { scratch.append(contentsOf: run) }
        guard (escaped ? scratch.count : run.count) <= options.maximumStringLength else {
            throw failure(.stringLimitExceeded(limit: options.maximumStringLength), at: quote)
        }
        // Only a string with bytes outside ASCII is validated, once, here, and its `String`
        // made without the standard library validating it again. Escapes decode to whole
        // characters, so the raw bytes are invalid exactly where the unescaped text would
        // be.
        let isASCII = highBits & 0x8080_8080_8080_8080 == 0
        if !isASCII {
            let content = UnsafeBufferPointer(start: base + contentStart, count: position - 1 - contentStart)
            if !UTF8Validation.isValid(content) {
                throw failure(.invalidUTF8, at: contentStart + UTF8Validation.firstInvalidOffset(in: content))
            }
        }
        if escaped { return scratch.withUnsafeBufferPointer { UTF8Validation.string(validUTF8: $0, isASCII: false) } }
        return UTF8Validation.string(validUTF8: run, isASCII: isASCII)
    }

    /// The first `"`, `\` or control character at or after `start`, or `end`; the bytes
    /// before it are ORed into `highBits`, whose bits 7, 15, … say whether any was
    /// outside ASCII.
    @inline(__always)
    func nextSpecialByte(from start: Int, highBits: inout UInt64) -> Int {
        var index = start
        while end - index >= 8 {
            let word = UInt64(littleEndian: UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self))
            let special = JSONBytes.quoteBackslashOrControl(word)
            if special != 0 {
                // The bytes below the first special one: its bit is 8i + 7.
                let below = (special & (0 &- special)) >> 7 &- 1
                highBits |= word & below
                return index + special.trailingZeroBitCount >> 3
            }
            highBits |= word
            index += 8
        }
        while index < end {
            let byte = base[index]
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 { return index }
            highBits |= UInt64(byte)
            index += 1
        }
        return end
    }

    /// The escape at `position` (a backslash), appended to `scratch` as UTF-8.
    private mutating func parseEscape() throws(JSONDecodingError) {
        let start = position
        guard end - position >= 2 else { throw failure(.truncated, at: end) }
        let letter = base[position + 1]
        position += 2
        let byte: UInt8
        switch letter {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): byte = letter
        case UInt8(ascii: "b"): byte = 0x08
        case UInt8(ascii: "f"): byte = 0x0C
        case UInt8(ascii: "n"): byte = 0x0A
        case UInt8(ascii: "r"): byte = 0x0D
        case UInt8(ascii: "t"): byte = 0x09
        case UInt8(ascii: "u"):
            var scalar = try parseHexQuad(escapeStart: start)
            if (0xDC00...0xDFFF).contains(scalar) { throw failure(.loneSurrogate, at: start) }
            if (0xD800...0xDBFF).contains(scalar) {
                // The high half of a pair: the low half must follow, escaped.
                guard position < end else { throw failure(.truncated, at: end) }
                guard base[position] == UInt8(ascii: "\\") else { throw failure(.loneSurrogate, at: start) }
                guard position + 1 < end else { throw failure(.truncated, at: end) }
                guard base[position + 1] == UInt8(ascii: "u") else { throw failure(.loneSurrogate, at: start) }
                let lowStart = position
                position += 2
                let low = try parseHexQuad(escapeStart: lowStart)
                guard (0xDC00...0xDFFF).contains(low) else { throw failure(.loneSurrogate, at: start) }
                scalar = 0x1_0000 + (scalar - 0xD800) << 10 + (low - 0xDC00)
            }
            appendUTF8(scalar)
            return
        default:
            throw failure(.invalidEscape, at: start)
        }
        scratch.append(byte)
    }

    /// The four hex digits of a `\u` escape starting at `escapeStart`.
    private mutating func parseHexQuad(escapeStart: Int) throws(JSONDecodingError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard position < end else { throw failure(.truncated, at: end) }
            let byte = base[position]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw failure(.invalidEscape, at: escapeStart)
            }
            value = value << 4 | UInt32(digit)
            position += 1
        }
        return value
    }

    private mutating func appendUTF8(_ scalar: UInt32) {
        switch scalar {
        case ..<0x80:
            scratch.append(UInt8(scalar))
        case ..<0x800:
            scratch.append(0xC0 | UInt8(scalar >> 6))
            scratch.append(0x80 | UInt8(scalar & 0x3F))
        case ..<0x1_0000:
            scratch.append(0xE0 | UInt8(scalar >> 12))
            scratch.append(0x80 | UInt8(scalar >> 6 & 0x3F))
            scratch.append(0x80 | UInt8(scalar & 0x3F))
        default:
            scratch.append(0xF0 | UInt8(scalar >> 18))
            scratch.append(0x80 | UInt8(scalar >> 12 & 0x3F))
            scratch.append(0x80 | UInt8(scalar >> 6 & 0x3F))
            scratch.append(0x80 | UInt8(scalar & 0x3F))
        }
    }

    /// Builds an error out of line, keeping the hot paths small.
    @inline(never)
    func failure(_ kind: JSONDecodingError.Kind, at offset: Int) -> JSONDecodingError {
        JSONDecodingError(kind, at: offset)
    }
}

