import RefWire

/// `CodableFuzz`: a payload in any format, decoded into Swift types through the Codable
/// bridge (``PerlValueDecoder``).
///
/// The bridge decodes arrays and `String`-keyed dictionaries in loops of its own instead
/// of through the standard library's `Array.init(from:)` and `Dictionary.init(from:)`.
/// Each type here is decoded both ways — as itself, and as a twin whose collections go
/// through containers exactly as the standard library's do — from the payload's value and
/// from each of its first children. The two must agree: the same values, or errors of the
/// same kind at the same coding path. Every error is a ``PerlValueDecodingError``.
///
/// The input is also read as JSON straight into the same types and more, and compared
/// with the bridge's reading of the same document (``JSONCodableTarget``).
enum CodableTarget {
    /// How many of the root's elements or values are decoded on their own as well.
    static let childrenChecked = 16

    static func run(_ input: UnsafeBufferPointer<UInt8>) throws(FuzzFailure) {
        try JSONCodableTarget.run(input)
        let sniffed = Result { () throws(PayloadDecodingError) in try PayloadCodec().decodeSniffing(input) }
        guard case .success(let (root, _)) = sniffed else { return }
        var values = [root]
        switch root {
        case .array(let elements): values += elements.prefix(childrenChecked)
        case .hash(let hash): values += hash.values.prefix(childrenChecked)
        default: break
        }
        for value in values {
            // A child is decoded as a value of its own: an alias into the rest of the
            // root is unresolved there, on both paths alike.
            try agree([Double].self, ArrayThroughContainer<Double>.self, value) { $0.elements }
            try agree([Int].self, ArrayThroughContainer<Int>.self, value) { $0.elements }
            try agree([String].self, ArrayThroughContainer<String>.self, value) { $0.elements }
            try agree([Bool?].self, ArrayThroughContainer<Bool?>.self, value) { $0.elements }
            // A string is a byte collection only to the bridge, which decodes `[UInt8]`
            // from it where an unkeyed container cannot.
            if !isString(value) {
                try agree([UInt8].self, ArrayThroughContainer<UInt8>.self, value) { $0.elements }
            }
            try agree([[Int64]].self, ArrayThroughContainer<ArrayThroughContainer<Int64>>.self, value) {
                $0.elements.map(\.elements)
            }
            try agree([String: String].self, DictionaryThroughContainer<String>.self, value) { $0.entries }
            try agree([String: [Double]].self, DictionaryThroughContainer<ArrayThroughContainer<Double>>.self, value) {
                $0.entries.mapValues(\.elements)
            }
            try agree(FuzzRecord.self, FuzzRecordThroughContainers.self, value) { FuzzRecord($0) }
            try agree([FuzzRecord].self, ArrayThroughContainer<FuzzRecordThroughContainers>.self, value) {
                $0.elements.map(FuzzRecord.init)
            }
        }
    }

    /// Whether `value` is a string, seen through the wrappers the bridge looks through.
    static func isString(_ value: PerlValue) -> Bool {
        switch value {
        case .bytes, .string: true
        case .blessed(_, let inner), .weak(let inner), .anchored(_, let inner): isString(inner)
        default: false
        }
    }

    /// Decodes `value` as `Fast` and as `Standard`, and compares.
    static func agree<Fast: Decodable, Standard: Decodable>(
        _ fast: Fast.Type, _ standard: Standard.Type, _ value: PerlValue, _ unwrap: (Standard) -> Fast
    ) throws(FuzzFailure) {
        let decoder = PerlValueDecoder()
        let fastResult = Result { () throws(PerlValueDecodingError) in try decoder.decode(Fast.self, from: value) }
        let standardResult = Result { () throws(PerlValueDecodingError) in try decoder.decode(Standard.self, from: value) }
        switch (fastResult, standardResult) {
        case (.success(let fast), .success(let standard)):
            // Descriptions compare NaNs equal; dictionaries are described in sorted order.
            let fastText = canonicalDescription(fast)
            let standardText = canonicalDescription(unwrap(standard))
            try require(
                fastText == standardText, "the bridge's \(Fast.self) differs from the standard library's",
                "\(describe(fastText)) against \(describe(standardText)) from \(describe(value))")
        case (.failure(let fast), .failure(let standard)):
            try require(
                comparable(fast.kind) == comparable(standard.kind)
                    && fast.codingPathDescription == standard.codingPathDescription,
                "the bridge's \(Fast.self) fails unlike the standard library's",
                "\(fast) against \(standard) from \(describe(value))")
        case (.success(let fast), .failure(let error)):
            throw FuzzFailure(
                "only the standard library's \(Fast.self) fails",
                "\(describe(fast)) against \(error) from \(describe(value))")
        case (.failure(let error), .success(let standard)):
            throw FuzzFailure(
                "only the bridge's \(Fast.self) fails",
                "\(error) against \(describe(standard)) from \(describe(value))")
        }
    }

    /// An error's kind without the type a container was asked for: that names the twin
    /// (`for DictionaryThroughContainer<String>`) where the other names the collection.
    static func comparable(_ kind: PerlValueDecodingError.Kind) -> PerlValueDecodingError.Kind {
        func withoutType(_ expected: String) -> String {
            guard let open = expected.firstRange(of: " (for ") else { return expected }
            return String(expected[..<open.lowerBound])
        }
        switch kind {
        case .typeMismatch(let expected, let found): return .typeMismatch(expected: withoutType(expected), found: found)
        case .valueNotFound(let expected): return .valueNotFound(expected: withoutType(expected))
        default: return kind
        }
    }

    /// A value's description with every dictionary's entries sorted by key, so that two
    /// equal dictionaries built in different orders describe alike.
    static func canonicalDescription(_ value: Any) -> String {
        // An optional first: any value casts to `Optional<Any>`, wrapped.
        let mirror = Mirror(reflecting: value)
        if mirror.displayStyle == .optional {
            guard let wrapped = mirror.children.first?.value else { return "nil" }
            return canonicalDescription(wrapped)
        }
        switch value {
        case let dictionary as [String: Any]:
            let entries = dictionary.sorted { $0.key < $1.key }.map {
                "\(String(reflecting: $0.key)): \(canonicalDescription($0.value))"
            }
            return "[" + entries.joined(separator: ", ") + "]"
        case let array as [Any]:
            return "[" + array.map(canonicalDescription).joined(separator: ", ") + "]"
        case let record as FuzzRecord:
            return "FuzzRecord(\(canonicalDescription(record.name as Any)), \(canonicalDescription(record.count as Any)), "
                + "\(canonicalDescription(record.values as Any)), \(canonicalDescription(record.tags as Any)), "
                + "\(canonicalDescription(record.children as Any)))"
        default:
            return String(reflecting: value)
        }
    }
}

// MARK: - Collections decoded the standard library's way

/// `[Element]` decoded as `Array.init(from:)` does, through an unkeyed container, where the
/// bridge would use its own loop. (Also what `CodableCollectionTests` compares against.)
struct ArrayThroughContainer<Element: Decodable>: Decodable {
    var elements: [Element] = []

    init(from decoder: any Decoder) throws {
        var container = try decoder.unkeyedContainer()
        while !container.isAtEnd { elements.append(try container.decode(Element.self)) }
    }
}

/// `[String: Value]` decoded as `Dictionary.init(from:)` does, through a keyed container.
struct DictionaryThroughContainer<Value: Decodable>: Decodable {
    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    var entries: [String: Value] = [:]

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        for key in container.allKeys { entries[key.stringValue] = try container.decode(Value.self, forKey: key) }
    }
}

/// A message-like struct: optional fields of plain types and collections, and itself
/// nested. Its keys are in the fuzz dictionary (`Dictionaries/codable.dict`).
struct FuzzRecord: Decodable {
    var name: String?
    var count: Int?
    var values: [Double]?
    var tags: [String: String]?
    var children: [FuzzRecord]?

    init(_ twin: FuzzRecordThroughContainers) {
        name = twin.name
        count = twin.count
        values = twin.values?.elements
        tags = twin.tags?.entries
        children = twin.children?.elements.map(FuzzRecord.init)
    }
}

/// ``FuzzRecord`` with its collections decoded through containers.
struct FuzzRecordThroughContainers: Decodable {
    var name: String?
    var count: Int?
    var values: ArrayThroughContainer<Double>?
    var tags: DictionaryThroughContainer<String>?
    var children: ArrayThroughContainer<FuzzRecordThroughContainers>?
}
