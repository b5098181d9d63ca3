public import CharthouseStore
import Foundation

/// A cluster to import: a kubeconfig (the server reaches the cluster directly) and the context
/// to use, or no kubeconfig in `agent` mode (the cluster is reached only through its agent).
public struct NewCluster: Sendable {
    public var name: String
    public var mode: ClusterMode
    /// Required in `direct` mode; refused in `agent` mode.
    public var kubeconfig: String?
    /// The kubeconfig's context; its `current-context` when `nil`.
    public var context: String?
    public var discoveryIntervalSeconds: Int?

    public init(name: String, mode: ClusterMode = .direct, kubeconfig: String?, context: String? = nil, discoveryIntervalSeconds: Int? = nil) {
        self.name = name
        self.mode = mode
        self.kubeconfig = kubeconfig
        self.context = context
        self.discoveryIntervalSeconds = discoveryIntervalSeconds
    }
}

/// Changes to a cluster; `nil` leaves a field as it is. A new kubeconfig or context is checked
/// live again before it is stored.
public struct ClusterChanges: Sendable {
    public var name: String?
    public var kubeconfig: String?
    public var context: String?
    public var discoveryIntervalSeconds: Int?

    public init(name: String? = nil, kubeconfig: String? = nil, context: String? = nil, discoveryIntervalSeconds: Int? = nil) {
        self.name = name
        self.kubeconfig = kubeconfig
        self.context = context
        self.discoveryIntervalSeconds = discoveryIntervalSeconds
    }
}

/// A cluster as callers see it: never its kubeconfig.
public struct ClusterView: Sendable {
    public let record: ClusterRecord
    public let discovery: DiscoveryStateRecord
    /// The state as readers should see it now (a run whose lease lapsed reads `failed`).
    public let state: SyncState
    public let lastError: String?
}

/// A registry whose catalog holds the chart and version of a release, and whether the chart in
/// the release is the catalog's (`exact`), differs from it (`modified`: a fork under the same
/// name and version), or could not be compared (`unknown`: the archive could not be read).
public struct CatalogMatch: Sendable, Hashable {
    public enum Kind: String, Sendable {
        case exact, modified, unknown
    }
    public let registryID: String
    public let registryName: String
    public let kind: Kind
    /// The catalog archive's digest (`sha256:…`).
    public let digest: String
    /// Why the comparison could not be made (`unknown`).
    public let reason: String?
}

/// A release found in a cluster: its latest revision, and what the catalog knows of its chart.
public struct ReleaseView: Sendable {
    public let record: ReleaseRecordRow
    public let catalogMatches: [CatalogMatch]
    /// Every revision helm keeps (only for a single release).
    public let history: [ReleaseRecordRow]?
}
