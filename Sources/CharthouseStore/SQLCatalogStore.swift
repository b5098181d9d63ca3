public import Foundation
import SQLKit

/// ``CatalogStore`` over SQLite or PostgreSQL. Writes go in batches of multi-row INSERTs inside
/// one transaction per sync.
public struct SQLCatalogStore: CatalogStore {
    let database: CharthouseDatabase
    /// Rows per INSERT: 500 × 13 binds stays under SQLite's and PostgreSQL's bind limits.
    private static let batchSize = 500
    static let versionColumns =
        "chart, version, app_version, description, digest, url, created, deprecated, prerelease, metadata, fingerprint, manifest_digest"
    private static let chartColumns = "registry_id, chart, latest_version, app_version, description, icon, keywords, deprecated, versions"
    private static let stateColumns = """
        registry_id, state, lease_owner, lease_expires_at, last_sync_at, last_duration_ms, last_error, charts, versions, added, removed,
        updated, skipped, etag, last_modified, body_digest, failures, next_sync_at
        """

    public init(database: CharthouseDatabase) {
        self.database = database
    }

    public func fingerprints(registryID: String) async throws -> [String: String] {
        try await database.withConnection { db in
            var result: [String: String] = [:]
            for row in try await db.raw("SELECT chart, version, fingerprint FROM catalog_versions WHERE registry_id = \(bind: registryID)").all() {
                let key = try row.decode(column: "chart", as: String.self) + "\u{0}" + row.decode(column: "version", as: String.self)
                result[key] = try row.decode(column: "fingerprint", as: String.self)
            }
            return result
        }
    }

    public func write<R: Sendable>(registryID: String, _ body: @Sendable (any CatalogWriter) async throws -> R) async throws -> R {
        try await database.transaction { db in try await body(Writer(registryID: registryID, db: db)) }
    }

    /// The ``CatalogWriter`` of one transaction: multi-row statements of at most ``batchSize`` rows.
    /// Other stores of this module open one on their own transaction (a push writes its manifest
    /// and its catalog change together).
    struct Writer: CatalogWriter {
        let registryID: String
        let db: any SQLDatabase

        func allVersions() async throws -> [CatalogVersionRecord] {
            try await db.raw(
                "SELECT \(unsafeRaw: SQLCatalogStore.versionColumns) FROM catalog_versions WHERE registry_id = \(bind: registryID)"
            ).all().map(SQLCatalogStore.decodeVersion)
        }

        func upsert(_ versions: [CatalogVersionRecord]) async throws {
            for start in stride(from: 0, to: versions.count, by: SQLCatalogStore.batchSize) {
                var query: SQLQueryString = "INSERT INTO catalog_versions (registry_id, \(unsafeRaw: SQLCatalogStore.versionColumns)) VALUES "
                for (offset, version) in versions[start..<min(start + SQLCatalogStore.batchSize, versions.count)].enumerated() {
                    query.appendInterpolation(unsafeRaw: offset == 0 ? "(" : ", (")
                    let values: [any Encodable & Sendable] = [
                        registryID, version.chart, version.version, version.appVersion, version.description, version.digest, version.url,
                        version.created, version.deprecated ? 1 : 0, version.prerelease ? 1 : 0, version.metadata, version.fingerprint,
                        version.manifestDigest,
                    ]
                    query.appendInterpolation(binds: values)
                    query.appendInterpolation(unsafeRaw: ")")
                }
                query.appendInterpolation(
                    unsafeRaw: """
                         ON CONFLICT (registry_id, chart, version) DO UPDATE SET app_version = excluded.app_version,
                        description = excluded.description, digest = excluded.digest, url = excluded.url, created = excluded.created,
                        deprecated = excluded.deprecated, prerelease = excluded.prerelease, metadata = excluded.metadata,
                        fingerprint = excluded.fingerprint, manifest_digest = excluded.manifest_digest
                        """
                )
                try await db.raw(query).run()
            }
        }

        func remove(_ keys: [(chart: String, version: String)]) async throws {
            for start in stride(from: 0, to: keys.count, by: SQLCatalogStore.batchSize) {
                var query: SQLQueryString = "DELETE FROM catalog_versions WHERE registry_id = \(bind: registryID) AND (chart, version) IN (VALUES "
                for (offset, key) in keys[start..<min(start + SQLCatalogStore.batchSize, keys.count)].enumerated() {
                    query.appendInterpolation(unsafeRaw: offset == 0 ? "(" : ", (")
                    query.appendInterpolation(binds: [key.chart, key.version])
                    query.appendInterpolation(unsafeRaw: ")")
                }
                query.appendInterpolation(unsafeRaw: ")")
                try await db.raw(query).run()
            }
        }

        func replaceCharts(_ charts: [CatalogChartRecord]) async throws {
            try await db.raw("DELETE FROM catalog_charts WHERE registry_id = \(bind: registryID)").run()
            for start in stride(from: 0, to: charts.count, by: SQLCatalogStore.batchSize) {
                var query: SQLQueryString = "INSERT INTO catalog_charts (\(unsafeRaw: SQLCatalogStore.chartColumns)) VALUES "
                for (offset, chart) in charts[start..<min(start + SQLCatalogStore.batchSize, charts.count)].enumerated() {
                    query.appendInterpolation(unsafeRaw: offset == 0 ? "(" : ", (")
                    let values: [any Encodable & Sendable] = [
                        registryID, chart.chart, chart.latestVersion, chart.appVersion, chart.description, chart.icon, chart.keywords,
                        chart.deprecated ? 1 : 0, chart.versions,
                    ]
                    query.appendInterpolation(binds: values)
                    query.appendInterpolation(unsafeRaw: ")")
                }
                try await db.raw(query).run()
            }
        }

        func save(state: SyncStateRecord, run: SyncRunRecord, owner: String?, keepingRuns: Int) async throws {
            try await SQLCatalogStore.save(state, run: run, owner: owner, keepingRuns: keepingRuns, on: db)
        }
    }

    public func finish(state: SyncStateRecord, run: SyncRunRecord, owner: String?, keepingRuns: Int) async throws {
        try await database.transaction { db in try await Self.save(state, run: run, owner: owner, keepingRuns: keepingRuns, on: db) }
    }

    private static func save(_ state: SyncStateRecord, run: SyncRunRecord, owner: String?, keepingRuns: Int, on db: any SQLDatabase) async throws {
        if let owner {
            // Still ours? (The row stays locked until the commit, so nobody takes the lease meanwhile.)
            let held = try await db.raw(
                """
                UPDATE registry_sync_state SET lease_owner = lease_owner
                WHERE registry_id = \(bind: state.registryID) AND lease_owner = \(bind: owner) RETURNING registry_id
                """
            ).first()
            guard held != nil else {
                throw StoreError.leaseLost("the sync of registry \(state.registryID) lost its lease to another sync; its results were not saved")
            }
        }
        try await db.raw("DELETE FROM registry_sync_state WHERE registry_id = \(bind: state.registryID)").run()
        var insert: SQLQueryString = "INSERT INTO registry_sync_state (\(unsafeRaw: stateColumns)) VALUES ("
        let values: [any Encodable & Sendable] = [
            state.registryID, state.state.rawValue, state.leaseOwner, state.leaseExpiresAt.map(Timestamp.from), state.lastSyncAt.map(Timestamp.from),
            state.lastDurationMs, state.lastError, state.charts, state.versions, state.added, state.removed, state.updated, state.skipped,
            state.etag, state.lastModified, state.bodyDigest, state.failures, state.nextSyncAt.map(Timestamp.from),
        ]
        insert.appendInterpolation(binds: values)
        insert.appendInterpolation(unsafeRaw: ")")
        try await db.raw(insert).run()
        try await db.raw(
            """
            INSERT INTO registry_syncs (id, registry_id, started_at, duration_ms, outcome, error, added, removed, updated, skipped, changes)
            VALUES (\(bind: run.id), \(bind: run.registryID), \(bind: Timestamp.from(run.startedAt)), \(bind: run.durationMs), \(bind: run.outcome),
                    \(bind: run.error), \(bind: run.added), \(bind: run.removed), \(bind: run.updated), \(bind: run.skipped), \(bind: run.changes))
            """
        ).run()
        try await db.raw(
            """
            DELETE FROM registry_syncs WHERE registry_id = \(bind: run.registryID) AND id NOT IN (
                SELECT id FROM registry_syncs WHERE registry_id = \(bind: run.registryID) ORDER BY started_at DESC LIMIT \(bind: keepingRuns))
            """
        ).run()
    }

    public func state(registryID: String) async throws -> SyncStateRecord? {
        try await database.withConnection { db in
            try await db.raw("SELECT \(unsafeRaw: Self.stateColumns) FROM registry_sync_state WHERE registry_id = \(bind: registryID)").first()
                .map(Self.decodeState)
        }
    }

    public func states(registryIDs: [String]) async throws -> [String: SyncStateRecord] {
        guard !registryIDs.isEmpty else { return [:] }
        return try await database.withConnection { db in
            var query: SQLQueryString = "SELECT \(unsafeRaw: Self.stateColumns) FROM registry_sync_state WHERE registry_id IN ("
            query.appendInterpolation(binds: registryIDs)
            query.appendInterpolation(unsafeRaw: ")")
            let states = try await db.raw(query).all().map(Self.decodeState)
            return Dictionary(uniqueKeysWithValues: states.map { ($0.registryID, $0) })
        }
    }

    public func acquireLease(registryID: String, owner: String, until: Date, now: Date) async throws -> SyncStateRecord? {
        try await database.transaction { db in
            try await db.raw(
                """
                INSERT INTO registry_sync_state (registry_id, state, charts, versions, added, removed, updated, skipped, failures)
                VALUES (\(bind: registryID), \(bind: SyncState.never.rawValue), 0, 0, 0, 0, 0, 0, 0) ON CONFLICT (registry_id) DO NOTHING
                """
            ).run()
            let taken = try await db.raw(
                """
                UPDATE registry_sync_state SET state = \(bind: SyncState.running.rawValue), lease_owner = \(bind: owner), lease_expires_at = \(bind: Timestamp.from(until))
                WHERE registry_id = \(bind: registryID) AND (lease_owner IS NULL OR lease_expires_at IS NULL OR lease_expires_at < \(bind: Timestamp.from(now)))
                RETURNING \(unsafeRaw: Self.stateColumns)
                """
            ).first()
            return try taken.map(Self.decodeState)
        }
    }

    public func renewLease(registryID: String, owner: String, until: Date) async throws -> Bool {
        try await database.withConnection { db in
            !(try await db.raw(
                """
                UPDATE registry_sync_state SET lease_expires_at = \(bind: Timestamp.from(until))
                WHERE registry_id = \(bind: registryID) AND lease_owner = \(bind: owner) RETURNING registry_id
                """
            ).all()).isEmpty
        }
    }

    public func dueRegistries(now: Date) async throws -> [String] {
        try await database.withConnection { db in
            let millis = Timestamp.from(now)
            return try await db.raw(
                """
                SELECT r.id FROM registries r LEFT JOIN registry_sync_state s ON s.registry_id = r.id
                WHERE r.protected = 0 AND r.kind <> 'hosted' AND (s.registry_id IS NULL OR s.next_sync_at IS NULL OR s.next_sync_at <= \(bind: millis))
                  AND (s.lease_owner IS NULL OR s.lease_expires_at IS NULL OR s.lease_expires_at < \(bind: millis))
                ORDER BY s.next_sync_at
                """
            ).all().map { try $0.decode(column: "id", as: String.self) }
        }
    }

    public func runs(registryID: String, limit: Int) async throws -> [SyncRunRecord] {
        try await database.withConnection { db in
            try await db.raw(
                """
                SELECT id, registry_id, started_at, duration_ms, outcome, error, added, removed, updated, skipped, changes
                FROM registry_syncs WHERE registry_id = \(bind: registryID) ORDER BY started_at DESC LIMIT \(bind: limit)
                """
            ).all().map { row in
                SyncRunRecord(
                    id: try row.decode(column: "id", as: String.self),
                    registryID: try row.decode(column: "registry_id", as: String.self),
                    startedAt: Timestamp.date(try row.decode(column: "started_at", as: Int64.self)),
                    durationMs: try row.decode(column: "duration_ms", as: Int.self),
                    outcome: try row.decode(column: "outcome", as: String.self),
                    error: try row.decode(column: "error", as: String?.self),
                    added: try row.decode(column: "added", as: Int.self),
                    removed: try row.decode(column: "removed", as: Int.self),
                    updated: try row.decode(column: "updated", as: Int.self),
                    skipped: try row.decode(column: "skipped", as: Int.self),
                    changes: try row.decode(column: "changes", as: String.self)
                )
            }
        }
    }

    public func charts(registryID: String, prefix: String?, after: String?, limit: Int) async throws -> [CatalogChartRecord] {
        try await database.withConnection { db in
            var query: SQLQueryString = "SELECT \(unsafeRaw: Self.chartColumns) FROM catalog_charts WHERE registry_id = \(bind: registryID)"
            if let prefix, !prefix.isEmpty {
                query.appendInterpolation(unsafeRaw: " AND chart >= ")
                query.appendInterpolation(bind: prefix)
                query.appendInterpolation(unsafeRaw: " AND chart < ")
                query.appendInterpolation(bind: prefix + "\u{10FFFF}")
            }
            if let after {
                query.appendInterpolation(unsafeRaw: " AND chart > ")
                query.appendInterpolation(bind: after)
            }
            query.appendInterpolation(unsafeRaw: " ORDER BY chart LIMIT ")
            query.appendInterpolation(bind: limit)
            return try await db.raw(query).all().map(Self.decodeChart)
        }
    }

    public func versions(registryID: String, chart: String) async throws -> [CatalogVersionRecord] {
        try await database.withConnection { db in
            try await db.raw(
                "SELECT \(unsafeRaw: Self.versionColumns) FROM catalog_versions WHERE registry_id = \(bind: registryID) AND chart = \(bind: chart)"
            ).all().map(Self.decodeVersion)
        }
    }

    public func allVersions(registryID: String) async throws -> [CatalogVersionRecord] {
        try await database.withConnection { db in
            try await db.raw("SELECT \(unsafeRaw: Self.versionColumns) FROM catalog_versions WHERE registry_id = \(bind: registryID)").all()
                .map(Self.decodeVersion)
        }
    }

    public func version(registryID: String, chart: String, version: String) async throws -> CatalogVersionRecord? {
        try await database.withConnection { db in
            try await db.raw(
                """
                SELECT \(unsafeRaw: Self.versionColumns) FROM catalog_versions
                WHERE registry_id = \(bind: registryID) AND chart = \(bind: chart) AND version = \(bind: version)
                """
            ).first().map(Self.decodeVersion)
        }
    }

    public func search(registryIDs: [String], query: String, offset: Int, limit: Int) async throws -> [CatalogChartRecord] {
        guard !registryIDs.isEmpty else { return [] }
        return try await database.withConnection { db in
            let columns = Self.chartColumns.split(separator: ",").map { "c." + $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ", ")
            var sql: SQLQueryString = """
                SELECT \(unsafeRaw: columns) FROM catalog_charts c JOIN registries r ON r.id = c.registry_id WHERE c.registry_id IN (
                """
            sql.appendInterpolation(binds: registryIDs)
            sql.appendInterpolation(unsafeRaw: ")")
            let term = query.lowercased().replacingOccurrences(of: "%", with: "").replacingOccurrences(of: "_", with: "")
            if !term.isEmpty {
                let contains = "%" + term + "%"
                sql.appendInterpolation(unsafeRaw: " AND (LOWER(c.chart) LIKE ")
                sql.appendInterpolation(bind: contains)
                sql.appendInterpolation(unsafeRaw: " OR LOWER(c.description) LIKE ")
                sql.appendInterpolation(bind: contains)
                sql.appendInterpolation(unsafeRaw: " OR LOWER(c.keywords) LIKE ")
                sql.appendInterpolation(bind: contains)
                sql.appendInterpolation(unsafeRaw: ") ORDER BY CASE WHEN LOWER(c.chart) = ")
                sql.appendInterpolation(bind: term)
                sql.appendInterpolation(unsafeRaw: " THEN 0 WHEN LOWER(c.chart) LIKE ")
                sql.appendInterpolation(bind: term + "%")
                sql.appendInterpolation(unsafeRaw: " THEN 1 WHEN LOWER(c.chart) LIKE ")
                sql.appendInterpolation(bind: contains)
                sql.appendInterpolation(unsafeRaw: " THEN 2 ELSE 3 END, c.chart, r.name")
            } else {
                sql.appendInterpolation(unsafeRaw: " ORDER BY c.chart, r.name")
            }
            sql.appendInterpolation(unsafeRaw: " LIMIT ")
            sql.appendInterpolation(bind: limit)
            sql.appendInterpolation(unsafeRaw: " OFFSET ")
            sql.appendInterpolation(bind: offset)
            return try await db.raw(sql).all().map(Self.decodeChart)
        }
    }

    // MARK: - Rows

    static func decodeVersion(_ row: any SQLRow) throws -> CatalogVersionRecord {
        CatalogVersionRecord(
            chart: try row.decode(column: "chart", as: String.self),
            version: try row.decode(column: "version", as: String.self),
            appVersion: try row.decode(column: "app_version", as: String.self),
            description: try row.decode(column: "description", as: String.self),
            digest: try row.decode(column: "digest", as: String.self),
            url: try row.decode(column: "url", as: String.self),
            created: try row.decode(column: "created", as: String?.self),
            deprecated: try row.decode(column: "deprecated", as: Int.self) != 0,
            prerelease: try row.decode(column: "prerelease", as: Int.self) != 0,
            metadata: try row.decode(column: "metadata", as: String.self),
            fingerprint: try row.decode(column: "fingerprint", as: String.self),
            manifestDigest: try row.decode(column: "manifest_digest", as: String?.self)
        )
    }

    private static func decodeChart(_ row: any SQLRow) throws -> CatalogChartRecord {
        CatalogChartRecord(
            registryID: try row.decode(column: "registry_id", as: String.self),
            chart: try row.decode(column: "chart", as: String.self),
            latestVersion: try row.decode(column: "latest_version", as: String.self),
            appVersion: try row.decode(column: "app_version", as: String.self),
            description: try row.decode(column: "description", as: String.self),
            icon: try row.decode(column: "icon", as: String.self),
            keywords: try row.decode(column: "keywords", as: String.self),
            deprecated: try row.decode(column: "deprecated", as: Int.self) != 0,
            versions: try row.decode(column: "versions", as: Int.self)
        )
    }

    private static func decodeState(_ row: any SQLRow) throws -> SyncStateRecord {
        var state = SyncStateRecord(registryID: try row.decode(column: "registry_id", as: String.self))
        state.state = SyncState(rawValue: try row.decode(column: "state", as: String.self)) ?? .failed
        state.leaseOwner = try row.decode(column: "lease_owner", as: String?.self)
        state.leaseExpiresAt = try row.decode(column: "lease_expires_at", as: Int64?.self).map(Timestamp.date)
        state.lastSyncAt = try row.decode(column: "last_sync_at", as: Int64?.self).map(Timestamp.date)
        state.lastDurationMs = try row.decode(column: "last_duration_ms", as: Int?.self)
        state.lastError = try row.decode(column: "last_error", as: String?.self)
        state.charts = try row.decode(column: "charts", as: Int.self)
        state.versions = try row.decode(column: "versions", as: Int.self)
        state.added = try row.decode(column: "added", as: Int.self)
        state.removed = try row.decode(column: "removed", as: Int.self)
        state.updated = try row.decode(column: "updated", as: Int.self)
        state.skipped = try row.decode(column: "skipped", as: Int.self)
        state.etag = try row.decode(column: "etag", as: String?.self)
        state.lastModified = try row.decode(column: "last_modified", as: String?.self)
        state.bodyDigest = try row.decode(column: "body_digest", as: String?.self)
        state.failures = try row.decode(column: "failures", as: Int.self)
        state.nextSyncAt = try row.decode(column: "next_sync_at", as: Int64?.self).map(Timestamp.date)
        return state
    }
}

extension SQLQueryString {
    /// Appends `values` as comma-separated binds.
    mutating func appendInterpolation(binds values: [any Encodable & Sendable]) {
        for (index, value) in values.enumerated() {
            if index > 0 { appendInterpolation(unsafeRaw: ", ") }
            appendInterpolation(bind: value)
        }
    }
}
