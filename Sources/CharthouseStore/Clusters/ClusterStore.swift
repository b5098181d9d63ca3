public import Foundation

/// A tenant's clusters, their discovery state and the Helm release records found in them.
/// Implemented by ``SQLClusterStore``.
public protocol ClusterStore: Sendable {
    /// Inserts a cluster; throws ``StoreError/duplicate(_:)`` when the tenant has the name.
    func create(_ cluster: ClusterRecord) async throws
    /// Replaces a cluster's row; ``StoreError/duplicate(_:)`` on a name clash, ``StoreError/notFound(_:)`` if gone.
    func update(_ cluster: ClusterRecord) async throws
    func find(id: String) async throws -> ClusterRecord?
    /// A tenant's clusters by name.
    func list(tenantID: String) async throws -> [ClusterRecord]
    /// Deletes a cluster with its state and records. Returns whether a row went.
    func delete(id: String) async throws -> Bool

    func state(clusterID: String) async throws -> DiscoveryStateRecord?
    func states(clusterIDs: [String]) async throws -> [String: DiscoveryStateRecord]
    /// Takes the discovery lease if nobody holds a live one; returns the state when taken.
    func acquireLease(clusterID: String, owner: String, until: Date, now: Date) async throws -> DiscoveryStateRecord?
    /// Extends a lease this owner holds; returns false if it no longer holds it.
    func renewLease(clusterID: String, owner: String, until: Date) async throws -> Bool
    /// Asks an agent cluster's agent for a discovery (`next_run_at`, which the scheduler reads
    /// only for direct clusters).
    func requestDiscovery(clusterID: String, at: Date) async throws
    /// Clusters whose next discovery is due and whose lease is free.
    func dueClusters(now: Date) async throws -> [String]

    /// What discovery compares: every stored record of a cluster by ``ReleaseRecordRow/key``.
    func recordSummaries(clusterID: String) async throws -> [String: ReleaseRecordSummary]
    /// In one transaction: upserts `changed` records, deletes the records with keys `removed`,
    /// and saves `state` — if `owner` still holds the lease (else ``StoreError/leaseLost(_:)``
    /// and nothing changes). A failed run passes no changes: the last good records stay.
    func finish(state: DiscoveryStateRecord, changed: [ReleaseRecordRow], removed: [String], owner: String) async throws

    /// The latest revision of every release of a cluster (skipped records excluded), by
    /// namespace and name; `namespace` narrows to one.
    func releases(clusterID: String, namespace: String?) async throws -> [ReleaseRecordRow]
    /// Every revision helm keeps of one release, newest first.
    func history(clusterID: String, namespace: String, name: String) async throws -> [ReleaseRecordRow]
}
