/// Tenants. Implemented by ``SQLTenantStore``.
public protocol TenantStore: Sendable {
    /// Inserts a tenant; throws ``StoreError/duplicate(_:)`` when the name is taken.
    func create(_ tenant: TenantRecord) async throws
    /// All tenants ordered by name.
    func list() async throws -> [TenantRecord]
    func find(id: String) async throws -> TenantRecord?
    func find(name: String) async throws -> TenantRecord?
    /// Renames a tenant together with its hosted registry and that registry's repositories (whose
    /// names start with the tenant's), in one transaction. Throws ``StoreError/duplicate(_:)`` when
    /// the name is taken; returns the renamed tenant, or `nil` when there is none with this id.
    func rename(id: String, to name: String) async throws -> TenantRecord?
    /// Deletes a tenant and, through the foreign keys, its users, their tokens, its registries, their
    /// catalogs and hosted repositories. Returns whether a row went.
    func delete(id: String) async throws -> Bool
}
