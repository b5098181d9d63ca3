import CharthouseAPI

/// Finds objects by name or id for commands, and says who looked, and where, when nothing is found.
enum Lookup {
    /// "not found" in the caller's words: who it is and which tenant was searched (the system
    /// administrator belongs to none).
    static func notFound(_ what: String, client: Client, systemScope: String, tenantScope: (String) -> String) async -> CLIError {
        guard let me = try? await client.getMe().ok.body.json else { return CLIError("no \(what)") }
        if me.systemAdmin {
            return CLIError(
                "no \(what) \(systemScope) (you are \(me.username), the system administrator, who belongs to no tenant; "
                    + "log in as a user of a tenant to work in it)"
            )
        }
        let tenant = me.tenant ?? "?"
        return CLIError("no \(what) \(tenantScope(tenant)) (you are \(me.username), \(me.role.rawValue) of tenant \(tenant))")
    }

    /// The registry with this id or name; the tenant's own wins over a system registry of the same name.
    static func registry(_ nameOrID: String, client: Client) async throws -> Components.Schemas.Registry {
        let all = try await callServer { try await client.listRegistries().ok.body.json.items }
        if let found = all.first(where: { $0.id == nameOrID }) ?? all.first(where: { $0.name == nameOrID }) { return found }
        throw await notFound(
            "registry named \"\(nameOrID)\"",
            client: client,
            systemScope: "among the system registries",
            tenantScope: { "in tenant \($0) or among the system registries" }
        )
    }

    /// The user with this id or username, among those the caller administers.
    static func user(_ nameOrID: String, client: Client) async throws -> Components.Schemas.User {
        let users = try await callServer { try await client.listUsers().ok.body.json.items }
        if let found = users.first(where: { $0.id == nameOrID || $0.username == nameOrID }) { return found }
        throw await notFound(
            "user named \"\(nameOrID)\"",
            client: client,
            systemScope: "in any tenant",
            tenantScope: { "in tenant \($0)" }
        )
    }

    /// The API token with this id, or the only one with this name, among those the caller may revoke.
    static func token(_ nameOrID: String, client: Client) async throws -> Components.Schemas.APIToken {
        let tokens = try await callServer { try await client.listTokens().ok.body.json.items }
        if let found = tokens.first(where: { $0.id == nameOrID }) { return found }
        let named = tokens.filter { $0.name == nameOrID }
        if named.count == 1 { return named[0] }
        if named.count > 1 {
            throw CLIError(
                "\(named.count) tokens are named \"\(nameOrID)\" (\(named.map { "\($0.id) of \($0.username)" }.joined(separator: ", "))): revoke one by its id"
            )
        }
        throw await notFound(
            "API token with the id or name \"\(nameOrID)\"",
            client: client,
            systemScope: "that you may revoke",
            tenantScope: { "that you may revoke in tenant \($0)" }
        )
    }
}
