import CharthouseCore
import Logging
import ServiceLifecycle

/// Deletes expired session and API tokens on an interval, off the request path; stops on graceful shutdown.
struct ExpiredTokenPurgeService: Service, CustomStringConvertible {
    let access: AccessService
    let interval: Duration
    let logger: Logger

    /// Shown in lifecycle logs instead of a dump of the stores (which hold the secret sealer).
    var description: String { "ExpiredTokenPurgeService(every \(interval))" }

    func run() async throws {
        let access = self.access
        let interval = self.interval
        let logger = self.logger
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: interval)
                do {
                    let purged = try await access.purgeExpiredTokens()
                    if purged > 0 { logger.debug("purged expired tokens", metadata: ["count": .stringConvertible(purged)]) }
                } catch {
                    logger.warning("purging expired tokens failed", metadata: ["error.type": .string(String(reflecting: type(of: error)))])
                }
            }
        }
    }
}
