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

    private static func decode(_ row: any SQLRow) throws -> TenantRecord {
        TenantRecord(
            id: try row.decode(column: "id", as: String.self),
            name: try row.decode(column: "name", as: String.self),
            createdAt: Timestamp.date(try row.decode(column: "created_at", as: Int64.self))
        )
    }
}
