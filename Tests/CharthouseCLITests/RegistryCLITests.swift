import Foundation
import TestSupport
import Testing

@Suite("The charthouse executable: registries and --system-registry")
struct RegistryCLITests {
    @Test("system registry from the command line; registry add/list/show/update/remove through the CLI")
    func registries() async throws {
        let folder = try ChartFixtures.classicRepository([("hello", "1.0.0")])
        defer { try? FileManager.default.removeItem(at: folder) }
        let credentials = Credentials(username: "mirror", password: "mirror-secret-pw")
        let secured = try await NginxServer(serving: folder, credentials: credentials)
        defer { secured.stop() }
        let open = try await NginxServer(serving: folder)
        defer { open.stop() }
        let scratch = try CLITests.scratch()
        defer { try? FileManager.default.removeItem(at: scratch) }
        var environment = try await CLITests.postgresEnvironment()
        environment["CHARTHOUSE_ADMIN_PASSWORD"] = "cli-admin-password"
        environment["CHARTHOUSE_SYSTEM_REGISTRY_STABLE_USERNAME"] = credentials.username
        environment["CHARTHOUSE_SYSTEM_REGISTRY_STABLE_PASSWORD"] = credentials.password
        let server = try await CharthouseProcess(
            dataDirectory: scratch.appendingPathComponent("data"),
            environment: environment,
            extraArguments: ["--allow-insecure-registries", "--system-registry", "stable=\(secured.baseURL)"]
        )
        func run(_ arguments: [String], stdin: String? = nil) throws -> Shell.Result { try server.run(arguments, stdin: stdin) }

        #expect(try run(["login", "--server", server.serverURL, "-u", "admin", "--password-stdin"], stdin: "cli-admin-password").status == 0)
        #expect(try run(["tenant", "create", "acme"]).status == 0)
        #expect(try run(["user", "create", "alice", "--tenant", "acme", "--role", "admin", "--password-stdin"], stdin: "alice-password").status == 0)
        #expect(try run(["login", "--server", server.serverURL, "-u", "alice", "--password-stdin"], stdin: "alice-password").status == 0)

        let list = try run(["registry", "list"])
        #expect(list.status == 0, "\(list.stderr)")
        #expect(list.stdout.contains("stable") && list.stdout.contains("system") && list.stdout.contains("mirror"))

        let protected = try run(
            ["registry", "add", "private", "https://10.255.0.1/charts", "--protected", "--username", "deploy", "--password-stdin"],
            stdin: "deploy-secret-pw"
        )
        #expect(protected.status == 0, "\(protected.stderr)")
        #expect(protected.stdout.contains("protected"))
        let live = try run(["registry", "add", "public", open.baseURL, "--no-auth"])
        #expect(live.status == 0, "\(live.stderr)")
        let refused = try run(["registry", "add", "locked", secured.baseURL, "--no-auth"])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("401 Unauthorized"))

        // The catalog through the CLI: sync and wait, then browse.
        let synced = try run(["registry", "sync", "public", "--wait"])
        #expect(synced.status == 0, "\(synced.stderr)")
        #expect(synced.stdout.contains("public") && (synced.stdout.contains("ok") || synced.stdout.contains("unchanged")))
        let searched = try run(["chart", "search", "hello"])
        #expect(searched.stdout.contains("hello") && searched.stdout.contains("1.0.0"), "\(searched.stdout)\(searched.stderr)")
        #expect(try run(["chart", "list", "public"]).stdout.contains("hello"))
        #expect(try run(["chart", "versions", "public", "hello"]).stdout.contains("1.0.0"))
        let detail = try run(["chart", "show", "public", "hello", "1.0.0", "-o", "json"])
        #expect(detail.stdout.contains("\"url\" : \"\(open.baseURL)/hello-1.0.0.tgz\""), "\(detail.stdout)")
        let protectedSync = try run(["registry", "sync", "private"])
        #expect(protectedSync.status != 0)
        #expect(protectedSync.stderr.contains("protected registries are not synced"))

        let shown = try run(["registry", "show", "private", "-o", "json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [String: Any])
        #expect(object["hasCredentials"] as? Bool == true)
        #expect(object["syncState"] as? String == "protected")
        #expect(!shown.stdout.contains("deploy-secret-pw"))

        let updated = try run(["registry", "update", "private", "--sync-interval", "600", "-o", "json"])
        #expect(updated.status == 0, "\(updated.stderr)")
        #expect(updated.stdout.contains("\"syncIntervalSeconds\" : 600"))
        #expect(try run(["registry", "remove", "private"]).status == 0)
        let gone = try run(["registry", "show", "private"])
        #expect(gone.status != 0)
        #expect(gone.stderr.contains("no registry named"))
        let readOnly = try run(["registry", "remove", "stable"])
        #expect(readOnly.status != 0)
        #expect(readOnly.stderr.contains("403"))

        #expect(try await server.terminate() == 0)
        for secret in [credentials.password, "deploy-secret-pw"] { #expect(!server.stderr.contains(secret)) }
    }
}
