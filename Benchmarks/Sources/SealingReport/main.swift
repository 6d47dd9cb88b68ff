// Prints RefWire's sealed-frame throughput (SealedChannel.seal, and opening through
// SealedChannel.feed/next) as a fraction of raw libsodium
// crypto_secretstream_xchacha20poly1305_push/pull of the same payloads, measured in the
// same run, at 64 B, 1 KiB and 64 KiB (Spec/sealing.md; issue #6's goal: >= 0.9 x raw at
// 1 KiB and 64 KiB).
import ReportSupport

#if canImport(Glibc)
import Glibc
#endif

/// The goal, and the sizes it applies to.
let goalRatio = 0.9
let goalSizes: Set<Int> = [1 << 10, 64 << 10]

var rounds = 9
var sizes = [64, 1 << 10, 64 << 10]
var checkGoal = false
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    switch argument {
    case "--rounds":
        guard let value = arguments.popFirst().flatMap(Int.init), value > 0 else { fatalError("--rounds needs a positive count") }
        rounds = value
    case "--quick":
        rounds = 3
    case "--check":
        checkGoal = true
    case "--sizes":
        guard let value = arguments.popFirst() else { fatalError("--sizes needs a comma-separated list of byte counts") }
        sizes = value.split(separator: ",").compactMap { Int($0) }
    case "-h", "--help":
        print("""
            usage: SealingReport [--rounds N] [--quick] [--check] [--sizes 64,1024,65536]
              --rounds N   rounds to take medians over (default \(rounds)); each round times every
                           workload once, in a rotating order
              --quick      3 rounds, for a smoke test
              --check      exit 1 if RefWire is below \(fixed(goalRatio, 1)) x raw secretstream at 1 KiB or
                           64 KiB, sealing or opening
            """)
        exit(0)
    default:
        fatalError("unknown argument \(argument); try --help")
    }
}

enum Operation: String, CaseIterable {
    case seal, open
}

enum Side: String {
    case raw = "raw secretstream"
    case refWire = "RefWire"
}

struct Key: Hashable {
    let operation: Operation
    let side: Side
}

struct Row {
    let size: Int
    let operation: Operation
    let rawMBps: Double
    let refWireMBps: Double
    let ratios: [Double]
}

let clock = ContinuousClock()
var rows: [Row] = []
do {
    for size in sizes {
        let workload = try SealingWorkload(payloadSize: size)
        func pass(_ key: Key) throws -> Double {
            let (elapsed, _): (Duration, Int) =
                switch (key.operation, key.side) {
                case (.seal, .raw): workload.rawPush(clock)
                case (.seal, .refWire): try workload.refWireSeal(clock)
                case (.open, .raw): try workload.rawPull(clock)
                case (.open, .refWire): try workload.refWireOpen(clock)
                }
            return elapsed.nanoseconds
        }
        let keys = Operation.allCases.flatMap { operation in [Key(operation: operation, side: .raw), Key(operation: operation, side: .refWire)] }
        for key in keys { for _ in 0..<3 { _ = try pass(key) } }  // warm up
        var times: [Key: [Double]] = [:]
        for round in 0..<rounds {
            for step in keys.indices {
                let key = keys[(round + step) % keys.count]
                // Each round's figure is the median of 5 passes.
                times[key, default: []].append(try (0..<5).map { _ in try pass(key) }.median())
            }
        }
        let bytes = Double(workload.framesPerPass * size)
        for operation in Operation.allCases {
            let raw = times[Key(operation: operation, side: .raw)]!
            let ours = times[Key(operation: operation, side: .refWire)]!
            rows.append(Row(
                size: size, operation: operation,
                rawMBps: bytes / raw.median() * 1e3, refWireMBps: bytes / ours.median() * 1e3,
                ratios: zip(raw, ours).map { $0 / $1 }.sorted()))
        }
    }
} catch {
    print("error: \(error)")
    exit(2)
}

func sizeLabel(_ size: Int) -> String {
    size >= 1 << 10 ? "\(size >> 10) KiB" : "\(size) B"
}

var table = TextTable(header: [
    "payload", "operation", "raw MB/s", "RefWire MB/s", "RefWire x raw", "min-max", "goal >= \(fixed(goalRatio, 1))",
])
var unmet: [String] = []
for row in rows {
    let ratio = row.ratios.median()
    let hasGoal = goalSizes.contains(row.size)
    if hasGoal && ratio < goalRatio { unmet.append("\(sizeLabel(row.size)) \(row.operation.rawValue)") }
    table.rows.append([
        sizeLabel(row.size), row.operation.rawValue, fixed(row.rawMBps, 0), fixed(row.refWireMBps, 0), fixed(ratio, 3),
        fixed(row.ratios.first!, 2) + "-" + fixed(row.ratios.last!, 2),
        hasGoal ? (ratio >= goalRatio ? "met" : "NOT MET") : "(none)",
    ])
}
print("Sealed-frame throughput against raw crypto_secretstream_xchacha20poly1305 (\(rounds) interleaved rounds, medians)")
print("seal: SealedChannel.seal (frame header, tag choice, push) vs push alone; open: SealedChannel.feed + next")
print("(framing, pull into the payload array handed out, recycled once the caller drops it) vs pull into one buffer")
print()
print(table.render())
if checkGoal && !unmet.isEmpty {
    print("\ngoal (>= \(fixed(goalRatio, 1)) x raw) not met: \(unmet.joined(separator: ", "))")
    exit(1)
}
