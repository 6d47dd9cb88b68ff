#if canImport(Glibc)
import Glibc
#endif

/// A blocking TCP socket on 127.0.0.1 for the interop tests, with every wait bounded: the
/// library itself has no sockets (it is sans-IO), so this is all the I/O there is.
struct LoopbackSocket: ~Copyable {
    enum Failure: Error, CustomStringConvertible {
        case system(String, Int32)
        case timedOut(String)

        var description: String {
            switch self {
            case .system(let call, let code): "\(call) failed: \(String(cString: strerror(code)))"
            case .timedOut(let what): "timed out waiting to \(what)"
            }
        }
    }

    let descriptor: Int32

    private init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    deinit {
        close(descriptor)
    }

    /// A socket listening on 127.0.0.1 at a port the system picks (``port``).
    static func listen() throws(Failure) -> LoopbackSocket {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw .system("socket", errno) }
        let listener = LoopbackSocket(descriptor: descriptor)
        var address = loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw .system("bind", errno) }
        guard Glibc.listen(descriptor, 1) == 0 else { throw .system("listen", errno) }
        return listener
    }

    /// The local port.
    func port() throws(Failure) -> UInt16 {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard named == 0 else { throw .system("getsockname", errno) }
        return UInt16(bigEndian: address.sin_port)
    }

    /// The first connection, within `seconds`.
    func accept(timeoutSeconds seconds: Int32) throws(Failure) -> LoopbackSocket {
        var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, seconds * 1000) == 1 else { throw .timedOut("accept a connection") }
        let connection = Glibc.accept(descriptor, nil, nil)
        guard connection >= 0 else { throw .system("accept", errno) }
        let socket = LoopbackSocket(descriptor: connection)
        try socket.setTimeouts(seconds)
        return socket
    }

    /// A connection to 127.0.0.1:`port`.
    static func connect(port: UInt16, timeoutSeconds seconds: Int32) throws(Failure) -> LoopbackSocket {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw .system("socket", errno) }
        let socket = LoopbackSocket(descriptor: descriptor)
        try socket.setTimeouts(seconds)
        var address = loopback(port: port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw .system("connect", errno) }
        return socket
    }

    func sendAll(_ bytes: [UInt8]) throws(Failure) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { send(descriptor, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if sent < 0 {
                if errno == EINTR { continue }
                throw errno == EAGAIN ? .timedOut("send") : .system("send", errno)
            }
            offset += sent
        }
    }

    /// Up to 64 KiB received; empty at end of stream.
    func receive() throws(Failure) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count >= 0 { return Array(buffer[..<count]) }
            if errno == EINTR { continue }
            throw errno == EAGAIN ? .timedOut("receive") : .system("recv", errno)
        }
    }

    private func setTimeouts(_ seconds: Int32) throws(Failure) {
        var limit = timeval(tv_sec: Int(seconds), tv_usec: 0)
        for option in [SO_RCVTIMEO, SO_SNDTIMEO] {
            guard setsockopt(descriptor, SOL_SOCKET, option, &limit, socklen_t(MemoryLayout<timeval>.size)) == 0 else {
                throw .system("setsockopt", errno)
            }
        }
    }

    private static func loopback(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return address
    }
}
