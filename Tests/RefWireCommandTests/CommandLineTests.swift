import Foundation
import RefWire
import Testing

/// End-to-end tests of the `refwire` executable, run as a subprocess.
@Suite("refwire command line")
struct CommandLineTests {
    // MARK: - reframe

    @Test func reframeRawToRawIsIdentity() throws {
        let input = stream(samplePayloads)
        let outcome = try runRefWire(["reframe", "--from", "raw", "--to", "raw"], stdin: input)
        #expect(outcome.status == 0, "\(outcome.stderrText)")
        #expect(outcome.stderr.isEmpty)
        #expect(outcome.stdout == input)
    }

    @Test func reframeEmptyInputIsCleanEnd() throws {
        let outcome = try runRefWire(["reframe", "--from", "zraw", "--to", "raw"])
        #expect(outcome.status == 0)
        #expect(outcome.stdout.isEmpty)
        #expect(outcome.stderr.isEmpty)
    }

    @Test func reframeRawToZrawAndBack() throws {
        let input = stream(samplePayloads)
        let compressed = try runRefWire(["reframe", "--from", "raw", "--to", "zraw"], stdin: input)
        #expect(compressed.status == 0, "\(compressed.stderrText)")
        let frames = try decodeFrames(compressed.stdout)
        #expect(frames.count == samplePayloads.count)
        for (payload, original) in zip(frames, samplePayloads) {
            #expect(payload.first == 0x78, "zlib header expected")
            #expect(try Zlib.decompress(payload, maximumOutputSize: 1 << 30) == original)
        }

        let restored = try runRefWire(["reframe", "--from", "zraw", "--to", "raw"], stdin: compressed.stdout)
        #expect(restored.status == 0, "\(restored.stderrText)")
        #expect(restored.stdout == input)
    }

    @Test func reframeReadsPerlCompressedPayloads() throws {
        // zlib.compress() (what Compress::Zlib's compress writes) of a Storable payload.
        let outcome = try runRefWire(
            ["reframe", "--from", "zraw", "--to", "raw"], stdin: frame(zlibStorableSample))
        #expect(outcome.status == 0, "\(outcome.stderrText)")
        #expect(outcome.stdout == frame(storableSample))
    }

    @Test(arguments: [
        ("corrupt deflate data", [0x78, 0x9C, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x01] as [UInt8]),
        ("not zlib at all", Array("plain text".utf8)),
    ])
    func reframeStopsAtPayloadThatDoesNotInflate(_ label: String, corrupt: [UInt8]) throws {
        let good = samplePayloads.prefix(3).map { Zlib.compress($0) }
        let before = stream(good)
        let input = before + frame(corrupt) + frame(Zlib.compress(Array("after".utf8)))
        let outcome = try runRefWire(["reframe", "--from", "zraw", "--to", "raw"], stdin: input)
        #expect(outcome.status == 1)
        #expect(outcome.stdout == stream(Array(samplePayloads.prefix(3))), "frames before the error are written")
        #expect(outcome.stderrText.hasPrefix("refwire: error at byte \(before.count): "), "\(outcome.stderrText)")
        #expect(outcome.stderrText.contains("did not inflate"))
    }

    @Test func reframeStopsAtCorruptPrefixMidStream() throws {
        let before = stream(samplePayloads)
        let input = before + Array("12a\u{0}twelve bytes".utf8) + frame(Array("lost".utf8))
        let outcome = try runRefWire(["reframe", "--from", "raw", "--to", "raw"], stdin: input)
        #expect(outcome.status == 1)
        #expect(outcome.stdout == before)
        // The offending byte is the 'a' after "12".
        #expect(outcome.stderrText.hasPrefix("refwire: error at byte \(before.count + 2): "), "\(outcome.stderrText)")
        #expect(outcome.stderrText.contains("invalid length prefix"))
    }

    @Test(arguments: [
        ("inside the payload", Array("10\u{0}abc".utf8)),
        ("inside the length field", Array("12".utf8)),
        ("after the NUL", Array("3\u{0}".utf8)),
    ])
    func reframeRejectsTruncatedStream(_ label: String, tail: [UInt8]) throws {
        let before = stream(samplePayloads)
        let outcome = try runRefWire(["reframe", "--from", "raw", "--to", "raw"], stdin: before + tail)
        #expect(outcome.status == 1)
        #expect(outcome.stdout == before)
        #expect(outcome.stderrText.hasPrefix("refwire: error at byte \(before.count): "), "\(outcome.stderrText)")
        #expect(outcome.stderrText.contains("input ended inside"))
    }

    @Test func reframeEnforcesMaxFrameLength() throws {
        let fits = stream([Array("0123456789".utf8), Array("short".utf8)])
        let accepted = try runRefWire(
            ["reframe", "--from", "raw", "--to", "raw", "--max-frame-length", "10"], stdin: fits)
        #expect(accepted.status == 0, "\(accepted.stderrText)")
        #expect(accepted.stdout == fits)

        let input = fits + frame(Array("0123456789A".utf8)) + frame(Array("x".utf8))
        let refused = try runRefWire(
            ["reframe", "--from", "raw", "--to", "raw", "--max-frame-length", "10"], stdin: input)
        #expect(refused.status == 1)
        #expect(refused.stdout == fits)
        #expect(refused.stderrText.hasPrefix("refwire: error at byte \(fits.count): "), "\(refused.stderrText)")
        #expect(refused.stderrText.contains("11 bytes, more than the limit of 10"))
    }

    @Test func reframeRefusesOutputFrameOverLimit() throws {
        // Ten incompressible bytes grow past ten once deflated.
        let input = frame(Array("ok".utf8)) + frame(Array("abcdefghij".utf8))
        let outcome = try runRefWire(
            ["reframe", "--from", "raw", "--to", "zraw", "--max-frame-length", "10"], stdin: input)
        #expect(outcome.status == 1)
        #expect(try decodeFrames(outcome.stdout).count == 1)
        #expect(outcome.stderrText.hasPrefix("refwire: error at byte 4: "), "\(outcome.stderrText)")
        #expect(outcome.stderrText.contains("--max-frame-length"))
    }

    @Test func reframeEnforcesMaxBufferedBytesAcrossLargeReads() throws {
        // Many small frames in one 64 KiB read: each fits the 16-byte buffer.
        let small = stream((0..<5000).map { Array("item \($0 % 100)".utf8) })
        let accepted = try runRefWire(
            ["reframe", "--from", "raw", "--to", "raw", "--max-buffered-bytes", "16"], stdin: small)
        #expect(accepted.status == 0, "\(accepted.stderrText)")
        #expect(accepted.stdout == small)

        let refused = try runRefWire(
            ["reframe", "--from", "raw", "--to", "raw", "--max-buffered-bytes", "16"],
            stdin: small + frame(Array("a payload of 20 byte".utf8)))
        #expect(refused.status == 1)
        #expect(refused.stdout == small)
        #expect(refused.stderrText.hasPrefix("refwire: error at byte \(small.count): "), "\(refused.stderrText)")
    }

    @Test func reframeEnforcesMaxDecompressedSize() throws {
        let payload = [UInt8](repeating: 0x41, count: 1000)
        let input = frame(Zlib.compress(payload))
        let outcome = try runRefWire(
            ["reframe", "--from", "zraw", "--to", "raw", "--max-decompressed-size", "999"], stdin: input)
        #expect(outcome.status == 1)
        #expect(outcome.stdout.isEmpty)
        #expect(outcome.stderrText.hasPrefix("refwire: error at byte 0: "), "\(outcome.stderrText)")
        #expect(outcome.stderrText.contains("999"))

        let enough = try runRefWire(
            ["reframe", "--from", "zraw", "--to", "raw", "--max-decompressed-size", "1000"], stdin: input)
        #expect(enough.status == 0, "\(enough.stderrText)")
        #expect(enough.stdout == frame(payload))
    }

    /// Output appears while stdin is still open: reframe works on an endless pipe.
    @Test func reframeWritesFramesBeforeInputEnds() throws {
        let executable = try #require(RefWireExecutable.path)
        let child = try ChildProcess(executable: executable, arguments: ["reframe", "--from", "raw", "--to", "raw"])
        let first = stream([Array("one".utf8), Array("two".utf8)])
        child.send(first + Array("5\u{0}th".utf8), close: false)  // and half a frame
        #expect(child.readStdout(atLeast: first.count, timeout: 30))
        #expect(child.stdout == first)
        child.send(Array("ree".utf8), close: false)
        #expect(child.readStdout(atLeast: first.count + 7, timeout: 30))
        #expect(child.stdout == first + frame(Array("three".utf8)))
        let outcome = child.finish()
        #expect(outcome.status == 0, "\(outcome.stderrText)")
    }

    /// 50 MB through reframe while its peak RSS stays small: it streams.
    @Test(arguments: [("raw", "raw"), ("raw", "zraw")])
    func reframeStreamsInBoundedMemory(from: String, to: String) throws {
        let input = largeStream(totalBytes: 50_000_000)
        var received = 0
        var identical = true
        var decoder = FrameDecoder()
        var frames = 0
        let outcome = try runRefWire(
            ["reframe", "--from", from, "--to", to], stdin: input, samplingMemory: true
        ) { chunk in
            if from == to {
                let expected = input[received..<min(received + chunk.count, input.count)]
                identical = identical && sameBytes(expected, chunk)
            } else {
                try? decoder.feed(chunk)
                while let _ = try? decoder.nextFrame() { frames += 1 }
            }
            received += chunk.count
        }
        #expect(outcome.status == 0, "\(outcome.stderrText)")
        if from == to {
            #expect(received == input.count)
            #expect(identical)
        } else {
            #expect(frames == decodeFramesCount(input))
        }
        #expect(outcome.peakResidentKiB > 0, "VmHWM sampled from /proc")
        #expect(outcome.peakResidentKiB < 64 * 1024, "peak RSS \(outcome.peakResidentKiB) KiB")
    }

    // MARK: - reframe value modes

    /// POE's own writer makes the frames; POE's own reader takes the converted ones.
    @Test func reframeFrameToZframeAndBack() throws {
        let input = try perl(Self.poeWrite(compression: false, values: Self.poeValues))
        let compressed = try runRefWire(["reframe", "--from", "frame", "--to", "zframe"], stdin: input)
        #expect(compressed.status == 0, "\(compressed.stderrText)")
        #expect(compressed.stderr.isEmpty)
        let payloads = try decodeFrames(compressed.stdout)
        #expect(payloads.count == 4)
        #expect(payloads.allSatisfy { $0.first == 0x78 }, "zlib payloads")
        // POE::Filter::Reference with Compression => 1 reads the same values.
        #expect(try perl(Self.poeRead(compression: true), stdin: compressed.stdout) == perl(Self.dumpEach(Self.poeValues)))

        let restored = try runRefWire(["reframe", "--from", "zframe", "--to", "frame"], stdin: compressed.stdout)
        #expect(restored.status == 0, "\(restored.stderrText)")
        #expect(restored.stdout == input, "nfreeze images re-encode to the same bytes")
    }

    @Test(arguments: [("raw", "frame"), ("frame", "raw"), ("frame", "frame"), ("zraw", "zframe"), ("zframe", "zraw")])
    func reframeValueModesKeepNfreezeImages(from: String, to: String) throws {
        let frames = try perl(Self.poeWrite(compression: false, values: Self.poeValues))
        // From the same images: hash order differs from one perl run to the next.
        let zframes = stream(try decodeFrames(frames).map { Zlib.compress($0) })
        let input = from.hasPrefix("z") ? zframes : frames
        let outcome = try runRefWire(["reframe", "--from", from, "--to", to], stdin: input)
        #expect(outcome.status == 0, "\(outcome.stderrText)")
        #expect(try decodeFrames(outcome.stdout).map { to.hasPrefix("z") ? try inflate($0) : $0 }
            == decodeFrames(frames))
    }

    /// POE with a JSON serializer (an object with `freeze` and `thaw`, as POE allows)
    /// writes the JSON frames and reads them back.
    @Test func reframeJframeToFrameAndBack() throws {
        // No doubles or integers beyond 32 bits: network-order Storable carries those as
        // text, as Perl's nfreeze does, and JSON would then quote them. No Latin-1-only
        // character strings: JSON::XS's are UTF-8-flagged, Perl's literals not, and
        // Data::Dumper shows the difference.
        let values = "{ command => 'publish', args => [1, -70000, undef, 'x'] }, [\"caf\\x{e9} \\x{263a}\", 'plain']"
        let jsonFilter = """
            package JSONFrames; use JSON::XS (); my $json = JSON::XS->new->utf8->canonical; \
            sub new { bless {}, shift } sub freeze { $json->encode($_[1]) } sub thaw { $json->decode($_[1]) } \
            package main; use POE::Filter::Reference; my $filter = POE::Filter::Reference->new(Serializer => JSONFrames->new);
            """
        let input = try perl(jsonFilter + " print @{ $filter->put([\(values)]) };")
        let storable = try runRefWire(["reframe", "--from", "jframe", "--to", "frame"], stdin: input)
        #expect(storable.status == 0, "\(storable.stderrText)")
        #expect(try perl(Self.poeRead(compression: false), stdin: storable.stdout) == perl(Self.dumpEach(values)))

        let json = try runRefWire(["reframe", "--from", "frame", "--to", "jframe", "--canonical"], stdin: storable.stdout)
        #expect(json.status == 0, "\(json.stderrText)")
        #expect(json.stdout == input, "canonical JSON::XS text, byte for byte")
        let read = try perl(jsonFilter + " binmode STDIN; local $/; print dumped($_), \"\\n\" for @{ $filter->get([<STDIN>]) };", stdin: json.stdout)
        #expect(read == (try perl(Self.dumpEach(values))))
    }

    /// POE with YAML.pm (`Serializer => 'YAML'`) sends the bytes Perl holds for each dump
    /// and its reader loads them undecoded; `yframe` reads and writes exactly that, so a
    /// Perl peer sees from RefWire what it sees from another Perl peer.
    @Test func reframeYframeIsWhatPOEWithYAMLSendsAndReads() throws {
        // Byte strings only (Perl keeps the dump as Latin-1 bytes), and with a character
        // string (Perl upgrades the whole dump to UTF-8).
        let values = "{ name => \"caf\\xe9\", list => [1, -7, 'x'] }, { name => \"caf\\xe9\", smile => \"\\x{263a}\" }"
        let poe = "use POE::Filter::Reference; my $filter = POE::Filter::Reference->new(Serializer => 'YAML');"
        let readYAML = poe + " binmode STDIN; local $/; print dumped($_), \"\\n\" for @{ $filter->get([<STDIN>]) };"
        let input = try perl(poe + " print @{ $filter->put([\(values)]) };")
        let whatPerlReads = try perl(readYAML, stdin: input)

        let storable = try runRefWire(["reframe", "--from", "yframe", "--to", "frame"], stdin: input)
        #expect(storable.status == 0, "\(storable.stderrText)")
        #expect(try perl(Self.poeRead(compression: false), stdin: storable.stdout) == whatPerlReads)

        let yaml = try runRefWire(["reframe", "--from", "frame", "--to", "yframe", "--canonical"], stdin: storable.stdout)
        #expect(yaml.status == 0, "\(yaml.stderrText)")
        #expect(try perl(readYAML, stdin: yaml.stdout) == whatPerlReads)
        // The first payload is byte for byte what POE's put writes. (In the second, Perl's
        // reader saw the UTF-8 of "\u{263A}" as three Latin-1 characters, one of them the
        // control U+0098, which the yaml dialect escapes so that YAML::XS reads it too.)
        #expect(try decodeFrames(yaml.stdout).first == decodeFrames(input).first, "the bytes POE's put writes")
    }

    @Test func reframeFrameReadsNativeImagesAndWritesNfreeze() throws {
        let values = "{ a => [1, 300, 70000, -5, 'x'] }, [2.5, undef]"
        let native = try perl("print map { my $p = freeze($_); length($p) . \"\\0\" . $p } (\(values));")
        let outcome = try runRefWire(["reframe", "--from", "frame", "--to", "frame"], stdin: native)
        #expect(outcome.status == 0, "\(outcome.stderrText)")
        let payloads = try decodeFrames(outcome.stdout)
        #expect(payloads.count == 2)
        #expect(payloads.allSatisfy { $0.first == 0x05 }, "nfreeze headers")
        #expect(try perl(Self.poeRead(compression: false), stdin: outcome.stdout) == perl(Self.dumpEach(values)))
    }

    @Test func reframeRawToFrameRefusesPayloadThatIsNotStorable() throws {
        let before = try perl(Self.poeWrite(compression: false, values: "{ ok => 1 }, [1, 2]"))
        let input = before + frame(Array("not storable".utf8)) + frame(storableSample)
        let outcome = try runRefWire(["reframe", "--from", "raw", "--to", "frame"], stdin: input)
        #expect(outcome.status == 1)
        #expect(outcome.stdout == before, "frames before the error are written")
        #expect(outcome.stderrText.hasPrefix("refwire: error at byte \(before.count): the payload does not decode: "),
                "\(outcome.stderrText)")
        #expect(outcome.stderrText.contains("of the payload"))
    }

    @Test func reframeZrawToFrameNamesTheInflatedPayload() throws {
        let truncated = Array(try perl("print nfreeze({ key => 'value' });").dropLast(3))
        let input = frame(Zlib.compress(truncated))
        let outcome = try runRefWire(["reframe", "--from", "zraw", "--to", "frame"], stdin: input)
        #expect(outcome.status == 1)
        #expect(outcome.stdout.isEmpty)
        #expect(outcome.stderrText.hasPrefix("refwire: error at byte 0: the payload does not decode: "),
                "\(outcome.stderrText)")
        #expect(outcome.stderrText.contains("truncated"))
        #expect(outcome.stderrText.contains("of the inflated payload"))
    }

    @Test func reframeFrameAppliesEncodingOptions() throws {
        let input = try perl(Self.poeWrite(compression: false, values: "{ map { (\"k$_\" => $_) } 1..30 }"))
        let sorted = try perl("$Storable::canonical = 1; print map { my $p = nfreeze($_); length($p) . \"\\0\" . $p } "
            + "({ map { (\"k$_\" => $_) } 1..30 });")
        let outcome = try runRefWire(["reframe", "--from", "frame", "--to", "frame", "--canonical"], stdin: input)
        #expect(outcome.status == 0, "\(outcome.stderrText)")
        #expect(outcome.stdout == sorted)

        let old = try runRefWire(["reframe", "--from", "frame", "--to", "frame", "--target", "storable2"], stdin: input)
        #expect(old.status == 0, "\(old.stderrText)")
        #expect(try decodeFrames(old.stdout).allSatisfy { Array($0.prefix(2)) == [0x05, 0x07] })
    }

    @Test func reframeFrameAppliesDecodingLimits() throws {
        let input = try perl(Self.poeWrite(compression: false, values: "[1], [[[[[1]]]]]"))
        let outcome = try runRefWire(["reframe", "--from", "frame", "--to", "zframe", "--max-depth", "3"], stdin: input)
        #expect(outcome.status == 1)
        #expect(try decodeFrames(outcome.stdout).count == 1)
        let firstLength = try decodeFrames(input)[0].count
        let secondOffset = String(firstLength).utf8.count + 1 + firstLength
        #expect(outcome.stderrText.hasPrefix("refwire: error at byte \(secondOffset): "), "\(outcome.stderrText)")
        #expect(outcome.stderrText.contains("nesting deeper than 3"))
    }

    @Test func reframeHelpListsValueModesAndOptions() throws {
        let help = try runRefWire(["reframe", "--help"]).stdoutText
        for text in ["frame", "zframe", "jframe", "yframe", "--canonical", "--target <version>", "--lossless-doubles", "--max-depth",
                     "--allow-code", "--allow-class"] {
            #expect(help.contains(text), "\(text)")
        }
    }

    // MARK: - inspect values

    @Test func inspectShowsDecodedValues() throws {
        let good = try perl(Self.poeWrite(compression: false, values: "{ a => [1, 2] }"))
        let compressed = try perl(Self.poeWrite(compression: true, values: "['x', undef]"))
        let corrupt = frame([0x05, 0x0B, 0x99])
        let input = good + compressed + corrupt + frame(Array("plain".utf8))
        let outcome = try runRefWire(["inspect"], stdin: input)
        #expect(outcome.status == 0, "\(outcome.stderrText)")
        let lines = outcome.stdoutText.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        try #require(lines.count == 9, "\(outcome.stdoutText)")
        #expect(lines[1].hasPrefix("0 "))
        #expect(lines[2] == "value: {b\"a\" => [1, 2]}")
        #expect(lines[3].hasPrefix("\(good.count) ") && lines[3].contains(" zlib "))
        #expect(lines[4] == "value: [b\"x\", undef]")
        #expect(lines[5].hasPrefix("\(good.count + compressed.count) "))
        #expect(lines[6] == "value error: Storable: invalid marker 153 (at byte 2 of the payload)")
        #expect(lines[7].contains("unknown"), "no value line for a payload that is not Storable")
        #expect(lines[8] == "4 frames, \(input.count) bytes")

        let plain = try runRefWire(["inspect", "--no-values"], stdin: input)
        #expect(plain.stdoutText.split(separator: "\n").count == 6)
        #expect(!plain.stdoutText.contains("value"))

        let narrow = try runRefWire(["inspect", "--value-width", "5"], stdin: good)
        #expect(narrow.stdoutText.contains("value: {b\"a\"…\n"), "\(narrow.stdoutText)")
    }

    @Test func inspectJSONCarriesValueOrError() throws {
        let good = try perl(Self.poeWrite(compression: false, values: "{ a => [1, 2] }"))
        let input = good + frame([0x05, 0x0B, 0x99]) + frame(Array("plain".utf8))
        let outcome = try runRefWire(["inspect", "--json"], stdin: input)
        #expect(outcome.status == 0, "\(outcome.stderrText)")
        let objects = try outcome.stdoutText.split(separator: "\n").map {
            try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        try #require(objects.count == 4)
        #expect(objects[0]["value"] as? String == "{b\"a\" => [1, 2]}")
        #expect(objects[0]["valueError"] == nil)
        #expect(objects[1]["value"] == nil)
        #expect(objects[1]["valueError"] as? String == "Storable: invalid marker 153")
        #expect(objects[1]["valueErrorOffset"] as? Int == 2)
        #expect(objects[2]["value"] == nil && objects[2]["valueError"] == nil)
        #expect(objects[3]["type"] as? String == "summary")
    }

    @Test func inspectDecodingOptionsApply() throws {
        let input = try perl("$Storable::Deparse = 1; print map { my $p = nfreeze($_); length($p) . \"\\0\" . $p } "
            + "([sub { 42 }]);")
        let refused = try runRefWire(["inspect", "--json"], stdin: input)
        #expect(refused.status == 0, "\(refused.stderrText)")
        #expect(refused.stdoutText.contains("\"valueError\":\"Storable: a code reference is refused\""),
                "\(refused.stdoutText)")
        let kept = try runRefWire(["inspect", "--allow-code"], stdin: input)
        #expect(kept.status == 0, "\(kept.stderrText)")
        #expect(kept.stdoutText.contains("value: [sub {"), "\(kept.stdoutText)")
        #expect(kept.stdoutText.contains("42"))
    }

    // MARK: - Perl helpers for the value modes

    /// Values for the POE round trips: nesting, numbers, byte and character strings,
    /// sharing, an object.
    static let poeValues = """
        { command => 'publish', args => [1, 2.5, undef, -70000, 2**40] }, \
        ["caf\\x{e9}", "\\x{263a}"], \
        do { my $shared = [1]; { a => $shared, b => $shared } }, \
        bless({ name => 'node' }, 'My::Node')
        """

    /// A Perl script writing `values` as frames with POE::Filter::Reference.
    static func poeWrite(compression: Bool, values: String) -> String {
        "use POE::Filter::Reference; my $filter = POE::Filter::Reference->new(Compression => \(compression ? 1 : 0)); "
            + "print @{ $filter->put([\(values)]) };"
    }

    /// A Perl script reading frames from standard input with POE::Filter::Reference and
    /// printing each value, as `dumpEach` does.
    static func poeRead(compression: Bool) -> String {
        "use POE::Filter::Reference; binmode STDIN; local $/; "
            + "my $filter = POE::Filter::Reference->new(Compression => \(compression ? 1 : 0)); "
            + "print dumped($_), \"\\n\" for @{ $filter->get([<STDIN>]) };"
    }

    /// A Perl script printing each of `values` as `poeRead` does.
    static func dumpEach(_ values: String) -> String {
        "print dumped($_), \"\\n\" for (\(values));"
    }

    // MARK: - inspect

    @Test func inspectListsFrames() throws {
        let payloads: [[UInt8]] = [
            storableSample,
            zlibStorableSample,
            nativeStorableSample,
            Array("--- !!perl/hash:Foo\na: 1\n".utf8),
            Array(" {\"a\":1}".utf8),
            [],
            Array("hello".utf8),
        ]
        let input = stream(payloads)
        // The value lines are checked in inspectShowsDecodedValues.
        let outcome = try runRefWire(["inspect", "--no-values"], stdin: input)
        #expect(outcome.status == 0, "\(outcome.stderrText)")
        let lines = outcome.stdoutText.split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") }
        try #require(lines.count == payloads.count + 2, "\(outcome.stdoutText)")
        #expect(lines[0] == "OFFSET LENGTH COMPRESSION DECODED KIND FIRST BYTES")
        #expect(lines[1] == "0 17 none 17 storable-network 2.11 05 0b 03 00 00 00 01 0a 03 61 62 63 01 00 00 00")
        #expect(lines[2] == "20 23 zlib 17 storable-network 2.11 05 0b 03 00 00 00 01 0a 03 61 62 63 01 00 00 00")
        #expect(lines[3].hasPrefix("46 20 none 20 storable-native 2.11 12345678 04 0b 08 31"))
        #expect(lines[4].hasPrefix("69 25 none 25 yaml 2d 2d 2d"))
        #expect(lines[5].hasPrefix("97 8 none 8 json 20 7b"))
        #expect(lines[6] == "107 0 none 0 empty")
        #expect(lines[7] == "109 5 none 5 unknown 68 65 6c 6c 6f")
        #expect(lines[8] == "7 frames, \(input.count) bytes")
    }

    @Test func inspectJSONLines() throws {
        let input = stream([zlibStorableSample, [0x78, 0x9C, 0x01, 0x02]])
        let outcome = try runRefWire(["inspect", "--json"], stdin: input)
        #expect(outcome.status == 0, "\(outcome.stderrText)")
        let objects = try outcome.stdoutText.split(separator: "\n").map {
            try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        try #require(objects.count == 3)
        #expect(objects[0]["type"] as? String == "frame")
        #expect(objects[0]["offset"] as? Int == 0)
        #expect(objects[0]["length"] as? Int == 23)
        #expect(objects[0]["compression"] as? String == "zlib")
        #expect(objects[0]["decodedLength"] as? Int == 17)
        #expect(objects[0]["kind"] as? String == "storable-network")
        #expect(objects[0]["storableVersion"] as? String == "2.11")
        #expect(objects[1]["offset"] as? Int == 26)
        #expect(objects[1]["compression"] as? String == "zlib-invalid")
        #expect(objects[1]["zlibError"] is String)
        #expect(objects[1]["kind"] as? String == "unknown")
        #expect(objects[2]["type"] as? String == "summary")
        #expect(objects[2]["frames"] as? Int == 2)
        #expect(objects[2]["bytes"] as? Int == input.count)
    }

    @Test func inspectStopsAtCorruptFrame() throws {
        let before = stream([storableSample, Array("ok".utf8)])
        let outcome = try runRefWire(["inspect", "--no-values"], stdin: before + Array("x".utf8))
        #expect(outcome.status == 1)
        let lines = outcome.stdoutText.split(separator: "\n")
        #expect(lines.count == 3, "header and the two frames, no summary: \(outcome.stdoutText)")
        #expect(outcome.stderrText.hasPrefix("refwire: error at byte \(before.count): "), "\(outcome.stderrText)")
    }

    @Test func inspectJSONReportsErrorAsLastLine() throws {
        let before = stream([Array("ok".utf8)])
        let outcome = try runRefWire(["inspect", "--json"], stdin: before + Array("99\u{0}short".utf8))
        #expect(outcome.status == 1)
        let lines = outcome.stdoutText.split(separator: "\n")
        try #require(lines.count == 2, "\(outcome.stdoutText)")
        let error = try #require(JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as? [String: Any])
        #expect(error["type"] as? String == "error")
        #expect(error["offset"] as? Int == before.count)
        #expect((error["message"] as? String)?.contains("input ended inside") == true)
        #expect(outcome.stderrText.hasPrefix("refwire: error at byte \(before.count): "))
    }

    @Test func inspectReadsFileArgument() throws {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("refwire-inspect-\(UUID().uuidString).frames")
        try Data(stream([Array("abc".utf8)])).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let outcome = try runRefWire(["inspect", url.path])
        #expect(outcome.status == 0, "\(outcome.stderrText)")
        #expect(outcome.stdoutText.hasSuffix("1 frame, 5 bytes\n"))

        let missing = try runRefWire(["inspect", url.path + ".missing"])
        #expect(missing.status == 66)
        #expect(missing.stderrText.hasPrefix("refwire: cannot open "))
    }

    // MARK: - Command line surface

    @Test(arguments: [
        ["--help"], ["reframe", "--help"], ["inspect", "--help"], ["help", "reframe"], ["help", "inspect"],
    ])
    func helpExitsZero(_ arguments: [String]) throws {
        let outcome = try runRefWire(arguments)
        #expect(outcome.status == 0, "\(outcome.stderrText)")
        #expect(outcome.stdoutText.contains("USAGE: refwire"))
        #expect(outcome.stdoutText.contains("Exit status"))
    }

    @Test func reframeHelpListsModesAndLimitDefaults() throws {
        let help = try runRefWire(["reframe", "--help"]).stdoutText
        for text in ["--from <mode>", "--to <mode>", "raw", "zraw", "--max-frame-length", "(default: 16777216)",
                     "--max-length-digits", "(default: 20)", "--max-buffered-bytes", "(default: 33554432)",
                     "--max-decompressed-size", "(default: 67108864)"] {
            #expect(help.contains(text), "\(text)")
        }
    }

    @Test func versionIsPrinted() throws {
        let outcome = try runRefWire(["--version"])
        #expect(outcome.status == 0)
        #expect(outcome.stdoutText == "0.1.0\n")
    }

    @Test(arguments: [
        ["reframe", "--from", "raw"],
        ["reframe", "--from", "bogus", "--to", "raw"],
        ["reframe", "--from", "raw", "--to", "raw", "--max-length-digits", "0"],
        ["inspect", "--max-frame-length", "-1"],
        ["frobnicate"],
    ])
    func usageErrorsExit64(_ arguments: [String]) throws {
        let outcome = try runRefWire(arguments)
        #expect(outcome.status == 64, "\(outcome.stderrText)")
        #expect(outcome.stdout.isEmpty)
    }
}

// MARK: - Test data

/// `<length> NUL <payload>`, built by hand rather than by the library under test.
func frame(_ payload: [UInt8]) -> [UInt8] {
    Array(String(payload.count).utf8) + [0] + payload
}

func stream(_ payloads: [[UInt8]]) -> [UInt8] {
    payloads.flatMap(frame)
}

func decodeFrames(_ bytes: [UInt8]) throws -> [[UInt8]] {
    var decoder = FrameDecoder(limits: FramingLimits(maximumFrameLength: 1 << 30, maximumBufferedBytes: 1 << 30))
    try decoder.feed(bytes)
    decoder.finish()
    var frames: [[UInt8]] = []
    while let frame = try decoder.nextFrame() { frames.append(Array(frame.payload)) }
    return frames
}

/// Byte equality without a per-element loop (debug builds compare 50 MB here).
func sameBytes(_ a: ArraySlice<UInt8>, _ b: ArraySlice<UInt8>) -> Bool {
    guard a.count == b.count else { return false }
    if a.isEmpty { return true }
    return a.withUnsafeBytes { x in b.withUnsafeBytes { y in memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0 } }
}

func inflate(_ payload: [UInt8]) throws -> [UInt8] {
    try Zlib.decompress(payload, maximumOutputSize: 1 << 30)
}

func decodeFramesCount(_ bytes: [UInt8]) -> Int {
    (try? decodeFrames(bytes).count) ?? -1
}

/// Roughly nfreeze({ a => 'abc' }): network order, Storable 2.11.
let storableSample: [UInt8] = [0x05, 0x0B, 0x03, 0x00, 0x00, 0x00, 0x01, 0x0A, 0x03, 0x61, 0x62, 0x63, 0x01, 0x00, 0x00, 0x00, 0x61]

/// Python's zlib.compress(storableSample), byte for byte what Compress::Zlib writes.
let zlibStorableSample: [UInt8] = [
    0x78, 0x9C, 0x63, 0xE5, 0x66, 0x66, 0x60, 0x60, 0x60, 0xE4, 0x62, 0x4E, 0x4C, 0x4A, 0x66, 0x04,
    0xB2, 0x12, 0x01, 0x0A, 0x3B, 0x01, 0xAA,
]

/// A freeze (native order) header from a little-endian 64-bit perl, then a scalar.
let nativeStorableSample: [UInt8] = [0x04, 0x0B, 0x08] + Array("12345678".utf8) + [0x04, 0x08, 0x08, 0x08, 0x0A, 0x03, 0x61, 0x62, 0x63]

/// Empty, tiny, binary (NUL and digits inside), and one frame bigger than a 64 KiB read.
let samplePayloads: [[UInt8]] = [
    Array("hello".utf8),
    [],
    Array(0...255),
    Array("12\u{0}34\u{0}".utf8),
    pseudoRandomBytes(count: 200_000, seed: 7),
    storableSample,
    Array(String(repeating: "compressible ", count: 1000).utf8),
]

func pseudoRandomBytes(count: Int, seed: UInt64) -> [UInt8] {
    var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
    return (0..<count).map { _ in
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return UInt8(truncatingIfNeeded: state >> 24)
    }
}

/// About `totalBytes` of frames of 1 to 64 KiB, half compressible text, half noise.
func largeStream(totalBytes: Int) -> [UInt8] {
    let noise = pseudoRandomBytes(count: 1 << 17, seed: 42)
    let text = Array(String(repeating: "the quick brown fox jumps over the lazy dog ", count: 3000).utf8)
    var output: [UInt8] = []
    output.reserveCapacity(totalBytes + (1 << 17))
    var index = 0
    while output.count < totalBytes {
        let length = 1 + (index &* 7919) % (64 << 10)
        let start = (index &* 104_729) % (1 << 16)
        let source = index % 2 == 0 ? noise : text
        output.append(contentsOf: String(length).utf8)
        output.append(0)
        output.append(contentsOf: source[start..<start + length])
        index += 1
    }
    return output
}
