import SQLKit

/// Hosted registries' settings and change counter: `registries.public_pull` (anonymous pull),
/// `registries.allow_overwrite` (a version may be pushed again with another archive), and
/// `hosted_revisions`, bumped in the transaction of every manifest change, so a generated
/// `index.yaml` knows when it is stale. Manifests are also found by chart and version.
struct AddHostedSettings: Migration {
    let name = "0009_add_hosted_settings"

    func apply(on database: any SQLDatabase) async throws {
        try await database.raw("ALTER TABLE registries ADD COLUMN public_pull INTEGER NOT NULL DEFAULT 0").run()
        try await database.raw("ALTER TABLE registries ADD COLUMN allow_overwrite INTEGER NOT NULL DEFAULT 0").run()
        try await database.create(table: "hosted_revisions")
            .column("registry_id", type: .text, .primaryKey(autoIncrement: false), .references("registries", "id", onDelete: .cascade))
            .column("revision", type: .bigint, .notNull)
            .column("changed_at", type: .bigint, .notNull)
            .run()
        try await database.create(index: "hosted_manifests_chart").on("hosted_manifests").column("chart_name").column("chart_version").run()
    }
}
