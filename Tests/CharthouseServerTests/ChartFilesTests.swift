import CharthouseAPI
import Crypto
import Foundation
import HTTPTypes
import OpenAPIRuntime
import TestSupport
import Testing

/// A chart version's values, README and schema, read from its archive on first request:
/// against nginx and CNCF distribution serving charts made by the real helm, compared with what
/// `helm show` prints; broken archives, digest mismatches and other tenants refused.
@Suite("Chart values, README and schema")
struct ChartFilesTests {
    static let readme = "# web\n\nDeploys the web tier. Ünïcode survives.\n"
    static let schema = #"{"$schema":"https://json-schema.org/draft-07/schema#","type":"object","properties":{"replicaCount":{"type":"integer"}}}"#

    func path(_ id: String, _ chart: String, _ version: String, _ file: String) -> String {
        "/api/v1/registries/\(id)/charts/\(chart)/versions/\(version)/\(file)"
    }

    /// Sorted, compact JSON, to compare documents and not their formatting.
    static func canonical(_ data: Data) throws -> String {
        let object = try JSONSerialization.jsonObject(with: data)
        return String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }

    @Test("classic repository with basic auth: files equal helm show's, fetched once, cached by digest, hidden from other tenants")
    func classicRepository() async throws {
        let helm = try HelmCLI(major: 4)
        defer { helm.removeHome() }
        let folder = try ScratchDirectory.make("charthouse-files")
        defer { try? FileManager.default.removeItem(at: folder) }
        let work = try ScratchDirectory.make("charthouse-files-work")
        defer { try? FileManager.default.removeItem(at: work) }
        for (name, version, files) in [
            ("web", "1.0.0", ["README.md": Self.readme, "values.schema.json": Self.schema]),
            ("web", "1.1.0", ["README.md": Self.readme]),
            ("plain", "0.1.0", [:]),
        ] {
            let archive = try helm.packageChart(name: name, version: version, in: work, files: files)
            try FileManager.default.moveItem(at: archive, to: folder.appendingPathComponent(archive.lastPathComponent))
            try FileManager.default.removeItem(at: work.appendingPathComponent(name))
        }
        try helm.run(["repo", "index", folder.path])
        let credentials = Credentials(username: "charts", password: "s3cret-\(UUID().uuidString.prefix(8))")
        let nginx = try await NginxServer(serving: folder, credentials: credentials)
        defer { nginx.stop() }
        try helm.run(["repo", "add", "demo", nginx.baseURL, "--username", credentials.username, "--password-stdin"], stdin: credentials.password)

        try await TestServer.with { server in
            let cast = try await TwoTenants.make(on: server)
            let created = try await server.client(token: cast.adminA.token).createRegistry(
                body: .json(.init(name: "demo", endpoint: nginx.baseURL, username: credentials.username, password: credentials.password))
            ).created.body.json
            let synced = try await CatalogSyncTests.waitForSync(server, token: cast.adminA.token, id: created.id)
            #expect(synced.syncState == .ok, "\(synced.lastError ?? "")")

            // Through the generated client, as a member of the tenant.
            let client = server.client(token: cast.memberA.token)
            let values = try await String(
                collecting: try await client.getChartValues(path: .init(id: created.id, chart: "web", version: "1.0.0")).ok.body.yaml,
                upTo: 1 << 20
            )
            // One upstream fetch for the archive, with the repository's credentials (before helm's own).
            #expect(nginx.requestCount(path: "/web-1.0.0.tgz") == 1, "\(nginx.requests())")
            #expect(nginx.requests().contains { $0.hasPrefix("GET /web-1.0.0.tgz 200 \"\(credentials.username)\"") })
            let helmValues = try helm.run(["show", "values", "demo/web", "--version", "1.0.0"]).stdout
            #expect(values + "\n" == helmValues)
            #expect(values.contains("replicaCount: 1"))
            let readme = try await String(
                collecting: try await client.getChartReadme(path: .init(id: created.id, chart: "web", version: "1.0.0")).ok.body.textMarkdown,
                upTo: 1 << 20
            )
            #expect(readme + "\n" == (try helm.run(["show", "readme", "demo/web", "--version", "1.0.0"]).stdout))
            let schema = try await server.request(.get, path(created.id, "web", "1.0.0", "schema"), token: cast.memberA.token)
            #expect(schema.status == 200)
            #expect(schema.headers["content-type"]?.hasPrefix("application/json") == true)
            #expect(try Self.canonical(schema.body) == (try Self.canonical(Data(Self.schema.utf8))))
            let raw = try await server.request(.get, path(created.id, "web", "1.0.0", "values"), token: cast.memberA.token)
            #expect(raw.headers["content-type"]?.hasPrefix("application/yaml") == true)

            // Then the cache: the archive may vanish upstream.
            let fetched = nginx.requestCount(path: "/web-1.0.0.tgz")
            try FileManager.default.removeItem(at: folder.appendingPathComponent("web-1.0.0.tgz"))
            let cached = try await server.request(.get, path(created.id, "web", "1.0.0", "values"), token: cast.memberA.token)
            #expect(cached.status == 200)
            #expect(cached.text == values)
            #expect(nginx.requestCount(path: "/web-1.0.0.tgz") == fetched)

            // Concurrent first requests for one archive share one fetch.
            let parallel = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<6 {
                    group.addTask { try await server.request(.get, path(created.id, "web", "1.1.0", "readme"), token: cast.memberA.token).status }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(parallel == Array(repeating: 200, count: 6))
            #expect(nginx.requestCount(path: "/web-1.1.0.tgz") == 1, "\(nginx.requests())")
            let noSchema = try await server.request(.get, path(created.id, "web", "1.1.0", "schema"), token: cast.memberA.token)
            expectError(noSchema, 404, "not_found")
            #expect(noSchema.error?.message.contains("values.schema.json") == true)

            // A chart made by helm create: values, no README, no schema.
            let plainValues = try await server.request(.get, path(created.id, "plain", "0.1.0", "values"), token: cast.memberA.token)
            #expect(plainValues.status == 200)
            #expect(plainValues.text + "\n" == (try helm.run(["show", "values", "demo/plain", "--version", "0.1.0"]).stdout))
            expectError(try await server.request(.get, path(created.id, "plain", "0.1.0", "readme"), token: cast.memberA.token), 404, "not_found")

            // Unknown versions, no token, and tenant B: nothing, and no upstream request.
            let unknown = try await server.request(.get, path(created.id, "web", "9.9.9", "values"), token: cast.memberA.token)
            expectError(unknown, 404, "not_found")
            #expect(unknown.error?.message.contains("1.1.0") == true, "the error lists the versions that exist")
            expectError(try await server.request(.get, path(created.id, "web", "1.1.0", "values")), 401, "unauthorized")
            let before = nginx.requests().count
            for token in [cast.memberB.token, cast.adminB.token] {
                for file in ["values", "readme", "schema"] {
                    expectError(try await server.request(.get, path(created.id, "web", "1.0.0", file), token: token), 404, "not_found")
                }
            }
            #expect(nginx.requests().count == before)
            #expect(!server.logs.text.contains(credentials.password), "the registry password never reaches the logs")
        }
    }

    @Test("broken archives, digest mismatches, oversized and missing archives: 502 with the reason, nothing cached")
    func badArchives() async throws {
        let folder = try ScratchDirectory.make("charthouse-bad-archives")
        defer { try? FileManager.default.removeItem(at: folder) }
        let other = try ScratchDirectory.make("charthouse-other-host")
        defer { try? FileManager.default.removeItem(at: other) }
        let otherHost = try await NginxServer(serving: other)
        defer { otherHost.stop() }

        @Sendable func sha256(_ bytes: [UInt8]) -> String { SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined() }
        let good = try ArchiveCrafter.tgz([
            .init("good/Chart.yaml", "apiVersion: v2\nname: good\nversion: 1.0.0\n"), .init("good/values.yaml", "a: 1\n"),
        ])
        let elsewhere = try ArchiveCrafter.tgz([.init("elsewhere/Chart.yaml", "name: elsewhere\n"), .init("elsewhere/values.yaml", "b: 2\n")])
        let traversal = try ArchiveCrafter.tgz([.init("evil/Chart.yaml", "name: evil\n"), .init("evil/../../etc/passwd", "root")])
        let garbage = Array("<html>this is not a chart</html>".utf8)
        var noise = SystemRandomNumberGenerator()
        let big = try ArchiveCrafter.tgz([
            .init("big/Chart.yaml", "name: big\n"), .init("big/blob", bytes: (0..<(96 << 10)).map { _ in UInt8.random(in: 0...255, using: &noise) }),
        ])
        let archives: [(String, [UInt8])] = [("good", good), ("traversal", traversal), ("garbage", garbage), ("big", big), ("mismatch", good)]
        for (name, bytes) in archives { try Data(bytes).write(to: folder.appendingPathComponent("\(name)-1.0.0.tgz")) }
        try Data(elsewhere).write(to: other.appendingPathComponent("elsewhere-1.0.0.tgz"))
        func entry(_ name: String, digest: String?, url: String? = nil) -> String {
            "  \(name):\n  - {apiVersion: v2, name: \(name), version: 1.0.0\(digest.map { ", digest: \($0)" } ?? ""), urls: [\(url ?? "\(name)-1.0.0.tgz")]}\n"
        }
        var index = "apiVersion: v1\nentries:\n"
        index += entry("good", digest: sha256(good))
        index += entry("traversal", digest: sha256(traversal))
        index += entry("garbage", digest: sha256(garbage))
        index += entry("big", digest: sha256(big))
        index += entry("mismatch", digest: sha256(garbage))
        // Archives are cached by digest: the missing one names a digest nothing has.
        index += entry("missing", digest: sha256(Array("never served".utf8)))
        index += entry("undigested", digest: nil, url: "good-1.0.0.tgz")
        index += entry("elsewhere", digest: sha256(elsewhere), url: "\(otherHost.baseURL)/elsewhere-1.0.0.tgz")
        try index.write(to: folder.appendingPathComponent("index.yaml"), atomically: true, encoding: .utf8)
        let credentials = Credentials(username: "charts", password: "pw-\(UUID().uuidString.prefix(8))")
        let nginx = try await NginxServer(serving: folder, credentials: credentials)
        defer { nginx.stop() }

        try await TestServer.with(.init(environment: ["CHARTHOUSE_MAX_CHART_SIZE": "\(64 << 10)"])) { server in
            let cast = try await TwoTenants.make(on: server)
            let created = try await server.client(token: cast.adminA.token).createRegistry(
                body: .json(.init(name: "bad", endpoint: nginx.baseURL, username: credentials.username, password: credentials.password))
            ).created.body.json
            let synced = try await CatalogSyncTests.waitForSync(server, token: cast.adminA.token, id: created.id)
            #expect(synced.syncState == .ok, "\(synced.lastError ?? "")")
            #expect(synced.charts == 8)

            func values(_ chart: String) async throws -> RawResponse {
                try await server.request(.get, path(created.id, chart, "1.0.0", "values"), token: cast.memberA.token)
            }
            #expect(try await values("good").text == "a: 1\n")
            let refusals: [(String, String)] = [
                ("traversal", "chart illegally references parent directory"),
                ("garbage", "not a gzip archive"),
                ("big", "larger than the limit of 65536 bytes"),
                ("mismatch", "digest mismatch: the catalog says sha256:\(sha256(garbage))"),
                ("missing", "404 Not Found"),
            ]
            for (chart, reason) in refusals {
                let response = try await values(chart)
                expectError(response, 502, "bad_gateway")
                #expect(response.error?.message.contains(reason) == true, "\(chart): \(response.text)")
                // Nothing was cached: asking again goes upstream again and fails the same way.
                let before = nginx.requestCount(path: "/\(chart)-1.0.0.tgz")
                expectError(try await values(chart), 502, "bad_gateway")
                #expect(nginx.requestCount(path: "/\(chart)-1.0.0.tgz") == before + 1, "\(chart)")
            }
            // An index without a digest: nothing to check, the archive is still read.
            #expect(try await values("undigested").text == "a: 1\n")
            // An archive on another host gets no credentials, as helm sends none there.
            #expect(try await values("elsewhere").text == "b: 2\n")
            #expect(otherHost.requests() == ["GET /elsewhere-1.0.0.tgz 200 \"-\""], "\(otherHost.requests())")
            #expect(nginx.requests().contains { $0.hasPrefix("GET /good-1.0.0.tgz 200 \"charts\"") })
        }
    }

    @Test("OCI registry with charts pushed by helm 4: the chart layer is fetched by digest and read")
    func ociRegistry() async throws {
        let registry = try await DistributionRegistry()
        defer { registry.stop() }
        let helm = try HelmCLI(major: 4)
        defer { helm.removeHome() }
        let work = try ScratchDirectory.make("charthouse-oci-files")
        defer { try? FileManager.default.removeItem(at: work) }
        let archive = try helm.packageChart(
            name: "api",
            version: "2.0.0",
            in: work,
            files: ["README.md": Self.readme, "values.schema.json": Self.schema]
        )
        try helm.run(["push", archive.path, "oci://\(registry.host)/charts", "--plain-http"])

        try await TestServer.with { server in
            let cast = try await TwoTenants.make(on: server)
            let created = try await server.client(token: cast.adminA.token).createRegistry(
                body: .json(.init(name: "oci", endpoint: "oci://\(registry.host)/charts", noAuthentication: true, plainHTTP: true))
            ).created.body.json
            let synced = try await CatalogSyncTests.waitForSync(server, token: cast.adminA.token, id: created.id)
            #expect(synced.syncState == .ok, "\(synced.lastError ?? "")")
            let values = try await server.request(.get, path(created.id, "api", "2.0.0", "values"), token: cast.memberA.token)
            #expect(values.status == 200, "\(values.text)")
            let helmValues = try helm.run(["show", "values", "oci://\(registry.host)/charts/api", "--version", "2.0.0", "--plain-http"]).stdout
            #expect(values.text + "\n" == helmValues)
            let readme = try await server.request(.get, path(created.id, "api", "2.0.0", "readme"), token: cast.memberA.token)
            #expect(readme.text == Self.readme)
            #expect(readme.headers["content-type"]?.hasPrefix("text/markdown") == true)
            let schema = try await server.request(.get, path(created.id, "api", "2.0.0", "schema"), token: cast.memberA.token)
            #expect(try Self.canonical(schema.body) == (try Self.canonical(Data(Self.schema.utf8))))
            expectError(try await server.request(.get, path(created.id, "api", "2.0.0", "values"), token: cast.memberB.token), 404, "not_found")
        }
    }
}
