import CharthouseStore
import Crypto
import Foundation
import HelmFormats
import Logging
import NIOCore
import RegistryClient

/// The classic source of a sync: a chart repository's `index.yaml`.
extension CatalogSyncEngine {
    /// Classic: `index.yaml`, fetched conditionally and decoded as helm does on a thread of its
    /// own, compared with the stored catalog as it goes.
    func classicListing(
        _ registry: RegistryRecord,
        options: RegistryConnectionOptions,
        previous: SyncStateRecord,
        state: inout SyncStateRecord,
        force: Bool
    ) async throws -> Listing {
        let lastGood = previous.bodyDigest != nil && previous.lastError == nil
        let fetch = try await ClassicRepositoryClient(options: options).fetchIndex(
            base: registry.endpoint,
            credentials: try credentials(of: registry),
            etag: lastGood && !force ? previous.etag : nil,
            lastModified: lastGood && !force ? previous.lastModified : nil
        )
        guard case .body(let body, let etag, let lastModified) = fetch else { return .unchanged }
        state.etag = etag
        state.lastModified = lastModified
        let bodyDigest = Hex.lowercase(SHA256.hash(data: body.readableBytesView))
        if !force, bodyDigest == previous.bodyDigest, previous.lastError == nil { return .unchanged }
        state.bodyDigest = bodyDigest
        // Read the stored catalog's fingerprints only when there is something to compare: an
        // unchanged upstream costs one conditional request and nothing else.
        let stored = try await stores.catalog.fingerprints(registryID: registry.id)
        return .changed(
            IndexDecoding.pipe(body, repository: registry.endpoint, halves: true, logger: logger),
            stored: stored,
            retry: { [logger] in IndexDecoding.pipe(body, repository: registry.endpoint, halves: false, logger: logger) }
        )
    }
}
