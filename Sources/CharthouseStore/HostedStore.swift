import Foundation
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

/// The OCI metadata of hosted registries: repositories, the blobs each holds, manifests, tags
/// and open uploads. Implemented by ``SQLHostedStore``; blob bytes live in a ``BlobStore``.
public protocol HostedStore: Sendable {
    /// The repository, created on first use (a push).
    func ensureRepository(registryID: String, name: String) async throws -> HostedRepositoryRecord
    func repository(registryID: String, name: String) async throws -> HostedRepositoryRecord?
    /// Repository names of these registries in lexical order, after `after`.
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
    /// transaction; returns the digest the tag pointed to before, if any.
    @discardableResult
    func putManifest(_ manifest: HostedManifestRecord, tag: String?) async throws -> String?
    func manifest(repositoryID: String, digest: String) async throws -> HostedManifestRecord?
    func manifest(repositoryID: String, tag: String) async throws -> HostedManifestRecord?
    /// Tags in lexical order, after `after`.
    func tags(repositoryID: String, after: String?, limit: Int) async throws -> [String]
    /// Deletes a manifest and every tag pointing at it; false when there was none.
    func deleteManifest(repositoryID: String, digest: String) async throws -> Bool
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
            query.appendInterpolation(unsafeRaw: ")")
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

    public func putManifest(_ manifest: HostedManifestRecord, tag: String?) async throws -> String? {
        try await database.transaction { db in
            try await db.raw(
                """
                INSERT INTO hosted_manifests (\(unsafeRaw: Self.manifestColumns))
                VALUES (\(bind: manifest.repositoryID), \(bind: manifest.digest), \(bind: manifest.mediaType), \(bind: manifest.content),
                \(bind: Int64(manifest.size)), \(bind: manifest.configDigest), \(bind: manifest.chartName), \(bind: manifest.chartVersion),
                \(bind: Timestamp.from(manifest.createdAt)))
                ON CONFLICT (repository_id, digest) DO NOTHING
                """
            ).run()
            guard let tag else { return nil }
            let previous = try await db.raw(
                "SELECT digest FROM hosted_tags WHERE repository_id = \(bind: manifest.repositoryID) AND tag = \(bind: tag)"
            ).first()?.decode(column: "digest", as: String.self)
            try await db.raw(
                """
                INSERT INTO hosted_tags (repository_id, tag, digest, updated_at)
                VALUES (\(bind: manifest.repositoryID), \(bind: tag), \(bind: manifest.digest), \(bind: Timestamp.now))
                ON CONFLICT (repository_id, tag) DO UPDATE SET digest = excluded.digest, updated_at = excluded.updated_at
                """
            ).run()
            return previous
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

    public func deleteManifest(repositoryID: String, digest: String) async throws -> Bool {
        try await database.transaction { db in
            let found =
                try await db.raw(
                    "SELECT digest FROM hosted_manifests WHERE repository_id = \(bind: repositoryID) AND digest = \(bind: digest)"
                ).first() != nil
            guard found else { return false }
            try await db.raw("DELETE FROM hosted_tags WHERE repository_id = \(bind: repositoryID) AND digest = \(bind: digest)").run()
            try await db.raw("DELETE FROM hosted_manifests WHERE repository_id = \(bind: repositoryID) AND digest = \(bind: digest)").run()
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
