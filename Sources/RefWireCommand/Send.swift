import ArgumentParser
import Dispatch
import RefWire
import RefWireNIO
import Synchronization

/// `refwire send HOST:PORT`: a client for scripts — each frame on standard input is sent
/// to a POE peer and its reply written to standard output.
struct Send: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send each frame of standard input to a POE peer and write its replies.",
        discussion: """
            Connects to HOST:PORT, a peer speaking POE::Filter::Reference with the given \
            serializer and compression, then reads frames on standard input (in that same \
            serializer and compression), sends each message and writes each reply as a \
            frame on standard output, in order, as it arrives. Every message must be \
            answered by exactly one reply, as POE servers answer.

            Each message is decoded before it is sent, so nothing malformed reaches the \
            peer: at the first bad frame the replies before it have been written and the \
            exit status is 1.

            Exit status: 0 every message was answered; 1 the input is not a valid frame \
            stream in the serializer, or a reply cannot be written in it; 64 usage error; \
            66 a key file cannot be read; 69 the peer cannot be reached, closed the \
            connection or did not answer within --timeout; 74 read or write error.
            """)

    @Argument(help: ArgumentHelp("The peer: HOST:PORT, or [IPV6]:PORT.", valueName: "host:port"))
    var peer: HostAndPort

    @OptionGroup
    var connection: ConnectionOptions

    @Option(help: ArgumentHelp("Longest wait for one reply, in seconds.", valueName: "seconds"))
    var timeout = 30.0

    @Option(help: ArgumentHelp("Longest wait to connect (and finish a sealing handshake), in seconds.",
                               valueName: "seconds"))
    var connectTimeout = 5.0

    @Option(help: ArgumentHelp(
        "Apache::Backend::POE's ping timeout: 0 pings before every message, a negative value never, N > 0 when idle for more than N seconds.",
        valueName: "seconds"))
    var pingTimeout = -1

    func validate() throws {
        guard timeout > 0, connectTimeout > 0 else {
            throw ValidationError("--timeout and --connect-timeout must be positive.")
        }
    }

    func run() throws {
        try reportingFailures { () throws(CommandFailure) in
            let wire = try connection.wire()
            let endpoint = Endpoint(
                alias: peer.description, host: peer.host, port: peer.port, wire: wire,
                pingPolicy: PingPolicy(apacheTimeout: pingTimeout),
                connectTimeout: .milliseconds(Int64(connectTimeout * 1000)),
                requestTimeout: .milliseconds(Int64(timeout * 1000)),
                reconnect: ReconnectBackoff(maximumAttempts: 1))
            let client = RefWireClient(endpoints: [endpoint], logger: commandLogger("refwire.send"))
            defer { try? waitFor { () throws(CommandFailure) in await client.shutdown() } }
            try waitFor { () throws(CommandFailure) in
                do throws(RefWireClientError) { try await client.connectAll() } catch { throw .unavailable("\(error)") }
            }

            let writer = connection.frameWriter()
            let format = connection.format
            let alias = endpoint.alias
            let output = ByteSink.standardOutput()
            var pump = FramePump(
                limits: wire.limits, compression: connection.compression, source: .standardInput(), sink: output)
            try pump.run { (item) throws(CommandFailure) in
                let payload: ArraySlice<UInt8>
                switch item.result {
                case .success(let bytes): payload = bytes
                case .failure(let error): throw .payload(error)
                }
                let message: PerlValue
                do throws(PayloadDecodingError) {
                    message = try wire.codec.decode(payload, as: format)
                } catch {
                    throw .stream(offset: item.offset, message: "the frame's payload does not decode: \(error)")
                }
                let reply = try waitFor { () throws(CommandFailure) in
                    do throws(RefWireClientError) {
                        return try await client.request(message, to: alias)
                    } catch {
                        throw .unavailable("no reply to the frame at byte \(item.offset): \(error)")
                    }
                }
                do {
                    try writer.write(try wire.codec.encode(reply, as: format), into: &output.pending)
                } catch {
                    throw .conversion("cannot write the reply to the frame at byte \(item.offset): \(error)")
                }
            }
        }
    }
}

/// Runs `operation` and waits for it on this thread.
///
/// The verbs read standard input with blocking reads on the main thread; the client's
/// work runs on its event loops, so this thread can wait for it without holding
/// anything the operation needs.
private func waitFor<Value: Sendable>(
    _ operation: @escaping @Sendable () async throws(CommandFailure) -> Value
) throws(CommandFailure) -> Value {
    let outcome = Mutex<Result<Value, CommandFailure>?>(nil)
    let done = DispatchSemaphore(value: 0)
    Task {
        let result: Result<Value, CommandFailure>
        do throws(CommandFailure) { result = .success(try await operation()) } catch { result = .failure(error) }
        outcome.withLock { $0 = result }
        done.signal()
    }
    done.wait()
    return try outcome.withLock { $0! }.get()
}
