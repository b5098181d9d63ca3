import CharthouseAPI
import Foundation
import HTTPTypes
import TestSupport
import Testing

/// The console's deployment and administration forms over plain HTTP: forged posts without the
/// CSRF token, members and other tenants, what the pages never show again.
@Suite("Console over HTTP: deployments and administration")
struct ConsoleAdminTests {
    typealias Session = ConsoleTests.Session

    static func post(_ server: TestServer, _ path: String, _ session: Session, _ fields: [(String, String)]) async throws -> RawResponse {
        try await server.request(.post, path, headers: session.headers + [ConsoleTests.formType], body: ConsoleTests.form(fields))
    }

    @Test(
        "attach, discover and detach through forms; no CSRF token, no change; members refused; another tenant finds nothing to attach, watch or import"
    )
    func deployments() async throws {
        try await TestServer.with { server in
            let cast = try await TwoTenants.make(on: server)
            let (a, b, member) = try await ConsoleTests.sessions(server, cast)
            let client = server.client(token: cast.adminA.token)
            let vault = try await client.createRegistry(
                body: .json(.init(name: "vault", endpoint: "https://vault.invalid", protected: true, noAuthentication: true))
            ).created.body.json
            let draft = try await client.createProfile(body: .json(.init(name: "stack", version: "1.0.0"))).created.body.json
            _ = try await client.addProfileLayer(
                path: .init(id: draft.id),
                body: .json(.init(registryId: vault.id, chart: "app", version: "1.0.0", namespace: "apps"))
            ).created
            let profile = try await client.updateProfile(path: .init(id: draft.id), body: .json(.init(state: .published))).ok.body.json
            let cluster = try await client.createCluster(body: .json(.init(mode: .agent, name: "edge"))).created.body.json
            let page = "/clusters/\(cluster.id)"
            let attach = [("profileId", profile.id), ("values.apps/app", "replicaCount: 2\n"), ("onDetach", "orphan")]
            func attached() async throws -> Int { try await server.request(.get, "/api/v1\(page)/profile", token: cast.adminA.token).status }

            #expect(try await Self.post(server, "\(page)/attach", a, attach).status == 403)
            #expect(try await Self.post(server, "\(page)/attach", member, [("_csrf", member.csrf)] + attach).status == 403)
            #expect(try await Self.post(server, "\(page)/attach", b, [("_csrf", b.csrf)] + attach).status == 404)
            #expect(try await attached() == 404)
            let bad = try await Self.post(
                server,
                "\(page)/attach",
                a,
                [("_csrf", a.csrf), ("profileId", profile.id), ("values.apps/app", "a: [1\n")]
            )
            #expect(bad.status == 422 && bad.text.contains("id=\"form-error\"") && bad.text.contains("apps/app"), "\(bad.text)")
            #expect(try await attached() == 404)
            let done = try await Self.post(server, "\(page)/attach", a, [("_csrf", a.csrf)] + attach)
            #expect(done.status == 303 && done.headers["location"] == "\(page)#deployment", "\(done.text)")
            let stored = try await client.getClusterAttachment(path: .init(id: cluster.id)).ok.body.json
            #expect(
                stored.profile.id == profile.id && stored.onDetach == .orphan && stored.values.additionalProperties["apps/app"] == "replicaCount: 2\n"
            )

            // The part the page refreshes: busy while the layer waits for the agent.
            let live = try await server.request(.get, "\(page)/live", headers: a.headers)
            #expect(live.status == 200 && live.text.contains("id=\"live\"") && live.text.contains("data-busy=\"true\""), "\(live.text)")
            #expect(live.text.contains("data-layer=\"apps/app\"") && !live.text.contains("<html"))
            let memberPage = try await server.request(.get, page, headers: member.headers)
            #expect(memberPage.status == 200 && memberPage.text.contains("data-layer=\"apps/app\""))
            for action in ["id=\"discover\"", "id=\"attach\"", "id=\"detach\"", "id=\"issue-token\""] {
                #expect(!memberPage.text.contains(action), "\(action)")
            }
            for path in [page, "\(page)/live", "\(page)/attach", "\(page)/detach"] {
                #expect(try await server.request(.get, path, headers: b.headers).status == 404, "\(path)")
            }

            // Discover now asks the agent; the page then follows until a later run has ended.
            #expect(try await Self.post(server, "\(page)/discover", member, [("_csrf", member.csrf)]).status == 403)
            let discover = try await Self.post(server, "\(page)/discover", a, [("_csrf", a.csrf)])
            #expect(discover.status == 303 && discover.headers["location"] == "\(page)?after=0#discovery")
            let following = try await server.request(.get, "\(page)/live?after=0", headers: a.headers)
            #expect(following.text.contains("Discovering…") && following.text.contains("data-refresh-url=\"\(page)/live?after=0\""))

            // Import from Cluster: tenant B's profile cannot take tenant A's releases.
            let other = try await server.client(token: cast.adminB.token).createProfile(body: .json(.init(name: "b-stack", version: "1.0.0")))
                .created.body.json
            let forged = try await Self.post(
                server,
                "/profiles/\(other.id)/layers/import",
                b,
                [("_csrf", b.csrf), ("cluster", cluster.id), ("release", "apps/app")]
            )
            #expect(forged.status == 422 && forged.text.contains("not found"), "\(forged.text)")
            #expect(try await server.client(token: cast.adminB.token).getProfile(path: .init(id: other.id)).ok.body.json.layers.isEmpty)

            // A new profile from the cluster's releases: none discovered yet is refused; no CSRF token,
            // no profile; another tenant's cluster is not found.
            let copy = [("clusterId", cluster.id), ("name", "copy")]
            let none = try await Self.post(server, "/profiles/from-cluster", a, [("_csrf", a.csrf)] + copy)
            #expect(none.status == 422 && none.text.contains("no deployed release"), "\(none.status) \(none.text)")
            #expect(try await Self.post(server, "/profiles/from-cluster", a, copy).status == 403)
            #expect(try await Self.post(server, "/profiles/from-cluster", b, [("_csrf", b.csrf)] + copy).status == 404)
            #expect(try await client.listProfiles().ok.body.json.items.map(\.name) == ["stack"])

            #expect(try await Self.post(server, "\(page)/detach", a, []).status == 403)
            #expect(try await Self.post(server, "\(page)/detach", b, [("_csrf", b.csrf)]).status == 404)
            #expect(try await attached() == 200)
            #expect(try await Self.post(server, "\(page)/detach", a, [("_csrf", a.csrf)]).status == 303)
            #expect(try await attached() == 404)
        }
    }

    @Test("users, tokens and tenants through forms: CSRF, roles and tenants hold; a token's value is shown once")
    func administration() async throws {
        try await TestServer.with { server in
            let cast = try await TwoTenants.make(on: server)
            let (a, b, member) = try await ConsoleTests.sessions(server, cast)
            let user = [("username", "dave"), ("password", "daves-password"), ("role", "admin")]
            #expect(try await Self.post(server, "/users", a, user).status == 403)
            #expect(try await Self.post(server, "/users", member, [("_csrf", member.csrf)] + user).status == 403)
            #expect(try await Self.post(server, "/tenants", a, [("_csrf", a.csrf), ("name", "initech")]).status == 403)
            #expect(try await server.client(token: try await server.adminToken()).listTenants().ok.body.json.items.count == 2)
            #expect(try await Self.post(server, "/users", a, [("_csrf", a.csrf)] + user).status == 303)
            let users = try await server.client(token: cast.adminA.token).listUsers().ok.body.json.items
            let dave = try #require(users.first { $0.username == "dave" })
            #expect(dave.role == .admin && dave.tenant == "acme")
            // Tenant B cannot change or remove tenant A's user.
            #expect(try await Self.post(server, "/users/\(dave.id)", b, [("_csrf", b.csrf), ("role", "member")]).status == 404)
            #expect(try await Self.post(server, "/users/\(dave.id)/delete", b, [("_csrf", b.csrf)]).status == 404)
            #expect(!(try await server.request(.get, "/users", headers: b.headers)).text.contains("dave"))

            let issued = try await Self.post(server, "/tokens", a, [("_csrf", a.csrf), ("name", "ci"), ("expiresInDays", "30")])
            #expect(issued.status == 201 && issued.text.contains("id=\"issued-value\" value=\"cht_"), "\(issued.text)")
            let start = try #require(issued.text.range(of: "value=\"cht_"))
            let value = String(issued.text[start.lowerBound...].dropFirst(7).prefix { $0 != "\"" })
            let again = try await server.request(.get, "/tokens", headers: a.headers)
            #expect(again.text.contains("data-token=\"ci\"") && !again.text.contains(value), "the value is shown once")
            let token = try #require(try await server.client(token: cast.adminA.token).listTokens().ok.body.json.items.first { $0.name == "ci" })
            #expect(try await Self.post(server, "/tokens/\(token.id)/revoke", b, [("_csrf", b.csrf)]).status == 404)
            #expect(try await Self.post(server, "/tokens/\(token.id)/revoke", a, []).status == 403)
            #expect(try await server.request(.get, "/api/v1/me", token: value).status == 200)
            #expect(try await Self.post(server, "/tokens/\(token.id)/revoke", a, [("_csrf", a.csrf)]).status == 303)
            #expect(try await server.request(.get, "/api/v1/me", token: value).status == 401)
        }
    }

    @Test("empty states say what to do next; signing in from a deep link goes back to it")
    func emptyStatesAndDeepLinks() async throws {
        try await TestServer.with { server in
            let cast = try await TwoTenants.make(on: server)
            let b = try await ConsoleTests.signIn(server, cast.adminB.username, cast.adminB.password)
            let catalog = try await server.request(.get, "/catalog", headers: b.headers)
            #expect(catalog.text.contains("The catalog is empty") && !catalog.text.contains("No chart matches"), "\(catalog.text)")
            let search = try await server.request(.get, "/catalog?q=nothing-here", headers: b.headers)
            #expect(search.text.contains("No chart matches “nothing-here”"))
            for (path, hint) in [("/profiles", "Create profile"), ("/clusters", "Add a cluster"), ("/tokens", "No API tokens yet")] {
                #expect(try await server.request(.get, path, headers: b.headers).text.contains(hint), "\(path)")
            }

            let deep = try await server.request(.get, "/profiles")
            let login = try #require(deep.headers["location"])
            let page = try await server.request(.get, login)
            let nonce = try #require(ConsoleTests.csrf(in: page.text))
            let cookie = try #require(ConsoleTests.cookie("charthouse_login", in: page))
            let action = try #require(page.text.range(of: "action=\"/login"))
            let query = String(page.text[action.upperBound...].prefix { $0 != "\"" })
            #expect(query == "?next=/profiles", "\(login) \(query)")
            let signedIn = try await server.request(
                .post,
                "/login" + query,
                headers: [ConsoleTests.formType, ("Cookie", cookie)],
                body: ConsoleTests.form([("_csrf", nonce), ("username", cast.adminB.username), ("password", cast.adminB.password)])
            )
            #expect(signedIn.status == 303 && signedIn.headers["location"] == "/profiles", "\(signedIn.headers)")
        }
    }

    @Test("editing a registry: the stored password never sent back and kept when left empty; CSRF, members and other tenants refused")
    func registryEdit() async throws {
        try await TestServer.with { server in
            let cast = try await TwoTenants.make(on: server)
            let (a, b, member) = try await ConsoleTests.sessions(server, cast)
            let client = server.client(token: cast.adminA.token)
            let vault = try await client.createRegistry(
                body: .json(.init(name: "vault", endpoint: "https://vault.invalid", protected: true, username: "robot", password: "sealed-secret-1"))
            ).created.body.json
            let page = try await server.request(.get, "/registries/\(vault.id)/edit", headers: a.headers)
            #expect(page.status == 200 && page.text.contains("value=\"robot\"") && page.text.contains("id=\"password-hint\""))
            #expect(!page.text.contains("sealed-secret-1"))
            #expect(try await server.request(.get, "/registries/\(vault.id)/edit", headers: member.headers).status == 403)
            #expect(try await server.request(.get, "/registries/\(vault.id)/edit", headers: b.headers).status == 404)
            let fields = [("name", "vault-2"), ("endpoint", "https://vault.invalid"), ("protected", "on"), ("username", "robot"), ("password", "")]
            let path = "/registries/\(vault.id)"
            #expect(try await Self.post(server, path, a, fields).status == 403)
            #expect(try await Self.post(server, path, member, [("_csrf", member.csrf)] + fields).status == 403)
            #expect(try await Self.post(server, path, b, [("_csrf", b.csrf)] + fields).status == 404)
            #expect(try await client.getRegistry(path: .init(id: vault.id)).ok.body.json.name == "vault")
            let saved = try await Self.post(server, path, a, [("_csrf", a.csrf)] + fields)
            #expect(saved.status == 303 && saved.headers["location"] == path, "\(saved.text)")
            let after = try await client.getRegistry(path: .init(id: vault.id)).ok.body.json
            #expect(after.name == "vault-2" && after.hasCredentials == true, "the empty password kept the stored one")
            let taken = try await Self.post(
                server,
                path,
                a,
                [("_csrf", a.csrf), ("name", "hosted"), ("endpoint", "https://vault.invalid"), ("protected", "on"), ("username", "robot")]
            )
            #expect(taken.status == 409 && taken.text.contains("already exists"), "\(taken.status) \(taken.text)")
        }
    }
}
