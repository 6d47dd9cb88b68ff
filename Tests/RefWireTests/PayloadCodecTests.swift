import RefWire
import Testing

@Suite("PayloadCodec and sniffing")
struct PayloadCodecTests {
    @Test("the registry names every format and its version")
    func registry() {
        #expect(PayloadFormat.allCases.map(\.name) == ["nstorable", "storable", "json", "yaml", "yamlxs"])
        #expect(PayloadFormat.nstorable.formatVersion == "2.11")
        #expect(PayloadFormat.yamlxs.formatVersion == "1.1")
        #expect(PayloadFormat(rawValue: "sereal") == nil)
    }

    @Test("what the first bytes say", arguments: [
        ([], "empty"),
        (Array("  \r\n\t{\"a\":1}".utf8), "json"),
        ([0xEF, 0xBB, 0xBF] + Array("[1]".utf8), "json"),
        (Array("--- 1\n".utf8), "yaml"),
        (Array("%YAML 1.1\n--- 1\n".utf8), "yaml"),
        (Array("\"just a string\"".utf8), "unknown"),
        (Array("hello".utf8), "unknown"),
        ([0x05, 0x0B, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00], "storable-network 2.11"),
        ([0x04, 0x0B, 0x08] + Array("12345678".utf8) + [4, 8, 8, 8], "storable-native 2.11 12345678"),
        ([0x04, 0x0B, 0x04] + Array("4321".utf8) + [4, 4, 4, 8], "storable-native 2.11 4321"),
        (Array("pst0".utf8) + [0x05, 0x07], "storable-file-network 2.7"),
        ([0x3D, 0x73, 0x72, 0x6C, 0x02, 0x00], "sereal 2"),
        ([0x3D, 0xF3, 0x72, 0x6C, 0x04, 0x00], "sereal 4"),
        ([0x3D, 0xC3, 0xB3, 0x72, 0x6C, 0x03, 0x00], "sereal 3"),
    ] as [([UInt8], String)])
    func sniffing(bytes: [UInt8], expected: String) {
        #expect(PayloadKind(sniffing: bytes).description == expected)
    }

    @Test("Storable headers RefWire cannot read are Storable, refused with the reason")
    func unsupportedStorable() throws {
        let cases: [([UInt8], StorableDecodingError.Kind)] = [
            ([0x07, 0x00], .unsupportedVersion(major: 3, minor: 0)),
            ([0x05, 0x0D], .unsupportedVersion(major: 2, minor: 13)),
            (Array("pst0".utf8) + [0x09, 0x00], .unsupportedVersion(major: 4, minor: 0)),
            ([0x04, 0x0B, 0x04] + Array("1234".utf8) + [8, 8, 8, 8], .unsupportedNativeLayout("sizeof(int) 8")),
        ]
        for (bytes, expected) in cases {
            let kind = PayloadKind(sniffing: bytes)
            guard case .unsupportedStorable(let error) = kind else {
                Issue.record("\(bytes) sniffed as \(kind)")
                continue
            }
            #expect(error.kind == expected)
            #expect(throws: PayloadDecodingError.storable(error)) { try PayloadCodec().decodeSniffing(bytes) }
        }
    }

    @Test("decoding by sniffing gives the format back, and encoding in it round-trips")
    func roundTripInKind() throws {
        // (No double: network-order Storable carries one as text, as Perl does.)
        let value: PerlValue = ["id": 7, "tags": ["a", "b"], "name": "café"]
        let codec = PayloadCodec()
        for format in PayloadFormat.allCases {
            let bytes = try codec.encode(value, as: format)
            let (decoded, sniffed) = try codec.decodeSniffing(bytes)
            // The two YAML dialects are one format to a reader.
            #expect(sniffed == (format == .yamlxs ? .yaml : format), "\(format)")
            #expect(decoded == value, "\(format)")
        }
    }

    @Test("payloads no format reads are refused with a typed error")
    func unreadable() {
        let codec = PayloadCodec()
        #expect(throws: PayloadDecodingError.empty) { try codec.decodeSniffing([UInt8]()) }
        #expect(throws: PayloadDecodingError.unrecognizedFormat) { try codec.decodeSniffing(Array("hello".utf8)) }
        #expect(throws: PayloadDecodingError.self) { try codec.decode(Array("{".utf8), as: .json) }
        #expect((try? codec.decode(Array("{".utf8), as: .json)) == nil)
    }
}
