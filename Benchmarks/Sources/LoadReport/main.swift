// The load benchmark of issue #7: many concurrent connections, each making request
// after request (one in flight), against RefWire's NIO server and against a real Perl
// POE server (POE::Component::Server::TCP with POE::Filter::Reference) in the same run,
// both echoing every message. Reports messages/s, latency percentiles and every lost,
// duplicated or altered reply, and the ratio of the two servers (goal: >= 10 x POE).
//
// Both servers run in processes of their own; this process is the load generator for
// both (RefWireNIO's handlers, one event loop thread unless --threads says otherwise),
// so the two are measured with the same client.
import LoadGenerator
import ReportSupport

#if canImport(Glibc)
import Glibc
#endif

var settings = LoadSettings()
var servers: [LoadServer] = [.refWire, .poe]
var checkGoal = false
var arguments = CommandLine.arguments.dropFirst()

if arguments.first == "serve" {
    arguments.removeFirst()
    try await EchoServer.run(arguments: Array(arguments))
    exit(0)
}

func positive(_ value: String?, _ name: String) -> Int {
    guard let value, let number = Int(value), number > 0 else { fatalError("\(name) needs a positive number") }
    return number
}

while let argument = arguments.popFirst() {
    switch argument {
    case "--connections": settings.connections = positive(arguments.popFirst(), argument)
    case "--requests": settings.requestsPerConnection = positive(arguments.popFirst(), argument)
    case "--threads": settings.threads = positive(arguments.popFirst(), argument)
    case "--serializer":
        guard let name = arguments.popFirst(), name == "nstorable" || name == "yaml" else {
            fatalError("--serializer is nstorable or yaml (what both servers speak)")
        }
        settings.serializer = name
    case "--compress": settings.compressed = true
    case "--servers":
        servers = (arguments.popFirst() ?? "").split(separator: ",").map {
            guard let server = LoadServer(rawValue: String($0)) else { fatalError("--servers takes refwire,poe,raw-echo") }
            return server
        }
    case "--check": checkGoal = true
    case "-h", "--help":
        print("""
            usage: LoadReport [--connections N] [--requests N] [--threads N] [--serializer nstorable|yaml]
                              [--compress] [--servers refwire,poe,raw-echo] [--check]
              --connections N  concurrent connections (default \(settings.connections))
              --requests N     request/response pairs per connection, one in flight (default \(settings.requestsPerConnection))
              --threads N      event loop threads of the load generator (default \(settings.threads))
              --check          exit 1 if RefWire's server is below \(Int(LoadSettings.goalRatio)) x POE's msgs/s,
                               or if any reply was lost, duplicated or altered
            """)
        exit(0)
    default:
        fatalError("unknown argument \(argument); try --help")
    }
}

print("""
    Load: \(grouped(settings.connections)) connections x \(grouped(settings.requestsPerConnection)) \
    request/response each (one in flight per connection), \(settings.serializer)\
    \(settings.compressed ? " + zlib" : ""), echo servers on 127.0.0.1, generator on \
    \(settings.threads) event loop thread(s)
    """)

var results: [LoadServer: LoadResult] = [:]
for server in servers {
    print("\(server.title): running…")
    let result = try await LoadRun(server: server, settings: settings).run()
    results[server] = result
    print("  \(grouped(result.replies)) replies in \(fixed(result.seconds, 1)) s")
}

var table = TextTable(header: [
    "server", "msgs/s", "p50 ms", "p99 ms", "p99.9 ms", "max ms", "lost", "duplicated", "altered",
])
for server in servers {
    guard let result = results[server] else { continue }
    table.rows.append([
        server.title, grouped(Int(result.messagesPerSecond)),
        fixed(result.latency(0.50) * 1e3, 2), fixed(result.latency(0.99) * 1e3, 2),
        fixed(result.latency(0.999) * 1e3, 2), fixed(result.latency(1.0) * 1e3, 2),
        grouped(result.lost), grouped(result.duplicated), grouped(result.altered),
    ])
}
print()
print(table.render())

var failed = results.values.contains { $0.lost + $0.duplicated + $0.altered > 0 }
if let swift = results[.refWire], let poe = results[.poe] {
    let ratio = swift.messagesPerSecond / poe.messagesPerSecond
    let met = ratio >= LoadSettings.goalRatio
    print("\nRefWire / POE msgs/s: \(fixed(ratio, 2)) x (goal >= \(fixed(LoadSettings.goalRatio, 0)) x: \(met ? "met" : "NOT met"))")
    failed = failed || !met
}
if checkGoal && failed { exit(1) }
