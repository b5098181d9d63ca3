public import CharthouseStore

/// The authenticated identity behind a request; every Core operation is scoped by it.
public struct Caller: Sendable, Hashable {
    public let userID: String
    public let username: String
    public let role: UserRole
    /// The caller's tenant; `nil` for the system administrator.
    public let tenantID: String?
    /// The caller's tenant's name, for logs and messages; `nil` for the system administrator.
    public let tenantName: String?
    /// The id of the token that authenticated this request.
    public let tokenID: String

    public init(userID: String, username: String, role: UserRole, tenantID: String?, tenantName: String?, tokenID: String) {
        self.userID = userID
        self.username = username
        self.role = role
        self.tenantID = tenantID
        self.tenantName = tenantName
        self.tokenID = tokenID
    }

    /// The system administrator belongs to no tenant and manages tenants.
    public var isSystemAdmin: Bool { tenantID == nil && role == .admin }
    /// An administrator of its tenant (not the system administrator).
    public var isTenantAdmin: Bool { tenantID != nil && role == .admin }
}
