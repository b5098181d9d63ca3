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
            extraArguments: [
                "--allow-insecure-registries", "--allow-registry-networks", "127.0.0.0/8", "--system-registry", "stable=\(secured.baseURL)",
            ]
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
        // The chart's files, as helm show prints them (helm create writes values, no README).
        let values = try run(["chart", "values", "public", "hello", "1.0.0"])
        #expect(values.status == 0, "\(values.stderr)")
        let helm = try HelmCLI(major: 4)
        defer { helm.removeHome() }
        #expect(values.stdout == (try helm.run(["show", "values", folder.appendingPathComponent("hello-1.0.0.tgz").path]).stdout))
        let readme = try run(["chart", "readme", "public", "hello", "1.0.0"])
        #expect(readme.status != 0)
        #expect(readme.stderr.contains("README of chart \"hello\" 1.0.0 not found"), "\(readme.stderr)")
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

@Suite("The charthouse executable: a server killed in the middle of a sync")
struct SyncCrashTests {
    @Test("SIGKILL during a sync: after a restart the last good catalog stands and the registry is not stuck in running")
    func killDuringSync() async throws {
        let index = """
            apiVersion: v1
            entries:
              hello:
              - {name: hello, version: 1.0.0, urls: [hello-1.0.0.tgz]}
              - {name: hello, version: 1.1.0, urls: [hello-1.1.0.tgz]}
            """
        let upstream = try await StallingHTTPServer.start(serving: index)
        let scratch = try CLITests.scratch()
        defer { try? FileManager.default.removeItem(at: scratch) }
        var environment = try await CLITests.postgresEnvironment()
        environment["CHARTHOUSE_ADMIN_PASSWORD"] = "cli-admin-password"
        environment["CHARTHOUSE_SYNC_LEASE_SECONDS"] = "3"
        let data = scratch.appendingPathComponent("data")
        let arguments = ["--allow-insecure-registries", "--allow-registry-networks", "127.0.0.0/8", "--registry-timeout", "300"]
        let first = try await CharthouseProcess(dataDirectory: data, environment: environment, extraArguments: arguments)
        #expect(try first.run(["login", "--server", first.serverURL, "-u", "admin", "--password-stdin"], stdin: "cli-admin-password").status == 0)
        #expect(try first.run(["registry", "add", "flaky", upstream.baseURL, "--no-auth", "--system"]).status == 0)
        #expect(try first.run(["registry", "sync", "flaky", "--wait"]).status == 0)

        // The upstream now hangs mid-download; start a sync and kill the server while it waits.
        upstream.setStalling(true)
        #expect(try first.run(["registry", "sync", "flaky", "--force"]).status == 0)
        var running = false
        for _ in 0..<50 where !running {
            running = try first.run(["registry", "show", "flaky", "-o", "json"]).stdout.contains("\"syncState\" : \"running\"")
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(running, "the sync never showed as running")
        first.kill()

        upstream.setStalling(false)
        let second = try await CharthouseProcess(dataDirectory: data, environment: environment, extraArguments: arguments)
        try await Task.sleep(for: .seconds(4))  // longer than the 3 s lease
        let reuseLogin = ["CHARTHOUSE_CONFIG": first.configFile.path, "CHARTHOUSE_SERVER": second.serverURL]
        let shown = try second.run(["registry", "show", "flaky", "-o", "json"], environment: reuseLogin)
        #expect(shown.stdout.contains("\"syncState\" : \"failed\""), "\(shown.stdout)")
        #expect(shown.stdout.contains("interrupted"), "\(shown.stdout)")
        #expect(shown.stdout.contains("\"versions\" : 2"), "\(shown.stdout)")
        let versions = try second.run(["chart", "versions", "flaky", "hello", "-o", "json"], environment: reuseLogin)
        #expect(versions.stdout.contains("1.1.0") && versions.stdout.contains("1.0.0"), "\(versions.stdout)\(versions.stderr)")
        // And the registry syncs again.
        let again = try second.run(["registry", "sync", "flaky", "--wait"], environment: reuseLogin)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try await second.terminate() == 0)
        await upstream.stop()
    }
}

@Suite("The charthouse executable: two replicas on one PostgreSQL")
struct ReplicaLeaseTests {
    @Test("two servers sharing a database never sync one registry at the same time")
    func oneSyncAcrossReplicas() async throws {
        let index = "apiVersion: v1\nentries:\n  hello:\n  - {name: hello, version: 1.0.0, urls: [hello-1.0.0.tgz]}\n"
        let upstream = try await StallingHTTPServer.start(serving: index)
        let scratch = try CLITests.scratch()
        defer { try? FileManager.default.removeItem(at: scratch) }
        // Always PostgreSQL: replicas share a server database, whatever engine the run tests.
        let environment = [
            "CHARTHOUSE_ADMIN_PASSWORD": "cli-admin-password",
            "CHARTHOUSE_DATABASE_URL": try await PostgresServer.shared.makeSchema(),
        ]
        // The stalled request must outlast the checks below, also on a loaded machine.
        let arguments = ["--allow-insecure-registries", "--allow-registry-networks", "127.0.0.0/8", "--registry-timeout", "12"]
        async let startA = CharthouseProcess(dataDirectory: scratch.appendingPathComponent("a"), environment: environment, extraArguments: arguments)
        async let startB = CharthouseProcess(dataDirectory: scratch.appendingPathComponent("b"), environment: environment, extraArguments: arguments)
        let (a, b) = try await (startA, startB)
        #expect(try a.run(["login", "--server", a.serverURL, "-u", "admin", "--password-stdin"], stdin: "cli-admin-password").status == 0)
        let viaB = ["CHARTHOUSE_CONFIG": a.configFile.path, "CHARTHOUSE_SERVER": b.serverURL]
        #expect(try a.run(["registry", "add", "shared", upstream.baseURL, "--no-auth", "--system"]).status == 0)
        #expect(try a.run(["registry", "sync", "shared", "--wait"]).status == 0)

        // The upstream hangs; both replicas are asked to sync at once.
        upstream.setStalling(true)
        let before = upstream.requestCount
        async let syncA = Task { try a.run(["registry", "sync", "shared", "--force"]) }.value
        async let syncB = Task { try b.run(["registry", "sync", "shared", "--force"], environment: viaB) }.value
        let (resultA, resultB) = try await (syncA, syncB)
        #expect(resultA.status == 0 && resultB.status == 0)
        try await Task.sleep(for: .seconds(2))
        #expect(upstream.requestCount - before == 1, "both replicas fetched the index at the same time")
        let shown = try b.run(["registry", "show", "shared", "-o", "json"], environment: viaB).stdout
        #expect(shown.contains("\"syncState\" : \"running\""), "\(shown)")

        // The stalled sync times out and fails; the catalog stays; a new sync works from either replica.
        upstream.setStalling(false)
        for _ in 0..<60 {
            let state = try b.run(["registry", "show", "shared", "-o", "json"], environment: viaB).stdout
            if !state.contains("\"syncState\" : \"running\"") { break }
            try await Task.sleep(for: .milliseconds(500))
        }
        let again = try b.run(["registry", "sync", "shared", "--wait"], environment: viaB)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try await a.terminate() == 0)
        #expect(try await b.terminate() == 0)
        await upstream.stop()
    }
}
