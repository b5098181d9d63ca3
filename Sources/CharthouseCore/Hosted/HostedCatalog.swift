import CharthouseStore
import Foundation
import HelmFormats

/// Keeps a hosted registry's catalog in step with what is pushed to it: a pushed chart version is
/// in the catalog (listings, search, values/README/schema) as soon as its manifest is stored, a
/// deleted one leaves it; each change is recorded like a sync run, so the registry view shows
/// its counts and its last change.
struct HostedCatalog: Sendable {
    let stores: Stores

    /// Adds or replaces versions and removes others, in one transaction.
    func apply(registry: RegistryRecord, upsert: [CatalogVersionRecord], remove: [(chart: String, version: String)]) async throws {
        let started = Date()
        // The chart rows are rebuilt from the whole catalog with the change applied.
        var all = Dictionary(
            try await stores.catalog.allVersions(registryID: registry.id).map { (CatalogDiff.key(chart: $0.chart, version: $0.version), $0) },
            uniquingKeysWith: { _, last in last }
        )
        for key in remove { all[CatalogDiff.key(chart: key.chart, version: key.version)] = nil }
        for record in upsert { all[CatalogDiff.key(chart: record.chart, version: record.version)] = record }
        var diff = CatalogDiff(stored: [:])
        for record in all.values { diff.add(ListedVersion(record: record)) }
        let charts = diff.chartRecords(registryID: registry.id)
        let versions = all.count
        let names: (added: [String], removed: [String]) = (
            upsert.map { "\($0.chart)@\($0.version)" }, remove.map { "\($0.chart)@\($0.version)" }
        )
        try await stores.catalog.write(registryID: registry.id) { writer in
            try await writer.upsert(upsert)
            try await writer.remove(remove)
            try await writer.replaceCharts(charts)
            var state = SyncStateRecord(registryID: registry.id, state: "ok")
            state.lastSyncAt = started
            state.lastDurationMs = 0
            state.charts = charts.count
            state.versions = versions
            state.added = names.added.count
            state.removed = names.removed.count
            let changes =
                (try? JSONEncoder().encode(["added": names.added, "removed": names.removed, "updated": []]))
                .map { String(decoding: $0, as: UTF8.self) } ?? "{}"
            let run = SyncRunRecord(
                id: TokenValue.newID(),
                registryID: registry.id,
                startedAt: started,
                durationMs: 0,
                outcome: "ok",
                error: nil,
                added: names.added.count,
                removed: names.removed.count,
                updated: 0,
                skipped: 0,
                changes: changes
            )
            try await writer.save(state: state, run: run, owner: nil)
        }
    }
}
