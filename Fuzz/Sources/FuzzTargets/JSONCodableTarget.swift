import RefWire

/// Part of `CodableFuzz`: the input read as JSON straight into Swift types
/// (`PerlJSONDecoder.decode(_:from:using:)`, which reads a tape of the document) and
/// through the `PerlValue` tree (`PerlValueDecoder().decode(_:from: PerlJSONDecoder().decode(bytes))`).
/// The two must agree exactly: equal values, or equal errors — a `JSONDecodingError` of
/// the same kind at the same offset, or a `PerlValueDecodingError` with the same
/// description (kind, coding path and message). Each type is tried under the default
/// options and under tight ones (small limits, the other duplicate-key policies, big
/// numbers kept as strings).
public enum JSONCodableTarget {
    static func run(_ input: UnsafeBufferPointer<UInt8>) throws(FuzzFailure) { try run(Array(input)) }

    static func run(_ bytes: [UInt8]) throws(FuzzFailure) {
        for (json, value) in optionSets {
            try agree([Double].self, bytes, json, value)
            try agree([Int].self, bytes, json, value)
            try agree([String].self, bytes, json, value)
            try agree([Bool?].self, bytes, json, value)
            try agree([UInt8].self, bytes, json, value)
            try agree([[Int64]].self, bytes, json, value)
            try agree([String: String].self, bytes, json, value)
            try agree([String: [Double]].self, bytes, json, value)
            try agree(Int128.self, bytes, json, value)
            try agree(Float.self, bytes, json, value)
            try agree(String?.self, bytes, json, value)
            try agree(FuzzRecord.self, bytes, json, value)
            try agree([FuzzRecord].self, bytes, json, value)
            try agree(FuzzRecordThroughContainers.self, bytes, json, value)
            try agree(JSONProbe.self, bytes, json, value)
        }
    }

    /// The default options, and tight ones that make every limit and policy reachable
    /// from small inputs.
    static let optionSets: [(JSONDecodingOptions, PerlValueDecoder)] = {
        var tight = JSONDecodingOptions()
        tight.maximumDepth = 6
        tight.maximumStringLength = 12
        tight.maximumContainerCount = 5
        tight.maximumTotalCount = 40
        tight.duplicateKeys = .firstWins
        tight.outOfRangeNumbers = .keepAsString
        var rejecting = JSONDecodingOptions()
        rejecting.duplicateKeys = .reject
        var shallow = PerlValueDecodingOptions()
        shallow.maximumDepth = 3
        var probing = PerlValueDecodingOptions()
        probing.maximumDepth = 24
        return [
            (JSONDecodingOptions(), PerlValueDecoder(options: probing)),
            (tight, PerlValueDecoder(options: shallow, userInfo: [JSONProbe.userInfoKey: "tight"])),
            (rejecting, PerlValueDecoder(options: probing)),
        ]
    }()

    /// Decodes `bytes` as a `T` both ways and compares.
    public static func agree<T: Decodable>(
        _ type: T.Type, _ bytes: [UInt8], _ json: JSONDecodingOptions = JSONDecodingOptions(),
        _ value: PerlValueDecoder = PerlValueDecoder()
    ) throws(FuzzFailure) {
        let decoder = PerlJSONDecoder(options: json)
        let direct = Result { try decoder.decode(T.self, from: bytes, using: value) }
        let tree = Result { try value.decode(T.self, from: decoder.decode(bytes)) }
        switch (direct, tree) {
        case (.success(let direct), .success(let tree)):
            let directText = CodableTarget.canonicalDescription(direct)
            let treeText = CodableTarget.canonicalDescription(tree)
            try require(
                directText == treeText, "JSON read straight into \(T.self) differs from the tree's",
                "\(describe(directText)) against \(describe(treeText)) from \(describe(String(decoding: bytes, as: UTF8.self)))")
        case (.failure(let direct), .failure(let tree)):
            try require(
                sameError(direct, tree), "JSON read straight into \(T.self) fails unlike the tree",
                "\(direct) against \(tree) from \(describe(String(decoding: bytes, as: UTF8.self)))")
        case (.success(let direct), .failure(let error)):
            throw FuzzFailure(
                "only the tree fails to read JSON into \(T.self)",
                "\(describe(direct)) against \(error) from \(describe(String(decoding: bytes, as: UTF8.self)))")
        case (.failure(let error), .success(let tree)):
            throw FuzzFailure(
                "only reading JSON straight into \(T.self) fails",
                "\(error) against \(describe(tree)) from \(describe(String(decoding: bytes, as: UTF8.self)))")
        }
    }

    static func sameError(_ left: any Error, _ right: any Error) -> Bool {
        switch (left, right) {
        case (let left as JSONDecodingError, let right as JSONDecodingError):
            return left == right
        case (let left as PerlValueDecodingError, let right as PerlValueDecodingError):
            return left.kind == right.kind && left.description == right.description
                && left.underlyingError.map { String(describing: $0) } == right.underlyingError.map { String(describing: $0) }
        default:
            return false
        }
    }
}

/// A type whose `init(from:)` tries every container operation on whatever it is given,
/// and keeps a log of the results and errors: two decoders agree on the log only if they
/// agree on each operation.
struct JSONProbe: Decodable {
    static let userInfoKey = CodingUserInfoKey(rawValue: "probe")!

    enum Key: String, CodingKey {
        case name, count, values, tags, children
        case empty = ""
        case spaced = "a b"
        case escaped = "\u{e9}\n"
    }

    /// Any key, for `allKeys`.
    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    var log: [String] = []

    init(from decoder: any Decoder) throws {
        log.append("path \(decoder.codingPath.map(\.stringValue)) info \(String(describing: decoder.userInfo[Self.userInfoKey]))")
        probeKeyed(decoder)
        probeUnkeyed(decoder)
        probeSingle(decoder)
    }

    private mutating func note(_ operation: () throws -> Any) {
        do {
            log.append(CodableTarget.canonicalDescription(try operation()))
        } catch {
            log.append("error \(error)")
        }
    }

    /// A nested probe's log, taken into this one entry by entry (described as one value,
    /// its escapes would double at every level).
    private mutating func nest(_ operation: () throws -> JSONProbe) {
        do {
            let nested = try operation()
            log.append("nested \(nested.log.count)")
            log += nested.log
        } catch {
            log.append("error \(error)")
        }
    }

    private mutating func probeKeyed(_ decoder: any Decoder) {
        note { try decoder.container(keyedBy: AnyKey.self).allKeys.map(\.stringValue) }
        guard let container = try? decoder.container(keyedBy: Key.self) else { return }
        note { container.allKeys.map(\.stringValue) }
        note { [container.contains(.name), container.contains(.empty), container.contains(.escaped)] }
        note { try container.decode(String.self, forKey: .name) }
        note { try container.decodeIfPresent(Int.self, forKey: .count) as Any }
        note { try container.decode(Float.self, forKey: .count) }
        note { try container.decode(Int8.self, forKey: .count) }
        note { try container.decode(UInt64.self, forKey: .spaced) }
        note { try container.decode(Bool.self, forKey: .name) }
        note { try container.decode(Int128.self, forKey: .name) }
        note { try container.decode([UInt8].self, forKey: .escaped) }
        note { try container.decodeNil(forKey: .values) }
        note { try container.decodeIfPresent(String.self, forKey: .empty) as Any }
        note { try container.decode([String: Int].self, forKey: .tags) }
        note { try container.nestedContainer(keyedBy: AnyKey.self, forKey: .tags).allKeys.map(\.stringValue) }
        note {
            var values = try container.nestedUnkeyedContainer(forKey: .values)
            var read: [String] = ["count \(String(describing: values.count))"]
            while !values.isAtEnd, read.count < 16 { read.append(String(try values.decode(Double.self))) }
            return read
        }
        nest { try container.decode(JSONProbe.self, forKey: .children) }
        nest { try JSONProbe(from: container.superDecoder()) }
        nest { try JSONProbe(from: container.superDecoder(forKey: .spaced)) }
        // The keys in reverse: the lookups miss the document-order hint.
        for key in [Key.children, .tags, .values, .count, .name] {
            note { try container.decodeIfPresent(String.self, forKey: key) as Any }
        }
    }

    private mutating func probeUnkeyed(_ decoder: any Decoder) {
        guard var container = try? decoder.unkeyedContainer() else {
            note { _ = try decoder.unkeyedContainer(); return "unkeyed" }
            return
        }
        log.append("count \(String(describing: container.count))")
        while !container.isAtEnd && log.count < 200 {
            note { try container.decodeNil() }
            note { try container.decode(Int32.self) }
            note { try container.decode(String.self) }
            switch container.currentIndex % 4 {
            case 0: nest { try container.decode(JSONProbe.self) }
            case 1: note { try container.nestedContainer(keyedBy: AnyKey.self).allKeys.map(\.stringValue) }
            case 2: nest { try JSONProbe(from: container.superDecoder()) }
            default: note { try container.decode(Double?.self) as Any }
            }
            // Moves on even where all of the above failed (a nested unkeyed container
            // fails for non-arrays; then skip by decoding as a probe of the value).
            let before = container.currentIndex
            note { _ = try container.nestedUnkeyedContainer(); return "nested" }
            if container.currentIndex == before { break }
        }
        note { try container.decode(Int.self) }
        note { _ = try container.nestedUnkeyedContainer(); return "nested" }
        note { container.currentIndex }
    }

    private mutating func probeSingle(_ decoder: any Decoder) {
        guard let container = try? decoder.singleValueContainer() else { return }
        note { container.decodeNil() }
        note { try container.decode(Bool.self) }
        note { try container.decode(String.self) }
        note { try container.decode(Double.self) }
        note { try container.decode(UInt8.self) }
        note { try container.decode(Int128.self) }
        note { try container.decode([Int].self) }
    }
}
