// swift-tools-version: 6.0
import PackageDescription

// RefWire's libFuzzer harness: its own package, because a fuzzer brings its own `main`
// and sanitizer flags that the library's build and test runner must not see. Build and
// run through `run.sh` (see README.md).

/// One executable per fuzz target; each is a one-line `LLVMFuzzerTestOneInput` calling
/// the target's check in `FuzzTargets`.
let fuzzers = ["FrameDecoderFuzz", "ZlibFuzz", "StorableFuzz", "JSONFuzz", "YAMLFuzz", "SniffFuzz", "RoundTripFuzz", "CodableFuzz", "SessionServerFuzz"]

let package = Package(
    name: "RefWireFuzz",
    dependencies: [
        .package(name: "RefWire", path: "..")
    ],
    targets: [
        // What each target checks, shared with the main package's tests, which replay
        // every saved finding through it (Tests/RefWireTests/FuzzTargets links here).
        .target(
            name: "FuzzTargets",
            dependencies: [.product(name: "RefWire", package: "RefWire")]
        )
    ] + fuzzers.map { .executableTarget(name: $0, dependencies: ["FuzzTargets"]) } + [
        // The sealed channel (RefWireSodium, system libsodium): handshake bytes, and the
        // frame opener against a model. Self-contained: its checks are SealingTarget.swift.
        .executableTarget(
            name: "SealingFuzz",
            dependencies: [.product(name: "RefWireSodium", package: "RefWire")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
