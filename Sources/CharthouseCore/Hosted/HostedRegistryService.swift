public import CharthouseStore
import Crypto
public import Foundation
import HelmFormats
public import Logging
public import NIOCore
import NIOPosix

/// The OCI side of hosted registries: who may pull and push where, blob uploads (monolithic,
/// chunked, mounted), manifests checked to be Helm charts, tags and the catalog.
///
/// Repositories are named `<namespace>/<path…>/<chart>`: the namespace is a tenant's name (its
/// hosted registry) or `system`. Members of a tenant pull from it, its admins push; everyone
/// signed in pulls from `system`, only the system administrator pushes there. Another tenant's
/// repositories answer `DENIED` exactly as names that do not exist, so nothing leaks.
public struct HostedRegistryService: Sendable {
    /// What a caller wants to do with a repository.
    public enum Action: Sendable { case pull, push }

    /// Size limits of what is pushed.
    public struct Limits: Sendable {
        public var maxBlobSize: Int64 = 1 << 30
        public var maxManifestSize = 4 << 20
        /// Chart archives are read whole to be checked: at most this large.
        public var maxChartSize = 20 << 20
        public init() {}
    }

    /// A repository the caller may use, with its hosted registry.
    public struct Target: Sendable {
        public let name: String
        public let registry: RegistryRecord
        /// `nil` until something was pushed to it.
        public let repository: HostedRepositoryRecord?
    }

    let stores: Stores
    let blobs: any BlobStore
    /// What a push may send.
    public let limits: Limits
    let hosted: any HostedStore
    /// Where clients reach this server: pull references, classic download URLs.
    public let urls: PublicURLs
    /// Rendered classic indexes and registries by namespace (see ``HostedIndexCache``).
    let indexes: HostedIndexCache
    let logger: Logger

    public init(
        stores: Stores,
        blobs: any BlobStore,
        limits: Limits = .init(),
        urls: PublicURLs = PublicURLs(),
        revalidateAfter: Duration = .seconds(1),
        logger: Logger = Logger(label: "charthouse.hosted")
    ) {
        self.logger = logger
        self.stores = stores
        self.blobs = blobs
        self.limits = limits
        self.hosted = stores.hosted
        self.urls = urls
        self.indexes = HostedIndexCache(revalidateAfter: revalidateAfter)
    }

    // MARK: - Access

    /// The repository `name` if the caller (`nil`: anonymous) may `action` it; creates it on push.
    public func target(_ name: String, caller: Caller?, action: Action) async throws -> Target {
        let registry = try await authorizedRegistry(name, caller: caller, action: action)
        let repository: HostedRepositoryRecord?
        switch action {
        case .pull: repository = try await hosted.repository(registryID: registry.id, name: name)
        case .push: repository = try await hosted.ensureRepository(registryID: registry.id, name: name)
        }
        return Target(name: name, registry: registry, repository: repository)
    }

    /// Whether the caller may `action` the repository `name` (nothing is created).
    public func allows(_ caller: Caller?, _ action: Action, repository name: String) async -> Bool {
        (try? await authorizedRegistry(name, caller: caller, action: action)) != nil
    }

    /// Whether `caller` (`nil`: anonymous) may `action` the hosted `registry`: its tenant's admins
    /// push and members pull; the system administrator pushes to `system`, everyone signed in
    /// pulls from it; anyone pulls from a registry marked public.
    public static func permits(_ caller: Caller?, _ action: Action, registry: RegistryRecord) -> Bool {
        switch action {
        case .pull:
            if registry.publicPull { return true }
            guard let caller else { return false }
            return registry.tenantID == nil || caller.tenantID == registry.tenantID
        case .push:
            guard let caller else { return false }
            return registry.tenantID == nil ? caller.isSystemAdmin : caller.tenantID == registry.tenantID && caller.role == .admin
        }
    }

    /// The hosted registry holding repository `name`, if the caller may `action` it.
    private func authorizedRegistry(_ name: String, caller: Caller?, action: Action) async throws -> RegistryRecord {
        guard OCIRepositoryName.isValid(name), name.contains("/"), name.count <= 255 else {
            throw HostedRegistryError(.nameInvalid, "invalid repository name \"\(name)\": <tenant>/<path>/<chart>, lowercase")
        }
        let denied = HostedRegistryError(.denied, "no \(action == .push ? "push" : "pull") access to repository \(name)")
        guard let registry = try await registry(namespace: String(name.prefix { $0 != "/" })),
            Self.permits(caller, action, registry: registry)
        else { throw denied }
        return registry
    }

    /// The hosted registry of a namespace: `system`, or a tenant's name.
    public func registry(namespace: String) async throws -> RegistryRecord? {
        try await stores.registries.findHosted(namespace: namespace)
    }

    /// One page of a listing: at most the asked number of names, and whether more follow.
    public struct Page: Sendable, Equatable {
        public let items: [String]
        public let hasMore: Bool
    }

    /// Repository names the caller may pull, in lexical order after `last`; `limit` (0 and up)
    /// is taken as given: the HTTP layer refuses or caps what a client asks.
    public func catalog(caller: Caller?, after last: String?, limit: Int) async throws -> Page {
        guard limit > 0 else { return Page(items: [], hasMore: false) }
        var registryIDs: [String] = []
        for registry in try await stores.registries.listHosted() where Self.permits(caller, .pull, registry: registry) {
            registryIDs.append(registry.id)
        }
        let names = try await hosted.repositoryNames(registryIDs: registryIDs, after: last, limit: limit + 1)
        return Page(items: Array(names.prefix(limit)), hasMore: names.count > limit)
    }

    // MARK: - Blobs

    /// A blob of the repository: its size and, for local storage, its file.
    public func blob(_ target: Target, digest: String) async throws -> (info: BlobInfo, path: String?) {
        guard BlobDigest.isValid(digest) else { throw HostedRegistryError(.digestInvalid, "invalid digest \"\(digest)\"") }
        guard let repository = target.repository, try await hosted.linkedBlob(repositoryID: repository.id, digest: digest) != nil,
            let info = try await blobs.info(digest: digest)
        else { throw HostedRegistryError(.blobUnknown, "blob \(digest) is not in \(target.name)") }
        return (info, blobs.localPath(digest: digest))
    }

    /// Opens an upload session in the repository.
    public func startUpload(_ target: Target) async throws -> String {
        guard let repository = target.repository else { throw HostedRegistryError(.nameUnknown, "repository \(target.name) is unknown") }
        let id = try await blobs.startUpload()
        try await hosted.startUpload(id: id, repositoryID: repository.id)
        return id
    }

    /// Appends to an upload; `offset`, when the client said where the bytes go, must be the end.
    public func appendUpload<Chunks: AsyncSequence & Sendable>(
        _ target: Target,
        upload: String,
        offset: Int64?,
        _ chunks: Chunks
    ) async throws -> Int64 where Chunks.Element == ByteBuffer {
        try await checkUpload(target, upload)
        if let offset {
            let size = try await blobs.uploadedSize(upload) ?? 0
            guard offset == size else {
                throw HostedRegistryError(.rangeInvalid, "the upload has \(size) bytes; a chunk starting at \(offset) does not continue it")
            }
        }
        do {
            return try await blobs.append(to: upload, chunks, limit: limits.maxBlobSize)
        } catch let error as BlobStoreError {
            throw Self.translate(error)
        }
    }

    /// The bytes received so far by an upload.
    public func uploadSize(_ target: Target, upload: String) async throws -> Int64 {
        try await checkUpload(target, upload)
        guard let size = try await blobs.uploadedSize(upload) else { throw HostedRegistryError(.blobUploadUnknown, "upload \(upload) is unknown") }
        return size
    }

    /// Appends the last bytes, checks the digest and stores the blob in the repository.
    public func finishUpload<Chunks: AsyncSequence & Sendable>(
        _ target: Target,
        upload: String,
        digest: String,
        _ chunks: Chunks
    ) async throws -> BlobInfo where Chunks.Element == ByteBuffer {
        let repository = try await checkUpload(target, upload)
        guard BlobDigest.isValid(digest) else { throw HostedRegistryError(.digestInvalid, "invalid digest \"\(digest)\"") }
        do {
            _ = try await blobs.append(to: upload, chunks, limit: limits.maxBlobSize)
            let info = try await blobs.finishUpload(upload, digest: digest)
            try await hosted.endUpload(id: upload)
            try await hosted.linkBlob(repositoryID: repository.id, digest: digest, size: info.size)
            return info
        } catch let error as BlobStoreError {
            if case .digestMismatch = error { try? await hosted.endUpload(id: upload) }
            throw Self.translate(error)
        }
    }

    /// Removes uploads abandoned before `date` (a client that died half-way): their session
    /// files and records. Returns how many sessions went.
    public func removeAbandonedUploads(before date: Date) async throws -> Int {
        let records = try await hosted.removeUploads(startedBefore: date)
        for id in records { try? await blobs.cancelUpload(id) }
        // Session files without a record (the process died between the two) go too.
        let orphans = try await blobs.removeStaleUploads(before: date)
        return max(records.count, orphans)
    }

    public func cancelUpload(_ target: Target, upload: String) async throws {
        try await checkUpload(target, upload)
        try? await blobs.cancelUpload(upload)
        try await hosted.endUpload(id: upload)
    }

    /// Makes a blob of `source` (which the caller may pull) part of the target too; false when
    /// the source does not hold it (the client then uploads it).
    public func mount(_ target: Target, digest: String, from source: String, caller: Caller?) async throws -> Bool {
        guard BlobDigest.isValid(digest), let repository = target.repository,
            let from = try? await self.target(source, caller: caller, action: .pull), let fromRepository = from.repository,
            let size = try await hosted.linkedBlob(repositoryID: fromRepository.id, digest: digest),
            try await blobs.info(digest: digest) != nil
        else { return false }
        try await hosted.linkBlob(repositoryID: repository.id, digest: digest, size: size)
        return true
    }

    /// The repository an upload belongs to, when it is the target's.
    @discardableResult
    private func checkUpload(_ target: Target, _ upload: String) async throws -> HostedRepositoryRecord {
        guard let repository = target.repository, UUID(uuidString: upload) != nil,
            try await hosted.uploadRepository(id: upload) == repository.id
        else { throw HostedRegistryError(.blobUploadUnknown, "upload \(upload) is unknown in \(target.name)") }
        return repository
    }

    private static func translate(_ error: BlobStoreError) -> HostedRegistryError {
        switch error {
        case .digestMismatch(let expected, let actual):
            return HostedRegistryError(.digestInvalid, "the uploaded bytes have digest \(actual), not \(expected)")
        case .invalidDigest(let digest): return HostedRegistryError(.digestInvalid, "invalid digest \"\(digest)\"")
        case .unknownUpload(let id): return HostedRegistryError(.blobUploadUnknown, "upload \(id) is unknown or busy")
        case .tooLarge(let limit): return HostedRegistryError(.sizeInvalid, "a blob may be at most \(limit) bytes")
        case .interrupted:
            return HostedRegistryError(.blobUploadInvalid, "the request body ended before all its bytes arrived; nothing of it was kept")
        }
    }

    // MARK: - Manifests

    /// A stored manifest by tag or digest.
    public func manifest(_ target: Target, reference: String) async throws -> HostedManifestRecord {
        let unknown = HostedRegistryError(.manifestUnknown, "manifest \(reference) is not in \(target.name)")
        guard let repository = target.repository else { throw unknown }
        let found =
            reference.hasPrefix("sha256:")
            ? try await hosted.manifest(repositoryID: repository.id, digest: reference)
            : try await hosted.manifest(repositoryID: repository.id, tag: reference)
        guard let found else { throw unknown }
        return found
    }

    /// Stores a manifest after checking it is a Helm chart whose blobs the repository holds, whose
    /// chart is named like the repository's last segment and whose version is the tag.
    public func putManifest(_ target: Target, reference: String, body: ByteBuffer, contentType: String?) async throws -> HostedManifestRecord {
        try await putManifest(target, reference: reference, body: body, contentType: contentType, checkedArchive: nil)
    }

    /// ``putManifest(_:reference:body:contentType:)``; `checkedArchive` is a chart layer (digest and
    /// metadata) the caller has just read with ``readChart(_:)``, so it is not read again.
    func putManifest(
        _ target: Target,
        reference: String,
        body: ByteBuffer,
        contentType: String?,
        checkedArchive: (digest: String, chart: IndexChartVersion)?
    ) async throws -> HostedManifestRecord {
        guard let repository = target.repository else { throw HostedRegistryError(.nameUnknown, "repository \(target.name) is unknown") }
        guard body.readableBytes <= limits.maxManifestSize else {
            throw HostedRegistryError(.sizeInvalid, "a manifest may be at most \(limits.maxManifestSize) bytes")
        }
        let digest = BlobDigest.of(body.readableBytesView)
        let isDigest = reference.hasPrefix("sha256:")
        if isDigest, reference != digest {
            throw HostedRegistryError(.digestInvalid, "the manifest's digest is \(digest), not \(reference)")
        }
        if !isDigest, !Self.isTag(reference) { throw HostedRegistryError(.manifestInvalid, "invalid tag \"\(reference)\"") }

        struct Descriptor: Decodable {
            let mediaType: String?
            let digest: String
            let size: Int64?
        }
        struct Manifest: Decodable {
            let schemaVersion: Int?
            let mediaType: String?
            let config: Descriptor?
            let layers: [Descriptor]?
            let annotations: [String: String]?
        }
        guard let manifest = try? JSONDecoder().decode(Manifest.self, from: Data(body.readableBytesView)), manifest.schemaVersion == 2,
            let config = manifest.config
        else { throw HostedRegistryError(.manifestInvalid, "not an OCI image manifest (schemaVersion 2 with a config)") }
        let mediaType =
            contentType.flatMap { $0.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } }
            ?? manifest.mediaType ?? HelmMediaType.ociManifest
        guard mediaType == HelmMediaType.ociManifest, config.mediaType == HelmMediaType.config else {
            throw HostedRegistryError(.manifestInvalid, "only Helm charts are stored here (config media type \(HelmMediaType.config))")
        }
        let layers = manifest.layers ?? []
        guard let chartLayer = layers.first(where: { $0.mediaType == HelmMediaType.chartContent }),
            layers.filter({ $0.mediaType == HelmMediaType.chartContent }).count == 1,
            layers.allSatisfy({ $0.mediaType == HelmMediaType.chartContent || $0.mediaType == HelmMediaType.provenance })
        else { throw HostedRegistryError(.manifestInvalid, "a Helm chart manifest has one chart layer (and at most a provenance layer)") }
        for descriptor in [config] + layers {
            guard BlobDigest.isValid(descriptor.digest),
                let size = try await hosted.linkedBlob(repositoryID: repository.id, digest: descriptor.digest)
            else { throw HostedRegistryError(.manifestBlobUnknown, "blob \(descriptor.digest) is not in \(target.name): push it first") }
            if let declared = descriptor.size, declared != size {
                throw HostedRegistryError(.manifestInvalid, "blob \(descriptor.digest) has \(size) bytes, the manifest says \(declared)")
            }
        }

        // The chart: its metadata from the config, its archive read with Helm's rules.
        guard let configBytes = try await blobs.read(digest: config.digest, limit: 1 << 20) else {
            throw HostedRegistryError(.manifestInvalid, "the Helm config blob is larger than 1 MiB")
        }
        let chartName = String(target.name.split(separator: "/").last ?? "")
        let chart: IndexChartVersion
        do {
            chart = try IndexChartVersion(entry: chartName, chartConfig: Data(configBytes.readableBytesView))
        } catch let error as HelmFormatError {
            throw HostedRegistryError(.manifestInvalid, error.message, cause: error)
        }
        guard chart.name == chartName else {
            throw HostedRegistryError(
                .manifestInvalid,
                "the chart is named \"\(chart.name)\" but the repository \(target.name) is for \"\(chartName)\""
            )
        }
        guard SemanticVersion(chart.version) != nil else {
            throw HostedRegistryError(.manifestInvalid, "chart version \"\(chart.version)\" is not SemVer")
        }
        if !isDigest, reference != ChartTag.tag(forVersion: chart.version) {
            throw HostedRegistryError(.manifestInvalid, "the tag \(reference) is not the chart's version \(chart.version)")
        }
        let metadata: IndexChartVersion
        if let checkedArchive, checkedArchive.digest == chartLayer.digest {
            metadata = checkedArchive.chart
        } else {
            guard let archive = try await blobs.read(digest: chartLayer.digest, limit: limits.maxChartSize) else {
                throw HostedRegistryError(.manifestInvalid, "the chart archive is larger than \(limits.maxChartSize) bytes")
            }
            do {
                metadata = try await Self.readChartOffLoop(archive)
            } catch let error as HelmFormatError {
                throw HostedRegistryError(.manifestInvalid, "the chart archive is not a valid chart: \(error.message)", cause: error)
            }
        }
        guard metadata.name == chart.name, metadata.version == chart.version else {
            throw HostedRegistryError(
                .manifestInvalid,
                "the archive's Chart.yaml says \(metadata.name) \(metadata.version), the config says \(chart.name) \(chart.version)"
            )
        }
        let record = HostedManifestRecord(
            repositoryID: repository.id,
            digest: digest,
            mediaType: mediaType,
            content: String(decoding: body.readableBytesView, as: UTF8.self),
            size: body.readableBytes,
            configDigest: config.digest,
            chartName: chart.name,
            chartVersion: chart.version,
            createdAt: Date()
        )
        // In the catalog at once (listed, searchable, its values and README readable), written
        // in the transaction that stores the manifest: a failure leaves neither behind.
        var change: @Sendable (any CatalogWriter) async throws -> Void = { @Sendable _ in }
        if !isDigest {
            var version = chart
            version.digest = chartLayer.digest
            version.created = manifest.annotations?["org.opencontainers.image.created"]
            _ = version.validate()
            let entry = CatalogVersionRecord(
                version,
                url: urls.ociReference(repository: target.name),
                semanticVersion: SemanticVersion(version.version),
                manifestDigest: record.digest
            )
            change = HostedCatalog.change(registryID: target.registry.id, upsert: [entry], remove: [])
        }
        // Versions are immutable unless the registry allows overwriting: a tag names one chart
        // archive, and a chart version lives in one repository of the registry.
        switch try await hosted.putManifest(
            record,
            tag: isDigest ? nil : reference,
            registryID: target.registry.id,
            decide: { [allowOverwrite = target.registry.allowOverwrite] facts in HostedRules.decide(facts, allowOverwrite: allowOverwrite) },
            catalog: change
        ) {
        case .stored: break
        case .tagTaken:
            throw HostedRegistryError(
                .conflict,
                "\(target.name):\(reference) is already stored and this registry does not allow overwriting; push a new version"
            )
        case .versionElsewhere(let repository):
            throw HostedRegistryError(.conflict, "\(chart.name) \(chart.version) is already stored in \(repository)")
        }
        indexes.invalidate(namespace: target.registry.hostedNamespace ?? "")
        await LayerStaleness.refresh(registryID: target.registry.id, stores: stores, logger: logger)
        return record
    }

    /// Deletes a manifest by digest and the tags pointing at it.
    public func deleteManifest(_ target: Target, digest: String) async throws {
        guard digest.hasPrefix("sha256:") else { throw HostedRegistryError(.unsupported, "delete a manifest by its digest") }
        guard let repository = target.repository, let manifest = try await hosted.manifest(repositoryID: repository.id, digest: digest)
        else {
            throw HostedRegistryError(.manifestUnknown, "manifest \(digest) is not in \(target.name)")
        }
        // The catalog lists the version the tag names: a manifest the tag moved away from (an
        // overwrite) goes without taking the version out of the catalog.
        let tagged = try await hosted.manifest(repositoryID: repository.id, tag: ChartTag.tag(forVersion: manifest.chartVersion))
        var change: @Sendable (any CatalogWriter) async throws -> Void = { @Sendable _ in }
        if tagged?.digest == digest {
            change = HostedCatalog.change(registryID: target.registry.id, upsert: [], remove: [(manifest.chartName, manifest.chartVersion)])
        }
        guard try await hosted.deleteManifest(repositoryID: repository.id, digest: digest, catalog: change) else {
            throw HostedRegistryError(.manifestUnknown, "manifest \(digest) is not in \(target.name)")
        }
        indexes.invalidate(namespace: target.registry.hostedNamespace ?? "")
        await LayerStaleness.refresh(registryID: target.registry.id, stores: stores, logger: logger)
    }

    /// ``readChart(_:)`` on a thread of the blocking pool: decompressing and parsing an archive
    /// (up to the chart size limit) must not hold an event loop every other request needs.
    static func readChartOffLoop(_ archive: ByteBuffer) async throws -> IndexChartVersion {
        try await NIOThreadPool.singleton.runIfActive { try readChart(archive) }
    }

    /// The metadata of a chart archive read with Helm's loader rules (links out of the chart
    /// refused), checked as helm checks a chart: apiVersion v1 or v2, a name, a SemVer version.
    static func readChart(_ archive: ByteBuffer) throws -> IndexChartVersion {
        let chartArchive = try archive.withUnsafeReadableBytes { bytes in
            try Result { () throws(HelmFormatError) in try ChartArchive(gzipped: bytes, limits: .init(strict: true)) }.get()
        }
        var metadata: IndexChartVersion
        do {
            metadata = try IndexChartVersion(chartYAML: chartArchive.chartYAML)
        } catch let error as HelmFormatError {
            throw HelmFormatError("Chart.yaml: \(error.message)")
        }
        guard ["v1", "v2"].contains(metadata.apiVersion) else {
            throw HelmFormatError("Chart.yaml: apiVersion \"\(metadata.apiVersion)\" is not v1 or v2")
        }
        if let reason = metadata.validate() { throw HelmFormatError("Chart.yaml: \(reason)") }
        return metadata
    }

    /// Tags of the repository in lexical order after `last`.
    public func tags(_ target: Target, after last: String?, limit: Int) async throws -> Page {
        guard let repository = target.repository else { throw HostedRegistryError(.nameUnknown, "repository \(target.name) is unknown") }
        guard limit > 0 else { return Page(items: [], hasMore: false) }
        let tags = try await hosted.tags(repositoryID: repository.id, after: last, limit: limit + 1)
        return Page(items: Array(tags.prefix(limit)), hasMore: tags.count > limit)
    }

    /// The distribution spec's tag grammar: `[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}`.
    static func isTag(_ tag: String) -> Bool {
        let bytes = Array(tag.utf8)
        guard (1...128).contains(bytes.count) else { return false }
        func word(_ byte: UInt8) -> Bool {
            (48...57).contains(byte) || (65...90).contains(byte) || (97...122).contains(byte) || byte == UInt8(ascii: "_")
        }
        return word(bytes[0]) && bytes.dropFirst().allSatisfy { word($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
    }
}
