import CharthouseStore
import Crypto
import HelmFormats

extension CatalogVersionRecord {
    /// The catalog row of a chart version read from an index (classic) or a Helm config (OCI,
    /// hosted), with `url` where helm fetches it. Its fingerprint (SHA-256 of the metadata and
    /// the URL) tells a sync whether a stored row changed.
    init(_ version: IndexChartVersion, url: String, semanticVersion: SemanticVersion?, manifestDigest: String? = nil) {
        let metadata = version.metadataJSON
        var hasher = SHA256()
        var text = metadata
        text.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        hasher.update(data: [0])
        var location = url
        location.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        if var manifest = manifestDigest {
            hasher.update(data: [0])
            manifest.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        }
        let fingerprint = Hex.lowercase(hasher.finalize())
        self.init(
            chart: version.entry,
            version: version.version,
            appVersion: version.appVersion,
            description: version.description,
            digest: version.digest,
            url: url,
            created: version.created,
            deprecated: version.deprecated,
            prerelease: semanticVersion?.isPrerelease ?? false,
            metadata: metadata,
            fingerprint: fingerprint,
            manifestDigest: manifestDigest
        )
    }
}
