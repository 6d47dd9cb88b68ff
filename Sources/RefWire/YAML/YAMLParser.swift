/// Reads the one document of a YAML stream, driving a ``YAMLComposer`` with its nodes.
///
/// The grammar and its states are libyaml's parser's; the states wait on an explicit
/// stack rather than on the call stack, so nesting costs heap and is bounded by
/// ``YAMLDecodingOptions/maximumDepth`` alone.
struct YAMLParser: ~Copyable {
    private var scanner: YAMLScanner
    private var composer: YAMLComposer
    private var states = ScratchStack<State>()

    /// Internal, not private: as the element type of a `ScratchStack` (declared in
    /// another file) a private type crashes Swift 6.3's compiler in debug builds.
    enum State {
        case blockSequenceEntry(first: Bool)
        case indentlessSequenceEntry
        case blockMappingKey(first: Bool)
        case blockMappingValue
        case flowSequenceEntry(first: Bool)
        case flowSequenceEntryMappingKey
        case flowSequenceEntryMappingValue
        case flowSequenceEntryMappingEnd
        case flowMappingKey(first: Bool)
        case flowMappingValue(empty: Bool)
    }

    init(buffer: UnsafeBufferPointer<UInt8>, options: YAMLDecodingOptions) {
        scanner = YAMLScanner(buffer: buffer, options: options)
        composer = YAMLComposer(options: options)
    }

    /// The stream's one document: `noDocument` if it has none, `multipleDocuments` if
    /// it has more.
    mutating func parseStream() throws(YAMLDecodingError) -> PerlValue {
        var document: PerlValue?
        while true {
            var token = try scanner.peek()
            while case .documentEnd = token.kind {
                scanner.advance()
                token = try scanner.peek()
            }
            if case .streamEnd = token.kind { break }
            if document != nil { throw scanner.error(.multipleDocuments, at: token.mark) }
            document = try parseDocument()
        }
        guard let document else { throw scanner.error(.noDocument, at: scanner.mark) }
        return document
    }

    private mutating func parseDocument() throws(YAMLDecodingError) -> PerlValue {
        var token = try scanner.peek()
        var explicit = false
        var directives = false
        while case .versionDirective = token.kind {
            directives = true
            scanner.advance()
            token = try scanner.peek()
        }
        if case .documentStart = token.kind {
            explicit = true
            scanner.advance()
            token = try scanner.peek()
        } else if directives {
            throw scanner.error(.syntax("a directive must be followed by ---"), at: token.mark)
        }
        if explicit && Self.endsDocument(token.kind) {
            try emptyScalar(at: token.mark)  // `---` alone: an empty (undef) document
        } else {
            try parseNode(block: true, indentlessSequence: false)
            while let state = states.popLast() { try step(state) }
        }
        token = try scanner.peek()
        guard Self.endsDocument(token.kind) else {
            throw scanner.error(.syntax("expected the end of the document"), at: token.mark)
        }
        return try composer.finish(at: token.mark)
    }

    private static func endsDocument(_ kind: YAMLToken.Kind) -> Bool {
        switch kind {
        case .documentStart, .documentEnd, .streamEnd, .versionDirective: return true
        default: return false
        }
    }

    // MARK: - Nodes

    /// A node's properties and content: a scalar or alias is done at once; a collection
    /// leaves the state that reads its entries.
    private mutating func parseNode(block: Bool, indentlessSequence: Bool) throws(YAMLDecodingError) {
        var token = try scanner.peek()
        if case .alias = token.kind {
            return try composer.alias(scanner.takeName(), at: token.mark)
        }
        var anchor: YAMLNodeProperty?
        var tag: YAMLNodeProperty?
        for _ in 0..<2 {
            switch token.kind {
            case .anchor where anchor == nil:
                anchor = YAMLNodeProperty(text: scanner.takeName(), mark: token.mark)
            case .tag where tag == nil:
                tag = YAMLNodeProperty(text: scanner.takeName(), mark: token.mark)
            default:
                continue
            }
            token = try scanner.peek()
        }
        switch token.kind {
        case .blockEntry where indentlessSequence:
            try composer.beginSequence(anchor: anchor, tag: tag, at: token.mark)
            states.append(.indentlessSequenceEntry)
        case .scalar:
            try composer.scalar(scanner.takeScalar(), anchor: anchor, tag: tag, at: token.mark)
        case .flowSequenceStart:
            try composer.beginSequence(anchor: anchor, tag: tag, at: token.mark)
            states.append(.flowSequenceEntry(first: true))
        case .flowMappingStart:
            try composer.beginMapping(anchor: anchor, tag: tag, at: token.mark)
            states.append(.flowMappingKey(first: true))
        case .blockSequenceStart where block:
            try composer.beginSequence(anchor: anchor, tag: tag, at: token.mark)
            states.append(.blockSequenceEntry(first: true))
        case .blockMappingStart where block:
            try composer.beginMapping(anchor: anchor, tag: tag, at: token.mark)
            states.append(.blockMappingKey(first: true))
        default:
            if anchor != nil || tag != nil {
                // Properties on an empty node.
                try composer.scalar(.empty, anchor: anchor, tag: tag, at: token.mark)
            } else if case .streamEnd = token.kind {
                throw scanner.error(.truncated, at: token.mark)
            } else {
                throw scanner.error(.syntax("expected a node"), at: token.mark)
            }
        }
    }

    private mutating func emptyScalar(at mark: YAMLMark) throws(YAMLDecodingError) {
        try composer.scalar(.empty, anchor: nil, tag: nil, at: mark)
    }

    /// Runs one state: consumes an entry's indicator and reads the entry, or ends the
    /// collection.
    private mutating func step(_ state: State) throws(YAMLDecodingError) {
        var token = try scanner.peek()
        switch state {
        case .blockSequenceEntry(let first):
            if first {
                scanner.advance()
                token = try scanner.peek()
            }
            switch token.kind {
            case .blockEntry:
                scanner.advance()
                token = try scanner.peek()
                states.append(.blockSequenceEntry(first: false))
                switch token.kind {
                case .blockEntry, .blockEnd: try emptyScalar(at: token.mark)
                default: try parseNode(block: true, indentlessSequence: false)
                }
            case .blockEnd:
                scanner.advance()
                try composer.end(at: token.mark)
            default:
                throw unexpected(token, expecting: "'-' or the end of the sequence")
            }

        case .indentlessSequenceEntry:
            guard case .blockEntry = token.kind else { return try composer.end(at: token.mark) }
            scanner.advance()
            token = try scanner.peek()
            states.append(.indentlessSequenceEntry)
            switch token.kind {
            case .blockEntry, .key, .value, .blockEnd: try emptyScalar(at: token.mark)
            default: try parseNode(block: true, indentlessSequence: false)
            }

        case .blockMappingKey(let first):
            if first {
                scanner.advance()
                token = try scanner.peek()
            }
            switch token.kind {
            case .key:
                scanner.advance()
                token = try scanner.peek()
                states.append(.blockMappingValue)
                switch token.kind {
                case .key, .value, .blockEnd: try emptyScalar(at: token.mark)
                default: try parseNode(block: true, indentlessSequence: true)
                }
            case .value:
                // A value with no key (`: x`): the key is empty.
                states.append(.blockMappingValue)
                try emptyScalar(at: token.mark)
            case .blockEnd:
                scanner.advance()
                try composer.end(at: token.mark)
            default:
                throw unexpected(token, expecting: "a key or the end of the mapping")
            }

        case .blockMappingValue:
            states.append(.blockMappingKey(first: false))
            guard case .value = token.kind else { return try emptyScalar(at: token.mark) }
            scanner.advance()
            token = try scanner.peek()
            switch token.kind {
            case .key, .value, .blockEnd: try emptyScalar(at: token.mark)
            default: try parseNode(block: true, indentlessSequence: true)
            }

        case .flowSequenceEntry(let first):
            if first {
                scanner.advance()
                token = try scanner.peek()
            }
            if case .flowSequenceEnd = token.kind {
                scanner.advance()
                return try composer.end(at: token.mark)
            }
            if !first {
                guard case .flowEntry = token.kind else { throw unexpected(token, expecting: "',' or ']'") }
                scanner.advance()
                token = try scanner.peek()
            }
            switch token.kind {
            case .flowSequenceEnd:
                scanner.advance()
                try composer.end(at: token.mark)
            case .key:
                // `[a: b]`: a mapping of one pair.
                scanner.advance()
                states.append(.flowSequenceEntryMappingKey)
                try composer.beginMapping(anchor: nil, tag: nil, at: token.mark)
            default:
                states.append(.flowSequenceEntry(first: false))
                try parseNode(block: false, indentlessSequence: false)
            }

        case .flowSequenceEntryMappingKey:
            states.append(.flowSequenceEntryMappingValue)
            switch token.kind {
            case .value, .flowEntry, .flowSequenceEnd: try emptyScalar(at: token.mark)
            default: try parseNode(block: false, indentlessSequence: false)
            }

        case .flowSequenceEntryMappingValue:
            states.append(.flowSequenceEntryMappingEnd)
            guard case .value = token.kind else { return try emptyScalar(at: token.mark) }
            scanner.advance()
            token = try scanner.peek()
            switch token.kind {
            case .flowEntry, .flowSequenceEnd: try emptyScalar(at: token.mark)
            default: try parseNode(block: false, indentlessSequence: false)
            }

        case .flowSequenceEntryMappingEnd:
            states.append(.flowSequenceEntry(first: false))
            try composer.end(at: token.mark)

        case .flowMappingKey(let first):
            if first {
                scanner.advance()
                token = try scanner.peek()
            }
            if case .flowMappingEnd = token.kind {
                scanner.advance()
                return try composer.end(at: token.mark)
            }
            if !first {
                guard case .flowEntry = token.kind else { throw unexpected(token, expecting: "',' or '}'") }
                scanner.advance()
                token = try scanner.peek()
            }
            switch token.kind {
            case .flowMappingEnd:
                scanner.advance()
                try composer.end(at: token.mark)
            case .key:
                scanner.advance()
                token = try scanner.peek()
                states.append(.flowMappingValue(empty: false))
                switch token.kind {
                case .value, .flowEntry, .flowMappingEnd: try emptyScalar(at: token.mark)
                default: try parseNode(block: false, indentlessSequence: false)
                }
            default:
                // `{a, b}`: keys without values.
                states.append(.flowMappingValue(empty: true))
                try parseNode(block: false, indentlessSequence: false)
            }

        case .flowMappingValue(let empty):
            states.append(.flowMappingKey(first: false))
            guard !empty, case .value = token.kind else { return try emptyScalar(at: token.mark) }
            scanner.advance()
            token = try scanner.peek()
            switch token.kind {
            case .flowEntry, .flowMappingEnd: try emptyScalar(at: token.mark)
            default: try parseNode(block: false, indentlessSequence: false)
            }
        }
    }

    private func unexpected(_ token: YAMLToken, expecting what: String) -> YAMLDecodingError {
        if case .streamEnd = token.kind { return scanner.error(.truncated, at: token.mark) }
        return scanner.error(.syntax("expected \(what)"), at: token.mark)
    }
}
