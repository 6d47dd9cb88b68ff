#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#else
#error("unsupported platform")
#endif

/// A file descriptor read with `read(2)`, in chunks.
final class ByteSource {
    let descriptor: Int32
    /// How the input is named in messages.
    let name: String
    private let ownsDescriptor: Bool

    private init(descriptor: Int32, name: String, ownsDescriptor: Bool) {
        self.descriptor = descriptor
        self.name = name
        self.ownsDescriptor = ownsDescriptor
    }

    static func standardInput() -> ByteSource {
        ByteSource(descriptor: STDIN_FILENO, name: "standard input", ownsDescriptor: false)
    }

    /// Opens `path` for reading; `-` means standard input.
    static func open(path: String) throws(CommandFailure) -> ByteSource {
        if path == "-" { return standardInput() }
        var descriptor: Int32
        repeat {
            descriptor = systemOpen(path)
        } while descriptor < 0 && errno == EINTR
        guard descriptor >= 0 else {
            throw .cannotOpen(path: path, reason: errnoText())
        }
        return ByteSource(descriptor: descriptor, name: path, ownsDescriptor: true)
    }

    deinit {
        if ownsDescriptor { _ = close(descriptor) }
    }

    /// Reads at most `buffer.count` bytes into the start of `buffer`; 0 means end of input.
    func read(into buffer: inout [UInt8]) throws(CommandFailure) -> Int {
        while true {
            let count = buffer.withUnsafeMutableBytes { bytes in
                systemRead(descriptor, bytes.baseAddress, bytes.count)
            }
            if count >= 0 { return count }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: waitUntilReady(descriptor, events: Int16(POLLIN))
            default: throw .io("cannot read \(name): \(errnoText())")
            }
        }
    }
}

/// A file descriptor written with `write(2)`: bytes collect in ``pending`` until
/// ``flush()``.
final class ByteSink {
    let descriptor: Int32
    let name: String
    /// Bytes not yet written. Append to it freely.
    var pending: [UInt8] = []

    init(descriptor: Int32, name: String) {
        self.descriptor = descriptor
        self.name = name
    }

    static func standardOutput() -> ByteSink {
        ByteSink(descriptor: STDOUT_FILENO, name: "standard output")
    }

    func append(_ text: String) {
        pending.append(contentsOf: text.utf8)
    }

    /// Writes all pending bytes, through partial writes and interruptions.
    func flush() throws(CommandFailure) {
        guard !pending.isEmpty else { return }
        let failure: Int32? = pending.withUnsafeBytes { bytes in
            writeAll(descriptor, bytes)
        }
        pending.removeAll(keepingCapacity: pending.capacity <= 4 << 20)
        if let failure {
            throw .io("cannot write \(name): \(String(cString: strerror(failure)))")
        }
    }
}

/// Standard error, unbuffered.
enum StandardError {
    static func write(_ text: String) {
        var text = text
        text.withUTF8 { bytes in
            _ = writeAll(STDERR_FILENO, UnsafeRawBufferPointer(bytes))
        }
    }
}

// MARK: - System calls

/// Writes every byte of `bytes`; returns `errno` on failure, `nil` on success.
func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) -> Int32? {
    var offset = 0
    while offset < bytes.count {
        let written = systemWrite(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
        if written > 0 {
            offset += written
            continue
        }
        if written < 0 {
            switch errno {
            case EINTR: continue
            // A descriptor inherited in non-blocking mode: wait instead of spinning.
            case EAGAIN, EWOULDBLOCK: waitUntilReady(descriptor, events: Int16(POLLOUT))
            default: return errno
            }
        }
    }
    return nil
}

private func waitUntilReady(_ descriptor: Int32, events: Int16) {
    var entry = pollfd(fd: descriptor, events: events, revents: 0)
    _ = poll(&entry, 1, -1)
}

private func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    #if canImport(Darwin)
    return Darwin.read(descriptor, buffer, count)
    #elseif canImport(Musl)
    return Musl.read(descriptor, buffer, count)
    #else
    return Glibc.read(descriptor, buffer, count)
    #endif
}

private func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Darwin)
    return Darwin.write(descriptor, buffer, count)
    #elseif canImport(Musl)
    return Musl.write(descriptor, buffer, count)
    #else
    return Glibc.write(descriptor, buffer, count)
    #endif
}

private func systemOpen(_ path: String) -> Int32 {
    #if canImport(Darwin)
    return Darwin.open(path, O_RDONLY | O_CLOEXEC)
    #elseif canImport(Musl)
    return Musl.open(path, O_RDONLY | O_CLOEXEC)
    #else
    return Glibc.open(path, O_RDONLY | O_CLOEXEC)
    #endif
}

func errnoText() -> String {
    String(cString: strerror(errno))
}
