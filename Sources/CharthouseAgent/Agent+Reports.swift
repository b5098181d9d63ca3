import CharthouseAPI
import Foundation
import Logging

extension Agent {
    /// Queues a release's state for the server and makes sure a flush is under way: the
    /// reconciler never waits for the control plane, which may be away.
    func report(_ releases: [AgentState.Managed]) async {
        for managed in releases { pendingReports[managed.key] = managed }
        guard !flushing else { return }
        flushing = true
        flushTask = Task { await self.flushReports() }
    }

    /// Sends the queued reports, the latest state of each release, until none is left; backs
    /// off while the server cannot be reached.
    func flushReports() async {
        defer { flushing = false }
        var failures = 0
        while !pendingReports.isEmpty, !Task.isCancelled {
            let batch = pendingReports
            do {
                let response = try await quickAPI.reportAgentStatus(body: .json(.init(layers: batch.values.map(Self.layerReport))))
                guard case .noContent = response else { throw AgentError.server("status report refused: \(response)") }
                // Only what did not change meanwhile is done.
                for (key, sent) in batch where pendingReports[key] == sent { pendingReports.removeValue(forKey: key) }
                reachable = true
                failures = 0
            } catch {
                failures += 1
                reachable = false
                logger.warning("cannot report status; will retry", metadata: ["error": "\(error)", "pending": .stringConvertible(batch.count)])
                try? await Task.sleep(for: .milliseconds(Int(settings.backoff(failures: failures) * 1000)))
            }
        }
    }

    static func layerReport(_ managed: AgentState.Managed) -> Components.Schemas.AgentLayerReport {
        Components.Schemas.AgentLayerReport(
            layerId: managed.layerID.isEmpty ? nil : managed.layerID,
            namespace: managed.namespace,
            releaseName: managed.releaseName,
            chart: managed.chart,
            version: managed.version,
            digest: managed.digest,
            mode: .init(rawValue: managed.mode) ?? .tenant,
            phase: .init(rawValue: managed.phase) ?? .pending,
            revision: managed.revision,
            message: managed.message,
            valuesDigest: managed.valuesDigest.isEmpty ? nil : managed.valuesDigest,
            attempts: managed.attempts,
            startedAt: managed.startedAt,
            deployedAt: managed.deployedAt
        )
    }
}
