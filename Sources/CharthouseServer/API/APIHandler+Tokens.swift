import CharthouseAPI
import CharthouseCore
import Foundation

extension APIHandler {
    func listTokens(_ input: Operations.ListTokens.Input) async throws -> Operations.ListTokens.Output {
        let list = try await access.listTokens(caller: try CurrentCaller.require())
        return .ok(.init(body: .json(.init(items: list.map(Components.Schemas.APIToken.init)))))
    }

    func createToken(_ input: Operations.CreateToken.Input) async throws -> Operations.CreateToken.Output {
        guard case .json(let body) = input.body else { throw CharthouseError(.badRequest, "expected a JSON body") }
        let issued = try await access.createToken(
            name: body.name,
            username: body.username,
            expiresIn: body.expiresInSeconds.map { TimeInterval($0) },
            caller: try CurrentCaller.require()
        )
        let summary = issued.summary
        return .created(
            .init(
                body: .json(
                    .init(
                        id: summary.id,
                        name: summary.name,
                        username: summary.username,
                        createdAt: summary.createdAt,
                        expiresAt: summary.expiresAt,
                        token: issued.value
                    )
                )
            )
        )
    }

    func revokeToken(_ input: Operations.RevokeToken.Input) async throws -> Operations.RevokeToken.Output {
        try await access.revokeToken(id: input.path.id, caller: try CurrentCaller.require())
        return .noContent(.init())
    }
}

extension Components.Schemas.APIToken {
    init(_ token: APITokenSummary) {
        self.init(
            id: token.id,
            name: token.name,
            username: token.username,
            createdAt: token.createdAt,
            expiresAt: token.expiresAt,
            lastUsedAt: token.lastUsedAt
        )
    }
}
