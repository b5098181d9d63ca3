public import Foundation
import HelmFormats
import SQLKit

/// A repository of a hosted registry, by its full OCI name (`acme/charts/web`).
public struct HostedRepositoryRecord: Sendable, Hashable {
    public var id: String
    public var registryID: String
    public var name: String
    public var createdAt: Date

    public init(id: String, registryID: String, name: String, createdAt: Date) {
        self.id = id
        self.registryID = registryID
        self.name = name
        self.createdAt = createdAt
    }
}

/// A manifest stored in a hosted repository, with the Helm chart it carries.
public struct HostedManifestRecord: Sendable, Hashable {
    public var repositoryID: String
    public var digest: String
    public var mediaType: String
    /// The manifest exactly as pushed (its digest is over these bytes).
    public var content: String
    public var size: Int
    public var configDigest: String
    public var chartName: String
    public var chartVersion: String
    public var createdAt: Date

    public init(
        repositoryID: String,
        digest: String,
        mediaType: String,
        content: String,
        size: Int,
        configDigest: String,
        chartName: String,
        chartVersion: String,
        createdAt: Date
    ) {
        self.repositoryID = repositoryID
        self.digest = digest
        self.mediaType = mediaType
        self.content = content
        self.size = size
        self.configDigest = configDigest
        self.chartName = chartName
        self.chartVersion = chartVersion
        self.createdAt = createdAt
    }
}

/// What storing a manifest did.
public enum HostedPutOutcome: Sendable, Equatable {
    /// Stored; the tag pointed at `previous` before (if at all).
    case stored(previous: String?)
    /// The tag points at another manifest and may not move: nothing changed.
    case tagTaken(existing: String)
    /// The chart version is tagged in another repository of the registry: nothing changed.
    case versionElsewhere(repository: String)
}

/// What the store finds, inside a push's transaction, for the rules to decide on.
public struct HostedPushFacts: Sendable, Equatable {
    /// The manifest being pushed.
    public let digest: String
    /// Another repository of the registry whose tag holds the same chart version.
    public let versionElsewhere: String?
    /// The manifest the tag points at now, if any.
    public let taggedDigest: String?

    public init(digest: String, versionElsewhere: String?, taggedDigest: String?) {
        self.digest = digest
        self.versionElsewhere = versionElsewhere
        self.taggedDigest = taggedDigest
    }
}

/// The rules' answer to a push (Core decides; the store carries it out in the same transaction).
public enum HostedPushDecision: Sendable, Equatable {
    /// Store the manifest; with `movingTag`, point the tag at it even if it pointed elsewhere.
    case store(movingTag: Bool)
    /// Store nothing; answer this.
    case refuse(HostedPutOutcome)
}

/// A hosted registry's change counter.
public struct HostedRevision: Sendable, Hashable {
    public var revision: Int64
    public var changedAt: Date
}

/// A chart version stored in a hosted registry: its repository, tag and manifest.
public struct HostedChartManifest: Sendable, Hashable {
    public var repositoryName: String
    public var tag: String
    public var manifest: HostedManifestRecord
}

/// The OCI metadata of hosted registries: repositories, the blobs each holds, manifests, tags
/// and open uploads. Implemented by ``SQLHostedStore``; blob bytes live in a ``BlobStore``.
public protocol HostedStore: Sendable {
    /// The repository, created on first use (a push).
    func ensureRepository(registryID: String, name: String) async throws -> HostedRepositoryRecord
    func repository(registryID: String, name: String) async throws -> HostedRepositoryRecord?
    /// Names of the repositories of these registries that hold a manifest, in lexical order after `after`.
    func repositoryNames(registryIDs: [String], after: String?, limit: Int) async throws -> [String]

    /// Records that a repository holds a blob (after an upload or a mount).
    func linkBlob(repositoryID: String, digest: String, size: Int64) async throws
    /// The size of a blob the repository holds, or `nil`.
    func linkedBlob(repositoryID: String, digest: String) async throws -> Int64?

    func startUpload(id: String, repositoryID: String) async throws
    /// The repository an upload session belongs to, or `nil`.
    func uploadRepository(id: String) async throws -> String?
    func endUpload(id: String) async throws
    /// Forgets upload sessions started before `date`; returns their ids.
    func removeUploads(startedBefore date: Date) async throws -> [String]

    /// Stores a manifest (kept if the digest is already there) and points `tag` at it, in one
    /// transaction that also bumps the registry's revision. `decide` applies the rules to what the transaction finds (for a tagged push); `catalog`
    /// writes the registry's catalog change in the same transaction, after the registry's
    /// revision moved (which serializes pushes to one registry), so what it reads includes every
    /// push committed before it; it runs only when the manifest is stored.
    @discardableResult
    func putManifest(
        _ manifest: HostedManifestRecord,
        tag: String?,
        registryID: String,
        decide: @Sendable (HostedPushFacts) -> HostedPushDecision,
        catalog: @Sendable (any CatalogWriter) async throws -> Void
    ) async throws -> HostedPutOutcome
    /// The registry's change counter and when it last moved (`nil`: nothing was ever pushed).
    func revision(registryID: String) async throws -> HostedRevision?
    /// Every chart version of the registry (a manifest tagged with its chart's version), with its repository.
    func chartManifests(registryID: String) async throws -> [HostedChartManifest]
    /// The manifest tagged with a chart version in the registry, with its repository.
    func chartManifest(registryID: String, chart: String, version: String) async throws -> HostedChartManifest?
    /// The content of every stored manifest (for garbage collection: what blobs are referenced).
    func allManifestContents() async throws -> [String]
    /// Forgets every repository's link to these blobs (they are about to be deleted).
    func unlinkBlobs(_ digests: [String]) async throws
    func manifest(repositoryID: String, digest: String) async throws -> HostedManifestRecord?
    func manifest(repositoryID: String, tag: String) async throws -> HostedManifestRecord?
    /// Tags in lexical order, after `after`.
    func tags(repositoryID: String, after: String?, limit: Int) async throws -> [String]
    /// Deletes a manifest and every tag pointing at it, and writes the catalog change in the same
    /// transaction (as ``putManifest(_:tag:registryID:decide:catalog:)``); false when there was none.
    func deleteManifest(repositoryID: String, digest: String, catalog: @Sendable (any CatalogWriter) async throws -> Void) async throws -> Bool
}

/// ``HostedStore`` over SQLite or PostgreSQL.
public struct SQLHostedStore: HostedStore {
    private let database: CharthouseDatabase
    private static let manifestColumns =
        "repository_id, digest, media_type, content, size, config_digest, chart_name, chart_version, created_at"

    public init(database: CharthouseDatabase) {
        self.database = database
    }

    public func ensureRepository(registryID: String, name: String) async throws -> HostedRepositoryRecord {
        try await database.withConnection { db in
            let candidate = HostedRepositoryRecord(id: UUID().uuidString.lowercased(), registryID: registryID, name: name, createdAt: Date())
            try await db.raw(
                """
                INSERT INTO hosted_repositories (id, registry_id, name, created_at)
                VALUES (\(bind: candidate.id), \(bind: registryID), \(bind: name), \(bind: Timestamp.from(candidate.createdAt)))
                ON CONFLICT (registry_id, name) DO NOTHING
                """
            ).run()
            guard let row = try await Self.repositoryRow(db, registryID: registryID, name: name) else {
                throw StoreError.notFound("hosted repository \(name)")
            }
            return row
        }
    }

    public func repository(registryID: String, name: String) async throws -> HostedRepositoryRecord? {
        try await database.withConnection { db in try await Self.repositoryRow(db, registryID: registryID, name: name) }
    }

    private static func repositoryRow(_ db: any SQLDatabase, registryID: String, name: String) async throws -> HostedRepositoryRecord? {
        guard
            let row = try await db.raw(
                "SELECT id, registry_id, name, created_at FROM hosted_repositories WHERE registry_id = \(bind: registryID) AND name = \(bind: name)"
            ).first()
        else { return nil }
        return HostedRepositoryRecord(
            id: try row.decode(column: "id", as: String.self),
            registryID: try row.decode(column: "registry_id", as: String.self),
            name: try row.decode(column: "name", as: String.self),
            createdAt: Timestamp.date(try row.decode(column: "created_at", as: Int64.self))
        )
    }

    public func repositoryNames(registryIDs: [String], after: String?, limit: Int) async throws -> [String] {
        guard !registryIDs.isEmpty else { return [] }
        return try await database.withConnection { db in
            var query: SQLQueryString = "SELECT name FROM hosted_repositories WHERE registry_id IN ("
            query.appendInterpolation(binds: registryIDs)
            // A repository is listed once it holds a manifest: an upload begun and abandoned, or a
            // push refused, leaves nothing a client sees.
            query.appendInterpolation(
                unsafeRaw: ") AND EXISTS (SELECT 1 FROM hosted_manifests m WHERE m.repository_id = hosted_repositories.id)"
            )
            return try await Self.page(query, column: "name", after: after, limit: limit, on: db)
        }
    }

    public func linkBlob(repositoryID: String, digest: String, size: Int64) async throws {
        try await database.withConnection { db in
            try await db.raw(
                """
                INSERT INTO hosted_blob_links (repository_id, digest, size, created_at)
                VALUES (\(bind: repositoryID), \(bind: digest), \(bind: size), \(bind: Timestamp.now))
                ON CONFLICT (repository_id, digest) DO NOTHING
                """
            ).run()
        }
    }

    public func linkedBlob(repositoryID: String, digest: String) async throws -> Int64? {
        try await database.withConnection { db in
            try await db.raw("SELECT size FROM hosted_blob_links WHERE repository_id = \(bind: repositoryID) AND digest = \(bind: digest)")
                .first()?.decode(column: "size", as: Int64.self)
        }
    }

    public func startUpload(id: String, repositoryID: String) async throws {
        try await database.withConnection { db in
            try await db.raw(
                "INSERT INTO hosted_uploads (id, repository_id, created_at) VALUES (\(bind: id), \(bind: repositoryID), \(bind: Timestamp.now))"
            ).run()
        }
    }

    public func uploadRepository(id: String) async throws -> String? {
        try await database.withConnection { db in
            try await db.raw("SELECT repository_id FROM hosted_uploads WHERE id = \(bind: id)").first()?.decode(
                column: "repository_id",
                as: String.self
            )
        }
    }

    public func endUpload(id: String) async throws {
        try await database.withConnection { db in try await db.raw("DELETE FROM hosted_uploads WHERE id = \(bind: id)").run() }
    }

    public func removeUploads(startedBefore date: Date) async throws -> [String] {
        try await database.transaction { db in
            let cutoff = Timestamp.from(date)
            let ids = try await db.raw("SELECT id FROM hosted_uploads WHERE created_at < \(bind: cutoff)").all().map {
                try $0.decode(column: "id", as: String.self)
            }
            try await db.raw("DELETE FROM hosted_uploads WHERE created_at < \(bind: cutoff)").run()
            return ids
        }
    }

    public func putManifest(
        _ manifest: HostedManifestRecord,
        tag: String?,
        registryID: String,
        decide: @Sendable (HostedPushFacts) -> HostedPushDecision,
        catalog: @Sendable (any CatalogWriter) async throws -> Void
    ) async throws -> HostedPutOutcome {
        try await database.transaction { db in
            var previous: String?
            var movingTag = false
            if let tag {
                let elsewhere = try await db.raw(
                    """
                    SELECT r.name FROM hosted_tags t
                    JOIN hosted_manifests m ON m.repository_id = t.repository_id AND m.digest = t.digest
                    JOIN hosted_repositories r ON r.id = t.repository_id
                    WHERE r.registry_id = \(bind: registryID) AND r.id <> \(bind: manifest.repositoryID)
                    AND m.chart_name = \(bind: manifest.chartName) AND m.chart_version = \(bind: manifest.chartVersion)
                    """
                ).first()?.decode(column: "name", as: String.self)
                previous = try await db.raw(
                    "SELECT digest FROM hosted_tags WHERE repository_id = \(bind: manifest.repositoryID) AND tag = \(bind: tag)"
                ).first()?.decode(column: "digest", as: String.self)
                switch decide(HostedPushFacts(digest: manifest.digest, versionElsewhere: elsewhere, taggedDigest: previous)) {
                case .refuse(let outcome): return outcome
                case .store(let moving): movingTag = moving
                }
            }
            try await db.raw(
                """
                INSERT INTO hosted_manifests (\(unsafeRaw: Self.manifestColumns))
                VALUES (\(bind: manifest.repositoryID), \(bind: manifest.digest), \(bind: manifest.mediaType), \(bind: manifest.content),
                \(bind: Int64(manifest.size)), \(bind: manifest.configDigest), \(bind: manifest.chartName), \(bind: manifest.chartVersion),
                \(bind: Timestamp.from(manifest.createdAt)))
                ON CONFLICT (repository_id, digest) DO NOTHING
                """
            ).run()
            if let tag {
                // A tag that may not move is left alone, also when a concurrent push set it: the
                // check below sees it.
                let onConflict: SQLQueryString =
                    movingTag ? "DO UPDATE SET digest = excluded.digest, updated_at = excluded.updated_at" : "DO NOTHING"
                try await db.raw(
                    """
                    INSERT INTO hosted_tags (repository_id, tag, digest, updated_at)
                    VALUES (\(bind: manifest.repositoryID), \(bind: tag), \(bind: manifest.digest), \(bind: Timestamp.now))
                    ON CONFLICT (repository_id, tag) \(onConflict)
                    """
                ).run()
                let now = try await db.raw(
                    "SELECT digest FROM hosted_tags WHERE repository_id = \(bind: manifest.repositoryID) AND tag = \(bind: tag)"
                ).first()?.decode(column: "digest", as: String.self)
                if let now, now != manifest.digest { return .tagTaken(existing: now) }
            }
            try await Self.bumpRevision(registryID: registryID, on: db)
            try await catalog(SQLCatalogStore.Writer(registryID: registryID, db: db))
            return .stored(previous: previous)
        }
    }

    private static func bumpRevision(registryID: String, on db: any SQLDatabase) async throws {
        try await db.raw(
            """
            INSERT INTO hosted_revisions (registry_id, revision, changed_at) VALUES (\(bind: registryID), 1, \(bind: Timestamp.now))
            ON CONFLICT (registry_id) DO UPDATE SET revision = hosted_revisions.revision + 1, changed_at = excluded.changed_at
            """
        ).run()
    }

    public func revision(registryID: String) async throws -> HostedRevision? {
        try await database.withConnection { db in
            guard let row = try await db.raw("SELECT revision, changed_at FROM hosted_revisions WHERE registry_id = \(bind: registryID)").first()
            else { return nil }
            return HostedRevision(
                revision: try row.decode(column: "revision", as: Int64.self),
                changedAt: Timestamp.date(try row.decode(column: "changed_at", as: Int64.self))
            )
        }
    }

    private static var chartManifestQuery: SQLQueryString {
        let columns = manifestColumns.split(separator: ",").map { "m." + $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ", ")
        return """
            SELECT r.name AS repository_name, t.tag, \(unsafeRaw: columns) FROM hosted_tags t
            JOIN hosted_manifests m ON m.repository_id = t.repository_id AND m.digest = t.digest
            JOIN hosted_repositories r ON r.id = t.repository_id
            """
    }

    private static func decodeChartManifest(_ row: any SQLRow) throws -> HostedChartManifest {
        HostedChartManifest(
            repositoryName: try row.decode(column: "repository_name", as: String.self),
            tag: try row.decode(column: "tag", as: String.self),
            manifest: try decodeManifest(row)
        )
    }

    public func chartManifests(registryID: String) async throws -> [HostedChartManifest] {
        try await database.withConnection { db in
            var query = Self.chartManifestQuery
            query.appendLiteral(" WHERE r.registry_id = ")
            query.appendInterpolation(bind: registryID)
            // A chart version is the manifest tagged with that version (Helm's tag rule).
            return try await db.raw(query).all().map(Self.decodeChartManifest).filter {
                $0.tag == ChartTag.tag(forVersion: $0.manifest.chartVersion)
            }
        }
    }

    public func chartManifest(registryID: String, chart: String, version: String) async throws -> HostedChartManifest? {
        try await database.withConnection { db in
            var query = Self.chartManifestQuery
            query.appendLiteral(" WHERE r.registry_id = ")
            query.appendInterpolation(bind: registryID)
            query.appendLiteral(" AND m.chart_name = ")
            query.appendInterpolation(bind: chart)
            query.appendLiteral(" AND m.chart_version = ")
            query.appendInterpolation(bind: version)
            query.appendLiteral(" AND t.tag = ")
            query.appendInterpolation(bind: ChartTag.tag(forVersion: version))
            return try await db.raw(query).first().map(Self.decodeChartManifest)
        }
    }

    public func allManifestContents() async throws -> [String] {
        try await database.withConnection { db in
            try await db.raw("SELECT content FROM hosted_manifests").all().map { try $0.decode(column: "content", as: String.self) }
        }
    }

    public func unlinkBlobs(_ digests: [String]) async throws {
        guard !digests.isEmpty else { return }
        try await database.transaction { db in
            for chunk in stride(from: 0, to: digests.count, by: 500).map({ digests[$0..<min($0 + 500, digests.count)] }) {
                var query: SQLQueryString = "DELETE FROM hosted_blob_links WHERE digest IN ("
                query.appendInterpolation(binds: Array(chunk))
                query.appendLiteral(")")
                try await db.raw(query).run()
            }
        }
    }

    public func manifest(repositoryID: String, digest: String) async throws -> HostedManifestRecord? {
        try await database.withConnection { db in
            try await db.raw(
                "SELECT \(unsafeRaw: Self.manifestColumns) FROM hosted_manifests WHERE repository_id = \(bind: repositoryID) AND digest = \(bind: digest)"
            ).first().map(Self.decodeManifest)
        }
    }

    public func manifest(repositoryID: String, tag: String) async throws -> HostedManifestRecord? {
        try await database.withConnection { db in
            let columns = Self.manifestColumns.split(separator: ",").map { "m." + $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ", ")
            return try await db.raw(
                """
                SELECT \(unsafeRaw: columns) FROM hosted_tags t
                JOIN hosted_manifests m ON m.repository_id = t.repository_id AND m.digest = t.digest
                WHERE t.repository_id = \(bind: repositoryID) AND t.tag = \(bind: tag)
                """
            ).first().map(Self.decodeManifest)
        }
    }

    public func tags(repositoryID: String, after: String?, limit: Int) async throws -> [String] {
        try await database.withConnection { db in
            try await Self.page(
                "SELECT tag FROM hosted_tags WHERE repository_id = \(bind: repositoryID)",
                column: "tag",
                after: after,
                limit: limit,
                on: db
            )
        }
    }

    public func deleteManifest(
        repositoryID: String,
        digest: String,
        catalog: @Sendable (any CatalogWriter) async throws -> Void
    ) async throws -> Bool {
        try await database.transaction { db in
            let found =
                try await db.raw(
                    "SELECT digest FROM hosted_manifests WHERE repository_id = \(bind: repositoryID) AND digest = \(bind: digest)"
                ).first() != nil
            guard found else { return false }
            try await db.raw("DELETE FROM hosted_tags WHERE repository_id = \(bind: repositoryID) AND digest = \(bind: digest)").run()
            try await db.raw("DELETE FROM hosted_manifests WHERE repository_id = \(bind: repositoryID) AND digest = \(bind: digest)").run()
            if let registryID = try await db.raw("SELECT registry_id FROM hosted_repositories WHERE id = \(bind: repositoryID)").first()?
                .decode(column: "registry_id", as: String.self)
            {
                try await Self.bumpRevision(registryID: registryID, on: db)
                try await catalog(SQLCatalogStore.Writer(registryID: registryID, db: db))
            }
            return true
        }
    }

    /// One page of `query`'s `column` in lexical order after `after` (the distribution spec's `n`/`last`).
    private static func page(_ base: SQLQueryString, column: String, after: String?, limit: Int, on db: any SQLDatabase) async throws -> [String] {
        var query = base
        if let after {
            query.appendInterpolation(unsafeRaw: " AND \(column) > ")
            query.appendInterpolation(bind: after)
        }
        query.appendInterpolation(unsafeRaw: " ORDER BY \(column) LIMIT ")
        query.appendInterpolation(bind: limit)
        return try await db.raw(query).all().map { try $0.decode(column: column, as: String.self) }
    }

    private static func decodeManifest(_ row: any SQLRow) throws -> HostedManifestRecord {
        HostedManifestRecord(
            repositoryID: try row.decode(column: "repository_id", as: String.self),
            digest: try row.decode(column: "digest", as: String.self),
            mediaType: try row.decode(column: "media_type", as: String.self),
            content: try row.decode(column: "content", as: String.self),
            size: Int(try row.decode(column: "size", as: Int64.self)),
            configDigest: try row.decode(column: "config_digest", as: String.self),
            chartName: try row.decode(column: "chart_name", as: String.self),
            chartVersion: try row.decode(column: "chart_version", as: String.self),
            createdAt: Timestamp.date(try row.decode(column: "created_at", as: Int64.self))
        )
    }
}
