import SQLKit

/// `users`: tenant users and system administrators (`tenant_id` NULL); usernames unique system-wide.
struct CreateUsers: Migration {
    let name = "0002_create_users"

    func apply(on database: any SQLDatabase) async throws {
        try await database.create(table: "users")
            .column("id", type: .text, .primaryKey(autoIncrement: false))
            .column("tenant_id", type: .text, .references("tenants", "id", onDelete: .cascade))
            .column("username", type: .text, .notNull, .unique)
            .column("password_hash", type: .text, .notNull)
            .column("role", type: .text, .notNull)
            .column("created_at", type: .bigint, .notNull)
            .run()
        try await database.create(index: "users_tenant_id").on("users").column("tenant_id").run()
    }
}
