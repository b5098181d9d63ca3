import ArgumentParser
import CharthouseAPI
import Foundation

extension RegistryCommand {
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
            let found = try await Lookup.registry(registry, client: client)
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
            try options.print(updated) { RegistryCommand.changes(from: found, to: updated, passwordChanged: password != nil) }
        }
    }
}
