#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A position in the input.
struct YAMLMark: Sendable {
    var offset = 0
    /// From 0.
    var line = 0
    /// From 0, in characters.
    var column = 0
}

/// A node property, an anchor name or a resolved tag, with where it was written (the
/// position errors about it report).
struct YAMLNodeProperty {
    var text: String
    var mark: YAMLMark
}

/// One token of YAML's syntax, as libyaml's scanner defines them.
///
/// A token is plain data (`BitwiseCopyable`): the parser peeks at each one, often more
/// than once, and the queue moves tokens when a simple key is found, so none of that
/// costs reference counting. The text of a name, and of a scalar that is not the input
/// as written, waits in the scanner until the parser takes it (``YAMLScanner/takeName()``,
/// ``YAMLScanner/takeScalar()``).
struct YAMLToken {
    enum Kind {
        case streamEnd
        case versionDirective
        case documentStart
        case documentEnd
        case blockSequenceStart
        case blockMappingStart
        case blockEnd
        case flowSequenceStart
        case flowSequenceEnd
        case flowMappingStart
        case flowMappingEnd
        case blockEntry
        case flowEntry
        case key
        case value
        /// An alias; its name is taken with ``YAMLScanner/takeName()``.
        case alias
        /// An anchor; its name is taken with ``YAMLScanner/takeName()``.
        case anchor
        /// A tag; its full text, the handle resolved (`!!perl/hash:A` is
        /// `tag:yaml.org,2002:perl/hash:A`), is taken with ``YAMLScanner/takeName()``.
        case tag
        /// A scalar; its text is taken with ``YAMLScanner/takeScalar()``.
        case scalar
    }

    var kind: Kind
    var mark: YAMLMark
    /// A scalar's style.
    var style = YAMLScalarText.Style.plain
    /// A scalar whose content is the input as written (``YAMLScalarText/Content/input(_:)``);
    /// `nil` for one that was read into an array.
    var input: UnsafeBufferPointer<UInt8>?
}

/// A scalar's content (UTF-8, escapes and folding applied) and how it was written.
struct YAMLScalarText {
    enum Style {
        case plain
        case singleQuoted
        case doubleQuoted
        case literal
        case folded
    }

    /// Where the content is.
    enum Content {
        /// In the input, as written: a plain scalar on one line, which is most of them.
        /// Nothing is copied before the composer makes its value (the input outlives
        /// every token).
        case input(UnsafeBufferPointer<UInt8>)
        /// Read into an array: escapes, folded lines, Latin-1 transcoded to UTF-8.
        case read([UInt8])
    }

    var content: Content
    var style: Style

    /// A plain scalar with no content: an empty node.
    static var empty: YAMLScalarText { YAMLScalarText(content: .read([]), style: .plain) }

    func withBytes<Result, Failure: Error>(
        _ body: (UnsafeBufferPointer<UInt8>) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        switch content {
        case .input(let bytes): try body(bytes)
        case .read(let bytes): try bytes.withUnsafeBufferPointer { bytes throws(Failure) in try body(bytes) }
        }
    }
}

/// Turns bytes into tokens, one pass, on demand.
///
/// This follows libyaml's scanner (the one YAML::XS uses): block structure becomes
/// explicit start and end tokens from an indentation stack, and a *simple key* (a key
/// written without `?`) is recognized when its `:` arrives, by inserting a `key` token
/// (and a `blockMappingStart`) before tokens already queued. Tokens are held only while a
/// simple key may still start at the head of the queue, which a line break ends, so the
/// queue stays as short as a line.
///
/// Two departures, both for YAML.pm's output: a simple key may be longer than 1,024
/// characters, and a block scalar at the top level may be indented zero columns.
///
/// Every character the scanner passes is validated (UTF-8, no raw control characters),
/// comments included, so a document is either fully valid text or an error.
struct YAMLScanner: ~Copyable {
    private let input: YAMLInput
    private let options: YAMLDecodingOptions

    private(set) var mark = YAMLMark()

    private var tokens = ScratchStack<YAMLToken>()
    private var head = 0
    /// The names of the alias, anchor and tag tokens in the queue, in order, and the
    /// contents of its scalars read into arrays: first at `namesHead` and `scalarsHead`.
    private var names: [String] = []
    private var namesHead = 0
    private var scalars: [[UInt8]] = []
    private var scalarsHead = 0
    /// Tokens handed to the parser so far.
    private var tokensParsed = 0
    /// Whether the token at `head` is known to be the next one: fetched, and no simple key
    /// can still put a `key` token before it. Until ``advance()`` nothing can change that,
    /// so the parser's further peeks at the same token skip ``fetchMoreTokens()``.
    private var headIsSettled = false
    private var streamEndProduced = false

    private var indent = -1
    private var indents = ScratchStack<Int>()
    private var simpleKeyAllowed = true
    /// The simple key candidate of each flow level (0: block context). This and the
    /// other stacks of plain values here are `ScratchStack`s, which change in place
    /// with no uniqueness check.
    private var simpleKeys = ScratchStack<SimpleKey>()
    /// The flow levels whose candidate is possible, ascending. A level's candidate is set
    /// only while it is the innermost level, so candidates deeper in this list were saved
    /// later, on the same line or a later one: the head of the token queue can only be the
    /// first one's token, and the candidates a line break makes stale are a prefix. Each
    /// token then costs O(1), however deep the flow nesting.
    private var possibleLevels = ScratchStack<Int>()
    private var flowLevel = 0
    /// The source and text of the last tag written `!handle!suffix` (see ``repeatedTag()``).
    private var lastTag: (source: [UInt8], text: String)?

    /// Internal, not private: as the element type of a `ScratchStack` (declared in
    /// another file) a private type crashes Swift 6.3's compiler in debug builds.
    struct SimpleKey {
        var possible = false
        var required = false
        var tokenNumber = 0
        var mark = YAMLMark()
    }

    private static let endOfInput = YAMLInput.endOfInput

    init(buffer: UnsafeBufferPointer<UInt8>, options: YAMLDecodingOptions) {
        input = YAMLInput(buffer: buffer, options: options)
        self.options = options
        simpleKeys.append(SimpleKey())
        // A UTF-8 byte order mark may open the stream.
        if !input.isLatin1, input.hasPrefix("\u{FEFF}", at: 0) { mark.offset = 3 }
    }

    // MARK: - The parser's interface

    /// The next token, without consuming it.
    mutating func peek() throws(YAMLDecodingError) -> YAMLToken {
        if !headIsSettled {
            try fetchMoreTokens()
            headIsSettled = true
        }
        return tokens[head]
    }

    /// Consumes the token `peek()` returned.
    mutating func advance() {
        switch tokens[head].kind {
        case .alias, .anchor, .tag: namesHead += 1
        case .scalar where tokens[head].input == nil: scalarsHead += 1
        default: break
        }
        head += 1
        tokensParsed += 1
        headIsSettled = false
        if head == tokens.count {
            tokens.removeLast(from: 0)
            head = 0
            // Emptied from the end: `removeAll(keepingCapacity:)` goes through the generic
            // `replaceSubrange`, several times the cost for the name or two there are.
            while !names.isEmpty { names.removeLast() }
            namesHead = 0
            while !scalars.isEmpty { scalars.removeLast() }
            scalarsHead = 0
        }
    }

    /// Consumes the alias, anchor or tag token `peek()` returned, returning its name.
    mutating func takeName() -> String {
        let name = names[namesHead]
        advance()
        return name
    }

    /// Consumes the scalar token `peek()` returned, returning its text.
    mutating func takeScalar() -> YAMLScalarText {
        let token = tokens[head]
        let content: YAMLScalarText.Content
        if let input = token.input { content = .input(input) } else { content = .read(scalars[scalarsHead]) }
        advance()
        return YAMLScalarText(content: content, style: token.style)
    }

    func error(_ kind: YAMLDecodingError.Kind, at mark: YAMLMark) -> YAMLDecodingError {
        YAMLDecodingError(kind, offset: mark.offset, line: mark.line + 1, column: mark.column + 1)
    }

    private func error(_ kind: YAMLDecodingError.Kind) -> YAMLDecodingError {
        error(kind, at: mark)
    }

    private func syntax(_ reason: String, at where: YAMLMark? = nil) -> YAMLDecodingError {
        error(.syntax(reason), at: `where` ?? mark)
    }

    // MARK: - Characters

    @inline(__always)
    private var current: UInt32 { input.character(at: mark.offset) }

    /// The character after the current one.
    @inline(__always)
    private var next: UInt32 { input.character(at: mark.offset + input.width(at: mark.offset)) }

    @inline(__always)
    private func isBreak(_ character: UInt32) -> Bool { input.isBreak(character) }

    @inline(__always)
    private func isBlank(_ character: UInt32) -> Bool { character == 0x20 || character == 0x09 }

    @inline(__always)
    private func isBreakOrEnd(_ character: UInt32) -> Bool { isBreak(character) || character == Self.endOfInput }

    @inline(__always)
    private func isBlankOrEnd(_ character: UInt32) -> Bool { isBlank(character) || isBreakOrEnd(character) }

    /// libyaml's anchor and tag-handle characters.
    private static func isWordCharacter(_ character: UInt32) -> Bool {
        switch character {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x5F, 0x2D: return true
        default: return false
        }
    }

    @inline(__always)
    private var atEnd: Bool { mark.offset >= input.end }

    /// Whether a document marker (`---` or `...` then a blank or break) starts here.
    @inline(__always)
    private var atDocumentIndicator: Bool {
        mark.column == 0 && input.isDocumentIndicator(at: mark.offset)
    }

    /// Consumes the current character, which is not a line break, checking that it is
    /// valid text.
    @inline(__always)
    private mutating func skip() throws(YAMLDecodingError) {
        let lead = input.base[mark.offset]
        if lead < 0x80 {
            if lead < 0x20 && lead != 0x09 && lead != 0x0A && lead != 0x0D {
                throw error(.invalidCharacter(UInt32(lead)))
            }
            mark.offset += 1
        } else if input.isLatin1 {
            mark.offset += 1
        } else {
            guard let (_, count) = input.decode(at: mark.offset) else {
                throw error(input.isTruncatedSequence(at: mark.offset) ? .truncated : .invalidUTF8)
            }
            mark.offset += count
        }
        mark.column += 1
    }

    /// Appends the current character (not a line break) to `text`, consuming it.
    @inline(__always)
    private mutating func read(into text: inout [UInt8]) throws(YAMLDecodingError) {
        let start = mark.offset
        // Printable ASCII, nearly every character of real documents: one byte appended
        // directly, rather than a one-byte buffer copied through `append(contentsOf:)`.
        let lead = input.base[start]
        if lead >= 0x20 && lead < 0x7F {
            text.append(lead)
            mark.offset += 1
            mark.column += 1
            return
        }
        try skip()
        if input.isLatin1, input.base[start] >= 0x80 {
            appendUTF8(UInt32(input.base[start]), to: &text)
        } else {
            text.append(contentsOf: UnsafeBufferPointer(start: input.base + start, count: mark.offset - start))
        }
    }

    /// Consumes the spaces from here on, which need no check: indentation, mostly.
    @inline(__always)
    private mutating func skipSpaces() {
        let start = mark.offset
        while mark.offset < input.end, input.base[mark.offset] == 0x20 { mark.offset += 1 }
        mark.column += mark.offset - start
    }

    /// Consumes a line break (CR LF counts as one).
    private mutating func skipLine() {
        if current == 0x0D, input.character(at: mark.offset + 1) == 0x0A {
            mark.offset += 2
        } else {
            mark.offset += input.width(at: mark.offset)
        }
        mark.line += 1
        mark.column = 0
    }

    /// Consumes a line break, returning it as YAML reads it: CR, LF, CR LF and NEL as LF;
    /// LS and PS as themselves.
    private mutating func readLineBreak() -> UInt32 {
        let lineBreak = current
        skipLine()
        return lineBreak == 0x2028 || lineBreak == 0x2029 ? lineBreak : 0x0A
    }

    /// Consumes a line break, appending it to `text` as YAML reads it.
    private mutating func readLine(into text: inout [UInt8]) {
        appendUTF8(readLineBreak(), to: &text)
    }

    // MARK: - Fetching tokens

    private mutating func fetchMoreTokens() throws(YAMLDecodingError) {
        while true {
            var needMore = head == tokens.count
            if !needMore {
                try staleSimpleKeys()
                needMore = possibleLevels.count > 0 && simpleKeys[possibleLevels[0]].tokenNumber == tokensParsed
            }
            if !needMore { return }
            try fetchNextToken()
        }
    }

    private mutating func fetchNextToken() throws(YAMLDecodingError) {
        try scanToNextToken()
        try staleSimpleKeys()
        unrollIndent(to: mark.column)

        let character = current
        if character == Self.endOfInput { return try fetchStreamEnd() }
        if mark.column == 0 && character == 0x25 { return try fetchDirective() }  // %
        if atDocumentIndicator {
            return try fetchDocumentIndicator(input.hasPrefix("---", at: mark.offset) ? .documentStart : .documentEnd)
        }
        switch character {
        case 0x5B: return try fetchFlowCollectionStart(.flowSequenceStart)  // [
        case 0x7B: return try fetchFlowCollectionStart(.flowMappingStart)  // {
        case 0x5D: return try fetchFlowCollectionEnd(.flowSequenceEnd)  // ]
        case 0x7D: return try fetchFlowCollectionEnd(.flowMappingEnd)  // }
        case 0x2C: return try fetchFlowEntry()  // ,
        case 0x2D where isBlankOrEnd(next): return try fetchBlockEntry()  // -
        case 0x3F where flowLevel > 0 || isBlankOrEnd(next): return try fetchKey()  // ?
        case 0x3A where flowLevel > 0 || isBlankOrEnd(next): return try fetchValue()  // :
        case 0x2A: return try fetchAnchor(alias: true)  // *
        case 0x26: return try fetchAnchor(alias: false)  // &
        case 0x21: return try fetchTag()  // !
        case 0x7C where flowLevel == 0: return try fetchBlockScalar(literal: true)  // |
        case 0x3E where flowLevel == 0: return try fetchBlockScalar(literal: false)  // >
        case 0x27: return try fetchFlowScalar(double: false)  // '
        case 0x22: return try fetchFlowScalar(double: true)  // "
        default: break
        }
        if input.canStartPlainScalar(at: mark.offset, inFlow: flowLevel > 0) { return try fetchPlainScalar() }
        if character == 0x09 { throw error(.tabIndentation) }
        throw syntax("a character that cannot start any token")
    }

    /// Skips blanks, comments and line breaks up to the next token. Spaces, tabs and line
    /// feeds are taken a byte at a time, without decoding a character for each.
    private mutating func scanToNextToken() throws(YAMLDecodingError) {
        let base = input.base
        while true {
            // libyaml lets a byte order mark start any line; to YAML.pm it is text.
            if mark.column == 0, input.hasUnicodeBreaks, !input.isLatin1, input.hasPrefix("\u{FEFF}", at: mark.offset) {
                mark.offset += 3
            }
            // Spaces, and tabs where they cannot be indentation: one column a byte.
            let tabsAreBlanks = flowLevel > 0 || !simpleKeyAllowed
            var offset = mark.offset
            while offset < input.end, base[offset] == 0x20 || (base[offset] == 0x09 && tabsAreBlanks) { offset += 1 }
            mark.column += offset - mark.offset
            mark.offset = offset
            if offset < input.end, base[offset] == 0x23 {  // a comment runs to the end of the line
                while !isBreakOrEnd(current) { try skip() }
            }
            if mark.offset < input.end, base[mark.offset] == 0x0A {
                mark.offset += 1
                mark.line += 1
                mark.column = 0
            } else {
                guard isBreak(current) else { return }
                skipLine()
            }
            if flowLevel == 0 { simpleKeyAllowed = true }
        }
    }

    // MARK: Simple keys and indentation

    /// A simple key must sit on one line: once the line ends it is no longer possible,
    /// and an error if it was required (a block mapping's key position).
    @inline(__always)
    private mutating func staleSimpleKeys() throws(YAMLDecodingError) {
        // Usually no candidate is stale: the first one possible is on this line, if any.
        guard possibleLevels.count > 0, simpleKeys[possibleLevels[0]].mark.line < mark.line else { return }
        try removeStaleSimpleKeys()
    }

    private mutating func removeStaleSimpleKeys() throws(YAMLDecodingError) {
        var stale = 0
        while stale < possibleLevels.count, simpleKeys[possibleLevels[stale]].mark.line < mark.line {
            let key = simpleKeys[possibleLevels[stale]]
            if key.required { throw syntax("could not find the ':' of a key", at: key.mark) }
            simpleKeys[possibleLevels[stale]].possible = false
            stale += 1
        }
        let remaining = possibleLevels.count - stale
        for index in 0..<remaining { possibleLevels[index] = possibleLevels[stale + index] }
        possibleLevels.removeLast(from: remaining)
    }

    private mutating func saveSimpleKey() throws(YAMLDecodingError) {
        guard simpleKeyAllowed else { return }
        try removeSimpleKey()
        simpleKeys[flowLevel] = SimpleKey(
            possible: true, required: flowLevel == 0 && indent == mark.column,
            tokenNumber: tokensParsed + tokens.count - head, mark: mark)
        possibleLevels.append(flowLevel)
    }

    /// Ends the innermost level's candidate (an error if the key was required there).
    private mutating func removeSimpleKey() throws(YAMLDecodingError) {
        let key = simpleKeys[flowLevel]
        guard key.possible else { return }
        if key.required { throw syntax("could not find the ':' of a key", at: key.mark) }
        simpleKeys[flowLevel].possible = false
        possibleLevels.removeLast(from: possibleLevels.count - 1)
    }

    private mutating func increaseFlowLevel() throws(YAMLDecodingError) {
        guard flowLevel < options.maximumDepth else { throw error(.depthLimitExceeded(limit: options.maximumDepth)) }
        simpleKeys.append(SimpleKey())
        flowLevel += 1
    }

    /// Leaves a flow level, whose candidate `removeSimpleKey` has ended.
    private mutating func decreaseFlowLevel() {
        guard flowLevel > 0 else { return }
        flowLevel -= 1
        simpleKeys.removeLast(from: simpleKeys.count - 1)
    }

    /// Opens a block collection at `column` if it is deeper than the current one: the
    /// start token goes at the end of the queue, or before token `number` (a simple key
    /// found late).
    private mutating func rollIndent(
        to column: Int, beforeToken number: Int?, _ kind: YAMLToken.Kind, at where: YAMLMark
    ) throws(YAMLDecodingError) {
        guard flowLevel == 0, indent < column else { return }
        guard indents.count < options.maximumDepth else {
            throw error(.depthLimitExceeded(limit: options.maximumDepth))
        }
        indents.append(indent)
        indent = column
        let token = YAMLToken(kind: kind, mark: `where`)
        if let number {
            tokens.insert(token, at: head + number - tokensParsed)
        } else {
            tokens.append(token)
        }
    }

    /// Closes the block collections deeper than `column`.
    private mutating func unrollIndent(to column: Int) {
        guard flowLevel == 0 else { return }
        while indent > column {
            tokens.append(YAMLToken(kind: .blockEnd, mark: mark))
            indent = indents.popLast()!
        }
    }

    // MARK: Indicators

    private mutating func fetchStreamEnd() throws(YAMLDecodingError) {
        guard !streamEndProduced else {
            tokens.append(YAMLToken(kind: .streamEnd, mark: mark))  // the parser stops at the first
            return
        }
        if mark.column != 0 {
            mark.column = 0
            mark.line += 1
        }
        unrollIndent(to: -1)
        try removeSimpleKey()
        simpleKeyAllowed = false
        tokens.append(YAMLToken(kind: .streamEnd, mark: mark))
        streamEndProduced = true
    }

    private mutating func fetchDirective() throws(YAMLDecodingError) {
        unrollIndent(to: -1)
        try removeSimpleKey()
        simpleKeyAllowed = false
        let start = mark
        try skip()
        var name: [UInt8] = []
        while Self.isWordCharacter(current) { try read(into: &name) }
        let directive = String(decoding: name, as: UTF8.self)
        guard directive == "YAML" else { throw error(.unsupportedDirective(directive), at: start) }
        while isBlank(current) { try skip() }
        var version: [UInt8] = []
        while !isBlankOrEnd(current) && version.count <= 16 { try read(into: &version) }
        let text = String(decoding: version, as: UTF8.self)
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0] == "1", !parts[1].isEmpty, parts[1].allSatisfy(\.isNumber) else {
            throw error(.unsupportedDirective("YAML \(text)"), at: start)
        }
        try skipToLineEnd(after: "a directive")
        tokens.append(YAMLToken(kind: .versionDirective, mark: start))
    }

    private mutating func fetchDocumentIndicator(_ kind: YAMLToken.Kind) throws(YAMLDecodingError) {
        unrollIndent(to: -1)
        try removeSimpleKey()
        simpleKeyAllowed = false
        let start = mark
        for _ in 0..<3 { try skip() }
        tokens.append(YAMLToken(kind: kind, mark: start))
    }

    private mutating func fetchFlowCollectionStart(_ kind: YAMLToken.Kind) throws(YAMLDecodingError) {
        try saveSimpleKey()
        try increaseFlowLevel()
        simpleKeyAllowed = true
        try fetchIndicator(kind)
    }

    private mutating func fetchFlowCollectionEnd(_ kind: YAMLToken.Kind) throws(YAMLDecodingError) {
        try removeSimpleKey()
        decreaseFlowLevel()
        simpleKeyAllowed = false
        try fetchIndicator(kind)
    }

    private mutating func fetchFlowEntry() throws(YAMLDecodingError) {
        try removeSimpleKey()
        simpleKeyAllowed = true
        try fetchIndicator(.flowEntry)
    }

    private mutating func fetchBlockEntry() throws(YAMLDecodingError) {
        if flowLevel == 0 {
            guard simpleKeyAllowed else { throw syntax("a block sequence entry is not allowed here") }
            try rollIndent(to: mark.column, beforeToken: nil, .blockSequenceStart, at: mark)
        }
        try removeSimpleKey()
        simpleKeyAllowed = true
        try fetchIndicator(.blockEntry)
    }

    private mutating func fetchKey() throws(YAMLDecodingError) {
        if flowLevel == 0 {
            guard simpleKeyAllowed else { throw syntax("a mapping key is not allowed here") }
            try rollIndent(to: mark.column, beforeToken: nil, .blockMappingStart, at: mark)
        }
        try removeSimpleKey()
        simpleKeyAllowed = flowLevel == 0
        try fetchIndicator(.key)
    }

    private mutating func fetchValue() throws(YAMLDecodingError) {
        let key = simpleKeys[flowLevel]
        if key.possible {
            tokens.insert(YAMLToken(kind: .key, mark: key.mark), at: head + key.tokenNumber - tokensParsed)
            try rollIndent(to: key.mark.column, beforeToken: key.tokenNumber, .blockMappingStart, at: key.mark)
            simpleKeys[flowLevel].possible = false
            possibleLevels.removeLast(from: possibleLevels.count - 1)
            simpleKeyAllowed = false
        } else {
            if flowLevel == 0 {
                guard simpleKeyAllowed else { throw syntax("a mapping value is not allowed here") }
                try rollIndent(to: mark.column, beforeToken: nil, .blockMappingStart, at: mark)
            }
            simpleKeyAllowed = flowLevel == 0
        }
        try fetchIndicator(.value)
    }

    private mutating func fetchIndicator(_ kind: YAMLToken.Kind) throws(YAMLDecodingError) {
        let start = mark
        try skip()
        tokens.append(YAMLToken(kind: kind, mark: start))
    }

    // MARK: Anchors, aliases and tags

    private mutating func fetchAnchor(alias: Bool) throws(YAMLDecodingError) {
        try saveSimpleKey()
        simpleKeyAllowed = false
        let start = mark
        try skip()
        var name: [UInt8] = []
        while Self.isWordCharacter(current) {
            try read(into: &name)
            try checkLength(name.count)
        }
        let following = current
        guard !name.isEmpty,
            isBlankOrEnd(following) || [0x3F, 0x3A, 0x2C, 0x5D, 0x7D, 0x25, 0x40, 0x60].contains(following)
        else {
            throw syntax("\(alias ? "an alias" : "an anchor") name must be letters, digits, '_' or '-'")
        }
        let text = String(decoding: name, as: UTF8.self)
        tokens.append(YAMLToken(kind: alias ? .alias : .anchor, mark: start))
        names.append(text)
    }

    private mutating func fetchTag() throws(YAMLDecodingError) {
        try saveSimpleKey()
        simpleKeyAllowed = false
        let start = mark
        let repeated = repeatedTag()
        let tag = repeated == nil ? try scanTag(from: start) : []
        let following = current
        let endsFlowEntry = following == 0x2C || following == 0x5D || following == 0x7D  // , ] }
        guard isBlankOrEnd(following) || (flowLevel > 0 && endsFlowEntry) else {
            throw syntax("a tag must be followed by a space or a line break")
        }
        let text: String
        if let repeated {
            text = repeated
        } else {
            try checkLength(tag.count)
            guard let valid = String(validating: tag, as: UTF8.self) else { throw error(.invalidUTF8, at: start) }
            text = valid
            if input.character(at: start.offset + 1) != 0x3C {  // not !<verbatim>
                lastTag = (Array(input.bytes(from: start.offset, to: mark.offset)), text)
            }
        }
        tokens.append(YAMLToken(kind: .tag, mark: start))
        names.append(text)
    }

    /// The last tag's text, if the input here repeats its source: the same bytes, then a
    /// character that cannot continue a tag, so that reading it would take the same steps
    /// to the same text. Documents repeat their tags (twitter.json has
    /// `!!perl/scalar:JSON::PP::Boolean` on each boolean), and reading one takes thousands
    /// of instructions. The source of a tag in `!handle!suffix` form is ASCII: one
    /// character a byte.
    private mutating func repeatedTag() -> String? {
        guard let lastTag, input.hasPrefix(lastTag.source, at: mark.offset) else { return nil }
        let end = mark.offset + lastTag.source.count
        let next = input.character(at: end)
        if next == 0x25 || Self.isWordCharacter(next) || Self.isTagURIPunctuation(next) { return nil }  // % word URI
        mark.offset = end
        mark.column += lastTag.source.count
        return lastTag.text
    }

    /// A tag's text, handle resolved, from its `!` at `start`.
    private mutating func scanTag(from start: YAMLMark) throws(YAMLDecodingError) -> [UInt8] {
        try skip()
        var tag: [UInt8]
        if current == 0x3C {  // !<verbatim>
            try skip()
            tag = try scanTagURI()
            guard current == 0x3E else { throw syntax("a verbatim tag must end with '>'") }
            try skip()
        } else {
            // `!suffix` (local), `!!suffix` (the YAML namespace), or `!name!suffix`.
            var handle: [UInt8] = [0x21]
            var word: [UInt8] = []
            while Self.isWordCharacter(current) { try read(into: &word) }
            if current == 0x21 {
                handle += word + [0x21]
                word = []
                try skip()
            }
            switch handle {
            case [0x21]: tag = [0x21]
            case [0x21, 0x21]: tag = Array("tag:yaml.org,2002:".utf8)
            default: throw error(.unsupportedTag(String(decoding: handle, as: UTF8.self)), at: start)
            }
            tag += word
            tag += try scanTagURI()
        }
        return tag
    }

    /// A tag's URI characters, `%XX` escapes decoded.
    private mutating func scanTagURI() throws(YAMLDecodingError) -> [UInt8] {
        var bytes: [UInt8] = []
        while true {
            let character = current
            if character == 0x25 {  // %XX
                let escape = mark
                try skip()
                var value: UInt8 = 0
                for _ in 0..<2 {
                    guard let digit = Self.hexDigit(current) else {
                        throw error(atEnd ? .truncated : .syntax("a tag's %-escape needs two hex digits"), at: escape)
                    }
                    value = value << 4 | UInt8(digit)
                    try skip()
                }
                bytes.append(value)
            } else if Self.isWordCharacter(character) || Self.isTagURIPunctuation(character) {
                try read(into: &bytes)
            } else {
                return bytes
            }
            try checkLength(bytes.count)
        }
    }

    private static func isTagURIPunctuation(_ character: UInt32) -> Bool {
        switch character {
        case 0x3B, 0x2F, 0x3F, 0x3A, 0x40, 0x26, 0x3D, 0x2B, 0x24, 0x2C, 0x2E, 0x21, 0x7E, 0x2A, 0x27, 0x28, 0x29:
            return true  // ; / ? : @ & = + $ , . ! ~ * ' ( )
        default:
            return false
        }
    }

    // MARK: Scalars

    private mutating func fetchBlockScalar(literal: Bool) throws(YAMLDecodingError) {
        try removeSimpleKey()
        simpleKeyAllowed = true
        let start = mark
        let text = try scanBlockScalar(literal: literal)
        appendScalar(.read(text), style: literal ? .literal : .folded, at: start)
    }

    private mutating func fetchFlowScalar(double: Bool) throws(YAMLDecodingError) {
        try saveSimpleKey()
        simpleKeyAllowed = false
        let start = mark
        let content = try scanFlowScalar(double: double)
        appendScalar(content, style: double ? .doubleQuoted : .singleQuoted, at: start)
    }

    private mutating func fetchPlainScalar() throws(YAMLDecodingError) {
        try saveSimpleKey()
        simpleKeyAllowed = false
        let start = mark
        let content = try scanPlainScalar()
        appendScalar(content, style: .plain, at: start)
    }

    private mutating func appendScalar(_ content: YAMLScalarText.Content, style: YAMLScalarText.Style, at start: YAMLMark) {
        switch content {
        case .input(let bytes):
            tokens.append(YAMLToken(kind: .scalar, mark: start, style: style, input: bytes))
        case .read(let bytes):
            tokens.append(YAMLToken(kind: .scalar, mark: start, style: style))
            scalars.append(bytes)
        }
    }

    /// `|` or `>`, its indicators, and the indented lines below.
    private mutating func scanBlockScalar(literal: Bool) throws(YAMLDecodingError) -> [UInt8] {
        try skip()
        var chomping = 0  // -1 strip, 0 clip, +1 keep
        var increment = 0
        for _ in 0..<2 {
            let character = current
            if (character == 0x2B || character == 0x2D) && chomping == 0 {
                chomping = character == 0x2B ? 1 : -1
                try skip()
            } else if (0x31...0x39).contains(character) && increment == 0 {
                increment = Int(character - 0x30)
                try skip()
            } else if character == 0x30 {
                throw syntax("a block scalar's indentation indicator cannot be 0")
            }
        }
        try skipToLineEnd(after: "a block scalar indicator")

        // The content's indentation: explicit, or that of the first non-empty line, at
        // least one past the parent's. Top-level content may sit at column 0, as YAML.pm
        // writes it.
        let minimum = indent + 1
        var text: [UInt8] = []
        var leadingBreak: [UInt8] = []
        var trailingBreaks: [UInt8] = []
        let blockIndent = try scanBlockScalarBreaks(
            indent: increment > 0 ? max(indent, 0) + increment : nil, minimum: minimum, breaks: &trailingBreaks)
        var leadingBlank = false
        while mark.column == blockIndent, !atEnd, !(mark.column == 0 && atDocumentIndicator) {
            let trailingBlank = isBlank(current)
            if !literal && leadingBreak.first == 0x0A && !leadingBlank && !trailingBlank {
                if trailingBreaks.isEmpty { text.append(0x20) }
            } else {
                text += leadingBreak
            }
            leadingBreak.removeAll(keepingCapacity: true)
            text += trailingBreaks
            trailingBreaks.removeAll(keepingCapacity: true)
            leadingBlank = isBlank(current)
            while !isBreakOrEnd(current) {
                try read(into: &text)
                try checkLength(text.count)
            }
            if atEnd { break }
            readLine(into: &leadingBreak)
            _ = try scanBlockScalarBreaks(indent: blockIndent, minimum: minimum, breaks: &trailingBreaks)
        }
        if chomping != -1 { text += leadingBreak }
        if chomping == 1 { text += trailingBreaks }
        try checkLength(text.count)
        return text
    }

    /// Empty lines and indentation before a block scalar's next line. Returns the
    /// block's indentation: `indent` if known, else that of the first non-empty line.
    private mutating func scanBlockScalarBreaks(indent: Int?, minimum: Int, breaks: inout [UInt8])
        throws(YAMLDecodingError) -> Int
    {
        var deepest = 0
        while true {
            while indent.map({ mark.column < $0 }) ?? true, current == 0x20 { try skip() }
            deepest = max(deepest, mark.column)
            if indent.map({ mark.column < $0 }) ?? true, current == 0x09 { throw error(.tabIndentation) }
            guard isBreak(current) else { break }
            readLine(into: &breaks)
            try checkLength(breaks.count)
        }
        return indent ?? max(deepest, minimum)
    }

    /// `'…'` or `"…"`, folding line breaks and, in double quotes, decoding escapes.
    private mutating func scanFlowScalar(double: Bool) throws(YAMLDecodingError) -> YAMLScalarText.Content {
        if let content = scanQuotedAsWritten(double: double) { return .input(content) }
        let start = mark
        try skip()
        var text: [UInt8] = []
        var trailingBreaks: [UInt8] = []
        var whitespaces: [UInt8] = []
        while true {
            if atDocumentIndicator { throw syntax("a document marker inside a quoted scalar", at: mark) }
            if atEnd { throw error(.truncated, at: start) }
            var leadingBlanks = false
            var leadingBreak: UInt32?
            // Non-blank characters.
            while !isBlankOrEnd(current) {
                let c = current
                if !double && c == 0x27 && input.character(at: mark.offset + 1) == 0x27 {
                    text.append(0x27)  // '' in single quotes
                    try skip()
                    try skip()
                } else if c == (double ? 0x22 : 0x27) {
                    break
                } else if double && c == 0x5C && isBreak(next) {
                    try skip()  // an escaped line break joins the lines
                    skipLine()
                    leadingBlanks = true
                    break
                } else if double && c == 0x5C {
                    try scanEscape(into: &text)
                } else {
                    try read(into: &text)
                    let run = mark.offset
                    skipQuotedRun(double: double, room: options.maximumStringLength - text.count)
                    text.append(contentsOf: input.bytes(from: run, to: mark.offset))
                }
                try checkLength(text.count)
            }
            if current == (double ? 0x22 : 0x27) { break }
            if atEnd { throw error(.truncated, at: start) }
            // Blanks and line breaks.
            while isBlank(current) || isBreak(current) {
                if isBlank(current) {
                    if leadingBlanks { try skip() } else { try read(into: &whitespaces) }
                } else if !leadingBlanks {
                    whitespaces.removeAll(keepingCapacity: true)
                    leadingBreak = readLineBreak()
                    leadingBlanks = true
                } else {
                    readLine(into: &trailingBreaks)
                    try checkLength(trailingBreaks.count)
                }
            }
            if leadingBlanks {
                Self.fold(leadingBreak: leadingBreak, trailingBreaks: &trailingBreaks, into: &text)
            } else {
                text += whitespaces
                whitespaces.removeAll(keepingCapacity: true)
            }
            try checkLength(text.count)
        }
        try skip()  // the closing quote
        return .read(text)
    }

    /// A quoted scalar that reads as written, consumed, quotes and all: its content is
    /// the input between the quotes, with nothing to copy. That is one on a single line,
    /// with no escape (`''` in single quotes, `\` in double), no tab or control character,
    /// valid UTF-8 within the string length limit, which is most of them (ids written as
    /// strings, keys that read as numbers). Any other returns `nil` having consumed
    /// nothing, and the general loop reads it, and reports its errors, character by
    /// character. Latin-1 input always takes that loop, which transcodes.
    private mutating func scanQuotedAsWritten(double: Bool) -> UnsafeBufferPointer<UInt8>? {
        guard !input.isLatin1 else { return nil }
        let quote: UInt8 = double ? 0x22 : 0x27
        let start = mark.offset + 1  // past the opening quote
        var offset = start
        var characters = 0
        while offset < input.end {
            let byte = input.base[offset]
            if byte == quote {
                let escaped = !double && offset + 1 < input.end && input.base[offset + 1] == 0x27
                guard !escaped, offset - start <= options.maximumStringLength else { return nil }
                mark.offset = offset + 1
                mark.column += characters + 2
                return input.bytes(from: start, to: offset)
            }
            if byte < 0x80 {
                guard byte >= 0x20, !(double && byte == 0x5C) else { return nil }
                offset += 1
            } else {
                guard let (scalar, width) = input.decode(at: offset), !isBreak(scalar) else { return nil }
                offset += width
            }
            characters += 1
        }
        return nil
    }

    /// How line breaks inside a flow or plain scalar read: the first (`leadingBreak`, as
    /// ``readLineBreak()`` returns it; `nil` after an escaped break, which reads as
    /// nothing) alone as a space, further empty lines as line feeds; LS and PS as
    /// themselves. The break is a value, not an array: plain scalars meet one at the end
    /// of nearly every line.
    private static func fold(leadingBreak: UInt32?, trailingBreaks: inout [UInt8], into text: inout [UInt8]) {
        if leadingBreak == 0x0A {
            if trailingBreaks.isEmpty { text.append(0x20) } else { text += trailingBreaks }
        } else {
            if let leadingBreak { appendUTF8(leadingBreak, to: &text) }
            text += trailingBreaks
        }
        trailingBreaks.removeAll(keepingCapacity: true)
    }

    private mutating func scanEscape(into text: inout [UInt8]) throws(YAMLDecodingError) {
        let start = mark
        try skip()  // the backslash
        let character = current
        if atEnd { throw error(.truncated, at: start) }
        let digits: Int
        switch character {
        case 0x30: text.append(0x00); digits = 0  // 0
        case 0x61: text.append(0x07); digits = 0  // a
        case 0x62: text.append(0x08); digits = 0  // b
        case 0x74, 0x09: text.append(0x09); digits = 0  // t, tab
        case 0x6E: text.append(0x0A); digits = 0  // n
        case 0x76: text.append(0x0B); digits = 0  // v
        case 0x66: text.append(0x0C); digits = 0  // f
        case 0x72: text.append(0x0D); digits = 0  // r
        case 0x65: text.append(0x1B); digits = 0  // e
        case 0x20, 0x22, 0x2F, 0x5C: text.append(UInt8(character)); digits = 0  // space " / backslash
        case 0x4E: appendUTF8(0x85, to: &text); digits = 0  // N
        case 0x5F: appendUTF8(0xA0, to: &text); digits = 0  // _
        case 0x4C: appendUTF8(0x2028, to: &text); digits = 0  // L
        case 0x50: appendUTF8(0x2029, to: &text); digits = 0  // P
        case 0x78: digits = 2  // x
        case 0x75: digits = 4  // u
        case 0x55: digits = 8  // U
        default:
            throw error(.invalidEscape(escapeText(from: start)), at: start)
        }
        try skip()
        guard digits > 0 else { return }
        var value: UInt32 = 0
        for _ in 0..<digits {
            if atEnd { throw error(.truncated, at: start) }
            guard let digit = Self.hexDigit(current) else {
                throw error(.invalidEscape(escapeText(from: start)), at: start)
            }
            value = value << 4 | digit
            try skip()
        }
        guard value <= 0x10FFFF, !(0xD800...0xDFFF).contains(value) else {
            throw error(.invalidEscape(escapeText(from: start)), at: start)
        }
        appendUTF8(value, to: &text)
    }

    /// The escape as written, up to the character that made it invalid.
    private func escapeText(from start: YAMLMark) -> String {
        let upTo = min(input.end, mark.offset + input.width(at: mark.offset), start.offset + 12)
        let bytes = UnsafeBufferPointer(start: input.base + start.offset, count: upTo - start.offset)
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexDigit(_ character: UInt32) -> UInt32? {
        switch character {
        case 0x30...0x39: return character - 0x30
        case 0x41...0x46: return character - 0x37
        case 0x61...0x66: return character - 0x57
        default: return nil
        }
    }

    /// An unquoted scalar, possibly over several lines (each indented past the parent).
    private mutating func scanPlainScalar() throws(YAMLDecodingError) -> YAMLScalarText.Content {
        if let bytes = scanPlainScalarOnOneLine() { return .input(bytes) }
        // The text is the input from `start` to `end` for as long as it reads as written.
        // Once a line break folds into it (in Latin-1, from the start: characters are
        // transcoded) it is built in `text` instead, `end` marking what is in it.
        let start = mark.offset
        var end = start
        var isCopied = input.isLatin1
        var text: [UInt8] = []
        var leadingBreak: UInt32 = 0x0A
        var trailingBreaks: [UInt8] = []
        var leadingBlanks = false
        let minimumIndent = indent + 1
        while true {
            if atDocumentIndicator || current == 0x23 { break }
            while !isBlankOrEnd(current) {
                let c = current
                if c == 0x3A && (isBlankOrEnd(next) || (flowLevel > 0 && Self.isFlowIndicator(next))) { break }
                if flowLevel > 0 && Self.isFlowIndicator(c) { break }
                if leadingBlanks {
                    if !isCopied {
                        text.append(contentsOf: input.bytes(from: start, to: end))
                        isCopied = true
                    }
                    Self.fold(leadingBreak: leadingBreak, trailingBreaks: &trailingBreaks, into: &text)
                    leadingBlanks = false
                    end = mark.offset  // the next line's indentation is not text
                }
                if isCopied {
                    text.append(contentsOf: input.bytes(from: end, to: mark.offset))  // blanks between words
                    try read(into: &text)
                    let run = mark.offset
                    skipPlainRun(room: options.maximumStringLength - text.count)
                    text.append(contentsOf: input.bytes(from: run, to: mark.offset))
                    try checkLength(text.count)
                } else {
                    try skip()
                    skipPlainRun(room: options.maximumStringLength - (mark.offset - start))
                    try checkLength(mark.offset - start)
                }
                end = mark.offset
            }
            guard isBlank(current) || isBreak(current) else { break }
            while isBlank(current) || isBreak(current) {
                if current == 0x20 {
                    skipSpaces()
                } else if isBlank(current) {
                    if leadingBlanks && mark.column < minimumIndent { throw error(.tabIndentation) }
                    try skip()
                } else if !leadingBlanks {
                    leadingBreak = readLineBreak()
                    leadingBlanks = true
                } else {
                    readLine(into: &trailingBreaks)
                    try checkLength(trailingBreaks.count)
                }
            }
            if flowLevel == 0 && mark.column < minimumIndent { break }
        }
        if leadingBlanks { simpleKeyAllowed = true }
        return isCopied ? .read(text) : .input(input.bytes(from: start, to: end))
    }

    /// A plain scalar in block context that ends on its line, which is nearly every one,
    /// consumed in one pass over its bytes, with the blanks, line break and indentation
    /// after it up to the next token: its content is the input from its first character
    /// to the end of its last word. It ends where ``scanPlainScalar()``'s loop would end
    /// it: at `: ` (or `:` then a line break or the end), at ` #`, at a line break
    /// followed by a line indented less than the scalar's parent requires or holding only
    /// a comment, at blanks indented that little, or at the end of the input. Anything
    /// else — a line that continues the scalar, an empty line, a tab, a carriage return,
    /// a control character, bytes that are not UTF-8, a Unicode line break, a scalar over
    /// the string length limit, Latin-1 input — returns `nil` having consumed nothing, and
    /// the general loop reads it and reports its errors.
    private mutating func scanPlainScalarOnOneLine() -> UnsafeBufferPointer<UInt8>? {
        guard !input.isLatin1, flowLevel == 0 else { return nil }
        let base = input.base
        let inputEnd = input.end
        let minimumIndent = indent + 1
        let start = mark.offset
        var offset = start
        var column = mark.column
        var end = start  // after the last word
        var lineBreak = false

        /// Whether the `:` at `offset` ends the scalar (a blank, a break or the end after
        /// it), `nil` if what follows is not ASCII (which may be a line break).
        func colonEnds(at offset: Int) -> Bool? {
            guard offset + 1 < inputEnd else { return true }
            let following = base[offset + 1]
            if following >= 0x80 { return nil }
            return following == 0x20 || following == 0x09 || following == 0x0A || following == 0x0D
        }

        words: while true {
            // A word: printable ASCII but `:` before a blank, and UTF-8 but line breaks.
            // A character is a column: the word's columns are its bytes less the
            // continuation bytes of its multi-byte characters.
            let wordStart = offset
            var continuationBytes = 0
            // Eight bytes at a time while all are ordinary (long keys, numbers), then
            // byte by byte to the end of the word.
            while inputEnd - offset >= 8, Self.isPlainWord(UnsafeRawPointer(base + offset).loadUnaligned(as: UInt64.self)) {
                offset += 8
            }
            while offset < inputEnd {
                let byte = base[offset]
                if byte &- 0x21 < 0x5E {  // ! through ~
                    if byte == 0x3A {
                        guard let ends = colonEnds(at: offset) else { return nil }
                        if ends { break }
                    }
                    offset += 1
                } else if byte >= 0x80 {
                    guard let (scalar, width) = input.decode(at: offset), !isBreak(scalar) else { return nil }
                    offset += width
                    continuationBytes += width - 1
                } else {
                    break
                }
            }
            column += offset - wordStart - continuationBytes
            end = offset
            if offset < inputEnd, base[offset] == 0x3A { break words }  // `: ` ends it
            guard offset < inputEnd else { break words }
            if base[offset] == 0x20 {
                while offset < inputEnd, base[offset] == 0x20 { offset += 1 }
                column += offset - end
                guard offset < inputEnd else { break words }
                let next = base[offset]
                if next == 0x09 || next == 0x0D { return nil }
                if next != 0x0A {
                    if column < minimumIndent {
                        if next >= 0x80 { return nil }  // perhaps a Unicode line break
                        break words
                    }
                    if next == 0x23 { break words }  // a comment
                    if next == 0x3A {
                        guard let ends = colonEnds(at: offset) else { return nil }
                        if ends { break words }
                    } else if next < 0x21 || next == 0x7F {
                        return nil
                    }
                    continue words
                }
            } else if base[offset] != 0x0A {
                return nil
            }
            // A line feed, then the next line's indentation: the scalar ends there unless
            // the line continues it, or is empty, or has a tab or a line break.
            lineBreak = true
            offset += 1
            let lineStart = offset
            while offset < inputEnd, base[offset] == 0x20 { offset += 1 }
            column = offset - lineStart
            if offset < inputEnd {
                let next = base[offset]
                guard next >= 0x20, next < 0x80, column < minimumIndent || next == 0x23 else { return nil }
            }
            break words
        }
        guard end - start <= options.maximumStringLength else { return nil }
        mark.offset = offset
        mark.column = column
        if lineBreak {
            mark.line += 1
            simpleKeyAllowed = true
        }
        return input.bytes(from: start, to: end)
    }

    /// Whether the eight bytes of `word` are all printable ASCII other than space and `:`,
    /// which a plain scalar's word takes without a decision, tested at once: the
    /// bit tricks for "some byte is below", "above" and "equal to" a value.
    @inline(__always)
    private static func isPlainWord(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highBits: UInt64 = 0x8080_8080_8080_8080
        let belowExclamation = (word &- ones &* 0x21) & ~word & highBits
        let aboveTilde = ((word &+ ones) | word) & highBits  // 0x7F and up
        let xorColons = word ^ (ones &* 0x3A)
        let colon = (xorColons &- ones) & ~xorColons & highBits
        return (belowExclamation | aboveTilde | colon) == 0
    }

    /// Consumes the characters from here on that continue a plain scalar with no
    /// decision to make, as one run instead of one character at a time: printable ASCII
    /// but blanks and `:` (which may end the scalar), and inside flow collections
    /// `,[]{}`; valid UTF-8 sequences but line breaks. Latin-1 input takes the character
    /// path, which transcodes. The run stops after `room` bytes (what the string length
    /// limit leaves), so that the limit error comes at the character it did before.
    @inline(__always)
    private mutating func skipPlainRun(room: Int) {
        let start = mark.offset
        let limit = start + max(room, 0)
        var offset = start
        var characters = 0
        while offset < input.end, offset < limit {
            let byte = input.base[offset]
            if byte < 0x80 {
                guard byte > 0x20, byte != 0x7F, byte != 0x3A, flowLevel == 0 || !Self.isFlowIndicator(UInt32(byte))
                else { break }
                offset += 1
            } else {
                guard !input.isLatin1, let (scalar, width) = input.decode(at: offset), !isBreak(scalar) else { break }
                offset += width
            }
            characters += 1
        }
        mark.offset = offset
        mark.column += characters
    }

    /// Consumes the characters from here on that a quoted scalar reads as written, as one
    /// run, like ``skipPlainRun(room:)``: printable ASCII but blanks, the closing quote and
    /// in double quotes `\`; valid UTF-8 sequences but line breaks. Latin-1 input takes
    /// the character path, which transcodes. The run stops after `room` bytes.
    @inline(__always)
    private mutating func skipQuotedRun(double: Bool, room: Int) {
        let quote: UInt8 = double ? 0x22 : 0x27
        let start = mark.offset
        let stop = min(input.end, start + max(room, 0))
        var offset = start
        var characters = 0
        while offset < stop {
            let byte = input.base[offset]
            if byte < 0x80 {
                guard byte > 0x20, byte != 0x7F, byte != quote, !(double && byte == 0x5C) else { break }
                offset += 1
            } else {
                guard !input.isLatin1, let (scalar, width) = input.decode(at: offset), !isBreak(scalar) else { break }
                offset += width
            }
            characters += 1
        }
        mark.offset = offset
        mark.column += characters
    }

    private static func isFlowIndicator(_ character: UInt32) -> Bool {
        character == 0x2C || character == 0x5B || character == 0x5D || character == 0x7B || character == 0x7D
    }

    /// After an indicator: blanks, an optional comment, then the end of the line.
    private mutating func skipToLineEnd(after what: String) throws(YAMLDecodingError) {
        while isBlank(current) { try skip() }
        if current == 0x23 {
            while !isBreakOrEnd(current) { try skip() }
        }
        guard isBreakOrEnd(current) else { throw syntax("unexpected text after \(what)") }
        if !atEnd { skipLine() }
    }

    @inline(__always)
    private func checkLength(_ count: Int) throws(YAMLDecodingError) {
        if count > options.maximumStringLength { throw error(.stringLimitExceeded(limit: options.maximumStringLength)) }
    }
}

/// The input's bytes, and how they read as characters.
///
/// Kept out of ``YAMLScanner`` so that its lookups run on two words and two flags: a
/// call to a non-mutating method of the scanner itself copies the whole scanner (about
/// 200 bytes) onto the stack first, which was an eighth of all decoding instructions.
struct YAMLInput {
    let base: UnsafePointer<UInt8>
    let end: Int
    let isLatin1: Bool
    /// Whether U+0085, U+2028 and U+2029 are line breaks (YAML::XS's reading).
    let hasUnicodeBreaks: Bool

    /// Marks the end of input where a character is expected.
    static let endOfInput: UInt32 = .max
    /// Stands for bytes that do not decode, in lookahead (consuming them throws).
    static let undecodable: UInt32 = .max - 1

    init(buffer: UnsafeBufferPointer<UInt8>, options: YAMLDecodingOptions) {
        base = buffer.baseAddress ?? UnsafePointer(bitPattern: 1)!
        end = buffer.count
        isLatin1 = options.encoding == .latin1
        hasUnicodeBreaks = options.dialect == .yamlXS
    }

    /// The character at `offset`, decoded but not validated (or ``endOfInput``).
    @inline(__always)
    func character(at offset: Int) -> UInt32 {
        guard offset < end else { return Self.endOfInput }
        let lead = base[offset]
        if lead < 0x80 || isLatin1 { return UInt32(lead) }
        return decode(at: offset)?.scalar ?? Self.undecodable
    }

    /// The width in bytes of the character at `offset`, from its lead byte.
    @inline(__always)
    func width(at offset: Int) -> Int {
        guard offset < end else { return 0 }
        let lead = base[offset]
        if lead < 0x80 || isLatin1 { return 1 }
        return lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2
    }

    /// The UTF-8 sequence at `offset`, if it is a valid one.
    func decode(at offset: Int) -> (scalar: UInt32, width: Int)? {
        let lead = UInt32(base[offset])
        let count: Int
        var scalar: UInt32
        switch lead {
        case 0xC2...0xDF: (count, scalar) = (2, lead & 0x1F)
        case 0xE0...0xEF: (count, scalar) = (3, lead & 0x0F)
        case 0xF0...0xF4: (count, scalar) = (4, lead & 0x07)
        default: return nil
        }
        guard end - offset >= count else { return nil }
        for index in 1..<count {
            let byte = UInt32(base[offset + index])
            guard byte & 0xC0 == 0x80 else { return nil }
            scalar = scalar << 6 | byte & 0x3F
        }
        // Overlong forms, surrogates, and values beyond U+10FFFF.
        switch count {
        case 3 where scalar < 0x800 || (0xD800...0xDFFF).contains(scalar): return nil
        case 4 where scalar < 0x10000 || scalar > 0x10FFFF: return nil
        default: return (scalar, count)
        }
    }

    /// The bytes from `start` up to `end`.
    @inline(__always)
    func bytes(from start: Int, to end: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: base + start, count: end - start)
    }

    /// Whether the bytes from `offset` to the end are a valid but incomplete UTF-8
    /// sequence.
    func isTruncatedSequence(at offset: Int) -> Bool {
        let lead = base[offset]
        let needed = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2
        guard (0xC2...0xF4).contains(lead), end - offset < needed else { return false }
        return (offset + 1..<end).allSatisfy { base[$0] & 0xC0 == 0x80 }
    }

    @inline(__always)
    func isBreak(_ character: UInt32) -> Bool {
        character == 0x0A || character == 0x0D
            || (hasUnicodeBreaks && (character == 0x85 || character == 0x2028 || character == 0x2029))
    }

    /// `memcmp`: `elementsEqual` on the two buffers stays generic, and even an indexed
    /// loop costs several times the instructions for the thirty-odd bytes of a repeated
    /// tag (``YAMLScanner``'s `repeatedTag()`).
    func hasPrefix(_ bytes: [UInt8], at offset: Int) -> Bool {
        guard end - offset >= bytes.count else { return false }
        return bytes.withUnsafeBufferPointer { bytes in
            bytes.isEmpty || memcmp(base + offset, bytes.baseAddress!, bytes.count) == 0
        }
    }

    func hasPrefix(_ text: StaticString, at offset: Int) -> Bool {
        let count = text.utf8CodeUnitCount
        guard end - offset >= count else { return false }
        return (0..<count).allSatisfy { base[offset + $0] == text.utf8Start[$0] }
    }

    /// Whether the character at `offset` can start a plain scalar, in flow context if
    /// `inFlow`. (A method of the input, not of the scanner: a call to a non-mutating
    /// method of the scanner copies the whole scanner first.)
    func canStartPlainScalar(at offset: Int, inFlow: Bool) -> Bool {
        let first = character(at: offset)
        switch first {
        case 0x2D, 0x3F, 0x3A:  // - ? :
            let next = character(at: offset + width(at: offset))
            let nextIsBlank = next == 0x20 || next == 0x09
            if first == 0x2D { return !nextIsBlank }
            return !inFlow && !(nextIsBlank || isBreak(next) || next == Self.endOfInput)
        case 0x2C, 0x5B, 0x5D, 0x7B, 0x7D, 0x23, 0x26, 0x2A, 0x21, 0x7C, 0x3E, 0x27, 0x22, 0x25, 0x40, 0x60:
            return false
        default:
            return !(first == 0x20 || first == 0x09 || isBreak(first) || first == Self.endOfInput)
        }
    }

    /// Whether a document marker (`---` or `...` then a blank or break) is at `offset`.
    func isDocumentIndicator(at offset: Int) -> Bool {
        guard hasPrefix("---", at: offset) || hasPrefix("...", at: offset) else { return false }
        let following = character(at: offset + 3)
        return following == 0x20 || following == 0x09 || isBreak(following) || following == Self.endOfInput
    }
}

@inline(__always)
func appendUTF8(_ scalar: UInt32, to bytes: inout [UInt8]) {
    switch scalar {
    case 0..<0x80:
        bytes.append(UInt8(scalar))
    case 0x80..<0x800:
        bytes.append(UInt8(0xC0 | scalar >> 6))
        bytes.append(UInt8(0x80 | scalar & 0x3F))
    case 0x800..<0x10000:
        bytes.append(UInt8(0xE0 | scalar >> 12))
        bytes.append(UInt8(0x80 | scalar >> 6 & 0x3F))
        bytes.append(UInt8(0x80 | scalar & 0x3F))
    default:
        bytes.append(UInt8(0xF0 | scalar >> 18))
        bytes.append(UInt8(0x80 | scalar >> 12 & 0x3F))
        bytes.append(UInt8(0x80 | scalar >> 6 & 0x3F))
        bytes.append(UInt8(0x80 | scalar & 0x3F))
    }
}
