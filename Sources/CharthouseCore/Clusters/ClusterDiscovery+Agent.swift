public import CharthouseStore
import Foundation

/// What an agent found in its cluster with the same ``ReleaseScan`` the server runs: the records
/// it read since its last report, and the keys (with resource versions) of every record there is.
public struct AgentReleaseReport: Sendable {
    public var changed: [ReleaseRecordRow]
    /// Every record in the cluster: key → resource version.
    public var present: [String: String]
    public var forbiddenNamespaces: [String]
    public var durationMs: Int

    public init(changed: [ReleaseRecordRow], present: [String: String], forbiddenNamespaces: [String], durationMs: Int) {
        self.changed = changed
        self.present = present
        self.forbiddenNamespaces = forbiddenNamespaces
        self.durationMs = durationMs
    }
}

extension ClusterDiscovery {
    /// At most this many records in one agent report.
    public static let maxReportedRecords = 100_000

    /// Records an agent's discovery as a discovery run of its cluster; returns the keys the
    /// agent listed as present that the server holds no record of (the agent reads them again
    /// and sends them next time).
    public func record(_ report: AgentReleaseReport, clusterID: String) async throws -> [String] {
        guard report.present.count <= Self.maxReportedRecords, report.changed.count <= Self.maxReportedRecords else {
            throw CharthouseError(.payloadTooLarge, "at most \(Self.maxReportedRecords) release records per report")
        }
        guard let record = try await stores.clusters.find(id: clusterID) else { throw CharthouseError.unauthenticated }
        let owner = TokenValue.newID()
        let now = Date()
        guard var state = try await stores.clusters.acquireLease(clusterID: clusterID, owner: owner, until: now.addingTimeInterval(60), now: now)
        else { throw CharthouseError(.conflict, "another report of cluster \(record.name) is being recorded; send it again") }
        let stored = try await stores.clusters.recordSummaries(clusterID: clusterID)
        var current = stored.filter { report.present[$0.key] == $0.value.resourceVersion }
        var changed: [ReleaseRecordRow] = []
        for row in report.changed where report.present[row.key] != nil && row.key.utf8.count <= 1024 {
            changed.append(row)
            current[row.key] = ReleaseRecordSummary(
                resourceVersion: row.resourceVersion,
                skipped: row.skippedReason != nil,
                release: "\(row.namespace)/\(row.releaseName)"
            )
        }
        let missing = report.present.keys.filter { current[$0] == nil }.sorted()
        let removed = stored.keys.filter { report.present[$0] == nil }
        let summaries = current.values
        state.succeeded(
            startedAt: now,
            durationMs: max(0, report.durationMs),
            counts: (
                releases: Set(summaries.filter { !$0.skipped }.map(\.release)).count, records: summaries.filter { !$0.skipped }.count,
                skipped: summaries.filter(\.skipped).count, decoded: changed.count
            ),
            forbidden: report.forbiddenNamespaces.sorted(),
            interval: record.discoveryIntervalSeconds
        )
        state.leaseOwner = nil
        state.leaseExpiresAt = nil
        try await stores.clusters.finish(state: state, changed: changed, removed: removed, owner: owner)
        return missing
    }
}
