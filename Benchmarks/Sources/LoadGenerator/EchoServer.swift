import Logging
import NIOCore
import NIOPosix
import RefWire
import RefWireNIO

#if canImport(Glibc)
import Glibc
#endif

/// `LoadReport serve SERIALIZER COMPRESSED`: RefWire's echo server for the load run, in
/// a process of its own — as `refwire serve --echo` runs it — so that it does not share
/// threads with the generator. Prints its port, runs until its standard input ends.
public enum EchoServer {
    public static func run(arguments: [String]) async throws {
        if arguments.first == "raw" { return try await runByteEcho() }
        var settings = LoadSettings()
        settings.serializer = arguments.first ?? "nstorable"
        settings.compressed = arguments.dropFirst().first == "1"
        var configuration = RefWireServer.Configuration(wire: settings.wire)
        configuration.maximumConnections = 1 << 16
        configuration.backlog = 1024
        var logger = Logger(label: "LoadReport.serve")
        logger.logLevel = .warning
        let server = RefWireServer(configuration: configuration, logger: logger) { message, _ in message }
        try await server.start()
        let line = Array("\(server.port!)\n".utf8)
        _ = line.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
        await waitForEndOfInput()
        await server.shutdownNow()
    }

    /// Waits until the generator closes our standard input.
    private static func waitForEndOfInput() async {
        // (A blocking read: the server's work runs on its event loops, not on this pool.)
        await Task.detached {
            var byte: UInt8 = 0
            while read(0, &byte, 1) > 0 {}
        }.value
    }

    /// `LoadReport serve raw`: every byte read is written back, nothing else.
    private static func runByteEcho() async throws {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(ByteEcho()) }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let line = Array("\(channel.localAddress!.port!)\n".utf8)
        _ = line.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
        await waitForEndOfInput()
        try await channel.close()
    }
}

/// Writes back what it reads, flushing once per read batch.
private final class ByteEcho: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.write(data, promise: nil)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
    }
}
