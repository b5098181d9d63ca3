import SQLKit

/// Deploying profiles to clusters: a cluster's `mode` (`direct`: reached with a kubeconfig;
/// `agent`: only through its agent) and its agent's registration token (a digest); a profile's
/// variables; `cluster_agent_sessions` (the agent's short-lived access tokens, as digests);
/// `cluster_attachments` (the profile a cluster runs, with per-cluster values and variables, or
/// ran: a detached row says what happens to its releases);
/// `cluster_layer_status` (what the agent reported for each release it manages).
struct CreateDeployments: Migration {
    let name = "0014_create_deployments"

    func apply(on database: any SQLDatabase) async throws {
        try await database.raw("ALTER TABLE clusters ADD COLUMN mode TEXT NOT NULL DEFAULT 'direct'").run()
        try await database.raw("ALTER TABLE clusters ADD COLUMN agent_token_digest TEXT").run()
        try await database.raw("ALTER TABLE clusters ADD COLUMN agent_token_created_at BIGINT").run()
        try await database.raw("ALTER TABLE clusters ADD COLUMN agent_seen_at BIGINT").run()
        try await database.raw("ALTER TABLE clusters ADD COLUMN agent_version TEXT").run()
        try await database.raw("ALTER TABLE profiles ADD COLUMN variables TEXT NOT NULL DEFAULT '[]'").run()
        try await database.create(index: "clusters_agent_token").on("clusters").column("agent_token_digest").unique().run()
        try await database.create(table: "cluster_agent_sessions")
            .column("id", type: .text, .primaryKey(autoIncrement: false))
            .column("cluster_id", type: .text, .notNull, .references("clusters", "id", onDelete: .cascade))
            .column("token_digest", type: .text, .notNull)
            .column("created_at", type: .bigint, .notNull)
            .column("expires_at", type: .bigint, .notNull)
            .run()
        try await database.create(index: "cluster_agent_sessions_digest").on("cluster_agent_sessions").column("token_digest").unique().run()
        try await database.create(table: "cluster_attachments")
            .column("cluster_id", type: .text, .primaryKey(autoIncrement: false), .references("clusters", "id", onDelete: .cascade))
            .column("profile_id", type: .text, .notNull, .references("profiles", "id"))
            .column("values_json", type: .text, .notNull)
            .column("variables_json", type: .text, .notNull)
            .column("on_detach", type: .text, .notNull)
            .column("reconcile_drift", type: .int, .notNull)
            .column("detached", type: .text)
            .column("attached_at", type: .bigint, .notNull)
            .column("updated_at", type: .bigint, .notNull)
            .run()
        try await database.create(index: "cluster_attachments_profile").on("cluster_attachments").column("profile_id").run()
        try await database.create(table: "cluster_layer_status")
            .column("cluster_id", type: .text, .notNull, .references("clusters", "id", onDelete: .cascade))
            .column("namespace", type: .text, .notNull)
            .column("release_name", type: .text, .notNull)
            .column("layer_id", type: .text)
            .column("chart", type: .text, .notNull)
            .column("version", type: .text, .notNull)
            .column("digest", type: .text)
            .column("registry_mode", type: .text, .notNull)
            .column("phase", type: .text, .notNull)
            .column("revision", type: .bigint)
            .column("message", type: .text)
            .column("values_digest", type: .text)
            .column("attempts", type: .int, .notNull)
            .column("started_at", type: .bigint)
            .column("deployed_at", type: .bigint)
            .column("updated_at", type: .bigint, .notNull)
            .run()
        try await database.create(index: "cluster_layer_status_key").on("cluster_layer_status").column("cluster_id").column("namespace")
            .column("release_name").unique().run()
    }
}
