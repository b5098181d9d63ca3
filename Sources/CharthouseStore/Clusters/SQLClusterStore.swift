import Foundation
import SQLKit

/// ``ClusterStore`` over SQLite or PostgreSQL.
public struct SQLClusterStore: ClusterStore {
    let database: CharthouseDatabase
    static let columns = """
        id, tenant_id, name, server, context, kubeconfig_sealed, kubernetes_version, discovery_interval_seconds, created_at, updated_at,
        mode, agent_token_digest, agent_token_created_at, agent_seen_at, agent_version
        """
    static let stateColumns = """
        cluster_id, state, lease_owner, lease_expires_at, last_run_at, last_duration_ms, last_error, releases, records, skipped, decoded,
        forbidden_namespaces, failures, runs, next_run_at
        """

    public init(database: CharthouseDatabase) {
        self.database = database
    }

    public func create(_ cluster: ClusterRecord) async throws {
        try await database.withConnection { db in
            try await SQLErrors.mapUniqueViolation("cluster \"\(cluster.name)\" already exists") {
                try await db.raw(
                    """
                    INSERT INTO clusters (\(unsafeRaw: Self.columns))
                    VALUES (\(bind: cluster.id), \(bind: cluster.tenantID), \(bind: cluster.name), \(bind: cluster.server), \(bind: cluster.context),
                        \(bind: cluster.sealedKubeconfig), \(bind: cluster.kubernetesVersion), \(bind: cluster.discoveryIntervalSeconds),
                        \(bind: Timestamp.from(cluster.createdAt)), \(bind: Timestamp.from(cluster.updatedAt)), \(bind: cluster.mode.rawValue),
                        \(bind: cluster.agentTokenDigest), \(bind: cluster.agentTokenCreatedAt.map(Timestamp.from)),
                        \(bind: cluster.agentSeenAt.map(Timestamp.from)), \(bind: cluster.agentVersion))
                    """
                ).run()
            }
        }
    }

    public func update(_ cluster: ClusterRecord) async throws {
        let updated = try await database.withConnection { db in
            try await SQLErrors.mapUniqueViolation("cluster \"\(cluster.name)\" already exists") {
                try await db.raw(
                    """
                    UPDATE clusters SET name = \(bind: cluster.name), server = \(bind: cluster.server), context = \(bind: cluster.context),
                        kubeconfig_sealed = \(bind: cluster.sealedKubeconfig), kubernetes_version = \(bind: cluster.kubernetesVersion),
                        discovery_interval_seconds = \(bind: cluster.discoveryIntervalSeconds), updated_at = \(bind: Timestamp.from(cluster.updatedAt))
                    WHERE id = \(bind: cluster.id) RETURNING id
                    """
                ).all()
            }
        }
        guard !updated.isEmpty else { throw StoreError.notFound("cluster \(cluster.id) not found") }
    }

    public func find(id: String) async throws -> ClusterRecord? {
        try await database.withConnection { db in
            try await db.raw("SELECT \(unsafeRaw: Self.columns) FROM clusters WHERE id = \(bind: id)").first().map(Self.decode)
        }
    }

    public func list(tenantID: String) async throws -> [ClusterRecord] {
        try await database.withConnection { db in
            try await db.raw("SELECT \(unsafeRaw: Self.columns) FROM clusters WHERE tenant_id = \(bind: tenantID) ORDER BY name").all()
                .map(Self.decode)
        }
    }

    public func delete(id: String) async throws -> Bool {
        try await database.transaction { db in
            // SQLite enforces the cascades only with foreign keys on; say it explicitly.
            try await db.raw("DELETE FROM cluster_release_records WHERE cluster_id = \(bind: id)").run()
            try await db.raw("DELETE FROM cluster_discovery_state WHERE cluster_id = \(bind: id)").run()
            for table in ["cluster_agent_sessions", "cluster_attachments", "cluster_layer_status"] {
                try await db.raw("DELETE FROM \(unsafeRaw: table) WHERE cluster_id = \(bind: id)").run()
            }
            return !(try await db.raw("DELETE FROM clusters WHERE id = \(bind: id) RETURNING id").all()).isEmpty
        }
    }

    static func decode(_ row: any SQLRow) throws -> ClusterRecord {
        ClusterRecord(
            id: try row.decode(column: "id", as: String.self),
            tenantID: try row.decode(column: "tenant_id", as: String.self),
            name: try row.decode(column: "name", as: String.self),
            mode: ClusterMode(rawValue: try row.decode(column: "mode", as: String.self)) ?? .direct,
            server: try row.decode(column: "server", as: String.self),
            context: try row.decode(column: "context", as: String.self),
            sealedKubeconfig: try row.decode(column: "kubeconfig_sealed", as: String.self),
            kubernetesVersion: try row.decode(column: "kubernetes_version", as: String.self),
            discoveryIntervalSeconds: try row.decode(column: "discovery_interval_seconds", as: Int.self),
            createdAt: Timestamp.date(try row.decode(column: "created_at", as: Int64.self)),
            updatedAt: Timestamp.date(try row.decode(column: "updated_at", as: Int64.self)),
            agentTokenDigest: try row.decode(column: "agent_token_digest", as: String?.self),
            agentTokenCreatedAt: try row.decode(column: "agent_token_created_at", as: Int64?.self).map(Timestamp.date),
            agentSeenAt: try row.decode(column: "agent_seen_at", as: Int64?.self).map(Timestamp.date),
            agentVersion: try row.decode(column: "agent_version", as: String?.self)
        )
    }
}
