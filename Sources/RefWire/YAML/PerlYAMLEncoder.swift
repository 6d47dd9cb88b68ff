/// Encodes ``PerlValue``s as YAML in one of the two Perl dialects.
///
/// ```swift
/// var options = YAMLEncodingOptions()
/// options.dialect = .yaml          // YAML.pm's style, loadable by YAML.pm and YAML::XS
/// let text = try PerlYAMLEncoder(options: options).encode(["ping": 1])   // "---\nping: 1\n"
/// ```
///
/// - ``YAMLDialect/yaml``: YAML.pm's layout and scalar styles, with every scalar that
///   YAML::XS would load differently quoted or escaped so that it does not; long lines
///   are never folded (YAML.pm cannot read folded scalars).
/// - ``YAMLDialect/yamlXS``: what YAML::XS's `Dump` writes, byte for byte — libyaml's
///   emitter with YAML::XS's settings (indentless sequences in mappings, lines folded at
///   80 columns, libyaml's escapes).
///
/// Shared referents get anchors (`&1`, `*1`, numbered as written), objects their
/// `!!perl/…` tags. The output is UTF-8; a byte string is written as the characters
/// Perl sees in it (one per byte). `Spec/yaml.md` lists what each Perl library loads.
public struct PerlYAMLEncoder: Sendable {
    public var options: YAMLEncodingOptions

    public init(options: YAMLEncodingOptions = YAMLEncodingOptions()) {
        self.options = options
    }

    /// Encodes `value` as one document.
    public func encode(_ value: PerlValue) throws(YAMLEncodingError) -> [UInt8] {
        var emitter = YAMLEmitter(options: options)
        try emitter.emitDocument(value)
        guard options.encoding == .perlInternal else { return emitter.output }
        // One byte per character where every character fits in one.
        let text = String(decoding: emitter.output, as: UTF8.self)
        guard text.unicodeScalars.allSatisfy({ $0.value <= 0xFF }) else { return emitter.output }
        return text.unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) }
    }
}

/// libyaml's block emitter (`emitter.c`), driven straight from a value instead of by
/// events, its stack explicit; the `yaml` dialect differs in the few layout choices
/// YAML.pm makes otherwise and in how it writes scalars.
struct YAMLEmitter {
    private(set) var output: [UInt8] = []
    private let options: YAMLEncodingOptions
    private let isXS: Bool

    // libyaml's emitter state.
    private var column = 0
    /// Whether the last thing written was whitespace (no separating space needed).
    private var whitespace = true
    /// Whether only indentation (and indicators that count as such) is on this line.
    private var indention = true
    private var indent = -1
    private var indents: [Int] = []
    /// Whether the document ends in a block scalar that keeps trailing line breaks,
    /// which libyaml closes with `...`.
    private var endsOpen = false

    private var frames: [Frame] = []
    private var anchorNumbers: [PerlAnchor: Int] = [:]

    private static let bestWidth = 80

    /// A block collection being written.
    private struct Frame {
        enum Entries {
            case sequence([PerlValue])
            case mapping([(key: Key, value: PerlValue)])
        }

        var entries: Entries
        var next = 0
    }

    private enum Key {
        case text([Unicode.Scalar])
        /// The `=` of a `!!perl/ref` mapping, written bare.
        case referenceValue
    }

    /// What a value is written as.
    private enum Node {
        case alias(Int)
        case scalar([Unicode.Scalar], request: ScalarRequest, tag: String?)
        case sequence([PerlValue], tag: String?)
        case mapping([(key: Key, value: PerlValue)], tag: String?)
    }

    /// What kind of text a scalar holds: numbers and keywords are written as they are.
    private enum ScalarRequest {
        case number
        case keyword
        case string
    }

    private enum Context {
        case root
        case sequence
        case mapping
    }

    init(options: YAMLEncodingOptions) {
        self.options = options
        isXS = options.dialect == .yamlXS
        output.reserveCapacity(256)
    }

    // MARK: - Document and collections

    mutating func emitDocument(_ value: PerlValue) throws(YAMLEncodingError) {
        writeIndent()
        writeIndicator("---", needWhitespace: true, isWhitespace: false, isIndention: false)
        try emitNode(value, .root)
        while let top = frames.indices.last {
            switch frames[top].entries {
            case .sequence(let elements) where frames[top].next < elements.count:
                let element = elements[frames[top].next]
                frames[top].next += 1
                writeIndent()
                writeIndicator("-", needWhitespace: true, isWhitespace: false, isIndention: true)
                try emitNode(element, .sequence)
            case .mapping(let entries) where frames[top].next < entries.count:
                let entry = entries[frames[top].next]
                frames[top].next += 1
                try emitKey(entry.key)
                try emitNode(entry.value, .mapping)
            default:
                frames.removeLast()
                indent = indents.removeLast()
            }
        }
        writeIndent()
        if isXS && endsOpen {
            writeIndicator("...", needWhitespace: true, isWhitespace: false, isIndention: false)
            writeIndent()
        }
    }

    private mutating func emitNode(_ value: PerlValue, _ context: Context) throws(YAMLEncodingError) {
        let (node, anchor) = try node(for: value)
        switch node {
        case .alias(let number):
            writeIndicator("*", needWhitespace: true, isWhitespace: false, isIndention: false)
            writeAnchorName(number)
        case .scalar(let text, let request, let tag):
            try emitScalar(text, request: request, tag: tag, anchor: anchor, simpleKey: false)
        case .sequence(let elements, let tag):
            writeProperties(anchor: anchor, tag: tag)
            guard !elements.isEmpty else { return writeEmptyFlow("[", "]") }
            try checkDepth()
            // YAML::XS writes a sequence in a mapping at the mapping's indentation;
            // YAML.pm indents it, and starts a sequence in a sequence on a new line.
            let indentless = isXS && context == .mapping && !indention
            if !isXS && context == .sequence { indention = false }
            increaseIndent(flow: false, indentless: indentless)
            frames.append(Frame(entries: .sequence(elements)))
        case .mapping(let entries, let tag):
            writeProperties(anchor: anchor, tag: tag)
            guard !entries.isEmpty else { return writeEmptyFlow("{", "}") }
            try checkDepth()
            increaseIndent(flow: false, indentless: false)
            frames.append(Frame(entries: .mapping(entries)))
        }
    }

    /// A mapping key and its `:`, as a simple key when it fits one line and libyaml's
    /// length limit, else after `?`.
    private mutating func emitKey(_ key: Key) throws(YAMLEncodingError) {
        writeIndent()
        guard case .text(let text) = key else {
            writeIndicator("=", needWhitespace: true, isWhitespace: false, isIndention: false)
            return writeIndicator(":", needWhitespace: false, isWhitespace: false, isIndention: false)
        }
        let simple: Bool
        if isXS {
            simple = !text.contains(where: YAMLScalarAnalysis.isBreak) && Self.utf8Count(text) <= 128
        } else {
            // YAML.pm writes a block-scalar key after `?`; so must a key YAML::XS would
            // read as spanning lines (LS, PS) or could not take as a simple key (1,024
            // characters at most).
            let style = YAMLPerlStyle.style(for: text, startsLine: column == 0)
            simple = style != .literal && !text.contains(where: YAMLPerlStyle.isSeparator)
                && Self.writtenLength(text, style) <= 1000
        }
        if simple {
            try emitScalar(text, request: .string, tag: nil, anchor: nil, simpleKey: true)
            writeIndicator(":", needWhitespace: false, isWhitespace: false, isIndention: false)
        } else {
            writeIndicator("?", needWhitespace: true, isWhitespace: false, isIndention: true)
            try emitScalar(text, request: .string, tag: nil, anchor: nil, simpleKey: false)
            writeIndent()
            // YAML::XS continues a collection value on the `:` line; YAML.pm on the next.
            writeIndicator(":", needWhitespace: true, isWhitespace: false, isIndention: isXS)
        }
    }

    private mutating func checkDepth() throws(YAMLEncodingError) {
        if frames.count >= options.maximumDepth {
            throw YAMLEncodingError(.depthLimitExceeded(limit: options.maximumDepth))
        }
    }

    // MARK: - Values as nodes

    /// How `value` is written, and the anchor it defines.
    private mutating func node(for value: PerlValue) throws(YAMLEncodingError) -> (Node, Int?) {
        var value = value
        if case .weak(let reference) = value { value = reference }  // YAML has no weak references
        var anchor: Int?
        switch value {
        case .alias(let id):
            guard let number = anchorNumbers[id] else { throw YAMLEncodingError(.undefinedAnchor(id)) }
            return (.alias(number), nil)
        case .anchored(let id, let referent):
            guard anchorNumbers[id] == nil else { throw YAMLEncodingError(.duplicateAnchor(id)) }
            guard referent.isReference else {
                throw YAMLEncodingError(.unrepresentable("an anchored plain scalar (only referents are shared)"))
            }
            let number = anchorNumbers.count + 1
            anchorNumbers[id] = number
            anchor = number
            value = referent
        default:
            break
        }
        var className: String?
        if case .blessed(let name, let referent) = value {
            className = name
            value = referent
        }
        return (try referentNode(value, className: className), anchor)
    }

    private func referentNode(_ value: PerlValue, className: String?) throws(YAMLEncodingError) -> Node {
        switch value {
        case .array(let elements):
            return .sequence(elements, tag: try classTag("perl/array", className))
        case .hash(let hash):
            return .mapping(entries(of: hash), tag: try classTag("perl/hash", className))
        case .scalarReference(let target):
            if let className, !target.isReference {
                guard !target.isUndef else {
                    throw YAMLEncodingError(.unrepresentable(
                        "a blessed reference to undef (YAML.pm and YAML::XS load "
                            + "`!!perl/scalar:\(className) ~` as the string \"~\")"))
                }
                let (text, request) = try scalarText(target)
                return .scalar(text, request: request, tag: try classTag("perl/scalar", className))
            }
            return .mapping([(.referenceValue, target)], tag: try classTag("perl/ref", className) ?? "perl/ref")
        case .regexp(let pattern, let flags):
            // Perl's flags are lower-case letters, and the `(?^flags:pattern)` text is
            // read back only with those (regexpParts); any other would come back as part
            // of the pattern.
            guard flags.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) }) else {
                throw YAMLEncodingError(.unrepresentable("a regexp with the flags \(flags.debugDescription)"))
            }
            let text = Array("(?^\(flags):\(pattern))".unicodeScalars)
            let regexpClass = className == "Regexp" ? nil : className
            return .scalar(text, request: .string, tag: try classTag("perl/regexp", regexpClass) ?? "perl/regexp")
        case .code:
            throw YAMLEncodingError(.unrepresentable("code (RefWire never writes or runs code)"))
        case .hooked(let object):
            throw YAMLEncodingError(
                .unrepresentable("an object of \(object.className) serialized by its Storable hook"))
        case .blessed, .anchored, .weak, .alias:
            throw YAMLEncodingError(.unrepresentable("a wrapper nested out of order: \(value)"))
        case .undef, .hole, .integer, .unsigned, .double, .bytes, .string, .bool, .vstring:
            guard className == nil else {
                throw YAMLEncodingError(.unrepresentable("a blessed plain scalar: \(value)"))
            }
            let (text, request) = try scalarText(value)
            return .scalar(text, request: request, tag: nil)
        }
    }

    /// A plain scalar's text: numbers as Perl prints them, undef as `~`, booleans as
    /// Perl prints them, `1` and `""` — what both libraries write for Perl's booleans
    /// (YAML::XS writes `true` only for the immortal `PL_sv_yes` itself, which YAML.pm
    /// would load as the string "true").
    private func scalarText(_ value: PerlValue) throws(YAMLEncodingError) -> ([Unicode.Scalar], ScalarRequest) {
        switch value {
        case .undef, .hole: return (["~"], .keyword)
        case .integer(let number): return (Self.scalars(of: String(number)), .number)
        case .unsigned(let number): return (Self.scalars(of: String(number)), .number)
        case .double(let number): return (Self.scalars(of: doubleText(number)), .number)
        case .bool(let truth): return truth ? (["1"], .number) : ([], .string)
        case .string(let text): return (Self.scalars(of: text), .string)
        case .bytes(let bytes): return (bytes.map { Unicode.Scalar($0) }, .string)
        case .vstring(_, let inner): return try scalarText(inner)
        default: throw YAMLEncodingError(.unrepresentable("a reference where a scalar belongs: \(value)"))
        }
    }

    private func doubleText(_ number: Double) -> String {
        let perl = number.perlText(lossless: false)
        guard options.losslessDoubles, number.isFinite, Double(perl) != number else { return perl }
        return "\(number)"
    }

    private func entries(of hash: PerlHash) -> [(key: Key, value: PerlValue)] {
        var entries = hash.map { (key: Self.text(of: $0.key), value: $0.value) }
        if options.canonical { entries.sort { $0.key.lexicographicallyPrecedes($1.key) } }
        return entries.map { (key: .text($0.key), value: $0.value) }
    }

    private static func text(of key: PerlHash.Key) -> [Unicode.Scalar] {
        switch key {
        case .string(let text): scalars(of: text)
        case .bytes(let bytes): bytes.map { Unicode.Scalar($0) }
        }
    }

    /// `text`'s scalars. `Array(text.unicodeScalars)` counts them in a first pass to
    /// size the array; the UTF-8 length, known at once, is always enough.
    private static func scalars(of text: String) -> [Unicode.Scalar] {
        var scalars: [Unicode.Scalar] = []
        scalars.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars { scalars.append(scalar) }
        return scalars
    }

    /// `!!perl/<kind>:Class` (`nil` without a class), if the dialect's readers take the
    /// class name: YAML.pm reads `\w(\w|::)*` only; libyaml writes any name,
    /// `%`-escaping what a tag cannot hold.
    private func classTag(_ kind: String, _ className: String?) throws(YAMLEncodingError) -> String? {
        guard let className else { return nil }
        guard !className.isEmpty else {
            throw YAMLEncodingError(.unrepresentable("an object of a class with an empty name"))
        }
        if !isXS && !Self.isPerlWordPath(className) {
            throw YAMLEncodingError(
                .unrepresentable("class name \(className): YAML.pm reads only word characters and ::"))
        }
        return kind + ":" + className
    }

    /// `\w(\w|::)*`, ASCII.
    private static func isPerlWordPath(_ name: String) -> Bool {
        let scalars = Array(name.unicodeScalars)
        let isWord: (Unicode.Scalar) -> Bool = {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_"
        }
        guard let first = scalars.first, isWord(first) else { return false }
        var index = 1
        while index < scalars.count {
            if isWord(scalars[index]) {
                index += 1
            } else if scalars[index] == ":", index + 1 < scalars.count, scalars[index + 1] == ":" {
                index += 2
            } else {
                return false
            }
        }
        return true
    }

    // MARK: - Scalars

    private mutating func emitScalar(
        _ text: [Unicode.Scalar], request: ScalarRequest, tag: String?, anchor: Int?, simpleKey: Bool
    ) throws(YAMLEncodingError) {
        let style = isXS ? xsStyle(text, request: request, simpleKey: simpleKey) : try perlStyle(text, request: request)
        writeProperties(anchor: anchor, tag: tag)
        increaseIndent(flow: true, indentless: false)
        let allowBreaks = isXS && !simpleKey
        switch style {
        case .plain: writePlain(text, allowBreaks: allowBreaks)
        case .singleQuoted: writeSingleQuoted(text, allowBreaks: allowBreaks)
        case .doubleQuoted: writeDoubleQuoted(text, allowBreaks: allowBreaks)
        case .literal: writeLiteral(text)
        }
        indent = indents.removeLast()
    }

    /// YAML::XS's request (`dump_scalar`: quote what would load as something else,
    /// multi-line text as a literal block if longer than 30 bytes) and libyaml's veto
    /// (`yaml_emitter_select_scalar_style`).
    private func xsStyle(_ text: [Unicode.Scalar], request: ScalarRequest, simpleKey: Bool) -> YAMLScalarStyle {
        var style = YAMLScalarStyle.plain
        if request == .string {
            if text.isEmpty || PerlText.isOneOf(text, ["~", "true", "false", "null"]) || PerlText.looksLikeNumber(text)
            {
                style = .singleQuoted
            } else if text.contains("\n") {
                style = Self.utf8Count(text) > 30 ? .literal : .doubleQuoted
            }
        }
        let analysis = YAMLScalarAnalysis(text)
        if simpleKey && analysis.isMultiline { style = .doubleQuoted }
        if style == .plain && (!analysis.isPlainAllowed || (text.isEmpty && simpleKey)) { style = .singleQuoted }
        if style == .singleQuoted && !analysis.isSingleQuotedAllowed { style = .doubleQuoted }
        if style == .literal && (!analysis.isBlockAllowed || simpleKey) { style = .doubleQuoted }
        return style
    }

    private func perlStyle(
        _ text: [Unicode.Scalar], request: ScalarRequest
    ) throws(YAMLEncodingError) -> YAMLScalarStyle {
        if request != .string { return .plain }
        if let character = text.first(where: { $0.value == 0xFFFE || $0.value == 0xFFFF }) {
            let code = String(character.value, radix: 16, uppercase: true)
            throw YAMLEncodingError(.unrepresentable(
                "U+\(code): YAML::XS refuses it raw and YAML.pm reads no escape for it"))
        }
        return YAMLPerlStyle.style(for: text, startsLine: column == 0)
    }

    /// `yaml_emitter_write_plain_scalar`.
    private mutating func writePlain(_ text: [Unicode.Scalar], allowBreaks: Bool) {
        if !whitespace && !text.isEmpty { put(0x20) }
        var spaces = false
        var breaks = false
        for (index, character) in text.enumerated() {
            if character == " " {
                let nextIsSpace = index + 1 < text.count && text[index + 1] == " "
                if allowBreaks && !spaces && column > Self.bestWidth && !nextIsSpace {
                    writeIndent()
                } else {
                    write(character)
                }
                spaces = true
            } else if isLineBreak(character) {
                if !breaks && character == "\n" { putBreak() }
                writeBreak(character)
                indention = true
                breaks = true
            } else {
                if breaks { writeIndent() }
                write(character)
                indention = false
                spaces = false
                breaks = false
            }
        }
        whitespace = false
        indention = false
    }

    /// `yaml_emitter_write_single_quoted_scalar`.
    private mutating func writeSingleQuoted(_ text: [Unicode.Scalar], allowBreaks: Bool) {
        writeIndicator("'", needWhitespace: true, isWhitespace: false, isIndention: false)
        var spaces = false
        var breaks = false
        for (index, character) in text.enumerated() {
            if character == " " {
                if allowBreaks && !spaces && column > Self.bestWidth && index != 0 && index != text.count - 1
                    && !(index + 1 < text.count && text[index + 1] == " ")
                {
                    writeIndent()
                } else {
                    write(character)
                }
                spaces = true
            } else if isLineBreak(character) {
                if !breaks && character == "\n" { putBreak() }
                writeBreak(character)
                indention = true
                breaks = true
            } else {
                if breaks { writeIndent() }
                if character == "'" { put(0x27) }
                write(character)
                indention = false
                spaces = false
                breaks = false
            }
        }
        if breaks { writeIndent() }
        writeIndicator("'", needWhitespace: false, isWhitespace: false, isIndention: false)
        whitespace = false
        indention = false
    }

    /// `yaml_emitter_write_double_quoted_scalar`; in the `yaml` dialect with YAML.pm's
    /// escapes, and a space next to a raw LS or PS escaped (YAML::XS would drop it).
    private mutating func writeDoubleQuoted(_ text: [Unicode.Scalar], allowBreaks: Bool) {
        writeIndicator("\"", needWhitespace: true, isWhitespace: false, isIndention: false)
        var spaces = false
        for (index, character) in text.enumerated() {
            let escape: String?
            if isXS {
                escape = YAMLXSStyle.escape(character)
            } else if character == " ", YAMLPerlStyle.isNextToSeparator(index, in: text) {
                escape = "\\x20"
            } else {
                escape = YAMLPerlStyle.escape(character)
            }
            if let escape {
                writeRaw(escape)
                spaces = false
            } else if character == " " {
                if allowBreaks && !spaces && column > Self.bestWidth && index != 0 && index != text.count - 1 {
                    writeIndent()
                    if index + 1 < text.count && text[index + 1] == " " { put(0x5C) }
                } else {
                    write(character)
                }
                spaces = true
            } else {
                write(character)
                spaces = false
            }
        }
        writeIndicator("\"", needWhitespace: false, isWhitespace: false, isIndention: false)
        whitespace = false
        indention = false
    }

    /// A literal block: libyaml's (`yaml_emitter_write_literal_scalar`), or YAML.pm's
    /// (`YAML::Dumper::_emit_block`: chomping before the indentation indicator, every
    /// line indented, empty ones too).
    private mutating func writeLiteral(_ text: [Unicode.Scalar]) {
        writeIndicator("|", needWhitespace: true, isWhitespace: false, isIndention: false)
        let trailingBreaks = text.reversed().prefix { YAMLScalarAnalysis.isBreak($0) }.count
        if isXS {
            if let first = text.first, first == " " || YAMLScalarAnalysis.isBreak(first) { writeRaw("2") }
            endsOpen = false
            if trailingBreaks == 0 {
                writeRaw("-")
            } else if trailingBreaks >= 2 || text.count == 1 {
                writeRaw("+")
                endsOpen = true
            }
            putBreak()
            indention = true
            whitespace = true
            var breaks = true
            for character in text {
                if YAMLScalarAnalysis.isBreak(character) {
                    writeBreak(character)
                    indention = true
                    breaks = true
                } else {
                    if breaks { writeIndent() }
                    write(character)
                    indention = false
                    breaks = false
                }
            }
            return
        }
        writeRaw(trailingBreaks == 0 ? "-" : trailingBreaks == 1 ? "" : "+")
        if let first = text.first, PerlText.isWhitespace(first) { writeRaw("2") }
        let body = trailingBreaks > 0 ? text.dropLast() : text[...]
        let lines = body.split(separator: "\n", omittingEmptySubsequences: false)
        for (index, line) in lines.enumerated() {
            putBreak()
            if index == lines.count - 1 && line.isEmpty && index > 0 { continue }
            writeRaw(String(repeating: " ", count: max(indent, 0)))
            for character in line { write(character) }
        }
        putBreak()
        indention = true
        whitespace = true
    }

    /// A line break in a scalar as written: libyaml's five (YAML::XS writes LS, PS and NEL
    /// as breaks, indenting the line after); in the `yaml` dialect only the line feed
    /// (LS and PS are written as the characters YAML.pm reads them as).
    private func isLineBreak(_ character: Unicode.Scalar) -> Bool {
        isXS ? YAMLScalarAnalysis.isBreak(character) : character == "\n"
    }

    // MARK: - Anchors and tags

    private mutating func writeProperties(anchor: Int?, tag suffix: String?) {
        if let anchor {
            writeIndicator("&", needWhitespace: true, isWhitespace: false, isIndention: false)
            writeAnchorName(anchor)
        }
        guard let suffix else { return }
        if !whitespace { put(0x20) }
        writeRaw("!!")
        for character in suffix.unicodeScalars {
            if !isXS || Self.isTagCharacter(character) {
                write(character)
            } else {
                var bytes: [UInt8] = []
                appendUTF8(character.value, to: &bytes)
                // Always two digits, as libyaml writes them and as every reader requires.
                for byte in bytes {
                    writeRaw((byte < 0x10 ? "%0" : "%") + String(byte, radix: 16, uppercase: true))
                }
            }
        }
        whitespace = false
        indention = false
    }

    /// What libyaml writes in a tag unescaped (`yaml_emitter_write_tag_content`).
    private static func isTagCharacter(_ character: Unicode.Scalar) -> Bool {
        // ASCII letters are exactly ASCII's alphabetic characters: no Unicode property
        // lookup is needed.
        switch character.value {
        case 0x41...0x5A, 0x61...0x7A, 0x30...0x39: return true
        case 0x80...: return false
        // libyaml also writes `,`, `[` and `]` raw, but they end a tag in flow context
        // (YAML 1.2 takes them out of tags), and RefWire's reader stops there: escaped,
        // they read back in every reader.
        default: return ";/?:@&=+$_.~*'()-".utf8.contains(UInt8(character.value))
        }
    }

    private mutating func writeAnchorName(_ number: Int) {
        writeRaw(String(number))
        whitespace = false
        indention = false
    }

    private mutating func writeEmptyFlow(_ open: String, _ close: String) {
        writeIndicator(open, needWhitespace: true, isWhitespace: true, isIndention: false)
        writeIndicator(close, needWhitespace: false, isWhitespace: false, isIndention: false)
    }

    // MARK: - libyaml's writing primitives

    private mutating func increaseIndent(flow: Bool, indentless: Bool) {
        indents.append(indent)
        if indent < 0 {
            indent = flow ? 2 : 0
        } else if !indentless {
            indent += 2
        }
    }

    private mutating func writeIndent() {
        let target = max(indent, 0)
        if !indention || column > target || (column == target && !whitespace) { putBreak() }
        while column < target { put(0x20) }
        whitespace = true
        indention = true
    }

    private mutating func writeIndicator(
        _ indicator: String, needWhitespace: Bool, isWhitespace: Bool, isIndention: Bool
    ) {
        if needWhitespace && !whitespace { put(0x20) }
        writeRaw(indicator)
        whitespace = isWhitespace
        indention = indention && isIndention
    }

    /// ASCII text, one column per character.
    private mutating func writeRaw(_ text: String) {
        output.append(contentsOf: text.utf8)
        column += text.utf8.count
    }

    private mutating func put(_ byte: UInt8) {
        output.append(byte)
        column += 1
    }

    private mutating func putBreak() {
        output.append(0x0A)
        column = 0
    }

    private mutating func write(_ character: Unicode.Scalar) {
        appendUTF8(character.value, to: &output)
        column += 1
    }

    /// A line break inside a scalar: LF as a new line, others (CR, NEL, LS, PS) copied.
    private mutating func writeBreak(_ character: Unicode.Scalar) {
        if character == "\n" {
            putBreak()
        } else {
            appendUTF8(character.value, to: &output)
            column = 0
        }
    }

    // MARK: - Measures

    private static func utf8Count(_ text: [Unicode.Scalar]) -> Int {
        text.reduce(0) { $0 + UTF8.width($1) }
    }

    /// The characters a single-line scalar takes as written in the `yaml` dialect.
    private static func writtenLength(_ text: [Unicode.Scalar], _ style: YAMLScalarStyle) -> Int {
        switch style {
        case .plain, .literal: return text.count
        case .singleQuoted: return text.count + text.filter { $0 == "'" }.count + 2
        case .doubleQuoted:
            return text.indices.reduce(2) { length, index in
                let character = text[index]
                if character == " " && YAMLPerlStyle.isNextToSeparator(index, in: text) {
                    return length + 4  // `\x20`
                }
                return length + (YAMLPerlStyle.escape(character)?.count ?? 1)
            }
        }
    }
}
