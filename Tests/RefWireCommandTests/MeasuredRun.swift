#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Foundation

/// A run of `refwire` with its exact resource use: peak resident set size and CPU time
/// as the kernel accounts them when it reaps the process (`wait4`'s `rusage`).
///
/// `ProcessOutcome.peakResidentKiB` samples `/proc` while a child runs, which misses the
/// peak of a child that exits between two samples (every hostile input here is refused
/// within milliseconds); and the child's own `ru_maxrss` is useless from this process,
/// because glibc's `posix_spawn` uses `vfork` and Linux then charges the parent's peak to
/// the child. So the child is started by a small launcher, perl (which the tests need
/// anyway): it `fork`s — the child's page tables are perl's few MiB, not this process's
/// hundreds — `exec`s `refwire`, reaps it with `wait4`, reports the `rusage` on standard
/// error after everything `refwire` wrote, and exits with `refwire`'s status.
struct MeasuredRun {
    var outcome: ProcessOutcome
    /// `ru_maxrss`: the most memory `refwire` ever had resident, in KiB.
    var peakResidentKiB: Int
    /// User plus system CPU time of `refwire`, in seconds: unlike wall time, not
    /// stretched by other processes on a loaded machine.
    var cpuSeconds: Double
    /// From the launcher's start to the report (perl's start-up included).
    var wallSeconds: Double

    var status: Int32 { outcome.status }
    var stdout: [UInt8] { outcome.stdout }
    /// What `refwire` wrote on standard error, without the launcher's report.
    var stderrText: String

    /// The launcher: `perl -e launcher refwire ARGS...`.
    private static let launcher = """
        use strict; use warnings;
        require "syscall.ph";
        my $pid = fork; defined $pid or die "fork: $!";
        if (!$pid) { no warnings 'exec'; exec { $ARGV[0] } @ARGV; print STDERR "exec $ARGV[0]: $!\\n"; require POSIX; POSIX::_exit(127) }
        my ($status, $usage) = ("\\0" x 8, "\\0" x 256);
        my $reaped;
        do { $reaped = syscall(&SYS_wait4, $pid, $status, 0, $usage) } while ($reaped == -1 && $!{EINTR});
        $reaped == $pid or die "wait4: $!";
        my ($user, $user_us, $system, $system_us, $maxrss) = unpack("q5", $usage);
        my $code = unpack("i", $status);
        printf STDERR "\\n%s %d %.6f\\n", "\(reportMarker)", $maxrss, $user + $system + ($user_us + $system_us) / 1e6;
        exit(($code & 0x7F) ? 128 + ($code & 0x7F) : ($code >> 8) & 0xFF);
        """
    private static let reportMarker = "REFWIRE-RUSAGE:"

    enum Failure: Error, CustomStringConvertible {
        case perlNotFound
        case noReport(stderr: String)

        var description: String {
            switch self {
            case .perlNotFound: return "perl not found on PATH (the tests need it: scripts/test installs it)"
            case .noReport(let stderr): return "the launcher reported no resource use; stderr: \(stderr.suffix(500))"
            }
        }
    }

    static let perl: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/perl" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    /// Runs `refwire arguments` with `stdin` as its input, to completion (at most
    /// `timeout` seconds of wall time).
    init(_ arguments: [String], stdin: [UInt8], timeout: Double = 60) throws {
        guard let executable = RefWireExecutable.path else { throw SubprocessError.executableNotFound }
        guard let perl = Self.perl else { throw Failure.perlNotFound }
        let start = Date()
        let child = try ChildProcess(executable: perl, arguments: ["-e", Self.launcher, executable] + arguments)
        child.send(stdin, close: true, timeout: timeout)
        outcome = child.finish(timeout: max(1, timeout + start.timeIntervalSinceNow))
        wallSeconds = -start.timeIntervalSinceNow

        var text = outcome.stderrText
        guard let marker = text.range(of: "\n\(Self.reportMarker) ", options: .backwards) else {
            throw Failure.noReport(stderr: text)
        }
        let fields = text[marker.upperBound...].split(whereSeparator: \.isWhitespace)
        guard fields.count == 2, let kib = Int(fields[0]), let seconds = Double(fields[1]) else {
            throw Failure.noReport(stderr: text)
        }
        peakResidentKiB = kib
        cpuSeconds = seconds
        text.removeSubrange(marker.lowerBound...)
        stderrText = text
    }
}
