public import Foundation

/// One chart version of a registry's catalog.
public struct CatalogVersionRecord: Sendable, Hashable {
    public var chart: String
    public var version: String
    public var appVersion: String
    public var description: String
    public var digest: String
    /// The archive's absolute URL (classic) or OCI reference.
    public var url: String
    public var created: String?
    public var deprecated: Bool
    public var prerelease: Bool
    /// The full Chart.yaml metadata as JSON.
    public var metadata: String
    /// A digest of everything above: a changed fingerprint is an updated version.
    public var fingerprint: String
    /// OCI and hosted registries: the digest of the version's manifest (`sha256:…`), for pull
    /// references by digest; `nil` for classic repositories and rows synced before it was kept.
    public var manifestDigest: String?

    public init(
        chart: String,
        version: String,
        appVersion: String,
        description: String,
        digest: String,
        url: String,
        created: String?,
        deprecated: Bool,
        prerelease: Bool,
        metadata: String,
        fingerprint: String,
        manifestDigest: String? = nil
    ) {
        self.chart = chart
        self.version = version
        self.appVersion = appVersion
        self.description = description
        self.digest = digest
        self.url = url
        self.created = created
        self.deprecated = deprecated
        self.prerelease = prerelease
        self.metadata = metadata
        self.fingerprint = fingerprint
        self.manifestDigest = manifestDigest
    }
}

/// One chart of a registry's catalog, with its latest version: what the chart dropdown lists.
public struct CatalogChartRecord: Sendable, Hashable {
    public var registryID: String
    public var chart: String
    public var latestVersion: String
    public var appVersion: String
    public var description: String
    public var icon: String
    /// Keywords joined by spaces, for search.
    public var keywords: String
    public var deprecated: Bool
    public var versions: Int

    public init(
        registryID: String,
        chart: String,
        latestVersion: String,
        appVersion: String,
        description: String,
        icon: String,
        keywords: String,
        deprecated: Bool,
        versions: Int
    ) {
        self.registryID = registryID
        self.chart = chart
        self.latestVersion = latestVersion
        self.appVersion = appVersion
        self.description = description
        self.icon = icon
        self.keywords = keywords
        self.deprecated = deprecated
        self.versions = versions
    }
}

/// The sync state of one registry: its lease (who syncs it now) and the last outcome.
/// Where a registry's sync stands. How one state leads to another is written once, in Core
/// (`SyncStateRecord+Transitions`); the store only takes the lease (`running`).
public enum SyncState: String, Sendable, Hashable {
    case never, running, ok, failed
}

public struct SyncStateRecord: Sendable, Hashable {
    public var registryID: String
    public var state: SyncState
    public var leaseOwner: String?
    public var leaseExpiresAt: Date?
    public var lastSyncAt: Date?
    public var lastDurationMs: Int?
    public var lastError: String?
    public var charts = 0
    public var versions = 0
    public var added = 0
    public var removed = 0
    public var updated = 0
    public var skipped = 0
    public var etag: String?
    public var lastModified: String?
    public var bodyDigest: String?
    public var failures = 0
    public var nextSyncAt: Date?

    public init(registryID: String, state: SyncState = .never) {
        self.registryID = registryID
        self.state = state
    }
}

/// One sync run with its diff.
public struct SyncRunRecord: Sendable, Hashable {
    public var id: String
    public var registryID: String
    public var startedAt: Date
    public var durationMs: Int
    /// `ok`, `unchanged` or `failed`.
    public var outcome: String
    public var error: String?
    public var added: Int
    public var removed: Int
    public var updated: Int
    public var skipped: Int
    /// JSON `{"added":["chart@version",…],"removed":[…],"updated":[…]}`, capped.
    public var changes: String

    public init(
        id: String,
        registryID: String,
        startedAt: Date,
        durationMs: Int,
        outcome: String,
        error: String?,
        added: Int,
        removed: Int,
        updated: Int,
        skipped: Int,
        changes: String
    ) {
        self.id = id
        self.registryID = registryID
        self.startedAt = startedAt
        self.durationMs = durationMs
        self.outcome = outcome
        self.error = error
        self.added = added
        self.removed = removed
        self.updated = updated
        self.skipped = skipped
        self.changes = changes
    }
}
