public import CharthouseStore
import Foundation

/// Tenants: created and listed by the system administrator only.
public struct TenantService: Sendable {
    private let stores: Stores
    /// Told a hosted registry's namespace when it went away (rename, delete), to drop cached indexes.
    private let hostedChanged: @Sendable (String) -> Void

    public init(stores: Stores, hostedChanged: @escaping @Sendable (String) -> Void = { _ in }) {
        self.stores = stores
        self.hostedChanged = hostedChanged
    }

    public func create(name: String, caller: Caller) async throws -> TenantRecord {
        guard caller.isSystemAdmin else { throw CharthouseError.forbidden("only the system administrator can create tenants") }
        try NameRules.validateTenantName(name)
        let tenant = TenantRecord(id: TokenValue.newID(), name: name, createdAt: Date())
        do {
            try await stores.tenants.create(tenant)
        } catch let error as StoreError where error.isDuplicate {
            throw CharthouseError(.conflict, "tenant \"\(name)\" already exists", cause: error)
        }
        // Every tenant owns a hosted registry from the start.
        try await RegistryService.ensureHostedRegistry(tenant: tenant, stores: stores, policy: RegistryPolicy())
        return tenant
    }

    public func list(caller: Caller) async throws -> [TenantRecord] {
        guard caller.isSystemAdmin else { throw CharthouseError.forbidden("only the system administrator can list tenants") }
        return try await stores.tenants.list()
    }

    /// One tenant by id or name.
    public func get(_ idOrName: String, caller: Caller) async throws -> TenantRecord {
        guard caller.isSystemAdmin else { throw CharthouseError.forbidden("only the system administrator can read tenants") }
        if let tenant = try await stores.tenants.find(id: idOrName) { return tenant }
        if let tenant = try await stores.tenants.find(name: idOrName) { return tenant }
        throw CharthouseError.notFound("tenant \"\(idOrName)\"")
    }

    /// Renames a tenant. Its hosted registry moves with it: `oci://HOST/<new>/…` and
    /// `/charts/<new>` serve the same charts, the old names answer 404 (clients must be told).
    public func rename(_ idOrName: String, to name: String, caller: Caller) async throws -> TenantRecord {
        let tenant = try await get(idOrName, caller: caller)
        try NameRules.validateTenantName(name)
        let renamed: TenantRecord?
        do {
            renamed = try await stores.tenants.rename(id: tenant.id, to: name)
        } catch let error as StoreError where error.isDuplicate {
            throw CharthouseError(.conflict, "tenant \"\(name)\" already exists", cause: error)
        }
        guard let renamed else { throw CharthouseError.notFound("tenant \"\(idOrName)\"") }
        hostedChanged(tenant.name)
        return renamed
    }

    /// Deletes a tenant with everything it owns: users and their tokens, registries, their catalogs
    /// and the hosted registry's repositories (their blobs go at the next garbage collection).
    public func delete(_ idOrName: String, caller: Caller) async throws {
        let tenant = try await get(idOrName, caller: caller)
        guard try await stores.tenants.delete(id: tenant.id) else { throw CharthouseError.notFound("tenant \"\(idOrName)\"") }
        hostedChanged(tenant.name)
    }
}
