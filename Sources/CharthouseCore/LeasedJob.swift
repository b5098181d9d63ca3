import CharthouseStore
import Foundation
import HelmFormats
import RegistryClient

/// What registry syncs and cluster discoveries share: a job that holds a lease in the store
/// while it runs, records how long it took and why it failed, and backs off after failures.
enum LeasedJob {
    /// Renews a lease every third of its `duration` until cancelled; stops at the first failed
    /// renewal (the lease then lapses, and the job's save finds it lost).
    static func heartbeat(duration: TimeInterval, renew: @escaping @Sendable (_ until: Date) async throws -> Void) -> Task<Void, any Error> {
        Task {
            while !Task.isCancelled {
                try await Task.sleep(for: .seconds(max(duration / 3, 0.1)))
                try await renew(Date().addingTimeInterval(duration))
            }
        }
    }

    static func milliseconds(since start: Date) -> Int { Int((Date().timeIntervalSince(start) * 1000).rounded()) }

    /// Seconds until the next attempt after `failures` failures in a row: 60 s, 120 s, … at
    /// most the object's own interval.
    static func backoff(failures: Int, interval: Int) -> TimeInterval {
        min(Double(interval), 30 * pow(2, Double(min(failures, 10))))
    }

    /// A failure in words for the job's `lastError`: the message of our own errors, a summary
    /// of a database driver's.
    static func message(for error: any Error) -> String {
        switch error {
        case let error as CharthouseError: return error.message
        case let error as RegistryClientError: return error.message
        case let error as HelmFormatError: return error.message
        case let error as StoreError: return error.message
        default: return databaseErrorSummary(error) ?? "\(error)"
        }
    }
}
