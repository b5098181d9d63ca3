import ArgumentParser
import CharthouseAPI
import Foundation

/// `charthouse registry add|list|show|update|remove`: the tenant's Helm registries (and, for the
/// system administrator, the system registries).
struct RegistryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "registry",
        abstract: "Manage Helm registries: classic index.yaml repositories and OCI registries.",
        subcommands: [Add.self, List.self, Show.self, Update.self, Remove.self, Sync.self, Syncs.self]
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a registry. Unprotected registries are checked live before they are saved."
        )
        @Argument(help: "Registry name (a-z, 0-9, '-'), unique in your tenant.") var name: String
        @Argument(help: "https://… or http://… (classic, serving index.yaml) or oci://host[:port][/path].") var endpoint: String
        @Flag(help: "In a private network: no credential check, no sync, charts typed by hand.") var protected = false
        @Flag(help: "The registry needs no credentials.") var noAuth = false
        @Option(help: "Username for the registry.") var username: String?
        @Flag(help: "Read the registry password from stdin.") var passwordStdin = false
        @Option(help: "PEM file of a CA that signs the registry's certificate.") var caFile: String?
        @Flag(help: "Skip TLS certificate verification (testing only).") var insecureSkipTLSVerify = false
        @Flag(help: "Plain HTTP to an OCI registry (server must allow insecure registries).") var plainHTTP = false
        @Option(help: "Seconds between syncs (default 1800).") var syncInterval: Int?
        @Option(
            name: .customLong("repository"),
            help: "OCI: a repository to sync, relative to the endpoint path (repeatable); for registries that refuse to list their catalog."
        )
        var repositories: [String] = []
        @Flag(help: "Add a system registry every tenant sees (system administrator).") var system = false
        @OptionGroup var options: ClientOptions

        func validate() throws {
            if noAuth, username != nil || passwordStdin {
                throw ValidationError("--no-auth cannot be combined with --username or --password-stdin")
            }
            if !noAuth, username == nil || !passwordStdin {
                throw ValidationError("--username with --password-stdin, or --no-auth, is required")
            }
        }

        func run() async throws {
            let client = try options.makeClient()
            let password = passwordStdin ? try PasswordInput.read(fromStdin: true, prompt: "") : nil
            let body = Components.Schemas.CreateRegistryRequest(
                name: name,
                endpoint: endpoint,
                protected: protected,
                noAuthentication: noAuth,
                username: username,
                password: password,
                caCertificate: try caFile.map(RegistryCommand.readPEM),
                insecureSkipTLSVerify: insecureSkipTLSVerify,
                plainHTTP: plainHTTP,
                syncIntervalSeconds: syncInterval,
                repositories: repositories.isEmpty ? nil : repositories
            )
            let registry = try await callServer {
                system
                    ? try await client.createSystemRegistry(body: .json(body)).created.body.json
                    : try await client.createRegistry(body: .json(body)).created.body.json
            }
            try options.print(registry) { RegistryCommand.table([registry]) }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List your tenant's registries and the system registries.")
        @OptionGroup var options: ClientOptions

        func run() async throws {
            let client = try options.makeClient()
            let list = try await callServer { try await client.listRegistries().ok.body.json }
            try options.print(list) { RegistryCommand.table(list.items) }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one registry.")
        @Argument(help: "Registry name or id.") var registry: String
        @OptionGroup var options: ClientOptions

        func run() async throws {
            let client = try options.makeClient()
            let found = try await Lookup.registry(registry, client: client)
            try options.print(found) { Table(header: ["FIELD", "VALUE"], rows: RegistryCommand.fields(found)) }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a registry.")
        @Argument(help: "Registry name or id.") var registry: String
        @OptionGroup var options: ClientOptions

        func run() async throws {
            let client = try options.makeClient()
            let found = try await Lookup.registry(registry, client: client)
            _ = try await callServer { try await client.deleteRegistry(path: .init(id: found.id)).noContent }
            try options.report("Removed registry \(found.name).", found)
        }
    }

    static func readPEM(_ path: String) throws -> String {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw CLIError("cannot read \(path)") }
        return text
    }
}
