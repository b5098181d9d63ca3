import SQLKit

/// ``UserStore`` over SQLite or PostgreSQL.
public struct SQLUserStore: UserStore {
    private let database: CharthouseDatabase
    private static let columns = "id, tenant_id, username, password_hash, role, created_at"

    public init(database: CharthouseDatabase) {
        self.database = database
    }

    public func create(_ user: UserRecord) async throws {
        try await database.withConnection { db in
            try await SQLErrors.mapUniqueViolation("user \"\(user.username)\" already exists") {
                try await db.raw(
                    """
                    INSERT INTO users (id, tenant_id, username, password_hash, role, created_at)
                    VALUES (\(bind: user.id), \(bind: user.tenantID), \(bind: user.username), \(bind: user.passwordHash),
                            \(bind: user.role.rawValue), \(bind: Timestamp.from(user.createdAt)))
                    """
                ).run()
            }
        }
    }

    public func list(tenantID: String?) async throws -> [UserRecord] {
        try await database.withConnection { db in
            let query: SQLQueryString
            if let tenantID {
                query = "SELECT \(unsafeRaw: Self.columns) FROM users WHERE tenant_id = \(bind: tenantID) ORDER BY username"
            } else {
                query = "SELECT \(unsafeRaw: Self.columns) FROM users ORDER BY username"
            }
            return try await db.raw(query).all().map(Self.decode)
        }
    }

    public func find(id: String) async throws -> UserRecord? {
        try await database.withConnection { db in
            try await db.raw("SELECT \(unsafeRaw: Self.columns) FROM users WHERE id = \(bind: id)").first().map(Self.decode)
        }
    }

    public func find(username: String) async throws -> UserRecord? {
        try await database.withConnection { db in
            try await db.raw("SELECT \(unsafeRaw: Self.columns) FROM users WHERE username = \(bind: username)").first().map(Self.decode)
        }
    }

    public func delete(id: String) async throws -> Bool {
        try await database.transaction { db in
            // Tokens go first so the delete holds on engines where cascades are off.
            try await db.raw("DELETE FROM access_tokens WHERE user_id = \(bind: id)").run()
            let rows = try await db.raw("DELETE FROM users WHERE id = \(bind: id) RETURNING id").all()
            return !rows.isEmpty
        }
    }

    public func update(id: String, passwordHash: String?, role: UserRole?) async throws -> UserRecord? {
        try await database.transaction { db in
            if let passwordHash {
                try await db.raw("UPDATE users SET password_hash = \(bind: passwordHash) WHERE id = \(bind: id)").run()
            }
            if let role {
                try await db.raw("UPDATE users SET role = \(bind: role.rawValue) WHERE id = \(bind: id)").run()
            }
            return try await db.raw("SELECT \(unsafeRaw: Self.columns) FROM users WHERE id = \(bind: id)").first().map(Self.decode)
        }
    }

    public func count() async throws -> Int {
        try await database.withConnection { db in
            try await db.raw("SELECT COUNT(*) AS n FROM users").first()?.decode(column: "n", as: Int.self) ?? 0
        }
    }

    private static func decode(_ row: any SQLRow) throws -> UserRecord {
        let role = try row.decode(column: "role", as: String.self)
        guard let userRole = UserRole(rawValue: role) else {
            throw StoreError.invalidConfiguration("unknown role \"\(role)\" stored for a user")
        }
        return UserRecord(
            id: try row.decode(column: "id", as: String.self),
            tenantID: try row.decode(column: "tenant_id", as: String?.self),
            username: try row.decode(column: "username", as: String.self),
            passwordHash: try row.decode(column: "password_hash", as: String.self),
            role: userRole,
            createdAt: Timestamp.date(try row.decode(column: "created_at", as: Int64.self))
        )
    }
}
