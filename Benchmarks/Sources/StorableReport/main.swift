// Prints how fast RefWire decodes and encodes the nativejson-benchmark files as Storable
// images, as a multiple of Perl's own thaw and nfreeze of the same bytes, measured in
// the same run; RefWire's mallocs per pass; and checks that both sides read each other's
// bytes. See Benchmarks/README.md.
import ReportSupport
import StorableWorkloads

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// MARK: - Arguments

var plan = MeasurementPlan()
var names = StorableCorpus.standardNames
let directions = StorableDirection.allCases
var checkGoal = false
var countsAllocations = true
/// `--profile DIRECTION FILE`: RefWire only, untimed, for callgrind or perf.
var profiled: (direction: StorableDirection, name: String)?
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
        plan.passesPerRound = 3...2_000
    case "--check":
        checkGoal = true
    case "--files":
        guard let value = arguments.popFirst() else { fatalError("--files needs a comma-separated list") }
        names = value.split(separator: ",").map(String.init)
    case "--no-allocations":
        countsAllocations = false
    case "--profile":
        guard let direction = arguments.popFirst().flatMap(StorableDirection.init(rawValue:)),
            let name = arguments.popFirst()
        else {
            fatalError("--profile needs a direction (\(directions.map(\.rawValue))) and a file name")
        }
        profiled = (direction, name)
    case "--passes":
        guard let value = arguments.popFirst().flatMap(Int.init), value > 0 else {
            fatalError("--passes needs a positive count")
        }
        profilePasses = value
    case "-h", "--help":
        print("""
            usage: StorableReport [--rounds N] [--quick] [--check] [--files a,b] [--no-allocations]
                   StorableReport --profile DIRECTION FILE [--passes N]
              --rounds N        rounds to take medians over (default \(plan.rounds))
              --quick           5 short rounds, for a smoke test
              --check           exit 1 if RefWire is below \(fixed(goalRatio, 1)) x Perl on any file,
                                decoding or encoding (default order)
              --files a,b       only these files (default \(StorableCorpus.standardNames.joined(separator: ",")))
              --no-allocations  do not run StorableAllocations
              --profile         run only RefWire's DIRECTION (\(directions.map(\.rawValue).joined(separator: ", ")))
                                on FILE, untimed, N passes (default \(profilePasses)); needs the
                                images of an earlier run
            JSON files: \(BenchmarkPaths.jsonDirectory) (REFWIRE_JSON_CORPORA overrides)
            """)
        exit(0)
    default:
        fatalError("unknown argument \(argument); try --help")
    }
}

// MARK: - Profiling mode

if let (direction, name) = profiled {
    do {
        let corpus = try StorableCorpus(name: name)
        let swift = SwiftStorable()
        let expected = try swift.expectedFingerprint(direction, on: corpus)
        for _ in 0..<profilePasses {
            _ = try timedPass(expecting: expected, "\(name), \(direction.label)") { try swift.run(direction, on: corpus) }
        }
    } catch {
        print("error: \(error)")
        exit(2)
    }
    exit(0)
}

// MARK: - Measurement

let report: Report
do {
    for line in try StorableCorpus.convertJSON(names: names) {
        print("converted \(line)")
    }
    let corpora = try names.map { try StorableCorpus(name: $0) }
    let perl = try PerlStorable()
    let perlVersions = try perl.versions()
    for corpus in corpora { try perl.load(corpus) }

    let checks = try corpora.map { try check($0, perl: perl) }
    let failures = checks.flatMap(\.failures)
    guard failures.isEmpty else {
        print("error: " + failures.joined(separator: "\nerror: "))
        exit(2)
    }
    var allocations: AllocationCounts?
    if countsAllocations {
        do {
            allocations = try AllocationCounts.measure(names: names)
        } catch {
            print("note: no malloc counts (\(error))")
        }
    }

    var measurements: [FileMeasurement] = []
    for corpus in corpora {
        measurements.append(try measure(directions, on: corpus, perl: perl, plan: plan))
    }
    try perl.close()
    report = Report(
        measurements: measurements, checks: checks, allocations: allocations, rounds: plan.rounds,
        perlVersions: perlVersions)
} catch {
    print("error: \(error)")
    exit(2)
}

// MARK: - Report

print()
print(report.render())

if checkGoal {
    let unmet = report.belowGoal()
    if !unmet.isEmpty {
        print("\ngoal (>= \(fixed(goalRatio, 1)) x Perl) not met: \(unmet.joined(separator: ", "))")
        exit(1)
    }
}
