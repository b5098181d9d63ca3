public import Foundation
import SQLKit

/// ``ProfileStore`` over SQLite or PostgreSQL.
public struct SQLProfileStore: ProfileStore {
    private let database: CharthouseDatabase
    static let profileColumns = "id, tenant_id, name, version, description, state, created_at, updated_at, published_at, variables"
    static let layerColumns = """
        id, profile_id, position, registry_id, chart, version, release_name, namespace, values_yaml, source, digest,
        pull_reference, app_version, registry_kind, protected, values_schema, values_not_checked, stale_reason, stale_since, created_at, updated_at
        """

    public init(database: CharthouseDatabase) {
        self.database = database
    }

    public func create(_ profile: ProfileRecord, layers: [ProfileLayerRecord]) async throws {
        try await database.transaction { db in
            try await SQLErrors.mapUniqueViolation("profile \(profile.name) \(profile.version) already exists") {
                try await db.raw(
                    """
                    INSERT INTO profiles (\(unsafeRaw: Self.profileColumns))
                    VALUES (\(bind: profile.id), \(bind: profile.tenantID), \(bind: profile.name), \(bind: profile.version),
                        \(bind: profile.description), \(bind: profile.state.rawValue), \(bind: Timestamp.from(profile.createdAt)),
                        \(bind: Timestamp.from(profile.updatedAt)), \(bind: profile.publishedAt.map(Timestamp.from)),
                        \(bind: ProfileVariable.encode(profile.variables)))
                    """
                ).run()
            }
            for layer in layers { try await Self.insert(layer, on: db) }
        }
    }

    public func find(id: String, tenantID: String) async throws -> ProfileRecord? {
        try await database.withConnection { db in
            try await db.raw(
                "SELECT \(unsafeRaw: Self.profileColumns) FROM profiles WHERE id = \(bind: id) AND tenant_id = \(bind: tenantID)"
            ).first().map(Self.decodeProfile)
        }
    }

    public func find(name: String, version: String, tenantID: String) async throws -> ProfileRecord? {
        try await database.withConnection { db in
            try await db.raw(
                """
                SELECT \(unsafeRaw: Self.profileColumns) FROM profiles
                WHERE tenant_id = \(bind: tenantID) AND name = \(bind: name) AND version = \(bind: version)
                """
            ).first().map(Self.decodeProfile)
        }
    }

    public func list(tenantID: String, name: String?) async throws -> [ProfileRecord] {
        try await database.withConnection { db in
            if let name {
                return try await db.raw(
                    """
                    SELECT \(unsafeRaw: Self.profileColumns) FROM profiles WHERE tenant_id = \(bind: tenantID) AND name = \(bind: name)
                    ORDER BY name, created_at
                    """
                ).all().map(Self.decodeProfile)
            }
            return try await db.raw(
                "SELECT \(unsafeRaw: Self.profileColumns) FROM profiles WHERE tenant_id = \(bind: tenantID) ORDER BY name, created_at"
            ).all().map(Self.decodeProfile)
        }
    }

    public func layers(profileID: String) async throws -> [ProfileLayerRecord] {
        try await database.withConnection { db in try await Self.layers(profileID: profileID, on: db) }
    }

    public func layers(profileIDs: [String]) async throws -> [String: [ProfileLayerRecord]] {
        guard !profileIDs.isEmpty else { return [:] }
        let rows = try await database.withConnection { db in
            var query = SQLQueryString("SELECT \(unsafeRaw: Self.layerColumns) FROM profile_layers WHERE profile_id IN (")
            query.appendInterpolation(binds: profileIDs)
            query.appendLiteral(") ORDER BY profile_id, position")
            return try await db.raw(query).all().map(Self.decodeLayer)
        }
        return Dictionary(grouping: rows, by: \.profileID)
    }

    public func editDraft<R: Sendable>(
        id: String,
        tenantID: String,
        now: Date,
        _ body: @Sendable (any ProfileDraftEditor) async throws -> R
    ) async throws -> R {
        try await database.transaction { db in
            // Touching the row first takes its lock (PostgreSQL) and checks the state in the same
            // statement, so a publish waits for this edit or this edit sees the publish.
            let touched = try await db.raw(
                """
                UPDATE profiles SET updated_at = \(bind: Timestamp.from(now))
                WHERE id = \(bind: id) AND tenant_id = \(bind: tenantID) AND state = \(bind: ProfileState.draft.rawValue)
                RETURNING \(unsafeRaw: Self.profileColumns)
                """
            ).first().map(Self.decodeProfile)
            guard let profile = touched else { throw try await Self.refusal(id: id, tenantID: tenantID, on: db) }
            return try await body(Editor(db: db, profile: profile))
        }
    }

    public func deleteDraft(id: String, tenantID: String) async throws {
        try await database.transaction { db in
            let deleted = try await db.raw(
                """
                DELETE FROM profiles WHERE id = \(bind: id) AND tenant_id = \(bind: tenantID) AND state = \(bind: ProfileState.draft.rawValue)
                RETURNING id
                """
            ).all()
            if deleted.isEmpty { throw try await Self.refusal(id: id, tenantID: tenantID, on: db) }
        }
    }

    public func profilesUsing(registryID: String) async throws -> [ProfileRecord] {
        try await database.withConnection { db in
            try await db.raw(
                """
                SELECT \(unsafeRaw: Self.profileColumns) FROM profiles
                WHERE id IN (SELECT profile_id FROM profile_layers WHERE registry_id = \(bind: registryID))
                ORDER BY name, version
                """
            ).all().map(Self.decodeProfile)
        }
    }

    public func layers(registryID: String) async throws -> [ProfileLayerRecord] {
        try await database.withConnection { db in
            try await db.raw(
                "SELECT \(unsafeRaw: Self.layerColumns) FROM profile_layers WHERE registry_id = \(bind: registryID) ORDER BY profile_id, position"
            ).all().map(Self.decodeLayer)
        }
    }

    public func setStale(layerID: String, reason: String?, since: Date?) async throws {
        try await database.withConnection { db in
            try await db.raw(
                """
                UPDATE profile_layers SET stale_reason = \(bind: reason), stale_since = \(bind: since.map(Timestamp.from))
                WHERE id = \(bind: layerID)
                """
            ).run()
        }
    }

    // MARK: - Rows

    /// Why a profile could not be edited: not there (or another tenant's), or published.
    private static func refusal(id: String, tenantID: String, on db: any SQLDatabase) async throws -> StoreError {
        let state = try await db.raw("SELECT state FROM profiles WHERE id = \(bind: id) AND tenant_id = \(bind: tenantID)").first()
        guard state != nil else { return StoreError.notFound("profile \(id) not found") }
        return StoreError.conflict("profile \(id) is published")
    }

    static func layers(profileID: String, on db: any SQLDatabase) async throws -> [ProfileLayerRecord] {
        try await db.raw(
            "SELECT \(unsafeRaw: layerColumns) FROM profile_layers WHERE profile_id = \(bind: profileID) ORDER BY position"
        ).all().map(decodeLayer)
    }

    static func insert(_ layer: ProfileLayerRecord, on db: any SQLDatabase) async throws {
        try await SQLErrors.mapUniqueViolation("release \(layer.releaseName) in namespace \(layer.namespace) is already a layer") {
            try await db.raw(
                """
                INSERT INTO profile_layers (\(unsafeRaw: layerColumns))
                VALUES (\(bind: layer.id), \(bind: layer.profileID), \(bind: layer.position), \(bind: layer.registryID), \(bind: layer.chart),
                    \(bind: layer.version), \(bind: layer.releaseName), \(bind: layer.namespace), \(bind: layer.values),
                    \(bind: layer.source.rawValue), \(bind: layer.digest), \(bind: layer.pullReference), \(bind: layer.appVersion),
                    \(bind: layer.registryKind), \(bind: layer.isProtected ? 1 : 0), \(bind: layer.valuesSchema),
                    \(bind: layer.valuesNotChecked.joined(separator: "\n")), \(bind: layer.staleReason),
                    \(bind: layer.staleSince.map(Timestamp.from)), \(bind: Timestamp.from(layer.createdAt)), \(bind: Timestamp.from(layer.updatedAt)))
                """
            ).run()
        }
    }

    static func decodeProfile(_ row: any SQLRow) throws -> ProfileRecord {
        ProfileRecord(
            id: try row.decode(column: "id", as: String.self),
            tenantID: try row.decode(column: "tenant_id", as: String.self),
            name: try row.decode(column: "name", as: String.self),
            version: try row.decode(column: "version", as: String.self),
            description: try row.decode(column: "description", as: String.self),
            state: ProfileState(rawValue: try row.decode(column: "state", as: String.self)) ?? .draft,
            createdAt: Timestamp.date(try row.decode(column: "created_at", as: Int64.self)),
            updatedAt: Timestamp.date(try row.decode(column: "updated_at", as: Int64.self)),
            publishedAt: try row.decode(column: "published_at", as: Int64?.self).map(Timestamp.date),
            variables: ProfileVariable.decode(try row.decode(column: "variables", as: String.self))
        )
    }

    static func decodeLayer(_ row: any SQLRow) throws -> ProfileLayerRecord {
        ProfileLayerRecord(
            id: try row.decode(column: "id", as: String.self),
            profileID: try row.decode(column: "profile_id", as: String.self),
            position: Int(try row.decode(column: "position", as: Int64.self)),
            registryID: try row.decode(column: "registry_id", as: String.self),
            chart: try row.decode(column: "chart", as: String.self),
            version: try row.decode(column: "version", as: String.self),
            releaseName: try row.decode(column: "release_name", as: String.self),
            namespace: try row.decode(column: "namespace", as: String.self),
            values: try row.decode(column: "values_yaml", as: String.self),
            source: LayerSource(rawValue: try row.decode(column: "source", as: String.self)) ?? .manual,
            digest: try row.decode(column: "digest", as: String?.self),
            pullReference: try row.decode(column: "pull_reference", as: String?.self),
            appVersion: try row.decode(column: "app_version", as: String?.self),
            registryKind: try row.decode(column: "registry_kind", as: String.self),
            isProtected: try row.decode(column: "protected", as: Int.self) != 0,
            valuesSchema: try row.decode(column: "values_schema", as: String.self),
            valuesNotChecked: try row.decode(column: "values_not_checked", as: String.self).split(separator: "\n").map(String.init),
            staleReason: try row.decode(column: "stale_reason", as: String?.self),
            staleSince: try row.decode(column: "stale_since", as: Int64?.self).map(Timestamp.date),
            createdAt: Timestamp.date(try row.decode(column: "created_at", as: Int64.self)),
            updatedAt: Timestamp.date(try row.decode(column: "updated_at", as: Int64.self))
        )
    }
}

/// The writes of one draft edit, inside its transaction.
private struct Editor: ProfileDraftEditor {
    let db: any SQLDatabase
    let profile: ProfileRecord

    func layers() async throws -> [ProfileLayerRecord] { try await SQLProfileStore.layers(profileID: profile.id, on: db) }

    func update(_ profile: ProfileRecord) async throws {
        try await SQLErrors.mapUniqueViolation("profile \(profile.name) \(profile.version) already exists") {
            try await db.raw(
                """
                UPDATE profiles SET name = \(bind: profile.name), version = \(bind: profile.version),
                    description = \(bind: profile.description), state = \(bind: profile.state.rawValue),
                    updated_at = \(bind: Timestamp.from(profile.updatedAt)), published_at = \(bind: profile.publishedAt.map(Timestamp.from)),
                    variables = \(bind: ProfileVariable.encode(profile.variables))
                WHERE id = \(bind: self.profile.id)
                """
            ).run()
        }
    }

    func insert(_ layer: ProfileLayerRecord) async throws {
        var layer = layer
        layer.profileID = profile.id
        try await SQLProfileStore.insert(layer, on: db)
    }

    func update(_ layer: ProfileLayerRecord) async throws {
        try await SQLErrors.mapUniqueViolation("release \(layer.releaseName) in namespace \(layer.namespace) is already a layer") {
            try await db.raw(
                """
                UPDATE profile_layers SET registry_id = \(bind: layer.registryID), chart = \(bind: layer.chart),
                    version = \(bind: layer.version), release_name = \(bind: layer.releaseName), namespace = \(bind: layer.namespace),
                    values_yaml = \(bind: layer.values), source = \(bind: layer.source.rawValue), digest = \(bind: layer.digest),
                    pull_reference = \(bind: layer.pullReference), app_version = \(bind: layer.appVersion),
                    registry_kind = \(bind: layer.registryKind), protected = \(bind: layer.isProtected ? 1 : 0),
                    values_schema = \(bind: layer.valuesSchema), values_not_checked = \(bind: layer.valuesNotChecked.joined(separator: "\n")),
                    stale_reason = \(bind: layer.staleReason), stale_since = \(bind: layer.staleSince.map(Timestamp.from)),
                    updated_at = \(bind: Timestamp.from(layer.updatedAt))
                WHERE id = \(bind: layer.id) AND profile_id = \(bind: profile.id)
                """
            ).run()
        }
    }

    func delete(layerID: String) async throws -> Bool {
        !(try await db.raw(
            "DELETE FROM profile_layers WHERE id = \(bind: layerID) AND profile_id = \(bind: profile.id) RETURNING id"
        ).all()).isEmpty
    }

    func order(_ ids: [String]) async throws {
        for (position, id) in ids.enumerated() {
            try await db.raw(
                "UPDATE profile_layers SET position = \(bind: position) WHERE id = \(bind: id) AND profile_id = \(bind: profile.id)"
            ).run()
        }
    }
}
