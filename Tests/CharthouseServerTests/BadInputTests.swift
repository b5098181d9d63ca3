import CharthouseAPI
import Foundation
import HTTPTypes
import TestSupport
import Testing

@Suite("Bad input gets a clear JSON error and writes nothing")
struct BadInputTests {
    @Test("malformed JSON, missing and mistyped fields are 400 naming the field")
    func malformedBodies() async throws {
        try await TestServer.with { server in
            let root = try await server.adminToken()
            let cases: [(String, Data, String?)] = [
                ("/api/v1/tenants", Data("{\"name\": ".utf8), nil),
                ("/api/v1/tenants", Data("[]".utf8), nil),
                ("/api/v1/tenants", json([:]), "name"),
                ("/api/v1/tenants", json(["name": 42]), "name"),
                ("/api/v1/users", json(["username": "u1", "password": "password-1"]), "role"),
                ("/api/v1/users", json(["username": "u1", "password": "password-1", "role": "root", "tenant": "x"]), "role"),
                ("/api/v1/users", json(["username": "u1", "password": true, "role": "member", "tenant": "x"]), "password"),
                ("/api/v1/tokens", json(["name": "t", "expiresInSeconds": "soon"]), "expiresInSeconds"),
                ("/api/v1/tokens", json(["name": "t", "expiresInSeconds": 5]), "expiresInSeconds"),
                ("/api/v1/login", Data("not json".utf8), nil),
            ]
            for (path, body, field) in cases {
                let response = try await server.request(.post, path, token: root, headers: jsonHeaders, body: body)
                expectError(response, 400, "bad_request")
                if let field { #expect(response.error?.message.contains(field) == true, "\(path): \(response.text)") }
            }
            let noBody = try await server.request(.post, "/api/v1/tenants", token: root, headers: jsonHeaders)
            expectError(noBody, 400, "bad_request")
            let wrongType = try await server.request(
                .post,
                "/api/v1/tenants",
                token: root,
                headers: [("Content-Type", "text/plain")],
                body: Data("acme".utf8)
            )
            #expect(wrongType.status == 415)
            #expect(wrongType.error?.code == "unsupported_media_type")
            #expect(try await server.client(token: root).listTenants().ok.body.json.items.isEmpty)
        }
    }

    @Test(
        "names, usernames and passwords are checked",
        arguments: [
            ("/api/v1/tenants", ["name": "Acme"], "name"),
            ("/api/v1/tenants", ["name": "-acme"], "name"),
            ("/api/v1/tenants", ["name": String(repeating: "a", count: 64)], "name"),
            ("/api/v1/tenants", ["name": "system"], "name"),
            ("/api/v1/tenants", ["name": "../etc"], "name"),
            ("/api/v1/users", ["username": "Bad Name", "password": "password-1", "role": "member", "tenant": "acme"], "username"),
            ("/api/v1/users", ["username": "", "password": "password-1", "role": "member", "tenant": "acme"], "username"),
            ("/api/v1/users", ["username": "short", "password": "1234567", "role": "member", "tenant": "acme"], "password"),
            ("/api/v1/tokens", ["name": ""], "name"),
            ("/api/v1/tokens", ["name": " padded "], "name"),
        ]
    )
    func invalidFields(path: String, body: [String: String], field: String) async throws {
        try await TestServer.with { server in
            let root = try await server.adminToken()
            _ = try await server.client(token: root).createTenant(body: .json(.init(name: "acme"))).created
            let response = try await server.request(.post, path, token: root, headers: jsonHeaders, body: json(body))
            expectError(response, 400, "bad_request")
            #expect(response.error?.message.contains("\"\(field)\"") == true, "\(response.text)")
            #expect(try await server.client(token: root).listTenants().ok.body.json.items.map(\.name) == ["acme"])
            #expect(try await server.client(token: root).listUsers().ok.body.json.items.map(\.username) == ["admin"])
            #expect(try await server.client(token: root).listTokens().ok.body.json.items.isEmpty)
        }
    }

    @Test("duplicate tenant and user names are 409 and change nothing")
    func duplicates() async throws {
        try await TestServer.with { server in
            let root = try await server.adminToken()
            let client = server.client(token: root)
            let first = try await client.createTenant(body: .json(.init(name: "acme"))).created.body.json
            let again = try await server.request(.post, "/api/v1/tenants", token: root, headers: jsonHeaders, body: json(["name": "acme"]))
            expectError(again, 409, "conflict")
            #expect(try await client.listTenants().ok.body.json.items == [first])

            let user = try await client.createUser(body: .json(.init(username: "alice", password: "password-1", role: .admin, tenant: "acme")))
                .created.body.json
            let clash = try await server.request(
                .post,
                "/api/v1/users",
                token: root,
                headers: jsonHeaders,
                body: json(["username": "alice", "password": "other-password", "role": "member", "tenant": "acme"])
            )
            expectError(clash, 409, "conflict")
            let adminUser = try await client.createUser(body: .json(.init(username: "admin2", password: "password-1", role: .member, tenant: "acme")))
            _ = try adminUser.created
            let clashAdmin = try await server.request(
                .post,
                "/api/v1/users",
                token: root,
                headers: jsonHeaders,
                body: json(["username": "admin", "password": "other-password", "role": "member", "tenant": "acme"])
            )
            expectError(clashAdmin, 409, "conflict")
            // The first alice keeps her password and role.
            _ = try await server.login("alice", "password-1")
            let alice = try await client.getUser(path: .init(id: user.id)).ok.body.json
            #expect(alice.role == .admin)
            _ = try await server.login("admin", TestServer.adminPassword)
        }
    }

    @Test("oversized bodies are 413, declared or streamed")
    func oversizedBodies() async throws {
        try await TestServer.with(.init(maxBodySize: 4096)) { server in
            let root = try await server.adminToken()
            let big = json(["name": String(repeating: "a", count: 10_000)])
            expectError(try await server.request(.post, "/api/v1/tenants", token: root, headers: jsonHeaders, body: big), 413, "payload_too_large")
            let streamed = try await server.request(.post, "/api/v1/tenants", token: root, headers: jsonHeaders, body: big, streamBody: true)
            expectError(streamed, 413, "payload_too_large")
            let login = try await server.request(.post, "/api/v1/login", headers: jsonHeaders, body: big)
            expectError(login, 413, "payload_too_large")
            #expect(try await server.client(token: root).listTenants().ok.body.json.items.isEmpty)
            // Just under the limit still works.
            #expect(try await server.request(.post, "/api/v1/tenants", token: root, headers: jsonHeaders, body: json(["name": "ok"])).status == 201)
        }
    }

    @Test("unknown routes and ids are JSON 404s")
    func notFound() async throws {
        try await TestServer.with { server in
            let root = try await server.adminToken()
            expectError(try await server.request(.get, "/api/v1/nothing-here", token: root), 404, "not_found")
            expectError(try await server.request(.get, "/nothing-here"), 404, "not_found")
            expectError(try await server.request(.get, "/api/v1/users/00000000-0000-0000-0000-000000000000", token: root), 404, "not_found")
            expectError(try await server.request(.delete, "/api/v1/tokens/%2E%2E%2Fetc", token: root), 404, "not_found")
        }
    }
}
