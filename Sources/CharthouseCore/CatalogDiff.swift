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

    /// The running summary of one chart: how many versions and the best candidate for "latest"
    /// (only what the chart row shows, not the whole record).
    private struct ChartSummary: Sendable {
        var versions = 0
        var latest: Latest
        var latestVersion: SemanticVersion?
    }

    private struct Latest: Sendable {
        var version: String
        var appVersion: String
        var description: String
        var deprecated: Bool
        var icon: String
        var keywords: String

        init(_ listed: ListedVersion) {
            version = listed.record.version
            appVersion = listed.record.appVersion
            description = listed.record.description
            deprecated = listed.record.deprecated
            icon = listed.icon
            keywords = listed.keywords.joined(separator: " ")
        }
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
    mutating func add(_ listed: ListedVersion) {
        let record = listed.record
        let semanticVersion = listed.semanticVersion
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
                summary.latest = Latest(listed)
                summary.latestVersion = semanticVersion
            }
            charts[record.chart] = summary
        } else {
            charts[record.chart] = ChartSummary(versions: 1, latest: Latest(listed), latestVersion: semanticVersion)
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
            return CatalogChartRecord(
                registryID: registryID,
                chart: chart,
                latestVersion: latest.version,
                appVersion: latest.appVersion,
                description: latest.description,
                icon: latest.icon,
                keywords: latest.keywords,
                deprecated: latest.deprecated,
                versions: summary.versions
            )
        }
    }
}

/// One version of a listing as the diff takes it: its catalog record, its parsed SemVer, and
/// the icon and keywords a chart row shows when it is the latest.
struct ListedVersion: Sendable {
    let record: CatalogVersionRecord
    let semanticVersion: SemanticVersion?
    let icon: String
    let keywords: [String]

    init(record: CatalogVersionRecord, semanticVersion: SemanticVersion?, icon: String, keywords: [String]) {
        self.record = record
        self.semanticVersion = semanticVersion
        self.icon = icon
        self.keywords = keywords
    }

    /// A record whose icon and keywords are only in its metadata JSON (OCI).
    init(record: CatalogVersionRecord) {
        let metadata = try? JSONDecoder().decode(JSONValue.self, from: Data(record.metadata.utf8))
        self.init(
            record: record,
            semanticVersion: SemanticVersion(record.version),
            icon: metadata?["icon"]?.stringValue ?? "",
            keywords: metadata?["keywords"]?.arrayValue?.compactMap(\.stringValue) ?? []
        )
    }
}
