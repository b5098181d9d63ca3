public import Foundation
import SQLKit

/// ``AccessTokenStore`` over SQLite or PostgreSQL.
public struct SQLAccessTokenStore: AccessTokenStore {
    private let database: CharthouseDatabase
    private static let columns = "t.id, t.user_id, t.kind, t.name, t.token_digest, t.created_at, t.expires_at, t.last_used_at"

    public init(database: CharthouseDatabase) {
        self.database = database
    }

    public func create(_ token: AccessTokenRecord) async throws {
        try await database.withConnection { db in
            try await SQLErrors.mapUniqueViolation("token already exists") {
                try await db.raw(
                    """
                    INSERT INTO access_tokens (id, user_id, kind, name, token_digest, created_at, expires_at)
                    VALUES (\(bind: token.id), \(bind: token.userID), \(bind: token.kind.rawValue), \(bind: token.name),
                            \(bind: token.tokenDigest), \(bind: Timestamp.from(token.createdAt)),
                            \(bind: token.expiresAt.map(Timestamp.from)))
                    """
                ).run()
            }
        }
    }

    public func find(digest: String) async throws -> AuthenticatedToken? {
        try await database.withConnection { db in
            guard
                let row = try await db.raw(
                    """
                    SELECT \(unsafeRaw: Self.columns),
                           u.tenant_id AS u_tenant_id, u.username AS u_username, u.password_hash AS u_password_hash,
                           u.role AS u_role, u.created_at AS u_created_at, n.name AS tenant_name
                    FROM access_tokens t JOIN users u ON u.id = t.user_id LEFT JOIN tenants n ON n.id = u.tenant_id
                    WHERE t.token_digest = \(bind: digest)
                    """
                ).first()
            else { return nil }
            let token = try Self.decode(row)
            let role = try row.decode(column: "u_role", as: String.self)
            let user = UserRecord(
                id: token.userID,
                tenantID: try row.decode(column: "u_tenant_id", as: String?.self),
                username: try row.decode(column: "u_username", as: String.self),
                passwordHash: try row.decode(column: "u_password_hash", as: String.self),
                role: UserRole(rawValue: role) ?? .member,
                createdAt: Timestamp.date(try row.decode(column: "u_created_at", as: Int64.self))
            )
            return AuthenticatedToken(token: token, user: user, tenantName: try row.decode(column: "tenant_name", as: String?.self))
        }
    }

    public func find(id: String) async throws -> AccessTokenRecord? {
        try await database.withConnection { db in
            try await db.raw("SELECT \(unsafeRaw: Self.columns) FROM access_tokens t WHERE t.id = \(bind: id)").first().map(Self.decode)
        }
    }

    public func listAPITokens(userID: String?, tenantID: String?) async throws -> [OwnedAccessToken] {
        try await database.withConnection { db in
            var query: SQLQueryString = """
                SELECT \(unsafeRaw: Self.columns), u.username AS u_username FROM access_tokens t JOIN users u ON u.id = t.user_id
                WHERE t.kind = \(bind: AccessTokenKind.api.rawValue)
                """
            if let userID {
                query.appendInterpolation(raw: " AND t.user_id = ")
                query.appendInterpolation(bind: userID)
            }
            if let tenantID {
                query.appendInterpolation(raw: " AND u.tenant_id = ")
                query.appendInterpolation(bind: tenantID)
            }
            query.appendInterpolation(raw: " ORDER BY t.created_at DESC, t.id")
            return try await db.raw(query).all().map { row in
                OwnedAccessToken(token: try Self.decode(row), username: try row.decode(column: "u_username", as: String.self))
            }
        }
    }

    public func delete(id: String) async throws -> Bool {
        try await database.withConnection { db in
            !(try await db.raw("DELETE FROM access_tokens WHERE id = \(bind: id) RETURNING id").all()).isEmpty
        }
    }

    public func deleteSessions(userID: String, keeping: String?) async throws -> Int {
        try await database.withConnection { db in
            try await db.raw(
                """
                DELETE FROM access_tokens
                WHERE user_id = \(bind: userID) AND kind = \(bind: AccessTokenKind.session.rawValue) AND id <> \(bind: keeping ?? "")
                RETURNING id
                """
            ).all().count
        }
    }

    public func touch(id: String, at date: Date) async throws {
        let now = Timestamp.from(date)
        try await database.withConnection { db in
            try await db.raw(
                """
                UPDATE access_tokens SET last_used_at = \(bind: now)
                WHERE id = \(bind: id) AND (last_used_at IS NULL OR last_used_at < \(bind: now - 60_000))
                """
            ).run()
        }
    }

    public func deleteExpired(before date: Date) async throws -> Int {
        try await database.withConnection { db in
            try await db.raw(
                "DELETE FROM access_tokens WHERE expires_at IS NOT NULL AND expires_at < \(bind: Timestamp.from(date)) RETURNING id"
            ).all().count
        }
    }

    private static func decode(_ row: any SQLRow) throws -> AccessTokenRecord {
        let kind = try row.decode(column: "kind", as: String.self)
        return AccessTokenRecord(
            id: try row.decode(column: "id", as: String.self),
            userID: try row.decode(column: "user_id", as: String.self),
            kind: AccessTokenKind(rawValue: kind) ?? .api,
            name: try row.decode(column: "name", as: String.self),
            tokenDigest: try row.decode(column: "token_digest", as: String.self),
            createdAt: Timestamp.date(try row.decode(column: "created_at", as: Int64.self)),
            expiresAt: try row.decode(column: "expires_at", as: Int64?.self).map(Timestamp.date),
            lastUsedAt: try row.decode(column: "last_used_at", as: Int64?.self).map(Timestamp.date)
        )
    }
}
