import FramingWorkloads
import ReportSupport

/// How long to measure each workload.
struct MeasurementPlan {
    /// Rounds; each round times every workload once, in a rotating order, so that
    /// drift on a noisy machine hits them alike. Figures are medians over rounds.
    var rounds = 9
    /// Aimed-for time of one workload's share of a round; sets its pass count.
    var roundBudgetNanoseconds = 30e6
    /// Bounds on the passes (full decodes of the corpus) in one round.
    var passesPerRound = 5...2_000
    /// Untimed decodes before the first round: at least this long and this many passes.
    var warmUpNanoseconds = 50e6
    var warmUpPasses = 3
}

/// The timings of every workload on one corpus.
struct CorpusMeasurement {
    let frameCount: Int
    let byteCount: Int
    /// For each workload, one median pass time (ns) per round.
    let roundMedians: [Workload: [Double]]

    /// Median time of one pass over the corpus, in nanoseconds.
    func passNanoseconds(_ workload: Workload) -> Double {
        roundMedians[workload]!.median()
    }

    func nanosecondsPerFrame(_ workload: Workload) -> Double {
        passNanoseconds(workload) / Double(frameCount)
    }

    func framesPerSecond(_ workload: Workload) -> Double {
        Double(frameCount) / passNanoseconds(workload) * 1e9
    }

    func megabytesPerSecond(_ workload: Workload) -> Double {
        Double(byteCount) / passNanoseconds(workload) * 1e3
    }

    /// `workload`'s speed as a fraction of the C scan's, round by round (same round,
    /// same conditions), sorted.
    func ratiosToC(_ workload: Workload) -> [Double] {
        zip(roundMedians[.cScan]!, roundMedians[workload]!).map { c, other in c / other }.sorted()
    }
}

/// Times `workloads` on `corpus` according to `plan`, checking each result.
func measure(
    _ workloads: [Workload], on corpus: FrameCorpus, plan: MeasurementPlan
) throws -> CorpusMeasurement {
    let clock = ContinuousClock()

    func timedPass(_ workload: Workload) throws -> Double {
        let start = clock.now
        let tally = try workload.run(on: corpus)
        let elapsed = start.duration(to: clock.now)
        guard tally == corpus.expected else {
            throw MismatchError(workload: workload, expected: corpus.expected, found: tally)
        }
        return elapsed.nanoseconds
    }

    var passes: [Workload: Int] = [:]
    for workload in workloads {
        var fastest = Double.infinity
        var spent = 0.0
        var count = 0
        while count < plan.warmUpPasses || spent < plan.warmUpNanoseconds {
            let time = try timedPass(workload)
            fastest = min(fastest, time)
            spent += time
            count += 1
        }
        let wanted = Int((plan.roundBudgetNanoseconds / fastest).rounded(.up))
        passes[workload] = min(max(wanted, plan.passesPerRound.lowerBound), plan.passesPerRound.upperBound)
    }

    var roundMedians: [Workload: [Double]] = [:]
    for round in 0..<plan.rounds {
        for step in workloads.indices {
            let workload = workloads[(round + step) % workloads.count]
            var times: [Double] = []
            for _ in 0..<passes[workload]! {
                times.append(try timedPass(workload))
            }
            roundMedians[workload, default: []].append(times.median())
        }
    }
    return CorpusMeasurement(
        frameCount: corpus.frameCount, byteCount: corpus.bytes.count, roundMedians: roundMedians)
}

struct MismatchError: Error, CustomStringConvertible {
    let workload: Workload
    let expected: ScanTally
    let found: ScanTally

    var description: String {
        "\(workload.label) found \(found.frames) frames / \(found.payloadBytes) payload bytes, "
            + "expected \(expected.frames) / \(expected.payloadBytes)"
    }
}
