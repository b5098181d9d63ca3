import CharthouseCore
import Logging
import ServiceLifecycle

/// Runs a piece of housekeeping on an interval, off the request path (purging expired tokens,
/// removing abandoned uploads); a failure is logged and the next round tries again; stops on
/// graceful shutdown.
struct PeriodicService: Service, CustomStringConvertible {
    /// What the work is, for logs.
    let name: String
    let interval: Duration
    let logger: Logger
    /// Does one round; returns how many things it removed, for the log.
    let work: @Sendable () async throws -> Int

    /// Shown in lifecycle logs instead of a dump of what `work` captured (the stores hold the secret sealer).
    var description: String { "PeriodicService(\(name), every \(interval))" }

    func run() async throws {
        let (name, interval, logger, work) = (self.name, self.interval, self.logger, self.work)
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: interval)
                do {
                    let count = try await work()
                    if count > 0 { logger.info("\(name): done", metadata: ["count": .stringConvertible(count)]) }
                } catch {
                    logger.warning("\(name) failed", metadata: .error(error))
                }
            }
        }
    }
}
