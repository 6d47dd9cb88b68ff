#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Where the Storable benchmark finds its inputs and puts the converted images.
///
/// Everything is found from this source file's location, so the executables work from
/// any directory; `REFWIRE_JSON_CORPORA` overrides the JSON directory.
public enum BenchmarkPaths {
    /// `Benchmarks/`: this file is `Benchmarks/Sources/StorableWorkloads/Paths.swift`.
    public static let packageDirectory: String = {
        var components = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
        components.removeLast(3)
        return components.joined(separator: "/")
    }()

    /// The nativejson-benchmark files: `../shared/corpora/json` from the repository root.
    public static var jsonDirectory: String {
        if let override = getenv("REFWIRE_JSON_CORPORA") { return String(cString: override) }
        return packageDirectory + "/../../shared/corpora/json"
    }

    /// The Perl half of the benchmark: conversion and the timing co-process.
    public static var perlScript: String { packageDirectory + "/Perl/storable_bench.pl" }

    /// The nfreeze images Perl wrote, one `NAME.nfreeze` per JSON file, and the images
    /// RefWire writes for Perl to check.
    public static var corpusDirectory: String { packageDirectory + "/.build/storable-corpus" }
}

/// The bytes of the file at `path`.
public func readFile(_ path: String) throws(FileError) -> [UInt8] {
    guard let file = fopen(path, "rb") else { throw FileError(path: path, code: errno) }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let count = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
        bytes.append(contentsOf: chunk[0..<count])
        if count < chunk.count {
            if ferror(file) != 0 { throw FileError(path: path, code: EIO) }
            return bytes
        }
    }
}

/// Writes `bytes` to `path`, replacing it.
public func writeFile(_ path: String, _ bytes: [UInt8]) throws(FileError) {
    guard let file = fopen(path, "wb") else { throw FileError(path: path, code: errno) }
    let written = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
    let closed = fclose(file)
    guard written == bytes.count, closed == 0 else { throw FileError(path: path, code: EIO) }
}

/// Creates `path` and its parents if they do not exist.
public func makeDirectory(_ path: String) throws(FileError) {
    var prefix = ""
    for component in path.split(separator: "/") {
        prefix += "/" + component
        if mkdir(prefix, 0o755) != 0 && errno != EEXIST { throw FileError(path: prefix, code: errno) }
    }
}

public struct FileError: Error, CustomStringConvertible {
    public let path: String
    public let code: Int32

    public var description: String { "\(path): \(String(cString: strerror(code)))" }
}
