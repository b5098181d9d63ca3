import CharthouseAPI
import CharthouseCore

extension APIHandler {
    func login(_ input: Operations.Login.Input) async throws -> Operations.Login.Output {
        guard case .json(let body) = input.body else { throw CharthouseError(.badRequest, "expected a JSON body") }
        let grant = try await access.login(username: body.username, password: body.password, address: CurrentClient.address)
        return .ok(.init(body: .json(.init(token: grant.token, expiresAt: grant.expiresAt))))
    }

    func getMe(_ input: Operations.GetMe.Input) async throws -> Operations.GetMe.Output {
        let user = try await users.me(caller: try CurrentCaller.require())
        return .ok(.init(body: .json(.init(user))))
    }

    func changeMyPassword(_ input: Operations.ChangeMyPassword.Input) async throws -> Operations.ChangeMyPassword.Output {
        guard case .json(let body) = input.body else { throw CharthouseError(.badRequest, "expected a JSON body") }
        try await access.changePassword(
            old: body.oldPassword,
            new: body.newPassword,
            caller: try CurrentCaller.require(),
            address: CurrentClient.address
        )
        return .noContent(.init())
    }

    func logout(_ input: Operations.Logout.Input) async throws -> Operations.Logout.Output {
        try await access.logout(caller: try CurrentCaller.require())
        return .noContent(.init())
    }
}
