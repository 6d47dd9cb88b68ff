/// Why a YAML document could not be decoded, and where.
public struct YAMLDecodingError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Kind: Hashable, Sendable {
        /// The input ends inside a construct: a quoted scalar, an escape, a flow
        /// collection, a multi-byte character, or before a node that must follow.
        case truncated
        /// Bytes that are not UTF-8 (overlong forms and surrogates included).
        case invalidUTF8
        /// A control character YAML text may not hold raw (U+0000–U+001F but tab, line
        /// feed and carriage return); double quotes can carry it escaped.
        case invalidCharacter(UInt32)
        /// A backslash escape that YAML does not define, or a `\x`, `\u` or `\U` escape
        /// naming no character.
        case invalidEscape(String)
        /// A tab where indentation is expected. Both libraries refuse it.
        case tabIndentation
        /// Text that is not YAML, or YAML outside the subset read (see `Spec/yaml.md`);
        /// `reason` says which.
        case syntax(String)
        /// A directive other than `%YAML 1.x`.
        case unsupportedDirective(String)
        /// No document at all.
        case noDocument
        /// More than one document: a payload carries one value.
        case multipleDocuments
        /// An alias whose anchor is not defined before it.
        case undefinedAlias(String)
        /// A mapping that holds a key twice (YAML.pm keeps the first value, YAML::XS the
        /// last).
        case duplicateKey(String)
        /// A collection or reference as a mapping key: Perl hash keys are strings.
        case invalidKey
        /// A tag this decoder does not accept on this node: `!!perl/glob`, local tags,
        /// YAML types other than `!!str`, `!!map`, `!!seq` and `!!null`, or a Perl tag on
        /// the wrong kind of node.
        case unsupportedTag(String)
        /// A `!!perl/ref` mapping that is not exactly `{=: value}`.
        case invalidReference
        /// Nesting deeper than ``YAMLDecodingOptions/maximumDepth``.
        case depthLimitExceeded(limit: Int)
        /// Input longer than ``YAMLDecodingOptions/maximumInputLength``.
        case inputLimitExceeded(length: Int, limit: Int)
        /// A scalar, anchor, tag or class name longer than
        /// ``YAMLDecodingOptions/maximumStringLength``.
        case stringLimitExceeded(limit: Int)
        /// A collection with more entries than ``YAMLDecodingOptions/maximumContainerCount``.
        case containerLimitExceeded(limit: Int)
        /// More nodes than ``YAMLDecodingOptions/maximumTotalCount``.
        case totalLimitExceeded(limit: Int)
        /// Aliases copying more scalar text than ``YAMLDecodingOptions/maximumAliasExpansion``.
        case aliasExpansionLimitExceeded(limit: Int)
        /// A value blessed into a class the options refuse.
        case blessedValueRefused(className: String)
        /// A `!!perl/code` node, refused by ``YAMLDecodingOptions/codeReferences``.
        case codeReferenceRefused
    }

    public var kind: Kind
    /// Byte offset in the input where the problem was found.
    public var offset: Int
    /// Line (from 1) of ``offset``.
    public var line: Int
    /// Column (from 1, in characters) of ``offset``.
    public var column: Int

    public init(_ kind: Kind, offset: Int, line: Int, column: Int) {
        self.kind = kind
        self.offset = offset
        self.line = line
        self.column = column
    }

    public var description: String {
        let what: String
        switch kind {
        case .truncated: what = "the input ends inside a construct"
        case .invalidUTF8: what = "the input is not UTF-8"
        case .invalidCharacter(let scalar): what = "control character U+\(hex4(scalar)) cannot appear unescaped"
        case .invalidEscape(let escape): what = "invalid escape \(escape)"
        case .tabIndentation: what = "a tab in indentation"
        case .syntax(let reason): what = reason
        case .unsupportedDirective(let name): what = "directive %\(name) is not supported"
        case .noDocument: what = "no document"
        case .multipleDocuments: what = "more than one document"
        case .undefinedAlias(let name): what = "alias *\(name) has no anchor before it"
        case .duplicateKey(let key): what = "duplicate key \(key)"
        case .invalidKey: what = "a collection or reference cannot be a hash key"
        case .unsupportedTag(let tag): what = "tag \(tag) is not supported here"
        case .invalidReference: what = "a !!perl/ref mapping must be exactly {=: value}"
        case .depthLimitExceeded(let limit): what = "nesting deeper than \(limit)"
        case .inputLimitExceeded(let length, let limit): what = "input of \(length) bytes exceeds the limit of \(limit)"
        case .stringLimitExceeded(let limit): what = "a string longer than \(limit) bytes"
        case .containerLimitExceeded(let limit): what = "a collection of more than \(limit) entries"
        case .totalLimitExceeded(let limit): what = "more than \(limit) nodes"
        case .aliasExpansionLimitExceeded(let limit): what = "aliases copy more than \(limit) bytes of scalars"
        case .blessedValueRefused(let className): what = "an object of class \(className) is refused"
        case .codeReferenceRefused: what = "a code reference is refused"
        }
        return "YAML: \(what) (line \(line), column \(column), byte \(offset))"
    }
}

extension YAMLDecodingError.Kind {
    /// The kind's language-neutral name (`truncated`, `invalid_utf8`, …): what the error
    /// vectors in `Spec/vectors/yaml/` expect.
    public var identifier: String {
        switch self {
        case .truncated: "truncated"
        case .invalidUTF8: "invalid_utf8"
        case .invalidCharacter: "invalid_character"
        case .invalidEscape: "invalid_escape"
        case .tabIndentation: "tab_indentation"
        case .syntax: "syntax"
        case .unsupportedDirective: "unsupported_directive"
        case .noDocument: "no_document"
        case .multipleDocuments: "multiple_documents"
        case .undefinedAlias: "undefined_alias"
        case .duplicateKey: "duplicate_key"
        case .invalidKey: "invalid_key"
        case .unsupportedTag: "unsupported_tag"
        case .invalidReference: "invalid_reference"
        case .depthLimitExceeded: "depth_limit_exceeded"
        case .inputLimitExceeded: "input_limit_exceeded"
        case .stringLimitExceeded: "string_limit_exceeded"
        case .containerLimitExceeded: "container_limit_exceeded"
        case .totalLimitExceeded: "total_limit_exceeded"
        case .aliasExpansionLimitExceeded: "alias_expansion_limit_exceeded"
        case .blessedValueRefused: "blessed_value_refused"
        case .codeReferenceRefused: "code_reference_refused"
        }
    }
}

/// Why a value could not be encoded as YAML.
public struct YAMLEncodingError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Kind: Hashable, Sendable {
        /// An alias whose anchor is not written before it.
        case undefinedAnchor(PerlAnchor)
        /// An anchor defined twice.
        case duplicateAnchor(PerlAnchor)
        /// A value the dialect cannot carry so that its reader loads it back: code, a
        /// hooked object, a blessed reference to undef, a class name outside a tag's
        /// characters, text that only one library reads; `reason` says which.
        case unrepresentable(String)
        /// Nesting deeper than ``YAMLEncodingOptions/maximumDepth``.
        case depthLimitExceeded(limit: Int)
    }

    public var kind: Kind

    public init(_ kind: Kind) { self.kind = kind }

    public var description: String {
        switch kind {
        case .undefinedAnchor(let anchor): return "YAML: alias \(anchor) has no earlier definition"
        case .duplicateAnchor(let anchor): return "YAML: anchor \(anchor) is defined twice"
        case .unrepresentable(let reason): return "YAML: cannot encode \(reason)"
        case .depthLimitExceeded(let limit): return "YAML: nesting deeper than \(limit)"
        }
    }
}

private func hex4(_ value: UInt32) -> String {
    let digits = String(value, radix: 16, uppercase: true)
    return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
}
