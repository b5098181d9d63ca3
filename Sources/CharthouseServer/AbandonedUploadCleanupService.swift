import CharthouseCore
import Foundation
import Logging
import ServiceLifecycle

/// Removes hosted-registry uploads that were started and never finished (the client died or gave
/// up) once they are older than `maxAge`, on an interval; stops on graceful shutdown.
struct AbandonedUploadCleanupService: Service, CustomStringConvertible {
    let hosted: HostedRegistryService
    let interval: Duration
    let maxAge: TimeInterval
    let logger: Logger

    var description: String { "AbandonedUploadCleanupService(every \(interval))" }

    func run() async throws {
        let hosted = self.hosted
        let interval = self.interval
        let maxAge = self.maxAge
        let logger = self.logger
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let removed = try await hosted.removeAbandonedUploads(before: Date().addingTimeInterval(-maxAge))
                    if removed > 0 { logger.info("removed abandoned uploads", metadata: ["count": .stringConvertible(removed)]) }
                } catch {
                    logger.warning("removing abandoned uploads failed", metadata: ["error.type": .string(String(reflecting: type(of: error)))])
                }
                try await Task.sleep(for: interval)
            }
        }
    }
}
