import ArgumentParser
import CharthouseAPI

/// `charthouse tenant create|list` (system administrator).
struct TenantCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tenant",
        abstract: "Manage tenants (system administrator).",
        subcommands: [Create.self, List.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a tenant.")
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

    static func table(_ tenants: [Components.Schemas.Tenant]) -> Table {
        Table(header: ["NAME", "ID", "CREATED"], rows: tenants.map { [$0.name, $0.id, Table.date($0.createdAt)] })
    }
}
