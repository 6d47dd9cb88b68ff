import Foundation  // tests only: `Data` must work through the bridge without RefWire importing it
import RefWire
import RefWireTestSupport
import Testing

// MARK: - Fixtures

private struct Address: Codable, Equatable {
    var city: String
    var zip: String?
}

private struct Person: Codable, Equatable {
    var name: String
    var age: Int
    var address: Address
    var nicknames: [String]
    var manager: String?
}

private indirect enum Shape: Codable, Equatable {
    case circle(radius: Double)
    case rectangle(width: Int, height: Int)
    case labeled(String, Shape?)
    case empty
}

private enum Color: String, Codable {
    case red, green
}

private struct Ordered: Codable {
    var zulu = 1
    var alpha = 2
    var mike = 3
    var bravo = 4
}

private struct Numbers: Codable, Equatable {
    var int64Min: Int64
    var int64Max: Int64
    var uint64Max: UInt64
    var uintSmall: UInt
    var int8: Int8
    var uint8: UInt8
    var int128: Int128
    var uint128: UInt128
}

/// Decodes an `Int`, or — the usual Codable fallback — a `String`.
private struct Lenient: Decodable, Equatable {
    var value: String
    init(value: String) { self.value = value }
    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        do {
            value = "int \(try container.decode(Int.self))"
        } catch DecodingError.typeMismatch {
            value = "string \(try container.decode(String.self))"
        }
    }
}

private class Animal: Codable {
    var legs: Int
    init(legs: Int) { self.legs = legs }
}

private final class Dog: Animal {
    var name: String
    init(name: String, legs: Int) {
        self.name = name
        super.init(legs: legs)
    }

    private enum CodingKeys: String, CodingKey { case name }

    required init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        try super.init(from: container.superDecoder())
    }

    override func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try super.encode(to: container.superEncoder())
    }
}

private final class TreeNode: Decodable {
    var name: String
    var child: TreeNode?
}

private struct ChildWithParent: Decodable {
    struct Summary: Decodable { var name: String }
    var name: String
    var parent: Summary
}

private func encode<T: Encodable>(_ value: T, options: PerlValueEncodingOptions = .init())
    throws(PerlValueEncodingError) -> PerlValue
{
    try PerlValueEncoder(options: options).encode(value)
}

private func decode<T: Decodable>(_ type: T.Type, _ value: PerlValue) throws -> T {
    try PerlValueDecoder().decode(type, from: value)
}

/// The error decoding `value` as `T` throws, or `nil` if it decodes.
private func decodingError<T: Decodable>(_ type: T.Type, _ value: PerlValue) -> PerlValueDecodingError? {
    do {
        _ = try PerlValueDecoder().decode(type, from: value)
        return nil
    } catch {
        return error
    }
}

private func bytes(_ text: String) -> PerlValue { .bytes(Array(text.utf8)) }

private func hex(_ text: String) -> [UInt8] { Hex.bytes(text)! }

// MARK: - Encoding

@Suite("Codable: encoding to PerlValue")
struct CodableEncodingTests {
    @Test("nested structs become hash references with character-string keys in declaration order")
    func nestedStructs() throws {
        let person = Person(
            name: "Ada", age: 36, address: Address(city: "London", zip: nil), nicknames: ["Countess"], manager: nil)
        let value = try encode(person)
        let expected: PerlValue = [
            "name": "Ada", "age": 36, "address": ["city": "London"], "nicknames": ["Countess"],
        ]
        #expect(value.isIdentical(to: expected))
        #expect(try decode(Person.self, value) == person)
    }

    @Test("keys keep encoding order, not sorted order")
    func keyOrder() throws {
        let value = try encode(Ordered())
        #expect(value.hashContents?.keys == ["zulu", "alpha", "mike", "bravo"])
        if case .hash(let hash) = value {
            for key in hash.keys {
                guard case .string = key else {
                    Issue.record("key \(key) should be a character string")
                    continue
                }
            }
        }
    }

    @Test("enums with associated values use the synthesized representation")
    func enums() throws {
        #expect(try encode(Shape.circle(radius: 2.5)).isIdentical(to: ["circle": ["radius": 2.5]]))
        #expect(
            try encode(Shape.rectangle(width: 3, height: 4)).isIdentical(to: ["rectangle": ["width": 3, "height": 4]]))
        #expect(try encode(Shape.labeled("box", nil)).isIdentical(to: ["labeled": ["_0": "box"]]))
        #expect(try encode(Shape.empty).isIdentical(to: ["empty": [:]]))
        #expect(try encode(Color.green).isIdentical(to: "green"))
        let shapes: [Shape] = [.circle(radius: 1), .rectangle(width: 1, height: 2), .labeled("x", .empty), .empty]
        #expect(try decode([Shape].self, encode(shapes)) == shapes)
    }

    @Test("optionals: nil properties are left out, nil elements are undef")
    func optionals() throws {
        #expect(try encode(Address(city: "Oslo", zip: nil)).isIdentical(to: ["city": "Oslo"]))
        #expect(try encode([1, nil, 3] as [Int?]).isIdentical(to: [1, nil, 3]))
        #expect(try encode(nil as Int?).isIdentical(to: .undef))
        #expect(try encode(["a": nil, "b": 2] as [String: Int?])["a"]?.isIdentical(to: .undef) == true)
    }

    @Test("arrays of dictionaries")
    func arraysOfDictionaries() throws {
        let rows: [[String: Int]] = [["id": 1], ["id": 2, "count": 9], [:]]
        let value = try encode(rows)
        #expect(value == [["id": 1], ["id": 2, "count": 9], [:]])
        #expect(try decode([[String: Int]].self, value) == rows)
        // Int keys become their decimal text, as Perl hash keys are strings.
        let byNumber = try encode([7: "seven"])
        #expect(byNumber.isIdentical(to: ["7": "seven"]))
        #expect(try decode([Int: String].self, byNumber) == [7: "seven"])
    }

    @Test("integers: signed as IV, unsigned as IV while they fit and UV beyond; 128-bit beyond 64 as exact text")
    func integers() throws {
        let numbers = Numbers(
            int64Min: .min, int64Max: .max, uint64Max: .max, uintSmall: 7, int8: -128, uint8: 255,
            int128: Int128(Int64.min) * 4 - 1, uint128: .max)
        let value = try encode(numbers)
        let expected: PerlValue = [
            "int64Min": .integer(.min), "int64Max": .integer(.max), "uint64Max": .unsigned(.max),
            "uintSmall": .integer(7), "int8": -128, "uint8": 255,
            "int128": bytes("-36893488147419103233"),
            "uint128": bytes("340282366920938463463374607431768211455"),
        ]
        #expect(value.isIdentical(to: expected))
        #expect(try decode(Numbers.self, value) == numbers)
        #expect(try encode(UInt64(Int64.max)).isIdentical(to: .integer(.max)))
        #expect(try encode(UInt64(Int64.max) + 1).isIdentical(to: .unsigned(UInt64(Int64.max) + 1)))
        #expect(try encode(Int128(UInt64.max)).isIdentical(to: .unsigned(.max)))
        #expect(try encode([UInt64.max]).isIdentical(to: [.unsigned(.max)]))
    }

    @Test("doubles keep every value, NaN and infinities included")
    func doubles() throws {
        let values: [Double] = [
            0, -0.0, 0.1, -1.5, .pi, .infinity, -.infinity, .leastNonzeroMagnitude, .leastNormalMagnitude,
            .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 9_007_199_254_740_992, 1e-300,
        ]
        let value = try encode(values)
        #expect(value.isIdentical(to: .array(values.map { .double($0) })))
        let decoded = try decode([Double].self, value)
        #expect(decoded.map(\.bitPattern) == values.map(\.bitPattern))
        let nan = try decode(Double.self, encode(Double.nan))
        #expect(nan.isNaN)
        #expect(try encode(Float(0.1)).isIdentical(to: .double(Double(Float(0.1)))))
        #expect(try decode(Float.self, encode(Float(0.1))) == Float(0.1))
        #expect(try decode(Float.self, encode(Float.infinity)) == .infinity)
    }

    @Test("unicode strings are character strings, scalar for scalar")
    func unicode() throws {
        let texts = ["café", "e\u{301}", "日本語", "👩‍👩‍👧", "", "\u{0}nul", "tab\tand\nnewline"]
        let value = try encode(texts)
        #expect(value.isIdentical(to: .array(texts.map { .string($0) })))
        let decoded = try decode([String].self, value)
        #expect(decoded.map { Array($0.unicodeScalars) } == texts.map { Array($0.unicodeScalars) })
        // Keys too.
        let keyed = try encode(["clé": 1])
        #expect(keyed.hashContents?.keys == [.string("clé")])
    }

    @Test("byte collections become byte strings, or arrays when asked")
    func byteCollections() throws {
        #expect(try encode([0, 0xFF, 0x41] as [UInt8]).isIdentical(to: .bytes([0, 0xFF, 0x41])))
        #expect(try encode(Data([1, 2])).isIdentical(to: .bytes([1, 2])))
        #expect(try encode(ContiguousArray<UInt8>([9])).isIdentical(to: .bytes([9])))
        #expect(try encode(["payload": [104, 105] as [UInt8]]).isIdentical(to: ["payload": bytes("hi")]))
        var options = PerlValueEncodingOptions()
        options.encodesBytesAsByteStrings = false
        #expect(try encode([1, 2] as [UInt8], options: options).isIdentical(to: [1, 2]))
        #expect(try encode([Int8(1)]).isIdentical(to: [1]))
    }

    @Test("a superclass encodes under `super`, and decodes back")
    func superEncoder() throws {
        let value = try encode(Dog(name: "Rex", legs: 4))
        #expect(value.isIdentical(to: ["name": "Rex", "super": ["legs": 4]]))
        let dog = try decode(Dog.self, value)
        #expect(dog.name == "Rex" && dog.legs == 4)
    }

    @Test("nested containers and super encoders keep their place in the key order")
    func nestedContainers() throws {
        struct Manual: Encodable {
            enum Keys: String, CodingKey { case first, nested, list, last }
            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: Keys.self)
                var nested = container.nestedContainer(keyedBy: Keys.self, forKey: .nested)
                var list = container.nestedUnkeyedContainer(forKey: .list)
                try container.encode(1, forKey: .first)
                try container.encode(2, forKey: .last)
                try nested.encode("inner", forKey: .first)
                try list.encode(true)
                var inner = list.nestedUnkeyedContainer()
                try list.encodeNil()
                try inner.encode(3.5)
                var single = list.superEncoder().singleValueContainer()
                try single.encode("sup")
            }
        }
        let value = try encode(Manual())
        let expected: PerlValue = [
            "nested": ["first": "inner"], "list": [true, [3.5], nil, "sup"], "first": 1, "last": 2,
        ]
        #expect(value.isIdentical(to: expected))
    }

    @Test("userInfo reaches encode(to:) and init(from:)")
    func userInfo() throws {
        let key = CodingUserInfoKey(rawValue: "prefix")!
        struct Tagged: Codable {
            static let prefix = CodingUserInfoKey(rawValue: "prefix")!
            var text: String
            init(text: String) { self.text = text }
            init(from decoder: any Decoder) throws {
                text = (decoder.userInfo[Self.prefix] as? String ?? "") + (try String(from: decoder))
            }
            func encode(to encoder: any Encoder) throws {
                try ((encoder.userInfo[Self.prefix] as? String ?? "") + text).encode(to: encoder)
            }
        }
        let value = try PerlValueEncoder(userInfo: [key: ">"]).encode(Tagged(text: "a"))
        #expect(value.isIdentical(to: ">a"))
        #expect(try PerlValueDecoder(userInfo: [key: "<"]).decode(Tagged.self, from: value).text == "<>a")
    }

    @Test("errors: nothing encoded at the top, a type's own error, and the depth limit")
    func encodingErrors() throws {
        struct Silent: Encodable { func encode(to encoder: any Encoder) throws {} }
        struct Refusing: Encodable {
            func encode(to encoder: any Encoder) throws {
                throw EncodingError.invalidValue(
                    0, .init(codingPath: encoder.codingPath, debugDescription: "no thanks"))
            }
        }
        final class Loop: Encodable {
            func encode(to encoder: any Encoder) throws {
                var container = encoder.unkeyedContainer()
                try container.encode(self)
            }
        }
        #expect(try encode([Silent()]).isIdentical(to: [[:]]))
        #expect(throws: PerlValueEncodingError.self) { try encode(Silent()) }
        do {
            _ = try encode(["a": [Refusing()]])
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .invalidValue("no thanks"))
            #expect(error.codingPathDescription == "a[0]")
            #expect(error.underlyingError is EncodingError)
        }
        var options = PerlValueEncodingOptions()
        options.maximumDepth = 40
        do {
            _ = try encode(Loop(), options: options)
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .depthLimitExceeded(limit: 40))
            #expect(error.codingPath.count == 40)
            #expect("\(error)".contains("nesting deeper than 40 levels"))
        }
    }

    @Test("large keyed containers encode and decode in linear time")
    func largeHashes() throws {
        let count = 50_000
        var dictionary: [String: Int] = [:]
        for index in 0..<count { dictionary["key\(index)"] = index }
        let clock = ContinuousClock()
        let start = clock.now
        let value = try encode(dictionary)
        let decoded = try decode([String: Int].self, value)
        #expect(decoded == dictionary)
        #expect(value.hashContents?.count == count)
        // Quadratic work on 50,000 keys would take minutes; linear takes well under this.
        #expect(clock.now - start < .seconds(20))
    }
}

// MARK: - Decoding Perl data

@Suite("Codable: decoding Perl-typed data")
struct CodableDecodingTests {
    @Test("numeric strings decode as numbers, exactly")
    func numericStrings() throws {
        #expect(try decode(Int.self, bytes("42")) == 42)
        #expect(try decode(Int.self, "-7") == -7)
        #expect(try decode(Int.self, "+7") == 7)
        #expect(try decode(Int64.self, bytes("12345678901")) == 12_345_678_901)
        #expect(try decode(Int64.self, bytes("-9223372036854775808")) == .min)
        #expect(try decode(UInt64.self, bytes("18446744073709551615")) == .max)
        #expect(try decode(Int128.self, bytes("-170141183460469231731687303715884105728")) == .min)
        #expect(try decode(Int.self, bytes("1e3")) == 1000)
        #expect(try decode(Int.self, bytes("2.000")) == 2)
        #expect(try decode(Int.self, bytes("0.0e99999999999")) == 0)
        #expect(try decode(Int.self, bytes("007")) == 7)
        #expect(try decode(UInt8.self, .double(255)) == 255)
        #expect(try decode(Double.self, bytes("3.14159265358979")) == 3.14159265358979)
        #expect(try decode(Double.self, bytes("1e+20")) == 1e20)
        #expect(try decode(Double.self, bytes(".5")) == 0.5)
        #expect(try decode(Double.self, bytes("0.1")) == 0.1)
        #expect(try decode(Double.self, bytes("9007199254740993")) == 9_007_199_254_740_992.0, "rounded to nearest")
        #expect(try decode(Double.self, bytes("-Inf")) == -.infinity)
        #expect(try decode(Double.self, bytes("NaN")).isNaN)
        #expect(try decode(Float.self, bytes("16777217")) == 16_777_216)
        #expect(try decode(Double.self, .integer(.max)) == 9_223_372_036_854_775_807.0)
        #expect(try decode(Double.self, .unsigned(.max)) == 18_446_744_073_709_551_615.0)
    }

    @Test("numbers that do not fit are errors, never rounded or truncated")
    func unrepresentableNumbers() {
        #expect(decodingError(Int.self, bytes("2.5"))?.kind == .numberNotRepresentable("2.5", type: "Int"))
        #expect(decodingError(Int.self, .double(2.5))?.kind == .numberNotRepresentable("2.5", type: "Int"))
        #expect(decodingError(UInt8.self, .integer(256))?.kind == .numberNotRepresentable("256", type: "UInt8"))
        #expect(decodingError(UInt.self, .integer(-1))?.kind == .numberNotRepresentable("-1", type: "UInt"))
        #expect(decodingError(Int64.self, .unsigned(.max))?.kind
            == .numberNotRepresentable("18446744073709551615", type: "Int64"))
        #expect(decodingError(UInt64.self, bytes("18446744073709551616"))?.kind
            == .numberNotRepresentable("18446744073709551616", type: "UInt64"))
        #expect(decodingError(Int64.self, bytes("9223372036854775807.5"))?.kind
            == .numberNotRepresentable("9223372036854775807.5", type: "Int64"))
        #expect(decodingError(Int.self, bytes("1e400"))?.kind == .numberNotRepresentable("1e400", type: "Int"))
        #expect(decodingError(Int.self, .double(.infinity))?.kind == .numberNotRepresentable("Inf", type: "Int"))
        #expect(decodingError(Float.self, .double(1e39))?.kind == .numberNotRepresentable("1e+39", type: "Float"))
        #expect(decodingError(Float.self, bytes("1e39"))?.kind == .numberNotRepresentable("1e39", type: "Float"))
        #expect(decodingError(Double.self, bytes("1e400"))?.kind == .numberNotRepresentable("1e400", type: "Double"))
    }

    @Test("text that is not a decimal number is a type mismatch")
    func notNumbers() throws {
        for text in ["", "abc", " 42", "42 ", "0x10", "1_000", "1.2.3", "e5", "1e", "--1", "+", ".", "inf"] {
            let error = decodingError(Int.self, bytes(text))
            guard case .typeMismatch(expected: "Int", found: _)? = error?.kind else {
                Issue.record("\"\(text)\" as Int: \(String(describing: error))")
                continue
            }
        }
        for text in ["", "abc", " 1", "0x1p3", "1e+", "Infinite"] {
            #expect(decodingError(Double.self, bytes(text)) != nil, "\"\(text)\" as Double")
        }
        #expect(try decode(Double.self, bytes("1.")) == 1.0, "Perl prints no trailing point, but it is decimal")
    }

    @Test("booleans: true and false, the integers 0 and 1, and the strings \"\", \"0\" and \"1\"")
    func booleans() throws {
        let accepted: [(PerlValue, Bool)] = [
            (.bool(true), true), (.bool(false), false), (.integer(1), true), (.integer(0), false),
            (.unsigned(1), true), (.unsigned(0), false), (bytes("1"), true), (bytes("0"), false), (bytes(""), false),
            ("1", true), ("0", false), ("", false),
        ]
        for (value, expected) in accepted {
            #expect(try decode(Bool.self, value) == expected, "\(value)")
        }
        for value: PerlValue in [2, -1, 1.0, "true", "yes", " 1", "00", [1]] {
            let error = decodingError(Bool.self, value)
            guard case .typeMismatch(expected: "Bool", found: _)? = error?.kind else {
                Issue.record("\(value) as Bool: \(String(describing: error))")
                continue
            }
        }
        #expect(decodingError(Bool.self, .undef)?.kind == .valueNotFound(expected: "Bool"))
    }

    @Test("byte strings read as Latin-1 text; integers as their decimal text")
    func strings() throws {
        #expect(try decode(String.self, .bytes([0x63, 0x61, 0x66, 0xE9])) == "café")
        #expect(try decode(String.self, .integer(-12)) == "-12")
        #expect(try decode(String.self, .unsigned(.max)) == "18446744073709551615")
        #expect(try decode(String.self, .vstring(literal: "v1.2", value: .bytes([1, 2]))) == "\u{1}\u{2}")
        #expect(decodingError(String.self, .double(1.5))?.kind
            == .typeMismatch(expected: "String", found: "the number 1.5"))
        #expect(decodingError(String.self, .bool(true)) != nil)
        #expect(decodingError(String.self, .scalarReference("x"))?.kind
            == .typeMismatch(expected: "String", found: "a scalar reference"))
    }

    @Test("byte collections decode from byte strings, Latin-1 strings and arrays of integers")
    func byteCollections() throws {
        #expect(try decode([UInt8].self, .bytes([0, 0xFF])) == [0, 0xFF])
        #expect(try decode(Data.self, .bytes([1, 2, 3])) == Data([1, 2, 3]))
        #expect(try decode([UInt8].self, "é") == [0xE9])
        #expect(try decode([UInt8].self, [1, "2", 3.0]) == [1, 2, 3])
        #expect(try decode(Data.self, [7]) == Data([7]))
        #expect(try decode(ContiguousArray<UInt8>.self, bytes("ok")) == [0x6F, 0x6B])
        let error = decodingError([UInt8].self, "日本")
        #expect(error?.kind == .typeMismatch(
            expected: "Array<UInt8> (bytes)", found: "the string \"日本\", which has characters above U+00FF"))
        #expect(decodingError([UInt8].self, [256])?.kind == .numberNotRepresentable("256", type: "UInt8"))
        // Other arrays do not read strings as their elements.
        #expect(decodingError([String].self, bytes("abc"))?.kind
            == .typeMismatch(expected: "an array reference (for Array<String>)", found: "the byte string b\"abc\""))
    }

    @Test("hash keys may be byte or character strings")
    func byteKeys() throws {
        var hash = PerlHash()
        hash[.bytes(Array("city".utf8))] = .bytes([0x5A, 0xFC, 0x72, 0x69, 0x63, 0x68])  // "Zürich" in Latin-1
        hash[.bytes(Array("zip".utf8))] = bytes("8000")
        #expect(try decode(Address.self, .hash(hash)) == Address(city: "Zürich", zip: "8000"))
        var latin1 = PerlHash()
        latin1[.bytes([0x63, 0x6C, 0xE9])] = 1  // "clé" as a byte key
        #expect(try decode([String: Int].self, .hash(latin1)) == ["clé": 1])
    }

    @Test("undef, holes and missing keys are nil")
    func nils() throws {
        #expect(try decode(Address.self, ["city": "Oslo", "zip": nil]) == Address(city: "Oslo", zip: nil))
        #expect(try decode(Address.self, ["city": "Oslo"]) == Address(city: "Oslo", zip: nil))
        #expect(try decode([Int?].self, [1, .hole, nil, "4"]) == [1, nil, nil, 4])
        #expect(try decode(Int?.self, .undef) == nil)
        #expect(decodingError(Address.self, ["city": .undef])?.kind == .valueNotFound(expected: "String"))
    }

    @Test("blessed and weak references are looked through to their referents")
    func blessed() throws {
        let job: PerlValue = .blessed(class: "My::Job", ["name": "x", "size": 3])
        struct Job: Decodable, Equatable { var name: String; var size: Int }
        #expect(try decode(Job.self, job) == Job(name: "x", size: 3))
        #expect(try decode([Job].self, [.weak(job)]) == [Job(name: "x", size: 3)])
        let error = decodingError(Int.self, job)
        #expect(error?.kind == .typeMismatch(expected: "Int", found: "a hash reference (2 keys) blessed into My::Job"))
    }

    @Test("shared referents decode at every place that refers to them")
    func shared() throws {
        struct Homes: Decodable, Equatable { var home: Address; var work: Address }
        let value: PerlValue = ["home": .anchored(1, ["city": "Oslo"]), "work": .alias(1)]
        #expect(try decode(Homes.self, value) == Homes(home: Address(city: "Oslo"), work: Address(city: "Oslo")))
        // A type may read part of a cycle: here the parent's name through the back-reference.
        let family: PerlValue = .anchored(1, ["name": "root", "child": ["name": "kid", "parent": .weak(.alias(1))]])
        struct Root: Decodable { var name: String; var child: ChildWithParent }
        let root = try decode(Root.self, family)
        #expect(root.child.parent.name == "root")
    }

    @Test("a type that follows a cycle fails with a clear error naming the anchor")
    func cycles() {
        // my $node = { name => "root" }; $node->{child} = $node; weaken $node->{child};
        let node: PerlValue = .anchored(1, ["name": "root", "child": .weak(.alias(1))])
        let error = decodingError(TreeNode.self, node)
        #expect(error?.kind == .depthLimitExceeded(limit: 512, cycle: 1))
        let message = error.map { "\($0)" } ?? ""
        #expect(message.contains("the value is cyclic through &1, and the type follows the cycle"))
        #expect(error?.codingPath.count == 512)
        #expect(error?.codingPathDescription.hasPrefix("child.child.child") == true)

        var options = PerlValueDecodingOptions()
        options.maximumDepth = 10
        #expect(throws: PerlValueDecodingError.self) {
            try PerlValueDecoder(options: options).decode(TreeNode.self, from: node)
        }

        // Hand-built values that alias themselves without any container in between.
        #expect(decodingError(Int.self, .anchored(1, .alias(1)))?.kind == .depthLimitExceeded(limit: 512, cycle: 1))
        #expect(decodingError([String: Int].self, ["a": .alias(9)])?.kind == .unresolvedAlias(9))
    }

    @Test("type mismatches name the expected type, the Perl value and the path")
    func typeMismatch() {
        let people: PerlValue = [
            "items": [
                ["name": "Ada", "age": 36, "address": ["city": "London"], "nicknames": []],
                ["name": "Bob", "age": "old", "address": ["city": "Paris"], "nicknames": []],
            ]
        ]
        struct Roster: Decodable { var items: [Person] }
        let error = decodingError(Roster.self, people)
        #expect(error?.kind == .typeMismatch(expected: "Int", found: "the string \"old\""))
        #expect(error?.codingPathDescription == "items[1].age")
        #expect(error?.description == "PerlValue decoding: at items[1].age: expected Int, found the string \"old\"")

        let container = decodingError(Person.self, ["name": "Ada", "age": 1, "address": "London", "nicknames": []])
        #expect(container?.description
            == "PerlValue decoding: at address: expected a hash reference (for Address), found the string \"London\"")
        let array = decodingError([Int].self, ["a": 1])
        #expect(array?.kind
            == .typeMismatch(expected: "an array reference (for Array<Int>)", found: "a hash reference (1 key)"))
        #expect(array?.codingPathDescription == "(root)")
        let odd = decodingError([String: Int].self, ["first name": "x"])
        #expect(odd?.codingPathDescription == "[\"first name\"]")
    }

    @Test("missing keys and exhausted arrays")
    func missing() {
        let error = decodingError([Person].self, [["name": "Ada", "address": ["city": "London"], "nicknames": []]])
        #expect(error?.kind == .keyNotFound("age"))
        #expect(error?.codingPathDescription == "[0]")
        #expect(error?.description == "PerlValue decoding: at [0]: no key \"age\" in the hash")

        struct Pair: Decodable {
            var first: Int, second: Int
            init(from decoder: any Decoder) throws {
                var container = try decoder.unkeyedContainer()
                first = try container.decode(Int.self)
                second = try container.decode(Int.self)
            }
        }
        let short = decodingError(Pair.self, [1])
        #expect(short?.kind == .arrayExhausted(expected: "Int", count: 1))
        #expect(short?.codingPathDescription == "[1]")
    }

    @Test("errors travel through init(from:) as DecodingError, so fallbacks work")
    func decodingErrorFallback() throws {
        #expect(try decode(Lenient.self, 5) == Lenient(value: "int 5"))
        #expect(try decode(Lenient.self, "five") == Lenient(value: "string five"))
        // A type's own errors are reported with their message and kept.
        let color = decodingError(Color.self, "purple")
        guard case .dataCorrupted(let message)? = color?.kind else {
            Issue.record("expected dataCorrupted, got \(String(describing: color))")
            return
        }
        #expect(message.contains("purple"))
        #expect(color?.underlyingError is DecodingError)
        let shape = decodingError(Shape.self, ["circle": ["radius": 1], "empty": [:]])
        guard case .dataCorrupted? = shape?.kind else {
            Issue.record("expected dataCorrupted, got \(String(describing: shape))")
            return
        }
    }

    @Test("decoding from real Perl: nfreeze of mixed scalars (Perl 5.36, Storable 3.26)")
    func realPerlScalars() throws {
        // perl -MStorable -e '$Storable::canonical = 1; print unpack "H*", Storable::nfreeze({
        //   id => 12345678901, ratio => 3.14159265358979, name => "caf\xe9", ok => !!1, off => !!0,
        //   count => "42", flag => 1, big => 18446744073709551615, neg => -5, min => -9223372036854775808 })'
        let image = hex(
            "050b030000000a0a143138343436373434303733373039353531363135000000036269670a02343200000005636f756e74"
                + "088100000004666c61670a0b31323334353637383930310000000269640a142d393232333337323033363835343737"
                + "35383038000000036d696e0a04636166e9000000046e616d65087b000000036e65670a00000000036f66660a013100"
                + "0000026f6b0a10332e313431353932363533353839373900000005726174696f")
        struct Record: Decodable, Equatable {
            var big: UInt64, count: Int, flag: Bool, id: Int64, min: Int64, name: String, neg: Int8
            var off: Bool, ok: Bool, ratio: Double
        }
        let record = try StorableDecoder().decode(Record.self, from: image)
        #expect(record == Record(
            big: .max, count: 42, flag: true, id: 12_345_678_901, min: .min, name: "café", neg: -5,
            off: false, ok: true, ratio: 3.14159265358979))
    }

    @Test("decoding from real Perl: shared, cyclic, blessed and scalar-reference roots")
    func realPerlStructure() throws {
        // my $a = { city => "Oslo" }; nfreeze({ home => $a, work => $a })
        struct Homes: Decodable, Equatable { var home: Address; var work: Address }
        let shared = hex(
            "050b03000000020403000000010a044f736c6f000000046369747900000004686f6d65"
                + "04000000000200000004776f726b")
        #expect(try StorableDecoder().decode(Homes.self, from: shared)
            == Homes(home: Address(city: "Oslo"), work: Address(city: "Oslo")))

        // my $n = { name => "root" }; $n->{child} = $n; weaken $n->{child}; nfreeze($n)
        let cyclic = hex("050b03000000021b0000000000000000056368696c640a04726f6f74000000046e616d65")
        #expect(throws: PerlValueDecodingError.self) { try StorableDecoder().decode(TreeNode.self, from: cyclic) }
        #expect(try StorableDecoder().decode([String: String?].self, from: hex(
            "050b03000000010a04726f6f74000000046e616d65")) == ["name": "root"])

        // nfreeze(bless { name => "x", size => 3 }, "My::Job")
        struct Job: Decodable, Equatable { var name: String; var size: Int }
        let blessed = hex("050b11074d793a3a4a6f62030000000208830000000473697a650a0178000000046e616d65")
        #expect(try StorableDecoder().decode(Job.self, from: blessed) == Job(name: "x", size: 3))

        // [{ id => 1, score => "9.5" }, { id => "2", score => 7.25 }]
        struct Score: Decodable, Equatable { var id: Int; var score: Double }
        let scores = hex(
            "050b020000000204030000000208810000000269640a03392e350000000573636f72650403000000020a013200000002"
                + "69640a04372e32350000000573636f7265")
        #expect(try StorableDecoder().decode([Score].self, from: scores)
            == [Score(id: 1, score: 9.5), Score(id: 2, score: 7.25)])

        // nfreeze(\42) and nfreeze(\"hello"): a plain scalar at the root.
        #expect(try StorableDecoder().decode(Int.self, from: hex("050b08aa")) == 42)
        #expect(try StorableDecoder().decode(String.self, from: hex("050b0a0568656c6c6f")) == "hello")
        #expect(throws: StorableDecodingError.self) { try StorableDecoder().decode(Int.self, from: hex("050b")) }
    }
}

// MARK: - Collections: the bridge's own loops against the standard library's

// `ArrayThroughContainer` and `DictionaryThroughContainer` (in FuzzTargets, shared with
// CodableFuzz) decode as the standard library does, through containers.

private struct Tree: Decodable { var kids: [Tree] }
private struct TreeThroughContainer: Decodable {
    var kids: ArrayThroughContainer<TreeThroughContainer>
}

@Suite("Codable: arrays and dictionaries decode as the standard library would")
struct CodableCollectionTests {
    /// Decodes `value` both ways; the results, or the errors' kinds and paths, must agree.
    private func expectAgreement<Fast: Decodable & Equatable, Standard: Decodable>(
        _ fast: Fast.Type, _ standard: Standard.Type, _ value: PerlValue, expectFailure: Bool,
        _ unwrap: (Standard) -> Fast, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let decoder = PerlValueDecoder()
        let fastResult = Result { try decoder.decode(Fast.self, from: value) }
        let standardResult = Result { try decoder.decode(Standard.self, from: value) }
        switch (fastResult, standardResult) {
        case (.success(let fast), .success(let standard)):
            #expect(!expectFailure, "decoded \(fast)", sourceLocation: sourceLocation)
            #expect(fast == unwrap(standard), sourceLocation: sourceLocation)
        case (.failure(let fast as PerlValueDecodingError), .failure(let standard as PerlValueDecodingError)):
            #expect(expectFailure, "\(fast)", sourceLocation: sourceLocation)
            #expect(fast.kind == standard.kind, sourceLocation: sourceLocation)
            #expect(fast.codingPathDescription == standard.codingPathDescription, sourceLocation: sourceLocation)
        default:
            Issue.record("the two ways disagree: \(fastResult) against \(standardResult)", sourceLocation: sourceLocation)
        }
    }

    @Test("arrays of plain types: numbers from numeric strings, undef and mismatches at the same index")
    func plainArrays() {
        let doubles: [PerlValue] = [1, 2.5, "3.25", .bytes(Array("4e2".utf8)), .unsigned(5)]
        expectAgreement([Double].self, ArrayThroughContainer<Double>.self, .array(doubles), expectFailure: false) { $0.elements }
        expectAgreement([Double].self, ArrayThroughContainer<Double>.self, .array(doubles + ["x"]), expectFailure: true) { $0.elements }
        expectAgreement([Int].self, ArrayThroughContainer<Int>.self, [1, 2.0, "3", .undef], expectFailure: true) { $0.elements }
        expectAgreement([Int8].self, ArrayThroughContainer<Int8>.self, [1, 300], expectFailure: true) { $0.elements }
        expectAgreement([Bool].self, ArrayThroughContainer<Bool>.self, [.bool(true), 0, "1", ""], expectFailure: false) { $0.elements }
        expectAgreement([String].self, ArrayThroughContainer<String>.self, ["a", .bytes([0xE9]), 7, .hole], expectFailure: true) { $0.elements }
        expectAgreement([UInt64].self, ArrayThroughContainer<UInt64>.self, [.unsigned(.max), "18446744073709551615"], expectFailure: false) { $0.elements }
        expectAgreement([Double].self, ArrayThroughContainer<Double>.self, [], expectFailure: false) { $0.elements }
        // Wrapped and shared elements are looked through, as everywhere.
        let shared: PerlValue = .array([.anchored(1, .scalarReference(1)), .blessed(class: "N", .weak(.alias(1)))])
        expectAgreement([Int].self, ArrayThroughContainer<Int>.self, shared, expectFailure: true) { $0.elements }
    }

    @Test("nested arrays, optionals, structs and byte collections")
    func nestedArrays() throws {
        expectAgreement([[Int]].self, ArrayThroughContainer<ArrayThroughContainer<Int>>.self, [[1], [2, 3]], expectFailure: false) {
            $0.elements.map(\.elements)
        }
        expectAgreement([[Int]].self, ArrayThroughContainer<ArrayThroughContainer<Int>>.self, [[1], [2, "a"]], expectFailure: true) {
            $0.elements.map(\.elements)
        }
        expectAgreement([String?].self, ArrayThroughContainer<String?>.self, [.undef, "a", .hole], expectFailure: false) { $0.elements }
        let people: PerlValue = [
            ["name": "Ada", "age": 36, "address": ["city": "London"], "nicknames": ["A"]],
            ["name": "Bob", "age": "old", "address": ["city": "Paris"], "nicknames": []],
        ]
        expectAgreement([Person].self, ArrayThroughContainer<Person>.self, people, expectFailure: true) { $0.elements }
        expectAgreement([UInt8].self, ArrayThroughContainer<UInt8>.self, [0, 255], expectFailure: false) { $0.elements }
        // A byte string is a byte collection, which only the bridge's own path knows.
        #expect(try PerlValueDecoder().decode([UInt8].self, from: .bytes([1, 2])) == [1, 2])
    }

    @Test("dictionaries with string keys: byte keys read as Latin-1, errors under the key")
    func dictionaries() {
        var hash = PerlHash()
        hash[.bytes(Array("caf\u{E9}".unicodeScalars.map { UInt8($0.value) }))] = 1
        hash[.string("plain")] = "2"
        expectAgreement([String: Int].self, DictionaryThroughContainer<Int>.self, .hash(hash), expectFailure: false) { $0.entries }
        hash[.string("first name")] = "x"
        expectAgreement([String: Int].self, DictionaryThroughContainer<Int>.self, .hash(hash), expectFailure: true) { $0.entries }
        expectAgreement([String: [Int]].self, DictionaryThroughContainer<[Int]>.self, ["a": [1], "b": [2, .undef]], expectFailure: true) {
            $0.entries
        }
    }

    @Test("a cycle through arrays fails at the depth limit, naming the anchor, on both paths")
    func cycles() {
        let loop: PerlValue = .anchored(1, .hash(["kids": .array([.alias(1)])]))
        let fast = Result { try PerlValueDecoder().decode(Tree.self, from: loop) }
        let standard = Result { try PerlValueDecoder().decode(TreeThroughContainer.self, from: loop) }
        guard case .failure(let fastError as PerlValueDecodingError) = fast,
            case .failure(let standardError as PerlValueDecodingError) = standard
        else {
            Issue.record("expected both to fail: \(fast), \(standard)")
            return
        }
        #expect(fastError.kind == .depthLimitExceeded(limit: 512, cycle: 1))
        #expect(fastError.kind == standardError.kind)
        #expect(fastError.codingPathDescription == standardError.codingPathDescription)
        #expect(fastError.codingPathDescription.hasPrefix("kids[0].kids[0].kids[0]"))
    }
}

// MARK: - Storable round trips

@Suite("Codable: Storable round trips")
struct CodableStorableRoundTripTests {
    private func roundTrip<T: Codable & Equatable>(_ value: T) throws -> T {
        try StorableDecoder().decode(T.self, from: StorableEncoder().encode(value))
    }

    @Test("structs, enums, optionals and collections survive a round trip")
    func roundTrips() throws {
        let person = Person(
            name: "Ada", age: 36, address: Address(city: "London", zip: "N1"), nicknames: ["A", "Countess"],
            manager: nil)
        #expect(try roundTrip(person) == person)
        let shapes: [Shape] = [.circle(radius: 0.1), .rectangle(width: -3, height: 4), .labeled("é", .empty), .empty]
        #expect(try roundTrip(shapes) == shapes)
        #expect(try roundTrip([["a": 1], [:]] as [[String: Int]]) == [["a": 1], [:]])
        #expect(try roundTrip([1, nil, 3] as [Int?]) == [1, nil, 3])
        #expect(try roundTrip(Data([0, 0xFF])) == Data([0, 0xFF]))
    }

    @Test("extreme numbers and unicode survive a round trip")
    func extremes() throws {
        let numbers = Numbers(
            int64Min: .min, int64Max: .max, uint64Max: .max, uintSmall: 0, int8: .min, uint8: .max,
            int128: .min, uint128: .max)
        #expect(try roundTrip(numbers) == numbers)
        // Perl writes doubles in network order as `%.15g` text; `losslessDoubles` keeps all
        // the digits (Perl still reads them).
        var lossless = StorableEncodingOptions()
        lossless.losslessDoubles = true
        let doubles: [Double] = [
            0, 0.1, .pi, -1e-300, .greatestFiniteMagnitude, .leastNonzeroMagnitude, .infinity, -.infinity, 0x1p60,
        ]
        let image = try StorableEncoder(options: lossless).encode(doubles)
        #expect(try StorableDecoder().decode([Double].self, from: image).map(\.bitPattern) == doubles.map(\.bitPattern))
        #expect(try roundTrip(Double.pi) == 3.14159265358979, "Perl's own precision by default")
        #expect(try roundTrip(Double.nan).isNaN)
        let texts = ["café", "e\u{301}", "👩‍👩‍👧", ""]
        #expect(try roundTrip(texts).map { Array($0.unicodeScalars) } == texts.map { Array($0.unicodeScalars) })
    }

    @Test("a plain value at the root is stored as a scalar reference, as nfreeze(\\42) is")
    func plainRoot() throws {
        let image = try StorableEncoder().encode(42)
        #expect(image == hex("050b08aa"))
        #expect(try StorableDecoder().decode(image).isIdentical(to: .scalarReference(42)))
        #expect(try roundTrip(42) == 42)
        #expect(try roundTrip("hello") == "hello")
        #expect(try roundTrip(nil as Int?) == nil)
        #expect(try StorableDecoder().decode(StorableEncoder().encode(["a": 1] as [String: Int])) == ["a": 1])
    }

    @Test("key order is kept in the image")
    func keyOrder() throws {
        let image = try StorableEncoder().encode(Ordered())
        #expect(try StorableDecoder().decode(image).hashContents?.keys == ["zulu", "alpha", "mike", "bravo"])
    }
}
