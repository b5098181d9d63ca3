import Foundation
import SQLKit

extension SQLClusterStore {
    public func recordSummaries(clusterID: String) async throws -> [String: ReleaseRecordSummary] {
        try await database.withConnection { db in
            var summaries: [String: ReleaseRecordSummary] = [:]
            for row in try await db.raw(
                """
                SELECT storage, namespace, record_name, resource_version, skipped_reason, release_name FROM cluster_release_records
                WHERE cluster_id = \(bind: clusterID)
                """
            ).all() {
                let namespace = try row.decode(column: "namespace", as: String.self)
                let key =
                    "\(try row.decode(column: "storage", as: String.self))/\(namespace)/\(try row.decode(column: "record_name", as: String.self))"
                summaries[key] = ReleaseRecordSummary(
                    resourceVersion: try row.decode(column: "resource_version", as: String.self),
                    skipped: try row.decode(column: "skipped_reason", as: String?.self) != nil,
                    release: "\(namespace)/\(try row.decode(column: "release_name", as: String.self))"
                )
            }
            return summaries
        }
    }

    public func releases(clusterID: String, namespace: String?) async throws -> [ReleaseRecordRow] {
        let rows = try await database.withConnection { db in
            var query: SQLQueryString = """
                SELECT \(unsafeRaw: Self.recordColumns) FROM cluster_release_records r
                WHERE r.cluster_id = \(bind: clusterID) AND r.skipped_reason IS NULL
                  AND r.revision = (SELECT MAX(x.revision) FROM cluster_release_records x WHERE x.cluster_id = r.cluster_id
                      AND x.namespace = r.namespace AND x.release_name = r.release_name AND x.skipped_reason IS NULL)
                """
            if let namespace {
                query.appendInterpolation(unsafeRaw: " AND r.namespace = ")
                query.appendInterpolation(bind: namespace)
            }
            query.appendInterpolation(unsafeRaw: " ORDER BY r.namespace, r.release_name, r.storage DESC")
            return try await db.raw(query).all().map(Self.decodeRecord)
        }
        // Both drivers holding one revision of a release (a migration between them): one row.
        var seen = Set<String>()
        return rows.filter { seen.insert("\($0.namespace)/\($0.releaseName)").inserted }
    }

    public func history(clusterID: String, namespace: String, name: String) async throws -> [ReleaseRecordRow] {
        try await database.withConnection { db in
            try await db.raw(
                """
                SELECT \(unsafeRaw: Self.recordColumns) FROM cluster_release_records
                WHERE cluster_id = \(bind: clusterID) AND namespace = \(bind: namespace) AND release_name = \(bind: name) AND skipped_reason IS NULL
                ORDER BY revision DESC, storage DESC
                """
            ).all().map(Self.decodeRecord)
        }
    }

    static func decodeRecord(_ row: any SQLRow) throws -> ReleaseRecordRow {
        ReleaseRecordRow(
            storage: try row.decode(column: "storage", as: String.self),
            namespace: try row.decode(column: "namespace", as: String.self),
            recordName: try row.decode(column: "record_name", as: String.self),
            resourceVersion: try row.decode(column: "resource_version", as: String.self),
            skippedReason: try row.decode(column: "skipped_reason", as: String?.self),
            releaseName: try row.decode(column: "release_name", as: String.self),
            revision: try row.decode(column: "revision", as: Int.self),
            status: try row.decode(column: "status", as: String.self),
            chart: try row.decode(column: "chart", as: String.self),
            chartVersion: try row.decode(column: "chart_version", as: String.self),
            appVersion: try row.decode(column: "app_version", as: String.self),
            description: try row.decode(column: "description", as: String.self),
            firstDeployed: try row.decode(column: "first_deployed", as: String?.self),
            lastDeployed: try row.decode(column: "last_deployed", as: String?.self),
            configYAML: try row.decode(column: "config_yaml", as: String.self),
            chartFingerprint: try row.decode(column: "chart_fingerprint", as: String.self),
            valuesFingerprint: try row.decode(column: "values_fingerprint", as: String.self)
        )
    }
}
