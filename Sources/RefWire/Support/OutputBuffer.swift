#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The growable byte buffer encoders write into.
///
/// An append is a capacity check and a store: an `Array`'s appends each also check that
/// the buffer is uniquely referenced, and its generic `append(contentsOf:)` goes through
/// the collection protocols, which together cost encoders a third of their time.
struct OutputBuffer: ~Copyable {
    private var start: UnsafeMutablePointer<UInt8>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int = 256) {
        self.capacity = Swift.max(capacity, 16)
        guard let memory = malloc(self.capacity) else { fatalError("out of memory") }
        start = memory.assumingMemoryBound(to: UInt8.self)
    }

    deinit { free(start) }

    /// The bytes written, as an array.
    consuming func finish() -> [UInt8] {
        Array(UnsafeBufferPointer(start: start, count: count))
    }

    @inline(__always)
    mutating func append(_ byte: UInt8) {
        if count == capacity { grow(toHold: 1) }
        start[count] = byte
        count += 1
    }

    @inline(__always)
    mutating func append(_ first: UInt8, _ second: UInt8) {
        if capacity - count < 2 { grow(toHold: 2) }
        start[count] = first
        start[count + 1] = second
        count += 2
    }

    mutating func append(contentsOf bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        if capacity - count < bytes.count { grow(toHold: bytes.count) }
        let target = UnsafeMutableRawPointer(start + count)
        let length = bytes.count
        // Most strings and keys are short, and a call to memcpy costs more than they do:
        // copy them as two overlapping words.
        if length >= 8, length <= 16 {
            target.storeBytes(of: source.loadUnaligned(as: UInt64.self), as: UInt64.self)
            target.storeBytes(
                of: source.loadUnaligned(fromByteOffset: length - 8, as: UInt64.self), toByteOffset: length - 8,
                as: UInt64.self)
        } else if length >= 4, length < 8 {
            target.storeBytes(of: source.loadUnaligned(as: UInt32.self), as: UInt32.self)
            target.storeBytes(
                of: source.loadUnaligned(fromByteOffset: length - 4, as: UInt32.self), toByteOffset: length - 4,
                as: UInt32.self)
        } else {
            memcpy(target, source, length)
        }
        count += bytes.count
    }

    mutating func append(contentsOf bytes: [UInt8]) {
        bytes.withUnsafeBytes { append(contentsOf: $0) }
    }

    /// A string's UTF-8.
    mutating func append(utf8Of text: String) {
        var text = text
        text.withUTF8 { append(contentsOf: UnsafeRawBufferPointer($0)) }
    }

    /// An integer's bytes, most significant first.
    @inline(__always)
    mutating func append<Integer: FixedWidthInteger>(bigEndian value: Integer) {
        store(value.bigEndian)
    }

    /// An integer's bytes, least significant first.
    @inline(__always)
    mutating func append<Integer: FixedWidthInteger>(littleEndian value: Integer) {
        store(value.littleEndian)
    }

    @inline(__always)
    private mutating func store<Integer: FixedWidthInteger>(_ value: Integer) {
        let size = MemoryLayout<Integer>.size
        if capacity - count < size { grow(toHold: size) }
        UnsafeMutableRawPointer(start + count).storeBytes(of: value, as: Integer.self)
        count += size
    }

    @inline(never)
    private mutating func grow(toHold extra: Int) {
        let (needed, overflow) = count.addingReportingOverflow(extra)
        precondition(!overflow, "output larger than memory")
        var newCapacity = capacity
        while newCapacity < needed { newCapacity = newCapacity > Int.max / 2 ? needed : newCapacity * 2 }
        // realloc: large blocks grow by remapping pages rather than by copying them.
        guard let memory = realloc(start, newCapacity) else { fatalError("out of memory") }
        start = memory.assumingMemoryBound(to: UInt8.self)
        capacity = newCapacity
    }
}
