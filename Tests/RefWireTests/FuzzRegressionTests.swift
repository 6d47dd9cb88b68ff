import Foundation
import RefWire
import Testing

/// Replays every input the fuzzers found (`Fuzz/Regressions/<Target>/<name>`) through the
/// target that found it, so that a fixed bug stays fixed in the ordinary test run.
///
/// The targets are the fuzzers' own code: `FuzzTargets/` here is a symbolic link to
/// `Fuzz/Sources/FuzzTargets`, compiled into this test module, so a finding is judged by
/// exactly the properties the fuzzer checked (without libFuzzer and AddressSanitizer,
/// which only the fuzz package's build has; `Fuzz/run.sh` replays the same files under
/// them).
///
/// A finding in a parser that another change is to fix waits in `<Target>/open/`: it is
/// replayed as a known issue, and once it passes, the test fails until the file moves
/// up to the fixed findings.
@Suite("Fuzzing findings")
struct FuzzRegressionTests {
    /// One saved input, and the folder it was found in.
    struct Finding: CustomTestStringConvertible, Sendable {
        var folder: String
        var name: String
        var url: URL
        /// Whether the bug it shows is still to be fixed.
        var isOpen: Bool

        var target: FuzzTarget? { FuzzTarget(rawValue: folder) }
        var testDescription: String { "\(folder)/\(isOpen ? "open/" : "")\(name)" }
    }

    /// `Fuzz/Regressions`, found from the repository's `Spec` folder.
    static func regressionsFolder() throws -> URL {
        try SpecVectors.specFolder().deletingLastPathComponent()
            .appendingPathComponent("Fuzz/Regressions", isDirectory: true)
    }

    /// The saved inputs, by folder then name; hidden files are not inputs.
    static let findings: [Finding] = {
        guard let root = try? regressionsFolder() else { return [] }
        return visibleEntries(of: root).flatMap { folder -> [Finding] in
            let directory = root.appendingPathComponent(folder, isDirectory: true)
            let open = directory.appendingPathComponent("open", isDirectory: true)
            return files(in: directory).map { Finding(folder: folder, name: $0, url: directory.appendingPathComponent($0), isOpen: false) }
                + files(in: open).map { Finding(folder: folder, name: $0, url: open.appendingPathComponent($0), isOpen: true) }
        }
    }()

    private static func visibleEntries(of directory: URL) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted()
    }

    private static func files(in directory: URL) -> [String] {
        visibleEntries(of: directory).filter { name in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: directory.appendingPathComponent(name).path, isDirectory: &isDirectory)
                && !isDirectory.boolValue
        }
    }

    @Test("Every regression folder is a fuzz target's, and the findings are there")
    func foldersAreTargets() throws {
        let root = try Self.regressionsFolder()
        let targets = Set(FuzzTarget.allCases.map(\.name))
        #expect(Set(Self.visibleEntries(of: root)).isSubset(of: targets), "folders in \(root.path) that name no target")
        // A moved folder must not make the replay pass by finding nothing.
        #expect(Self.findings.contains { !$0.isOpen }, "no saved findings in \(root.path)")
    }

    @Test("A saved finding passes the target that found it", arguments: Self.findings)
    func replay(_ finding: Finding) throws {
        let target = try #require(finding.target, "\(finding.folder) is not a fuzz target")
        let input = try [UInt8](Data(contentsOf: finding.url))
        if finding.isOpen {
            withKnownIssue("open: \(finding.testDescription) — once it passes, move it out of open/") {
                try target.run(input)
            }
            return
        }
        do {
            try target.run(input)
        } catch {
            Issue.record("\(finding.testDescription): \(error)")
        }
    }
}
