import FramingWorkloads
import ReportSupport

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
    let roundMedians = try measureRounds(workloads, plan: plan) { workload in
        .inProcess {
            let start = ContinuousClock.now
            let tally = try workload.run(on: corpus)
            let elapsed = start.duration(to: .now)
            guard tally == corpus.expected else {
                throw MismatchError(workload: workload, expected: corpus.expected, found: tally)
            }
            return elapsed.nanoseconds
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
