/// How a scalar is written.
enum YAMLScalarStyle {
    case plain
    case singleQuoted
    case doubleQuoted
    case literal
}

/// A scalar's text as the encoder reads it: its UTF-8, a character decoded only where its
/// class matters, and runs of characters that matter to no style passed over as bytes.
extension Span where Element == UInt8 {
    /// The character that starts at byte `index`, and where the next one starts.
    @inline(__always)
    func character(at index: Int) -> (Unicode.Scalar, next: Int) {
        let lead = self[index]
        if lead < 0x80 { return (Unicode.Scalar(lead), index + 1) }
        let length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2
        var value = UInt32(lead) & (length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07)
        for offset in 1..<length { value = value << 6 | UInt32(self[index + offset] & 0x3F) }
        return (Unicode.Scalar(value)!, index + length)
    }

    /// The last character, and where it starts.
    func lastCharacter() -> (Unicode.Scalar, start: Int)? {
        guard !isEmpty else { return nil }
        var start = count - 1
        while self[start] & 0xC0 == 0x80 { start -= 1 }
        return (character(at: start).0, start)
    }

    /// Where the run of inert bytes (``YAMLBytes/isInert(_:)``) from `start` ends.
    @inline(__always)
    func inertRunEnd(from start: Int) -> Int {
        var index = start
        while index < count && YAMLBytes.isInert(self[index]) { index += 1 }
        return index
    }

    /// The number of characters in `range` (its bytes that are not continuation bytes).
    func characterCount(_ range: Range<Int>) -> Int {
        var characters = 0
        for index in range where self[index] & 0xC0 != 0x80 { characters += 1 }
        return characters
    }

    var characterCount: Int { characterCount(0..<count) }

    func contains(_ byte: UInt8) -> Bool { firstIndex(of: byte) != nil }

    func firstIndex(of byte: UInt8) -> Int? {
        for index in 0..<count where self[index] == byte { return index }
        return nil
    }

    func hasPrefix(_ prefix: StaticString) -> Bool {
        prefix.utf8CodeUnitCount <= count
            && prefix.withUTF8Buffer { bytes in bytes.indices.allSatisfy { self[$0] == bytes[$0] } }
    }

    /// Whether the text is `word`, ASCII.
    func equals(_ word: StaticString) -> Bool { word.utf8CodeUnitCount == count && hasPrefix(word) }

    /// The length of the line break (one of libyaml's five) at byte `index`, if one is there.
    @inline(__always)
    func lineBreakLength(at index: Int) -> Int? {
        switch self[index] {
        case 0x0A, 0x0D: return 1
        case 0xC2: return index + 1 < count && self[index + 1] == 0x85 ? 2 : nil
        case 0xE2: return isSeparator(at: index) ? 3 : nil
        default: return nil
        }
    }

    /// Whether a line or paragraph separator (U+2028, U+2029) starts at byte `index`.
    func isSeparator(at index: Int) -> Bool {
        index >= 0 && index + 2 < count && self[index] == 0xE2 && self[index + 1] == 0x80
            && (self[index + 2] == 0xA8 || self[index + 2] == 0xA9)
    }
}

/// Classes of UTF-8 bytes that let the encoder skip what matters to no decision.
enum YAMLBytes {
    /// Whether a byte belongs to a character that every style and both dialects write as
    /// it is, and that no analysis looks at past the first character: printable ASCII
    /// other than space, quotes, backslash, `:` and `#`; continuation bytes; and the lead
    /// bytes of U+00C0–U+1FFF and U+3000–U+EFFF (no controls, breaks, separators, byte
    /// order mark, non-characters or astral characters there).
    @inline(__always)
    static func isInert(_ byte: UInt8) -> Bool {
        inertTable.utf8Start[Int(byte)] == UInt8(ascii: "1")
    }

    /// ``isInert(_:)`` for each byte value, 64 to a line.
    private static let inertTable: StaticString = """
        0000000000000000000000000000000001001110111111111111111111011111\
        1111111111111111111111111111011111111111111111111111111111111110\
        1111111111111111111111111111111111111111111111111111111111111111\
        0001111111111111111111111111111111011111111111100000000000000000
        """
}

/// What libyaml's emitter learns about a scalar before choosing its style
/// (`yaml_emitter_analyze_scalar`, with Unicode output on, as YAML::XS sets it): the
/// block context's half, since RefWire writes flow collections only empty.
struct YAMLScalarAnalysis {
    var isMultiline = false
    var isPlainAllowed = true
    var isSingleQuotedAllowed = true
    var isBlockAllowed = true

    init(_ text: Span<UInt8>) {
        guard !text.isEmpty else {
            isBlockAllowed = false
            return
        }
        var indicators = text.hasPrefix("---") || text.hasPrefix("...")
        var lineBreaks = false
        var specialCharacters = false
        var leadingSpace = false
        var leadingBreak = false
        var trailingSpace = false
        var trailingBreak = false
        var breakSpace = false
        var spaceBreak = false
        var previousSpace = false
        var previousBreak = false

        var precededByWhitespace = true
        var index = 0
        while index < text.count {
            // Inert characters only end runs of spaces and breaks.
            if index > 0 && YAMLBytes.isInert(text[index]) {
                index = text.inertRunEnd(from: index)
                precededByWhitespace = false
                previousSpace = false
                previousBreak = false
                continue
            }
            let (character, next) = text.character(at: index)
            let isLast = next == text.count
            /// Looked at only for the few characters whose meaning depends on it.
            var followedByWhitespace: Bool { isLast || Self.isBlankOrBreak(text.character(at: next).0) }
            if index == 0 {
                switch character {
                case "#", ",", "[", "]", "{", "}", "&", "*", "!", "|", ">", "'", "\"", "%", "@", "`":
                    indicators = true
                case "?", ":", "-":
                    if followedByWhitespace { indicators = true }
                default:
                    break
                }
            } else {
                switch character {
                case ":": if followedByWhitespace { indicators = true }
                case "#": if precededByWhitespace { indicators = true }
                default: break
                }
            }
            if !Self.isPrintable(character) { specialCharacters = true }
            let isBreak = Self.isBreak(character)
            if isBreak { lineBreaks = true }
            if character == " " {
                if index == 0 { leadingSpace = true }
                if isLast { trailingSpace = true }
                if previousBreak { breakSpace = true }
                previousSpace = true
                previousBreak = false
            } else if isBreak {
                if index == 0 { leadingBreak = true }
                if isLast { trailingBreak = true }
                if previousSpace { spaceBreak = true }
                previousSpace = false
                previousBreak = true
            } else {
                previousSpace = false
                previousBreak = false
            }
            precededByWhitespace = Self.isBlankOrBreak(character)
            index = next
        }

        isMultiline = lineBreaks
        if leadingSpace || leadingBreak || trailingSpace || trailingBreak || lineBreaks || indicators {
            isPlainAllowed = false
        }
        if trailingSpace { isBlockAllowed = false }
        if breakSpace {
            isPlainAllowed = false
            isSingleQuotedAllowed = false
        }
        if spaceBreak || specialCharacters {
            isPlainAllowed = false
            isSingleQuotedAllowed = false
            isBlockAllowed = false
        }
    }

    /// libyaml's line breaks: CR, LF, NEL, LS, PS.
    static func isBreak(_ character: Unicode.Scalar) -> Bool {
        switch character.value {
        case 0x0A, 0x0D, 0x85, 0x2028, 0x2029: true
        default: false
        }
    }

    static func isBlankOrBreak(_ character: Unicode.Scalar) -> Bool {
        character == " " || character == "\t" || isBreak(character)
    }

    /// libyaml's `IS_PRINTABLE`: what it writes unescaped (astral characters are not).
    static func isPrintable(_ character: Unicode.Scalar) -> Bool {
        switch character.value {
        case 0x0A, 0x20...0x7E, 0xA0...0xD7FF: true
        case 0xE000...0xFFFD: character.value != 0xFEFF
        default: false
        }
    }
}

/// Perl's opinions about text, which decide how the two libraries quote it.
enum PerlText {
    /// Perl's `looks_like_number` (`grok_number`): what YAML::XS quotes so that it loads
    /// back as a string. Every character it accepts is ASCII, so it reads bytes.
    static func looksLikeNumber(_ text: Span<UInt8>) -> Bool {
        if text.equals("0 but true") { return true }
        var start = 0
        var end = text.count
        while start < end, isPerlSpace(text[start]) { start += 1 }
        while end > start, isPerlSpace(text[end - 1]) { end -= 1 }
        if start < end, text[start] == UInt8(ascii: "+") || text[start] == UInt8(ascii: "-") { start += 1 }
        guard start < end else { return false }
        let body = text.extracting(start..<end)
        // Every spelling but `nan(…)` is at most 8 characters, and those starting with 1
        // go on `.#`: checked first, so that ordinary text and numbers build no String.
        let mayBeInfinityOrNaN = body.count <= 8 || (body.count > 4 && body[3] == UInt8(ascii: "("))
        let startsLikeOne = body.count > 2 && body[1] == UInt8(ascii: ".") && body[2] == UInt8(ascii: "#")
        let mayStartSpelling: Bool
        switch body[0] {
        case UInt8(ascii: "I"), UInt8(ascii: "i"), UInt8(ascii: "N"), UInt8(ascii: "n"), UInt8(ascii: "Q"),
            UInt8(ascii: "q"), UInt8(ascii: "S"), UInt8(ascii: "s"):
            mayStartSpelling = true
        case UInt8(ascii: "1"): mayStartSpelling = startsLikeOne
        default: mayStartSpelling = false
        }
        if mayBeInfinityOrNaN && mayStartSpelling {
            let spelling = body.withUnsafeBufferPointer { String(decoding: $0, as: UTF8.self) }
            if isInfinityOrNaN(spelling.lowercased()) { return true }
        }
        var index = 0
        /// Skips a run of digits and says how long it was.
        func skipDigits() -> Int {
            let start = index
            while index < body.count, isDigit(body[index]) { index += 1 }
            return index - start
        }
        var digits = skipDigits()
        if index < body.count, body[index] == UInt8(ascii: ".") {
            index += 1
            digits += skipDigits()
        }
        guard digits > 0 else { return false }
        if index < body.count, body[index] == UInt8(ascii: "e") || body[index] == UInt8(ascii: "E") {
            index += 1
            if index < body.count, body[index] == UInt8(ascii: "+") || body[index] == UInt8(ascii: "-") { index += 1 }
            guard skipDigits() > 0 else { return false }
        }
        return index == body.count
    }

    /// Whether `text` is one of `words`, compared byte by byte: a `String` made of each
    /// scalar's characters would cost more than the scalar's whole analysis.
    static func isOneOf(_ text: Span<UInt8>, _ words: [StaticString]) -> Bool {
        words.contains { text.equals($0) }
    }

    /// The infinity and NaN spellings `grok_infnan` accepts (lowercased).
    private static func isInfinityOrNaN(_ text: String) -> Bool {
        switch text {
        case "inf", "infinity", "nan", "nanq", "nans", "qnan", "snan", "1.#inf", "1.#ind", "1.#qnan", "1.#snan":
            return true
        default:
            return text.hasPrefix("nan(") && text.hasSuffix(")")
        }
    }

    private static func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }

    /// Perl's `isSPACE`.
    private static func isPerlSpace(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x09...0x0D, 0x20: true
        default: false
        }
    }

    /// `\s` in a Perl regexp on a character string.
    static func isWhitespace(_ character: Unicode.Scalar) -> Bool {
        switch character.value {
        case 0x09...0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: true
        default: false
        }
    }
}

/// The `yaml` dialect's choices: YAML.pm's `Dump` (`YAML::Dumper::_emit_str`), changed
/// only where YAML::XS would load YAML.pm's choice as other data or not at all.
enum YAMLPerlStyle {
    /// What one pass over a string finds that the `yaml` dialect's choices depend on.
    struct Scan {
        var characterCount = 0
        var quoteCount = 0
        var firstNewline: Int?
        /// A control character other than tab and line feed.
        var hasControl = false
        var hasDELOrC1Control = false
        var hasSeparator = false
        var blankNextToSeparator = false
        /// U+FFFE or U+FFFF, which no dialect can write.
        var nonCharacter: Unicode.Scalar?

        init(_ text: Span<UInt8>) {
            for index in 0..<text.count {
                let byte = text[index]
                if byte & 0xC0 != 0x80 { characterCount += 1 }
                switch byte {
                case 0x0A: if firstNewline == nil { firstNewline = index }
                case 0x09, 0x20: if isNextToSeparator(index, in: text) { blankNextToSeparator = true }
                case 0x00..<0x20: hasControl = true
                case 0x27: quoteCount += 1
                case 0x7F: hasDELOrC1Control = true
                case 0xC2: if index + 1 < text.count && text[index + 1] <= 0x9F { hasDELOrC1Control = true }
                case 0xE2: if text.isSeparator(at: index) { hasSeparator = true }
                // U+FFFE and U+FFFF: EF BF BE, EF BF BF.
                case 0xEF:
                    if index + 2 < text.count && text[index + 1] == 0xBF && text[index + 2] >= 0xBE {
                        nonCharacter = text.character(at: index).0
                    }
                default: break
                }
            }
        }
    }

    /// The style for `text`, a string (not a number) written as a value or key;
    /// `startsLine` when it is written at the start of a line (a top-level key).
    static func style(for text: Span<UInt8>, _ scan: Scan, startsLine: Bool) -> YAMLScalarStyle {
        let style = perlStyle(for: text, scan)
        // YAML::XS cannot read DEL and the C1 controls raw (NEL would even be a break).
        if scan.hasDELOrC1Control { return .doubleQuoted }
        // Nor LS and PS outside quotes: they are line breaks to it, and in quotes it
        // drops blanks next to one, which double quotes can escape.
        if scan.hasSeparator {
            switch style {
            case .plain, .literal, .singleQuoted:
                // Single quotes fold a line break and drop the blanks that start the next
                // line, so multi-line text takes double quotes too.
                return scan.blankNextToSeparator || scan.quoteCount > 0 || scan.firstNewline != nil
                    ? .doubleQuoted : .singleQuoted
            case .doubleQuoted:
                return .doubleQuoted
            }
        }
        // And it reads `true`, `false` and `null` as a boolean and undef, and a line
        // starting with a byte order mark or `... ` as something else.
        if style == .plain {
            if PerlText.isOneOf(text, ["true", "false", "null"]) { return .singleQuoted }
            let documentEnd = text.count > 3 && text.hasPrefix("...") && (text[3] == 0x20 || text[3] == 0x09)
            if startsLine, text.hasPrefix("\u{FEFF}") || documentEnd {
                return .singleQuoted
            }
        }
        return style
    }

    /// YAML.pm's own choice: escapes in double quotes; multi-line text longer than 30
    /// characters with more than whitespace after the first break as a literal block,
    /// other multi-line text in double quotes; then plain if valid, else quoted.
    private static func perlStyle(for text: Span<UInt8>, _ scan: Scan) -> YAMLScalarStyle {
        if scan.hasControl { return .doubleQuoted }
        if let newline = scan.firstNewline {
            if scan.characterCount <= 30 { return .doubleQuoted }
            var index = newline + 1
            while index < text.count {
                let (character, next) = text.character(at: index)
                if !PerlText.isWhitespace(character) { return .literal }
                index = next
            }
            return .doubleQuoted
        }
        if isValidPlain(text) { return .plain }
        return scan.quoteCount > 0 ? .doubleQuoted : .singleQuoted
    }

    /// `YAML::Dumper::is_valid_plain`, with `\s` Unicode's (as it is for the character
    /// strings YAML.pm's output is read as).
    static func isValidPlain(_ text: Span<UInt8>) -> Bool {
        guard let (last, _) = text.lastCharacter() else { return false }
        let first = text.character(at: 0).0
        if PerlText.isWhitespace(first) { return false }
        switch first {
        case "{", "[", "~", "`", "'", "\"", "!", "@", "#", ">", "|", "%", "&", "?", "*", "^": return false
        default: break
        }
        if PerlText.isWhitespace(last) || last == "|" || last == ">" || last == ":" { return false }
        // Every character that matters here is ASCII, so its byte is where it starts.
        for index in 0..<text.count {
            switch text[index] {
            case UInt8(ascii: "{"), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "}"), UInt8(ascii: ","):
                return false
            case UInt8(ascii: ":"), UInt8(ascii: "-"), UInt8(ascii: "?"):
                if index + 1 < text.count, PerlText.isWhitespace(text.character(at: index + 1).0) { return false }
            case UInt8(ascii: "#"):
                if index > 0, let (previous, _) = text.extracting(0..<index).lastCharacter(),
                    PerlText.isWhitespace(previous)
                {
                    return false
                }
            default:
                break
            }
        }
        return !(text.equals("-") || text.equals("="))
    }

    /// Whether a line or paragraph separator is just before or after the blank at byte
    /// `index`: YAML.pm's loader drops blanks there, so they must be escaped.
    static func isNextToSeparator(_ index: Int, in text: Span<UInt8>) -> Bool {
        text.isSeparator(at: index - 3) || text.isSeparator(at: index + 1)
    }

    /// YAML.pm's double-quote escapes (`YAML::Dumper::escape`), which YAML::XS reads
    /// too, plus `\xHH` for DEL and the C1 controls.
    static func escape(_ character: Unicode.Scalar) -> String? {
        switch character.value {
        case 0x00: "\\0"
        case 0x07: "\\a"
        case 0x09: "\\t"
        case 0x0A: "\\n"
        case 0x0B: "\\v"
        case 0x0C: "\\f"
        case 0x0D: "\\r"
        case 0x1B: "\\e"
        case 0x22: "\\\""
        case 0x5C: "\\\\"
        case 0x01...0x1F, 0x7F...0x9F: "\\x" + hex2(character.value, uppercase: false)
        default: nil
        }
    }
}

/// The `yamlXS` dialect's escapes: libyaml's `yaml_emitter_write_double_quoted_scalar`.
enum YAMLXSStyle {
    static func escape(_ character: Unicode.Scalar) -> String? {
        guard !YAMLScalarAnalysis.isPrintable(character) || character.value == 0xFEFF
            || YAMLScalarAnalysis.isBreak(character) || character == "\"" || character == "\\"
        else { return nil }
        switch character.value {
        case 0x00: return "\\0"
        case 0x07: return "\\a"
        case 0x08: return "\\b"
        case 0x09: return "\\t"
        case 0x0A: return "\\n"
        case 0x0B: return "\\v"
        case 0x0C: return "\\f"
        case 0x0D: return "\\r"
        case 0x1B: return "\\e"
        case 0x22: return "\\\""
        case 0x5C: return "\\\\"
        case 0x85: return "\\N"
        case 0xA0: return "\\_"
        case 0x2028: return "\\L"
        case 0x2029: return "\\P"
        case 0...0xFF: return "\\x" + hex2(character.value, uppercase: true)
        case 0x100...0xFFFF: return "\\u" + hexDigits(character.value, count: 4)
        default: return "\\U" + hexDigits(character.value, count: 8)
        }
    }
}

private func hex2(_ value: UInt32, uppercase: Bool) -> String {
    let digits = String(value, radix: 16, uppercase: uppercase)
    return digits.count == 1 ? "0" + digits : digits
}

private func hexDigits(_ value: UInt32, count: Int) -> String {
    let digits = String(value, radix: 16, uppercase: true)
    return String(repeating: "0", count: max(0, count - digits.count)) + digits
}
