/// Users of every tenant and the system administrators. Implemented by ``SQLUserStore``.
public protocol UserStore: Sendable {
    /// Inserts a user; throws ``StoreError/duplicate(_:)`` when the username is taken.
    func create(_ user: UserRecord) async throws
    /// Users ordered by username: of one tenant, or every user when `tenantID` is `nil`.
    func list(tenantID: String?) async throws -> [UserRecord]
    func find(id: String) async throws -> UserRecord?
    func find(username: String) async throws -> UserRecord?
    /// Deletes a user and, through the foreign key, all of its tokens. Returns whether a row went.
    func delete(id: String) async throws -> Bool
    /// Sets a user's password hash and/or role; returns the updated user, or `nil` when there is none.
    func update(id: String, passwordHash: String?, role: UserRole?) async throws -> UserRecord?
    /// The number of users of any tenant, system administrators included.
    func count() async throws -> Int
}
