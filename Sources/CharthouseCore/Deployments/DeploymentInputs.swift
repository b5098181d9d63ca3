public import CharthouseStore
public import Foundation

/// A profile to attach to a cluster, with what the attachment adds.
public struct AttachmentInput: Sendable {
    public var profileID: String
    /// Per-cluster values (YAML) by layer: its id, `NAMESPACE/RELEASE`, or its release name.
    public var values: [String: String]
    public var variables: [String: String]
    public var onDetach: DetachPolicy
    public var reconcileDrift: Bool

    public init(
        profileID: String,
        values: [String: String] = [:],
        variables: [String: String] = [:],
        onDetach: DetachPolicy = .uninstall,
        reconcileDrift: Bool = false
    ) {
        self.profileID = profileID
        self.values = values
        self.variables = variables
        self.onDetach = onDetach
        self.reconcileDrift = reconcileDrift
    }
}

/// A cluster's attachment as callers see it.
public struct AttachmentView: Sendable {
    public let attachment: AttachmentRecord
    public let profile: ProfileRecord
}

/// One layer of a cluster's deployment: what is wanted and what the agent last said.
public struct LayerDeploymentView: Sendable {
    /// `nil` for a release the agent still manages that no attached layer wants (being removed).
    public let desired: DesiredLayer?
    public let status: LayerStatusRecord?
    public let namespace: String
    public let releaseName: String
    public let mode: DeploymentMode
    public let phase: LayerPhase
}

/// What a cluster runs and how far its agent got.
public struct DeploymentStatusView: Sendable {
    public let cluster: ClusterRecord
    public let attachment: AttachmentView?
    public let layers: [LayerDeploymentView]
}

/// The state the agent of a cluster works towards: the attached profile's layers in install
/// order with their rendered values, and the releases to uninstall.
public struct DesiredState: Sendable, Hashable, Codable {
    public var clusterID: String
    public var profileID: String?
    public var profileName: String?
    public var profileVersion: String?
    /// `nil` while a profile is attached; once detached, what happens to the releases it installed.
    public var detached: DetachPolicy?
    public var reconcileDrift: Bool
    public var layers: [DesiredLayer]
    /// Releases the agent manages that no layer wants any more: to be uninstalled.
    public var remove: [ReleaseKey]
    /// When a discovery was asked for that the agent has not reported since.
    public var discoveryRequestedAt: Date?
}

/// `NAMESPACE/RELEASE` as a pair.
public struct ReleaseKey: Sendable, Hashable, Codable {
    public var namespace: String
    public var releaseName: String
    public var key: String { "\(namespace)/\(releaseName)" }
}

/// One layer as the agent installs it.
public struct DesiredLayer: Sendable, Hashable, Codable {
    public var layerID: String
    public var position: Int
    public var releaseName: String
    public var namespace: String
    public var chart: String
    public var version: String
    /// The archive digest to verify after the pull (`nil`: a protected layer, nothing pinned).
    public var digest: String?
    /// An archive URL or `oci://HOST/REPO[@sha256:…|:TAG]`; `nil` for a protected classic
    /// registry (the agent finds the archive in its index).
    public var pullReference: String?
    public var registryID: String
    public var registryName: String
    /// `classic`, `oci` or `hosted`.
    public var registryKind: String
    public var mode: DeploymentMode
    /// The user-supplied values helm installs with (YAML): the layer's, variables filled in,
    /// with the cluster's values merged over them.
    public var values: String
    /// SHA-256 of the values' canonical JSON (what drift compares).
    public var valuesDigest: String

    public var key: String { "\(namespace)/\(releaseName)" }
}

/// How a registry is reached by the agent of a cluster whose profile uses it.
public struct AgentRegistryAccess: Sendable {
    public let registry: RegistryRecord
    public let mode: DeploymentMode
    /// `oci://HOST/PATH` or the classic base URL.
    public let endpoint: String
    public let username: String?
    public let password: String?
    /// The agent authenticates with its own access token (hosted registries).
    public let useAgentToken: Bool
    public let plainHTTP: Bool
}
