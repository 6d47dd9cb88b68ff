import RefWire
import StorableWorkloads

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What is checked once per file, outside the timing.
struct FileChecks {
    let name: String
    /// RefWire's default encoding of its decode is byte for byte Perl's `nfreeze` image.
    let reencodeIsPerlImage: Bool
    /// Decoding RefWire's encoding gives back an identical value (`isIdentical`: same
    /// string kinds, key kinds and key order).
    let roundTripIdentical: Bool
    /// Perl thaws RefWire's encoding to the data it thawed from its own image (equal
    /// canonical `nfreeze`s), default and canonical.
    let perlThawsDefault: Bool
    let perlThawsCanonical: Bool
    /// RefWire's canonical encoding is byte for byte Perl's canonical `nfreeze`.
    let canonicalIsPerlImage: Bool

    /// The checks that must hold for the timings to mean anything.
    var failures: [String] {
        [
            roundTripIdentical ? nil : "RefWire's encoding does not decode back to an identical value",
            perlThawsDefault ? nil : "Perl thaws RefWire's encoding to different data",
            perlThawsCanonical ? nil : "Perl thaws RefWire's canonical encoding to different data",
        ].compactMap { $0.map { "\(name): \($0)" } }
    }
}

func check(_ corpus: StorableCorpus, perl: PerlStorable) throws -> FileChecks {
    let swift = SwiftStorable()
    let encoded = try swift.encoder.encode(corpus.value)
    let canonical = try swift.canonicalEncoder.encode(corpus.value)
    let roundTrip = try swift.decoder.decode(encoded)

    let directory = BenchmarkPaths.corpusDirectory
    let encodedPath = "\(directory)/\(corpus.name).refwire.nfreeze"
    let canonicalPath = "\(directory)/\(corpus.name).refwire-canonical.nfreeze"
    let perlCanonicalPath = "\(directory)/\(corpus.name).perl-canonical.nfreeze"
    try writeFile(encodedPath, encoded)
    try writeFile(canonicalPath, canonical)
    try perl.writeCanonical(of: corpus, to: perlCanonicalPath)

    return FileChecks(
        name: corpus.name,
        reencodeIsPerlImage: encoded == corpus.image,
        roundTripIdentical: roundTrip.isIdentical(to: corpus.value),
        perlThawsDefault: try perl.thawsEqual(encodedPath, to: corpus),
        perlThawsCanonical: try perl.thawsEqual(canonicalPath, to: corpus),
        canonicalIsPerlImage: canonical == (try readFile(perlCanonicalPath)))
}

/// Mallocs per pass, by file and direction, from `StorableAllocations`.
struct AllocationCounts {
    var mallocs: [String: [StorableDirection: Double]] = [:]

    /// Runs `StorableAllocations`, which SwiftPM builds next to this executable. It
    /// counts in a process of its own: the interposer it links replaces malloc for the
    /// whole process, which the timed process must not have.
    static func measure(names: [String]) throws -> AllocationCounts {
        var path = [CChar](repeating: 0, count: 4096)
        let length = readlink("/proc/self/exe", &path, path.count - 1)
        guard length > 0 else { throw SubprocessError.system("readlink /proc/self/exe", errno) }
        let executable = String(decoding: path[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let directory = executable.split(separator: "/", omittingEmptySubsequences: false).dropLast()
            .joined(separator: "/")
        var counts = AllocationCounts()
        for line in try ChildProcess.run(directory + "/StorableAllocations", names) {
            let fields = line.split(separator: " ")
            guard fields.count >= 3, let direction = StorableDirection(rawValue: String(fields[1])),
                let mallocs = Double(fields[2])
            else { throw SubprocessError.protocolError("StorableAllocations: unexpected line '\(line)'") }
            counts.mallocs[String(fields[0]), default: [:]][direction] = mallocs
        }
        return counts
    }
}
