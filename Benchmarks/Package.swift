// swift-tools-version: 6.1
//
// RefWire's benchmarks, a package of their own so that the benchmark toolchain
// (ordo-one/benchmark and everything it pulls in) stays out of the library's build and
// out of gating CI. Build and run from this directory: see README.md and run.sh.
import PackageDescription

let package = Package(
    name: "RefWireBenchmarks",
    dependencies: [
        // The library under test: this repository's root package.
        .package(name: "RefWire", path: ".."),
        // "MallocInterposer" alone: the default traits would also pull in a runtime
        // interposer package for Swift 6.3 on Linux, which this suite does not need.
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        // The anchor: the tightest reasonable C scan of the same frames.
        .target(name: "CFrameScan"),
        // Inputs and the measured loops, shared by both front ends below.
        .target(
            name: "FramingWorkloads",
            dependencies: [
                "CFrameScan",
                .product(name: "RefWire", package: "RefWire"),
            ]
        ),
        // Interleaved C-versus-Swift timing with medians and ratios (run.sh).
        .executableTarget(
            name: "RatioReport",
            dependencies: ["FramingWorkloads"]
        ),
        // The same workloads under ordo-one/benchmark (`swift package benchmark`).
        .executableTarget(
            name: "FramingBenchmarks",
            dependencies: [
                "FramingWorkloads",
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/FramingBenchmarks",
            plugins: [
                .plugin(name: "BenchmarkPlugin", package: "benchmark"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
