import Foundation
import RefWire

/// The scenarios of a `Spec/` folder (`Spec/scenarios/*.json`), loaded in file order, with
/// the protocol vectors (`Spec/vectors/protocol/messages.json`) their `vector` steps name.
///
/// Where the folder is: an explicit path always wins (`refwire conform --spec DIR`);
/// ``locateSpecFolder(environment:executable:currentDirectory:)`` implements the default
/// of `Spec/conformance.md` §1.
public enum ScenarioLibrary {
    /// The environment variable naming the `Spec` folder when no path is given.
    public static let environmentVariable = "REFWIRE_SPEC"

    /// Every scenario of `specFolder/scenarios/*.json`, files in name order. Fails if there
    /// are no files or no scenarios: a suite that runs nothing must not pass.
    public static func load(specFolder: URL) throws(ScenarioError) -> [Scenario] {
        let folder = specFolder.appendingPathComponent("scenarios", isDirectory: true)
        let files: [String]
        do {
            files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".json") }.sorted()
        } catch {
            throw ScenarioError("cannot list \(folder.path): \(error.localizedDescription)")
        }
        guard !files.isEmpty else { throw ScenarioError("no scenario files in \(folder.path)") }
        let vectors = try loadVectors(specFolder: specFolder)
        var scenarios: [Scenario] = []
        for file in files {
            let bytes: [UInt8]
            do {
                bytes = try [UInt8](Data(contentsOf: folder.appendingPathComponent(file)))
            } catch {
                throw ScenarioError("cannot read \(file): \(error.localizedDescription)")
            }
            scenarios += try ScenarioFile(json: bytes, file: String(file.dropLast(5)), vectors: vectors).scenarios
        }
        guard !scenarios.isEmpty else { throw ScenarioError("no scenarios in \(folder.path)") }
        return scenarios
    }

    /// The protocol vectors of `specFolder` (none if the folder has no vector file: the
    /// scenarios that name one then fail to load, saying which).
    public static func loadVectors(specFolder: URL) throws(ScenarioError) -> [ProtocolVector] {
        let file = ProtocolVector.file(in: specFolder)
        guard FileManager.default.fileExists(atPath: file.path) else { return [] }
        do {
            return try ProtocolVector.load(json: try [UInt8](Data(contentsOf: file)))
        } catch let error as ScenarioError {
            throw error
        } catch {
            throw ScenarioError("cannot read \(file.path): \(error.localizedDescription)")
        }
    }

    /// The default `Spec` folder: `$REFWIRE_SPEC` if set; else the first folder named
    /// `Spec` holding `scenarios/` found going up from the executable's directory; else
    /// going up from the current directory. `nil` if none is found.
    public static func locateSpecFolder(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        executable: String? = CommandLine.arguments.first,
        currentDirectory: String = FileManager.default.currentDirectoryPath
    ) -> URL? {
        if let path = environment[environmentVariable], !path.isEmpty { return URL(fileURLWithPath: path, isDirectory: true) }
        var starts: [URL] = []
        if let executable, !executable.isEmpty {
            let url = URL(fileURLWithPath: executable, relativeTo: URL(fileURLWithPath: currentDirectory, isDirectory: true))
            starts.append(url.resolvingSymlinksInPath().deletingLastPathComponent())
        }
        starts.append(URL(fileURLWithPath: currentDirectory, isDirectory: true))
        for start in starts {
            if let found = searchUpward(from: start) { return found }
        }
        return nil
    }

    /// The `Spec` folder of the checkout holding `filePath` (for tests: pass `#filePath`).
    public static func specFolder(nearSourceFile filePath: String) -> URL? {
        searchUpward(from: URL(fileURLWithPath: filePath).deletingLastPathComponent())
    }

    private static func searchUpward(from start: URL) -> URL? {
        var directory = start.standardizedFileURL
        while true {
            let candidate = directory.appendingPathComponent("Spec", isDirectory: true)
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("scenarios").path, isDirectory: &isDirectory),
               isDirectory.boolValue {
                return candidate
            }
            let parent = directory.deletingLastPathComponent()
            if parent.path == directory.path || directory.pathComponents.count <= 1 { return nil }
            directory = parent
        }
    }
}
