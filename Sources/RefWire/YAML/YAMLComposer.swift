/// Builds the ``PerlValue`` of one document from the parser's nodes, as YAML.pm and
/// YAML::XS load them.
///
/// - Collections: a mapping is a hash reference, a sequence an array reference; the
///   tags `!!perl/hash:Class` and `!!perl/array:Class` bless them, and `!!perl/ref`
///   (a mapping `{=: value}`) is a reference to a scalar.
/// - Scalars: see ``resolvePlain(_:)``; quoted and block scalars are strings;
///   `!!perl/scalar:Class` is a blessed reference to the scalar (its text, or the
///   number it writes as Perl does), `!!perl/regexp` a regexp (blessed into `Regexp`
///   unless the tag names a class).
/// - Anchors: an anchored collection or reference is `.anchored`, and aliases of it
///   `.alias`, so sharing and cycles stay shared; an anchored plain scalar is copied by
///   its aliases (Perl shares referents, not scalars), within
///   ``YAMLDecodingOptions/maximumAliasExpansion``. Anchors no alias uses are dropped:
///   to Perl they mean nothing.
struct YAMLComposer: ~Copyable {
    private let options: YAMLDecodingOptions
    private var stack: [Frame] = []
    /// The elements of the open sequences and the values of the open mappings, innermost
    /// last: a sequence becomes one exactly sized array when it ends, rather than growing
    /// one of its own (most sequences in canada.json have two elements, and growing cost
    /// two allocations and a copy each).
    private var values = ValueStack()
    /// The keys of the open mappings, innermost last, with their hashes and where they
    /// were written: a mapping's hash is made from its keys and values in one step when
    /// it ends (see `PerlHash.withDistinctHashes`).
    private var keys = MoveStack<PendingKey>()
    private var document: PerlValue?
    private var anchors: [String: Anchor] = [:]
    private var nextAnchor = 1
    private var aliasedAnchors: Set<PerlAnchor> = []
    private var referenceAnchors = 0
    private var nodeCount = 0
    private var expansion = 0
    private var keyCache = RepeatedKeyCache<String>()
    /// The last tag read and what it makes of a node: documents repeat their tags (every
    /// boolean twitter.json has is `!!perl/scalar:JSON::PP::Boolean`), and reading one
    /// takes thousands of instructions of `Substring` work.
    private var lastTag: (text: String, tag: NodeTag)?
    /// `!!perl/scalar:Class 0` and `1` as made for the last class they were read in:
    /// booleans as JSON::PP and its kin write them, a fifth of the lines of twitter.json.
    /// Each is shared rather than made anew: a value's indirect cases are immutable
    /// boxes, so a shared one reads exactly as a copy would, without its two allocations.
    private var booleans: (className: String, false: PerlValue, true: PerlValue)?

    private enum Anchor {
        case referent(PerlAnchor)
        case scalar(PerlValue)
    }

    /// A collection being read.
    private struct Frame {
        enum Kind {
            case sequence
            case mapping
            /// `!!perl/ref`: a mapping whose one key is `=`.
            case reference
        }

        var kind: Kind
        /// Where its elements (a sequence) or values (a mapping, in the order of its
        /// keys) start in ``YAMLComposer/values``.
        var valueStart = 0
        /// Where a mapping's keys start in ``YAMLComposer/keys``.
        var keyStart = 0
        /// In a mapping: whether a key was read whose value has not come yet.
        var awaitsValue = false
        /// In a reference: whether the `=` key was read, and the value.
        var sawReferenceKey = false
        var referent: PerlValue?
        var anchor: PerlAnchor?
        var className: String?
        var mark: YAMLMark

        /// Whether the next node is a key.
        var expectsKey: Bool {
            switch kind {
            case .sequence: false
            case .mapping: !awaitsValue
            case .reference: !sawReferenceKey
            }
        }
    }

    /// What a tag makes of a node.
    private enum NodeTag {
        case none
        case string
        case null
        case mapping(className: String?)
        case sequence(className: String?)
        case reference(className: String?)
        case scalarReference(className: String)
        case regexp(className: String?)
        case code(className: String?)
    }

    init(options: YAMLDecodingOptions) {
        self.options = options
    }

    // MARK: - Nodes

    mutating func beginSequence(
        anchor: YAMLNodeProperty?, tag: YAMLNodeProperty?, at mark: YAMLMark
    ) throws(YAMLDecodingError) {
        let className: String?
        switch try nodeTag(tag) {
        case .none: className = nil
        case .sequence(let name): className = name
        default: throw misplaced(tag, at: mark)
        }
        try begin(Frame(kind: .sequence, className: className, mark: mark), anchor: anchor)
    }

    mutating func beginMapping(
        anchor: YAMLNodeProperty?, tag: YAMLNodeProperty?, at mark: YAMLMark
    ) throws(YAMLDecodingError) {
        let frame: Frame
        switch try nodeTag(tag) {
        case .none: frame = Frame(kind: .mapping, mark: mark)
        case .mapping(let name): frame = Frame(kind: .mapping, className: name, mark: mark)
        case .reference(let name): frame = Frame(kind: .reference, className: name, mark: mark)
        default: throw misplaced(tag, at: mark)
        }
        try begin(frame, anchor: anchor)
    }

    private mutating func begin(_ frame: consuming Frame, anchor: YAMLNodeProperty?) throws(YAMLDecodingError) {
        try countNode(at: frame.mark)
        // The parent is looked at in place: `stack.last` would copy its frame.
        if let top = stack.indices.last, stack[top].expectsKey {
            throw error(stack[top].kind == .reference ? .invalidReference : .invalidKey, at: frame.mark)
        }
        guard stack.count < options.maximumDepth else {
            throw error(.depthLimitExceeded(limit: options.maximumDepth), at: frame.mark)
        }
        if let className = frame.className { try admit(className, at: frame.mark) }
        frame.valueStart = values.count
        frame.keyStart = keys.count
        if let anchor {
            // Registered now, so that aliases inside (cycles) find it.
            let id = PerlAnchor(nextAnchor)
            nextAnchor += 1
            referenceAnchors += 1
            anchors[anchor.text] = .referent(id)
            frame.anchor = id
        }
        stack.append(frame)
    }

    /// Ends the innermost collection.
    mutating func end(at mark: YAMLMark) throws(YAMLDecodingError) {
        let frame = stack.removeLast()
        var value: PerlValue
        switch frame.kind {
        case .sequence:
            value = .array(values.popArray(from: frame.valueStart))
        case .mapping:
            value = .hash(try makeHash(keyStart: frame.keyStart, valueStart: frame.valueStart))
        case .reference:
            guard let referent = frame.referent else { throw error(.invalidReference, at: frame.mark) }
            value = .scalarReference(referent)
        }
        if let className = frame.className { value = .blessed(class: className, value) }
        if let anchor = frame.anchor { value = .anchored(anchor, value) }
        try deliver(consume value, at: mark)
    }

    mutating func scalar(
        _ scalar: YAMLScalarText, anchor: YAMLNodeProperty?, tag: YAMLNodeProperty?, at mark: YAMLMark
    ) throws(YAMLDecodingError) {
        try scalar.withBytes { bytes throws(YAMLDecodingError) in
            try self.scalar(bytes, style: scalar.style, anchor: anchor, tag: tag, at: mark)
        }
    }

    private mutating func scalar(
        _ bytes: UnsafeBufferPointer<UInt8>, style: YAMLScalarText.Style, anchor: YAMLNodeProperty?,
        tag: YAMLNodeProperty?, at mark: YAMLMark
    ) throws(YAMLDecodingError) {
        try countNode(at: mark)
        let nodeTag = try nodeTag(tag)
        // The parent is looked at in place: a copy of its frame would share its hash, which
        // the key then inserted would have to copy whole.
        if let top = stack.indices.last, stack[top].expectsKey {
            if stack[top].kind == .reference {
                guard case .none = nodeTag, style == .plain, Self.bytes(bytes, are: "="), anchor == nil else {
                    throw error(.invalidReference, at: mark)
                }
                stack[top].sawReferenceKey = true
                return
            }
            if case .none = nodeTag, anchor == nil, let (key, hash) = textKey(bytes, style: style) {
                return try deliverKey(key, hash: hash, at: mark)
            }
        }
        var value: PerlValue
        var isReference = true
        switch nodeTag {
        case .none:
            value = style == .plain ? resolvePlain(bytes) : string(bytes)
            isReference = false
        case .string:
            value = string(bytes)
            isReference = false
        case .null:
            guard case .undef? = plainConstant(bytes, dialect: .yamlXS) else { throw misplaced(tag, at: mark) }
            value = .undef
            isReference = false
        case .scalarReference(let className):
            // The libraries load the text as it is (`~` too); a number written as Perl
            // prints it is that number (Perl cannot tell).
            try admit(className, at: mark)
            let number = style == .plain ? Self.canonicalNumber(bytes) : nil
            if case .integer(let flag)? = number, flag == 0 || flag == 1 {
                value = boolean(flag == 1, blessedInto: className)
            } else {
                value = .blessed(class: className, .scalarReference(number ?? string(bytes)))
            }
        case .regexp(let className):
            let name = className ?? "Regexp"
            try admit(name, at: mark)
            let (pattern, flags) = Self.regexpParts(String(decoding: bytes, as: UTF8.self))
            value = .blessed(class: name, .regexp(pattern: pattern, flags: flags))
        case .code(let className):
            guard options.codeReferences == .keepSource else { throw error(.codeReferenceRefused, at: mark) }
            value = .code(String(decoding: bytes, as: UTF8.self))
            if let className {
                try admit(className, at: mark)
                value = .blessed(class: className, value)
            }
        case .mapping, .sequence, .reference:
            throw misplaced(tag, at: mark)
        }
        if let anchor {
            if isReference {
                let id = PerlAnchor(nextAnchor)
                nextAnchor += 1
                referenceAnchors += 1
                anchors[anchor.text] = .referent(id)
                value = .anchored(id, value)
            } else {
                anchors[anchor.text] = .scalar(value)
            }
        }
        try deliver(value, at: mark)
    }

    /// A reference to 0 or 1 blessed into `className`, shared (see ``booleans``).
    private mutating func boolean(_ truth: Bool, blessedInto className: String) -> PerlValue {
        // Looked at in place: binding `booleans` would copy (retain) all three.
        if booleans?.className != className {
            booleans = (
                className: className,
                false: .blessed(class: className, .scalarReference(.integer(0))),
                true: .blessed(class: className, .scalarReference(.integer(1)))
            )
        }
        return truth ? booleans!.true : booleans!.false
    }

    mutating func alias(_ name: String, at mark: YAMLMark) throws(YAMLDecodingError) {
        try countNode(at: mark)
        switch anchors[name] {
        case nil:
            throw error(.undefinedAlias(name), at: mark)
        case .referent(let anchor)?:
            aliasedAnchors.insert(anchor)
            try deliver(.alias(anchor), at: mark)
        case .scalar(let value)?:
            expansion += Self.textSize(value)
            if expansion > options.maximumAliasExpansion {
                throw error(.aliasExpansionLimitExceeded(limit: options.maximumAliasExpansion), at: mark)
            }
            try deliver(value, at: mark)
        }
    }

    /// The document's value, once its node is complete.
    mutating func finish(at mark: YAMLMark) throws(YAMLDecodingError) -> PerlValue {
        guard stack.isEmpty, let document else { throw error(.truncated, at: mark) }
        if aliasedAnchors.count == referenceAnchors { return document }
        return Self.removingAnchors(notIn: aliasedAnchors, from: document)
    }

    // MARK: - Building

    /// Puts a finished node where it belongs: the document, an element, a key or a value.
    /// `consuming`: the value moves onto the stack, where a borrowed one was copied (a
    /// retain and a release of every string and collection).
    private mutating func deliver(_ value: consuming PerlValue, at mark: YAMLMark) throws(YAMLDecodingError) {
        guard !stack.isEmpty else {
            document = value
            return
        }
        let top = stack.count - 1
        switch stack[top].kind {
        case .sequence:
            guard values.count - stack[top].valueStart < options.maximumContainerCount else {
                throw error(.containerLimitExceeded(limit: options.maximumContainerCount), at: mark)
            }
            values.push(value)
        case .mapping:
            if stack[top].awaitsValue {
                values.push(value)
                stack[top].awaitsValue = false
                return
            }
            guard let key = key(from: value) else { throw error(.invalidKey, at: mark) }
            try deliverKey(key, hash: key.indexHash, at: mark)
        case .reference:
            guard stack[top].sawReferenceKey, stack[top].referent == nil else {
                throw error(.invalidReference, at: mark)
            }
            stack[top].referent = value
        }
    }

    /// Takes `key`, whose ``PerlHash/Key/indexHash`` is `hash`, as the next key of the
    /// innermost mapping; its value follows in ``values``.
    private mutating func deliverKey(_ key: PerlHash.Key, hash: Int, at mark: YAMLMark) throws(YAMLDecodingError) {
        let top = stack.count - 1
        guard keys.count - stack[top].keyStart < options.maximumContainerCount else {
            throw error(.containerLimitExceeded(limit: options.maximumContainerCount), at: mark)
        }
        keys.push(PendingKey(key: key, hash: hash, mark: mark))
        stack[top].awaitsValue = true
    }

    /// The hash of the innermost mapping, made from its keys and values, which it takes
    /// off their stacks. Keys are compared only now, all at once (a repeated hash, a
    /// duplicate key or a collision, takes the entry-by-entry path); a duplicate key is
    /// reported where it was written.
    private mutating func makeHash(keyStart: Int, valueStart: Int) throws(YAMLDecodingError) -> PerlHash {
        let count = keys.count - keyStart
        if let hash = PerlHash.withDistinctHashes(
            count: count,
            hash: { keys[keyStart + $0].hash },
            entry: { (keys.take(at: keyStart + $0).key, values.take(at: valueStart + $0)) })
        {
            keys.forget(from: keyStart)
            values.forget(from: valueStart)
            return hash
        }
        defer {
            keys.removeLast(from: keyStart)
            values.removeLast(from: valueStart)
        }
        var hash = PerlHash(minimumCapacity: count)
        for position in 0..<count {
            let pending = keys[keyStart + position]
            if hash.updateValue(values[valueStart + position], forKey: pending.key, hash: pending.hash) != nil {
                throw error(.duplicateKey(pending.key.description), at: pending.mark)
            }
        }
        return hash
    }

    /// (Internal, not private: the 6.3 compiler fails to link a private type held in a
    /// `MoveStack` of this noncopyable type.)
    struct PendingKey {
        var key: PerlHash.Key
        /// The key's ``PerlHash/Key/indexHash``.
        var hash: Int
        var mark: YAMLMark
    }

    /// The key an untagged key scalar makes, when that is its text as written, which it
    /// can be made from without making the scalar's value first: a quoted or block
    /// scalar's text, and a plain one's unless it reads as undef or a boolean (a number
    /// is its text: Perl prints it as written). An ASCII key is hashed where it lies and,
    /// met again, shared from the key cache. Latin-1 input takes the value's path.
    private mutating func textKey(
        _ bytes: UnsafeBufferPointer<UInt8>, style: YAMLScalarText.Style
    ) -> (key: PerlHash.Key, hash: Int)? {
        guard options.encoding == .utf8, style != .plain || plainConstant(bytes, dialect: options.dialect) == nil
        else { return nil }
        guard bytes.allSatisfy({ $0 < 0x80 }) else {
            let key = PerlHash.Key.string(String(decoding: bytes, as: UTF8.self))
            return (key, key.indexHash)
        }
        let raw = UnsafeRawBufferPointer(bytes)
        let hash = PerlHash.Key.indexHash(latin1: raw)
        if let text = keyCache.lookup(raw, hash: hash) { return (.string(text), hash) }
        let text = String(decoding: bytes, as: UTF8.self)
        keyCache.store(text, for: raw, hash: hash)
        return (.string(text), hash)
    }

    /// A plain scalar's value, as Perl loads it:
    ///
    /// - empty or `~`: undef; under YAML::XS's reading also `null`, and `true` and
    ///   `false` are booleans (under YAML.pm's, they are strings);
    /// - a number written as Perl writes that number (`42`, `-7`, `4.5`, `1e+21`,
    ///   `Inf`, `NaN`): `.integer`, `.unsigned` or `.double`. Other numerals (`007`,
    ///   `+1`, `1.50`, `0x1F`) are strings: that is the text Perl had, and a number
    ///   would print differently;
    /// - anything else: a string.
    private func resolvePlain(_ bytes: UnsafeBufferPointer<UInt8>) -> PerlValue {
        plainConstant(bytes, dialect: options.dialect) ?? Self.canonicalNumber(bytes) ?? string(bytes)
    }

    /// Undef or a boolean, if that is what the plain scalar `bytes` reads as in `dialect`
    /// (compared byte by byte: no array is made per scalar).
    private func plainConstant(_ bytes: UnsafeBufferPointer<UInt8>, dialect: YAMLDialect) -> PerlValue? {
        if bytes.isEmpty || Self.bytes(bytes, are: "~") { return .undef }
        if dialect == .yamlXS {
            if Self.bytes(bytes, are: "null") { return .undef }
            if Self.bytes(bytes, are: "true") { return .bool(true) }
            if Self.bytes(bytes, are: "false") { return .bool(false) }
        }
        return nil
    }

    /// Whether `bytes` are `text`'s UTF-8: lengths first, then bytes (not through
    /// `String.UTF8View`, whose iteration costs more than the comparison).
    static func bytes(_ bytes: UnsafeBufferPointer<UInt8>, are text: StaticString) -> Bool {
        bytes.count == text.utf8CodeUnitCount
            && bytes.elementsEqual(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// A scalar's text as a string value: characters, or in Latin-1 input bytes where
    /// every character fits in one.
    private func string(_ bytes: UnsafeBufferPointer<UInt8>) -> PerlValue {
        if options.encoding == .latin1, let latin1 = Self.latin1(bytes) { return .bytes(latin1) }
        return .string(String(decoding: bytes, as: UTF8.self))
    }

    /// A hash key from a scalar value: its text, as Perl stringifies it.
    private func key(from value: PerlValue) -> PerlHash.Key? {
        let text: String
        switch value {
        case .string(let string): return .string(string)
        case .bytes(let bytes): return .bytes(bytes)
        case .undef: text = ""
        case .bool(let truth): text = truth ? "1" : ""
        case .integer(let number): text = String(number)
        case .unsigned(let number): text = String(number)
        case .double(let number): text = number.perlText(lossless: false)
        default: return nil
        }
        return options.encoding == .latin1 ? .bytes(PerlBytes(text.utf8)) : .string(text)
    }

    /// UTF-8 `bytes` as Latin-1, if every character is at most U+00FF.
    private static func latin1(_ bytes: UnsafeBufferPointer<UInt8>) -> PerlBytes? {
        if bytes.allSatisfy({ $0 < 0x80 }) { return PerlBytes(bytes) }
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        for scalar in String(decoding: bytes, as: UTF8.self).unicodeScalars {
            guard scalar.value <= 0xFF else { return nil }
            result.append(UInt8(scalar.value))
        }
        return PerlBytes(result)
    }

    /// A regexp's parts from Perl's stringification, `(?^flags:pattern)` (or the older
    /// `(?flags-flags:pattern)`), as both libraries read it. Other text is a pattern
    /// with no flags.
    static func regexpParts(_ text: String) -> (pattern: String, flags: String) {
        let scalars = Array(text.unicodeScalars)
        guard scalars.count >= 4, scalars[0] == "(", scalars[1] == "?", scalars.last == ")" else { return (text, "") }
        var index = 2
        var flags = String.UnicodeScalarView()
        while index < scalars.count, scalars[index] == "^" || ("a"..."z").contains(scalars[index]) {
            if scalars[index] != "^" { flags.append(scalars[index]) }
            index += 1
        }
        if index < scalars.count, scalars[index] == "-" {
            index += 1
            while index < scalars.count, ("a"..."z").contains(scalars[index]) { index += 1 }
        }
        guard index < scalars.count - 1, scalars[index] == ":" else { return (text, "") }
        var pattern = String.UnicodeScalarView()
        pattern.append(contentsOf: scalars[(index + 1)..<(scalars.count - 1)])
        return (String(pattern), String(flags))
    }

    /// The size of the text an alias of `value` copies.
    private static func textSize(_ value: PerlValue) -> Int {
        switch value {
        case .string(let text): text.utf8.count
        case .bytes(let bytes): bytes.count
        default: 1
        }
    }

    private static func removingAnchors(notIn used: Set<PerlAnchor>, from value: PerlValue) -> PerlValue {
        switch value {
        case .anchored(let anchor, let inner):
            let contents = removingAnchors(notIn: used, from: inner)
            return used.contains(anchor) ? .anchored(anchor, contents) : contents
        case .blessed(let className, let inner):
            return .blessed(class: className, removingAnchors(notIn: used, from: inner))
        case .scalarReference(let inner):
            return .scalarReference(removingAnchors(notIn: used, from: inner))
        case .array(var elements):
            for index in elements.indices { elements[index] = removingAnchors(notIn: used, from: elements[index]) }
            return .array(elements)
        case .hash(var hash):
            hash.transformValues { removingAnchors(notIn: used, from: $0) }
            return .hash(hash)
        default:
            return value
        }
    }

    // MARK: - Tags and policies

    private static let yamlNamespace = "tag:yaml.org,2002:"

    private mutating func nodeTag(_ tag: YAMLNodeProperty?) throws(YAMLDecodingError) -> NodeTag {
        guard let tag else { return .none }
        if let lastTag, lastTag.text == tag.text { return lastTag.tag }
        let nodeTag = try resolve(tag)
        lastTag = (tag.text, nodeTag)
        return nodeTag
    }

    private func resolve(_ tag: YAMLNodeProperty) throws(YAMLDecodingError) -> NodeTag {
        guard tag.text.hasPrefix(Self.yamlNamespace) else { throw error(.unsupportedTag(tag.text), at: tag.mark) }
        let name = tag.text.dropFirst(Self.yamlNamespace.count)
        switch name {
        case "str": return .string
        case "null": return .null
        case "map", "perl/hash": return .mapping(className: nil)
        case "seq", "perl/array": return .sequence(className: nil)
        case "perl/ref": return .reference(className: nil)
        case "perl/regexp": return .regexp(className: nil)
        case "perl/code": return .code(className: nil)
        default: break
        }
        let parts = name.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        if parts.count == 2, !parts[1].isEmpty {
            let className = String(parts[1])
            switch parts[0] {
            case "perl/hash": return .mapping(className: className)
            case "perl/array": return .sequence(className: className)
            case "perl/ref": return .reference(className: className)
            case "perl/scalar": return .scalarReference(className: className)
            case "perl/regexp": return .regexp(className: className)
            case "perl/code": return .code(className: className)
            default: break
            }
        }
        throw error(.unsupportedTag(Self.shortTag(tag.text)), at: tag.mark)
    }

    /// The error for a known tag on the wrong kind of node (`!!perl/hash` on a scalar,
    /// say); only a tagged node can get here, so `mark` is a fallback the parser never uses.
    private func misplaced(_ tag: YAMLNodeProperty?, at mark: YAMLMark) -> YAMLDecodingError {
        error(.unsupportedTag(Self.shortTag(tag?.text ?? "")), at: tag?.mark ?? mark)
    }

    /// A tag as written with the `!!` handle.
    private static func shortTag(_ tag: String) -> String {
        tag.hasPrefix(yamlNamespace) ? "!!" + tag.dropFirst(yamlNamespace.count) : tag
    }

    private func admit(_ className: String, at mark: YAMLMark) throws(YAMLDecodingError) {
        switch options.blessedValues {
        case .allowAll: return
        case .refuseAll: break
        case .allow(let classes): if classes.contains(className) { return }
        }
        throw error(.blessedValueRefused(className: className), at: mark)
    }

    private mutating func countNode(at mark: YAMLMark) throws(YAMLDecodingError) {
        nodeCount += 1
        if nodeCount > options.maximumTotalCount {
            throw error(.totalLimitExceeded(limit: options.maximumTotalCount), at: mark)
        }
    }

    private func error(_ kind: YAMLDecodingError.Kind, at mark: YAMLMark) -> YAMLDecodingError {
        YAMLDecodingError(kind, offset: mark.offset, line: mark.line + 1, column: mark.column + 1)
    }
}

// MARK: - Numbers

extension YAMLComposer {
    /// The number a plain scalar is, if it is written as Perl writes that number; read
    /// from the bytes, with no `String` made.
    static func canonicalNumber(_ bytes: UnsafeBufferPointer<UInt8>) -> PerlValue? {
        guard let first = bytes.first, bytes.count <= 32,
            first == 0x2D || isDigit(first) || first == 0x49 || first == 0x4E  // - digit I N
        else { return nil }
        let negative = first == 0x2D
        let digits = UnsafeBufferPointer(rebasing: bytes[(negative ? 1 : 0)...])
        if !digits.isEmpty, digits.allSatisfy(isDigit) { return integer(digits, negative: negative) }
        return perlDouble(bytes).map(PerlValue.double)
    }

    /// An integer numeral's value: Perl reads it as an integer. A numeral too wide for
    /// one Perl reads as a double, which prints otherwise; `-0` and leading zeros print
    /// otherwise too. Those are `nil`.
    private static func integer(_ digits: UnsafeBufferPointer<UInt8>, negative: Bool) -> PerlValue? {
        guard digits[0] != 0x30 || (digits.count == 1 && !negative) else { return nil }
        var magnitude: UInt64 = 0
        for digit in digits {
            let (tenfold, overflow) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, carry) = tenfold.addingReportingOverflow(UInt64(digit &- 0x30))
            if overflow || carry { return nil }
            magnitude = sum
        }
        if negative {
            return magnitude <= UInt64(Int64.max) + 1 ? .integer(Int64(bitPattern: 0 &- magnitude)) : nil
        }
        return magnitude <= UInt64(Int64.max) ? .integer(Int64(magnitude)) : .unsigned(magnitude)
    }

    /// The double whose Perl text (``Swift/Double/perlText(lossless:)``: `%.15g`, `Inf`,
    /// `-Inf`, `NaN`) is exactly `text`, if there is one.
    ///
    /// A decimal of at most 15 significant digits reads as a double that `%.15g` prints
    /// as that decimal again (15 is `DBL_DIG`), anywhere in the normal range. So there,
    /// `text` is a double's Perl text exactly when it has `%.15g`'s form: at most 15
    /// significant digits; no leading zeros; a fraction only if its last digit is not 0;
    /// and the exponent form (`1.5e+20`, `1e-05`: one digit before the point, at least
    /// two in the exponent) exactly when the decimal exponent is below -4 or above 14.
    /// The form is checked on the bytes and the value read from its digits, correctly
    /// rounded. Infinities, NaN and exponents beyond ±300 (near the range's ends) are
    /// left to the C library: `strtod`, then printing it back.
    private static func perlDouble(_ text: UnsafeBufferPointer<UInt8>) -> Double? {
        let count = text.count
        let negative = text[0] == 0x2D
        var index = negative ? 1 : 0
        guard index < count, isDigit(text[index]) else {
            let special = bytes(text, are: "Inf") || bytes(text, are: "-Inf") || bytes(text, are: "NaN")
            return special ? roundTrip(text) : nil
        }
        // The digits before and after the point, gathered into one significand (it is
        // used only when they are at most 15, plus leading zeros).
        var significand: UInt64 = 0
        let integerStart = index
        index = accumulateDigits(text, from: index, into: &significand)
        let integerDigits = index - integerStart
        let integerIsZero = text[integerStart] == 0x30
        guard integerDigits == 1 || !integerIsZero else { return nil }
        var fractionDigits = 0
        var leadingZeros = 0  // of the fraction, when the integer part is 0
        if index < count, text[index] == 0x2E {  // .
            index += 1
            let fractionStart = index
            if integerIsZero {
                while index < count, text[index] == 0x30 { index += 1 }  // adding nothing to the significand
                leadingZeros = index - fractionStart
            }
            index = accumulateDigits(text, from: index, into: &significand)
            fractionDigits = index - fractionStart
            guard fractionDigits > 0, text[index - 1] != 0x30 else { return nil }
        }

        // The power of ten the significand is scaled by.
        let scale: Int
        if index < count {
            // The exponent form: `e`, a sign, and two digits, or more without a leading zero.
            guard text[index] == 0x65, count - index >= 4, text[index + 1] == 0x2B || text[index + 1] == 0x2D,
                integerDigits == 1, !integerIsZero
            else { return nil }
            let digits = UnsafeBufferPointer(rebasing: text[(index + 2)...])
            guard digits.allSatisfy(isDigit), digits.count == 2 || digits[0] != 0x30 else { return nil }
            guard digits.count <= 3 else { return roundTrip(text) }
            let magnitude = digits.reduce(0) { $0 * 10 + Int($1 &- 0x30) }
            let exponent = text[index + 1] == 0x2D ? -magnitude : magnitude
            guard exponent < -4 || exponent > 14, 1 + fractionDigits <= 15 else { return nil }
            if magnitude > 300 { return roundTrip(text) }
            scale = exponent - fractionDigits
        } else {
            // Fixed notation (without a point it would have been an integer).
            guard fractionDigits > 0 else { return nil }
            let exponent = integerIsZero ? -(leadingZeros + 1) : integerDigits - 1
            let significantDigits = integerIsZero ? fractionDigits - leadingZeros : integerDigits + fractionDigits
            guard exponent >= -4, significantDigits <= 15 else { return nil }
            scale = -fractionDigits
        }
        return JSONDoubleParser.double(significand: significand, exponent: scale, negative: negative)
    }

    /// Appends the digits of `text` from `start` on to `significand` (wrapping: the
    /// caller uses it only for 15 digits or fewer), returning where they end.
    @inline(__always)
    private static func accumulateDigits(
        _ text: UnsafeBufferPointer<UInt8>, from start: Int, into significand: inout UInt64
    ) -> Int {
        var index = start
        while index < text.count {
            let digit = text[index] &- 0x30
            guard digit < 10 else { break }
            significand = significand &* 10 &+ UInt64(digit)
            index += 1
        }
        return index
    }

    /// The double `strtod` reads from `text`, if `%.15g` prints it as `text` again: the
    /// definition ``perlDouble(_:)`` follows, for the texts it does not decide itself.
    private static func roundTrip(_ text: UnsafeBufferPointer<UInt8>) -> Double? {
        let string = String(decoding: text, as: UTF8.self)
        guard let number = Double(string), number.perlText(lossless: false) == string else { return nil }
        return number
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte &- 0x30 < 10 }
}
