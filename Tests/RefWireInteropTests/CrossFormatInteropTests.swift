import Foundation
import RefWire
import RefWireTestSupport
import Testing

// Round trips between formats, judged by Perl: `Perl/cross_format.pl` writes each case of
// its corpus with nfreeze, JSON::XS, YAML.pm and YAML::XS; RefWire reads each of those
// and writes the value in every format; Perl loads what RefWire wrote (thaw, JSON::XS,
// and both YAML libraries for the `yaml` dialect) and compares it with the original.

@Suite("CrossFormatInterop: Storable, JSON and YAML through RefWire, judged by Perl")
struct CrossFormatInteropTests {
    /// The formats, by the names the script uses (the CLI's and the registry's).
    static let formats: [PayloadFormat] = [.nstorable, .json, .yaml, .yamlxs]
    /// Perl loads per target: `yaml` is loaded by both YAML.pm and YAML::XS.
    static let loadsPerTarget: [PayloadFormat: Int] = [.nstorable: 1, .json: 1, .yaml: 2, .yamlxs: 1]

    @Test("every case, read in each format and written in each format, is the same data to Perl")
    func everyPair() throws {
        let emitted = try StorablePerl.run("cross_format.pl", arguments: ["emit"])
        #expect(emitted.status == 0, "\(emitted.stderr)")
        let lines = String(decoding: emitted.stdout, as: UTF8.self).split(separator: "\n")
        let caseCount = try #require(lines.last.flatMap { Int($0.dropFirst("count ".count)) })
        #expect(caseCount >= 60)

        let codec = PayloadCodec()
        var written: [String] = []
        for line in lines.dropLast() {
            let fields = line.split(separator: " ")
            let (name, sourceName) = (String(fields[1]), String(fields[2]))
            let source = try #require(PayloadFormat(rawValue: sourceName))
            let bytes = try #require(Hex.bytes(String(fields[3])))
            let value = try codec.decode(bytes, as: source)
            for target in Self.formats {
                let output = try codec.encode(value, as: target)
                written.append("\(name) \(sourceName) \(target.name) \(Hex.string(output))")
            }
        }
        #expect(written.count == caseCount * Self.formats.count * Self.formats.count)

        let checked = try StorablePerl.run("cross_format.pl", arguments: ["check"], stdin: Array(written.joined(separator: "\n").utf8))
        #expect(checked.status == 0, "\(checked.stderr)")
        let report = String(decoding: checked.stdout, as: UTF8.self).split(separator: "\n")
        let failures = report.filter { $0.hasPrefix("not ok") }
        #expect(failures.isEmpty, "\(failures.prefix(20).joined(separator: "\n"))")
        let loads = caseCount * Self.formats.count * Self.formats.reduce(0) { $0 + Self.loadsPerTarget[$1]! }
        #expect(report.last.map(String.init) == "summary pass=\(loads) fail=0")
        print("CrossFormatInterop: \(caseCount) cases x \(Self.formats.count) source formats x \(Self.formats.count) targets; Perl loads \(loads), \(failures.count) unequal")
    }
}
