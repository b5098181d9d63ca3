import ArgumentParser
import CharthouseAPI
import Foundation

/// `charthouse login`: exchanges a username and password for a session token and saves both.
struct LoginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "Log in and save the server URL and session token (mode 0600)."
    )

    @Option(help: "Server URL, e.g. http://127.0.0.1:8080. [env: CHARTHOUSE_SERVER]")
    var server: String?

    @Option(name: [.short, .long], help: "Username. [env: CHARTHOUSE_USERNAME]")
    var username: String?

    @Flag(help: "Read the password from stdin instead of prompting.")
    var passwordStdin = false

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        guard let serverText = server ?? environment["CHARTHOUSE_SERVER"].nonEmpty else {
            throw CLIError("no server: pass --server or set CHARTHOUSE_SERVER")
        }
        guard let username = username ?? environment["CHARTHOUSE_USERNAME"].nonEmpty else {
            throw CLIError("no username: pass --username")
        }
        let url = try ClientOptions.serverURL(serverText)
        let password = try PasswordInput.read(fromStdin: passwordStdin, prompt: "Password for \(username): ")
        let client = ClientOptions.client(url: url, token: nil)
        let session = try await callServer {
            try await client.login(body: .json(.init(username: username, password: password))).ok.body.json
        }
        let path = try ClientConfigFile(server: url.absoluteString, token: session.token).save()
        print("Logged in to \(url.absoluteString) as \(username); session saved to \(path.path) (expires \(Table.date(session.expiresAt))).")
    }
}

/// `charthouse whoami`: shows the identity behind the current token.
struct WhoAmICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "whoami", abstract: "Show who the current token belongs to.")

    @OptionGroup var options: ClientOptions

    func run() async throws {
        let client = try options.makeClient()
        let me = try await callServer { try await client.getMe().ok.body.json }
        try options.print(me) { UserCommand.table([me]) }
    }
}
