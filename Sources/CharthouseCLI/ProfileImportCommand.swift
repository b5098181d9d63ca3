import ArgumentParser
import CharthouseAPI
import Foundation

/// "Import from Cluster" in the CLI: `profile layer import` and `profile from-cluster`.
extension ProfileLayerCommand {
    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add layers made from releases discovered in a cluster (name, namespace, values).",
            discussion: "Each layer is linked to the first registry whose catalog holds exactly the release's chart; "
                + "NS/NAME=REGISTRY links it to that registry instead (a protected registry takes the chart as typed)."
        )
        @Argument(help: "NAME@VERSION or an id of a draft profile.") var profile: String
        @Option(help: "Cluster name or id.") var cluster: String
        @Option(name: .customLong("release"), help: "NAMESPACE/NAME or NAMESPACE/NAME=REGISTRY (repeatable).") var releases: [String]
        @OptionGroup var options: ClientOptions

        func validate() throws {
            if releases.isEmpty { throw ValidationError("name at least one --release NAMESPACE/NAME") }
        }

        func run() async throws {
            let client = try options.makeClient()
            let found = try await ProfileCommand.find(profile, client: client)
            let target = try await ClusterCommand.find(cluster, client: client)
            let selections = try await ProfileCommand.selections(releases, client: client)
            let updated = try await callServer {
                try await client.importProfileLayers(path: .init(id: found.id), body: .json(.init(clusterId: target.id, releases: selections)))
                    .created.body.json
            }
            try options.print(updated) { ProfileCommand.layerTable(updated) }
        }
    }
}

extension ProfileCommand {
    struct FromCluster: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "from-cluster",
            abstract: "Create a draft profile from a cluster's releases: every deployed one, or those named."
        )
        @Argument(help: "NAME@VERSION of the new profile.") var profile: String
        @Option(help: "Cluster name or id.") var cluster: String
        @Option(name: .customLong("release"), help: "NAMESPACE/NAME or NAMESPACE/NAME=REGISTRY (repeatable); default: every deployed release.")
        var releases: [String] = []
        @Option(help: "A description.") var description: String?
        @OptionGroup var options: ClientOptions

        func run() async throws {
            let parts = profile.split(separator: "@", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw CLIError("give the new profile as NAME@VERSION, e.g. brownfield@1.0.0") }
            let client = try options.makeClient()
            let target = try await ClusterCommand.find(cluster, client: client)
            let selections = releases.isEmpty ? nil : try await ProfileCommand.selections(releases, client: client)
            let created = try await callServer {
                try await client.createProfileFromCluster(
                    body: .json(.init(clusterId: target.id, name: parts[0], version: parts[1], description: description, releases: selections))
                ).created.body.json
            }
            try options.print(created) { ProfileCommand.profileTable(created) }
        }
    }

    /// `NS/NAME[=REGISTRY]` arguments as release selections (registries by name or id).
    static func selections(_ arguments: [String], client: Client) async throws -> [Components.Schemas.ReleaseSelection] {
        var result: [Components.Schemas.ReleaseSelection] = []
        for argument in arguments {
            let (release, registry) =
                argument.contains("=")
                ? (String(argument.split(separator: "=", maxSplits: 1)[0]), String(argument.split(separator: "=", maxSplits: 1)[1]))
                : (argument, nil)
            let parts = release.split(separator: "/", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw CLIError("--release \(argument): give NAMESPACE/NAME, optionally =REGISTRY")
            }
            var registryID: String? = nil
            if let registry { registryID = try await Lookup.registry(registry, client: client).id }
            result.append(.init(namespace: parts[0], name: parts[1], registryId: registryID))
        }
        return result
    }
}
