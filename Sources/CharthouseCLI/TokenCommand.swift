import ArgumentParser
import CharthouseAPI

/// `charthouse token create|list|revoke`: long-lived API tokens for scripts and CI.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Manage API tokens.",
        subcommands: [Create.self, List.self, Revoke.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an API token; its value is printed once.")
        @Argument(help: "A label for the token.") var name: String
        @Option(help: "Create it for this user of your tenant (administrators).") var user: String?
        @Option(help: "Lifetime such as 3600, 90m, 12h or 30d; without it the token lasts until revoked.") var expiresIn: String?
        @OptionGroup var options: ClientOptions

        func run() async throws {
            let seconds = try expiresIn.map(Self.parseDuration)
            let client = try options.makeClient()
            let token = try await callServer {
                try await client.createToken(body: .json(.init(name: name, username: user, expiresInSeconds: seconds))).created.body.json
            }
            try options.print(token) {
                Table(
                    header: ["ID", "NAME", "USER", "EXPIRES", "TOKEN"],
                    rows: [[token.id, token.name, token.username, Table.date(token.expiresAt), token.token]]
                )
            }
        }

        static func parseDuration(_ text: String) throws -> Int64 {
            let units: [Character: Int64] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
            if let unit = text.last, let factor = units[unit], let value = Int64(text.dropLast()), value > 0 { return value * factor }
            if let value = Int64(text), value > 0 { return value }
            throw CLIError("--expires-in must look like 3600, 90m, 12h or 30d")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the API tokens you can revoke.")
        @OptionGroup var options: ClientOptions

        func run() async throws {
            let client = try options.makeClient()
            let list = try await callServer { try await client.listTokens().ok.body.json }
            try options.print(list) {
                Table(
                    header: ["ID", "NAME", "USER", "CREATED", "EXPIRES", "LAST USED"],
                    rows: list.items.map {
                        [$0.id, $0.name, $0.username, Table.date($0.createdAt), Table.date($0.expiresAt), Table.date($0.lastUsedAt)]
                    }
                )
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke an API token at once.")
        @Argument(help: "The token's id, or its name when only one token you may revoke has it.") var token: String
        @OptionGroup var options: ClientOptions

        func run() async throws {
            let client = try options.makeClient()
            let found = try await Lookup.token(token, client: client)
            _ = try await callServer { try await client.revokeToken(path: .init(id: found.id)).noContent }
            try options.report("Revoked token \(found.name) (\(found.id)) of \(found.username).", found)
        }
    }
}
