// The Storable workloads under ordo-one/benchmark: `swift package benchmark --target
// StorableBenchmarks` in Benchmarks/. It reports time and mallocs per pass (one decode
// or encode of a whole file) for RefWire alone; run StorableReport (run.sh storable)
// for the ratios to Perl, measured in the same run.
import Benchmark
import StorableWorkloads

// Globals are built lazily, on first use: in each benchmark's setup hook, not once per
// registration. Perl converts the JSON files first, as StorableReport does.
let corpora: [String: StorableCorpus] = {
    do {
        _ = try StorableCorpus.convertJSON()
        return try Dictionary(
            uniqueKeysWithValues: StorableCorpus.standardNames.map { ($0, try StorableCorpus(name: $0)) })
    } catch {
        fatalError("cannot prepare the Storable images: \(error)")
    }
}()

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .cpuTotal, .mallocCountTotal],
        warmupIterations: 3,
        maxDuration: .seconds(2),
        maxIterations: 1_000)

    let swift = SwiftStorable()
    for name in StorableCorpus.standardNames {
        for direction in StorableDirection.allCases {
            Benchmark("Storable \(direction.label), \(name)", configuration: .init(setup: { _ = corpora })) {
                benchmark in
                let corpus = corpora[name]!
                for _ in benchmark.scaledIterations {
                    blackHole(try swift.run(direction, on: corpus))
                }
            }
        }
    }
}
