import CharthouseStore
import Crypto
import Foundation
import HelmFormats
import Logging
import RegistryClient

/// The OCI source of a sync: a registry's repositories under the endpoint's path, their tags and
/// the Helm configs of tags not yet in the catalog.
extension CatalogSyncEngine {
    /// OCI: repositories under the path (catalog), their tags; only new tags cost a manifest and
    /// a config read, known ones keep their stored record — except versions that profile layers
    /// pin, read again so that a tag pushed anew is noticed (and the layers marked stale).
    func ociListing(
        _ registry: RegistryRecord,
        host: String,
        path: String,
        options: RegistryConnectionOptions
    ) async throws -> Listing {
        let known = Dictionary(
            try await stores.catalog.allVersions(registryID: registry.id).map { (CatalogDiff.key(chart: $0.chart, version: $0.version), $0) },
            uniquingKeysWith: { _, last in last }
        )
        let pinned = Set(try await stores.profiles.layers(registryID: registry.id).map { CatalogDiff.key(chart: $0.chart, version: $0.version) })
        let concurrency = settings.ociConcurrency
        let records = try await OCIChartBrowser.browse(host: host, credentials: try credentials(of: registry), options: options) { browser in
            let repositories: [String]
            if !registry.repositories.isEmpty {
                repositories = registry.repositories.map { RegistryRecord.repositoryName($0, under: path) }
            } else if let listed = try await browser.repositories(under: path) {
                repositories = listed
            } else {
                throw CharthouseError(
                    .unprocessable,
                    "the registry refuses to list its repositories (catalog); name them in the registry's \"repositories\" to sync them"
                )
            }
            var current: [String: CatalogVersionRecord] = [:]
            var order: [String] = []
            var skipped = 0
            var wanted: [(key: String, repository: String, chart: String, tag: String, version: String)] = []
            for repository in repositories.sorted() {
                let chart = path.isEmpty ? repository : String(repository.dropFirst(path.count + 1))
                for tag in try await browser.tags(repository: repository) {
                    // OCI tags cannot hold '+': helm writes '_' for SemVer build metadata.
                    let version = ChartTag.version(forTag: tag)
                    guard SemanticVersion(version) != nil else {
                        skipped += 1
                        continue
                    }
                    let key = CatalogDiff.key(chart: chart, version: version)
                    order.append(key)
                    if let record = known[key], !pinned.contains(key) {
                        current[key] = record
                    } else {
                        wanted.append((key, repository, chart, tag, version))
                    }
                }
            }
            try await withThrowingTaskGroup(of: (String, CatalogVersionRecord?).self) { group in
                var next = 0
                func startNext() {
                    guard next < wanted.count else { return }
                    let item = wanted[next]
                    next += 1
                    group.addTask {
                        let found = try await browser.chart(repository: item.repository, tag: item.tag)
                        var version = try IndexChartVersion(entry: item.chart, chartConfig: found.config)
                        version.digest = found.chartDigest
                        version.created = found.created
                        // A tag that names another version than its chart's is skipped, as helm refuses to pull it.
                        guard version.validate() == nil, version.version == item.version else { return (item.key, nil) }
                        let semanticVersion = SemanticVersion(version.version)
                        return (
                            item.key,
                            CatalogVersionRecord(
                                version,
                                url: "oci://\(host)/\(item.repository)",
                                semanticVersion: semanticVersion,
                                manifestDigest: found.manifestDigest
                            )
                        )
                    }
                }
                for _ in 0..<concurrency { startNext() }
                while let (key, record) = try await group.next() {
                    if let record { current[key] = record } else { skipped += 1 }
                    startNext()
                }
            }
            return (order.compactMap { current[$0] }, skipped)
        }
        // The stored fingerprints come with the records read above: no second query.
        let stored = known.mapValues(\.fingerprint)
        return .changed(BatchPipe.of([.records(records.0), .skipped(records.1)]), stored: stored)
    }
}
