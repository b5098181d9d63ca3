public import CharthouseStore
import Foundation
import HelmFormats

/// The synced catalog as tenants see it: charts and versions of the registries they can see
/// (their own and the system ones), search across them, and on-demand syncs.
public struct CatalogService: Sendable {
    private let stores: Stores
    private let registries: RegistryService
    private let scheduler: JobScheduler

    public init(stores: Stores, registries: RegistryService, scheduler: JobScheduler) {
        self.stores = stores
        self.registries = registries
        self.scheduler = scheduler
    }

    /// Creates a registry (``RegistryService/create(_:system:caller:)``) and, unless it is
    /// protected, starts its first sync.
    public func createRegistry(_ input: NewRegistry, system: Bool, caller: Caller) async throws -> RegistryView {
        let view = try await registries.create(input, system: system, caller: caller)
        if !view.record.isProtected { await scheduler.request(id: view.record.id, force: false, unlessRunning: true) }
        return view
    }

    /// Starts a sync of a registry (admins of its scope); protected registries are `conflict`.
    public func requestSync(registryID: String, force: Bool, caller: Caller) async throws -> RegistryView {
        let record = try await registries.visibleRecord(id: registryID, caller: caller)
        guard record.kind != .hosted else {
            throw CharthouseError(.conflict, "hosted registries are not synced: charts pushed to them are in the catalog at once")
        }
        try registries.authorizeChange(record, caller: caller)
        guard !record.isProtected else { throw CharthouseError(.conflict, "protected registries are not synced") }
        await scheduler.request(id: registryID, force: force)
        return try await registries.get(id: registryID, caller: caller)
    }

    public func syncs(registryID: String, caller: Caller) async throws -> [SyncRunRecord] {
        let record = try await registries.visibleRecord(id: registryID, caller: caller)
        return try await stores.catalog.runs(registryID: record.id, limit: 50)
    }

    /// A page of charts by name; `cursor` is the last name of the previous page.
    public func charts(
        registryID: String,
        prefix: String?,
        limit: Int,
        cursor: String?,
        caller: Caller
    ) async throws
        -> (items: [CatalogChartRecord], next: String?)
    {
        let record = try await registries.visibleRecord(id: registryID, caller: caller)
        guard (1...500).contains(limit) else { throw CharthouseError.invalidField("limit", "must be between 1 and 500") }
        let size = limit
        let items = try await stores.catalog.charts(registryID: record.id, prefix: prefix, after: cursor, limit: size + 1)
        let page = Array(items.prefix(size))
        return (page, items.count > size ? page.last?.chart : nil)
    }

    /// A chart's versions, newest first by SemVer.
    public func versions(registryID: String, chart: String, caller: Caller) async throws -> [CatalogVersionRecord] {
        let record = try await registries.visibleRecord(id: registryID, caller: caller)
        let versions = try await stores.catalog.versions(registryID: record.id, chart: chart)
        guard !versions.isEmpty else { throw CharthouseError.notFound("chart \"\(chart)\" in registry \"\(record.name)\"") }
        return versions.sorted { a, b in
            switch (SemanticVersion(a.version), SemanticVersion(b.version)) {
            case (let x?, let y?): return x.compare(y) == 0 ? a.version > b.version : x > y
            case (_?, nil): return true
            case (nil, _?): return false
            case (nil, nil): return a.version > b.version
            }
        }
    }

    /// One chart version; when it is missing, the message lists the versions that exist.
    public func version(registryID: String, chart: String, version: String, caller: Caller) async throws -> CatalogVersionRecord {
        let all = try await versions(registryID: registryID, chart: chart, caller: caller)
        guard let found = all.first(where: { $0.version == version }) else {
            let known = all.prefix(20).map(\.version).joined(separator: ", ")
            throw CharthouseError.notFound("version \"\(version)\" of chart \"\(chart)\" (available: \(known))")
        }
        return found
    }

    /// Charts across every registry the caller sees, ranked: exact name, then name prefix, then
    /// name, description or keyword matches.
    public func search(
        query: String,
        offset: Int = 0,
        limit: Int,
        caller: Caller
    ) async throws -> (
        results: [(registry: RegistryView, chart: CatalogChartRecord)], nextOffset: Int?
    ) {
        let visible = try await registries.list(caller: caller).filter { !$0.record.isProtected }
        let byID = Dictionary(uniqueKeysWithValues: visible.map { ($0.record.id, $0) })
        let term = query.lowercased().trimmingCharacters(in: .whitespaces)
        guard (1...500).contains(limit) else { throw CharthouseError.invalidField("limit", "must be between 1 and 500") }
        guard (0...100_000).contains(offset) else { throw CharthouseError.invalidField("offset", "must be between 0 and 100000") }
        // Ranked in the database (exact name, name prefix, name contains, description or
        // keywords), one page plus one row to know whether another page follows.
        let found = try await stores.catalog.search(registryIDs: Array(byID.keys), query: term, offset: offset, limit: limit + 1)
        let page = found.prefix(limit).compactMap { chart in byID[chart.registryID].map { ($0, chart) } }
        return (page, found.count > limit ? offset + limit : nil)
    }
}
