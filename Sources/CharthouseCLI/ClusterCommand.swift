import ArgumentParser
import CharthouseAPI
import Foundation

/// `charthouse cluster import|list|show|update|remove|discover|releases`: the tenant's clusters
/// and the Helm releases discovered in them.
struct ClusterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cluster",
        abstract: "Import Kubernetes clusters and discover the Helm releases installed in them.",
        subcommands: [
            Import.self, List.self, Show.self, Update.self, Remove.self, Discover.self, Releases.self, Attach.self, Detach.self, Status.self,
            Drift.self,
            AgentToken.self, AgentManifest.self,
        ]
    )

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import a cluster with a kubeconfig (checked live, then its Helm releases are discovered), or one reached through its agent.",
            discussion: "The kubeconfig must embed its credentials (a token, a client certificate and key, or a username and password): "
                + "`kubectl config view --minify --flatten --raw` writes one. It is sealed at rest and never shown again. "
                + "With --agent no kubeconfig is given: the cluster is reached only through its agent (see `cluster agent-token`)."
        )
        @Argument(help: "Cluster name (a-z, 0-9, '-'), unique in your tenant.") var name: String
        @Option(help: "The kubeconfig file, or - for standard input.") var kubeconfig: String?
        @Option(help: "The kubeconfig context to use (default: its current-context).") var context: String?
        @Flag(help: "A cluster in a private network, reached only through the agent running in it.") var agent = false
        @Option(help: "Seconds between discoveries (default 600).") var discoveryInterval: Int?
        @OptionGroup var options: ClientOptions

        func validate() throws {
            if agent, kubeconfig != nil {
                throw ValidationError("--agent takes no --kubeconfig: the server reaches the cluster only through its agent")
            }
            if !agent, kubeconfig == nil { throw ValidationError("give --kubeconfig FILE, or --agent for a cluster reached through its agent") }
        }

        func run() async throws {
            let text = try kubeconfig.map(ProfileCommand.readText)
            let client = try options.makeClient()
            let cluster = try await callServer {
                try await client.createCluster(
                    body: .json(
                        .init(
                            mode: agent ? .agent : .direct,
                            name: name,
                            kubeconfig: text,
                            context: context,
                            discoveryIntervalSeconds: discoveryInterval
                        )
                    )
                ).created.body.json
            }
            try options.print(cluster) { ClusterCommand.table([cluster]) }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List your tenant's clusters.")
        @OptionGroup var options: ClientOptions

        func run() async throws {
            let client = try options.makeClient()
            let list = try await callServer { try await client.listClusters().ok.body.json }
            try options.print(list) { ClusterCommand.table(list.items) }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one cluster and its discovery state.")
        @Argument(help: "Cluster name or id.") var cluster: String
        @OptionGroup var options: ClientOptions

        func run() async throws {
            let client = try options.makeClient()
            let found = try await ClusterCommand.find(cluster, client: client)
            try options.print(found) { Table(header: ["FIELD", "VALUE"], rows: ClusterCommand.fields(found)) }
        }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Rename a cluster, change its discovery interval, or replace its kubeconfig.")
        @Argument(help: "Cluster name or id.") var cluster: String
        @Option(help: "A new name.") var name: String?
        @Option(help: "A new kubeconfig file (checked live), or - for standard input.") var kubeconfig: String?
        @Option(help: "The kubeconfig context to use.") var context: String?
        @Option(help: "Seconds between discoveries.") var discoveryInterval: Int?
        @OptionGroup var options: ClientOptions

        func run() async throws {
            let text = try kubeconfig.map(ProfileCommand.readText)
            let client = try options.makeClient()
            let found = try await ClusterCommand.find(cluster, client: client)
            let updated = try await callServer {
                try await client.updateCluster(
                    path: .init(id: found.id),
                    body: .json(.init(name: name, kubeconfig: text, context: context, discoveryIntervalSeconds: discoveryInterval))
                ).ok.body.json
            }
            try options.print(updated) { ClusterCommand.table([updated]) }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a cluster from Charthouse (nothing in the cluster changes).")
        @Argument(help: "Cluster name or id.") var cluster: String
        @OptionGroup var options: ClientOptions

        func run() async throws {
            let client = try options.makeClient()
            let found = try await ClusterCommand.find(cluster, client: client)
            _ = try await callServer { try await client.deleteCluster(path: .init(id: found.id)).noContent }
            try options.report("Removed cluster \(found.name).", found)
        }
    }

    struct Discover: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Discover a cluster's Helm releases now.")
        @Argument(help: "Cluster name or id.") var cluster: String
        @Flag(help: "Wait for the discovery to finish; exit non-zero if it fails.") var wait = false
        @OptionGroup var options: ClientOptions

        func run() async throws {
            let client = try options.makeClient()
            let found = try await ClusterCommand.find(cluster, client: client)
            let asked = try await callServer { try await client.discoverCluster(path: .init(id: found.id)).accepted.body.json }
            guard wait else {
                try options.report("Discovery of \(found.name) started.", asked)
                return
            }
            // A run under way when asked finishes first; the one asked for comes after it.
            let target = asked.discoveries + (asked.discoveryState == .running ? 2 : 1)
            let started = ContinuousClock.now
            FileHandle.standardError.write(Data("discovering \(found.name)…\n".utf8))
            while true {
                try await Task.sleep(for: .milliseconds(200))
                let state = try await callServer { try await client.getCluster(path: .init(id: found.id)).ok.body.json }
                guard state.discoveries >= target, state.discoveryState != .running else {
                    if ContinuousClock.now - started > .seconds(600) { throw CLIError("timed out waiting for the discovery of \(found.name)") }
                    continue
                }
                try options.print(state) { ClusterCommand.table([state]) }
                if state.discoveryState == .failed { throw CLIError("discovery of \(found.name) failed: \(state.lastError ?? "unknown error")") }
                return
            }
        }
    }

    struct Releases: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the Helm releases discovered in a cluster, with the registries whose catalog holds their chart.",
            discussion: "MATCH is exact (the catalog's archive holds the same chart), modified (same name and version, other content) "
                + "or unknown (the archive could not be read)."
        )
        @Argument(help: "Cluster name or id.") var cluster: String
        @Option(name: [.short, .long], help: "Only this namespace.") var namespace: String?
        @OptionGroup var options: ClientOptions

        func run() async throws {
            let client = try options.makeClient()
            let found = try await ClusterCommand.find(cluster, client: client)
            let list = try await callServer {
                try await client.listClusterReleases(path: .init(id: found.id), query: .init(namespace: namespace)).ok.body.json
            }
            try options.print(list) {
                Table(
                    header: ["NAMESPACE", "NAME", "REVISION", "STATUS", "CHART", "APP VERSION", "MATCH"],
                    rows: list.items.map { release in
                        let matches = release.catalogMatches.map { "\($0.registryName) (\($0.match.rawValue))" }
                        return [
                            release.namespace, release.name, "\(release.revision)", release.status, "\(release.chart)-\(release.chartVersion)",
                            release.appVersion.isEmpty ? "-" : release.appVersion, matches.isEmpty ? "-" : matches.joined(separator: ", "),
                        ]
                    }
                )
            }
        }
    }

    /// The cluster with this id or name.
    static func find(_ nameOrID: String, client: Client) async throws -> Components.Schemas.Cluster {
        let all = try await callServer { try await client.listClusters().ok.body.json.items }
        if let found = all.first(where: { $0.id == nameOrID }) ?? all.first(where: { $0.name == nameOrID }) { return found }
        throw await Lookup.notFound(
            "cluster named \"\(nameOrID)\"",
            client: client,
            systemScope: "(clusters belong to tenants)",
            tenantScope: { "in tenant \($0)" }
        )
    }

    static func table(_ clusters: [Components.Schemas.Cluster]) -> Table {
        Table(
            header: ["NAME", "SERVER", "KUBERNETES", "DISCOVERY", "RELEASES", "LAST DISCOVERY", "ERROR"],
            rows: clusters.map {
                [
                    $0.name, $0.mode == .agent ? "(agent)" : $0.server, $0.kubernetesVersion.isEmpty ? "-" : $0.kubernetesVersion,
                    $0.discoveryState.rawValue, "\($0.releases)", Table.date($0.lastDiscoveryAt),
                    $0.lastError ?? "-",
                ]
            }
        )
    }

    static func fields(_ cluster: Components.Schemas.Cluster) -> [[String]] {
        [
            ["id", cluster.id], ["name", cluster.name], ["mode", cluster.mode.rawValue], ["server", cluster.server.isEmpty ? "-" : cluster.server],
            ["context", cluster.context.isEmpty ? "-" : cluster.context],
            ["agent last seen", Table.date(cluster.agentLastSeenAt)], ["agent version", cluster.agentVersion ?? "-"],
            ["kubernetes", cluster.kubernetesVersion], ["discovery", cluster.discoveryState.rawValue],
            ["discovery interval", "\(cluster.discoveryIntervalSeconds) s"], ["last discovery", Table.date(cluster.lastDiscoveryAt)],
            ["duration", cluster.lastDiscoveryDurationMs.map { "\($0) ms" } ?? "-"], ["releases", "\(cluster.releases)"],
            ["records", "\(cluster.records)"], ["skipped", "\(cluster.skipped)"],
            ["forbidden namespaces", cluster.forbiddenNamespaces.isEmpty ? "-" : cluster.forbiddenNamespaces.joined(separator: ", ")],
            ["last error", cluster.lastError ?? "-"],
        ]
    }
}
