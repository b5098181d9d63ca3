import CharthouseAPI
import Foundation
import HTTPTypes
import TestSupport
import Testing

/// Registry rules that need no upstream: protection, required fields, endpoints, names, roles, tenants.
@Suite("Registries: rules, roles and tenant isolation")
struct RegistryRulesTests {
    @Test("a protected registry is stored without any network request")
    func protectedMakesNoRequest() async throws {
        let listener = try await SilentListener.start()
        try await TestServer.with { server in
            let cast = try await TwoTenants.make(on: server)
            let client = server.client(token: cast.adminA.token)
            for endpoint in ["https://127.0.0.1:\(listener.port)/charts", "oci://127.0.0.1:\(listener.port)/team"] {
                let name = endpoint.hasPrefix("oci") ? "private-oci" : "private-classic"
                let created = try await client.createRegistry(
                    body: .json(.init(name: name, endpoint: endpoint, protected: true, username: "deployer", password: "s3cret-pw"))
                ).created.body.json
                #expect(created.protected == true)
                #expect(created.syncState == .protected)
                #expect(created.hasCredentials == true)
                #expect(created.kind == (endpoint.hasPrefix("oci") ? .oci : .classic))
            }
            try await Task.sleep(for: .milliseconds(300))
            #expect(listener.connections == 0)
        }
        await listener.stop()
    }

    @Test("credentials are required unless noAuthentication; the missing field is named")
    func credentialRules() async throws {
        try await TestServer.with { server in
            let cast = try await TwoTenants.make(on: server)
            let cases: [([String: Any], String)] = [
                (["name": "r", "endpoint": "https://charts.example.com", "protected": true], "username"),
                (["name": "r", "endpoint": "https://charts.example.com", "protected": true, "username": "u"], "password"),
                (["name": "r", "endpoint": "https://charts.example.com", "protected": true, "noAuthentication": true, "username": "u"], "username"),
                (["name": "r", "endpoint": "ftp://charts.example.com", "protected": true, "noAuthentication": true], "endpoint"),
                (["name": "r", "endpoint": "https://user:pw@charts.example.com", "protected": true, "noAuthentication": true], "endpoint"),
                (["name": "r", "endpoint": "oci://example.com/Bad", "protected": true, "noAuthentication": true], "endpoint"),
                (["name": "Bad_Name", "endpoint": "https://charts.example.com", "protected": true, "noAuthentication": true], "name"),
                (
                    ["name": "r", "endpoint": "https://charts.example.com", "protected": true, "noAuthentication": true, "caCertificate": "junk"],
                    "caCertificate"
                ),
                (
                    ["name": "r", "endpoint": "https://charts.example.com", "protected": true, "noAuthentication": true, "plainHTTP": true],
                    "plainHTTP"
                ),
                (
                    ["name": "r", "endpoint": "https://charts.example.com", "protected": true, "noAuthentication": true, "syncIntervalSeconds": 5],
                    "syncIntervalSeconds"
                ),
                (["name": "r", "protected": true, "noAuthentication": true], "endpoint"),
            ]
            for (body, field) in cases {
                let response = try await server.request(.post, "/api/v1/registries", token: cast.adminA.token, headers: jsonHeaders, body: json(body))
                expectError(response, 400, "bad_request")
                #expect(response.error?.message.contains("\"\(field)\"") == true, "\(body): \(response.text)")
            }
            #expect(try await server.client(token: cast.adminA.token).listRegistries().ok.body.json.items.added.isEmpty)
        }
    }

    @Test("plain-HTTP endpoints need --allow-insecure-registries")
    func plainHTTPPolicy() async throws {
        try await TestServer.with(.init(allowInsecureRegistries: false)) { server in
            let cast = try await TwoTenants.make(on: server)
            for body in [
                ["name": "r", "endpoint": "http://charts.example.com", "protected": true, "noAuthentication": true],
                ["name": "r", "endpoint": "oci://registry.example.com", "protected": true, "noAuthentication": true, "plainHTTP": true],
            ] as [[String: Any]] {
                let response = try await server.request(.post, "/api/v1/registries", token: cast.adminA.token, headers: jsonHeaders, body: json(body))
                expectError(response, 422, "unprocessable")
                #expect(response.error?.message.contains("--allow-insecure-registries") == true)
            }
        }
    }

    @Test("names are unique per tenant, not across tenants; only tenant admins add registries")
    func namesAndRoles() async throws {
        try await TestServer.with { server in
            let cast = try await TwoTenants.make(on: server)
            let body = json(["name": "private", "endpoint": "https://charts.internal", "protected": true, "noAuthentication": true])
            #expect(try await server.request(.post, "/api/v1/registries", token: cast.adminA.token, headers: jsonHeaders, body: body).status == 201)
            expectError(
                try await server.request(.post, "/api/v1/registries", token: cast.adminA.token, headers: jsonHeaders, body: body),
                409,
                "conflict"
            )
            #expect(try await server.request(.post, "/api/v1/registries", token: cast.adminB.token, headers: jsonHeaders, body: body).status == 201)
            expectError(
                try await server.request(.post, "/api/v1/registries", token: cast.memberA.token, headers: jsonHeaders, body: body),
                403,
                "forbidden"
            )
            expectError(
                try await server.request(.post, "/api/v1/registries", token: cast.systemAdminToken, headers: jsonHeaders, body: body),
                403,
                "forbidden"
            )
            // Members read their tenant's registries.
            let seen = try await server.client(token: cast.memberA.token).listRegistries().ok.body.json.items.added
            #expect(seen.map(\.name) == ["private"])
        }
    }

    @Test("tenant B can neither see nor change tenant A's registries")
    func isolation() async throws {
        try await TestServer.with { server in
            let cast = try await TwoTenants.make(on: server)
            let registry = try await server.client(token: cast.adminA.token).createRegistry(
                body: .json(.init(name: "a-private", endpoint: "https://charts.a.internal", protected: true, username: "a", password: "a-secret-pw"))
            ).created.body.json
            for token in [cast.adminB.token, cast.memberB.token] {
                expectError(try await server.request(.get, "/api/v1/registries/\(registry.id)", token: token), 404, "not_found")
                let patch = try await server.request(
                    .patch,
                    "/api/v1/registries/\(registry.id)",
                    token: token,
                    headers: jsonHeaders,
                    body: json(["protected": true])
                )
                expectError(patch, 404, "not_found")
                expectError(try await server.request(.delete, "/api/v1/registries/\(registry.id)", token: token), 404, "not_found")
                #expect(try await server.client(token: token).listRegistries().ok.body.json.items.added.isEmpty)
            }
            let still = try await server.client(token: cast.adminA.token).getRegistry(path: .init(id: registry.id)).ok.body.json
            #expect(still == registry)
            expectError(try await server.request(.delete, "/api/v1/registries/\(registry.id)", token: cast.memberA.token), 403, "forbidden")
            #expect(try await server.request(.delete, "/api/v1/registries/\(registry.id)", token: cast.adminA.token).status == 204)
            expectError(try await server.request(.get, "/api/v1/registries/\(registry.id)", token: cast.adminA.token), 404, "not_found")
        }
    }

    @Test("system registries: added by the system admin, read-only for every tenant")
    func systemRegistries() async throws {
        try await TestServer.with { server in
            let cast = try await TwoTenants.make(on: server)
            let body = json(["name": "stable", "endpoint": "https://charts.example.com", "protected": true, "noAuthentication": true])
            expectError(
                try await server.request(.post, "/api/v1/system/registries", token: cast.adminA.token, headers: jsonHeaders, body: body),
                403,
                "forbidden"
            )
            let created = try await server.request(.post, "/api/v1/system/registries", token: cast.systemAdminToken, headers: jsonHeaders, body: body)
            #expect(created.status == 201)
            let object = try #require(try JSONSerialization.jsonObject(with: created.body) as? [String: Any])
            let id = try #require(object["id"] as? String)
            for token in [cast.adminA.token, cast.memberB.token] {
                let list = try await server.client(token: token).listRegistries().ok.body.json.items.added
                #expect(list.map(\.name) == ["stable"])
                #expect(list.first?.scope == .system)
                expectError(
                    try await server.request(
                        .patch,
                        "/api/v1/registries/\(id)",
                        token: token,
                        headers: jsonHeaders,
                        body: json(["syncIntervalSeconds": 600])
                    ),
                    403,
                    "forbidden"
                )
                expectError(try await server.request(.delete, "/api/v1/registries/\(id)", token: token), 403, "forbidden")
            }
            // A tenant's own registry is listed before the system ones.
            _ = try await server.client(token: cast.adminA.token).createRegistry(
                body: .json(.init(name: "zz-own", endpoint: "https://own.internal", protected: true, noAuthentication: true))
            ).created
            #expect(try await server.client(token: cast.adminA.token).listRegistries().ok.body.json.items.added.map(\.name) == ["zz-own", "stable"])
            let patched = try await server.request(
                .patch,
                "/api/v1/registries/\(id)",
                token: cast.systemAdminToken,
                headers: jsonHeaders,
                body: json(["syncIntervalSeconds": 600])
            )
            #expect(patched.status == 200)
            #expect(try await server.request(.delete, "/api/v1/registries/\(id)", token: cast.systemAdminToken).status == 204)
        }
    }
}
