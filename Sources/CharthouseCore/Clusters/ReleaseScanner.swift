public import CharthouseStore
import ClusterClient
public import HelmFormats
public import RegistryClient

/// What one scan of a cluster's Helm release records found.
public struct ReleaseScanResult: Sendable {
    /// The records read and decoded (new, or changed since `previous`).
    public let changed: [ReleaseRecordRow]
    /// Every record there is, by ``ReleaseRecordRow/key``.
    public let present: [String: ReleaseRecordSummary]
    public let forbiddenNamespaces: [String]
}

/// The release scan the server's discovery runs, for the agent inside a cluster: the same
/// listing, paging, per-namespace fallback and decoding.
public enum ReleaseScanner {
    /// Scans the cluster `connection` reaches; records whose resource version is in `previous`
    /// are not read again. The agent is inside the cluster: every address may be connected to.
    public static func scan(
        _ connection: KubeconfigConnection,
        previous: [String: ReleaseRecordSummary],
        timeout: Duration = .seconds(60)
    ) async throws -> ReleaseScanResult {
        var policy = ClusterPolicy(requestTimeout: timeout)
        policy.egress = .unrestricted
        let outcome = try await KubernetesClient.with(connection, options: policy.connectionOptions) { client in
            try await ReleaseScan(client: client, policy: policy, previous: previous).run()
        }
        return ReleaseScanResult(changed: outcome.changed, present: outcome.current, forbiddenNamespaces: outcome.forbidden)
    }
}
