import JSONWorkloads
import ReportSupport

/// The goals from the issue (#4), on every file: decoding faster than JSON::XS and orjson,
/// encoding at least 2 × as fast as JSON::XS and half as fast as orjson, faster than
/// Foundation everywhere, and decoding into structs at least 3 × as fast as its
/// `JSONDecoder`. RefWire's speed as a multiple of `contestant`'s must be above this.
func goalRatio(_ direction: JSONDirection, against contestant: JSONContestant) -> Double {
    let decoding = direction == .decode || direction == .decodeTyped
    switch contestant {
    case .refWire: return 1.0
    case .jsonXS: return decoding ? 1.0 : 2.0
    case .orjson: return decoding ? 1.0 : 0.5
    case .foundation: return direction == .decodeTyped ? 3.0 : 1.0
    }
}

/// What is checked once per file, outside the timing.
struct FileChecks {
    let name: String
    /// RefWire's encoding of its decode decodes back to an identical value.
    let roundTripIdentical: Bool
    /// JSON::XS decodes RefWire's default and canonical encodings to the data it decoded
    /// from the file (equal canonical JSON::XS encodings).
    let perlReadsDefault: Bool
    let perlReadsCanonical: Bool
    /// orjson decodes RefWire's default encoding to the data it decoded from the file.
    let orjsonReadsDefault: Bool
    /// RefWire and Foundation decode the file to equal structs.
    let typedDecodersAgree: Bool

    var failures: [String] {
        [
            roundTripIdentical ? nil : "RefWire's encoding does not decode back to an identical value",
            perlReadsDefault ? nil : "JSON::XS reads RefWire's encoding as different data",
            perlReadsCanonical ? nil : "JSON::XS reads RefWire's canonical encoding as different data",
            orjsonReadsDefault ? nil : "orjson reads RefWire's encoding as different data",
            typedDecodersAgree ? nil : "RefWire and Foundation decode the file to different structs",
        ].compactMap { $0.map { "\(name): \($0)" } }
    }
}

/// The tables JSONReport prints.
struct Report {
    let measurements: [FileMeasurement]
    let checks: [FileChecks]
    let rounds: Int
    let versions: [String]

    func ratioTable() -> String {
        var table = TextTable(header: [
            "file", "direction", "RefWire MB/s", "JSON::XS MB/s", "orjson MB/s", "Foundation MB/s", "x JSON::XS", "min-max",
            "x orjson", "min-max", "x Foundation", "min-max", "goals",
        ])
        for measurement in measurements {
            for direction in measurement.directions {
                func speed(_ contestant: JSONContestant) -> String {
                    let workload = Workload(direction: direction, contestant: contestant)
                    return measurement.has(workload) ? fixed(measurement.megabytesPerSecond(workload), 0) : "-"
                }
                func ratio(_ contestant: JSONContestant) -> (median: String, range: String, met: Bool) {
                    guard measurement.has(Workload(direction: direction, contestant: contestant)) else { return ("-", "-", true) }
                    let ratios = measurement.ratios(direction, against: contestant)
                    let met = ratios.median() > goalRatio(direction, against: contestant)
                    return (fixed(ratios.median(), 2), fixed(ratios.first!, 2) + "-" + fixed(ratios.last!, 2), met)
                }
                let (perl, orjson, foundation) = (ratio(.jsonXS), ratio(.orjson), ratio(.foundation))
                table.rows.append([
                    measurement.corpus.name, direction.label, speed(.refWire), speed(.jsonXS), speed(.orjson),
                    speed(.foundation), perl.median, perl.range, orjson.median, orjson.range, foundation.median,
                    foundation.range, perl.met && orjson.met && foundation.met ? "met" : "NOT MET",
                ])
            }
        }
        return table.render()
    }

    func checkTable() -> String {
        func mark(_ value: Bool) -> String { value ? "yes" : "NO" }
        var table = TextTable(header: [
            "file", "bytes", "round trip identical", "JSON::XS reads it", "canonical: JSON::XS reads it", "orjson reads it",
            "structs agree",
        ])
        for (check, measurement) in zip(checks, measurements) {
            table.rows.append([
                check.name, grouped(measurement.corpus.bytes.count), mark(check.roundTripIdentical), mark(check.perlReadsDefault),
                mark(check.perlReadsCanonical), mark(check.orjsonReadsDefault), mark(check.typedDecodersAgree),
            ])
        }
        return table.render()
    }

    func render() -> String {
        """
        JSON: nativejson-benchmark files; RefWire against \(versions.joined(separator: "; ")) and \
        Foundation's JSONSerialization and JSONDecoder/JSONEncoder, medians of \(rounds) \
        interleaved rounds. MB/s of the JSON file; "x JSON::XS" is RefWire's speed as a multiple \
        of JSON::XS's, round by round (goals: decoding above 1 against JSON::XS and orjson, \
        encoding above 2 against JSON::XS and 0.5 against orjson; above 1 against Foundation, \
        3 decoding into structs)

        \(ratioTable())

        Checks, once per file, untimed

        \(checkTable())
        """
    }

    /// The file and direction pairs where RefWire is not faster than both others.
    func belowGoal() -> [String] {
        measurements.flatMap { measurement in
            measurement.directions.filter { direction in
                JSONContestant.allCases.filter { $0 != .refWire }.contains { contestant in
                    measurement.has(Workload(direction: direction, contestant: contestant))
                        && measurement.ratios(direction, against: contestant).median()
                            <= goalRatio(direction, against: contestant)
                }
            }.map { "\(measurement.corpus.name) \($0.label)" }
        }
    }
}
