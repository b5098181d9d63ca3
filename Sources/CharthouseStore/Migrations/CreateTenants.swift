import SQLKit

/// `tenants`: one row per tenant, names unique.
struct CreateTenants: Migration {
    let name = "0001_create_tenants"

    func apply(on database: any SQLDatabase) async throws {
        try await database.create(table: "tenants")
            .column("id", type: .text, .primaryKey(autoIncrement: false))
            .column("name", type: .text, .notNull, .unique)
            .column("created_at", type: .bigint, .notNull)
            .run()
    }
}
