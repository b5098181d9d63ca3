public import Foundation

/// A registry's synced catalog and its sync state. Implemented by ``SQLCatalogStore``.
public protocol CatalogStore: Sendable {
    /// `chart\u{0}version` → fingerprint of every stored version of a registry.
    func fingerprints(registryID: String) async throws -> [String: String]
    /// Runs `body` in one transaction with a writer for the registry's catalog: a sync streams
    /// its changed versions through it, then replaces the chart rows and records the state
    /// (releasing the lease) and the run. If `body` throws, nothing changes.
    func write<R: Sendable>(registryID: String, _ body: @Sendable (any CatalogWriter) async throws -> R) async throws -> R
    /// Records a sync that changed no catalog row (unchanged or failed), releasing the lease.
    func finish(state: SyncStateRecord, run: SyncRunRecord, owner: String?, keepingRuns: Int) async throws

    func state(registryID: String) async throws -> SyncStateRecord?
    /// The sync states of several registries in one query, by registry id.
    func states(registryIDs: [String]) async throws -> [String: SyncStateRecord]
    /// Takes the sync lease of a registry if nobody holds a live one; returns the state when taken.
    func acquireLease(registryID: String, owner: String, until: Date, now: Date) async throws -> SyncStateRecord?
    /// Extends a lease this owner holds; returns false if it no longer holds it.
    func renewLease(registryID: String, owner: String, until: Date) async throws -> Bool
    /// Registries whose next sync is due and whose lease is free.
    func dueRegistries(now: Date) async throws -> [String]
    func runs(registryID: String, limit: Int) async throws -> [SyncRunRecord]

    /// Charts of a registry by name, starting after `after`, optionally with a name prefix.
    func charts(registryID: String, prefix: String?, after: String?, limit: Int) async throws -> [CatalogChartRecord]
    func versions(registryID: String, chart: String) async throws -> [CatalogVersionRecord]
    /// Every version of a registry's catalog.
    func allVersions(registryID: String) async throws -> [CatalogVersionRecord]
    func version(registryID: String, chart: String, version: String) async throws -> CatalogVersionRecord?
    /// The versions of these charts in these registries, with the registry of each.
    func versions(registryIDs: [String], charts: Set<String>) async throws -> [(registryID: String, version: CatalogVersionRecord)]
    /// Charts of these registries whose name, description or keywords contain `query`
    /// (lowercased), ranked: exact name, name prefix, name contains, the rest; then by chart and
    /// registry name.
    func search(registryIDs: [String], query: String, offset: Int, limit: Int) async throws -> [CatalogChartRecord]
}

/// Writes one sync's changes to a registry's catalog, inside the transaction of
/// ``CatalogStore/write(registryID:_:)``.
public protocol CatalogWriter: Sendable {
    /// Every version of the registry as this transaction sees it (its own writes included).
    func allVersions() async throws -> [CatalogVersionRecord]
    /// Inserts versions, replacing stored ones with the same chart and version. A version may
    /// appear only once per call.
    func upsert(_ versions: [CatalogVersionRecord]) async throws
    /// Deletes versions by chart and version.
    func remove(_ keys: [(chart: String, version: String)]) async throws
    /// Replaces every chart row of the registry.
    func replaceCharts(_ charts: [CatalogChartRecord]) async throws
    /// Records the sync state and the run, if `owner` still holds the registry's lease; otherwise
    /// throws ``StoreError/leaseLost(_:)`` (and the whole transaction, catalog writes included,
    /// rolls back: the new owner's sync stands). `nil`: no lease is involved (a hosted
    /// registry's catalog, written with its push). Only the newest `keepingRuns` runs of the
    /// registry are kept.
    func save(state: SyncStateRecord, run: SyncRunRecord, owner: String?, keepingRuns: Int) async throws
}
