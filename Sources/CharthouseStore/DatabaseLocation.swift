import Foundation

/// Where the catalog database lives: an embedded SQLite file or a PostgreSQL server.
public enum DatabaseLocation: Sendable, Hashable, CustomStringConvertible {
    /// An SQLite database file at this path (created if missing).
    case sqlite(path: String)
    /// A PostgreSQL server, as `postgres://USER:PASS@HOST:PORT/DB`, optionally with
    /// `?search_path=SCHEMA`: Charthouse's tables then live in that schema (created if missing),
    /// so one database can hold several installations.
    case postgres(url: String)

    /// Parses `--database-url`: `postgres://…`/`postgresql://…`, or `sqlite:///path/to/file.sqlite`.
    public init(url: String) throws {
        if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
            self = .postgres(url: url)
            if let schema = Self.searchPath(url), !Self.isSchemaName(schema) {
                throw StoreError.invalidConfiguration(
                    "search_path \"\(schema)\" is not a schema name: 1–63 characters of a-z, 0-9 and _, not starting with a digit"
                )
            }
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

    /// The PostgreSQL schema named by `search_path` in the URL, if any.
    public var postgresSchema: String? {
        guard case .postgres(let url) = self else { return nil }
        return Self.searchPath(url)
    }

    /// The URL without `search_path` (what the driver is given; the schema is set on each connection).
    var postgresURLWithoutSchema: String? {
        guard case .postgres(let url) = self, var components = URLComponents(string: url) else { return nil }
        components.queryItems = components.queryItems?.filter { $0.name != "search_path" }
        if components.queryItems?.isEmpty == true { components.queryItems = nil }
        return components.string
    }

    static func searchPath(_ url: String) -> String? {
        URLComponents(string: url)?.queryItems?.first { $0.name == "search_path" }?.value
    }

    /// A schema name safe to use unquoted: lowercase letters, digits and `_`, not starting with a digit.
    static func isSchemaName(_ name: String) -> Bool {
        guard let first = name.utf8.first, (1...63).contains(name.utf8.count), !(48...57).contains(first) else { return false }
        return name.utf8.allSatisfy { (97...122).contains($0) || (48...57).contains($0) || $0 == 95 }
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
