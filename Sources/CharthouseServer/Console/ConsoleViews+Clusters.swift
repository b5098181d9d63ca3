import CharthouseCore
import CharthouseStore
import Foundation

/// A cluster as the Clusters list and a cluster's page show it.
struct ClusterRow {
    let id: String
    let name: String
    let mode: String
    let server: String
    let version: String
    let state: String
    let releases: Int
    let runs: Int
    let lastRun: String
    let lastError: String?

    init(_ view: ClusterView) {
        id = view.record.id
        name = view.record.name
        mode = view.record.mode.rawValue
        server = view.record.mode == .agent ? "through its agent" : view.record.server
        version = view.record.kubernetesVersion.isEmpty ? "-" : view.record.kubernetesVersion
        state = view.state.rawValue
        releases = view.discovery.releases
        runs = view.discovery.runs
        lastRun = view.discovery.lastRunAt.map(ConsoleFormat.time) ?? "-"
        lastError = view.lastError
    }
}

struct ClusterList {
    let rows: [ClusterRow]
    let isEmpty: Bool
    let canWrite: Bool

    init(rows: [ClusterRow], canWrite: Bool) {
        self.rows = rows
        isEmpty = rows.isEmpty
        self.canWrite = canWrite
    }
}

/// A cluster's page: what does not change while it is open (the agent's registration), around
/// the part that refreshes itself (``ClusterLive``).
struct ClusterPage {
    let cluster: ClusterRow
    let isAgent: Bool
    let agentSeen: String
    let canWrite: Bool
    let token: String?
    let manifest: String?
    let live: ClusterLive

    init(_ view: ClusterView, live: ClusterLive, canWrite: Bool, registration: (token: String, manifest: String)?) {
        cluster = ClusterRow(view)
        isAgent = view.record.mode == .agent
        agentSeen = view.record.agentSeenAt.map(ConsoleFormat.time) ?? "never"
        self.canWrite = canWrite
        token = registration?.token
        manifest = registration?.manifest
        self.live = live
    }
}

/// The refreshing part alone, shaped as the page has it (`body.live`) for the shared template.
struct LivePart {
    let live: ClusterLive
}

/// The part of a cluster's page that follows work under way: the discovery, the attached
/// profile's layers with the agent's progress and the drift report, the releases found.
struct ClusterLive {
    struct Release {
        let namespace: String
        let name: String
        let chart: String
        let version: String
        let status: String
        let revision: Int
        let match: String
    }

    struct Attached {
        let profileID: String
        let profileName: String
        let profileVersion: String
        let onDetach: String
        let reconcileDrift: Bool
        let updatedAt: String
    }

    struct Layer {
        let key: String
        let position: String
        let namespace: String
        let release: String
        let chart: String
        let registry: String
        let mode: String
        let phase: String
        let revision: String
        let message: String?
        let drift: String
        let driftDetail: String?
    }

    let cluster: ClusterRow
    let canWrite: Bool
    /// The script refreshes the part from here while `busy`.
    let refreshURL: String
    let busy: Bool
    let discovering: Bool
    let attached: Attached?
    let layers: [Layer]
    let hasLayers: Bool
    let unmanaged: [Release]
    let hasUnmanaged: Bool
    let unmanagedCount: Int
    let releases: [Release]
    let hasReleases: Bool

    /// `after`: the discovery runs there were when a "Discover now" was asked for; the page
    /// counts as discovering until a later run has ended.
    init(_ view: ClusterView, releases: [ReleaseView], status: DeploymentStatusView?, drift: DriftReport?, canWrite: Bool, after: Int?) {
        cluster = ClusterRow(view)
        self.canWrite = canWrite
        discovering = view.state == .running || (after.map { view.discovery.runs <= $0 } ?? false)
        let statusLayers = status?.layers ?? []
        let driftByKey = Dictionary((drift?.layers ?? []).map { ($0.layer.key, $0) }) { first, _ in first }
        layers = statusLayers.map { Self.layer($0, drift: driftByKey["\($0.namespace)/\($0.releaseName)"]) }
        hasLayers = !layers.isEmpty
        let working: Set<LayerPhase> = [.pending, .pulling, .installing, .removing]
        busy = discovering || statusLayers.contains { working.contains($0.phase) }
        refreshURL = "/clusters/\(view.record.id)/live" + (after.map { "?after=\($0)" } ?? "")
        attached = status?.attachment.map { view in
            Attached(
                profileID: view.profile.id,
                profileName: view.profile.name,
                profileVersion: view.profile.version,
                onDetach: view.attachment.onDetach.rawValue,
                reconcileDrift: view.attachment.reconcileDrift,
                updatedAt: ConsoleFormat.time(view.attachment.updatedAt)
            )
        }
        unmanaged = (drift?.unmanaged ?? []).map { Self.release($0, match: "") }
        hasUnmanaged = !unmanaged.isEmpty
        unmanagedCount = unmanaged.count
        self.releases = releases.map { release in
            let match = release.catalogMatches.first.map { "\($0.kind.rawValue) in \($0.registryName)" } ?? "not in the catalog"
            return Self.release(release.record, match: match)
        }
        hasReleases = !releases.isEmpty
    }

    static func release(_ record: ReleaseRecordRow, match: String) -> Release {
        Release(
            namespace: record.namespace,
            name: record.releaseName,
            chart: record.chart,
            version: record.chartVersion,
            status: record.status,
            revision: record.revision,
            match: match
        )
    }

    static func layer(_ view: LayerDeploymentView, drift: LayerDrift?) -> Layer {
        var details: [String] = []
        if let drift {
            if drift.chartChanged { details.append("chart or version changed") }
            if drift.valuesChanged { details.append("values changed") }
            if drift.changedOutside { details.append("changed outside Charthouse") }
            if drift.digestChanged { details.append("archive differs from the pinned digest") }
        }
        let desired = view.desired
        return Layer(
            key: "\(view.namespace)/\(view.releaseName)",
            position: desired.map { "\($0.position + 1)" } ?? "-",
            namespace: view.namespace,
            release: view.releaseName,
            chart: desired.map { "\($0.chart) \($0.version)" } ?? view.status.map { "\($0.chart) \($0.version)" } ?? "-",
            registry: desired?.registryName ?? "-",
            mode: view.mode.rawValue,
            phase: view.phase.rawValue,
            revision: view.status?.revision.map(String.init) ?? "-",
            message: view.status?.message,
            drift: desired == nil ? "being removed" : drift?.state.rawValue ?? "not discovered yet",
            driftDetail: details.isEmpty ? nil : details.joined(separator: ", ")
        )
    }
}
