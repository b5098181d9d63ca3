public import Foundation

/// Session and API tokens, addressed by the digest of their value. Implemented by ``SQLAccessTokenStore``.
public protocol AccessTokenStore: Sendable {
    func create(_ token: AccessTokenRecord) async throws
    /// The token with this digest together with its user and tenant, or `nil`.
    func find(digest: String) async throws -> AuthenticatedToken?
    func find(id: String) async throws -> AccessTokenRecord?
    /// API tokens (never sessions) with their owners' usernames, newest first: of one user, of one tenant's users, or all.
    func listAPITokens(userID: String?, tenantID: String?) async throws -> [OwnedAccessToken]
    /// Deletes a token. Returns whether a row went.
    func delete(id: String) async throws -> Bool
    /// Deletes a user's login sessions (never its API tokens), but the one with id `keeping`; returns how many went.
    func deleteSessions(userID: String, keeping: String?) async throws -> Int
    /// Records a use of the token, at most once a minute per token.
    func touch(id: String, at date: Date) async throws
    /// Deletes tokens that expired before `date`; returns how many.
    func deleteExpired(before date: Date) async throws -> Int
}

/// A token found by its digest, with the user it acts as and that user's tenant name.
public struct AuthenticatedToken: Sendable, Hashable {
    public var token: AccessTokenRecord
    public var user: UserRecord
    /// `nil` for system administrators.
    public var tenantName: String?
}

/// A token with the username of the user it acts as.
public struct OwnedAccessToken: Sendable, Hashable {
    public var token: AccessTokenRecord
    public var username: String
}
