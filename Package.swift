// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "RefWire",
    products: [
        .library(name: "RefWire", targets: ["RefWire"]),
        .library(name: "RefWireSodium", targets: ["RefWireSodium"]),
        .executable(name: "refwire", targets: ["RefWireCommand"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // zlib from the system (Debian zlib1g-dev): the exact RFC 1950 streams that
        // Compress::Zlib writes, with full control over bounds and stream end.
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .target(
            name: "RefWire",
            dependencies: ["CZlib"]
        ),
        // libsodium from the system (Debian libsodium-dev), for the sealed channel only:
        // the RefWire product never links it, so it builds where libsodium is absent.
        .systemLibrary(
            name: "CSodium",
            pkgConfig: "libsodium",
            providers: [.apt(["libsodium-dev"])]
        ),
        // Authenticated encryption for reference frames (Spec/sealing.md).
        .target(
            name: "RefWireSodium",
            dependencies: ["RefWire", "CSodium"]
        ),
        .executableTarget(
            name: "RefWireCommand",
            dependencies: [
                "RefWire",
                "RefWireSodium",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Helpers shared by the test targets (seeded randomness).
        .target(
            name: "RefWireTestSupport",
            path: "Tests/RefWireTestSupport"
        ),
        .testTarget(
            name: "RefWireTests",
            dependencies: ["RefWire", "RefWireTestSupport"]
        ),
        .testTarget(
            name: "RefWireInteropTests",
            dependencies: ["RefWire", "RefWireTestSupport"],
            exclude: ["Perl"]  // scripts the tests run with real perl
        ),
        .testTarget(name: "RefWireCommandTests", dependencies: ["RefWire", "RefWireCommand"]),
        .testTarget(
            name: "RefWireSodiumTests",
            dependencies: ["RefWireSodium", "CSodium", "RefWireTestSupport", "RefWireCommand"],
            exclude: ["Python"]  // the independent implementation of Spec/sealing.md
        ),
    ],
    swiftLanguageModes: [.v6]
)
