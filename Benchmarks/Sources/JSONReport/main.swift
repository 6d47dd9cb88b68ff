// Prints how fast RefWire decodes and encodes the nativejson-benchmark files, as a
// multiple of Perl's JSON::XS and of Foundation's JSONSerialization and JSONDecoder/
// JSONEncoder, measured in the same run; and checks that the sides read each other's
// output. See Benchmarks/README.md.
import JSONWorkloads
import RefWire
import ReportSupport
import StorableWorkloads

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// MARK: - Arguments

var plan = MeasurementPlan()
var names = JSONCorpus.standardNames
var directions = JSONDirection.allCases
var checkGoal = false
/// `--profile DIRECTION FILE`: RefWire only, untimed, for callgrind or perf.
var profiled: (direction: JSONDirection, name: String)?
var profilePasses = 20

var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    switch argument {
    case "--rounds":
        guard let value = arguments.popFirst().flatMap(Int.init), value > 0 else { fatalError("--rounds needs a positive count") }
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
    case "--directions":
        guard let value = arguments.popFirst() else { fatalError("--directions needs a comma-separated list") }
        directions = value.split(separator: ",").map {
            guard let direction = JSONDirection(rawValue: String($0)) else { fatalError("unknown direction \($0)") }
            return direction
        }
    case "--profile":
        guard let direction = arguments.popFirst().flatMap(JSONDirection.init(rawValue:)), let name = arguments.popFirst() else {
            fatalError("--profile needs a direction (\(JSONDirection.allCases.map(\.rawValue))) and a file name")
        }
        profiled = (direction, name)
    case "--passes":
        guard let value = arguments.popFirst().flatMap(Int.init), value > 0 else { fatalError("--passes needs a positive count") }
        profilePasses = value
    case "-h", "--help":
        print("""
            usage: JSONReport [--rounds N] [--quick] [--check] [--files a,b] [--directions d,e]
                   JSONReport --profile DIRECTION FILE [--passes N]
              --rounds N        rounds to take medians over (default \(plan.rounds))
              --quick           5 short rounds, for a smoke test
              --check           exit 1 if RefWire misses a goal: decoding faster than
                                JSON::XS and orjson, encoding at least 2 x JSON::XS and
                                0.5 x orjson, faster than Foundation everywhere, and
                                decoding into structs at least 3 x JSONDecoder
              --files a,b       only these files (default \(JSONCorpus.standardNames.joined(separator: ",")))
              --directions d,e  only these (default \(JSONDirection.allCases.map(\.rawValue).joined(separator: ",")))
              --profile         run only RefWire's DIRECTION on FILE, untimed, N passes
                                (default \(profilePasses))
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
        let corpus = try JSONCorpus(name: name)
        let swift = SwiftJSON()
        let expected = try swift.run(direction, .refWire, on: corpus)
        for _ in 0..<profilePasses {
            let fingerprint = try swift.run(direction, .refWire, on: corpus)
            guard fingerprint == expected else { throw BenchmarkError("a pass gave \(fingerprint), expected \(expected)") }
        }
    } catch {
        print("error: \(error)")
        exit(2)
    }
    exit(0)
}

// MARK: - Measurement

/// Checks, once per file, that the sides read each other's output.
func check(_ corpus: JSONCorpus, perl: JSONCoprocess, orjson: JSONCoprocess) throws -> FileChecks {
    let encoded = try PerlJSONEncoder().encode(corpus.value)
    var options = JSONEncodingOptions()
    options.canonical = true
    let canonical = try PerlJSONEncoder(options: options).encode(corpus.value)
    let directory = BenchmarkPaths.packageDirectory + "/.build/json-output"
    try makeDirectory(directory)
    let encodedPath = "\(directory)/\(corpus.name).refwire.json"
    let canonicalPath = "\(directory)/\(corpus.name).refwire-canonical.json"
    try writeFile(encodedPath, encoded)
    try writeFile(canonicalPath, canonical)
    return FileChecks(
        name: corpus.name,
        roundTripIdentical: try PerlJSONDecoder().decode(encoded).isIdentical(to: corpus.value),
        perlReadsDefault: try perl.decodesEqual(encodedPath, to: corpus),
        perlReadsCanonical: try perl.decodesEqual(canonicalPath, to: corpus),
        orjsonReadsDefault: try orjson.decodesEqual(encodedPath, to: corpus),
        typedDecodersAgree: corpus.typed.decodersAgree)
}

let report: Report
do {
    let corpora = try names.map { try JSONCorpus(name: $0) }
    let perl = try JSONCoprocess(.jsonXS)
    let orjson = try JSONCoprocess(.orjson)
    let versions = [try perl.versions(), try orjson.versions()]
    for corpus in corpora {
        try perl.load(corpus)
        try orjson.load(corpus)
    }
    let checks = try corpora.map { try check($0, perl: perl, orjson: orjson) }
    let failures = checks.flatMap(\.failures)
    guard failures.isEmpty else {
        print("error: " + failures.joined(separator: "\nerror: "))
        exit(2)
    }
    var measurements: [FileMeasurement] = []
    for corpus in corpora {
        measurements.append(
            try measure(directions, on: corpus, coprocesses: [.jsonXS: perl, .orjson: orjson], plan: plan))
    }
    try perl.close()
    try orjson.close()
    report = Report(measurements: measurements, checks: checks, rounds: plan.rounds, versions: versions)
} catch {
    print("error: \(error)")
    exit(2)
}

// MARK: - Report

print(report.render())

if checkGoal {
    let unmet = report.belowGoal()
    if !unmet.isEmpty {
        print("\ngoals not met: \(unmet.joined(separator: ", "))")
        exit(1)
    }
}
