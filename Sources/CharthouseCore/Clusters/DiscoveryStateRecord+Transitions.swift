import CharthouseStore
import Foundation

/// How a cluster's discovery state moves, in one place: the store takes the lease (→ `running`);
/// a run ends `ok` or `failed`, giving the lease back; a lease that lapsed while `running` reads
/// as `failed` until the next run.
extension DiscoveryStateRecord {
    /// A run that listed the cluster's release records.
    mutating func succeeded(
        startedAt: Date,
        durationMs: Int,
        counts: (releases: Int, records: Int, skipped: Int, decoded: Int),
        forbidden: [String],
        interval: Int
    ) {
        finish(.ok, startedAt: startedAt, durationMs: durationMs, error: nil, next: Date().addingTimeInterval(Double(interval)))
        (releases, records, skipped, decoded) = counts
        forbiddenNamespaces = forbidden
        failures = 0
    }

    /// A failed run: the last good list of releases stays; the next attempt backs off (30 s,
    /// 60 s, … at most the cluster's interval).
    mutating func failed(startedAt: Date, durationMs: Int, error: String, interval: Int) {
        failures += 1
        let backoff = LeasedJob.backoff(failures: failures, interval: interval)
        finish(.failed, startedAt: startedAt, durationMs: durationMs, error: error, next: Date().addingTimeInterval(backoff))
    }

    /// The state as readers should see it at `now`.
    func effective(now: Date = Date()) -> (state: SyncState, lastError: String?) {
        if state == .running, (leaseExpiresAt ?? .distantPast) < now {
            return (.failed, lastError ?? "the discovery was interrupted (server stopped); the previous list is kept")
        }
        return (state, lastError)
    }

    private mutating func finish(_ outcome: SyncState, startedAt: Date, durationMs: Int, error: String?, next: Date) {
        state = outcome
        runs += 1
        lastError = error
        lastRunAt = startedAt
        lastDurationMs = durationMs
        leaseOwner = nil
        leaseExpiresAt = nil
        nextRunAt = next
    }
}
