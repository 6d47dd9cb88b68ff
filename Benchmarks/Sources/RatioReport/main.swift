// Prints frames/s of RefWire's FrameDecoder beside a C memchr scan of the same bytes,
// measured in the same run, their ratio, and the per-frame cost at 10^4, 10^5 and 10^6
// frames. See Benchmarks/README.md.
import FramingWorkloads

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The goal from the issue: the decoder at no less than a quarter of the C scan's speed.
let goalRatio = 0.25
let headlineFrameCount = 100_000
let scalingFrameCounts = [10_000, 100_000, 1_000_000]

// MARK: - Arguments

var plan = MeasurementPlan()
var workloads = Workload.standard
var checkGoal = false
/// `--profile WORKLOAD`: decode the headline corpus untimed, for callgrind or perf.
var profiledWorkload: Workload?
var profilePasses = 20

var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    switch argument {
    case "--rounds":
        guard let value = arguments.popFirst().flatMap(Int.init), value > 0 else {
            fatalError("--rounds needs a positive count")
        }
        plan.rounds = value
    case "--quick":
        plan.rounds = 5
        plan.roundBudgetNanoseconds = 10e6
    case "--candidate":
        workloads += Workload.candidates
    case "--check":
        checkGoal = true
    case "--profile":
        guard let value = arguments.popFirst().flatMap(Workload.init(rawValue:)) else {
            fatalError("--profile needs one of \(Workload.allCases.map(\.rawValue))")
        }
        profiledWorkload = value
    case "--passes":
        guard let value = arguments.popFirst().flatMap(Int.init), value > 0 else {
            fatalError("--passes needs a positive count")
        }
        profilePasses = value
    case "-h", "--help":
        print("""
            usage: RatioReport [--rounds N] [--quick] [--candidate] [--check]
                   RatioReport --profile WORKLOAD [--passes N]
              --rounds N   rounds to take medians over (default \(plan.rounds))
              --quick      5 short rounds, for a smoke test
              --candidate  also measure the proposed decoder (FrameDecoderCandidate)
              --check      exit 1 if FrameDecoder is below \(goalRatio) x the C scan
              --profile    run only WORKLOAD (\(Workload.allCases.map(\.rawValue).joined(separator: ", ")))
                           on \(grouped(headlineFrameCount)) frames, N passes (default \(profilePasses)), untimed
            """)
        exit(0)
    default:
        fatalError("unknown argument \(argument); try --help")
    }
}

// MARK: - Profiling mode

if let workload = profiledWorkload {
    let corpus = FrameCorpus(frameCount: headlineFrameCount)
    do {
        for _ in 0..<profilePasses {
            let tally = try workload.run(on: corpus)
            guard tally == corpus.expected else {
                throw MismatchError(workload: workload, expected: corpus.expected, found: tally)
            }
        }
    } catch {
        print("error: \(error)")
        exit(2)
    }
    exit(0)
}

// MARK: - Measurement

var measurements: [Int: CorpusMeasurement] = [:]
do {
    for frameCount in scalingFrameCounts {
        let corpus = FrameCorpus(frameCount: frameCount)
        measurements[frameCount] = try measure(workloads, on: corpus, plan: plan)
    }
} catch {
    print("error: \(error)")
    exit(2)
}

// MARK: - Report

let headline = measurements[headlineFrameCount]!
let decoders = workloads.filter { $0 != .cScan }

print("""
    \(grouped(headline.frameCount)) frames, 50-62 B payloads, \(grouped(headline.byteCount)) bytes; \
    medians of \(plan.rounds) interleaved rounds

    """)

var throughput = TextTable(
    header: ["workload", "frames/s", "MB/s", "ns/frame", "x C scan", "min-max", "goal >= \(goalRatio)"])
for workload in workloads {
    let ratios = headline.ratiosToC(workload)
    let isBaseline = workload == .cScan
    throughput.rows.append([
        workload.label,
        fixed(headline.framesPerSecond(workload) / 1e6, 2) + " M",
        fixed(headline.megabytesPerSecond(workload), 0),
        fixed(headline.nanosecondsPerFrame(workload), 2),
        fixed(ratios.median(), 3),
        isBaseline ? "" : fixed(ratios.first!, 3) + "-" + fixed(ratios.last!, 3),
        isBaseline ? "" : (ratios.median() >= goalRatio ? "met" : "NOT MET"),
    ])
}
print(throughput.render())

print("\nPer-frame cost, ns/frame (flat = linear scaling), and x C scan\n")
var scaling = TextTable(
    header: ["frames"] + workloads.map(\.shortLabel) + decoders.map { "\($0.shortLabel) x C" })
for frameCount in scalingFrameCounts {
    let measurement = measurements[frameCount]!
    scaling.rows.append(
        [grouped(frameCount)]
            + workloads.map { fixed(measurement.nanosecondsPerFrame($0), 2) }
            + decoders.map { fixed(measurement.ratiosToC($0).median(), 3) })
}
let smallest = measurements[scalingFrameCounts.first!]!
let largest = measurements[scalingFrameCounts.last!]!
scaling.rows.append(
    ["10^6 / 10^4"]
        + workloads.map { fixed(largest.nanosecondsPerFrame($0) / smallest.nanosecondsPerFrame($0), 2) }
        + decoders.map { _ in "" })
print(scaling.render())

if checkGoal {
    let unmet = [Workload.swiftWhole, .swiftChunked].filter { headline.ratiosToC($0).median() < goalRatio }
    if !unmet.isEmpty {
        print("\ngoal not met: \(unmet.map(\.label).joined(separator: ", "))")
        exit(1)
    }
}
