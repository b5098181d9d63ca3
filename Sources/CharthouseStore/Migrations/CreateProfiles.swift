import SQLKit

/// `profiles` (one row per version of a cluster profile) and `profile_layers` (its add-on
/// layers in install order). A layer names its registry; deleting a registry that layers use is
/// refused by Core, so the foreign key has no cascade.
struct CreateProfiles: Migration {
    let name = "0010_create_profiles"

    func apply(on database: any SQLDatabase) async throws {
        try await database.create(table: "profiles")
            .column("id", type: .text, .primaryKey(autoIncrement: false))
            .column("tenant_id", type: .text, .notNull, .references("tenants", "id", onDelete: .cascade))
            .column("name", type: .text, .notNull)
            .column("version", type: .text, .notNull)
            .column("description", type: .text, .notNull)
            .column("state", type: .text, .notNull)
            .column("created_at", type: .bigint, .notNull)
            .column("updated_at", type: .bigint, .notNull)
            .column("published_at", type: .bigint)
            .run()
        try await database.create(index: "profiles_tenant_name_version").on("profiles").column("tenant_id").column("name").column("version")
            .unique().run()
        try await database.create(table: "profile_layers")
            .column("id", type: .text, .primaryKey(autoIncrement: false))
            .column("profile_id", type: .text, .notNull, .references("profiles", "id", onDelete: .cascade))
            .column("position", type: .bigint, .notNull)
            .column("registry_id", type: .text, .notNull, .references("registries", "id"))
            .column("chart", type: .text, .notNull)
            .column("version", type: .text, .notNull)
            .column("release_name", type: .text, .notNull)
            .column("namespace", type: .text, .notNull)
            .column("values_yaml", type: .text, .notNull)
            .column("source", type: .text, .notNull)
            .column("digest", type: .text)
            .column("pull_reference", type: .text)
            .column("app_version", type: .text)
            .column("registry_kind", type: .text, .notNull)
            .column("protected", type: .int, .notNull)
            .column("values_schema", type: .text, .notNull)
            .column("values_not_checked", type: .text, .notNull)
            .column("stale_reason", type: .text)
            .column("stale_since", type: .bigint)
            .column("created_at", type: .bigint, .notNull)
            .column("updated_at", type: .bigint, .notNull)
            .run()
        try await database.create(index: "profile_layers_release").on("profile_layers").column("profile_id").column("namespace")
            .column("release_name").unique().run()
        try await database.create(index: "profile_layers_registry").on("profile_layers").column("registry_id").run()
    }
}
