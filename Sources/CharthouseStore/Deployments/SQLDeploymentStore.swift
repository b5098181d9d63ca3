public import Foundation
import SQLKit

/// ``DeploymentStore`` over SQLite or PostgreSQL.
public struct SQLDeploymentStore: DeploymentStore {
    let database: CharthouseDatabase
    private static let statusColumns = """
        cluster_id, namespace, release_name, layer_id, chart, version, digest, registry_mode, phase, revision, message, values_digest,
        attempts, started_at, deployed_at, updated_at
        """

    public init(database: CharthouseDatabase) {
        self.database = database
    }

    public func setAgentToken(clusterID: String, digest: String, at: Date) async throws {
        try await database.transaction { db in
            let updated = try await db.raw(
                """
                UPDATE clusters SET agent_token_digest = \(bind: digest), agent_token_created_at = \(bind: Timestamp.from(at))
                WHERE id = \(bind: clusterID) RETURNING id
                """
            ).all()
            guard !updated.isEmpty else { throw StoreError.notFound("cluster \(clusterID) not found") }
            try await db.raw("DELETE FROM cluster_agent_sessions WHERE cluster_id = \(bind: clusterID)").run()
        }
    }

    public func cluster(agentTokenDigest: String) async throws -> ClusterRecord? {
        try await database.withConnection { db in
            try await db.raw(
                "SELECT \(unsafeRaw: SQLClusterStore.columns) FROM clusters WHERE agent_token_digest = \(bind: agentTokenDigest)"
            ).first().map(SQLClusterStore.decode)
        }
    }

    public func createSession(_ session: AgentSessionRecord) async throws {
        try await database.withConnection { db in
            try await db.raw(
                """
                INSERT INTO cluster_agent_sessions (id, cluster_id, token_digest, created_at, expires_at)
                VALUES (\(bind: session.id), \(bind: session.clusterID), \(bind: session.tokenDigest),
                    \(bind: Timestamp.from(session.createdAt)), \(bind: Timestamp.from(session.expiresAt)))
                """
            ).run()
        }
    }

    public func session(digest: String) async throws -> (AgentSessionRecord, ClusterRecord)? {
        try await session(where: "s.token_digest", is: digest)
    }

    public func session(id: String) async throws -> (AgentSessionRecord, ClusterRecord)? {
        try await session(where: "s.id", is: id)
    }

    private func session(where column: String, is value: String) async throws -> (AgentSessionRecord, ClusterRecord)? {
        try await database.withConnection { db in
            guard
                let row = try await db.raw(
                    """
                    SELECT s.id AS session_id, s.token_digest, s.created_at AS session_created_at, s.expires_at, c.*
                    FROM cluster_agent_sessions s JOIN clusters c ON c.id = s.cluster_id WHERE \(unsafeRaw: column) = \(bind: value)
                    """
                ).first()
            else { return nil }
            let cluster = try SQLClusterStore.decode(row)
            let session = AgentSessionRecord(
                id: try row.decode(column: "session_id", as: String.self),
                clusterID: cluster.id,
                tokenDigest: try row.decode(column: "token_digest", as: String.self),
                createdAt: Timestamp.date(try row.decode(column: "session_created_at", as: Int64.self)),
                expiresAt: Timestamp.date(try row.decode(column: "expires_at", as: Int64.self))
            )
            return (session, cluster)
        }
    }

    public func deleteExpiredSessions(before: Date) async throws -> Int {
        try await database.withConnection { db in
            try await db.raw("DELETE FROM cluster_agent_sessions WHERE expires_at < \(bind: Timestamp.from(before)) RETURNING id").all().count
        }
    }

    public func touchAgent(clusterID: String, at: Date, version: String?) async throws {
        try await database.withConnection { db in
            try await db.raw(
                """
                UPDATE clusters SET agent_seen_at = \(bind: Timestamp.from(at)), agent_version = COALESCE(\(bind: version), agent_version)
                WHERE id = \(bind: clusterID)
                """
            ).run()
        }
    }

    public func attachment(clusterID: String) async throws -> AttachmentRecord? {
        try await database.withConnection { db in
            try await db.raw("SELECT * FROM cluster_attachments WHERE cluster_id = \(bind: clusterID)").first().map(Self.decodeAttachment)
        }
    }

    public func saveAttachment(_ attachment: AttachmentRecord) async throws {
        try await database.withConnection { db in
            try await db.raw(
                """
                INSERT INTO cluster_attachments (cluster_id, profile_id, values_json, variables_json, on_detach, reconcile_drift, detached,
                    attached_at, updated_at)
                VALUES (\(bind: attachment.clusterID), \(bind: attachment.profileID), \(bind: Self.json(attachment.values)),
                    \(bind: Self.json(attachment.variables)), \(bind: attachment.onDetach.rawValue), \(bind: attachment.reconcileDrift ? 1 : 0),
                    \(bind: attachment.detached?.rawValue), \(bind: Timestamp.from(attachment.attachedAt)), \(bind: Timestamp.from(attachment.updatedAt)))
                ON CONFLICT (cluster_id) DO UPDATE SET profile_id = excluded.profile_id, values_json = excluded.values_json,
                    variables_json = excluded.variables_json, on_detach = excluded.on_detach, reconcile_drift = excluded.reconcile_drift,
                    detached = excluded.detached, attached_at = excluded.attached_at, updated_at = excluded.updated_at
                """
            ).run()
        }
    }

    public func detach(clusterID: String, policy: DetachPolicy, at: Date) async throws -> Bool {
        try await database.transaction { db in
            let detached = try await db.raw(
                """
                UPDATE cluster_attachments SET detached = \(bind: policy.rawValue), updated_at = \(bind: Timestamp.from(at))
                WHERE cluster_id = \(bind: clusterID) AND detached IS NULL RETURNING cluster_id
                """
            ).all()
            if !detached.isEmpty, policy == .orphan {
                try await db.raw("DELETE FROM cluster_layer_status WHERE cluster_id = \(bind: clusterID)").run()
            }
            return !detached.isEmpty
        }
    }

    public func statuses(clusterID: String) async throws -> [LayerStatusRecord] {
        try await database.withConnection { db in
            try await db.raw(
                "SELECT \(unsafeRaw: Self.statusColumns) FROM cluster_layer_status WHERE cluster_id = \(bind: clusterID) ORDER BY namespace, release_name"
            ).all().map(Self.decodeStatus)
        }
    }

    public func report(_ statuses: [LayerStatusRecord], clusterID: String) async throws {
        try await database.transaction { db in
            for status in statuses {
                if status.phase == .removed {
                    try await db.raw(
                        """
                        DELETE FROM cluster_layer_status WHERE cluster_id = \(bind: clusterID) AND namespace = \(bind: status.namespace)
                          AND release_name = \(bind: status.releaseName)
                        """
                    ).run()
                    continue
                }
                try await db.raw(
                    """
                    INSERT INTO cluster_layer_status (\(unsafeRaw: Self.statusColumns))
                    VALUES (\(bind: clusterID), \(bind: status.namespace), \(bind: status.releaseName), \(bind: status.layerID), \(bind: status.chart),
                        \(bind: status.version), \(bind: status.digest), \(bind: status.mode.rawValue), \(bind: status.phase.rawValue),
                        \(bind: status.revision), \(bind: status.message), \(bind: status.valuesDigest), \(bind: status.attempts),
                        \(bind: status.startedAt.map(Timestamp.from)), \(bind: status.deployedAt.map(Timestamp.from)), \(bind: Timestamp.from(status.updatedAt)))
                    ON CONFLICT (cluster_id, namespace, release_name) DO UPDATE SET layer_id = excluded.layer_id, chart = excluded.chart,
                        version = excluded.version, digest = excluded.digest, registry_mode = excluded.registry_mode, phase = excluded.phase,
                        revision = excluded.revision, message = excluded.message, values_digest = excluded.values_digest,
                        attempts = excluded.attempts, started_at = excluded.started_at, deployed_at = excluded.deployed_at,
                        updated_at = excluded.updated_at
                    """
                ).run()
            }
        }
    }

    private static func json(_ map: [String: String]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return (try? encoder.encode(map)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    private static func map(_ text: String) -> [String: String] {
        (try? JSONDecoder().decode([String: String].self, from: Data(text.utf8))) ?? [:]
    }

    private static func decodeAttachment(_ row: any SQLRow) throws -> AttachmentRecord {
        AttachmentRecord(
            clusterID: try row.decode(column: "cluster_id", as: String.self),
            profileID: try row.decode(column: "profile_id", as: String.self),
            values: map(try row.decode(column: "values_json", as: String.self)),
            variables: map(try row.decode(column: "variables_json", as: String.self)),
            onDetach: DetachPolicy(rawValue: try row.decode(column: "on_detach", as: String.self)) ?? .uninstall,
            reconcileDrift: try row.decode(column: "reconcile_drift", as: Int.self) != 0,
            detached: try row.decode(column: "detached", as: String?.self).flatMap(DetachPolicy.init(rawValue:)),
            attachedAt: Timestamp.date(try row.decode(column: "attached_at", as: Int64.self)),
            updatedAt: Timestamp.date(try row.decode(column: "updated_at", as: Int64.self))
        )
    }

    private static func decodeStatus(_ row: any SQLRow) throws -> LayerStatusRecord {
        LayerStatusRecord(
            clusterID: try row.decode(column: "cluster_id", as: String.self),
            namespace: try row.decode(column: "namespace", as: String.self),
            releaseName: try row.decode(column: "release_name", as: String.self),
            layerID: try row.decode(column: "layer_id", as: String?.self),
            chart: try row.decode(column: "chart", as: String.self),
            version: try row.decode(column: "version", as: String.self),
            digest: try row.decode(column: "digest", as: String?.self),
            mode: DeploymentMode(rawValue: try row.decode(column: "registry_mode", as: String.self)) ?? .tenant,
            phase: LayerPhase(rawValue: try row.decode(column: "phase", as: String.self)) ?? .pending,
            revision: try row.decode(column: "revision", as: Int?.self),
            message: try row.decode(column: "message", as: String?.self),
            valuesDigest: try row.decode(column: "values_digest", as: String?.self),
            attempts: try row.decode(column: "attempts", as: Int.self),
            startedAt: try row.decode(column: "started_at", as: Int64?.self).map(Timestamp.date),
            deployedAt: try row.decode(column: "deployed_at", as: Int64?.self).map(Timestamp.date),
            updatedAt: Timestamp.date(try row.decode(column: "updated_at", as: Int64.self))
        )
    }
}
