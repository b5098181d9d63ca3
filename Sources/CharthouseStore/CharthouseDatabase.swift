import Foundation
public import Logging
import NIOCore
import NIOPosix
import PostgresKit
public import SQLKit
import SQLiteKit
import Synchronization

/// The database behind every store: a pool of SQLKit connections to SQLite or PostgreSQL.
///
/// All access goes through ``withConnection(_:)`` (one leased connection for a few statements) or
/// ``transaction(_:)`` (all statements commit together or not at all). SQLite is served by a
/// single connection in WAL mode, so writers never meet `SQLITE_BUSY`; PostgreSQL by a pool.
public struct CharthouseDatabase: Sendable {
    /// Which engine serves the database.
    public enum Engine: String, Sendable { case sqlite, postgres }

    public let engine: Engine
    public let location: DatabaseLocation
    private let leaser: any ConnectionLeaser

    private init(engine: Engine, location: DatabaseLocation, leaser: any ConnectionLeaser) {
        self.engine = engine
        self.location = location
        self.leaser = leaser
    }

    /// Opens a pool for `location`; no connection is made until the first query.
    public static func open(_ location: DatabaseLocation, logger: Logger) throws -> CharthouseDatabase {
        switch location {
        case .sqlite(let path):
            let source = SQLiteConnectionSource(configuration: .init(storage: .file(path: path), enableForeignKeys: true))
            let pool = EventLoopGroupConnectionPool(
                source: source,
                maxConnectionsPerEventLoop: 1,
                requestTimeout: .seconds(60),
                pruneInterval: nil,
                logger: logger,
                on: MultiThreadedEventLoopGroup.singleton.next()
            )
            return .init(engine: .sqlite, location: location, leaser: PooledLeaser(pool: pool) { $0.sql(queryLogLevel: .trace) })
        case .postgres(let url):
            var configuration: SQLPostgresConfiguration
            do {
                configuration = try SQLPostgresConfiguration(url: location.postgresURLWithoutSchema ?? url)
            } catch {
                throw StoreError.invalidConfiguration("cannot parse the PostgreSQL URL \(location)")
            }
            if let schema = location.postgresSchema { configuration.searchPath = [schema] }
            let pool = EventLoopGroupConnectionPool(
                source: PostgresConnectionSource(sqlConfiguration: configuration),
                maxConnectionsPerEventLoop: 4,
                requestTimeout: .seconds(30),
                pruneInterval: .seconds(60),
                logger: logger,
                on: MultiThreadedEventLoopGroup.singleton
            )
            return .init(engine: .postgres, location: location, leaser: PooledLeaser(pool: pool) { $0.sql(queryLogLevel: .trace) })
        }
    }

    /// Runs `body` with one connection leased from the pool.
    public func withConnection<R: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await leaser.withConnection(body)
    }

    /// Runs `body` in one transaction: it commits when `body` returns and rolls back when it throws.
    public func transaction<R: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await leaser.withConnection { db in
            try await db.raw("BEGIN").run()
            do {
                let result = try await body(db)
                try await db.raw("COMMIT").run()
                return result
            } catch {
                try? await db.raw("ROLLBACK").run()
                throw error
            }
        }
    }

    /// Makes the database ready for the server: on SQLite the journal settings (WAL lets readers
    /// work beside a sync's write; with WAL, `synchronous=NORMAL` keeps every commit safe against
    /// a crash of the process and syncs the log only at checkpoints; a 7 MB page cache), then
    /// every pending migration.
    public func prepare(logger: Logger) async throws {
        if engine == .sqlite {
            try await withConnection { db in
                try await db.raw("PRAGMA journal_mode=WAL").run()
                try await db.raw("PRAGMA synchronous=NORMAL").run()
                try await db.raw("PRAGMA cache_size=-7000").run()
            }
        }
        try await Migrator(database: self, logger: logger).migrate()
    }

    /// Answers whether the database responds to a trivial query within `timeout`.
    public func isReachable(timeout: Duration = .seconds(5)) async -> Bool {
        do {
            try await Self.withDeadline(timeout) { try await self.withConnection { db in try await db.raw("SELECT 1").run() } }
            return true
        } catch {
            return false
        }
    }

    /// Closes every pooled connection; gives up waiting after `timeout` (a database that vanished
    /// can leave a connection that never finishes closing), so a shutdown always ends.
    public func shutdown(timeout: Duration = .seconds(10)) async throws {
        try await Self.withDeadline(timeout) { try await self.leaser.shutdown() }
    }

    /// `body`'s result, or ``StoreError/unavailable(_:)`` once `timeout` passed first. `body`
    /// is not waited for after that (a pool's future cannot be cancelled): it ends on its own.
    static func withDeadline<R: Sendable>(_ timeout: Duration, _ body: @escaping @Sendable () async throws -> R) async throws -> R {
        let once = Once()
        return try await withCheckedThrowingContinuation { continuation in
            Task {
                do {
                    let result = try await body()
                    if once.claim() { continuation.resume(returning: result) }
                } catch {
                    if once.claim() { continuation.resume(throwing: error) }
                }
            }
            Task {
                try? await Task.sleep(for: timeout)
                if once.claim() { continuation.resume(throwing: StoreError.unavailable("the database did not answer within \(timeout)")) }
            }
        }
    }

    /// True for the first caller only.
    private final class Once: Sendable {
        private let done = Mutex(false)
        func claim() -> Bool {
            done.withLock { done in
                defer { done = true }
                return !done
            }
        }
    }
}

/// Leases one connection at a time from a pool; erases the pool's source type.
private protocol ConnectionLeaser: Sendable {
    func withConnection<R: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> R) async throws -> R
    func shutdown() async throws
}

private struct PooledLeaser<Source: ConnectionPoolSource>: ConnectionLeaser where Source.Connection: Sendable {
    private let box: PoolBox<Source>
    private let makeDatabase: @Sendable (Source.Connection) -> any SQLDatabase
    private var pool: EventLoopGroupConnectionPool<Source> { box.pool }

    init(pool: EventLoopGroupConnectionPool<Source>, makeDatabase: @escaping @Sendable (Source.Connection) -> any SQLDatabase) {
        self.box = PoolBox(pool: pool)
        self.makeDatabase = makeDatabase
    }

    func withConnection<R: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        let connection: Source.Connection
        do {
            connection = try await pool.requestConnection().get()
        } catch {
            throw StoreError.unavailable("database unreachable: \(error)")
        }
        defer { pool.releaseConnection(connection) }
        do {
            return try await body(makeDatabase(connection))
        } catch let error as PSQLError where SQLErrors.isUnstorableText(error) {
            // PostgreSQL takes no NUL character in text (SQLite does): refused the same on both.
            throw StoreError.invalidText("text must not contain NUL (\\u0000) characters")
        }
    }

    func shutdown() async throws {
        try await pool.shutdownAsync()
    }
}

/// Carries an AsyncKit pool across tasks.
///
/// `@unchecked Sendable` is sound here: the pool's per-loop storage is fixed at init, its shutdown
/// flag is guarded by its lock, and every request and release hops onto the owning event loop
/// (`EventLoopConnectionPool.requestConnection` / `releaseConnection` check `inEventLoop` and
/// `execute` otherwise), so no state is touched from two threads.
private final class PoolBox<Source: ConnectionPoolSource>: @unchecked Sendable {
    let pool: EventLoopGroupConnectionPool<Source>
    init(pool: EventLoopGroupConnectionPool<Source>) { self.pool = pool }
}
