// Prints how fast RefWire decodes and encodes the nativejson-benchmark files as YAML, as
// a multiple of Perl's YAML::XS and of Yams, measured in the same run; and checks that
// YAML::XS reads RefWire's output. See Benchmarks/README.md.
import RefWire
import ReportSupport
import StorableWorkloads
import YAMLWorkloads

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// MARK: - Arguments

var plan = MeasurementPlan(passesPerRound: 3...2_000, warmUpPasses: 2)
var names = YAMLCorpus.standardNames
var directions = YAMLDirection.allCases
var checkGoal = false
/// `--profile DIRECTION FILE`: RefWire only, untimed, for callgrind or perf.
var profiled: (direction: YAMLDirection, name: String)?
var profilePasses = 10

var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    switch argument {
    case "--rounds":
        guard let value = arguments.popFirst().flatMap(Int.init), value > 0 else { fatalError("--rounds needs a positive count") }
        plan.rounds = value
    case "--quick":
        plan.rounds = 3
        plan.roundBudgetNanoseconds = 10e6
        plan.warmUpNanoseconds = 10e6
        plan.passesPerRound = 1...2_000
    case "--check":
        checkGoal = true
    case "--files":
        guard let value = arguments.popFirst() else { fatalError("--files needs a comma-separated list") }
        names = value.split(separator: ",").map(String.init)
    case "--directions":
        guard let value = arguments.popFirst() else { fatalError("--directions needs a comma-separated list") }
        directions = value.split(separator: ",").map {
            guard let direction = YAMLDirection(rawValue: String($0)) else { fatalError("unknown direction \($0)") }
            return direction
        }
    case "--profile":
        guard let direction = arguments.popFirst().flatMap(YAMLDirection.init(rawValue:)), let name = arguments.popFirst() else {
            fatalError("--profile needs a direction (\(YAMLDirection.allCases.map(\.rawValue))) and a file name")
        }
        profiled = (direction, name)
    case "--passes":
        guard let value = arguments.popFirst().flatMap(Int.init), value > 0 else { fatalError("--passes needs a positive count") }
        profilePasses = value
    case "-h", "--help":
        print("""
            usage: YAMLReport [--rounds N] [--quick] [--check] [--files a,b] [--directions d,e]
                   YAMLReport --profile DIRECTION FILE [--passes N]
              --rounds N        rounds to take medians over (default \(plan.rounds))
              --quick           3 short rounds, for a smoke test
              --check           exit 1 if RefWire is below 2 x YAML::XS or 20 x Yams anywhere
              --files a,b       only these files (default \(YAMLCorpus.standardNames.joined(separator: ",")))
              --directions d,e  only these (default \(YAMLDirection.allCases.map(\.rawValue).joined(separator: ",")))
              --profile         run only RefWire's DIRECTION on FILE, untimed, N passes
                                (default \(profilePasses))
            JSON files: \(BenchmarkPaths.jsonDirectory) (REFWIRE_JSON_CORPORA overrides),
            converted to YAML by YAML::XS into \(YAMLCorpus.directory)
            """)
        exit(0)
    default:
        fatalError("unknown argument \(argument); try --help")
    }
}

// MARK: - Profiling mode

if let (direction, name) = profiled {
    do {
        let corpus = try YAMLCorpus(name: name)
        let swift = SwiftYAML()
        let expected = try swift.run(direction, .refWire, on: corpus)
        for _ in 0..<profilePasses {
            let fingerprint = try swift.run(direction, .refWire, on: corpus)
            guard fingerprint == expected else { throw YAMLBenchmarkError("a pass gave \(fingerprint), expected \(expected)") }
        }
    } catch {
        print("error: \(error)")
        exit(2)
    }
    exit(0)
}

// MARK: - Measurement

/// Checks, once per file, that RefWire's encodings in both dialects decode back to the
/// same value and that YAML::XS reads them as the data it read from the file. A YAML.pm
/// style encoding may decode to scalars of another kind (a string where the file had a
/// number: the same Perl data); it must then at least encode again to the same bytes.
func check(_ corpus: YAMLCorpus, perl: PerlYAML) throws -> FileChecks {
    var roundTripIdentical: [YAMLDialect: Bool] = [:]
    var perlReads: [YAMLDialect: Bool] = [:]
    for dialect in YAMLDialect.allCases {
        let encoded = try SwiftYAML.encoder(dialect).encode(corpus.value)
        let path = "\(YAMLCorpus.directory)/\(corpus.name).refwire-\(dialect).yaml"
        try writeFile(path, encoded)
        var options = YAMLDecodingOptions()
        options.dialect = dialect
        let decoded = try PerlYAMLDecoder(options: options).decode(encoded)
        roundTripIdentical[dialect] = try decoded.isIdentical(to: corpus.value) || SwiftYAML.encoder(dialect).encode(decoded) == encoded
        perlReads[dialect] = try perl.loadsEqual(path, to: corpus)
    }
    return FileChecks(name: corpus.name, roundTripIdentical: roundTripIdentical, perlReads: perlReads)
}

let report: Report
do {
    _ = try YAMLCorpus.convertJSON(names: names)
    let corpora = try names.map { try YAMLCorpus(name: $0) }
    let perl = try PerlYAML()
    let perlVersions = try perl.versions()
    for corpus in corpora { try perl.load(corpus) }
    let checks = try corpora.map { try check($0, perl: perl) }
    let failures = checks.flatMap(\.failures)
    guard failures.isEmpty else {
        print("error: " + failures.joined(separator: "\nerror: "))
        exit(2)
    }
    var measurements: [FileMeasurement] = []
    for corpus in corpora {
        measurements.append(try measure(directions, on: corpus, perl: perl, plan: plan))
    }
    try perl.close()
    report = Report(measurements: measurements, checks: checks, rounds: plan.rounds, perlVersions: perlVersions)
} catch {
    print("error: \(error)")
    exit(2)
}

// MARK: - Report

print(report.render())

if checkGoal {
    let unmet = report.belowGoal()
    if !unmet.isEmpty {
        print("\ngoal (2 x YAML::XS and 20 x Yams) not met: \(unmet.joined(separator: ", "))")
        exit(1)
    }
}
