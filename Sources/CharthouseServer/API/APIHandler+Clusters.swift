import CharthouseAPI
import CharthouseCore
import CharthouseStore
import Foundation

extension APIHandler {
    func listClusters(_ input: Operations.ListClusters.Input) async throws -> Operations.ListClusters.Output {
        let list = try await clusters.list(caller: try CurrentCaller.require())
        return .ok(.init(body: .json(.init(items: list.map(Components.Schemas.Cluster.init)))))
    }

    func createCluster(_ input: Operations.CreateCluster.Input) async throws -> Operations.CreateCluster.Output {
        guard case .json(let body) = input.body else { throw CharthouseError(.badRequest, "expected a JSON body") }
        let view = try await clusters.create(
            NewCluster(
                name: body.name,
                mode: body.mode == .agent ? .agent : .direct,
                kubeconfig: body.kubeconfig,
                context: body.context,
                discoveryIntervalSeconds: body.discoveryIntervalSeconds
            ),
            caller: try CurrentCaller.require()
        )
        await discoveries.connected(view, unlessRunning: true)
        return .created(.init(body: .json(.init(view))))
    }

    func getCluster(_ input: Operations.GetCluster.Input) async throws -> Operations.GetCluster.Output {
        .ok(.init(body: .json(.init(try await clusters.get(id: input.path.id, caller: try CurrentCaller.require())))))
    }

    func updateCluster(_ input: Operations.UpdateCluster.Input) async throws -> Operations.UpdateCluster.Output {
        guard case .json(let body) = input.body else { throw CharthouseError(.badRequest, "expected a JSON body") }
        let changes = ClusterChanges(
            name: body.name,
            kubeconfig: body.kubeconfig,
            context: body.context,
            discoveryIntervalSeconds: body.discoveryIntervalSeconds
        )
        let view = try await clusters.update(id: input.path.id, changes: changes, caller: try CurrentCaller.require())
        if changes.kubeconfig != nil || changes.context != nil { await discoveries.connected(view, unlessRunning: false) }
        return .ok(.init(body: .json(.init(view))))
    }

    func deleteCluster(_ input: Operations.DeleteCluster.Input) async throws -> Operations.DeleteCluster.Output {
        try await clusters.delete(id: input.path.id, caller: try CurrentCaller.require())
        return .noContent(.init())
    }

    func discoverCluster(_ input: Operations.DiscoverCluster.Input) async throws -> Operations.DiscoverCluster.Output {
        let view = try await discoveries.start(clusterID: input.path.id, caller: try CurrentCaller.require())
        return .accepted(.init(body: .json(.init(view))))
    }

    func listClusterReleases(_ input: Operations.ListClusterReleases.Input) async throws -> Operations.ListClusterReleases.Output {
        let views = try await clusters.releases(clusterID: input.path.id, namespace: input.query.namespace, caller: try CurrentCaller.require())
        return .ok(.init(body: .json(.init(items: views.map(Components.Schemas.Release.init)))))
    }

    func getClusterRelease(_ input: Operations.GetClusterRelease.Input) async throws -> Operations.GetClusterRelease.Output {
        let view = try await clusters.release(
            clusterID: input.path.id,
            namespace: input.path.namespace,
            name: input.path.name,
            caller: try CurrentCaller.require()
        )
        return .ok(.init(body: .json(.init(view))))
    }

    func importProfileLayers(_ input: Operations.ImportProfileLayers.Input) async throws -> Operations.ImportProfileLayers.Output {
        guard case .json(let body) = input.body else { throw CharthouseError(.badRequest, "expected a JSON body") }
        let view = try await profiles.importLayers(
            profileID: input.path.id,
            clusterID: body.clusterId,
            releases: body.releases.map(ReleaseSelection.init),
            caller: try CurrentCaller.require()
        )
        return .created(.init(body: .json(.init(view))))
    }

    func createProfileFromCluster(_ input: Operations.CreateProfileFromCluster.Input) async throws -> Operations.CreateProfileFromCluster.Output {
        guard case .json(let body) = input.body else { throw CharthouseError(.badRequest, "expected a JSON body") }
        let view = try await profiles.createFromCluster(
            clusterID: body.clusterId,
            .init(name: body.name, version: body.version, description: body.description ?? ""),
            releases: body.releases.map { $0.map(ReleaseSelection.init) },
            caller: try CurrentCaller.require()
        )
        return .created(.init(body: .json(.init(view))))
    }
}

extension ReleaseSelection {
    init(_ body: Components.Schemas.ReleaseSelection) {
        self.init(namespace: body.namespace, name: body.name, registryID: body.registryId)
    }
}

extension Components.Schemas.Cluster {
    init(_ view: ClusterView) {
        let record = view.record
        let state = view.discovery
        self.init(
            id: record.id,
            name: record.name,
            mode: record.mode == .agent ? .agent : .direct,
            agentTokenIssuedAt: record.agentTokenCreatedAt,
            agentLastSeenAt: record.agentSeenAt,
            agentVersion: record.agentVersion,
            server: record.server,
            context: record.context,
            kubernetesVersion: record.kubernetesVersion,
            discoveryIntervalSeconds: record.discoveryIntervalSeconds,
            discoveryState: .init(rawValue: view.state.rawValue) ?? .failed,
            lastDiscoveryAt: state.lastRunAt,
            lastDiscoveryDurationMs: state.lastDurationMs,
            lastError: view.lastError,
            releases: state.releases,
            records: state.records,
            skipped: state.skipped,
            decoded: state.decoded,
            discoveries: state.runs,
            forbiddenNamespaces: state.forbiddenNamespaces,
            createdAt: record.createdAt,
            updatedAt: record.updatedAt
        )
    }
}

extension Components.Schemas.Release {
    init(_ view: ReleaseView) {
        let row = view.record
        self.init(
            name: row.releaseName,
            namespace: row.namespace,
            revision: row.revision,
            status: row.status,
            chart: row.chart,
            chartVersion: row.chartVersion,
            appVersion: row.appVersion,
            description: row.description,
            config: row.configYAML,
            firstDeployed: row.firstDeployed,
            lastDeployed: row.lastDeployed,
            storage: .init(rawValue: row.storage) ?? .secret,
            catalogMatches: view.catalogMatches.map {
                .init(
                    registryId: $0.registryID,
                    registryName: $0.registryName,
                    match: .init(rawValue: $0.kind.rawValue) ?? .unknown,
                    digest: $0.digest,
                    reason: $0.reason
                )
            },
            history: view.history?.map {
                .init(
                    revision: $0.revision,
                    status: $0.status,
                    chart: $0.chart,
                    chartVersion: $0.chartVersion,
                    appVersion: $0.appVersion,
                    description: $0.description,
                    lastDeployed: $0.lastDeployed
                )
            }
        )
    }
}
