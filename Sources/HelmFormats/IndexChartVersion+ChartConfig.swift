public import Foundation

extension IndexChartVersion {
    /// A chart version from an OCI Helm config blob: the chart's Chart.yaml metadata as JSON, as
    /// `helm push` writes it. Throws when the blob is not a JSON object.
    public init(entry: String, chartConfig: Data) throws {
        struct ConfigMaintainer: Decodable {
            var name: String?
            var email: String?
            var url: String?
        }
        struct ConfigDependency: Decodable {
            var name: String?
            var version: String?
            var repository: String?
            var condition: String?
            var tags: [String]?
            var enabled: Bool?
            var alias: String?
        }
        struct Config: Decodable {
            var name: String?
            var version: String?
            var appVersion: String?
            var description: String?
            var apiVersion: String?
            var type: String?
            var kubeVersion: String?
            var home: String?
            var icon: String?
            var condition: String?
            var tags: String?
            var deprecated: Bool?
            var keywords: [String]?
            var sources: [String]?
            var maintainers: [ConfigMaintainer?]?
            var dependencies: [ConfigDependency?]?
            var annotations: [String: String]?
        }
        let config: Config
        do {
            config = try JSONDecoder().decode(Config.self, from: chartConfig)
        } catch {
            throw HelmFormatError("the Helm config blob is not Chart.yaml metadata as JSON")
        }
        self.init(entry: entry)
        name = config.name ?? ""
        version = config.version ?? ""
        appVersion = config.appVersion ?? ""
        description = config.description ?? ""
        apiVersion = config.apiVersion ?? ""
        type = config.type ?? ""
        kubeVersion = config.kubeVersion ?? ""
        home = config.home ?? ""
        icon = config.icon ?? ""
        condition = config.condition ?? ""
        tags = config.tags ?? ""
        deprecated = config.deprecated ?? false
        keywords = config.keywords ?? []
        sources = config.sources ?? []
        maintainers = (config.maintainers ?? []).map {
            $0.map { IndexChartVersion.Maintainer(name: $0.name ?? "", email: $0.email ?? "", url: $0.url ?? "") }
        }
        dependencies = (config.dependencies ?? []).map {
            $0.map {
                IndexChartVersion.Dependency(
                    name: $0.name ?? "",
                    version: $0.version ?? "",
                    repository: $0.repository ?? "",
                    condition: $0.condition ?? "",
                    tags: $0.tags ?? [],
                    enabled: $0.enabled ?? false,
                    alias: $0.alias ?? ""
                )
            }
        }
        annotations = config.annotations ?? [:]
    }
}
