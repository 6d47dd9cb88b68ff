import RefWire

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// RefWire's fuzz targets: for each parser, what one input must do.
///
/// Every target decodes its input and then checks properties that must hold whatever the
/// bytes are — beyond "does not crash": a refusal is a typed error at an offset inside
/// the input, a success survives being encoded and decoded again, results do not depend
/// on how the input is chunked, and so on. A broken property is a ``FuzzFailure``.
///
/// This file and its siblings are the one definition of the targets. The fuzzers
/// (`Fuzz/Sources/<Target>/main.swift`) call ``fuzz(_:_:)``; the main package's tests
/// compile the same files (`Tests/RefWireTests/FuzzTargets` is a symbolic link to this
/// folder) and replay every saved finding in `Fuzz/Regressions/<Target>/` through
/// ``run(_:)``.
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// The frame decoder and reader, fed in pieces the input chooses, against a model.
    case frameDecoder = "FrameDecoderFuzz"
    /// zlib inflation: bounds, exact limits, trailing bytes, round trip through deflate.
    case zlib = "ZlibFuzz"
    /// Storable images of every layout (network, native, file), and their re-encoding.
    case storable = "StorableFuzz"
    /// JSON documents, and their re-encoding in every layout the encoder writes.
    case json = "JSONFuzz"
    /// YAML documents, read both libraries' ways, and their re-encoding in both dialects.
    case yaml = "YAMLFuzz"
    /// Format sniffing, and decoding whatever it names.
    case sniff = "SniffFuzz"
    /// Decode in any format, encode in every format, decode again: equal values.
    case roundTrip = "RoundTripFuzz"
    /// Swift types decoded through the Codable bridge: its own array and dictionary loops
    /// agree with the standard library's, values and errors.
    case codable = "CodableFuzz"
    /// The session protocol's server state machine, driven by scripted events from
    /// several connections: invariants hold, outputs are well formed and addressed.
    case sessionServer = "SessionServerFuzz"

    /// The target's name: its executable, its corpus folder and its regression folder.
    public var name: String { rawValue }

    /// Runs one input through the target.
    ///
    /// - Throws: ``FuzzFailure`` when RefWire broke a property the target checks. An
    ///   input that RefWire refuses with its typed error is not a failure.
    public func run(_ input: UnsafeBufferPointer<UInt8>) throws(FuzzFailure) {
        switch self {
        case .frameDecoder: try FrameDecoderTarget.run(input)
        case .zlib: try ZlibTarget.run(input)
        case .storable: try StorableTarget.run(input)
        case .json: try JSONTarget.run(input)
        case .yaml: try YAMLTarget.run(input)
        case .sniff: try SniffTarget.run(input)
        case .roundTrip: try RoundTripTarget.run(input)
        case .codable: try CodableTarget.run(input)
        case .sessionServer: try SessionServerTarget.run(input)
        }
    }

    /// Runs one input.
    public func run(_ input: [UInt8]) throws(FuzzFailure) {
        let result = input.withUnsafeBufferPointer { buffer in
            Result { () throws(FuzzFailure) in try run(buffer) }
        }
        try result.get()
    }

    /// libFuzzer's `LLVMFuzzerTestOneInput`: runs the input and, on a failure, reports it
    /// and aborts, so that libFuzzer saves the input as a crash.
    public func fuzz(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
        do {
            try run(UnsafeBufferPointer(start: data, count: count))
        } catch {
            let report = "\n==== \(name) finding: \(error)\n"
            _ = report.utf8CString.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count - 1) }
            abort()
        }
        return 0
    }
}

/// A property RefWire broke on one input.
public struct FuzzFailure: Error, CustomStringConvertible {
    /// Which property, in a few words ("round trip changed the value").
    public var property: String
    /// What was observed.
    public var details: String

    public init(_ property: String, _ details: String = "") {
        self.property = property
        self.details = details
    }

    public var description: String { details.isEmpty ? property : "\(property): \(details)" }
}

/// Fails with `property` unless `condition` holds.
@inline(__always)
func require(
    _ condition: Bool, _ property: @autoclosure () -> String, _ details: @autoclosure () -> String = ""
) throws(FuzzFailure) {
    if !condition { throw FuzzFailure(property(), details()) }
}

/// A short description of a value for a failure report.
func describe(_ value: some Any) -> String {
    let text = String(describing: value)
    return text.count > 600 ? text.prefix(600) + "…" : text
}
