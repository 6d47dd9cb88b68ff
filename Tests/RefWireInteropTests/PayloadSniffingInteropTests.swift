import Foundation
import RefWire
import RefWireTestSupport
import Testing

// Sniffing against what real Perl writes: every serializer a POE peer may use (Storable in
// each layout, JSON::XS, YAML.pm, YAML::XS) and Sereal, which RefWire must recognise and
// refuse by name rather than misread.

@Suite("PayloadSniffing: real Perl payloads")
struct PayloadSniffingInteropTests {
    /// One payload per line: a name, a tab, the hex of the bytes.
    static let script = #"""
        use strict; use warnings;
        use Storable qw(nfreeze freeze nstore store);
        use JSON::XS (); use YAML (); use YAML::XS (); use Sereal::Encoder ();
        use File::Temp qw(tempdir);
        my $data = { name => "caf\x{e9}", list => [1, 2.5, undef, "x" x 300], nested => { deep => [[]] } };
        my $dir = tempdir(CLEANUP => 1);
        sub slurp { open my $fh, '<:raw', $_[0] or die; local $/; <$fh> }
        nstore($data, "$dir/n"); store($data, "$dir/s");
        my @payloads = (
            [ 'storable-network', nfreeze($data) ],
            [ 'storable-native', freeze($data) ],
            [ 'storable-file-network', slurp("$dir/n") ],
            [ 'storable-file-native', slurp("$dir/s") ],
            [ 'json', JSON::XS->new->utf8->encode($data) ],
            [ 'json', JSON::XS->new->utf8->pretty->encode([$data]) ],
            [ 'yaml', do { my $text = YAML::Dump($data); utf8::encode($text); $text } ],
            [ 'yaml', YAML::XS::Dump($data) ],
        );
        push @payloads, [ "sereal $_", Sereal::Encoder->new({ protocol_version => $_ })->encode($data) ] for 1 .. 5;
        print "$_->[0]\t", unpack('H*', $_->[1]), "\n" for @payloads;
        """#

    @Test("every payload is recognised as the format that wrote it; Storable and JSON decode as sniffed")
    func realPayloads() throws {
        let output = String(decoding: try perlOutput(script: Self.script), as: UTF8.self)
        let payloads = try output.split(separator: "\n").map { line in
            let fields = line.split(separator: "\t")
            return (name: String(fields[0]), bytes: try #require(Hex.bytes(String(fields[1]))))
        }
        #expect(payloads.count == 13)
        let codec = PayloadCodec()
        for (name, bytes) in payloads {
            let kind = PayloadKind(sniffing: bytes)
            if name.hasPrefix("sereal") {
                #expect(kind.description == name, "\(name): sniffed as \(kind)")
                #expect(throws: PayloadDecodingError.unsupportedFormat(name: "Sereal", version: Int(name.dropFirst(7))!)) {
                    try codec.decodeSniffing(bytes)
                }
                continue
            }
            #expect(kind.identifier == name, "\(name): sniffed as \(kind)")
            guard let format = kind.format else { continue }
            let (value, sniffedFormat) = try codec.decodeSniffing(bytes)
            #expect(sniffedFormat == format)
            #expect(value == (try codec.decode(bytes, as: format)))
            let text = value["name"] ?? value[0]?["name"]  // one JSON payload is `[$data]`
            #expect(text == .string("café") || text == .bytes([0x63, 0x61, 0x66, 0xE9]), "\(name)")
        }
    }

    @Test("a Storable image of a newer minor version is refused with an error that names the version")
    func newerStorableVersion() throws {
        var image = try perlOutput(script: "use Storable qw(nfreeze); binmode STDOUT; print nfreeze([1])")
        image[1] = UInt8(StorableHeader.newestMinorVersion + 1)
        let kind = PayloadKind(sniffing: image)
        guard case .unsupportedStorable(let error) = kind else {
            Issue.record("sniffed as \(kind)")
            return
        }
        #expect(error.kind == .unsupportedVersion(major: 2, minor: StorableHeader.newestMinorVersion + 1))
        #expect(error.description.contains("2.\(StorableHeader.newestMinorVersion + 1)"))
        #expect(throws: PayloadDecodingError.storable(error)) { try PayloadCodec().decodeSniffing(image) }
    }
}
