import Foundation
import RefWire
import RefWireTestSupport
import Testing

/// Loads the Storable vectors of `Spec/vectors/storable/*.json` (format:
/// `Spec/vectors/storable/README.md`) and turns their value nodes into ``PerlValue``s.
enum StorableVectors {
    /// Every vector, in file then document order; loaded once per test process.
    static func all() throws(SpecVectors.LoadError) -> [StorableVector] {
        try loaded.get()
    }

    static func valid() throws(SpecVectors.LoadError) -> [StorableVector] {
        try all().filter { $0.error == nil }
    }

    static func errors() throws(SpecVectors.LoadError) -> [StorableVector] {
        try all().filter { $0.error != nil }
    }

    private static let loaded: Result<[StorableVector], SpecVectors.LoadError> = Result {
        () throws(SpecVectors.LoadError) in try SpecVectors.vectors(in: "storable", as: StorableVector.self)
    }
}

/// One Storable vector: an image, and the value it decodes to or the error it fails with.
struct StorableVector: FileVector, CustomTestStringConvertible {
    /// The file the vector came from, without `.json` (set by the loader).
    var file = ""
    var name: String
    var description: String
    var networkHex: String
    var nativeHex: String?
    var fileHex: String?
    var options: Options?
    var encodeOptions: EncodeOptions?
    var value: VectorValueNode?
    var nativeValue: VectorValueNode?
    var reencodes: Bool?
    var error: ExpectedError?
    var perlThaw: String?

    private enum CodingKeys: String, CodingKey {
        case name, description, networkHex, nativeHex, fileHex, options, encodeOptions, value, nativeValue
        case reencodes, error, perlThaw
    }

    struct Options: Decodable, Sendable {
        var maxDepth: Int?
        var maxContainerCount: Int?
        var maxTotalCount: Int?
        var maxStringLength: Int?
        var blessed: VectorBlessedPolicy?
        var code: String?
        var rejectTrailingBytes: Bool?
    }

    struct EncodeOptions: Decodable, Sendable {
        var overloadedClasses: [String]?
    }

    struct ExpectedError: Decodable, Sendable {
        var kind: String
        var offset: Int?
        var byte: UInt8?
        var tag: UInt64?
        var index: Int?
        var count: Int?
        var limit: Int?
        var className: String?
    }

    /// `file/name`, for test output.
    var testName: String { "\(file)/\(name)" }
    var testDescription: String { testName }

    var network: [UInt8] { Hex.bytes(networkHex)! }
    var native: [UInt8]? { nativeHex.map { Hex.bytes($0)! } }
    var fileImage: [UInt8]? { fileHex.map { Hex.bytes($0)! } }

    var decodingOptions: StorableDecodingOptions {
        var result = StorableDecodingOptions()
        guard let options else { return result }
        if let value = options.maxDepth { result.maximumDepth = value }
        if let value = options.maxContainerCount { result.maximumContainerCount = value }
        if let value = options.maxTotalCount { result.maximumTotalCount = value }
        if let value = options.maxStringLength { result.maximumStringLength = value }
        switch options.blessed {
        case .allowAll?: result.blessedValues = .allowAll
        case .refuseAll?: result.blessedValues = .refuseAll
        case .allow(let list)?: result.blessedValues = .allow(Set(list))
        case nil: break
        }
        if options.code == "keep_source" { result.codeReferences = .keepSource }
        if let value = options.rejectTrailingBytes { result.rejectsTrailingBytes = value }
        return result
    }

    /// The options to re-encode with: network order, hash entries in the value's order.
    func encodingOptions(file: Bool) -> StorableEncodingOptions {
        var result = StorableEncodingOptions()
        result.byteOrder = .network
        result.isFile = file
        result.canonical = false
        result.overloadedClasses = Set(encodeOptions?.overloadedClasses ?? [])
        return result
    }

    /// Rejects vectors that could make a runner pass vacuously or crash.
    func validate() throws(SpecVectors.LoadError) {
        func problem(_ text: String) -> SpecVectors.LoadError { .malformed(vector: testName, problem: text) }
        for hex in [networkHex, nativeHex, fileHex].compactMap({ $0 }) where Hex.bytes(hex) == nil {
            throw problem("bad hex")
        }
        guard (value == nil) != (error == nil) else { throw problem("needs exactly one of value and error") }
        if error == nil, reencodes == nil { throw problem("a valid vector must say whether it reencodes") }
        if nativeValue != nil, nativeHex == nil { throw problem("native_value without native_hex") }
        do {
            if let value { _ = try value.perlValue() }
            if let nativeValue { _ = try nativeValue.perlValue() }
        } catch {
            throw problem("bad value: \(error)")
        }
    }
}
