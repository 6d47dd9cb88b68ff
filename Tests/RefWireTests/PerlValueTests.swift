import RefWire
import Testing

@Suite("PerlValue")
struct PerlValueTests {
    @Test("literals build the everyday values")
    func literals() {
        let value: PerlValue = ["name": "root", "list": [1, 2.5, nil, true]]
        guard case .hash(let hash) = value else {
            Issue.record("a dictionary literal must build a hash reference")
            return
        }
        #expect(hash.keys == ["name", "list"])
        #expect(hash["name"] == .string("root"))
        #expect(hash["list"] == .array([.integer(1), .double(2.5), .undef, .bool(true)]))
    }

    @Test("subscripts read through blessed, anchored and weak wrappers")
    func subscripts() {
        let object: PerlValue = .weak(.anchored(1, .blessed(class: "Node", ["kids": [10, 20]])))
        #expect(object["kids"]?[1] == 20)
        #expect(object["kids"]?[2] == nil)
        #expect(object["missing"] == nil)
        #expect(object[0] == nil)
        #expect(object.className == "Node")
        #expect(object.anchor == 1)
        #expect(object.isWeak)
    }

    @Test("setting through subscripts keeps the wrappers")
    func setting() {
        var object: PerlValue = .blessed(class: "Counter", ["count": 1, "log": [0]])
        object["count"] = 2
        object["log"]?[0] = "started"
        object["new"] = .bytes([0x41])
        #expect(object == .blessed(class: "Counter", ["count": 2, "log": ["started"], "new": "A"]))
        object["count"] = nil
        #expect(object.hashContents?.keys == ["log", "new"])
    }

    @Test("byte and character strings are equal when their characters are")
    func stringEquality() {
        #expect(PerlValue.bytes(Array("ping".utf8)) == "ping")
        #expect(PerlValue.bytes([0x63, 0x61, 0x66, 0xE9]) == .string("café"))
        // Perl compares code points; canonical equivalence is not equality.
        #expect(PerlValue.string("e\u{301}") != .string("\u{E9}"))
        // The UTF-8 encoding of é is two Latin-1 characters, not é.
        #expect(PerlValue.bytes(Array("é".utf8)) != .string("é"))
        #expect(!PerlValue.bytes(Array("ping".utf8)).isIdentical(to: "ping"))
    }

    @Test("integers compare by number unless representation is asked for")
    func integerEquality() {
        #expect(PerlValue.unsigned(5) == .integer(5))
        #expect(!PerlValue.unsigned(5).isIdentical(to: .integer(5)))
        #expect(PerlValue.unsigned(.max) != .integer(-1))
        #expect(PerlValue.double(.nan) == .double(.nan))
        #expect(PerlValue.double(1) != .integer(1))
    }

    @Test("hash keys match across byte and character forms, and hashes ignore order")
    func hashKeys() {
        var hash: PerlHash = [.bytes(Array("name".utf8)): "x", .bytes([0xE9]): 1]
        #expect(hash["name"] == "x")
        #expect(hash["é"] == 1)
        hash["name"] = "y"
        #expect(hash.count == 2)
        #expect(hash.keys.first.map { $0.isBytes } == true, "replacing a value keeps the original key")
        let reordered: PerlHash = ["é": 1, "name": "y"]
        #expect(hash == reordered)
        #expect(!PerlValue.hash(hash).isIdentical(to: .hash(reordered)))
    }

    @Test("large hashes index their keys and stay consistent", arguments: [5, 17, 200])
    func largeHash(count: Int) {
        var hash = PerlHash()
        for number in 0..<count { hash["k\(number)"] = .integer(Int64(number)) }
        for number in stride(from: 0, to: count, by: 2) { hash["k\(number)"] = nil }
        #expect(hash.count == count / 2)
        for number in 0..<count {
            #expect(hash["k\(number)"] == (number.isMultiple(of: 2) ? nil : .integer(Int64(number))))
        }
        #expect(hash.keys.map(\.description) == (0..<count).filter { !$0.isMultiple(of: 2) }.map { "k\($0)" })
    }

    @Test("sharing compares by shape, not by anchor numbers")
    func sharingShape() {
        let shared: PerlValue = ["a": .anchored(7, [1]), "b": .alias(7)]
        let renumbered: PerlValue = ["a": .anchored(1, [1]), "b": .alias(1)]
        let copied: PerlValue = ["a": [1], "b": [1]]
        #expect(shared == renumbered)
        #expect(shared != copied)
        #expect(shared.hashValue == renumbered.hashValue)

        // The same sharing met in the other order (a hash listed differently).
        let otherOrder: PerlValue = .hash(["b": .anchored(3, [1]), "a": .alias(3)])
        #expect(shared == otherOrder)
        #expect(shared.hashValue == otherOrder.hashValue)
        #expect(!shared.isIdentical(to: otherOrder))
    }

    @Test("two shared referents are told apart")
    func twoReferents() {
        let crossed: PerlValue = [.anchored(1, [0]), .anchored(2, [0]), .alias(1), .alias(2)]
        let swapped: PerlValue = [.anchored(1, [0]), .anchored(2, [0]), .alias(2), .alias(1)]
        let merged: PerlValue = [.anchored(1, [0]), .anchored(2, [0]), .alias(1), .alias(1)]
        #expect(crossed == crossed)
        #expect(crossed != swapped)
        #expect(crossed != merged)
    }

    @Test("cycles compare and print without recursing forever")
    func cycles() {
        // my $node = { name => "root" }; $node->{self} = $node; weaken $node->{self};
        let node: PerlValue = .anchored(1, ["name": "root", "self": .weak(.alias(1))])
        let same: PerlValue = .anchored(9, ["name": "root", "self": .weak(.alias(9))])
        let strong: PerlValue = .anchored(9, ["name": "root", "self": .alias(9)])
        #expect(node == same)
        #expect(node != strong)
        #expect(node.description == #"&1 {"name" => "root", "self" => weaken(*1)}"#)
        #expect(node.anchoredValues()[1]?["name"] == "root")

        // Two-node cycle against a one-node cycle of the same local shape.
        let pair: PerlValue = .anchored(1, ["next": .anchored(2, ["next": .alias(1)])])
        let loop: PerlValue = .anchored(1, ["next": .alias(1)])
        #expect(pair != loop)
    }

    @Test("description keeps every distinction")
    func description() {
        let value: PerlValue = [
            "text": "caf\u{E9}\n", "raw": .bytes([0x63, 0xE9, 0x22]), "n": .unsigned(.max),
            "ref": .scalarReference(.scalarReference(-3)), "obj": .blessed(class: "My::Class", []),
            "flags": [true, false, nil, 0.5],
        ]
        #expect(value.description == #"{"text" => "café\n", "raw" => b"c\xE9\"", "n" => 18446744073709551615, "# +
            #""ref" => \\-3, "obj" => bless([], "My::Class"), "flags" => [true, false, undef, 0.5]}"#)
    }

    @Test("accessors convert only what is exact")
    func accessors() {
        #expect(PerlValue.unsigned(.max).int64Value == nil)
        #expect(PerlValue.integer(-1).uint64Value == nil)
        #expect(PerlValue.integer(3).doubleValue == 3)
        #expect(PerlValue.bytes([0x63, 0xE9]).stringValue == "c\u{E9}")
        #expect(PerlValue.array([]).isReference && !PerlValue.string("").isReference)
        #expect(PerlValue.weak(.alias(2)).unwrapped == .alias(2))
    }

    @Test("holes read as undef to Perl's eye but stay distinct when identity is asked")
    func holes() {
        let sparse: PerlValue = [.hole, .hole, 1]
        #expect(sparse == [nil, nil, 1])
        #expect(!sparse.isIdentical(to: [nil, nil, 1]))
        #expect(PerlValue.hole.isUndef)
        #expect(!PerlValue.hole.isReference)
        #expect(sparse.description == "[(hole), (hole), 1]")
        #expect(Set([PerlValue.hole, .undef]).count == 1)
    }

    @Test("regexps, code, vstrings and hooked objects compare, hash and print by their parts")
    func carriedObjects() {
        let pattern: PerlValue = .blessed(class: "Regexp", .regexp(pattern: "a/b+", flags: "i"))
        #expect(pattern.description == #"bless(qr/a\/b+/i, "Regexp")"#)
        #expect(pattern.isReference)
        #expect(pattern != .blessed(class: "Regexp", .regexp(pattern: "a/b+", flags: "")))

        let code: PerlValue = .code("{ 42 }")
        #expect(code.description == "sub { 42 }")
        #expect(code == .code("{ 42 }") && code != .code("{ 43 }"))

        let version: PerlValue = .vstring(literal: "v1.2.3", value: .bytes([1, 2, 3]))
        #expect(!version.isReference)
        #expect(version.stringValue == "\u{1}\u{2}\u{3}")
        #expect(version.description == "v1.2.3")
        #expect(version != .vstring(literal: "v1.2.4", value: .bytes([1, 2, 3])))

        let hooked = PerlHookedObject(className: "Point", kind: .hash, serialized: Array("1,2".utf8), references: [[1]])
        let object: PerlValue = .anchored(1, .hooked(hooked))
        #expect(object.className == "Point")
        #expect(object.isReference)
        #expect(object.description == #"&1 hooked("Point", b"1,2", [1])"#)
        var other = hooked
        other.references = [[2]]
        #expect(object != .anchored(1, .hooked(other)))
        #expect(Set([PerlValue.hooked(hooked), .hooked(hooked)]).count == 1)
        #expect(object.anchoredValues()[1] == .hooked(hooked))
    }

    @Test("a restricted hash equals its plain twin, but is not identical to it")
    func restrictedHashes() {
        var locked: PerlHash = ["a": 1]
        locked.restriction = PerlHash.Restriction(allowedKeys: ["b"], lockedKeys: ["a"])
        let plain: PerlHash = ["a": 1]
        #expect(PerlValue.hash(locked) == .hash(plain))
        #expect(!PerlValue.hash(locked).isIdentical(to: .hash(plain)))
        #expect(PerlValue.hash(locked).isIdentical(to: .hash(locked)))
    }
}

extension PerlHash.Key {
    fileprivate var isBytes: Bool {
        if case .bytes = self { return true }
        return false
    }
}
