#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import RefWire
@testable import RefWireConformance
import Testing

/// Spec/protocol.md §5.4, *Closing*: a server that closes a connection half-closes and
/// lingers. A socket closed outright answers the next frame it gets with a reset, and a
/// reset can destroy the server's last frames before the client reads them: SwiftNIO
/// handles a reset first and closes the channel without reading what is queued
/// (`SelectableEventLoop.handleEvent`). That was the cause of a rare CI failure,
/// `malformed/too_many_violations` against the Perl server, when a barrier `ping` of the
/// runner reached a socket the server had just closed.
///
/// The test forces that order with a plain socket: the frame that ends the connection,
/// a pause in which the server answers and gives up, one more frame, a pause in which a
/// reset would arrive; then the socket must hold no error, and the frames must be there.
@Suite("A server that closes a connection lingers, so its last frames survive a late message", .serialized)
struct LingeringCloseTests {
    enum Server: String, CaseIterable, CustomTestStringConvertible {
        case refwire, perl
        var testDescription: String { rawValue }
    }

    @Test("The errors before the close arrive although the client sent another frame", arguments: Server.allCases)
    func lastFramesSurvive(_ server: Server) async throws {
        let command: String
        switch server {
        case .refwire:
            let binary = try #require(RefWireBinary.quoted, "the refwire executable was not found (set REFWIRE_EXECUTABLE)")
            command = "exec \(binary) serve --protocol --listen 127.0.0.1:0 max_violations_per_connection=1"
        case .perl:
            command = "exec perl \(PerlImplementationTests.script("session_server.pl")) nstorable 0 0 max_violations_per_connection=1"
        }
        let process = try await ClientProcess(command: command, environment: ["REFWIRE_POE_SECONDS": "60"])
        defer { Task { await process.terminate() } }
        let portLine = try await process.nextLine(by: .now + .seconds(30))
        let port = try #require(portLine.flatMap { UInt16(String(decoding: $0, as: UTF8.self)) }, "no port from the server")

        let vectors = try ProtocolVector.load(json: Data(contentsOf: ProtocolVector.file(in: specFolder())))
        func frame(_ name: String) throws -> [UInt8] {
            let vector = vectors.first { $0.name == name }
            return try #require(vector?.frames[.nstorable], "no nstorable vector \(name)")
        }
        let connection = try PlainConnection(port: port)
        try connection.write(frame("hello_minimal"))
        var decoder = FrameDecoder()
        let welcome = try connection.readFrames(1, into: &decoder)
        #expect(welcome.first?["cmd"]?.stringValue == "welcome")

        try connection.write(try FrameEncoder().encode(SocketScenarioServer.unreadablePayload))
        try await Task.sleep(for: .milliseconds(300))    // the server answers and closes
        try connection.write(frame("ping"))               // reaches a server that gave up
        try await Task.sleep(for: .milliseconds(300))    // a reset would have arrived by now

        #expect(connection.pendingError == 0, "the server reset the connection: \(String(cString: strerror(connection.pendingError)))")
        let last = try connection.readFrames(2, into: &decoder)
        #expect(last.map { $0["code"]?.stringValue } == ["malformed_payload", "too_many_violations"])
        #expect(try connection.readsEndOfInput(), "the server did not close after too_many_violations")
    }
}

/// A blocking IPv4 TCP connection to 127.0.0.1, with a receive timeout: only this test
/// needs to control exactly when bytes are read, which an event loop does not offer.
fileprivate final class PlainConnection {
    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ call: String) { description = "\(call): \(String(cString: strerror(errno)))" }
        init(endOfInputAfter frames: Int) { description = "the connection ended after \(frames) frames" }
    }

    private let descriptor: Int32

    init(port: UInt16, receiveTimeout: Int = 5) throws {
        #if canImport(Glibc)
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard descriptor >= 0 else { throw Failure("socket") }
        var timeout = timeval(tv_sec: receiveTimeout, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { close(descriptor); throw Failure("connect") }
    }

    deinit { close(descriptor) }

    func write(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { throw Failure("send") }
            sent += count
        }
    }

    /// Reads until `count` frames are whole and decodes them as nstorable; a reset or the
    /// end of input before then throws.
    func readFrames(_ count: Int, into decoder: inout FrameDecoder) throws -> [PerlValue] {
        var messages: [PerlValue] = []
        while messages.count < count {
            while messages.count < count, let frame = try decoder.nextFrame() {
                messages.append(try PayloadCodec().decode(frame.payload, as: .nstorable))
            }
            guard messages.count < count else { break }
            var buffer = [UInt8](repeating: 0, count: 4096)
            let received = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            guard received > 0 else {
                if received == 0 { throw Failure(endOfInputAfter: messages.count) }
                throw Failure("recv")
            }
            try decoder.feed(buffer[..<received])
        }
        return messages
    }

    /// The error the socket holds (`SO_ERROR`: `EPIPE` or `ECONNRESET` after a reset), or 0.
    var pendingError: Int32 {
        var error: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &error, &length)
        return error
    }

    /// Whether the next read is the end of input (not a reset, not more bytes).
    func readsEndOfInput() throws -> Bool {
        var byte: UInt8 = 0
        let received = recv(descriptor, &byte, 1, 0)
        guard received >= 0 else { throw Failure("recv") }
        return received == 0
    }
}
