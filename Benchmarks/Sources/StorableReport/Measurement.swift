import ReportSupport
import StorableWorkloads

/// How long to measure each workload.
struct MeasurementPlan {
    /// Rounds; each round times every workload once, in a rotating order, so that
    /// drift on a noisy machine hits Perl and RefWire alike. Figures are medians over
    /// rounds.
    var rounds = 9
    /// Aimed-for time of one workload's share of a round; sets its pass count.
    var roundBudgetNanoseconds = 30e6
    /// Bounds on the passes (full decodes or encodes of a file) in one round.
    var passesPerRound = 5...2_000
    /// Untimed passes before the first round: at least this long and this many.
    var warmUpNanoseconds = 50e6
    var warmUpPasses = 3
}

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
    let clock = ContinuousClock()
    let swift = SwiftStorable()
    var expected: [StorableDirection: Int] = [:]
    for direction in directions {
        expected[direction] = try swift.expectedFingerprint(direction, on: corpus)
    }

    func timedSwiftPass(_ direction: StorableDirection) throws -> Double {
        let start = clock.now
        let fingerprint = try swift.run(direction, on: corpus)
        let elapsed = start.duration(to: clock.now)
        guard fingerprint == expected[direction] else {
            throw MismatchError(
                corpus: corpus.name, direction: direction, expected: expected[direction]!, found: fingerprint)
        }
        return elapsed.nanoseconds
    }

    let workloads = directions.flatMap { direction in
        [Workload(direction: direction, language: .perl), Workload(direction: direction, language: .swift)]
    }
    var passes: [Workload: Int] = [:]
    for workload in workloads {
        let fastest: Double
        switch workload.language {
        case .perl:
            fastest = try perl.warmUp(
                workload.direction, on: corpus, nanoseconds: plan.warmUpNanoseconds, passes: plan.warmUpPasses)
        case .swift:
            var best = Double.infinity
            var spent = 0.0
            var count = 0
            while count < plan.warmUpPasses || spent < plan.warmUpNanoseconds {
                let time = try timedSwiftPass(workload.direction)
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
        for step in workloads.indices {
            let workload = workloads[(round + step) % workloads.count]
            let median: Double
            switch workload.language {
            case .perl:
                median = try perl.medianPass(workload.direction, on: corpus, passes: passes[workload]!)
            case .swift:
                var times: [Double] = []
                for _ in 0..<passes[workload]! {
                    times.append(try timedSwiftPass(workload.direction))
                }
                median = times.median()
            }
            roundMedians[workload, default: []].append(median)
        }
    }
    return FileMeasurement(corpus: corpus, directions: directions, roundMedians: roundMedians)
}

struct MismatchError: Error, CustomStringConvertible {
    let corpus: String
    let direction: StorableDirection
    let expected: Int
    let found: Int

    var description: String {
        "\(corpus), \(direction.label): a pass gave \(found), expected \(expected)"
    }
}
