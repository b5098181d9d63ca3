public import ArgumentParser
import CharthouseAPI

/// `charthouse user create|list|show|update|delete`.
struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Manage users (tenant administrators and the system administrator).",
        subcommands: [Create.self, List.self, Show.self, Update.self, Delete.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a user.")
        @Argument(help: "Username.") var username: String
        @Option(help: "Role: admin or member.") var role: Components.Schemas.Role = .member
        @Option(help: "Tenant name (required for the system administrator).") var tenant: String?
        @Flag(help: "Read the new user's password from stdin instead of prompting.") var passwordStdin = false
        @OptionGroup var options: ClientOptions

        func run() async throws {
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

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one user.")
        @Argument(help: "The user's username or id.") var user: String
        @OptionGroup var options: ClientOptions

        func run() async throws {
            let client = try options.makeClient()
            let found = try await Lookup.user(user, client: client)
            try options.print(found) { UserCommand.table([found]) }
        }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change a user's role or reset its password (administrators).",
            discussion: "A reset ends the user's login sessions; its API tokens stay. Change your own password with `charthouse password`."
        )
        @Argument(help: "The user's username or id.") var user: String
        @Option(help: "New role: admin or member.") var role: Components.Schemas.Role?
        @Flag(help: "Read a new password for the user from stdin.") var passwordStdin = false
        @OptionGroup var options: ClientOptions

        func run() async throws {
            guard role != nil || passwordStdin else { throw CLIError("nothing to change: pass --role or --password-stdin") }
            let password = passwordStdin ? try PasswordInput.read(fromStdin: true, prompt: "") : nil
            let client = try options.makeClient()
            let before = try await Lookup.user(user, client: client)
            let after = try await callServer {
                try await client.updateUser(
                    path: .init(id: before.id),
                    body: .json(.init(password: password, role: role.flatMap { .init(rawValue: $0.rawValue) }))
                ).ok.body.json
            }
            var changes: [[String]] = []
            if before.role != after.role { changes.append(["role", before.role.rawValue, after.role.rawValue]) }
            if password != nil { changes.append(["password", "(set)", "(reset; sessions ended)"]) }
            try options.print(after) {
                changes.isEmpty
                    ? Table(header: [], rows: [["No change: \(after.username) is \(after.role.rawValue) already."]])
                    : Table(header: ["FIELD", "BEFORE", "AFTER"], rows: changes)
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a user and revoke its tokens.")
        @Argument(help: "The user's username or id.") var user: String
        @OptionGroup var options: ClientOptions

        func run() async throws {
            let client = try options.makeClient()
            let found = try await Lookup.user(user, client: client)
            _ = try await callServer { try await client.deleteUser(path: .init(id: found.id)).noContent }
            try options.report("Deleted user \(found.username).", found)
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

extension Components.Schemas.Role: ExpressibleByArgument {}
