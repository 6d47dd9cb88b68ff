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
        let output = emitter.finish()
        guard options.encoding == .perlInternal else { return output }
        // One byte per character where every character fits in one.
        let text = String(decoding: output, as: UTF8.self)
        guard text.unicodeScalars.allSatisfy({ $0.value <= 0xFF }) else { return output }
        return text.unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) }
    }
}

/// libyaml's block emitter (`emitter.c`), driven straight from a value instead of by
/// events, its stack explicit; the `yaml` dialect differs in the few layout choices
/// YAML.pm makes otherwise and in how it writes scalars.
///
/// Scalars are read as their UTF-8 (``Swift/Span``s of a `String`'s own storage) and
/// written into an ``OutputBuffer``, runs of characters that matter to no decision
/// copied as bytes.
struct YAMLEmitter: ~Copyable {
    private var output = OutputBuffer()
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
    /// Canonical order's positions, a stack: each sorted mapping's entries' positions in
    /// key order, above those of the mappings that contain it.
    private var orders = ScratchStack<Int>()
    private var anchorNumbers: [PerlAnchor: Int] = [:]

    private static let bestWidth = 80

    /// A block collection being written.
    ///
    /// Sequences and mappings are the buffers of the root's own arrays and hashes, read
    /// in place without copying a member out (see `PerlValue+Borrowing.swift`: the root
    /// owns them and nothing changes it while the emitter runs).
    private struct Frame {
        enum Entries {
            case sequence(UnsafeBufferPointer<PerlValue>)
            /// A hash's entries, in the hash's order or, with `orderBase`, in the order
            /// of the positions from there on `orders`.
            case mapping(UnsafeBufferPointer<PerlHashEntry>, orderBase: Int?)
            /// The one entry of a `!!perl/ref` mapping: `=`, and the referenced value,
            /// kept here so that the frames its contents open can point into it.
            case reference(PerlValue)
        }

        var entries: Entries
        var next = 0

        var count: Int {
            switch entries {
            case .sequence(let elements): elements.count
            case .mapping(let entries, _): entries.count
            case .reference: 1
            }
        }
    }

    /// What a value is written as.
    private enum Node {
        case alias(Int)
        case scalar(String, request: ScalarRequest, tag: Tag?)
        case sequence(UnsafeBufferPointer<PerlValue>, tag: Tag?)
        case mapping(UnsafeBufferPointer<PerlHashEntry>, tag: Tag?)
        case reference(PerlValue, tag: Tag)
    }

    /// A `!!perl/<kind>` or `!!perl/<kind>:Class` tag, written in parts.
    private struct Tag {
        var kind: StaticString
        var className: String?
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
    }

    /// The document written.
    consuming func finish() -> [UInt8] { output.finish() }

    // MARK: - Document and collections

    mutating func emitDocument(_ value: PerlValue) throws(YAMLEncodingError) {
        writeIndent()
        writeIndicator("---", needWhitespace: true, isWhitespace: false, isIndention: false)
        try withUnsafePointer(to: value) { root throws(YAMLEncodingError) in try emitNode(root, .root) }
        while let top = frames.indices.last {
            let next = frames[top].next
            guard next < frames[top].count else {
                if case .mapping(_, let orderBase?) = frames[top].entries { orders.removeLast(from: orderBase) }
                frames.removeLast()
                indent = indents.removeLast()
                continue
            }
            frames[top].next += 1
            switch frames[top].entries {
            case .sequence(let elements):
                writeIndent()
                writeIndicator("-", needWhitespace: true, isWhitespace: false, isIndention: true)
                try emitNode(elements.baseAddress.unsafelyUnwrapped + next, .sequence)
            case .mapping(let entries, let orderBase):
                let entry = entries.baseAddress.unsafelyUnwrapped + (orderBase.map { orders[$0 + next] } ?? next)
                try Self.withText(ofKey: entry.pointer(to: \.key).unsafelyUnwrapped) { text throws(YAMLEncodingError) in
                    try emitKey(text)
                }
                try emitNode(entry.pointer(to: \.value).unsafelyUnwrapped, .mapping)
            case .reference(let target):
                writeIndent()
                writeIndicator("=", needWhitespace: true, isWhitespace: false, isIndention: false)
                writeIndicator(":", needWhitespace: false, isWhitespace: false, isIndention: false)
                // The frame keeps `target`, which owns what the frames it opens point into.
                try withUnsafePointer(to: target) { target throws(YAMLEncodingError) in
                    try emitNode(target, .mapping)
                }
            }
        }
        writeIndent()
        if isXS && endsOpen {
            writeIndicator("...", needWhitespace: true, isWhitespace: false, isIndention: false)
            writeIndent()
        }
    }

    /// Writes the node of the value at `value`, a member of the root; a collection's
    /// members follow from `emitDocument`'s loop. Cases bind only trivial payloads, and
    /// plain arrays and hashes are opened before the switch: see `PerlValue+Borrowing.swift`.
    private mutating func emitNode(_ value: UnsafePointer<PerlValue>, _ context: Context) throws(YAMLEncodingError) {
        if let elements = value.pointee.borrowedElements {
            return try openSequence(elements, tag: nil, anchor: nil, context)
        }
        if let hash = value.pointee.borrowedHash {
            return try openMapping(hash.entries, tag: nil, anchor: nil)
        }
        switch value.pointee {
        case .string, .bytes:
            // Most nodes: straight to their text (what `node(for:)` would find), read in
            // place when the string has storage of its own or is bytes all ASCII.
            if let utf8 = value.pointee.borrowedUTF8 {
                return try emitValueScalar(utf8.span, request: .string, tag: nil, anchor: nil)
            }
            if let bytes = value.pointee.borrowedBytes,
                let emitted = try bytes.withUnsafeBufferPointer({ bytes throws(YAMLEncodingError) in
                    bytes.contains(where: { $0 >= 0x80 })
                        ? nil : try emitValueScalar(bytes.span, request: .string, tag: nil, anchor: nil)
                })
            {
                return emitted
            }
            fallthrough
        case .undef, .hole, .integer, .unsigned, .double, .bool, .vstring:
            let (text, request) = try scalarText(value.pointee)
            return try emitValueScalar(text.utf8.span, request: request, tag: nil, anchor: nil)
        default:
            break
        }
        let (node, anchor) = try node(for: value.pointee)
        switch node {
        case .alias(let number):
            writeIndicator("*", needWhitespace: true, isWhitespace: false, isIndention: false)
            writeAnchorName(number)
        case .scalar(let text, let request, let tag):
            try emitValueScalar(text.utf8.span, request: request, tag: tag, anchor: anchor)
        case .sequence(let elements, let tag):
            try openSequence(elements, tag: tag, anchor: anchor, context)
        case .mapping(let entries, let tag):
            try openMapping(entries, tag: tag, anchor: anchor)
        case .reference(let target, let tag):
            writeProperties(anchor: anchor, tag: tag)
            try checkDepth()
            increaseIndent(flow: false, indentless: false)
            frames.append(Frame(entries: .reference(target)))
        }
    }

    private mutating func openSequence(
        _ elements: UnsafeBufferPointer<PerlValue>, tag: Tag?, anchor: Int?, _ context: Context
    ) throws(YAMLEncodingError) {
        writeProperties(anchor: anchor, tag: tag)
        guard !elements.isEmpty else { return writeEmptyFlow("[", "]") }
        try checkDepth()
        // YAML::XS writes a sequence in a mapping at the mapping's indentation;
        // YAML.pm indents it, and starts a sequence in a sequence on a new line.
        let indentless = isXS && context == .mapping && !indention
        if !isXS && context == .sequence { indention = false }
        increaseIndent(flow: false, indentless: indentless)
        frames.append(Frame(entries: .sequence(elements)))
    }

    private mutating func openMapping(
        _ entries: UnsafeBufferPointer<PerlHashEntry>, tag: Tag?, anchor: Int?
    ) throws(YAMLEncodingError) {
        writeProperties(anchor: anchor, tag: tag)
        guard !entries.isEmpty else { return writeEmptyFlow("{", "}") }
        try checkDepth()
        increaseIndent(flow: false, indentless: false)
        frames.append(Frame(entries: .mapping(entries, orderBase: options.canonical ? pushOrder(of: entries) : nil)))
    }

    /// Pushes onto `orders` the positions of `entries` in code point order of their
    /// keys (for UTF-8, byte order), and returns where they start.
    private mutating func pushOrder(of entries: UnsafeBufferPointer<PerlHashEntry>) -> Int {
        let base = orders.count
        for position in entries.indices { orders.append(position) }
        func key(at position: Int) -> UnsafePointer<PerlHash.Key> {
            (entries.baseAddress.unsafelyUnwrapped + position).pointer(to: \.key).unsafelyUnwrapped
        }
        var positions = orders.buffer(base..<orders.count)
        positions.sort { PerlHash.Key.precedes(key(at: $0), key(at: $1)) }
        return base
    }

    /// Calls `body` with a key's text as UTF-8: a character key's own bytes, a byte key's
    /// when they are ASCII, else the characters Perl sees in it, one per byte.
    private static func withText<Result>(
        ofKey key: UnsafePointer<PerlHash.Key>, _ body: (Span<UInt8>) throws(YAMLEncodingError) -> Result
    ) throws(YAMLEncodingError) -> Result {
        if let utf8 = key.pointee.borrowedUTF8 { return try body(utf8.span) }
        if let bytes = key.pointee.borrowedBytes,
            let result = try bytes.withUnsafeBufferPointer({ bytes throws(YAMLEncodingError) in
                bytes.contains(where: { $0 >= 0x80 }) ? nil : try body(bytes.span)
            })
        {
            return result
        }
        let text = Self.text(of: key.pointee)
        return try body(text.utf8.span)
    }

    /// A mapping key and its `:`, as a simple key when it fits one line and libyaml's
    /// length limit, else after `?`.
    private mutating func emitKey(_ text: Span<UInt8>) throws(YAMLEncodingError) {
        writeIndent()
        let simple: Bool
        let style: YAMLScalarStyle
        if isXS {
            let analysis = YAMLScalarAnalysis(text)
            simple = !analysis.isMultiline && text.count <= 128
            style = xsStyle(text, analysis, request: .string, simpleKey: simple)
        } else {
            // YAML.pm writes a block-scalar key after `?`; so must a key YAML::XS would
            // read as spanning lines (LS, PS) or could not take as a simple key (1,024
            // characters at most).
            let scan = YAMLPerlStyle.Scan(text)
            style = try perlStyle(text, scan)
            simple = style != .literal && !scan.hasSeparator && Self.writtenLength(text, scan, style) <= 1000
        }
        if simple {
            emitScalar(text, style: style, tag: nil, anchor: nil, simpleKey: true)
            writeIndicator(":", needWhitespace: false, isWhitespace: false, isIndention: false)
        } else {
            writeIndicator("?", needWhitespace: true, isWhitespace: false, isIndention: true)
            // In the `yaml` dialect, no longer at the start of a line.
            let style = isXS ? style : try perlStyle(text, YAMLPerlStyle.Scan(text))
            emitScalar(text, style: style, tag: nil, anchor: nil, simpleKey: false)
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
        case .array:
            return .sequence(value.borrowedElements.unsafelyUnwrapped, tag: try classTag("perl/array", className))
        case .hash:
            return .mapping(value.borrowedHash.unsafelyUnwrapped.entries, tag: try classTag("perl/hash", className))
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
            let tag = try classTag("perl/ref", className) ?? Tag(kind: "perl/ref")
            return .reference(target, tag: tag)
        case .regexp(let pattern, let flags):
            // Perl's flags are lower-case letters, and the `(?^flags:pattern)` text is
            // read back only with those (regexpParts); any other would come back as part
            // of the pattern.
            guard flags.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) }) else {
                throw YAMLEncodingError(.unrepresentable("a regexp with the flags \(flags.debugDescription)"))
            }
            let text = "(?^\(flags):\(pattern))"
            let regexpClass = className == "Regexp" ? nil : className
            let tag = try classTag("perl/regexp", regexpClass) ?? Tag(kind: "perl/regexp")
            return .scalar(text, request: .string, tag: tag)
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
    private func scalarText(_ value: PerlValue) throws(YAMLEncodingError) -> (String, ScalarRequest) {
        switch value {
        case .undef, .hole: return ("~", .keyword)
        case .integer(let number): return (String(number), .number)
        case .unsigned(let number): return (String(number), .number)
        case .double(let number): return (doubleText(number), .number)
        case .bool(let truth): return truth ? ("1", .number) : ("", .string)
        case .string(let text): return (text, .string)
        case .bytes(let bytes): return (Self.latin1Text(bytes), .string)
        case .vstring(_, let inner): return try scalarText(inner)
        default: throw YAMLEncodingError(.unrepresentable("a reference where a scalar belongs: \(value)"))
        }
    }

    private func doubleText(_ number: Double) -> String {
        let perl = number.perlText(lossless: false)
        guard options.losslessDoubles, number.isFinite, Double(perl) != number else { return perl }
        return "\(number)"
    }

    private static func text(of key: PerlHash.Key) -> String {
        switch key {
        case .string(let text): text
        case .bytes(let bytes): latin1Text(bytes)
        }
    }

    /// A Perl byte string as the characters Perl sees in it, one per byte.
    private static func latin1Text(_ bytes: PerlBytes) -> String {
        if bytes.allSatisfy({ $0 < 0x80 }) { return String(decoding: bytes, as: UTF8.self) }
        var scalars = String.UnicodeScalarView()
        for byte in bytes { scalars.append(Unicode.Scalar(byte)) }
        return String(scalars)
    }

    /// `!!perl/<kind>:Class` (`nil` without a class), if the dialect's readers take the
    /// class name: YAML.pm reads `\w(\w|::)*` only; libyaml writes any name,
    /// `%`-escaping what a tag cannot hold.
    private func classTag(_ kind: StaticString, _ className: String?) throws(YAMLEncodingError) -> Tag? {
        guard let className else { return nil }
        guard !className.isEmpty else {
            throw YAMLEncodingError(.unrepresentable("an object of a class with an empty name"))
        }
        if !isXS && !Self.isPerlWordPath(className) {
            throw YAMLEncodingError(
                .unrepresentable("class name \(className): YAML.pm reads only word characters and ::"))
        }
        return Tag(kind: kind, className: className)
    }

    /// `\w(\w|::)*`, ASCII.
    private static func isPerlWordPath(_ name: String) -> Bool {
        let bytes = name.utf8.span
        let isWord = { (byte: UInt8) in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"): true
            default: false
            }
        }
        guard !bytes.isEmpty, isWord(bytes[0]) else { return false }
        var index = 1
        while index < bytes.count {
            if isWord(bytes[index]) {
                index += 1
            } else if bytes[index] == UInt8(ascii: ":"), index + 1 < bytes.count,
                bytes[index + 1] == UInt8(ascii: ":")
            {
                index += 2
            } else {
                return false
            }
        }
        return true
    }

    // MARK: - Scalars

    /// A scalar's style. Numbers and `~` are plain in both dialects (nothing in their
    /// text needs quoting, so libyaml's analysis would not veto it).
    private func style(
        of text: Span<UInt8>, request: ScalarRequest, simpleKey: Bool
    ) throws(YAMLEncodingError) -> YAMLScalarStyle {
        guard request == .string else { return .plain }
        if isXS { return xsStyle(text, YAMLScalarAnalysis(text), request: request, simpleKey: simpleKey) }
        return try perlStyle(text, YAMLPerlStyle.Scan(text))
    }

    /// A scalar that is a value, not a key.
    private mutating func emitValueScalar(
        _ utf8: Span<UInt8>, request: ScalarRequest, tag: Tag?, anchor: Int?
    ) throws(YAMLEncodingError) {
        let style = try style(of: utf8, request: request, simpleKey: false)
        emitScalar(utf8, style: style, tag: tag, anchor: anchor, simpleKey: false)
    }

    private mutating func emitScalar(
        _ text: Span<UInt8>, style: YAMLScalarStyle, tag: Tag?, anchor: Int?, simpleKey: Bool
    ) {
        writeProperties(anchor: anchor, tag: tag)
        // libyaml indents a scalar's continuation lines as a flow level deeper.
        let outer = indent
        indent = Self.deeperIndent(indent, flow: true, indentless: false)
        let allowBreaks = isXS && !simpleKey
        switch style {
        case .plain: writePlain(text, allowBreaks: allowBreaks)
        case .singleQuoted: writeSingleQuoted(text, allowBreaks: allowBreaks)
        case .doubleQuoted: writeDoubleQuoted(text, allowBreaks: allowBreaks)
        case .literal: writeLiteral(text)
        }
        indent = outer
    }

    /// YAML::XS's request (`dump_scalar`: quote what would load as something else,
    /// multi-line text as a literal block if longer than 30 bytes) and libyaml's veto
    /// (`yaml_emitter_select_scalar_style`).
    private func xsStyle(
        _ text: Span<UInt8>, _ analysis: YAMLScalarAnalysis, request: ScalarRequest, simpleKey: Bool
    ) -> YAMLScalarStyle {
        var style = YAMLScalarStyle.plain
        if request == .string {
            if text.isEmpty || PerlText.isOneOf(text, ["~", "true", "false", "null"]) || PerlText.looksLikeNumber(text)
            {
                style = .singleQuoted
            } else if text.contains(0x0A) {
                style = text.count > 30 ? .literal : .doubleQuoted
            }
        }
        if simpleKey && analysis.isMultiline { style = .doubleQuoted }
        if style == .plain && (!analysis.isPlainAllowed || (text.isEmpty && simpleKey)) { style = .singleQuoted }
        if style == .singleQuoted && !analysis.isSingleQuotedAllowed { style = .doubleQuoted }
        if style == .literal && (!analysis.isBlockAllowed || simpleKey) { style = .doubleQuoted }
        return style
    }

    /// The `yaml` dialect's style for a string, as it stands at the current column.
    private func perlStyle(
        _ text: Span<UInt8>, _ scan: YAMLPerlStyle.Scan
    ) throws(YAMLEncodingError) -> YAMLScalarStyle {
        if let character = scan.nonCharacter {
            let code = String(character.value, radix: 16, uppercase: true)
            throw YAMLEncodingError(.unrepresentable(
                "U+\(code): YAML::XS refuses it raw and YAML.pm reads no escape for it"))
        }
        return YAMLPerlStyle.style(for: text, scan, startsLine: column == 0)
    }

    /// `yaml_emitter_write_plain_scalar`.
    private mutating func writePlain(_ text: Span<UInt8>, allowBreaks: Bool) {
        if !whitespace && !text.isEmpty { put(0x20) }
        var spaces = false
        var breaks = false
        var index = 0
        while index < text.count {
            if text[index] == 0x20 {
                let nextIsSpace = index + 1 < text.count && text[index + 1] == 0x20
                if allowBreaks && !spaces && column > Self.bestWidth && !nextIsSpace {
                    writeIndent()
                } else {
                    put(0x20)
                }
                spaces = true
                index += 1
            } else if let length = lineBreakLength(text, at: index) {
                if !breaks && text[index] == 0x0A { putBreak() }
                writeBreak(text, index..<index + length)
                indention = true
                breaks = true
                index += length
            } else {
                if breaks { writeIndent() }
                index = writeCharacters(text, from: index)
                indention = false
                spaces = false
                breaks = false
            }
        }
        whitespace = false
        indention = false
    }

    /// `yaml_emitter_write_single_quoted_scalar`.
    private mutating func writeSingleQuoted(_ text: Span<UInt8>, allowBreaks: Bool) {
        writeIndicator("'", needWhitespace: true, isWhitespace: false, isIndention: false)
        var spaces = false
        var breaks = false
        var index = 0
        while index < text.count {
            if text[index] == 0x20 {
                if allowBreaks && !spaces && column > Self.bestWidth && index != 0 && index != text.count - 1
                    && !(index + 1 < text.count && text[index + 1] == 0x20)
                {
                    writeIndent()
                } else {
                    put(0x20)
                }
                spaces = true
                index += 1
            } else if let length = lineBreakLength(text, at: index) {
                if !breaks && text[index] == 0x0A { putBreak() }
                writeBreak(text, index..<index + length)
                indention = true
                breaks = true
                index += length
            } else {
                if breaks { writeIndent() }
                if text[index] == UInt8(ascii: "'") {
                    put(0x27)
                    put(0x27)
                    index += 1
                } else {
                    index = writeCharacters(text, from: index)
                }
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
    private mutating func writeDoubleQuoted(_ text: Span<UInt8>, allowBreaks: Bool) {
        writeIndicator("\"", needWhitespace: true, isWhitespace: false, isIndention: false)
        var spaces = false
        var index = 0
        while index < text.count {
            let (character, next) = text.character(at: index)
            if let escape = doubleQuotedEscape(character, at: index, in: text) {
                writeRaw(escape)
                spaces = false
            } else if character == " " {
                if allowBreaks && !spaces && column > Self.bestWidth && index != 0 && index != text.count - 1 {
                    writeIndent()
                    if next < text.count && text[next] == 0x20 { put(0x5C) }
                } else {
                    put(0x20)
                }
                spaces = true
            } else {
                index = writeCharacters(text, from: index)
                spaces = false
                continue
            }
            index = next
        }
        writeIndicator("\"", needWhitespace: false, isWhitespace: false, isIndention: false)
        whitespace = false
        indention = false
    }

    /// The escape a character takes in double quotes, if it takes one.
    private func doubleQuotedEscape(_ character: Unicode.Scalar, at index: Int, in text: Span<UInt8>) -> String? {
        if isXS { return YAMLXSStyle.escape(character) }
        if character == " ", YAMLPerlStyle.isNextToSeparator(index, in: text) { return "\\x20" }
        return YAMLPerlStyle.escape(character)
    }

    /// A literal block: libyaml's (`yaml_emitter_write_literal_scalar`), or YAML.pm's
    /// (`YAML::Dumper::_emit_block`: chomping before the indentation indicator, every
    /// line indented, empty ones too).
    private mutating func writeLiteral(_ text: Span<UInt8>) {
        writeIndicator("|", needWhitespace: true, isWhitespace: false, isIndention: false)
        // The line breaks that end the text, and where they start.
        var trailingBreaks = 0
        var breaksStart = text.count
        while let (last, start) = text.extracting(0..<breaksStart).lastCharacter(), YAMLScalarAnalysis.isBreak(last) {
            trailingBreaks += 1
            breaksStart = start
        }
        let first = text.isEmpty ? nil : text.character(at: 0).0
        if isXS {
            if let first, first == " " || YAMLScalarAnalysis.isBreak(first) { writeRaw("2") }
            endsOpen = false
            if trailingBreaks == 0 {
                writeRaw("-")
            } else if trailingBreaks >= 2 || text.characterCount == 1 {
                writeRaw("+")
                endsOpen = true
            }
            putBreak()
            indention = true
            whitespace = true
            var breaks = true
            var index = 0
            while index < text.count {
                if let length = text.lineBreakLength(at: index) {
                    writeBreak(text, index..<index + length)
                    indention = true
                    breaks = true
                    index += length
                } else {
                    if breaks { writeIndent() }
                    index = writeCharacters(text, from: index)
                    indention = false
                    breaks = false
                }
            }
            return
        }
        writeRaw(trailingBreaks == 0 ? "-" : trailingBreaks == 1 ? "" : "+")
        if let first, PerlText.isWhitespace(first) { writeRaw("2") }
        // All but the last line break.
        let body = trailingBreaks > 0 ? text.extracting(0..<text.lastCharacter()!.start) : text
        var lineStart = 0
        while true {
            let lineEnd = body.extracting(lineStart..<body.count).firstIndex(of: 0x0A).map { lineStart + $0 }
                ?? body.count
            putBreak()
            let isLast = lineEnd == body.count
            if !(isLast && lineStart == lineEnd && lineStart > 0) {
                writeSpaces(max(indent, 0))
                var index = lineStart
                while index < lineEnd { index = writeCharacters(body, from: index) }
            }
            if isLast { break }
            lineStart = lineEnd + 1
        }
        putBreak()
        indention = true
        whitespace = true
    }

    /// The length of the line break at byte `index` as written in a flow scalar: libyaml's
    /// five (YAML::XS writes LS, PS and NEL as breaks, indenting the line after); in the
    /// `yaml` dialect only the line feed (LS and PS are written as the characters YAML.pm
    /// reads them as).
    private func lineBreakLength(_ text: Span<UInt8>, at index: Int) -> Int? {
        isXS ? text.lineBreakLength(at: index) : text[index] == 0x0A ? 1 : nil
    }

    // MARK: - Anchors and tags

    private mutating func writeProperties(anchor: Int?, tag: Tag?) {
        if let anchor {
            writeIndicator("&", needWhitespace: true, isWhitespace: false, isIndention: false)
            writeAnchorName(anchor)
        }
        guard let tag else { return }
        if !whitespace { put(0x20) }
        writeRaw("!!")
        tag.kind.withUTF8Buffer { kind in
            output.append(contentsOf: UnsafeRawBufferPointer(kind))
            column += kind.count
        }
        if let className = tag.className {
            put(UInt8(ascii: ":"))
            writeClassName(className)
        }
        whitespace = false
        indention = false
    }

    private mutating func writeClassName(_ className: String) {
        let name = className.utf8.span
        if isXS {
            // libyaml escapes each byte of a character it does not write raw; always two
            // digits, as libyaml writes them and as every reader requires.
            for index in 0..<name.count {
                let byte = name[index]
                if Self.isTagCharacter(byte) {
                    put(byte)
                } else {
                    writeRaw((byte < 0x10 ? "%0" : "%") + String(byte, radix: 16, uppercase: true))
                }
            }
        } else {
            name.withUnsafeBytes { output.append(contentsOf: $0) }
            column += name.characterCount
        }
    }

    /// What libyaml writes in a tag unescaped (`yaml_emitter_write_tag_content`): ASCII
    /// only, so bytes of characters beyond it are never.
    private static func isTagCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        // libyaml also writes `,`, `[` and `]` raw, but they end a tag in flow context
        // (YAML 1.2 takes them out of tags), and RefWire's reader stops there: escaped,
        // they read back in every reader.
        case UInt8(ascii: ";"), UInt8(ascii: "/"), UInt8(ascii: "?"), UInt8(ascii: ":"), UInt8(ascii: "@"),
            UInt8(ascii: "&"), UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "$"), UInt8(ascii: "_"),
            UInt8(ascii: "."), UInt8(ascii: "~"), UInt8(ascii: "*"), UInt8(ascii: "'"), UInt8(ascii: "("),
            UInt8(ascii: ")"), UInt8(ascii: "-"):
            true
        default:
            false
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
        indent = Self.deeperIndent(indent, flow: flow, indentless: indentless)
    }

    /// libyaml's `yaml_emitter_increase_indent`.
    private static func deeperIndent(_ indent: Int, flow: Bool, indentless: Bool) -> Int {
        if indent < 0 { return flow ? 2 : 0 }
        return indentless ? indent : indent + 2
    }

    private mutating func writeIndent() {
        let target = max(indent, 0)
        if !indention || column > target || (column == target && !whitespace) { putBreak() }
        if column < target { writeSpaces(target - column) }
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
        output.append(utf8Of: text)
        column += text.utf8.count
    }

    private mutating func put(_ byte: UInt8) {
        output.append(byte)
        column += 1
    }

    /// Indentation, copied in blocks rather than a space at a time.
    private mutating func writeSpaces(_ count: Int) {
        let spaces: StaticString = "                                "
        var remaining = count
        while remaining > 0 {
            let block = min(remaining, spaces.utf8CodeUnitCount)
            output.append(contentsOf: UnsafeRawBufferPointer(start: spaces.utf8Start, count: block))
            remaining -= block
        }
        column += count
    }

    private mutating func putBreak() {
        output.append(0x0A)
        column = 0
    }

    /// Copies the character at byte `start` and the inert ones after it
    /// (``YAMLBytes/isInert(_:)``), one column each; returns where it stopped.
    private mutating func writeCharacters(_ text: Span<UInt8>, from start: Int) -> Int {
        let next = text.character(at: start).next
        var end = next
        var continuationBytes = 0
        while end < text.count && YAMLBytes.isInert(text[end]) {
            if text[end] & 0xC0 == 0x80 { continuationBytes += 1 }
            end += 1
        }
        text.extracting(start..<end).withUnsafeBytes { output.append(contentsOf: $0) }
        column += 1 + (end - next) - continuationBytes
        return end
    }

    /// A line break inside a scalar: LF as a new line, others (CR, NEL, LS, PS) copied.
    private mutating func writeBreak(_ text: Span<UInt8>, _ range: Range<Int>) {
        if text[range.lowerBound] == 0x0A {
            putBreak()
        } else {
            text.extracting(range).withUnsafeBytes { output.append(contentsOf: $0) }
            column = 0
        }
    }

    // MARK: - Measures

    /// The characters a single-line scalar takes as written in the `yaml` dialect.
    private static func writtenLength(
        _ text: Span<UInt8>, _ scan: YAMLPerlStyle.Scan, _ style: YAMLScalarStyle
    ) -> Int {
        switch style {
        case .plain, .literal: return scan.characterCount
        case .singleQuoted: return scan.characterCount + scan.quoteCount + 2
        case .doubleQuoted:
            var length = 2
            var index = 0
            while index < text.count {
                let (character, next) = text.character(at: index)
                if character == " " && YAMLPerlStyle.isNextToSeparator(index, in: text) {
                    length += 4  // `\x20`
                } else {
                    length += YAMLPerlStyle.escape(character)?.count ?? 1
                }
                index = next
            }
            return length
        }
    }
}
