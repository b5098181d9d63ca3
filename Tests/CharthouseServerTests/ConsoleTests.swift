import CharthouseAPI
import Foundation
import HTTPTypes
import TestSupport
import Testing

/// The console over plain HTTP: sign-in cookies, CSRF on every form, security headers, escaping,
/// roles and tenants — what a browser test cannot see or forge as directly.
@Suite("Console over HTTP: sessions, CSRF, headers, escaping, isolation")
struct ConsoleTests {
    /// A signed-in console session: its cookie and the CSRF token its pages carry.
    struct Session {
        let cookie: String
        let csrf: String
        var headers: [(String, String)] { [("Cookie", cookie)] }
    }

    static let formType = ("Content-Type", "application/x-www-form-urlencoded")

    static func form(_ fields: [(String, String)]) -> Data {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return Data(
            fields.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }.joined(separator: "&").utf8
        )
    }

    /// `name=value` of the named cookie among `Set-Cookie` headers.
    static func cookie(_ name: String, in response: RawResponse) -> String? {
        response.setCookies.first { $0.hasPrefix("\(name)=") }.map { String($0.prefix { $0 != ";" }) }
    }

    /// The value of `<input type="hidden" name="_csrf" value="…">` in a page.
    static func csrf(in html: String) -> String? {
        guard let range = html.range(of: #"name="_csrf" value=""#) else { return nil }
        return String(html[range.upperBound...].prefix { $0 != "\"" })
    }

    static func signIn(_ server: TestServer, _ username: String, _ password: String) async throws -> Session {
        let page = try await server.request(.get, "/login")
        let login = try #require(cookie("charthouse_login", in: page))
        let nonce = try #require(csrf(in: page.text))
        let response = try await server.request(
            .post,
            "/login",
            headers: [formType, ("Cookie", login)],
            body: form([("_csrf", nonce), ("username", username), ("password", password)])
        )
        #expect(response.status == 303 && response.headers["location"] == "/registries", "\(response.status) \(response.text)")
        let session = try #require(cookie("charthouse_session", in: response))
        let registries = try await server.request(.get, "/registries", headers: [("Cookie", session)])
        return Session(cookie: session, csrf: try #require(csrf(in: registries.text)))
    }

    /// Console sessions of tenant A's admin and member and tenant B's admin.
    static func sessions(_ server: TestServer, _ cast: TwoTenants) async throws -> (a: Session, b: Session, member: Session) {
        (
            try await signIn(server, cast.adminA.username, cast.adminA.password),
            try await signIn(server, cast.adminB.username, cast.adminB.password),
            try await signIn(server, cast.memberA.username, cast.memberA.password)
        )
    }

    @Test("sign-in: a double-submit login form, HttpOnly SameSite cookies, wrong passwords, safe redirects, sign-out ends the session")
    func signIn() async throws {
        try await TestServer.with { server in
            let cast = try await TwoTenants.make(on: server)
            let anonymous = try await server.request(.get, "/registries")
            #expect(anonymous.status == 303 && anonymous.headers["location"] == "/login")
            let page = try await server.request(.get, "/login")
            #expect(page.status == 200 && page.headers["content-type"] == "text/html; charset=utf-8")
            let policy = try #require(page.headers["content-security-policy"])
            #expect(policy.contains("script-src 'self'") && !policy.contains("unsafe-inline") && policy.contains("frame-ancestors 'none'"))
            #expect(page.headers["x-content-type-options"] == "nosniff" && page.headers["cache-control"] == "no-store")
            let loginCookie = try #require(page.setCookies.first { $0.hasPrefix("charthouse_login=") })
            #expect(loginCookie.contains("HttpOnly") && loginCookie.contains("SameSite=Lax") && !loginCookie.contains("Secure"))
            let login = try #require(Self.cookie("charthouse_login", in: page))
            let nonce = try #require(Self.csrf(in: page.text))
            #expect(login == "charthouse_login=\(nonce)")

            // A login form posted from elsewhere (no matching cookie) signs no one in.
            let forged = try await server.request(
                .post,
                "/login",
                headers: [Self.formType],
                body: Self.form([("_csrf", nonce), ("username", cast.adminA.username), ("password", cast.adminA.password)])
            )
            #expect(forged.status == 403 && Self.cookie("charthouse_session", in: forged) == nil)
            let wrong = try await server.request(
                .post,
                "/login",
                headers: [Self.formType, ("Cookie", login)],
                body: Self.form([("_csrf", nonce), ("username", cast.adminA.username), ("password", "nope-nope")])
            )
            #expect(wrong.status == 401 && wrong.text.contains("Wrong username or password.") && Self.cookie("charthouse_session", in: wrong) == nil)
            // After sign-in, only a path of this site: never another host.
            for (next, location) in [
                ("%2F%2Fevil.example", "/registries"), ("https%3A%2F%2Fevil.example", "/registries"), ("%2Fregistries%2Fnew", "/registries/new"),
            ] {
                let response = try await server.request(
                    .post,
                    "/login?next=\(next)",
                    headers: [Self.formType, ("Cookie", login)],
                    body: Self.form([("_csrf", nonce), ("username", cast.adminA.username), ("password", cast.adminA.password)])
                )
                #expect(response.status == 303 && response.headers["location"] == location, "\(next) → \(response.headers["location"] ?? "")")
                let session = try #require(response.setCookies.first { $0.hasPrefix("charthouse_session=") })
                #expect(session.contains("HttpOnly") && session.contains("SameSite=Lax") && session.contains("Max-Age="))
            }

            // The cookie holds an API session: the same kind, ended by signing out.
            let session = try await Self.signIn(server, cast.adminA.username, cast.adminA.password)
            let token = String(session.cookie.dropFirst("charthouse_session=".count))
            #expect(try await server.request(.get, "/api/v1/me", token: token).status == 200)
            let noToken = try await server.request(.post, "/logout", headers: session.headers + [Self.formType], body: Self.form([]))
            #expect(noToken.status == 403)
            let out = try await server.request(
                .post,
                "/logout",
                headers: session.headers + [Self.formType],
                body: Self.form([("_csrf", session.csrf)])
            )
            #expect(out.status == 303 && out.headers["location"] == "/login")
            #expect(out.setCookies.contains { $0.hasPrefix("charthouse_session=;") && $0.contains("Max-Age=0") })
            #expect(try await server.request(.get, "/registries", headers: session.headers).status == 303)
            #expect(try await server.request(.get, "/api/v1/me", token: token).status == 401)
        }
    }

    @Test("forms: without the session's CSRF token nothing is stored; values typed are escaped; roles and tenants hold")
    func formsAndIsolation() async throws {
        let folder = try ChartFixtures.classicRepository([("web", "1.0.0")])
        defer { try? FileManager.default.removeItem(at: folder) }
        let nginx = try await NginxServer(serving: folder)
        defer { nginx.stop() }
        try await TestServer.with { server in
            let cast = try await TwoTenants.make(on: server)
            let (a, b, member) = try await Self.sessions(server, cast)
            let registry = [("name", "open"), ("endpoint", nginx.baseURL), ("noAuthentication", "on")]
            func names() async throws -> [String] {
                try await server.client(token: cast.adminA.token).listRegistries().ok.body.json.items.map(\.name)
            }
            let before = try await names()
            for (label, fields) in [
                ("no token", registry), ("a wrong token", [("_csrf", "0" + a.csrf.dropFirst())] + registry),
                ("B's token", [("_csrf", b.csrf)] + registry),
            ] {
                let forged = try await server.request(.post, "/registries", headers: a.headers + [Self.formType], body: Self.form(fields))
                #expect(forged.status == 403 && forged.text.contains("security token"), "\(label): \(forged.status)")
            }
            #expect(try await names() == before)

            // What was typed comes back escaped.
            let hostile = #"x"><script>alert(1)</script>"#
            let refused = try await server.request(
                .post,
                "/registries",
                headers: a.headers + [Self.formType],
                body: Self.form([("_csrf", a.csrf), ("name", "evil"), ("endpoint", hostile), ("noAuthentication", "on")])
            )
            #expect(refused.status == 400 && refused.text.contains("id=\"endpoint-error\""), "\(refused.text)")
            #expect(!refused.text.contains("<script>alert(1)") && refused.text.contains("x&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"))
            // A quote with a combining mark is one Swift character, and still a quote to a browser.
            let combining = "x\"\u{301} autofocus onfocus=alert(1) x=\""
            let marked = try await server.request(
                .post,
                "/registries",
                headers: a.headers + [Self.formType],
                body: Self.form([("_csrf", a.csrf), ("name", "evil"), ("endpoint", combining), ("noAuthentication", "on")])
            )
            #expect(marked.status == 400 && marked.text.contains("x&quot;\u{301} autofocus") && !marked.text.contains("\"\u{301} autofocus"))
            // The page's script gets JSON: the field and the server's message.
            let json = try await server.request(
                .post,
                "/registries",
                headers: a.headers + [Self.formType, ("Accept", "application/json")],
                body: Self.form([("_csrf", a.csrf), ("name", "bad name!"), ("endpoint", nginx.baseURL), ("noAuthentication", "on")])
            )
            #expect(json.status == 400 && (json.object?["errors"] as? [String: String])?["name"]?.contains("name") == true, "\(json.text)")

            let created = try await server.request(
                .post,
                "/registries",
                headers: a.headers + [Self.formType],
                body: Self.form([("_csrf", a.csrf)] + registry)
            )
            #expect(created.status == 303, "\(created.text)")
            let location = try #require(created.headers["location"])
            let id = String(location.dropFirst("/registries/".count))
            #expect(try await names().contains("open"))
            #expect(try await server.request(.get, location, headers: a.headers).status == 200)

            // A member reads but changes nothing; tenant B finds nothing of A's.
            let memberPage = try await server.request(.get, location, headers: member.headers)
            #expect(memberPage.status == 200 && !memberPage.text.contains("id=\"remove\"") && !memberPage.text.contains("id=\"sync-now\""))
            let memberAdd = try await server.request(
                .post,
                "/registries",
                headers: member.headers + [Self.formType],
                body: Self.form([("_csrf", member.csrf), ("name", "mine"), ("endpoint", nginx.baseURL), ("noAuthentication", "on")])
            )
            #expect(memberAdd.status == 403)
            for path in [location, "\(location)/state", "\(location)/delete"] {
                #expect(try await server.request(.get, path, headers: b.headers).status == 404, "\(path)")
            }
            let bList = try await server.request(.get, "/registries", headers: b.headers)
            #expect(bList.status == 200 && !bList.text.contains(id) && !bList.text.contains(">open<"))
            for path in ["\(location)/delete", "\(location)/sync"] {
                let response = try await server.request(.post, path, headers: b.headers + [Self.formType], body: Self.form([("_csrf", b.csrf)]))
                #expect(response.status == 404, "\(path): \(response.status)")
            }
            #expect(try await names().contains("open"))
            let removed = try await server.request(
                .post,
                "\(location)/delete",
                headers: a.headers + [Self.formType],
                body: Self.form([("_csrf", a.csrf)])
            )
            #expect(removed.status == 303 && removed.headers["location"] == "/registries?removed=open")
            #expect(try await server.request(.get, "/registries?removed=open", headers: a.headers).text.contains("Removed the registry open."))
            #expect(try await !names().contains("open"))
        }
    }

    @Test("assets: fingerprinted names, cached for a year; unknown names are 404")
    func assets() async throws {
        try await TestServer.with { server in
            let page = try await server.request(.get, "/login").text
            for (suffix, type) in [("css", "text/css; charset=utf-8"), ("js", "text/javascript; charset=utf-8")] {
                let pattern = try Regex("/assets/console\\.[0-9a-f]{12}\\.\(suffix)")
                let path = String(try #require(page.firstMatch(of: pattern)).output[0].substring ?? "")
                let asset = try await server.request(.get, path)
                #expect(asset.status == 200 && asset.headers["content-type"] == type && !asset.body.isEmpty)
                #expect(asset.headers["cache-control"] == "public, max-age=31536000, immutable")
                #expect(try await server.request(.get, "/assets/console.000000000000.\(suffix)").status == 404)
            }
        }
    }

    @Test("catalog pages: search, the results alone for the page's script, another tenant's charts not found")
    func catalogPages() async throws {
        let folder = try ChartFixtures.classicRepository([("web", "1.0.0"), ("worker", "0.3.0")])
        defer { try? FileManager.default.removeItem(at: folder) }
        let nginx = try await NginxServer(serving: folder)
        defer { nginx.stop() }
        try await TestServer.with { server in
            let cast = try await TwoTenants.make(on: server)
            let registry = try await server.client(token: cast.adminA.token).createRegistry(
                body: .json(.init(name: "charts", endpoint: nginx.baseURL, noAuthentication: true))
            ).created.body.json
            #expect(try await CatalogSyncTests.waitForSync(server, token: cast.adminA.token, id: registry.id).syncState == .ok)
            let a = try await Self.signIn(server, cast.adminA.username, cast.adminA.password)
            let b = try await Self.signIn(server, cast.adminB.username, cast.adminB.password)
            let page = try await server.request(.get, "/catalog?q=wor", headers: a.headers)
            #expect(page.status == 200 && page.text.contains("data-chart=\"worker\"") && !page.text.contains("data-chart=\"web\""))
            let partial = try await server.request(.get, "/catalog?q=wor&partial=1", headers: a.headers)
            #expect(partial.status == 200 && partial.text.contains("data-chart=\"worker\"") && !partial.text.contains("<html"))
            let versions = try await server.request(.get, "/catalog/\(registry.id)/worker", headers: a.headers)
            #expect(versions.status == 200 && versions.text.contains("data-version=\"0.3.0\""))
            let version = try await server.request(.get, "/catalog/\(registry.id)/worker/0.3.0", headers: a.headers)
            #expect(version.status == 200 && version.text.contains("replicaCount"), "\(version.text)")
            let missing = try await server.request(.get, "/catalog/\(registry.id)/worker/9.9.9", headers: a.headers)
            #expect(missing.status == 404 && missing.text.contains("available: 0.3.0"))
            // Tenant B sees none of A's charts, by search or by address.
            let other = try await server.request(.get, "/catalog?q=wor", headers: b.headers)
            #expect(other.status == 200 && !other.text.contains("data-chart=\"worker\""))
            for path in ["/catalog/\(registry.id)/worker", "/catalog/\(registry.id)/worker/0.3.0"] {
                #expect(try await server.request(.get, path, headers: b.headers).status == 404, "\(path)")
            }
        }
    }

    @Test(
        "profiles: created and published through forms, exported as a download; members read only; no CSRF token, no change; other tenants find nothing"
    )
    func profilePages() async throws {
        try await TestServer.with { server in
            let cast = try await TwoTenants.make(on: server)
            let (a, b, member) = try await Self.sessions(server, cast)
            let vault = try await server.client(token: cast.adminA.token).createRegistry(
                body: .json(.init(name: "vault", endpoint: "https://vault.invalid", protected: true, noAuthentication: true))
            ).created.body.json
            func post(_ path: String, _ session: Session, _ fields: [(String, String)], json: Bool = false) async throws -> RawResponse {
                try await server.request(
                    .post,
                    path,
                    headers: session.headers + [Self.formType] + (json ? [("Accept", "application/json")] : []),
                    body: Self.form(fields)
                )
            }
            let created = try await post("/profiles", a, [("_csrf", a.csrf), ("name", "stack"), ("version", "1.0.0")])
            #expect(created.status == 303, "\(created.text)")
            let location = try #require(created.headers["location"])
            let id = String(location.dropFirst("/profiles/".count))
            let duplicate = try await post("/profiles", a, [("_csrf", a.csrf), ("name", "stack"), ("version", "1.0.0")])
            #expect(duplicate.status == 409 && duplicate.text.contains("value=\"stack\""))

            // A layer whose values are not YAML: the error names the line, for the form and for the script.
            let layer = [("_csrf", a.csrf), ("registryId", vault.id), ("chart", "app"), ("version", "1.0.0"), ("namespace", "apps")]
            let page = try await post("\(location)/layers", a, layer + [("values", "a: 1\nb: [2\n")])
            #expect(page.status == 422 && page.text.contains("id=\"values-error\"") && page.text.contains("data-error-line=\""), "\(page.text)")
            let script = try await post("\(location)/layers", a, layer + [("values", "a: 1\nb: [2\n")], json: true)
            let detail = script.object?["detail"] as? [String: String]
            #expect(script.status == 422 && detail?["field"] == "values" && detail?["line"] != nil, "\(script.text)")
            #expect(try await post("\(location)/layers", a, layer + [("values", "a: 1\n")]).status == 303)

            // Without the session's token nothing changes; a member and another tenant cannot publish.
            #expect(try await post("\(location)/publish", a, []).status == 403)
            #expect(try await post("\(location)/publish", member, [("_csrf", member.csrf)]).status == 403)
            #expect(try await post("\(location)/publish", b, [("_csrf", b.csrf)]).status == 404)
            let state = try await server.client(token: cast.adminA.token).getProfile(path: .init(id: id)).ok.body.json.state
            #expect(state == .draft)
            let memberPage = try await server.request(.get, location, headers: member.headers)
            #expect(memberPage.status == 200 && memberPage.text.contains("data-release=\"app\""))
            #expect(!memberPage.text.contains("id=\"add-layer\"") && !memberPage.text.contains("id=\"publish\""))
            for path in [location, "\(location)/export", "\(location)/layers/new"] {
                #expect(try await server.request(.get, path, headers: b.headers).status == 404, "\(path)")
            }
            #expect(!(try await server.request(.get, "/profiles", headers: b.headers)).text.contains("stack"))

            #expect(try await post("\(location)/publish", a, [("_csrf", a.csrf)]).status == 303)
            let export = try await server.request(.get, "\(location)/export", headers: a.headers)
            #expect(export.status == 200 && export.headers["content-type"] == "application/yaml; charset=utf-8")
            #expect(export.headers["content-disposition"] == "attachment; filename=\"stack-1.0.0.yaml\"")
            #expect(export.text.contains("kind: ClusterProfile") && export.text.contains("chart: app"))
        }
    }
}
