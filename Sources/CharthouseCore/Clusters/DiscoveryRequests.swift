import CharthouseStore
import Foundation

/// "Discover now" for any cluster: a directly reached cluster's discovery goes to the discovery
/// scheduler; an agent cluster's agent is asked through its desired state and reports what it
/// finds. Either way the cluster's discovery `runs` grows when the asked-for run has ended.
public struct DiscoveryRequests: Sendable {
    let clusters: ClusterService
    let deployments: DeploymentService
    let scheduler: JobScheduler

    public init(clusters: ClusterService, deployments: DeploymentService, scheduler: JobScheduler) {
        self.clusters = clusters
        self.deployments = deployments
        self.scheduler = scheduler
    }

    /// Starts a discovery of the caller's cluster (tenant admin); returns the cluster as it was
    /// when asked.
    public func start(clusterID: String, caller: Caller) async throws -> ClusterView {
        let view = try await clusters.get(id: clusterID, caller: caller)
        guard caller.isTenantAdmin else { throw CharthouseError.forbidden("only tenant administrators start discoveries") }
        switch view.record.mode {
        case .direct: await scheduler.request(id: view.record.id, force: true)
        case .agent: try await deployments.requestDiscovery(clusterID: view.record.id, caller: caller)
        }
        return view
    }

    /// A discovery soon after a directly reached cluster is added or its connection changes (an
    /// agent cluster's agent discovers when it starts). `unlessRunning`: a run already under way
    /// is enough.
    public func connected(_ view: ClusterView, unlessRunning: Bool) async {
        guard view.record.mode == .direct else { return }
        await scheduler.request(id: view.record.id, force: false, unlessRunning: unlessRunning)
    }
}
