import CharthouseAPI
import CharthouseCore
import CharthouseStore

extension APIHandler {
    func listUsers(_ input: Operations.ListUsers.Input) async throws -> Operations.ListUsers.Output {
        let list = try await users.list(tenantName: input.query.tenant, caller: try CurrentCaller.require())
        return .ok(.init(body: .json(.init(items: list.map(Components.Schemas.User.init)))))
    }

    func createUser(_ input: Operations.CreateUser.Input) async throws -> Operations.CreateUser.Output {
        guard case .json(let body) = input.body else { throw CharthouseError(.badRequest, "expected a JSON body") }
        let user = try await users.create(
            username: body.username,
            password: body.password,
            role: UserRole(body.role),
            tenantName: body.tenant,
            caller: try CurrentCaller.require()
        )
        return .created(.init(body: .json(.init(user))))
    }

    func getUser(_ input: Operations.GetUser.Input) async throws -> Operations.GetUser.Output {
        let user = try await users.get(id: input.path.id, caller: try CurrentCaller.require())
        return .ok(.init(body: .json(.init(user))))
    }

    func updateUser(_ input: Operations.UpdateUser.Input) async throws -> Operations.UpdateUser.Output {
        guard case .json(let body) = input.body else { throw CharthouseError(.badRequest, "expected a JSON body") }
        let user = try await users.update(
            id: input.path.id,
            password: body.password,
            role: body.role.flatMap { UserRole(rawValue: $0.rawValue) },
            caller: try CurrentCaller.require()
        )
        return .ok(.init(body: .json(.init(user))))
    }

    func deleteUser(_ input: Operations.DeleteUser.Input) async throws -> Operations.DeleteUser.Output {
        try await users.delete(id: input.path.id, caller: try CurrentCaller.require())
        return .noContent(.init())
    }
}

extension Components.Schemas.User {
    init(_ user: UserSummary) {
        self.init(
            id: user.id,
            username: user.username,
            role: .init(user.role),
            tenant: user.tenantName,
            systemAdmin: user.isSystemAdmin,
            createdAt: user.createdAt
        )
    }
}

extension Components.Schemas.Role {
    init(_ role: UserRole) {
        switch role {
        case .admin: self = .admin
        case .member: self = .member
        }
    }
}

extension UserRole {
    init(_ role: Components.Schemas.Role) {
        switch role {
        case .admin: self = .admin
        case .member: self = .member
        }
    }
}
