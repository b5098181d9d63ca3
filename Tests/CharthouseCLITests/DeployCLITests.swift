import Foundation
import KubeStandin
import TestSupport
import Testing

/// `charthouse agent` as its own process, beside the stand-in: deploys what `cluster attach`
/// says, goes on while the server is down and reports once it is back, and restarts from its
/// state on disk without installing again.
@Suite("The charthouse executable: deploying profiles with `charthouse agent`")
struct DeployCLITests {
    @Test("attach, agent-token, agent, status, releases, drift and detach; the server killed mid-reconcile; the agent restarted")
    func deploy() async throws {
        let folder = try ChartFixtures.classicRepository([("hello", "1.0.0"), ("hello", "1.1.0")])
        defer { try? FileManager.default.removeItem(at: folder) }
        let open = try await NginxServer(serving: folder)
        defer { open.stop() }
        let scratch = try CLITests.scratch()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let standin = try await KubeStandin(directory: scratch.appendingPathComponent("cluster"))
        do {
            try await Self.run(scratch: scratch, standin: standin, repository: open.baseURL)
        } catch {
            await standin.stop()
            throw error
        }
        await standin.stop()
    }

    static func run(scratch: URL, standin: KubeStandin, repository: String) async throws {
        var environment = try await CLITests.postgresEnvironment()
        environment["CHARTHOUSE_ADMIN_PASSWORD"] = "cli-admin-password"
        let data = scratch.appendingPathComponent("data")
        let arguments = ["--allow-insecure-registries", "--allow-registry-networks", "127.0.0.0/8"]
        var server = try await CharthouseProcess(dataDirectory: data, environment: environment, extraArguments: arguments)
        let port = server.port
        let configFile = server.configFile
        // Off the cooperative threads: the stand-in the agent reads runs in this process.
        func run(_ arguments: [String], stdin: String? = nil) async throws -> Shell.Result {
            try await server.runDetached(arguments, stdin: stdin, environment: ["CHARTHOUSE_CONFIG": configFile.path])
        }
        try await CLITests.tenantWithRepository(serverURL: server.serverURL, repository: repository) { try await run($0, stdin: $1) }

        let created = try await run(["profile", "create", "site", "1.0.0", "--variable", "greeting=hi", "--require-variable", "team"])
        #expect(created.status == 0, "\(created.stderr)")
        let values = scratch.appendingPathComponent("values.yaml")
        try Data("message: \"{{ .charthouse.var.greeting }} from {{ .charthouse.var.team }}\"\n".utf8).write(to: values)
        for (release, namespace, version) in [("one", "first", "1.0.0"), ("two", "second", "1.1.0")] {
            let added = try await run([
                "profile", "layer", "add", "site", "--registry", "charts", "--chart", "hello", "--version", version, "--release", release,
                "--namespace", namespace, "--values", values.path,
            ])
            #expect(added.status == 0, "\(added.stderr)")
        }
        #expect(try await run(["profile", "publish", "site"]).status == 0)
        let shown = try await run(["profile", "show", "site"]).stdout
        #expect(shown.contains("Variables (referenced in values as {{ .charthouse.var.NAME }}):"), "\(shown)")
        let variableRows = shown.split(separator: "\n").filter { $0.hasPrefix("greeting ") || $0.hasPrefix("team ") }
        #expect(variableRows.map { $0.split(separator: " ").prefix(3).joined(separator: " ") } == ["greeting no hi", "team yes -"], "\(shown)")
        let registered = try await run(["cluster", "import", "edge", "--agent"])
        #expect(registered.status == 0 && registered.stdout.contains("(agent)"), "\(registered.stdout)\(registered.stderr)")
        let refused = try await run(["cluster", "import", "both", "--agent", "--kubeconfig", standin.kubeconfig.path])
        #expect(refused.status != 0 && refused.stderr.contains("--agent takes no --kubeconfig"), "\(refused.stderr)")
        let missing = try await run(["cluster", "attach", "edge", "site"])
        #expect(missing.status != 0 && missing.stderr.contains("team: required"), "\(missing.stderr)")

        let manifest = scratch.appendingPathComponent("agent.yaml")
        let issued = try await run(["cluster", "agent-token", "edge", "--manifest", manifest.path, "-o", "json"])
        #expect(issued.status == 0, "\(issued.stderr)")
        let token = try #require((try JSONSerialization.jsonObject(with: Data(issued.stdout.utf8)) as? [String: Any])?["token"] as? String)
        #expect(try String(contentsOf: manifest, encoding: .utf8).contains(token))
        let printed = try await run(["cluster", "agent-manifest", "edge"])
        #expect(printed.status == 0 && printed.stdout.contains("kind: Deployment") && !printed.stdout.contains(token))

        // The agent, idle until a profile is attached.
        let helm = try HelmCLI(major: 4)
        defer { helm.removeHome() }
        let agentLog = scratch.appendingPathComponent("agent.log")
        let state = scratch.appendingPathComponent("agent-state")
        func startAgent() throws -> PeerProcess {
            try PeerProcess(
                name: "charthouse agent",
                command: [
                    try CharthouseProcess.executable(), "agent", "--server", "http://127.0.0.1:\(port)", "--token", token, "--kubeconfig",
                    standin.kubeconfig.path, "--helm", helm.executable, "--state-dir", state.path, "--poll-seconds", "2", "--discovery-seconds",
                    "5", "--retry-seconds", "1",
                ],
                environment: ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("CHARTHOUSE_") },
                logFile: agentLog
            )
        }
        var agent = try startAgent()
        defer { agent.stop() }
        try await Task.sleep(for: .seconds(1))

        // Attached; the server is killed as soon as the agent starts installing the first layer:
        // mid-reconcile, the agent goes on alone.
        let attached = try await run(["cluster", "attach", "edge", "site", "--set-var", "team=ops"])
        #expect(attached.status == 0, "\(attached.stderr)")
        func installing() -> Bool {
            let log = (try? String(contentsOf: agentLog, encoding: .utf8)) ?? ""
            return log.split(separator: "\n").contains { $0.contains("release=first/one") && $0.hasSuffix("installing") }
        }
        let started = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < started, !installing() { try await Task.sleep(for: .milliseconds(20)) }
        #expect(installing(), "\((try? String(contentsOf: agentLog, encoding: .utf8)) ?? "")")
        server.kill()
        let alone = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < alone, (try? await DeployCLITests.releases(standin, helm)) != ["first/one", "second/two"] {
            try await Task.sleep(for: .milliseconds(250))
        }
        #expect(
            try await Self.releases(standin, helm) == ["first/one", "second/two"],
            "\((try? String(contentsOf: agentLog, encoding: .utf8)) ?? "")"
        )
        let values1 = try await helm.runDetached(["get", "values", "one", "-n", "first", "-o", "json", "--kubeconfig", standin.kubeconfig.path])
            .stdout
        #expect(values1.contains("\"message\":\"hi from ops\""), "\(values1)")

        // It did so without the server: its reports wait in its queue (each attempt gives up after
        // its time limit, then the agent says so).
        func queued() -> Bool { ((try? String(contentsOf: agentLog, encoding: .utf8)) ?? "").contains("cannot report status; will retry") }
        let reported = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < reported, !queued() { try await Task.sleep(for: .milliseconds(200)) }
        #expect(queued(), "\((try? String(contentsOf: agentLog, encoding: .utf8)) ?? "")")

        // Back: the agent reports what it did while the server was away.
        server = try await CharthouseProcess(dataDirectory: data, port: port, environment: environment, extraArguments: arguments)
        let status = try await run(["cluster", "status", "edge", "--wait", "--timeout", "120"])
        #expect(status.status == 0, "\(status.stdout)\(status.stderr)")
        #expect(status.stdout.contains("one") && status.stdout.contains("deployed") && !status.stdout.contains("failed"), "\(status.stdout)")

        // Restarted from its state on disk: nothing is installed again.
        agent.stop()
        agent = try startAgent()
        try await Task.sleep(for: .seconds(4))
        let history = try await helm.runDetached(["history", "two", "-n", "second", "-o", "json", "--kubeconfig", standin.kubeconfig.path]).stdout
        #expect(history.components(separatedBy: "\"revision\"").count == 2, "one revision: \(history)")

        // Discovery through the agent, and drift from a change by hand.
        let discovered = try await run(["cluster", "discover", "edge", "--wait"])
        #expect(discovered.status == 0, "\(discovered.stderr)")
        let releases = try await run(["cluster", "releases", "edge"])
        #expect(
            releases.stdout.contains("one") && releases.stdout.contains("two") && releases.stdout.contains("charts (exact)"),
            "\(releases.stdout)"
        )
        let chart = state.appendingPathComponent("charts/second.two.tgz").path
        try await helm.runDetached([
            "upgrade", "two", chart, "-n", "second", "--reuse-values", "--set", "extra=1", "--kubeconfig", standin.kubeconfig.path,
        ])
        #expect(try await run(["cluster", "discover", "edge", "--wait"]).status == 0)
        let drift = try await run(["cluster", "drift", "edge"])
        #expect(drift.status == 0 && drift.stdout.contains("drifted") && drift.stdout.contains("values,outside"), "\(drift.stdout)\(drift.stderr)")

        // Detached: uninstalled.
        #expect(try await run(["cluster", "detach", "edge"]).status == 0)
        let detached = try await run(["cluster", "status", "edge", "--wait", "--timeout", "120"])
        #expect(detached.status == 0, "\(detached.stderr)")
        #expect(try await Self.releases(standin, helm).isEmpty)
        _ = try await server.terminate()
    }

    static func releases(_ standin: KubeStandin, _ helm: HelmCLI) async throws -> [String] {
        let listed = try await helm.runDetached(["list", "-A", "-o", "json", "--kubeconfig", standin.kubeconfig.path]).stdout
        let items = (try JSONSerialization.jsonObject(with: Data(listed.utf8)) as? [[String: Any]]) ?? []
        return items.map { "\($0["namespace"] as? String ?? "")/\($0["name"] as? String ?? "")" }.sorted()
    }
}
