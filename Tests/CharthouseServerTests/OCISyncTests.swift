import CharthouseAPI
import Crypto
import Foundation
import HTTPTypes
import TestSupport
import Testing

/// Syncing OCI registries (real CNCF distribution, charts pushed by helm 3 and helm 4).
@Suite("Catalog sync of OCI registries")
struct OCISyncTests {
    /// Pushes a container image (not a Helm chart) with skopeo from a hand-made OCI layout.
    static func pushNonHelmArtifact(to registry: DistributionRegistry, repository: String, tag: String) throws {
        let layout = try ScratchDirectory.make("charthouse-oci-layout")
        defer { try? FileManager.default.removeItem(at: layout) }
        let blobs = layout.appendingPathComponent("blobs/sha256")
        try FileManager.default.createDirectory(at: blobs, withIntermediateDirectories: true)
        func blob(_ data: Data) throws -> (digest: String, size: Int) {
            let hex = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
            try data.write(to: blobs.appendingPathComponent(hex))
            return ("sha256:\(hex)", data.count)
        }
        let config = try blob(Data(#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#.utf8))
        let layer = try blob(Data("not a chart".utf8))
        let manifest = try blob(
            Data(
                """
                {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
                 "config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"\(config.digest)","size":\(config.size)},
                 "layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"\(layer.digest)","size":\(layer.size)}]}
                """.utf8
            )
        )
        try #"{"imageLayoutVersion":"1.0.0"}"#.write(to: layout.appendingPathComponent("oci-layout"), atomically: true, encoding: .utf8)
        try """
        {"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"\(manifest.digest)","size":\(manifest.size),
         "annotations":{"org.opencontainers.image.ref.name":"\(tag)"}}]}
        """.write(to: layout.appendingPathComponent("index.json"), atomically: true, encoding: .utf8)
        try Shell.run([
            try Shell.require("skopeo"), "copy", "--dest-tls-verify=false", "oci:\(layout.path):\(tag)",
            "docker://\(registry.host)/\(repository):\(tag)",
        ])
    }

    @Test("charts pushed by helm 3 and 4 sync; a new tag adds one version; a non-Helm artifact fails the sync and keeps the catalog")
    func ociSync() async throws {
        let registry = try await DistributionRegistry()
        defer { registry.stop() }
        try await ChartFixtures.push(name: "from-helm3", version: "1.0.0", to: registry, path: "charts", helmMajor: 3)
        try await ChartFixtures.push(name: "from-helm4", version: "2.0.0+build.7", to: registry, path: "charts", helmMajor: 4)
        try await ChartFixtures.push(name: "from-helm4", version: "2.1.0-rc.1", to: registry, path: "charts", helmMajor: 4)
        try await ChartFixtures.push(name: "elsewhere", version: "0.1.0", to: registry, path: "other", helmMajor: 4)
        try await TestServer.with { server in
            let token = try await TwoTenants.make(on: server).adminA.token
            let client = server.client(token: token)
            let created = try await client.createRegistry(
                body: .json(.init(name: "oci", endpoint: "oci://\(registry.host)/charts", noAuthentication: true, plainHTTP: true))
            ).created.body.json
            let synced = try await CatalogSyncTests.waitForSync(server, token: token, id: created.id)
            #expect(synced.syncState == .ok, "\(synced.lastError ?? "")")
            #expect(synced.versions == 3)
            let charts = try await client.listRegistryCharts(path: .init(id: created.id)).ok.body.json.items
            #expect(charts.map(\.name) == ["from-helm3", "from-helm4"])
            let versions = try await client.listChartVersions(path: .init(id: created.id, chart: "from-helm4")).ok.body.json.items
            #expect(versions.map(\.version) == ["2.1.0-rc.1", "2.0.0+build.7"])
            let detail = try await client.getChartVersion(path: .init(id: created.id, chart: "from-helm3", version: "1.0.0")).ok.body.json
            #expect(detail.url == "oci://\(registry.host)/charts/from-helm3")
            #expect(detail.digest.hasPrefix("sha256:"))
            #expect(detail.description == "A Helm chart for Kubernetes")

            try await ChartFixtures.push(name: "from-helm3", version: "1.1.0", to: registry, path: "charts", helmMajor: 3)
            let grown = try await CatalogSyncTests.syncNow(server, token: token, id: created.id)
            #expect(grown.lastDiff?.added == 1)
            #expect(grown.versions == 4)

            try Self.pushNonHelmArtifact(to: registry, repository: "charts/an-image", tag: "1.0.0")
            let refused = try await CatalogSyncTests.syncNow(server, token: token, id: created.id)
            #expect(refused.syncState == .failed)
            #expect(refused.lastError?.contains("is not a Helm chart") == true, "\(refused.lastError ?? "")")
            #expect(refused.versions == 4)
        }
    }

    @Test("OCI registry behind htpasswd syncs with its stored credentials")
    func ociWithCredentials() async throws {
        let credentials = Credentials(username: "pusher", password: "pusher-pw-123")
        let registry = try await DistributionRegistry(credentials: credentials)
        defer { registry.stop() }
        try await ChartFixtures.push(name: "private-app", version: "0.3.0", to: registry, path: "team", helmMajor: 4)
        try await TestServer.with { server in
            let token = try await TwoTenants.make(on: server).adminA.token
            let created = try await server.client(token: token).createRegistry(
                body: .json(
                    .init(
                        name: "team",
                        endpoint: "oci://\(registry.host)/team",
                        username: credentials.username,
                        password: credentials.password,
                        plainHTTP: true
                    )
                )
            ).created.body.json
            let synced = try await CatalogSyncTests.waitForSync(server, token: token, id: created.id)
            #expect(synced.syncState == .ok, "\(synced.lastError ?? "")")
            #expect(synced.versions == 1)
        }
    }

    @Test("tags beyond one page (n=100) are all listed through Link pagination; a tag naming another version is skipped")
    func ociPagination() async throws {
        let registry = try await DistributionRegistry()
        defer { registry.stop() }
        let uploader = OCIUploader(baseURL: registry.baseURL)
        let versions = (0..<130).map { "1.\($0).0" } + ["2.0.0+build.1"]
        try await uploader.pushChartVersions(chart: "many", versions: versions, repository: "paged/many")
        // A tag whose chart says another version: helm would refuse to pull it.
        try await uploader.pushChartVersions(chart: "liar", versions: ["1.0.0"], repository: "paged/liar")
        try await uploader.pushChartVersions(chart: "liar", versions: ["1.1.0"], repository: "paged/liar", configVersion: "9.9.9")
        // Sorts before "many" by name; search must still rank the exact name first.
        try await uploader.pushChartVersions(chart: "big-many", versions: ["0.1.0"], repository: "paged/big-many")
        try await TestServer.with { server in
            let token = try await TwoTenants.make(on: server).adminA.token
            let client = server.client(token: token)
            let created = try await client.createRegistry(
                body: .json(.init(name: "paged", endpoint: "oci://\(registry.host)/paged", noAuthentication: true, plainHTTP: true))
            ).created.body.json
            let synced = try await CatalogSyncTests.waitForSync(server, token: token, id: created.id)
            #expect(synced.syncState == .ok, "\(synced.lastError ?? "")")
            #expect(synced.versions == 133)
            #expect(synced.lastDiff?.skipped == 1)
            let listed = try await client.listChartVersions(path: .init(id: created.id, chart: "many")).ok.body.json.items
            #expect(listed.count == 131)
            #expect(listed.first?.version == "2.0.0+build.1")
            #expect(Set(listed.map(\.version)) == Set(versions))
            let liar = try await client.listChartVersions(path: .init(id: created.id, chart: "liar")).ok.body.json.items
            #expect(liar.map(\.version) == ["1.0.0"])
            let ranked = try await client.searchCharts(query: .init(q: "many")).ok.body.json.items
            #expect(ranked.map(\.chart.name) == ["many", "big-many"])
        }
    }

    @Test("a registry that refuses its catalog syncs the repositories named in the registry; unknown or invalid names are refused")
    func ociNamedRepositories() async throws {
        let credentials = Credentials(username: "robot", password: "robot-pw-123")
        let tokenServer = try await TokenAuthServer(credentials: credentials, grantsCatalog: false)
        let registry = try await DistributionRegistry(tokenServer: tokenServer)
        try await ChartFixtures.push(name: "web", version: "1.0.0", to: registry, path: "apps", helmMajor: 4, login: credentials)
        try await ChartFixtures.push(name: "db", version: "2.0.0", to: registry, path: "apps", helmMajor: 3, login: credentials)
        try await TestServer.with { server in
            let token = try await TwoTenants.make(on: server).adminA.token
            let client = server.client(token: token)
            var body: [String: Any] = [
                "name": "named", "endpoint": "oci://\(registry.host)/apps", "username": credentials.username, "password": credentials.password,
                "plainHTTP": true,
            ]
            // Without names the sync says what to do.
            let created = try await RegistryValidationTests.create(server, token: token, body)
            #expect(created.status == 201, "\(created.text)")
            let id = try #require(created.object?["id"] as? String)
            let blind = try await CatalogSyncTests.waitForSync(server, token: token, id: id)
            #expect(blind.syncState == .failed)
            #expect(blind.lastError?.contains("repositories") == true, "\(blind.lastError ?? "")")

            // Names are checked live: a repository that does not exist is refused, nothing changes.
            let missing = try await server.request(
                .patch,
                "/api/v1/registries/\(id)",
                token: token,
                headers: jsonHeaders,
                body: json(["repositories": ["web", "nope"]])
            )
            expectError(missing, 422, "unprocessable")
            #expect(missing.error?.message.contains("apps/nope does not exist") == true, "\(missing.text)")
            let invalid = try await server.request(
                .patch,
                "/api/v1/registries/\(id)",
                token: token,
                headers: jsonHeaders,
                body: json(["repositories": ["Web App"]])
            )
            expectError(invalid, 400, "bad_request")
            #expect(try await client.getRegistry(path: .init(id: id)).ok.body.json.repositories == nil)

            let named = try await client.updateRegistry(path: .init(id: id), body: .json(.init(repositories: ["web", "db", "web"]))).ok.body.json
            #expect(named.repositories == ["web", "db"])
            let synced = try await CatalogSyncTests.syncNow(server, token: token, id: id)
            #expect(synced.syncState == .ok, "\(synced.lastError ?? "")")
            #expect(synced.versions == 2)
            let charts = try await client.listRegistryCharts(path: .init(id: id)).ok.body.json.items
            #expect(charts.map(\.name) == ["db", "web"])

            // Names on a classic registry make no sense.
            body = ["name": "classic", "endpoint": "https://charts.example.com", "noAuthentication": true, "protected": true, "repositories": ["x"]]
            let classic = try await RegistryValidationTests.create(server, token: token, body)
            expectError(classic, 400, "bad_request")
        }
        registry.stop()
        await tokenServer.stop()
    }
}
