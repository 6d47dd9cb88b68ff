import RefWire

/// `FrameDecoderFuzz`: a stream fed to a ``FrameReader`` in pieces the input chooses,
/// judged against a model of `Spec/framing.md` that reads the whole stream at once.
///
/// Input layout:
///
/// | byte | meaning |
/// |---|---|
/// | 0 | configuration: bits 0–1 the limits (``limitPresets``), bit 2 zlib payloads, bits 3–4 how chunks are passed to `feed` (array, slice, alternating, non-contiguous), bit 5 an empty feed before each chunk |
/// | 1 | `n`: the low three bits give the number of chunk sizes that follow |
/// | 2 … 1+n | chunk sizes, used in turn (0 means the whole rest of the stream) |
/// | rest | the stream |
///
/// Properties: the frames, their offsets and payloads (or inflation errors), the
/// framing error and the pending bytes are exactly the model's, whatever the chunking
/// (`Spec/framing.md` §2.2); a refused feed changes nothing and reports what it
/// refused; after a fatal error every call throws it again; and the frames re-encoded
/// by ``FrameEncoder`` read back the same.
enum FrameDecoderTarget {
    /// The limits a configuration selects: the defaults, small ones, the smallest buffer
    /// the specification allows for the frame limit, and frames that must be empty.
    static let limitPresets: [FramingLimits] = [
        .default,
        FramingLimits(maximumFrameLength: 64, maximumLengthDigits: 3),
        FramingLimits(maximumFrameLength: 100, maximumLengthDigits: 5, maximumBufferedBytes: 5 + 1 + 100),
        FramingLimits(maximumFrameLength: 0, maximumLengthDigits: 1, maximumBufferedBytes: 2),
    ]

    /// The inflation bound when payloads are compressed: small, so that the fuzzer
    /// reaches it.
    static let maximumDecompressedSize = 1024

    enum FeedStyle: Int {
        case array, slice, alternating, nonContiguous
    }

    struct Scenario {
        var limits: FramingLimits
        var compression: PayloadCompression
        var feedStyle: FeedStyle
        var emptyFeeds: Bool
        var chunkSizes: [Int]
        var stream: [UInt8]

        init?(_ input: UnsafeBufferPointer<UInt8>) {
            guard input.count >= 2 else { return nil }
            let configuration = input[0]
            let sizeCount = Int(input[1] & 0x07)
            guard input.count >= 2 + sizeCount else { return nil }
            limits = FrameDecoderTarget.limitPresets[Int(configuration & 0x03)]
            compression = configuration & 0x04 != 0 ? .zlib(maximumDecompressedSize: maximumDecompressedSize) : .none
            feedStyle = FeedStyle(rawValue: Int(configuration >> 3) & 0x03)!
            emptyFeeds = configuration & 0x20 != 0
            chunkSizes = input[2..<(2 + sizeCount)].map { Int($0) }
            stream = Array(input[(2 + sizeCount)...])
        }
    }

    static func run(_ input: UnsafeBufferPointer<UInt8>) throws(FuzzFailure) {
        guard let scenario = Scenario(input) else { return }
        let expected = FramingModel(stream: scenario.stream, limits: scenario.limits)
        let observed = try feed(scenario)
        try compare(observed, with: expected, scenario)
        if expected.error == nil, case .none = scenario.compression {
            try checkReencoding(expected.frames.map { Array(scenario.stream[$0.payload]) }, scenario.limits)
        }
    }

    // MARK: - Feeding

    struct Observed {
        var payloads: [ReadPayload] = []
        var error: FramingError?
        var pending: [UInt8] = []
        var streamOffset = 0
    }

    /// Feeds the stream as the scenario says, taking out every payload after each feed,
    /// until the end of the stream or the first framing error.
    static func feed(_ scenario: Scenario) throws(FuzzFailure) -> Observed {
        var reader = FrameReader(limits: scenario.limits, compression: scenario.compression)
        var observed = Observed()
        let stream = scenario.stream
        var position = 0
        var chunkIndex = 0

        /// Takes out the ready payloads; false once the stream has failed.
        func drain() -> Bool {
            do throws(FramingError) {
                while let payload = try reader.next() { observed.payloads.append(payload) }
                return true
            } catch {
                observed.error = error
                return false
            }
        }

        feeding: while position < stream.count {
            let size = scenario.chunkSizes.isEmpty ? 0 : scenario.chunkSizes[chunkIndex % scenario.chunkSizes.count]
            let end = size == 0 ? stream.count : min(stream.count, position + size)
            let chunk = stream[position..<end]
            if scenario.emptyFeeds {
                do throws(FramingError) {
                    try reader.feed([UInt8]())
                } catch {
                    throw FuzzFailure("an empty feed was refused", "\(error)")
                }
            }
            do throws(FramingError) {
                try feed(chunk, to: &reader, style: scenario.feedStyle, index: chunkIndex)
                position = end
            } catch {
                guard case .bufferLimitExceeded(let buffered, let incoming, let limit) = error else {
                    throw FuzzFailure("feed threw an error that nextFrame had not reported", "\(error)")
                }
                try checkRefusal(
                    buffered: buffered, incoming: incoming, limit: limit, chunk: chunk, position: position,
                    reader: reader)
                // As the specification advises: take out what is ready (done after every
                // feed) and feed smaller pieces. Byte by byte, a partial frame is always
                // smaller than the frame it belongs to, so no byte may be refused.
                for index in chunk.indices {
                    do throws(FramingError) {
                        try reader.feed(stream[index...index])
                    } catch {
                        throw FuzzFailure("a one-byte feed was refused after the ready frames were taken out", "\(error)")
                    }
                    position = index + 1
                    guard drain() else { break feeding }
                }
            }
            chunkIndex += 1
            guard drain() else { break }
        }
        let finished = observed.error == nil
        if finished {
            reader.finish()
            _ = drain()
        }
        if let error = observed.error, error.isFatal {
            try checkFailedStaysFailed(&reader, error, finished: finished)
        }
        observed.pending = Array(reader.decoder.pendingBytes)
        observed.streamOffset = reader.decoder.streamOffset
        try require(
            reader.decoder.isAtFrameBoundary == observed.pending.isEmpty,
            "isAtFrameBoundary disagrees with pendingBytes")
        return observed
    }

    /// Feeds `chunk` in the scenario's style, to reach each of `feed`'s paths.
    private static func feed(
        _ chunk: ArraySlice<UInt8>, to reader: inout FrameReader, style: FeedStyle, index: Int
    ) throws(FramingError) {
        switch style {
        case .array: try reader.feed(Array(chunk))
        case .slice: try reader.feed(chunk)
        case .alternating:
            if index.isMultiple(of: 2) { try reader.feed(Array(chunk)) } else { try reader.feed(chunk) }
        case .nonContiguous: try reader.feed(chunk.lazy.map { $0 })
        }
    }

    /// A refused feed must say what it refused and change nothing.
    private static func checkRefusal(
        buffered: Int, incoming: Int, limit: Int, chunk: ArraySlice<UInt8>, position: Int, reader: FrameReader
    ) throws(FuzzFailure) {
        let details = "buffered \(buffered), incoming \(incoming), limit \(limit)"
        try require(limit == reader.decoder.limits.maximumBufferedBytes, "bufferLimitExceeded names another limit", details)
        try require(incoming == chunk.count, "bufferLimitExceeded misstates the refused feed", details)
        try require(buffered == reader.decoder.pendingBytes.count, "bufferLimitExceeded misstates the buffered bytes", details)
        try require(buffered + incoming > limit, "a feed within the buffer limit was refused", details)
        try require(reader.decoder.streamOffset == position, "a refused feed took bytes", details)
    }

    /// After a fatal error, the reader keeps throwing it (`Spec/framing.md` §5.1): `feed`
    /// (unless the input was declared finished, when feeding is a programming error) and
    /// `next`.
    private static func checkFailedStaysFailed(
        _ reader: inout FrameReader, _ expected: FramingError, finished: Bool
    ) throws(FuzzFailure) {
        if !finished {
            var feedError: FramingError?
            do throws(FramingError) {
                try reader.feed([0x31, 0x00, 0x41])
            } catch {
                feedError = error
            }
            try require(feedError == expected, "a failed stream took more input", describe(feedError as Any))
        }
        let next: Result<ReadPayload?, FramingError> = Result { () throws(FramingError) in try reader.next() }
        guard case .failure(let again) = next, again == expected else {
            throw FuzzFailure("a failed stream did not throw its error again", describe(next))
        }
    }

    // MARK: - Judging

    static func compare(_ observed: Observed, with expected: FramingModel, _ scenario: Scenario) throws(FuzzFailure) {
        try require(
            observed.error == expected.error, "framing error differs from the model",
            "got \(describe(observed.error as Any)), expected \(describe(expected.error as Any))")
        try require(
            observed.payloads.count == expected.frames.count, "frame count differs from the model",
            "got \(observed.payloads.count), expected \(expected.frames.count)")
        for (payload, frame) in zip(observed.payloads, expected.frames) {
            try require(payload.offset == frame.offset, "frame offset differs from the model", "\(payload.offset) vs \(frame.offset)")
            let bytes = scenario.stream[frame.payload]
            switch (payload.result, scenario.compression) {
            case (.success(let delivered), .none):
                try require(delivered.elementsEqual(bytes), "payload differs from the model", "frame at \(frame.offset)")
            case (.failure(let error), .none):
                throw FuzzFailure("an uncompressed payload failed", "\(error)")
            case (let result, .zlib(let limit)):
                let reference: Result<[UInt8], ZlibError> = Result { () throws(ZlibError) in
                    try Zlib.decompress(bytes, maximumOutputSize: limit)
                }
                switch (result, reference) {
                case (.success(let delivered), .success(let inflated)):
                    try require(delivered.elementsEqual(inflated), "inflated payload differs from Zlib.decompress")
                case (.failure(let error), .failure(let inflationError)):
                    guard case .decompression(let reason) = error.reason, reason == inflationError,
                        error.frameOffset == frame.offset
                    else {
                        throw FuzzFailure("payload error differs from Zlib.decompress", "\(error) vs \(inflationError)")
                    }
                default:
                    throw FuzzFailure("payload result differs from Zlib.decompress", "\(describe(result)) vs \(describe(reference))")
                }
            }
        }
        // Pending bytes and the stream offset do not depend on the chunking unless a
        // fatal error stopped the feeding partway (`Spec/vectors/README.md`).
        let fedEverything: Bool
        switch expected.error {
        case nil, .truncatedFrame: fedEverything = true
        default: fedEverything = false
        }
        if fedEverything {
            try require(observed.streamOffset == scenario.stream.count, "stream offset is not the bytes fed")
            try require(
                observed.pending.elementsEqual(scenario.stream[expected.pendingStart...]),
                "pending bytes differ from the model",
                "\(observed.pending.count) bytes, expected \(scenario.stream.count - expected.pendingStart)")
        }
    }

    /// Frames written by ``FrameEncoder`` are the canonical form of their payloads, and
    /// read back as the same payloads.
    static func checkReencoding(_ payloads: [[UInt8]], _ limits: FramingLimits) throws(FuzzFailure) {
        let encoder = FrameEncoder(maximumFrameLength: limits.maximumFrameLength)
        var stream: [UInt8] = []
        for payload in payloads {
            let start = stream.count
            do throws(FramingError) {
                try encoder.encode(payload, into: &stream)
            } catch {
                throw FuzzFailure("FrameEncoder refused a payload the decoder accepted", "\(error)")
            }
            let canonical = Array(String(payload.count).utf8) + [0] + payload
            try require(stream[start...].elementsEqual(canonical), "FrameEncoder wrote a non-canonical frame")
        }
        var decoder = FrameDecoder(limits: FramingLimits(maximumFrameLength: limits.maximumFrameLength))
        var decoded: [[UInt8]] = []
        do throws(FramingError) {
            try decoder.feed(stream)
            decoder.finish()
            while let frame = try decoder.nextFrame() { decoded.append(Array(frame.payload)) }
        } catch {
            throw FuzzFailure("re-encoded frames do not decode", "\(error)")
        }
        try require(decoded == payloads, "re-encoded frames decode to other payloads")
    }
}

/// The frames of a whole stream as `Spec/framing.md` §2.2 and §5 define them, read in
/// one pass with no buffering concerns: the reference the decoder is judged against.
struct FramingModel {
    struct Frame {
        var offset: Int
        var payload: Range<Int>
    }

    var frames: [Frame] = []
    /// The error the stream ends with (never `bufferLimitExceeded`, which is about
    /// chunking).
    var error: FramingError?
    /// Where the bytes still pending at the end begin.
    var pendingStart: Int

    init(stream: [UInt8], limits: FramingLimits) {
        var index = 0
        while true {
            let start = index
            guard index < stream.count else {
                pendingStart = index
                return
            }
            var digits = 0
            var length: UInt64 = 0
            while index < stream.count, (0x30...0x39).contains(stream[index]) {
                digits += 1
                if digits > limits.maximumLengthDigits {
                    error = .lengthFieldTooLong(offset: start, limit: limits.maximumLengthDigits)
                    pendingStart = start
                    return
                }
                let (times10, overflow1) = length.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = times10.addingReportingOverflow(UInt64(stream[index] - 0x30))
                length = overflow1 || overflow2 ? .max : sum
                index += 1
            }
            guard index < stream.count else {
                // The input ended inside the length field (it has a digit: start < index).
                error = .truncatedFrame(offset: start, bufferedBytes: digits, expectedBytes: nil)
                pendingStart = start
                return
            }
            guard stream[index] == 0, digits > 0 else {
                error = .invalidLengthPrefix(offset: index, byte: stream[index])
                pendingStart = start
                return
            }
            guard length <= UInt64(limits.maximumFrameLength) else {
                error = .frameTooLarge(offset: start, declaredLength: length, limit: limits.maximumFrameLength)
                pendingStart = start
                return
            }
            let payloadStart = index + 1
            let payloadLength = Int(length)
            guard payloadLength <= stream.count - payloadStart else {
                let (expected, overflow) = (digits + 1).addingReportingOverflow(payloadLength)
                error = .truncatedFrame(
                    offset: start, bufferedBytes: stream.count - start, expectedBytes: overflow ? .max : expected)
                pendingStart = start
                return
            }
            frames.append(Frame(offset: start, payload: payloadStart..<(payloadStart + payloadLength)))
            index = payloadStart + payloadLength
        }
    }
}
