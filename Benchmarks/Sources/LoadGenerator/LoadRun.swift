import NIOCore
import NIOPosix
import RefWire
import RefWireNIO
import ReportSupport
import StorableWorkloads
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// What the load is: how many connections, how many requests each, in which format.
public struct LoadSettings: Sendable {
    /// Issue #7's goal: RefWire's server at least this many times POE's messages/s.
    public static let goalRatio = 10.0

    public var connections = 1_000
    public var requestsPerConnection = 1_000
    /// Event loop threads of the generator (the servers are separate processes).
    public var threads = 1
    /// `nstorable` or `yaml`: what both servers speak.
    public var serializer = "nstorable"
    public var compressed = false
    /// Connections opened at once while setting up (a listen backlog is finite).
    public var connectConcurrency = 64
    /// The longest one server's run may take before it is abandoned.
    public var timeLimit: Duration = .seconds(900)

    public init() {}

    var wire: WireConfiguration {
        .poeFilterReference(format: serializer == "yaml" ? .yaml : .nstorable,
                            compression: compressed ? .zlib() : .none)
    }
}

/// The servers measured.
public enum LoadServer: String, Sendable, Hashable, CaseIterable {
    /// RefWireServer (RefWireNIO), echoing, in a process of its own (`LoadReport serve`).
    case refWire = "refwire"
    /// Tests/RefWireInteropTests/Perl/poe_server.pl in echo mode: POE::Component::Server::TCP.
    case poe
    /// A bare NIO server that writes back every byte it reads, without framing or
    /// decoding: the ceiling any server can reach with this generator on this machine.
    case rawEcho = "raw-echo"

    public var title: String {
        switch self {
        case .refWire: "RefWire (NIO)"
        case .poe: "Perl POE"
        case .rawEcho: "NIO byte echo (ceiling)"
        }
    }

    /// Starts the server; returns it and the port it listens on (its first line of output).
    func launch(_ settings: LoadSettings) throws -> (ChildProcess, Int) {
        let process: ChildProcess
        switch self {
        case .refWire:
            process = try ChildProcess(
                CommandLine.arguments[0],
                ["serve", settings.serializer, settings.compressed ? "1" : "0"])
        case .rawEcho:
            process = try ChildProcess(CommandLine.arguments[0], ["serve", "raw"])
        case .poe:
            let script = BenchmarkPaths.packageDirectory + "/../Tests/RefWireInteropTests/Perl/poe_server.pl"
            process = try ChildProcess(
                "perl", [script, "0", settings.serializer, settings.compressed ? "1" : "0", "echo"],
                environment: ["REFWIRE_POE_SECONDS": "1800"])
        }
        guard let line = try process.readLine(), let port = Int(line) else {
            throw SubprocessError.protocolError("\(title) printed no port")
        }
        return (process, port)
    }
}

/// What one server's run measured.
public struct LoadResult: Sendable {
    public var replies: Int
    public var lost: Int
    public var duplicated: Int
    public var altered: Int
    public var seconds: Double
    /// Every request's round trip, in nanoseconds, sorted.
    var latencies: [UInt64]

    public var messagesPerSecond: Double { Double(replies) / seconds }

    /// The latency at `quantile` (0…1), in seconds.
    public func latency(_ quantile: Double) -> Double {
        guard !latencies.isEmpty else { return .nan }
        let index = min(latencies.count - 1, Int((Double(latencies.count) * quantile).rounded(.up)) - 1)
        return Double(latencies[max(0, index)]) / 1e9
    }
}

/// One server's run: start it, connect every connection, release the load on all at
/// once, wait until each connection has its last reply (or fails), stop the server.
public struct LoadRun: Sendable {
    let server: LoadServer
    let settings: LoadSettings

    public init(server: LoadServer, settings: LoadSettings) {
        self.server = server
        self.settings = settings
    }

    public func run() async throws -> LoadResult {
        let (process, port) = try server.launch(settings)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: settings.threads)
        do {
            let result = try await load(port: port, group: group)
            try await group.shutdownGracefully()
            try process.finish()
            return result
        } catch {
            try? await group.shutdownGracefully()
            _ = try? process.finish()
            throw error
        }
    }

    private func load(port: Int, group: MultiThreadedEventLoopGroup) async throws -> LoadResult {
        // Connect everything first, a batch at a time.
        var connections: [(Channel, EventLoopFuture<ConnectionOutcome>)] = []
        var index = 0
        while index < settings.connections {
            let batch = index..<min(settings.connections, index + settings.connectConcurrency)
            let opened = try await withThrowingTaskGroup(of: (Channel, EventLoopFuture<ConnectionOutcome>).self) { tasks in
                for number in batch {
                    tasks.addTask { try await connect(number, port: port, group: group) }
                }
                var opened: [(Channel, EventLoopFuture<ConnectionOutcome>)] = []
                for try await connection in tasks { opened.append(connection) }
                return opened
            }
            connections += opened
            index = batch.upperBound
        }

        let start = ContinuousClock.now
        for (channel, _) in connections { channel.pipeline.fireUserInboundEventTriggered(StartLoad()) }
        var outcomes: [ConnectionOutcome] = []
        let deadline = start + settings.timeLimit
        for (channel, outcome) in connections {
            let remaining = deadline - ContinuousClock.now
            let timer = channel.eventLoop.scheduleTask(in: .nanoseconds(Int64(max(0, remaining.nanoseconds)))) {
                channel.close(promise: nil)
            }
            outcomes.append(try await outcome.get())
            timer.cancel()
        }
        let seconds = (ContinuousClock.now - start).nanoseconds / 1e9
        for (channel, _) in connections { try? await channel.close() }

        var result = LoadResult(replies: 0, lost: 0, duplicated: 0, altered: 0, seconds: seconds, latencies: [])
        result.latencies.reserveCapacity(settings.connections * settings.requestsPerConnection)
        for outcome in outcomes {
            result.replies += outcome.replies
            result.lost += settings.requestsPerConnection - outcome.replies
            result.duplicated += outcome.duplicated
            result.altered += outcome.altered
            result.latencies += outcome.latencies
        }
        result.latencies.sort()
        return result
    }

    private func connect(_ number: Int, port: Int, group: MultiThreadedEventLoopGroup) async throws
        -> (Channel, EventLoopFuture<ConnectionOutcome>)
    {
        let loop = group.next()
        let done = loop.makePromise(of: ConnectionOutcome.self)
        let (wire, requests) = (settings.wire, settings.requestsPerConnection)
        let channel = try await ClientBootstrap(group: loop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    try pipeline.addHandler(FrameDecodingHandler(limits: wire.limits))
                    try pipeline.addHandler(FrameEncodingHandler(maximumFrameLength: wire.limits.maximumFrameLength))
                    if case .zlib = wire.compression {
                        try pipeline.addHandler(PayloadCompressionHandler(compression: wire.compression))
                    }
                    try pipeline.addHandler(
                        LoadConnectionHandler(number: number, requests: requests, wire: wire, done: done))
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
        return (channel, done.futureResult)
    }
}

/// Sent through each pipeline when the load starts.
struct StartLoad {}

/// What one connection saw.
struct ConnectionOutcome: Sendable {
    var replies = 0
    var duplicated = 0
    var altered = 0
    var latencies: [UInt64] = []
}

/// Drives one connection: a request, its reply checked and timed, the next request.
///
/// Each request is `{conn => N, seq => S, body => …}`; an echo server must return it
/// unchanged. A reply whose `seq` was answered before counts as duplicated, one that
/// differs otherwise as altered; requests never answered count as lost.
///
/// The generator works on payload bytes, so that it costs the machine as little as it
/// can (server and generator share its cores): a reply equal to the request byte for byte
/// is the request; any other reply is decoded and compared as data (POE's nfreeze writes
/// the hash's keys in its own order).
final class LoadConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ReceivedPayload
    typealias OutboundOut = [UInt8]

    /// About the size of an Apache::Backend::POE message.
    static let body = PerlValue.bytes(Array("the quick brown fox jumps over the lazy dog, 0123456789".utf8))

    private let number: Int
    private let requests: Int
    private let wire: WireConfiguration
    private let done: EventLoopPromise<ConnectionOutcome>
    private var outcome = ConnectionOutcome()
    private var sent = 0
    private var sentAt: UInt64 = 0
    private var request: [UInt8] = []
    private var finished = false

    init(number: Int, requests: Int, wire: WireConfiguration, done: EventLoopPromise<ConnectionOutcome>) {
        self.number = number
        self.requests = requests
        self.wire = wire
        self.done = done
        outcome.latencies.reserveCapacity(requests)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is StartLoad { sendNext(context: context) } else { context.fireUserInboundEventTriggered(event) }
    }

    private func sendNext(context: ChannelHandlerContext) {
        sent += 1
        let value: PerlValue = .hash(["conn": .integer(Int64(number)), "seq": .integer(Int64(sent)), "body": Self.body])
        request = (try? wire.codec.encode(value, as: wire.format)) ?? []
        sentAt = monotonicNanoseconds()
        context.writeAndFlush(wrapOutboundOut(request), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let payload = unwrapInboundIn(data).bytes
        outcome.latencies.append(monotonicNanoseconds() &- sentAt)
        if payload.elementsEqual(request) {
            outcome.replies += 1
        } else {
            let reply = try? wire.codec.decode(payload, as: wire.format)
            let seq = reply?["seq"]?.int64Value
            if let seq, seq < Int64(sent) {
                outcome.duplicated += 1
                return  // still waiting for the reply to the request in flight
            }
            outcome.replies += 1
            if seq != Int64(sent) || reply?["conn"]?.int64Value != Int64(number) || reply?["body"] != Self.body {
                outcome.altered += 1
            }
        }
        if sent < requests { sendNext(context: context) } else { finish() }
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    private func finish() {
        guard !finished else { return }
        finished = true
        done.succeed(outcome)
    }
}

/// CLOCK_MONOTONIC in nanoseconds: the cheapest clock read for one per message.
@inline(__always)
func monotonicNanoseconds() -> UInt64 {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return UInt64(time.tv_sec) &* 1_000_000_000 &+ UInt64(time.tv_nsec)
}
