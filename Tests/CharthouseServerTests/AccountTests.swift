import CharthouseAPI
import Foundation
import HTTPTypes
import TestSupport
import Testing

/// Passwords, logout, user changes and tenant rename/delete over the REST API, with tenant isolation.
@Suite("Accounts: passwords, logout, user changes, tenant rename and delete")
struct AccountTests {
    @Test("changing your own password: the old one is checked, other sessions end, this one and API tokens stay")
    func changeOwnPassword() async throws {
        try await TestServer.with { server in
            let cast = try await TwoTenants.make(on: server)
            let user = cast.memberA
            let other = try await server.login(user.username, user.password)
            let apiToken = try await server.client(token: user.token).createToken(body: .json(.init(name: "ci"))).created.body.json.token
            let path = "/api/v1/me/password"

            let wrong = try await server.request(
                .put,
                path,
                token: user.token,
                headers: jsonHeaders,
                body: json(["oldPassword": "not-it", "newPassword": "new-password-1"])
            )
            expectError(wrong, 422, "unprocessable")
            let short = try await server.request(
                .put,
                path,
                token: user.token,
                headers: jsonHeaders,
                body: json(["oldPassword": user.password, "newPassword": "short"])
            )
            expectError(short, 400, "bad_request")
            #expect(try await server.request(.get, "/api/v1/me", token: other).status == 200, "a refused change ends nothing")

            let changed = try await server.request(
                .put,
                path,
                token: user.token,
                headers: jsonHeaders,
                body: json(["oldPassword": user.password, "newPassword": "new-password-1"])
            )
            #expect(changed.status == 204, "\(changed.text)")
            #expect(try await server.request(.get, "/api/v1/me", token: user.token).status == 200, "the session that changed it stays")
            #expect(try await server.request(.get, "/api/v1/me", token: other).status == 401, "other sessions end")
            #expect(try await server.request(.get, "/api/v1/me", token: apiToken).status == 200, "API tokens stay")
            #expect(
                try await server.request(
                    .post,
                    "/api/v1/login",
                    headers: jsonHeaders,
                    body: json(["username": user.username, "password": user.password])
                ).status == 401
            )
            _ = try await server.login(user.username, "new-password-1")
        }
    }

    @Test("logout ends the session it is sent with, and refuses API tokens")
    func logout() async throws {
        try await TestServer.with { server in
            let cast = try await TwoTenants.make(on: server)
            let second = try await server.login(cast.adminA.username, cast.adminA.password)
            let apiToken = try await server.client(token: second).createToken(body: .json(.init(name: "ci"))).created.body.json.token
            expectError(try await server.request(.post, "/api/v1/logout", token: apiToken), 422, "unprocessable")
            #expect(try await server.request(.get, "/api/v1/me", token: apiToken).status == 200)
            #expect(try await server.request(.post, "/api/v1/logout", token: second).status == 204)
            #expect(try await server.request(.get, "/api/v1/me", token: second).status == 401)
            #expect(try await server.request(.get, "/api/v1/me", token: cast.adminA.token).status == 200, "other sessions stay")
            expectError(try await server.request(.post, "/api/v1/logout"), 401, "unauthorized")
        }
    }

    @Test("administrators reset passwords and change roles in their tenant only; nobody changes its own role")
    func updateUsers() async throws {
        try await TestServer.with { server in
            let cast = try await TwoTenants.make(on: server)
            let member = cast.memberA
            let path = "/api/v1/users/\(member.id)"
            let memberSession = try await server.login(member.username, member.password)

            let promoted = try await server.request(.patch, path, token: cast.adminA.token, headers: jsonHeaders, body: json(["role": "admin"]))
            #expect(promoted.status == 200, "\(promoted.text)")
            #expect(promoted.object?["role"] as? String == "admin")
            #expect(try await server.request(.get, "/api/v1/users", token: memberSession).status == 200, "the new role applies at once")
            _ = try await server.request(.patch, path, token: cast.adminA.token, headers: jsonHeaders, body: json(["role": "member"]))

            let reset = try await server.request(
                .patch,
                path,
                token: cast.adminA.token,
                headers: jsonHeaders,
                body: json(["password": "reset-password-1"])
            )
            #expect(reset.status == 200, "\(reset.text)")
            #expect(try await server.request(.get, "/api/v1/me", token: memberSession).status == 401, "a reset ends the user's sessions")
            _ = try await server.login(member.username, "reset-password-1")

            // Other tenants' users are not there; members change nobody; your own role and password stay yours.
            expectError(
                try await server.request(.patch, path, token: cast.adminB.token, headers: jsonHeaders, body: json(["role": "admin"])),
                404,
                "not_found"
            )
            let self403 = try await server.request(
                .patch,
                "/api/v1/users/\(cast.adminA.id)",
                token: try await server.login(member.username, "reset-password-1"),
                headers: jsonHeaders,
                body: json(["role": "admin"])
            )
            #expect(self403.status == 403 || self403.status == 404, "\(self403.text)")
            let ownRole = try await server.request(
                .patch,
                "/api/v1/users/\(cast.adminA.id)",
                token: cast.adminA.token,
                headers: jsonHeaders,
                body: json(["role": "member"])
            )
            expectError(ownRole, 422, "unprocessable")
            let ownPassword = try await server.request(
                .patch,
                "/api/v1/users/\(cast.adminA.id)",
                token: cast.adminA.token,
                headers: jsonHeaders,
                body: json(["password": "x-password-1"])
            )
            expectError(ownPassword, 422, "unprocessable")
            expectError(try await server.request(.patch, path, token: cast.adminA.token, headers: jsonHeaders, body: json([:])), 400, "bad_request")
            expectError(
                try await server.request(.patch, path, token: cast.adminA.token, headers: jsonHeaders, body: json(["role": "owner"])),
                400,
                "bad_request"
            )
            let byRoot = try await server.request(.patch, path, token: cast.systemAdminToken, headers: jsonHeaders, body: json(["role": "admin"]))
            #expect(byRoot.status == 200, "the system administrator changes any tenant's users")
        }
    }

    @Test("renaming a tenant moves its hosted registry: charts answer under the new name, the old one is gone")
    func renameTenant() async throws {
        try await TestServer.with { server in
            let cast = try await TwoTenants.make(on: server)
            let helm = try HelmCLI(major: 4)
            defer { helm.removeHome() }
            let chart = try HostedClassicTests.package(helm, "web", "1.0.0")
            let admin = HostedClassicTests.basic(cast.adminA.username, cast.adminA.password)
            #expect(try await server.request(.post, "/api/acme/charts", headers: admin, body: chart.bytes).status == 201)

            for token in [cast.adminA.token, cast.adminB.token] {
                expectError(
                    try await server.request(.patch, "/api/v1/tenants/acme", token: token, headers: jsonHeaders, body: json(["name": "x"])),
                    403,
                    "forbidden"
                )
                expectError(try await server.request(.delete, "/api/v1/tenants/acme", token: token), 403, "forbidden")
                expectError(try await server.request(.get, "/api/v1/tenants/acme", token: token), 403, "forbidden")
            }
            let taken = try await server.request(
                .patch,
                "/api/v1/tenants/acme",
                token: cast.systemAdminToken,
                headers: jsonHeaders,
                body: json(["name": cast.tenantB])
            )
            expectError(taken, 409, "conflict")
            let invalid = try await server.request(
                .patch,
                "/api/v1/tenants/acme",
                token: cast.systemAdminToken,
                headers: jsonHeaders,
                body: json(["name": "Not A Label"])
            )
            expectError(invalid, 400, "bad_request")

            let renamed = try await server.request(
                .patch,
                "/api/v1/tenants/acme",
                token: cast.systemAdminToken,
                headers: jsonHeaders,
                body: json(["name": "acme-corp"])
            )
            #expect(renamed.status == 200, "\(renamed.text)")
            #expect(renamed.object?["name"] as? String == "acme-corp")
            let index = try await server.request(.get, "/charts/acme-corp/index.yaml", headers: admin)
            #expect(index.status == 200 && index.text.contains("/charts/acme-corp/web-1.0.0.tgz"), "\(index.text)")
            #expect(try await server.request(.get, "/charts/acme/index.yaml", headers: admin).status == 404)
            let host = "\(server.baseURL.host!):\(server.baseURL.port!)"
            try await helm.runDetached(
                ["registry", "login", host, "-u", cast.adminA.username, "--password-stdin", "--plain-http"],
                stdin: cast.adminA.password
            )
            let pulled = try helm.run(["show", "chart", "oci://\(host)/acme-corp/web", "--version", "1.0.0", "--plain-http"], check: false)
            #expect(pulled.status == 0 && pulled.stdout.contains("name: web"), "\(pulled.stderr)")
            let me = try await server.client(token: cast.adminA.token).getMe().ok.body.json
            #expect(me.tenant == "acme-corp", "the tenant's users follow the rename")
            let registries = try await server.client(token: cast.adminA.token).listRegistries().ok.body.json.items
            #expect(registries.first { $0.kind == .hosted && $0.scope == .tenant }?.endpoint.hasSuffix("/acme-corp") == true)
        }
    }

    @Test("deleting a tenant removes its users, tokens and registries; other tenants are untouched")
    func deleteTenant() async throws {
        try await TestServer.with { server in
            let cast = try await TwoTenants.make(on: server)
            let apiToken = try await server.client(token: cast.adminA.token).createToken(body: .json(.init(name: "ci"))).created.body.json.token
            #expect(try await server.request(.delete, "/api/v1/tenants/\(cast.tenantA)", token: cast.systemAdminToken).status == 204)
            expectError(try await server.request(.get, "/api/v1/tenants/\(cast.tenantA)", token: cast.systemAdminToken), 404, "not_found")
            expectError(try await server.request(.delete, "/api/v1/tenants/\(cast.tenantA)", token: cast.systemAdminToken), 404, "not_found")
            for token in [cast.adminA.token, cast.memberA.token, apiToken] {
                #expect(try await server.request(.get, "/api/v1/me", token: token).status == 401)
            }
            let login = try await server.request(
                .post,
                "/api/v1/login",
                headers: jsonHeaders,
                body: json(["username": cast.adminA.username, "password": cast.adminA.password])
            )
            #expect(login.status == 401)
            #expect(try await server.request(.get, "/api/v1/me", token: cast.adminB.token).status == 200)
            let tenants = try await server.client(token: cast.systemAdminToken).listTenants().ok.body.json.items.map(\.name)
            #expect(tenants == [cast.tenantB])
            // The name is free again, with a fresh hosted registry.
            #expect(
                try await server.request(
                    .post,
                    "/api/v1/tenants",
                    token: cast.systemAdminToken,
                    headers: jsonHeaders,
                    body: json(["name": cast.tenantA])
                ).status == 201
            )
        }
    }

    @Test("a hosted registry shows access and last push, none of an upstream registry's settings")
    func hostedView() async throws {
        try await TestServer.with { server in
            let cast = try await TwoTenants.make(on: server)
            let list = try await server.request(.get, "/api/v1/registries", token: cast.adminA.token)
            let items = list.object?["items"] as? [[String: Any]] ?? []
            let hosted = try #require(items.first { $0["name"] as? String == "hosted" })
            for absent in [
                "syncState", "noAuthentication", "syncIntervalSeconds", "protected", "plainHTTP", "insecureSkipTLSVerify", "hasCredentials",
                "lastPushAt",
            ] {
                #expect(hosted[absent] == nil, "\(absent) does not apply to a hosted registry")
            }
            #expect(hosted["access"] as? String == "private")
            let helm = try HelmCLI(major: 4)
            defer { helm.removeHome() }
            let chart = try HostedClassicTests.package(helm, "web", "1.0.0")
            let admin = HostedClassicTests.basic(cast.adminA.username, cast.adminA.password)
            #expect(try await server.request(.post, "/api/acme/charts", headers: admin, body: chart.bytes).status == 201)
            let after = try await server.client(token: cast.adminA.token).listRegistries().ok.body.json.items.first { $0.name == "hosted" }
            #expect(after?.lastPushAt != nil)
            #expect(after?.versions == 1)
        }
    }

    @Test("lengths are counted in code points, as openapi.yaml's maxLength/minLength are: combining marks count")
    func lengthsInCodePoints() async throws {
        try await TestServer.with { server in
            let cast = try await TwoTenants.make(on: server)
            // 10 visible characters, 70 code points: over the 64 a token name may have.
            let zalgo = String(repeating: "e\u{301}\u{302}\u{303}\u{304}\u{305}\u{306}", count: 10)
            #expect(zalgo.count == 10 && zalgo.unicodeScalars.count == 70)
            let long = try await server.request(.post, "/api/v1/tokens", token: cast.adminA.token, headers: jsonHeaders, body: json(["name": zalgo]))
            expectError(long, 400, "bad_request")
            // 4 visible characters, 8 code points: a password of 8 characters by the contract.
            let password = String(repeating: "e\u{301}", count: 4)
            let created = try await server.request(
                .post,
                "/api/v1/users",
                token: cast.adminA.token,
                headers: jsonHeaders,
                body: json(["username": "marks", "password": password, "role": "member"])
            )
            #expect(created.status == 201, "\(created.text)")
        }
    }
}
