public import CharthouseStore
public import Foundation

/// A user as shown to callers: no password hash, the tenant by name.
public struct UserSummary: Sendable, Hashable {
    public let id: String
    public let username: String
    public let role: UserRole
    /// The tenant's name; `nil` for the system administrator.
    public let tenantName: String?
    public let createdAt: Date

    public var isSystemAdmin: Bool { tenantName == nil }
}

/// An API token as listed: never its value.
public struct APITokenSummary: Sendable, Hashable {
    public let id: String
    public let name: String
    public let username: String
    public let createdAt: Date
    public let expiresAt: Date?
    public let lastUsedAt: Date?
}

/// A token just made: the only time its value is known.
public struct IssuedToken: Sendable {
    public let summary: APITokenSummary
    public let value: String
}

/// A login session's bearer token and its end.
public struct SessionGrant: Sendable {
    public let token: String
    public let expiresAt: Date
}
