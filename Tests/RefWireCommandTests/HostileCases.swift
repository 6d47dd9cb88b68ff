import Foundation
import RefWire
import Testing

/// The inputs of ``HostileInputTests``, by topic. Names are `topic/case`.
enum HostileCases {
    static let all: [HostileCase] = Array([framing, zlib, storable, json, yaml, auto].joined())

    // The verbs and formats each topic runs through.
    static let rawToRaw = ["reframe", "--from", "raw", "--to", "raw"]
    static let zrawToRaw = ["reframe", "--from", "zraw", "--to", "raw"]
    static let zframeToFrame = ["reframe", "--from", "zframe", "--to", "frame"]
    static let nstorable = ["transcode", "--from", "nstorable", "--to", "nstorable"]
    static let nstorableToJSON = ["transcode", "--from", "nstorable", "--to", "json"]
    static let nativeStorable = ["transcode", "--from", "storable", "--to", "nstorable"]
    static let jsonToJSON = ["transcode", "--from", "json", "--to", "json"]
    static let yamlToYAML = ["transcode", "--from", "yaml", "--to", "yaml"]
    static let yamlToJSON = ["transcode", "--from", "yaml", "--to", "json"]
    static let autoToNStorable = ["transcode", "--from", "auto", "--to", "nstorable"]

    // MARK: - Framing

    static var framing: [HostileCase] {
        var cases: [HostileCase] = [
            .refused("framing/length-2^31", rawToRaw, text("2147483648\0"), "declares 2147483648 bytes, more than the limit of 16777216", at: .at(0)),
            .refused("framing/length-2^63", rawToRaw, text("9223372036854775808\0"), "declares 9223372036854775808 bytes", at: .at(0)),
            .refused("framing/length-2^64", rawToRaw, text("18446744073709551616\0"), "declares more than 18446744073709551615 bytes", at: .at(0)),
            .refused("framing/length-negative", rawToRaw, text("-1\0x"), "invalid length prefix at byte 0", at: .at(0)),
            .refused("framing/length-100k-digits", rawToRaw, text(String(repeating: "7", count: 100_000) + "\0"), "has more than 20 digits", at: .at(0)),
            .refused("framing/length-leading-nul", rawToRaw, [0, 0x41], "invalid length prefix at byte 0", at: .at(0)),
            .refused("framing/length-arabic-indic-digit", rawToRaw, [0xD9, 0xA5, 0], "invalid length prefix at byte 0", at: .at(0)),
            .refused("framing/declares-16MiB-sends-8", rawToRaw, text("16777216\0abcdefgh"), "input ended inside the frame at byte 0: 17 of 16777225 bytes arrived", at: .at(0)),
        ]
        guard let stream = PerlSamples.bytes("poe_stream") else { return cases }
        cases.append(.refused("framing/perl-stream-then-garbage", rawToRaw, stream + text("garbage"), "invalid length prefix", at: .at(stream.count)))
        // Truncated everywhere: at a frame boundary the stream is whole and is copied;
        // anywhere else the frame it cuts is reported.
        let boundaries = frameStarts(stream)
        for length in truncationPoints(stream.count) {
            let prefix = Array(stream[..<length])
            if boundaries.contains(length) {
                cases.append(.accepted("framing/perl-stream-cut-at-\(length)", rawToRaw, prefix) { output in
                    #expect(output == prefix)
                })
            } else {
                let frame = boundaries.last { $0 < length }!
                cases.append(.refused("framing/perl-stream-cut-at-\(length)", rawToRaw, prefix, "input ended inside", at: .at(frame)))
            }
        }
        return cases
    }

    // MARK: - zlib

    static var zlib: [HostileCase] {
        // A bomb may fill the output to the inflation limit (Spec/limits.md): that, plus
        // refwire itself and its input.
        let bombAllowance = (64 + 32) << 10
        var cases: [HostileCase] = [
            .refused("zlib/bomb-1GiB-of-zeros", zrawToRaw, frame(ZlibBomb.gibibyte), "inflates to more than 67108864 bytes (--max-decompressed-size)", at: .at(0), memoryLimitKiB: bombAllowance),
            .refused("zlib/bomb-1GiB-of-zeros-16MiB-limit", zrawToRaw + ["--max-decompressed-size", "16777216"], frame(ZlibBomb.gibibyte), "inflates to more than 16777216 bytes", at: .at(0)),
            .refused("zlib/bomb-1GiB-of-zeros-as-storable", zframeToFrame, frame(ZlibBomb.gibibyte), "inflates to more than 67108864 bytes", at: .at(0), memoryLimitKiB: bombAllowance),
            .refused("zlib/gzip-not-zlib", zrawToRaw, frame([0x1F, 0x8B, 0x08, 0x00, 0, 0, 0, 0, 0, 0x03, 0x03, 0x00, 0, 0, 0, 0, 0, 0, 0, 0]), "gzip data", at: .at(0)),
            .refused("zlib/raw-deflate-no-header", zrawToRaw, frame([0x03, 0x00]), "not a zlib stream", at: .at(0)),
            .refused("zlib/preset-dictionary", zrawToRaw, frame([0x78, 0xBB, 0x00, 0x00, 0x00, 0x01, 0x03, 0x00]), "requires a preset dictionary", at: .at(0)),
            .refused("zlib/stored-block-lengths-forged", zrawToRaw, frame([0x78, 0x01, 0x01, 0x05, 0x00, 0x00, 0x00, 0x41]), "corrupt zlib stream", at: .at(0)),
            .refused("zlib/trailing-garbage", zrawToRaw, frame(Zlib.compress(text("hello")) + text("junk")), "4 byte(s) follow the end of the zlib stream", at: .at(0)),
            .refused("zlib/checksum-flipped", zrawToRaw, frame(flipLastByte(Zlib.compress(text("hello")))), "fails its Adler-32 check", at: .at(0)),
            .refused("zlib/inflates-to-non-storable", zframeToFrame, frame(Zlib.compress(text("hello"))), "the payload does not decode", at: .at(0)),
        ]
        guard let compressed = PerlSamples.bytes("message_zlib") else { return cases }
        for length in truncationPoints(compressed.count) {
            cases.append(.refused("zlib/perl-payload-cut-at-\(length)", zrawToRaw, frame(Array(compressed[..<length])), "zlib stream ends prematurely", at: .at(0)))
        }
        return cases
    }

    // MARK: - Storable

    static var storable: [HostileCase] {
        let header = StorableImage.network
        let limit = "exceeds the limit of"
        var cases: [HostileCase] = [
            // Forged counts and lengths: 2^31 - 1, 2^31 (negative as a C int), 2^63, 2^64 - 1.
            .refused("storable/array-count-2^31-1", nstorable, header + [Marker.array] + be32(0x7FFF_FFFF), "a container of 2147483647 elements \(limit) 16777216", at: .at(2)),
            .refused("storable/array-count-2^31", nstorable, header + [Marker.array] + be32(0x8000_0000), "malformed: negative length -2147483648", at: .at(3)),
            .refused("storable/array-count-minus-1", nstorable, header + [Marker.array] + be32(0xFFFF_FFFF), "malformed: negative length -1", at: .at(3)),
            .refused("storable/hash-count-2^31-1", nstorable, header + [Marker.hash] + be32(0x7FFF_FFFF), "a container of 2147483647 elements", at: .at(2)),
            .refused("storable/array-count-2^24-without-elements", nstorable, header + [Marker.array] + be32(1 << 24), "the image is truncated"),
            .refused("storable/string-length-2^31-1", nstorable, header + [Marker.lscalar] + be32(0x7FFF_FFFF), "a string of 2147483647 bytes \(limit) 67108864"),
            .refused("storable/utf8-string-length-2^31-1", nstorable, header + [Marker.lutf8str] + be32(0x7FFF_FFFF), "a string of 2147483647 bytes"),
            .refused("storable/string-length-2^31", nstorable, header + [Marker.lscalar] + be32(0x8000_0000), "negative length"),
            .refused("storable/large-array-2^31", nstorable, header + [Marker.lobject, Marker.array] + be64(1 << 31), "a container of 2147483648 elements"),
            .refused("storable/large-array-2^63", nstorable, header + [Marker.lobject, Marker.array] + be64(1 << 63), "a container of 9223372036854775808 elements"),
            .refused("storable/large-array-2^64-1", nstorable, header + [Marker.lobject, Marker.array] + be64(.max), "a container of 18446744073709551615 elements"),
            .refused("storable/large-hash-2^32", nstorable, header + [Marker.lobject, Marker.hash] + be64(1 << 32), "a container of 4294967296 elements"),
            .refused("storable/large-string-2^63", nstorable, header + [Marker.lobject, Marker.lscalar] + be64(1 << 63), "a string of 9223372036854775808 bytes"),
            .refused("storable/large-string-2^64-1", nstorable, header + [Marker.lobject, Marker.lscalar] + be64(.max), "a string of 18446744073709551615 bytes"),
            .refused("storable/vstring-length-2^31-1", nstorable, header + [Marker.lvstring] + be32(0x7FFF_FFFF), "a string of 2147483647 bytes"),
            .refused("storable/regexp-pattern-length-2^31-1", nstorable, header + [Marker.regexp, 0x01] + be32(0x7FFF_FFFF), "a string of 2147483647 bytes"),
            .refused("storable/class-name-length-2^31-1", nstorable, header + [Marker.bless, 0x80] + be32(0x7FFF_FFFF), "a string of 2147483647 bytes"),
            .refused("storable/hook-list-count-2^31-1", nstorable, header + [Marker.hook, 0x92, 6] + text("Hooked") + [1, 0x78] + be32(0x7FFF_FFFF), "a container of 2147483647 elements"),
            .refused("storable/hook-list-count-2^31", nstorable, header + [Marker.hook, 0x92, 6] + text("Hooked") + [1, 0x78] + be32(0x8000_0000), "a container of 2147483648 elements"),
            .refused("storable/hook-string-length-2^31-1", nstorable, header + [Marker.hook, 0x0A, 6] + text("Hooked") + be32(0x7FFF_FFFF), "a string of 2147483647 bytes"),
            // Back-references and class indexes to nothing; markers that are not markers.
            .refused("storable/back-reference-2^31-1", nstorable, header + [Marker.array] + be32(1) + [Marker.ref, Marker.object] + be32(0x7FFF_FFFF), "back-reference to object #2147483647, not yet seen", at: .at(8)),
            .refused("storable/back-reference-2^63", nstorable, header + [Marker.array] + be32(1) + [Marker.ref, Marker.lobject, Marker.object] + be64(1 << 63), "back-reference to object #9223372036854775808", at: .at(8)),
            .refused("storable/back-reference-ahead", nstorable, header + [Marker.array] + be32(2) + [Marker.ref, Marker.object] + be32(5) + [Marker.undef], "back-reference to object #5", at: .at(8)),
            .refused("storable/class-index-2^31-1", nstorable, header + [Marker.array] + be32(1) + [Marker.ixBless, 0x80] + be32(0x7FFF_FFFF), "class index 2147483647 names no class", at: .at(7)),
            .refused("storable/class-index-without-class", nstorable, header + [Marker.ixBless, 7, Marker.array] + be32(0), "class index 7 names no class", at: .at(2)),
            .refused("storable/large-object-of-a-reference", nstorable, header + [Marker.lobject, Marker.ref] + be64(1), "invalid marker 4", at: .at(3)),
            .refused("storable/tied-hash", nstorable, header + [Marker.tiedHash, Marker.hash] + be32(0), "tied values are not supported", at: .at(2)),
            .refused("storable/shared-scalar-slot", nstorable, header + [Marker.array] + be32(2) + [Marker.byte, 0x81, Marker.object] + be32(1), "is a scalar slot shared in place", at: .at(9)),
            // Headers RefWire does not read.
            .refused("storable/long-double-native", nativeStorable, [0x04, 0x0B, 0x08] + text("12345678") + [4, 8, 8, 16, Marker.undef], "unsupported native layout: sizeof(NV) 16", at: .at(2)),
            .refused("storable/future-minor-version", nstorable, [0x05, 0x0D, Marker.undef], "Storable format 2.13 is not supported", at: .at(1)),
            .refused("storable/perl-store-magic", nstorable, text("perl-store") + [0x05, 0x0B], "Storable format 0.0 is not supported", at: .at(0)),
        ]
        for marker: UInt8 in [36, 42, 0x7F, 0x80, 0xFF] {
            cases.append(.refused("storable/invalid-marker-\(marker)", nstorable, header + [marker], "invalid marker \(marker)", at: .at(2)))
            cases.append(.refused("storable/invalid-marker-\(marker)-in-array", nstorable, header + [Marker.array] + be32(1) + [marker], "invalid marker \(marker)", at: .at(7)))
        }

        // Nesting 100,000 deep: references, arrays, hashes (native), objects, compressed.
        let references = header + [UInt8](repeating: Marker.ref, count: 100_000) + [Marker.undef]
        cases += [
            .refused("storable/nesting-100k-references", nstorable, references, "nesting deeper than 512"),
            .refused("storable/nesting-100k-arrays", nstorable, header + [Marker.array] + be32(1) + Array(repeating: [Marker.ref, Marker.array] + be32(1), count: 100_000).joined() + [Marker.undef], "nesting deeper than 512"),
            .refused("storable/nesting-100k-hashes-native", nativeStorable, StorableImage.native + [Marker.hash] + le32(1) + Array(repeating: [Marker.ref, Marker.hash] + le32(1), count: 100_000).joined() + [Marker.undef] + Array(repeating: le32(1) + text("k"), count: 100_001).joined(), "nesting deeper than 512"),
            .refused("storable/nesting-100k-objects", nstorable, header + [Marker.bless, 1] + text("C") + [Marker.array] + be32(1) + Array(repeating: [Marker.ref, Marker.ixBless, 0, Marker.array] + be32(1), count: 100_000).joined() + [Marker.undef], "nesting deeper than 512"),
            .refused("storable/nesting-100k-compressed", zframeToFrame, frame(Zlib.compress(references)), "nesting deeper than 512", at: .at(0)),
        ]

        // Text that is not UTF-8 where Storable says it is: strings, keys, class names.
        for (name, bytes) in invalidUTF8 {
            cases.append(.refused("storable/utf8-string-\(name)", nstorable, header + [Marker.utf8str, UInt8(bytes.count)] + bytes, "a character string is not valid UTF-8", at: .at(4)))
        }
        cases += [
            .refused("storable/utf8-key-invalid", nstorable, header + [Marker.flagHash, 0] + be32(1) + [Marker.scalar, 1, 0x76, 0x01] + be32(2) + [0xC3, 0x28], "not valid UTF-8", at: .at(11)),
            .refused("storable/class-name-invalid-utf8", nstorable, header + [Marker.bless, 2, 0xC3, 0x28, Marker.array] + be32(0), "not valid UTF-8", at: .at(2)),
        ]

        if let code = PerlSamples.bytes("code"), let hook = PerlSamples.bytes("hook"),
            let overload = PerlSamples.bytes("overload"), let regexpCode = PerlSamples.bytes("regexp_code")
        {
            cases += perlObjects(code: code, hook: hook, overload: overload, regexpCode: regexpCode)
        }

        // Numbers as Perl stores the ones it cannot hold natively: as text, kept as text.
        let digits = String(repeating: "9", count: 100_000)
        cases.append(.accepted("storable/number-100k-digits-as-text", nstorableToJSON, header + [Marker.array] + be32(1) + [Marker.lscalar] + be32(100_000) + text(digits)) { output in
            #expect(output == text("[\"\(digits)\"]"))
        })

        // Sharing: a cycle, and 2^30 paths to one referent.
        let cycle = header + [Marker.array] + be32(1) + [Marker.ref, Marker.object] + be32(0)
        let laughs = StorableImage.laughs(levels: 30)
        cases += [
            .refused("storable/cycle-to-json", nstorableToJSON, cycle, "a cycle", at: .none),
            .accepted("storable/cycle-kept", nstorable, cycle) { output in
                let value = try StorableDecoder().decode(output)
                #expect(try value == StorableDecoder().decode(cycle))
            },
            .refused("storable/alias-bomb-2^30-to-json", nstorableToJSON, laughs, "aliases expand to more than 1048576 values", at: .none),
            .accepted("storable/alias-bomb-2^30-kept-shared", nstorable, laughs) { output in
                #expect(output.count < 2 * laughs.count)
                let value = try StorableDecoder().decode(output)
                #expect(try value == StorableDecoder().decode(laughs))
            },
        ]

        // What Perl wrote, damaged: trailing garbage, and truncation everywhere.
        guard let network = PerlSamples.bytes("message_network"), let native = PerlSamples.bytes("message_native"),
            let file = PerlSamples.bytes("message_file")
        else { return cases }
        cases.append(.refused("storable/perl-image-then-garbage", nstorable, network + text("garbage"), "7 bytes follow the root object", at: .at(network.count)))
        for length in truncationPoints(network.count) {
            cases.append(.refused("storable/perl-network-cut-at-\(length)", nstorable, Array(network[..<length]), "the image is truncated"))
        }
        for length in truncationPoints(native.count) {
            cases.append(.refused("storable/perl-native-cut-at-\(length)", nativeStorable, Array(native[..<length]), "the image is truncated"))
        }
        for length in truncationPoints(file.count) {
            // A file image is read --from auto: too short for the magic, it is no format.
            let fragment = switch length {
            case 0: "the payload is empty"
            case 1..<4: "the payload is in no format RefWire reads"
            default: "the image is truncated"
            }
            cases.append(.refused("storable/perl-file-cut-at-\(length)", autoToNStorable, Array(file[..<length]), fragment))
        }
        return cases
    }

    /// What Perl writes that RefWire keeps as data and never runs: code (when allowed),
    /// hook-frozen and overloaded objects, regexps with code blocks.
    static func perlObjects(code: [UInt8], hook: [UInt8], overload: [UInt8], regexpCode: [UInt8]) -> [HostileCase] {
        [
            .refused("storable/perl-code-reference", nstorable, code, "a code reference is refused"),
            .accepted("storable/perl-code-reference-kept-as-text", nstorable + ["--allow-code"], code) { output in
                var options = StorableDecodingOptions()
                options.codeReferences = .keepSource
                let value = try StorableDecoder(options: options).decode(output)
                #expect(value.contains { if case .code(let source) = $0 { source.contains("refwire-pwned") } else { false } })
                #expect(!FileManager.default.fileExists(atPath: "/tmp/refwire-pwned"), "the code ran")
            },
            .refused("storable/perl-code-reference-to-json", nstorableToJSON + ["--allow-code"], code, "cannot write the value as json", at: .none),
            .accepted("storable/perl-hook-kept-as-data", nstorable, hook) { output in
                let value = try StorableDecoder().decode(output)
                #expect(value.contains { $0.className == "Hooked" })
            },
            .refused("storable/perl-hook-class-refused", nstorable + ["--allow-class", "Other"], hook, "an object of class Hooked is refused"),
            .refused("storable/perl-hook-to-json", nstorableToJSON, hook, "cannot write the value as json", at: .none),
            .accepted("storable/perl-overloaded-object", nstorable, overload) { output in
                let value = try StorableDecoder().decode(output)
                #expect(value.contains { $0.className == "Overloaded" })
            },
            .refused("storable/perl-overloaded-class-refused", nstorable + ["--allow-class", "Other"], overload, "an object of class Overloaded is refused"),
            .accepted("storable/perl-regexp-code-block-kept-as-text", nstorable, regexpCode) { output in
                let value = try StorableDecoder().decode(output)
                #expect(value.contains { if case .regexp(let pattern, _) = $0 { pattern.contains("(?{") } else { false } })
            },
            .refused("storable/perl-regexp-code-block-class-refused", nstorable + ["--allow-class", "Other"], regexpCode, "an object of class Regexp is refused"),
            .refused("storable/perl-regexp-code-block-to-json", nstorableToJSON, regexpCode, "cannot write the value as json", at: .none),
        ]
    }

    // MARK: - JSON

    static var json: [HostileCase] {
        let digits = String(repeating: "7", count: 100_000)
        var cases: [HostileCase] = [
            .refused("json/nesting-100k-arrays", jsonToJSON, text(String(repeating: "[", count: 100_000)), "nesting deeper than 512", at: .at(512)),
            .refused("json/nesting-100k-arrays-closed", jsonToJSON, text(String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)), "nesting deeper than 512", at: .at(512)),
            .refused("json/nesting-100k-objects", jsonToJSON, text(String(repeating: "{\"a\":", count: 100_000)), "nesting deeper than 512"),
            .refused("json/integer-100k-digits", jsonToJSON, text("[\(digits)]"), "a number out of range", at: .at(1)),
            .refused("json/negative-integer-100k-digits", jsonToJSON, text("[-\(digits)]"), "a number out of range", at: .at(1)),
            .refused("json/exponent-100k", jsonToJSON, text("[1e100000]"), "a number out of range", at: .at(1)),
            .refused("json/exponent-100k-digits", jsonToJSON, text("[1e\(digits)]"), "a number out of range", at: .at(1)),
            .accepted("json/fraction-100k-digits", jsonToJSON, text("[0.\(digits)]")) { output in
                #expect(output == text("[0.7777777777777778]"))
            },
            .accepted("json/integer-100k-digits-scaled-down", jsonToJSON, text("[\(digits)e-99999]")) { output in
                #expect(output == text("[7.777777777777778]"))
            },
            .accepted("json/exponent-minus-100k", jsonToJSON, text("[1e-100000]")) { output in
                #expect(output == text("[0.0]"))
            },
            .refused("json/lone-high-surrogate", jsonToJSON, text("[\"\\uD800\"]"), "UTF-16 surrogate", at: .at(2)),
            .refused("json/lone-low-surrogate", jsonToJSON, text("[\"\\uDC00\"]"), "UTF-16 surrogate", at: .at(2)),
            .refused("json/high-surrogate-then-letter", jsonToJSON, text("[\"\\uD800\\u0041\"]"), "UTF-16 surrogate", at: .at(2)),
            .refused("json/unescaped-nul", jsonToJSON, [0x5B, 0x22, 0x00, 0x22, 0x5D], "unescaped control character", at: .at(2)),
            .refused("json/trailing-garbage", jsonToJSON, text("[1] x"), "bytes follow the document", at: .at(4)),
            .accepted("json/duplicate-key-last-wins", jsonToJSON, text("{\"a\":1,\"a\":2}")) { output in
                #expect(output == text("{\"a\":2}"))
            },
        ]
        for (name, bytes) in invalidUTF8 {
            cases.append(.refused("json/utf8-string-\(name)", jsonToJSON, text("[\"") + bytes + text("\"]"), "not valid UTF-8"))
            cases.append(.refused("json/utf8-key-\(name)", jsonToJSON, text("{\"") + bytes + text("\":1}"), "not valid UTF-8"))
        }
        guard let document = PerlSamples.bytes("message_json") else { return cases }
        cases.append(.refused("json/perl-document-then-garbage", jsonToJSON, document + text(",{}"), "bytes follow the document", at: .at(document.count)))
        for length in truncationPoints(document.count) {
            cases.append(.refused("json/perl-document-cut-at-\(length)", jsonToJSON, Array(document[..<length]), "the input ends inside the document", at: .at(length)))
        }
        return cases
    }

    // MARK: - YAML

    static var yaml: [HostileCase] {
        let hundredThousand = 100_000
        var cases: [HostileCase] = [
            .refused("yaml/nesting-100k-flow-sequences", yamlToYAML, text(String(repeating: "[", count: hundredThousand)), "nesting deeper than 512", at: .at(512)),
            .refused("yaml/nesting-100k-flow-mappings", yamlToYAML, text(String(repeating: "{a: ", count: hundredThousand)), "nesting deeper than 512"),
            .refused("yaml/nesting-100k-block-sequences", yamlToYAML, text(String(repeating: "- ", count: hundredThousand) + "x\n"), "nesting deeper than 512", at: .at(1024)),
            .refused("yaml/nesting-100k-references", yamlToYAML, text("--- " + String(repeating: "!!perl/ref {=: ", count: hundredThousand)), "nesting deeper than 512"),
            // Aliases: of collections they stay shared, so a "billion laughs" is as small
            // decoded as written — until JSON, which has no sharing, must write it out.
            .accepted("yaml/alias-bomb-10^9-kept-shared", yamlToYAML, yamlLaughs) { output in
                #expect(output.count < 2 * yamlLaughs.count)
            },
            .refused("yaml/alias-bomb-10^9-to-json", yamlToJSON, yamlLaughs, "aliases expand to more than 1048576 values", at: .none),
            .refused("yaml/scalar-alias-bomb-100MB", yamlToYAML, text("---\na: &a \"\(String(repeating: "x", count: 1_000_000))\"\nb: [\(Array(repeating: "*a", count: 100).joined(separator: ", "))]\n"), "aliases copy more than 16777216 bytes of scalars"),
            .accepted("yaml/alias-cycle-kept", yamlToYAML, text("--- &1\n- *1\n")) { output in
                #expect(output == text("--- &1\n- *1\n"))
            },
            .accepted("yaml/alias-cycle-through-object-kept", yamlToYAML, text("--- &1 !!perl/hash:Node\nself: *1\n")) { output in
                #expect(output == text("--- &1 !!perl/hash:Node\nself: *1\n"))
            },
            .refused("yaml/alias-cycle-to-json", yamlToJSON, text("--- &1\n- *1\n"), "a cycle", at: .none),
            .refused("yaml/alias-without-anchor", yamlToYAML, text("--- *x\n"), "alias *x has no anchor before it", at: .at(4)),
            .refused("yaml/alias-before-anchor", yamlToYAML, text("---\n- *a\n- &a [1]\n"), "alias *a has no anchor before it"),
            // What Perl's YAML libraries would run or load, kept as data or refused.
            .refused("yaml/code", yamlToYAML, text("--- !!perl/code '{ system(\"touch /tmp/refwire-pwned\") }'\n"), "a code reference is refused"),
            .accepted("yaml/code-kept-as-text", ["transcode", "--from", "yaml", "--to", "nstorable", "--allow-code"], text("--- !!perl/code '{ system(\"touch /tmp/refwire-pwned\") }'\n")) { output in
                var options = StorableDecodingOptions()
                options.codeReferences = .keepSource
                let value = try StorableDecoder(options: options).decode(output)
                #expect(value.contains { if case .code(let source) = $0 { source.contains("refwire-pwned") } else { false } })
                #expect(!FileManager.default.fileExists(atPath: "/tmp/refwire-pwned"), "the code ran")
            },
            .accepted("yaml/regexp-code-block-kept-as-text", yamlToYAML, text("--- !!perl/regexp (?^:a(?{ system(\"id\") })b)\n")),
            .accepted("yaml/object-kept-as-data", yamlToYAML, text("--- !!perl/hash:Evil::Class\nk: v\n")),
            .refused("yaml/object-class-refused", yamlToYAML + ["--allow-class", "Other"], text("--- !!perl/hash:Evil::Class\nk: v\n"), "an object of class Evil::Class is refused"),
            .refused("yaml/glob", yamlToYAML, text("--- !!perl/glob\nNAME: x\n"), "tag !!perl/glob is not supported"),
            .refused("yaml/local-tag", yamlToYAML, text("--- !Foo x\n"), "tag !Foo is not supported"),
            .refused("yaml/tag-directive", yamlToYAML, text("%TAG ! tag:example.com,2000:\n--- x\n"), "directive %TAG is not supported", at: .at(0)),
            .refused("yaml/two-documents", yamlToYAML, text("--- a\n--- b\n"), "more than one document"),
            .accepted("yaml/number-100k-digits-is-text", yamlToJSON, text("--- [\(String(repeating: "9", count: hundredThousand))]\n")) { output in
                #expect(output == text("[\"\(String(repeating: "9", count: hundredThousand))\"]"))
            },
            .refused("yaml/escape-of-surrogate", yamlToYAML, text("--- \"\\uD800\"\n"), "invalid escape"),
            .refused("yaml/escape-above-u10ffff", yamlToYAML, text("--- \"\\U00110000\"\n"), "invalid escape"),
            .refused("yaml/nul-character", yamlToYAML, text("--- a") + [0] + text("b\n"), "cannot appear unescaped"),
        ]
        for (name, bytes) in invalidUTF8 {
            cases.append(.refused("yaml/utf8-\(name)", yamlToYAML, text("--- \"") + bytes + text("\"\n"), "the input is not UTF-8", at: .at(5)))
        }
        // What Perl's YAML libraries wrote, cut anywhere: a prefix of a YAML document is
        // often a YAML document itself, so either outcome is right, as long as it is one.
        for sample in ["message_yaml", "message_yaml_xs"] {
            guard let document = PerlSamples.bytes(sample) else { continue }
            cases.append(.refused("yaml/\(sample)-then-second-document", yamlToYAML, document + text("--- x\n"), "more than one document"))
            for length in truncationPoints(document.count) {
                cases.append(HostileCase(
                    name: "yaml/\(sample)-cut-at-\(length)", arguments: yamlToYAML, input: Array(document[..<length]),
                    expected: .refusedOrAccepted))
            }
        }
        return cases
    }

    /// Ten levels of ten aliases to the level below: 10⁹ paths to the innermost sequence.
    static let yamlLaughs: [UInt8] = {
        var document = "---\nl0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        for level in 1...9 {
            document += "l\(level): &l\(level) [" + Array(repeating: "*l\(level - 1)", count: 10).joined(separator: ", ") + "]\n"
        }
        return text(document)
    }()

    // MARK: - Sniffing

    static var auto: [HostileCase] {
        [
            .refused("auto/empty", autoToNStorable, [], "the payload is empty", at: .at(0)),
            .refused("auto/sereal", autoToNStorable, [0x3D, 0xF3, 0x72, 0x6C, 0x04, 0x00, 0x25], "Sereal (version 4) is not supported", at: .at(0)),
            .refused("auto/plain-text", autoToNStorable, text("hello"), "the payload is in no format RefWire reads", at: .at(0)),
            .refused("auto/storable-major-3", autoToNStorable, [0x07], "Storable format 3.0 is not supported", at: .at(0)),
        ]
    }

    // MARK: - Helpers

    /// Byte sequences that are not UTF-8: overlong forms, surrogates, code points past
    /// U+10FFFF, stray and missing continuation bytes, bytes UTF-8 never uses.
    static let invalidUTF8: [(String, [UInt8])] = [
        ("overlong-slash", [0xC0, 0xAF]),
        ("overlong-nul", [0xC0, 0x80]),
        ("overlong-3-byte", [0xE0, 0x80, 0xAF]),
        ("overlong-4-byte", [0xF0, 0x80, 0x80, 0xAF]),
        ("high-surrogate", [0xED, 0xA0, 0x80]),
        ("low-surrogate", [0xED, 0xB0, 0x80]),
        ("surrogate-pair-as-cesu-8", [0xED, 0xA0, 0xBD, 0xED, 0xB8, 0x80]),
        ("above-u10ffff", [0xF4, 0x90, 0x80, 0x80]),
        ("five-byte-form", [0xF8, 0x88, 0x80, 0x80, 0x80]),
        ("lone-continuation", [0x80]),
        ("truncated-sequence", [0xE2, 0x82]),
        ("byte-ff", [0xFF]),
    ]

    static func text(_ string: String) -> [UInt8] { Array(string.utf8) }
    static func frame(_ payload: [UInt8]) -> [UInt8] { text("\(payload.count)\0") + payload }
    static func be32(_ value: UInt32) -> [UInt8] { withUnsafeBytes(of: value.bigEndian) { Array($0) } }
    static func be64(_ value: UInt64) -> [UInt8] { withUnsafeBytes(of: value.bigEndian) { Array($0) } }
    static func le32(_ value: UInt32) -> [UInt8] { withUnsafeBytes(of: value.littleEndian) { Array($0) } }

    static func flipLastByte(_ bytes: [UInt8]) -> [UInt8] {
        var flipped = bytes
        flipped[flipped.count - 1] ^= 0x01
        return flipped
    }

    /// Where to cut an input of `count` bytes: everywhere in its first 24 bytes (headers,
    /// length fields), then every fifth byte, and one byte short of the end.
    static func truncationPoints(_ count: Int) -> [Int] {
        guard count > 0 else { return [] }
        return Array(Set(Array(0..<min(count, 24)) + Array(stride(from: 24, to: count, by: 5)) + [count - 1])).sorted()
    }

    /// The offsets where the frames of a well-formed stream start, and its end.
    static func frameStarts(_ stream: [UInt8]) -> [Int] {
        var starts: [Int] = []
        var index = 0
        while index < stream.count {
            starts.append(index)
            var length = 0
            while stream[index] != 0 {
                length = length * 10 + Int(stream[index] - 0x30)
                index += 1
            }
            index += 1 + length
        }
        return starts + [stream.count]
    }
}

/// Storable markers (`Spec/storable.md` §3).
enum Marker {
    static let object: UInt8 = 0, lscalar: UInt8 = 1, array: UInt8 = 2, hash: UInt8 = 3, ref: UInt8 = 4
    static let undef: UInt8 = 5, byte: UInt8 = 8, scalar: UInt8 = 10, tiedHash: UInt8 = 12
    static let bless: UInt8 = 17, ixBless: UInt8 = 18, hook: UInt8 = 19, utf8str: UInt8 = 23, lutf8str: UInt8 = 24
    static let flagHash: UInt8 = 25, lvstring: UInt8 = 30, regexp: UInt8 = 32, lobject: UInt8 = 33
}

/// Storable images built byte by byte.
enum StorableImage {
    /// `nfreeze`'s header (format 2.11).
    static let network: [UInt8] = [0x05, 0x0B]
    /// `freeze`'s header on a 64-bit little-endian Perl.
    static let native: [UInt8] = [0x04, 0x0B, 0x08] + Array("12345678".utf8) + [0x04, 0x08, 0x08, 0x08]

    /// `[$a, $a]` where `$a = [$b, $b]`, and so on `levels` deep: a small image with
    /// 2^levels paths to the innermost array.
    static func laughs(levels: Int) -> [UInt8] {
        var image = network
        var tag = 0
        func array(level: Int) -> Int {
            let own = tag
            tag += 1
            guard level < levels else {
                image += [Marker.array] + HostileCases.be32(0)
                return own
            }
            image += [Marker.array] + HostileCases.be32(2)
            tag += 1  // the first element: a reference to a new array
            image.append(Marker.ref)
            let inner = array(level: level + 1)
            tag += 1  // the second: a reference to the same one
            image += [Marker.ref, Marker.object] + HostileCases.be32(UInt32(inner))
            return own
        }
        _ = array(level: 0)
        return image
    }
}

/// A zlib stream of zeros with deflate's best ratio (1032:1), built directly rather than
/// by compressing gigabytes: one dynamic-Huffman block in which the literal 0, the end
/// of block and "length 258" have codes of 2, 2 and 1 bits and "distance 1" has 1 bit,
/// so each further 258 zeros cost 2 bits.
enum ZlibBomb {
    /// 1 GiB of zeros: about 1 MiB of stream.
    static let gibibyte = zeros(count: 1 << 30)

    static func zeros(count: Int) -> [UInt8] {
        precondition(count >= 1)
        let literals = (count - 1) % 258 + 1
        let matches = (count - literals) / 258
        var bits = BitWriter()
        bits.bytes = [0x78, 0xDA]  // deflate, 32 KiB window, best compression
        bits.write(1, count: 1)  // final block
        bits.write(2, count: 2)  // dynamic Huffman codes
        bits.write(286 - 257, count: 5)  // literal/length codes
        bits.write(1 - 1, count: 5)  // distance codes
        bits.write(18 - 4, count: 4)  // code length codes, in the order 16 17 18 0 8 7 9 6 10 5 11 4 12 3 13 2 14 1
        for length in [0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 2] { bits.write(UInt64(length), count: 3) }
        // Code length codes: 18 (a run of zeros) is 0, 1 is 10, 2 is 11.
        bits.code(0b11, length: 2)  // literal 0: 2 bits
        bits.code(0b0, length: 1)
        bits.write(138 - 11, count: 7)  // literals 1…138: unused
        bits.code(0b0, length: 1)
        bits.write(117 - 11, count: 7)  // literals 139…255: unused
        bits.code(0b11, length: 2)  // end of block: 2 bits
        bits.code(0b0, length: 1)
        bits.write(28 - 11, count: 7)  // lengths 257…284: unused
        bits.code(0b10, length: 2)  // length 258 (code 285): 1 bit
        bits.code(0b10, length: 2)  // distance 1 (code 0): 1 bit
        // Literal/length codes: 285 is 0, literal 0 is 10, end of block is 11; distance 1 is 0.
        for _ in 0..<literals { bits.code(0b10, length: 2) }
        bits.writeZeros(2 * matches)
        bits.code(0b11, length: 2)
        bits.flush()
        // Adler-32 of zeros: the sum of the bytes stays 1; the sum of the sums grows by 1 a byte.
        let sums = UInt32(count % 65521)
        return bits.bytes + [UInt8(sums >> 8), UInt8(sums & 0xFF), 0x00, 0x01]
    }

    /// Bits in deflate's order: fields from their least significant bit, Huffman codes
    /// from their most significant.
    struct BitWriter {
        var bytes: [UInt8] = []
        private var current: UInt8 = 0
        private var used = 0

        mutating func write(_ value: UInt64, count: Int) {
            for bit in 0..<count { append(UInt8(truncatingIfNeeded: value >> UInt64(bit)) & 1) }
        }

        mutating func code(_ code: UInt64, length: Int) {
            for bit in (0..<length).reversed() { append(UInt8(truncatingIfNeeded: code >> UInt64(bit)) & 1) }
        }

        mutating func writeZeros(_ count: Int) {
            var remaining = count
            while used != 0 && remaining > 0 {
                append(0)
                remaining -= 1
            }
            bytes.append(contentsOf: repeatElement(0, count: remaining / 8))
            for _ in 0..<(remaining % 8) { append(0) }
        }

        mutating func flush() {
            if used > 0 {
                bytes.append(current)
                current = 0
                used = 0
            }
        }

        private mutating func append(_ bit: UInt8) {
            current |= bit << UInt8(used)
            used += 1
            if used == 8 { flush() }
        }
    }
}

/// What Perl itself writes, from Storable, Compress::Zlib, JSON::PP and
/// POE::Filter::Reference: the undamaged starting points of the damaged inputs.
enum PerlSamples {
    static let script = #"""
        use strict; use warnings;
        use Storable qw(nfreeze freeze nstore);
        use Compress::Zlib ();
        use JSON::PP ();
        use File::Temp qw(tempfile);
        use POE::Filter::Reference;
        use YAML ();
        use YAML::XS ();
        $Storable::canonical = 1;
        package Hooked { sub new { bless { secret => 1 }, shift } sub STORABLE_freeze { return ("frozen-state", [1, 2], { k => 'v' }) } sub STORABLE_thaw { } }
        package Overloaded { use overload '""' => sub { "overloaded" }, fallback => 1; }
        package main;
        my %out;
        my $message = { command => 'publish', args => [1, -2, 2.5, undef, "text", "\x{FC}n\x{EF}c\x{F6}d\x{E9}", "\x{263A}"], meta => { id => 42, tags => ['a', 'b'] } };
        $out{message_network} = nfreeze($message);
        $out{message_native} = freeze($message);
        my (undef, $file) = tempfile(UNLINK => 1);
        nstore($message, $file);
        { open my $in, '<:raw', $file or die "$file: $!"; local $/; $out{message_file} = <$in>; }
        $out{message_json} = JSON::PP->new->canonical->utf8->encode($message);
        my $rich = { %$message, multi => "multi\nline\ntext that is longer than thirty", obj => bless({ k => 'v' }, 'My::Class') };
        $rich->{shared} = $rich->{args};
        $out{message_yaml_xs} = YAML::XS::Dump($rich);
        $out{message_yaml} = YAML::Dump($rich);
        utf8::encode($out{message_yaml});
        $out{message_zlib} = Compress::Zlib::compress($out{message_network});
        { no warnings 'once'; local $Storable::Deparse = 1; $out{code} = nfreeze([sub { system("touch /tmp/refwire-pwned") }]); }
        $out{hook} = nfreeze([Hooked->new]);
        $out{overload} = nfreeze([\ (bless { a => 1 }, 'Overloaded')]);
        { use re 'eval'; $out{regexp_code} = nfreeze([qr/a(?{ system("touch \/tmp\/refwire-pwned") })b/]); }
        $out{poe_stream} = join '', @{ POE::Filter::Reference->new(Serializer => 'Storable')->put([$message, [1, 2, 3], { ping => 1 }]) };
        print "$_ ", unpack("H*", $out{$_}), "\n" for sort keys %out;
        """#

    /// Each sample by name, or why Perl could not write them.
    static let samples: Result<[String: [UInt8]], SampleError> = {
        guard let perl = MeasuredRun.perl else { return .failure(SampleError(message: "perl not found")) }
        do {
            let child = try ChildProcess(executable: perl, arguments: ["-e", script])
            let outcome = child.finish(timeout: 60)
            guard outcome.status == 0 else { return .failure(SampleError(message: outcome.stderrText)) }
            var samples: [String: [UInt8]] = [:]
            for line in outcome.stdoutText.split(separator: "\n") {
                let fields = line.split(separator: " ")
                guard fields.count == 2, let bytes = hexBytes(fields[1]) else {
                    return .failure(SampleError(message: "unreadable line: \(line.prefix(80))"))
                }
                samples[String(fields[0])] = bytes
            }
            return .success(samples)
        } catch {
            return .failure(SampleError(message: "\(error)"))
        }
    }()

    struct SampleError: Error, CustomStringConvertible {
        var message: String
        var description: String { "Perl could not write the samples: \(message)" }
    }

    /// The sample `name`, or `nil` if Perl did not write it (``HostileInputTests`` then
    /// fails, with Perl's error, instead of running the cases built from it).
    static func bytes(_ name: String) -> [UInt8]? {
        try? samples.get()[name]
    }

    /// Every sample the cases are built from.
    static let names = [
        "code", "hook", "message_file", "message_json", "message_native", "message_network", "message_yaml",
        "message_yaml_xs", "message_zlib", "overload", "poe_stream", "regexp_code",
    ]

    static func hexBytes(_ text: Substring) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count.isMultiple(of: 2) else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let high = hexValue(digits[index]), let low = hexValue(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        return bytes
    }

    private static func hexValue(_ digit: UInt8) -> UInt8? {
        switch digit {
        case 0x30...0x39: digit - 0x30
        case 0x61...0x66: digit - 0x61 + 10
        default: nil
        }
    }
}

extension PerlValue {
    /// Whether this value or anything inside it satisfies `predicate`.
    func contains(where predicate: (PerlValue) -> Bool) -> Bool {
        if predicate(self) { return true }
        switch self {
        case .array(let elements): return elements.contains { $0.contains(where: predicate) }
        case .hash(let hash): return hash.values.contains { $0.contains(where: predicate) }
        case .scalarReference(let inner), .blessed(_, let inner), .weak(let inner), .anchored(_, let inner),
            .vstring(_, let inner):
            return inner.contains(where: predicate)
        case .hooked(let object): return object.references.contains { $0.contains(where: predicate) }
        default: return false
        }
    }
}
