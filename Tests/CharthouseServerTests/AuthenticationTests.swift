import CharthouseAPI
import Foundation
import HTTPTypes
import TestSupport
import Testing

@Suite("Authentication: login, session and API tokens")
struct AuthenticationTests {
    @Test("login returns a session token that authenticates /me")
    func loginAndMe() async throws {
        try await TestServer.with { server in
            let output = try await server.client().login(body: .json(.init(username: "admin", password: TestServer.adminPassword)))
            let session = try output.ok.body.json
            #expect(session.token.hasPrefix("chs_"))
            #expect(session.expiresAt > Date().addingTimeInterval(3600))
            let me = try await server.client(token: session.token).getMe().ok.body.json
            #expect(me.username == "admin")
            #expect(me.systemAdmin)
            #expect(me.tenant == nil)
        }
    }

    @Test("wrong password and unknown user fail alike with 401")
    func wrongCredentials() async throws {
        try await TestServer.with { server in
            let wrong = try await server.request(
                .post,
                "/api/v1/login",
                headers: jsonHeaders,
                body: json(["username": "admin", "password": "nope-nope"])
            )
            expectError(wrong, 401, "unauthorized")
            let unknown = try await server.request(
                .post,
                "/api/v1/login",
                headers: jsonHeaders,
                body: json(["username": "ghost", "password": "nope-nope"])
            )
            expectError(unknown, 401, "unauthorized")
            #expect(wrong.error?.message == unknown.error?.message)
            if case .unauthorized = try await server.client().login(body: .json(.init(username: "admin", password: "bad-password"))) {
            } else {
                Issue.record("the generated client did not decode the 401")
            }
        }
    }

    @Test("every protected route answers 401 with a Bearer challenge without a valid token")
    func protectedRoutes() async throws {
        try await TestServer.with { server in
            let routes: [(HTTPRequest.Method, String)] = [
                (.get, "/api/v1/me"), (.get, "/api/v1/tenants"), (.post, "/api/v1/tenants"), (.get, "/api/v1/users"),
                (.post, "/api/v1/users"), (.get, "/api/v1/users/x"), (.delete, "/api/v1/users/x"), (.get, "/api/v1/tokens"),
                (.post, "/api/v1/tokens"), (.delete, "/api/v1/tokens/x"), (.get, "/api/v1/no-such-route"),
            ]
            for (method, path) in routes {
                for token in [nil, "garbage", "chs_" + String(repeating: "A", count: 43)] as [String?] {
                    let response = try await server.request(method, path, token: token, headers: jsonHeaders, body: method == .post ? json([:]) : nil)
                    expectError(response, 401, "unauthorized")
                    #expect(response.headers["www-authenticate"]?.hasPrefix("Bearer") == true)
                }
            }
            let basic = try await server.request(.get, "/api/v1/me", headers: [("Authorization", "Basic YWRtaW46eA==")])
            expectError(basic, 401, "unauthorized")
        }
    }

    @Test("an expired session token is refused")
    func expiredSession() async throws {
        // No race with the clock on a loaded machine: the session's lifetime is read from the
        // login answer, and its expiry is reached by moving it into the past in the database.
        try await TestServer.with(.init(sessionLifetime: 120)) { server in
            let login = try await server.request(
                .post,
                "/api/v1/login",
                headers: jsonHeaders,
                body: json(["username": "admin", "password": TestServer.adminPassword])
            )
            let token = try #require(login.object?["token"] as? String)
            let expiresAt = try #require((login.object?["expiresAt"] as? String).flatMap { ISO8601DateFormatter().date(from: $0) })
            #expect(abs(expiresAt.timeIntervalSinceNow - 120) < 60, "the session lasts the configured lifetime: \(expiresAt)")
            #expect(try await server.request(.get, "/api/v1/me", token: token).status == 200)
            try await server.executeSQL(
                sqlite: "UPDATE access_tokens SET expires_at = 1 WHERE kind = 'session'",
                postgres: "UPDATE access_tokens SET expires_at = 1 WHERE kind = 'session'"
            )
            expectError(try await server.request(.get, "/api/v1/me", token: token), 401, "unauthorized")
        }
    }

    @Test("API tokens are shown once, work, are listed without value, and stop working when revoked")
    func apiTokenLifecycle() async throws {
        try await TestServer.with { server in
            let cast = try await TwoTenants.make(on: server)
            let client = server.client(token: cast.memberA.token)
            let created = try await client.createToken(body: .json(.init(name: "ci", expiresInSeconds: 3600))).created.body.json
            #expect(created.token.hasPrefix("cht_"))
            #expect(created.username == cast.memberA.username)
            let expiresAt = try #require(created.expiresAt)
            #expect(abs(expiresAt.timeIntervalSinceNow - 3600) < 60)

            let viaToken = try await server.client(token: created.token).getMe().ok.body.json
            #expect(viaToken.username == cast.memberA.username)
            #expect(viaToken.tenant == cast.tenantA)

            let listed = try await server.request(.get, "/api/v1/tokens", token: cast.memberA.token)
            #expect(listed.status == 200)
            #expect(!listed.text.contains(created.token))
            let items = try await client.listTokens().ok.body.json.items
            #expect(items.map(\.id) == [created.id])
            #expect(items.first?.lastUsedAt != nil)

            #expect(try await server.request(.delete, "/api/v1/tokens/\(created.id)", token: cast.memberA.token).status == 204)
            expectError(try await server.request(.get, "/api/v1/me", token: created.token), 401, "unauthorized")
            expectError(try await server.request(.delete, "/api/v1/tokens/\(created.id)", token: cast.memberA.token), 404, "not_found")
        }
    }

    @Test("deleting a user revokes its sessions and API tokens")
    func deletedUserTokens() async throws {
        try await TestServer.with { server in
            let cast = try await TwoTenants.make(on: server)
            let apiToken = try await server.client(token: cast.memberA.token).createToken(body: .json(.init(name: "laptop"))).created.body.json
            #expect(apiToken.expiresAt == nil)
            #expect(try await server.request(.delete, "/api/v1/users/\(cast.memberA.id)", token: cast.adminA.token).status == 204)
            expectError(try await server.request(.get, "/api/v1/me", token: cast.memberA.token), 401, "unauthorized")
            expectError(try await server.request(.get, "/api/v1/me", token: apiToken.token), 401, "unauthorized")
            let login = try await server.request(
                .post,
                "/api/v1/login",
                headers: jsonHeaders,
                body: json(["username": cast.memberA.username, "password": cast.memberA.password])
            )
            expectError(login, 401, "unauthorized")
        }
    }
}
