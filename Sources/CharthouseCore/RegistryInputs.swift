public import CharthouseStore
public import Foundation

/// A new registry as a tenant admin (or the system admin) describes it.
public struct NewRegistry: Sendable {
    public var name: String
    public var endpoint: String
    public var isProtected: Bool
    public var noAuthentication: Bool
    public var username: String?
    public var password: String?
    public var caCertificate: String?
    public var insecureSkipTLSVerify: Bool
    public var plainHTTP: Bool
    public var syncIntervalSeconds: Int?
    /// OCI repositories to sync, relative to the endpoint's path, for registries that refuse to
    /// list their catalog; empty: discover them.
    public var repositories: [String]

    public init(
        name: String,
        endpoint: String,
        isProtected: Bool = false,
        noAuthentication: Bool = false,
        username: String? = nil,
        password: String? = nil,
        caCertificate: String? = nil,
        insecureSkipTLSVerify: Bool = false,
        plainHTTP: Bool = false,
        syncIntervalSeconds: Int? = nil,
        repositories: [String] = []
    ) {
        self.name = name
        self.endpoint = endpoint
        self.isProtected = isProtected
        self.noAuthentication = noAuthentication
        self.username = username
        self.password = password
        self.caCertificate = caCertificate
        self.insecureSkipTLSVerify = insecureSkipTLSVerify
        self.plainHTTP = plainHTTP
        self.syncIntervalSeconds = syncIntervalSeconds
        self.repositories = repositories
    }
}

/// A partial update: `nil` leaves a setting as it is.
public struct RegistryChanges: Sendable {
    public var name: String?
    public var endpoint: String?
    public var isProtected: Bool?
    public var noAuthentication: Bool?
    public var username: String?
    public var password: String?
    /// A new CA certificate; an empty string removes it.
    public var caCertificate: String?
    public var insecureSkipTLSVerify: Bool?
    public var plainHTTP: Bool?
    public var syncIntervalSeconds: Int?
    /// A new list of OCI repositories; an empty list returns to discovery.
    public var repositories: [String]?
    /// Hosted registries: anonymous pull on or off.
    public var publicPull: Bool?
    /// Hosted registries: whether a stored version may be replaced.
    public var allowOverwrite: Bool?

    public init(
        name: String? = nil,
        endpoint: String? = nil,
        isProtected: Bool? = nil,
        noAuthentication: Bool? = nil,
        username: String? = nil,
        password: String? = nil,
        caCertificate: String? = nil,
        insecureSkipTLSVerify: Bool? = nil,
        plainHTTP: Bool? = nil,
        syncIntervalSeconds: Int? = nil,
        repositories: [String]? = nil,
        publicPull: Bool? = nil,
        allowOverwrite: Bool? = nil
    ) {
        self.publicPull = publicPull
        self.allowOverwrite = allowOverwrite
        self.name = name
        self.endpoint = endpoint
        self.isProtected = isProtected
        self.noAuthentication = noAuthentication
        self.username = username
        self.password = password
        self.caCertificate = caCertificate
        self.insecureSkipTLSVerify = insecureSkipTLSVerify
        self.plainHTTP = plainHTTP
        self.syncIntervalSeconds = syncIntervalSeconds
        self.repositories = repositories
    }
}

/// A registry as callers see it: never its password.
public struct RegistryView: Sendable, Hashable {
    /// Who owns a registry.
    public enum Scope: String, Sendable { case tenant, system }

    public let record: RegistryRecord
    public let scope: Scope
    /// The endpoint as clients use it; for a hosted registry `oci://<where the server is reached>/<namespace>`.
    public let endpoint: String
    /// A hosted registry's classic chart repository (`helm repo add`): `http(s)://<host>/charts/<namespace>`.
    public let chartRepositoryURL: String?
    /// `protected` (never synced), `never`, `running`, `ok` or `failed`.
    public let syncState: String
    /// The last sync's outcome and counts, once a sync ran.
    public let sync: SyncStateRecord?
    /// Hosted only: when its charts last changed (a push or a delete); `nil` before the first push.
    public var lastPushAt: Date?

    public var hasCredentials: Bool { !record.noAuthentication && record.sealedPassword != nil }

    init(_ record: RegistryRecord, sync: SyncStateRecord? = nil, urls: PublicURLs = PublicURLs(), now: Date = Date()) {
        self.record = record
        self.scope = record.tenantID == nil ? .system : .tenant
        self.endpoint = record.hostedNamespace.map { urls.ociEndpoint(namespace: $0) } ?? record.endpoint
        self.chartRepositoryURL = record.hostedNamespace.map { urls.chartRepository(namespace: $0) }
        var sync = sync
        if record.isProtected {
            self.syncState = "protected"
        } else if let state = sync {
            let effective = state.effective(now: now)
            self.syncState = effective.state.rawValue
            sync?.lastError = effective.lastError
        } else {
            self.syncState = SyncState.never.rawValue
        }
        self.sync = sync
    }
}

/// A system registry named on the command line (`--system-registry NAME=ENDPOINT`).
public struct SystemRegistrySpec: Sendable, Hashable {
    public let name: String
    public let endpoint: String
    public let username: String?
    public let password: String?
    /// Plain HTTP for an OCI endpoint (only with --allow-insecure-registries).
    public let plainHTTP: Bool

    public init(name: String, endpoint: String, username: String?, password: String?, plainHTTP: Bool = false) {
        self.name = name
        self.endpoint = endpoint
        self.username = username
        self.password = password
        self.plainHTTP = plainHTTP
    }
}
