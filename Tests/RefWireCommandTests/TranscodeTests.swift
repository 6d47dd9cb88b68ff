import Foundation
import RefWire
import Testing

/// `refwire transcode`, checked against real Perl: Perl writes the inputs, and Perl
/// reads the outputs back.
@Suite("refwire command line: transcode")
struct TranscodeCommandLineTests {
    // MARK: - Round trips with Perl

    @Test func networkToNativeAndBackIsByteIdenticalForCanonicalData() throws {
        let original = try perl("$Storable::canonical = 1; print nfreeze(\(Self.sampleData));")
        let native = try runRefWire(["transcode", "--from", "nstorable", "--to", "storable"], stdin: original)
        #expect(native.status == 0, "\(native.stderrText)")
        #expect(native.stderr.isEmpty)
        // freeze's header on this machine: major 2, native order, then the byte order.
        #expect(native.stdout.starts(with: [0x04, 0x0B, 0x08] + Array("12345678".utf8)))

        let back = try runRefWire(["transcode", "--from", "storable", "--to", "nstorable"], stdin: native.stdout)
        #expect(back.status == 0, "\(back.stderrText)")
        #expect(back.stdout == original)

        // Perl reads the native image as the same data.
        #expect(try perl(Self.dumpThawed, stdin: native.stdout) == perl("print dumped(\(Self.sampleData));"))
    }

    @Test func nativeFromPerlToNetworkReadByPerl() throws {
        let frozen = try perl("print freeze(\(Self.sampleData));")
        let outcome = try runRefWire(["transcode", "--from", "storable", "--to", "nstorable"], stdin: frozen)
        #expect(outcome.status == 0, "\(outcome.stderrText)")
        #expect(outcome.stdout.first == 0x05, "nfreeze header")
        #expect(try perl(Self.dumpThawed, stdin: outcome.stdout) == perl("print dumped(\(Self.sampleData));"))
    }

    @Test func sameFormatKeepsBytes() throws {
        // Hash order as Perl wrote it, not sorted: the value keeps it.
        let original = try perl("print nfreeze({ map { (\"key$_\" => [$_, \"v$_\"]) } 1..50 });")
        let outcome = try runRefWire(["transcode", "--from", "nstorable", "--to", "nstorable"], stdin: original)
        #expect(outcome.status == 0, "\(outcome.stderrText)")
        #expect(outcome.stdout == original)
    }

    @Test func canonicalSortsKeysAsPerlDoes() throws {
        let data = "{ map { (\"key$_\" => \"v$_\") } 1..50 }"
        let unsorted = try perl("print nfreeze(\(data));")
        let sorted = try perl("$Storable::canonical = 1; print nfreeze(\(data));")
        let outcome = try runRefWire(
            ["transcode", "--from", "nstorable", "--to", "nstorable", "--canonical"], stdin: unsorted)
        #expect(outcome.status == 0, "\(outcome.stderrText)")
        #expect(outcome.stdout == sorted)
    }

    @Test func readsFileArgument() throws {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("refwire-transcode-\(UUID().uuidString).storable")
        let original = try perl("print nfreeze([1, 'two']);")
        try Data(original).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let outcome = try runRefWire(["transcode", "--from", "nstorable", "--to", "nstorable", url.path])
        #expect(outcome.status == 0, "\(outcome.stderrText)")
        #expect(outcome.stdout == original)

        let missing = try runRefWire(["transcode", "--from", "nstorable", "--to", "storable", url.path + ".missing"])
        #expect(missing.status == 66)
        #expect(missing.stderrText.hasPrefix("refwire: cannot open "))
    }

    // MARK: - Encoding options

    @Test func targetStorable2WritesFormat2_7ThatPerlReads() throws {
        let original = try perl("print nfreeze({ list => [1, 2.5, 'x'] });")
        let outcome = try runRefWire(
            ["transcode", "--from", "nstorable", "--to", "nstorable", "--target", "storable2"], stdin: original)
        #expect(outcome.status == 0, "\(outcome.stderrText)")
        #expect(Array(outcome.stdout.prefix(2)) == [0x05, 0x07])
        #expect(try perl(Self.dumpThawed, stdin: outcome.stdout) == perl("print dumped({ list => [1, 2.5, 'x'] });"))
    }

    @Test func valueTheTargetCannotHoldIsAnError() throws {
        let original = try perl("print nfreeze([qr/ab+c/i]);")
        let outcome = try runRefWire(
            ["transcode", "--from", "nstorable", "--to", "nstorable", "--target", "storable2"], stdin: original)
        #expect(outcome.status == 1)
        #expect(outcome.stdout.isEmpty)
        #expect(outcome.stderrText.hasPrefix("refwire: cannot write the value as nstorable: "), "\(outcome.stderrText)")

        let current = try runRefWire(["transcode", "--from", "nstorable", "--to", "nstorable"], stdin: original)
        #expect(current.status == 0, "\(current.stderrText)")
        #expect(current.stdout == original)
    }

    @Test func losslessDoublesKeepEveryDigit() throws {
        // freeze keeps the double's bits (nfreeze would write it as 15-digit text).
        let original = try perl("print freeze([0.1 + 0.2]);")
        let plain = try runRefWire(["transcode", "--from", "storable", "--to", "nstorable"], stdin: original)
        let lossless = try runRefWire(
            ["transcode", "--from", "storable", "--to", "nstorable", "--lossless-doubles"], stdin: original)
        #expect(plain.status == 0 && lossless.status == 0, "\(plain.stderrText) \(lossless.stderrText)")
        #expect(try perl(Self.printThawed("$v->[0]"), stdin: plain.stdout) == Array("0.3".utf8))
        #expect(try perl(Self.printThawed("$v->[0]"), stdin: lossless.stdout) == Array("0.30000000000000004".utf8))
    }

    // MARK: - Decoding options

    @Test func codeReferencesNeedAllowCode() throws {
        let original = try perl("$Storable::Deparse = 1; print nfreeze([sub { 6 * 7 }]);")
        let refused = try runRefWire(["transcode", "--from", "nstorable", "--to", "storable"], stdin: original)
        #expect(refused.status == 1)
        #expect(refused.stdout.isEmpty)
        #expect(refused.stderrText.hasPrefix("refwire: error at byte "), "\(refused.stderrText)")
        #expect(refused.stderrText.contains("code reference is refused"))

        let kept = try runRefWire(
            ["transcode", "--from", "nstorable", "--to", "storable", "--allow-code"], stdin: original)
        #expect(kept.status == 0, "\(kept.stderrText)")
        let result = try perl("$Storable::Eval = 1; " + Self.printThawed("$v->[0]->()"), stdin: kept.stdout)
        #expect(result == Array("42".utf8))
    }

    @Test func maxDepthRefusesDeepNesting() throws {
        let original = try perl("print nfreeze([[[[['deep']]]]]);")
        let refused = try runRefWire(
            ["transcode", "--from", "nstorable", "--to", "nstorable", "--max-depth", "3"], stdin: original)
        #expect(refused.status == 1)
        #expect(refused.stderrText.contains("nesting deeper than 3"), "\(refused.stderrText)")

        let accepted = try runRefWire(
            ["transcode", "--from", "nstorable", "--to", "nstorable", "--max-depth", "10"], stdin: original)
        #expect(accepted.status == 0, "\(accepted.stderrText)")
        #expect(accepted.stdout == original)
    }

    @Test func allowClassRefusesOtherClasses() throws {
        let original = try perl("print nfreeze([bless({}, 'Good'), bless([], 'Evil')]);")
        let refused = try runRefWire(
            ["transcode", "--from", "nstorable", "--to", "nstorable", "--allow-class", "Good"], stdin: original)
        #expect(refused.status == 1)
        #expect(refused.stderrText.contains("class Evil is refused"), "\(refused.stderrText)")

        let accepted = try runRefWire(
            ["transcode", "--from", "nstorable", "--to", "nstorable", "--allow-class", "Good", "--allow-class", "Evil"],
            stdin: original)
        #expect(accepted.status == 0, "\(accepted.stderrText)")
        #expect(accepted.stdout == original)
    }

    @Test func maxInputSizeRefusesLongInput() throws {
        let original = try perl("print nfreeze(['x' x 100]);")
        let refused = try runRefWire(
            ["transcode", "--from", "nstorable", "--to", "nstorable", "--max-input-size", "50"], stdin: original)
        #expect(refused.status == 1)
        #expect(refused.stdout.isEmpty)
        #expect(refused.stderrText.hasPrefix("refwire: error at byte 50: "), "\(refused.stderrText)")
        #expect(refused.stderrText.contains("--max-input-size"))
    }

    // MARK: - Bad input

    @Test func notStorableExitsOneWithMessage() throws {
        let outcome = try runRefWire(
            ["transcode", "--from", "nstorable", "--to", "storable"], stdin: Array("hello, world".utf8))
        #expect(outcome.status == 1)
        #expect(outcome.stdout.isEmpty)
        #expect(outcome.stderrText.hasPrefix("refwire: error at byte 0: Storable: "), "\(outcome.stderrText)")
        #expect(outcome.stderrText.hasSuffix("\n"))
    }

    @Test func emptyInputIsAnError() throws {
        let outcome = try runRefWire(["transcode", "--from", "nstorable", "--to", "storable"])
        #expect(outcome.status == 1)
        #expect(outcome.stdout.isEmpty)
        #expect(outcome.stderrText.hasPrefix("refwire: error at byte 0: "), "\(outcome.stderrText)")
        #expect(outcome.stderrText.contains("truncated"))
    }

    @Test func truncatedImageNamesTheOffset() throws {
        let original = try perl("print nfreeze({ name => 'a long enough string' });")
        let cut = Array(original.dropLast(5))
        let outcome = try runRefWire(["transcode", "--from", "nstorable", "--to", "storable"], stdin: cut)
        #expect(outcome.status == 1)
        #expect(outcome.stdout.isEmpty)
        let offset = try #require(errorOffset(outcome.stderrText), "\(outcome.stderrText)")
        #expect(offset > 2 && offset <= cut.count)
        #expect(outcome.stderrText.contains("truncated"))
    }

    @Test func trailingBytesAreAnError() throws {
        let original = try perl("print nfreeze([1]);")
        let outcome = try runRefWire(
            ["transcode", "--from", "nstorable", "--to", "storable"], stdin: original + [0x00, 0x01])
        #expect(outcome.status == 1)
        #expect(outcome.stderrText.hasPrefix("refwire: error at byte \(original.count): "), "\(outcome.stderrText)")
        #expect(outcome.stderrText.contains("2 bytes follow the root object"))
    }

    @Test func otherByteOrderThanFromIsAnError() throws {
        let native = try perl("print freeze([1]);")
        let outcome = try runRefWire(["transcode", "--from", "nstorable", "--to", "storable"], stdin: native)
        #expect(outcome.status == 1)
        #expect(outcome.stdout.isEmpty)
        #expect(outcome.stderrText.hasPrefix("refwire: error at byte 0: "), "\(outcome.stderrText)")
        #expect(outcome.stderrText.contains("--from storable"))

        let network = try perl("print nfreeze([1]);")
        let reverse = try runRefWire(["transcode", "--from", "storable", "--to", "nstorable"], stdin: network)
        #expect(reverse.status == 1)
        #expect(reverse.stderrText.contains("--from nstorable"), "\(reverse.stderrText)")
    }

    // MARK: - JSON and sniffing

    @Test func storableToJSONReadByJSONXSAndBack() throws {
        let data = "{ list => [1, -7, 2**40, undef, 'text'], nested => { a => [], b => {} }, chars => \"\\x{263a}\" }"
        let original = try perl("$Storable::canonical = 1; print nfreeze(\(data));")
        let json = try runRefWire(["transcode", "--from", "nstorable", "--to", "json", "--canonical"], stdin: original)
        #expect(json.status == 0, "\(json.stderrText)")
        // JSON::XS reads it as the same data.
        let decoded = try perl("use JSON::XS; binmode STDIN; local $/; print dumped(decode_json(<STDIN>));", stdin: json.stdout)
        #expect(decoded == (try perl("print dumped(\(data));")))

        let back = try runRefWire(["transcode", "--from", "json", "--to", "nstorable", "--canonical"], stdin: json.stdout)
        #expect(back.status == 0, "\(back.stderrText)")
        #expect(try perl(Self.dumpThawed, stdin: back.stdout) == perl("print dumped(\(data));"))
    }

    @Test func prettyJSONIsWhatJSONXSPrettyWrites() throws {
        let original = try perl("print nfreeze({ b => [1, { c => 'x' }], a => undef });")
        let pretty = try runRefWire(
            ["transcode", "--from", "nstorable", "--to", "json", "--canonical", "--pretty"], stdin: original)
        #expect(pretty.status == 0, "\(pretty.stderrText)")
        #expect(pretty.stdout == (try perl("use JSON::XS; print JSON::XS->new->utf8->canonical->pretty->encode({ b => [1, { c => 'x' }], a => undef });")))
    }

    @Test func autoReadsWhateverTheInputIs() throws {
        let storable = try perl("print freeze([1, 'two']);")
        let json = Array(#"[1,"two"]"#.utf8)
        for input in [storable, json] {
            let outcome = try runRefWire(["transcode", "--from", "auto", "--to", "json"], stdin: input)
            #expect(outcome.status == 0, "\(outcome.stderrText)")
            #expect(outcome.stdoutText == #"[1,"two"]"#)
        }
        let sereal = try perl("use Sereal::Encoder; print Sereal::Encoder->new->encode([1]);")
        let refused = try runRefWire(["transcode", "--from", "auto", "--to", "json"], stdin: sereal)
        #expect(refused.status == 1)
        #expect(refused.stderrText.contains("Sereal (version 5) is not supported"), "\(refused.stderrText)")
        let unknown = try runRefWire(["transcode", "--from", "auto", "--to", "json"], stdin: Array("hello".utf8))
        #expect(unknown.status == 1)
        #expect(unknown.stderrText.contains("no format RefWire reads"), "\(unknown.stderrText)")
    }

    @Test(arguments: ["yaml", "yamlxs"])
    func storableToYAMLReadByBothPerlLibraries(format: String) throws {
        let data = "{ list => [1, -7, undef, 'text', ''], nested => { a => [], b => {} }, chars => \"\\x{263a}\", obj => bless({ a => 1 }, 'My::Class') }"
        let original = try perl("print nfreeze(\(data));")
        let yaml = try runRefWire(["transcode", "--from", "nstorable", "--to", format], stdin: original)
        #expect(yaml.status == 0, "\(yaml.stderrText)")
        for library in format == "yaml" ? ["YAML", "YAML::XS"] : ["YAML::XS"] {
            // Both libraries bless only when asked to (`LoadBlessed`).
            let loaded = try perl("use \(library) (); use Encode (); $YAML::LoadBlessed = $YAML::XS::LoadBlessed = 1; "
                + "binmode STDIN; local $/; my $text = <STDIN>; "
                + "$text = Encode::decode('UTF-8', $text) if '\(library)' eq 'YAML'; print dumped(\(library)::Load($text));",
                stdin: yaml.stdout)
            #expect(loaded == (try perl("print dumped(\(data));")), "\(library)")
        }
        let back = try runRefWire(["transcode", "--from", "auto", "--to", "nstorable"], stdin: yaml.stdout)
        #expect(back.status == 0, "\(back.stderrText)")
        #expect(try perl(Self.dumpThawed, stdin: back.stdout) == perl("print dumped(\(data));"))
    }

    @Test func badJSONNamesTheOffset() throws {
        let outcome = try runRefWire(["transcode", "--from", "json", "--to", "nstorable"], stdin: Array(#"{"a": [1, 2,, 3]}"#.utf8))
        #expect(outcome.status == 1)
        #expect(errorOffset(outcome.stderrText) == 12, "\(outcome.stderrText)")
        #expect(outcome.stdout.isEmpty)
    }

    // MARK: - Command line surface

    @Test(arguments: [
        ["transcode", "--from", "nstorable"],
        ["transcode", "--from", "bogus", "--to", "storable"],
        ["transcode", "--from", "nstorable", "--to", "storable", "--target", "storable4"],
        ["transcode", "--from", "nstorable", "--to", "storable", "--max-depth", "-1"],
        ["transcode", "--from", "nstorable", "--to", "storable", "--max-input-size", "-1"],
        ["transcode", "--from", "json", "--to", "auto"],
    ])
    func usageErrorsExit64(_ arguments: [String]) throws {
        let outcome = try runRefWire(arguments)
        #expect(outcome.status == 64, "\(outcome.stderrText)")
        #expect(outcome.stdout.isEmpty)
    }

    @Test func helpListsFormatsAndOptions() throws {
        let outcome = try runRefWire(["help", "transcode"])
        #expect(outcome.status == 0, "\(outcome.stderrText)")
        for text in ["--from <format>", "--to <format>", "nstorable", "storable", "--canonical", "--target <version>",
                     "storable2", "storable3.32", "--lossless-doubles", "--max-depth", "(default: 512)",
                     "--max-container-count", "--max-total-count", "--max-string-length", "--allow-code",
                     "--allow-class", "--max-input-size", "json", "yaml", "yamlxs", "auto", "--pretty", "Exit status"] {
            #expect(outcome.stdoutText.contains(text), "\(text)")
        }
    }

    // MARK: - Perl

    /// A structure with every common scalar kind: integers small and large, a double,
    /// byte and character strings, undef, nested containers, a scalar reference.
    static let sampleData = """
        { list => [1, -7, 300, 70000, 2**40, undef, 'text'], nested => { a => [], b => {} }, \
        bytes => "caf\\x{e9}", chars => "\\x{263a} smile", double => 2.5, ref => \\'scalar' }
        """

    /// Prints the structure read from standard input, thawed, as sorted Data::Dumper text.
    static let dumpThawed = "binmode STDIN; local $/; print dumped(thaw(<STDIN>));"

    /// Prints `expression` about `$v`, the structure thawed from standard input.
    static func printThawed(_ expression: String) -> String {
        "binmode STDIN; local $/; my $v = thaw(<STDIN>); print \(expression);"
    }
}

// MARK: - Running Perl

/// Runs real Perl with Storable loaded and `dumped` (sorted, one-line Data::Dumper)
/// defined; returns its standard output. Fails loudly when Perl is missing or fails.
func perl(_ script: String, stdin: [UInt8] = []) throws -> [UInt8] {
    let prelude = """
        use strict; use warnings; use Storable qw(nfreeze freeze thaw); use Data::Dumper; binmode STDOUT; \
        sub dumped { local $Data::Dumper::Sortkeys = 1; local $Data::Dumper::Indent = 0; \
        local $Data::Dumper::Useqq = 1; Data::Dumper::Dumper(@_) }
        """
    let child = try ChildProcess(executable: try perlPath(), arguments: ["-e", prelude + "\n" + script])
    child.send(stdin, close: true)
    let outcome = child.finish(timeout: 120)
    guard outcome.status == 0, !outcome.timedOut else {
        throw PerlFailure(status: outcome.status, stderr: outcome.stderrText)
    }
    return outcome.stdout
}

struct PerlFailure: Error, CustomStringConvertible {
    var status: Int32
    var stderr: String
    var description: String { "perl exited with status \(status): \(stderr)" }
}

/// `$PERL`, or the first `perl` on `$PATH`.
func perlPath() throws -> String {
    let environment = ProcessInfo.processInfo.environment
    if let perl = environment["PERL"], !perl.isEmpty { return perl }
    for directory in (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
        let candidate = "\(directory)/perl"
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    throw PerlFailure(status: -1, stderr: "perl not found on $PATH (set PERL)")
}

/// The byte offset in `refwire: error at byte N: …`.
func errorOffset(_ stderr: String) -> Int? {
    let prefix = "refwire: error at byte "
    guard stderr.hasPrefix(prefix) else { return nil }
    return Int(stderr.dropFirst(prefix.count).prefix { $0.isNumber })
}
