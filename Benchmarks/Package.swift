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
        // Already resolved for the harness above; named here so that StorableAllocations
        // can count mallocs itself, outside the timed process.
        .package(url: "https://github.com/ordo-one/malloc-interposer.git", from: "1.6.1"),
        // The load generator's event loops (run.sh load).
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        // The YAML suite's Swift anchor (run.sh yaml).
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // The anchor: the tightest reasonable C scan of the same frames.
        .target(name: "CFrameScan"),
        // Framing: inputs and the measured loops, shared by both front ends below.
        .target(
            name: "FramingWorkloads",
            dependencies: [
                "CFrameScan",
                .product(name: "RefWire", package: "RefWire"),
            ]
        ),
        // Medians, number formatting and text tables for both reports.
        .target(name: "ReportSupport"),
        // Interleaved C-versus-Swift timing with medians and ratios (run.sh).
        .executableTarget(
            name: "RatioReport",
            dependencies: ["FramingWorkloads", "ReportSupport"]
        ),
        // Storable: the nativejson-benchmark files as Perl's nfreeze writes them, RefWire's
        // decoder and encoder, and the Perl timing co-process (Perl/storable_bench.pl).
        .target(
            name: "StorableWorkloads",
            dependencies: [.product(name: "RefWire", package: "RefWire")]
        ),
        // Interleaved Perl-versus-RefWire timing with medians and ratios (run.sh storable).
        .executableTarget(
            name: "StorableReport",
            dependencies: ["StorableWorkloads", "ReportSupport"]
        ),
        // Mallocs per decode and per encode, counted in a process of their own: linking
        // the interposer replaces malloc process-wide, which the timed process must not.
        .executableTarget(
            name: "StorableAllocations",
            dependencies: [
                "StorableWorkloads",
                .product(name: "MallocInterposerSwift", package: "malloc-interposer"),
            ]
        ),
        // JSON: the nativejson-benchmark files decoded and encoded by RefWire, Foundation
        // (JSONSerialization, and JSONDecoder/JSONEncoder into typed models) and the Perl
        // timing co-process (Perl/json_bench.pl, JSON::XS). Reuses StorableWorkloads'
        // paths, file helpers and child-process driver.
        .target(
            name: "JSONWorkloads",
            dependencies: ["StorableWorkloads", .product(name: "RefWire", package: "RefWire")]
        ),
        // Interleaved RefWire/JSON::XS/Foundation timing with medians and ratios (run.sh json).
        .executableTarget(
            name: "JSONReport",
            dependencies: ["JSONWorkloads", "ReportSupport"]
        ),
        // YAML: the nativejson-benchmark files as YAML::XS's Dump writes them, decoded and
        // encoded (both dialects) by RefWire, Yams and the Perl timing co-process
        // (Perl/yaml_bench.pl, YAML::XS). Reuses StorableWorkloads' paths, file helpers and
        // child-process driver.
        .target(
            name: "YAMLWorkloads",
            dependencies: [
                "StorableWorkloads",
                .product(name: "RefWire", package: "RefWire"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // Interleaved RefWire/YAML::XS/Yams timing with medians and ratios (run.sh yaml).
        .executableTarget(
            name: "YAMLReport",
            dependencies: ["YAMLWorkloads", "ReportSupport"]
        ),
        // Sealed frames: SealedChannel against raw libsodium secretstream (run.sh sealing).
        .executableTarget(
            name: "SealingReport",
            dependencies: ["ReportSupport", .product(name: "RefWireSodium", package: "RefWire")]
        ),
        // Load: RefWireNIO's server against a Perl POE server, many connections each
        // making request after request, driven by one generator (run.sh load).
        .target(
            name: "LoadGenerator",
            dependencies: [
                "StorableWorkloads",
                "ReportSupport",
                .product(name: "RefWireNIO", package: "RefWire"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "LoadReport",
            dependencies: ["LoadGenerator", "ReportSupport"]
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
        // The Storable workloads under ordo-one/benchmark: time and mallocCountTotal.
        .executableTarget(
            name: "StorableBenchmarks",
            dependencies: [
                "StorableWorkloads",
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/StorableBenchmarks",
            plugins: [
                .plugin(name: "BenchmarkPlugin", package: "benchmark"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
