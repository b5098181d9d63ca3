import CharthouseAPI
import Foundation
import KubeStandin
import TestSupport

/// A Kubernetes API stand-in for one test, stopped and removed afterwards.
func withStandin<R: Sendable>(
    forbidden: Set<String> = [],
    addressInCertificate: Bool = true,
    _ body: (KubeStandin) async throws -> R
) async throws -> R {
    let folder = try ScratchDirectory.make("charthouse-cluster")
    defer { try? FileManager.default.removeItem(at: folder) }
    let standin = try await KubeStandin(directory: folder, forbiddenNamespaces: forbidden, addressInCertificate: addressInCertificate)
    do {
        let result = try await body(standin)
        await standin.stop()
        return result
    } catch {
        await standin.stop()
        throw error
    }
}

enum ClusterHelpers {
    /// Imports the stand-in as a cluster of the token's tenant.
    static func importCluster(
        _ server: TestServer,
        token: String,
        standin: KubeStandin,
        name: String = "prod",
        context: String? = nil
    ) async throws -> Components.Schemas.Cluster {
        try await server.client(token: token).createCluster(
            body: .json(.init(name: name, kubeconfig: standin.kubeconfigText, context: context))
        ).created.body.json
    }

    /// Waits until the cluster has finished more than `after` discoveries (default: one).
    static func waitForDiscovery(_ server: TestServer, token: String, id: String, after: Int = 0) async throws -> Components.Schemas.Cluster {
        let client = server.client(token: token)
        var cluster = try await client.getCluster(path: .init(id: id)).ok.body.json
        for _ in 0..<600 {
            cluster = try await client.getCluster(path: .init(id: id)).ok.body.json
            if cluster.discoveries > after, cluster.discoveryState != .running { return cluster }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw PeerError("cluster \(id) was not discovered: \(cluster)")
    }

    /// Asks for a discovery and waits for it (a forced request always gets a run that starts after it).
    static func discover(_ server: TestServer, token: String, id: String) async throws -> Components.Schemas.Cluster {
        let before = try await server.client(token: token).discoverCluster(path: .init(id: id)).accepted.body.json
        // A run under way when the request came is counted in `before` only if it had finished: wait past it too.
        return try await waitForDiscovery(server, token: token, id: id, after: before.discoveries + (before.discoveryState == .running ? 1 : 0))
    }
}
