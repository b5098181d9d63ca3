import ArgumentParser
import CharthouseAPI
import Foundation
import OpenAPIRuntime

/// `charthouse profile …`: cluster profiles and their layers. A profile is named `NAME@VERSION`,
/// by its id, or by `NAME` alone for its newest version.
struct ProfileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profile",
        abstract: "Model cluster profiles: versions of ordered Helm add-on layers.",
        discussion: "PROFILE is NAME@VERSION, an id, or NAME for the newest version of that name.",
        subcommands: [
            Create.self, List.self, Show.self, Delete.self, Publish.self, NewVersion.self, Diff.self, Export.self, Import.self,
            FromCluster.self, ProfileLayerCommand.self,
        ]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a draft profile version without layers.",
            discussion: "Layer values reference a variable as {{ .charthouse.var.NAME }}; a cluster attachment gives its value."
        )
        @Argument(help: "Profile name: a DNS label.") var name: String
        @Argument(help: "Version: SemVer 2, e.g. 1.0.0.") var version: String
        @Option(help: "What the profile is for.") var description: String?
        @Option(name: .customLong("variable"), help: "NAME or NAME=DEFAULT: a variable the layers' values may use (repeatable).")
        var variables: [String] = []
        @Option(name: .customLong("require-variable"), help: "NAME: a variable every attachment must give (repeatable).")
        var requiredVariables: [String] = []
        @OptionGroup var options: ClientOptions

        func run() async throws {
            var declared: [Components.Schemas.ProfileVariable] = variables.map { entry in
                guard let equals = entry.firstIndex(of: "=") else { return .init(name: entry) }
                return .init(name: String(entry[..<equals]), _default: String(entry[entry.index(after: equals)...]))
            }
            declared += requiredVariables.map { .init(name: $0, required: true) }
            let client = try options.makeClient()
            let profile = try await callServer {
                try await client.createProfile(
                    body: .json(.init(name: name, version: version, description: description, variables: declared.isEmpty ? nil : declared))
                ).created.body.json
            }
            try options.print(profile) { ProfileCommand.profileTable(profile) }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List profiles, versions newest first.")
        @Argument(help: "Only the versions of this profile.") var name: String?
        @OptionGroup var options: ClientOptions

        func run() async throws {
            let client = try options.makeClient()
            let list = try await callServer { try await client.listProfiles(query: .init(name: name)).ok.body.json }
            try options.print(list) {
                Table(
                    header: ["NAME", "VERSION", "STATE", "LAYERS", "STALE", "UPDATED", "ID"],
                    rows: list.items.flatMap(\.versions).map { profile in
                        [
                            profile.name, profile.version, profile.state.rawValue, String(profile.layers.count),
                            String(profile.layers.filter { $0.stale != nil }.count), Table.date(profile.updatedAt), profile.id,
                        ]
                    }
                )
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a profile's layers in install order.")
        @Argument(help: "NAME@VERSION, an id, or NAME (newest version).") var profile: String
        @OptionGroup var options: ClientOptions

        func run() async throws {
            let client = try options.makeClient()
            let found = try await ProfileCommand.find(profile, client: client)
            try options.print(found) { ProfileCommand.profileTable(found) }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a draft profile version (published ones are kept).")
        @Argument(help: "NAME@VERSION or an id.") var profile: String
        @OptionGroup var options: ClientOptions

        func run() async throws {
            let client = try options.makeClient()
            let found = try await ProfileCommand.find(profile, client: client)
            _ = try await callServer { try await client.deleteProfile(path: .init(id: found.id)).noContent }
            try options.report("Deleted profile \(found.name)@\(found.version).", found)
        }
    }

    struct Publish: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Publish a draft: it never changes again.")
        @Argument(help: "NAME@VERSION or an id.") var profile: String
        @OptionGroup var options: ClientOptions

        func run() async throws {
            let client = try options.makeClient()
            let found = try await ProfileCommand.find(profile, client: client)
            let published = try await callServer {
                try await client.updateProfile(path: .init(id: found.id), body: .json(.init(state: .published))).ok.body.json
            }
            try options.report("Published profile \(published.name)@\(published.version).", published)
        }
    }

    struct NewVersion: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "new-version",
            abstract: "Copy a profile version as a new draft version with the same layers."
        )
        @Argument(help: "NAME@VERSION, an id, or NAME (newest version).") var profile: String
        @Argument(help: "The new version.") var version: String
        @OptionGroup var options: ClientOptions

        func run() async throws {
            let client = try options.makeClient()
            let found = try await ProfileCommand.find(profile, client: client)
            let copy = try await callServer {
                try await client.createProfileVersion(path: .init(id: found.id), body: .json(.init(version: version))).created.body.json
            }
            try options.print(copy) { ProfileCommand.profileTable(copy) }
        }
    }

    struct Diff: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "What changed from one profile version to another.")
        @Argument(help: "The older profile: NAME@VERSION or an id.") var from: String
        @Argument(help: "The newer profile: NAME@VERSION or an id.") var to: String
        @OptionGroup var options: ClientOptions

        func run() async throws {
            let client = try options.makeClient()
            let a = try await ProfileCommand.find(from, client: client)
            let b = try await ProfileCommand.find(to, client: client)
            let diff = try await callServer { try await client.diffProfiles(path: .init(id: a.id, other: b.id)).ok.body.json }
            try options.print(diff) { ProfileCommand.diffText(diff) }
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a profile as a charthouse/v1 ClusterProfile YAML document.")
        @Argument(help: "NAME@VERSION, an id, or NAME (newest version).") var profile: String
        @OptionGroup var options: ClientOptions

        func run() async throws {
            let client = try options.makeClient()
            let found = try await ProfileCommand.find(profile, client: client)
            let body = try await callServer { try await client.exportProfile(path: .init(id: found.id)).ok.body.yaml }
            Swift.print(try await String(collecting: body, upTo: 4 << 20), terminator: "")
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a draft from a ClusterProfile document; every layer is resolved again in your tenant.",
            discussion: "Registries are found by scope and name. A digest that differs from the registry's is refused unless --repin."
        )
        @Argument(help: "The document, or - for standard input.") var file: String
        @Flag(help: "Accept the registries' digests where they differ from the document's.") var repin = false
        @OptionGroup var options: ClientOptions

        func run() async throws {
            let text = try ProfileCommand.readText(file)
            let client = try options.makeClient()
            let profile = try await callServer {
                try await client.importProfile(query: .init(repin: repin), body: .yaml(HTTPBody(text))).created.body.json
            }
            try options.print(profile) { ProfileCommand.profileTable(profile) }
        }
    }

    // MARK: - Shared

    /// The profile `reference` names: `NAME@VERSION`, an id, or `NAME` (its newest version).
    static func find(_ reference: String, client: Client) async throws -> Components.Schemas.Profile {
        let parts = reference.split(separator: "@", maxSplits: 1).map(String.init)
        let name = parts.first ?? reference
        let versions = try await callServer {
            try await client.listProfiles(query: .init(name: isName(name) ? name : nil)).ok.body.json.items.flatMap(\.versions)
        }
        let found =
            parts.count == 2
            ? versions.first { $0.name == name && $0.version == parts[1] }
            : versions.first { $0.id == reference } ?? versions.first { $0.name == reference }
        if let found { return found }
        throw await Lookup.notFound(
            "profile \"\(reference)\"",
            client: client,
            systemScope: "(profiles belong to tenants)",
            tenantScope: { "in tenant \($0)" }
        )
    }

    static func isName(_ text: String) -> Bool {
        !text.isEmpty && text.count <= 63 && text.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
            && text.first != "-" && text.last != "-"
    }

    static func readText(_ file: String) throws -> String {
        if file == "-" { return String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self) }
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { throw CLIError("cannot read \(file)") }
        return text
    }

    static func layerTable(_ profile: Components.Schemas.Profile) -> Table {
        let title = "\(profile.name)@\(profile.version) (\(profile.state.rawValue), \(profile.layers.count) layers)"
        guard !profile.layers.isEmpty else { return Table(header: [], rows: [[title]]) }
        return Table(
            header: ["#", "RELEASE", "NAMESPACE", "CHART", "VERSION", "REGISTRY", "SOURCE", "DIGEST", "VALUES", "STALE"],
            rows: profile.layers.map { layer in
                [
                    String(layer.position + 1), layer.releaseName, layer.namespace, layer.chart, layer.version,
                    "\(layer.registryScope == .system ? "system/" : "")\(layer.registryName)", layer.source.rawValue,
                    layer.digest.map { String($0.prefix(19)) } ?? "-", layer.valuesSchema, layer.stale?.reason ?? "-",
                ]
            },
            title: title
        )
    }

    /// The layers in install order, then the variables when the profile declares any.
    static func profileTable(_ profile: Components.Schemas.Profile) -> Table {
        var table = layerTable(profile)
        if let variables = variableTable(profile) { table.following.append(variables) }
        return table
    }

    /// The profile's variables, or nil when it declares none.
    static func variableTable(_ profile: Components.Schemas.Profile) -> Table? {
        guard !profile.variables.isEmpty else { return nil }
        return Table(
            header: ["VARIABLE", "REQUIRED", "DEFAULT", "REGEX", "DESCRIPTION"],
            rows: profile.variables.map { variable in
                [
                    variable.name, variable.required == true ? "yes" : "no", variable._default ?? "-", variable.regex ?? "-",
                    variable.description ?? "-",
                ]
            },
            title: "Variables (referenced in values as {{ .charthouse.var.NAME }}):"
        )
    }

    static func diffText(_ diff: Components.Schemas.ProfileDiff) -> Table {
        var lines = ["\(diff.from.name)@\(diff.from.version) → \(diff.to.name)@\(diff.to.version)"]
        for layer in diff.added { lines.append("+ \(layer.releaseName) (\(layer.namespace)): \(layer.chart) \(layer.version)") }
        for layer in diff.removed { lines.append("- \(layer.releaseName) (\(layer.namespace)): \(layer.chart) \(layer.version)") }
        for move in diff.moved { lines.append("~ \(move.releaseName) (\(move.namespace)): moved from #\(move.from + 1) to #\(move.to + 1)") }
        for change in diff.changed {
            for field in change.fields {
                lines.append("~ \(change.releaseName) (\(change.namespace)): \(field.field.rawValue) \(field.from) → \(field.to)")
            }
            if let values = change.valuesDiff { lines.append(String(values.dropLast())) }
        }
        if lines.count == 1 { lines.append("no differences") }
        return Table(header: [], rows: lines.map { [$0] })
    }
}
