/// Why a JSON document could not be decoded, and where.
public struct JSONDecodingError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Kind: Hashable, Sendable {
        /// The input ends before the document does (an empty input included).
        case truncated
        /// A byte that cannot appear here; `expected` says what could.
        case unexpectedByte(UInt8, expected: Expectation)
        /// Bytes other than whitespace follow the document.
        case trailingBytes(count: Int)
        /// A number that breaks RFC 8259's grammar: a leading zero (`01`), a sign or
        /// point without digits (`-`, `1.`, `.5`), an exponent without digits (`1e`).
        case invalidNumber
        /// A number no ``PerlValue`` number holds (see
        /// ``JSONDecodingOptions/OutOfRangeNumberPolicy``).
        case numberOutOfRange
        /// A backslash not followed by one of `" \ / b f n r t` or by `u` and four hex
        /// digits.
        case invalidEscape
        /// A `\u` escape of a UTF-16 surrogate that is not half of a high-low pair.
        case loneSurrogate
        /// A byte below 0x20 inside a string: RFC 8259 requires it escaped.
        case unescapedControlCharacter(UInt8)
        /// Bytes inside a string that are not UTF-8: invalid or truncated sequences,
        /// overlong forms, encoded surrogates, code points above U+10FFFF.
        case invalidUTF8
        /// An object names a key twice, under ``JSONDecodingOptions/DuplicateKeyPolicy/reject``.
        case duplicateKey(String)
        /// Nesting deeper than ``JSONDecodingOptions/maximumDepth``.
        case depthLimitExceeded(limit: Int)
        /// An input longer than ``JSONDecodingOptions/maximumInputLength``.
        case inputLimitExceeded(length: Int, limit: Int)
        /// A string or key longer than ``JSONDecodingOptions/maximumStringLength``.
        case stringLimitExceeded(limit: Int)
        /// An array or object with more entries than
        /// ``JSONDecodingOptions/maximumContainerCount``.
        case containerLimitExceeded(limit: Int)
        /// More values than ``JSONDecodingOptions/maximumTotalCount``.
        case totalLimitExceeded(limit: Int)
    }

    /// What the parser was ready to read when it met an unexpected byte.
    public enum Expectation: Hashable, Sendable {
        /// A value: `{`, `[`, `"`, a number, `true`, `false` or `null`.
        case value
        /// The rest of the literal `true`, `false` or `null`.
        case literal
        /// An object key: a string.
        case key
        /// The `:` after a key.
        case colon
        /// `,` or `]` after an array element.
        case commaOrEndOfArray
        /// `,` or `}` after an object member.
        case commaOrEndOfObject
    }

    public var kind: Kind
    /// Byte offset in the input where the problem was found: the offending byte, the
    /// first byte of a number, escape or key that is wrong as a whole, or the input's
    /// length for ``Kind/truncated``.
    public var offset: Int

    public init(_ kind: Kind, at offset: Int) {
        self.kind = kind
        self.offset = offset
    }

    public var description: String {
        let what: String
        switch kind {
        case .truncated: what = "the input ends inside the document"
        case .unexpectedByte(let byte, let expected):
            what = "unexpected \(Self.describe(byte)) where \(expected.description) must follow"
        case .trailingBytes(let count): what = "\(count) bytes follow the document"
        case .invalidNumber: what = "malformed number"
        case .numberOutOfRange: what = "a number out of range of 64-bit integers and doubles"
        case .invalidEscape: what = "invalid escape in a string"
        case .loneSurrogate: what = "a \\u escape of a UTF-16 surrogate that is not part of a pair"
        case .unescapedControlCharacter(let byte): what = "unescaped control character \(Self.describe(byte)) in a string"
        case .invalidUTF8: what = "a string is not valid UTF-8"
        case .duplicateKey(let key): what = "duplicate object key \"\(key)\""
        case .depthLimitExceeded(let limit): what = "nesting deeper than \(limit)"
        case .inputLimitExceeded(let length, let limit): what = "an input of \(length) bytes exceeds the limit of \(limit)"
        case .stringLimitExceeded(let limit): what = "a string longer than \(limit) bytes"
        case .containerLimitExceeded(let limit): what = "an array or object of more than \(limit) entries"
        case .totalLimitExceeded(let limit): what = "more than \(limit) values in the document"
        }
        return "JSON: \(what) (at byte \(offset))"
    }

    private static func describe(_ byte: UInt8) -> String {
        let hex = "0x" + (byte < 0x10 ? "0" : "") + String(byte, radix: 16, uppercase: true)
        return (0x21...0x7E).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))' (\(hex))" : "byte \(hex)"
    }
}

extension JSONDecodingError.Expectation: CustomStringConvertible {
    public var description: String {
        switch self {
        case .value: "a value"
        case .literal: "the rest of true, false or null"
        case .key: "a key string"
        case .colon: "':'"
        case .commaOrEndOfArray: "',' or ']'"
        case .commaOrEndOfObject: "',' or '}'"
        }
    }
}

extension JSONDecodingError.Kind {
    /// The kind's language-neutral name (`truncated`, `invalid_number`, …): what the error
    /// vectors in `Spec/vectors/json/` expect, so other implementations can be checked
    /// against the same files.
    public var identifier: String {
        switch self {
        case .truncated: "truncated"
        case .unexpectedByte: "unexpected_byte"
        case .trailingBytes: "trailing_bytes"
        case .invalidNumber: "invalid_number"
        case .numberOutOfRange: "number_out_of_range"
        case .invalidEscape: "invalid_escape"
        case .loneSurrogate: "lone_surrogate"
        case .unescapedControlCharacter: "unescaped_control_character"
        case .invalidUTF8: "invalid_utf8"
        case .duplicateKey: "duplicate_key"
        case .depthLimitExceeded: "depth_limit_exceeded"
        case .inputLimitExceeded: "input_limit_exceeded"
        case .stringLimitExceeded: "string_limit_exceeded"
        case .containerLimitExceeded: "container_limit_exceeded"
        case .totalLimitExceeded: "total_limit_exceeded"
        }
    }
}

/// Why a value could not be encoded as JSON.
public struct JSONEncodingError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Kind: Hashable, Sendable {
        /// A NaN or an infinity: JSON numbers are finite. (JSON::XS writes `nan` and
        /// `inf`, which no JSON parser reads, itself included.)
        case nonFiniteNumber(Double)
        /// A blessed value, under ``JSONEncodingOptions/BlessedValuePolicy/reject``.
        case blessedValue(className: String)
        /// A value JSON has no form for: a code or regexp reference, a hook-serialized
        /// object, or a scalar reference other than `\1` and `\0` (JSON::XS's booleans).
        /// `description` names it.
        case unrepresentable(String)
        /// An alias whose anchor the value does not define.
        case undefinedAnchor(PerlAnchor)
        /// An alias inside the referent it refers to: a cycle, which JSON cannot write.
        case cycle(PerlAnchor)
        /// Nesting deeper than ``JSONEncodingOptions/maximumDepth``.
        case depthLimitExceeded(limit: Int)
        /// Aliases expand to more than ``JSONEncodingOptions/maximumAliasExpansion`` values.
        case aliasExpansionLimitExceeded(limit: Int)
    }

    public var kind: Kind

    public init(_ kind: Kind) { self.kind = kind }

    public var description: String {
        switch kind {
        case .nonFiniteNumber(let number): "JSON: cannot encode \(number): JSON numbers are finite"
        case .blessedValue(let className): "JSON: cannot encode an object of class \(className)"
        case .unrepresentable(let what): "JSON: cannot encode \(what)"
        case .undefinedAnchor(let anchor): "JSON: alias \(anchor) has no definition in the value"
        case .cycle(let anchor): "JSON: alias \(anchor) refers to a referent that contains it (a cycle)"
        case .depthLimitExceeded(let limit): "JSON: nesting deeper than \(limit)"
        case .aliasExpansionLimitExceeded(let limit): "JSON: aliases expand to more than \(limit) values"
        }
    }
}

extension JSONEncodingError.Kind {
    /// The kind's language-neutral name (`non_finite_number`, `cycle`, …).
    public var identifier: String {
        switch self {
        case .nonFiniteNumber: "non_finite_number"
        case .blessedValue: "blessed_value"
        case .unrepresentable: "unrepresentable"
        case .undefinedAnchor: "undefined_anchor"
        case .cycle: "cycle"
        case .depthLimitExceeded: "depth_limit_exceeded"
        case .aliasExpansionLimitExceeded: "alias_expansion_limit_exceeded"
        }
    }
}
