public import CharthouseStore
import Foundation

/// Tenant users: created by their tenant's admin or the system administrator.
public struct UserService: Sendable {
    private let stores: Stores
    private let hasher: PasswordHasher
    private let directory: UserDirectory

    public init(stores: Stores, hasher: PasswordHasher) {
        self.stores = stores
        self.hasher = hasher
        self.directory = UserDirectory(stores: stores)
    }

    /// The caller itself.
    public func me(caller: Caller) async throws -> UserSummary {
        guard let user = try await stores.users.find(id: caller.userID) else { throw CharthouseError.unauthenticated }
        return try await summary(user)
    }

    /// Creates a user. The system admin must name the tenant; a tenant admin's users join its own
    /// tenant (naming any other tenant is `not_found`); members may not create users.
    public func create(
        username: String,
        password: String,
        role: UserRole,
        tenantName: String?,
        caller: Caller
    ) async throws
        -> UserSummary
    {
        guard caller.role == .admin else { throw CharthouseError.forbidden("only administrators can create users") }
        try NameRules.validateUsername(username)
        try NameRules.validatePassword(password)
        let tenant: TenantRecord
        if caller.isSystemAdmin {
            guard let tenantName, !tenantName.isEmpty else {
                throw CharthouseError.invalidField("tenant", "is required when the system administrator creates a user")
            }
            tenant = try await directory.tenant(named: tenantName, visibleTo: caller)
        } else {
            guard let tenantID = caller.tenantID, let own = try await stores.tenants.find(id: tenantID) else {
                throw CharthouseError.unauthenticated
            }
            if let tenantName, !tenantName.isEmpty, tenantName != own.name {
                throw CharthouseError.notFound("tenant \"\(tenantName)\"")
            }
            tenant = own
        }
        let user = UserRecord(
            id: TokenValue.newID(),
            tenantID: tenant.id,
            username: username,
            passwordHash: try await hasher.hash(password),
            role: role,
            createdAt: Date()
        )
        do {
            try await stores.users.create(user)
        } catch let error as StoreError where error.isDuplicate {
            // Usernames are server-wide (registry clients sign in with a username alone), so a name
            // may be taken in another tenant: say only that it is not available, never where.
            throw CharthouseError(.conflict, "the username \"\(username)\" is not available; choose another", cause: error)
        }
        return UserSummary(id: user.id, username: user.username, role: role, tenantName: tenant.name, createdAt: user.createdAt)
    }

    /// Users the caller administers: its tenant's (tenant admin) or all, optionally of one tenant (system admin).
    public func list(tenantName: String?, caller: Caller) async throws -> [UserSummary] {
        guard caller.role == .admin else { throw CharthouseError.forbidden("only administrators can list users") }
        var tenantID = caller.tenantID
        var tenantLabel = caller.tenantName
        if let tenantName, !tenantName.isEmpty {
            let tenant = try await directory.tenant(named: tenantName, visibleTo: caller)
            tenantID = tenant.id
            tenantLabel = tenant.name
        }
        let users = try await stores.users.list(tenantID: tenantID)
        var names: [String: String] = [:]
        if let tenantID, let tenantLabel {
            names[tenantID] = tenantLabel
        } else {
            names = try await directory.tenantNames()
        }
        return users.map { Self.summary($0, tenantNames: names) }
    }

    /// One user: members may read only themselves.
    public func get(id: String, caller: Caller) async throws -> UserSummary {
        let user = try await directory.user(id: id, visibleTo: caller)
        guard caller.role == .admin || user.id == caller.userID else {
            throw CharthouseError.forbidden("members can only view their own user")
        }
        return try await summary(user)
    }

    /// Deletes a user with all of its tokens. Nobody deletes itself; members delete nobody.
    public func delete(id: String, caller: Caller) async throws {
        let user = try await directory.user(id: id, visibleTo: caller)
        guard caller.role == .admin else { throw CharthouseError.forbidden("only administrators can delete users") }
        guard user.id != caller.userID else { throw CharthouseError(.unprocessable, "you cannot delete your own user") }
        guard user.tenantID != nil else {
            throw CharthouseError(.unprocessable, "a system administrator cannot be deleted through the API")
        }
        guard try await stores.users.delete(id: id) else { throw CharthouseError.notFound("user \"\(id)\"") }
    }

    /// An administrator resets a user's password (the user's login sessions end; its API tokens
    /// stay) or changes its role. Your own password changes with ``AccessService/changePassword``
    /// (it needs the old one); your own role does not change.
    public func update(id: String, password: String?, role: UserRole?, caller: Caller) async throws -> UserSummary {
        let user = try await directory.user(id: id, visibleTo: caller)
        guard caller.role == .admin else { throw CharthouseError.forbidden("only administrators can change users") }
        guard password != nil || role != nil else { throw CharthouseError.invalidField("password", "or role is required") }
        if user.id == caller.userID {
            if password != nil {
                throw CharthouseError(.unprocessable, "change your own password with PUT /api/v1/me/password (it needs the old one)")
            }
            if let role, role != user.role { throw CharthouseError(.unprocessable, "you cannot change your own role") }
        }
        guard user.tenantID != nil else { throw CharthouseError(.unprocessable, "a system administrator cannot be changed through the API") }
        if let password { try NameRules.validatePassword(password) }
        var hash: String?
        if let password { hash = try await hasher.hash(password) }
        guard let updated = try await stores.users.update(id: user.id, passwordHash: hash, role: role) else {
            throw CharthouseError.notFound("user \"\(id)\"")
        }
        if hash != nil { _ = try await stores.tokens.deleteSessions(userID: user.id, keeping: nil) }
        return try await summary(updated)
    }

    private func summary(_ user: UserRecord) async throws -> UserSummary {
        var tenantName: String?
        if let tenantID = user.tenantID { tenantName = try await stores.tenants.find(id: tenantID)?.name }
        return UserSummary(id: user.id, username: user.username, role: user.role, tenantName: tenantName, createdAt: user.createdAt)
    }

    private static func summary(_ user: UserRecord, tenantNames: [String: String]) -> UserSummary {
        UserSummary(
            id: user.id,
            username: user.username,
            role: user.role,
            tenantName: user.tenantID.flatMap { tenantNames[$0] },
            createdAt: user.createdAt
        )
    }
}
