import ArgumentParser
import CharthouseAPI

/// `charthouse tenant create|list|show|rename|delete` (system administrator).
struct TenantCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tenant",
        abstract: "Manage tenants (system administrator).",
        subcommands: [Create.self, List.self, Show.self, Rename.self, Delete.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a tenant (with its hosted registry).")
        @Argument(help: "Tenant name: a DNS label (a-z, 0-9, '-').") var name: String
        @OptionGroup var options: ClientOptions

        func run() async throws {
            let client = try options.makeClient()
            let tenant = try await callServer { try await client.createTenant(body: .json(.init(name: name))).created.body.json }
            try options.print(tenant) { TenantCommand.table([tenant]) }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tenants.")
        @OptionGroup var options: ClientOptions

        func run() async throws {
            let client = try options.makeClient()
            let list = try await callServer { try await client.listTenants().ok.body.json }
            try options.print(list) { TenantCommand.table(list.items) }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one tenant.")
        @Argument(help: "Tenant name or id.") var tenant: String
        @OptionGroup var options: ClientOptions

        func run() async throws {
            let client = try options.makeClient()
            let found = try await callServer { try await client.getTenant(path: .init(id: tenant)).ok.body.json }
            try options.print(found) { TenantCommand.table([found]) }
        }
    }

    struct Rename: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rename a tenant.",
            discussion: "Its hosted registry moves along: oci://HOST/NEW/… and /charts/NEW serve its charts, the old name answers 404."
        )
        @Argument(help: "Tenant name or id.") var tenant: String
        @Argument(help: "The new name.") var newName: String
        @OptionGroup var options: ClientOptions

        func run() async throws {
            let client = try options.makeClient()
            let renamed = try await callServer {
                try await client.updateTenant(path: .init(id: tenant), body: .json(.init(name: newName))).ok.body.json
            }
            try options.print(renamed) { Table(header: ["FIELD", "BEFORE", "AFTER"], rows: [["name", tenant, renamed.name]]) }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete a tenant with its users, tokens, registries, catalog and hosted charts.",
            discussion: "The hosted charts' blobs are removed by the next `charthouse gc --delete`."
        )
        @Argument(help: "Tenant name or id.") var tenant: String
        @OptionGroup var options: ClientOptions

        func run() async throws {
            let client = try options.makeClient()
            let found = try await callServer { try await client.getTenant(path: .init(id: tenant)).ok.body.json }
            _ = try await callServer { try await client.deleteTenant(path: .init(id: found.id)).noContent }
            try options.report("Deleted tenant \(found.name).", found)
        }
    }

    static func table(_ tenants: [Components.Schemas.Tenant]) -> Table {
        Table(header: ["NAME", "ID", "CREATED"], rows: tenants.map { [$0.name, $0.id, Table.date($0.createdAt)] })
    }
}
