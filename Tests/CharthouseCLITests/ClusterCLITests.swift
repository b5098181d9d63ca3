import Foundation
import KubeStandin
import TestSupport
import Testing

@Suite("The charthouse executable: clusters, discovery and Import from Cluster")
struct ClusterCLITests {
    @Test("cluster import/list/show/discover/releases/update/remove, profile layer import and profile from-cluster")
    func clusters() async throws {
        let folder = try ChartFixtures.classicRepository([("hello", "1.0.0")])
        defer { try? FileManager.default.removeItem(at: folder) }
        let open = try await NginxServer(serving: folder)
        defer { open.stop() }
        let scratch = try CLITests.scratch()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let standin = try await KubeStandin(directory: scratch.appendingPathComponent("cluster"))
        do {
            try await Self.run(
                scratch: scratch,
                standin: standin,
                repository: open.baseURL,
                archive: folder.appendingPathComponent("hello-1.0.0.tgz")
            )
        } catch {
            await standin.stop()
            throw error
        }
        await standin.stop()
    }

    static func run(scratch: URL, standin: KubeStandin, repository: String, archive: URL) async throws {
        let helm = try HelmCLI(major: 4)
        defer { helm.removeHome() }
        let kube = ["--kubeconfig", standin.kubeconfig.path]
        try await helm.runDetached(["install", "hello", archive.path, "-n", "web", "--create-namespace", "--set", "replicaCount=3"] + kube)
        try await helm.runDetached(["install", "other", archive.path, "-n", "ops", "--create-namespace"] + kube)

        var environment = try await CLITests.postgresEnvironment()
        environment["CHARTHOUSE_ADMIN_PASSWORD"] = "cli-admin-password"
        let server = try await CharthouseProcess(
            dataDirectory: scratch.appendingPathComponent("data"),
            environment: environment,
            extraArguments: ["--allow-insecure-registries", "--allow-registry-networks", "127.0.0.0/8", "--allow-cluster-networks", "127.0.0.0/8"]
        )
        // Off the cooperative threads: the stand-in the server reads runs in this process.
        func run(_ arguments: [String], stdin: String? = nil) async throws -> Shell.Result { try await server.runDetached(arguments, stdin: stdin) }
        try await CLITests.tenantWithRepository(serverURL: server.serverURL, repository: repository) { try await run($0, stdin: $1) }

        let imported = try await run(["cluster", "import", "prod", "--kubeconfig", standin.kubeconfig.path])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.contains("prod") && imported.stdout.contains("v1.33.0"))
        let refused = try await run(["cluster", "import", "cert", "--kubeconfig", "-", "--context", "nowhere"], stdin: standin.kubeconfigText)
        #expect(refused.status != 0 && refused.stderr.contains("has no context \"nowhere\""), "\(refused.stderr)")
        let discovered = try await run(["cluster", "discover", "prod", "--wait"])
        #expect(discovered.status == 0, "\(discovered.stderr)")
        #expect(discovered.stdout.contains("ok"))
        let releases = try await run(["cluster", "releases", "prod"])
        #expect(releases.stdout.contains("hello") && releases.stdout.contains("charts (exact)"), "\(releases.stdout)")
        #expect(try await run(["cluster", "releases", "prod", "-n", "ops"]).stdout.contains("other"))
        #expect(!(try await run(["cluster", "releases", "prod", "-n", "ops"]).stdout.contains("web ")))
        let shown = try await run(["cluster", "show", "prod", "-o", "json"])
        #expect(shown.stdout.contains("\"releases\" : 2") && !shown.stdout.contains(standin.token), "\(shown.stdout)")
        #expect(try await run(["cluster", "update", "prod", "--discovery-interval", "3600"]).status == 0)
        #expect(try await run(["cluster", "list"]).stdout.contains("prod"))

        #expect(try await run(["profile", "create", "brownfield", "1.0.0"]).status == 0)
        let layered = try await run(["profile", "layer", "import", "brownfield", "--cluster", "prod", "--release", "web/hello"])
        #expect(layered.status == 0, "\(layered.stderr)")
        #expect(layered.stdout.contains("hello") && layered.stdout.contains("imported"))
        #expect(try await run(["profile", "show", "brownfield", "-o", "yaml"]).stdout.contains("replicaCount: 3"))
        let missing = try await run(["profile", "layer", "import", "brownfield", "--cluster", "prod", "--release", "web/nothing"])
        #expect(missing.status != 0 && missing.stderr.contains("not found"), "\(missing.stderr)")
        let whole = try await run(["profile", "from-cluster", "everything@0.1.0", "--cluster", "prod"])
        #expect(whole.status == 0, "\(whole.stderr)")
        #expect(whole.stdout.contains("everything@0.1.0 (draft, 2 layers)"))
        #expect(try await run(["cluster", "remove", "prod"]).stdout.contains("Removed cluster prod."))
        #expect(try await run(["cluster", "show", "prod"]).status != 0)
    }
}
