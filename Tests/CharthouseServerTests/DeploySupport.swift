import CharthouseAPI
import CharthouseAgent
import Foundation
import KubeStandin
import Logging
import TestSupport

/// Runs the agent in this process against a server and the stand-in, with the real helm.
final class AgentRun: Sendable {
    let agent: Agent
    let task: Task<Void, any Error>
    let stateDirectory: URL

    init(server: TestServer, token: String, standin: KubeStandin, helmMajor: Int = 4, stateDirectory: URL? = nil) throws {
        let helm = try HelmCLI(major: helmMajor)
        helm.removeHome()  // only its binary is needed: the agent runs helm with its own environment
        let directory = try stateDirectory ?? ScratchDirectory.make("charthouse-agent")
        self.stateDirectory = directory
        var logger = Logger(label: "test-agent")
        logger.logLevel = .info
        let agent = try Agent(
            settings: AgentSettings(
                server: server.baseURL,
                registrationToken: token,
                kubeconfig: standin.kubeconfig.path,
                helm: helm.executable,
                stateDirectory: directory,
                helmTimeoutSeconds: 60,
                pollSeconds: 2,
                discoverySeconds: 5,
                retryBaseSeconds: 1,
                retryMaxSeconds: 4
            ),
            logger: logger
        )
        self.agent = agent
        self.task = Task { try await agent.run() }
    }

    /// Stops the agent (its state stays on disk).
    func stop() async {
        task.cancel()
        _ = try? await task.value
    }

    func remove() {
        try? FileManager.default.removeItem(at: stateDirectory)
    }
}

enum DeployHelpers {
    /// Reads with `read` every 200 ms until `done` holds of what it read; throws, naming `what`
    /// and the last reading, after `seconds`.
    static func eventually<T: Sendable>(
        _ what: String,
        seconds: Int = 180,
        read: () async throws -> T,
        until done: (T) -> Bool
    ) async throws -> T {
        var value = try await read()
        let deadline = ContinuousClock.now + .seconds(seconds)
        while !done(value) {
            guard ContinuousClock.now < deadline else { throw PeerError("\(what) did not happen: \(value)") }
            try await Task.sleep(for: .milliseconds(200))
            value = try await read()
        }
        return value
    }

    /// Waits until the cluster has `count` layers, every one deployed.
    static func waitForDeployed(
        _ server: TestServer,
        token: String,
        clusterID: String,
        count: Int
    ) async throws -> Components.Schemas.DeploymentStatus {
        try await waitForStatus(server, token: token, clusterID: clusterID, "\(count) deployed layers") { status in
            status.layers.count == count && status.layers.allSatisfy { $0.phase == .deployed }
        }
    }

    /// Polls the cluster's deployment status until `condition` holds.
    static func waitForStatus(
        _ server: TestServer,
        token: String,
        clusterID: String,
        _ what: String,
        _ condition: (Components.Schemas.DeploymentStatus) -> Bool
    ) async throws -> Components.Schemas.DeploymentStatus {
        let client = server.client(token: token)
        return try await eventually(what, read: { try await client.getDeploymentStatus(path: .init(id: clusterID)).ok.body.json }, until: condition)
    }

    /// Waits until the cluster's discovered releases number `count`.
    static func waitForReleases(_ server: TestServer, token: String, clusterID: String, count: Int) async throws -> [Components.Schemas.Release] {
        let client = server.client(token: token)
        return try await eventually(
            "\(count) discovered releases",
            read: { try await client.listClusterReleases(path: .init(id: clusterID)).ok.body.json.items },
            until: { $0.count == count }
        )
    }

    /// Polls the drift report until `condition` holds.
    static func waitForDrift(
        _ server: TestServer,
        token: String,
        clusterID: String,
        _ condition: (Components.Schemas.DriftReport) -> Bool
    ) async throws -> Components.Schemas.DriftReport {
        let client = server.client(token: token)
        return try await eventually(
            "the expected drift report",
            read: { try await client.getDriftReport(path: .init(id: clusterID)).ok.body.json },
            until: condition
        )
    }

    /// `helm list -A` of the real helm against the stand-in: `NAMESPACE/NAME` → chart.
    /// (helm runs off the cooperative threads: the stand-in it talks to runs in this process.)
    static func helmList(_ standin: KubeStandin, major: Int = 4) async throws -> [String: String] {
        let helm = try HelmCLI(major: major)
        defer { helm.removeHome() }
        let result = try await helm.runDetached(["list", "-A", "-o", "json", "--kubeconfig", standin.kubeconfig.path])
        let items = (try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]]) ?? []
        var releases: [String: String] = [:]
        for item in items {
            releases["\(item["namespace"] as? String ?? "")/\(item["name"] as? String ?? "")"] = item["chart"] as? String ?? ""
        }
        return releases
    }

    /// `helm get values RELEASE -n NAMESPACE -o json`.
    static func helmValues(_ standin: KubeStandin, namespace: String, release: String) async throws -> [String: Any] {
        let helm = try HelmCLI(major: 4)
        defer { helm.removeHome() }
        let result = try await helm.runDetached(["get", "values", release, "-n", namespace, "-o", "json", "--kubeconfig", standin.kubeconfig.path])
        return (try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]) ?? [:]
    }
}
