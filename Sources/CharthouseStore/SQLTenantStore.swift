import SQLKit

/// ``TenantStore`` over SQLite or PostgreSQL.
public struct SQLTenantStore: TenantStore {
    private let database: CharthouseDatabase

    public init(database: CharthouseDatabase) {
        self.database = database
    }

    public func create(_ tenant: TenantRecord) async throws {
        try await database.withConnection { db in
            try await SQLErrors.mapUniqueViolation("tenant \"\(tenant.name)\" already exists") {
                try await db.raw(
                    """
                    INSERT INTO tenants (id, name, created_at)
                    VALUES (\(bind: tenant.id), \(bind: tenant.name), \(bind: Timestamp.from(tenant.createdAt)))
                    """
                ).run()
            }
        }
    }

    public func list() async throws -> [TenantRecord] {
        try await database.withConnection { db in
            try await db.raw("SELECT id, name, created_at FROM tenants ORDER BY name").all().map(Self.decode)
        }
    }

    public func find(id: String) async throws -> TenantRecord? {
        try await database.withConnection { db in
            try await db.raw("SELECT id, name, created_at FROM tenants WHERE id = \(bind: id)").first().map(Self.decode)
        }
    }

    public func find(name: String) async throws -> TenantRecord? {
        try await database.withConnection { db in
            try await db.raw("SELECT id, name, created_at FROM tenants WHERE name = \(bind: name)").first().map(Self.decode)
        }
    }

    public func rename(id: String, to name: String) async throws -> TenantRecord? {
        try await database.transaction { db in
            guard let current = try await db.raw("SELECT id, name, created_at FROM tenants WHERE id = \(bind: id)").first().map(Self.decode)
            else { return nil }
            guard current.name != name else { return current }
            try await SQLErrors.mapUniqueViolation("tenant \"\(name)\" already exists") {
                try await db.raw("UPDATE tenants SET name = \(bind: name) WHERE id = \(bind: id)").run()
            }
            let hosted = try await db.raw(
                "SELECT id FROM registries WHERE tenant_id = \(bind: id) AND kind = 'hosted'"
            ).all().map { try $0.decode(column: "id", as: String.self) }
            let oldPrefix = current.name + "/"
            for registryID in hosted {
                try await db.raw(
                    "UPDATE registries SET endpoint = \(bind: RegistryRecord.hostedEndpoint(namespace: name)) WHERE id = \(bind: registryID)"
                ).run()
                // Repository names are full paths, `<tenant>/<path>`: move them under the new name.
                try await db.raw(
                    """
                    UPDATE hosted_repositories
                    SET name = CAST(\(bind: name + "/") AS TEXT) || substr(name, CAST(\(bind: oldPrefix.utf8.count + 1) AS INTEGER))
                    WHERE registry_id = \(bind: registryID)
                    """
                ).run()
            }
            return TenantRecord(id: current.id, name: name, createdAt: current.createdAt)
        }
    }

    public func delete(id: String) async throws -> Bool {
        try await database.transaction { db in
            // Users' tokens first, so the delete holds on engines where cascades are off.
            try await db.raw("DELETE FROM access_tokens WHERE user_id IN (SELECT id FROM users WHERE tenant_id = \(bind: id))").run()
            return !(try await db.raw("DELETE FROM tenants WHERE id = \(bind: id) RETURNING id").all()).isEmpty
        }
    }

    private static func decode(_ row: any SQLRow) throws -> TenantRecord {
        TenantRecord(
            id: try row.decode(column: "id", as: String.self),
            name: try row.decode(column: "name", as: String.self),
            createdAt: Timestamp.date(try row.decode(column: "created_at", as: Int64.self))
        )
    }
}
