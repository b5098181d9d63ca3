import CharthouseAPI
import Foundation
import HTTPTypes
import TestSupport
import Testing

/// Unprotected registries are checked live against real peers: nginx serving a classic repository
/// made by helm, and CNCF distribution (open, htpasswd, token auth) holding charts pushed by helm.
@Suite("Registries: live validation against real registries")
struct RegistryValidationTests {
    static func create(_ server: TestServer, token: String, _ body: [String: Any]) async throws -> RawResponse {
        try await server.request(.post, "/api/v1/registries", token: token, headers: jsonHeaders, body: json(body))
    }

    @Test("classic repositories on nginx: open, basic auth, and answers that are not Helm repositories")
    func classicOverHTTP() async throws {
        let folder = try ChartFixtures.classicRepository([("nginx-ingress", "1.0.0"), ("nginx-ingress", "1.1.0"), ("redis", "2.0.0")])
        defer { try? FileManager.default.removeItem(at: folder) }
        let credentials = Credentials(username: "reader", password: "reader-pw-123")
        let open = try await NginxServer(serving: folder)
        defer { open.stop() }
        let secured = try await NginxServer(serving: folder, credentials: credentials)
        defer { secured.stop() }
        let empty = try ScratchDirectory.make("charthouse-empty")
        defer { try? FileManager.default.removeItem(at: empty) }
        try "kind: ConfigMap\nmetadata: {}\n".write(to: empty.appendingPathComponent("index.yaml"), atomically: true, encoding: .utf8)
        let notHelm = try await NginxServer(serving: empty)
        defer { notHelm.stop() }

        try await TestServer.with { server in
            let token = try await TwoTenants.make(on: server).adminA.token
            let created = try await Self.create(server, token: token, ["name": "open", "endpoint": open.baseURL, "noAuthentication": true])
            #expect(created.status == 201, "\(created.text)")
            #expect(created.text.contains("\"kind\":\"classic\"") || created.text.contains("\"kind\" : \"classic\""))

            let anonymous = try await Self.create(server, token: token, ["name": "secured", "endpoint": secured.baseURL, "noAuthentication": true])
            expectError(anonymous, 422, "unprocessable")
            #expect(anonymous.error?.message.contains("401 Unauthorized from \(secured.baseURL)/index.yaml") == true, "\(anonymous.text)")
            let wrong = try await Self.create(
                server,
                token: token,
                ["name": "secured", "endpoint": secured.baseURL, "username": "reader", "password": "wrong-password"]
            )
            expectError(wrong, 422, "unprocessable")
            #expect(wrong.error?.message.contains("401") == true)
            let right = try await Self.create(
                server,
                token: token,
                ["name": "secured", "endpoint": secured.baseURL, "username": credentials.username, "password": credentials.password]
            )
            #expect(right.status == 201, "\(right.text)")
            #expect(!right.text.contains(credentials.password))

            let missing = try await Self.create(
                server,
                token: token,
                ["name": "missing", "endpoint": open.baseURL + "/nothing", "noAuthentication": true]
            )
            expectError(missing, 422, "unprocessable")
            #expect(missing.error?.message.contains("404 Not Found") == true, "\(missing.text)")
            let wrongKind = try await Self.create(server, token: token, ["name": "nothelm", "endpoint": notHelm.baseURL, "noAuthentication": true])
            expectError(wrongKind, 422, "unprocessable")
            #expect(wrongKind.error?.message.contains("not a Helm repository") == true, "\(wrongKind.text)")

            let names = try await server.client(token: token).listRegistries().ok.body.json.items.added.map(\.name)
            #expect(names == ["open", "secured"])
        }
    }

    @Test("classic repository over TLS with a self-signed certificate: refused, trusted by CA, or skipped verification")
    func classicOverTLS() async throws {
        let folder = try ChartFixtures.classicRepository([("hello", "0.1.0")])
        defer { try? FileManager.default.removeItem(at: folder) }
        let tls = try await NginxServer(serving: folder, useTLS: true)
        defer { tls.stop() }
        let pem = try #require(tls.tls).pem
        try await TestServer.with { server in
            let token = try await TwoTenants.make(on: server).adminA.token
            let untrusted = try await Self.create(server, token: token, ["name": "tls", "endpoint": tls.baseURL, "noAuthentication": true])
            expectError(untrusted, 422, "unprocessable")
            #expect(untrusted.error?.message.contains("TLS") == true, "\(untrusted.text)")
            let trusted = try await Self.create(
                server,
                token: token,
                ["name": "tls", "endpoint": tls.baseURL, "noAuthentication": true, "caCertificate": pem]
            )
            #expect(trusted.status == 201, "\(trusted.text)")
            let skipped = try await Self.create(
                server,
                token: token,
                ["name": "tls-skip", "endpoint": tls.baseURL, "noAuthentication": true, "insecureSkipTLSVerify": true]
            )
            #expect(skipped.status == 201, "\(skipped.text)")
        }
    }

    @Test("refused connections and silent hosts fail in seconds with a clear message")
    func unreachable() async throws {
        let silent = try await SilentListener.start()
        let refusing = try RefusingPort()
        let closedPort = refusing.port
        try await TestServer.with(.init(registryTimeout: 2)) { server in
            let token = try await TwoTenants.make(on: server).adminA.token
            let refused = try await Self.create(
                server,
                token: token,
                ["name": "refused", "endpoint": "http://127.0.0.1:\(closedPort)", "noAuthentication": true]
            )
            expectError(refused, 422, "unprocessable")
            #expect(refused.error?.message.contains("connection refused") == true, "\(refused.text)")
            let started = ContinuousClock.now
            let hanging = try await Self.create(
                server,
                token: token,
                ["name": "hanging", "endpoint": "http://127.0.0.1:\(silent.port)", "noAuthentication": true]
            )
            expectError(hanging, 422, "unprocessable")
            #expect(hanging.error?.message.contains("no answer") == true, "\(hanging.text)")
            #expect(ContinuousClock.now - started < .seconds(10))
        }
        await silent.stop()
        _ = refusing
    }

    @Test("OCI registry without auth, holding charts pushed by helm 3 and helm 4")
    func ociOpen() async throws {
        let registry = try await DistributionRegistry()
        defer { registry.stop() }
        try await ChartFixtures.push(name: "from-helm3", version: "1.0.0", to: registry, path: "charts", helmMajor: 3)
        try await ChartFixtures.push(name: "from-helm4", version: "2.0.0", to: registry, path: "charts", helmMajor: 4)
        try await TestServer.with { server in
            let token = try await TwoTenants.make(on: server).adminA.token
            let created = try await Self.create(
                server,
                token: token,
                ["name": "oci-open", "endpoint": "oci://\(registry.host)/charts", "noAuthentication": true, "plainHTTP": true]
            )
            #expect(created.status == 201, "\(created.text)")
            let view = try await server.client(token: token).listRegistries().ok.body.json.items.added
            #expect(view.first?.kind == .oci)
            #expect(view.first?.endpoint == "oci://\(registry.host)/charts")
            let tlsToPlain = try await Self.create(
                server,
                token: token,
                ["name": "oci-tls", "endpoint": "oci://\(registry.host)/charts", "noAuthentication": true]
            )
            expectError(tlsToPlain, 422, "unprocessable")
        }
    }

    @Test("OCI registry over TLS with a self-signed certificate: refused, or trusted through its CA")
    func ociOverTLS() async throws {
        let registry = try await DistributionRegistry(useTLS: true)
        defer { registry.stop() }
        let pem = try #require(registry.tls).pem
        try await TestServer.with { server in
            let token = try await TwoTenants.make(on: server).adminA.token
            let endpoint = "oci://\(registry.host)/charts"
            let untrusted = try await Self.create(server, token: token, ["name": "oci-tls", "endpoint": endpoint, "noAuthentication": true])
            expectError(untrusted, 422, "unprocessable")
            #expect(untrusted.error?.message.contains("TLS") == true, "\(untrusted.text)")
            let trusted = try await Self.create(
                server,
                token: token,
                ["name": "oci-tls", "endpoint": endpoint, "noAuthentication": true, "caCertificate": pem]
            )
            #expect(trusted.status == 201, "\(trusted.text)")
        }
    }

    @Test("OCI registry with htpasswd Basic auth: no, wrong and right credentials")
    func ociBasic() async throws {
        let credentials = Credentials(username: "pusher", password: "pusher-pw-123")
        let registry = try await DistributionRegistry(credentials: credentials)
        defer { registry.stop() }
        try await ChartFixtures.push(name: "private-app", version: "0.3.0", to: registry, path: "team", helmMajor: 4)
        try await TestServer.with { server in
            let token = try await TwoTenants.make(on: server).adminA.token
            let endpoint = "oci://\(registry.host)/team"
            let anonymous = try await Self.create(
                server,
                token: token,
                ["name": "oci", "endpoint": endpoint, "noAuthentication": true, "plainHTTP": true]
            )
            expectError(anonymous, 422, "unprocessable")
            #expect(anonymous.error?.message.contains("requires credentials") == true, "\(anonymous.text)")
            let wrong = try await Self.create(
                server,
                token: token,
                ["name": "oci", "endpoint": endpoint, "username": "pusher", "password": "nope-nope", "plainHTTP": true]
            )
            expectError(wrong, 422, "unprocessable")
            #expect(wrong.error?.message.contains("401 Unauthorized") == true, "\(wrong.text)")
            let right = try await Self.create(
                server,
                token: token,
                ["name": "oci", "endpoint": endpoint, "username": credentials.username, "password": credentials.password, "plainHTTP": true]
            )
            #expect(right.status == 201, "\(right.text)")
        }
    }

    @Test("OCI registry with token auth: the challenge, token exchange and retry run against real distribution")
    func ociBearer() async throws {
        let credentials = Credentials(username: "robot", password: "robot-pw-123")
        let tokenServer = try await TokenAuthServer(credentials: credentials)
        let registry = try await DistributionRegistry(tokenServer: tokenServer)
        try await TestServer.with { server in
            let token = try await TwoTenants.make(on: server).adminA.token
            let endpoint = "oci://\(registry.host)/apps"
            let wrong = try await Self.create(
                server,
                token: token,
                ["name": "bearer", "endpoint": endpoint, "username": "robot", "password": "wrong-pw", "plainHTTP": true]
            )
            expectError(wrong, 422, "unprocessable")
            #expect(wrong.error?.message.contains("token request refused") == true, "\(wrong.text)")
            let anonymous = try await Self.create(
                server,
                token: token,
                ["name": "bearer", "endpoint": endpoint, "noAuthentication": true, "plainHTTP": true]
            )
            expectError(anonymous, 422, "unprocessable")
            #expect(anonymous.error?.message.contains("no read access") == true, "\(anonymous.text)")
            let before = tokenServer.requestCount
            let right = try await Self.create(
                server,
                token: token,
                ["name": "bearer", "endpoint": endpoint, "username": credentials.username, "password": credentials.password, "plainHTTP": true]
            )
            #expect(right.status == 201, "\(right.text)")
            #expect(tokenServer.requestCount > before)
        }
        registry.stop()
        await tokenServer.stop()
    }

    @Test("updates re-validate changed credentials and keep the registry as it was when they fail")
    func updates() async throws {
        let folder = try ChartFixtures.classicRepository([("hello", "0.1.0")])
        defer { try? FileManager.default.removeItem(at: folder) }
        let credentials = Credentials(username: "reader", password: "reader-pw-123")
        let secured = try await NginxServer(serving: folder, credentials: credentials)
        defer { secured.stop() }
        try await TestServer.with { server in
            let token = try await TwoTenants.make(on: server).adminA.token
            let client = server.client(token: token)
            let created = try await client.createRegistry(
                body: .json(.init(name: "secured", endpoint: secured.baseURL, username: credentials.username, password: credentials.password))
            ).created.body.json

            let badPassword = try await server.request(
                .patch,
                "/api/v1/registries/\(created.id)",
                token: token,
                headers: jsonHeaders,
                body: json(["password": "changed-wrong"])
            )
            expectError(badPassword, 422, "unprocessable")
            let unchanged = try await client.getRegistry(path: .init(id: created.id)).ok.body.json
            #expect(unchanged.updatedAt == created.updatedAt)
            #expect(unchanged.endpoint == created.endpoint && unchanged.username == created.username && unchanged.hasCredentials == true)

            // A change that does not touch the connection is not re-validated, and the stored password still works.
            let interval = try await client.updateRegistry(path: .init(id: created.id), body: .json(.init(syncIntervalSeconds: 900))).ok.body.json
            #expect(interval.syncIntervalSeconds == 900)
            let renamed = try await client.updateRegistry(
                path: .init(id: created.id),
                body: .json(.init(name: "renamed", endpoint: secured.baseURL + "/"))
            )
            .ok.body.json
            #expect(renamed.name == "renamed")
            #expect(renamed.hasCredentials == true)

            let toAnonymous = try await server.request(
                .patch,
                "/api/v1/registries/\(created.id)",
                token: token,
                headers: jsonHeaders,
                body: json(["noAuthentication": true, "username": ""])
            )
            expectError(toAnonymous, 422, "unprocessable")
            let protected = try await client.updateRegistry(
                path: .init(id: created.id),
                body: .json(.init(protected: true, noAuthentication: true, username: ""))
            )
            .ok.body.json
            #expect(protected.syncState == .protected)
            #expect(protected.hasCredentials == false)
            let unprotect = try await server.request(
                .patch,
                "/api/v1/registries/\(created.id)",
                token: token,
                headers: jsonHeaders,
                body: json(["protected": false])
            )
            expectError(unprotect, 422, "unprocessable")
        }
    }

    @Test("registry passwords are sealed at rest, never returned and never logged")
    func passwordsAtRest() async throws {
        let credentials = Credentials(username: "pusher", password: "very-secret-registry-pw")
        let registry = try await DistributionRegistry(credentials: credentials)
        defer { registry.stop() }
        try await TestServer.with { server in
            let cast = try await TwoTenants.make(on: server)
            let body: [String: Any] = [
                "name": "oci", "endpoint": "oci://\(registry.host)", "username": credentials.username, "password": credentials.password,
                "plainHTTP": true,
            ]
            let created = try await Self.create(server, token: cast.adminA.token, body)
            #expect(created.status == 201, "\(created.text)")
            let protectedBody: [String: Any] = [
                "name": "prot", "endpoint": "https://x.internal", "protected": true, "username": "u", "password": "protected-secret-pw",
            ]
            #expect(try await Self.create(server, token: cast.adminA.token, protectedBody).status == 201)
            for path in ["/api/v1/registries"] {
                let listed = try await server.request(.get, path, token: cast.memberA.token)
                #expect(!listed.text.contains(credentials.password) && !listed.text.contains("protected-secret-pw"))
                #expect(!listed.text.contains("v1."), "sealed value returned")
            }
            let stored = try await SecretsAtRestTests.rawDatabase(of: server)
            #expect(stored.range(of: Data("pusher".utf8)) != nil)
            #expect(stored.range(of: Data(credentials.password.utf8)) == nil)
            #expect(stored.range(of: Data("protected-secret-pw".utf8)) == nil)
            #expect(!server.logs.text.contains(credentials.password))
            #expect(!server.logs.text.contains("protected-secret-pw"))
        }
    }
}
