import CharthouseCore
import CharthouseStore
import Foundation

/// What the Add user form holds (the password is never sent back).
struct UserFormValues {
    var username = ""
    var password = ""
    var admin = false
    var tenant: String?

    init() {}

    init(_ form: ConsoleForm) {
        username = form.text("username") ?? ""
        password = form["password"] ?? ""
        admin = form["role"] == UserRole.admin.rawValue
        tenant = form.text("tenant")
    }
}

struct UsersBody {
    struct Row {
        let id: String
        let username: String
        let role: String
        let isAdmin: Bool
        let tenant: String
        let created: String
        /// Not the caller itself, not a system administrator.
        let canChange: Bool
    }

    let rows: [Row]
    let showTenant: Bool
    let tenants: [String]
    let username: String
    let admin: Bool
    let error: String?

    init(users: [UserSummary], caller: Caller, tenantNames: [String], values: UserFormValues, error: String?) {
        rows = users.map { user in
            Row(
                id: user.id,
                username: user.username,
                role: user.isSystemAdmin ? "system administrator" : user.role.rawValue,
                isAdmin: user.role == .admin,
                tenant: user.tenantName ?? "system",
                created: ConsoleFormat.time(user.createdAt),
                canChange: user.id != caller.userID && !user.isSystemAdmin
            )
        }
        showTenant = caller.isSystemAdmin
        tenants = tenantNames
        username = values.username
        admin = values.admin
        self.error = error
    }
}

struct TokensBody {
    struct Row {
        let id: String
        let name: String
        let username: String
        let created: String
        let expires: String
        let lastUsed: String
    }

    let rows: [Row]
    let isEmpty: Bool
    /// Administrators may issue tokens for other users.
    let forOthers: Bool
    let issuedValue: String?
    let issuedName: String?
    let error: String?

    init(tokens: [APITokenSummary], caller: Caller, issued: IssuedToken?, error: String?) {
        rows = tokens.map { token in
            Row(
                id: token.id,
                name: token.name,
                username: token.username,
                created: ConsoleFormat.time(token.createdAt),
                expires: token.expiresAt.map(ConsoleFormat.time) ?? "never",
                lastUsed: token.lastUsedAt.map(ConsoleFormat.time) ?? "never"
            )
        }
        isEmpty = tokens.isEmpty
        forOthers = caller.role == .admin
        issuedValue = issued?.value
        issuedName = issued?.summary.name
        self.error = error
    }
}

struct TenantsBody {
    struct Row {
        let id: String
        let name: String
        let created: String
    }

    let rows: [Row]
    let isEmpty: Bool
    let name: String
    let error: String?

    init(tenants: [TenantRecord], name: String, error: String?) {
        rows = tenants.map { Row(id: $0.id, name: $0.name, created: ConsoleFormat.time($0.createdAt)) }
        isEmpty = tenants.isEmpty
        self.name = name
        self.error = error
    }
}
