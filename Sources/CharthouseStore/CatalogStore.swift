import Foundation

/// A registry's synced catalog and its sync state. Implemented by ``SQLCatalogStore``.
public protocol CatalogStore: Sendable {
    /// `chart\u{0}version` → fingerprint of every stored version of a registry.
    func fingerprints(registryID: String) async throws -> [String: String]
    /// Applies one sync's diff in one transaction: removes (`removals` must include the keys of
    /// updated versions), inserts `upserts`, replaces the chart rows,
    /// records the state (releasing the lease) and the run. On any error nothing changes.
    func apply(
        registryID: String,
        upserts: [CatalogVersionRecord],
        removals: [(chart: String, version: String)],
        charts: [CatalogChartRecord],
        state: SyncStateRecord,
        run: SyncRunRecord
    ) async throws
    /// Records a sync that changed no catalog row (unchanged or failed), releasing the lease.
    func finish(state: SyncStateRecord, run: SyncRunRecord) async throws

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
    /// Charts of these registries whose name, description or keywords contain `query` (lowercased).
    func search(registryIDs: [String], query: String, limit: Int) async throws -> [CatalogChartRecord]
}
