import CharthouseAPI
import Crypto
import Foundation
import HTTPTypes
import HelmFormats
import TestSupport
import Testing

/// The hosted registries' classic side with real clients: ChartMuseum-style uploads (raw and
/// multipart), `helm repo add/update/search/pull/template` of helm 3 and helm 4, the generated
/// `index.yaml` (gzip, `ETag`, 304), the same charts over OCI and in the catalog, bad uploads,
/// roles, tenants, public registries and overwriting.
@Suite("Hosted registry, classic protocol", .serialized)
struct HostedClassicTests {
    static func basic(_ username: String, _ password: String) -> [(String, String)] {
        [("Authorization", "Basic " + Data("\(username):\(password)".utf8).base64EncodedString())]
    }

    static func digest(_ bytes: some Sequence<UInt8>) -> String {
        SHA256.hash(data: Array(bytes)).map { String(format: "%02x", $0) }.joined()
    }

    /// A `multipart/form-data` body with the given fields, and its content type.
    static func multipart(_ fields: [(name: String, file: String, bytes: Data)]) -> (body: Data, contentType: String) {
        let boundary = "charthouse-\(UUID().uuidString)"
        var body = Data()
        for field in fields {
            body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(field.name)\"; filename=\"\(field.file)\"\r\n".utf8))
            body.append(Data("Content-Type: application/octet-stream\r\n\r\n".utf8))
            body.append(field.bytes)
            body.append(Data("\r\n".utf8))
        }
        body.append(Data("--\(boundary)--\r\n".utf8))
        return (body, "multipart/form-data; boundary=\(boundary)")
    }

    /// The blob files on disk (their hex digests).
    static func storedBlobs(_ server: TestServer) -> [String] {
        let root = server.dataDirectory.appendingPathComponent("blobs/sha256")
        let files = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)?.allObjects as? [URL] ?? []
        return files.filter { !$0.hasDirectoryPath }.map(\.lastPathComponent).sorted()
    }

    /// A JSON request with a bearer token.
    static func json(_ server: TestServer, _ method: HTTPRequest.Method, _ path: String, token: String, _ body: String) async throws -> RawResponse {
        try await server.request(method, path, token: token, headers: [("Content-Type", "application/json")], body: Data(body.utf8))
    }

    /// A packaged chart in a directory of its own (helm create refuses an existing directory).
    static func package(_ helm: HelmCLI, _ name: String, _ version: String, files: [String: String] = [:]) throws -> (url: URL, bytes: Data) {
        let folder = try ScratchDirectory.make("charthouse-classic-chart")
        let url = try helm.packageChart(name: name, version: version, in: folder, files: files)
        return (url, try Data(contentsOf: url))
    }

    @Test("helm 3 and helm 4: upload, repo add/update/search/pull/template; the same charts over OCI, in the catalog and the ChartMuseum API")
    func helmRoundTrip() async throws {
        try await TestServer.with { server in
            let cast = try await TwoTenants.make(on: server)
            let host = "\(server.baseURL.host!):\(server.baseURL.port!)"
            let admin = Self.basic(cast.adminA.username, cast.adminA.password)
            let helm4 = try HelmCLI(major: 4)
            defer { helm4.removeHome() }
            let helm3 = try HelmCLI(major: 3)
            defer { helm3.removeHome() }

            // ChartMuseum's API: the archive as the body, then multipart with a provenance file.
            let web1 = try Self.package(helm4, "web", "1.0.0", files: ["README.md": "# web one\n"])
            let raw = try await server.request(.post, "/api/acme/charts", headers: admin, body: web1.bytes)
            #expect(raw.status == 201, "\(raw.text)")
            #expect(raw.object?["saved"] as? Bool == true)
            let web2 = try Self.package(helm3, "web", "1.1.0")
            let provenance = Data("-----BEGIN PGP SIGNED MESSAGE-----\nname: web\n".utf8)
            let form = Self.multipart([("chart", "web-1.1.0.tgz", web2.bytes), ("prov", "web-1.1.0.tgz.prov", provenance)])
            let multipart = try await server.request(
                .post,
                "/api/acme/charts",
                headers: admin + [("Content-Type", form.contentType)],
                body: form.body
            )
            #expect(multipart.status == 201, "\(multipart.text)")
            // And one pushed over OCI by helm.
            let db = try Self.package(helm4, "db", "2.0.0")
            try await helm4.runDetached(
                ["registry", "login", host, "-u", cast.adminA.username, "--password-stdin", "--plain-http"],
                stdin: cast.adminA.password
            )
            try await helm4.runDetached(["push", db.url.path, "oci://\(host)/acme", "--plain-http"])

            // A member reads the classic repository with helm 4 and helm 3.
            let member4 = try HelmCLI(major: 4)
            defer { member4.removeHome() }
            let repository = "\(server.baseURL.absoluteString)/charts/acme"
            try await member4.runDetached([
                "repo", "add", "acme", repository, "--username", cast.memberA.username, "--password", cast.memberA.password,
            ])
            try await member4.runDetached(["repo", "update"])
            let search = try await member4.runDetached(["search", "repo", "acme/", "--versions", "-o", "json"]).stdout
            let listed = try #require(try JSONSerialization.jsonObject(with: Data(search.utf8)) as? [[String: Any]])
            #expect(Set(listed.map { "\($0["name"] ?? "")@\($0["version"] ?? "")" }) == ["acme/web@1.1.0", "acme/web@1.0.0", "acme/db@2.0.0"])
            let pulled = try ScratchDirectory.make("charthouse-classic-pulled")
            defer { try? FileManager.default.removeItem(at: pulled) }
            try await member4.runDetached(["pull", "acme/web", "--version", "1.0.0", "-d", pulled.path])
            #expect(try Data(contentsOf: pulled.appendingPathComponent("web-1.0.0.tgz")) == web1.bytes, "the archive uploaded, byte for byte")
            try await member4.runDetached(["pull", "acme/db", "--version", "2.0.0", "-d", pulled.path])
            #expect(try Data(contentsOf: pulled.appendingPathComponent("db-2.0.0.tgz")) == db.bytes, "pushed over OCI, pulled classic")

            let member3 = try HelmCLI(major: 3)
            defer { member3.removeHome() }
            try await member3.runDetached([
                "repo", "add", "acme", repository, "--username", cast.memberA.username, "--password", cast.memberA.password,
            ])
            let rendered = try await member3.runDetached(["template", "demo", "acme/web", "--version", "1.1.0"]).stdout
            #expect(rendered.contains("kind: Deployment"))
            #expect(try await member3.runDetached(["show", "readme", "acme/web", "--version", "1.0.0"]).stdout.contains("# web one"))

            // The uploads are OCI artifacts too: helm pulls them by oci://, and the layer is the archive.
            try await member4.runDetached(
                ["registry", "login", host, "-u", cast.memberA.username, "--password-stdin", "--plain-http"],
                stdin: cast.memberA.password
            )
            let ociPulled = try ScratchDirectory.make("charthouse-classic-oci")
            defer { try? FileManager.default.removeItem(at: ociPulled) }
            try await member4.runDetached(["pull", "oci://\(host)/acme/web", "--version", "1.1.0", "--plain-http", "-d", ociPulled.path])
            #expect(try Data(contentsOf: ociPulled.appendingPathComponent("web-1.1.0.tgz")) == web2.bytes)
            let values = try await member4.runDetached(["show", "chart", "oci://\(host)/acme/web", "--version", "1.0.0", "--plain-http"]).stdout
            #expect(values.contains("name: web") && values.contains("version: 1.0.0"))

            // And in the catalog at once.
            let client = server.client(token: cast.memberA.token)
            let hosted = try #require(try await client.listRegistries().ok.body.json.items.first { $0.kind == .hosted && $0.scope == .tenant })
            #expect(hosted.chartRepositoryURL == repository)
            #expect(hosted._public == false && hosted.allowOverwrite == false)
            #expect(
                try await client.listChartVersions(path: .init(id: hosted.id, chart: "web")).ok.body.json.items.map(\.version) == ["1.1.0", "1.0.0"]
            )

            // The provenance file comes back next to its archive; an archive without one has none.
            let member = Self.basic(cast.memberA.username, cast.memberA.password)
            let prov = try await server.request(.get, "/charts/acme/web-1.1.0.tgz.prov", headers: member)
            #expect(prov.status == 200 && prov.body == provenance)
            #expect(try await server.request(.get, "/charts/acme/web-1.0.0.tgz.prov", headers: member).status == 404)
            #expect(try await server.request(.get, "/charts/acme/web-9.9.9.tgz", headers: member).status == 404)
            let ranged = try await server.request(.get, "/charts/acme/web-1.0.0.tgz", headers: member + [("Range", "bytes=0-9")])
            #expect(ranged.status == 206 && ranged.body == web1.bytes.prefix(10))

            // ChartMuseum's listing.
            let all = try await server.request(.get, "/api/acme/charts", headers: member)
            #expect(Set(all.object?.keys.map { $0 } ?? []) == ["web", "db"])
            let webVersions = try await server.request(.get, "/api/acme/charts/web", headers: member)
            let webList = try #require(try JSONSerialization.jsonObject(with: webVersions.body) as? [[String: Any]])
            #expect(webList.map { $0["version"] as? String } == ["1.1.0", "1.0.0"])
            #expect(webList.last?["digest"] as? String == Self.digest(web1.bytes))
            #expect((webList.last?["urls"] as? [String])?.first == "\(repository)/web-1.0.0.tgz")
            let latest = try await server.request(.get, "/api/acme/charts/web/latest", headers: member)
            #expect(latest.object?["version"] as? String == "1.1.0")
            #expect(try await server.request(.get, "/api/acme/charts/nope", headers: member).status == 404)
            #expect(try await server.request(.head, "/api/acme/charts/web/1.0.0", headers: member).status == 200)
            #expect(try await server.request(.head, "/api/acme/charts/web/3.0.0", headers: member).status == 404)

            // Deleting a version removes it from both protocols and the catalog at once.
            #expect(try await server.request(.delete, "/api/acme/charts/web/1.0.0", headers: member).status == 403, "members do not delete")
            let deleted = try await server.request(.delete, "/api/acme/charts/web/1.0.0", headers: admin)
            #expect(deleted.status == 200 && deleted.object?["deleted"] as? Bool == true)
            #expect(try await server.request(.delete, "/api/acme/charts/web/1.0.0", headers: admin).status == 404)
            let index = try await server.request(.get, "/charts/acme/index.yaml", headers: member)
            var indexed: [String] = []
            _ = try IndexFileDecoder.decode(index.body) { indexed.append("\($0.name)@\($0.version)") }
            #expect(Set(indexed) == ["web@1.1.0", "db@2.0.0"])
            #expect(try await server.request(.get, "/v2/acme/web/manifests/1.0.0", headers: member).status == 404)
            #expect(try await client.listChartVersions(path: .init(id: hosted.id, chart: "web")).ok.body.json.items.map(\.version) == ["1.1.0"])
            try await member4.runDetached(["repo", "update"])
            #expect(try await member4.runDetached(["pull", "acme/web", "--version", "1.0.0", "-d", pulled.path], check: false).status != 0)
        }
    }

    @Test("index.yaml: generated at once after each change, absolute URLs and digests, gzip, ETag and 304, read back with helm's rules")
    func indexFile() async throws {
        try await TestServer.with(.init(environment: ["CHARTHOUSE_PUBLIC_HOST": "charts.example.com", "CHARTHOUSE_PUBLIC_SCHEME": "https"])) {
            server in
            let cast = try await TwoTenants.make(on: server)
            let admin = Self.basic(cast.adminA.username, cast.adminA.password)
            let helm = try HelmCLI(major: 4)
            defer { helm.removeHome() }

            let empty = try await server.request(.get, "/charts/acme/index.yaml", headers: admin)
            #expect(empty.status == 200)
            #expect(empty.text.hasPrefix("apiVersion: v1\nentries: {}\n"), "\(empty.text)")

            let chart = try Self.package(helm, "my-app", "0.1.0-rc.1+build.7")
            #expect(try await server.request(.post, "/api/acme/charts", headers: admin, body: chart.bytes).status == 201)
            let plain = try await server.request(.get, "/charts/acme/index.yaml", headers: admin)
            #expect(plain.status == 200)
            #expect(plain.headers["content-encoding"] == nil)
            var versions: [IndexChartVersion] = []
            let report = try IndexFileDecoder.decode(plain.body) { versions.append($0) }
            #expect(report.apiVersion == "v1" && report.generated != nil && report.skipped.isEmpty)
            let version = try #require(versions.first)
            #expect(version.name == "my-app" && version.version == "0.1.0-rc.1+build.7")
            #expect(version.urls == ["https://charts.example.com/charts/acme/my-app-0.1.0-rc.1+build.7.tgz"])
            #expect(version.digest == Self.digest(chart.bytes))
            #expect(version.created != nil && version.apiVersion == "v2" && version.appVersion == "1.16.0")
            // The download named in the index (a dash in the name, a pre-release and build metadata).
            let download = try await server.request(.get, "/charts/acme/my-app-0.1.0-rc.1+build.7.tgz", headers: admin)
            #expect(download.status == 200 && download.body == chart.bytes)

            // gzip when asked, with its own validator; 304 for either validator.
            let etag = try #require(plain.headers["etag"])
            let gzipped = try await server.request(.get, "/charts/acme/index.yaml", headers: admin + [("Accept-Encoding", "gzip, deflate")])
            #expect(gzipped.headers["content-encoding"] == "gzip")
            #expect(gzipped.headers["vary"] == "Accept-Encoding")
            #expect(gzipped.headers["etag"] != etag)
            var inflated: [UInt8] = []
            try Array(gzipped.body).withUnsafeBytes { bytes in
                try Gzip.inflate(bytes, limit: 1 << 24) { inflated.append(contentsOf: $0) }
            }
            #expect(Data(inflated) == plain.body)
            #expect(gzipped.body.count < plain.body.count)
            let refused = try await server.request(.get, "/charts/acme/index.yaml", headers: admin + [("Accept-Encoding", "gzip;q=0")])
            #expect(refused.headers["content-encoding"] == nil)
            for validator in [etag, gzipped.headers["etag"]!, "W/\(etag)", "\"nope\", \(etag)"] {
                let revalidated = try await server.request(.get, "/charts/acme/index.yaml", headers: admin + [("If-None-Match", validator)])
                #expect(revalidated.status == 304, "\(validator)")
                #expect(revalidated.body.isEmpty)
            }
            #expect(try await server.request(.get, "/charts/acme/index.yaml", headers: admin + [("If-None-Match", "\"nope\"")]).status == 200)

            // A new version is in the index at once, under a new validator; the old one no longer matches.
            let second = try Self.package(helm, "my-app", "0.2.0")
            #expect(try await server.request(.post, "/api/acme/charts", headers: admin, body: second.bytes).status == 201)
            let changed = try await server.request(.get, "/charts/acme/index.yaml", headers: admin + [("If-None-Match", etag)])
            #expect(changed.status == 200)
            #expect(changed.headers["etag"] != etag)
            var after: [String] = []
            _ = try IndexFileDecoder.decode(changed.body) { after.append($0.version) }
            #expect(after == ["0.2.0", "0.1.0-rc.1+build.7"], "newest first")
            let head = try await server.request(.head, "/charts/acme/index.yaml", headers: admin)
            #expect(head.status == 200 && head.body.isEmpty && head.headers["content-length"] == "\(changed.body.count)")
        }
    }

    @Test("bad uploads get a 4xx with a JSON error and store nothing: not gzip, not a chart, traversal, links out, Chart.yaml wrong, too large")
    func badUploads() async throws {
        try await TestServer.with(.init(environment: ["CHARTHOUSE_MAX_CHART_SIZE": "65536"])) { server in
            let cast = try await TwoTenants.make(on: server)
            let admin = Self.basic(cast.adminA.username, cast.adminA.password)
            func chartYAML(_ name: String, _ version: String, apiVersion: String = "v2") -> String {
                "apiVersion: \(apiVersion)\nname: \(name)\nversion: \(version)\n"
            }
            let cases: [(String, [UInt8], Int, String)] = [
                ("not gzip", Array("hello".utf8), 400, "not a gzip archive"),
                ("garbage gzip", try ArchiveCrafter.gzip(Array("not a tar archive at all".utf8)), 400, "not a valid chart archive"),
                ("no Chart.yaml", try ArchiveCrafter.tgz([.init("web/values.yaml", "a: 1\n")]), 400, "Chart.yaml file is missing"),
                (
                    "traversal", try ArchiveCrafter.tgz([.init("web/Chart.yaml", chartYAML("web", "1.0.0")), .init("web/../../etc/passwd", "x")]),
                    400, "illegally references parent directory"
                ),
                (
                    "absolute", try ArchiveCrafter.tgz([.init("web/Chart.yaml", chartYAML("web", "1.0.0")), .init("/etc/passwd", "x")]),
                    400, "not a valid chart archive"
                ),
                (
                    "link out",
                    try ArchiveCrafter.tgz([
                        .init("web/Chart.yaml", chartYAML("web", "1.0.0")), .init("web/templates/x", "/etc/shadow", kind: .symlink),
                    ]),
                    400, "link that points outside"
                ),
                (
                    "two top-level directories",
                    try ArchiveCrafter.tgz([.init("web/Chart.yaml", chartYAML("web", "1.0.0")), .init("other/values.yaml", "a: 1\n")]),
                    400, "more than one top-level directory"
                ),
                ("bad version", try ArchiveCrafter.tgz([.init("web/Chart.yaml", chartYAML("web", "one"))]), 400, "is invalid"),
                (
                    "apiVersion v3", try ArchiveCrafter.tgz([.init("web/Chart.yaml", chartYAML("web", "1.0.0", apiVersion: "v3"))]), 400,
                    "not v1 or v2"
                ),
                ("uppercase name", try ArchiveCrafter.tgz([.init("Web/Chart.yaml", chartYAML("Web", "1.0.0"))]), 400, "lowercase"),
                ("Chart.yaml not YAML", try ArchiveCrafter.tgz([.init("web/Chart.yaml", "- just\n- a list\n")]), 400, "Chart.yaml"),
                ("empty", [], 400, "empty"),
                ("too large", (0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }, 413, "at most"),
            ]
            for (name, body, status, message) in cases {
                let response = try await server.request(.post, "/api/acme/charts", headers: admin, body: Data(body))
                #expect(response.status == status, "\(name): \(response.text)")
                #expect((response.object?["error"] as? String)?.contains(message) == true, "\(name): \(response.text)")
                #expect(response.object?["code"] != nil, "\(name)")
            }
            let noChartField = Self.multipart([("file", "web.tgz", Data("x".utf8))])
            let missing = try await server.request(
                .post,
                "/api/acme/charts",
                headers: admin + [("Content-Type", noChartField.contentType)],
                body: noChartField.body
            )
            #expect(missing.status == 400 && missing.text.contains("no \\\"chart\\\" field"), "\(missing.text)")
            let broken = try await server.request(
                .post,
                "/api/acme/charts",
                headers: admin + [("Content-Type", "multipart/form-data; boundary=zzz")],
                body: Data("--zzz\r\nno end".utf8)
            )
            #expect(broken.status == 400 && broken.text.contains("malformed multipart"), "\(broken.text)")

            // Over OCI: a config that says one version and an archive whose Chart.yaml says another.
            let uploader = OCIUploader(baseURL: server.baseURL.absoluteString, username: cast.adminA.username, password: cast.adminA.password)
            let archive = Data(try ArchiveCrafter.tgz([.init("web/Chart.yaml", chartYAML("web", "2.0.0"))]))
            let config = Data(#"{"apiVersion":"v2","name":"web","version":"1.0.0"}"#.utf8)
            let configDigest = try await uploader.pushBlob(config, repository: "acme/web")
            let layerDigest = try await uploader.pushBlob(archive, repository: "acme/web")
            let manifest = Data(
                """
                {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",\
                "config":{"mediaType":"application/vnd.cncf.helm.config.v1+json","digest":"\(configDigest)","size":\(config.count)},\
                "layers":[{"mediaType":"application/vnd.cncf.helm.chart.content.v1.tar+gzip","digest":"\(layerDigest)","size":\(archive.count)}]}
                """.utf8
            )
            let put = try await server.request(
                .put,
                "/v2/acme/web/manifests/1.0.0",
                headers: admin + [("Content-Type", "application/vnd.oci.image.manifest.v1+json")],
                body: manifest
            )
            #expect(put.status == 400 && put.text.contains("Chart.yaml says web 2.0.0"), "\(put.text)")

            // Nothing of it is stored: no charts, no blobs beyond the two raw OCI uploads.
            let listed = try await server.request(.get, "/api/acme/charts", headers: admin)
            #expect(listed.status == 200 && listed.object?.isEmpty == true, "\(listed.text)")
            #expect(Self.storedBlobs(server).count == 2, "\(Self.storedBlobs(server))")
        }
    }

    @Test("tenants apart on every route; members read, admins write; API tokens; public registries; overwriting only when allowed")
    func accessAndSettings() async throws {
        try await TestServer.with { server in
            let cast = try await TwoTenants.make(on: server)
            let host = "\(server.baseURL.host!):\(server.baseURL.port!)"
            let adminA = Self.basic(cast.adminA.username, cast.adminA.password)
            let memberA = Self.basic(cast.memberA.username, cast.memberA.password)
            let adminB = Self.basic(cast.adminB.username, cast.adminB.password)
            let helm = try HelmCLI(major: 4)
            defer { helm.removeHome() }
            let first = try Self.package(helm, "web", "1.0.0")
            #expect(try await server.request(.post, "/api/acme/charts", headers: memberA, body: first.bytes).status == 403)
            #expect(try await server.request(.post, "/api/acme/charts", headers: adminA, body: first.bytes).status == 201)

            // Tenant B: every route of tenant A answers 404, as for a registry that does not exist.
            let routes: [(HTTPRequest.Method, String, Data?)] = [
                (.get, "/charts/acme/index.yaml", nil), (.get, "/charts/acme/web-1.0.0.tgz", nil), (.get, "/api/acme/charts", nil),
                (.get, "/api/acme/charts/web", nil), (.get, "/api/acme/charts/web/1.0.0", nil), (.post, "/api/acme/charts", first.bytes),
                (.delete, "/api/acme/charts/web/1.0.0", nil),
            ]
            for (method, path, body) in routes {
                let response = try await server.request(method, path, headers: adminB, body: body)
                #expect(response.status == 404, "\(method) \(path): \(response.text)")
                #expect(!response.text.contains("web-1.0.0"), "\(path)")
            }
            #expect(try await server.request(.get, "/charts/nosuch/index.yaml", headers: adminB).status == 404)
            // Anonymous: asked for credentials (Basic), whether the namespace exists or not; wrong ones are refused.
            for path in ["/charts/acme/index.yaml", "/charts/nosuch/index.yaml", "/charts/acme/web-1.0.0.tgz"] {
                let anonymous = try await server.request(.get, path)
                #expect(anonymous.status == 401 && anonymous.headers["www-authenticate"]?.hasPrefix("Basic") == true, "\(path)")
            }
            #expect(try await server.request(.get, "/charts/acme/index.yaml", headers: Self.basic(cast.adminA.username, "wrong")).status == 401)
            // API tokens work as a password and as a bearer token.
            let tokenOutput = try await server.client(token: cast.memberA.token).createToken(body: .json(.init(name: "ci")))
            let apiToken = try tokenOutput.created.body.json.token
            #expect(try await server.request(.get, "/charts/acme/index.yaml", headers: Self.basic("ci", apiToken)).status == 200)
            #expect(try await server.request(.get, "/charts/acme/index.yaml", token: apiToken).status == 200)

            // Overwriting: the same archive again is a no-op, another one under the version a conflict...
            #expect(try await server.request(.post, "/api/acme/charts", headers: adminA, body: first.bytes).status == 201)
            let changed = try Self.package(helm, "web", "1.0.0", files: ["README.md": "# changed\n"])
            let conflict = try await server.request(.post, "/api/acme/charts", headers: adminA, body: changed.bytes)
            #expect(conflict.status == 409 && conflict.text.contains("does not allow overwriting"), "\(conflict.text)")
            // ...until the tenant's admin allows it (members and other tenants cannot; nothing else changes).
            let admin = server.client(token: cast.adminA.token)
            let hosted = try #require(try await admin.listRegistries().ok.body.json.items.first { $0.kind == .hosted && $0.scope == .tenant })
            func patch(_ token: String, _ body: String) async throws -> RawResponse {
                try await Self.json(server, .patch, "/api/v1/registries/\(hosted.id)", token: token, body)
            }
            // Only hosted registries have these settings.
            let protected = try await Self.json(
                server,
                .post,
                "/api/v1/registries",
                token: cast.adminA.token,
                #"{"name":"onprem","endpoint":"https://10.255.0.1/charts","protected":true,"noAuthentication":true}"#
            )
            let protectedID = try #require(protected.object?["id"] as? String, "\(protected.text)")
            let notHosted = try await Self.json(server, .patch, "/api/v1/registries/\(protectedID)", token: cast.adminA.token, #"{"public":true}"#)
            #expect(notHosted.status == 400 && notHosted.error?.message.contains("hosted registries only") == true, "\(notHosted.text)")
            #expect(try await patch(cast.memberA.token, #"{"allowOverwrite":true}"#).status == 403)
            #expect(try await patch(cast.adminB.token, #"{"allowOverwrite":true}"#).status == 404)
            #expect(try await patch(cast.adminA.token, #"{"allowOverwrite":true,"name":"other"}"#).status == 409)
            let allowed = try await patch(cast.adminA.token, #"{"allowOverwrite":true}"#)
            #expect(allowed.status == 200 && allowed.object?["allowOverwrite"] as? Bool == true, "\(allowed.text)")
            #expect(try await server.request(.post, "/api/acme/charts", headers: adminA, body: changed.bytes).status == 201)
            let replaced = try await server.request(.get, "/charts/acme/web-1.0.0.tgz", headers: memberA)
            #expect(replaced.body == changed.bytes)
            try await helm.runDetached(
                ["registry", "login", host, "-u", cast.adminA.username, "--password-stdin", "--plain-http"],
                stdin: cast.adminA.password
            )
            let reverted = try await helm.runDetached(["push", first.url.path, "oci://\(host)/acme", "--plain-http"], check: false)
            #expect(reverted.status == 0, "overwriting over OCI too: \(reverted.stderr)")
            #expect(try await server.request(.get, "/charts/acme/web-1.0.0.tgz", headers: memberA).body == first.bytes)

            // Public: anyone pulls, over both protocols, signed in or not, from any tenant; nobody anonymous pushes.
            #expect(try await patch(cast.adminA.token, #"{"public":true}"#).object?["public"] as? Bool == true)
            #expect(try await server.request(.get, "/charts/acme/index.yaml").status == 200)
            #expect(try await server.request(.get, "/charts/acme/index.yaml", headers: adminB).status == 200)
            #expect(try await server.request(.post, "/api/acme/charts", body: first.bytes).status == 401)
            #expect(try await server.request(.post, "/api/acme/charts", headers: adminB, body: first.bytes).status == 403)
            let anonymous = try HelmCLI(major: 3)
            defer { anonymous.removeHome() }
            try await anonymous.runDetached(["repo", "add", "acme", "\(server.baseURL.absoluteString)/charts/acme"])
            let pulled = try ScratchDirectory.make("charthouse-classic-public")
            defer { try? FileManager.default.removeItem(at: pulled) }
            try await anonymous.runDetached(["pull", "acme/web", "--version", "1.0.0", "-d", pulled.path])
            try FileManager.default.createDirectory(at: pulled.appendingPathComponent("oci"), withIntermediateDirectories: true)
            let anonymous4 = try HelmCLI(major: 4)
            defer { anonymous4.removeHome() }
            try await anonymous4.runDetached([
                "pull", "oci://\(host)/acme/web", "--version", "1.0.0", "--plain-http", "-d", pulled.appendingPathComponent("oci").path,
            ])
            #expect(try Data(contentsOf: pulled.appendingPathComponent("oci/web-1.0.0.tgz")) == first.bytes)
            let refusedPush = try await anonymous4.runDetached(["push", changed.url.path, "oci://\(host)/acme", "--plain-http"], check: false)
            #expect(refusedPush.status != 0)
            // Back to private: anonymous callers are asked for credentials at once.
            #expect(try await patch(cast.adminA.token, #"{"public":false}"#).status == 200)
            #expect(try await server.request(.get, "/charts/acme/index.yaml").status == 401)
            #expect(try await server.request(.get, "/v2/acme/web/tags/list").status == 401)
        }
    }

    @Test("garbage collection: a dry run reports, --delete removes only blobs no manifest references; system administrator only; the CLI")
    func garbageCollection() async throws {
        try await TestServer.with { server in
            let cast = try await TwoTenants.make(on: server)
            let admin = Self.basic(cast.adminA.username, cast.adminA.password)
            let helm = try HelmCLI(major: 4)
            defer { helm.removeHome() }
            let kept = try Self.package(helm, "web", "1.0.0")
            let dropped = try Self.package(helm, "db", "1.0.0")
            #expect(try await server.request(.post, "/api/acme/charts", headers: admin, body: kept.bytes).status == 201)
            #expect(try await server.request(.post, "/api/acme/charts", headers: admin, body: dropped.bytes).status == 201)
            #expect(try await server.request(.delete, "/api/acme/charts/db/1.0.0", headers: admin).status == 200)
            #expect(Self.storedBlobs(server).count == 4, "two configs and two archives")
            func collect(_ token: String, _ body: String) async throws -> RawResponse {
                try await Self.json(server, .post, "/api/v1/system/gc", token: token, body)
            }
            #expect(try await collect(cast.adminA.token, "{}").status == 403, "tenant admins do not collect")
            let negative = try await collect(cast.systemAdminToken, #"{"minimumAgeSeconds":-1}"#)
            #expect(negative.status == 400 && negative.error?.message.contains("minimumAgeSeconds") == true, "\(negative.text)")
            // Young blobs are kept by default: a client may be between its blobs and its manifest.
            let young = try await collect(cast.systemAdminToken, #"{"dryRun":false}"#)
            #expect(young.status == 200 && young.object?["unreferenced"] as? Int == 0 && young.object?["deleted"] as? Int == 0, "\(young.text)")
            let dry = try await collect(cast.systemAdminToken, #"{"minimumAgeSeconds":0}"#)
            #expect(dry.object?["dryRun"] as? Bool == true)
            #expect(
                dry.object?["blobs"] as? Int == 4 && dry.object?["unreferenced"] as? Int == 2 && dry.object?["deleted"] as? Int == 0,
                "\(dry.text)"
            )
            #expect(dry.object?["unreferencedBytes"] as? Int ?? 0 > dropped.bytes.count)
            #expect(Self.storedBlobs(server).count == 4, "a dry run removes nothing")

            // The CLI, as the system administrator, deletes.
            let cli = try await Shell.runDetached(
                [
                    try CharthouseProcess.executable(), "gc", "--delete", "--minimum-age", "0", "-o", "json", "--server",
                    server.baseURL.absoluteString, "--token", cast.systemAdminToken,
                ],
                environment: ["CHARTHOUSE_CONFIG": server.dataDirectory.appendingPathComponent("cli.json").path]
            )
            let output = cli.stdout
            let report = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
            #expect(report["deleted"] as? Int == 2 && report["dryRun"] as? Bool == false, "\(output)")
            #expect(Self.storedBlobs(server).count == 2)
            #expect(!Self.storedBlobs(server).contains(Self.digest(dropped.bytes)))
            // What is referenced stays readable over both protocols.
            let download = try await server.request(.get, "/charts/acme/web-1.0.0.tgz", headers: admin)
            #expect(download.status == 200 && download.body == kept.bytes)
            #expect(try await server.request(.get, "/v2/acme/db/blobs/sha256:\(Self.digest(dropped.bytes))", headers: admin).status == 404)
            // The chart deleted can be uploaded again.
            #expect(try await server.request(.post, "/api/acme/charts", headers: admin, body: dropped.bytes).status == 201)
            #expect(try await server.request(.get, "/charts/acme/db-1.0.0.tgz", headers: admin).body == dropped.bytes)
        }
    }
}
