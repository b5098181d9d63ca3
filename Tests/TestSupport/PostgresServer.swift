import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A throwaway PostgreSQL server for the test process: `initdb` into a temporary directory, no
/// system service, listening on 127.0.0.1 on a free port, trust authentication, durability off
/// for speed. Started on first use; stopped (and its directory removed) when the tests end.
public actor PostgresServer {
    public static let shared = PostgresServer()

    private var port: Int?
    private var process: PeerProcess?
    private var databaseCounter = 0

    /// A new, empty schema in one database shared by the run, as a `postgres://…?search_path=`
    /// URL: what most tests use. A schema costs a few kB where a database is a 7 MB copy of
    /// template1, and a run has a hundred tests in flight at once.
    public func makeSchema() throws -> String {
        let port = try start()
        if !sharedDatabaseExists {
            try Shell.run([
                try Self.binary("psql"), "-h", "127.0.0.1", "-p", "\(port)", "-U", "postgres", "-q", "-c", "CREATE DATABASE charthouse_tests",
            ])
            sharedDatabaseExists = true
        }
        databaseCounter += 1
        return "postgres://postgres@127.0.0.1:\(port)/charthouse_tests?tlsmode=disable&search_path=t_\(getpid())_\(databaseCounter)"
    }

    private var sharedDatabaseExists = false

    /// A new, empty database on the shared server, as a `postgres://` URL: for a test that needs
    /// a database of its own (one that drops it under a running server).
    public func makeDatabase() throws -> String {
        let port = try start()
        databaseCounter += 1
        let name = "charthouse_\(getpid())_\(databaseCounter)"
        try Shell.run([try Self.binary("psql"), "-h", "127.0.0.1", "-p", "\(port)", "-U", "postgres", "-q", "-c", "CREATE DATABASE \(name)"])
        return "postgres://postgres@127.0.0.1:\(port)/\(name)?tlsmode=disable"
    }

    /// Drops a test's schema (or database) once the test is done with it. Best effort: the
    /// cluster goes at the end of the run anyway.
    public static func release(_ databaseURL: String?) async {
        guard let databaseURL else { return }
        if let schema = schema(of: databaseURL) {
            try? await shared.execute("DROP SCHEMA IF EXISTS \(schema) CASCADE", databaseURL: databaseURL)
        } else {
            try? await shared.dropDatabase(url: databaseURL)
        }
    }

    /// The `search_path` of a test URL.
    static func schema(of databaseURL: String) -> String? {
        URLComponents(string: databaseURL)?.queryItems?.first { $0.name == "search_path" }?.value
    }

    /// Runs `pg_dump` of a database, for checking what was stored.
    public func dump(databaseURL: String) throws -> String {
        let name = URL(string: databaseURL)?.path.dropFirst() ?? ""
        let port = try start()
        let schema = Self.schema(of: databaseURL).map { ["--schema=\($0)"] } ?? []
        return try Shell.run(
            [try Self.binary("pg_dump"), "-h", "127.0.0.1", "-p", "\(port)", "-U", "postgres", "--data-only"] + schema + [String(name)]
        ).stdout
    }

    /// Runs SQL statements in a database with psql, stopping at the first error.
    public func execute(_ sql: String, databaseURL: String) throws {
        let name = URL(string: databaseURL)?.path.dropFirst() ?? ""
        let port = try start()
        let searchPath = Self.schema(of: databaseURL).map { ["-c", "SET search_path TO \($0)"] } ?? []
        try Shell.run(
            [
                try Self.binary("psql"), "-h", "127.0.0.1", "-p", "\(port)", "-U", "postgres", "-q", "-v", "ON_ERROR_STOP=1", "-d", String(name),
            ] + searchPath + ["-c", sql]
        )
    }

    /// Drops a database while clients are connected, to make it unreachable.
    public func dropDatabase(url databaseURL: String) throws {
        let name = URL(string: databaseURL)?.path.dropFirst() ?? ""
        let port = try start()
        try Shell.run([
            try Self.binary("psql"), "-h", "127.0.0.1", "-p", "\(port)", "-U", "postgres", "-q", "-c", "DROP DATABASE \(name) WITH (FORCE)",
        ])
    }

    private func start() throws -> Int {
        if let port, process?.isRunning == true { return port }
        let initdb = try Self.binary("initdb")
        let postgres = try Self.binary("postgres")
        let scratch = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("charthouse-pg-\(getpid())-\(UUID().uuidString.prefix(8))")
        let data = scratch.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let user: String? = getuid() == 0 ? "postgres" : nil
        if let user { try Shell.run(["chown", "-R", user, scratch.path]) }
        let asUser: [String] = user.map { ["runuser", "-u", $0, "--"] } ?? []
        try Shell.run(asUser + [initdb, "-D", data.path, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C"])
        let port = try FreePort.next()
        let process = try PeerProcess(
            name: "postgresql",
            command: [
                postgres, "-D", data.path, "-p", "\(port)", "-k", scratch.path, "-c", "listen_addresses=127.0.0.1",
                "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=300",
                // CREATE DATABASE writes its 7 MB copy to the WAL: recycle it early (a run stays
                // near 60 MB instead of growing to several hundred).
                "-c", "max_wal_size=48MB", "-c", "min_wal_size=32MB",
            ],
            user: user,
            stopSignal: SIGINT,
            scratchDirectory: scratch,
            logFile: scratch.appendingPathComponent("postgres.log")
        )
        let isReady = try Self.binary("pg_isready")
        for _ in 0..<100 {
            if try Shell.run([isReady, "-q", "-h", "127.0.0.1", "-p", "\(port)"], check: false).status == 0 {
                self.port = port
                self.process = process
                return port
            }
            usleep(100_000)
        }
        let log = (try? String(contentsOf: scratch.appendingPathComponent("postgres.log"), encoding: .utf8)) ?? ""
        process.stop()
        throw PeerError("PostgreSQL did not become ready on port \(port): \(log.suffix(2000))")
    }

    /// PostgreSQL's server binaries live under /usr/lib/postgresql/<version>/bin on Debian.
    static func binary(_ name: String) throws -> String {
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).sorted {
            $0.compare($1, options: .numeric) == .orderedDescending
        }
        return try Shell.require(name, paths: versions.map { "\(root)/\($0)/bin" })
    }
}
