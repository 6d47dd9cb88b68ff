// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "RefWire",
    products: [
        .library(name: "RefWire", targets: ["RefWire"]),
        .library(name: "RefWireSodium", targets: ["RefWireSodium"]),
        .library(name: "RefWireNIO", targets: ["RefWireNIO"]),
        .library(name: "RefWireConformance", targets: ["RefWireConformance"]),
        .executable(name: "refwire", targets: ["RefWireCommand"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
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
        // SwiftNIO transport: channel handlers, a persistent client and a server.
        .target(
            name: "RefWireNIO",
            dependencies: [
                "RefWire",
                "RefWireSodium",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The conformance suite as a library: Spec/vectors and Spec/scenarios, runnable
        // against the sans-IO state machines, RefWireNIO and any live implementation.
        .target(
            name: "RefWireConformance",
            dependencies: [
                "RefWire",
                "RefWireNIO",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "RefWireCommand",
            dependencies: [
                "RefWire",
                "RefWireSodium",
                "RefWireNIO",
                "RefWireConformance",
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
            name: "RefWireNIOTests",
            dependencies: [
                "RefWireNIO", "RefWireTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "RefWireConformanceTests",
            dependencies: ["RefWireConformance", "RefWireNIO", "RefWireTestSupport", "RefWireCommand"],
            exclude: ["Perl"]  // the independent Perl implementation of Spec/protocol.md
        ),
        .testTarget(
            name: "RefWireInteropTests",
            dependencies: ["RefWire", "RefWireNIO", "RefWireTestSupport"],
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
