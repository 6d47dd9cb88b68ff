import ReportSupport
import StorableWorkloads

enum Language: String {
    case perl = "Perl"
    case swift = "RefWire"
}

/// One direction in one language.
struct Workload: Hashable {
    let direction: StorableDirection
    let language: Language
}

/// The timings of every workload on one file.
struct FileMeasurement {
    let corpus: StorableCorpus
    let directions: [StorableDirection]
    /// For each workload, one median pass time (ns) per round.
    let roundMedians: [Workload: [Double]]

    func passNanoseconds(_ workload: Workload) -> Double {
        roundMedians[workload]!.median()
    }

    /// Image bytes decoded or encoded per second, in MB/s: the same bytes for both.
    func megabytesPerSecond(_ workload: Workload) -> Double {
        Double(corpus.image.count) / passNanoseconds(workload) * 1e3
    }

    /// RefWire's speed as a multiple of Perl's, round by round (same round, same
    /// conditions), sorted.
    func ratios(_ direction: StorableDirection) -> [Double] {
        zip(roundMedians[Workload(direction: direction, language: .perl)]!,
            roundMedians[Workload(direction: direction, language: .swift)]!)
            .map { perl, swift in perl / swift }.sorted()
    }
}

/// Times `directions` in both languages on `corpus` according to `plan`, checking every
/// RefWire pass. Perl times its own passes, in its own process.
func measure(
    _ directions: [StorableDirection], on corpus: StorableCorpus, perl: PerlStorable, plan: MeasurementPlan
) throws -> FileMeasurement {
    let swift = SwiftStorable()
    var expected: [StorableDirection: Int] = [:]
    for direction in directions {
        expected[direction] = try swift.expectedFingerprint(direction, on: corpus)
    }
    let workloads = directions.flatMap { direction in
        [Workload(direction: direction, language: .perl), Workload(direction: direction, language: .swift)]
    }
    let roundMedians = try measureRounds(workloads, plan: plan) { workload in
        let direction = workload.direction
        switch workload.language {
        case .perl:
            return PassTimer(
                warmUp: { plan in
                    try perl.warmUp(direction, on: corpus, nanoseconds: plan.warmUpNanoseconds, passes: plan.warmUpPasses)
                },
                medianPass: { passes in try perl.medianPass(direction, on: corpus, passes: passes) })
        case .swift:
            return .inProcess {
                try timedPass(expecting: expected[direction]!, "\(corpus.name), \(direction.label)") {
                    try swift.run(direction, on: corpus)
                }
            }
        }
    }
    return FileMeasurement(corpus: corpus, directions: directions, roundMedians: roundMedians)
}
