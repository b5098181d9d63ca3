import CharthouseStore
import Foundation
import HelmFormats

/// A tenant's Kubernetes clusters: imported with a kubeconfig (checked live, sealed at rest,
/// never returned), listed, changed and removed. Admins write; members read; another tenant's
/// cluster is not found.
public struct ClusterService: Sendable {
    let stores: Stores
    let policy: ClusterPolicy
    let chartFiles: ChartFileService

    public init(stores: Stores, policy: ClusterPolicy, chartFiles: ChartFileService) {
        self.stores = stores
        self.policy = policy
        self.chartFiles = chartFiles
    }

    public func list(caller: Caller) async throws -> [ClusterView] {
        let records = try await stores.clusters.list(tenantID: try Self.tenant(caller))
        let states = try await stores.clusters.states(clusterIDs: records.map(\.id))
        return records.map { view($0, states[$0.id]) }
    }

    public func get(id: String, caller: Caller) async throws -> ClusterView {
        let record = try await visibleRecord(id: id, caller: caller)
        return view(record, try await stores.clusters.state(clusterID: id))
    }

    /// Imports a cluster into the caller's tenant: a `direct` one after checking it live; an
    /// `agent` one as it is (its agent registers with a token from ``AgentService``).
    public func create(_ input: NewCluster, caller: Caller) async throws -> ClusterView {
        let tenantID = try Self.admin(caller)
        try NameRules.validateClusterName(input.name)
        let interval = try Self.interval(input.discoveryIntervalSeconds) ?? policy.defaultDiscoveryInterval
        let id = TokenValue.newID()
        let now = Date()
        var record = ClusterRecord(
            id: id,
            tenantID: tenantID,
            name: input.name,
            mode: input.mode,
            server: "",
            context: "",
            sealedKubeconfig: "",
            kubernetesVersion: "",
            discoveryIntervalSeconds: interval,
            createdAt: now,
            updatedAt: now
        )
        switch input.mode {
        case .agent:
            guard input.kubeconfig == nil, input.context == nil else {
                throw CharthouseError.invalidField("kubeconfig", "an agent cluster has no kubeconfig: the server reaches it only through its agent")
            }
        case .direct:
            guard let kubeconfig = input.kubeconfig else {
                throw CharthouseError.invalidField(
                    "kubeconfig",
                    "is required (or use \"mode\": \"agent\" for a cluster reached only through its agent)"
                )
            }
            let connection = try ClusterConnection.parse(kubeconfig, context: input.context.nonEmpty)
            record.kubernetesVersion = try await ClusterConnection.check(connection, policy: policy)
            record.server = connection.server
            record.context = connection.context
            record.sealedKubeconfig = try stores.sealer.seal(kubeconfig, context: ClusterRecord.kubeconfigSealingContext(id: id))
        }
        do {
            try await stores.clusters.create(record)
        } catch let error as StoreError where error.isDuplicate {
            throw CharthouseError(.conflict, "cluster \"\(record.name)\" already exists", cause: error)
        }
        return view(record, nil)
    }

    /// Changes a cluster; a new kubeconfig or context is checked live first, and nothing is
    /// stored if the check fails.
    public func update(id: String, changes: ClusterChanges, caller: Caller) async throws -> ClusterView {
        // Another tenant's cluster is not found, whatever the caller's role.
        var record = try await visibleRecord(id: id, caller: caller)
        _ = try Self.admin(caller)
        if let name = changes.name {
            try NameRules.validateClusterName(name)
            record.name = name
        }
        if let interval = try Self.interval(changes.discoveryIntervalSeconds) { record.discoveryIntervalSeconds = interval }
        if changes.kubeconfig != nil || changes.context != nil {
            guard record.mode == .direct else {
                throw CharthouseError.invalidField("kubeconfig", "an agent cluster has no kubeconfig: the server reaches it only through its agent")
            }
            let sealingContext = ClusterRecord.kubeconfigSealingContext(id: id)
            let kubeconfig = try changes.kubeconfig ?? stores.sealer.open(record.sealedKubeconfig, context: sealingContext)
            let context = changes.context.map { $0.isEmpty ? nil : $0 } ?? (changes.kubeconfig == nil ? record.context : nil)
            let connection = try ClusterConnection.parse(kubeconfig, context: context)
            record.kubernetesVersion = try await ClusterConnection.check(connection, policy: policy)
            record.server = connection.server
            record.context = connection.context
            record.sealedKubeconfig = try stores.sealer.seal(kubeconfig, context: sealingContext)
        }
        record.updatedAt = Date()
        do {
            try await stores.clusters.update(record)
        } catch let error as StoreError where error.isDuplicate {
            throw CharthouseError(.conflict, "cluster \"\(record.name)\" already exists", cause: error)
        } catch let error as StoreError where error.isNotFound {
            throw CharthouseError(.notFound, "cluster not found", cause: error)
        }
        return view(record, try await stores.clusters.state(clusterID: id))
    }

    /// Removes a cluster with what discovery found in it.
    public func delete(id: String, caller: Caller) async throws {
        let record = try await visibleRecord(id: id, caller: caller)
        _ = try Self.admin(caller)
        guard try await stores.clusters.delete(id: record.id) else { throw CharthouseError.notFound("cluster") }
    }

    /// A cluster of the caller's tenant; any other is not found.
    func visibleRecord(id: String, caller: Caller) async throws -> ClusterRecord {
        try await Self.visibleRecord(id: id, caller: caller, stores: stores)
    }

    /// A cluster of the caller's tenant; any other is not found (every service's one lookup).
    static func visibleRecord(id: String, caller: Caller, stores: Stores) async throws -> ClusterRecord {
        guard let tenantID = caller.tenantID, let record = try await stores.clusters.find(id: id), record.tenantID == tenantID else {
            throw CharthouseError.notFound("cluster")
        }
        return record
    }

    private func view(_ record: ClusterRecord, _ state: DiscoveryStateRecord?) -> ClusterView {
        let state = state ?? DiscoveryStateRecord(clusterID: record.id)
        let effective = state.effective()
        return ClusterView(record: record, discovery: state, state: effective.state, lastError: effective.lastError)
    }

    static func tenant(_ caller: Caller) throws -> String {
        guard let tenantID = caller.tenantID else {
            throw CharthouseError.forbidden("clusters belong to tenants; the system administrator has none")
        }
        return tenantID
    }

    static func admin(_ caller: Caller) throws -> String {
        let tenantID = try tenant(caller)
        guard caller.isTenantAdmin else { throw CharthouseError.forbidden("only tenant administrators change clusters") }
        return tenantID
    }

    private static func interval(_ seconds: Int?) throws -> Int? {
        guard let seconds else { return nil }
        guard ClusterPolicy.discoveryIntervalRange.contains(seconds) else {
            throw CharthouseError.invalidField(
                "discoveryIntervalSeconds",
                "must be between \(ClusterPolicy.discoveryIntervalRange.lowerBound) and \(ClusterPolicy.discoveryIntervalRange.upperBound)"
            )
        }
        return seconds
    }
}

extension NameRules {
    /// Cluster names: DNS labels, 1–63 of `a-z 0-9 -`, unique within their tenant.
    public static func validateClusterName(_ name: String, field: String = "name") throws {
        try validateRegistryName(name, field: field)
    }
}
