import CharthouseAPI
import Foundation
import HTTPTypes
import TestSupport
import Testing

@Suite("Tenant isolation: tenant A never sees or touches tenant B's data")
struct TenantIsolationTests {
    @Test("every route answers 404 for the other tenant's objects, and they stay intact")
    func crossTenantAccess() async throws {
        try await TestServer.with { server in
            let cast = try await TwoTenants.make(on: server)
            let tokenB = try await server.client(token: cast.memberB.token).createToken(body: .json(.init(name: "b-ci"))).created.body.json

            for attacker in [cast.adminA, cast.memberA] {
                let token = attacker.token
                for victim in [cast.adminB, cast.memberB] {
                    expectError(try await server.request(.get, "/api/v1/users/\(victim.id)", token: token), 404, "not_found")
                    expectError(try await server.request(.delete, "/api/v1/users/\(victim.id)", token: token), 404, "not_found")
                }
                expectError(try await server.request(.delete, "/api/v1/tokens/\(tokenB.id)", token: token), 404, "not_found")
                let tokens = try await server.client(token: token).listTokens().ok.body.json.items
                #expect(tokens.allSatisfy { $0.username != cast.memberB.username && $0.username != cast.adminB.username })
            }
            // Admin-only routes, aimed at tenant B by name: B does not exist for A.
            let admin = cast.adminA.token
            let filtered = try await server.request(.get, "/api/v1/users?tenant=\(cast.tenantB)", token: admin)
            expectError(filtered, 404, "not_found")
            let nonexistent = try await server.request(.get, "/api/v1/users?tenant=no-such-tenant", token: admin)
            #expect(
                filtered.error?.message.replacingOccurrences(of: cast.tenantB, with: "X")
                    == nonexistent.error?.message.replacingOccurrences(of: "no-such-tenant", with: "X")
            )
            let intoB = try await server.request(
                .post,
                "/api/v1/users",
                token: admin,
                headers: jsonHeaders,
                body: json(["username": "implant", "password": "password-1", "role": "admin", "tenant": cast.tenantB])
            )
            expectError(intoB, 404, "not_found")
            let tokenForB = try await server.request(
                .post,
                "/api/v1/tokens",
                token: admin,
                headers: jsonHeaders,
                body: json(["name": "steal", "username": cast.memberB.username])
            )
            expectError(tokenForB, 404, "not_found")
            let ownUsers = try await server.client(token: admin).listUsers().ok.body.json.items
            #expect(Set(ownUsers.map(\.username)) == [cast.adminA.username, cast.memberA.username])
            #expect(ownUsers.allSatisfy { $0.tenant == cast.tenantA })

            // Nothing of B changed: its users, token and sessions all still work.
            #expect(try await server.request(.get, "/api/v1/me", token: tokenB.token).status == 200)
            let bUsers = try await server.client(token: cast.adminB.token).listUsers().ok.body.json.items.map(\.username)
            #expect(Set(bUsers) == [cast.adminB.username, cast.memberB.username])
            #expect(try await server.client(token: cast.adminB.token).listTokens().ok.body.json.items.map(\.id) == [tokenB.id])
            let root = try await server.client(token: cast.systemAdminToken).listUsers(query: .init(tenant: cast.tenantB)).ok.body.json.items
            #expect(Set(root.map(\.username)) == [cast.adminB.username, cast.memberB.username])
        }
    }

    @Test("usernames are unique across tenants, and the conflict reveals no tenant")
    func usernamesAcrossTenants() async throws {
        try await TestServer.with { server in
            let cast = try await TwoTenants.make(on: server)
            let clash = try await server.request(
                .post,
                "/api/v1/users",
                token: cast.adminA.token,
                headers: jsonHeaders,
                body: json(["username": cast.memberB.username, "password": "password-1", "role": "member"])
            )
            expectError(clash, 409, "conflict")
            #expect(clash.error?.message.contains(cast.tenantB) == false)
        }
    }
}
