import RefWire
import Testing

/// Replays every vector in `Spec/vectors/json/` (values read by real Perl JSON::XS, with
/// correctly rounded doubles; see its README) through ``PerlJSONDecoder``, and encodes
/// the valid ones with ``PerlJSONEncoder``, so the Swift implementation is held to the
/// same language-neutral expectations as any other.
@Suite("JSON vectors")
struct JSONVectorTests {
    @Test("Spec/vectors/json is found and holds every topic and every error kind")
    func vectorsArePresent() throws {
        let vectors = try JSONVectors.all()
        #expect(vectors.count >= 150, "only \(vectors.count) JSON vectors were found")
        let files = Set(vectors.map(\.file))
        for file in ["structure", "numbers", "strings", "errors", "limits", "encoding"] {
            #expect(files.contains(file), "no vectors from \(file).json")
        }
        let names = vectors.map(\.name)
        #expect(Set(names).count == names.count, "vector names must be unique")
        #expect(try JSONVectors.valid().contains { $0.pretty != nil && $0.ascii != nil })
        #expect(try JSONVectors.valid().contains { $0.jsonXsValue != nil })

        let kinds = Set(try JSONVectors.errors().map { $0.error!.kind })
        for kind in [
            "truncated", "unexpected_byte", "trailing_bytes", "invalid_number", "number_out_of_range", "invalid_escape",
            "lone_surrogate", "unescaped_control_character", "invalid_utf8", "duplicate_key", "depth_limit_exceeded",
            "input_limit_exceeded", "string_limit_exceeded", "container_limit_exceeded", "total_limit_exceeded",
        ] {
            #expect(kinds.contains(kind), "no error vector of kind \(kind)")
        }
    }

    @Test("Valid vector decodes to its value", arguments: try JSONVectors.valid())
    func decodes(_ vector: JSONVector) throws {
        let expected = try #require(vector.value)
        let value = try PerlJSONDecoder(options: vector.decodingOptions).decode(vector.bytes)
        #expect(expected.matches(value), "decoded \(value), expected \(expected)")
    }

    @Test("Valid vector encodes to its canonical (and pretty and ascii) output", arguments: try JSONVectors.valid())
    func encodes(_ vector: JSONVector) throws {
        let decoded = try PerlJSONDecoder(options: vector.decodingOptions).decode(vector.bytes)
        // From what this decoder made, and from the vector's own value.
        for value in [decoded, try #require(vector.value).perlValue] {
            var options = JSONEncodingOptions()
            options.canonical = true
            #expect(try text(value, options) == vector.canonical)
            if let pretty = vector.pretty {
                options.pretty = true
                #expect(try text(value, options) == pretty)
                options.pretty = false
            }
            if let ascii = vector.ascii {
                options.escapesNonASCII = true
                #expect(try text(value, options) == ascii)
            }
        }
    }

    @Test("Error vector fails with its error", arguments: try JSONVectors.errors())
    func fails(_ vector: JSONVector) throws {
        let expected = try #require(vector.error)
        do {
            let value = try PerlJSONDecoder(options: vector.decodingOptions).decode(vector.bytes)
            Issue.record("decoded \(value); expected \(expected.kind)")
        } catch {
            #expect(error.kind.identifier == expected.kind, "\(error)")
            #expect(error.offset == expected.offset, "\(error)")
        }
    }

    private func text(_ value: PerlValue, _ options: JSONEncodingOptions) throws -> String {
        String(decoding: try PerlJSONEncoder(options: options).encode(value), as: UTF8.self)
    }
}

/// The jsonchecker suite (json.org) and nativejson-benchmark's round-trip files, kept in
/// `Spec/vectors/json/jsonchecker` and `Spec/vectors/json/roundtrip`.
@Suite("JSON corpora")
struct JSONCorpusTests {
    /// How each jsonchecker `fail` file fails. The two `_EXCLUDE` files are valid RFC 8259
    /// (a string at the root; nesting 20 levels), so they decode.
    static let failures: [String: String] = [
        "fail02": "truncated", "fail03": "unexpected_byte", "fail04": "unexpected_byte", "fail05": "unexpected_byte",
        "fail06": "unexpected_byte", "fail07": "trailing_bytes", "fail08": "trailing_bytes", "fail09": "unexpected_byte",
        "fail10": "trailing_bytes", "fail11": "unexpected_byte", "fail12": "unexpected_byte", "fail13": "invalid_number",
        "fail14": "unexpected_byte", "fail15": "invalid_escape", "fail16": "unexpected_byte", "fail17": "invalid_escape",
        "fail19": "unexpected_byte", "fail20": "unexpected_byte", "fail21": "unexpected_byte", "fail22": "unexpected_byte",
        "fail23": "unexpected_byte", "fail24": "unexpected_byte", "fail25": "unescaped_control_character",
        "fail26": "invalid_escape", "fail27": "unescaped_control_character", "fail28": "invalid_escape",
        "fail29": "invalid_number", "fail30": "invalid_number", "fail31": "invalid_number", "fail32": "truncated",
        "fail33": "unexpected_byte",
    ]

    @Test("jsonchecker: pass files and the excluded fail files decode; every other fail file fails as listed")
    func jsonchecker() throws {
        let files = try JSONVectors.corpus("jsonchecker")
        #expect(files.count == 36, "jsonchecker has 3 pass and 33 fail files")
        #expect(Set(files.map(\.name).filter { $0.hasPrefix("fail") && !$0.hasSuffix("_EXCLUDE") }) == Set(Self.failures.keys))
        for (name, bytes) in files {
            if name.hasPrefix("pass") || name.hasSuffix("_EXCLUDE") {
                let value = try PerlJSONDecoder().decode(bytes)
                // And back: the encoding decodes to the same value.
                #expect(try PerlJSONDecoder().decode(PerlJSONEncoder().encode(value)).isIdentical(to: value), "\(name)")
                continue
            }
            do {
                let value = try PerlJSONDecoder().decode(bytes)
                Issue.record("\(name) decoded: \(value)")
            } catch {
                #expect(error.kind.identifier == Self.failures[name], "\(name): \(error)")
            }
        }
    }

    @Test("Round-trip files decode and encode back byte for byte")
    func roundTrip() throws {
        let files = try JSONVectors.corpus("roundtrip")
        #expect(files.count == 27)
        for (name, bytes) in files {
            let encoded = try PerlJSONEncoder().encode(PerlJSONDecoder().decode(bytes))
            #expect(
                encoded == bytes,
                "\(name): \(String(decoding: bytes, as: UTF8.self)) → \(String(decoding: encoded, as: UTF8.self))")
        }
    }
}
