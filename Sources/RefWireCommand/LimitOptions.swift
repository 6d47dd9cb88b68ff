import ArgumentParser
import RefWire

/// The resource limits shared by every verb that reads frames.
struct LimitOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Largest payload a frame may declare, in bytes (checked before it is buffered).",
        valueName: "bytes"))
    var maxFrameLength: Int = FramingLimits.default.maximumFrameLength

    @Option(help: ArgumentHelp(
        "Most digits a length field may have, leading zeros included.",
        valueName: "count"))
    var maxLengthDigits: Int = FramingLimits.default.maximumLengthDigits

    @Option(help: ArgumentHelp(
        "Most bytes of an unfinished frame held in memory at once.",
        valueName: "bytes"))
    var maxBufferedBytes: Int = FramingLimits.default.maximumBufferedBytes

    @Option(help: ArgumentHelp(
        "Largest size a zlib payload may inflate to, in bytes.",
        valueName: "bytes"))
    var maxDecompressedSize: Int = PayloadCompression.defaultMaximumDecompressedSize

    func validate() throws {
        guard maxFrameLength >= 0 else {
            throw ValidationError("--max-frame-length must not be negative.")
        }
        guard maxLengthDigits >= 1 else {
            throw ValidationError("--max-length-digits must be at least 1.")
        }
        guard maxBufferedBytes >= 1 else {
            throw ValidationError("--max-buffered-bytes must be at least 1.")
        }
        guard maxDecompressedSize >= 0 else {
            throw ValidationError("--max-decompressed-size must not be negative.")
        }
    }

    var framingLimits: FramingLimits {
        FramingLimits(
            maximumFrameLength: maxFrameLength,
            maximumLengthDigits: maxLengthDigits,
            maximumBufferedBytes: maxBufferedBytes)
    }
}
