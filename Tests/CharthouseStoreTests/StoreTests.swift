import CharthouseStore
import Foundation
import Logging
import SQLKit
import Testing

@Suite("Stores on the engine under test")
struct StoreTests {
    @Test("migrations apply once; running them again changes nothing")
    func migrationsAreIdempotent() async throws {
        try await withTestDatabase { database in
            let again = try await Migrator(database: database, logger: Logger(label: "t")).migrate()
            #expect(again.isEmpty)
            let names = try await database.withConnection { db in
                try await db.raw("SELECT name FROM schema_migrations ORDER BY name").all().map { try $0.decode(column: "name", as: String.self) }
            }
            #expect(names == Migrations.all.map(\.name))
        }
    }

    @Test("a taken tenant name or username is a duplicate error, and the first row stays")
    func duplicates() async throws {
        try await withTestDatabase { database in
            let tenants = SQLTenantStore(database: database)
            let tenant = TenantRecord(id: "t1", name: "acme", createdAt: Date(timeIntervalSince1970: 1_700_000_000))
            try await tenants.create(tenant)
            await #expect(throws: StoreError.duplicate("")) {
                try await tenants.create(TenantRecord(id: "t2", name: "acme", createdAt: Date()))
            }
            #expect(try await tenants.list() == [tenant])
            #expect(try await tenants.find(name: "acme") == tenant)

            let users = SQLUserStore(database: database)
            let user = UserRecord(id: "u1", tenantID: "t1", username: "alice", passwordHash: "h", role: .admin, createdAt: tenant.createdAt)
            try await users.create(user)
            await #expect(throws: StoreError.duplicate("")) {
                try await users.create(UserRecord(id: "u2", tenantID: nil, username: "alice", passwordHash: "x", role: .member, createdAt: Date()))
            }
            #expect(try await users.find(username: "alice") == user)
            #expect(try await users.count() == 1)
        }
    }

    @Test("deleting a user deletes its tokens; expired tokens are purged")
    func userDeletionCascades() async throws {
        try await withTestDatabase { database in
            try await SQLTenantStore(database: database).create(TenantRecord(id: "t1", name: "acme", createdAt: Date()))
            let users = SQLUserStore(database: database)
            let tokens = SQLAccessTokenStore(database: database)
            try await users.create(UserRecord(id: "u1", tenantID: "t1", username: "alice", passwordHash: "h", role: .admin, createdAt: Date()))
            try await users.create(UserRecord(id: "u2", tenantID: "t1", username: "bob", passwordHash: "h", role: .member, createdAt: Date()))
            let now = Date()
            try await tokens.create(.init(id: "k1", userID: "u1", kind: .api, name: "a", tokenDigest: "d1", createdAt: now, expiresAt: nil))
            try await tokens.create(.init(id: "k2", userID: "u2", kind: .api, name: "b", tokenDigest: "d2", createdAt: now, expiresAt: nil))
            try await tokens.create(
                .init(id: "k3", userID: "u2", kind: .session, name: "s", tokenDigest: "d3", createdAt: now, expiresAt: now.addingTimeInterval(-1))
            )

            let found = try #require(try await tokens.find(digest: "d1"))
            #expect(found.user.username == "alice")
            #expect(found.tenantName == "acme")
            #expect(try await tokens.listAPITokens(userID: nil, tenantID: "t1").map(\.token.id).sorted() == ["k1", "k2"])
            let bobs = try await tokens.listAPITokens(userID: "u2", tenantID: nil)
            #expect(bobs.map(\.token.id) == ["k2"])
            #expect(bobs.map(\.username) == ["bob"])

            #expect(try await users.delete(id: "u2"))
            #expect(try await tokens.find(digest: "d2") == nil)
            #expect(try await tokens.find(id: "k3") == nil)
            #expect(try await users.delete(id: "u2") == false)
            #expect(try await tokens.find(digest: "d1") != nil)

            try await tokens.create(
                .init(id: "k4", userID: "u1", kind: .session, name: "s", tokenDigest: "d4", createdAt: now, expiresAt: now.addingTimeInterval(-5))
            )
            #expect(try await tokens.deleteExpired(before: now) == 1)
            #expect(try await tokens.find(id: "k1") != nil)
        }
    }

    @Test("a failed transaction leaves nothing behind")
    func transactionRollsBack() async throws {
        try await withTestDatabase { database in
            struct Boom: Error {}
            await #expect(throws: Boom.self) {
                try await database.transaction { db in
                    try await db.raw("INSERT INTO tenants (id, name, created_at) VALUES ('t1', 'acme', 0)").run()
                    throw Boom()
                }
            }
            let tenants = try await SQLTenantStore(database: database).list()
            #expect(tenants.isEmpty)
            #expect(await database.isReachable())
        }
    }

    @Test("a database URL never shows its password")
    func locationRedactsPassword() throws {
        let location = try DatabaseLocation(url: "postgres://charthouse:s3cret@db.internal:5432/charts")
        #expect(!location.description.contains("s3cret"))
        #expect(location.description.contains("db.internal"))
        #expect(throws: StoreError.self) { try DatabaseLocation(url: "mysql://x") }
        #expect(try DatabaseLocation(url: "sqlite:///var/lib/charthouse.sqlite") == .sqlite(path: "/var/lib/charthouse.sqlite"))
    }
}
