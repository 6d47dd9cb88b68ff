#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Encodes ``PerlValue``s as Storable images — by default, what Perl's `nfreeze` writes.
///
/// ```swift
/// var options = StorableEncodingOptions()
/// options.canonical = true          // $Storable::canonical = 1
/// let bytes = try StorableEncoder(options: options).encode(["ping": 1])
/// ```
///
/// With ``StorableEncodingOptions/canonical`` the output is byte for byte what Perl's
/// `nfreeze` writes for the same data under `$Storable::canonical = 1` (and `freeze`
/// with ``StorableEncodingOptions/ByteOrder/native``): the encoder follows Storable's
/// choices of marker for every scalar (small integers as one byte, integers beyond 32
/// bits and doubles as text in network order, …) and numbers objects as Perl does, so
/// back-references carry the same tags.
public struct StorableEncoder: Sendable {
    public var options: StorableEncodingOptions

    public init(options: StorableEncodingOptions = StorableEncodingOptions()) {
        self.options = options
    }

    /// Encodes `value`, which must be a reference: Storable stores what it points at
    /// (`nfreeze(\%hash)` stores the hash), and the reader gets a reference back.
    public func encode(_ value: PerlValue) throws(StorableEncodingError) -> [UInt8] {
        var writer = StorableWriter(options: options)
        try writer.writeImage(value)
        return writer.finish()
    }
}

/// One pass over one value, mirroring Storable.xs's `store()`: each scalar, array, hash
/// and reference Perl would store gets the next tag, in the same order.
///
/// The walk reaches members through pointers into the root it was given, which owns
/// them and which nothing mutates meanwhile, and takes their storage through the
/// borrowing accessors (`PerlValue+Borrowing.swift`): copying each member out of its
/// container cost an atomic retain and release each, over half of encoding's time.
struct StorableWriter: ~Copyable {
    private var output = OutputBuffer()
    private let options: StorableEncodingOptions
    private let isNetworkOrder: Bool
    private var tagCount = 0
    /// The tag of each anchored referent, and whether its class is overloaded (so that
    /// references to it are `SX_OVERLOAD`).
    private var anchors = AnchorTable()
    private var classIndices: [String: Int] = [:]
    private var depth = 0
    /// The positions of the hashes being written in order, innermost last: each hash's
    /// above those of the hashes that contain it (an array per hash was an allocation
    /// per hash, 10,956 of them in citm_catalog's canonical encoding).
    private var orders = ScratchStack<Int>()

    init(options: StorableEncodingOptions) {
        self.options = options
        isNetworkOrder = options.byteOrder == .network
    }

    consuming func finish() -> [UInt8] { output.finish() }

    mutating func writeImage(_ root: PerlValue) throws(StorableEncodingError) {
        guard root.isReference else { throw StorableEncodingError(.rootNotReference) }
        if options.isFile { output.append(contentsOf: StorableHeader.fileMagic) }
        let major = UInt8(StorableHeader.supportedMajorVersion << 1)
        if isNetworkOrder {
            output.append(major | 1, options.target.headerMinorVersion)
        } else {
            // What this machine's Perl writes: its byte-order string and the sizes of
            // int, long, pointer and NV.
            output.append(major, options.target.headerMinorVersion)
            output.append(8)
            output.append(utf8Of: "12345678")
            output.append(contentsOf: [4, 8, 8, 8])
        }
        var referent = root
        if case .weak(let inner) = referent { referent = inner }  // the implicit top reference
        if case .alias(let anchor) = referent { throw StorableEncodingError(.undefinedAnchor(anchor)) }
        try withUnsafePointer(to: referent) { referent throws(StorableEncodingError) in try writeReferent(referent) }
    }

    // MARK: - Objects

    /// Stores a scalar variable: an array element, a hash value, a referenced scalar's
    /// content. `store()` tags it, then writes a scalar or a reference.
    private mutating func writeSlot(_ value: UnsafePointer<PerlValue>) throws(StorableEncodingError) {
        tagCount += 1
        try writeSlotContents(value)
    }

    /// The contents of a scalar variable whose tag is already taken.
    ///
    /// Cases bind only trivial payloads: see `PerlValue+Borrowing.swift`.
    private mutating func writeSlotContents(_ value: UnsafePointer<PerlValue>) throws(StorableEncodingError) {
        switch value.pointee {
        case .undef:
            output.append(StorableOpcode.undef.rawValue)
        case .hole:
            output.append(StorableOpcode.svUndef.rawValue)
        case .bool(let truth):
            if options.target == .storable3_32 {
                output.append(truth ? StorableOpcode.booleanTrue.rawValue : StorableOpcode.booleanFalse.rawValue)
            } else {
                output.append(truth ? StorableOpcode.svYes.rawValue : StorableOpcode.svNo.rawValue)
            }
        case .integer(let number):
            writeInteger(number)
        case .unsigned(let number):
            if let signed = Int64(exactly: number) {
                writeInteger(signed)
            } else {
                appendShortString(String(number))
            }
        case .double(let number):
            try writeDouble(number)
        case .bytes:
            try value.pointee.borrowedBytes.unsafelyUnwrapped.withUnsafeBytes { bytes throws(StorableEncodingError) in
                try writeStringHeader(count: bytes.count, utf8: false)
                output.append(contentsOf: bytes)
            }
        case .string:
            if let utf8 = value.pointee.borrowedUTF8 {
                try writeStringHeader(count: utf8.count, utf8: true)
                output.append(contentsOf: UnsafeRawBufferPointer(utf8))
            } else if case .string(let text) = value.pointee {
                try writeStringHeader(count: text.utf8.count, utf8: true)
                output.append(utf8Of: text)
            }
        case .vstring:
            guard case .vstring(let literal, let inner) = value.pointee else { return }
            let literalBytes = try Self.latin1(literal, what: "a vstring literal")
            try writeLength(literalBytes.count, short: .vstring, long: .largeVString)
            output.append(contentsOf: literalBytes)
            switch inner {
            case .bytes, .string:
                try withUnsafePointer(to: inner) { inner throws(StorableEncodingError) in try writeSlotContents(inner) }
            default: throw StorableEncodingError(.unrepresentable("a vstring whose value is not a string"))
            }
        case .weak:
            guard case .weak(let reference) = value.pointee else { return }
            try withUnsafePointer(to: reference) { reference throws(StorableEncodingError) in
                try writeReference(reference, weak: true)
            }
        case .array, .hash, .scalarReference, .regexp, .code, .hooked, .blessed, .anchored, .alias:
            try writeReference(value, weak: false)
        }
    }

    /// `SX_REF <referent>` (or its weak and overloaded forms).
    private mutating func writeReference(_ reference: UnsafePointer<PerlValue>, weak: Bool)
        throws(StorableEncodingError)
    {
        let overloaded: Bool
        if case .alias(let anchor) = reference.pointee {
            guard let known = anchors[anchor] else { throw StorableEncodingError(.undefinedAnchor(anchor)) }
            overloaded = known.overloaded
        } else {
            overloaded = isOverloaded(reference)
        }
        let marker: StorableOpcode =
            switch (weak, overloaded) {
            case (false, false): .reference
            case (true, false): .weakReference
            case (false, true): .overload
            case (true, true): .weakOverload
            }
        output.append(marker.rawValue)
        try writeReferent(reference)
    }

    private func isOverloaded(_ reference: UnsafePointer<PerlValue>) -> Bool {
        guard !options.overloadedClasses.isEmpty, let className = reference.pointee.className else { return false }
        return options.overloadedClasses.contains(className)
    }

    /// Stores what a reference points at: a back-reference if it was stored before,
    /// otherwise a new tag, its class and its contents.
    private mutating func writeReferent(_ reference: UnsafePointer<PerlValue>) throws(StorableEncodingError) {
        switch reference.pointee {
        case .alias(let anchor):
            guard let known = anchors[anchor] else { throw StorableEncodingError(.undefinedAnchor(anchor)) }
            writeBackReference(known.tag)
        case .anchored:
            guard case .anchored(let anchor, let referent) = reference.pointee else { return }
            try withUnsafePointer(to: referent) { referent throws(StorableEncodingError) in
                guard anchors.insert(anchor, tag: tagCount, overloaded: isOverloaded(referent)) else {
                    throw StorableEncodingError(.duplicateAnchor(anchor))
                }
                try writeReferent(referent)
            }
        case .weak:
            guard case .weak(let inner) = reference.pointee else { return }
            try withUnsafePointer(to: inner) { inner throws(StorableEncodingError) in try writeReferent(inner) }
        case .blessed:
            guard case .blessed(let className, let referent) = reference.pointee else { return }
            depth += 1
            guard depth <= options.maximumDepth else {
                throw StorableEncodingError(.depthLimitExceeded(limit: options.maximumDepth))
            }
            tagCount += 1
            if case .hooked = referent {
                throw StorableEncodingError(.unrepresentable("a hooked object inside bless (it carries its own class)"))
            }
            try writeClass(className)
            try withUnsafePointer(to: Self.core(of: referent)) { core throws(StorableEncodingError) in
                try writeReferentContents(core)
            }
            depth -= 1
        default:
            depth += 1
            guard depth <= options.maximumDepth else {
                throw StorableEncodingError(.depthLimitExceeded(limit: options.maximumDepth))
            }
            tagCount += 1
            try writeReferentContents(reference)
            depth -= 1
        }
    }

    /// The referent itself, its tag taken and its class written.
    private mutating func writeReferentContents(_ referent: UnsafePointer<PerlValue>) throws(StorableEncodingError) {
        switch referent.pointee {
        case .array:
            let elements = referent.pointee.borrowedElements.unsafelyUnwrapped
            try writeLength(elements.count, marker: .array)
            for position in elements.indices { try writeSlot(elements.baseAddress.unsafelyUnwrapped + position) }
        case .hash:
            try writeHash(referent.pointee.borrowedHash.unsafelyUnwrapped)
        case .scalarReference:
            guard case .scalarReference(let content) = referent.pointee else { return }
            try withUnsafePointer(to: content) { content throws(StorableEncodingError) in try writeSlotContents(content) }
        case .regexp:
            guard case .regexp(let pattern, let flags) = referent.pointee else { return }
            guard options.target != .storable2 else {
                throw StorableEncodingError(.unsupportedByTarget("a regexp"))
            }
            let patternBytes = Self.perlBytes(pattern)
            // Flags are bytes, read back one character per byte (Latin-1), as Perl reads
            // them; UTF-8 here made a flag character above U+007F grow on every round
            // trip (found by RoundTripFuzz, Fuzz/Regressions/RoundTripFuzz/).
            let flagBytes = try Self.latin1(flags, what: "regexp flags")
            guard flagBytes.count <= 255 else { throw StorableEncodingError(.unrepresentable("regexp flags \(flags)")) }
            output.append(StorableOpcode.regexp.rawValue)
            if patternBytes.count > StorableFlags.shortLengthLimit {
                output.append(StorableFlags.regexpLongPattern)
                try writeInt32(patternBytes.count)
            } else {
                output.append(0)
                output.append(UInt8(patternBytes.count))
            }
            output.append(contentsOf: patternBytes)
            output.append(UInt8(flagBytes.count))
            output.append(contentsOf: flagBytes)
        case .code:
            guard case .code(let source) = referent.pointee else { return }
            output.append(StorableOpcode.code.rawValue)
            tagCount += 1  // the source text is an object of its own
            if source.unicodeScalars.allSatisfy({ $0.value <= 0xFF }) {
                let bytes = Self.perlBytes(source)
                try writeStringHeader(count: bytes.count, utf8: false)
                output.append(contentsOf: bytes)
            } else {
                try writeStringHeader(count: source.utf8.count, utf8: true)
                output.append(utf8Of: source)
            }
        case .hooked:
            guard case .hooked(let object) = referent.pointee else { return }
            try writeHooked(object)
        case .anchored, .alias, .weak, .blessed:
            throw StorableEncodingError(.unrepresentable("a wrapper nested out of order: \(referent.pointee)"))
        default:
            throw StorableEncodingError(.unrepresentable("a plain scalar where a referent belongs: \(referent.pointee)"))
        }
    }

    private static func core(of value: PerlValue) -> PerlValue {
        if case .blessed(_, let inner) = value { return core(of: inner) }
        return value
    }

    private mutating func writeClass(_ className: String) throws(StorableEncodingError) {
        if let index = classIndices[className] {
            output.append(StorableOpcode.indexedBless.rawValue)
            if index <= StorableFlags.shortClassLimit {
                output.append(UInt8(index))
            } else {
                output.append(0x80)
                try writeInt32(index)
            }
            return
        }
        classIndices[className] = classIndices.count
        let name = Array(className.utf8)
        output.append(StorableOpcode.bless.rawValue)
        if name.count <= StorableFlags.shortClassLimit {
            output.append(UInt8(name.count))
        } else {
            output.append(0x80)
            try writeInt32(name.count)
        }
        output.append(contentsOf: name)
    }

    private mutating func writeBackReference(_ tag: Int) {
        output.append(StorableOpcode.object.rawValue)
        appendBigEndian(UInt32(truncatingIfNeeded: tag))
    }

    // MARK: - Hashes

    /// `SX_HASH`, or `SX_FLAG_HASH` when the hash is restricted or a key has flags.
    /// Entries are written in place; only canonical order sorts, and then only positions.
    private mutating func writeHash(_ hash: PerlHash.Borrowed) throws(StorableEncodingError) {
        let entries = hash.entries
        let restricted = hash.isRestricted
        var flagged = restricted
        for position in entries.indices where !flagged {
            flagged = Self.flags(ofKeyAt: entries.baseAddress.unsafelyUnwrapped + position) != 0
        }
        guard options.canonical || restricted else {
            // The common case: entries in order, none of them placeholders.
            try writeHashHeader(count: entries.count, flagged: flagged, restricted: false)
            for position in entries.indices {
                let entry = entries.baseAddress.unsafelyUnwrapped + position
                try writeSlot(entry.pointer(to: \.value).unsafelyUnwrapped)
                let key = entry.pointer(to: \.key).unsafelyUnwrapped
                let flags = flagged ? Self.flags(ofKeyAt: entry) : 0
                if flagged { output.append(flags) }
                try writeKey(key, flags: flags)
            }
            return
        }
        try writeOrderedHash(entries, restriction: hash.restriction, flagged: flagged)
    }

    /// `SX_HASH` or `SX_FLAG_HASH` and the count.
    private mutating func writeHashHeader(count: Int, flagged: Bool, restricted: Bool) throws(StorableEncodingError) {
        if flagged {
            if count > Int(Int32.max) {
                output.append(StorableOpcode.largeObject.rawValue)
                output.append(StorableOpcode.flagHash.rawValue)
                output.append(restricted ? StorableFlags.hashRestricted : 0)
                appendLength64(count)
            } else {
                output.append(StorableOpcode.flagHash.rawValue)
                output.append(restricted ? StorableFlags.hashRestricted : 0)
                try writeInt32(count)
            }
        } else {
            try writeLength(count, marker: .hash)
        }
    }

    /// A hash in canonical order, or a restricted one (whose placeholders are written as
    /// entries of their own).
    private mutating func writeOrderedHash(
        _ entries: UnsafeBufferPointer<PerlHashEntry>, restriction: PerlHash.Restriction?, flagged: Bool
    ) throws(StorableEncodingError) {
        let placeholders = restriction?.allowedKeys ?? []
        let count = entries.count + placeholders.count
        let restricted = restriction != nil
        try writeHashHeader(count: count, flagged: flagged, restricted: restricted)

        // Positions past `entries.count` are placeholders. Keys are compared and written
        // in place; the placeholders' array, like the entries, is the root's own.
        let placeholderKeys = placeholders.withUnsafeBufferPointer { $0 }
        func key(at position: Int) -> UnsafePointer<PerlHash.Key> {
            position < entries.count
                ? (entries.baseAddress.unsafelyUnwrapped + position).pointer(to: \.key).unsafelyUnwrapped
                : placeholderKeys.baseAddress.unsafelyUnwrapped + (position - entries.count)
        }
        let orderBase = orders.count
        defer { orders.removeLast(from: orderBase) }
        for position in 0..<count { orders.append(position) }
        if options.canonical {
            var positions = orders.buffer(orderBase..<orders.count)
            positions.sort { PerlHash.Key.precedes(key(at: $0), key(at: $1)) }
        }
        let locked = restriction?.lockedKeys ?? []
        for next in 0..<count {
            // Read afresh each time: writing a value may grow the stack.
            let position = orders[orderBase + next]
            let entryKey = key(at: position)
            var flags = Self.flags(ofKey: entryKey)
            if position < entries.count {
                try writeSlot((entries.baseAddress.unsafelyUnwrapped + position).pointer(to: \.value).unsafelyUnwrapped)
                if restricted, locked.contains(entryKey.pointee) { flags |= StorableFlags.keyLocked }
            } else {
                // Perl stores a placeholder's value as its immortal undef, which is
                // read-only and so also marks the key locked.
                tagCount += 1
                output.append(StorableOpcode.svUndef.rawValue)
                flags |= StorableFlags.keyPlaceholder | StorableFlags.keyLocked
            }
            if flagged { output.append(flags) }
            try writeKey(entryKey, flags: flags)
        }
    }

    private static func flags(ofKeyAt entry: UnsafePointer<PerlHashEntry>) -> UInt8 {
        flags(ofKey: entry.pointer(to: \.key).unsafelyUnwrapped)
    }

    /// A key's flags as Perl keeps it: none for bytes; characters that fit in Latin-1 are
    /// downgraded to bytes and flagged as once UTF-8 (ASCII included: Perl 5.36 flags those
    /// too); wider characters stay UTF-8.
    private static func flags(ofKey key: UnsafePointer<PerlHash.Key>) -> UInt8 {
        guard case .string = key.pointee else { return 0 }
        return PerlHash.Key.withUTF8(ofStringKey: key) { utf8 in
            // U+0100 and above start with a byte of 0xC4 or more.
            utf8.allSatisfy { $0 < 0xC4 } ? StorableFlags.keyWasUTF8 : StorableFlags.keyUTF8
        }
    }

    /// The key's length and bytes, in the form its `flags` say.
    private mutating func writeKey(_ key: UnsafePointer<PerlHash.Key>, flags: UInt8) throws(StorableEncodingError) {
        if case .bytes = key.pointee {
            try key.pointee.borrowedBytes.unsafelyUnwrapped.withUnsafeBytes { bytes throws(StorableEncodingError) in
                try writeInt32(bytes.count)
                output.append(contentsOf: bytes)
            }
            return
        }
        try PerlHash.Key.withUTF8(ofStringKey: key) { utf8 throws(StorableEncodingError) in
            // ASCII, and any key kept as UTF-8, is written as it is; other Latin-1 keys
            // one byte per character.
            if flags & StorableFlags.keyUTF8 != 0 || !utf8.contains(where: { $0 >= 0x80 }) {
                try writeInt32(utf8.count)
                output.append(contentsOf: UnsafeRawBufferPointer(utf8))
                return
            }
            // Every character is below U+0100: one byte, or a lead byte (0xC2 or 0xC3)
            // and a continuation byte.
            try writeInt32(utf8.count { $0 & 0xC0 != 0x80 })
            var position = 0
            while position < utf8.count {
                let byte = utf8[position]
                if byte < 0x80 {
                    output.append(byte)
                    position += 1
                } else {
                    output.append((byte & 0x1F) << 6 | utf8[position + 1] & 0x3F)
                    position += 2
                }
            }
        }
    }

    // MARK: - Hooked objects

    /// `SX_HOOK`, laid out as Storable.xs's `store_hook` does: referents of the extra
    /// references not stored yet are stored first, each behind a flags byte asking the
    /// reader to recurse; then the class, the frozen string and the list of tags.
    private mutating func writeHooked(_ object: PerlHookedObject) throws(StorableEncodingError) {
        let type = object.kind.rawValue
        var recursed = false
        var referenceTags: [Int] = []
        referenceTags.reserveCapacity(object.references.count)
        for reference in object.references {
            var referent = reference
            if case .weak(let inner) = referent { referent = inner }
            if case .alias(let anchor) = referent {
                guard let known = anchors[anchor] else { throw StorableEncodingError(.undefinedAnchor(anchor)) }
                referenceTags.append(known.tag)
                continue
            }
            guard referent.isReference else {
                throw StorableEncodingError(.unrepresentable("a hooked object's extra value that is not a reference"))
            }
            if !recursed {
                output.append(StorableOpcode.hook.rawValue)
            }
            output.append(StorableFlags.hookNeedsRecursion | type)
            recursed = true
            let tag = tagCount
            try withUnsafePointer(to: referent) { referent throws(StorableEncodingError) in try writeReferent(referent) }
            referenceTags.append(tag)
        }

        let known = classIndices[object.className]
        if known == nil { classIndices[object.className] = classIndices.count }
        let name = Array(object.className.utf8)
        var flags = type
        if (known ?? name.count) > StorableFlags.shortLengthLimit { flags |= StorableFlags.hookLargeClassLength }
        if known != nil { flags |= StorableFlags.hookIndexedClassName }
        if object.serialized.count > StorableFlags.shortLengthLimit { flags |= StorableFlags.hookLargeStringLength }
        if !referenceTags.isEmpty { flags |= StorableFlags.hookHasList }
        if referenceTags.count > StorableFlags.shortLengthLimit { flags |= StorableFlags.hookLargeListLength }

        if !recursed { output.append(StorableOpcode.hook.rawValue) }
        output.append(flags)
        if let known {
            if flags & StorableFlags.hookLargeClassLength != 0 { try writeInt32(known) } else { output.append(UInt8(known)) }
        } else {
            if flags & StorableFlags.hookLargeClassLength != 0 { try writeInt32(name.count) } else { output.append(UInt8(name.count)) }
            output.append(contentsOf: name)
        }
        if flags & StorableFlags.hookLargeStringLength != 0 {
            try writeInt32(object.serialized.count)
        } else {
            output.append(UInt8(object.serialized.count))
        }
        output.append(contentsOf: object.serialized)
        if !referenceTags.isEmpty {
            if flags & StorableFlags.hookLargeListLength != 0 {
                try writeInt32(referenceTags.count)
            } else {
                output.append(UInt8(referenceTags.count))
            }
            for tag in referenceTags { appendBigEndian(UInt32(truncatingIfNeeded: tag)) }
        }
    }

    // MARK: - Scalars

    /// Storable's integer forms: one byte for −128…127; in network order a 32-bit
    /// big-endian integer or else decimal text; natively the 8-byte IV.
    private mutating func writeInteger(_ number: Int64) {
        if (-128...127).contains(number) {
            output.append(StorableOpcode.byte.rawValue)
            output.append(UInt8(truncatingIfNeeded: number + 128))
        } else if isNetworkOrder {
            if let narrow = Int32(exactly: number) {
                output.append(StorableOpcode.networkInteger.rawValue)
                appendBigEndian(UInt32(bitPattern: narrow))
            } else {
                appendShortString(String(number))
            }
        } else {
            output.append(StorableOpcode.integer.rawValue)
            output.append(littleEndian: number)
        }
    }

    /// A double that is an integer Perl can hold exactly (|x| < 2⁵³) is stored as that
    /// integer, as Perl's `SvIV_please` makes it; others natively as 8 bytes, or in
    /// network order as the text Perl prints (15 significant digits).
    private mutating func writeDouble(_ number: Double) throws(StorableEncodingError) {
        if number.isFinite, number.rounded(.towardZero) == number, number.magnitude < 0x1p53 {
            writeInteger(Int64(number))
            return
        }
        guard isNetworkOrder else {
            output.append(StorableOpcode.double.rawValue)
            output.append(littleEndian: number.bitPattern)
            return
        }
        appendShortString(number.perlText(lossless: options.losslessDoubles))
    }

    /// The marker and length of a string of `count` bytes; its bytes follow.
    private mutating func writeStringHeader(count: Int, utf8: Bool) throws(StorableEncodingError) {
        if count <= StorableFlags.shortLengthLimit {
            output.append(utf8 ? StorableOpcode.utf8String.rawValue : StorableOpcode.scalar.rawValue, UInt8(count))
        } else if count > Int(Int32.max) {
            guard options.target != .storable2 else {
                throw StorableEncodingError(.unsupportedByTarget("a string over 2 GiB"))
            }
            output.append(StorableOpcode.largeObject.rawValue)
            output.append(utf8 ? StorableOpcode.largeUTF8String.rawValue : StorableOpcode.largeScalar.rawValue)
            appendLength64(count)
        } else {
            output.append(utf8 ? StorableOpcode.largeUTF8String.rawValue : StorableOpcode.largeScalar.rawValue)
            try writeInt32(count)
        }
    }

    /// Text known to be short (numbers).
    private mutating func appendShortString(_ text: String) {
        output.append(StorableOpcode.scalar.rawValue, UInt8(text.utf8.count))
        output.append(utf8Of: text)
    }

    /// A count behind `marker` (arrays, hashes), or the 64-bit large-object form.
    private mutating func writeLength(_ count: Int, marker: StorableOpcode) throws(StorableEncodingError) {
        if count > Int(Int32.max) {
            guard options.target != .storable2 else {
                throw StorableEncodingError(.unsupportedByTarget("a container of over 2³¹ elements"))
            }
            output.append(StorableOpcode.largeObject.rawValue)
            output.append(marker.rawValue)
            appendLength64(count)
        } else {
            output.append(marker.rawValue)
            try writeInt32(count)
        }
    }

    /// One-byte or four-byte length behind the short or long marker (vstrings).
    private mutating func writeLength(_ count: Int, short: StorableOpcode, long: StorableOpcode)
        throws(StorableEncodingError)
    {
        if count <= StorableFlags.shortLengthLimit {
            output.append(short.rawValue)
            output.append(UInt8(count))
        } else {
            output.append(long.rawValue)
            try writeInt32(count)
        }
    }

    /// Storable's `WLEN`: a C `int` in the image's byte order.
    private mutating func writeInt32(_ value: Int) throws(StorableEncodingError) {
        guard let narrow = Int32(exactly: value) else {
            throw StorableEncodingError(.unrepresentable("a length of \(value)"))
        }
        if isNetworkOrder {
            appendBigEndian(UInt32(bitPattern: narrow))
        } else {
            output.append(littleEndian: narrow)
        }
    }

    private mutating func appendLength64(_ value: Int) {
        let wide = UInt64(value)
        if isNetworkOrder {
            output.append(bigEndian: wide)
        } else {
            output.append(littleEndian: wide)
        }
    }

    private mutating func appendBigEndian(_ value: UInt32) {
        output.append(bigEndian: value)
    }

    /// Text Perl keeps as bytes: Latin-1 when every character fits, else UTF-8 (what
    /// `SvPV` of an upgraded string gives).
    private static func perlBytes(_ text: String) -> [UInt8] {
        if text.unicodeScalars.allSatisfy({ $0.value <= 0xFF }) {
            return text.unicodeScalars.map { UInt8($0.value) }
        }
        return Array(text.utf8)
    }

    private static func latin1(_ text: String, what: String) throws(StorableEncodingError) -> [UInt8] {
        var bytes: [UInt8] = []
        for scalar in text.unicodeScalars {
            guard scalar.value <= 0xFF else {
                throw StorableEncodingError(.unrepresentable("\(what) with the character U+\(String(scalar.value, radix: 16, uppercase: true))"))
            }
            bytes.append(UInt8(scalar.value))
        }
        return bytes
    }
}


/// The tag of each anchored referent stored so far, and whether references to it are
/// marked overloaded. An open-addressing table over the anchors' numbers: every alias
/// looks its anchor up, and `Dictionary`'s `Hasher` made that a tenth of encoding.
private struct AnchorTable {
    private struct Slot {
        var anchor: Int
        var tag: Int
        var overloaded: Bool
    }

    private var slots: [Slot?] = []
    private var count = 0

    subscript(anchor: PerlAnchor) -> (tag: Int, overloaded: Bool)? {
        guard !slots.isEmpty else { return nil }
        var index = Self.start(anchor.id, slots.count)
        while let slot = slots[index] {
            if slot.anchor == anchor.id { return (slot.tag, slot.overloaded) }
            index = (index + 1) & (slots.count - 1)
        }
        return nil
    }

    /// Records `anchor`. - Returns: `false` if it was recorded before.
    mutating func insert(_ anchor: PerlAnchor, tag: Int, overloaded: Bool) -> Bool {
        if (count + 1) * 2 > slots.count { grow() }
        var index = Self.start(anchor.id, slots.count)
        while let slot = slots[index] {
            if slot.anchor == anchor.id { return false }
            index = (index + 1) & (slots.count - 1)
        }
        slots[index] = Slot(anchor: anchor.id, tag: tag, overloaded: overloaded)
        count += 1
        return true
    }

    private static func start(_ id: Int, _ capacity: Int) -> Int {
        Int(truncatingIfNeeded: (UInt64(bitPattern: Int64(id)) &* 0x9E37_79B9_7F4A_7C15) >> 32) & (capacity - 1)
    }

    private mutating func grow() {
        let old = slots
        slots = Array(repeating: nil, count: Swift.max(16, old.count * 2))
        count = 0
        for case let slot? in old { _ = insert(PerlAnchor(slot.anchor), tag: slot.tag, overloaded: slot.overloaded) }
    }
}
