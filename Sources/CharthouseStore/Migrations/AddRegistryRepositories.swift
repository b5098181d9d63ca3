import SQLKit

/// `registries.repositories`: the OCI repositories to sync where a registry refuses to list its
/// catalog, one per line (empty: discover them).
struct AddRegistryRepositories: Migration {
    let name = "0006_add_registry_repositories"

    func apply(on database: any SQLDatabase) async throws {
        try await database.raw("ALTER TABLE registries ADD COLUMN repositories TEXT NOT NULL DEFAULT ''").run()
    }
}
