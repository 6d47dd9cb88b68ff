/// Why a Storable image could not be decoded, and where.
public struct StorableDecodingError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Kind: Hashable, Sendable {
        /// The image ends before the object it describes does.
        case truncated
        /// Bytes remain after the root object.
        case trailingBytes(count: Int)
        /// A version this implementation does not read (major 2, minor 0…12 are read).
        case unsupportedVersion(major: Int, minor: Int)
        /// A native (`freeze`) image from a machine whose integer or double layout is not
        /// supported: only 4-byte `int`, 4- or 8-byte IVs and 8-byte doubles are.
        case unsupportedNativeLayout(String)
        /// A marker that is not a Storable opcode, or one that cannot appear here.
        case invalidOpcode(UInt8)
        /// A back-reference (`SX_OBJECT`) to an object not yet seen.
        case invalidBackReference(tag: UInt64)
        /// A class-name index that names no class seen before.
        case invalidClassIndex(Int)
        /// A malformed record, described by `reason`.
        case malformed(String)
        /// A character string (`SX_UTF8STR`, a UTF-8 hash key) that is not valid UTF-8.
        case invalidUTF8
        /// Nesting deeper than ``StorableDecodingOptions/maximumDepth``.
        case depthLimitExceeded(limit: Int)
        /// A container declaring more elements than
        /// ``StorableDecodingOptions/maximumContainerCount``.
        case containerLimitExceeded(count: UInt64, limit: Int)
        /// More values in the whole image than ``StorableDecodingOptions/maximumTotalCount``.
        case totalLimitExceeded(limit: Int)
        /// A string longer than ``StorableDecodingOptions/maximumStringLength``.
        case stringLimitExceeded(length: UInt64, limit: Int)
        /// A value blessed into a class the options refuse.
        case blessedValueRefused(className: String)
        /// A code reference, refused by ``StorableDecodingOptions/codeReferences``.
        case codeReferenceRefused
        /// A tied array, hash or scalar, or a reference into one: RefWire has no way to
        /// carry a tie and never recreates one.
        case tiedValueRefused
        /// Two places that are the *same* scalar slot (a reference to an array element or
        /// hash value, or `@_`-style aliasing): the value model shares referents only.
        case sharedScalarSlot(tag: UInt64)
    }

    public var kind: Kind
    /// Byte offset in the image where the problem was found.
    public var offset: Int

    public init(_ kind: Kind, at offset: Int) {
        self.kind = kind
        self.offset = offset
    }

    public var description: String {
        let what: String
        switch kind {
        case .truncated: what = "the image is truncated"
        case .trailingBytes(let count): what = "\(count) bytes follow the root object"
        case .unsupportedVersion(let major, let minor):
            what = "Storable format \(major).\(minor) is not supported (2.0–2.\(StorableHeader.newestMinorVersion) are)"
        case .unsupportedNativeLayout(let detail): what = "unsupported native layout: \(detail)"
        case .invalidOpcode(let opcode): what = "invalid marker \(opcode)"
        case .invalidBackReference(let tag): what = "back-reference to object #\(tag), not yet seen"
        case .invalidClassIndex(let index): what = "class index \(index) names no class seen before"
        case .malformed(let reason): what = "malformed: \(reason)"
        case .invalidUTF8: what = "a character string is not valid UTF-8"
        case .depthLimitExceeded(let limit): what = "nesting deeper than \(limit)"
        case .containerLimitExceeded(let count, let limit):
            what = "a container of \(count) elements exceeds the limit of \(limit)"
        case .totalLimitExceeded(let limit): what = "more than \(limit) values in the image"
        case .stringLimitExceeded(let length, let limit):
            what = "a string of \(length) bytes exceeds the limit of \(limit)"
        case .blessedValueRefused(let className): what = "an object of class \(className) is refused"
        case .codeReferenceRefused: what = "a code reference is refused"
        case .tiedValueRefused: what = "tied values are not supported"
        case .sharedScalarSlot(let tag):
            what = "object #\(tag) is a scalar slot shared in place, which the value model cannot represent"
        }
        return "Storable: \(what) (at byte \(offset))"
    }
}

extension StorableDecodingError.Kind {
    /// The kind's language-neutral name (`truncated`, `invalid_opcode`, …): what the error
    /// vectors in `Spec/vectors/storable/` expect, so other implementations can be checked
    /// against the same files.
    public var identifier: String {
        switch self {
        case .truncated: "truncated"
        case .trailingBytes: "trailing_bytes"
        case .unsupportedVersion: "unsupported_version"
        case .unsupportedNativeLayout: "unsupported_native_layout"
        case .invalidOpcode: "invalid_opcode"
        case .invalidBackReference: "invalid_back_reference"
        case .invalidClassIndex: "invalid_class_index"
        case .malformed: "malformed"
        case .invalidUTF8: "invalid_utf8"
        case .depthLimitExceeded: "depth_limit_exceeded"
        case .containerLimitExceeded: "container_limit_exceeded"
        case .totalLimitExceeded: "total_limit_exceeded"
        case .stringLimitExceeded: "string_limit_exceeded"
        case .blessedValueRefused: "blessed_value_refused"
        case .codeReferenceRefused: "code_reference_refused"
        case .tiedValueRefused: "tied_value_refused"
        case .sharedScalarSlot: "shared_scalar_slot"
        }
    }
}

/// Why a value could not be encoded as Storable.
public struct StorableEncodingError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Kind: Hashable, Sendable {
        /// Storable images hold a reference at the top (`nfreeze(\%hash)`), not a plain
        /// scalar.
        case rootNotReference
        /// An alias whose anchor is not defined earlier in the value.
        case undefinedAnchor(PerlAnchor)
        /// An anchor defined twice.
        case duplicateAnchor(PerlAnchor)
        /// A value the chosen target version cannot represent (a regexp for Storable 2,
        /// say); `reason` names it.
        case unsupportedByTarget(String)
        /// A value the format cannot hold at all (a ``PerlValue/hole`` outside an array,
        /// a character above U+00FF in a byte-only field, …).
        case unrepresentable(String)
        /// Nesting deeper than ``StorableEncodingOptions/maximumDepth``.
        case depthLimitExceeded(limit: Int)
    }

    public var kind: Kind

    public init(_ kind: Kind) { self.kind = kind }

    public var description: String {
        switch kind {
        case .rootNotReference: return "Storable: the root value must be a reference"
        case .undefinedAnchor(let anchor): return "Storable: alias \(anchor) has no earlier definition"
        case .duplicateAnchor(let anchor): return "Storable: anchor \(anchor) is defined twice"
        case .unsupportedByTarget(let reason): return "Storable: the target version cannot hold \(reason)"
        case .unrepresentable(let reason): return "Storable: cannot encode \(reason)"
        case .depthLimitExceeded(let limit): return "Storable: nesting deeper than \(limit)"
        }
    }
}
