import SQLKit

/// `registries`: tenant and system Helm registries. `scope_key` is the tenant id, or `''` for
/// system registries, so one unique index covers both (NULLs would never collide).
struct CreateRegistries: Migration {
    let name = "0004_create_registries"

    func apply(on database: any SQLDatabase) async throws {
        try await database.create(table: "registries")
            .column("id", type: .text, .primaryKey(autoIncrement: false))
            .column("tenant_id", type: .text, .references("tenants", "id", onDelete: .cascade))
            .column("scope_key", type: .text, .notNull)
            .column("name", type: .text, .notNull)
            .column("kind", type: .text, .notNull)
            .column("endpoint", type: .text, .notNull)
            .column("protected", type: .int, .notNull)
            .column("no_authentication", type: .int, .notNull)
            .column("username", type: .text)
            .column("password_sealed", type: .text)
            .column("ca_certificate", type: .text)
            .column("insecure_skip_tls_verify", type: .int, .notNull)
            .column("plain_http", type: .int, .notNull)
            .column("sync_interval_seconds", type: .bigint, .notNull)
            .column("created_at", type: .bigint, .notNull)
            .column("updated_at", type: .bigint, .notNull)
            .run()
        try await database.create(index: "registries_scope_name").on("registries").column("scope_key").column("name").unique().run()
    }
}
