public import CharthouseStore
public import Foundation
import HelmFormats

/// Removes blobs no manifest references any more (charts deleted or overwritten, uploads whose
/// manifest never came). A dry run only reports. Blobs written less than `minimumAge` ago are
/// kept: a client may be between pushing its blobs and its manifest.
///
/// Deleting first forgets every repository's link to the blobs, then reads the manifests again
/// and deletes only what is still unreferenced: a manifest pushed meanwhile either saw the link
/// (and is found by the second read) or did not (and was refused, so its client uploads again).
public struct HostedGarbageCollector: Sendable {
    /// What a collection found and did.
    public struct Report: Sendable, Hashable {
        public var blobs = 0
        public var bytes: Int64 = 0
        public var unreferenced = 0
        public var unreferencedBytes: Int64 = 0
        public var deleted = 0
        public var deletedBytes: Int64 = 0
        public var dryRun = true
    }

    let stores: Stores
    let blobs: any BlobStore

    public init(stores: Stores, blobs: any BlobStore) {
        self.stores = stores
        self.blobs = blobs
    }

    /// The longest `minimumAge`: 10 years.
    public static let maxMinimumAge: TimeInterval = 315_360_000

    /// Collects (or, with `dryRun`, only counts) unreferenced blobs older than `minimumAge`.
    public func collect(dryRun: Bool, minimumAge: TimeInterval, caller: Caller) async throws -> Report {
        guard caller.isSystemAdmin else { throw CharthouseError.forbidden("only the system administrator collects garbage") }
        guard (0...Self.maxMinimumAge).contains(minimumAge) else {
            throw CharthouseError.invalidField("minimumAgeSeconds", "must be between 0 and \(Int(Self.maxMinimumAge))")
        }
        let cutoff = Date().addingTimeInterval(-minimumAge)
        var report = Report(dryRun: dryRun)
        let stored = try await blobs.allBlobs()
        report.blobs = stored.count
        report.bytes = stored.reduce(0) { $0 + $1.info.size }
        var referenced = try await referencedDigests()
        let candidates = stored.filter { !referenced.contains($0.info.digest) && $0.written < cutoff }
        report.unreferenced = candidates.count
        report.unreferencedBytes = candidates.reduce(0) { $0 + $1.info.size }
        guard !dryRun, !candidates.isEmpty else { return report }
        try await stores.hosted.unlinkBlobs(candidates.map(\.info.digest))
        referenced = try await referencedDigests()
        for candidate in candidates where !referenced.contains(candidate.info.digest) {
            try await blobs.delete(digest: candidate.info.digest)
            report.deleted += 1
            report.deletedBytes += candidate.info.size
        }
        return report
    }

    /// The config and layer digests of every stored manifest.
    private func referencedDigests() async throws -> Set<String> {
        struct Descriptor: Decodable { let digest: String }
        struct Manifest: Decodable {
            let config: Descriptor?
            let layers: [Descriptor]?
        }
        var digests = Set<String>()
        let decoder = JSONDecoder()
        for content in try await stores.hosted.allManifestContents() {
            guard let manifest = try? decoder.decode(Manifest.self, from: Data(content.utf8)) else { continue }
            if let config = manifest.config { digests.insert(config.digest) }
            for layer in manifest.layers ?? [] { digests.insert(layer.digest) }
        }
        return digests
    }
}
