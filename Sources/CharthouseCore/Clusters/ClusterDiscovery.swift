import CharthouseStore
import ClusterClient
import Foundation
public import Logging
import RegistryClient

/// Finds the Helm releases installed in a cluster (``ReleaseScan``) and records them, under the
/// cluster's discovery lease: one run per cluster at a time across processes; a run that lost
/// its lease saves nothing; a failed run keeps the last good list.
public struct ClusterDiscovery: Sendable {
    let stores: Stores
    let policy: ClusterPolicy
    let logger: Logger

    public init(stores: Stores, policy: ClusterPolicy, logger: Logger) {
        self.stores = stores
        self.policy = policy
        self.logger = logger
    }

    /// Runs a discovery of `clusterID` now; a conflict when one is already running.
    public func discover(clusterID: String) async throws {
        // An agent cluster's releases come from its agent's reports.
        guard let record = try await stores.clusters.find(id: clusterID), record.mode == .direct else { return }
        let owner = TokenValue.newID()
        let lease = Double(policy.leaseSeconds)
        guard
            var state = try await stores.clusters.acquireLease(
                clusterID: clusterID,
                owner: owner,
                until: Date().addingTimeInterval(lease),
                now: Date()
            )
        else {
            throw CharthouseError(.conflict, "a discovery of cluster \(record.name) is already running")
        }
        let startedAt = Date()
        let (stores, policy) = (self.stores, self.policy)
        let heartbeat = LeasedJob.heartbeat(duration: lease) { until in
            _ = try await stores.clusters.renewLease(clusterID: clusterID, owner: owner, until: until)
        }
        defer { heartbeat.cancel() }
        func elapsed() -> Int { LeasedJob.milliseconds(since: startedAt) }
        do {
            let connection = try ClusterConnection.open(record, sealer: stores.sealer)
            let previous = try await stores.clusters.recordSummaries(clusterID: clusterID)
            let scan = try await KubernetesClient.with(connection, options: policy.connectionOptions) { client in
                try await ReleaseScan(client: client, policy: policy, previous: previous).run()
            }
            let current = scan.current.values
            let counts = (
                releases: Set(current.filter { !$0.skipped }.map(\.release)).count, records: current.filter { !$0.skipped }.count,
                skipped: current.filter(\.skipped).count, decoded: scan.changed.count
            )
            state.succeeded(
                startedAt: startedAt,
                durationMs: elapsed(),
                counts: counts,
                forbidden: scan.forbidden,
                interval: record.discoveryIntervalSeconds
            )
            let scanned = elapsed()
            try await stores.clusters.finish(state: state, changed: scan.changed, removed: scan.removed, owner: owner)
            logger.info(
                "cluster discovered",
                metadata: [
                    "cluster": .string(clusterID), "releases": .stringConvertible(counts.releases), "decoded": .stringConvertible(counts.decoded),
                    "skipped": .stringConvertible(counts.skipped), "ms": .stringConvertible(elapsed()),
                    "scan_ms": .stringConvertible(scanned),
                ]
            )
        } catch let error as StoreError where error.isLeaseLost {
            throw CharthouseError(.conflict, error.message, cause: error)
        } catch {
            state.failed(
                startedAt: startedAt,
                durationMs: elapsed(),
                error: LeasedJob.message(for: error),
                interval: record.discoveryIntervalSeconds
            )
            try await stores.clusters.finish(state: state, changed: [], removed: [], owner: owner)
            logger.warning("cluster discovery failed", metadata: Logger.Metadata.error(error).merging(["cluster": .string(clusterID)]) { $1 })
        }
    }
}

extension JobScheduler {
    /// Cluster discoveries: every cluster on its interval (failures back off), and on demand.
    public static func clusterDiscoveries(discovery: ClusterDiscovery, stores: Stores, logger: Logger, concurrency: Int = 2) -> JobScheduler {
        JobScheduler(
            kind: "cluster discovery",
            logger: logger,
            concurrency: concurrency,
            due: { try await stores.clusters.dueClusters(now: Date()) },
            job: { id, _ in try await discovery.discover(clusterID: id) }
        )
    }
}
