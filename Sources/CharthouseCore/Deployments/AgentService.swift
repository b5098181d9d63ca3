public import CharthouseStore
public import Foundation

/// The identity behind an agent's access token: one cluster of one tenant, nothing else.
public struct AgentCaller: Sendable, Hashable {
    public let clusterID: String
    public let tenantID: String
    public let sessionID: String

    /// The user id an agent's registry tokens name: `agent:CLUSTER`.
    static let subjectPrefix = "agent:"

    /// A reader of the agent's tenant's hosted registries (and the system's), as hosted
    /// registries check callers: a member, never an admin, so it can pull and never push.
    public var registryReader: Caller {
        let name = Self.subjectPrefix + clusterID
        return Caller(userID: name, username: name, role: .member, tenantID: tenantID, tenantName: nil, tokenID: sessionID)
    }
}

/// A registration token, shown once.
public struct AgentRegistration: Sendable {
    public let token: String
    public let createdAt: Date
    public let clusterID: String
}

/// An agent's access token, from its registration token.
public struct AgentSession: Sendable {
    public let token: String
    public let expiresAt: Date
    public let clusterID: String
    public let clusterName: String
}

/// Agents' credentials. A cluster's registration token (`chr_…`, shown once, stored as a
/// SHA-256 digest; issuing a new one revokes the old one and every session made with it) is
/// exchanged for access tokens (`cha_…`) that live ``sessionLifetime`` and let the agent act
/// only for its own cluster: read its desired state, fetch the credentials of the registries its
/// profile uses, pull from hosted registries, and report.
public struct AgentService: Sendable {
    let stores: Stores
    /// How long an access token lives.
    public let sessionLifetime: TimeInterval
    static let registrationPrefix = "chr_"
    static let sessionPrefix = "cha_"

    public init(stores: Stores, sessionLifetime: TimeInterval = 600) {
        self.stores = stores
        self.sessionLifetime = sessionLifetime
    }

    /// Issues the cluster's registration token (tenant admin), revoking the previous one.
    public func issueRegistrationToken(clusterID: String, caller: Caller) async throws -> AgentRegistration {
        let cluster = try await ClusterService.visibleRecord(id: clusterID, caller: caller, stores: stores)
        _ = try ClusterService.admin(caller)
        let value = TokenValue.generate(prefix: Self.registrationPrefix)
        let now = Date()
        do {
            try await stores.deployments.setAgentToken(clusterID: cluster.id, digest: TokenValue.digest(value), at: now)
        } catch let error as StoreError where error.isNotFound {
            throw CharthouseError.notFound("cluster")
        }
        return AgentRegistration(token: value, createdAt: now, clusterID: cluster.id)
    }

    /// Exchanges a registration token for an access token; `unauthorized` for any token that is
    /// not a cluster's current one.
    public func exchange(registrationToken value: String, agentVersion: String?) async throws -> AgentSession {
        guard value.hasPrefix(Self.registrationPrefix), value.utf8.count <= 256 else { throw CharthouseError.unauthenticated }
        guard let cluster = try await stores.deployments.cluster(agentTokenDigest: TokenValue.digest(value)) else {
            throw CharthouseError(.unauthorized, "the registration token is not valid (revoked, or never issued)")
        }
        let token = TokenValue.generate(prefix: Self.sessionPrefix)
        let now = Date()
        let expiresAt = now.addingTimeInterval(sessionLifetime)
        try await stores.deployments.createSession(
            AgentSessionRecord(
                id: TokenValue.newID(),
                clusterID: cluster.id,
                tokenDigest: TokenValue.digest(token),
                createdAt: now,
                expiresAt: expiresAt
            )
        )
        let version = agentVersion.map { String($0.prefix(64)) }
        try await stores.deployments.touchAgent(clusterID: cluster.id, at: now, version: version)
        return AgentSession(token: token, expiresAt: expiresAt, clusterID: cluster.id, clusterName: cluster.name)
    }

    /// Whether a bearer value is an agent's access token (and not a user's).
    public static func isAgentToken(_ value: String) -> Bool { value.hasPrefix(sessionPrefix) }

    /// The agent an access token stands for; `unauthorized` when unknown or expired.
    public func authenticate(accessToken value: String) async throws -> AgentCaller {
        guard Self.isAgentToken(value), value.utf8.count <= 256 else { throw CharthouseError.unauthenticated }
        guard let (session, cluster) = try await stores.deployments.session(digest: TokenValue.digest(value)), session.expiresAt > Date() else {
            throw CharthouseError(.unauthorized, "the agent's access token is invalid or expired: exchange the registration token again")
        }
        let now = Date()
        if cluster.agentSeenAt.map({ now.timeIntervalSince($0) >= 30 }) ?? true {
            try? await stores.deployments.touchAgent(clusterID: cluster.id, at: now, version: nil)
        }
        return AgentCaller(clusterID: cluster.id, tenantID: cluster.tenantID, sessionID: session.id)
    }

    /// Deletes expired access tokens; returns how many went.
    public func purgeExpiredSessions() async throws -> Int {
        try await stores.deployments.deleteExpiredSessions(before: Date())
    }

}
