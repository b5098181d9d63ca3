public import Foundation
import SQLKit

extension SQLClusterStore {
    public func state(clusterID: String) async throws -> DiscoveryStateRecord? {
        try await states(clusterIDs: [clusterID])[clusterID]
    }

    public func states(clusterIDs: [String]) async throws -> [String: DiscoveryStateRecord] {
        guard !clusterIDs.isEmpty else { return [:] }
        return try await database.withConnection { db in
            var query: SQLQueryString = "SELECT \(unsafeRaw: Self.stateColumns) FROM cluster_discovery_state WHERE cluster_id IN ("
            query.appendInterpolation(binds: clusterIDs)
            query.appendInterpolation(unsafeRaw: ")")
            let states = try await db.raw(query).all().map(Self.decodeState)
            return Dictionary(uniqueKeysWithValues: states.map { ($0.clusterID, $0) })
        }
    }

    public func acquireLease(clusterID: String, owner: String, until: Date, now: Date) async throws -> DiscoveryStateRecord? {
        try await database.transaction { db in
            try await db.raw(
                """
                INSERT INTO cluster_discovery_state (cluster_id, state, releases, records, skipped, decoded, forbidden_namespaces, failures, runs)
                VALUES (\(bind: clusterID), \(bind: SyncState.never.rawValue), 0, 0, 0, 0, '', 0, 0) ON CONFLICT (cluster_id) DO NOTHING
                """
            ).run()
            return try await db.raw(
                """
                UPDATE cluster_discovery_state SET state = \(bind: SyncState.running.rawValue), lease_owner = \(bind: owner),
                    lease_expires_at = \(bind: Timestamp.from(until))
                WHERE cluster_id = \(bind: clusterID)
                  AND (lease_owner IS NULL OR lease_expires_at IS NULL OR lease_expires_at < \(bind: Timestamp.from(now)))
                RETURNING \(unsafeRaw: Self.stateColumns)
                """
            ).first().map(Self.decodeState)
        }
    }

    public func requestDiscovery(clusterID: String, at: Date) async throws {
        try await database.withConnection { db in
            try await db.raw(
                """
                INSERT INTO cluster_discovery_state (cluster_id, state, releases, records, skipped, decoded, forbidden_namespaces, failures, runs,
                    next_run_at)
                VALUES (\(bind: clusterID), \(bind: SyncState.never.rawValue), 0, 0, 0, 0, '', 0, 0, \(bind: Timestamp.from(at)))
                ON CONFLICT (cluster_id) DO UPDATE SET next_run_at = excluded.next_run_at
                """
            ).run()
        }
    }

    public func renewLease(clusterID: String, owner: String, until: Date) async throws -> Bool {
        try await database.withConnection { db in
            !(try await db.raw(
                """
                UPDATE cluster_discovery_state SET lease_expires_at = \(bind: Timestamp.from(until))
                WHERE cluster_id = \(bind: clusterID) AND lease_owner = \(bind: owner) RETURNING cluster_id
                """
            ).all()).isEmpty
        }
    }

    public func dueClusters(now: Date) async throws -> [String] {
        let millis = Timestamp.from(now)
        return try await database.withConnection { db in
            try await db.raw(
                """
                SELECT c.id FROM clusters c LEFT JOIN cluster_discovery_state s ON s.cluster_id = c.id
                WHERE c.mode = 'direct' AND (s.cluster_id IS NULL OR s.next_run_at IS NULL OR s.next_run_at <= \(bind: millis))
                  AND (s.lease_owner IS NULL OR s.lease_expires_at IS NULL OR s.lease_expires_at < \(bind: millis))
                ORDER BY c.id
                """
            ).all().map { try $0.decode(column: "id", as: String.self) }
        }
    }

    public func finish(state: DiscoveryStateRecord, changed: [ReleaseRecordRow], removed: [String], owner: String) async throws {
        try await database.transaction { db in
            // Still ours? (The row stays locked until the commit, so nobody takes the lease meanwhile.)
            let held = try await db.raw(
                """
                UPDATE cluster_discovery_state SET lease_owner = lease_owner
                WHERE cluster_id = \(bind: state.clusterID) AND lease_owner = \(bind: owner) RETURNING cluster_id
                """
            ).first()
            guard held != nil else {
                throw StoreError.leaseLost("the discovery of cluster \(state.clusterID) lost its lease to another run; its results were not saved")
            }
            try await Self.remove(removed, clusterID: state.clusterID, on: db)
            for batch in stride(from: 0, to: changed.count, by: 200) {
                try await Self.upsert(Array(changed[batch..<min(batch + 200, changed.count)]), clusterID: state.clusterID, on: db)
            }
            try await db.raw(
                """
                UPDATE cluster_discovery_state SET state = \(bind: state.state.rawValue), lease_owner = \(bind: state.leaseOwner),
                    lease_expires_at = \(bind: state.leaseExpiresAt.map(Timestamp.from)), last_run_at = \(bind: state.lastRunAt.map(Timestamp.from)),
                    last_duration_ms = \(bind: state.lastDurationMs), last_error = \(bind: state.lastError), releases = \(bind: state.releases),
                    records = \(bind: state.records), skipped = \(bind: state.skipped), decoded = \(bind: state.decoded),
                    forbidden_namespaces = \(bind: state.forbiddenNamespaces.joined(separator: "\n")), failures = \(bind: state.failures), runs = \(bind: state.runs),
                    next_run_at = \(bind: state.nextRunAt.map(Timestamp.from))
                WHERE cluster_id = \(bind: state.clusterID)
                """
            ).run()
        }
    }

    private static func remove(_ keys: [String], clusterID: String, on db: any SQLDatabase) async throws {
        for key in keys {
            let parts = key.split(separator: "/", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 3 else { continue }
            try await db.raw(
                """
                DELETE FROM cluster_release_records WHERE cluster_id = \(bind: clusterID) AND storage = \(bind: parts[0])
                  AND namespace = \(bind: parts[1]) AND record_name = \(bind: parts[2])
                """
            ).run()
        }
    }

    static let recordColumns = """
        storage, namespace, record_name, resource_version, skipped_reason, release_name, revision, status, chart, chart_version,
        app_version, description, first_deployed, last_deployed, config_yaml, chart_fingerprint, values_fingerprint
        """

    private static func upsert(_ rows: [ReleaseRecordRow], clusterID: String, on db: any SQLDatabase) async throws {
        guard !rows.isEmpty else { return }
        var query: SQLQueryString = "INSERT INTO cluster_release_records (cluster_id, \(unsafeRaw: recordColumns)) VALUES "
        for (index, row) in rows.enumerated() {
            if index > 0 { query.appendInterpolation(unsafeRaw: ", ") }
            query.appendInterpolation(unsafeRaw: "(")
            let values: [any Encodable & Sendable] = [
                clusterID, row.storage, row.namespace, row.recordName, row.resourceVersion, row.skippedReason, row.releaseName, row.revision,
                row.status, row.chart, row.chartVersion, row.appVersion, row.description, row.firstDeployed, row.lastDeployed, row.configYAML,
                row.chartFingerprint, row.valuesFingerprint,
            ]
            query.appendInterpolation(binds: values)
            query.appendInterpolation(unsafeRaw: ")")
        }
        query.appendInterpolation(
            unsafeRaw: """
                 ON CONFLICT (cluster_id, storage, namespace, record_name) DO UPDATE SET resource_version = excluded.resource_version,
                    skipped_reason = excluded.skipped_reason, release_name = excluded.release_name, revision = excluded.revision,
                    status = excluded.status, chart = excluded.chart, chart_version = excluded.chart_version, app_version = excluded.app_version,
                    description = excluded.description, first_deployed = excluded.first_deployed, last_deployed = excluded.last_deployed,
                    config_yaml = excluded.config_yaml, chart_fingerprint = excluded.chart_fingerprint,
                    values_fingerprint = excluded.values_fingerprint
                """
        )
        try await db.raw(query).run()
    }

    static func decodeState(_ row: any SQLRow) throws -> DiscoveryStateRecord {
        let raw = try row.decode(column: "state", as: String.self)
        var state = DiscoveryStateRecord(clusterID: try row.decode(column: "cluster_id", as: String.self), state: SyncState(rawValue: raw) ?? .failed)
        state.leaseOwner = try row.decode(column: "lease_owner", as: String?.self)
        state.leaseExpiresAt = try row.decode(column: "lease_expires_at", as: Int64?.self).map(Timestamp.date)
        state.lastRunAt = try row.decode(column: "last_run_at", as: Int64?.self).map(Timestamp.date)
        state.lastDurationMs = try row.decode(column: "last_duration_ms", as: Int?.self)
        state.lastError = try row.decode(column: "last_error", as: String?.self)
        state.releases = try row.decode(column: "releases", as: Int.self)
        state.records = try row.decode(column: "records", as: Int.self)
        state.skipped = try row.decode(column: "skipped", as: Int.self)
        state.decoded = try row.decode(column: "decoded", as: Int.self)
        state.forbiddenNamespaces = try row.decode(column: "forbidden_namespaces", as: String.self).split(separator: "\n").map(String.init)
        state.failures = try row.decode(column: "failures", as: Int.self)
        state.runs = try row.decode(column: "runs", as: Int.self)
        state.nextRunAt = try row.decode(column: "next_run_at", as: Int64?.self).map(Timestamp.date)
        return state
    }
}
