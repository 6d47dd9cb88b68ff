#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Decodes Storable images — what Perl's `nfreeze`, `freeze`, `nstore` and `store`
/// write — into ``PerlValue``s.
///
/// ```swift
/// let value = try StorableDecoder().decode(frame.payload)
/// ```
///
/// The image's header decides the layout (network or native order, file or memory), so
/// one decoder reads all of them. Decoding is a single pass over the bytes with no I/O;
/// nothing named in the data is executed or loaded, and every count, length and depth is
/// checked against ``StorableDecodingOptions`` before anything is allocated for it.
public struct StorableDecoder: Sendable {
    public var options: StorableDecodingOptions

    public init(options: StorableDecodingOptions = StorableDecodingOptions()) {
        self.options = options
    }

    /// Decodes one image.
    public func decode(_ bytes: some Collection<UInt8>) throws(StorableDecodingError) -> PerlValue {
        let result = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(StorableDecodingError) in try decode(buffer) }
        }
        if let result { return try result.get() }
        return try Array(bytes).withUnsafeBufferPointer { buffer throws(StorableDecodingError) in
            try decode(buffer)
        }
    }

    private func decode(_ buffer: UnsafeBufferPointer<UInt8>) throws(StorableDecodingError) -> PerlValue {
        let header = try StorableHeader.parse(buffer)
        var reader = StorableReader(buffer: buffer, header: header, options: options)
        return try reader.readImage()
    }
}

/// One pass over one image.
///
/// Objects are read in one of three positions, because Storable stores the things Perl
/// keeps in a variable (a *slot*: an array element, a hash value) and the things a
/// reference points at (a *referent*) with the same markers, while the value model
/// folds a slot that holds a reference and its referent into one reference value.
///
/// Sharing: every stored object gets the next *tag*; `SX_OBJECT tag` refers back to one.
/// A referent is numbered (its *ordinal*) in the order the value tree will visit it, and
/// a back-reference becomes `.alias(ordinal)`. Only if some referent was shared does a
/// second pass wrap those referents in `.anchored` and renumber the anchors 1, 2, 3…
struct StorableReader: ~Copyable {
    private let base: UnsafePointer<UInt8>
    private let end: Int
    private var position: Int
    private let options: StorableDecodingOptions
    private let isNetworkOrder: Bool
    private let isBigEndian: Bool
    private let integerSize: Int

    /// Objects stored so far: the next object's tag.
    private var tagCount = 0
    /// The referents read so far, by ordinal. Scalars in slots (most objects) get a tag
    /// but no entry: a back-reference is rare, and finds its referent by binary search.
    private var referents: ScratchStack<Referent>
    private var classNames: [String] = []
    /// Ordinals that some back-reference points at; empty while nothing is shared.
    private var sharedReferents = OrdinalSet()
    /// The last two back-references' tags and ordinals: images refer back to a few
    /// referents over and over (JSON::XS's two booleans, thousands of times in twitter),
    /// and these skip the search for them.
    private var recentBackReferences = (last: (tag: -1, ordinal: 0), before: (tag: -1, ordinal: 0))
    private var keyCache = RepeatedKeyCache<CachedKey>()
    private var depth = 0
    /// The entries of the hashes being read, innermost last: a hash is made from its
    /// entries in one step once all are read (see `PerlHash.moving(distinctEntries:)`).
    private var entries = MoveStack<PerlHashEntry>()
    /// Where each of `entries`' keys starts, for the error if it is there twice.
    private var entryOffsets = ScratchStack<Int>()

    /// The anchor of the referent with `ordinal`: its position among the image's
    /// referents, so that back-references need no renumbering.
    static func anchor(_ ordinal: Int) -> PerlAnchor { PerlAnchor(ordinal + 1) }

    private enum Position {
        /// A scalar variable: an array element, a hash value, a referenced scalar's content.
        case slot
        /// The thing a reference points at, or the root.
        case referent
    }

    init(buffer: UnsafeBufferPointer<UInt8>, header: StorableHeader, options: StorableDecodingOptions) {
        base = buffer.baseAddress ?? UnsafePointer(bitPattern: 1)!
        end = buffer.count
        position = header.count
        self.options = options
        isNetworkOrder = header.byteOrder == .network
        isBigEndian = header.byteOrder == .bigEndian
        integerSize = header.integerSize
        referents = ScratchStack(capacity: min(buffer.count / 16, 256))
    }

    mutating func readImage() throws(StorableDecodingError) -> PerlValue {
        var root = try readObject(.referent, blessedInto: nil)
        if position != end, options.rejectsTrailingBytes {
            throw StorableDecodingError(.trailingBytes(count: end - position), at: position)
        }
        if !sharedReferents.isEmpty {
            var anchoring = Anchoring(
                shared: sharedReferents.sorted(), referents: Array(referents.buffer(0..<referents.count)))
            root = anchoring.rewrite(root)
        }
        return root
    }

    // MARK: - Objects

    /// Reads one object. Kept small, like ``readSlot``, ``readArray``, ``readHash`` and
    /// ``readReference``: they are the recursion path (a nested hash costs `readHash`,
    /// `readSlot` and `readReference` a level), so their stack frames bound how deep a
    /// thread's stack lets a value nest. Everything else is out of line.
    @inline(never)
    private mutating func readObject(_ place: Position, blessedInto className: String?)
        throws(StorableDecodingError) -> PerlValue
    {
        let start = position
        let marker = try readByte()
        switch marker {
        case StorableOpcode.reference.rawValue, StorableOpcode.overload.rawValue:
            return try readReference(weak: false, place, className, at: start)
        case StorableOpcode.weakReference.rawValue, StorableOpcode.weakOverload.rawValue:
            return try readReference(weak: true, place, className, at: start)
        case StorableOpcode.array.rawValue:
            return try readArray(count: readLength(), place, className, at: start)
        case StorableOpcode.hash.rawValue:
            return try readHash(count: readLength(), place, className, at: start)
        case StorableOpcode.bless.rawValue, StorableOpcode.indexedBless.rawValue:
            guard className == nil else { return try readOtherObject(marker, place, className, at: start) }
            return try readClassMarker(marker, place, at: start)
        default:
            return try readOtherObject(marker, place, className, at: start)
        }
    }

    /// Reads the object in a slot: an array element or a hash value. Most are plain
    /// scalars, read here without the calls through ``readObject``, ``readOtherObject``
    /// and ``scalar`` (a tenth of decoding twitter.json); the rest go where
    /// ``readObject`` would send them, with no more frames on the recursion path.
    @inline(never)
    private mutating func readSlot() throws(StorableDecodingError) -> PerlValue {
        let start = position
        let marker = try readByte()
        let value: PerlValue
        switch marker {
        case StorableOpcode.reference.rawValue, StorableOpcode.overload.rawValue:
            return try readReference(weak: false, .slot, nil, at: start)
        case StorableOpcode.weakReference.rawValue, StorableOpcode.weakOverload.rawValue:
            return try readReference(weak: true, .slot, nil, at: start)
        case StorableOpcode.array.rawValue:
            return try readArray(count: readLength(), .slot, nil, at: start)
        case StorableOpcode.hash.rawValue:
            return try readHash(count: readLength(), .slot, nil, at: start)
        case StorableOpcode.scalar.rawValue:
            value = try readByteString(length: UInt64(readByte()))
        case StorableOpcode.utf8String.rawValue:
            value = try readCharacterString(length: UInt64(readByte()))
        case StorableOpcode.byte.rawValue:
            value = .integer(Int64(try readByte()) - 128)
        case StorableOpcode.networkInteger.rawValue:
            value = .integer(Int64(Int32(bitPattern: try readUInt32BigEndian())))
        case StorableOpcode.integer.rawValue:
            value = .integer(try readNativeInteger())
        case StorableOpcode.double.rawValue:
            value = .double(try readNativeDouble())
        case StorableOpcode.undef.rawValue, StorableOpcode.svUndefElement.rawValue:
            value = .undef
        case StorableOpcode.svUndef.rawValue:
            value = .hole
        case StorableOpcode.svYes.rawValue, StorableOpcode.booleanTrue.rawValue:
            value = .bool(true)
        case StorableOpcode.svNo.rawValue, StorableOpcode.booleanFalse.rawValue:
            value = .bool(false)
        default:
            return try readOtherObject(marker, .slot, nil, at: start)
        }
        _ = try see(.slot)
        return value
    }

    @inline(never)
    private mutating func readOtherObject(_ marker: UInt8, _ place: Position, _ className: String?, at start: Int)
        throws(StorableDecodingError) -> PerlValue
    {
        guard let opcode = StorableOpcode(rawValue: marker) else {
            throw StorableDecodingError(.invalidOpcode(marker), at: start)
        }
        if className != nil {
            switch opcode {
            case .object, .bless, .indexedBless, .hook, .vstring, .largeVString:
                throw classWithoutNewObject(at: start)
            default:
                break
            }
        }

        switch opcode {
        case .object:
            return try readBackReference(tag: UInt64(readUInt32BigEndian()), place, at: start)

        case .undef, .svUndefElement:
            return try scalar(.undef, place, className, at: start)
        case .svUndef:
            return try scalar(.hole, place, className, at: start)
        case .svYes, .booleanTrue:
            return try scalar(.bool(true), place, className, at: start)
        case .svNo, .booleanFalse:
            return try scalar(.bool(false), place, className, at: start)
        case .byte:
            return try scalar(.integer(Int64(readByte()) - 128), place, className, at: start)
        case .networkInteger:
            return try scalar(.integer(Int64(Int32(bitPattern: readUInt32BigEndian()))), place, className, at: start)
        case .integer:
            return try scalar(.integer(readNativeInteger()), place, className, at: start)
        case .double:
            return try scalar(.double(readNativeDouble()), place, className, at: start)
        case .scalar:
            return try scalar(readByteString(length: UInt64(readByte())), place, className, at: start)
        case .largeScalar:
            return try scalar(readByteString(length: readLength()), place, className, at: start)
        case .utf8String:
            return try scalar(readCharacterString(length: UInt64(readByte())), place, className, at: start)
        case .largeUTF8String:
            return try scalar(readCharacterString(length: readLength()), place, className, at: start)
        case .vstring, .largeVString:
            let length = opcode == .vstring ? UInt64(try readByte()) : try readLength()
            try checkString(length, at: start)
            let literal = String(latin1: try readBytes(length))
            return try readVString(literal: literal, place, at: start)

        case .reference, .overload, .weakReference, .weakOverload, .array, .hash:
            preconditionFailure("readObject dispatches marker \(marker) itself")
        case .flagHash:
            let flags = try readByte()
            return try readFlagHash(count: readLength(), flags: flags, place, className, at: start)
        case .largeObject:
            return try readLargeObject(place, className, at: start)

        case .bless, .indexedBless:
            return try readClassMarker(marker, place, at: start)
        case .hook:
            return try readHook(largeString: false, place, at: start)

        case .regexp:
            return try readRegexp(place, className, at: start)
        case .code:
            return try readCode(place, className, at: start)

        case .tiedArray, .tiedHash, .tiedScalar, .tiedKey, .tiedIndex:
            throw StorableDecodingError(.tiedValueRefused, at: start)
        }
    }

    /// Records a new object under the next tag.
    @inline(__always)
    private mutating func see(_ place: Position) throws(StorableDecodingError) -> Int? {
        tagCount += 1
        if tagCount > options.maximumTotalCount {
            throw failure(.totalLimitExceeded(limit: options.maximumTotalCount), at: position)
        }
        if place == .referent {
            referents.append(Referent(tag: tagCount - 1, subtreeEnd: referents.count + 1))
            return referents.count - 1
        }
        return nil
    }

    /// The ordinal of the referent stored under `tag`, or `nil` if that object is a
    /// scalar in a slot. Referents are recorded in tag order.
    private func ordinal(ofTag tag: Int) -> Int? {
        var low = 0
        var high = referents.count
        while low < high {
            let middle = (low + high) / 2
            if referents[middle].tag < tag { low = middle + 1 } else { high = middle }
        }
        return low < referents.count && referents[low].tag == tag ? low : nil
    }

    /// A scalar read in `place`: as it is in a slot, as a reference to it as a referent.
    private mutating func scalar(_ value: PerlValue, _ place: Position, _ className: String?, at start: Int)
        throws(StorableDecodingError) -> PerlValue
    {
        _ = try see(place)
        guard place == .referent else {
            if className != nil { throw blessedSlot(at: start) }
            return value
        }
        return bless(.scalarReference(value), className)
    }

    @inline(never)
    private mutating func readVString(literal: String, _ place: Position, at start: Int)
        throws(StorableDecodingError) -> PerlValue
    {
        // The scalar that follows carries the tag; the vstring magic wraps it.
        let inner = try readObject(.slot, blessedInto: nil)
        switch inner {
        case .bytes, .string:
            break
        default:
            throw StorableDecodingError(.malformed("a vstring must be followed by a string"), at: start)
        }
        let value = PerlValue.vstring(literal: literal, value: inner)
        guard place == .referent else { return value }
        // Re-label the tag the inner read took as a referent.
        referents.append(Referent(tag: tagCount - 1, subtreeEnd: referents.count + 1))
        return .scalarReference(value)
    }

    @inline(never)
    private mutating func readBackReference(tag: UInt64, _ place: Position, at start: Int)
        throws(StorableDecodingError) -> PerlValue
    {
        guard tag < UInt64(tagCount) else {
            throw StorableDecodingError(.invalidBackReference(tag: tag), at: start)
        }
        guard place == .referent else { throw StorableDecodingError(.sharedScalarSlot(tag: tag), at: start) }
        let ordinal: Int
        if Int(tag) == recentBackReferences.last.tag {
            ordinal = recentBackReferences.last.ordinal
        } else if Int(tag) == recentBackReferences.before.tag {
            ordinal = recentBackReferences.before.ordinal
            swap(&recentBackReferences.last, &recentBackReferences.before)
        } else {
            guard let found = self.ordinal(ofTag: Int(tag)) else {
                throw StorableDecodingError(.sharedScalarSlot(tag: tag), at: start)
            }
            ordinal = found
            recentBackReferences.before = recentBackReferences.last
            recentBackReferences.last = (Int(tag), found)
        }
        sharedReferents.insert(ordinal)
        return .alias(Self.anchor(ordinal))
    }

    @inline(never)
    private mutating func readReference(weak: Bool, _ place: Position, _ className: String?, at start: Int)
        throws(StorableDecodingError) -> PerlValue
    {
        // The scalar holding the reference is itself an object: in a slot it simply is
        // the reference value; as a referent (`\\$x`) it is a scalar holding one.
        let ordinal = try see(place)
        try enter(at: start)
        var reference = try readReferent()
        depth -= 1
        if let ordinal { referents[ordinal].subtreeEnd = referents.count }
        if weak { reference = .weak(reference) }
        guard place == .referent else {
            if className != nil { throw blessedSlot(at: start) }
            return reference
        }
        return bless(.scalarReference(reference), className)
    }

    /// The object a reference points at. Most are hashes and arrays, read from here
    /// rather than through another call to ``readObject``.
    @inline(__always)
    private mutating func readReferent() throws(StorableDecodingError) -> PerlValue {
        let start = position
        if start < end {
            switch base[start] {
            case StorableOpcode.hash.rawValue:
                position += 1
                return try readHash(count: readLength(), .referent, nil, at: start)
            case StorableOpcode.array.rawValue:
                position += 1
                return try readArray(count: readLength(), .referent, nil, at: start)
            default:
                break
            }
        }
        return try readObject(.referent, blessedInto: nil)
    }

    @inline(never)
    private mutating func readArray(count: UInt64, _ place: Position, _ className: String?, at start: Int)
        throws(StorableDecodingError) -> PerlValue
    {
        guard place == .referent else { throw containerInSlot(at: start) }
        try checkCount(count, minimumBytesEach: 1, at: start)
        let ordinal = try see(place)!
        try enter(at: start)
        var elements: [PerlValue] = []
        elements.reserveCapacity(Int(count))
        for _ in 0..<count {
            elements.append(try readSlot())
        }
        depth -= 1
        referents[ordinal].subtreeEnd = referents.count
        return bless(.array(elements), className)
    }

    /// A hash without flags (`SX_HASH`), or with them (`SX_FLAG_HASH`). Two functions
    /// with one body: in the first, the code for key flags and restrictions folds away.
    @inline(never)
    private mutating func readHash(count: UInt64, _ place: Position, _ className: String?, at start: Int)
        throws(StorableDecodingError) -> PerlValue
    {
        try readHashBody(count: count, flags: nil, place, className, at: start)
    }

    @inline(never)
    private mutating func readFlagHash(
        count: UInt64, flags hashFlags: UInt8, _ place: Position, _ className: String?, at start: Int
    ) throws(StorableDecodingError) -> PerlValue {
        try readHashBody(count: count, flags: hashFlags, place, className, at: start)
    }

    @inline(__always)
    private mutating func readHashBody(
        count: UInt64, flags hashFlags: UInt8?, _ place: Position, _ className: String?, at start: Int
    ) throws(StorableDecodingError) -> PerlValue {
        guard place == .referent else { throw containerInSlot(at: start) }
        // Each entry is at least a one-byte value and a four-byte key length (or, in a
        // flagged hash, a flags byte and a key stored as a two-byte string object).
        try checkCount(count, minimumBytesEach: hashFlags == nil ? 5 : 4, at: start)
        let ordinal = try see(place)!
        try enter(at: start)
        var restriction: PerlHash.Restriction? =
            (hashFlags ?? 0) & StorableFlags.hashRestricted != 0 ? PerlHash.Restriction() : nil
        let first = entries.count
        for _ in 0..<count {
            let value = try readSlot()
            let keyStart = position
            let keyFlags = hashFlags == nil ? 0 : try readByte()
            let (key, keyHash) =
                keyFlags & StorableFlags.keyIsSV != 0
                ? try readKeyObject(at: keyStart) : try readKey(flags: keyFlags, at: keyStart)
            if keyFlags & StorableFlags.keyPlaceholder != 0 {
                // Perl stores a placeholder's value as its immortal undef, always. Any
                // other value would be read and then dropped, and what reading it left
                // behind (a back-reference marking a referent as shared) would outlive
                // it (found by StorableFuzz, Fuzz/Regressions/StorableFuzz/).
                guard case .hole = value else {
                    throw StorableDecodingError(.malformed("a placeholder key has a value"), at: keyStart)
                }
                restriction?.allowedKeys.append(key)
                continue
            }
            if keyFlags & StorableFlags.keyLocked != 0 {
                restriction?.lockedKeys.insert(key)
            }
            // `consume`: without it the value was copied onto the stack, a retain and a
            // release of every string and container.
            entries.push(PerlHashEntry(key: key, value: consume value, hash: keyHash))
            entryOffsets.append(keyStart)
        }
        var hash = try makeHash(from: first)
        if restriction != nil { hash.restriction = restriction }
        depth -= 1
        referents[ordinal].subtreeEnd = referents.count
        return bless(.hash(hash), className)
    }

    /// The hash of the pending entries from `first` up, which it takes off the stack.
    ///
    /// A Perl hash holds each key once, so no image Perl writes repeats one. Keeping the
    /// last value (as `thaw` would) could drop the only definition of a shared referent
    /// that later values refer back to (found by StorableFuzz,
    /// Fuzz/Regressions/StorableFuzz/), so a repeat is an error.
    private mutating func makeHash(from first: Int) throws(StorableDecodingError) -> PerlHash {
        defer { entryOffsets.removeLast(from: first) }
        if let hash = PerlHash.moving(distinctEntries: entries.elements(from: first)) {
            entries.forget(from: first)
            return hash
        }
        // Two keys with one hash: a repeated key, or a collision.
        var hash = PerlHash(minimumCapacity: entries.count - first)
        defer { entries.removeLast(from: first) }
        for position in first..<entries.count {
            let entry = entries[position]
            if hash.updateValue(entry.value, forKey: entry.key, hash: entry.hash) != nil {
                throw StorableDecodingError(.malformed("a hash stores a key twice"), at: entryOffsets[position])
            }
        }
        return hash
    }

    @inline(never)
    private mutating func readLargeObject(_ place: Position, _ className: String?, at start: Int)
        throws(StorableDecodingError) -> PerlValue
    {
        let marker = try readByte()
        switch StorableOpcode(rawValue: marker) {
        case .object:
            // As in readOtherObject: a class cannot bless what was already read (it was
            // dropped here, unchecked: Fuzz/Regressions/StorableFuzz/allow-list-class-of-unapplied-bless).
            guard className == nil else {
                throw classWithoutNewObject(at: start)
            }
            return try readBackReference(tag: readUInt64(), place, at: start)
        case .largeScalar:
            return try scalar(readByteString(length: readUInt64()), place, className, at: start)
        case .largeUTF8String:
            return try scalar(readCharacterString(length: readUInt64()), place, className, at: start)
        case .array:
            return try readArray(count: readUInt64(), place, className, at: start)
        case .hash:
            return try readHash(count: readUInt64(), place, className, at: start)
        case .flagHash:
            let flags = try readByte()
            return try readFlagHash(count: readUInt64(), flags: flags, place, className, at: start)
        case .hook:
            guard className == nil else {
                throw classWithoutNewObject(at: start)
            }
            return try readHook(largeString: true, place, at: start)
        default:
            throw StorableDecodingError(.invalidOpcode(marker), at: start + 1)
        }
    }

    // MARK: - Objects of classes

    /// `SX_BLESS` (a new class name) or `SX_IX_BLESS` (an index), then the object.
    @inline(never)
    private mutating func readClassMarker(_ marker: UInt8, _ place: Position, at start: Int)
        throws(StorableDecodingError) -> PerlValue
    {
        let first = try readByte()
        let number = first & 0x80 != 0 ? try readLength() : UInt64(first)
        if marker == StorableOpcode.bless.rawValue {
            let name = try readClassName(length: number, at: start)
            classNames.append(name)
            return try readBlessed(name, place, at: start)
        }
        guard number < UInt64(classNames.count) else {
            throw failure(.invalidClassIndex(Int(clamping: number)), at: start)
        }
        return try readBlessed(classNames[Int(number)], place, at: start)
    }

    @inline(never)
    private mutating func readBlessed(_ className: String, _ place: Position, at start: Int)
        throws(StorableDecodingError) -> PerlValue
    {
        try admit(className, at: start)
        return try readObject(place, blessedInto: className)
    }

    private func admit(_ className: String, at start: Int) throws(StorableDecodingError) {
        switch options.blessedValues {
        case .allowAll: return
        case .refuseAll: break
        case .allow(let classes): if classes.contains(className) { return }
        }
        throw StorableDecodingError(.blessedValueRefused(className: className), at: start)
    }

    private func bless(_ reference: PerlValue, _ className: String?) -> PerlValue {
        guard let className else { return reference }
        return .blessed(class: className, reference)
    }

    /// `SX_HOOK`: an object its class froze itself. Layout (Storable.xs, `store_hook`):
    /// `flags [extra]`, then while `flags` asks for recursion an object and new `flags`;
    /// then the class (name or index), the frozen string, and the tags of the extra
    /// references.
    @inline(never)
    private mutating func readHook(largeString: Bool, _ place: Position, at start: Int)
        throws(StorableDecodingError) -> PerlValue
    {
        guard place == .referent else { throw containerInSlot(at: start) }
        var flags = try readByte()
        guard let kind = PerlHookedObject.Kind(rawValue: flags & StorableFlags.hookTypeMask) else {
            throw StorableDecodingError(.tiedValueRefused, at: start)  // SHT_EXTRA: a tied object
        }
        let objectOrdinal = try see(.referent)!
        try enter(at: start)

        // Objects stored on the way, by ordinal: the first listing of each is where the
        // value tree holds it.
        var recursed: [(ordinal: Int, value: PerlValue)] = []
        while flags & StorableFlags.hookNeedsRecursion != 0 {
            let ordinal = referents.count
            let value = try readObject(.referent, blessedInto: nil)
            if case .alias = value {
                throw StorableDecodingError(.malformed("a hook recursed into an object already stored"), at: start)
            }
            recursed.append((ordinal, value))
            flags = try readByte()
            guard flags & StorableFlags.hookTypeMask == kind.rawValue else {
                throw StorableDecodingError(.malformed("hook flags change the object type"), at: position - 1)
            }
        }

        let className: String
        if flags & StorableFlags.hookIndexedClassName != 0 {
            let index = flags & StorableFlags.hookLargeClassLength != 0 ? try readLength() : UInt64(try readByte())
            guard index < UInt64(classNames.count) else {
                throw StorableDecodingError(.invalidClassIndex(Int(clamping: index)), at: start)
            }
            className = classNames[Int(index)]
        } else {
            let length = flags & StorableFlags.hookLargeClassLength != 0 ? try readLength() : UInt64(try readByte())
            className = try readClassName(length: length, at: start)
            classNames.append(className)
        }
        try admit(className, at: start)

        let serializedLength: UInt64
        if largeString {
            serializedLength = try readUInt64()
        } else if flags & StorableFlags.hookLargeStringLength != 0 {
            serializedLength = try readLength()
        } else {
            serializedLength = UInt64(try readByte())
        }
        try checkString(serializedLength, at: start)
        let serialized = try readBytes(serializedLength)

        var references: [PerlValue] = []
        if flags & StorableFlags.hookHasList != 0 {
            var count: UInt64
            var wideTags = false
            if flags & StorableFlags.hookLargeListLength != 0 {
                let raw = try readUInt32()
                let signed = Int32(bitPattern: isNetworkOrder || isBigEndian ? UInt32(bigEndian: raw) : UInt32(littleEndian: raw))
                wideTags = signed < 0
                count = UInt64(signed.magnitude)
            } else {
                count = UInt64(try readByte())
            }
            try checkCount(count, minimumBytesEach: wideTags ? 8 : 4, at: start)
            references.reserveCapacity(Int(count))
            var nextRecursed = 0
            for _ in 0..<count {
                let tagStart = position
                let tag = wideTags ? try readUInt64() : UInt64(try readUInt32BigEndian())
                guard tag < UInt64(tagCount) else {
                    throw StorableDecodingError(.invalidBackReference(tag: tag), at: tagStart)
                }
                guard let ordinal = ordinal(ofTag: Int(tag)) else {
                    throw StorableDecodingError(.sharedScalarSlot(tag: tag), at: tagStart)
                }
                if nextRecursed < recursed.count, recursed[nextRecursed].ordinal == ordinal {
                    references.append(recursed[nextRecursed].value)
                    nextRecursed += 1
                } else if recursed.dropFirst(nextRecursed).contains(where: { $0.ordinal == ordinal }) {
                    throw StorableDecodingError(
                        .malformed("hook references list the objects stored with it out of order"), at: tagStart)
                } else {
                    sharedReferents.insert(ordinal)
                    references.append(.alias(Self.anchor(ordinal)))
                }
            }
            guard nextRecursed == recursed.count else {
                throw StorableDecodingError(.malformed("an object stored with a hook is not in its list"), at: start)
            }
        } else if !recursed.isEmpty {
            throw StorableDecodingError(.malformed("an object stored with a hook is not in its list"), at: start)
        }
        depth -= 1
        referents[objectOrdinal].subtreeEnd = referents.count
        return .hooked(
            PerlHookedObject(className: className, kind: kind, serialized: serialized, references: references))
    }

    @inline(never)
    private mutating func readRegexp(_ place: Position, _ className: String?, at start: Int)
        throws(StorableDecodingError) -> PerlValue
    {
        guard place == .referent else { throw containerInSlot(at: start) }
        _ = try see(place)
        let flags = try readByte()
        let length = flags & StorableFlags.regexpLongPattern != 0 ? try readLength() : UInt64(try readByte())
        try checkString(length, at: start)
        let pattern = String(latin1: try readBytes(length))
        let modifiers = String(latin1: try readBytes(UInt64(readByte())))
        return bless(.regexp(pattern: pattern, flags: modifiers), className)
    }

    @inline(never)
    private mutating func readCode(_ place: Position, _ className: String?, at start: Int)
        throws(StorableDecodingError) -> PerlValue
    {
        guard options.codeReferences == .keepSource else {
            throw StorableDecodingError(.codeReferenceRefused, at: start)
        }
        guard place == .referent else { throw containerInSlot(at: start) }
        _ = try see(place)
        let textStart = position
        let text: PerlValue
        switch StorableOpcode(rawValue: try readByte()) {
        case .scalar: text = try readByteString(length: UInt64(readByte()))
        case .largeScalar: text = try readByteString(length: readLength())
        case .utf8String: text = try readCharacterString(length: UInt64(readByte()))
        case .largeUTF8String: text = try readCharacterString(length: readLength())
        default: throw StorableDecodingError(.malformed("code must be followed by its source text"), at: textStart)
        }
        _ = try see(.slot)  // Perl tags the source string too
        return bless(.code(text.stringValue ?? ""), className)
    }

    // MARK: - Limits

    @inline(__always)
    private mutating func enter(at start: Int) throws(StorableDecodingError) {
        depth += 1
        if depth > options.maximumDepth { throw failure(.depthLimitExceeded(limit: options.maximumDepth), at: start) }
    }

    /// Builds an error out of line, so that the many throwing checks on the recursion
    /// path do not each reserve room for one in their callers' stack frames.
    @inline(never)
    private func failure(_ kind: StorableDecodingError.Kind, at offset: Int) -> StorableDecodingError {
        StorableDecodingError(kind, at: offset)
    }

    /// Refuses a declared count beyond the limit or beyond what the rest of the image
    /// could hold, before anything is allocated for it.
    @inline(__always)
    private func checkCount(_ count: UInt64, minimumBytesEach: Int, at start: Int) throws(StorableDecodingError) {
        if count > UInt64(options.maximumContainerCount) {
            throw failure(.containerLimitExceeded(count: count, limit: options.maximumContainerCount), at: start)
        }
        if count > UInt64((end - position) / minimumBytesEach) { throw failure(.truncated, at: end) }
    }

    private func checkString(_ length: UInt64, at start: Int) throws(StorableDecodingError) {
        if length > UInt64(options.maximumStringLength) {
            throw StorableDecodingError(
                .stringLimitExceeded(length: length, limit: options.maximumStringLength), at: start)
        }
    }

    @inline(never)
    private func containerInSlot(at start: Int) -> StorableDecodingError {
        StorableDecodingError(.malformed("an array, hash or object stored in place of a scalar"), at: start)
    }

    @inline(never)
    private func classWithoutNewObject(at start: Int) -> StorableDecodingError {
        StorableDecodingError(.malformed("a class name must be followed by a new object"), at: start)
    }

    private func blessedSlot(at start: Int) -> StorableDecodingError {
        StorableDecodingError(.malformed("a blessed scalar stored in place (not behind a reference)"), at: start)
    }

    // MARK: - Primitive reads

    @inline(__always)
    private mutating func readByte() throws(StorableDecodingError) -> UInt8 {
        guard position < end else { throw failure(.truncated, at: position) }
        defer { position += 1 }
        return base[position]
    }

    @inline(__always)
    private mutating func readUInt32() throws(StorableDecodingError) -> UInt32 {
        guard end - position >= 4 else { throw failure(.truncated, at: end) }
        let raw = UnsafeRawPointer(base + position).loadUnaligned(as: UInt32.self)
        position += 4
        return raw
    }

    @inline(__always)
    private mutating func readUInt32BigEndian() throws(StorableDecodingError) -> UInt32 {
        UInt32(bigEndian: try readUInt32())
    }

    /// A length or count in the image's order (Storable's `RLEN`: a C `int`). Negative
    /// values are malformed.
    @inline(__always)
    private mutating func readLength() throws(StorableDecodingError) -> UInt64 {
        let start = position
        let raw = try readUInt32()
        let value = Int32(bitPattern: isNetworkOrder || isBigEndian ? UInt32(bigEndian: raw) : UInt32(littleEndian: raw))
        guard value >= 0 else { throw failure(.malformed("negative length \(value)"), at: start) }
        return UInt64(value)
    }

    /// A 64-bit length (`SX_LOBJECT`): high word first in network order.
    private mutating func readUInt64() throws(StorableDecodingError) -> UInt64 {
        guard end - position >= 8 else { throw StorableDecodingError(.truncated, at: end) }
        let raw = UnsafeRawPointer(base + position).loadUnaligned(as: UInt64.self)
        position += 8
        return isNetworkOrder || isBigEndian ? UInt64(bigEndian: raw) : UInt64(littleEndian: raw)
    }

    private mutating func readNativeInteger() throws(StorableDecodingError) -> Int64 {
        if integerSize == 4 {
            let raw = try readUInt32()
            return Int64(Int32(bitPattern: isBigEndian ? UInt32(bigEndian: raw) : UInt32(littleEndian: raw)))
        }
        guard end - position >= 8 else { throw StorableDecodingError(.truncated, at: end) }
        let raw = UnsafeRawPointer(base + position).loadUnaligned(as: UInt64.self)
        position += 8
        return Int64(bitPattern: isBigEndian ? UInt64(bigEndian: raw) : UInt64(littleEndian: raw))
    }

    private mutating func readNativeDouble() throws(StorableDecodingError) -> Double {
        guard end - position >= 8 else { throw StorableDecodingError(.truncated, at: end) }
        let raw = UnsafeRawPointer(base + position).loadUnaligned(as: UInt64.self)
        position += 8
        return Double(bitPattern: isBigEndian ? UInt64(bigEndian: raw) : UInt64(littleEndian: raw))
    }

    private mutating func readBytes(_ length: UInt64) throws(StorableDecodingError) -> [UInt8] {
        guard length <= UInt64(end - position) else { throw StorableDecodingError(.truncated, at: end) }
        let count = Int(length)
        defer { position += count }
        return Array(UnsafeBufferPointer(start: base + position, count: count))
    }

    /// A hash key stored as a length and bytes, read as its `flags` say, with its index
    /// hash. Keys repeat from record to record: one read before is taken from the cache,
    /// sharing its storage (as Perl shares hash keys) and its hash, usually as the key
    /// that followed the previous one last time, without hashing its bytes.
    private mutating func readKey(flags: UInt8, at keyStart: Int) throws(StorableDecodingError)
        -> (PerlHash.Key, Int)
    {
        let lengthStart = position
        let length = try readLength()
        try checkString(length, at: lengthStart)
        guard length <= UInt64(end - position) else { throw failure(.truncated, at: end) }
        let bytes = UnsafeRawBufferPointer(start: base + position, count: Int(length))
        position += bytes.count
        let kind = flags & (StorableFlags.keyUTF8 | StorableFlags.keyWasUTF8)
        if let (cached, hash) = keyCache.predicted(bytes), cached.kind == kind { return (cached.key, hash) }
        let rawHash = PerlHash.Key.indexHash(latin1: bytes)
        if let cached = keyCache.lookup(bytes, hash: rawHash), cached.kind == kind { return (cached.key, cached.hash) }

        let key: PerlHash.Key
        let hash: Int
        if kind & StorableFlags.keyUTF8 != 0 {
            guard let text = UTF8Validation.string(validating: bytes.assumingMemoryBound(to: UInt8.self)) else {
                throw failure(.invalidUTF8, at: keyStart)
            }
            key = .string(text)
            hash = key.indexHash
        } else if kind & StorableFlags.keyWasUTF8 != 0 {
            key = .string(String(latin1: bytes))
            hash = rawHash
        } else {
            key = .bytes(PerlBytes(bytes))
            hash = rawHash
        }
        keyCache.store(CachedKey(key: key, hash: hash, kind: kind), for: bytes, hash: rawHash)
        return (key, hash)
    }

    /// A key stored as a string object (`SHV_K_ISSV`).
    @inline(never)
    private mutating func readKeyObject(at keyStart: Int) throws(StorableDecodingError) -> (PerlHash.Key, Int) {
        let key: PerlHash.Key
        switch try readObject(.slot, blessedInto: nil) {
        case .bytes(let bytes): key = .bytes(bytes)
        case .string(let text): key = .string(text)
        default:
            throw StorableDecodingError(.malformed("a hash key object is not a string"), at: keyStart)
        }
        return (key, key.indexHash)
    }

    private mutating func readByteString(length: UInt64) throws(StorableDecodingError) -> PerlValue {
        try checkString(length, at: position)
        guard length <= UInt64(end - position) else { throw StorableDecodingError(.truncated, at: end) }
        let bytes = UnsafeRawBufferPointer(start: base + position, count: Int(length))
        position += bytes.count
        return .bytes(PerlBytes(bytes))
    }

    private mutating func readCharacterString(length: UInt64) throws(StorableDecodingError) -> PerlValue {
        let start = position
        try checkString(length, at: start)
        guard length <= UInt64(end - position) else { throw StorableDecodingError(.truncated, at: end) }
        let bytes = UnsafeBufferPointer(start: base + position, count: Int(length))
        guard let text = UTF8Validation.string(validating: bytes) else {
            throw StorableDecodingError(.invalidUTF8, at: start)
        }
        position += Int(length)
        return .string(text)
    }

    private mutating func readClassName(length: UInt64, at start: Int) throws(StorableDecodingError) -> String {
        try checkString(length, at: start)
        let bytes = try readBytes(length)
        guard let name = String(validating: bytes, as: UTF8.self) else {
            throw StorableDecodingError(.invalidUTF8, at: start)
        }
        return name
    }
}

/// A referent the reader has read: the tag it was stored under, and the ordinal after its
/// last descendant (so that the second pass can skip whole subtrees that share nothing).
private struct Referent {
    let tag: Int
    var subtreeEnd: Int
}

/// The second pass, run only when some referent is shared: wraps each shared referent in
/// `.anchored` where the tree first visits it. Subtrees without a shared referent are
/// kept as they are, so the cost follows the paths to shared referents, not the value.
private struct Anchoring {
    /// Shared ordinals, ascending.
    let shared: [Int]
    let referents: [Referent]
    var ordinal = 0

    init(shared: [Int], referents: [Referent]) {
        self.shared = shared
        self.referents = referents
    }

    /// Whether a shared ordinal lies in `range`.
    private func holdsShared(_ range: Range<Int>) -> Bool {
        var low = 0
        var high = shared.count
        while low < high {
            let middle = (low + high) / 2
            if shared[middle] < range.lowerBound { low = middle + 1 } else { high = middle }
        }
        return low < shared.count && shared[low] < range.upperBound
    }

    mutating func rewrite(_ value: PerlValue) -> PerlValue {
        switch value {
        case .undef, .hole, .integer, .unsigned, .double, .bytes, .string, .bool, .vstring, .alias:
            return value
        case .weak(let reference):
            return .weak(rewrite(reference))
        case .anchored(_, let reference):
            return rewrite(reference)  // not produced by the reader
        case .array, .hash, .scalarReference, .regexp, .code, .hooked, .blessed:
            let mine = ordinal
            let end = referents[mine].subtreeEnd
            guard holdsShared(mine..<end) else {
                ordinal = end
                return value
            }
            ordinal += 1
            let contents = rewriteContents(value)
            return holdsShared(mine..<(mine + 1)) ? .anchored(StorableReader.anchor(mine), contents) : contents
        }
    }

    private mutating func rewriteContents(_ value: PerlValue) -> PerlValue {
        switch value {
        case .blessed(let className, let referent):
            return .blessed(class: className, rewriteContents(referent))
        case .array(var elements):
            for index in elements.indices { elements[index] = rewrite(elements[index]) }
            return .array(elements)
        case .hash(var hash):
            hash.transformValues { rewrite($0) }
            return .hash(hash)
        case .scalarReference(let target):
            return .scalarReference(rewrite(target))
        case .hooked(var object):
            object.references = object.references.map { rewrite($0) }
            return .hooked(object)
        default:
            return value
        }
    }
}

/// Ordinals of referents, one bit each: the referents some back-reference points at.
private struct OrdinalSet {
    private var words: [UInt64] = []
    private(set) var isEmpty = true

    mutating func insert(_ ordinal: Int) {
        let word = ordinal >> 6
        if word >= words.count { words.append(contentsOf: repeatElement(0, count: word + 1 - words.count)) }
        words[word] |= 1 << UInt64(ordinal & 63)
        isEmpty = false
    }

    /// The ordinals, ascending.
    func sorted() -> [Int] {
        var result: [Int] = []
        for (index, word) in words.enumerated() {
            var bits = word
            while bits != 0 {
                result.append(index << 6 | bits.trailingZeroBitCount)
                bits &= bits - 1
            }
        }
        return result
    }
}

/// A hash key as the reader made it, kept in its `RepeatedKeyCache` under the bytes it
/// was read from.
private struct CachedKey {
    var key: PerlHash.Key
    /// The key's `PerlHash.Key.indexHash` (for a UTF-8 key, not the hash of its bytes).
    var hash: Int
    /// The flags that said how to read the bytes (`keyUTF8`, `keyWasUTF8`): the same
    /// bytes make another key under other flags.
    var kind: UInt8
}
