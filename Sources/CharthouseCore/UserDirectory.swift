import CharthouseStore

/// Looks users and tenants up within what a caller may see: another tenant's objects are `not_found`.
struct UserDirectory: Sendable {
    let stores: Stores
    /// ``Caller/tokenID`` of a caller proven by username and password (no token).
    static let passwordTokenID = "basic"

    /// The user named `username`, if the caller's scope holds it.
    func user(named username: String, visibleTo caller: Caller) async throws -> UserRecord {
        guard let user = try await stores.users.find(username: username), isVisible(user, to: caller) else {
            throw CharthouseError.notFound("user \"\(username)\"")
        }
        return user
    }

    /// The user with this id, if the caller's scope holds it.
    func user(id: String, visibleTo caller: Caller) async throws -> UserRecord {
        guard let user = try await stores.users.find(id: id), isVisible(user, to: caller) else {
            throw CharthouseError.notFound("user \"\(id)\"")
        }
        return user
    }

    /// The tenant named `name`, if the caller is the system admin or belongs to it.
    func tenant(named name: String, visibleTo caller: Caller, field: String = "tenant") async throws -> TenantRecord {
        guard let tenant = try await stores.tenants.find(name: name), caller.isSystemAdmin || tenant.id == caller.tenantID else {
            throw CharthouseError.notFound("tenant \"\(name)\"")
        }
        return tenant
    }

    func isVisible(_ user: UserRecord, to caller: Caller) -> Bool {
        caller.isSystemAdmin || (user.tenantID != nil && user.tenantID == caller.tenantID)
    }

    /// The caller a user stands for when it authenticates without a stored token (Basic
    /// credentials, a registry token); `tokenID` names how.
    func caller(for user: UserRecord, tokenID: String) async throws -> Caller {
        var tenantName: String?
        if let tenantID = user.tenantID { tenantName = try await stores.tenants.find(id: tenantID)?.name }
        return Caller(
            userID: user.id,
            username: user.username,
            role: user.role,
            tenantID: user.tenantID,
            tenantName: tenantName,
            tokenID: tokenID
        )
    }

    /// Tenant names by id, for presenting users.
    func tenantNames() async throws -> [String: String] {
        Dictionary(uniqueKeysWithValues: try await stores.tenants.list().map { ($0.id, $0.name) })
    }
}
