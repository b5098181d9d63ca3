import CharthouseStore
import Foundation

/// Creates the system administrator `admin` on the first start against an empty database.
public struct AdminBootstrap: Sendable {
    /// The outcome of ``ensureAdministrator(password:)``.
    public enum Outcome: Sendable, Equatable {
        /// Users existed already; nothing was done.
        case existing
        /// `admin` was created with the password given in the configuration.
        case createdWithConfiguredPassword
        /// `admin` was created with this generated password, to be shown once.
        case createdWithGeneratedPassword(String)
    }

    public static let username = "admin"
    private let stores: Stores
    private let hasher: PasswordHasher

    public init(stores: Stores, hasher: PasswordHasher) {
        self.stores = stores
        self.hasher = hasher
    }

    public func ensureAdministrator(password configured: String?) async throws -> Outcome {
        guard try await stores.users.count() == 0 else { return .existing }
        let password = configured ?? TokenValue.generate(prefix: "").prefix(24).description
        if configured != nil { try NameRules.validatePassword(password, field: "CHARTHOUSE_ADMIN_PASSWORD") }
        let admin = UserRecord(
            id: TokenValue.newID(),
            tenantID: nil,
            username: Self.username,
            passwordHash: try await hasher.hash(password),
            role: .admin,
            createdAt: Date()
        )
        do {
            try await stores.users.create(admin)
        } catch let error as StoreError where error.isDuplicate {
            return .existing  // another replica won the race
        }
        return configured == nil ? .createdWithGeneratedPassword(password) : .createdWithConfiguredPassword
    }
}
