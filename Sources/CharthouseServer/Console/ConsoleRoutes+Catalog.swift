import CharthouseCore
import CharthouseStore
import Foundation
import HelmFormats
import Hummingbird

/// The catalog: search across every registry the tenant sees (results follow the typing), a
/// chart's versions, and a version's README (Markdown rendered safely), default values and
/// schema.
extension ConsoleRoutes {
    func registerCatalogPages(on router: Router<Context>) {
        router.get("/catalog") { request, context in
            try await signedIn(request, context: context) { user, _ in
                let query = request.uri.queryParameters.get("q") ?? ""
                let offset = request.uri.queryParameters.get("offset").flatMap(Int.init) ?? 0
                let found = try await catalog.search(query: query, offset: max(offset, 0), limit: 50, caller: user.caller)
                let results = CatalogResults(query: query, found: found.results, next: found.nextOffset)
                let page = ConsoleLayout(title: "Catalog", user: user, section: "/catalog")
                // The page's script asks for the results alone while the user types.
                if request.uri.queryParameters.get("partial") == "1" {
                    return renderer.render("catalog_results", page: page, body: results)
                }
                return renderer.render("catalog", page: page, body: results)
            }
        }
        router.get("/catalog/:registry/:chart") { request, context in
            try await signedIn(request, context: context) { user, _ in
                let (registryID, chart) = try Self.chartPath(context)
                let registry = try await registries.get(id: registryID, caller: user.caller)
                let versions = try await catalog.versions(registryID: registryID, chart: chart, caller: user.caller)
                return renderer.render(
                    "chart",
                    page: ConsoleLayout(title: chart, user: user, section: "/catalog"),
                    body: ChartVersions(registry: registry, chart: chart, versions: versions)
                )
            }
        }
        router.get("/catalog/:registry/:chart/:version") { request, context in
            try await signedIn(request, context: context) { user, _ in
                let (registryID, chart) = try Self.chartPath(context)
                let version = try Self.parameter(context, "version")
                let registry = try await registries.get(id: registryID, caller: user.caller)
                let record = try await catalog.version(registryID: registryID, chart: chart, version: version, caller: user.caller)
                let files = try await chartFiles.files(registryID: registryID, chart: chart, version: version, caller: user.caller)
                return renderer.render(
                    "chart_version",
                    page: ConsoleLayout(title: "\(chart) \(version)", user: user, section: "/catalog"),
                    body: ChartVersionPage(registry: registry, record: record, files: files)
                )
            }
        }
    }

    static func chartPath(_ context: Context) throws -> (registry: String, chart: String) {
        (try parameter(context, "registry"), try parameter(context, "chart"))
    }
}

/// Search results (stored properties only: templates read them through reflection).
struct CatalogResults {
    struct Row {
        let chart: String
        let href: String
        let registry: String
        let isSystem: Bool
        let latestVersion: String
        let appVersion: String
        let description: String
        let versions: Int
        let deprecated: Bool
    }

    let query: String
    /// A section on `query` would open even for "" (swift-mustache: only nil and false are falsy).
    let hasQuery: Bool
    let rows: [Row]
    let isEmpty: Bool
    let more: String?

    init(query: String, found: [(registry: RegistryView, chart: CatalogChartRecord)], next: Int?) {
        self.query = query
        hasQuery = !query.isEmpty
        rows = found.map { registry, chart in
            Row(
                chart: chart.chart,
                href: "/catalog/\(ConsoleFormat.pathSegment(registry.record.id))/\(ConsoleFormat.pathSegment(chart.chart))",
                registry: registry.record.name,
                isSystem: registry.scope == .system,
                latestVersion: chart.latestVersion,
                appVersion: chart.appVersion.isEmpty ? "-" : chart.appVersion,
                description: chart.description,
                versions: chart.versions,
                deprecated: chart.deprecated
            )
        }
        isEmpty = rows.isEmpty
        more = next.map { "/catalog?q=\(ConsoleFormat.queryValue(query))&offset=\($0)" }
    }
}

struct ChartVersions {
    struct Row {
        let version: String
        let href: String
        let appVersion: String
        let created: String
        let digest: String
        let deprecated: Bool
        let prerelease: Bool
    }

    let chart: String
    let registry: String
    let registryHref: String
    let description: String
    let rows: [Row]

    init(registry: RegistryView, chart: String, versions: [CatalogVersionRecord]) {
        self.chart = chart
        self.registry = registry.record.name
        registryHref = "/registries/\(registry.record.id)"
        description = versions.first?.description ?? ""
        rows = versions.map { version in
            Row(
                version: version.version,
                href:
                    "/catalog/\(ConsoleFormat.pathSegment(registry.record.id))/\(ConsoleFormat.pathSegment(chart))/\(ConsoleFormat.pathSegment(version.version))",
                appVersion: version.appVersion.isEmpty ? "-" : version.appVersion,
                created: version.created.map { String($0.prefix(10)) } ?? "-",
                digest: version.digest.isEmpty ? "-" : String(version.digest.prefix(19)),
                deprecated: version.deprecated,
                prerelease: version.prerelease
            )
        }
    }
}

struct ChartVersionPage {
    let chart: String
    let version: String
    let appVersion: String
    let description: String
    let registry: String
    let chartHref: String
    let digest: String
    /// The README as HTML: every character of the source escaped by ``Markdown``.
    let readme: String?
    let values: String?
    let schema: String?

    init(registry: RegistryView, record: CatalogVersionRecord, files: ChartFilesRecord) {
        chart = record.chart
        version = record.version
        appVersion = record.appVersion.isEmpty ? "-" : record.appVersion
        description = record.description
        self.registry = registry.record.name
        chartHref = "/catalog/\(ConsoleFormat.pathSegment(registry.record.id))/\(ConsoleFormat.pathSegment(record.chart))"
        digest = files.digest
        readme = files.readme.map { Markdown.html($0) }
        values = files.values
        schema = files.schema
    }
}
