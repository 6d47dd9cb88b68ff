// Literals build the everyday values: `nil` is undef, string literals are character
// strings, array and dictionary literals are array and hash references.
//
//     let message: PerlValue = ["command": "publish", "args": [1, 2.5, nil, true]]

extension PerlValue: ExpressibleByNilLiteral {
    public init(nilLiteral: ()) { self = .undef }
}

extension PerlValue: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int64) { self = .integer(value) }
}

extension PerlValue: ExpressibleByFloatLiteral {
    public init(floatLiteral value: Double) { self = .double(value) }
}

extension PerlValue: ExpressibleByBooleanLiteral {
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension PerlValue: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
}

extension PerlValue: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: PerlValue...) { self = .array(elements) }
}

extension PerlValue: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (PerlHash.Key, PerlValue)...) {
        var hash = PerlHash(minimumCapacity: elements.count)
        for (key, value) in elements { hash.updateValue(value, forKey: key) }
        self = .hash(hash)
    }
}
