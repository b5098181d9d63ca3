public import Foundation

/// How the server reaches a cluster.
public enum ClusterMode: String, Sendable, Hashable, CaseIterable {
    /// With a kubeconfig: the server connects to the cluster's API server itself.
    case direct
    /// Only through the agent running inside it (a private network): no kubeconfig is kept.
    case agent
}

/// A tenant's Kubernetes cluster as stored. The kubeconfig is sealed (``SecretSealer``) and
/// bound to the row's id; `server` and `context` are copied out of it for display (all three are
/// empty for an agent cluster).
public struct ClusterRecord: Sendable, Hashable {
    public var id: String
    public var tenantID: String
    public var name: String
    public var mode: ClusterMode
    public var server: String
    public var context: String
    public var sealedKubeconfig: String
    /// `gitVersion` from the server's `/version` when the cluster was last checked.
    public var kubernetesVersion: String
    public var discoveryIntervalSeconds: Int
    public var createdAt: Date
    public var updatedAt: Date
    /// SHA-256 (hex) of the agent's registration token; `nil` until one is issued.
    public var agentTokenDigest: String?
    public var agentTokenCreatedAt: Date?
    /// When the agent last called, and the version it said it runs.
    public var agentSeenAt: Date?
    public var agentVersion: String?

    public init(
        id: String,
        tenantID: String,
        name: String,
        mode: ClusterMode = .direct,
        server: String,
        context: String,
        sealedKubeconfig: String,
        kubernetesVersion: String,
        discoveryIntervalSeconds: Int,
        createdAt: Date,
        updatedAt: Date,
        agentTokenDigest: String? = nil,
        agentTokenCreatedAt: Date? = nil,
        agentSeenAt: Date? = nil,
        agentVersion: String? = nil
    ) {
        self.id = id
        self.tenantID = tenantID
        self.name = name
        self.mode = mode
        self.agentTokenDigest = agentTokenDigest
        self.agentTokenCreatedAt = agentTokenCreatedAt
        self.agentSeenAt = agentSeenAt
        self.agentVersion = agentVersion
        self.server = server
        self.context = context
        self.sealedKubeconfig = sealedKubeconfig
        self.kubernetesVersion = kubernetesVersion
        self.discoveryIntervalSeconds = discoveryIntervalSeconds
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// The context a kubeconfig is sealed under: a sealed value opens only in its own row.
    public static func kubeconfigSealingContext(id: String) -> String { "cluster/\(id)/kubeconfig" }
}

/// The discovery state of a cluster: ``SyncState``'s values (`never`, `running`, `ok`, `failed`).
public struct DiscoveryStateRecord: Sendable, Hashable {
    public var clusterID: String
    public var state: SyncState
    public var leaseOwner: String?
    public var leaseExpiresAt: Date?
    public var lastRunAt: Date?
    public var lastDurationMs: Int?
    public var lastError: String?
    /// Releases (latest revision of each) and records (all revisions) of the last good run.
    public var releases = 0
    public var records = 0
    /// Records that could not be read (not helm's format, too large) and were skipped.
    public var skipped = 0
    /// Records the last run decoded (new or changed since the run before it).
    public var decoded = 0
    /// Namespaces whose release records the credentials may not list.
    public var forbiddenNamespaces: [String] = []
    public var failures = 0
    /// Discoveries finished so far (ok or failed).
    public var runs = 0
    public var nextRunAt: Date?

    public init(clusterID: String, state: SyncState = .never) {
        self.clusterID = clusterID
        self.state = state
    }
}

/// One Helm release record of a cluster: a revision of a release (a Secret or ConfigMap helm
/// wrote), or a record that could not be read (`skippedReason`).
public struct ReleaseRecordRow: Sendable, Hashable {
    /// `secret` or `configmap`: helm's storage driver.
    public var storage: String
    public var namespace: String
    public var recordName: String
    public var resourceVersion: String
    public var skippedReason: String?
    public var releaseName: String
    public var revision: Int
    public var status: String
    public var chart: String
    public var chartVersion: String
    public var appVersion: String
    public var description: String
    public var firstDeployed: String?
    public var lastDeployed: String?
    /// The user-supplied values as YAML (`""` when none were given).
    public var configYAML: String
    /// SHA-256 (hex) of the chart's code in the release (``HelmFormats/ChartContent/codeBytes``).
    public var chartFingerprint: String
    /// SHA-256 (hex) of the chart's default values in the release, with the paths the user's
    /// values set taken out (``HelmFormats/ChartContent/comparableValues(_:config:)``).
    public var valuesFingerprint: String

    public init(
        storage: String,
        namespace: String,
        recordName: String,
        resourceVersion: String,
        skippedReason: String? = nil,
        releaseName: String = "",
        revision: Int = 0,
        status: String = "",
        chart: String = "",
        chartVersion: String = "",
        appVersion: String = "",
        description: String = "",
        firstDeployed: String? = nil,
        lastDeployed: String? = nil,
        configYAML: String = "",
        chartFingerprint: String = "",
        valuesFingerprint: String = ""
    ) {
        self.storage = storage
        self.namespace = namespace
        self.recordName = recordName
        self.resourceVersion = resourceVersion
        self.skippedReason = skippedReason
        self.releaseName = releaseName
        self.revision = revision
        self.status = status
        self.chart = chart
        self.chartVersion = chartVersion
        self.appVersion = appVersion
        self.description = description
        self.firstDeployed = firstDeployed
        self.lastDeployed = lastDeployed
        self.configYAML = configYAML
        self.chartFingerprint = chartFingerprint
        self.valuesFingerprint = valuesFingerprint
    }

    /// `storage/namespace/name`: a record's identity within its cluster.
    public var key: String { "\(storage)/\(namespace)/\(recordName)" }
}

/// A stored record as discovery compares it with the cluster's: its version, whether it was
/// skipped, and the release (`namespace/name`) it is a revision of.
public struct ReleaseRecordSummary: Sendable, Hashable {
    public var resourceVersion: String
    public var skipped: Bool
    public var release: String

    public init(resourceVersion: String, skipped: Bool, release: String) {
        self.resourceVersion = resourceVersion
        self.skipped = skipped
        self.release = release
    }
}
