import ArgumentParser
import CharthouseAPI
import Foundation

/// `charthouse registry add|list|show|update|remove`: the tenant's Helm registries (and, for the
/// system administrator, the system registries).
struct RegistryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "registry",
        abstract: "Manage Helm registries: classic index.yaml repositories and OCI registries.",
        subcommands: [Add.self, List.self, Show.self, Update.self, Remove.self, Sync.self]
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
            let found = try await RegistryCommand.find(registry, client: client)
            try options.print(found) {
                Table(
                    header: ["FIELD", "VALUE"],
                    rows: [
                        ["name", found.name], ["id", found.id], ["endpoint", found.endpoint], ["kind", found.kind.rawValue],
                        ["scope", found.scope.rawValue], ["protected", "\(found.protected)"], ["noAuthentication", "\(found.noAuthentication)"],
                        ["username", found.username ?? "-"], ["hasCredentials", "\(found.hasCredentials)"],
                        ["caCertificate", found.caCertificate == nil ? "-" : "(PEM)"], ["insecureSkipTLSVerify", "\(found.insecureSkipTLSVerify)"],
                        ["plainHTTP", "\(found.plainHTTP)"], ["syncIntervalSeconds", "\(found.syncIntervalSeconds)"],
                        ["repositories", found.repositories.map { $0.joined(separator: ", ") } ?? "(discovered)"],
                        ["syncState", found.syncState.rawValue], ["updatedAt", Table.date(found.updatedAt)],
                    ]
                )
            }
        }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change a registry; connection changes are checked live again.")
        @Argument(help: "Registry name or id.") var registry: String
        @Option(help: "New name.") var name: String?
        @Option(help: "New endpoint.") var endpoint: String?
        @Flag(inversion: .prefixedNo, help: "Mark protected / unprotected.") var protected: Bool?
        @Flag(help: "Drop the credentials: the registry needs none.") var noAuth = false
        @Option(help: "Username (with --password-stdin).") var username: String?
        @Flag(help: "Read a new password from stdin.") var passwordStdin = false
        @Option(help: "PEM file of a CA that signs the registry's certificate.") var caFile: String?
        @Flag(help: "Remove the stored CA certificate.") var removeCA = false
        @Flag(inversion: .prefixedNo, help: "Skip TLS certificate verification.") var insecureSkipTLSVerify: Bool?
        @Flag(inversion: .prefixedNo, help: "Plain HTTP to an OCI registry.") var plainHTTP: Bool?
        @Option(help: "Seconds between syncs.") var syncInterval: Int?
        @Option(name: .customLong("repository"), help: "OCI: replace the repositories to sync (repeatable).") var repositories: [String] = []
        @Flag(help: "OCI: forget the named repositories and discover them through the catalog again.") var discoverRepositories = false
        @Flag(inversion: .prefixedNo, help: "Hosted: anyone may pull, signed in or not.") var `public`: Bool?
        @Flag(inversion: .prefixedNo, help: "Hosted: a version may be pushed again with another archive.") var allowOverwrite: Bool?
        @OptionGroup var options: ClientOptions

        func run() async throws {
            let client = try options.makeClient()
            let found = try await RegistryCommand.find(registry, client: client)
            let password = passwordStdin ? try PasswordInput.read(fromStdin: true, prompt: "") : nil
            var caCertificate = try caFile.map(RegistryCommand.readPEM)
            if removeCA { caCertificate = "" }
            let body = Components.Schemas.UpdateRegistryRequest(
                name: name,
                endpoint: endpoint,
                protected: protected,
                noAuthentication: noAuth ? true : (username != nil || password != nil ? false : nil),
                username: noAuth ? "" : username,
                password: password,
                caCertificate: caCertificate,
                insecureSkipTLSVerify: insecureSkipTLSVerify,
                plainHTTP: plainHTTP,
                syncIntervalSeconds: syncInterval,
                repositories: discoverRepositories ? [] : (repositories.isEmpty ? nil : repositories),
                _public: `public`,
                allowOverwrite: allowOverwrite
            )
            let updated = try await callServer { try await client.updateRegistry(path: .init(id: found.id), body: .json(body)).ok.body.json }
            try options.print(updated) { RegistryCommand.table([updated]) }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a registry.")
        @Argument(help: "Registry name or id.") var registry: String
        @OptionGroup var options: ClientOptions

        func run() async throws {
            let client = try options.makeClient()
            let found = try await RegistryCommand.find(registry, client: client)
            _ = try await callServer { try await client.deleteRegistry(path: .init(id: found.id)).noContent }
            print("Removed registry \(found.name).")
        }
    }

    struct Sync: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Sync a registry's charts into the catalog now.")
        @Argument(help: "Registry name or id.") var registry: String
        @Flag(help: "Fetch the whole index and accept a suspicious shrink.") var force = false
        @Flag(help: "Wait for the sync to finish; exit non-zero if it fails.") var wait = false
        @OptionGroup var options: ClientOptions

        func run() async throws {
            let client = try options.makeClient()
            let found = try await RegistryCommand.find(registry, client: client)
            let runsBefore = try await callServer { try await client.listRegistrySyncs(path: .init(id: found.id)).ok.body.json.items.count }
            _ = try await callServer { try await client.syncRegistry(path: .init(id: found.id), query: .init(force: force)).accepted }
            guard wait else {
                print("Sync of \(found.name) started.")
                return
            }
            let started = ContinuousClock.now
            FileHandle.standardError.write(Data("syncing \(found.name)…\n".utf8))
            while true {
                try await Task.sleep(for: .milliseconds(200))
                let runs = try await callServer { try await client.listRegistrySyncs(path: .init(id: found.id)).ok.body.json.items }
                guard runs.count > runsBefore, let run = runs.first else {
                    if ContinuousClock.now - started > .seconds(600) { throw CLIError("timed out waiting for the sync of \(found.name)") }
                    continue
                }
                let state = try await callServer { try await client.getRegistry(path: .init(id: found.id)).ok.body.json }
                try options.print(run) {
                    Table(
                        header: ["REGISTRY", "OUTCOME", "CHARTS", "VERSIONS", "ADDED", "REMOVED", "UPDATED", "SKIPPED", "MS"],
                        rows: [
                            [
                                found.name, run.outcome.rawValue, "\(state.charts ?? 0)", "\(state.versions ?? 0)", "\(run.added)", "\(run.removed)",
                                "\(run.updated)", "\(run.skipped)", "\(run.durationMs)",
                            ]
                        ]
                    )
                }
                if run.outcome == .failed { throw CLIError("sync of \(found.name) failed: \(run.error ?? "unknown error")") }
                return
            }
        }
    }

    /// The registry with this id or name; the tenant's own wins over a system registry of the same name.
    static func find(_ nameOrID: String, client: Client) async throws -> Components.Schemas.Registry {
        let all = try await callServer { try await client.listRegistries().ok.body.json.items }
        guard let found = all.first(where: { $0.id == nameOrID }) ?? all.first(where: { $0.name == nameOrID }) else {
            throw CLIError("no registry named \"\(nameOrID)\"")
        }
        return found
    }

    static func readPEM(_ path: String) throws -> String {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw CLIError("cannot read \(path)") }
        return text
    }

    static func table(_ registries: [Components.Schemas.Registry]) -> Table {
        Table(
            header: ["NAME", "KIND", "SCOPE", "ENDPOINT", "PROTECTED", "AUTH", "SYNC"],
            rows: registries.map {
                [
                    $0.name, $0.kind.rawValue, $0.scope.rawValue, $0.endpoint, $0.protected ? "yes" : "no",
                    $0.noAuthentication ? "none" : ($0.username ?? "yes"), $0.syncState.rawValue,
                ]
            }
        )
    }
}
