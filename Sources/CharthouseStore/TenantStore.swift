/// Tenants. Implemented by ``SQLTenantStore``.
public protocol TenantStore: Sendable {
    /// Inserts a tenant; throws ``StoreError/duplicate(_:)`` when the name is taken.
    func create(_ tenant: TenantRecord) async throws
    /// All tenants ordered by name.
    func list() async throws -> [TenantRecord]
    func find(id: String) async throws -> TenantRecord?
    func find(name: String) async throws -> TenantRecord?
}
