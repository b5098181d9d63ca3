import Foundation

/// Where the catalog database lives: an embedded SQLite file or a PostgreSQL server.
public enum DatabaseLocation: Sendable, Hashable, CustomStringConvertible {
    /// An SQLite database file at this path (created if missing).
    case sqlite(path: String)
    /// A PostgreSQL server, as `postgres://USER:PASS@HOST:PORT/DB`.
    case postgres(url: String)

    /// Parses `--database-url`: `postgres://…`/`postgresql://…`, or `sqlite:///path/to/file.sqlite`.
    public init(url: String) throws {
        if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
            self = .postgres(url: url)
        } else if url.hasPrefix("sqlite://") {
            let path = String(url.dropFirst("sqlite://".count))
            guard !path.isEmpty else { throw StoreError.invalidConfiguration("sqlite URL names no file: \(url)") }
            self = .sqlite(path: path)
        } else {
            throw StoreError.invalidConfiguration(
                "unsupported database URL scheme; use postgres://USER:PASS@HOST:PORT/DB or sqlite:///PATH"
            )
        }
    }

    /// The location with any password removed, fit for logs.
    public var description: String {
        switch self {
        case .sqlite(let path): return "sqlite://\(path)"
        case .postgres(let url):
            guard var components = URLComponents(string: url) else { return "postgres://(unparsable)" }
            if components.password != nil { components.password = "****" }
            return components.string ?? "postgres://(unparsable)"
        }
    }
}
