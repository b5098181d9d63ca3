import CharthouseStore
import Foundation
import HelmFormats

/// Keeps a hosted registry's catalog in step with what is pushed to it: a pushed chart version is
/// in the catalog (listings, search, values/README/schema) as soon as its manifest is stored, a
/// deleted one leaves it; each change is recorded like a sync run, so the registry view shows
/// its counts and its last change.
struct HostedCatalog: Sendable {
    /// The catalog change of a push or a delete, written by the store in the transaction that
    /// stores or deletes the manifest: the versions upserted and removed, then the chart rows
    /// rebuilt from the catalog as that transaction sees it (so racing pushes never leave the
    /// chart rows one push behind), and the change recorded like a sync run.
    static func change(
        registryID: String,
        upsert: [CatalogVersionRecord],
        remove: [(chart: String, version: String)]
    ) -> @Sendable (any CatalogWriter) async throws -> Void {
        let removals = remove.map { (chart: $0.chart, version: $0.version) }
        return { writer in
            let started = Date()
            try await writer.upsert(upsert)
            try await writer.remove(removals)
            let all = try await writer.allVersions()
            var diff = CatalogDiff(stored: [:])
            for record in all { diff.add(ListedVersion(record: record)) }
            let charts = diff.chartRecords(registryID: registryID)
            try await writer.replaceCharts(charts)
            let names: (added: [String], removed: [String]) = (
                upsert.map { "\($0.chart)@\($0.version)" }, removals.map { "\($0.chart)@\($0.version)" }
            )
            var state = SyncStateRecord(registryID: registryID)
            state.succeeded(
                startedAt: started,
                durationMs: 0,
                charts: charts.count,
                versions: all.count,
                counts: (names.added.count, names.removed.count, 0, 0),
                nextSyncAt: nil
            )
            let changes =
                (try? JSONEncoder().encode(["added": names.added, "removed": names.removed, "updated": []]))
                .map { String(decoding: $0, as: UTF8.self) } ?? "{}"
            let run = SyncRunRecord(
                id: TokenValue.newID(),
                registryID: registryID,
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
            try await writer.save(state: state, run: run, owner: nil, keepingRuns: SyncStateRecord.runsKept)
        }
    }
}
