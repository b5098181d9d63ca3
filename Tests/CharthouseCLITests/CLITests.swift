import Foundation
import TestSupport
import Testing

/// Drives the real `charthouse` binary: `serve` as a process, the client commands against it.
@Suite("The charthouse executable: serve and its client commands")
struct CLITests {
    static func scratch() throws -> URL {
        let url = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("charthouse-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func postgresEnvironment() async throws -> [String: String] {
        TestServer.databaseEngine == "postgres" ? ["CHARTHOUSE_DATABASE_URL": try await PostgresServer.shared.makeSchema()] : [:]
    }

    /// What the cluster and deploy tests start from, through the CLI: the administrator (password
    /// `cli-admin-password`) creates tenant `acme` and its admin `alice`, who signs in and adds
    /// the open classic repository at `repository` as `charts`, synced.
    static func tenantWithRepository(
        serverURL: String,
        repository: String,
        run: (_ arguments: [String], _ stdin: String?) async throws -> Shell.Result,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        for (arguments, stdin) in [
            (["login", "--server", serverURL, "-u", "admin", "--password-stdin"], "cli-admin-password"), (["tenant", "create", "acme"], nil),
            (["user", "create", "alice", "--tenant", "acme", "--role", "admin", "--password-stdin"], "alice-password"),
            (["login", "--server", serverURL, "-u", "alice", "--password-stdin"], "alice-password"),
            (["registry", "add", "charts", repository, "--no-auth"], nil), (["registry", "sync", "charts", "--wait"], nil),
        ] {
            let result = try await run(arguments, stdin)
            #expect(result.status == 0, "\(arguments): \(result.stderr)", sourceLocation: sourceLocation)
        }
    }

    @Test("login, tenants, users and tokens through the CLI; SIGTERM shuts down cleanly")
    func endToEnd() async throws {
        let scratch = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: scratch) }
        var environment = try await Self.postgresEnvironment()
        environment["CHARTHOUSE_ADMIN_PASSWORD"] = "cli-admin-password"
        let server = try await CharthouseProcess(dataDirectory: scratch.appendingPathComponent("data"), environment: environment)

        let login = try server.run(["login", "--server", server.serverURL, "--username", "admin", "--password-stdin"], stdin: "cli-admin-password\n")
        #expect(login.status == 0, "\(login.stderr)")
        #expect(login.stdout.contains("Logged in"))
        let mode = try FileManager.default.attributesOfItem(atPath: server.configFile.path)[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o600)
        #expect(!login.stdout.contains("cli-admin-password"))

        let created = try server.run(["tenant", "create", "acme"])
        #expect(created.status == 0, "\(created.stderr)")
        #expect(created.stdout.hasPrefix("NAME"))
        let duplicate = try server.run(["tenant", "create", "acme"])
        #expect(duplicate.status != 0)
        #expect(duplicate.stderr.contains("tenant \"acme\" already exists"))
        let invalid = try server.run(["tenant", "create", "Not_A_Label"])
        #expect(invalid.status != 0)
        #expect(invalid.stderr.contains("\"name\""))

        let listed = try server.run(["tenant", "list", "-o", "json"])
        #expect(listed.status == 0)
        let tenants = try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [String: Any]
        let names = (tenants?["items"] as? [[String: Any]])?.compactMap { $0["name"] as? String }
        #expect(names == ["acme"])

        let user = try server.run(["user", "create", "alice", "--role", "member", "--tenant", "acme", "--password-stdin"], stdin: "alice-password\n")
        #expect(user.status == 0, "\(user.stderr)")
        #expect(user.stdout.contains("alice"))
        let users = try server.run(["user", "list", "--tenant", "acme"])
        #expect(users.stdout.contains("alice") && users.stdout.contains("member"))

        // A member's token, from `token create -o json`, used through CHARTHOUSE_TOKEN.
        let asAlice = try server.run(["login", "--server", server.serverURL, "-u", "alice", "--password-stdin"], stdin: "alice-password")
        #expect(asAlice.status == 0, "\(asAlice.stderr)")
        let token = try server.run(["token", "create", "laptop", "--expires-in", "30d", "-o", "json"])
        #expect(token.status == 0, "\(token.stderr)")
        let tokenJSON = try JSONSerialization.jsonObject(with: Data(token.stdout.utf8)) as? [String: Any]
        let value = try #require(tokenJSON?["token"] as? String)
        let tokenID = try #require(tokenJSON?["id"] as? String)
        let whoami = try server.run(
            ["whoami", "--server", server.serverURL],
            environment: ["CHARTHOUSE_TOKEN": value, "CHARTHOUSE_CONFIG": "/nonexistent"]
        )
        #expect(whoami.status == 0, "\(whoami.stderr)")
        #expect(whoami.stdout.contains("alice") && whoami.stdout.contains("acme"))
        let forbidden = try server.run(["tenant", "list"])
        #expect(forbidden.status != 0)
        #expect(forbidden.stderr.contains("403"))
        let tokenList = try server.run(["token", "list"])
        #expect(tokenList.stdout.contains(tokenID) && !tokenList.stdout.contains(value))
        #expect(try server.run(["token", "revoke", tokenID]).status == 0)
        let revoked = try server.run(["whoami", "--server", server.serverURL, "--token", value])
        #expect(revoked.status != 0)
        #expect(revoked.stderr.contains("401"))

        // Back as admin: delete alice by username.
        _ = try server.run(["login", "--server", server.serverURL, "-u", "admin", "--password-stdin"], stdin: "cli-admin-password")
        #expect(try server.run(["user", "delete", "alice"]).status == 0)
        #expect(!(try server.run(["user", "list"]).stdout.contains("alice")))

        let status = try await server.terminate()
        #expect(status == 0)
        let log = server.stderr
        #expect(log.contains("path=/api/v1/tenants") && log.contains("status=409"))
        #expect(log.contains("tenant=acme"))
        for secret in ["cli-admin-password", "alice-password", value] { #expect(!log.contains(secret), "secret in the server log") }
    }

    @Test("first start prints a generated admin password once; a restart keeps it")
    func generatedAdminPassword() async throws {
        let scratch = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let environment = try await Self.postgresEnvironment()
        let data = scratch.appendingPathComponent("data")
        let first = try await CharthouseProcess(dataDirectory: data, environment: environment)
        let line = try #require(first.stdout.split(separator: "\n").first { $0.contains("password:") })
        let password = String(line.split(separator: ":").last!).trimmingCharacters(in: .whitespaces)
        #expect(password.count >= 20)
        #expect(!first.stderr.contains(password), "the generated password reached the log")
        #expect(try await first.terminate() == 0)

        // A restart with CHARTHOUSE_ADMIN_PASSWORD set says the variable is ignored, and why.
        var restart = environment
        restart["CHARTHOUSE_ADMIN_PASSWORD"] = "change-me-please"
        let second = try await CharthouseProcess(dataDirectory: data, environment: restart)
        #expect(!second.stdout.contains("password:"))
        #expect(second.stderr.contains("CHARTHOUSE_ADMIN_PASSWORD is ignored"), "\(second.stderr)")
        // Without CHARTHOUSE_CONFIG the login is saved under $HOME/.config/charthouse, readable by its owner only.
        let home = scratch.appendingPathComponent("home")
        let login = try second.run(
            ["login", "--server", second.serverURL, "-u", "admin", "--password-stdin"],
            stdin: password,
            environment: ["CHARTHOUSE_CONFIG": "", "XDG_CONFIG_HOME": "", "HOME": home.path]
        )
        #expect(login.status == 0, "\(login.stderr)")
        let saved = home.appendingPathComponent(".config/charthouse/config.json")
        let mode = try FileManager.default.attributesOfItem(atPath: saved.path)[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o600)
        let whoami = try second.run(["whoami"], environment: ["CHARTHOUSE_CONFIG": "", "XDG_CONFIG_HOME": "", "HOME": home.path])
        #expect(whoami.stdout.contains("system-admin"), "\(whoami.stderr)")
        #expect(try await second.terminate() == 0)
        #expect(second.stderr.contains("charthouse stopped"))
    }

    @Test("serve --help lists every environment variable; bad settings stop start-up with a message")
    func configuration() throws {
        let help = try Shell.run([try CharthouseProcess.executable(), "serve", "--help"], check: false)
        for variable in [
            "CHARTHOUSE_HOST", "CHARTHOUSE_PORT", "CHARTHOUSE_DATA_DIR", "CHARTHOUSE_DATABASE_URL", "CHARTHOUSE_LOG_LEVEL",
            "CHARTHOUSE_ADMIN_PASSWORD", "CHARTHOUSE_SECRET_KEY", "CHARTHOUSE_PUBLIC_HOST", "CHARTHOUSE_PUBLIC_SCHEME",
            "CHARTHOUSE_MAX_BLOB_SIZE",
        ] {
            #expect(help.stdout.contains(variable), "\(variable) missing from serve --help")
        }
        let scratch = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let badLevel = try Shell.run([try CharthouseProcess.executable(), "serve", "--log-level", "loud", "--data-dir", scratch.path], check: false)
        #expect(badLevel.status != 0)
        #expect(badLevel.stderr.contains("log-level"))
        var env = ProcessInfo.processInfo.environment
        env["CHARTHOUSE_DATABASE_URL"] = "mysql://nope"
        let badURL = try Shell.run([try CharthouseProcess.executable(), "serve", "--data-dir", scratch.path], environment: env, check: false)
        #expect(badURL.status != 0)
        #expect(badURL.stderr.contains("database"))
        env["CHARTHOUSE_DATABASE_URL"] = nil
        env["CHARTHOUSE_PORT"] = "not-a-port"
        let badPort = try Shell.run([try CharthouseProcess.executable(), "serve", "--data-dir", scratch.path], environment: env, check: false)
        #expect(badPort.status != 0)
        #expect(badPort.stderr.contains("CHARTHOUSE_PORT"))
        env["CHARTHOUSE_PORT"] = nil
        env["CHARTHOUSE_PUBLIC_SCHEME"] = "ftp"
        let badScheme = try Shell.run([try CharthouseProcess.executable(), "serve", "--data-dir", scratch.path], environment: env, check: false)
        #expect(badScheme.status != 0)
        #expect(badScheme.stderr.contains("CHARTHOUSE_PUBLIC_SCHEME must be http or https"), "\(badScheme.stderr)")
    }

    @Test("the client explains a missing login or an unreachable server")
    func clientErrors() throws {
        let executable = try CharthouseProcess.executable()
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("CHARTHOUSE_") }
        env["CHARTHOUSE_CONFIG"] = "/nonexistent/config.json"
        let notLoggedIn = try Shell.run([executable, "tenant", "list"], environment: env, check: false)
        #expect(notLoggedIn.status != 0)
        #expect(notLoggedIn.stderr.contains("charthouse login"))
        let refusing = try RefusingPort()
        let port = refusing.port
        let unreachable = try Shell.run(
            [executable, "tenant", "list", "--server", "http://127.0.0.1:\(port)", "--token", "x"],
            environment: env,
            check: false
        )
        #expect(unreachable.status != 0)
        #expect(unreachable.stderr.contains("cannot reach the server"))
        _ = refusing
    }
}
