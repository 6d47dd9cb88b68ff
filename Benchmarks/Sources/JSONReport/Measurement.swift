import JSONWorkloads
import ReportSupport

/// How long to measure each workload.
struct MeasurementPlan {
    /// Rounds; each round times every workload once, in a rotating order, so that
    /// drift on a noisy machine hits every contestant alike. Figures are medians over
    /// rounds.
    var rounds = 9
    /// Aimed-for time of one workload's share of a round; sets its pass count.
    var roundBudgetNanoseconds = 30e6
    /// Bounds on the passes in one round.
    var passesPerRound = 5...2_000
    /// Untimed passes before the first round: at least this long and this many.
    var warmUpNanoseconds = 50e6
    var warmUpPasses = 3
}

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
    let clock = ContinuousClock()
    let swift = SwiftJSON()
    let measured = workloads(directions)
    var expected: [Workload: Int] = [:]
    for workload in measured where !workload.contestant.runsInCoprocess {
        expected[workload] = try swift.run(workload.direction, workload.contestant, on: corpus)
    }

    func timedSwiftPass(_ workload: Workload) throws -> Double {
        let start = clock.now
        let fingerprint = try swift.run(workload.direction, workload.contestant, on: corpus)
        let elapsed = start.duration(to: clock.now)
        guard fingerprint == expected[workload] else {
            let name = "\(corpus.name), \(workload.direction.label), \(workload.contestant.rawValue)"
            throw BenchmarkError("\(name): a pass gave \(fingerprint), expected \(expected[workload]!)")
        }
        return elapsed.nanoseconds
    }

    var passes: [Workload: Int] = [:]
    for workload in measured {
        let fastest: Double
        if let coprocess = coprocesses[workload.contestant] {
            fastest = try coprocess.warmUp(
                workload.direction.perlOperation!, on: corpus, nanoseconds: plan.warmUpNanoseconds, passes: plan.warmUpPasses)
        } else {
            var best = Double.infinity
            var spent = 0.0
            var count = 0
            while count < plan.warmUpPasses || spent < plan.warmUpNanoseconds {
                let time = try timedSwiftPass(workload)
                best = min(best, time)
                spent += time
                count += 1
            }
            fastest = best
        }
        let wanted = Int((plan.roundBudgetNanoseconds / fastest).rounded(.up))
        passes[workload] = min(max(wanted, plan.passesPerRound.lowerBound), plan.passesPerRound.upperBound)
    }

    var roundMedians: [Workload: [Double]] = [:]
    for round in 0..<plan.rounds {
        for step in measured.indices {
            let workload = measured[(round + step) % measured.count]
            let median: Double
            if let coprocess = coprocesses[workload.contestant] {
                median = try coprocess.medianPass(workload.direction.perlOperation!, on: corpus, passes: passes[workload]!)
            } else {
                var times: [Double] = []
                for _ in 0..<passes[workload]! { times.append(try timedSwiftPass(workload)) }
                median = times.median()
            }
            roundMedians[workload, default: []].append(median)
        }
    }
    return FileMeasurement(corpus: corpus, directions: directions, roundMedians: roundMedians)
}
