public import Foundation

/// The protocol family of a registry.
public enum RegistryKind: String, Sendable, Hashable, CaseIterable {
    /// A classic chart repository serving `index.yaml`.
    case classic
    /// An OCI distribution registry (Helm 3.8+).
    case oci
    /// A registry Charthouse hosts itself (one per tenant, and `system`): charts are pushed to it
    /// with helm over OCI or the classic protocol.
    case hosted
}

/// A Helm registry as stored. The password is sealed (``SecretSealer``) and bound to the row's id.
public struct RegistryRecord: Sendable, Hashable {
    public var id: String
    /// The owning tenant; `nil` for a system registry every tenant sees.
    public var tenantID: String?
    public var name: String
    public var kind: RegistryKind
    public var endpoint: String
    public var isProtected: Bool
    public var noAuthentication: Bool
    public var username: String?
    public var sealedPassword: String?
    public var caCertificate: String?
    public var insecureSkipTLSVerify: Bool
    public var plainHTTP: Bool
    public var syncIntervalSeconds: Int
    /// OCI: the repositories to sync (relative to the endpoint's path) when the registry refuses
    /// to list its catalog; empty means "discover them through `/v2/_catalog`".
    public var repositories: [String]
    /// Hosted: anyone, signed in or not, may pull (classic downloads, `helm pull oci://`).
    public var publicPull = false
    /// Hosted: a version pushed again with a different archive replaces the stored one (else 409).
    public var allowOverwrite = false
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: String,
        tenantID: String?,
        name: String,
        kind: RegistryKind,
        endpoint: String,
        isProtected: Bool,
        noAuthentication: Bool,
        username: String?,
        sealedPassword: String?,
        caCertificate: String?,
        insecureSkipTLSVerify: Bool,
        plainHTTP: Bool,
        syncIntervalSeconds: Int,
        createdAt: Date,
        updatedAt: Date,
        repositories: [String] = []
    ) {
        self.id = id
        self.tenantID = tenantID
        self.name = name
        self.kind = kind
        self.endpoint = endpoint
        self.isProtected = isProtected
        self.noAuthentication = noAuthentication
        self.username = username
        self.sealedPassword = sealedPassword
        self.caCertificate = caCertificate
        self.insecureSkipTLSVerify = insecureSkipTLSVerify
        self.plainHTTP = plainHTTP
        self.syncIntervalSeconds = syncIntervalSeconds
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.repositories = repositories
    }

    /// The full OCI repository name of `repository` listed under an endpoint's `path`.
    public static func repositoryName(_ repository: String, under path: String) -> String {
        path.isEmpty ? repository : path + "/" + repository
    }

    /// The stored endpoint of a hosted registry: `hosted:<namespace>` (the tenant's name, or
    /// `system`); the address clients use depends on where the server is reached.
    public static func hostedEndpoint(namespace: String) -> String { "hosted:\(namespace)" }

    /// The namespace of a hosted registry (its repositories' first path component), else `nil`.
    public var hostedNamespace: String? {
        guard kind == .hosted, endpoint.hasPrefix("hosted:") else { return nil }
        return String(endpoint.dropFirst("hosted:".count))
    }

    /// The context a registry's password is sealed under: a sealed value opens only in its own row.
    public static func passwordSealingContext(id: String) -> String { "registry/\(id)/password" }
}
