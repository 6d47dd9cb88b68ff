// Prints frames/s of RefWire's FrameDecoder beside a C memchr scan of the same bytes,
// measured in the same run, their ratio, and the per-frame cost at 10^4, 10^5 and 10^6
// frames. See Benchmarks/README.md.
import FramingWorkloads
import ReportSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

let headlineFrameCount = 100_000
let scalingFrameCounts = [10_000, 100_000, 1_000_000]

// MARK: - Arguments

var plan = MeasurementPlan()
let workloads = Workload.standard
var checkGoal = false
/// `--profile WORKLOAD`: decode the headline corpus untimed, for callgrind or perf.
var profiledWorkload: Workload?
var profilePasses = 20
var profileFrameCount = headlineFrameCount

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
    case "--check":
        checkGoal = true
    case "--profile":
        guard let value = arguments.popFirst().flatMap(Workload.init(rawValue:)) else {
            fatalError("--profile needs one of \(Workload.allCases.map(\.rawValue))")
        }
        profiledWorkload = value
    case "--frames":
        guard let value = arguments.popFirst().flatMap(Int.init), value > 0 else {
            fatalError("--frames needs a positive count")
        }
        profileFrameCount = value
    case "--passes":
        guard let value = arguments.popFirst().flatMap(Int.init), value > 0 else {
            fatalError("--passes needs a positive count")
        }
        profilePasses = value
    case "-h", "--help":
        print("""
            usage: RatioReport [--rounds N] [--quick] [--check]
                   RatioReport --profile WORKLOAD [--frames N] [--passes N]
              --rounds N   rounds to take medians over (default \(plan.rounds))
              --quick      5 short rounds, for a smoke test
              --check      exit 1 if FrameDecoder is below \(goalRatio) x the C scan
              --profile    run only WORKLOAD (\(Workload.allCases.map(\.rawValue).joined(separator: ", ")))
                           untimed, N passes (default \(profilePasses)) over --frames frames
                           (default \(grouped(headlineFrameCount)))
            """)
        exit(0)
    default:
        fatalError("unknown argument \(argument); try --help")
    }
}

// MARK: - Profiling mode

if let workload = profiledWorkload {
    let corpus = FrameCorpus(frameCount: profileFrameCount)
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

let report = Report(
    measurements: measurements, headlineFrameCount: headlineFrameCount,
    workloads: workloads, rounds: plan.rounds)
print(report.render())

if checkGoal {
    let unmet = report.workloadsBelowGoal()
    if !unmet.isEmpty {
        print("\ngoal not met: \(unmet.map(\.label).joined(separator: ", "))")
        exit(1)
    }
}
