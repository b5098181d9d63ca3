import SQLKit

/// `clusters` (a tenant's Kubernetes clusters, the kubeconfig sealed), `cluster_discovery_state`
/// (the lease and outcome of the last discovery, as `registry_sync_state` is for syncs) and
/// `cluster_release_records` (one row per Helm release record found: a revision of a release,
/// or a record that could not be read, kept so an unchanged one is not read again).
struct CreateClusters: Migration {
    let name = "0012_create_clusters"

    func apply(on database: any SQLDatabase) async throws {
        try await database.create(table: "clusters")
            .column("id", type: .text, .primaryKey(autoIncrement: false))
            .column("tenant_id", type: .text, .notNull, .references("tenants", "id", onDelete: .cascade))
            .column("name", type: .text, .notNull)
            .column("server", type: .text, .notNull)
            .column("context", type: .text, .notNull)
            .column("kubeconfig_sealed", type: .text, .notNull)
            .column("kubernetes_version", type: .text, .notNull)
            .column("discovery_interval_seconds", type: .bigint, .notNull)
            .column("created_at", type: .bigint, .notNull)
            .column("updated_at", type: .bigint, .notNull)
            .run()
        try await database.create(index: "clusters_tenant_name").on("clusters").column("tenant_id").column("name").unique().run()
        try await database.create(table: "cluster_discovery_state")
            .column("cluster_id", type: .text, .primaryKey(autoIncrement: false), .references("clusters", "id", onDelete: .cascade))
            .column("state", type: .text, .notNull)
            .column("lease_owner", type: .text)
            .column("lease_expires_at", type: .bigint)
            .column("last_run_at", type: .bigint)
            .column("last_duration_ms", type: .bigint)
            .column("last_error", type: .text)
            .column("releases", type: .int, .notNull)
            .column("records", type: .int, .notNull)
            .column("skipped", type: .int, .notNull)
            .column("decoded", type: .int, .notNull)
            .column("forbidden_namespaces", type: .text, .notNull)
            .column("failures", type: .int, .notNull)
            .column("runs", type: .bigint, .notNull)
            .column("next_run_at", type: .bigint)
            .run()
        try await database.create(table: "cluster_release_records")
            .column("cluster_id", type: .text, .notNull, .references("clusters", "id", onDelete: .cascade))
            .column("storage", type: .text, .notNull)
            .column("namespace", type: .text, .notNull)
            .column("record_name", type: .text, .notNull)
            .column("resource_version", type: .text, .notNull)
            .column("skipped_reason", type: .text)
            .column("release_name", type: .text, .notNull)
            .column("revision", type: .bigint, .notNull)
            .column("status", type: .text, .notNull)
            .column("chart", type: .text, .notNull)
            .column("chart_version", type: .text, .notNull)
            .column("app_version", type: .text, .notNull)
            .column("description", type: .text, .notNull)
            .column("first_deployed", type: .text)
            .column("last_deployed", type: .text)
            .column("config_yaml", type: .text, .notNull)
            .column("chart_fingerprint", type: .text, .notNull)
            .column("values_fingerprint", type: .text, .notNull)
            .run()
        try await database.create(index: "cluster_release_records_key").on("cluster_release_records").column("cluster_id").column("storage")
            .column("namespace").column("record_name").unique().run()
        try await database.create(index: "cluster_release_records_release").on("cluster_release_records").column("cluster_id")
            .column("namespace").column("release_name").run()
    }
}

/// `chart_files.content_fingerprint`: the SHA-256 of an archive's chart code (Chart.yaml name,
/// version, appVersion, templates), compared with the charts inside a cluster's Helm releases.
struct AddChartContentFingerprints: Migration {
    let name = "0013_add_chart_content_fingerprints"

    func apply(on database: any SQLDatabase) async throws {
        try await database.raw("ALTER TABLE chart_files ADD COLUMN content_fingerprint TEXT").run()
    }
}
