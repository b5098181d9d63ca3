import SQLKit

/// `access_tokens`: session and API tokens, kept only as SHA-256 digests of their values.
struct CreateAccessTokens: Migration {
    let name = "0003_create_access_tokens"

    func apply(on database: any SQLDatabase) async throws {
        try await database.create(table: "access_tokens")
            .column("id", type: .text, .primaryKey(autoIncrement: false))
            .column("user_id", type: .text, .notNull, .references("users", "id", onDelete: .cascade))
            .column("kind", type: .text, .notNull)
            .column("name", type: .text, .notNull)
            .column("token_digest", type: .text, .notNull, .unique)
            .column("created_at", type: .bigint, .notNull)
            .column("expires_at", type: .bigint)
            .column("last_used_at", type: .bigint)
            .run()
        try await database.create(index: "access_tokens_user_id").on("access_tokens").column("user_id").run()
    }
}
