import CFrameScan
import RefWire

/// One way of finding every frame in a ``FrameCorpus``.
public enum Workload: String, Sendable, CaseIterable {
    /// `cfs_scan`: memchr for each NUL, parse the digits, skip the payload. The baseline.
    case cScan
    /// ``FrameDecoder`` fed the whole corpus at once, then drained.
    case swiftWhole
    /// ``FrameDecoder`` fed 4 KiB slices of the corpus, drained after each.
    case swiftChunked

    /// The workloads of the report: the C baseline and RefWire's decoder.
    public static let standard: [Workload] = [.cScan, .swiftWhole, .swiftChunked]

    /// The chunk size of ``swiftChunked``: a typical socket read.
    public static let chunkSize = 4096

    public var label: String {
        switch self {
        case .cScan: "C memchr scan"
        case .swiftWhole: "Swift FrameDecoder, one buffer"
        case .swiftChunked: "Swift FrameDecoder, 4 KiB chunks"
        }
    }

    /// A short name, for table rows.
    public var shortLabel: String {
        switch self {
        case .cScan: "C scan"
        case .swiftWhole: "Swift 1 buffer"
        case .swiftChunked: "Swift 4 KiB"
        }
    }

    /// Finds every frame in `corpus.bytes`.
    public func run(on corpus: FrameCorpus) throws(WorkloadError) -> ScanTally {
        switch self {
        case .cScan:
            try Self.scanInC(corpus.bytes)
        case .swiftWhole:
            try Self.decode(corpus.bytes, chunkSize: corpus.bytes.count)
        case .swiftChunked:
            try Self.decode(corpus.bytes, chunkSize: Self.chunkSize)
        }
    }

    static func scanInC(_ bytes: [UInt8]) throws(WorkloadError) -> ScanTally {
        let result = bytes.withUnsafeBufferPointer { cfs_scan($0.baseAddress, $0.count) }
        guard result.error_offset == 0 else {
            throw .malformedInput(offset: Int(result.error_offset) - 1)
        }
        guard result.consumed == bytes.count else {
            throw .truncatedInput(offset: Int(result.consumed))
        }
        return ScanTally(frames: Int(result.frames), payloadBytes: Int(result.payload_bytes))
    }

    /// Feeds `bytes` in slices of `chunkSize` (the whole array at once when it is at
    /// least as large), taking out every complete frame after each feed, as a network
    /// reader does.
    static func decode(_ bytes: [UInt8], chunkSize: Int) throws(WorkloadError) -> ScanTally {
        // The default 32 MiB bound on buffered bytes would refuse a corpus of a million
        // frames fed in one piece; that bound is not what is measured.
        let limits = FramingLimits(
            maximumBufferedBytes: max(bytes.count, FramingLimits.default.maximumBufferedBytes))
        var decoder = FrameDecoder(limits: limits)
        var tally = ScanTally()
        do {
            if chunkSize >= bytes.count {
                try decoder.feed(bytes)
                try drain(&decoder, into: &tally)
            } else {
                var start = bytes.startIndex
                while start < bytes.endIndex {
                    let end = min(start + chunkSize, bytes.endIndex)
                    try decoder.feed(bytes[start..<end])
                    try drain(&decoder, into: &tally)
                    start = end
                }
            }
            decoder.finish()
            try drain(&decoder, into: &tally)
        } catch {
            throw .decoder(error)
        }
        return tally
    }

    @inline(__always)
    private static func drain(
        _ decoder: inout FrameDecoder, into tally: inout ScanTally
    ) throws(FramingError) {
        while let frame = try decoder.nextFrame() {
            tally.frames &+= 1
            tally.payloadBytes &+= frame.payload.count
        }
    }
}

public enum WorkloadError: Error, CustomStringConvertible {
    case decoder(FramingError)
    case malformedInput(offset: Int)
    case truncatedInput(offset: Int)

    public var description: String {
        switch self {
        case .decoder(let error): "FrameDecoder failed: \(error)"
        case .malformedInput(let offset): "C scan: malformed length prefix at offset \(offset)"
        case .truncatedInput(let offset): "C scan: truncated frame at offset \(offset)"
        }
    }
}
