import Foundation  // tests only: `Data`, and reading the benchmark corpora
import RefWire
import RefWireTestSupport
import Testing

/// `PerlJSONDecoder.decode(_:from:using:)` reads JSON straight into `Decodable` types; it
/// must be observably the same as reading the document into a `PerlValue` and decoding
/// that with `PerlValueDecoder`: equal values, or equal errors (`JSONDecodingError` kind
/// and offset; `PerlValueDecodingError` kind, coding path and message). Every check here
/// is `JSONCodableTarget.agree`, the comparison the `CodableFuzz` target makes.
@Suite("JSON straight into Decodable types")
struct JSONDirectCodableTests {
    // MARK: Fixtures

    struct Address: Codable, Equatable {
        var city: String
        var zip: String?
    }

    struct Person: Codable, Equatable {
        var name: String
        var age: Int
        var address: Address
        var nicknames: [String]
        var manager: String?
    }

    /// Reads its fields out of document order, through nested containers and `super`.
    struct Layered: Decodable, Equatable {
        var id: Int64
        var point: [Double]
        var label: String?
        var base: Address?
        var extra: Data?

        enum Keys: String, CodingKey { case id, inner, point, label, extra }
        enum Inner: String, CodingKey { case label }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Keys.self)
            extra = try container.decodeIfPresent(Data.self, forKey: .extra)
            let inner = try container.nestedContainer(keyedBy: Inner.self, forKey: .inner)
            label = try inner.decodeIfPresent(String.self, forKey: .label)
            var point = try container.nestedUnkeyedContainer(forKey: .point)
            self.point = []
            while !point.isAtEnd { self.point.append(try point.decode(Double.self)) }
            id = try container.decode(Int64.self, forKey: .id)
            base = try Address(from: container.superDecoder())
        }
    }

    enum Shape: Codable, Equatable {
        case circle(radius: Double)
        case rectangle(width: Int, height: Int)
        case empty
    }

    struct Wide: Decodable, Equatable {
        var int8: Int8?, uint16: UInt16?, int128: Int128?, uint128: UInt128?, float: Float?, flag: Bool?
        var bytes: [UInt8]?
    }

    /// Runs every type of the fuzz target on `text`, under its three option sets.
    private func agreeAll(_ text: String) throws {
        try JSONCodableTarget.run(Array(text.utf8))
    }

    // MARK: The benchmark corpora

    static let corpusDirectory: String = {
        if let override = ProcessInfo.processInfo.environment["REFWIRE_JSON_CORPORA"] { return override }
        // The repository's sibling `shared/corpora/json`, as the benchmarks find it.
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return repository.deletingLastPathComponent().appendingPathComponent("shared/corpora/json").path
    }()

    static var corpusAvailable: Bool {
        FileManager.default.fileExists(atPath: corpusDirectory + "/canada.json")
    }

    private func corpus(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: Self.corpusDirectory + "/\(name).json")))
    }

    /// Equal values by `==` (the corpora are too large to compare by description).
    private func agreeEqual<T: Decodable & Equatable>(_ type: T.Type, _ bytes: [UInt8]) throws {
        let direct = try PerlJSONDecoder().decode(T.self, from: bytes)
        let tree = try PerlValueDecoder().decode(T.self, from: PerlJSONDecoder().decode(bytes))
        #expect(direct == tree)
    }

    @Test("canada, citm_catalog and twitter into the benchmark's models", .enabled(if: corpusAvailable))
    func benchmarkModels() throws {
        try agreeEqual(Canada.self, corpus("canada"))
        try agreeEqual(CitmCatalog.self, corpus("citm_catalog"))
        try agreeEqual(Twitter.self, corpus("twitter"))
        // And as the wrong model: the same first error.
        for (name, bytes) in try [("canada", corpus("canada")), ("twitter", corpus("twitter"))] {
            try JSONCodableTarget.agree(CitmCatalog.self, bytes)
            try JSONCodableTarget.agree(Twitter.self, bytes)
            try JSONCodableTarget.agree(Canada.self, Array(bytes.prefix(bytes.count / 2)))
            _ = name
        }
    }

    // MARK: Vectors

    @Test("jsonchecker and round-trip files, every fuzz type and option set")
    func jsonchecker() throws {
        let files = try JSONVectors.corpus("jsonchecker") + JSONVectors.corpus("roundtrip")
        #expect(files.count == 63)
        for (_, bytes) in files { try JSONCodableTarget.run(bytes) }
    }

    @Test("Every JSON vector, with its own options")
    func vectors() throws {
        let vectors = try JSONVectors.all()
        #expect(vectors.count > 100)
        for vector in vectors {
            let bytes = vector.bytes
            let options = vector.decodingOptions
            try JSONCodableTarget.agree(JSONProbe.self, bytes, options)
            try JSONCodableTarget.agree([String: String].self, bytes, options)
            try JSONCodableTarget.agree([Double].self, bytes, options)
            try JSONCodableTarget.agree(String.self, bytes, options)
            try JSONCodableTarget.agree(Int64.self, bytes, options)
            try JSONCodableTarget.agree(Data.self, bytes, options)
            try JSONCodableTarget.run(bytes)
        }
    }

    // MARK: Targeted cases

    static let documents: [String] = [
        // Missing keys, wrong types, nulls.
        #"{}"#, #"{"name":"Ann"}"#, #"{"name":null,"age":3}"#, #"{"name":7,"age":"x"}"#,
        #"{"name":"Ann","age":41,"address":{"city":"Oslo"},"nicknames":["A",null]}"#,
        #"{"name":"Ann","age":41,"address":{"city":"Oslo","zip":null},"nicknames":[],"manager":null}"#,
        #"{"name":"Ann","age":4.5,"address":[],"nicknames":{}}"#, #"[]"#, #"null"#, #""text""#, #"12"#,
        // Nested containers and super.
        #"{"id":1,"inner":{"label":"x"},"point":[1,2.5,-0],"super":{"city":"Rome"}}"#,
        #"{"id":"12","inner":{},"point":[],"extra":"\u00ff\u0000a"}"#,
        #"{"id":1,"inner":{},"point":[1],"extra":"\u0100"}"#,
        #"{"point":[1,"2",true],"inner":[],"id":1.0}"#,
        // Enums as the synthesized coding writes them.
        #"{"circle":{"radius":2}}"#, #"{"rectangle":{"width":1,"height":"2"}}"#, #"{"empty":{}}"#,
        #"{"circle":{"radius":2},"empty":{}}"#, #"{"triangle":{}}"#,
        // Numbers at the edges of each type, as numbers and as strings.
        #"{"int8":-128,"uint16":65535,"int128":"-170141183460469231731687303715884105728","uint128":"340282366920938463463374607431768211455","float":3.4e38,"flag":"1","bytes":"\u00ff"}"#,
        #"{"int8":128}"#, #"{"uint16":-1}"#, #"{"float":1e39}"#, #"{"float":"1e39"}"#, #"{"flag":2}"#,
        #"{"int128":"1e38","uint128":"2.50"}"#, #"{"int8":"0x10"}"#, #"{"bytes":[1,2,255]}"#, #"{"bytes":[256]}"#,
        #"[18446744073709551615,-9223372036854775808,1e308,5e-324,0.1]"#, #"[18446744073709551616]"#, #"[1e400]"#,
        // Duplicate keys: which value counts, and where the key stands.
        #"{"name":"first","name":"last","age":1,"address":{"city":"a","city":"b"},"nicknames":[]}"#,
        #"{"a":1,"b":2,"a":3}"#, #"{"a":1,"\u0061":2}"#, #"{"a\u0062":1,"ab":2,"x":{"ab":3,"a\u0062":4}}"#,
        #"{"é":1,"é":2}"#, #"{"name":"x","name":{"deep":[1,2,3]},"name":"y"}"#,
        // Keys the decoder compares byte by byte.
        #"{"":1,"a b":2,"é\n":3,"name":"\u0041nn"}"#, #"{"na\u006De":"escaped key"}"#,
        // Limits: depth of both decoders, strings, containers, totals.
        String(repeating: "[", count: 30) + String(repeating: "]", count: 30),
        String(repeating: #"{"children":["#, count: 10) + String(repeating: "]}", count: 10),
        #"["a very long string beyond the tight limit"]"#, #"[1,2,3,4,5,6,7]"#, #"{"a":1,"b":2,"c":3,"d":4,"e":5,"f":6}"#,
        "[" + Array(repeating: "[1,2]", count: 20).joined(separator: ",") + "]",
        // Malformed documents: the parse error comes first, at the same offset.
        #"{"name":"Ann",}"#, #"[1,2"#, #"{"a":1 "b":2}"#, "[\"\u{1}\"]", #"["\ud800"]"#, "[\"\u{FFFD}\"]",
        #"{"a":"\u00e9\ud83d\ude00"}"#, #"[01]"#, #"[1.]"#, #"{"a" 1}"#, #"[true, fals]"#, #"[] []"#,
        // FuzzRecord-shaped.
        #"{"name":"root","count":2,"values":[1.5,2],"tags":{"k":"v"},"children":[{"name":"leaf","children":null}]}"#,
        #"{"children":[{"children":[{"count":"7"}]},{"values":[null]}]}"#,
    ]

    @Test("Targeted documents, every fuzz type and option set")
    func targeted() throws {
        for document in Self.documents { try agreeAll(document) }
    }

    @Test("Targeted documents into the fixtures")
    func fixtures() throws {
        var invalid = Array("{\"name\":\"".utf8) + [0xC3, 0x28] + Array("\"}".utf8)
        for bytes in Self.documents.map({ Array($0.utf8) }) + [invalid] {
            for (json, value) in JSONCodableTarget.optionSets {
                try JSONCodableTarget.agree(Person.self, bytes, json, value)
                try JSONCodableTarget.agree([Person].self, bytes, json, value)
                try JSONCodableTarget.agree(Layered.self, bytes, json, value)
                try JSONCodableTarget.agree(Shape.self, bytes, json, value)
                try JSONCodableTarget.agree([Shape?].self, bytes, json, value)
                try JSONCodableTarget.agree(Wide.self, bytes, json, value)
                try JSONCodableTarget.agree([String: Wide].self, bytes, json, value)
                try JSONCodableTarget.agree(Data.self, bytes, json, value)
                try JSONCodableTarget.agree([Data].self, bytes, json, value)
                try JSONCodableTarget.agree([UInt128].self, bytes, json, value)
            }
        }
        invalid = []
        try JSONCodableTarget.agree(Person.self, invalid)
    }

    @Test("Input length limit, and a non-contiguous collection")
    func inputs() throws {
        var options = JSONDecodingOptions()
        options.maximumInputLength = 4
        try JSONCodableTarget.agree([Int].self, Array("[1,2]".utf8), options)
        let bytes = Array(#"{"name":"Ann","age":41,"address":{"city":"Oslo"},"nicknames":[]}"#.utf8)
        let person = try PerlJSONDecoder().decode(Person.self, from: bytes.lazy.map { $0 })
        #expect(person.name == "Ann")
    }

    @Test("Strings and keys outside ASCII are not taken for ASCII, both ways")
    func nonASCIIStrings() throws {
        // Both decoders mark which strings are ASCII, so that the `String`s are made
        // without looking at their bytes again. A string marked ASCII by mistake counts
        // UTF-16 units as bytes and compares byte by byte, not by canonical equivalence
        // (the decomposed "cafe\u{301}" below would differ from "café").
        let texts = [
            "é", "naïve café", "日本語のテキスト", "😀 emoji", "mixed ascii then ünïcödé at the end",
            "a decomposed cafe\u{301} in a long string",
        ]
        for text in texts {
            // The same text with its precomposed é written as an escape, where it has one.
            let escaped = String(text.unicodeScalars.map { $0 == "é" ? "\\u00e9" : String($0) }.joined())
            for written in Set([text, escaped]) {
                let document = Array("{\"\(written)\": [\"\(written)\"]}".utf8)
                let direct = try PerlJSONDecoder().decode([String: [String]].self, from: document)
                let tree = try #require(try PerlJSONDecoder().decode(document).hashContents)
                for (key, values) in direct {
                    #expect(key == text && key.count == text.count && key.utf16.count == text.utf16.count)
                    #expect(values.map(\.utf16.count) == [text.utf16.count], "\(written)")
                    #expect(values == [text.precomposedStringWithCanonicalMapping], "\(written)")
                }
                for (key, value) in zip(tree.keys, tree.values) {
                    guard case .string(let keyText) = key, case .array(let elements) = value,
                        case .string(let element) = elements.first
                    else {
                        Issue.record("\(written): \(tree)")
                        continue
                    }
                    #expect(keyText.utf16.count == text.utf16.count && element.utf16.count == text.utf16.count)
                    #expect(keyText == text.precomposedStringWithCanonicalMapping && element == text, "\(written)")
                }
            }
        }
    }

    /// Records the coding path each decoder and container reports, at every level.
    struct PathRecorder: Decodable, CustomStringConvertible {
        var paths: [String] = []
        var children: [PathRecorder] = []

        enum Keys: String, CodingKey { case list, map, inner, leaf }

        init(from decoder: any Decoder) throws {
            paths.append(Self.render(decoder.codingPath))
            guard let container = try? decoder.container(keyedBy: Keys.self) else {
                let single = try decoder.singleValueContainer()
                paths.append(Self.render(single.codingPath))
                return
            }
            paths.append(Self.render(container.codingPath))
            if container.contains(.list) {
                var list = try container.nestedUnkeyedContainer(forKey: .list)
                paths.append(Self.render(list.codingPath))
                while !list.isAtEnd { children.append(try list.decode(PathRecorder.self)) }
            }
            if let map = try container.decodeIfPresent([String: PathRecorder].self, forKey: .map) {
                children += map.keys.sorted().map { map[$0]! }
            }
            if container.contains(.inner) {
                let inner = try container.nestedContainer(keyedBy: Keys.self, forKey: .inner)
                paths.append(Self.render(inner.codingPath))
                children.append(try inner.decode(PathRecorder.self, forKey: .leaf))
                children.append(try PathRecorder(from: inner.superDecoder(forKey: .leaf)))
            }
            children.append(try PathRecorder(from: container.superDecoder()))
        }

        static func render(_ path: [any CodingKey]) -> String {
            path.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        }

        var description: String { "\(paths)\(children)" }
    }

    @Test("Decoders and containers report the tree decoder's coding paths at every level")
    func codingPaths() throws {
        let document = #"{"list":[{"leaf":1},{"list":[2,{"map":{"b":{"inner":{"leaf":3}},"a":4}}]}],"inner":{"leaf":"x"}}"#
        let direct = try PerlJSONDecoder().decode(PathRecorder.self, from: Array(document.utf8))
        let tree = try PerlValueDecoder().decode(PathRecorder.self, from: PerlJSONDecoder().decode(Array(document.utf8)))
        #expect(direct.description == tree.description)
        // A path four levels down, as both report it.
        #expect(direct.description.contains(".list[1].list[1].map.b.inner"))
    }

    /// The tape notes each object's keys to find duplicates; an object with very many
    /// distinct keys must cost linear time, as the tree's hash does, not a scan per key.
    /// The second family of keys shares length and first and last eight bytes, which is
    /// all the tape's fingerprint of a key looks at.
    @Test("Objects of 200,000 distinct keys are read in linear time", .timeLimit(.minutes(1)))
    func manyKeys() throws {
        let count = 200_000
        for key in [{ (number: Int) in "k\(number)" }, { "aaaaaaaa\(1_000_000 + $0)aaaaaaaa" }] {
            var text = Array("{".utf8)
            text.reserveCapacity(count * 30)
            for number in 0..<count {
                if number > 0 { text.append(UInt8(ascii: ",")) }
                text += Array("\"\(key(number))\":\(number & 7)".utf8)
            }
            text.append(UInt8(ascii: "}"))
            let map = try PerlJSONDecoder().decode([String: Int].self, from: text)
            #expect(map.count == count)
            #expect(map[key(count - 1)] == 7)
            // A repeat after them all is still found.
            text.removeLast()
            text += Array(",\"\(key(12345))\":9}".utf8)
            var options = JSONDecodingOptions()
            options.duplicateKeys = .reject
            #expect(throws: JSONDecodingError.self) {
                try PerlJSONDecoder(options: options).decode([String: Int].self, from: text)
            }
            #expect(try PerlJSONDecoder().decode([String: Int].self, from: text)[key(12345)] == 9)
        }
    }

    /// Keeps its decoder, to read the document later.
    struct Deferred: Decodable {
        let decoder: any Decoder
        init(from decoder: any Decoder) throws { self.decoder = decoder }
    }

    @Test("A decoder kept past init(from:) still reads its document after decode returns")
    func keptDecoder() throws {
        var bytes = Array(#"{"name":"Ann","age":41,"address":{"city":"Oslo é"},"nicknames":["a"]}"#.utf8)
        let deferred = try PerlJSONDecoder().decode(Deferred.self, from: bytes)
        // The caller's buffer changes, and other decodes come and go, before it is read.
        bytes.replaceSubrange(0..<bytes.count, with: repeatElement(UInt8(ascii: " "), count: bytes.count))
        for _ in 0..<100 { _ = try PerlJSONDecoder().decode([String].self, from: Array(#"["x","y"]"#.utf8)) }
        let person = try Person(from: deferred.decoder)
        #expect(person == Person(name: "Ann", age: 41, address: Address(city: "Oslo é", zip: nil), nicknames: ["a"], manager: nil))
    }
}
