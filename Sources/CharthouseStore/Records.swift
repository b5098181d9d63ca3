public import Foundation

/// A tenant as stored.
public struct TenantRecord: Sendable, Hashable {
    public var id: String
    public var name: String
    public var createdAt: Date

    public init(id: String, name: String, createdAt: Date) {
        self.id = id
        self.name = name
        self.createdAt = createdAt
    }
}

/// A user's role within its tenant. The system administrator has role `admin` and no tenant.
public enum UserRole: String, Sendable, Hashable, CaseIterable {
    case admin
    case member
}

/// A user as stored; `passwordHash` is a bcrypt hash, never a password.
public struct UserRecord: Sendable, Hashable {
    public var id: String
    /// The owning tenant; `nil` for system administrators.
    public var tenantID: String?
    public var username: String
    public var passwordHash: String
    public var role: UserRole
    public var createdAt: Date

    public init(id: String, tenantID: String?, username: String, passwordHash: String, role: UserRole, createdAt: Date) {
        self.id = id
        self.tenantID = tenantID
        self.username = username
        self.passwordHash = passwordHash
        self.role = role
        self.createdAt = createdAt
    }
}

/// What a token is for: a login session (short-lived, not listed) or a long-lived API token.
public enum AccessTokenKind: String, Sendable, Hashable {
    case session
    case api
}

/// A bearer token as stored: only the SHA-256 digest of its value is kept.
public struct AccessTokenRecord: Sendable, Hashable {
    public var id: String
    public var userID: String
    public var kind: AccessTokenKind
    public var name: String
    /// Lowercase hex SHA-256 of the token's value.
    public var tokenDigest: String
    public var createdAt: Date
    public var expiresAt: Date?
    public var lastUsedAt: Date?

    public init(
        id: String,
        userID: String,
        kind: AccessTokenKind,
        name: String,
        tokenDigest: String,
        createdAt: Date,
        expiresAt: Date?,
        lastUsedAt: Date? = nil
    ) {
        self.id = id
        self.userID = userID
        self.kind = kind
        self.name = name
        self.tokenDigest = tokenDigest
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.lastUsedAt = lastUsedAt
    }
}
