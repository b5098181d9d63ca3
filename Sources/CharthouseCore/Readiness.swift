public import CharthouseStore

/// Whether this server can serve requests: its database answers (within a deadline).
public struct Readiness: Sendable {
    private let database: CharthouseDatabase

    public init(database: CharthouseDatabase) {
        self.database = database
    }

    /// Throws `unavailable` when the database does not answer.
    public func check() async throws {
        guard await database.isReachable() else { throw CharthouseError(.unavailable, "the database is not reachable") }
    }
}
