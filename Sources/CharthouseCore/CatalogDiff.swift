import CharthouseStore
import Foundation
import HelmFormats

/// Compares a registry's listing, version by version as it is decoded, with the stored catalog:
/// it collects the versions to write in batches, the charts' summaries and, at the end, what
/// was added, removed and updated. Only fingerprints of the whole catalog are kept, never the
/// whole catalog.
struct CatalogDiff: Sendable {
    /// `chart\u{0}version` → fingerprint of the stored catalog.
    let stored: [String: String]
    /// `chart\u{0}version` → fingerprint of the listing so far.
    private(set) var current: [String: String] = [:]
    /// Keys in the order they first appeared, for naming the changes.
    private var order: [String] = []
    private var charts: [String: ChartSummary] = [:]
    /// Versions new or changed since the stored catalog, not yet handed out.
    private var pending: [CatalogVersionRecord] = []
    private var pendingHasRepeat = false
    /// Versions helm skips, counted.
    var skipped = 0

    /// The running summary of one chart: how many versions and the best candidate for "latest".
    private struct ChartSummary: Sendable {
        var versions = 0
        var latest: CatalogVersionRecord
        var latestVersion: SemanticVersion?
    }

    init(stored: [String: String]) {
        self.stored = stored
        current.reserveCapacity(stored.count)
        order.reserveCapacity(stored.count)
    }

    static func key(chart: String, version: String) -> String { chart + "\u{0}" + version }

    var pendingCount: Int { pending.count }
    var versionCount: Int { current.count }

    /// Notes one version of the listing. A repeated chart version replaces the earlier one, as in
    /// helm's search.
    mutating func add(_ record: CatalogVersionRecord, semanticVersion: SemanticVersion?) {
        let key = Self.key(chart: record.chart, version: record.version)
        let repeated = current.updateValue(record.fingerprint, forKey: key) != nil
        if repeated {
            pending.append(record)
            pendingHasRepeat = true
        } else {
            order.append(key)
            if stored[key] != record.fingerprint { pending.append(record) }
        }
        if var summary = charts[record.chart] {
            if !repeated { summary.versions += 1 }
            if Self.isBetter(semanticVersion, than: summary.latestVersion) || summary.latest.version == record.version {
                summary.latest = record
                summary.latestVersion = semanticVersion
            }
            charts[record.chart] = summary
        } else {
            charts[record.chart] = ChartSummary(versions: 1, latest: record, latestVersion: semanticVersion)
        }
    }

    /// Latest stable version wins; a prerelease wins only over prereleases.
    private static func isBetter(_ candidate: SemanticVersion?, than best: SemanticVersion?) -> Bool {
        guard let candidate else { return false }
        guard let best else { return true }
        if candidate.isPrerelease != best.isPrerelease { return !candidate.isPrerelease }
        return best < candidate
    }

    /// The versions to write since the last call, each chart version once (the last one seen).
    mutating func takeBatch() -> [CatalogVersionRecord] {
        var batch: [CatalogVersionRecord] = []
        swap(&batch, &pending)
        guard pendingHasRepeat else { return batch }
        pendingHasRepeat = false
        var seen = Set<String>()
        return batch.reversed().filter { seen.insert(Self.key(chart: $0.chart, version: $0.version)).inserted }.reversed()
    }

    /// Whether the listing lost so much of a sizeable catalog at once that it is suspicious.
    func isSuspiciousShrink(threshold: Double) -> Bool {
        stored.count >= 20 && Double(current.count) < Double(stored.count) * (1 - threshold)
    }

    /// Stored versions the listing no longer has.
    var removals: [(chart: String, version: String)] {
        stored.keys.filter { current[$0] == nil }.sorted().map { key in
            let parts = key.split(separator: "\u{0}", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            return (parts[0], parts.count > 1 ? parts[1] : "")
        }
    }

    /// The changes as `chart@version` names, in listing order; `removals` as computed once by the caller.
    func changes(removals: [(chart: String, version: String)]) -> (added: [String], removed: [String], updated: [String]) {
        var added: [String] = []
        var updated: [String] = []
        for key in order {
            guard let fingerprint = current[key] else { continue }
            switch stored[key] {
            case nil: added.append(Self.name(key))
            case let old? where old != fingerprint: updated.append(Self.name(key))
            default: break
            }
        }
        return (added, removals.map { "\($0.chart)@\($0.version)" }, updated)
    }

    private static func name(_ key: String) -> String {
        String(decoding: key.utf8.map { $0 == 0 ? UInt8(ascii: "@") : $0 }, as: UTF8.self)
    }

    /// One row per chart with its latest version.
    func chartRecords(registryID: String) -> [CatalogChartRecord] {
        charts.keys.sorted().compactMap { chart in
            guard let summary = charts[chart] else { return nil }
            let latest = summary.latest
            let metadata = (try? JSONSerialization.jsonObject(with: Data(latest.metadata.utf8))) as? [String: Any]
            return CatalogChartRecord(
                registryID: registryID,
                chart: chart,
                latestVersion: latest.version,
                appVersion: latest.appVersion,
                description: latest.description,
                icon: metadata?["icon"] as? String ?? "",
                keywords: (metadata?["keywords"] as? [String] ?? []).joined(separator: " "),
                deprecated: latest.deprecated,
                versions: summary.versions
            )
        }
    }
}
