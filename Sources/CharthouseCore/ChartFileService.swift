public import CharthouseStore
import Crypto
import Foundation
public import HelmFormats
import NIOCore
import RegistryClient

/// A chart version's values, README and schema, read from its archive: fetched from the
/// registry on first request (with the registry's credentials, sent only where helm would send
/// them), checked against the catalog's digest, read with Helm's archive rules, and cached by the
/// archive's digest so each archive is fetched once.
public struct ChartFileService: Sendable {
    private let stores: Stores
    private let registries: RegistryService
    private let catalog: CatalogService
    private let policy: RegistryPolicy
    private let limits: ChartArchive.Limits
    /// Where hosted registries keep their chart archives.
    private let blobs: (any BlobStore)?
    private let flights = SingleFlight<ChartFilesRecord>()

    public init(
        stores: Stores,
        registries: RegistryService,
        catalog: CatalogService,
        policy: RegistryPolicy,
        blobs: (any BlobStore)? = nil,
        limits: ChartArchive.Limits = .init()
    ) {
        self.stores = stores
        self.registries = registries
        self.catalog = catalog
        self.policy = policy
        self.blobs = blobs
        self.limits = limits
    }

    /// The files of a chart version of a registry the caller can see. With `needingContent`, a
    /// cached archive read before content fingerprints were kept is read again.
    public func files(
        registryID: String,
        chart: String,
        version: String,
        caller: Caller,
        needingContent: Bool = false
    ) async throws
        -> ChartFilesRecord
    {
        let record = try await catalog.version(registryID: registryID, chart: chart, version: version, caller: caller)
        let registry = try await registries.visibleRecord(id: registryID, caller: caller)
        let expected = Self.sha256Digest(record.digest)
        if let expected, let cached = try await stores.chartFiles.files(digest: expected), !needingContent || cached.contentFingerprint != nil {
            return cached
        }
        let key = expected ?? "\(registry.id)\u{0}\(record.chart)\u{0}\(record.version)"
        let stores = self.stores
        let policy = self.policy
        let limits = self.limits
        let blobs = self.blobs
        return try await flights.run(key: key) {
            // A fetch that finished between the check above and this flight has cached it.
            if let expected, let cached = try await stores.chartFiles.files(digest: expected), !needingContent || cached.contentFingerprint != nil {
                return cached
            }
            return try await Self.fetch(record, of: registry, expected: expected, stores: stores, policy: policy, blobs: blobs, limits: limits)
        }
    }

    private static func fetch(
        _ record: CatalogVersionRecord,
        of registry: RegistryRecord,
        expected: String?,
        stores: Stores,
        policy: RegistryPolicy,
        blobs: (any BlobStore)?,
        limits: ChartArchive.Limits
    ) async throws -> ChartFilesRecord {
        let options = registry.connectionOptions(policy: policy, maxBodySize: policy.maxChartSize)
        let credentials = try registry.credentials(sealer: stores.sealer)
        let source: String
        let body: ByteBuffer
        do {
            if registry.kind == .hosted {
                // Our own storage: the chart layer by its digest.
                guard let expected, let blobs, let stored = try await blobs.read(digest: expected, limit: policy.maxChartSize) else {
                    throw CharthouseError.notFound("the chart archive of \(record.chart) \(record.version)")
                }
                source = "\(record.url)@\(expected)"
                body = stored
            } else {
                switch try RegistryEndpoint(parsing: registry.endpoint) {
                case .classic:
                    guard !record.url.isEmpty else {
                        throw CharthouseError(.unprocessable, "\(record.chart) \(record.version) has no download URL in the index")
                    }
                    source = record.url
                    // As helm: the repository's credentials go only to its own scheme and host.
                    let sameOrigin = Self.origin(record.url) == Self.origin(registry.endpoint)
                    body = try await ClassicRepositoryClient(options: options).fetchArchive(
                        url: record.url,
                        credentials: sameOrigin ? credentials : .anonymous
                    )
                case .oci(let host, _):
                    guard let expected, record.url.hasPrefix("oci://\(host)/") else {
                        throw CharthouseError(.unprocessable, "\(record.chart) \(record.version) has no chart layer digest in the catalog")
                    }
                    let repository = String(record.url.dropFirst("oci://\(host)/".count))
                    source = "\(record.url)@\(expected)"
                    body = try await OCIRegistryClient(options: options).fetchBlob(
                        host: host,
                        repository: repository,
                        digest: expected,
                        credentials: credentials
                    )
                }
            }
        } catch let error as RegistryClientError {
            throw CharthouseError(.badGateway, "cannot fetch the chart archive of \(record.chart) \(record.version): \(error.message)", cause: error)
        } catch let error as HelmFormatError {
            throw CharthouseError(.unprocessable, "invalid endpoint: \(error.message)", cause: error)
        }
        let actual = BlobDigest.of(body.readableBytesView)
        if let expected, expected != actual {
            throw CharthouseError(
                .badGateway,
                "digest mismatch: the catalog says \(expected) for \(record.chart) \(record.version), but \(source) is \(actual); nothing was cached"
            )
        }
        let archive: ChartArchive
        do {
            archive = try body.withUnsafeReadableBytes { bytes in
                try Result { () throws(HelmFormatError) in try ChartArchive(gzipped: bytes, limits: limits, includeTemplates: true) }.get()
            }
        } catch let error as HelmFormatError {
            throw CharthouseError(.badGateway, "the chart archive at \(source) is not a valid chart: \(error.message)", cause: error)
        }
        let files = ChartFilesRecord(
            digest: actual,
            chartYAML: archive.chartYAML,
            values: archive.values?.text,
            readmeName: archive.readme?.name,
            readme: archive.readme?.text,
            schema: archive.schema?.text,
            archiveSize: body.readableBytes,
            fetchedAt: Date(),
            // "" marks an archive whose chart content is unreadable, so it is not fetched again.
            contentFingerprint: (try? ChartContent(archive: archive)).map { Hex.lowercase(SHA256.hash(data: $0.codeBytes)) } ?? ""
        )
        try await stores.chartFiles.save(files)
        return files
    }

    /// `sha256:<hex>` for a digest as an index or OCI manifest gives it (bare hex or prefixed),
    /// or `nil` when it is not a SHA-256 digest (nothing to check the archive against).
    static func sha256Digest(_ digest: String) -> String? { BlobDigest.canonical(digest) }

    /// `scheme://host:port` of a URL, lowercased, for helm's same-origin rule.
    static func origin(_ url: String) -> String? {
        guard let components = URLComponents(string: url), let scheme = components.scheme, let host = components.host else { return nil }
        let port = components.port ?? (scheme.lowercased() == "https" ? 443 : scheme.lowercased() == "http" ? 80 : 0)
        return "\(scheme.lowercased())://\(host.lowercased()):\(port)"
    }
}
