import CharthouseAPI
import Foundation
import KubeStandin
import TestSupport
import Testing

/// The web console in a real browser: Debian's chromium, driven by selenium from PyPI, through
/// the flows in `Tests/Browser/console_flows.py` against a real server and real peers. Each page
/// is saved at 1280 and 390 pixels wide under `test-output/console/` in the repository.
@Suite("Console in a real browser (chromium + selenium)")
struct ConsoleBrowserTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let screenshots = repository.appendingPathComponent("test-output/console")

    /// Runs the named flows with `config`; fails with the browser's story when one fails.
    static func browse(
        _ flows: [String],
        server: TestServer,
        config: [String: Any],
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let python = try Shell.require("python3")
        let chromium = try Shell.require("chromium", paths: ["/usr/bin"])
        let driver = try Shell.require("chromedriver", paths: ["/usr/bin"])
        let selenium = try await Shell.runDetached([python, "-c", "import selenium; print(selenium.__version__)"], check: false)
        guard selenium.status == 0 else { throw PeerError("selenium is not installed: run ./scripts/install-deps (\(selenium.stderr))") }
        var settings = config
        settings["chromium"] = chromium
        settings["chromedriver"] = driver
        var environment = ProcessInfo.processInfo.environment
        environment["CHARTHOUSE_URL"] = server.baseURL.absoluteString
        environment["CHARTHOUSE_SCREENSHOTS"] = screenshots.path
        environment["CHARTHOUSE_BROWSER_CONFIG"] = String(decoding: try JSONSerialization.data(withJSONObject: settings), as: UTF8.self)
        // A failure leaves FAILED-<flow>.png; an earlier run's must not linger.
        for flow in flows { try? FileManager.default.removeItem(at: screenshots.appendingPathComponent("FAILED-\(flow).png")) }
        let script = repository.appendingPathComponent("Tests/Browser/console_flows.py").path
        let result = try await Shell.runDetached([python, script] + flows, environment: environment, check: false)
        #expect(result.status == 0, "browser flows \(flows) failed:\n\(result.stdout)\n\(result.stderr)", sourceLocation: sourceLocation)
        for flow in flows {
            #expect(result.stdout.contains("ok \(flow)"), "flow \(flow) did not finish: \(result.stdout)", sourceLocation: sourceLocation)
        }
    }

    /// A release installed by hand with the real helm, from the archive `folder` serves: `hello`
    /// 1.0.0 in namespace `web`.
    static func installBrownfield(from folder: URL, into standin: KubeStandin) async throws {
        let helm = try HelmCLI(major: 4)
        defer { helm.removeHome() }
        try await helm.runDetached([
            "install", "hello", folder.appendingPathComponent("hello-1.0.0.tgz").path, "-n", "web", "--create-namespace", "--kubeconfig",
            standin.kubeconfig.path,
        ])
    }

    static func user(_ member: TwoTenants.Member) -> [String: String] {
        ["username": member.username, "password": member.password]
    }

    @Test("sign in and out; add registries (wrong then right credentials, protected); a member sees no admin action; tenant B sees none of A's")
    func registries() async throws {
        let folder = try ChartFixtures.classicRepository([("web", "1.0.0"), ("web", "1.1.0"), ("worker", "0.3.0")])
        defer { try? FileManager.default.removeItem(at: folder) }
        let credentials = Credentials(username: "reader", password: "right-password")
        let secured = try await NginxServer(serving: folder, credentials: credentials)
        defer { secured.stop() }
        let vault = try await NginxServer(serving: folder)
        defer { vault.stop() }
        try await TestServer.with { server in
            let cast = try await TwoTenants.make(on: server)
            var config: [String: Any] = [
                "adminA": Self.user(cast.adminA), "memberA": Self.user(cast.memberA), "adminB": Self.user(cast.adminB),
                "secured": [
                    "endpoint": secured.baseURL, "username": credentials.username, "password": credentials.password, "charts": 2,
                    "versions": 3,
                ],
                "protected": ["endpoint": vault.baseURL],
            ]
            try await Self.browse(["signin", "registries"], server: server, config: config)

            // What the browser did, as the API sees it.
            let registries = try await server.client(token: cast.adminA.token).listRegistries().ok.body.json.items
            let created = try #require(registries.first { $0.name == "secured" })
            #expect(created.syncState == .ok && created.charts == 2 && created.versions == 3 && created.hasCredentials == true)
            #expect(!registries.contains { $0.name == "vault" })
            // The protected registry was never contacted.
            #expect(vault.requests().isEmpty, "\(vault.requests())")

            config["securedID"] = created.id
            try await Self.browse(["member", "isolation"], server: server, config: config)
        }
    }

    static let readme = """
        # Documented

        A chart with **bold** text and a table.

        | Key | Default |
        |-----|---------|
        | `replicaCount` | `1` |

        <script>window.injected = true</script>
        """

    @Test(
        "catalog and profiles: search as you type, README rendered safely; a profile built with Add layer (catalog and protected), errors at their line, reordered, published, versioned, diffed, exported and imported"
    )
    func catalog() async throws {
        let helm = try HelmCLI(major: 4)
        defer { helm.removeHome() }
        let folder = try ChartFixtures.classicRepository([("web", "1.0.0")])
        defer { try? FileManager.default.removeItem(at: folder) }
        let work = try ScratchDirectory.make("charthouse-console-charts")
        defer { try? FileManager.default.removeItem(at: work) }
        let schema = #"{"type": "object", "properties": {"replicaCount": {"type": "integer", "minimum": 1}}}"#
        for version in ["1.0.0", "1.1.0"] {
            let archive = try helm.packageChart(
                name: "documented",
                version: version,
                in: work,
                files: ["README.md": Self.readme, "values.schema.json": schema]
            )
            try FileManager.default.moveItem(at: archive, to: folder.appendingPathComponent(archive.lastPathComponent))
            try? FileManager.default.removeItem(at: work.appendingPathComponent("documented"))
        }
        try helm.run(["repo", "index", folder.path])
        let nginx = try await NginxServer(serving: folder)
        defer { nginx.stop() }
        try await TestServer.with { server in
            let cast = try await TwoTenants.make(on: server)
            let created = try await server.client(token: cast.adminA.token).createRegistry(
                body: .json(.init(name: "charts", endpoint: nginx.baseURL, noAuthentication: true))
            ).created.body.json
            #expect(try await CatalogSyncTests.waitForSync(server, token: cast.adminA.token, id: created.id).syncState == .ok)
            _ = try await server.client(token: cast.adminA.token).createRegistry(
                body: .json(.init(name: "vault", endpoint: "https://vault.invalid", protected: true, noAuthentication: true))
            ).created
            try await Self.browse(["catalog", "profiles"], server: server, config: ["adminA": Self.user(cast.adminA)])
            // What the browser made, as the API sees it.
            let made = try await server.client(token: cast.adminA.token).listProfiles().ok.body.json.items.flatMap(\.versions)
            #expect(
                Set(made.map { "\($0.name)@\($0.version):\($0.state.rawValue)" }) == [
                    "web-stack@1.0.0:published", "web-stack@1.1.0:draft", "copied-stack@1.0.0:draft",
                ]
            )
            let published = try #require(made.first { $0.name == "web-stack" && $0.version == "1.0.0" })
            #expect(published.layers.map(\.releaseName) == ["secret-app", "documented"])
            #expect(published.layers.last?.values == "replicaCount: 2\n" && published.layers.last?.version == "1.0.0")
        }
    }

    @Test("clusters: a kubeconfig imported (a bad one refused), its Helm releases discovered; an agent cluster registered with its manifest")
    func clusters() async throws {
        let folder = try ChartFixtures.classicRepository([("hello", "1.0.0")])
        defer { try? FileManager.default.removeItem(at: folder) }
        try await withStandin { standin in
            try await Self.installBrownfield(from: folder, into: standin)
            try await TestServer.with { server in
                let cast = try await TwoTenants.make(on: server)
                try await Self.browse(["clusters"], server: server, config: ["adminA": Self.user(cast.adminA), "kubeconfig": standin.kubeconfigText])
                let clusters = try await server.client(token: cast.adminA.token).listClusters().ok.body.json.items
                #expect(Set(clusters.map { "\($0.name):\($0.mode.rawValue)" }) == ["prod:direct", "edge:agent"])
                #expect(try await server.client(token: cast.adminB.token).listClusters().ok.body.json.items.isEmpty)
            }
        }
    }
}
