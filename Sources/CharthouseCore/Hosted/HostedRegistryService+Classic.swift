public import CharthouseStore
import Crypto
import Foundation
public import HelmFormats
public import NIOCore

/// The classic side of hosted registries: `index.yaml` generated from what is stored, chart
/// downloads, and ChartMuseum-style uploads, deletes and listings. A chart uploaded here is stored
/// as the OCI artifact `helm push` would make (config, chart layer, provenance layer) in the
/// repository `<namespace>/<chart>`, so both protocols and the catalog always show the same charts.
///
/// Errors are ``CharthouseError``s: anonymous callers of a private registry get `unauthorized`,
/// signed-in callers who may not read it `not_found` (another tenant's registry does not exist
/// for them), members who may read but not write `forbidden`.
extension HostedRegistryService {
    /// A stored chart file to send: its blob's size and local path.
    public struct ChartFile: Sendable {
        public let digest: String
        public let size: Int64
        public let path: String?
    }

    // MARK: - Index

    /// Drops the namespace's cached index and registry (its settings changed).
    public func invalidateIndex(namespace: String) { indexes.invalidate(namespace: namespace) }

    /// The namespace's `index.yaml`, rendered at most once per change.
    public func classicIndex(namespace: String, caller: Caller?) async throws -> HostedIndexCache.Rendered {
        let entry = try await indexEntry(namespace: namespace)
        guard let registry = entry.registry else { throw Self.unknown(namespace, caller: caller) }
        try Self.check(caller, .pull, registry: registry, namespace: namespace)
        if let rendered = entry.rendered { return rendered }
        throw CharthouseError(.internal, "the index of \(namespace) was not rendered")
    }

    private func indexEntry(namespace: String) async throws -> HostedIndexCache.Entry {
        if let entry = indexes.fresh(namespace) { return entry }
        return try await indexes.flights.run(key: namespace) {
            let (stale, generation) = self.indexes.stale(namespace)
            var entry = HostedIndexCache.Entry(registry: nil, rendered: nil, checkedAt: .now)
            if let registry = try await self.registry(namespace: namespace) {
                entry.registry = registry
                let revision = try await self.hosted.revision(registryID: registry.id)
                if let previous = stale?.rendered, stale?.registry?.id == registry.id, previous.revision == revision?.revision ?? 0 {
                    entry.rendered = previous
                } else {
                    entry.rendered = try await self.renderIndex(registry: registry, revision: revision, previous: stale?.rendered)
                }
            }
            self.indexes.store(entry, namespace: namespace, generation: generation)
            return entry
        }
    }

    private func renderIndex(
        registry: RegistryRecord,
        revision: HostedRevision?,
        previous: HostedIndexCache.Rendered?
    ) async throws -> HostedIndexCache.Rendered {
        let namespace = registry.hostedNamespace ?? ""
        let base = urls.chartRepository(namespace: namespace) + "/"
        var versions: [IndexChartVersion] = []
        var configs: [String: IndexChartVersion] = [:]
        for item in try await hosted.chartManifests(registryID: registry.id) {
            guard let chartDigest = Self.layerDigest(item.manifest.content, mediaType: HelmMediaType.chartContent) else { continue }
            var version: IndexChartVersion
            if let known = previous?.configs[item.manifest.configDigest] {
                version = known
            } else {
                guard let config = try await blobs.read(digest: item.manifest.configDigest, limit: 1 << 20),
                    let decoded = try? IndexChartVersion(entry: item.manifest.chartName, chartConfig: Data(config.readableBytesView))
                else { continue }
                version = decoded
                _ = version.validate()
            }
            configs[item.manifest.configDigest] = version
            version.urls = [base + Self.fileName(chart: version.name, version: version.version)]
            version.digest = String(chartDigest.dropFirst("sha256:".count))
            version.created = IndexFileWriter.rfc3339(item.manifest.createdAt)
            versions.append(version)
        }
        // Charts by name, each chart's newest version first (the order of the index and the listings).
        versions.sort { $0.name == $1.name ? IndexFileWriter.newestFirst($0, $1) : $0.name < $1.name }
        let plain = IndexFileWriter.render(versions, generated: revision?.changedAt ?? registry.createdAt)
        let gzip = plain.withUnsafeBytes { Gzip.compress($0) }
        let tag = Hex.lowercase(SHA256.hash(data: plain).prefix(16))
        return HostedIndexCache.Rendered(
            plain: ByteBuffer(bytes: plain),
            gzip: ByteBuffer(bytes: gzip),
            etag: "\"\(tag)\"",
            versions: versions,
            revision: revision?.revision ?? 0,
            configs: configs
        )
    }

    /// `<chart>-<version>.tgz`, as `helm package` names an archive.
    static func fileName(chart: String, version: String) -> String { "\(chart)-\(version).tgz" }

    // MARK: - Downloads

    /// `<chart>-<version>.tgz` or `<chart>-<version>.tgz.prov` of the namespace.
    public func chartFile(namespace: String, file: String, caller: Caller?) async throws -> ChartFile {
        let registry = try await classicRegistry(namespace: namespace, caller: caller, action: .pull)
        let isProvenance = file.hasSuffix(".tgz.prov")
        guard isProvenance || file.hasSuffix(".tgz") else { throw CharthouseError.notFound("\(file) in \(namespace)") }
        let stem = String(file.dropLast(isProvenance ? ".tgz.prov".count : ".tgz".count))
        // The chart name may hold dashes: try every cut whose right side is a SemVer version.
        for index in stem.indices where stem[index] == "-" {
            let chart = String(stem[..<index])
            let version = String(stem[stem.index(after: index)...])
            guard !chart.isEmpty, SemanticVersion(version) != nil,
                let found = try await hosted.chartManifest(registryID: registry.id, chart: chart, version: version)
            else { continue }
            let mediaType = isProvenance ? HelmMediaType.provenance : HelmMediaType.chartContent
            guard let digest = Self.layerDigest(found.manifest.content, mediaType: mediaType), let info = try await blobs.info(digest: digest)
            else { break }
            return ChartFile(digest: digest, size: info.size, path: blobs.localPath(digest: digest))
        }
        throw CharthouseError.notFound("\(file) in \(namespace)")
    }

    /// The digest of the manifest's layer of `mediaType`, if it has one.
    static func layerDigest(_ manifest: String, mediaType: String) -> String? {
        struct Layer: Decodable {
            let mediaType: String?
            let digest: String
        }
        struct Manifest: Decodable { let layers: [Layer]? }
        let decoded = try? JSONDecoder().decode(Manifest.self, from: Data(manifest.utf8))
        return decoded?.layers?.first { $0.mediaType == mediaType }?.digest
    }

    // MARK: - Listing (ChartMuseum API)

    /// The namespace's chart versions, newest first per chart, as the index lists them.
    public func classicVersions(namespace: String, caller: Caller?) async throws -> [IndexChartVersion] {
        try await classicIndex(namespace: namespace, caller: caller).versions
    }

    // MARK: - Upload and delete

    /// Stores an uploaded chart archive (and its provenance file) as an OCI artifact in
    /// `<namespace>/<chart>`. Uploading a stored version again is a no-op when the archive is the
    /// same, a conflict otherwise unless the registry allows overwriting. Returns the chart and
    /// whether anything was stored.
    public func uploadChart(
        namespace: String,
        archive: ByteBuffer,
        provenance: ByteBuffer?,
        caller: Caller?
    ) async throws -> (chart: IndexChartVersion, stored: Bool) {
        let registry = try await classicRegistry(namespace: namespace, caller: caller, action: .push)
        guard archive.readableBytes <= limits.maxChartSize else {
            throw CharthouseError(.payloadTooLarge, "a chart archive may be at most \(limits.maxChartSize) bytes")
        }
        let chart: IndexChartVersion
        do {
            chart = try await Self.readChartOffLoop(archive)
        } catch let error as HelmFormatError {
            throw CharthouseError(.badRequest, "not a valid chart archive: \(error.message)", cause: error)
        }
        let name = "\(namespace)/\(chart.name)"
        guard OCIRepositoryName.isValid(name) else {
            throw CharthouseError(.badRequest, "chart name \"\(chart.name)\" cannot be stored: use lowercase letters, digits and . _ -")
        }
        if let provenance, provenance.readableBytes > 1 << 20 {
            throw CharthouseError(.payloadTooLarge, "a provenance file may be at most 1 MiB")
        }
        let archiveDigest = Self.digest(archive)
        let provenanceDigest = provenance.map(Self.digest)
        let existing = try await hosted.chartManifest(registryID: registry.id, chart: chart.name, version: chart.version)
        if let existing {
            let sameArchive = Self.layerDigest(existing.manifest.content, mediaType: HelmMediaType.chartContent) == archiveDigest
            let sameProvenance =
                provenanceDigest == nil || Self.layerDigest(existing.manifest.content, mediaType: HelmMediaType.provenance) == provenanceDigest
            if sameArchive, sameProvenance { return (chart, false) }
            guard registry.allowOverwrite else {
                throw CharthouseError(
                    .conflict,
                    "\(chart.name) \(chart.version) already exists and this registry does not allow overwriting; upload a new version"
                )
            }
        }
        let repository = try await hosted.ensureRepository(registryID: registry.id, name: existing?.repositoryName ?? name)
        let target = Target(name: repository.name, registry: registry, repository: repository)

        // The artifact helm push makes: config (Chart.yaml as JSON), chart layer, provenance layer.
        let config = ByteBuffer(bytes: chart.helmConfigJSON)
        var layers: [(mediaType: String, bytes: ByteBuffer)] = [(HelmMediaType.chartContent, archive)]
        if let provenance { layers.append((HelmMediaType.provenance, provenance)) }
        var descriptors: [String] = []
        for (mediaType, bytes) in [(HelmMediaType.config, config)] + layers {
            let digest = Self.digest(bytes)
            if try await blobs.info(digest: digest) == nil { _ = try await blobs.store(bytes, digest: digest) }
            try await hosted.linkBlob(repositoryID: repository.id, digest: digest, size: Int64(bytes.readableBytes))
            descriptors.append("{\"mediaType\":\"\(mediaType)\",\"digest\":\"\(digest)\",\"size\":\(bytes.readableBytes)}")
        }
        var annotations: [(String, String)] = [
            ("org.opencontainers.image.created", IndexFileWriter.rfc3339(Date())),
            ("org.opencontainers.image.title", chart.name), ("org.opencontainers.image.version", chart.version),
        ]
        if !chart.description.isEmpty { annotations.append(("org.opencontainers.image.description", chart.description)) }
        let annotationJSON = annotations.sorted { $0.0 < $1.0 }.map { key, value in
            "\(Self.jsonString(key)):\(Self.jsonString(value))"
        }.joined(separator: ",")
        let manifest = """
            {"schemaVersion":2,"mediaType":"\(HelmMediaType.ociManifest)","config":\(descriptors[0]),\
            "layers":[\(descriptors.dropFirst().joined(separator: ","))],"annotations":{\(annotationJSON)}}
            """
        do {
            _ = try await putManifest(
                target,
                reference: ChartTag.tag(forVersion: chart.version),
                body: ByteBuffer(string: manifest),
                contentType: HelmMediaType.ociManifest,
                checkedArchive: (archiveDigest, chart)
            )
        } catch let error as HostedRegistryError {
            // The same archive uploaded at the same moment by another request won the race: that
            // is a re-upload of what is stored, a no-op, as it would be one after the other.
            if error.code == .conflict,
                let stored = try await hosted.chartManifest(registryID: registry.id, chart: chart.name, version: chart.version),
                Self.layerDigest(stored.manifest.content, mediaType: HelmMediaType.chartContent) == archiveDigest,
                provenanceDigest == nil || Self.layerDigest(stored.manifest.content, mediaType: HelmMediaType.provenance) == provenanceDigest
            {
                return (chart, false)
            }
            throw Self.classicError(error)
        }
        return (chart, true)
    }

    /// Deletes a chart version (its manifest; blobs go with garbage collection).
    public func deleteChart(namespace: String, chart: String, version: String, caller: Caller?) async throws {
        let registry = try await classicRegistry(namespace: namespace, caller: caller, action: .push)
        guard let found = try await hosted.chartManifest(registryID: registry.id, chart: chart, version: version),
            let repository = try await hosted.repository(registryID: registry.id, name: found.repositoryName)
        else { throw CharthouseError.notFound("chart \(chart) \(version) in \(namespace)") }
        do {
            try await deleteManifest(Target(name: found.repositoryName, registry: registry, repository: repository), digest: found.manifest.digest)
        } catch let error as HostedRegistryError {
            throw Self.classicError(error)
        }
    }

    // MARK: - Helpers

    /// The namespace's registry if the caller may `action` it (see the type's notes on errors).
    public func classicRegistry(namespace: String, caller: Caller?, action: Action) async throws -> RegistryRecord {
        guard let registry = try await registry(namespace: namespace) else { throw Self.unknown(namespace, caller: caller) }
        try Self.check(caller, action, registry: registry, namespace: namespace)
        return registry
    }

    private static func check(_ caller: Caller?, _ action: Action, registry: RegistryRecord, namespace: String) throws {
        guard !permits(caller, action, registry: registry) else { return }
        guard let caller else { throw CharthouseError(.unauthorized, "credentials required for \(namespace)") }
        guard permits(caller, .pull, registry: registry) else { throw unknown(namespace, caller: caller) }
        throw CharthouseError.forbidden("only administrators of \(namespace) may upload or delete charts")
    }

    private static func unknown(_ namespace: String, caller: Caller?) -> CharthouseError {
        caller == nil
            ? CharthouseError(.unauthorized, "credentials required for \(namespace)")
            : CharthouseError.notFound("chart repository \(namespace)")
    }

    private static func classicError(_ error: HostedRegistryError) -> CharthouseError {
        switch error.code {
        case .conflict: CharthouseError(.conflict, error.message)
        case .denied: CharthouseError.forbidden(error.message)
        case .unauthorized: CharthouseError(.unauthorized, error.message)
        case .sizeInvalid: CharthouseError(.payloadTooLarge, error.message)
        case .nameUnknown, .manifestUnknown, .blobUnknown, .blobUploadUnknown: CharthouseError.notFound(error.message)
        default: CharthouseError(.badRequest, error.message)
        }
    }

    static func digest(_ bytes: ByteBuffer) -> String {
        BlobDigest.of(bytes.readableBytesView)
    }

    private static func jsonString(_ value: String) -> String {
        String(decoding: (try? JSONEncoder().encode(value)) ?? Data("\"\"".utf8), as: UTF8.self)
    }
}
