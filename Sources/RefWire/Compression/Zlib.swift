import CZlib

/// Per-payload zlib, exactly as Compress::Zlib's `compress` and `uncompress` do it
/// (RFC 1950: a two-byte header, a deflate stream, an Adler-32 trailer).
///
/// Decompression is strict where Compress::Zlib is lax or dangerous: output is bounded
/// (a 1 MiB payload can inflate to 1 GiB), and the stream must be a complete zlib stream
/// with a valid checksum and nothing after it.
public enum Zlib {
    /// Compresses `input` into one zlib stream. `level` is zlib's: 0...9, or -1 for
    /// zlib's default (what Compress::Zlib's `compress` uses).
    public static func compress<Input: Collection<UInt8>>(_ input: Input, level: Int32 = -1) -> [UInt8] {
        fatalError("being implemented")
    }

    /// Inflates one complete zlib stream, producing at most `maximumOutputSize` bytes.
    public static func decompress<Input: Collection<UInt8>>(
        _ input: Input, maximumOutputSize: Int
    ) throws(ZlibError) -> [UInt8] {
        fatalError("being implemented")
    }
}

/// Why a payload could not be inflated.
public enum ZlibError: Error, Hashable, Sendable {
    /// The data starts like a gzip file (`1F 8B`), not a zlib stream.
    case gzipStream
    /// The first two bytes are not a zlib header (raw deflate data lands here).
    case invalidHeader
    /// The stream needs a preset dictionary, which this protocol never uses.
    case presetDictionaryRequired
    /// The deflate data is malformed; `reason` is zlib's message.
    case corruptData(reason: String)
    /// The Adler-32 trailer does not match the inflated bytes.
    case checksumMismatch
    /// The input ended before the stream did.
    case truncatedStream
    /// Bytes follow the end of the zlib stream.
    case trailingBytes(count: Int)
    /// Inflating would produce more than `limit` bytes.
    case outputLimitExceeded(limit: Int)
}
