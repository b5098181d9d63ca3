public import CharthouseStore
public import Foundation
import HelmFormats

/// One layer compared with the release found in the cluster.
public struct LayerDrift: Sendable {
    public enum State: String, Sendable {
        /// The release is what the layer asks for.
        case inSync = "in-sync"
        /// The release differs (see the flags).
        case drifted
        /// No release of that name: not installed yet, or removed from outside.
        case missing
    }
    public let layer: DesiredLayer
    public let state: State
    public let release: ReleaseRecordRow?
    public let status: LayerStatusRecord?
    /// The release's chart or version is not the layer's.
    public let chartChanged: Bool
    /// The release's user values are not the layer's.
    public let valuesChanged: Bool
    /// The release has a revision the agent did not make (a `helm upgrade` from outside).
    public let changedOutside: Bool
    /// The archive the agent installed is not the pinned one.
    public let digestChanged: Bool
}

/// A cluster's releases against its attached profile.
public struct DriftReport: Sendable {
    public let cluster: ClusterRecord
    /// When the releases compared were last discovered.
    public let discoveredAt: Date?
    public let layers: [LayerDrift]
    /// Releases in the cluster that no layer manages.
    public let unmanaged: [ReleaseRecordRow]
}

extension DeploymentService {
    /// Compares every layer of the attached profile with the release discovered in the cluster
    /// (installed chart version, digest, user values, revisions), and lists the releases no
    /// layer manages.
    public func drift(clusterID: String, caller: Caller) async throws -> DriftReport {
        let cluster = try await visibleCluster(clusterID, caller: caller)
        return try await drift(
            cluster,
            desired: try await desiredState(cluster),
            statuses: try await stores.deployments.statuses(clusterID: cluster.id)
        )
    }

    func drift(_ cluster: ClusterRecord, desired: Computed, statuses reported: [LayerStatusRecord]) async throws -> DriftReport {
        let statuses = Dictionary(reported.map { ($0.key, $0) }) { a, _ in a }
        let releases = try await stores.clusters.releases(clusterID: cluster.id, namespace: nil)
        let byKey = Dictionary(releases.map { ("\($0.namespace)/\($0.releaseName)", $0) }) { a, _ in a }
        let layers = desired.state.layers.map { layer -> LayerDrift in
            let release = byKey[layer.key]
            let status = statuses[layer.key]
            guard let release else {
                return LayerDrift(
                    layer: layer,
                    state: .missing,
                    release: nil,
                    status: status,
                    chartChanged: false,
                    valuesChanged: false,
                    changedOutside: false,
                    digestChanged: false
                )
            }
            let values = (try? YAMLDocument.parseMapping(release.configYAML)) ?? [:]
            let chartChanged = release.chart != layer.chart || release.chartVersion != layer.version
            let valuesChanged = Self.valuesDigest(values) != layer.valuesDigest
            let changedOutside = status?.revision.map { $0 != release.revision } ?? false
            let digestChanged = layer.digest.map { pinned in status?.digest.map { $0 != pinned } ?? false } ?? false
            let drifted = chartChanged || valuesChanged || changedOutside || digestChanged
            return LayerDrift(
                layer: layer,
                state: drifted ? .drifted : .inSync,
                release: release,
                status: status,
                chartChanged: chartChanged,
                valuesChanged: valuesChanged,
                changedOutside: changedOutside,
                digestChanged: digestChanged
            )
        }
        let managed = Set(desired.state.layers.map(\.key)).union(statuses.keys)
        let unmanaged = releases.filter { !managed.contains("\($0.namespace)/\($0.releaseName)") }
        let discoveredAt = try await stores.clusters.state(clusterID: cluster.id)?.lastRunAt
        return DriftReport(cluster: cluster, discoveredAt: discoveredAt, layers: layers, unmanaged: unmanaged)
    }
}
