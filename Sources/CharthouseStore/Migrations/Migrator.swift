public import Logging
import SQLKit

/// Applies pending ``Migration``s at start-up, each in its own transaction.
///
/// On PostgreSQL a session advisory lock keeps two replicas starting together from racing (one
/// lock per schema, when the database URL names one; the schema is created if missing).
public struct Migrator: Sendable {
    private let database: CharthouseDatabase
    private let migrations: [any Migration]
    private let logger: Logger
    /// Arbitrary constant naming Charthouse's migration lock among PostgreSQL advisory locks.
    private static let advisoryLockKey = 0x6368_6172_7468

    /// A stable 32-bit FNV-1a hash of the schema name (0 without one), so each schema has its own lock.
    static func fingerprint(_ schema: String?) -> Int {
        guard let schema else { return 0 }
        var hash: UInt32 = 2_166_136_261
        for byte in schema.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        return Int(hash)
    }

    public init(database: CharthouseDatabase, migrations: [any Migration] = Migrations.all, logger: Logger) {
        self.database = database
        self.migrations = migrations
        self.logger = logger
    }

    /// Applies every migration not yet recorded; returns the names applied now.
    @discardableResult
    public func migrate() async throws -> [String] {
        let usesAdvisoryLock = database.engine == .postgres
        let migrations = self.migrations
        let logger = self.logger
        let schema = database.location.postgresSchema
        let lockKey = Self.advisoryLockKey ^ Self.fingerprint(schema)
        return try await database.withConnection { db in
            if usesAdvisoryLock { try await db.raw("SELECT pg_advisory_lock(\(literal: lockKey))").run() }
            do {
                // Under the lock: two replicas creating one schema at once would collide. The name
                // was checked when the URL was read (a-z, 0-9, _), so it is safe unquoted.
                if let schema { try await db.raw("CREATE SCHEMA IF NOT EXISTS \(unsafeRaw: schema)").run() }
                let applied = try await Self.migrate(migrations, on: db, logger: logger)
                if usesAdvisoryLock { try await db.raw("SELECT pg_advisory_unlock(\(literal: lockKey))").run() }
                return applied
            } catch {
                if usesAdvisoryLock { try? await db.raw("SELECT pg_advisory_unlock(\(literal: lockKey))").run() }
                throw error
            }
        }
    }

    private static func migrate(_ migrations: [any Migration], on db: any SQLDatabase, logger: Logger) async throws -> [String] {
        try await db.create(table: "schema_migrations")
            .ifNotExists()
            .column("name", type: .text, .primaryKey(autoIncrement: false))
            .column("applied_at", type: .bigint, .notNull)
            .run()
        let done = Set(try await db.select().column("name").from("schema_migrations").all().map { try $0.decode(column: "name", as: String.self) })
        var applied: [String] = []
        for migration in migrations where !done.contains(migration.name) {
            try await db.raw("BEGIN").run()
            do {
                try await migration.apply(on: db)
                try await db.insert(into: "schema_migrations")
                    .columns("name", "applied_at")
                    .values(SQLBind(migration.name), SQLBind(Timestamp.now))
                    .run()
                try await db.raw("COMMIT").run()
            } catch {
                try? await db.raw("ROLLBACK").run()
                throw error
            }
            logger.info("applied migration", metadata: ["migration": .string(migration.name)])
            applied.append(migration.name)
        }
        return applied
    }
}
