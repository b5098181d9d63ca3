import CharthouseStore
import Crypto
public import Foundation
import HelmFormats

/// Profiles on clusters: attaching a published profile version (with per-cluster values and
/// variables), detaching it, and what the cluster's agent reports. Admins attach and detach;
/// members read; another tenant's cluster is not found.
public struct DeploymentService: Sendable {
    let stores: Stores
    let profiles: ProfileService
    let urls: PublicURLs
    public let signals: DesiredStateSignals

    public init(stores: Stores, profiles: ProfileService, urls: PublicURLs, signals: DesiredStateSignals = DesiredStateSignals()) {
        self.stores = stores
        self.profiles = profiles
        self.urls = urls
        self.signals = signals
    }

    /// Attaches a published profile version to a cluster, or replaces the attached one (an
    /// upgrade). The values of every layer are rendered and checked (YAML, the chart's schema)
    /// before anything is stored.
    public func attach(clusterID: String, _ input: AttachmentInput, caller: Caller) async throws -> AttachmentView {
        let cluster = try await visibleCluster(clusterID, caller: caller)
        _ = try ClusterService.admin(caller)
        guard let profile = try await stores.profiles.find(id: input.profileID, tenantID: cluster.tenantID) else {
            throw CharthouseError.invalidField("profileId", "profile \"\(input.profileID)\" not found")
        }
        guard profile.state == .published else {
            throw CharthouseError(
                .unprocessable,
                "profile \(profile.name) \(profile.version) is a draft: only a published version can be attached (publish it first)"
            )
        }
        let layers = try await stores.profiles.layers(profileID: profile.id)
        let values = try Self.layerKeys(input.values, layers: layers)
        let variables = try ProfileVariables.resolve(profile.variables, given: input.variables)
        var problems: [String] = []
        for layer in layers {
            do {
                let merged = try Self.userValues(layer, override: values[Self.key(layer)], variables: variables)
                if layer.source != .manual, !layer.isProtected,
                    let files = try await profiles.resolver.files(of: layer, caller: caller)
                {
                    _ = try ValuesCheck.check(values: merged, chart: layer.chart, version: layer.version, files: files)
                }
            } catch let error as CharthouseError where error.code == .unprocessable || error.code == .conflict {
                problems.append("layer \(layer.releaseName) (\(layer.namespace)): \(error.message)")
            }
        }
        guard problems.isEmpty else {
            throw CharthouseError(.unprocessable, "the profile cannot be attached:\n" + problems.map { "- \($0)" }.joined(separator: "\n"))
        }
        let now = Date()
        let previous = try await stores.deployments.attachment(clusterID: cluster.id)
        let attachment = AttachmentRecord(
            clusterID: cluster.id,
            profileID: profile.id,
            values: values,
            variables: input.variables,
            onDetach: input.onDetach,
            reconcileDrift: input.reconcileDrift,
            attachedAt: previous?.attachedAt ?? now,
            updatedAt: now
        )
        try await stores.deployments.saveAttachment(attachment)
        signals.signal(cluster.id)
        return AttachmentView(attachment: attachment, profile: profile)
    }

    /// The cluster's attachment; `not_found` when none.
    public func attachment(clusterID: String, caller: Caller) async throws -> AttachmentView {
        let cluster = try await visibleCluster(clusterID, caller: caller)
        guard let attachment = try await stores.deployments.attachment(clusterID: cluster.id), attachment.detached == nil,
            let profile = try await stores.profiles.find(id: attachment.profileID, tenantID: cluster.tenantID)
        else { throw CharthouseError.notFound("profile attached to cluster \(cluster.name)") }
        return AttachmentView(attachment: attachment, profile: profile)
    }

    /// Detaches the profile: its releases are uninstalled by the agent, or orphaned, as the
    /// attachment says.
    public func detach(clusterID: String, caller: Caller) async throws {
        let cluster = try await visibleCluster(clusterID, caller: caller)
        _ = try ClusterService.admin(caller)
        guard let attachment = try await stores.deployments.attachment(clusterID: cluster.id), attachment.detached == nil,
            try await stores.deployments.detach(clusterID: cluster.id, policy: attachment.onDetach, at: Date())
        else { throw CharthouseError.notFound("profile attached to cluster \(cluster.name)") }
        signals.signal(cluster.id)
    }

    /// What the cluster should run and what its agent last reported, layer by layer.
    public func status(clusterID: String, caller: Caller) async throws -> DeploymentStatusView {
        let cluster = try await visibleCluster(clusterID, caller: caller)
        return Self.status(cluster, desired: try await desiredState(cluster), statuses: try await stores.deployments.statuses(clusterID: cluster.id))
    }

    /// The status and, while a profile is attached, the drift report, from one reading of the
    /// desired state and the agent's reports (a page that shows both, refreshing).
    public func statusAndDrift(clusterID: String, caller: Caller) async throws -> (status: DeploymentStatusView, drift: DriftReport?) {
        let cluster = try await visibleCluster(clusterID, caller: caller)
        let desired = try await desiredState(cluster)
        let statuses = try await stores.deployments.statuses(clusterID: cluster.id)
        let status = Self.status(cluster, desired: desired, statuses: statuses)
        guard status.attachment != nil else { return (status, nil) }
        return (status, try await drift(cluster, desired: desired, statuses: statuses))
    }

    static func status(_ cluster: ClusterRecord, desired: Computed, statuses: [LayerStatusRecord]) -> DeploymentStatusView {
        let byKey = Dictionary(statuses.map { ($0.key, $0) }) { first, _ in first }
        var layers = desired.state.layers.map { layer in
            let status = byKey[layer.key]
            return LayerDeploymentView(
                desired: layer,
                status: status,
                namespace: layer.namespace,
                releaseName: layer.releaseName,
                mode: layer.mode,
                phase: Self.phase(of: layer, status: status)
            )
        }
        let wanted = Set(desired.state.layers.map(\.key))
        for status in statuses where !wanted.contains(status.key) {
            layers.append(
                LayerDeploymentView(
                    desired: nil,
                    status: status,
                    namespace: status.namespace,
                    releaseName: status.releaseName,
                    mode: status.mode,
                    phase: status.phase == .failed ? .failed : .removing
                )
            )
        }
        let attachment = desired.profile.flatMap { profile in desired.attachment.map { AttachmentView(attachment: $0, profile: profile) } }
        return DeploymentStatusView(cluster: cluster, attachment: attachment, layers: layers)
    }

    /// A wanted layer's phase: the agent's, once it reports on this very layer, chart and values.
    static func phase(of layer: DesiredLayer, status: LayerStatusRecord?) -> LayerPhase {
        guard let status else { return .pending }
        let current =
            status.layerID == layer.layerID && status.chart == layer.chart && status.version == layer.version
            && status.valuesDigest == layer.valuesDigest
        if current || [.pulling, .installing, .removing].contains(status.phase) { return status.phase }
        return .pending
    }

    // MARK: - Rules

    /// Per-cluster values keyed by `NAMESPACE/RELEASE`, from keys that are a layer's id, its
    /// `NAMESPACE/RELEASE`, or its release name when no other layer has it; values checked as YAML.
    static func layerKeys(_ given: [String: String], layers: [ProfileLayerRecord]) throws -> [String: String] {
        var result: [String: String] = [:]
        for (key, text) in given {
            let matches = layers.filter { $0.id == key || Self.key($0) == key || $0.releaseName == key }
            guard matches.count == 1, let layer = matches.first else {
                let reason = matches.isEmpty ? "no layer of the profile is \"\(key)\"" : "\"\(key)\" names several layers: use NAMESPACE/RELEASE"
                throw CharthouseError.invalidField("values", reason + " (give a layer id, NAMESPACE/RELEASE or a release name)")
            }
            _ = try ValuesCheck.mapping(text, field: "values of \(key)")
            result[Self.key(layer)] = text
        }
        return result
    }

    /// The values helm installs a layer with: the layer's own, then the cluster's merged over
    /// them (helm's rules for several values files), variables filled in both.
    static func userValues(_ layer: ProfileLayerRecord, override: String?, variables: [String: String]) throws -> [String: JSONValue] {
        let own = try ValuesCheck.mapping(ProfileVariables.render(layer.values, values: variables))
        guard let override else { return own }
        return HelmValues.merge(
            own,
            with: try ValuesCheck.mapping(ProfileVariables.render(override, values: variables), field: "the cluster's values")
        )
    }

    static func key(_ layer: ProfileLayerRecord) -> String { "\(layer.namespace)/\(layer.releaseName)" }

    /// A cluster of the caller's tenant; any other is not found.
    func visibleCluster(_ id: String, caller: Caller) async throws -> ClusterRecord {
        try await ClusterService.visibleRecord(id: id, caller: caller, stores: stores)
    }
}
