/// How a scalar is written.
enum YAMLScalarStyle {
    case plain
    case singleQuoted
    case doubleQuoted
    case literal
}

/// What libyaml's emitter learns about a scalar before choosing its style
/// (`yaml_emitter_analyze_scalar`, with Unicode output on, as YAML::XS sets it): the
/// block context's half, since RefWire writes flow collections only empty.
struct YAMLScalarAnalysis {
    var isMultiline = false
    var isPlainAllowed = true
    var isSingleQuotedAllowed = true
    var isBlockAllowed = true

    init(_ text: [Unicode.Scalar]) {
        guard !text.isEmpty else {
            isBlockAllowed = false
            return
        }
        var indicators = text.starts(with: ["-", "-", "-"]) || text.starts(with: [".", ".", "."])
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
        var followedByWhitespace = text.count == 1 || Self.isBlankOrBreak(text[1])
        for (index, character) in text.enumerated() {
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
            if Self.isBreak(character) { lineBreaks = true }
            let isLast = index == text.count - 1
            if character == " " {
                if index == 0 { leadingSpace = true }
                if isLast { trailingSpace = true }
                if previousBreak { breakSpace = true }
                previousSpace = true
                previousBreak = false
            } else if Self.isBreak(character) {
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
            if !isLast { followedByWhitespace = index + 2 >= text.count || Self.isBlankOrBreak(text[index + 2]) }
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
    /// back as a string.
    static func looksLikeNumber(_ text: [Unicode.Scalar]) -> Bool {
        if text.elementsEqual("0 but true".unicodeScalars) { return true }
        var start = 0
        var end = text.count
        while start < end, isPerlSpace(text[start]) { start += 1 }
        while end > start, isPerlSpace(text[end - 1]) { end -= 1 }
        if start < end, text[start] == "+" || text[start] == "-" { start += 1 }
        guard start < end else { return false }
        let body = text[start..<end]
        // Every spelling but `nan(…)` is at most 8 characters, and those starting with 1
        // go on `.#`: checked first, so that ordinary text and numbers build no String.
        let mayBeInfinityOrNaN = body.count <= 8 || (body.count > 4 && body[body.startIndex + 3] == "(")
        let startsLikeOne = body.count > 2 && body[body.startIndex + 1] == "." && body[body.startIndex + 2] == "#"
        if mayBeInfinityOrNaN, let first = body.first,
            first == "I" || first == "i" || first == "N" || first == "n" || first == "q" || first == "Q" || first == "s"
                || first == "S" || (first == "1" && startsLikeOne)
        {
            if isInfinityOrNaN(String(String.UnicodeScalarView(body)).lowercased()) { return true }
        }
        var index = body.startIndex
        /// Skips a run of digits and says how long it was.
        func skipDigits() -> Int {
            let start = index
            while index < body.endIndex, isDigit(body[index]) { index += 1 }
            return index - start
        }
        var digits = skipDigits()
        if index < body.endIndex, body[index] == "." {
            index += 1
            digits += skipDigits()
        }
        guard digits > 0 else { return false }
        if index < body.endIndex, body[index] == "e" || body[index] == "E" {
            index += 1
            if index < body.endIndex, body[index] == "+" || body[index] == "-" { index += 1 }
            guard skipDigits() > 0 else { return false }
        }
        return index == body.endIndex
    }

    /// Whether `text` is one of `words`, compared character by character: a `String`
    /// made of each scalar's characters would cost more than the scalar's whole analysis.
    static func isOneOf(_ text: [Unicode.Scalar], _ words: [StaticString]) -> Bool {
        words.contains { word in
            word.utf8CodeUnitCount == text.count
                && word.withUTF8Buffer { bytes in bytes.indices.allSatisfy { text[$0].value == UInt32(bytes[$0]) } }
        }
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

    private static func isDigit(_ character: Unicode.Scalar) -> Bool { ("0"..."9").contains(character) }

    /// Perl's `isSPACE`.
    private static func isPerlSpace(_ character: Unicode.Scalar) -> Bool {
        switch character.value {
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
    /// The style for `text`, a string (not a number) written as a value or key;
    /// `startsLine` when it is written at the start of a line (a top-level key).
    static func style(for text: [Unicode.Scalar], startsLine: Bool) -> YAMLScalarStyle {
        let style = perlStyle(for: text)
        // YAML::XS cannot read DEL and the C1 controls raw (NEL would even be a break).
        if text.contains(where: { (0x7F...0x9F).contains($0.value) }) { return .doubleQuoted }
        // Nor LS and PS outside quotes: they are line breaks to it, and in quotes it
        // drops blanks next to one, which double quotes can escape.
        if text.contains(where: isSeparator) {
            let blankNextToSeparator = text.indices.contains { index in
                (text[index] == " " || text[index] == "\t") && isNextToSeparator(index, in: text)
            }
            switch style {
            case .plain, .literal, .singleQuoted:
                // Single quotes fold a line break and drop the blanks that start the next
                // line, so multi-line text takes double quotes too.
                return blankNextToSeparator || text.contains("'") || text.contains("\n") ? .doubleQuoted : .singleQuoted
            case .doubleQuoted:
                return .doubleQuoted
            }
        }
        // And it reads `true`, `false` and `null` as a boolean and undef, and a line
        // starting with a byte order mark or `... ` as something else.
        if style == .plain {
            if PerlText.isOneOf(text, ["true", "false", "null"]) { return .singleQuoted }
            let documentEnd = text.count > 3 && text.starts(with: [".", ".", "."]) && isBlank(text[3])
            if startsLine, text.first == "\u{FEFF}" || documentEnd {
                return .singleQuoted
            }
        }
        return style
    }

    /// YAML.pm's own choice: escapes in double quotes; multi-line text longer than 30
    /// characters with more than whitespace after the first break as a literal block,
    /// other multi-line text in double quotes; then plain if valid, else quoted.
    private static func perlStyle(for text: [Unicode.Scalar]) -> YAMLScalarStyle {
        if text.contains(where: { $0.value < 0x20 && $0 != "\t" && $0 != "\n" }) { return .doubleQuoted }
        if let newline = text.firstIndex(of: "\n") {
            if text.count <= 30 { return .doubleQuoted }
            let rest = text[(newline + 1)...]
            return rest.contains(where: { !PerlText.isWhitespace($0) }) ? .literal : .doubleQuoted
        }
        if isValidPlain(text) { return .plain }
        return text.contains("'") ? .doubleQuoted : .singleQuoted
    }

    /// `YAML::Dumper::is_valid_plain`, with `\s` Unicode's (as it is for the character
    /// strings YAML.pm's output is read as).
    static func isValidPlain(_ text: [Unicode.Scalar]) -> Bool {
        guard let first = text.first, let last = text.last else { return false }
        if PerlText.isWhitespace(first) { return false }
        switch first {
        case "{", "[", "~", "`", "'", "\"", "!", "@", "#", ">", "|", "%", "&", "?", "*", "^": return false
        default: break
        }
        if PerlText.isWhitespace(last) || last == "|" || last == ">" || last == ":" { return false }
        for (index, character) in text.enumerated() {
            switch character {
            case "{", "[", "]", "}", ",": return false
            case ":", "-", "?":
                if index + 1 < text.count, PerlText.isWhitespace(text[index + 1]) { return false }
            case "#":
                if index > 0, PerlText.isWhitespace(text[index - 1]) { return false }
            default: break
            }
        }
        return !(text == ["-"] || text == ["="])
    }

    static func isSeparator(_ character: Unicode.Scalar) -> Bool {
        character == "\u{2028}" || character == "\u{2029}"
    }

    /// Whether a line or paragraph separator is just before or after `index`: YAML.pm's
    /// loader drops blanks there, so they must be escaped.
    static func isNextToSeparator(_ index: Int, in text: [Unicode.Scalar]) -> Bool {
        (text.indices.contains(index - 1) && isSeparator(text[index - 1]))
            || (text.indices.contains(index + 1) && isSeparator(text[index + 1]))
    }

    private static func isBlank(_ character: Unicode.Scalar) -> Bool { character == " " || character == "\t" }

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
