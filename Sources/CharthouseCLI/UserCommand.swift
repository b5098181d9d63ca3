import ArgumentParser
import CharthouseAPI

/// `charthouse user create|list|delete`.
struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Manage users (tenant administrators and the system administrator).",
        subcommands: [Create.self, List.self, Delete.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a user.")
        @Argument(help: "Username.") var username: String
        @Option(help: "Role: admin or member.") var role: String = "member"
        @Option(help: "Tenant name (required for the system administrator).") var tenant: String?
        @Flag(help: "Read the new user's password from stdin instead of prompting.") var passwordStdin = false
        @OptionGroup var options: ClientOptions

        func run() async throws {
            guard let role = Components.Schemas.Role(rawValue: role) else { throw CLIError("--role must be admin or member") }
            let client = try options.makeClient()
            let password = try PasswordInput.read(fromStdin: passwordStdin, prompt: "Password for \(username): ")
            let user = try await callServer {
                try await client.createUser(body: .json(.init(username: username, password: password, role: role, tenant: tenant)))
                    .created.body.json
            }
            try options.print(user) { UserCommand.table([user]) }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List users.")
        @Option(help: "Only this tenant's users (system administrator).") var tenant: String?
        @OptionGroup var options: ClientOptions

        func run() async throws {
            let client = try options.makeClient()
            let list = try await callServer { try await client.listUsers(query: .init(tenant: tenant)).ok.body.json }
            try options.print(list) { UserCommand.table(list.items) }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a user and revoke its tokens.")
        @Argument(help: "The user's id or username.") var user: String
        @OptionGroup var options: ClientOptions

        func run() async throws {
            let client = try options.makeClient()
            let id = try await callServer {
                let users = try await client.listUsers().ok.body.json.items
                return users.first { $0.id == user || $0.username == user }?.id ?? user
            }
            _ = try await callServer { try await client.deleteUser(path: .init(id: id)).noContent }
            print("Deleted user \(user).")
        }
    }

    static func table(_ users: [Components.Schemas.User]) -> Table {
        Table(
            header: ["USERNAME", "ROLE", "TENANT", "ID", "CREATED"],
            rows: users.map {
                [$0.username, $0.systemAdmin ? "system-admin" : $0.role.rawValue, $0.tenant ?? "-", $0.id, Table.date($0.createdAt)]
            }
        )
    }
}
