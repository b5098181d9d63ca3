import Foundation
import TestSupport
import Testing

/// What a platform engineer expects of a CLI: version, completion, logout, options anywhere,
/// JSON and YAML everywhere, one timestamp format, errors in the CLI's words.
@Suite("The charthouse client behaves like the tools engineers know")
struct ClientBehaviourTests {
    /// Runs a command and requires it to succeed.
    static func ok(
        _ server: CharthouseProcess,
        _ arguments: [String],
        stdin: String? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    )
        throws -> String
    {
        let result = try server.run(arguments, stdin: stdin)
        #expect(result.status == 0, "\(arguments): \(result.stderr)", sourceLocation: sourceLocation)
        return result.stdout
    }

    /// Runs a command that must fail; returns its error output.
    static func fails(
        _ server: CharthouseProcess,
        _ arguments: [String],
        stdin: String? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    )
        throws -> String
    {
        let result = try server.run(arguments, stdin: stdin)
        #expect(result.status != 0, "\(arguments) should fail: \(result.stdout)", sourceLocation: sourceLocation)
        return result.stderr
    }

    /// A YAML document read by PyYAML, re-encoded as JSON (sorted keys), to compare with `-o json`.
    static func yamlAsJSON(_ yaml: String) throws -> String {
        let script = "import json,sys,yaml; print(json.dumps(yaml.safe_load(sys.stdin.read()), sort_keys=True))"
        return try Shell.run(["python3", "-c", script], stdin: yaml).stdout
    }

    static func canonicalJSON(_ json: String) throws -> String {
        try Shell.run(["python3", "-c", "import json,sys; print(json.dumps(json.load(sys.stdin), sort_keys=True))"], stdin: json).stdout
    }

    @Test("version, completion, options before the subcommand, YAML equal to JSON, RFC 3339 timestamps, logout")
    func basics() async throws {
        let scratch = try CLITests.scratch()
        defer { try? FileManager.default.removeItem(at: scratch) }
        var environment = try await CLITests.postgresEnvironment()
        environment["CHARTHOUSE_ADMIN_PASSWORD"] = "cli-admin-password"
        let server = try await CharthouseProcess(dataDirectory: scratch.appendingPathComponent("data"), environment: environment)
        #expect(server.stdout.contains("is ready at \(server.serverURL)"), "\(server.stdout)")

        #expect(
            try Self.ok(server, ["--version"]).trimmingCharacters(in: .whitespacesAndNewlines).range(
                of: #"^\d+\.\d+\.\d+$"#,
                options: .regularExpression
            ) != nil
        )
        for shell in ["bash", "zsh", "fish"] {
            let script = try Self.ok(server, ["completion", shell])
            #expect(script.contains("charthouse") && script.contains("registry"), "\(shell)")
        }
        #expect(try Self.fails(server, ["completion", "powershell"]).contains("bash, zsh or fish"))
        let bash = try Shell.run(["bash", "-c", "source <(\"$0\" completion bash) && complete -p charthouse", try CharthouseProcess.executable()])
        #expect(bash.stdout.contains("charthouse"))

        // Global options before the subcommand, and -o on login itself.
        let login = try Self.ok(
            server,
            ["--server", server.serverURL, "-o", "json", "login", "-u", "admin", "--password-stdin"],
            stdin: "cli-admin-password"
        )
        #expect(login.contains("\"username\" : \"admin\""), "\(login)")
        _ = try Self.ok(server, ["tenant", "create", "acme"])
        _ = try Self.ok(
            server,
            ["-o=yaml", "user", "create", "alice", "--tenant", "acme", "--role", "admin", "--password-stdin"],
            stdin: "alice-password"
        )
        _ = try Self.ok(server, ["user", "create", "bob", "--tenant", "acme", "--password-stdin"], stdin: "bob-password")

        // The same document as JSON and as YAML, for lists and single objects.
        for command in [["tenant", "list"], ["user", "list"], ["whoami"], ["user", "show", "alice"], ["registry", "list"]] {
            let json = try Self.ok(server, ["-o", "json"] + command)
            let yaml = try Self.ok(server, command + ["-o", "yaml"])
            #expect(try Self.yamlAsJSON(yaml) == (try Self.canonicalJSON(json)), "\(command)")
        }
        // One timestamp format: RFC 3339, UTC, whole seconds, in tables and documents.
        let stamp = #"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z"#
        #expect(try Self.ok(server, ["tenant", "list"]).range(of: stamp, options: .regularExpression) != nil)
        #expect(
            try Self.ok(server, ["tenant", "list", "-o", "json"]).range(of: "\"createdAt\" : \"" + stamp + "\"", options: .regularExpression) != nil
        )

        // The system administrator belongs to no tenant, and the error says so.
        let notFound = try Self.fails(server, ["registry", "show", "hosted"])
        #expect(
            notFound.contains("no registry named \"hosted\"") && notFound.contains("system administrator, who belongs to no tenant"),
            "\(notFound)"
        )

        // Tenants: show, rename, delete.
        _ = try Self.ok(server, ["tenant", "create", "sandbox"])
        #expect(try Self.ok(server, ["tenant", "rename", "sandbox", "playground"]).contains("playground"))
        #expect(try Self.ok(server, ["tenant", "show", "playground", "-o", "json"]).contains("\"name\" : \"playground\""))
        #expect(try Self.ok(server, ["tenant", "delete", "playground"]).contains("Deleted tenant playground."))
        #expect(try Self.fails(server, ["tenant", "show", "playground"]).contains("not found"))

        // As alice: not found says who and where; the hosted registry is shown honestly.
        _ = try Self.ok(server, ["login", "-u", "alice", "--password-stdin", "--server", server.serverURL], stdin: "alice-password")
        let missing = try Self.fails(server, ["registry", "show", "nothing-here"])
        #expect(missing.contains("in tenant acme") && missing.contains("you are alice, admin of tenant acme"), "\(missing)")
        let hosted = try Self.ok(server, ["registry", "show", "hosted"])
        #expect(hosted.contains("access") && hosted.contains("private") && !hosted.contains("syncState") && !hosted.contains("noAuthentication"))
        #expect(try Self.fails(server, ["registry", "syncs", "hosted"]).contains("never synced"))

        // Users: role changes print what changed; your own role stays; a reset works.
        #expect(try Self.ok(server, ["user", "update", "bob", "--role", "admin"]).contains("member"))
        _ = try Self.ok(server, ["user", "update", "bob", "--role", "member"])
        #expect(try Self.fails(server, ["user", "update", "alice", "--role", "member"]).contains("you cannot change your own role"))
        _ = try Self.ok(server, ["user", "update", "bob", "--password-stdin"], stdin: "bob-reset-password")
        #expect(try Self.fails(server, ["user", "show", "carol"]).contains("no user named \"carol\" in tenant acme"))

        // Tokens by name; two of one name need an id.
        _ = try Self.ok(server, ["token", "create", "ci"])
        let revoked = try Self.ok(server, ["token", "revoke", "ci", "-o", "json"])
        #expect(revoked.contains("\"name\" : \"ci\""))
        _ = try Self.ok(server, ["token", "create", "twin"])
        _ = try Self.ok(server, ["token", "create", "twin"])
        #expect(try Self.fails(server, ["token", "revoke", "twin"]).contains("2 tokens are named \"twin\""))

        // Your own password, then logout: the saved session is ended on the server too.
        let session = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: server.configFile)) as? [String: String]
        )["token"]
        let other = try Self.ok(server, ["login", "-u", "bob", "--password-stdin", "--server", server.serverURL], stdin: "bob-reset-password")
        #expect(other.contains("Logged in"))
        #expect(try Self.fails(server, ["password", "--password-stdin"], stdin: "only-one-line").contains("two lines"))
        #expect(
            try Self.fails(server, ["password", "--password-stdin"], stdin: "wrong-password\nbob-new-password").contains("the old password is wrong")
        )
        #expect(
            try Self.ok(server, ["password", "--password-stdin"], stdin: "bob-reset-password\nbob-new-password").contains(
                "Changed the password of bob"
            )
        )
        #expect(try Self.ok(server, ["whoami", "--token", try #require(session)]).contains("alice"), "another user's session stays")
        let bobSession = try #require((try JSONSerialization.jsonObject(with: Data(contentsOf: server.configFile)) as? [String: String])?["token"])
        #expect(try Self.ok(server, ["logout"]).contains("Logged out of \(server.serverURL)."))
        #expect(!FileManager.default.fileExists(atPath: server.configFile.path))
        #expect(try Self.fails(server, ["whoami", "--server", server.serverURL, "--token", bobSession]).contains("401"))
        #expect(try Self.fails(server, ["whoami"]).contains("not logged in"))
        #expect(try Self.ok(server, ["logout", "-o", "json"]).contains("\"loggedOut\" : false"))
        #expect(try await server.terminate() == 0)
    }

    @Test("a refused connection fails at once in plain words; https to a plain-HTTP server says so")
    func connectionErrors() async throws {
        let scratch = try CLITests.scratch()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let server = try await CharthouseProcess(
            dataDirectory: scratch.appendingPathComponent("data"),
            environment: try await CLITests.postgresEnvironment()
        )
        let closedPort = try FreePort.next()
        let started = ContinuousClock.now
        let refused = try server.run(["whoami", "--server", "http://127.0.0.1:\(closedPort)", "--token", "x"])
        let elapsed = ContinuousClock.now - started
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("cannot reach the server at http://127.0.0.1:\(closedPort): connection refused"), "\(refused.stderr)")
        #expect(elapsed < .seconds(4.5), "no retries until the 5 s connect timeout: \(elapsed)")
        let tls = try server.run(["whoami", "--server", server.serverURL.replacingOccurrences(of: "http://", with: "https://"), "--token", "x"])
        #expect(tls.stderr.contains("the server answered plain HTTP on a TLS port"), "\(tls.stderr)")
        for output in [refused.stderr, tls.stderr] {
            #expect(!output.contains(".swift") && !output.contains("NIOSSL") && !output.contains("/.build/"), "\(output)")
        }
        #expect(try await server.terminate() == 0)
    }

    @Test("errors in the CLI's words: registry add names its flags")
    func flagErrors() throws {
        let binary = try CharthouseProcess.executable()
        let noAuth = try Shell.run([binary, "registry", "add", "demo", "https://charts.example.com"], check: false)
        #expect(noAuth.status != 0 && noAuth.stderr.contains("--username with --password-stdin, or --no-auth, is required"), "\(noAuth.stderr)")
        #expect(!noAuth.stderr.contains("noAuthentication"))
        let both = try Shell.run([binary, "registry", "add", "demo", "https://charts.example.com", "--no-auth", "--username", "x"], check: false)
        #expect(both.stderr.contains("--no-auth cannot be combined with --username"), "\(both.stderr)")
        let role = try Shell.run([binary, "user", "create", "x", "--role", "owner"], check: false)
        #expect(role.status != 0 && role.stderr.contains("--role"), "\(role.stderr)")
    }

    @Test("the README's configuration table and `serve --help` name the same settings")
    func configurationDocumented() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        let section = try #require(readme.components(separatedBy: "## Configuration").dropFirst().first?.components(separatedBy: "\n## ").first)
        let help = try Shell.run([try CharthouseProcess.executable(), "serve", "--help"]).stdout
        func names(_ text: String) -> Set<String> {
            let regex = try! NSRegularExpression(pattern: #"CHARTHOUSE_[A-Z_]+(<NAME>_[A-Z_]+)?"#)
            return Set(
                regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap {
                    Range($0.range, in: text).map { String(text[$0]) }
                }
            )
        }
        let client: Set<String> = ["CHARTHOUSE_SERVER", "CHARTHOUSE_TOKEN", "CHARTHOUSE_CONFIG", "CHARTHOUSE_SYSTEM_REGISTRY_"]
        let documented = names(section).subtracting(client)
        let listed = names(help).subtracting(client)
        #expect(documented.subtracting(listed).isEmpty, "in the README, not in serve --help: \(documented.subtracting(listed).sorted())")
        #expect(listed.subtracting(documented).isEmpty, "in serve --help, not in the README: \(listed.subtracting(documented).sorted())")
        #expect(help.contains("critical") && section.contains("critical"), "the same log levels")
    }
}
