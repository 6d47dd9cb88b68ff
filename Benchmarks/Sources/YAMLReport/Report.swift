import RefWire
import ReportSupport
import YAMLWorkloads

/// The goals from the issue: RefWire at least 2 × YAML::XS and 20 × Yams on every file,
/// in every direction.
let goals: [(contestant: YAMLContestant, ratio: Double)] = [(.yamlXS, 2), (.yams, 20)]

/// What is checked once per file, outside the timing.
struct FileChecks {
    let name: String
    /// RefWire's encoding in each dialect decodes back to an identical value, or to one
    /// that encodes to the same bytes again.
    let roundTripIdentical: [YAMLDialect: Bool]
    /// YAML::XS loads RefWire's encoding in each dialect to the data it loaded from the
    /// file.
    let perlReads: [YAMLDialect: Bool]

    var failures: [String] {
        YAMLDialect.allCases.flatMap { dialect in
            [
                roundTripIdentical[dialect]! ? nil : "RefWire's \(dialect) encoding does not decode back to an identical value",
                perlReads[dialect]! ? nil : "YAML::XS reads RefWire's \(dialect) encoding as different data",
            ].compactMap { $0.map { "\(name): \($0)" } }
        }
    }
}

/// The tables YAMLReport prints.
struct Report {
    let measurements: [FileMeasurement]
    let checks: [FileChecks]
    let rounds: Int
    let perlVersions: String

    func ratioTable() -> String {
        var table = TextTable(header: [
            "file", "direction", "RefWire MB/s", "YAML::XS MB/s", "Yams MB/s", "x YAML::XS", "min-max", "x Yams", "min-max",
            "goal",
        ])
        for measurement in measurements {
            for direction in measurement.directions {
                func speed(_ contestant: YAMLContestant) -> String {
                    fixed(measurement.megabytesPerSecond(Workload(direction: direction, contestant: contestant)), 1)
                }
                func ratio(_ contestant: YAMLContestant) -> (median: String, range: String) {
                    let ratios = measurement.ratios(direction, against: contestant)
                    return (fixed(ratios.median(), 2), fixed(ratios.first!, 2) + "-" + fixed(ratios.last!, 2))
                }
                let perl = ratio(.yamlXS)
                let yams = ratio(.yams)
                table.rows.append([
                    measurement.corpus.name, direction.label, speed(.refWire), speed(.yamlXS), speed(.yams),
                    perl.median, perl.range, yams.median, yams.range, meetsGoal(measurement, direction) ? "met" : "NOT MET",
                ])
            }
        }
        return table.render()
    }

    func checkTable() -> String {
        func mark(_ value: Bool?) -> String { value == true ? "yes" : "NO" }
        var table = TextTable(header: [
            "file", "bytes", "XS style: round trip", "YAML::XS reads it", "YAML.pm style: round trip",
            "YAML::XS reads it",
        ])
        for (check, measurement) in zip(checks, measurements) {
            table.rows.append([
                check.name, grouped(measurement.corpus.bytes.count), mark(check.roundTripIdentical[.yamlXS]),
                mark(check.perlReads[.yamlXS]), mark(check.roundTripIdentical[.yaml]), mark(check.perlReads[.yaml]),
            ])
        }
        return table.render()
    }

    func render() -> String {
        """
        YAML: nativejson-benchmark files as YAML::XS's Dump writes them; RefWire against \
        \(perlVersions) and Yams, medians of \(rounds) interleaved rounds. MB/s of the YAML \
        file; "x YAML::XS" is RefWire's speed as a multiple of YAML::XS's, round by round \
        (goal: at least 2 x YAML::XS and 20 x Yams)

        \(ratioTable())

        Checks, once per file, untimed

        \(checkTable())
        """
    }

    private func meetsGoal(_ measurement: FileMeasurement, _ direction: YAMLDirection) -> Bool {
        goals.allSatisfy { measurement.ratios(direction, against: $0.contestant).median() >= $0.ratio }
    }

    /// The file and direction pairs where RefWire is below a goal.
    func belowGoal() -> [String] {
        measurements.flatMap { measurement in
            measurement.directions.filter { !meetsGoal(measurement, $0) }.map { "\(measurement.corpus.name) \($0.label)" }
        }
    }
}
