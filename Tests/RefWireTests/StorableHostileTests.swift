import RefWire
import Testing

/// Hostile Storable images, built here from valid ones: forged counts and lengths,
/// 64-bit lengths, truncation at every byte, markers that are not markers, bad
/// back-references and class indexes, nesting 100,000 deep, text that is not UTF-8, tied
/// values, code, trailing bytes. Each must fail with its typed error, without a crash.
///
/// Bounded time and memory by construction, not by timing: every image here is at most
/// 1.5 MB (checked by `imagesAreSmall`), the decoder makes one pass over its input
/// and checks every declared count or length against its limits and against the bytes
/// that remain before allocating anything for it, and it stops nesting at the depth
/// limit (512 by default) before recursing deeper. So no case can do more than a few
/// MiB of work, whatever it declares.
@Suite("Storable hostile inputs")
struct StorableHostileTests {
    @Test("Every hostile image is small, so that every case is fast by construction")
    func imagesAreSmall() {
        let cases = Self.cases
        #expect(cases.count >= 150, "only \(cases.count) hostile cases")
        for hostile in cases {
            #expect(hostile.image.count <= 1_500_000, "\(hostile.name) is \(hostile.image.count) bytes")
        }
        #expect(Set(cases.map(\.name)).count == cases.count, "case names must be unique")
        // The truncation sources come from Spec/vectors/storable: none found must fail.
        #expect(Self.truncationImages.count >= 25, "only \(Self.truncationImages.count) truncation sources")
        print("StorableHostile: \(cases.count) cases, plus truncation at every byte of \(Self.truncationImages.count) images")
    }

    @Test("Hostile image fails with its typed error", arguments: Self.cases)
    func fails(_ hostile: HostileCase) {
        do {
            let value = try StorableDecoder(options: hostile.options).decode(hostile.image)
            Issue.record("decoded \(String(describing: value).prefix(200)); expected \(hostile.expectedName)")
        } catch {
            #expect(error.kind.identifier == hostile.expectedName, "\(error)")
            if let exact = hostile.exactKind {
                #expect(error.kind == exact, "\(error)")
            }
            if let offset = hostile.offset {
                #expect(error.offset == offset, "\(error)")
            }
            #expect(error.offset >= 0 && error.offset <= hostile.image.count, "offset \(error.offset) outside the image")
        }
    }

    @Test("Truncation at every byte fails as truncated", arguments: Self.truncationImages)
    func truncatedEverywhere(_ source: TruncationSource) throws {
        let options = source.options
        // The whole image decodes; every strict prefix fails.
        _ = try StorableDecoder(options: options).decode(source.image)
        for length in 0..<source.image.count {
            let prefix = source.image[..<length]
            do {
                let value = try StorableDecoder(options: options).decode(prefix)
                Issue.record("\(length) of \(source.image.count) bytes decoded: \(value)")
            } catch {
                // A prefix of the file magic `pst0` (p, ps, pst) is no header at all.
                let isMagicPrefix = source.image.starts(with: Array("pst0".utf8)) && (1...3).contains(length)
                let expected = isMagicPrefix ? "unsupported_version" : "truncated"
                #expect(error.kind.identifier == expected, "prefix of \(length) bytes: \(error)")
                #expect(error.offset <= length, "prefix of \(length) bytes: \(error)")
            }
        }
    }

    @Test("Trailing bytes are allowed when the option says so")
    func trailingBytesAllowed() throws {
        var options = StorableDecodingOptions()
        options.rejectsTrailingBytes = false
        let image = Self.network + [StorableMarker.byte, 0x81] + Array(repeating: 0xAB, count: 1000)
        #expect(try StorableDecoder(options: options).decode(image) == .scalarReference(.integer(1)))
    }

    @Test("A 100,000-deep image decodes to its depth limit, and no deeper, at any limit")
    func depthLimitIsExact() throws {
        let image = Self.deep(prefix: [], level: [StorableMarker.reference], count: 100_000)
        for limit in [1, 2, 10, 100, 512] {
            var options = StorableDecodingOptions()
            options.maximumDepth = limit
            #expect(throws: StorableDecodingError.self) { try StorableDecoder(options: options).decode(image) }
            // A chain of exactly `limit` references (each one level; the last holds undef)
            // decodes; one more does not.
            let fits = Self.network + Array(repeating: StorableMarker.reference, count: limit) + [StorableMarker.undef]
            #expect(throws: Never.self) { try StorableDecoder(options: options).decode(fits) }
            let tooDeep = Self.network + Array(repeating: StorableMarker.reference, count: limit + 1) + [StorableMarker.undef]
            do {
                _ = try StorableDecoder(options: options).decode(tooDeep)
                Issue.record("\(limit + 1) levels decoded with maximumDepth \(limit)")
            } catch {
                #expect(error.kind == .depthLimitExceeded(limit: limit))
            }
        }
    }
}

// MARK: - Cases

/// One hostile image and the error it must give.
struct HostileCase: Sendable, CustomTestStringConvertible {
    var name: String
    var image: [UInt8]
    var options = StorableDecodingOptions()
    /// The kind's snake_case name (as in `Spec/vectors/storable`).
    var expectedName: String
    /// The exact kind, payload included, where the payload is meaningful.
    var exactKind: StorableDecodingError.Kind?
    var offset: Int?

    var testDescription: String { name }
}

/// A valid image whose every strict prefix must fail.
struct TruncationSource: Sendable, CustomTestStringConvertible {
    var name: String
    var image: [UInt8]
    var options = StorableDecodingOptions()
    var testDescription: String { "\(name) (\(image.count) bytes)" }
}

/// Storable's markers, by name (Storable.xs `SX_*`).
enum StorableMarker {
    static let object: UInt8 = 0
    static let largeScalar: UInt8 = 1
    static let array: UInt8 = 2
    static let hash: UInt8 = 3
    static let reference: UInt8 = 4
    static let undef: UInt8 = 5
    static let integer: UInt8 = 6
    static let double: UInt8 = 7
    static let byte: UInt8 = 8
    static let networkInteger: UInt8 = 9
    static let scalar: UInt8 = 10
    static let tiedArray: UInt8 = 11
    static let tiedHash: UInt8 = 12
    static let tiedScalar: UInt8 = 13
    static let svUndef: UInt8 = 14
    static let bless: UInt8 = 17
    static let indexedBless: UInt8 = 18
    static let hook: UInt8 = 19
    static let overload: UInt8 = 20
    static let tiedKey: UInt8 = 21
    static let tiedIndex: UInt8 = 22
    static let utf8String: UInt8 = 23
    static let largeUTF8String: UInt8 = 24
    static let flagHash: UInt8 = 25
    static let code: UInt8 = 26
    static let weakReference: UInt8 = 27
    static let weakOverload: UInt8 = 28
    static let vstring: UInt8 = 29
    static let largeVString: UInt8 = 30
    static let regexp: UInt8 = 32
    static let largeObject: UInt8 = 33
}

extension StorableHostileTests {
    typealias M = StorableMarker

    /// The nfreeze header: major 2, network order; minor 11.
    static let network: [UInt8] = [0x05, 0x0B]
    /// The freeze header of a 64-bit little-endian Perl.
    static let native: [UInt8] = [0x04, 0x0B, 0x08] + Array("12345678".utf8) + [0x04, 0x08, 0x08, 0x08]

    static let defaultContainerLimit = StorableDecodingOptions().maximumContainerCount
    static let defaultStringLimit = StorableDecodingOptions().maximumStringLength

    static func u32(_ value: UInt32) -> [UInt8] {
        [UInt8(truncatingIfNeeded: value >> 24), UInt8(truncatingIfNeeded: value >> 16),
         UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
    }

    static func u64(_ value: UInt64) -> [UInt8] {
        u32(UInt32(truncatingIfNeeded: value >> 32)) + u32(UInt32(truncatingIfNeeded: value))
    }

    static func text(_ string: String) -> [UInt8] { Array(string.utf8) }

    /// `count` copies of `level` after the header and `prefix`: a chain nested that deep.
    static func deep(prefix: [UInt8], level: [UInt8], count: Int) -> [UInt8] {
        var image = network + prefix
        image.reserveCapacity(image.count + level.count * count)
        for _ in 0..<count { image += level }
        return image
    }

    /// A hook record of class `Hooked` (hash object, string "x") with `flags` added and
    /// `tail` (the list) after the string.
    static func hook(flags: UInt8, classPart: [UInt8] = [6] + text("Hooked"), string: [UInt8] = [1] + text("x"),
                     tail: [UInt8] = []) -> [UInt8] {
        network + [M.hook, 0x02 | flags] + classPart + string + tail
    }

    static let cases: [HostileCase] = forgedCounts + largeObjects + markers + backReferences + classIndexes
        + deepNesting + invalidText + tiedAndCode + trailing + versions + limits

    // MARK: Forged counts and lengths: 2^31 - 1 (beyond every limit) and 2^31 (negative)

    static var forgedCounts: [HostileCase] {
        let maxInt32: UInt32 = 0x7FFF_FFFF
        let negative: UInt32 = 0x8000_0000
        let huge = UInt64(maxInt32)
        var cases: [HostileCase] = []
        func pair(_ name: String, limit: String, exact: (UInt64) -> StorableDecodingError.Kind?, _ build: (UInt32) -> [UInt8]) {
            cases.append(HostileCase(name: "\(name)_2p31_minus_1", image: build(maxInt32), expectedName: limit, exactKind: exact(huge)))
            cases.append(HostileCase(name: "\(name)_2p31_negative", image: build(negative), expectedName: "malformed"))
            cases.append(HostileCase(name: "\(name)_minus_1", image: build(0xFFFF_FFFF), expectedName: "malformed"))
        }
        let containerLimit = { (count: UInt64) in StorableDecodingError.Kind.containerLimitExceeded(count: count, limit: defaultContainerLimit) }
        let stringLimit = { (length: UInt64) in StorableDecodingError.Kind.stringLimitExceeded(length: length, limit: defaultStringLimit) }
        pair("array_count", limit: "container_limit_exceeded", exact: containerLimit) { network + [M.array] + u32($0) + [M.byte, 0x81] }
        pair("hash_count", limit: "container_limit_exceeded", exact: containerLimit) {
            network + [M.hash] + u32($0) + [M.byte, 0x81] + u32(1) + text("a")
        }
        pair("flag_hash_count", limit: "container_limit_exceeded", exact: containerLimit) {
            network + [M.flagHash, 0x00] + u32($0) + [M.byte, 0x81, 0x00] + u32(1) + text("a")
        }
        pair("large_scalar_length", limit: "string_limit_exceeded", exact: stringLimit) { network + [M.largeScalar] + u32($0) + text("abc") }
        pair("large_utf8_length", limit: "string_limit_exceeded", exact: stringLimit) { network + [M.largeUTF8String] + u32($0) + text("abc") }
        pair("large_vstring_length", limit: "string_limit_exceeded", exact: stringLimit) {
            network + [M.largeVString] + u32($0) + text("v1") + [M.scalar, 1, 1]
        }
        pair("hash_key_length", limit: "string_limit_exceeded", exact: stringLimit) {
            network + [M.hash] + u32(1) + [M.byte, 0x81] + u32($0) + text("a")
        }
        pair("flag_hash_key_length", limit: "string_limit_exceeded", exact: stringLimit) {
            network + [M.flagHash, 0x00] + u32(1) + [M.byte, 0x81, 0x01] + u32($0) + text("a")
        }
        pair("bless_class_length", limit: "string_limit_exceeded", exact: stringLimit) {
            network + [M.bless, 0x80] + u32($0) + text("A") + [M.hash] + u32(0)
        }
        pair("regexp_pattern_length", limit: "string_limit_exceeded", exact: stringLimit) {
            network + [M.bless, 6] + text("Regexp") + [M.regexp, 0x01] + u32($0) + text("a") + [0]
        }
        pair("hook_string_length", limit: "string_limit_exceeded", exact: stringLimit) {
            hook(flags: 0x08, string: u32($0) + text("x"))
        }
        pair("hook_class_length", limit: "string_limit_exceeded", exact: stringLimit) {
            hook(flags: 0x04, classPart: u32($0) + text("Hooked"))
        }
        pair("native_array_count", limit: "container_limit_exceeded", exact: containerLimit) {
            native + [M.array] + u32($0).reversed() + [M.byte, 0x81]
        }
        // A hook's reference list: 4-byte count in the image's order (large-list flag).
        // A negative count means 8-byte tags; 2^31 of them are still beyond the limit.
        cases.append(HostileCase(
            name: "hook_list_count_2p31_minus_1", image: hook(flags: 0x90, tail: u32(maxInt32) + u32(0)),
            expectedName: "container_limit_exceeded", exactKind: containerLimit(huge)))
        cases.append(HostileCase(
            name: "hook_list_count_2p31_negative", image: hook(flags: 0x90, tail: u32(negative) + u64(0)),
            expectedName: "container_limit_exceeded", exactKind: containerLimit(UInt64(negative))))
        cases.append(HostileCase(
            name: "native_hook_list_count_2p31_minus_1",
            image: native + [M.hook, 0x92, 6] + text("Hooked") + [1] + text("x") + u32(maxInt32).reversed() + [0, 0, 0, 0],
            expectedName: "container_limit_exceeded", exactKind: containerLimit(huge)))
        // Counts within the limits but beyond the bytes that follow: refused before
        // anything is allocated for them.
        for (name, image) in [
            ("array_count_16m_in_5_bytes", network + [M.array] + u32(UInt32(defaultContainerLimit)) + [M.byte, 0x81]),
            ("hash_count_1m", network + [M.hash] + u32(1_000_000) + [M.byte, 0x81] + u32(1) + text("a")),
            ("large_scalar_64m", network + [M.largeScalar] + u32(UInt32(defaultStringLimit)) + text("abc")),
            ("hook_list_count_1m", hook(flags: 0x90, tail: u32(1_000_000) + u32(0))),
            ("hook_list_count_200_short", hook(flags: 0x80, tail: [200] + u32(0))),
            ("hook_string_200_short", hook(flags: 0, string: [200] + text("x"))),
            ("scalar_255_short", network + [M.scalar, 255] + text("abc")),
            ("utf8_255_short", network + [M.utf8String, 255] + text("abc")),
            ("vstring_255_short", network + [M.vstring, 255] + text("v1")),
            ("class_127_short", network + [M.bless, 127] + text("A")),
            ("regexp_flags_short", network + [M.bless, 6] + text("Regexp") + [M.regexp, 0, 1] + text("a") + [9] + text("i")),
        ] {
            cases.append(HostileCase(name: name, image: image, expectedName: "truncated"))
        }
        return cases
    }

    // MARK: SX_LOBJECT: 64-bit lengths

    static var largeObjects: [HostileCase] {
        var cases: [HostileCase] = []
        for (label, length) in [("2p63", UInt64(1) << 63), ("2p64_minus_1", UInt64.max), ("2p32", UInt64(1) << 32)] {
            let stringLimit = StorableDecodingError.Kind.stringLimitExceeded(length: length, limit: defaultStringLimit)
            let containerLimit = StorableDecodingError.Kind.containerLimitExceeded(count: length, limit: defaultContainerLimit)
            cases += [
                HostileCase(name: "lobject_scalar_\(label)", image: network + [M.largeObject, M.largeScalar] + u64(length) + text("x"),
                            expectedName: "string_limit_exceeded", exactKind: stringLimit),
                HostileCase(name: "lobject_utf8_\(label)", image: network + [M.largeObject, M.largeUTF8String] + u64(length) + text("x"),
                            expectedName: "string_limit_exceeded", exactKind: stringLimit),
                HostileCase(name: "lobject_array_\(label)", image: network + [M.largeObject, M.array] + u64(length) + [M.undef],
                            expectedName: "container_limit_exceeded", exactKind: containerLimit),
                HostileCase(name: "lobject_hash_\(label)", image: network + [M.largeObject, M.hash] + u64(length) + [M.undef],
                            expectedName: "container_limit_exceeded", exactKind: containerLimit),
                HostileCase(name: "lobject_flag_hash_\(label)", image: network + [M.largeObject, M.flagHash, 0] + u64(length) + [M.undef],
                            expectedName: "container_limit_exceeded", exactKind: containerLimit),
                HostileCase(name: "lobject_object_\(label)", image: network + [M.array] + u32(1) + [M.reference, M.largeObject, M.object] + u64(length),
                            expectedName: "invalid_back_reference", exactKind: .invalidBackReference(tag: length)),
                HostileCase(name: "lobject_hook_string_\(label)",
                            image: network + [M.largeObject, M.hook, 0x02, 6] + text("Hooked") + u64(length) + text("x"),
                            expectedName: "string_limit_exceeded", exactKind: stringLimit),
            ]
        }
        cases += [
            HostileCase(name: "lobject_of_reference", image: network + [M.largeObject, M.reference] + u64(1) + [M.undef],
                        expectedName: "invalid_opcode", exactKind: .invalidOpcode(M.reference)),
            HostileCase(name: "lobject_of_lobject", image: network + [M.largeObject, M.largeObject] + u64(1),
                        expectedName: "invalid_opcode", exactKind: .invalidOpcode(M.largeObject)),
            HostileCase(name: "lobject_truncated_length", image: network + [M.largeObject, M.largeScalar, 0, 0, 0],
                        expectedName: "truncated"),
            HostileCase(name: "lobject_within_limits_beyond_input",
                        image: network + [M.largeObject, M.largeScalar] + u64(1 << 20) + text("x"), expectedName: "truncated"),
        ]
        return cases
    }

    /// A hash of 20 keys whose last repeats its sixth: hashes past
    /// `PerlHash.indexThreshold` keys find repeats through their index.
    static var repeatedKeyPastIndexThreshold: HostileCase {
        var image = network + [M.hash] + u32(20)
        for index in 0..<19 { image += [M.byte, 0x80] + u32(UInt32(text("k\(index)").count)) + text("k\(index)") }
        let lastKey = image.count + 2
        image += [M.byte, 0x80] + u32(2) + text("k5")
        return HostileCase(name: "hash_repeats_a_key_past_the_index_threshold", image: image, expectedName: "malformed",
                           offset: lastKey)
    }

    // MARK: Markers that are not markers, or not here

    static var markers: [HostileCase] {
        var cases: [HostileCase] = []
        for byte in UInt8(36)...UInt8(255) {
            cases.append(HostileCase(name: "invalid_marker_\(byte)", image: network + [byte], expectedName: "invalid_opcode",
                                     exactKind: .invalidOpcode(byte), offset: 2))
        }
        for byte: UInt8 in [36, 64, 127, 200, 255] {
            cases.append(HostileCase(name: "invalid_marker_\(byte)_as_element", image: network + [M.array] + u32(2) + [M.undef, byte],
                                     expectedName: "invalid_opcode", exactKind: .invalidOpcode(byte), offset: 8))
            cases.append(HostileCase(name: "invalid_marker_\(byte)_as_hash_value",
                                     image: network + [M.hash] + u32(1) + [byte] + u32(1) + text("k"),
                                     expectedName: "invalid_opcode", exactKind: .invalidOpcode(byte), offset: 7))
        }
        cases += [
            HostileCase(name: "bless_then_back_reference", image: network + [M.array] + u32(2) + [M.reference, M.hash] + u32(0)
                            + [M.reference, M.bless, 1] + text("A") + [M.object] + u32(2), expectedName: "malformed"),
            HostileCase(name: "bless_then_bless", image: network + [M.bless, 1] + text("A") + [M.bless, 1] + text("B") + [M.hash] + u32(0),
                        expectedName: "malformed"),
            HostileCase(name: "bless_then_hook", image: network + [M.bless, 1] + text("A") + [M.hook, 0x02, 1] + text("B") + [0],
                        expectedName: "malformed"),
            HostileCase(name: "vstring_then_integer", image: network + [M.vstring, 2] + text("v1") + [M.byte, 0x81],
                        expectedName: "malformed"),
            HostileCase(name: "vstring_then_array", image: network + [M.vstring, 2] + text("v1") + [M.array] + u32(0),
                        expectedName: "malformed"),
            HostileCase(name: "array_as_element", image: network + [M.array] + u32(1) + [M.array] + u32(0), expectedName: "malformed"),
            HostileCase(name: "hash_repeats_a_key",
                        image: network + [M.hash] + u32(2) + [M.byte, 0x81] + u32(1) + text("k") + [M.byte, 0x82] + u32(1) + text("k"),
                        expectedName: "malformed", offset: 16),
            repeatedKeyPastIndexThreshold,
            HostileCase(name: "hash_as_hash_value", image: network + [M.hash] + u32(1) + [M.hash] + u32(0) + u32(1) + text("k"),
                        expectedName: "malformed"),
            HostileCase(name: "regexp_as_element", image: network + [M.array] + u32(1) + [M.regexp, 0, 1] + text("a") + [0],
                        expectedName: "malformed"),
            HostileCase(name: "hook_as_hash_value", image: network + [M.hash] + u32(1) + [M.hook, 0x02, 1] + text("A") + [0] + u32(1) + text("k"),
                        expectedName: "malformed"),
            HostileCase(name: "code_then_integer", image: network + [M.code, M.byte, 0x81],
                        options: keepingCode, expectedName: "malformed"),
            HostileCase(name: "code_then_array", image: network + [M.code, M.array] + u32(0),
                        options: keepingCode, expectedName: "malformed"),
            HostileCase(name: "flag_hash_key_object_not_string",
                        // (padded: the decoder wants 6 bytes per flagged entry before it starts)
                        image: network + [M.flagHash, 0] + u32(1) + [M.byte, 0x81, 0x08, M.byte, 0x82, 0, 0, 0, 0],
                        expectedName: "malformed"),
            HostileCase(name: "hook_recursion_changes_type",
                        image: network + [M.hook, 0x42, M.array] + u32(0) + [0x81, 1] + text("A") + [0, 1] + u32(1),
                        expectedName: "malformed"),
            HostileCase(name: "hook_recursion_not_listed",
                        image: network + [M.hook, 0x42, M.array] + u32(0) + [0x02, 1] + text("A") + [0], expectedName: "malformed"),
        ]
        return cases
    }

    static var keepingCode: StorableDecodingOptions {
        var options = StorableDecodingOptions()
        options.codeReferences = .keepSource
        return options
    }

    // MARK: Back-references

    static var backReferences: [HostileCase] {
        // [ \[1], <second> ]: tags 0 (outer array), 1 (first slot), 2 (inner array),
        // 3 (its element), 4 (second slot); a back-reference read there may name 0-4.
        let shared = network + [M.array] + u32(2) + [M.reference, M.array] + u32(1) + [M.byte, 0x81, M.reference, M.object]
        var cases: [HostileCase] = []
        for tag: UInt32 in [5, 6, 1000, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF] {
            cases.append(HostileCase(name: "back_reference_\(tag)", image: shared + u32(tag), expectedName: "invalid_back_reference",
                                     exactKind: .invalidBackReference(tag: UInt64(tag)), offset: shared.count - 1))
        }
        cases += [
            HostileCase(name: "back_reference_at_root", image: network + [M.object] + u32(0), expectedName: "invalid_back_reference",
                        exactKind: .invalidBackReference(tag: 0), offset: 2),
            HostileCase(name: "back_reference_to_itself", image: network + [M.reference, M.object] + u32(1),
                        expectedName: "invalid_back_reference", exactKind: .invalidBackReference(tag: 1)),
            HostileCase(name: "back_reference_to_slot", image: shared + u32(3), expectedName: "shared_scalar_slot"),
            HostileCase(name: "back_reference_to_own_slot", image: shared + u32(4), expectedName: "shared_scalar_slot"),
            HostileCase(name: "back_reference_as_element", image: network + [M.array] + u32(1) + [M.object] + u32(0),
                        expectedName: "shared_scalar_slot"),
            HostileCase(name: "hook_list_tag_out_of_range", image: hook(flags: 0x80, tail: [1] + u32(99)),
                        expectedName: "invalid_back_reference", exactKind: .invalidBackReference(tag: 99)),
            HostileCase(name: "hook_list_tag_negative", image: hook(flags: 0x80, tail: [1] + u32(0xFFFF_FFFF)),
                        expectedName: "invalid_back_reference", exactKind: .invalidBackReference(tag: 0xFFFF_FFFF)),
            HostileCase(name: "truncated_back_reference", image: shared + [0, 0], expectedName: "truncated"),
        ]
        return cases
    }

    // MARK: Class indexes

    static var classIndexes: [HostileCase] {
        let oneClass = network + [M.array] + u32(2) + [M.reference, M.bless, 1] + text("A") + [M.hash] + u32(0) + [M.reference]
        return [
            HostileCase(name: "class_index_without_classes", image: network + [M.indexedBless, 0, M.hash] + u32(0),
                        expectedName: "invalid_class_index", exactKind: .invalidClassIndex(0), offset: 2),
            HostileCase(name: "class_index_1_of_1", image: oneClass + [M.indexedBless, 1, M.hash] + u32(0),
                        expectedName: "invalid_class_index", exactKind: .invalidClassIndex(1)),
            HostileCase(name: "class_index_127", image: oneClass + [M.indexedBless, 127, M.hash] + u32(0),
                        expectedName: "invalid_class_index", exactKind: .invalidClassIndex(127)),
            HostileCase(name: "class_index_large_form", image: oneClass + [M.indexedBless, 0x80] + u32(1000) + [M.hash] + u32(0),
                        expectedName: "invalid_class_index", exactKind: .invalidClassIndex(1000)),
            HostileCase(name: "class_index_2p31_minus_1", image: oneClass + [M.indexedBless, 0x80] + u32(0x7FFF_FFFF) + [M.hash] + u32(0),
                        expectedName: "invalid_class_index", exactKind: .invalidClassIndex(0x7FFF_FFFF)),
            HostileCase(name: "class_index_negative", image: oneClass + [M.indexedBless, 0x80] + u32(0x8000_0000) + [M.hash] + u32(0),
                        expectedName: "malformed"),
            HostileCase(name: "hook_class_index_without_classes", image: hook(flags: 0x20, classPart: [0]),
                        expectedName: "invalid_class_index", exactKind: .invalidClassIndex(0)),
            HostileCase(name: "hook_class_index_large", image: hook(flags: 0x24, classPart: u32(70_000)),
                        expectedName: "invalid_class_index", exactKind: .invalidClassIndex(70_000)),
        ]
    }

    // MARK: Nesting 100,000 deep: refused at the default limit, before recursing deeper

    static var deepNesting: [HostileCase] {
        let shapes: [(String, [UInt8], [UInt8])] = [
            ("arrays", [], [M.array] + u32(1) + [M.reference]),
            ("scalar_refs", [], [M.reference]),
            ("hashes", [], [M.hash] + u32(1) + [M.reference]),
            ("flag_hashes", [], [M.flagHash, 0] + u32(1) + [M.reference]),
            ("blessed_arrays", [M.bless, 1] + text("N") + [M.array] + u32(1) + [M.reference],
             [M.indexedBless, 0, M.array] + u32(1) + [M.reference]),
            ("blessed_refs", [M.bless, 1] + text("N") + [M.reference], [M.indexedBless, 0, M.reference]),
            ("weak_refs", [], [M.weakReference]),
            ("overloaded_refs", [], [M.overload]),
            ("weak_overloaded_refs", [], [M.weakOverload]),
            ("hooks", [], [M.hook, 0x42]),
            ("large_object_arrays", [], [M.largeObject, M.array] + u64(1) + [M.reference]),
            ("mixed", [], [M.array] + u32(1) + [M.reference, M.hash] + u32(1) + [M.weakReference, M.reference]),
        ]
        var cases = shapes.map { name, prefix, level in
            HostileCase(name: "deep_100000_\(name)", image: deep(prefix: prefix, level: level, count: 100_000),
                        expectedName: "depth_limit_exceeded", exactKind: .depthLimitExceeded(limit: 512))
        }
        var shallow = StorableDecodingOptions()
        shallow.maximumDepth = 8
        cases.append(HostileCase(name: "deep_100000_arrays_limit_8",
                                 image: deep(prefix: [], level: [M.array] + u32(1) + [M.reference], count: 100_000),
                                 options: shallow, expectedName: "depth_limit_exceeded", exactKind: .depthLimitExceeded(limit: 8)))
        return cases
    }

    // MARK: Text that is not UTF-8

    static var invalidText: [HostileCase] {
        let sequences: [(String, [UInt8])] = [
            ("ff", [0xFF]), ("fe", [0xFE]), ("lone_continuation", [0x80]), ("overlong_nul", [0xC0, 0x80]),
            ("overlong_slash", [0xC0, 0xAF]), ("overlong_c1", [0xC1, 0xBF]), ("overlong_3_byte", [0xE0, 0x80, 0xAF]),
            ("overlong_3_byte_max", [0xE0, 0x9F, 0xBF]), ("overlong_4_byte", [0xF0, 0x80, 0x80, 0xAF]),
            ("surrogate_high", [0xED, 0xA0, 0x80]), ("surrogate_low", [0xED, 0xBF, 0xBF]),
            ("above_10ffff", [0xF4, 0x90, 0x80, 0x80]), ("f5", [0xF5, 0x80, 0x80, 0x80]),
            ("cut_sequence", [0xE2, 0x98]), ("bad_continuation", [0xE2, 0x28, 0xA1]),
            ("perl_extended", [0xF8, 0x88, 0x80, 0x80, 0x80]),
        ]
        var cases: [HostileCase] = []
        for (name, bytes) in sequences {
            let text = Array("ok".utf8) + bytes + Array("ok".utf8)
            let length = UInt8(text.count)
            cases += [
                HostileCase(name: "utf8_string_\(name)", image: network + [M.utf8String, length] + text, expectedName: "invalid_utf8"),
                HostileCase(name: "large_utf8_string_\(name)", image: network + [M.largeUTF8String] + u32(UInt32(text.count)) + text,
                            expectedName: "invalid_utf8"),
                HostileCase(name: "utf8_key_\(name)",
                            image: network + [M.flagHash, 0] + u32(1) + [M.byte, 0x81, 0x01] + u32(UInt32(text.count)) + text,
                            expectedName: "invalid_utf8"),
                HostileCase(name: "class_name_\(name)", image: network + [M.bless, length] + text + [M.hash] + u32(0),
                            expectedName: "invalid_utf8"),
                HostileCase(name: "hook_class_name_\(name)", image: hook(flags: 0, classPart: [length] + text),
                            expectedName: "invalid_utf8"),
            ]
        }
        cases.append(HostileCase(name: "code_text_ff", image: network + [M.code, M.utf8String, 3] + [0x7B, 0xFF, 0x7D],
                                 options: keepingCode, expectedName: "invalid_utf8"))
        cases.append(HostileCase(name: "utf8_string_in_deep_array",
                                 image: network + [M.array] + u32(3) + [M.undef, M.undef, M.utf8String, 1, 0xC0],
                                 expectedName: "invalid_utf8"))
        return cases
    }

    // MARK: Tied values and code

    static var tiedAndCode: [HostileCase] {
        let tiedObject = [M.reference, M.bless, 1] + text("T") + [M.hash] + u32(0)
        return [
            HostileCase(name: "tied_array", image: network + [M.tiedArray] + tiedObject, expectedName: "tied_value_refused",
                        exactKind: .tiedValueRefused, offset: 2),
            HostileCase(name: "tied_hash", image: network + [M.tiedHash] + tiedObject, expectedName: "tied_value_refused", offset: 2),
            HostileCase(name: "tied_scalar", image: network + [M.tiedScalar] + tiedObject, expectedName: "tied_value_refused", offset: 2),
            HostileCase(name: "tied_key", image: network + [M.array] + u32(1) + [M.reference, M.tiedKey] + tiedObject + [M.scalar, 1] + text("k"),
                        expectedName: "tied_value_refused", offset: 8),
            HostileCase(name: "tied_index", image: network + [M.array] + u32(1) + [M.reference, M.tiedIndex] + tiedObject + u32(0),
                        expectedName: "tied_value_refused", offset: 8),
            HostileCase(name: "tied_marker_alone", image: network + [M.tiedHash], expectedName: "tied_value_refused"),
            HostileCase(name: "tied_in_hash_value", image: network + [M.hash] + u32(1) + [M.tiedScalar] + tiedObject + u32(1) + text("k"),
                        expectedName: "tied_value_refused"),
            HostileCase(name: "hook_extra_type_tied", image: network + [M.hook, 0x03, 0x02, 1] + text("A") + [0],
                        expectedName: "tied_value_refused"),
            HostileCase(name: "code_default_policy", image: network + [M.code, M.scalar, 3] + text("{1}"),
                        expectedName: "code_reference_refused", exactKind: .codeReferenceRefused, offset: 2),
            HostileCase(name: "code_in_array", image: network + [M.array] + u32(1) + [M.reference, M.code, M.scalar, 3] + text("{1}"),
                        expectedName: "code_reference_refused", offset: 8),
            HostileCase(name: "code_blessed", image: network + [M.bless, 1] + text("C") + [M.code, M.scalar, 3] + text("{1}"),
                        expectedName: "code_reference_refused"),
            HostileCase(name: "code_marker_alone", image: network + [M.code], expectedName: "code_reference_refused"),
            HostileCase(name: "code_large_text", image: network + [M.code, M.largeScalar] + u32(0x7FFF_FFFF),
                        expectedName: "code_reference_refused"),
        ]
    }

    // MARK: Trailing bytes

    static var trailing: [HostileCase] {
        let one = network + [M.byte, 0x81]
        let list = network + [M.array] + u32(2) + [M.byte, 0x81, M.undef]
        return [
            HostileCase(name: "trailing_nul", image: one + [0], expectedName: "trailing_bytes",
                        exactKind: .trailingBytes(count: 1), offset: one.count),
            HostileCase(name: "trailing_1000", image: one + Array(repeating: 0xAB, count: 1000), expectedName: "trailing_bytes",
                        exactKind: .trailingBytes(count: 1000), offset: one.count),
            HostileCase(name: "trailing_second_image", image: list + list, expectedName: "trailing_bytes",
                        exactKind: .trailingBytes(count: list.count), offset: list.count),
            HostileCase(name: "trailing_marker", image: one + [M.undef], expectedName: "trailing_bytes", exactKind: .trailingBytes(count: 1)),
            HostileCase(name: "trailing_after_file_image", image: Array("pst0".utf8) + one + [0, 0],
                        expectedName: "trailing_bytes", exactKind: .trailingBytes(count: 2), offset: one.count + 4),
            HostileCase(name: "trailing_1mib", image: one + Array(repeating: 0, count: 1 << 20), expectedName: "trailing_bytes",
                        exactKind: .trailingBytes(count: 1 << 20)),
        ]
    }

    // MARK: Headers

    static var versions: [HostileCase] {
        [
            HostileCase(name: "major_3", image: [0x07, 0x0B, M.undef], expectedName: "unsupported_version"),
            HostileCase(name: "major_1", image: [0x03, 0x00, M.undef], expectedName: "unsupported_version"),
            HostileCase(name: "major_0", image: [0x01, M.undef], expectedName: "unsupported_version"),
            HostileCase(name: "minor_13", image: [0x05, 0x0D, M.undef], expectedName: "unsupported_version"),
            HostileCase(name: "minor_255", image: [0x05, 0xFF, M.undef], expectedName: "unsupported_version"),
            HostileCase(name: "old_perl_magic", image: Array("perl-store".utf8) + [0x04, M.undef], expectedName: "unsupported_version"),
            HostileCase(name: "native_byte_order_garbage", image: [0x04, 0x0B, 0x08] + Array("ABCDEFGH".utf8) + [4, 8, 8, 8, M.undef],
                        expectedName: "unsupported_native_layout"),
            HostileCase(name: "native_int_size_8", image: [0x04, 0x0B, 0x08] + Array("12345678".utf8) + [8, 8, 8, 8, M.undef],
                        expectedName: "unsupported_native_layout"),
            HostileCase(name: "native_nv_size_16", image: [0x04, 0x0B, 0x08] + Array("12345678".utf8) + [4, 8, 8, 16, M.undef],
                        expectedName: "unsupported_native_layout"),
            HostileCase(name: "native_order_length_255", image: [0x04, 0x0B, 0xFF] + Array(repeating: 0x31, count: 255) + [4, 8, 8, 8, M.undef],
                        expectedName: "unsupported_native_layout"),
            HostileCase(name: "native_order_length_255_short", image: [0x04, 0x0B, 0xFF, 0x31], expectedName: "truncated"),
            HostileCase(name: "empty", image: [], expectedName: "truncated"),
            HostileCase(name: "header_only", image: network, expectedName: "truncated"),
            HostileCase(name: "file_magic_only", image: Array("pst0".utf8), expectedName: "truncated"),
        ]
    }

    // MARK: Limits set by the caller

    static var limits: [HostileCase] {
        var total = StorableDecodingOptions()
        total.maximumTotalCount = 1000
        var containers = StorableDecodingOptions()
        containers.maximumContainerCount = 10
        var strings = StorableDecodingOptions()
        strings.maximumStringLength = 16
        var refuseAll = StorableDecodingOptions()
        refuseAll.blessedValues = .refuseAll
        var allowSome = StorableDecodingOptions()
        allowSome.blessedValues = .allow(["Good"])
        let manyValues = network + [M.array] + u32(100_000) + Array(repeating: M.undef, count: 100_000)
        return [
            HostileCase(name: "total_count_100000_of_1000", image: manyValues, options: total, expectedName: "total_limit_exceeded",
                        exactKind: .totalLimitExceeded(limit: 1000)),
            HostileCase(name: "container_11_of_10", image: network + [M.array] + u32(11) + Array(repeating: M.undef, count: 11),
                        options: containers, expectedName: "container_limit_exceeded",
                        exactKind: .containerLimitExceeded(count: 11, limit: 10)),
            HostileCase(name: "string_17_of_16", image: network + [M.scalar, 17] + Array(repeating: 0x61, count: 17),
                        options: strings, expectedName: "string_limit_exceeded", exactKind: .stringLimitExceeded(length: 17, limit: 16)),
            HostileCase(name: "utf8_string_17_of_16", image: network + [M.utf8String, 17] + Array(repeating: 0x61, count: 17),
                        options: strings, expectedName: "string_limit_exceeded"),
            HostileCase(name: "class_17_of_16", image: network + [M.bless, 17] + Array(repeating: 0x41, count: 17) + [M.hash] + u32(0),
                        options: strings, expectedName: "string_limit_exceeded"),
            HostileCase(name: "blessed_refused", image: network + [M.bless, 1] + text("A") + [M.hash] + u32(0), options: refuseAll,
                        expectedName: "blessed_value_refused", exactKind: .blessedValueRefused(className: "A")),
            HostileCase(name: "blessed_indexed_refused",
                        image: network + [M.array] + u32(2) + [M.reference, M.bless, 4] + text("Good") + [M.hash] + u32(0)
                            + [M.reference, M.bless, 3] + text("Bad") + [M.hash] + u32(0),
                        options: allowSome, expectedName: "blessed_value_refused", exactKind: .blessedValueRefused(className: "Bad")),
            HostileCase(name: "hooked_refused", image: hook(flags: 0), options: refuseAll,
                        expectedName: "blessed_value_refused", exactKind: .blessedValueRefused(className: "Hooked")),
            HostileCase(name: "regexp_refused", image: network + [M.bless, 6] + text("Regexp") + [M.regexp, 0, 1] + text("a") + [0],
                        options: allowSome, expectedName: "blessed_value_refused", exactKind: .blessedValueRefused(className: "Regexp")),
        ]
    }

    // MARK: Truncation sources: valid images from real Perl (Spec/vectors/storable)

    static let truncationImages: [TruncationSource] = {
        let wanted = [
            "hash_mixed_keys", "hash_restricted_utf8", "cycle_two_nodes", "weak_parent", "hook_with_references",
            "hook_class_twice", "hook_scalar_object", "regexp_flags", "vstring_wide", "bless_two_classes",
            "array_holes_and_undef", "string_utf8_long", "overloaded_weak", "code", "shared_ref_to_ref",
            "int_minus_2p63", "double_pi", "array_mixed", "shared_array", "bless_hash",
        ]
        guard let vectors = try? StorableVectors.valid() else { return [] }
        var sources: [TruncationSource] = []
        for vector in vectors where wanted.contains(vector.name) {
            sources.append(TruncationSource(name: "\(vector.name) network", image: vector.network, options: vector.decodingOptions))
            if let native = vector.native {
                sources.append(TruncationSource(name: "\(vector.name) native", image: native, options: vector.decodingOptions))
            }
            if let file = vector.fileImage {
                sources.append(TruncationSource(name: "\(vector.name) file", image: file, options: vector.decodingOptions))
            }
        }
        return sources
    }()
}
