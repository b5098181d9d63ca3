import ArgumentParser
import CharthouseAPI
import Foundation

/// `charthouse login`: exchanges a username and password for a session token and saves both.
struct LoginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "Log in and save the server URL and session token (mode 0600)."
    )

    @Option(name: [.short, .long], help: "Username. [env: CHARTHOUSE_USERNAME]")
    var username: String?

    @Flag(help: "Read the password from stdin instead of prompting.")
    var passwordStdin = false

    @OptionGroup var options: ClientOptions

    struct Result: Encodable {
        let server: String
        let username: String
        let expiresAt: Date
        let configFile: String
    }

    func run() async throws {
        guard options.token == nil else { throw CLIError("login makes a session token; --token is not used with login") }
        guard let username = username ?? ProcessInfo.processInfo.environment["CHARTHOUSE_USERNAME"].nonEmpty else {
            throw CLIError("--username is required (or set CHARTHOUSE_USERNAME)")
        }
        let url = try options.resolveServer()
        let password = try PasswordInput.read(fromStdin: passwordStdin, prompt: "Password for \(username): ")
        let client = ClientOptions.client(url: url, token: nil)
        let session = try await callServer {
            try await client.login(body: .json(.init(username: username, password: password))).ok.body.json
        }
        let path = try ClientConfigFile(server: url.absoluteString, token: session.token).save()
        try options.report(
            "Logged in to \(url.absoluteString) as \(username); session saved to \(path.path) (expires \(Table.date(session.expiresAt))).",
            Result(server: url.absoluteString, username: username, expiresAt: session.expiresAt, configFile: path.path)
        )
    }
}

/// `charthouse logout`: ends the saved session on the server and forgets it.
struct LogoutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "logout", abstract: "End the saved login session and forget it.")

    @OptionGroup var options: ClientOptions

    struct Result: Encodable {
        let server: String?
        let loggedOut: Bool
    }

    func run() async throws {
        guard let saved = ClientConfigFile.load() else {
            try options.report("Not logged in (no saved session in \(ClientConfigFile.location().path)).", Result(server: nil, loggedOut: false))
            return
        }
        // An expired or revoked session is gone already; anything else is worth saying.
        if let url = try? ClientOptions.serverURL(saved.server) {
            do {
                _ = try await callServer { try await ClientOptions.client(url: url, token: saved.token).logout().noContent }
            } catch let error as CLIError where error.description.contains("(401 ") {
            }
        }
        try ClientConfigFile.remove()
        try options.report("Logged out of \(saved.server).", Result(server: saved.server, loggedOut: true))
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

/// `charthouse password`: changes your own password (your other sessions end).
struct PasswordCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "password",
        abstract: "Change your own password; your other login sessions end.",
        discussion: "With --password-stdin, stdin holds the current password on its first line and the new one on its second."
    )

    @Flag(help: "Read the current and the new password from stdin, one per line.") var passwordStdin = false
    @OptionGroup var options: ClientOptions

    struct Result: Encodable {
        let username: String
        let passwordChanged: Bool
    }

    func run() async throws {
        let (old, new) = try PasswordInput.readChange(fromStdin: passwordStdin)
        let client = try options.makeClient()
        let me = try await callServer { try await client.getMe().ok.body.json }
        _ = try await callServer {
            try await client.changeMyPassword(body: .json(.init(oldPassword: old, newPassword: new))).noContent
        }
        try options.report(
            "Changed the password of \(me.username); its other login sessions ended.",
            Result(username: me.username, passwordChanged: true)
        )
    }
}
