public import SQLKit

/// One step of the schema, applied once, in order, inside a transaction.
///
/// Every migration is written once for both engines: SQLKit builders and plain SQL that SQLite and
/// PostgreSQL both accept. Timestamps are `BIGINT` milliseconds since 1970, identifiers `TEXT`.
public protocol Migration: Sendable {
    /// A stable, unique name; recorded in `schema_migrations` once applied.
    var name: String { get }
    func apply(on database: any SQLDatabase) async throws
}

/// The schema's migrations, oldest first. Append; never edit or reorder a released one.
public enum Migrations {
    public static let all: [any Migration] = [
        CreateTenants(),
        CreateUsers(),
        CreateAccessTokens(),
        CreateRegistries(),
        CreateCatalog(),
        AddRegistryRepositories(),
        CreateChartFiles(),
        CreateHostedRepositories(),
        AddHostedSettings(),
        CreateProfiles(),
        AddCatalogManifestDigests(),
        CreateClusters(),
        AddChartContentFingerprints(),
        CreateDeployments(),
    ]
}
