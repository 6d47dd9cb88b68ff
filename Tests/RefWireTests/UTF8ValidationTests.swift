import RefWire
import Testing

/// The decoders' UTF-8 check (a branch-free DFA that skips ASCII a word at a time) must
/// accept exactly what the standard library accepts: every two-byte sequence, and
/// three- and four-byte sequences over the bytes where the rules change, each after
/// 0 to 8 ASCII bytes so that it falls inside, across and after the eight-byte steps.
@Suite("UTF-8 validation")
struct UTF8ValidationTests {
    /// The continuation-byte boundaries (overlong forms, surrogates, U+10FFFF) and the
    /// bytes around them.
    static let boundaries: [UInt8] = [0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC2, 0xF4, 0xFF]

    static var sequences: [[UInt8]] {
        var result: [[UInt8]] = []
        for first in 0...255 {
            for second in 0...255 { result.append([UInt8(first), UInt8(second)]) }
            for second in boundaries {
                for third in boundaries {
                    result.append([UInt8(first), second, third])
                    if first >= 0xF0 {
                        for fourth in boundaries { result.append([UInt8(first), second, third, fourth]) }
                    }
                }
            }
        }
        return result
    }

    @Test("Storable and JSON accept a string exactly when the standard library does")
    func agreesWithTheStandardLibrary() throws {
        var checked = 0
        for sequence in Self.sequences {
            for padding in [0, 3, 7, 8] {
                let bytes = Array(repeating: UInt8(ascii: "a"), count: padding) + sequence
                let expected = String(validating: bytes, as: UTF8.self)
                // A Storable character string (SX_UTF8STR) holding exactly these bytes; at
                // the root it is what a reference points at, so it reads as `\"..."`.
                let image: [UInt8] = [0x05, 0x0B, 23, UInt8(bytes.count)] + bytes
                do {
                    let value = try StorableDecoder().decode(image)
                    #expect(expected != nil && value.isIdentical(to: .scalarReference(.string(expected!))), "Storable accepted \(bytes)")
                } catch {
                    #expect(expected == nil && error.kind == .invalidUTF8, "Storable refused \(bytes): \(error)")
                }
                // JSON, where the bytes can stand in a string as they are.
                if !bytes.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
                    let document = Array("[\"".utf8) + bytes + Array("\"]".utf8)
                    do {
                        let value = try PerlJSONDecoder().decode(document)
                        #expect(expected != nil && value.isIdentical(to: [.string(expected!)]), "JSON accepted \(bytes)")
                    } catch {
                        #expect(expected == nil && error.kind == .invalidUTF8, "JSON refused \(bytes): \(error)")
                    }
                }
                checked += 1
            }
        }
        #expect(checked > 300_000)
    }
}
