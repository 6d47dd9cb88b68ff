import JSONWorkloads
import ReportSupport

/// One direction by one contestant.
struct Workload: Hashable {
    let direction: JSONDirection
    let contestant: JSONContestant
}

/// The timings of every workload on one file.
struct FileMeasurement {
    let corpus: JSONCorpus
    let directions: [JSONDirection]
    /// For each workload, one median pass time (ns) per round.
    let roundMedians: [Workload: [Double]]

    func has(_ workload: Workload) -> Bool { roundMedians[workload] != nil }

    /// The file's bytes per second, in MB/s: the same bytes for every contestant.
    func megabytesPerSecond(_ workload: Workload) -> Double {
        Double(corpus.bytes.count) / roundMedians[workload]!.median() * 1e3
    }

    /// RefWire's speed as a multiple of `other`'s, round by round (same round, same
    /// conditions), sorted.
    func ratios(_ direction: JSONDirection, against other: JSONContestant) -> [Double] {
        zip(roundMedians[Workload(direction: direction, contestant: other)]!,
            roundMedians[Workload(direction: direction, contestant: .refWire)]!)
            .map { theirs, ours in theirs / ours }.sorted()
    }
}

/// The workloads of `directions`: every contestant that has the direction.
func workloads(_ directions: [JSONDirection]) -> [Workload] {
    directions.flatMap { direction in
        JSONContestant.allCases.filter { direction.perlOperation != nil || !$0.runsInCoprocess }
            .map { Workload(direction: direction, contestant: $0) }
    }
}

/// Times `directions` for every contestant on `corpus` according to `plan`, checking
/// every Swift pass. JSON::XS and orjson time their own passes, in their own processes.
func measure(
    _ directions: [JSONDirection], on corpus: JSONCorpus, coprocesses: [JSONContestant: JSONCoprocess],
    plan: MeasurementPlan
) throws
    -> FileMeasurement
{
    let swift = SwiftJSON()
    let measured = workloads(directions)
    var expected: [Workload: Int] = [:]
    for workload in measured where !workload.contestant.runsInCoprocess {
        expected[workload] = try swift.run(workload.direction, workload.contestant, on: corpus)
    }
    let roundMedians = try measureRounds(measured, plan: plan) { workload in
        let direction = workload.direction
        if let coprocess = coprocesses[workload.contestant] {
            return PassTimer(
                warmUp: { plan in
                    try coprocess.warmUp(
                        direction.perlOperation!, on: corpus, nanoseconds: plan.warmUpNanoseconds, passes: plan.warmUpPasses)
                },
                medianPass: { passes in try coprocess.medianPass(direction.perlOperation!, on: corpus, passes: passes) })
        }
        return .inProcess {
            try timedPass(expecting: expected[workload]!, "\(corpus.name), \(direction.label), \(workload.contestant.rawValue)") {
                try swift.run(direction, workload.contestant, on: corpus)
            }
        }
    }
    return FileMeasurement(corpus: corpus, directions: directions, roundMedians: roundMedians)
}
