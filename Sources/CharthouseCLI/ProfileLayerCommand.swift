import ArgumentParser
import CharthouseAPI
import Foundation

/// `charthouse profile layer add|remove|move|set-values`: a draft's layers.
struct ProfileLayerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "layer",
        abstract: "Change the layers of a draft profile.",
        discussion: "LAYER is a release name, RELEASE/NAMESPACE when the name is used twice, or a layer id.",
        subcommands: [Add.self, Remove.self, Move.self, SetValues.self, Import.self]
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a layer at the end of the install order.",
            discussion: "From a synced, hosted or system registry the chart and version come from its catalog (a range such as ^1.2 "
                + "is resolved to the highest match and pinned); from a protected registry they are taken as typed."
        )
        @Argument(help: "NAME@VERSION, an id, or NAME (newest version).") var profile: String
        @Option(help: "Registry name or id.") var registry: String
        @Option(help: "Chart name.") var chart: String
        @Option(help: "Version or range (^1.2, ~2.0, >=1.0 <2); empty: the highest stable version.") var version = ""
        @Option(help: "Target namespace.") var namespace = "default"
        @Option(name: .customLong("release"), help: "Release name (default: the chart name).") var release: String?
        @Option(help: "A values file (YAML), or - for standard input.") var values: String?
        @OptionGroup var options: ClientOptions

        func run() async throws {
            let text = try values.map(ProfileCommand.readText)
            let client = try options.makeClient()
            let found = try await ProfileCommand.find(profile, client: client)
            let target = try await Lookup.registry(registry, client: client)
            let updated = try await callServer {
                try await client.addProfileLayer(
                    path: .init(id: found.id),
                    body: .json(
                        .init(registryId: target.id, chart: chart, version: version, releaseName: release, namespace: namespace, values: text)
                    )
                ).created.body.json
            }
            try options.print(updated) { ProfileCommand.layerTable(updated) }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a layer.")
        @Argument(help: "NAME@VERSION or an id.") var profile: String
        @Argument(help: "RELEASE, RELEASE/NAMESPACE or a layer id.") var layer: String
        @OptionGroup var options: ClientOptions

        func run() async throws {
            let client = try options.makeClient()
            let found = try await ProfileCommand.find(profile, client: client)
            let target = try ProfileLayerCommand.layer(layer, in: found)
            let updated = try await callServer {
                try await client.deleteProfileLayer(path: .init(id: found.id, layerId: target.id)).ok.body.json
            }
            try options.print(updated) { ProfileCommand.layerTable(updated) }
        }
    }

    struct Move: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Move a layer to another place in the install order.")
        @Argument(help: "NAME@VERSION or an id.") var profile: String
        @Argument(help: "RELEASE, RELEASE/NAMESPACE or a layer id.") var layer: String
        @Option(help: "The new place, 1 for first.") var to: Int
        @OptionGroup var options: ClientOptions

        func run() async throws {
            let client = try options.makeClient()
            let found = try await ProfileCommand.find(profile, client: client)
            let target = try ProfileLayerCommand.layer(layer, in: found)
            guard (1...max(found.layers.count, 1)).contains(to) else {
                throw CLIError("--to must be between 1 and \(found.layers.count)")
            }
            var ids = found.layers.map(\.id).filter { $0 != target.id }
            ids.insert(target.id, at: to - 1)
            let updated = try await callServer {
                try await client.orderProfileLayers(path: .init(id: found.id), body: .json(.init(layerIds: ids))).ok.body.json
            }
            try options.print(updated) { ProfileCommand.layerTable(updated) }
        }
    }

    struct SetValues: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-values",
            abstract: "Replace a layer's values; they are checked against the chart's schema."
        )
        @Argument(help: "NAME@VERSION or an id.") var profile: String
        @Argument(help: "RELEASE, RELEASE/NAMESPACE or a layer id.") var layer: String
        @Option(help: "A values file (YAML), or - for standard input.") var values: String
        @OptionGroup var options: ClientOptions

        func run() async throws {
            let text = try ProfileCommand.readText(values)
            let client = try options.makeClient()
            let found = try await ProfileCommand.find(profile, client: client)
            let target = try ProfileLayerCommand.layer(layer, in: found)
            let updated = try await callServer {
                try await client.updateProfileLayer(path: .init(id: found.id, layerId: target.id), body: .json(.init(values: text))).ok.body.json
            }
            try options.print(updated) { ProfileCommand.layerTable(updated) }
        }
    }

    /// The layer `reference` names in `profile`.
    static func layer(_ reference: String, in profile: Components.Schemas.Profile) throws -> Components.Schemas.Layer {
        if let found = profile.layers.first(where: { $0.id == reference }) { return found }
        let parts = reference.split(separator: "/", maxSplits: 1).map(String.init)
        let matching = profile.layers.filter { $0.releaseName == parts[0] && (parts.count == 1 || $0.namespace == parts[1]) }
        if matching.count == 1 { return matching[0] }
        if matching.count > 1 {
            throw CLIError(
                "\(matching.count) layers are named \(reference) (in \(matching.map(\.namespace).joined(separator: ", "))): say RELEASE/NAMESPACE"
            )
        }
        throw CLIError(
            "profile \(profile.name)@\(profile.version) has no layer \(reference) (its layers: \(profile.layers.map { "\($0.releaseName)/\($0.namespace)" }.joined(separator: ", ")))"
        )
    }
}
