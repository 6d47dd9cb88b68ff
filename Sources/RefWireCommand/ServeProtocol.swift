import ArgumentParser
import RefWire
import RefWireNIO

extension Serve {
    /// `refwire serve --protocol`: the session protocol's server (``RefWireSessionServer``)
    /// on the same wire options, configured by the `KEY=VALUE` settings; the port is printed
    /// first when `--listen` asks for port 0.
    /// The first signal sends every connection `bye` and closes them (after
    /// `--grace-period` at the latest).
    func serveProtocol(signals: ShutdownSignals) async throws {
        let server: RefWireSessionServer
        do throws(CommandFailure) {
            var configuration = RefWireSessionServer.Configuration(host: listen.host, port: listen.port, wire: try connection.wire())
            configuration.maximumConnections = maxConnections
            configuration.session.name = "refwire"
            do throws(SessionServerOptions.SettingError) {
                configuration.session = try configuration.session.applying(settings: settings)
            } catch {
                throw CommandFailure.usage("\(error)")
            }
            server = RefWireSessionServer(configuration: configuration, logger: commandLogger("refwire.serve"))
        } catch {
            StandardError.write("refwire: \(error.message)\n")
            throw ExitCode(error.exitStatus)
        }
        do throws(SessionTransportError) {
            try await server.start()
        } catch {
            StandardError.write("refwire: \(error)\n")
            throw ExitCode(ExitStatus.unavailable)
        }
        if listen.port == 0, let port = server.port {
            writeStandardOutputLine("\(port)")
        }
        await signals.next()
        await server.shutdown(gracePeriod: .milliseconds(Int64(gracePeriod * 1000)))
    }
}
