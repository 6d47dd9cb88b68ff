import ReportSupport
import StorableWorkloads

/// The goal from the issue: RefWire at least twice as fast as Perl, per file and
/// direction (decode, and default encode).
let goalRatio = 2.0

/// The tables StorableReport prints.
struct Report {
    let measurements: [FileMeasurement]
    let checks: [FileChecks]
    let allocations: AllocationCounts?
    let rounds: Int
    /// Perl's and Storable's versions, as the co-process reports them.
    let perlVersions: String

    /// Per file and direction: each side's MB/s of the image, RefWire's speed as a
    /// multiple of Perl's (median of the per-round ratios) and its spread.
    func ratioTable() -> String {
        var table = TextTable(header: [
            "file", "direction", "Perl MB/s", "RefWire MB/s", "RefWire x Perl", "min-max",
            "goal >= \(fixed(goalRatio, 1))",
        ])
        for measurement in measurements {
            for direction in measurement.directions {
                let ratios = measurement.ratios(direction)
                table.rows.append([
                    measurement.corpus.name,
                    direction.label,
                    fixed(measurement.megabytesPerSecond(Workload(direction: direction, language: .perl)), 0),
                    fixed(measurement.megabytesPerSecond(Workload(direction: direction, language: .swift)), 0),
                    fixed(ratios.median(), 2),
                    fixed(ratios.first!, 2) + "-" + fixed(ratios.last!, 2),
                    direction.hasGoal ? (ratios.median() >= goalRatio ? "met" : "NOT MET") : "(none)",
                ])
            }
        }
        return table.render()
    }

    /// The inputs, and RefWire's mallocs per pass.
    func allocationTable() -> String {
        var table = TextTable(header: [
            "file", "JSON bytes", "nfreeze bytes", "values", "mallocs/decode", "per value", "mallocs/encode",
            "canonical",
        ])
        for measurement in measurements {
            let corpus = measurement.corpus
            let counts = allocations?.mallocs[corpus.name]
            func cell(_ direction: StorableDirection) -> String {
                counts?[direction].map { grouped(Int($0.rounded())) } ?? "-"
            }
            table.rows.append([
                corpus.name,
                grouped(corpus.jsonByteCount),
                grouped(corpus.image.count),
                grouped(corpus.valueCount),
                cell(.decode),
                counts?[.decode].map { fixed($0 / Double(corpus.valueCount), 2) } ?? "-",
                cell(.encode),
                cell(.encodeCanonical),
            ])
        }
        return table.render()
    }

    func checkTable() -> String {
        func mark(_ value: Bool) -> String { value ? "yes" : "NO" }
        var table = TextTable(header: [
            "file", "round trip identical", "Perl thaws it", "= Perl's nfreeze", "canonical: Perl thaws it",
            "= Perl's canonical",
        ])
        for check in checks {
            table.rows.append([
                check.name, mark(check.roundTripIdentical), mark(check.perlThawsDefault),
                check.reencodeIsPerlImage ? "yes" : "no", mark(check.perlThawsCanonical),
                check.canonicalIsPerlImage ? "yes" : "no",
            ])
        }
        return table.render()
    }

    func render() -> String {
        """
        Storable: nativejson-benchmark files as Perl's nfreeze writes them; RefWire against \
        \(perlVersions), medians of \(rounds) interleaved rounds

        \(ratioTable())

        Inputs, and RefWire's mallocs per pass (StorableAllocations; "-" if not run)

        \(allocationTable())

        Checks, once per file, untimed: RefWire's encoding of its decode

        \(checkTable())
        """
    }

    /// The file and direction pairs with a goal whose median ratio falls short of it.
    func belowGoal() -> [String] {
        measurements.flatMap { measurement in
            measurement.directions.filter { $0.hasGoal && measurement.ratios($0).median() < goalRatio }
                .map { "\(measurement.corpus.name) \($0.label)" }
        }
    }
}
