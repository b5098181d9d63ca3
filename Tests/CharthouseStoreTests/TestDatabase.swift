import CharthouseStore
import Foundation
import Logging
import TestSupport

/// A migrated, empty database on the engine under test (`CHARTHOUSE_TEST_DATABASE`), removed afterwards.
func withTestDatabase<R: Sendable>(_ body: @Sendable (CharthouseDatabase) async throws -> R) async throws -> R {
    let directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("charthouse-store-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let location: DatabaseLocation
    var postgresURL: String?
    switch TestServer.databaseEngine {
    case "postgres":
        postgresURL = try await PostgresServer.shared.makeSchema()
        location = .postgres(url: postgresURL ?? "")
    default: location = .sqlite(path: directory.appendingPathComponent("store.sqlite").path)
    }
    let database = try CharthouseDatabase.open(location, logger: Logger(label: "store-test"))
    do {
        try await Migrator(database: database, logger: Logger(label: "store-test")).migrate()
        let result = try await body(database)
        try await database.shutdown()
        await PostgresServer.release(postgresURL)
        return result
    } catch {
        try? await database.shutdown()
        await PostgresServer.release(postgresURL)
        throw error
    }
}
