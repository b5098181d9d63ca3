import ArgumentParser
import CharthouseAPI
import Foundation
import OpenAPIRuntime

/// `charthouse chart search|list|versions|show|values|readme|schema`: the synced catalog, as the
/// profile dropdowns see it.
struct ChartCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chart",
        abstract: "Browse the synced chart catalog.",
        subcommands: [Search.self, List.self, Versions.self, Show.self, Values.self, Readme.self, Schema.self]
    )

    struct Search: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Search charts by name, keyword and description in every registry you see.")
        @Argument(help: "Search text (empty lists everything).") var query: String = ""
        @Option(help: "Most results.") var limit: Int = 50
        @OptionGroup var options: ClientOptions

        func run() async throws {
            let client = try options.makeClient()
            let results = try await callServer { try await client.searchCharts(query: .init(q: query, limit: limit)).ok.body.json }
            try options.print(results) {
                Table(
                    header: ["REGISTRY", "CHART", "LATEST", "APP VERSION", "DESCRIPTION"],
                    rows: results.items.map {
                        [$0.registry, $0.chart.name, $0.chart.latestVersion, $0.chart.appVersion, String($0.chart.description.prefix(60))]
                    }
                )
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the charts of a registry.")
        @Argument(help: "Registry name or id.") var registry: String
        @Option(help: "Only charts whose name starts with this.") var prefix: String?
        @OptionGroup var options: ClientOptions

        func run() async throws {
            let client = try options.makeClient()
            let found = try await Lookup.registry(registry, client: client)
            var items: [Components.Schemas.ChartSummary] = []
            var cursor: String?
            repeat {
                let page = try await callServer {
                    try await client.listRegistryCharts(path: .init(id: found.id), query: .init(prefix: prefix, limit: 500, cursor: cursor)).ok.body
                        .json
                }
                items += page.items
                cursor = page.nextCursor
            } while cursor != nil
            try options.print(items) {
                Table(
                    header: ["CHART", "LATEST", "APP VERSION", "VERSIONS", "DESCRIPTION"],
                    rows: items.map {
                        [
                            $0.name + ($0.deprecated ? " (deprecated)" : ""), $0.latestVersion, $0.appVersion, "\($0.versions)",
                            String($0.description.prefix(60)),
                        ]
                    }
                )
            }
        }
    }

    struct Versions: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a chart's versions, newest first.")
        @Argument(help: "Registry name or id.") var registry: String
        @Argument(help: "Chart name.") var chart: String
        @OptionGroup var options: ClientOptions

        func run() async throws {
            let client = try options.makeClient()
            let found = try await Lookup.registry(registry, client: client)
            let versions = try await callServer { try await client.listChartVersions(path: .init(id: found.id, chart: chart)).ok.body.json }
            try options.print(versions) {
                Table(
                    header: ["VERSION", "APP VERSION", "CREATED", "DIGEST"],
                    rows: versions.items.map {
                        [$0.version + ($0.prerelease ? " (prerelease)" : ""), $0.appVersion, $0.created ?? "-", String($0.digest.prefix(19))]
                    }
                )
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one chart version.")
        @Argument(help: "Registry name or id.") var registry: String
        @Argument(help: "Chart name.") var chart: String
        @Argument(help: "Version.") var version: String
        @OptionGroup var options: ClientOptions

        func run() async throws {
            let client = try options.makeClient()
            let found = try await Lookup.registry(registry, client: client)
            let detail = try await callServer {
                try await client.getChartVersion(path: .init(id: found.id, chart: chart, version: version)).ok.body.json
            }
            try options.print(detail) {
                Table(
                    header: ["FIELD", "VALUE"],
                    rows: [
                        ["chart", detail.chart], ["version", detail.version], ["appVersion", detail.appVersion],
                        ["description", detail.description], ["digest", detail.digest], ["url", detail.url], ["created", detail.created ?? "-"],
                        ["prerelease", "\(detail.prerelease)"], ["deprecated", "\(detail.deprecated)"],
                    ]
                )
            }
        }
    }

    /// Registry, chart and version of one chart version, for the file commands.
    struct ChartVersionArguments: ParsableArguments {
        @Argument(help: "Registry name or id.") var registry: String
        @Argument(help: "Chart name.") var chart: String
        @Argument(help: "Version.") var version: String
    }

    /// Upper bound on a chart file printed by the CLI (Helm caps a chart file at 5 MiB).
    static let maxFileSize = 8 << 20

    /// One of a chart version's files, printed as the server sends it.
    enum TextFile {
        case values, readme

        func fetch(_ target: ChartVersionArguments, options: ClientOptions) async throws -> String {
            let client = try options.makeClient()
            let found = try await Lookup.registry(target.registry, client: client)
            let path = Operations.GetChartValues.Input.Path(id: found.id, chart: target.chart, version: target.version)
            let body = try await callServer {
                switch self {
                case .values: return try await client.getChartValues(path: path).ok.body.yaml
                case .readme:
                    return try await client.getChartReadme(path: .init(id: path.id, chart: path.chart, version: path.version)).ok.body.textMarkdown
                }
            }
            return try await String(collecting: body, upTo: ChartCommand.maxFileSize)
        }

        /// The file as it is (table output), or `{"registry", "chart", "version", key: text}` as JSON or YAML.
        static func print(_ text: String, key: String, _ target: ChartVersionArguments, _ options: ClientOptions) throws {
            guard options.output != .table else {
                Swift.print(text)
                return
            }
            let document = ["registry": target.registry, "chart": target.chart, "version": target.version, key: text]
            try options.print(document) { Table(header: [], rows: []) }
        }
    }

    struct Values: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a chart version's default values (values.yaml), as helm show values does.")
        @OptionGroup var target: ChartVersionArguments
        @OptionGroup var options: ClientOptions

        func run() async throws { try TextFile.print(try await TextFile.values.fetch(target, options: options), key: "values", target, options) }
    }

    struct Readme: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a chart version's README, as helm show readme does.")
        @OptionGroup var target: ChartVersionArguments
        @OptionGroup var options: ClientOptions

        func run() async throws { try TextFile.print(try await TextFile.readme.fetch(target, options: options), key: "readme", target, options) }
    }

    struct Schema: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a chart version's values.schema.json.")
        @OptionGroup var target: ChartVersionArguments
        @OptionGroup var options: ClientOptions

        func run() async throws {
            let client = try options.makeClient()
            let found = try await Lookup.registry(target.registry, client: client)
            let schema = try await callServer {
                try await client.getChartSchema(path: .init(id: found.id, chart: target.chart, version: target.version)).ok.body.json
            }
            switch options.output {
            case .yaml: print(try Output.yaml(schema))
            default: print(try Output.json(schema))
            }
        }
    }
}
