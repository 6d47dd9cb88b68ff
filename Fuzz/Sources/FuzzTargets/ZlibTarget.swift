import RefWire

/// `ZlibFuzz`: the input is one payload, inflated as a compressed frame's payload is
/// (`Spec/framing.md` §3.2).
///
/// Properties: the output never exceeds the bound, and the bound is exact (a stream
/// that inflates to `n` bytes passes with a bound of `n` and fails, as over the limit,
/// with `n − 1`); an error other than the bound's does not depend on the bound;
/// `trailingBytes(count:)` counts the bytes after a stream that inflates without them;
/// contiguous and non-contiguous inputs agree; and what inflates deflates and inflates
/// back to itself.
enum ZlibTarget {
    /// Large enough for everything a fuzzer-sized input inflates to short of a bomb,
    /// small enough that a bomb stops quickly.
    static let limit = 1 << 20

    static func run(_ input: UnsafeBufferPointer<UInt8>) throws(FuzzFailure) {
        let result = inflate(input, limit: limit)
        let noncontiguous = inflate(input.lazy.map { $0 }, limit: limit)
        try require(same(result, noncontiguous), "contiguous and non-contiguous inputs inflate differently")

        switch result {
        case .success(let output):
            try checkInflated(output, from: input)
        case .failure(.outputLimitExceeded(let reported)):
            try require(reported == limit, "outputLimitExceeded names another limit", "\(reported)")
        case .failure(.trailingBytes(let count)):
            try require(count > 0 && count < input.count, "trailingBytes count out of range", "\(count) of \(input.count)")
            let stream = inflate(UnsafeBufferPointer(rebasing: input[..<(input.count - count)]), limit: limit)
            guard case .success = stream else {
                throw FuzzFailure("the stream before the trailing bytes does not inflate", describe(stream))
            }
        case .failure(let error):
            // Inflation stopped before the output reached the bound, so no bound changes
            // the outcome.
            let unbounded = inflate(input, limit: .max)
            try require(same(result, unbounded), "the error depends on the output bound", "\(error) vs \(describe(unbounded))")
        }
    }

    static func inflate(_ input: some Collection<UInt8>, limit: Int) -> Result<[UInt8], ZlibError> {
        Result { () throws(ZlibError) in try Zlib.decompress(input, maximumOutputSize: limit) }
    }

    private static func same(_ lhs: Result<[UInt8], ZlibError>, _ rhs: Result<[UInt8], ZlibError>) -> Bool {
        switch (lhs, rhs) {
        case (.success(let left), .success(let right)): left == right
        case (.failure(let left), .failure(let right)): left == right
        default: false
        }
    }

    private static func checkInflated(_ output: [UInt8], from input: UnsafeBufferPointer<UInt8>) throws(FuzzFailure) {
        try require(output.count <= limit, "inflated past the bound", "\(output.count) bytes")
        let exact = inflate(input, limit: output.count)
        try require(same(exact, .success(output)), "a stream that ends exactly on the bound was refused", describe(exact))
        if !output.isEmpty {
            let under = inflate(input, limit: output.count - 1)
            try require(
                same(under, .failure(.outputLimitExceeded(limit: output.count - 1))),
                "a stream one byte over the bound was not refused as over it", describe(under))
        }
        // Any level, as Compress::Zlib's compress($data, $level) takes it.
        let level = Int32(input.count % 11) - 1
        let recompressed = Zlib.compress(output, level: level)
        let again = inflate(recompressed, limit: output.count)
        try require(same(again, .success(output)), "deflate then inflate changed the data", "level \(level)")
    }
}
