// Counts RefWire's mallocs per decode and per encode of each Storable image, one line
// per file and direction: "NAME DIRECTION MALLOCS BYTES" (means over the passes).
// StorableReport runs it; it links malloc-interposer, which replaces malloc for this
// whole process, so it counts in a process of its own and times nothing.
//
//   StorableAllocations [--passes N] [NAME...]   (images from an earlier StorableReport)
import MallocInterposerSwift
import StorableWorkloads

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

var passes = 5
var names: [String] = []
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    if argument == "--passes", let value = arguments.popFirst().flatMap(Int.init), value > 0 {
        passes = value
    } else {
        names.append(argument)
    }
}
if names.isEmpty { names = StorableCorpus.standardNames }

do {
    let swift = SwiftStorable()
    // The interposer must be in the path: a counted allocation proves it.
    MallocInterposerSwift.initialize()
    MallocInterposerSwift.hook()
    let probe = UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 16)
    MallocInterposerSwift.unhook()
    probe.deallocate()
    guard MallocInterposerSwift.getStatistics().mallocCount > 0 else {
        print("error: malloc-interposer is not interposing")
        exit(2)
    }

    for name in names {
        let corpus = try StorableCorpus(name: name)
        for direction in StorableDirection.allCases {
            let expected = try swift.expectedFingerprint(direction, on: corpus)
            _ = try swift.run(direction, on: corpus)  // warm: one-time runtime allocations
            MallocInterposerSwift.initialize()
            MallocInterposerSwift.hook()
            var fingerprints = 0
            for _ in 0..<passes {
                fingerprints &+= try swift.run(direction, on: corpus)
            }
            MallocInterposerSwift.unhook()
            let statistics = MallocInterposerSwift.getStatistics()
            guard fingerprints == expected &* passes else {
                print("error: \(name) \(direction.rawValue) gave the wrong result")
                exit(2)
            }
            print(
                name, direction.rawValue, Double(statistics.mallocCount) / Double(passes),
                Double(statistics.mallocBytesCount) / Double(passes))
        }
    }
} catch {
    print("error: \(error)")
    exit(2)
}
