import RefWire
import RefWireTestSupport
import Testing

/// RefWire's zlib against Perl's Compress::Zlib, the library POE::Filter::Reference
/// compresses with. Byte-identical output is expected when Perl and RefWire link the
/// same zlib (Debian's Compress::Raw::Zlib uses the system libz); interop is expected
/// regardless.
@Suite("Zlib interop with Perl's Compress::Zlib")
struct ZlibInteropTests {
    @Test("Perl and Compress::Zlib are installed")
    func perlHasCompressZlib() throws {
        let version = try perlOutput(script: Script.zlibVersion)
        #expect(!version.isEmpty)
    }

    @Test("compress matches Compress::Zlib::compress byte for byte", arguments: ZlibSample.allCases)
    func compressMatchesPerl(sample: ZlibSample) throws {
        let input = sample.bytes
        let perl = try perlOutput(script: Script.compress, stdin: input)
        expectIdentical(Zlib.compress(input), perl)
    }

    @Test(
        "compress matches Compress::Zlib::compress at explicit levels",
        arguments: [-1, 1, 2, 3, 4, 5, 6, 7, 8, 9] as [Int32])
    func compressMatchesPerlAtLevel(level: Int32) throws {
        // A quarter of the 1 MiB sample (levels 7-9 are slow on it) still spans many
        // deflate blocks, whose boundaries are what memLevel moves.
        let input = Array(ZlibSample.compressible1MiB.bytes.prefix(256 << 10))
        let perl = try perlOutput(script: Script.compress, arguments: [String(level)], stdin: input)
        expectIdentical(Zlib.compress(input, level: level), perl)
    }

    /// Level 0 need not be byte-identical (with zlib 1.2.13, 100 KB inputs already
    /// differ): zlib sizes stored blocks by the output space each deflate call gets, and
    /// Compress::Zlib grows its output 4 KiB at a time where RefWire offers deflateBound's
    /// worth at once. Both are valid streams.
    @Test("Level 0 streams interoperate in both directions", arguments: ZlibSample.allCases)
    func storedInterop(sample: ZlibSample) throws {
        let input = sample.bytes
        let fromPerl = try perlOutput(script: Script.compress, arguments: ["0"], stdin: input)
        try expectSameBytes(Zlib.decompress(fromPerl, maximumOutputSize: input.count), input)
        let fromSwift = Zlib.compress(input, level: 0)
        try expectSameBytes(perlOutput(script: Script.uncompress, stdin: fromSwift), input)
    }

    @Test("decompress inflates what Compress::Zlib::compress wrote", arguments: ZlibSample.allCases)
    func decompressPerlOutput(sample: ZlibSample) throws {
        let input = sample.bytes
        let compressed = try perlOutput(script: Script.compress, stdin: input)
        try expectSameBytes(Zlib.decompress(compressed, maximumOutputSize: input.count), input)
    }

    @Test("Compress::Zlib::uncompress inflates what compress wrote", arguments: ZlibSample.allCases)
    func perlUncompressesSwiftOutput(sample: ZlibSample) throws {
        let input = sample.bytes
        for level in [-1, 1, 9] as [Int32] {
            let inflated = try perlOutput(script: Script.uncompress, stdin: Zlib.compress(input, level: level))
            expectSameBytes(inflated, input, "level \(level)")
        }
    }

    /// Like ``expectSameBytes(_:_:_:sourceLocation:)``, adding which zlib Perl runs:
    /// the first thing to compare when the outputs part.
    private func expectIdentical(
        _ swift: [UInt8], _ perl: [UInt8], sourceLocation: SourceLocation = #_sourceLocation
    ) {
        guard swift != perl else { return }
        let version = (try? perlOutput(script: Script.zlibVersion)).map { String(decoding: $0, as: UTF8.self) }
        expectSameBytes(
            swift, perl, "Swift's compress vs Perl's (Perl's zlib: \(version ?? "unknown"))",
            sourceLocation: sourceLocation)
    }
}

/// `#expect(actual == expected)`, but a failure says where the bytes part rather than
/// printing megabytes of array literal.
private func expectSameBytes(
    _ actual: [UInt8], _ expected: [UInt8], _ context: String = "",
    sourceLocation: SourceLocation = #_sourceLocation
) {
    guard actual != expected else { return }
    let offset = zip(actual, expected).enumerated().first { $0.element.0 != $0.element.1 }?.offset
        ?? min(actual.count, expected.count)
    let message = "got \(actual.count) bytes, expected \(expected.count); first difference at offset \(offset)"
    Issue.record(Comment(rawValue: context.isEmpty ? message : "\(context): \(message)"), sourceLocation: sourceLocation)
}

/// Inputs shared by the tests, reproducible from their seeds.
enum ZlibSample: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case empty
    case shortText
    case random100KiB
    case compressible1MiB

    var testDescription: String { rawValue }

    var bytes: [UInt8] {
        switch self {
        case .empty:
            return []
        case .shortText:
            return Array("POE::Filter::Reference with Compression => 1\n".utf8)
        case .random100KiB:
            var generator = SeededRandom(seed: 100)
            return (0..<(100 << 10)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        case .compressible1MiB:
            let words = ["kernel", "session", "event", "wheel", "filter", "frame", " ", "\n", "=>", "{", "}"]
                .map { Array($0.utf8) }
            var generator = SeededRandom(seed: 101)
            var text: [UInt8] = []
            while text.count < 1 << 20 { text += words[Int(generator.next() % UInt64(words.count))] }
            return Array(text.prefix(1 << 20))
        }
    }
}

/// Perl one-liners: binary-safe standard streams, slurped input, failure as `die`.
private enum Script {
    static let zlibVersion = """
        use strict; use warnings; use Compress::Zlib;
        print Compress::Zlib::zlib_version();
        """

    /// `compress($data)`, or `compress($data, $level)` when given a level argument.
    static let compress = """
        use strict; use warnings; use Compress::Zlib;
        binmode STDIN; binmode STDOUT;
        my $data = do { local $/; <STDIN> } // '';
        my $out = @ARGV ? compress($data, $ARGV[0]) : compress($data);
        defined $out or die "compress failed\\n";
        print $out;
        """

    static let uncompress = """
        use strict; use warnings; use Compress::Zlib;
        binmode STDIN; binmode STDOUT;
        my $data = do { local $/; <STDIN> } // '';
        my $out = uncompress($data);
        defined $out or die "uncompress failed\\n";
        print $out;
        """
}

