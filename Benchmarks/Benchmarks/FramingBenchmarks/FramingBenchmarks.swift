// The framing workloads under ordo-one/benchmark: `swift package benchmark` in
// Benchmarks/. It reports time and allocations per pass (one full decode of a corpus);
// divide by the pass's frame count for ns/frame, or run RatioReport (run.sh), which
// prints frames/s and the Swift/C ratios directly.
import Benchmark
import FramingWorkloads

// Globals are built lazily, on first use: in each benchmark's setup hook, not once per
// registration.
let corpora: [Int: FrameCorpus] = Dictionary(
    uniqueKeysWithValues: [10_000, 100_000, 1_000_000].map { ($0, FrameCorpus(frameCount: $0)) })

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .cpuTotal, .mallocCountTotal],
        warmupIterations: 3,
        maxDuration: .seconds(2),
        maxIterations: 1_000)

    func register(_ workload: Workload, frameCount: Int) {
        let name = "\(workload.label), \(frameCount) frames"
        Benchmark(name, configuration: .init(setup: { _ = corpora })) { benchmark in
            let corpus = corpora[frameCount]!
            for _ in benchmark.scaledIterations {
                blackHole(try workload.run(on: corpus))
            }
        }
    }

    // The headline comparison, and the scaling of the decoder with the frame count.
    for workload in Workload.standard {
        register(workload, frameCount: 100_000)
    }
    for frameCount in [10_000, 1_000_000] {
        register(.swiftWhole, frameCount: frameCount)
    }
}
