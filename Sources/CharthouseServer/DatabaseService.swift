import CharthouseCore
import CharthouseStore
import Logging
import ServiceLifecycle

/// Keeps the database pool open while the server runs and closes it on graceful shutdown.
struct DatabaseService: Service, CustomStringConvertible {
    let database: CharthouseDatabase
    let logger: Logger

    /// Shown in lifecycle logs instead of a dump of the stores.
    var description: String { "DatabaseService(\(database.location))" }

    func run() async throws {
        try? await gracefulShutdown()
        do {
            try await database.shutdown()
        } catch {
            logger.warning("closing the database pool failed", metadata: .error(error))
        }
    }
}
