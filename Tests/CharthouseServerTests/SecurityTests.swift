import CharthouseAPI
import CharthouseCore
import Foundation
import HTTPTypes
import Synchronization
import TestSupport
import Testing

/// The security findings of the protocol probe, each kept fixed: where the server's own requests
/// may go, whose words build absolute URLs, how long a registry token outlives its API token,
/// which tokens registry clients may use, and how fast passwords can be guessed.
@Suite("Security: egress, realms, token revocation, sign-in limits")
struct SecurityTests {
    static let basic = HostedClassicTests.basic

    @Test("registry checks never reach loopback, private or link-local addresses unless allowed; one neutral message; redirects checked")
    func egressPolicy() async throws {
        let folder = try ChartFixtures.classicRepository([("redis", "2.0.0")])
        defer { try? FileManager.default.removeItem(at: folder) }
        let redirecting = try await NginxServer(
            serving: folder,
            serverConfig: "location = /away/index.yaml { return 302 http://169.254.169.254/latest/index.yaml; }"
        )
        defer { redirecting.stop() }
        let refusing = try RefusingPort()

        // Default policy: nothing internal.
        try await TestServer.with(.init(allowRegistryNetworks: nil)) { server in
            let token = try await TwoTenants.make(on: server).adminA.token
            var messages: Set<String> = []
            for endpoint in [
                "http://127.0.0.1:\(refusing.port)", "http://127.0.0.1:22", "http://localhost:\(redirecting.port)",
                "http://169.254.169.254/latest", "http://[::1]:\(redirecting.port)", "http://10.1.2.3", "http://[::ffff:127.0.0.1]:\(refusing.port)",
                "oci://127.0.0.1:\(redirecting.port)",
            ] {
                let body: [String: Any] = ["name": "probe", "endpoint": endpoint, "noAuthentication": true, "plainHTTP": endpoint.hasPrefix("oci")]
                let response = try await RegistryValidationTests.create(server, token: token, body)
                expectError(response, 422, "unprocessable")
                let message = response.error?.message ?? ""
                #expect(message.contains("is not an address this server may connect to"), "\(endpoint): \(message)")
                #expect(!message.contains("refused by") && !message.contains("timed out"), "\(endpoint): \(message)")
                // Whatever is (or is not) listening there, the words are the same but for the host.
                messages.insert(message.replacingOccurrences(of: #"^.*? is not"#, with: "", options: .regularExpression))
            }
            #expect(messages.count == 1, "\(messages)")
            let registries = try await server.client(token: token).listRegistries().ok.body.json.items
            #expect(registries.added.isEmpty)
        }

        // Loopback allowed by the operator: the repository works, link-local stays refused, also behind a redirect.
        try await TestServer.with(.init(allowRegistryNetworks: "127.0.0.0/8")) { server in
            let token = try await TwoTenants.make(on: server).adminA.token
            let direct = try await RegistryValidationTests.create(
                server,
                token: token,
                ["name": "local", "endpoint": redirecting.baseURL, "noAuthentication": true]
            )
            #expect(direct.status == 201, "\(direct.text)")
            let metadata = try await RegistryValidationTests.create(
                server,
                token: token,
                ["name": "metadata", "endpoint": "http://169.254.169.254/latest", "noAuthentication": true]
            )
            #expect(metadata.status == 422 && metadata.error?.message.contains("not an address this server may connect to") == true)
            let redirected = try await RegistryValidationTests.create(
                server,
                token: token,
                ["name": "away", "endpoint": "\(redirecting.baseURL)/away", "noAuthentication": true]
            )
            #expect(redirected.status == 422, "\(redirected.text)")
            #expect(redirected.error?.message.contains("169.254.169.254 is not an address this server may connect to") == true, "\(redirected.text)")
            #expect(redirecting.requestCount(path: "/away/index.yaml") == 1)
        }
        _ = refusing
    }

    @Test("WWW-Authenticate names the configured public URL, whatever Host or X-Forwarded-Proto say")
    func realmFromConfiguration() async throws {
        try await TestServer.with(.init(environment: ["CHARTHOUSE_PUBLIC_HOST": "charts.example.com", "CHARTHOUSE_PUBLIC_SCHEME": "https"])) {
            server in
            let response = try await server.request(
                .get,
                "/v2/acme/web/tags/list",
                headers: [("Host", "attacker.example\",evil=\"1"), ("X-Forwarded-Proto", "javascript")]
            )
            #expect(response.status == 401)
            #expect(
                response.headers["www-authenticate"]
                    == #"Bearer realm="https://charts.example.com/v2/token",service="charthouse",scope="repository:acme/web:pull""#
            )
            let odd = try await server.request(.get, "/v2/acme/we%22b/tags/list")
            #expect(odd.headers["www-authenticate"]?.contains("scope") == false, "a name that is not a name never reaches a header")
        }
    }

    @Test("a registry token ends when its API token is revoked or its user deleted; session tokens are no registry passwords")
    func registryTokenRevocation() async throws {
        try await TestServer.with { server in
            let cast = try await TwoTenants.make(on: server)
            let admin = Self.basic(cast.adminA.username, cast.adminA.password)
            try await ProtocolHardeningTests.upload(server, admin, "web", "1.0.0")
            let created = try await server.request(
                .post,
                "/api/v1/tokens",
                token: cast.memberA.token,
                headers: jsonHeaders,
                body: json(["name": "ci"])
            )
            let apiToken = try #require(created.object?["token"] as? String)
            let tokenID = try #require(created.object?["id"] as? String)
            let issued = try await server.request(
                .get,
                "/v2/token?service=charthouse&scope=repository:acme/web:pull",
                headers: Self.basic("anyone", apiToken)
            )
            let bearer = try #require(issued.object?["token"] as? String)
            let tags = [("Authorization", "Bearer \(bearer)")]
            #expect(try await server.request(.get, "/v2/acme/web/tags/list", headers: tags).status == 200)
            #expect(try await server.request(.delete, "/api/v1/tokens/\(tokenID)", token: cast.memberA.token).status == 204)
            let after = try await server.request(.get, "/v2/acme/web/tags/list", headers: tags)
            #expect(after.status == 401, "revoking the API token ends the registry token at once: \(after.text)")

            // A password-proven registry token ends with its user.
            let byPassword = try await server.request(
                .get,
                "/v2/token?service=charthouse&scope=repository:acme/web:pull",
                headers: Self.basic(cast.memberA.username, cast.memberA.password)
            )
            let second = [("Authorization", "Bearer \(try #require(byPassword.object?["token"] as? String))")]
            #expect(try await server.request(.get, "/v2/acme/web/tags/list", headers: second).status == 200)
            #expect(try await server.request(.delete, "/api/v1/users/\(cast.memberA.id)", token: cast.adminA.token).status == 204)
            #expect(try await server.request(.get, "/v2/acme/web/tags/list", headers: second).status == 401)

            // Login sessions are for the REST API: not accepted as registry passwords or bearer tokens.
            let session = cast.adminA.token
            #expect(session.hasPrefix("chs_"))
            #expect(try await server.request(.get, "/v2/acme/web/tags/list", headers: Self.basic("alice", session)).status == 401)
            #expect(try await server.request(.get, "/v2/token?scope=repository:acme/web:pull", headers: Self.basic("alice", session)).status == 401)
            #expect(try await server.request(.get, "/charts/acme/index.yaml", headers: Self.basic("alice", session)).status == 401)
            #expect(try await server.request(.get, "/charts/acme/index.yaml", token: session).status == 401)
        }
    }

    @Test("usernames taken in another tenant are refused without saying where")
    func usernamesDoNotLeak() async throws {
        try await TestServer.with { server in
            let cast = try await TwoTenants.make(on: server)
            let taken = try await server.request(
                .post,
                "/api/v1/users",
                token: cast.adminB.token,
                headers: jsonHeaders,
                body: json(["username": cast.adminA.username, "password": "password-123", "role": "member"])
            )
            expectError(taken, 409, "conflict")
            #expect(taken.error?.message.contains(cast.tenantA) == false)
            #expect(taken.error?.message.contains("already exists") == false, "\(taken.text)")
        }
    }

    @Test("10 wrong passwords for a user, or 50 from an address, within a minute: 429 with Retry-After before bcrypt, everywhere passwords are taken")
    func signInLimits() async throws {
        try await TestServer.with(.init(trustedProxies: "127.0.0.1/32")) { server in
            let cast = try await TwoTenants.make(on: server)
            // Each client claims its own address through the trusted proxy (the test's loopback).
            func from(_ address: String) -> [(String, String)] { [("X-Forwarded-For", address)] }
            func login(_ username: String, _ password: String, address: String) async throws -> RawResponse {
                try await server.request(
                    .post,
                    "/api/v1/login",
                    headers: jsonHeaders + from(address),
                    body: json(["username": username, "password": password])
                )
            }
            for attempt in 0..<10 {
                let wrong = try await login(cast.memberA.username, "wrong-\(attempt)", address: "10.0.0.\(attempt + 1)")
                expectError(wrong, 401, "unauthorized")
            }
            let limited = try await login(cast.memberA.username, cast.memberA.password, address: "10.0.1.1")
            expectError(limited, 429, "too_many_requests")
            #expect(Int(limited.headers["retry-after"] ?? "") ?? 0 > 0)
            // Every protocol that takes the password refuses it now, in its own format.
            let basic = Self.basic(cast.memberA.username, cast.memberA.password) + from("10.0.1.2")
            let oci = try await server.request(.get, "/v2/acme/web/tags/list", headers: basic)
            #expect(oci.status == 429 && oci.text.contains("TOOMANYREQUESTS") && oci.headers["retry-after"] != nil, "\(oci.text)")
            let token = try await server.request(.get, "/v2/token?scope=repository:acme/web:pull", headers: basic)
            #expect(token.status == 429 && token.headers["retry-after"] != nil, "\(token.text)")
            let classic = try await server.request(.get, "/charts/acme/index.yaml", headers: basic)
            #expect(classic.status == 429 && classic.object?["code"] as? String == "too_many_requests", "\(classic.text)")
            // Other users are not slowed.
            let other = try await login(cast.adminA.username, cast.adminA.password, address: "10.0.0.1")
            #expect(other.status == 200, "\(other.text)")

            // One address guessing many usernames: 50 failures, then 429 even for a right password.
            for attempt in 0..<50 {
                let wrong = try await login("nobody-\(attempt)", "wrong", address: "192.0.2.7")
                #expect(wrong.status == 401, "attempt \(attempt): \(wrong.text)")
            }
            let fromAddress = try await login(cast.adminB.username, cast.adminB.password, address: "192.0.2.7")
            expectError(fromAddress, 429, "too_many_requests")
            #expect(try await login(cast.adminB.username, cast.adminB.password, address: "192.0.2.8").status == 200)
        }
    }

    @Test("20 wrong passwords at once for one user: 10 are checked, 10 refused with 429 before any bcrypt work")
    func parallelGuesses() async throws {
        try await TestServer.with { server in
            let cast = try await TwoTenants.make(on: server)
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for attempt in 0..<20 {
                    group.addTask {
                        try await server.request(
                            .post,
                            "/api/v1/login",
                            headers: jsonHeaders,
                            body: json(["username": cast.memberA.username, "password": "wrong-\(attempt)"])
                        ).status
                    }
                }
                return try await group.reduce(into: [Int: Int]()) { $0[$1, default: 0] += 1 }
            }
            #expect(statuses == [401: 10, 429: 10], "\(statuses)")
        }
    }

    @Test("the sign-in limiter forgets failures after its window and remembers a bounded number of names")
    func throttleMemory() throws {
        let now = Mutex(1_000.0)
        var limits = LoginThrottle.Limits()
        limits.perUsername = 2
        limits.maxKeys = 3
        let throttle = LoginThrottle(limits: limits, clock: { now.withLock { $0 } })
        _ = try throttle.begin(username: "alice", address: nil)
        _ = try throttle.begin(username: "alice", address: nil)
        #expect(throws: CharthouseError.self) { try throttle.begin(username: "alice", address: nil) }
        now.withLock { $0 += 61 }
        let allowed = try throttle.begin(username: "alice", address: nil)
        throttle.succeeded(allowed)
        for index in 0..<1000 { _ = try throttle.begin(username: "guess-\(index)", address: nil) }
        #expect(throttle.trackedKeys <= 3, "\(throttle.trackedKeys) names remembered")
    }

    @Test("X-Forwarded-For from a client that is not a trusted proxy is ignored: it cannot spread its guesses over made-up addresses")
    func untrustedForwarding() async throws {
        try await TestServer.with(.init(environment: ["CHARTHOUSE_LOGIN_LIMIT_PER_ADDRESS": "5"])) { server in
            let cast = try await TwoTenants.make(on: server)
            func login(_ username: String, _ password: String, claiming address: String) async throws -> RawResponse {
                try await server.request(
                    .post,
                    "/api/v1/login",
                    headers: jsonHeaders + [("X-Forwarded-For", address)],
                    body: json(["username": username, "password": password])
                )
            }
            for attempt in 0..<5 {
                #expect(try await login("nobody-\(attempt)", "wrong", claiming: "10.9.9.\(attempt)").status == 401)
            }
            // All five came from 127.0.0.1 whatever the header said: that address is limited now.
            let limited = try await login(cast.memberA.username, cast.memberA.password, claiming: "10.9.9.200")
            expectError(limited, 429, "too_many_requests")
        }
    }
}
