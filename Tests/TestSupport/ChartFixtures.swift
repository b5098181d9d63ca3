public import Foundation

/// Real chart repositories built with the real helm: `helm create` + `helm package` + `helm repo index`.
public enum ChartFixtures {
    /// A folder holding a classic repository (`index.yaml` and archives) with these charts.
    public static func classicRepository(_ charts: [(name: String, version: String)], helmMajor: Int = 4) throws -> URL {
        let helm = try HelmCLI(major: helmMajor)
        defer { helm.removeHome() }
        let folder = try ScratchDirectory.make("charthouse-classic")
        let work = try ScratchDirectory.make("charthouse-charts")
        defer { try? FileManager.default.removeItem(at: work) }
        for chart in charts {
            let archive = try helm.packageChart(name: chart.name, version: chart.version, in: work)
            try FileManager.default.moveItem(at: archive, to: folder.appendingPathComponent(archive.lastPathComponent))
            try? FileManager.default.removeItem(at: work.appendingPathComponent(chart.name))
        }
        try helm.run(["repo", "index", folder.path])
        return folder
    }

    /// Pushes a new chart to `oci://HOST/PATH` with helm `major`, logging in first when given
    /// credentials. helm runs off the test's threads: it may talk to a peer (a token server) that
    /// runs in this process.
    public static func push(
        name: String,
        version: String,
        to registry: DistributionRegistry,
        path: String,
        helmMajor: Int,
        login: Credentials? = nil,
        files: [String: String] = [:]
    ) async throws {
        let helm = try HelmCLI(major: helmMajor)
        defer { helm.removeHome() }
        let work = try ScratchDirectory.make("charthouse-push")
        defer { try? FileManager.default.removeItem(at: work) }
        let archive = try helm.packageChart(name: name, version: version, in: work, files: files)
        if let credentials = login ?? registry.credentials {
            let plain = helmMajor == 3 ? ["--insecure"] : ["--plain-http"]
            try await helm.runDetached(
                ["registry", "login", registry.host, "-u", credentials.username, "--password-stdin"] + plain,
                stdin: credentials.password
            )
        }
        try await helm.runDetached(["push", archive.path, "oci://\(registry.host)/\(path)", "--plain-http"])
    }
}
