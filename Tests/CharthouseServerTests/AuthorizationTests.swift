import CharthouseAPI
import Foundation
import HTTPTypes
import TestSupport
import Testing

@Suite("Authorization: what each role may do")
struct AuthorizationTests {
    @Test("only the system administrator creates and lists tenants")
    func tenantsAreSystemAdminOnly() async throws {
        try await TestServer.with { server in
            let cast = try await TwoTenants.make(on: server)
            for token in [cast.adminA.token, cast.memberA.token] {
                expectError(try await server.request(.get, "/api/v1/tenants", token: token), 403, "forbidden")
                let create = try await server.request(.post, "/api/v1/tenants", token: token, headers: jsonHeaders, body: json(["name": "evil"]))
                expectError(create, 403, "forbidden")
            }
            let names = try await server.client(token: cast.systemAdminToken).listTenants().ok.body.json.items.map(\.name)
            #expect(names == [cast.tenantA, cast.tenantB])
        }
    }

    @Test("a tenant admin creates users in its own tenant; a member creates none")
    func userCreation() async throws {
        try await TestServer.with { server in
            let cast = try await TwoTenants.make(on: server)
            let created = try await server.client(token: cast.adminA.token)
                .createUser(body: .json(.init(username: "newbie", password: "password-1", role: .member))).created.body.json
            #expect(created.tenant == cast.tenantA)
            #expect(created.role == .member)
            #expect(!created.systemAdmin)
            let sameTenantNamed = try await server.client(token: cast.adminA.token)
                .createUser(body: .json(.init(username: "newbie2", password: "password-1", role: .admin, tenant: cast.tenantA))).created.body.json
            #expect(sameTenantNamed.tenant == cast.tenantA)

            let byMember = try await server.request(
                .post,
                "/api/v1/users",
                token: cast.memberA.token,
                headers: jsonHeaders,
                body: json(["username": "sneaky", "password": "password-1", "role": "admin"])
            )
            expectError(byMember, 403, "forbidden")
            expectError(try await server.request(.get, "/api/v1/users", token: cast.memberA.token), 403, "forbidden")
            let list = try await server.client(token: cast.adminA.token).listUsers().ok.body.json.items.map(\.username)
            #expect(list == ["alice", "arthur", "newbie", "newbie2"])
        }
    }

    @Test("the system administrator must name an existing tenant when creating a user")
    func systemAdminNamesTenant() async throws {
        try await TestServer.with { server in
            let root = try await server.adminToken()
            _ = try await server.client(token: root).createTenant(body: .json(.init(name: "acme"))).created
            let missing = try await server.request(
                .post,
                "/api/v1/users",
                token: root,
                headers: jsonHeaders,
                body: json(["username": "u1", "password": "password-1", "role": "admin"])
            )
            expectError(missing, 400, "bad_request")
            #expect(missing.error?.message.contains("tenant") == true)
            let unknown = try await server.request(
                .post,
                "/api/v1/users",
                token: root,
                headers: jsonHeaders,
                body: json(["username": "u1", "password": "password-1", "role": "admin", "tenant": "nope"])
            )
            expectError(unknown, 404, "not_found")
            let all = try await server.client(token: root).listUsers().ok.body.json.items.map(\.username)
            #expect(all == ["admin"])
        }
    }

    @Test("a member creates tokens only for itself; an admin for users of its tenant")
    func tokensForOthers() async throws {
        try await TestServer.with { server in
            let cast = try await TwoTenants.make(on: server)
            let forOther = try await server.request(
                .post,
                "/api/v1/tokens",
                token: cast.memberA.token,
                headers: jsonHeaders,
                body: json(["name": "x", "username": cast.adminA.username])
            )
            expectError(forOther, 403, "forbidden")
            let forSelfByName = try await server.client(token: cast.memberA.token)
                .createToken(body: .json(.init(name: "mine", username: cast.memberA.username))).created.body.json
            #expect(forSelfByName.username == cast.memberA.username)

            let robot = try await server.client(token: cast.adminA.token)
                .createToken(body: .json(.init(name: "robot", username: cast.memberA.username))).created.body.json
            #expect(robot.username == cast.memberA.username)
            let me = try await server.client(token: robot.token).getMe().ok.body.json
            #expect(me.username == cast.memberA.username)
            #expect(me.role == .member)

            // The member sees both of its tokens; its admin sees them too and may revoke them.
            let memberView = try await server.client(token: cast.memberA.token).listTokens().ok.body.json.items.map(\.id)
            #expect(Set(memberView) == [forSelfByName.id, robot.id])
            let adminView = try await server.client(token: cast.adminA.token).listTokens().ok.body.json.items.map(\.id)
            #expect(Set(adminView) == [forSelfByName.id, robot.id])
            #expect(try await server.request(.delete, "/api/v1/tokens/\(robot.id)", token: cast.adminA.token).status == 204)

            // A member cannot revoke its admin's token: not in its scope, so not found.
            let adminToken = try await server.client(token: cast.adminA.token).createToken(body: .json(.init(name: "admin-own"))).created.body.json
            expectError(try await server.request(.delete, "/api/v1/tokens/\(adminToken.id)", token: cast.memberA.token), 404, "not_found")
            #expect(try await server.request(.get, "/api/v1/me", token: adminToken.token).status == 200)
        }
    }

    @Test("members read only themselves; nobody deletes itself")
    func usersReadAndDelete() async throws {
        try await TestServer.with { server in
            let cast = try await TwoTenants.make(on: server)
            #expect(try await server.request(.get, "/api/v1/users/\(cast.memberA.id)", token: cast.memberA.token).status == 200)
            expectError(try await server.request(.get, "/api/v1/users/\(cast.adminA.id)", token: cast.memberA.token), 403, "forbidden")
            expectError(try await server.request(.delete, "/api/v1/users/\(cast.adminA.id)", token: cast.memberA.token), 403, "forbidden")
            expectError(try await server.request(.delete, "/api/v1/users/\(cast.adminA.id)", token: cast.adminA.token), 422, "unprocessable")
            let me = try await server.client(token: cast.systemAdminToken).getMe().ok.body.json
            expectError(try await server.request(.delete, "/api/v1/users/\(me.id)", token: cast.systemAdminToken), 422, "unprocessable")
            #expect(try await server.request(.get, "/api/v1/users/\(cast.adminA.id)", token: cast.adminA.token).status == 200)
            // The system administrator may delete any tenant's user.
            #expect(try await server.request(.delete, "/api/v1/users/\(cast.memberB.id)", token: cast.systemAdminToken).status == 204)
        }
    }
}
