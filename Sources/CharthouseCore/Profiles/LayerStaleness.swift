import CharthouseStore
import Foundation
import HelmFormats
import Logging

/// Upstream changes never silently change a profile: after a registry's catalog changed (a sync,
/// a push, a delete), each layer pinned to it is compared with the catalog. A pinned version that
/// is gone is `removed upstream`; one served with another digest is `digest changed upstream`.
/// The layer is kept as it was, marked; the mark goes when the catalog matches again.
enum LayerStaleness {
    static let removed = "removed upstream"
    static let digestChanged = "digest changed upstream"

    /// Why `layer` no longer matches `current` (its chart version in the catalog now), or `nil`.
    static func reason(_ layer: ProfileLayerRecord, current: CatalogVersionRecord?) -> String? {
        guard layer.source != .manual, !layer.isProtected else { return nil }
        guard let current else { return removed }
        guard let pinned = layer.digest, let now = BlobDigest.canonical(current.digest) else { return nil }
        return pinned == now ? nil : digestChanged
    }

    /// Marks (or clears) the layers pinned to `registryID`; never throws (the catalog change it
    /// follows has happened): a failure is logged and the next change tries again.
    static func refresh(registryID: String, stores: Stores, logger: Logger) async {
        do {
            let layers = try await stores.profiles.layers(registryID: registryID)
            guard !layers.isEmpty else { return }
            var versions: [String: [CatalogVersionRecord]] = [:]
            for chart in Set(layers.map(\.chart)) { versions[chart] = try await stores.catalog.versions(registryID: registryID, chart: chart) }
            let now = Date()
            for layer in layers {
                let current = versions[layer.chart]?.first { $0.version == layer.version }
                let reason = reason(layer, current: current)
                guard reason != layer.staleReason else { continue }
                try await stores.profiles.setStale(layerID: layer.id, reason: reason, since: reason == nil ? nil : now)
                if let reason {
                    logger.warning(
                        "profile layer is stale",
                        metadata: ["layer": .string(layer.id), "chart": .string("\(layer.chart) \(layer.version)"), "reason": .string(reason)]
                    )
                }
            }
        } catch {
            logger.warning("cannot check profile layers after a catalog change", metadata: Logger.Metadata.error(error))
        }
    }
}
