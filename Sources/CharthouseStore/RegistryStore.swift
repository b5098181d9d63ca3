/// Tenant and system registries. Implemented by ``SQLRegistryStore``.
public protocol RegistryStore: Sendable {
    /// Inserts a registry; throws ``StoreError/duplicate(_:)`` when its scope already has the name.
    func create(_ registry: RegistryRecord) async throws
    /// Replaces a registry's row; throws ``StoreError/duplicate(_:)`` on a name clash, ``StoreError/notFound(_:)`` if gone.
    func update(_ registry: RegistryRecord) async throws
    /// A tenant's registries followed by the system registries (`tenantID` `nil`: system ones only), by name.
    func listVisible(tenantID: String?) async throws -> [RegistryRecord]
    func find(id: String) async throws -> RegistryRecord?
    /// The system registry with this name, if any.
    func findSystem(name: String) async throws -> RegistryRecord?
    /// Every hosted registry (the system's and each tenant's).
    func listHosted() async throws -> [RegistryRecord]
    /// The hosted registry of a namespace (`system` or a tenant's name), if any.
    func findHosted(namespace: String) async throws -> RegistryRecord?
    /// Deletes a registry. Returns whether a row went.
    func delete(id: String) async throws -> Bool
}
