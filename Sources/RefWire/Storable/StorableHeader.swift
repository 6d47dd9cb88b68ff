/// The header every Storable image starts with: which format version wrote it and how
/// its numbers are laid out.
///
/// - `nfreeze`: `(2 << 1) | 1`, minor — numbers in network order.
/// - `freeze`: `2 << 1`, minor, then the writer's byte-order string (`"12345678"` on
///   64-bit little-endian machines) and its sizes of `int`, `long`, pointer and `NV`.
/// - `store`/`nstore`: the same behind the file magic `pst0`.
public struct StorableHeader: Hashable, Sendable {
    /// How the integers and doubles after the header are laid out.
    public enum ByteOrder: Hashable, Sendable {
        /// Network order (`nfreeze`, `nstore`): 32-bit big-endian integers, doubles as text.
        case network
        /// A native image from a little-endian machine.
        case littleEndian
        /// A native image from a big-endian machine.
        case bigEndian
    }

    /// Whether the image carries the file magic `pst0` (written by `store`/`nstore`).
    public var isFile: Bool
    public var majorVersion: Int
    public var minorVersion: Int
    public var byteOrder: ByteOrder
    /// Bytes in the writer's Perl integer (IV): 8 on 64-bit Perls, 4 on 32-bit ones.
    /// Network images carry integers beyond 32 bits as text and have no native integers;
    /// a stray one is read as 8 bytes, as a 64-bit Perl reads it.
    public var integerSize: Int
    /// Bytes in the writer's Perl double (NV); only 8 is supported.
    public var doubleSize: Int
    /// How many bytes the header occupies.
    public var count: Int

    /// The file magic of `store` and `nstore`.
    static let fileMagic: [UInt8] = Array("pst0".utf8)
    /// The major version of every format Perl 5.8+ writes.
    public static let supportedMajorVersion = 2
    /// The newest minor version this implementation knows (Storable 3.32 reads up to 12).
    public static let newestMinorVersion = 12

    /// Reads the header at the start of `bytes`.
    ///
    /// - Throws: ``StorableDecodingError`` when the bytes are not a Storable header, or
    ///   name a version or a native layout this implementation does not read.
    public init(parsing bytes: some Collection<UInt8>) throws(StorableDecodingError) {
        let array = Array(bytes.prefix(4 + 2 + 1 + 255 + 4))
        self = try array.withUnsafeBufferPointer { buffer throws(StorableDecodingError) in
            try Self.parse(buffer)
        }
    }

    static func parse(_ buffer: UnsafeBufferPointer<UInt8>) throws(StorableDecodingError) -> StorableHeader {
        var position = 0
        func next() throws(StorableDecodingError) -> UInt8 {
            guard position < buffer.count else {
                throw StorableDecodingError(.truncated, at: position)
            }
            defer { position += 1 }
            return buffer[position]
        }

        var isFile = false
        if buffer.count >= 4, buffer[0] == 0x70, buffer[1] == 0x73, buffer[2] == 0x74, buffer[3] == 0x30 {
            isFile = true
            position = 4
        } else if buffer.count >= 4, Array(buffer.prefix(4)) == Array("perl".utf8) {
            throw StorableDecodingError(.unsupportedVersion(major: 0, minor: 0), at: 0)
        }
        let versionByte = try next()
        let major = Int(versionByte >> 1)
        let isNetwork = versionByte & 1 == 1
        guard major == supportedMajorVersion else {
            throw StorableDecodingError(.unsupportedVersion(major: major, minor: 0), at: position - 1)
        }
        let minor = Int(try next())
        guard minor <= newestMinorVersion else {
            throw StorableDecodingError(.unsupportedVersion(major: major, minor: minor), at: position - 1)
        }
        if isNetwork {
            return StorableHeader(
                isFile: isFile, majorVersion: major, minorVersion: minor, byteOrder: .network,
                integerSize: 8, doubleSize: 8, count: position)
        }

        let layoutStart = position
        let orderLength = Int(try next())
        var order: [UInt8] = []
        for _ in 0..<orderLength { order.append(try next()) }
        let intSize = try next()
        _ = try next()  // sizeof(long): not used by the format once the IV size is known
        _ = try next()  // sizeof(char *): likewise
        let doubleSize = minor >= 2 ? Int(try next()) : 8

        let byteOrder: ByteOrder
        switch String(decoding: order, as: UTF8.self) {
        case "12345678", "1234": byteOrder = .littleEndian
        case "87654321", "4321": byteOrder = .bigEndian
        default:
            throw StorableDecodingError(.unsupportedNativeLayout("byte order \"\(String(latin1: order))\""), at: layoutStart)
        }
        guard intSize == 4 else {
            throw StorableDecodingError(.unsupportedNativeLayout("sizeof(int) \(intSize)"), at: layoutStart)
        }
        guard doubleSize == 8 else {
            throw StorableDecodingError(.unsupportedNativeLayout("sizeof(NV) \(doubleSize)"), at: layoutStart)
        }
        return StorableHeader(
            isFile: isFile, majorVersion: major, minorVersion: minor, byteOrder: byteOrder,
            integerSize: orderLength, doubleSize: doubleSize, count: position)
    }

    private init(
        isFile: Bool, majorVersion: Int, minorVersion: Int, byteOrder: ByteOrder, integerSize: Int,
        doubleSize: Int, count: Int
    ) {
        self.isFile = isFile
        self.majorVersion = majorVersion
        self.minorVersion = minorVersion
        self.byteOrder = byteOrder
        self.integerSize = integerSize
        self.doubleSize = doubleSize
        self.count = count
    }
}
