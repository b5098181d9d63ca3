import Foundation
import Synchronization

/// Wakes the long polls of a cluster's agent when its desired state may have changed in this
/// process. Other processes' changes are seen when a poll looks again (``DeploymentService``
/// re-reads every few seconds), so signals only make the common case prompt.
public final class DesiredStateSignals: Sendable {
    private let counters = Mutex<[String: Int]>([:])

    public init() {}

    /// Wakes every poll of the cluster.
    public func signal(_ clusterID: String) {
        counters.withLock { $0[clusterID, default: 0] += 1 }
    }

    /// Returns when the cluster is signalled, `seconds` have passed, or the task is cancelled
    /// (the client went away).
    func wait(_ clusterID: String, seconds: Double) async {
        let start = counters.withLock { $0[clusterID, default: 0] }
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            if counters.withLock({ $0[clusterID, default: 0] }) != start { return }
            do { try await Task.sleep(for: .milliseconds(100)) } catch { return }
        }
    }
}
