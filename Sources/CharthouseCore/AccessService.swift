import CharthouseStore
public import Foundation
import Logging

/// Logins, bearer-token authentication and API tokens.
///
/// Token values are random, shown once and stored only as SHA-256 digests. Sessions expire after
/// ``sessionLifetime``; API tokens when their owner chose, or never, and both die with their user.
public struct AccessService: Sendable {
    private let stores: Stores
    private let hasher: PasswordHasher
    private let directory: UserDirectory
    /// Username/password pairs proven recently, so registry clients that send Basic credentials
    /// on every request do not pay bcrypt each time.
    private let provenCredentials = ProvenCredentials(lifetime: 60)
    /// How long a login session lasts.
    public let sessionLifetime: TimeInterval
    /// Limits failed password checks per username and per client address.
    public let throttle: LoginThrottle

    public init(stores: Stores, hasher: PasswordHasher, sessionLifetime: TimeInterval, throttle: LoginThrottle = LoginThrottle()) {
        self.stores = stores
        self.hasher = hasher
        self.directory = UserDirectory(stores: stores)
        self.sessionLifetime = sessionLifetime
        self.throttle = throttle
    }

    /// Checks a password with bcrypt, under the sign-in limits: past them `too_many_requests`
    /// comes before any bcrypt work.
    private func verifyPassword(_ password: String, of user: UserRecord?, username: String, address: String?) async throws -> Bool {
        let attempt = try throttle.begin(username: username, address: address)
        let matches = try await hasher.verify(password, hash: user?.passwordHash)
        if matches, user != nil { throttle.succeeded(attempt) }
        return matches && user != nil
    }

    /// Exchanges a username and password for a session token; wrong pairs all fail alike.
    public func login(username: String, password: String, address: String? = nil) async throws -> SessionGrant {
        guard !username.isEmpty else { throw CharthouseError.invalidField("username", "must not be empty") }
        guard !password.isEmpty else { throw CharthouseError.invalidField("password", "must not be empty") }
        guard username.utf8.count <= 256, password.utf8.count <= 1024 else { throw CharthouseError(.unauthorized, "wrong username or password") }
        let user = try await stores.users.find(username: username)
        guard try await verifyPassword(password, of: user, username: username, address: address), let user else {
            throw CharthouseError(.unauthorized, "wrong username or password")
        }
        let now = Date()
        let value = TokenValue.generate(prefix: "chs_")
        let expiresAt = now.addingTimeInterval(sessionLifetime)
        try await stores.tokens.create(
            AccessTokenRecord(
                id: TokenValue.newID(),
                userID: user.id,
                kind: .session,
                name: "login",
                tokenDigest: TokenValue.digest(value),
                createdAt: now,
                expiresAt: expiresAt
            )
        )
        return SessionGrant(token: value, expiresAt: expiresAt)
    }

    /// The caller behind Basic credentials, as registry clients send them: a username and its
    /// password, or any username with an API token (`cht_…`) or an agent's access token (`cha_…`:
    /// pull only) as the password (login sessions are for the REST API and the console, not for
    /// registry clients). A proven pair is remembered
    /// for a minute (by its digest, never in clear).
    public func authenticate(username: String, password: String, address: String? = nil) async throws -> Caller {
        guard !password.isEmpty, password.count <= 1024, username.count <= 256 else { throw CharthouseError.unauthenticated }
        if password.hasPrefix("cht_") { return try await authenticate(apiToken: password) }
        // A cluster's agent pulls its charts from hosted registries with its access token.
        if AgentService.isAgentToken(password) { return try await AgentService(stores: stores).authenticate(accessToken: password).registryReader }
        let key = TokenValue.digest(username + "\u{0}" + password)
        if let (caller, recheck) = await provenCredentials.caller(for: key) {
            // Still there and unchanged? A removed user or a changed role must not linger a minute:
            // the user's row is read again at most once a second per pair (registry clients send
            // their credentials with every request).
            guard recheck else { return caller.caller }
            if let user = try await stores.users.find(id: caller.userID), user.role == caller.role, user.passwordHash == caller.passwordHashMark {
                await provenCredentials.checked(key)
                return caller.caller
            }
            await provenCredentials.forget(key)
        }
        let user = try await stores.users.find(username: username)
        guard try await verifyPassword(password, of: user, username: username, address: address), let user else {
            throw CharthouseError(.unauthorized, "wrong username or password")
        }
        let caller = try await directory.caller(for: user, tokenID: UserDirectory.passwordTokenID)
        await provenCredentials.remember(key, ProvenCredentials.Entry(caller: caller, role: user.role, passwordHashMark: user.passwordHash))
        return caller
    }

    /// Changes the caller's own password once the old one is proven (under the sign-in limits: a
    /// stolen session cannot guess it); the caller's other login sessions end, this one and its API
    /// tokens stay.
    public func changePassword(old: String, new: String, caller: Caller, address: String? = nil) async throws {
        try NameRules.validatePassword(new, field: "newPassword")
        guard let user = try await stores.users.find(id: caller.userID) else { throw CharthouseError.unauthenticated }
        guard old.utf8.count <= 1024, try await verifyPassword(old, of: user, username: user.username, address: address) else {
            throw CharthouseError(.unprocessable, "the old password is wrong")
        }
        _ = try await stores.users.update(id: user.id, passwordHash: try await hasher.hash(new), role: nil)
        _ = try await stores.tokens.deleteSessions(userID: user.id, keeping: caller.tokenID)
    }

    /// Ends the caller's login session. An API token is not ended this way (it is revoked by id),
    /// so a script that logs out with one does not lose it by surprise.
    public func logout(caller: Caller) async throws {
        guard let token = try await stores.tokens.find(id: caller.tokenID), token.kind == .session else {
            throw CharthouseError(.unprocessable, "only a login session logs out; revoke an API token with DELETE /api/v1/tokens/{id}")
        }
        _ = try await stores.tokens.delete(id: token.id)
    }

    /// Deletes tokens past their expiry; returns how many went. Expired tokens never authenticate
    /// anyway, so this only keeps the table small.
    public func purgeExpiredTokens() async throws -> Int {
        try await stores.tokens.deleteExpired(before: Date())
    }

    /// The caller an API token (`cht_…`, not a login session) stands for: what registry clients
    /// may send.
    public func authenticate(apiToken value: String) async throws -> Caller {
        guard value.hasPrefix("cht_") else { throw CharthouseError.unauthenticated }
        return try await authenticate(bearer: value)
    }

    /// The caller a bearer token stands for; throws `unauthorized` for unknown, expired or revoked tokens.
    public func authenticate(bearer value: String) async throws -> Caller {
        guard !value.isEmpty, value.count <= 256 else { throw CharthouseError.unauthenticated }
        guard let found = try await stores.tokens.find(digest: TokenValue.digest(value)) else {
            throw CharthouseError.unauthenticated
        }
        let token = found.token
        let user = found.user
        let now = Date()
        if let expiresAt = token.expiresAt, expiresAt <= now { throw CharthouseError.unauthenticated }
        // Record use at most once a minute: no write on the hot path of every API request.
        if token.kind == .api, token.lastUsedAt.map({ now.timeIntervalSince($0) >= 60 }) ?? true {
            try? await stores.tokens.touch(id: token.id, at: now)
        }
        return Caller(
            userID: user.id,
            username: user.username,
            role: user.role,
            tenantID: user.tenantID,
            tenantName: found.tenantName,
            tokenID: token.id
        )
    }

    /// Makes an API token for the caller, or for `username` when a tenant admin (in its tenant) or
    /// the system administrator asks.
    /// The longest lifetime an API token may be given: 10 years.
    public static let maxTokenLifetime: TimeInterval = 315_360_000

    public func createToken(name: String, username: String?, expiresIn: TimeInterval?, caller: Caller) async throws -> IssuedToken {
        try NameRules.validateLabel(name)
        if let expiresIn, !(60...Self.maxTokenLifetime).contains(expiresIn) {
            throw CharthouseError.invalidField("expiresInSeconds", "must be between 60 and \(Int(Self.maxTokenLifetime)) (10 years)")
        }
        let owner: UserRecord
        if let username, username != caller.username {
            guard caller.role == .admin else {
                throw CharthouseError.forbidden("members can create tokens only for themselves")
            }
            owner = try await directory.user(named: username, visibleTo: caller)
        } else {
            guard let me = try await stores.users.find(id: caller.userID) else { throw CharthouseError.unauthenticated }
            owner = me
        }
        let now = Date()
        let value = TokenValue.generate(prefix: "cht_")
        let record = AccessTokenRecord(
            id: TokenValue.newID(),
            userID: owner.id,
            kind: .api,
            name: name,
            tokenDigest: TokenValue.digest(value),
            createdAt: now,
            expiresAt: expiresIn.map { now.addingTimeInterval($0) }
        )
        try await stores.tokens.create(record)
        return IssuedToken(summary: Self.summary(record, username: owner.username), value: value)
    }

    /// API tokens the caller may revoke: its own (member), its tenant's (tenant admin), or all (system admin).
    public func listTokens(caller: Caller) async throws -> [APITokenSummary] {
        let records: [OwnedAccessToken]
        if caller.isSystemAdmin {
            records = try await stores.tokens.listAPITokens(userID: nil, tenantID: nil)
        } else if caller.isTenantAdmin {
            records = try await stores.tokens.listAPITokens(userID: nil, tenantID: caller.tenantID)
        } else {
            records = try await stores.tokens.listAPITokens(userID: caller.userID, tenantID: nil)
        }
        return records.map { Self.summary($0.token, username: $0.username) }
    }

    /// Revokes an API token the caller may manage; any other id is `not_found`.
    public func revokeToken(id: String, caller: Caller) async throws {
        guard let token = try await stores.tokens.find(id: id), token.kind == .api,
            let owner = try await stores.users.find(id: token.userID),
            Self.mayManage(tokenOwner: owner, caller: caller)
        else { throw CharthouseError.notFound("token \"\(id)\"") }
        guard try await stores.tokens.delete(id: id) else { throw CharthouseError.notFound("token \"\(id)\"") }
    }

    private static func mayManage(tokenOwner owner: UserRecord, caller: Caller) -> Bool {
        if caller.isSystemAdmin { return true }
        if caller.isTenantAdmin { return owner.tenantID == caller.tenantID }
        return owner.id == caller.userID
    }

    private static func summary(_ record: AccessTokenRecord, username: String) -> APITokenSummary {
        APITokenSummary(
            id: record.id,
            name: record.name,
            username: username,
            createdAt: record.createdAt,
            expiresAt: record.expiresAt,
            lastUsedAt: record.lastUsedAt
        )
    }
}

/// Recently proven Basic credentials, by the digest of username and password.
actor ProvenCredentials {
    struct Entry: Sendable {
        let caller: Caller
        let role: UserRole
        /// The password hash the pair was proven against: a changed password drops it.
        let passwordHashMark: String
        var userID: String { caller.userID }
    }

    private let lifetime: TimeInterval
    /// How long a pair is trusted without reading its user again.
    private let recheckAfter: TimeInterval = 1
    private var entries: [String: (entry: Entry, expires: Date, checked: Date)] = [:]

    init(lifetime: TimeInterval) {
        self.lifetime = lifetime
    }

    /// The entry, and whether its user must be read again before it is trusted.
    func caller(for key: String) -> (Entry, recheck: Bool)? {
        guard let found = entries[key] else { return nil }
        let now = Date()
        guard found.expires > now else {
            entries[key] = nil
            return nil
        }
        return (found.entry, now.timeIntervalSince(found.checked) >= recheckAfter)
    }

    func remember(_ key: String, _ entry: Entry) {
        if entries.count > 10_000 { entries.removeAll() }
        let now = Date()
        entries[key] = (entry, now.addingTimeInterval(lifetime), now)
    }

    func checked(_ key: String) { entries[key]?.checked = Date() }

    func forget(_ key: String) { entries[key] = nil }
}
