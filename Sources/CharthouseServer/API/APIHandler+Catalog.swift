import CharthouseAPI
import CharthouseCore
import CharthouseStore
import Foundation
import HelmFormats
import OpenAPIRuntime

extension APIHandler {
    func syncRegistry(_ input: Operations.SyncRegistry.Input) async throws -> Operations.SyncRegistry.Output {
        let view = try await catalog.requestSync(registryID: input.path.id, force: input.query.force ?? false, caller: try CurrentCaller.require())
        return .accepted(.init(body: .json(.init(view))))
    }

    func listRegistrySyncs(_ input: Operations.ListRegistrySyncs.Input) async throws -> Operations.ListRegistrySyncs.Output {
        let runs = try await catalog.syncs(registryID: input.path.id, caller: try CurrentCaller.require())
        return .ok(.init(body: .json(.init(items: runs.map(Components.Schemas.SyncRun.init)))))
    }

    func listRegistryCharts(_ input: Operations.ListRegistryCharts.Input) async throws -> Operations.ListRegistryCharts.Output {
        let page = try await catalog.charts(
            registryID: input.path.id,
            prefix: input.query.prefix,
            limit: input.query.limit ?? 100,
            cursor: input.query.cursor,
            caller: try CurrentCaller.require()
        )
        return .ok(.init(body: .json(.init(items: page.items.map(Components.Schemas.ChartSummary.init), nextCursor: page.next))))
    }

    func listChartVersions(_ input: Operations.ListChartVersions.Input) async throws -> Operations.ListChartVersions.Output {
        let versions = try await catalog.versions(registryID: input.path.id, chart: input.path.chart, caller: try CurrentCaller.require())
        return .ok(
            .init(
                body: .json(
                    .init(
                        items: versions.map {
                            .init(
                                version: $0.version,
                                appVersion: $0.appVersion,
                                description: $0.description,
                                digest: BlobDigest.normalized($0.digest),
                                created: $0.created.map(CatalogTimestamp.rfc3339),
                                prerelease: $0.prerelease,
                                deprecated: $0.deprecated
                            )
                        }
                    )
                )
            )
        )
    }

    func getChartVersion(_ input: Operations.GetChartVersion.Input) async throws -> Operations.GetChartVersion.Output {
        let version = try await catalog.version(
            registryID: input.path.id,
            chart: input.path.chart,
            version: input.path.version,
            caller: try CurrentCaller.require()
        )
        let metadata = (try? JSONDecoder().decode(OpenAPIObjectContainer.self, from: Data(version.metadata.utf8))) ?? .init()
        return .ok(
            .init(
                body: .json(
                    .init(
                        chart: version.chart,
                        version: version.version,
                        appVersion: version.appVersion,
                        description: version.description,
                        digest: BlobDigest.normalized(version.digest),
                        url: version.url,
                        created: version.created.map(CatalogTimestamp.rfc3339),
                        prerelease: version.prerelease,
                        deprecated: version.deprecated,
                        metadata: .init(additionalProperties: metadata)
                    )
                )
            )
        )
    }

    func searchCharts(_ input: Operations.SearchCharts.Input) async throws -> Operations.SearchCharts.Output {
        let (results, nextOffset) = try await catalog.search(
            query: input.query.q ?? "",
            offset: input.query.offset ?? 0,
            limit: input.query.limit ?? 50,
            caller: try CurrentCaller.require()
        )
        return .ok(
            .init(
                body: .json(
                    .init(
                        items: results.map {
                            .init(
                                registryId: $0.registry.record.id,
                                registry: $0.registry.record.name,
                                scope: $0.registry.scope == .system ? .system : .tenant,
                                chart: .init($0.chart)
                            )
                        },
                        nextOffset: nextOffset
                    )
                )
            )
        )
    }
}

extension Components.Schemas.ChartSummary {
    init(_ chart: CatalogChartRecord) {
        self.init(
            name: chart.chart,
            latestVersion: chart.latestVersion,
            appVersion: chart.appVersion,
            description: chart.description,
            icon: chart.icon,
            deprecated: chart.deprecated,
            versions: chart.versions
        )
    }
}

extension Components.Schemas.SyncRun {
    init(_ run: SyncRunRecord) {
        struct Changes: Decodable {
            var added: [String]?
            var removed: [String]?
            var updated: [String]?
        }
        let changes = (try? JSONDecoder().decode(Changes.self, from: Data(run.changes.utf8))) ?? Changes()
        self.init(
            id: run.id,
            startedAt: run.startedAt,
            durationMs: run.durationMs,
            outcome: .init(rawValue: run.outcome) ?? .failed,
            error: run.error,
            added: run.added,
            removed: run.removed,
            updated: run.updated,
            skipped: run.skipped,
            changes: .init(added: changes.added, removed: changes.removed, updated: changes.updated)
        )
    }
}

/// A chart's `created` as every timestamp of the API is written: RFC 3339 in UTC, whole seconds
/// (`index.yaml` files carry nanoseconds and any offset). Text that is not a timestamp is kept.
enum CatalogTimestamp {
    static func rfc3339(_ text: String) -> String {
        guard let date = (try? Date(text, strategy: fractional)) ?? (try? Date(text, strategy: plain)) ?? nanoseconds(text) else { return text }
        return date.formatted(plain)
    }

    /// Value-type styles, made once: a listing may format thousands of versions.
    private static let plain = Date.ISO8601FormatStyle()
    private static let fractional = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    /// Go's RFC 3339 with up to nine fraction digits, which Foundation reads only up to three.
    private static func nanoseconds(_ text: String) -> Date? {
        guard let dot = text.firstIndex(of: "."), let zone = text[dot...].firstIndex(where: { $0 == "Z" || $0 == "+" || $0 == "-" }) else {
            return nil
        }
        let fraction = text[text.index(after: dot)..<zone]
        guard !fraction.isEmpty, fraction.allSatisfy(\.isNumber) else { return nil }
        let trimmed = String(text[..<dot]) + "." + fraction.prefix(3).padding(toLength: 3, withPad: "0", startingAt: 0) + text[zone...]
        return try? Date(trimmed, strategy: fractional)
    }
}
