public import CharthouseStore
import Crypto
public import Foundation
public import HelmFormats
import RegistryClient

/// What a cluster's agent asks for and reports, answered only for its own cluster.
extension DeploymentService {
    /// The desired state with what it was computed from.
    struct Computed: Sendable {
        let state: DesiredState
        let attachment: AttachmentRecord?
        let profile: ProfileRecord?

        /// A strong ETag over the state's canonical JSON.
        var etag: String {
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            let data = (try? encoder.encode(state)) ?? Data()
            return "\"" + Hex.lowercase(SHA256.hash(data: data)) + "\""
        }
    }

    /// The agent's desired state and its ETag; when `ifNoneMatch` is the current ETag, waits up
    /// to `wait` seconds for a change and answers `nil` if none came (304).
    public func desiredState(for agent: AgentCaller, ifNoneMatch: String?, wait: Double) async throws -> (DesiredState, String)? {
        let deadline = Date().addingTimeInterval(min(max(wait, 0), 60))
        while true {
            guard let cluster = try await stores.clusters.find(id: agent.clusterID) else { throw CharthouseError.unauthenticated }
            let computed = try await desiredState(cluster)
            let etag = computed.etag
            if etag != ifNoneMatch { return (computed.state, etag) }
            let left = deadline.timeIntervalSinceNow
            guard left > 0, !Task.isCancelled else { return nil }
            // Woken by a change in this process, else a look every few seconds (other replicas).
            await signals.wait(cluster.id, seconds: min(left, 5))
        }
    }

    /// The desired state of a cluster from its attachment, profile and the agent's reports.
    func desiredState(_ cluster: ClusterRecord) async throws -> Computed {
        let attachment = try await stores.deployments.attachment(clusterID: cluster.id)
        let statuses = try await stores.deployments.statuses(clusterID: cluster.id)
        var state = DesiredState(
            clusterID: cluster.id,
            detached: attachment?.detached ?? (attachment == nil ? .orphan : nil),
            reconcileDrift: attachment?.reconcileDrift ?? false,
            layers: [],
            remove: []
        )
        var profile: ProfileRecord? = nil
        if let attachment, attachment.detached == nil,
            let found = try await stores.profiles.find(id: attachment.profileID, tenantID: cluster.tenantID)
        {
            profile = found
            state.profileID = found.id
            state.profileName = found.name
            state.profileVersion = found.version
            let registries = Dictionary(try await stores.registries.listVisible(tenantID: cluster.tenantID).map { ($0.id, $0) }) { a, _ in a }
            let variables = (try? ProfileVariables.resolve(found.variables, given: attachment.variables)) ?? attachment.variables
            for layer in try await stores.profiles.layers(profileID: found.id) {
                guard let registry = registries[layer.registryID] else { continue }
                // Checked when attached; a values problem here would be a bug, shown as a failed layer.
                let values = (try? Self.userValues(layer, override: attachment.values[Self.key(layer)], variables: variables)) ?? [:]
                state.layers.append(
                    DesiredLayer(
                        layerID: layer.id,
                        position: layer.position,
                        releaseName: layer.releaseName,
                        namespace: layer.namespace,
                        chart: layer.chart,
                        version: layer.version,
                        digest: layer.digest,
                        pullReference: layer.pullReference,
                        registryID: registry.id,
                        registryName: registry.name,
                        registryKind: layer.registryKind,
                        mode: Self.mode(of: registry),
                        values: values.isEmpty ? "" : YAMLEmitter.document(.object(values)),
                        valuesDigest: Self.valuesDigest(values)
                    )
                )
            }
        }
        if let discovery = try await stores.clusters.state(clusterID: cluster.id), let requested = discovery.nextRunAt,
            requested > (discovery.lastRunAt ?? .distantPast), requested <= Date()
        {
            state.discoveryRequestedAt = requested
        }
        let wanted = Set(state.layers.map(\.key))
        if state.detached != .orphan {
            state.remove = statuses.filter { !wanted.contains($0.key) }.map { ReleaseKey(namespace: $0.namespace, releaseName: $0.releaseName) }
        }
        return Computed(state: state, attachment: attachment, profile: profile)
    }

    /// Asks the agent of an agent cluster to read its cluster's releases now.
    public func requestDiscovery(clusterID: String, caller: Caller) async throws {
        let cluster = try await visibleCluster(clusterID, caller: caller)
        guard caller.isTenantAdmin else { throw CharthouseError.forbidden("only tenant administrators start discoveries") }
        try await stores.clusters.requestDiscovery(clusterID: cluster.id, at: Date())
        signals.signal(cluster.id)
    }

    /// SHA-256 of values' canonical JSON.
    public static func valuesDigest(_ values: [String: JSONValue]) -> String {
        Hex.lowercase(SHA256.hash(data: Data(HelmValues.canonicalJSON(values).utf8)))
    }

    static func mode(of registry: RegistryRecord) -> DeploymentMode {
        if registry.tenantID == nil { return .system }
        if registry.kind == .hosted { return .hosted }
        return registry.isProtected ? .protected : .tenant
    }

    /// How the agent reaches a registry its attached profile uses; any other is not found.
    public func registryAccess(_ registryID: String, for agent: AgentCaller) async throws -> AgentRegistryAccess {
        guard let cluster = try await stores.clusters.find(id: agent.clusterID) else { throw CharthouseError.unauthenticated }
        let computed = try await desiredState(cluster)
        guard computed.state.layers.contains(where: { $0.registryID == registryID }),
            let registry = try await stores.registries.listVisible(tenantID: cluster.tenantID).first(where: { $0.id == registryID })
        else { throw CharthouseError.notFound("registry") }
        if registry.kind == .hosted {
            return AgentRegistryAccess(
                registry: registry,
                mode: Self.mode(of: registry),
                endpoint: registry.hostedNamespace.map { urls.ociEndpoint(namespace: $0) } ?? registry.endpoint,
                username: nil,
                password: nil,
                useAgentToken: true,
                plainHTTP: urls.scheme == "http"
            )
        }
        var username: String? = nil
        var password: String? = nil
        if case .basic(username: let user, password: let secret) = try registry.credentials(sealer: stores.sealer) {
            username = user
            password = secret
        }
        return AgentRegistryAccess(
            registry: registry,
            mode: Self.mode(of: registry),
            endpoint: registry.endpoint,
            username: username,
            password: password,
            useAgentToken: false,
            plainHTTP: registry.plainHTTP
        )
    }

    /// Records what the agent reports about the releases it manages. Reports on releases that
    /// are neither wanted nor already managed are ignored (a late report after an orphaning
    /// detach does not bring them back).
    public func report(_ statuses: [LayerStatusRecord], for agent: AgentCaller) async throws {
        guard statuses.count <= 1000 else { throw CharthouseError.invalidField("layers", "at most 1000 per report") }
        guard let cluster = try await stores.clusters.find(id: agent.clusterID) else { throw CharthouseError.unauthenticated }
        // Only the keys are needed here, not the whole desired state (the agent reports after every step).
        var known = Set(try await stores.deployments.statuses(clusterID: cluster.id).map(\.key))
        if let attachment = try await stores.deployments.attachment(clusterID: cluster.id), attachment.detached == nil {
            known.formUnion(try await stores.profiles.layers(profileID: attachment.profileID).map(Self.key))
        }
        var accepted: [LayerStatusRecord] = []
        for var status in statuses where known.contains(status.key) {
            status.clusterID = cluster.id
            status.message = status.message.map { String($0.prefix(16 * 1024)) }
            accepted.append(status)
        }
        guard !accepted.isEmpty else { return }
        try await stores.deployments.report(accepted, clusterID: cluster.id)
        signals.signal(cluster.id)
    }
}
