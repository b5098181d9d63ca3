import CharthouseAPI
import CharthouseCore
import CharthouseStore

extension APIHandler {
    func listTenants(_ input: Operations.ListTenants.Input) async throws -> Operations.ListTenants.Output {
        let list = try await tenants.list(caller: try CurrentCaller.require())
        return .ok(.init(body: .json(.init(items: list.map(Components.Schemas.Tenant.init)))))
    }

    func createTenant(_ input: Operations.CreateTenant.Input) async throws -> Operations.CreateTenant.Output {
        guard case .json(let body) = input.body else { throw CharthouseError(.badRequest, "expected a JSON body") }
        let tenant = try await tenants.create(name: body.name, caller: try CurrentCaller.require())
        return .created(.init(body: .json(.init(tenant))))
    }

    func getTenant(_ input: Operations.GetTenant.Input) async throws -> Operations.GetTenant.Output {
        let tenant = try await tenants.get(input.path.id, caller: try CurrentCaller.require())
        return .ok(.init(body: .json(.init(tenant))))
    }

    func updateTenant(_ input: Operations.UpdateTenant.Input) async throws -> Operations.UpdateTenant.Output {
        guard case .json(let body) = input.body else { throw CharthouseError(.badRequest, "expected a JSON body") }
        let tenant = try await tenants.rename(input.path.id, to: body.name, caller: try CurrentCaller.require())
        return .ok(.init(body: .json(.init(tenant))))
    }

    func deleteTenant(_ input: Operations.DeleteTenant.Input) async throws -> Operations.DeleteTenant.Output {
        try await tenants.delete(input.path.id, caller: try CurrentCaller.require())
        return .noContent(.init())
    }
}

extension Components.Schemas.Tenant {
    init(_ record: TenantRecord) {
        self.init(id: record.id, name: record.name, createdAt: record.createdAt)
    }
}
