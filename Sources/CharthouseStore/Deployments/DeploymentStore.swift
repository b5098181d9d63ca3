public import Foundation

/// Profiles attached to clusters, the agents' credentials and what they report. Implemented by
/// ``SQLDeploymentStore``. Callers check the tenant: rows are keyed by cluster.
public protocol DeploymentStore: Sendable {
    /// Replaces the cluster's registration token digest and ends every session of its agent.
    func setAgentToken(clusterID: String, digest: String, at: Date) async throws
    /// The cluster whose registration token has this digest.
    func cluster(agentTokenDigest: String) async throws -> ClusterRecord?
    func createSession(_ session: AgentSessionRecord) async throws
    /// A session by its token's digest, with its cluster; `nil` when unknown.
    func session(digest: String) async throws -> (AgentSessionRecord, ClusterRecord)?
    /// A session by its id, with its cluster.
    func session(id: String) async throws -> (AgentSessionRecord, ClusterRecord)?
    /// Deletes sessions past their expiry; returns how many went.
    func deleteExpiredSessions(before: Date) async throws -> Int
    /// Records that the agent called, and its version.
    func touchAgent(clusterID: String, at: Date, version: String?) async throws

    func attachment(clusterID: String) async throws -> AttachmentRecord?
    /// Inserts or replaces the cluster's attachment.
    func saveAttachment(_ attachment: AttachmentRecord) async throws
    /// Marks the attachment detached with `policy`; `orphan` also drops the status rows (the
    /// releases stay in the cluster, unmanaged). Returns whether an attached one was there.
    func detach(clusterID: String, policy: DetachPolicy, at: Date) async throws -> Bool

    /// The status rows of a cluster, by namespace and release name.
    func statuses(clusterID: String) async throws -> [LayerStatusRecord]
    /// Upserts the reported rows (a `removed` phase deletes the row).
    func report(_ statuses: [LayerStatusRecord], clusterID: String) async throws
}
