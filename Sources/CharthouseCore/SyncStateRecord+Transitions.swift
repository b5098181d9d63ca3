import CharthouseStore
import Foundation

/// How a registry's sync state moves, in one place: the store takes the lease (`never`/`ok`/
/// `failed` → `running`); a sync ends `ok` (applied or unchanged) or `failed`, giving the lease
/// back; a hosted registry's catalog change is always `ok`; a lease that expired while `running`
/// reads as `failed` (its process died) until the next sync.
extension SyncStateRecord {
    /// How many runs of a registry its history keeps (the newest).
    static let runsKept = 50

    /// A sync that read the upstream and applied its listing (`counts` of what changed).
    mutating func succeeded(
        startedAt: Date,
        durationMs: Int,
        charts: Int,
        versions: Int,
        counts: (added: Int, removed: Int, updated: Int, skipped: Int),
        nextSyncAt: Date?
    ) {
        finish(.ok, startedAt: startedAt, durationMs: durationMs, error: nil, nextSyncAt: nextSyncAt)
        self.charts = charts
        self.versions = versions
        (added, removed, updated, skipped) = counts
        failures = 0
    }

    /// A sync that found the upstream unchanged: the catalog and its counts stay.
    mutating func unchanged(startedAt: Date, durationMs: Int, nextSyncAt: Date) {
        finish(.ok, startedAt: startedAt, durationMs: durationMs, error: nil, nextSyncAt: nextSyncAt)
        (added, removed, updated) = (0, 0, 0)
        failures = 0
    }

    /// A failed sync: the last good catalog stays; the next attempt backs off exponentially
    /// (30 s, 60 s, … at most the registry's interval).
    mutating func failed(startedAt: Date, durationMs: Int, error: String, interval: Int) {
        failures += 1
        let backoff = LeasedJob.backoff(failures: failures, interval: interval)
        finish(.failed, startedAt: startedAt, durationMs: durationMs, error: error, nextSyncAt: Date().addingTimeInterval(backoff))
    }

    /// The state as readers should see it at `now`: a `running` sync whose lease expired was cut
    /// off (its process stopped), so it reads `failed`, with a reason.
    func effective(now: Date = Date()) -> (state: SyncState, lastError: String?) {
        if state == .running, (leaseExpiresAt ?? .distantPast) < now {
            return (.failed, lastError ?? "the sync was interrupted (server stopped); the previous catalog is kept")
        }
        return (state, lastError)
    }

    private mutating func finish(_ outcome: SyncState, startedAt: Date, durationMs: Int, error: String?, nextSyncAt: Date?) {
        state = outcome
        lastError = error
        lastSyncAt = startedAt
        lastDurationMs = durationMs
        leaseOwner = nil
        leaseExpiresAt = nil
        self.nextSyncAt = nextSyncAt
    }
}
