import CharthouseAPI
import Crypto
import Foundation
import HTTPTypes
import TestSupport
import Testing

/// Cluster profiles over HTTP: drafts and published versions, layers resolved against a real
/// classic repository (nginx serving charts made by helm), protected registries never contacted.
@Suite("Cluster profiles")
struct ProfileTests {
    /// A classic repository of `web` 1.0.0, 1.1.0, 1.2.0, 2.0.0-rc.1, 2.0.0 and `worker` 0.3.0
    /// behind nginx, registered and synced in tenant A.
    struct Repository {
        let folder: URL
        let nginx: NginxServer
        let registryID: String
    }

    static func withRepository(_ body: @Sendable (TestServer, TwoTenants, Repository) async throws -> Void) async throws {
        let folder = try ChartFixtures.classicRepository([
            ("web", "1.0.0"), ("web", "1.1.0"), ("web", "1.2.0"), ("web", "2.0.0-rc.1"), ("web", "2.0.0"), ("worker", "0.3.0"),
        ])
        defer { try? FileManager.default.removeItem(at: folder) }
        let nginx = try await NginxServer(serving: folder)
        defer { nginx.stop() }
        try await TestServer.with { server in
            let cast = try await TwoTenants.make(on: server)
            let created = try await server.client(token: cast.adminA.token).createRegistry(
                body: .json(.init(name: "demo", endpoint: nginx.baseURL, noAuthentication: true))
            ).created.body.json
            let synced = try await CatalogSyncTests.waitForSync(server, token: cast.adminA.token, id: created.id)
            #expect(synced.syncState == .ok, "\(synced.lastError ?? "")")
            try await body(server, cast, Repository(folder: folder, nginx: nginx, registryID: created.id))
        }
    }

    /// The system registry `community`: the repository's nginx, added by the system
    /// administrator and synced; its id.
    static func systemRegistry(_ server: TestServer, _ cast: TwoTenants, _ repository: Repository) async throws -> String {
        let system = try await server.request(
            .post,
            "/api/v1/system/registries",
            token: cast.systemAdminToken,
            headers: jsonHeaders,
            body: json(["name": "community", "endpoint": repository.nginx.baseURL, "noAuthentication": true])
        )
        #expect(system.status == 201, "\(system.text)")
        let id = try #require(system.object?["id"] as? String)
        #expect(try await CatalogSyncTests.waitForSync(server, token: cast.adminA.token, id: id).syncState == .ok)
        return id
    }

    static func sha256(of file: URL) throws -> String {
        "sha256:" + SHA256.hash(data: try Data(contentsOf: file)).map { String(format: "%02x", $0) }.joined()
    }

    @Test("catalog layers: exact versions and ranges resolved, digests pinned, install order kept and changed")
    func catalogLayers() async throws {
        try await Self.withRepository { server, cast, repository in
            let client = server.client(token: cast.adminA.token)
            let profile = try await client.createProfile(body: .json(.init(name: "edge", version: "1.0.0", description: "edge stack")))
                .created.body.json
            #expect(profile.state == .draft)
            #expect(profile.layers.isEmpty)

            let exact = try await client.addProfileLayer(
                path: .init(id: profile.id),
                body: .json(.init(registryId: repository.registryID, chart: "web", version: "1.1.0", namespace: "web", values: "replicaCount: 2\n"))
            ).created.body.json
            let web = try #require(exact.layers.first)
            #expect(web.chart == "web" && web.version == "1.1.0" && web.releaseName == "web" && web.namespace == "web")
            #expect(web.source == .catalog)
            #expect(web.digest == (try Self.sha256(of: repository.folder.appendingPathComponent("web-1.1.0.tgz"))))
            #expect(web.pullReference == "\(repository.nginx.baseURL)/web-1.1.0.tgz")
            #expect(web.registryName == "demo" && web.registryKind == .classic && web.protected == false)
            #expect(web.values == "replicaCount: 2\n")

            // Ranges, as helm's --version takes them: the highest match, prereleases only when asked;
            // the real helm picks the same version from the same repository.
            let helm = try HelmCLI(major: 4)
            defer { helm.removeHome() }
            try helm.run(["repo", "add", "demo", repository.nginx.baseURL])
            let ranges: [(String, String)] = [
                ("^1.0", "1.2.0"), ("~1.1", "1.1.0"), (">=1.0 <2", "1.2.0"), ("", "2.0.0"), ("2.0.0-rc.1", "2.0.0-rc.1"), ("1.x", "1.2.0"),
            ]
            for (index, (range, expected)) in ranges.enumerated() {
                let added = try await client.addProfileLayer(
                    path: .init(id: profile.id),
                    body: .json(
                        .init(registryId: repository.registryID, chart: "web", version: range, releaseName: "web-\(index)", namespace: "ranges")
                    )
                ).created.body.json
                #expect(added.layers.last?.version == expected, "\(range) resolves to \(expected)")
                let shown = try helm.run(["show", "chart", "demo/web"] + (range.isEmpty ? [] : ["--version", range])).stdout
                #expect(shown.contains("\nversion: \(expected)\n"), "helm picks \(expected) for \(range): \(shown)")
                #expect(added.layers.last?.position == index + 1)
            }
            let worker = try await client.addProfileLayer(
                path: .init(id: profile.id),
                body: .json(.init(registryId: repository.registryID, chart: "worker", version: "0.3.0", namespace: "jobs"))
            ).created.body.json
            #expect(worker.layers.count == 8)

            // Reorder: worker first; the order is the install order.
            let ids = worker.layers.map(\.id)
            let reordered = try await client.orderProfileLayers(
                path: .init(id: profile.id),
                body: .json(.init(layerIds: [ids[7]] + ids[0..<7]))
            ).ok.body.json
            #expect(reordered.layers.map(\.chart).first == "worker")
            #expect(reordered.layers.map(\.position) == Array(0..<8))

            // A new version of a layer is resolved again; a removed layer closes the gap.
            let updated = try await client.updateProfileLayer(
                path: .init(id: profile.id, layerId: web.id),
                body: .json(.init(version: "^1.1", values: "replicaCount: 3\n"))
            ).ok.body.json
            let changed = try #require(updated.layers.first { $0.id == web.id })
            #expect(changed.version == "1.2.0" && changed.values == "replicaCount: 3\n")
            #expect(changed.digest == (try Self.sha256(of: repository.folder.appendingPathComponent("web-1.2.0.tgz"))))
            let removed = try await client.deleteProfileLayer(path: .init(id: profile.id, layerId: ids[3])).ok.body.json
            #expect(removed.layers.count == 7)
            #expect(removed.layers.map(\.position) == Array(0..<7))

            // Members read.
            let read = try await server.client(token: cast.memberA.token).getProfile(path: .init(id: profile.id)).ok.body.json
            #expect(read.layers.map(\.id) == removed.layers.map(\.id))
        }
    }

    @Test("layer rules: unknown charts and versions name the nearest ones; YAML errors give line and column; names checked")
    func layerRules() async throws {
        try await Self.withRepository { server, cast, repository in
            let profile = try await server.client(token: cast.adminA.token).createProfile(body: .json(.init(name: "rules", version: "0.1.0")))
                .created.body.json
            let path = "/api/v1/profiles/\(profile.id)/layers"
            func add(_ body: [String: Any]) async throws -> RawResponse {
                var layer: [String: Any] = ["registryId": repository.registryID, "chart": "web", "version": "1.0.0", "namespace": "apps"]
                layer.merge(body) { _, new in new }
                return try await server.request(.post, path, token: cast.adminA.token, headers: jsonHeaders, body: json(layer))
            }
            var response = try await add(["version": "1.3.0"])
            expectError(response, 422, "unprocessable")
            #expect(response.error?.message.contains("chart \"web\" has no version \"1.3.0\"") == true, "\(response.text)")
            #expect(response.error?.message.contains("1.2.0") == true)
            response = try await add(["version": "^3"])
            expectError(response, 422, "unprocessable")
            #expect(response.error?.message.contains("no version of chart \"web\" matches \"^3\"") == true, "\(response.text)")
            response = try await add(["chart": "wbe"])
            expectError(response, 422, "unprocessable")
            #expect(response.error?.message.contains("nearest charts: web") == true, "\(response.text)")
            response = try await add(["version": "not a version"])
            expectError(response, 400, "bad_request")
            response = try await add(["values": "a: 1\nb: [1, 2\nc: 3\n"])
            expectError(response, 422, "unprocessable")
            #expect(response.error?.message.contains("line 3, column") == true, "\(response.text)")
            response = try await add(["values": "- just\n- a list\n"])
            expectError(response, 422, "unprocessable")
            #expect(response.error?.message.contains("must be a YAML mapping") == true, "\(response.text)")
            response = try await add(["releaseName": "Web_App"])
            expectError(response, 400, "bad_request")
            #expect(response.error?.message.contains("releaseName") == true)
            response = try await add(["releaseName": String(repeating: "a", count: 54)])
            expectError(response, 400, "bad_request")
            response = try await add(["namespace": "kube.system"])
            expectError(response, 400, "bad_request")
            response = try await add(["registryId": "no-such-registry"])
            expectError(response, 422, "unprocessable")

            // Release + namespace is unique within a profile; the same release elsewhere is fine.
            #expect(try await add([:]).status == 201)
            expectError(try await add(["version": "1.1.0"]), 409, "conflict")
            #expect(try await add(["namespace": "other"]).status == 201)
            // Anchors, aliases and merge keys are YAML a values file may use.
            #expect(try await add(["releaseName": "anchored", "values": "base: &b {a: 1}\nextra:\n  <<: *b\n  c: 2\n"]).status == 201)
        }
    }

    @Test("published versions are immutable and kept; new versions copy the layers as a draft; listing groups versions")
    func versions() async throws {
        try await Self.withRepository { server, cast, repository in
            let client = server.client(token: cast.adminA.token)
            let first = try await client.createProfile(body: .json(.init(name: "core", version: "1.0.0"))).created.body.json
            _ = try await client.addProfileLayer(
                path: .init(id: first.id),
                body: .json(.init(registryId: repository.registryID, chart: "web", version: "1.0.0", namespace: "web"))
            ).created
            let published = try await client.updateProfile(path: .init(id: first.id), body: .json(.init(state: .published))).ok.body.json
            #expect(published.state == .published)
            #expect(published.publishedAt != nil)

            let base = "/api/v1/profiles/\(first.id)"
            let layerID = try #require(published.layers.first?.id)
            let attempts: [(HTTPRequest.Method, String, [String: Any]?)] = [
                (.patch, base, ["description": "changed"]),
                (.patch, base, ["state": "published"]),
                (.post, base + "/layers", ["registryId": repository.registryID, "chart": "worker", "version": "0.3.0", "namespace": "jobs"]),
                (.patch, base + "/layers/\(layerID)", ["values": "a: 1\n"]),
                (.delete, base + "/layers/\(layerID)", nil),
                (.put, base + "/layers/order", ["layerIds": [layerID]]),
                (.delete, base, nil),
            ]
            for (method, path, body) in attempts {
                let response = try await server.request(
                    method,
                    path,
                    token: cast.adminA.token,
                    headers: body == nil ? [] : jsonHeaders,
                    body: body.map(json)
                )
                expectError(response, 409, "conflict")
                #expect(response.error?.message.contains("published") == true, "\(method) \(path): \(response.text)")
            }

            let next = try await client.createProfileVersion(path: .init(id: first.id), body: .json(.init(version: "1.1.0"))).created.body.json
            #expect(next.state == .draft && next.version == "1.1.0" && next.name == "core")
            #expect(next.layers.map(\.chart) == ["web"] && next.layers.first?.id != layerID)
            expectError(
                try await server.request(.post, base + "/versions", token: cast.adminA.token, headers: jsonHeaders, body: json(["version": "1.1.0"])),
                409,
                "conflict"
            )
            expectError(
                try await server.request(.post, base + "/versions", token: cast.adminA.token, headers: jsonHeaders, body: json(["version": "1.1"])),
                400,
                "bad_request"
            )
            _ = try await client.createProfile(body: .json(.init(name: "addons", version: "0.1.0"))).created

            let all = try await client.listProfiles().ok.body.json.items
            #expect(all.map(\.name) == ["addons", "core"])
            #expect(all.last?.versions.map(\.version) == ["1.1.0", "1.0.0"])
            let core = try await client.listProfiles(query: .init(name: "core")).ok.body.json.items
            #expect(core.map(\.name) == ["core"])

            // Drafts can be deleted; the registry a profile uses cannot be removed.
            let removal = try await server.request(.delete, "/api/v1/registries/\(repository.registryID)", token: cast.adminA.token)
            expectError(removal, 409, "conflict")
            #expect(removal.error?.message.contains("core 1.0.0") == true, "\(removal.text)")
            _ = try await client.deleteProfile(path: .init(id: next.id)).noContent
            _ = try await client.getProfile(path: .init(id: next.id)).notFound
        }
    }

    @Test("protected registries: chart and version checked for form only, stored as typed, never contacted")
    func protectedLayers() async throws {
        let listener = try await SilentListener.start()
        try await TestServer.with { server in
            let cast = try await TwoTenants.make(on: server)
            let client = server.client(token: cast.adminA.token)
            let classic = try await client.createRegistry(
                body: .json(.init(name: "vault", endpoint: "https://127.0.0.1:\(listener.port)/charts", protected: true, noAuthentication: true))
            ).created.body.json
            let oci = try await client.createRegistry(
                body: .json(.init(name: "vault-oci", endpoint: "oci://127.0.0.1:\(listener.port)/team", protected: true, noAuthentication: true))
            ).created.body.json
            let profile = try await client.createProfile(body: .json(.init(name: "private", version: "1.0.0"))).created.body.json
            var view = try await client.addProfileLayer(
                path: .init(id: profile.id),
                body: .json(.init(registryId: classic.id, chart: "secret-app", version: "3.2.1+build.5", namespace: "secret"))
            ).created.body.json
            view = try await client.addProfileLayer(
                path: .init(id: profile.id),
                body: .json(.init(registryId: oci.id, chart: "agent", version: "0.9.0-beta.1", namespace: "secret"))
            ).created.body.json
            let manual = view.layers
            #expect(manual.map(\.source) == [.manual, .manual])
            #expect(manual.map(\.version) == ["3.2.1+build.5", "0.9.0-beta.1"])
            #expect(manual.allSatisfy { $0.digest == nil && $0.protected })
            #expect(manual[1].pullReference == "oci://127.0.0.1:\(listener.port)/team/agent:0.9.0-beta.1")

            let path = "/api/v1/profiles/\(profile.id)/layers"
            for (chart, version) in [
                ("secret-app", "^3.0"), ("secret-app", "3.2"), ("secret-app", "v3.2.1"), ("../etc", "1.0.0"), ("Agent", "1.0.0"),
            ] {
                let registry = chart == "Agent" ? oci.id : classic.id
                let body: [String: Any] = ["registryId": registry, "chart": chart, "version": version, "namespace": "x", "releaseName": "r"]
                let response = try await server.request(.post, path, token: cast.adminA.token, headers: jsonHeaders, body: json(body))
                expectError(response, 400, "bad_request")
            }
            try await Task.sleep(for: .milliseconds(300))
            #expect(listener.connections == 0, "a protected registry is never contacted")
        }
        await listener.stop()
    }

    @Test("tenants never see or touch each other's profiles; members read, admins write; another tenant's registry does not exist")
    func isolation() async throws {
        try await Self.withRepository { server, cast, repository in
            let profile = try await server.client(token: cast.adminA.token).createProfile(body: .json(.init(name: "secret", version: "1.0.0")))
                .created.body.json
            let layered = try await server.client(token: cast.adminA.token).addProfileLayer(
                path: .init(id: profile.id),
                body: .json(.init(registryId: repository.registryID, chart: "web", version: "1.0.0", namespace: "web"))
            ).created.body.json
            let layerID = try #require(layered.layers.first?.id)
            let base = "/api/v1/profiles/\(profile.id)"
            let reads: [(HTTPRequest.Method, String, [String: Any]?)] = [
                (.get, base, nil), (.get, base + "/resolved", nil), (.get, base + "/export", nil), (.get, base + "/diff/\(profile.id)", nil),
            ]
            let writes: [(HTTPRequest.Method, String, [String: Any]?)] = [
                (.patch, base, ["description": "mine"]),
                (.delete, base, nil),
                (.post, base + "/versions", ["version": "2.0.0"]),
                (.post, base + "/layers", ["registryId": repository.registryID, "chart": "web", "version": "1.0.0", "namespace": "b"]),
                (.patch, base + "/layers/\(layerID)", ["values": "a: 1\n"]),
                (.delete, base + "/layers/\(layerID)", nil),
                (.put, base + "/layers/order", ["layerIds": [layerID]]),
            ]
            let routes = reads + writes
            for token in [cast.adminB.token, cast.memberB.token] {
                for (method, path, body) in routes {
                    let response = try await server.request(
                        method,
                        path,
                        token: token,
                        headers: body == nil ? [] : jsonHeaders,
                        body: body.map(json)
                    )
                    let status = token == cast.memberB.token && method != .get ? [403, 404] : [404]
                    #expect(status.contains(response.status), "\(method) \(path) as tenant B: \(response.text)")
                }
            }
            #expect(try await server.client(token: cast.adminB.token).listProfiles().ok.body.json.items.isEmpty)

            // Tenant B cannot put tenant A's registry in its own profile: it does not exist for B.
            let own = try await server.client(token: cast.adminB.token).createProfile(body: .json(.init(name: "mine", version: "1.0.0")))
                .created.body.json
            let borrowed = try await server.request(
                .post,
                "/api/v1/profiles/\(own.id)/layers",
                token: cast.adminB.token,
                headers: jsonHeaders,
                body: json(["registryId": repository.registryID, "chart": "web", "version": "1.0.0", "namespace": "web"])
            )
            expectError(borrowed, 422, "unprocessable")
            #expect(borrowed.error?.message == "registry \"\(repository.registryID)\" not found")

            // Members read but never write; the system administrator has no profiles.
            for (method, path, body) in writes {
                let response = try await server.request(
                    method,
                    path,
                    token: cast.memberA.token,
                    headers: body == nil ? [] : jsonHeaders,
                    body: body.map(json)
                )
                expectError(response, 403, "forbidden")
            }
            expectError(try await server.request(.get, "/api/v1/profiles", token: cast.systemAdminToken), 403, "forbidden")
            #expect(try await server.client(token: cast.adminA.token).getProfile(path: .init(id: profile.id)).ok.body.json.layers.count == 1)
        }
    }

    @Test("upstream changes mark pinned layers stale (removed, digest changed), in published profiles too; stale drafts cannot be published")
    func staleLayers() async throws {
        try await Self.withRepository { server, cast, repository in
            let client = server.client(token: cast.adminA.token)
            let released = try await client.createProfile(body: .json(.init(name: "pinned", version: "1.0.0"))).created.body.json
            for (chart, version, namespace) in [("web", "1.1.0", "web"), ("worker", "0.3.0", "jobs")] {
                _ = try await client.addProfileLayer(
                    path: .init(id: released.id),
                    body: .json(.init(registryId: repository.registryID, chart: chart, version: version, namespace: namespace))
                ).created
            }
            _ = try await client.updateProfile(path: .init(id: released.id), body: .json(.init(state: .published))).ok
            let draft = try await client.createProfileVersion(path: .init(id: released.id), body: .json(.init(version: "1.1.0"))).created.body.json
            let pinned = try #require(draft.layers.first { $0.chart == "web" }?.digest)

            // Upstream re-publishes web 1.1.0 with other content and drops worker 0.3.0.
            let helm = try HelmCLI(major: 4)
            defer { helm.removeHome() }
            let work = try ScratchDirectory.make("charthouse-republish")
            defer { try? FileManager.default.removeItem(at: work) }
            let archive = try helm.packageChart(name: "web", version: "1.1.0", in: work, files: ["README.md": "# changed upstream\n"])
            let target = repository.folder.appendingPathComponent("web-1.1.0.tgz")
            try FileManager.default.removeItem(at: target)
            try FileManager.default.moveItem(at: archive, to: target)
            try FileManager.default.removeItem(at: repository.folder.appendingPathComponent("worker-0.3.0.tgz"))
            try FileManager.default.removeItem(at: repository.folder.appendingPathComponent("index.yaml"))
            try helm.run(["repo", "index", repository.folder.path])
            let synced = try await CatalogSyncTests.syncNow(server, token: cast.adminA.token, id: repository.registryID, force: true)
            #expect(synced.syncState == .ok, "\(synced.lastError ?? "")")

            for id in [released.id, draft.id] {
                let layers = try await client.getProfile(path: .init(id: id)).ok.body.json.layers
                let web = try #require(layers.first { $0.chart == "web" })
                let worker = try #require(layers.first { $0.chart == "worker" })
                #expect(web.stale?.reason == "digest changed upstream", "\(id): \(String(describing: web.stale))")
                #expect(worker.stale?.reason == "removed upstream")
                #expect(web.digest == pinned, "the layer keeps what it pinned")
            }
            let refused = try await server.request(
                .patch,
                "/api/v1/profiles/\(draft.id)",
                token: cast.adminA.token,
                headers: jsonHeaders,
                body: json(["state": "published"])
            )
            expectError(refused, 409, "conflict")
            #expect(refused.error?.message.contains("stale") == true, "\(refused.text)")

            // New values against changed content are refused until the version is set again.
            let webLayer = try #require(draft.layers.first { $0.chart == "web" })
            expectError(
                try await server.request(
                    .patch,
                    "/api/v1/profiles/\(draft.id)/layers/\(webLayer.id)",
                    token: cast.adminA.token,
                    headers: jsonHeaders,
                    body: json(["values": "a: 1\n"])
                ),
                409,
                "conflict"
            )
            // Re-pinning clears the mark; removing the other stale layer lets the draft publish.
            let repinned = try await client.updateProfileLayer(path: .init(id: draft.id, layerId: webLayer.id), body: .json(.init(version: "1.1.0")))
                .ok.body.json
            let web = try #require(repinned.layers.first { $0.chart == "web" })
            #expect(web.stale == nil && web.digest != pinned)
            #expect(web.digest == (try Self.sha256(of: target)))
            let workerLayer = try #require(repinned.layers.first { $0.chart == "worker" })
            _ = try await client.deleteProfileLayer(path: .init(id: draft.id, layerId: workerLayer.id)).ok
            #expect(try await client.updateProfile(path: .init(id: draft.id), body: .json(.init(state: .published))).ok.body.json.state == .published)
        }
    }
}
