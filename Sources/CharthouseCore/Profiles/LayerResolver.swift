import CharthouseStore
import HelmFormats

/// Turns what a user typed for a layer (registry, chart, version or range) into what the
/// deployer installs: the seed's two rules.
///
/// - Unprotected registries (synced, hosted, system): the chart and version must be in the
///   registry's catalog; a range is resolved to the highest version it allows; the layer pins
///   the archive's digest.
/// - Protected registries: never contacted; the chart name and version are checked for form only.
struct LayerResolver: Sendable {
    let stores: Stores
    let registries: RegistryService
    let files: ChartFileService

    /// What the server resolved for a layer.
    struct Resolution: Sendable {
        var registry: RegistryRecord
        var chart: String
        var version: String
        var source: LayerSource
        var digest: String?
        var pullReference: String?
        var appVersion: String?
        /// The chart's files (default values, schema), read for catalog layers.
        var files: ChartFilesRecord?
    }

    /// The registry of a layer, if the caller sees it; another tenant's answers as a missing one.
    func registry(id: String, caller: Caller) async throws -> RegistryRecord {
        do {
            return try await registries.visibleRecord(id: id, caller: caller)
        } catch let error as CharthouseError where error.code == .notFound {
            throw CharthouseError(.unprocessable, "registry \"\(id)\" not found", cause: error, field: "registryId")
        }
    }

    func resolve(registryID: String, chart: String, version: String, caller: Caller) async throws -> Resolution {
        let registry = try await self.registry(id: registryID, caller: caller)
        if registry.isProtected { return try manual(registry, chart: chart, version: version) }
        var resolution = try await fromCatalog(registry, chart: chart, version: version)
        let files = try await self.files.files(registryID: registry.id, chart: resolution.chart, version: resolution.version, caller: caller)
        // An index without digests: the archive just read is what the layer pins.
        resolution.digest = resolution.digest ?? files.digest
        resolution.files = files
        return resolution
    }

    /// The files of a layer's pinned chart, for checking new values: refused when the registry
    /// now serves other content under that version (the layer must be updated first).
    func files(of layer: ProfileLayerRecord, caller: Caller) async throws -> ChartFilesRecord? {
        guard layer.source != .manual, !layer.isProtected else { return nil }
        let files = try await self.files.files(registryID: layer.registryID, chart: layer.chart, version: layer.version, caller: caller)
        if let pinned = layer.digest, pinned != files.digest {
            throw CharthouseError(
                .conflict,
                "chart \(layer.chart) \(layer.version) changed upstream (\(files.digest), pinned \(pinned)): set the layer's version again to re-pin it",
                field: "version"
            )
        }
        return files
    }

    /// A protected registry's layer: stored as typed, after a check of its form.
    private func manual(_ registry: RegistryRecord, chart: String, version: String) throws -> Resolution {
        let endpoint = try? RegistryEndpoint(parsing: registry.endpoint)
        var oci = false
        var pullReference: String?
        if case .oci(let host, let path)? = endpoint {
            oci = true
            let repository = path.isEmpty ? chart : "\(path)/\(chart)"
            pullReference = "oci://\(host)/\(repository):\(ChartTag.tag(forVersion: version))"
        }
        try ProfileRules.validateChartName(chart, oci: oci)
        try ProfileRules.validateChartVersion(version)
        return Resolution(registry: registry, chart: chart, version: version, source: .manual, pullReference: pullReference)
    }

    /// An unprotected registry's layer: chart and version from its catalog, pinned.
    private func fromCatalog(_ registry: RegistryRecord, chart: String, version requested: String) async throws -> Resolution {
        let versions = try await stores.catalog.versions(registryID: registry.id, chart: chart)
        guard !versions.isEmpty else { throw try await unknownChart(chart, in: registry) }
        let names = versions.map(\.version)
        let chosen: String?
        do {
            chosen = try VersionConstraint.best(requested.isEmpty ? "*" : requested, among: names)
        } catch {
            throw CharthouseError.invalidField("version", "\"\(requested)\" is neither a chart version nor a version range (\(error.message))")
        }
        guard let chosen, let record = versions.first(where: { $0.version == chosen }) else {
            let nearest = ProfileRules.nearestVersions(to: requested, among: names)
            let what =
                VersionConstraint.isRange(requested)
                ? "no version of chart \"\(chart)\" matches \"\(requested)\"" : "chart \"\(chart)\" has no version \"\(requested)\""
            throw CharthouseError(
                .unprocessable,
                "\(what) in registry \"\(registry.name)\"; nearest versions: \(nearest.joined(separator: ", "))",
                field: "version"
            )
        }
        return Resolution(
            registry: registry,
            chart: chart,
            version: record.version,
            source: .catalog,
            digest: BlobDigest.canonical(record.digest),
            pullReference: Self.pullReference(record, kind: registry.kind),
            appVersion: record.appVersion.isEmpty ? nil : record.appVersion
        )
    }

    /// Where the deployer pulls a catalog version: the archive URL (classic), or the chart's
    /// repository by manifest digest (OCI, hosted; by tag for rows synced before digests were
    /// kept). The pinned archive digest is checked after the pull.
    static func pullReference(_ record: CatalogVersionRecord, kind: RegistryKind) -> String? {
        guard !record.url.isEmpty else { return nil }
        guard record.url.hasPrefix("oci://") else { return record.url }
        if let manifest = record.manifestDigest { return "\(record.url)@\(manifest)" }
        return "\(record.url):\(ChartTag.tag(forVersion: record.version))"
    }

    private func unknownChart(_ chart: String, in registry: RegistryRecord) async throws -> CharthouseError {
        let charts = try await stores.catalog.charts(registryID: registry.id, prefix: nil, after: nil, limit: 100_000).map(\.chart)
        guard !charts.isEmpty else {
            return CharthouseError(
                .unprocessable,
                "chart \"\(chart)\" is not in registry \"\(registry.name)\": its catalog is empty (has it synced? see its sync state)",
                field: "chart"
            )
        }
        let nearest = ProfileRules.nearestNames(to: chart, among: charts)
        let hint = nearest.isEmpty ? "" : "; nearest charts: \(nearest.joined(separator: ", "))"
        return CharthouseError(.unprocessable, "chart \"\(chart)\" is not in registry \"\(registry.name)\"\(hint)", field: "chart")
    }
}
