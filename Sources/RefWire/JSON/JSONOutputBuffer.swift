#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The bytes of one JSON document being written: a growable buffer written through a
/// pointer, so each token costs one capacity check rather than one per byte, and the
/// `[UInt8]` the caller gets is the buffer itself.
///
/// Strings are escaped exactly as JSON::XS escapes them (`\"`, `\\`, `\b`, `\f`, `\n`,
/// `\r`, `\t`, other control characters as `\u00xx` in lowercase; `/` and DEL as they
/// are), so canonical output can be compared with Perl's byte for byte.
struct JSONOutputBuffer: ~Copyable {
    /// The array the document is written into, handed to the caller when it is done
    /// rather than copied into one (the copy was 4 % of encoding twitter.json). Its
    /// count is its whole capacity, the bytes past `count` not yet written, until
    /// ``finish()`` cuts it to the document.
    private var bytes: [UInt8]
    /// The storage of `bytes`, escaped from it: nothing else holds the array, and
    /// nothing changes it, until ``finish()`` or ``grow(to:)`` replaces it.
    private var storage: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var count = 0
    /// Whether characters outside ASCII are written as `\u` escapes.
    private let escapesNonASCII: Bool

    init(escapesNonASCII: Bool) {
        self.escapesNonASCII = escapesNonASCII
        (bytes, storage, capacity) = Self.makeStorage(capacity: 1024, keeping: UnsafeBufferPointer(start: nil, count: 0))
    }

    /// The document, as an array of its own.
    consuming func finish() -> [UInt8] {
        var document = bytes
        // The array is unique and its elements trivial: this only sets its count.
        document.removeLast(document.count - count)
        return document
    }

    /// Makes room for `extra` more bytes.
    @inline(__always)
    private mutating func reserve(_ extra: Int) {
        if capacity - count < extra { grow(to: count + extra) }
    }

    @inline(never)
    private mutating func grow(to minimum: Int) {
        var newCapacity = capacity * 2
        while newCapacity < minimum { newCapacity *= 2 }
        (bytes, storage, capacity) = Self.makeStorage(
            capacity: newCapacity, keeping: UnsafeBufferPointer(start: storage, count: count))
    }

    /// An array of at least `capacity` bytes, `kept` copied to its start and the rest
    /// uninitialized (bytes need none), with its storage and its whole count.
    private static func makeStorage(
        capacity: Int, keeping kept: UnsafeBufferPointer<UInt8>
    ) -> ([UInt8], UnsafeMutablePointer<UInt8>, Int) {
        var array = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, initialized in
            if let source = kept.baseAddress { buffer.baseAddress!.update(from: source, count: kept.count) }
            initialized = buffer.count
        }
        let storage = array.withUnsafeMutableBufferPointer { $0.baseAddress! }
        return (array, storage, array.count)
    }

    @inline(__always)
    mutating func append(_ byte: UInt8) {
        reserve(1)
        storage[count] = byte
        count += 1
    }

    /// Appends ASCII text known at compile time (`null`, `true`, …).
    @inline(__always)
    mutating func append(_ text: StaticString) {
        reserve(text.utf8CodeUnitCount)
        (storage + count).update(from: text.utf8Start, count: text.utf8CodeUnitCount)
        count += text.utf8CodeUnitCount
    }

    /// How many bytes have been written.
    var writtenCount: Int { count }

    /// Appends again the `length` bytes written at `start` (``JSONKeyCache``'s keys),
    /// sixteen at a time: a key is mostly one or two blocks, where a call to `memcpy`
    /// costs more than it copies.
    @inline(__always)
    mutating func appendWritten(start: Int, count length: Int) {
        // The last block may read up to 15 bytes past the text, which lie within the
        // capacity reserved here, and stores as many past the new end, overwritten by
        // what follows. Blocks are read before the ones after them are stored, and the
        // text ends at or before the old end, so no byte of it is overwritten first.
        reserve(length + 16)
        var offset = 0
        repeat {
            let block = UnsafeRawPointer(storage + start + offset).loadUnaligned(as: SIMD16<UInt8>.self)
            UnsafeMutableRawPointer(storage + count + offset).storeBytes(of: block, as: SIMD16<UInt8>.self)
            offset += 16
        } while offset < length
        count += length
    }

    /// A newline and `level` × 3 spaces: JSON::XS's `indent` step.
    mutating func appendNewline(indentation level: Int) {
        let spaces = level * 3
        reserve(1 + spaces)
        storage[count] = UInt8(ascii: "\n")
        (storage + count + 1).initialize(repeating: UInt8(ascii: " "), count: spaces)
        count += 1 + spaces
    }

    // MARK: - Numbers

    mutating func append(_ number: Int64) {
        if number < 0 {
            append(UInt8(ascii: "-"))
            append(number.magnitude)
        } else {
            append(UInt64(number))
        }
    }

    /// Writes the digits as up to three words of eight, each made in a register and
    /// stored straight into the output (the first shifted to drop its leading zeros),
    /// the later ones overwriting the bytes past the digits of the one before.
    /// `DecimalText`, which doubles need, lays its words out in memory and loads them
    /// back at an offset: that load, straddling two fresh stores, cannot be forwarded
    /// from them and stalled a third of citm_catalog's encoding.
    mutating func append(_ number: UInt64) {
        // At most 20 digits, and 8 bytes stored at the last word's place.
        reserve(24)
        let target = UnsafeMutableRawPointer(storage + count)
        let digits = DecimalText.digitCount(of: number)
        @inline(__always)
        func store(_ value: UInt64, digits: Int, at offset: Int) {
            let text = DecimalText.eightDigits(UInt32(truncatingIfNeeded: value)) >> (64 - 8 * digits)
            target.storeBytes(of: text.littleEndian, toByteOffset: offset, as: UInt64.self)
        }
        switch digits {
        case ...8:
            store(number, digits: digits, at: 0)
        case ...16:
            store(number / 100_000_000, digits: digits - 8, at: 0)
            store(number % 100_000_000, digits: 8, at: digits - 8)
        default:
            let rest = number % 10_000_000_000_000_000
            store(number / 10_000_000_000_000_000, digits: digits - 16, at: 0)
            store(rest / 100_000_000, digits: 8, at: digits - 16)
            store(rest % 100_000_000, digits: 8, at: digits - 8)
        }
        count += digits
    }

    /// Appends a finite double as the shortest text that reads back as the same double,
    /// laid out as `Spec/json.md` says: plain decimal notation from 10⁻⁷ up to 10²¹
    /// (with `.0` when integral, so that it reads back as a double, not an integer),
    /// otherwise `d.ddde±n` with no `+` and no leading zeros in the exponent.
    ///
    /// The digits are the ones Swift's `description` prints (``JSONShortestDouble``).
    /// They are made as text first, eight at a time, so that trailing zeros are found in
    /// the text and each part of the layout is a few word-sized copies.
    mutating func append(_ number: Double) {
        // A sign, then at most 21 digits, the point and 24 bytes of word-sized copies.
        reserve(64)
        if number.sign == .minus {
            storage[count] = UInt8(ascii: "-")
            count += 1
        }
        guard number != 0 else {
            append("0.0")
            return
        }
        let (significand, exponent) = JSONShortestDouble.decimal(of: number.magnitude)
        let digits = DecimalText(significand)
        // How many digits precede the decimal point; negative means leading zeros.
        let pointPosition = digits.count + exponent + digits.trailingZeros
        let output = UnsafeMutableRawPointer(storage + count)
        if digits.count <= pointPosition && pointPosition <= 21 {
            // 1234000.0
            digits.copy(to: output)
            (storage + count + digits.count).initialize(repeating: UInt8(ascii: "0"), count: pointPosition - digits.count)
            count += pointPosition
            append(".0")
        } else if 0 < pointPosition && pointPosition <= 21 {
            // 12.34: all the digits, then the fractional ones again one place on.
            digits.copy(to: output)
            digits.copy(to: output + pointPosition + 1, droppingFirst: pointPosition)
            output.storeBytes(of: UInt8(ascii: "."), toByteOffset: pointPosition, as: UInt8.self)
            count += digits.count + 1
        } else if -6 < pointPosition && pointPosition <= 0 {
            // 0.001234: "0.000000" stored whole, then the digits over the zeros not needed.
            output.storeBytes(of: UInt64(littleEndian: 0x3030_3030_3030_2E30), as: UInt64.self)
            digits.copy(to: output + 2 - pointPosition)
            count += 2 - pointPosition + digits.count
        } else {
            // 1.234e-7, 5e-324, 1e21: the first digit, the point, the others.
            digits.copy(to: output)
            if digits.count > 1 {
                digits.copy(to: output + 2, droppingFirst: 1)
                output.storeBytes(of: UInt8(ascii: "."), toByteOffset: 1, as: UInt8.self)
                count += digits.count + 1
            } else {
                count += 1
            }
            storage[count] = UInt8(ascii: "e")
            count += 1
            append(Int64(pointPosition - 1))
        }
    }

    // MARK: - Strings

    /// A quoted JSON string of the characters `utf8` encodes (valid UTF-8, as every
    /// Swift string is).
    mutating func appendString(utf8: UnsafeBufferPointer<UInt8>) {
        appendString(utf8, latin1: false)
    }

    /// A quoted JSON string of Perl's byte string `bytes`: each byte is the character
    /// with that code point (Latin-1), as Perl and JSON::XS read a string without the
    /// UTF-8 flag.
    mutating func appendString(latin1 bytes: UnsafeBufferPointer<UInt8>) {
        appendString(bytes, latin1: true)
    }

    /// Bytes that cannot be copied as they are: `"`, `\`, control characters, and
    /// (second table) bytes from 0x80, which are escaped or, in Latin-1, re-encoded.
    private static let specialInUTF8: StaticString = """
        1111111111111111111111111111111100100000000000000000000000000000\
        0000000000000000000000000000100000000000000000000000000000000000\
        0000000000000000000000000000000000000000000000000000000000000000\
        0000000000000000000000000000000000000000000000000000000000000000
        """
    private static let specialInASCII: StaticString = """
        1111111111111111111111111111111100100000000000000000000000000000\
        0000000000000000000000000000100000000000000000000000000000000000\
        1111111111111111111111111111111111111111111111111111111111111111\
        1111111111111111111111111111111111111111111111111111111111111111
        """

    private mutating func appendString(_ text: UnsafeBufferPointer<UInt8>, latin1: Bool) {
        // Room for the common case, a string with nothing to escape, and for the whole
        // word stored at its end (`wordSlack`); each escape makes room for itself and
        // the rest.
        reserve(text.count + 2 + Self.wordSlack)
        storage[count] = UInt8(ascii: "\"")
        count += 1
        guard let source = text.baseAddress else {
            storage[count] = UInt8(ascii: "\"")
            count += 1
            return
        }
        let stopsAtHighBytes = latin1 || escapesNonASCII
        let highMask: UInt64 = stopsAtHighBytes ? 0x8080_8080_8080_8080 : 0
        // Most keys and many strings are 8 to 16 bytes with nothing to escape: two
        // overlapping words, tested and stored, and the closing quote.
        if text.count >= 8 && text.count <= 16 {
            let first = UInt64(littleEndian: UnsafeRawPointer(source).loadUnaligned(as: UInt64.self))
            let last = UInt64(littleEndian: UnsafeRawPointer(source + text.count - 8).loadUnaligned(as: UInt64.self))
            let flagged = JSONBytes.quoteBackslashOrControl(first) | JSONBytes.quoteBackslashOrControl(last)
            if flagged | (first | last) & highMask == 0 {
                let target = UnsafeMutableRawPointer(storage + count)
                target.storeBytes(of: first.littleEndian, as: UInt64.self)
                target.storeBytes(of: last.littleEndian, toByteOffset: text.count - 8, as: UInt64.self)
                storage[count + text.count] = UInt8(ascii: "\"")
                count += text.count + 1
                return
            }
        }
        let special = (stopsAtHighBytes ? Self.specialInASCII : Self.specialInUTF8).utf8Start
        var index = 0
        while true {
            // Plain bytes: sixteen at a time, then eight, then the last few as one word
            // too, then one at a time up to a special one.
            while text.count - index >= 16 {
                let block = UnsafeRawPointer(source + index).loadUnaligned(as: SIMD16<UInt8>.self)
                if JSONBytes.hasQuoteBackslashOrControl(block, orAbove: stopsAtHighBytes ? 0x7F : 0xFF) { break }
                UnsafeMutableRawPointer(storage + count).storeBytes(of: block, as: SIMD16<UInt8>.self)
                count += 16
                index += 16
            }
            while text.count - index >= 8 {
                let word = UnsafeRawPointer(source + index).loadUnaligned(as: UInt64.self)
                if JSONBytes.quoteBackslashOrControl(UInt64(littleEndian: word)) | word & highMask != 0 { break }
                UnsafeMutableRawPointer(storage + count).storeBytes(of: word, as: UInt64.self)
                count += 8
                index += 8
            }
            let remaining = text.count - index
            if remaining < 8 {
                let word = Self.lastBytes(remaining, of: text)
                let inString: UInt64 = remaining == 0 ? 0 : ~0 >> (64 - 8 * UInt64(remaining))
                if (JSONBytes.quoteBackslashOrControl(word) | word & highMask) & inString == 0 {
                    // Bytes past the string's are stored too, into the reserved slack,
                    // and overwritten by the closing quote and what follows.
                    UnsafeMutableRawPointer(storage + count).storeBytes(of: UInt64(littleEndian: word), as: UInt64.self)
                    count += remaining
                    break
                }
            }
            while index < text.count && special[Int(source[index])] == UInt8(ascii: "0") {
                storage[count] = source[index]
                count += 1
                index += 1
            }
            guard index < text.count else { break }
            let byte = source[index]
            // The longest escape (a surrogate pair, 12 bytes), the rest, the quote.
            reserve(12 + text.count - index + Self.wordSlack)
            if byte < 0x80 {
                appendEscape(byte)
                index += 1
            } else if latin1 {
                if escapesNonASCII {
                    appendUnicodeEscape(UInt32(byte))
                } else {
                    storage[count] = 0xC0 | byte >> 6
                    storage[count + 1] = 0x80 | byte & 0x3F
                    count += 2
                }
                index += 1
            } else {
                // UTF-8 with non-ASCII escaped: decode one scalar.
                let length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : 2
                var scalar = UInt32(byte) & (length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07)
                for offset in 1..<length { scalar = scalar << 6 | UInt32(source[index + offset] & 0x3F) }
                appendUnicodeEscape(scalar)
                index += length
            }
        }
        storage[count] = UInt8(ascii: "\"")
        count += 1
    }

    /// Room kept past a string's bytes, so that its last bytes can be stored as one word.
    private static let wordSlack = 8

    /// The last `count` (< 8) bytes of `text`, the first of them in the lowest byte and
    /// zeros above, read without touching memory outside `text`: one unaligned load when
    /// `text` holds at least eight bytes, otherwise two overlapping ones.
    @inline(__always)
    private static func lastBytes(_ count: Int, of text: UnsafeBufferPointer<UInt8>) -> UInt64 {
        guard count > 0, let source = text.baseAddress else { return 0 }
        let end = source + text.count
        if text.count >= 8 {
            let word = UInt64(littleEndian: UnsafeRawPointer(end - 8).loadUnaligned(as: UInt64.self))
            return word >> (64 - 8 * UInt64(count))
        }
        let start = end - count
        if count >= 4 {
            let low = UInt64(UInt32(littleEndian: UnsafeRawPointer(start).loadUnaligned(as: UInt32.self)))
            let high = UInt64(UInt32(littleEndian: UnsafeRawPointer(end - 4).loadUnaligned(as: UInt32.self)))
            return low | high << (8 * UInt64(count - 4))
        }
        return UInt64(start[0]) | UInt64(start[count / 2]) << (8 * UInt64(count / 2))
            | UInt64(start[count - 1]) << (8 * UInt64(count - 1))
    }

    /// The escape of an ASCII byte that needs one. Room is reserved.
    private mutating func appendEscape(_ byte: UInt8) {
        let short: UInt8
        switch byte {
        case UInt8(ascii: "\""): short = UInt8(ascii: "\"")
        case UInt8(ascii: "\\"): short = UInt8(ascii: "\\")
        case 0x08: short = UInt8(ascii: "b")
        case 0x09: short = UInt8(ascii: "t")
        case 0x0A: short = UInt8(ascii: "n")
        case 0x0C: short = UInt8(ascii: "f")
        case 0x0D: short = UInt8(ascii: "r")
        default:
            appendUnicodeEscape(UInt32(byte))
            return
        }
        storage[count] = UInt8(ascii: "\\")
        storage[count + 1] = short
        count += 2
    }

    /// `\uxxxx` (lowercase hex), or a surrogate pair above U+FFFF. Room is reserved.
    private mutating func appendUnicodeEscape(_ scalar: UInt32) {
        if scalar >= 0x1_0000 {
            let offset = scalar - 0x1_0000
            appendUnicodeEscape(0xD800 + offset >> 10)
            appendUnicodeEscape(0xDC00 + offset & 0x3FF)
            return
        }
        let hex: StaticString = "0123456789abcdef"
        storage[count] = UInt8(ascii: "\\")
        storage[count + 1] = UInt8(ascii: "u")
        for position in 0..<4 {
            storage[count + 2 + position] = hex.utf8Start[Int(scalar >> (12 - 4 * UInt32(position)) & 0xF)]
        }
        count += 6
    }
}

/// Eight-bytes-at-a-time tests shared by the reader and the writer.
enum JSONBytes {
    /// A word whose high bit is set in the lowest byte of `word` (read little-endian)
    /// that is `"`, `\` or below 0x20, if any; higher bits may be set spuriously by
    /// borrows, but the lowest set bit is always exact.
    @inline(__always)
    static func quoteBackslashOrControl(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highBits: UInt64 = 0x8080_8080_8080_8080
        let quotes = word ^ (ones &* UInt64(UInt8(ascii: "\"")))
        let backslashes = word ^ (ones &* UInt64(UInt8(ascii: "\\")))
        let zeroQuote = (quotes &- ones) & ~quotes
        let zeroBackslash = (backslashes &- ones) & ~backslashes
        let control = (word &- ones &* 0x20) & ~word
        return (zeroQuote | zeroBackslash | control) & highBits
    }

    /// Whether any of sixteen bytes is `"`, `\`, below 0x20 or above `limit` (0x7F or
    /// 0xFF only). The same arithmetic as the word's, lane by lane, which vectorises,
    /// where the SIMD comparison operators compile to a loop over the lanes; and as
    /// lanes never borrow from each other, every lane's answer is exact.
    @inline(__always)
    static func hasQuoteBackslashOrControl(_ block: SIMD16<UInt8>, orAbove limit: UInt8) -> Bool {
        let ones = SIMD16<UInt8>(repeating: 1)
        let quotes = block ^ SIMD16(repeating: UInt8(ascii: "\""))
        let backslashes = block ^ SIMD16(repeating: UInt8(ascii: "\\"))
        let control = (block &- SIMD16(repeating: 0x20)) & ~block
        let high = block & SIMD16(repeating: ~limit & 0x80)
        let flagged = (quotes &- ones) & ~quotes | (backslashes &- ones) & ~backslashes | control | high
        let halves = unsafeBitCast(flagged, to: SIMD2<UInt64>.self)
        return (halves[0] | halves[1]) & 0x8080_8080_8080_8080 != 0
    }
}

/// The decimal digits of a `UInt64` as ASCII text, made eight digits at a time with
/// arithmetic on the whole word rather than one division per digit pair, and its
/// trailing zeros counted (a double's shortest digits leave them out).
struct DecimalText {
    /// The text right-aligned in the first 24 bytes, with leading zeros; 24 bytes of zeros
    /// follow, so that the 24 bytes from any digit on can be loaded as three words.
    private let words: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)
    /// Where the significant digits start in the text.
    private let start: Int
    /// The digits kept, trailing zeros left out: at least one.
    let count: Int
    /// The zeros left out at the end.
    let trailingZeros: Int

    /// - Precondition: `value` is not zero.
    @inline(__always)
    init(_ value: UInt64) {
        let asciiZeros: UInt64 = 0x3030_3030_3030_3030
        let high = value / 100_000_000
        // Below 10¹⁶ (every double's digits but 17-digit ones) the first word is all zeros.
        let first = high < 100_000_000 ? asciiZeros : Self.eightDigits(UInt32(truncatingIfNeeded: high / 100_000_000))
        let middle = high == 0 ? asciiZeros : Self.eightDigits(UInt32(truncatingIfNeeded: high % 100_000_000))
        let last = Self.eightDigits(UInt32(truncatingIfNeeded: value % 100_000_000))
        words = (first.littleEndian, middle.littleEndian, last.littleEndian, 0, 0, 0)
        // The text's last digit is the highest byte of `last`, so the trailing zeros are
        // the leading zero bytes of the words less ASCII zeros.
        var zeros = (last ^ asciiZeros).leadingZeroBitCount / 8
        if zeros == 8 {
            zeros += (middle ^ asciiZeros).leadingZeroBitCount / 8
            if zeros == 16 { zeros += (first ^ asciiZeros).leadingZeroBitCount / 8 }
        }
        start = 24 - Self.digitCount(of: value)
        trailingZeros = zeros
        count = 24 - start - zeros
    }

    /// Stores the digits, less the first `dropped`, at `destination`; 24 bytes are
    /// written, the ones past the digits to be overwritten or ignored.
    @inline(__always)
    func copy(to destination: UnsafeMutableRawPointer, droppingFirst dropped: Int = 0) {
        withUnsafeBytes(of: words) { text in
            let source = text.baseAddress! + start + dropped
            for offset in stride(from: 0, to: 24, by: 8) {
                destination.storeBytes(of: source.loadUnaligned(fromByteOffset: offset, as: UInt64.self), toByteOffset: offset, as: UInt64.self)
            }
        }
    }

    /// The eight digits of `value` (< 10⁸, with leading zeros) as ASCII, first digit in
    /// the lowest byte, so that a little-endian store writes them in order. The halves
    /// split into 16-bit lanes, then into bytes, by multiplying by reciprocals, all lanes
    /// at once: no lane's product reaches the next.
    @inline(__always)
    static func eightDigits(_ value: UInt32) -> UInt64 {
        // abcdefgh → abcd | efgh << 32
        let halves = UInt64(value / 10_000) | UInt64(value % 10_000) << 32
        // x / 100 = x · 10486 >> 20 for x < 10⁴: ab | cd << 16 in each half.
        let hundreds = (halves &* 10_486) >> 20 & 0x0000_007F_0000_007F
        let pairs = hundreds | (halves &- hundreds &* 100) << 16
        // x / 10 = x · 103 >> 10 for x < 100: a | b << 8 in each quarter.
        let tens = (pairs &* 103) >> 10 & 0x000F_000F_000F_000F
        let digits = tens | (pairs &- tens &* 10) << 8
        return digits | 0x3030_3030_3030_3030
    }

    /// The number of decimal digits of `number`: ⌊log10⌋ estimated from the bit length
    /// (log10 2 ≈ 1233 / 4096), then corrected by one comparison.
    @inline(__always)
    static func digitCount(of number: UInt64) -> Int {
        let bitLength = 64 - (number | 1).leadingZeroBitCount
        let estimate = (bitLength &* 1233) >> 12
        // `| 1`: zero has one digit, and no other count changes (10^n - 1 is odd).
        return powersOfTen.withUnsafeBufferPointer { estimate + (number | 1 >= $0[estimate] ? 1 : 0) }
    }

    /// 10⁰ … 10¹⁹.
    private static let powersOfTen: [UInt64] = [
        1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000,
        10_000_000_000, 100_000_000_000, 1_000_000_000_000, 10_000_000_000_000, 100_000_000_000_000,
        1_000_000_000_000_000, 10_000_000_000_000_000, 100_000_000_000_000_000, 1_000_000_000_000_000_000,
        10_000_000_000_000_000_000,
    ]
}

