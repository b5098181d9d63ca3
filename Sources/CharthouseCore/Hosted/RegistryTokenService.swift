import CharthouseStore
public import Foundation
import JWTKit

/// Bearer tokens for the hosted registries, as CNCF distribution's token protocol has them: a
/// client proven by Basic credentials asks for scopes (`repository:acme/web:pull,push`,
/// `registry:catalog:*`) and gets a short-lived HS256 JWT that grants what its user may do,
/// possibly less than asked. The signing key is derived from the server's secret key, so every
/// replica issues and accepts the same tokens.
public struct RegistryTokenService: Sendable {
    /// One grant: a resource and the actions allowed on it.
    public struct Access: Codable, Sendable, Hashable {
        public let type: String
        public let name: String
        public let actions: [String]
    }

    /// A token as issued.
    public struct Issued: Sendable {
        public let token: String
        public let expiresIn: Int
        public let issuedAt: Date
    }

    /// What a verified token says.
    public struct Grant: Sendable {
        /// `nil` for an anonymous token (pull from public registries only).
        public let caller: Caller?
        public let access: [Access]

        /// Whether the token allows `action` on repository `name`.
        public func allows(_ action: HostedRegistryService.Action, repository name: String) -> Bool {
            let wanted = action == .push ? "push" : "pull"
            return access.contains { $0.type == "repository" && $0.name == name && ($0.actions.contains(wanted) || $0.actions.contains("*")) }
        }

        public var allowsCatalog: Bool { access.contains { $0.type == "registry" && $0.name == "catalog" } }
    }

    struct Payload: JWTPayload {
        var iss: IssuerClaim
        var sub: SubjectClaim
        var aud: AudienceClaim
        var exp: ExpirationClaim
        var iat: IssuedAtClaim
        var jti: IDClaim
        var access: [Access]
        /// The API token the client proved itself with, if any: revoking it ends this token too.
        var tid: String?

        func verify(using algorithm: some JWTAlgorithm) throws {
            try exp.verifyNotExpired()
            guard iss.value == RegistryTokenService.issuer else { throw JWTError.claimVerificationFailure(failedClaim: iss, reason: "issuer") }
        }
    }

    static let issuer = "charthouse"
    /// The subject of anonymous tokens (never a user id: those are UUIDs).
    static let anonymousSubject = "anonymous"
    public static let service = "charthouse"
    private let keys: JWTKeyCollection
    private let stores: Stores
    private let registries: HostedRegistryService
    /// How long an issued token lasts.
    public let lifetime: Int

    public init(stores: Stores, registries: HostedRegistryService, lifetime: Int = 300) async {
        self.stores = stores
        self.registries = registries
        self.lifetime = lifetime
        self.keys = await JWTKeyCollection().add(hmac: HMACKey(key: stores.sealer.derivedKey(purpose: "registry-token")), digestAlgorithm: .sha256)
    }

    /// A token for `caller` granting what it may do of `scopes`; unknown or refused scopes are
    /// simply not granted, as distribution's token servers do.
    public func issue(caller: Caller?, scopes: [String]) async throws -> Issued {
        var access: [Access] = []
        for scope in scopes {
            let parts = scope.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 3 else { continue }
            switch parts[0] {
            case "repository":
                var granted: [String] = []
                let asked = Set(parts[2].split(separator: ",").map(String.init))
                if asked.contains("pull") || asked.contains("*"), await registries.allows(caller, .pull, repository: parts[1]) {
                    granted.append("pull")
                }
                if asked.contains("push") || asked.contains("*"), await registries.allows(caller, .push, repository: parts[1]) {
                    granted.append("push")
                    if asked.contains("delete") || asked.contains("*") { granted.append("delete") }
                }
                if !granted.isEmpty { access.append(Access(type: "repository", name: parts[1], actions: granted)) }
            case "registry" where parts[1] == "catalog" && caller != nil:
                access.append(Access(type: "registry", name: "catalog", actions: ["*"]))
            default:
                continue
            }
        }
        let now = Date()
        let payload = Payload(
            iss: IssuerClaim(value: Self.issuer),
            sub: SubjectClaim(value: caller?.userID ?? Self.anonymousSubject),
            aud: AudienceClaim(value: Self.service),
            exp: ExpirationClaim(value: now.addingTimeInterval(TimeInterval(lifetime))),
            iat: IssuedAtClaim(value: now),
            jti: IDClaim(value: TokenValue.newID()),
            access: access,
            tid: caller.flatMap { $0.tokenID == UserDirectory.passwordTokenID ? nil : $0.tokenID }
        )
        return Issued(token: try await keys.sign(payload), expiresIn: lifetime, issuedAt: now)
    }

    /// The grant of a token this server issued; throws `unauthorized` for anything else, an
    /// expired token, a user that no longer exists, or an API token behind it that was revoked.
    public func verify(_ token: String) async throws -> Grant {
        let payload: Payload
        do {
            payload = try await keys.verify(token, as: Payload.self)
        } catch {
            throw CharthouseError.unauthenticated
        }
        guard payload.aud.value.contains(Self.service) else { throw CharthouseError.unauthenticated }
        if payload.sub.value == Self.anonymousSubject { return Grant(caller: nil, access: payload.access) }
        if payload.sub.value.hasPrefix(AgentCaller.subjectPrefix) {
            // A cluster's agent: as long as the session it was issued for lives.
            guard let sessionID = payload.tid, let (session, cluster) = try await stores.deployments.session(id: sessionID),
                session.expiresAt > Date(), payload.sub.value == AgentCaller.subjectPrefix + cluster.id
            else { throw CharthouseError.unauthenticated }
            let agent = AgentCaller(clusterID: cluster.id, tenantID: cluster.tenantID, sessionID: session.id)
            return Grant(caller: agent.registryReader, access: payload.access)
        }
        guard let user = try await stores.users.find(id: payload.sub.value) else {
            throw CharthouseError.unauthenticated
        }
        // Issued for an API token: it ends with that token (revoked, expired), on every replica.
        if let tokenID = payload.tid {
            guard let token = try await stores.tokens.find(id: tokenID), token.userID == user.id,
                token.expiresAt.map({ $0 > Date() }) ?? true
            else { throw CharthouseError.unauthenticated }
        }
        return Grant(caller: try await UserDirectory(stores: stores).caller(for: user, tokenID: "registry-token"), access: payload.access)
    }
}
