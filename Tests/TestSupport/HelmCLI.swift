public import Foundation

/// The real helm CLI (3.17 or 4.1, as installed by scripts/install-deps) with its own isolated
/// `HELM_*` directories, so tests never read or write the machine's helm configuration.
public struct HelmCLI: Sendable {
    public let major: Int
    public let executable: String
    public let home: URL

    /// Where scripts/install-deps put helm: `$CHARTHOUSE_TOOLS`, else `.tools/` in the repository.
    static var toolsDirectory: URL {
        if let tools = ProcessInfo.processInfo.environment["CHARTHOUSE_TOOLS"], !tools.isEmpty {
            return URL(fileURLWithPath: tools)
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".tools")
    }

    /// helm `major` (3 or 4) with a new, empty home; fails loudly when it is not installed.
    public init(major: Int) throws {
        let executable = Self.toolsDirectory.appendingPathComponent("helm\(major)/helm").path
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw PeerError("helm \(major) is not installed at \(executable): run ./scripts/install-deps (tests never skip a missing peer)")
        }
        self.major = major
        self.executable = executable
        self.home = try ScratchDirectory.make("charthouse-helm\(major)")
    }

    public var environment: [String: String] {
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("HELM_") }
        env["HOME"] = home.path
        env["HELM_CACHE_HOME"] = home.appendingPathComponent("cache").path
        env["HELM_CONFIG_HOME"] = home.appendingPathComponent("config").path
        env["HELM_DATA_HOME"] = home.appendingPathComponent("data").path
        env["HELM_REGISTRY_CONFIG"] = home.appendingPathComponent("config/registry/config.json").path
        env["HELM_REPOSITORY_CONFIG"] = home.appendingPathComponent("config/repositories.yaml").path
        env["HELM_REPOSITORY_CACHE"] = home.appendingPathComponent("cache/repository").path
        // Never a real cluster: a kubeconfig that does not exist.
        env["KUBECONFIG"] = home.appendingPathComponent("no-kubeconfig").path
        return env
    }

    /// Runs `helm ARGS…` in `directory` (default: the helm home); throws with helm's stderr on failure.
    @discardableResult
    public func run(_ arguments: [String], stdin: String? = nil, check: Bool = true) throws -> Shell.Result {
        try Shell.run([executable] + arguments, environment: environment, stdin: stdin, check: check)
    }

    /// Runs helm on a thread of its own (see ``Shell/runDetached(_:environment:stdin:check:)``):
    /// for helm talking to the in-process test server.
    @discardableResult
    public func runDetached(
        _ arguments: [String],
        stdin: String? = nil,
        check: Bool = true,
        environment extra: [String: String] = [:]
    ) async throws -> Shell.Result {
        try await Shell.runDetached([executable] + arguments, environment: environment.merging(extra) { $1 }, stdin: stdin, check: check)
    }

    /// The kubectl that came with this helm (1.33 beside helm 4, 1.31 beside helm 3).
    public var kubectl: String { URL(fileURLWithPath: executable).deletingLastPathComponent().appendingPathComponent("kubectl").path }

    /// Creates a chart with `helm create`, adds `files` (path in the chart → text), and packages
    /// it; returns the `.tgz` path.
    public func packageChart(name: String, version: String, in directory: URL, files: [String: String] = [:]) throws -> URL {
        let chart = directory.appendingPathComponent(name)
        try run(["create", chart.path])
        let chartFile = chart.appendingPathComponent("Chart.yaml")
        var text = try String(contentsOf: chartFile, encoding: .utf8)
        text = text.replacingOccurrences(of: "version: 0.1.0", with: "version: \(version)")
        try text.write(to: chartFile, atomically: true, encoding: .utf8)
        for (path, content) in files {
            let file = chart.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try content.write(to: file, atomically: true, encoding: .utf8)
        }
        try run(["package", chart.path, "--destination", directory.path])
        return directory.appendingPathComponent("\(name)-\(version).tgz")
    }

    public func removeHome() {
        try? FileManager.default.removeItem(at: home)
    }
}
