public import Foundation

/// What happens to a cluster's releases when its profile is detached.
public enum DetachPolicy: String, Sendable, Hashable, CaseIterable, Codable {
    /// The agent uninstalls every release the profile installed.
    case uninstall
    /// The releases stay in the cluster, no longer managed.
    case orphan
}

/// The profile a cluster runs, with what the attachment adds to it.
public struct AttachmentRecord: Sendable, Hashable {
    public var clusterID: String
    public var profileID: String
    /// Per-cluster values (YAML), by layer key `NAMESPACE/RELEASE`, merged over the layer's values.
    public var values: [String: String]
    /// Values of the profile's variables.
    public var variables: [String: String]
    public var onDetach: DetachPolicy
    /// The agent re-applies a layer whose release was changed from outside.
    public var reconcileDrift: Bool
    /// Set once the profile is detached: its releases are being uninstalled, or were orphaned.
    public var detached: DetachPolicy?
    public var attachedAt: Date
    public var updatedAt: Date

    public init(
        clusterID: String,
        profileID: String,
        values: [String: String],
        variables: [String: String],
        onDetach: DetachPolicy,
        reconcileDrift: Bool,
        detached: DetachPolicy? = nil,
        attachedAt: Date,
        updatedAt: Date
    ) {
        self.detached = detached
        self.clusterID = clusterID
        self.profileID = profileID
        self.values = values
        self.variables = variables
        self.onDetach = onDetach
        self.reconcileDrift = reconcileDrift
        self.attachedAt = attachedAt
        self.updatedAt = updatedAt
    }
}

/// Where a layer's chart comes from, as a deployment shows it.
public enum DeploymentMode: String, Sendable, Hashable, CaseIterable, Codable {
    /// The default system registry (or another system registry).
    case system
    /// The tenant's own hosted registry.
    case hosted
    /// A tenant registry the server syncs.
    case tenant
    /// A protected tenant registry: only the agent reaches it.
    case protected
}

/// Where a release managed by the agent is in its life.
public enum LayerPhase: String, Sendable, Hashable, CaseIterable {
    case pending, pulling, installing, deployed, failed, removing
    /// Uninstalled: the row is dropped when this is reported.
    case removed
}

/// What the agent last reported for one release it manages (by namespace and release name).
public struct LayerStatusRecord: Sendable, Hashable {
    public var clusterID: String
    public var namespace: String
    public var releaseName: String
    /// The profile layer it installs; `nil` once no attached layer wants it.
    public var layerID: String?
    public var chart: String
    public var version: String
    /// The digest of the archive the agent installed (or is installing).
    public var digest: String?
    public var mode: DeploymentMode
    public var phase: LayerPhase
    /// Helm's revision of the release after the last install or upgrade.
    public var revision: Int?
    /// Helm's error text, or why the pull or verification failed.
    public var message: String?
    /// SHA-256 of the user values the agent installed (canonical JSON).
    public var valuesDigest: String?
    /// Failed attempts in a row.
    public var attempts: Int
    public var startedAt: Date?
    public var deployedAt: Date?
    public var updatedAt: Date

    public init(
        clusterID: String,
        namespace: String,
        releaseName: String,
        layerID: String?,
        chart: String,
        version: String,
        digest: String?,
        mode: DeploymentMode,
        phase: LayerPhase,
        revision: Int? = nil,
        message: String? = nil,
        valuesDigest: String? = nil,
        attempts: Int = 0,
        startedAt: Date? = nil,
        deployedAt: Date? = nil,
        updatedAt: Date
    ) {
        self.clusterID = clusterID
        self.namespace = namespace
        self.releaseName = releaseName
        self.layerID = layerID
        self.chart = chart
        self.version = version
        self.digest = digest
        self.mode = mode
        self.phase = phase
        self.revision = revision
        self.message = message
        self.valuesDigest = valuesDigest
        self.attempts = attempts
        self.startedAt = startedAt
        self.deployedAt = deployedAt
        self.updatedAt = updatedAt
    }

    /// `NAMESPACE/RELEASE`.
    public var key: String { "\(namespace)/\(releaseName)" }
}

/// An agent's short-lived access token, as stored (its digest).
public struct AgentSessionRecord: Sendable, Hashable {
    public var id: String
    public var clusterID: String
    public var tokenDigest: String
    public var createdAt: Date
    public var expiresAt: Date

    public init(id: String, clusterID: String, tokenDigest: String, createdAt: Date, expiresAt: Date) {
        self.id = id
        self.clusterID = clusterID
        self.tokenDigest = tokenDigest
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}
