import SQLKit

/// The hosted registry's OCI metadata: `hosted_repositories` (a repository of a hosted registry,
/// by its full name), `hosted_blob_links` (which blobs a repository holds: what it may read and
/// mount), `hosted_manifests` (manifests by digest, with the chart they carry), `hosted_tags`
/// and `hosted_uploads` (open upload sessions and their repository). Blob bytes live in the
/// ``BlobStore``.
struct CreateHostedRepositories: Migration {
    let name = "0008_create_hosted_repositories"

    func apply(on database: any SQLDatabase) async throws {
        try await database.create(table: "hosted_repositories")
            .column("id", type: .text, .primaryKey(autoIncrement: false))
            .column("registry_id", type: .text, .notNull, .references("registries", "id", onDelete: .cascade))
            .column("name", type: .text, .notNull)
            .column("created_at", type: .bigint, .notNull)
            .run()
        try await database.create(index: "hosted_repositories_name").on("hosted_repositories").column("registry_id").column("name").unique().run()
        try await database.create(table: "hosted_blob_links")
            .column("repository_id", type: .text, .notNull, .references("hosted_repositories", "id", onDelete: .cascade))
            .column("digest", type: .text, .notNull)
            .column("size", type: .bigint, .notNull)
            .column("created_at", type: .bigint, .notNull)
            .run()
        try await database.create(index: "hosted_blob_links_key").on("hosted_blob_links").column("repository_id").column("digest").unique().run()
        try await database.create(index: "hosted_blob_links_digest").on("hosted_blob_links").column("digest").run()
        try await database.create(table: "hosted_manifests")
            .column("repository_id", type: .text, .notNull, .references("hosted_repositories", "id", onDelete: .cascade))
            .column("digest", type: .text, .notNull)
            .column("media_type", type: .text, .notNull)
            .column("content", type: .text, .notNull)
            .column("size", type: .bigint, .notNull)
            .column("config_digest", type: .text, .notNull)
            .column("chart_name", type: .text, .notNull)
            .column("chart_version", type: .text, .notNull)
            .column("created_at", type: .bigint, .notNull)
            .run()
        try await database.create(index: "hosted_manifests_key").on("hosted_manifests").column("repository_id").column("digest").unique().run()
        try await database.create(table: "hosted_tags")
            .column("repository_id", type: .text, .notNull, .references("hosted_repositories", "id", onDelete: .cascade))
            .column("tag", type: .text, .notNull)
            .column("digest", type: .text, .notNull)
            .column("updated_at", type: .bigint, .notNull)
            .run()
        try await database.create(index: "hosted_tags_key").on("hosted_tags").column("repository_id").column("tag").unique().run()
        try await database.create(table: "hosted_uploads")
            .column("id", type: .text, .primaryKey(autoIncrement: false))
            .column("repository_id", type: .text, .notNull, .references("hosted_repositories", "id", onDelete: .cascade))
            .column("created_at", type: .bigint, .notNull)
            .run()
    }
}
