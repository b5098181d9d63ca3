import ArgumentParser
import CharthouseAPI
import Foundation
import OpenAPIRuntime

/// `charthouse cluster attach|detach|status|agent-token|agent-manifest`: profiles on clusters.
extension ClusterCommand {
    struct Attach: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Attach a published profile version to a cluster (attaching another version upgrades); its agent deploys it.",
            discussion: "--values LAYER=FILE merges the file over that layer's values (LAYER: release name, NAMESPACE/RELEASE or layer id); "
                + "--set-var NAME=VALUE gives a profile variable."
        )
        @Argument(help: "Cluster name or id.") var cluster: String
        @Argument(help: "Profile as NAME@VERSION, NAME (its newest published version) or id.") var profile: String
        @Option(name: .customLong("values"), help: "LAYER=FILE: per-cluster values for a layer (repeatable).") var values: [String] = []
        @Option(name: .customLong("set-var"), help: "NAME=VALUE: a profile variable (repeatable).") var variables: [String] = []
        @Option(help: "On detach: uninstall (default) or orphan the releases.") var onDetach: String = "uninstall"
        @Flag(help: "Re-apply a layer whose release was changed from outside.") var reconcileDrift = false
        @OptionGroup var options: ClientOptions

        func run() async throws {
            guard let policy = Components.Schemas.AttachProfileRequest.OnDetachPayload(rawValue: onDetach) else {
                throw ValidationError("--on-detach is uninstall or orphan")
            }
            var layerValues: [String: String] = [:]
            for entry in values {
                let (layer, file) = try Self.pair(entry, flag: "--values")
                layerValues[layer] = try ProfileCommand.readText(file)
            }
            var given: [String: String] = [:]
            for entry in variables {
                let (name, value) = try Self.pair(entry, flag: "--set-var")
                given[name] = value
            }
            let client = try options.makeClient()
            let found = try await ClusterCommand.find(cluster, client: client)
            let chosen = try await ClusterCommand.publishedProfile(profile, client: client)
            let attachment = try await callServer {
                try await client.attachProfile(
                    path: .init(id: found.id),
                    body: .json(
                        .init(
                            profileId: chosen.id,
                            values: .init(additionalProperties: layerValues),
                            variables: .init(additionalProperties: given),
                            onDetach: policy,
                            reconcileDrift: reconcileDrift
                        )
                    )
                ).ok.body.json
            }
            try options.report("Attached \(chosen.name) \(chosen.version) to \(found.name); its agent deploys it.", attachment)
        }

        static func pair(_ text: String, flag: String) throws -> (String, String) {
            guard let equals = text.firstIndex(of: "="), equals != text.startIndex else {
                throw ValidationError("\(flag) takes KEY=VALUE, not \"\(text)\"")
            }
            return (String(text[..<equals]), String(text[text.index(after: equals)...]))
        }
    }

    struct Detach: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Detach the cluster's profile: its agent uninstalls the releases, or leaves them (as attached with --on-detach)."
        )
        @Argument(help: "Cluster name or id.") var cluster: String
        @OptionGroup var options: ClientOptions

        func run() async throws {
            let client = try options.makeClient()
            let found = try await ClusterCommand.find(cluster, client: client)
            _ = try await callServer { try await client.detachProfile(path: .init(id: found.id)).noContent }
            try options.report("Detached the profile of \(found.name).", found)
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show each layer's deployment on a cluster, as its agent reported it.")
        @Argument(help: "Cluster name or id.") var cluster: String
        @Flag(help: "Wait until no layer is pending, pulling, installing or removing; exit non-zero if one failed.") var wait = false
        @Option(help: "Seconds to wait at most with --wait.") var timeout: Int = 600
        @OptionGroup var options: ClientOptions

        func run() async throws {
            let client = try options.makeClient()
            let found = try await ClusterCommand.find(cluster, client: client)
            let started = ContinuousClock.now
            while true {
                let status = try await callServer { try await client.getDeploymentStatus(path: .init(id: found.id)).ok.body.json }
                let busy = status.layers.contains { [.pending, .pulling, .installing, .removing].contains($0.phase) }
                let failed = status.layers.contains { $0.phase == .failed }
                if !wait || !busy || failed || ContinuousClock.now - started > .seconds(timeout) {
                    try options.print(status) { Self.table(status) }
                    if wait, failed { throw CLIError("a layer failed on \(found.name)") }
                    if wait, busy { throw CLIError("timed out waiting for \(found.name)") }
                    return
                }
                try await Task.sleep(for: .milliseconds(500))
            }
        }

        static func table(_ status: Components.Schemas.DeploymentStatus) -> Table {
            Table(
                header: ["NAMESPACE", "RELEASE", "CHART", "MODE", "PHASE", "REVISION", "MESSAGE"],
                rows: status.layers.map { layer in
                    [
                        layer.namespace, layer.releaseName, "\(layer.chart ?? "-")-\(layer.version ?? "-")", layer.mode.rawValue,
                        layer.phase.rawValue,
                        layer.revision.map(String.init) ?? "-", layer.message.map { String($0.prefix(120)) } ?? "-",
                    ]
                }
            )
        }
    }

    struct Drift: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compare each layer with the release in the cluster, and list releases no layer manages.",
            discussion: "STATE is in-sync, drifted or missing; CHANGES says what differs: chart, values, outside (a revision the agent "
                + "did not make) or digest."
        )
        @Argument(help: "Cluster name or id.") var cluster: String
        @OptionGroup var options: ClientOptions

        func run() async throws {
            let client = try options.makeClient()
            let found = try await ClusterCommand.find(cluster, client: client)
            let report = try await callServer { try await client.getDriftReport(path: .init(id: found.id)).ok.body.json }
            try options.print(report) {
                var rows = report.layers.map { layer in
                    let changes = [
                        layer.chartChanged ? "chart" : nil, layer.valuesChanged ? "values" : nil, layer.changedOutside ? "outside" : nil,
                        layer.digestChanged ? "digest" : nil,
                    ].compactMap { $0 }
                    return [
                        layer.namespace, layer.releaseName, "\(layer.desiredChart)-\(layer.desiredVersion)",
                        layer.installedVersion.map { "\(layer.installedChart ?? "")-\($0)" } ?? "-", layer.state.rawValue,
                        changes.isEmpty ? "-" : changes.joined(separator: ","),
                    ]
                }
                rows += report.unmanaged.map { [$0.namespace, $0.name, "-", "\($0.chart)-\($0.chartVersion)", "unmanaged", "-"] }
                return Table(header: ["NAMESPACE", "RELEASE", "WANTED", "INSTALLED", "STATE", "CHANGES"], rows: rows)
            }
        }
    }

    struct AgentToken: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "agent-token",
            abstract: "Issue the cluster's agent registration token (shown once; the previous one stops working).",
            discussion: "With --manifest FILE the agent's manifest, token Secret included, is written there for `kubectl apply -f`."
        )
        @Argument(help: "Cluster name or id.") var cluster: String
        @Option(help: "Write the agent's manifest (with the token) to this file.") var manifest: String?
        @OptionGroup var options: ClientOptions

        func run() async throws {
            let client = try options.makeClient()
            let found = try await ClusterCommand.find(cluster, client: client)
            let issued = try await callServer { try await client.issueAgentToken(path: .init(id: found.id)).created.body.json }
            if let manifest {
                try Data(issued.manifest.utf8).write(to: URL(fileURLWithPath: manifest))
                FileHandle.standardError.write(Data("wrote the agent manifest to \(manifest)\n".utf8))
            }
            try options.print(issued) { Table(header: ["TOKEN"], rows: [[issued.token]]) }
        }
    }

    struct AgentManifest: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "agent-manifest",
            abstract: "Print the agent's Kubernetes manifest (without the token Secret: `cluster agent-token --manifest` writes one with it)."
        )
        @Argument(help: "Cluster name or id.") var cluster: String
        @OptionGroup var options: ClientOptions

        func run() async throws {
            let client = try options.makeClient()
            let found = try await ClusterCommand.find(cluster, client: client)
            let body = try await callServer { try await client.getAgentManifest(path: .init(id: found.id)).ok.body.plainText }
            print(try await String(collecting: body, upTo: 1 << 20), terminator: "")
        }
    }

    /// A published profile version by `NAME@VERSION`, `NAME` (its newest published version) or id.
    static func publishedProfile(_ reference: String, client: Client) async throws -> Components.Schemas.Profile {
        if !reference.contains("@"), ProfileCommand.isName(reference) {
            let versions = try await callServer {
                try await client.listProfiles(query: .init(name: reference)).ok.body.json.items.flatMap(\.versions)
            }
            // Versions come newest first.
            if let newest = versions.first(where: { $0.name == reference && $0.state == .published }) { return newest }
        }
        return try await ProfileCommand.find(reference, client: client)
    }
}
