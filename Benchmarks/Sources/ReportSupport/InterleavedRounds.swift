// The measuring engine of every ratio report (framing, Storable, JSON, YAML): warm-up,
// pass counts sized to a time budget, then interleaved rounds. One engine, so that every
// table's ratios mean the same thing.

/// How long to measure each workload.
public struct MeasurementPlan {
    /// Rounds; each round times every workload once, in a rotating order, so that drift
    /// on a noisy machine hits every contestant alike. Figures are medians over rounds.
    public var rounds = 9
    /// Aimed-for time of one workload's share of a round; sets its pass count.
    public var roundBudgetNanoseconds = 30e6
    /// Bounds on the passes (whole decodes or encodes of the input) in one round.
    public var passesPerRound: ClosedRange<Int>
    /// Untimed passes before the first round: at least this long and this many.
    public var warmUpNanoseconds = 50e6
    public var warmUpPasses: Int

    public init(passesPerRound: ClosedRange<Int> = 5...2_000, warmUpPasses: Int = 3) {
        self.passesPerRound = passesPerRound
        self.warmUpPasses = warmUpPasses
    }
}

/// How one workload is timed: here, pass by pass, or by a co-process (Perl, Python) that
/// times its own passes in process and answers with a figure.
public struct PassTimer {
    /// Runs the warm-up and returns its fastest pass (ns), which sizes the rounds.
    public var warmUp: (MeasurementPlan) throws -> Double
    /// Runs this many passes and returns their median (ns).
    public var medianPass: (_ passes: Int) throws -> Double

    public init(warmUp: @escaping (MeasurementPlan) throws -> Double, medianPass: @escaping (Int) throws -> Double) {
        self.warmUp = warmUp
        self.medianPass = medianPass
    }

    /// A workload timed in this process: `pass` runs it once and returns its time (ns),
    /// throwing if its result is wrong (see ``timedPass(expecting:_:_:)``).
    public static func inProcess(_ pass: @escaping () throws -> Double) -> PassTimer {
        PassTimer(
            warmUp: { plan in
                var fastest = Double.infinity
                var spent = 0.0
                var count = 0
                while count < plan.warmUpPasses || spent < plan.warmUpNanoseconds {
                    let time = try pass()
                    fastest = min(fastest, time)
                    spent += time
                    count += 1
                }
                return fastest
            },
            medianPass: { passes in
                var times: [Double] = []
                times.reserveCapacity(passes)
                for _ in 0..<passes { times.append(try pass()) }
                return times.median()
            })
    }
}

/// Times every workload according to `plan` and returns, for each, one median pass time
/// (ns) per round. Each workload's passes per round are set once, from its warm-up, to
/// fill about ``MeasurementPlan/roundBudgetNanoseconds``; a round times every workload
/// once, starting one later than the round before.
public func measureRounds<Workload: Hashable>(
    _ workloads: [Workload], plan: MeasurementPlan, timer: (Workload) -> PassTimer
) throws -> [Workload: [Double]] {
    let timers = workloads.map(timer)
    var passes: [Int] = []
    for timer in timers {
        let fastest = try timer.warmUp(plan)
        let wanted = Int((plan.roundBudgetNanoseconds / fastest).rounded(.up))
        passes.append(min(max(wanted, plan.passesPerRound.lowerBound), plan.passesPerRound.upperBound))
    }
    var roundMedians: [Workload: [Double]] = [:]
    for round in 0..<plan.rounds {
        for step in workloads.indices {
            let index = (round + step) % workloads.count
            roundMedians[workloads[index], default: []].append(try timers[index].medianPass(passes[index]))
        }
    }
    return roundMedians
}

/// Runs one pass on the continuous clock and returns its time (ns), or throws
/// ``PassMismatch`` if the pass's fingerprint (a count, a size) is not `expected`: a
/// benchmark that measures wrong work must stop, not report.
public func timedPass<Fingerprint: Equatable>(
    expecting expected: Fingerprint, _ what: @autoclosure () -> String, _ pass: () throws -> Fingerprint
) throws -> Double {
    let clock = ContinuousClock()
    let start = clock.now
    let fingerprint = try pass()
    let elapsed = start.duration(to: clock.now)
    guard fingerprint == expected else {
        throw PassMismatch(description: "\(what()): a pass gave \(fingerprint), expected \(expected)")
    }
    return elapsed.nanoseconds
}

/// A timed pass whose result was not the one checked before timing.
public struct PassMismatch: Error, CustomStringConvertible {
    public var description: String
}
