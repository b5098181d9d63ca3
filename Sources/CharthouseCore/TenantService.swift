import CharthouseStore
import Foundation

/// Tenants: created and listed by the system administrator only.
public struct TenantService: Sendable {
    private let stores: Stores

    public init(stores: Stores) {
        self.stores = stores
    }

    public func create(name: String, caller: Caller) async throws -> TenantRecord {
        guard caller.isSystemAdmin else { throw CharthouseError.forbidden("only the system administrator can create tenants") }
        try NameRules.validateTenantName(name)
        let tenant = TenantRecord(id: TokenValue.newID(), name: name, createdAt: Date())
        do {
            try await stores.tenants.create(tenant)
        } catch let error as StoreError where error.isDuplicate {
            throw CharthouseError(.conflict, "tenant \"\(name)\" already exists")
        }
        // Every tenant owns a hosted registry from the start.
        try await RegistryService.ensureHostedRegistry(tenant: tenant, stores: stores, policy: RegistryPolicy())
        return tenant
    }

    public func list(caller: Caller) async throws -> [TenantRecord] {
        guard caller.isSystemAdmin else { throw CharthouseError.forbidden("only the system administrator can list tenants") }
        return try await stores.tenants.list()
    }
}
