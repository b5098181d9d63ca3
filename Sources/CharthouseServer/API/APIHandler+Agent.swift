import CharthouseAPI
import CharthouseCore
import CharthouseStore
import Foundation

/// The routes of a cluster's agent: its access token only opens these, and only for its cluster.
extension APIHandler {
    func createAgentSession(_ input: Operations.CreateAgentSession.Input) async throws -> Operations.CreateAgentSession.Output {
        guard case .json(let body) = input.body else { throw CharthouseError(.badRequest, "expected a JSON body") }
        let session = try await agents.exchange(registrationToken: body.token, agentVersion: body.agentVersion)
        return .created(
            .init(
                body: .json(
                    .init(accessToken: session.token, expiresAt: session.expiresAt, clusterId: session.clusterID, clusterName: session.clusterName)
                )
            )
        )
    }

    func getDesiredState(_ input: Operations.GetDesiredState.Input) async throws -> Operations.GetDesiredState.Output {
        let agent = try CurrentAgent.require()
        guard
            let answer = try await deployments.desiredState(
                for: agent,
                ifNoneMatch: input.headers.ifNoneMatch,
                wait: Double(input.query.wait ?? 0)
            )
        else { return .notModified(.init()) }
        return .ok(.init(headers: .init(eTag: answer.1), body: .json(.init(answer.0))))
    }

    func getAgentRegistry(_ input: Operations.GetAgentRegistry.Input) async throws -> Operations.GetAgentRegistry.Output {
        let access = try await deployments.registryAccess(input.path.id, for: try CurrentAgent.require())
        let registry = access.registry
        return .ok(
            .init(
                body: .json(
                    .init(
                        id: registry.id,
                        name: registry.name,
                        kind: .init(rawValue: registry.kind.rawValue) ?? .classic,
                        mode: .init(rawValue: access.mode.rawValue) ?? .tenant,
                        endpoint: access.endpoint,
                        username: access.username,
                        password: access.password,
                        caCertificate: registry.caCertificate,
                        insecureSkipTLSVerify: registry.insecureSkipTLSVerify,
                        plainHTTP: access.plainHTTP,
                        useAgentToken: access.useAgentToken
                    )
                )
            )
        )
    }

    func reportAgentStatus(_ input: Operations.ReportAgentStatus.Input) async throws -> Operations.ReportAgentStatus.Output {
        let agent = try CurrentAgent.require()
        guard case .json(let body) = input.body else { throw CharthouseError(.badRequest, "expected a JSON body") }
        let now = Date()
        let statuses = body.layers.map { layer in
            LayerStatusRecord(
                clusterID: agent.clusterID,
                namespace: layer.namespace,
                releaseName: layer.releaseName,
                layerID: layer.layerId,
                chart: layer.chart,
                version: layer.version,
                digest: layer.digest,
                mode: DeploymentMode(rawValue: layer.mode.rawValue) ?? .tenant,
                phase: LayerPhase(rawValue: layer.phase.rawValue) ?? .pending,
                revision: layer.revision,
                message: layer.message,
                valuesDigest: layer.valuesDigest,
                attempts: layer.attempts ?? 0,
                startedAt: layer.startedAt,
                deployedAt: layer.deployedAt,
                updatedAt: now
            )
        }
        try await deployments.report(statuses, for: agent)
        return .noContent(.init())
    }

    func reportAgentReleases(_ input: Operations.ReportAgentReleases.Input) async throws -> Operations.ReportAgentReleases.Output {
        let agent = try CurrentAgent.require()
        guard case .json(let body) = input.body else { throw CharthouseError(.badRequest, "expected a JSON body") }
        let report = AgentReleaseReport(
            changed: body.changed.map { record in
                ReleaseRecordRow(
                    storage: record.storage.rawValue,
                    namespace: record.namespace,
                    recordName: record.recordName,
                    resourceVersion: record.resourceVersion,
                    skippedReason: record.skippedReason,
                    releaseName: record.releaseName,
                    revision: record.revision,
                    status: record.status,
                    chart: record.chart,
                    chartVersion: record.chartVersion,
                    appVersion: record.appVersion,
                    description: record.description,
                    firstDeployed: record.firstDeployed,
                    lastDeployed: record.lastDeployed,
                    configYAML: record.config,
                    chartFingerprint: record.chartFingerprint,
                    valuesFingerprint: record.valuesFingerprint
                )
            },
            present: body.present.additionalProperties,
            forbiddenNamespaces: body.forbiddenNamespaces,
            durationMs: body.durationMs
        )
        let missing = try await discovery.record(report, clusterID: agent.clusterID)
        return .ok(.init(body: .json(.init(missing: missing))))
    }
}

extension Components.Schemas.DesiredState {
    init(_ state: DesiredState) {
        self.init(
            clusterId: state.clusterID,
            profile: state.profileID.map { .init(id: $0, name: state.profileName ?? "", version: state.profileVersion ?? "", state: .published) },
            detached: state.detached.map { $0 == .orphan ? .orphan : .uninstall },
            reconcileDrift: state.reconcileDrift,
            layers: state.layers.map { layer in
                .init(
                    layerId: layer.layerID,
                    position: layer.position,
                    releaseName: layer.releaseName,
                    namespace: layer.namespace,
                    chart: layer.chart,
                    version: layer.version,
                    digest: layer.digest,
                    pullReference: layer.pullReference,
                    registryId: layer.registryID,
                    registryName: layer.registryName,
                    registryKind: .init(rawValue: layer.registryKind) ?? .classic,
                    mode: .init(rawValue: layer.mode.rawValue) ?? .tenant,
                    values: layer.values,
                    valuesDigest: layer.valuesDigest
                )
            },
            remove: state.remove.map { .init(namespace: $0.namespace, releaseName: $0.releaseName) },
            discoveryRequestedAt: state.discoveryRequestedAt
        )
    }
}
