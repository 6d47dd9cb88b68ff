import Foundation  // tests only: `Data` must work through the bridge
import RefWire
import RefWireTestSupport
import Testing

/// Codable types to and from YAML documents, in both dialects; and every string, random
/// ones included, through each dialect's writer and reader.
@Suite("YAML Codable and round trips")
struct YAMLCodableTests {
    private struct Job: Codable, Equatable {
        struct Step: Codable, Equatable {
            var name: String
            var timeout: Double?
        }

        var id: Int
        var command: String
        var args: [String]
        var steps: [Step]
        var labels: [String: String]
        var payload: Data
        var enabled: Bool
        var note: String?
    }

    private static let job = Job(
        id: 17, command: "publish", args: ["true", "007", "", "~", "a: b", "line one is here\nline two is also here"],
        steps: [.init(name: "fetch", timeout: 2.5), .init(name: "run", timeout: nil)],
        labels: ["owner": "caf\u{E9}", "emoji": "\u{1F600}"], payload: Data([0, 1, 0xE9, 0xFF]), enabled: true, note: nil)

    @Test("A Codable value round-trips through each dialect", arguments: YAMLDialect.allCases)
    func roundTrip(_ dialect: YAMLDialect) throws {
        var encoding = YAMLEncodingOptions()
        encoding.dialect = dialect
        let text = try PerlYAMLEncoder(options: encoding).encode(Self.job)
        var decoding = YAMLDecodingOptions()
        decoding.dialect = dialect
        let decoded = try PerlYAMLDecoder(options: decoding).decode(Job.self, from: text)
        #expect(decoded == Self.job, "\(String(decoding: text, as: UTF8.self))")
    }

    @Test("A plain value is the whole document")
    func plainRoot() throws {
        #expect(String(decoding: try PerlYAMLEncoder().encode(42), as: UTF8.self) == "--- 42\n")
        #expect(String(decoding: try PerlYAMLEncoder().encode("true"), as: UTF8.self) == "--- 'true'\n")
        #expect(try PerlYAMLDecoder().decode(Int.self, from: Array("--- 42\n".utf8)) == 42)
        #expect(try PerlYAMLDecoder().decode(String?.self, from: Array("--- ~\n".utf8)) == nil)
    }

    @Test("Perl's loose typing: quoted numerals are numbers, 1 and '' booleans")
    func looseTyping() throws {
        struct Loose: Decodable, Equatable {
            var count: Int
            var ratio: Double
            var flag: Bool
            var off: Bool
        }
        let text = "count: '42'\nratio: \"0.5\"\nflag: 1\noff: ''\n"
        #expect(try PerlYAMLDecoder().decode(Loose.self, from: Array(text.utf8)) == Loose(count: 42, ratio: 0.5, flag: true, off: false))
    }

    @Test("Doubles keep 15 digits as Perl prints them, or every digit with losslessDoubles")
    func doubles() throws {
        let lossy = try PerlYAMLDecoder().decode(Double.self, from: try PerlYAMLEncoder().encode(Double.pi))
        #expect(lossy == 3.14159265358979)
        var options = YAMLEncodingOptions()
        options.losslessDoubles = true
        #expect(try PerlYAMLDecoder().decode(Double.self, from: try PerlYAMLEncoder(options: options).encode(Double.pi)) == .pi)
    }

    @Test("Errors are the document's, or the bridge's")
    func errors() {
        #expect(throws: YAMLDecodingError.self) { try PerlYAMLDecoder().decode(Int.self, from: Array("--- [1".utf8)) }
        #expect(throws: PerlValueDecodingError.self) { try PerlYAMLDecoder().decode(Int.self, from: Array("--- word\n".utf8)) }
    }

    // MARK: - Every string

    /// Characters that make YAML writers choose: indicators, blanks, breaks, controls,
    /// quotes, escapes' characters, non-ASCII of every width, numerals.
    private static let alphabet: [Unicode.Scalar] = Array(
        "-?:,[]{}#&*!|>'\"%@`~=<. \t\n\r\\0123456789eEaxINn+_/" .unicodeScalars)
        + ["\u{0}", "\u{1}", "\u{8}", "\u{1B}", "\u{7F}", "\u{80}", "\u{85}", "\u{9F}", "\u{A0}", "\u{E9}", "\u{2028}",
           "\u{2029}", "\u{FEFF}", "\u{263A}", "\u{1F600}", "\u{3000}"]

    @Test("Random strings survive each dialect as values, keys and blessed scalars", arguments: YAMLDialect.allCases)
    func randomStrings(_ dialect: YAMLDialect) throws {
        var random = SeededRandom(seed: dialect == .yaml ? 0x79616D6C : 0x79616D78)
        var encoding = YAMLEncodingOptions()
        encoding.dialect = dialect
        var decoding = YAMLDecodingOptions()
        decoding.dialect = dialect
        var failures = 0
        for round in 0..<4_000 {
            var scalars = String.UnicodeScalarView()
            for _ in 0..<random.next(upperBound: round % 10 == 0 ? 120 : 12) {
                scalars.append(Self.alphabet[random.next(upperBound: Self.alphabet.count)])
            }
            let text = String(scalars)
            let value: PerlValue = [.string(text), .hash([.string(text): .string(text)]), .blessed(class: "S", .scalarReference(.string(text)))]
            let document = try PerlYAMLEncoder(options: encoding).encode(value)
            let decoded: PerlValue
            do {
                decoded = try PerlYAMLDecoder(options: decoding).decode(document)
            } catch {
                Issue.record("\(text.debugDescription): \(error)\n\(String(decoding: document, as: UTF8.self))")
                failures += 1
                continue
            }
            let element = decoded.arrayElements?[0]
            let pair = decoded.arrayElements?[1].hashContents
            let blessed = decoded.arrayElements?[2].scalarReferent
            let same = [element, pair?.values.first, blessed].allSatisfy { $0.map { Self.reads($0, as: text) } ?? false }
                && pair?.keys.first?.description == text
            if !same {
                Issue.record("\(text.debugDescription) read back as \(decoded)\n\(String(decoding: document, as: UTF8.self))")
                failures += 1
            }
            if failures > 5 { break }
        }
    }

    /// Whether `value` is the Perl scalar `text`: the string, or a number written so.
    private static func reads(_ value: PerlValue, as text: String) -> Bool {
        switch value {
        case .string(let string): return string.unicodeScalars.elementsEqual(text.unicodeScalars)
        case .integer(let number): return String(number) == text
        case .unsigned(let number): return String(number) == text
        case .double(let number): return number.isNaN ? text == "NaN" : Double(text) == number
        default: return false
        }
    }
}
