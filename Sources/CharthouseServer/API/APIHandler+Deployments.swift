import CharthouseAPI
import CharthouseCore
import CharthouseStore
import Foundation
import OpenAPIRuntime

extension APIHandler {
    func attachProfile(_ input: Operations.AttachProfile.Input) async throws -> Operations.AttachProfile.Output {
        guard case .json(let body) = input.body else { throw CharthouseError(.badRequest, "expected a JSON body") }
        let view = try await deployments.attach(
            clusterID: input.path.id,
            AttachmentInput(
                profileID: body.profileId,
                values: body.values?.additionalProperties ?? [:],
                variables: body.variables?.additionalProperties ?? [:],
                onDetach: body.onDetach == .orphan ? .orphan : .uninstall,
                reconcileDrift: body.reconcileDrift ?? false
            ),
            caller: try CurrentCaller.require()
        )
        return .ok(.init(body: .json(.init(view))))
    }

    func getClusterAttachment(_ input: Operations.GetClusterAttachment.Input) async throws -> Operations.GetClusterAttachment.Output {
        .ok(.init(body: .json(.init(try await deployments.attachment(clusterID: input.path.id, caller: try CurrentCaller.require())))))
    }

    func detachProfile(_ input: Operations.DetachProfile.Input) async throws -> Operations.DetachProfile.Output {
        try await deployments.detach(clusterID: input.path.id, caller: try CurrentCaller.require())
        return .noContent(.init())
    }

    func getDeploymentStatus(_ input: Operations.GetDeploymentStatus.Input) async throws -> Operations.GetDeploymentStatus.Output {
        let view = try await deployments.status(clusterID: input.path.id, caller: try CurrentCaller.require())
        return .ok(
            .init(
                body: .json(
                    .init(
                        clusterId: view.cluster.id,
                        clusterName: view.cluster.name,
                        mode: view.cluster.mode == .agent ? .agent : .direct,
                        profile: view.attachment.map { .init($0.profile) },
                        agentLastSeenAt: view.cluster.agentSeenAt,
                        agentVersion: view.cluster.agentVersion,
                        layers: view.layers.map(Components.Schemas.LayerDeployment.init)
                    )
                )
            )
        )
    }

    func issueAgentToken(_ input: Operations.IssueAgentToken.Input) async throws -> Operations.IssueAgentToken.Output {
        let caller = try CurrentCaller.require()
        let cluster = try await clusters.get(id: input.path.id, caller: caller)
        let registration = try await agents.issueRegistrationToken(clusterID: cluster.record.id, caller: caller)
        let manifest = AgentManifest.render(
            clusterID: cluster.record.id,
            clusterName: cluster.record.name,
            serverURL: agentServerURL(),
            image: agentImage,
            token: registration.token
        )
        return .created(.init(body: .json(.init(token: registration.token, createdAt: registration.createdAt, manifest: manifest))))
    }

    func getAgentManifest(_ input: Operations.GetAgentManifest.Input) async throws -> Operations.GetAgentManifest.Output {
        let cluster = try await clusters.get(id: input.path.id, caller: try CurrentCaller.require())
        let manifest = AgentManifest.render(
            clusterID: cluster.record.id,
            clusterName: cluster.record.name,
            serverURL: agentServerURL(),
            image: agentImage,
            token: nil
        )
        return .ok(.init(body: .plainText(HTTPBody(manifest))))
    }
}

extension Components.Schemas.ProfileRef {
    init(_ profile: ProfileRecord) {
        self.init(id: profile.id, name: profile.name, version: profile.version, state: profile.state == .published ? .published : .draft)
    }
}

extension Components.Schemas.Attachment {
    init(_ view: AttachmentView) {
        let attachment = view.attachment
        self.init(
            clusterId: attachment.clusterID,
            profile: .init(view.profile),
            values: .init(additionalProperties: attachment.values),
            variables: .init(additionalProperties: attachment.variables),
            onDetach: attachment.onDetach == .orphan ? .orphan : .uninstall,
            reconcileDrift: attachment.reconcileDrift,
            attachedAt: attachment.attachedAt,
            updatedAt: attachment.updatedAt
        )
    }
}

extension Components.Schemas.LayerDeployment {
    init(_ view: LayerDeploymentView) {
        let status = view.status
        self.init(
            layerId: view.desired?.layerID,
            releaseName: view.releaseName,
            namespace: view.namespace,
            chart: view.desired?.chart ?? status?.chart,
            version: view.desired?.version ?? status?.version,
            digest: view.desired?.digest,
            mode: .init(rawValue: view.mode.rawValue) ?? .tenant,
            phase: .init(rawValue: view.phase.rawValue) ?? .pending,
            installedVersion: status?.version,
            installedDigest: status?.digest,
            revision: status?.revision,
            message: status?.message,
            attempts: status?.attempts ?? 0,
            startedAt: status?.startedAt,
            deployedAt: status?.deployedAt,
            updatedAt: status?.updatedAt
        )
    }
}

extension APIHandler {
    func getDriftReport(_ input: Operations.GetDriftReport.Input) async throws -> Operations.GetDriftReport.Output {
        let report = try await deployments.drift(clusterID: input.path.id, caller: try CurrentCaller.require())
        return .ok(
            .init(
                body: .json(
                    .init(
                        clusterId: report.cluster.id,
                        discoveredAt: report.discoveredAt,
                        layers: report.layers.map { drift in
                            .init(
                                layerId: drift.layer.layerID,
                                releaseName: drift.layer.releaseName,
                                namespace: drift.layer.namespace,
                                state: .init(rawValue: drift.state.rawValue) ?? .drifted,
                                desiredChart: drift.layer.chart,
                                desiredVersion: drift.layer.version,
                                desiredDigest: drift.layer.digest,
                                desiredValues: drift.layer.values,
                                installedChart: drift.release?.chart,
                                installedVersion: drift.release?.chartVersion,
                                installedDigest: drift.status?.digest,
                                installedValues: drift.release?.configYAML,
                                clusterRevision: drift.release?.revision,
                                agentRevision: drift.status?.revision,
                                chartChanged: drift.chartChanged,
                                valuesChanged: drift.valuesChanged,
                                changedOutside: drift.changedOutside,
                                digestChanged: drift.digestChanged
                            )
                        },
                        unmanaged: report.unmanaged.map {
                            .init(
                                namespace: $0.namespace,
                                name: $0.releaseName,
                                revision: $0.revision,
                                status: $0.status,
                                chart: $0.chart,
                                chartVersion: $0.chartVersion
                            )
                        }
                    )
                )
            )
        )
    }
}
