import ReportSupport
import YAMLWorkloads

/// One direction by one contestant.
struct Workload: Hashable {
    let direction: YAMLDirection
    let contestant: YAMLContestant
}

/// The timings of every workload on one file.
struct FileMeasurement {
    let corpus: YAMLCorpus
    let directions: [YAMLDirection]
    /// For each workload, one median pass time (ns) per round.
    let roundMedians: [Workload: [Double]]

    /// The file's bytes per second, in MB/s: the same bytes for every contestant.
    func megabytesPerSecond(_ workload: Workload) -> Double {
        Double(corpus.bytes.count) / roundMedians[workload]!.median() * 1e3
    }

    /// RefWire's speed as a multiple of `other`'s, round by round (same round, same
    /// conditions), sorted.
    func ratios(_ direction: YAMLDirection, against other: YAMLContestant) -> [Double] {
        zip(roundMedians[Workload(direction: direction, contestant: other)]!,
            roundMedians[Workload(direction: direction, contestant: .refWire)]!)
            .map { theirs, ours in theirs / ours }.sorted()
    }
}

/// Times `directions` for every contestant on `corpus` according to `plan`, checking
/// every Swift pass. Perl times its own passes, in its own process.
func measure(_ directions: [YAMLDirection], on corpus: YAMLCorpus, perl: PerlYAML, plan: MeasurementPlan) throws
    -> FileMeasurement
{
    let swift = SwiftYAML()
    let measured = directions.flatMap { direction in
        YAMLContestant.allCases.map { Workload(direction: direction, contestant: $0) }
    }
    var expected: [Workload: Int] = [:]
    for workload in measured where workload.contestant != .yamlXS {
        expected[workload] = try swift.run(workload.direction, workload.contestant, on: corpus)
    }
    let roundMedians = try measureRounds(measured, plan: plan) { workload in
        let direction = workload.direction
        if workload.contestant == .yamlXS {
            return PassTimer(
                warmUp: { plan in
                    try perl.warmUp(
                        direction.perlOperation, on: corpus, nanoseconds: plan.warmUpNanoseconds, passes: plan.warmUpPasses)
                },
                medianPass: { passes in try perl.medianPass(direction.perlOperation, on: corpus, passes: passes) })
        }
        return .inProcess {
            try timedPass(expecting: expected[workload]!, "\(corpus.name), \(direction.label), \(workload.contestant.rawValue)") {
                try swift.run(direction, workload.contestant, on: corpus)
            }
        }
    }
    return FileMeasurement(corpus: corpus, directions: directions, roundMedians: roundMedians)
}
