public import Foundation
import SQLKit

/// The files of one chart archive, as the catalog shows them.
public struct ChartFilesRecord: Sendable, Hashable {
    /// The archive's digest, `sha256:<hex>`.
    public var digest: String
    public var chartYAML: String
    /// `values.yaml`, or `nil` when the chart has none.
    public var values: String?
    /// The README's file name inside the chart (`README.md`), when it has one.
    public var readmeName: String?
    public var readme: String?
    /// `values.schema.json`, or `nil` when the chart has none.
    public var schema: String?
    public var archiveSize: Int
    public var fetchedAt: Date
    /// SHA-256 (hex) of the chart's content (metadata, default values, templates); `""` when
    /// the archive holds no readable chart; `nil` for archives cached before it was computed.
    public var contentFingerprint: String?

    public init(
        digest: String,
        chartYAML: String,
        values: String?,
        readmeName: String?,
        readme: String?,
        schema: String?,
        archiveSize: Int,
        fetchedAt: Date,
        contentFingerprint: String? = nil
    ) {
        self.digest = digest
        self.chartYAML = chartYAML
        self.values = values
        self.readmeName = readmeName
        self.readme = readme
        self.schema = schema
        self.archiveSize = archiveSize
        self.fetchedAt = fetchedAt
        self.contentFingerprint = contentFingerprint
    }
}

/// Chart archive files cached by archive digest. Implemented by ``SQLChartFileStore``.
public protocol ChartFileStore: Sendable {
    func files(digest: String) async throws -> ChartFilesRecord?
    /// Stores the files of an archive; a digest already stored is left as it is (same bytes),
    /// except that a missing content fingerprint is filled in.
    func save(_ files: ChartFilesRecord) async throws
}

/// ``ChartFileStore`` over SQLite or PostgreSQL.
public struct SQLChartFileStore: ChartFileStore {
    private let database: CharthouseDatabase

    public init(database: CharthouseDatabase) {
        self.database = database
    }

    public func files(digest: String) async throws -> ChartFilesRecord? {
        try await database.withConnection { db in
            guard
                let row = try await db.raw(
                    """
                    SELECT digest, chart_yaml, values_yaml, readme_name, readme, values_schema, archive_size, fetched_at, content_fingerprint
                    FROM chart_files WHERE digest = \(bind: digest)
                    """
                ).first()
            else { return nil }
            return ChartFilesRecord(
                digest: try row.decode(column: "digest", as: String.self),
                chartYAML: try row.decode(column: "chart_yaml", as: String.self),
                values: try row.decode(column: "values_yaml", as: String?.self),
                readmeName: try row.decode(column: "readme_name", as: String?.self),
                readme: try row.decode(column: "readme", as: String?.self),
                schema: try row.decode(column: "values_schema", as: String?.self),
                archiveSize: Int(try row.decode(column: "archive_size", as: Int64.self)),
                fetchedAt: Timestamp.date(try row.decode(column: "fetched_at", as: Int64.self)),
                contentFingerprint: try row.decode(column: "content_fingerprint", as: String?.self)
            )
        }
    }

    public func save(_ files: ChartFilesRecord) async throws {
        try await database.withConnection { db in
            try await db.raw(
                """
                INSERT INTO chart_files (digest, chart_yaml, values_yaml, readme_name, readme, values_schema, archive_size, fetched_at,
                    content_fingerprint)
                VALUES (\(bind: files.digest), \(bind: files.chartYAML), \(bind: files.values), \(bind: files.readmeName), \(bind: files.readme),
                \(bind: files.schema), \(bind: Int64(files.archiveSize)), \(bind: Timestamp.from(files.fetchedAt)), \(bind: files.contentFingerprint))
                ON CONFLICT (digest) DO UPDATE SET content_fingerprint = excluded.content_fingerprint
                WHERE chart_files.content_fingerprint IS NULL
                """
            ).run()
        }
    }
}
