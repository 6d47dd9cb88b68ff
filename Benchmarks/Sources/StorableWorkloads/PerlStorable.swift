/// Perl's side: one long-lived `perl Perl/storable_bench.pl serve` that times `thaw` and
/// `nfreeze` in its own process, so process start and the pipe stay outside every timed
/// pass (see the script's header for the protocol).
public final class PerlStorable {
    private let process: ChildProcess

    public init(script: String = BenchmarkPaths.perlScript) throws(SubprocessError) {
        process = try ChildProcess("perl", [script, "serve"])
    }

    /// "Perl 5.36.0, Storable 3.26".
    public func versions() throws(SubprocessError) -> String {
        try request("versions")
    }

    /// Has Perl read and thaw the image of `corpus`.
    public func load(_ corpus: StorableCorpus) throws(SubprocessError) {
        let size = try request("load \(corpus.name) \(corpus.imagePath)")
        guard Int(size) == corpus.image.count else {
            throw .protocolError("Perl read \(size) bytes of \(corpus.imagePath), RefWire \(corpus.image.count)")
        }
    }

    /// Untimed passes: at least `nanoseconds` and `passes`. Returns the fastest (ns).
    public func warmUp(_ direction: StorableDirection, on corpus: StorableCorpus, nanoseconds: Double, passes: Int)
        throws(SubprocessError) -> Double
    {
        try number(request("warm \(corpus.name) \(direction.perlOperation) \(Int(nanoseconds)) \(passes)"))
    }

    /// The median of `passes` timed passes, in nanoseconds.
    public func medianPass(_ direction: StorableDirection, on corpus: StorableCorpus, passes: Int)
        throws(SubprocessError) -> Double
    {
        try number(request("time \(corpus.name) \(direction.perlOperation) \(passes)"))
    }

    /// Whether Perl thaws the image at `path` to the same data as its own thaw of
    /// `corpus` (their canonical `nfreeze`s are equal).
    public func thawsEqual(_ path: String, to corpus: StorableCorpus) throws(SubprocessError) -> Bool {
        try request("verify \(corpus.name) \(path)") == "same"
    }

    /// Has Perl write its canonical `nfreeze` of `corpus` to `path`.
    public func writeCanonical(of corpus: StorableCorpus, to path: String) throws(SubprocessError) {
        _ = try request("canonical \(corpus.name) \(path)")
    }

    public func close() throws(SubprocessError) {
        try process.send("quit")
        try process.finish()
    }

    private func request(_ line: String) throws(SubprocessError) -> String {
        try process.send(line)
        guard let reply = try process.readLine() else { throw .protocolError("Perl exited after: \(line)") }
        guard reply.hasPrefix("ok") else { throw .protocolError("Perl: \(reply) (after: \(line))") }
        return String(reply.dropFirst(3))
    }

    private func number(_ text: String) throws(SubprocessError) -> Double {
        guard let value = Double(text) else { throw .protocolError("Perl replied '\(text)', not a number") }
        return value
    }
}
