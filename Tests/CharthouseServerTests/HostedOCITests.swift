import CharthouseAPI
import Crypto
import Foundation
import HTTPTypes
import TestSupport
import Testing

/// The hosted registries' OCI side with real clients: helm 3 and helm 4 log in, push, pull, show
/// and template; skopeo lists and copies; raw requests for chunked uploads, ranges and refusals.
@Suite("Hosted registry over OCI")
struct HostedOCITests {
    static func basic(_ username: String, _ password: String) -> [(String, String)] {
        [("Authorization", "Basic " + Data("\(username):\(password)".utf8).base64EncodedString())]
    }

    static func digest(_ bytes: some Sequence<UInt8>) -> String {
        "sha256:" + SHA256.hash(data: Array(bytes)).map { String(format: "%02x", $0) }.joined()
    }

    @Test("helm 4 and helm 3 push, pull, show and template; the bytes come back; tags and catalog listed; roles and tenants enforced")
    func helmRoundTrip() async throws {
        try await TestServer.with { server in
            let cast = try await TwoTenants.make(on: server)
            let host = "\(server.baseURL.host!):\(server.baseURL.port!)"
            let work = try ScratchDirectory.make("charthouse-hosted-oci")
            defer { try? FileManager.default.removeItem(at: work) }

            let helm4 = try HelmCLI(major: 4)
            defer { helm4.removeHome() }
            let archive = try helm4.packageChart(name: "web", version: "1.0.0", in: work, files: ["README.md": "# web\n"])
            try await helm4.runDetached(
                ["registry", "login", host, "-u", cast.adminA.username, "--password-stdin", "--plain-http"],
                stdin: cast.adminA.password
            )
            let pushed = try await helm4.runDetached(["push", archive.path, "oci://\(host)/acme/charts", "--plain-http"])
            #expect(
                pushed.stdout.contains("Pushed: \(host)/acme/charts/web:1.0.0") || pushed.stderr.contains("Pushed: \(host)/acme/charts/web:1.0.0")
            )

            // Pushing the same archive again changes nothing; another archive under the same version is refused.
            #expect(try await helm4.runDetached(["push", archive.path, "oci://\(host)/acme/charts", "--plain-http"], check: false).status == 0)
            let changedWork = try ScratchDirectory.make("charthouse-hosted-oci-changed")
            defer { try? FileManager.default.removeItem(at: changedWork) }
            let changed = try helm4.packageChart(name: "web", version: "1.0.0", in: changedWork, files: ["README.md": "# changed\n"])
            let again = try await helm4.runDetached(["push", changed.path, "oci://\(host)/acme/charts", "--plain-http"], check: false)
            #expect(again.status != 0)
            // A code of the spec's table: clients name it (helm/oras print "denied: …", skopeo too).
            #expect(again.stderr.contains("409: denied: ") && again.stderr.contains("already stored"), "\(again.stderr)")

            let helm3 = try HelmCLI(major: 3)
            defer { helm3.removeHome() }
            let second = try helm3.packageChart(name: "web", version: "1.1.0+build.5", in: work)
            try await helm3.runDetached(
                ["registry", "login", host, "-u", cast.adminA.username, "--password-stdin", "--insecure"],
                stdin: cast.adminA.password
            )
            try await helm3.runDetached(["push", second.path, "oci://\(host)/acme/charts", "--plain-http"])

            // A member pulls both, with either helm; the archive is the one pushed, byte for byte.
            let member = try HelmCLI(major: 4)
            defer { member.removeHome() }
            try await member.runDetached(
                ["registry", "login", host, "-u", cast.memberA.username, "--password-stdin", "--plain-http"],
                stdin: cast.memberA.password
            )
            let pulled = work.appendingPathComponent("pulled")
            try FileManager.default.createDirectory(at: pulled, withIntermediateDirectories: true)
            try await member.runDetached(["pull", "oci://\(host)/acme/charts/web", "--version", "1.0.0", "--plain-http", "-d", pulled.path])
            #expect(try Data(contentsOf: pulled.appendingPathComponent("web-1.0.0.tgz")) == Data(contentsOf: archive))
            let values = try await member.runDetached([
                "show", "values", "oci://\(host)/acme/charts/web", "--version", "1.1.0+build.5", "--plain-http",
            ]).stdout
            #expect(values.contains("replicaCount: 1"))
            let rendered = try await helm3.runDetached(["template", "demo", "oci://\(host)/acme/charts/web", "--version", "1.0.0", "--plain-http"])
                .stdout
            #expect(rendered.contains("kind: Deployment"))
            // helm 4 installs without a cluster in client dry-run mode (helm 3.17 needs one: template above).
            let installed = try await member.runDetached(
                ["install", "demo", "oci://\(host)/acme/charts/web", "--version", "1.0.0", "--plain-http", "--dry-run=client"]
            ).stdout
            #expect(installed.contains("NAME: demo") && installed.contains("kind: Deployment"), "\(installed)")

            // skopeo, an independent client, lists the tags (build metadata as `_`).
            let tags = try await Shell.runDetached([
                try Shell.require("skopeo"), "list-tags", "--tls-verify=false", "--creds", "\(cast.memberA.username):\(cast.memberA.password)",
                "docker://\(host)/acme/charts/web",
            ]).stdout
            #expect(tags.contains("\"1.0.0\"") && tags.contains("\"1.1.0_build.5\""), "\(tags)")
            let catalog = try await server.request(.get, "/v2/_catalog", headers: Self.basic(cast.memberA.username, cast.memberA.password))
            #expect(catalog.object?["repositories"] as? [String] == ["acme/charts/web"])

            // In the catalog at once: listed under the hosted registry, searchable, values readable.
            let client = server.client(token: cast.memberA.token)
            let hostedRegistry = try #require(
                try await client.listRegistries().ok.body.json.items.first { $0.kind == .hosted && $0.scope == .tenant }
            )
            #expect(hostedRegistry.syncState == nil && hostedRegistry.lastPushAt != nil)
            #expect(hostedRegistry.versions == 2)
            let versions = try await client.listChartVersions(path: .init(id: hostedRegistry.id, chart: "web")).ok.body.json.items
            #expect(versions.map(\.version) == ["1.1.0+build.5", "1.0.0"])
            let detail = try await client.getChartVersion(path: .init(id: hostedRegistry.id, chart: "web", version: "1.0.0")).ok.body.json
            #expect(detail.url == "oci://\(host)/acme/charts/web")
            let found = try await client.searchCharts(query: .init(q: "web")).ok.body.json.items
            #expect(found.first?.registry == "hosted")
            let readme = try await server.request(
                .get,
                "/api/v1/registries/\(hostedRegistry.id)/charts/web/versions/1.0.0/readme",
                token: cast.memberA.token
            )
            #expect(readme.text == "# web\n")
            #expect(try await server.client(token: cast.memberB.token).searchCharts(query: .init(q: "web")).ok.body.json.items.isEmpty)

            // A member cannot push; tenant B cannot pull, list or see anything of tenant A.
            let refused = try await member.runDetached(["push", archive.path, "oci://\(host)/acme/charts", "--plain-http"], check: false)
            #expect(refused.status != 0)
            #expect(refused.stderr.contains("403") || refused.stderr.lowercased().contains("denied"), "\(refused.stderr)")
            let other = try HelmCLI(major: 4)
            defer { other.removeHome() }
            try await other.runDetached(
                ["registry", "login", host, "-u", cast.adminB.username, "--password-stdin", "--plain-http"],
                stdin: cast.adminB.password
            )
            let stolen = try await other.runDetached(
                ["pull", "oci://\(host)/acme/charts/web", "--version", "1.0.0", "--plain-http", "-d", pulled.path],
                check: false
            )
            #expect(stolen.status != 0)
            let headersB = Self.basic(cast.adminB.username, cast.adminB.password)
            for path in ["/v2/acme/charts/web/tags/list", "/v2/acme/charts/web/manifests/1.0.0", "/v2/nonexistent/web/tags/list"] {
                let response = try await server.request(.get, path, headers: headersB)
                #expect(response.status == 403, "\(path): \(response.text)")
                #expect(response.text.contains("\"DENIED\""))
            }
            let catalogB = try await server.request(.get, "/v2/_catalog", headers: headersB)
            #expect(catalogB.object?["repositories"] as? [String] == [])
            // Deleting a version's manifest (by digest, as an admin) takes it out of the catalog too.
            let adminA = Self.basic(cast.adminA.username, cast.adminA.password)
            let manifestHead = try await server.request(
                .head,
                "/v2/acme/charts/web/manifests/1.1.0_build.5",
                headers: adminA + [("Accept", "application/vnd.oci.image.manifest.v1+json")]
            )
            let manifestDigest = try #require(manifestHead.headers["docker-content-digest"])
            let memberDelete = try await server.request(
                .delete,
                "/v2/acme/charts/web/manifests/\(manifestDigest)",
                headers: Self.basic(cast.memberA.username, cast.memberA.password)
            )
            #expect(memberDelete.status == 403, "members cannot delete")
            #expect(try await server.request(.delete, "/v2/acme/charts/web/manifests/\(manifestDigest)", headers: adminA).status == 202)
            #expect(
                try await client.listChartVersions(path: .init(id: hostedRegistry.id, chart: "web")).ok.body.json.items.map(\.version) == ["1.0.0"]
            )
            #expect(try await server.request(.get, "/v2/acme/charts/web/tags/list", headers: adminA).object?["tags"] as? [String] == ["1.0.0"])

            // Wrong password, and no credentials at all: a challenge.
            let wrong = try await other.runDetached(
                ["registry", "login", host, "-u", cast.adminB.username, "--password-stdin", "--plain-http"],
                stdin: "nope",
                check: false
            )
            #expect(wrong.status != 0)
            let anonymous = try await server.request(.get, "/v2/")
            #expect(anonymous.status == 401)
            #expect(anonymous.headers["www-authenticate"] == "Bearer realm=\"http://\(host)/v2/token\",service=\"charthouse\"")
            #expect(anonymous.text.contains("\"UNAUTHORIZED\""))
        }
    }

    @Test("raw clients: chunked upload with ranges, digest checks, range reads, mounts; manifests that are not Helm charts are refused")
    func rawProtocol() async throws {
        try await TestServer.with { server in
            let cast = try await TwoTenants.make(on: server)
            let admin = Self.basic(cast.adminA.username, cast.adminA.password)
            let blob = (0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
            let digest = Self.digest(blob)

            let started = try await server.request(.post, "/v2/acme/raw/blobs/uploads/", headers: admin)
            #expect(started.status == 202)
            let location = try #require(started.headers["location"])
            #expect(started.headers["docker-upload-uuid"] != nil)
            let first = try await server.request(
                .patch,
                location,
                headers: admin + [("Content-Range", "0-39999"), ("Content-Type", "application/octet-stream")],
                body: Data(blob[0..<40_000])
            )
            #expect(first.status == 202)
            #expect(first.headers["range"] == "0-39999")
            let gap = try await server.request(
                .patch,
                location,
                headers: admin + [("Content-Range", "50000-50009")],
                body: Data(repeating: 1, count: 10)
            )
            #expect(gap.status == 416, "a chunk that does not continue the upload: \(gap.text)")
            let second = try await server.request(.patch, location, headers: admin, body: Data(blob[40_000...]), streamBody: true)
            #expect(second.headers["range"] == "0-69999")
            let wrongDigest = try await server.request(.put, location + "?digest=" + Self.digest([1, 2, 3]), headers: admin)
            #expect(wrongDigest.status == 400)
            #expect(wrongDigest.text.contains("DIGEST_INVALID"))
            #expect(try await server.request(.head, "/v2/acme/raw/blobs/\(digest)", headers: admin).status == 404, "nothing stored")

            // Monolithic upload, then reads: whole, HEAD, a range.
            let mono = try await server.request(.post, "/v2/acme/raw/blobs/uploads/?digest=\(digest)", headers: admin, body: Data(blob))
            #expect(mono.status == 201, "\(mono.text)")
            #expect(mono.headers["docker-content-digest"] == digest)
            let whole = try await server.request(.get, "/v2/acme/raw/blobs/\(digest)", headers: admin)
            #expect(whole.body == Data(blob))
            let head = try await server.request(.head, "/v2/acme/raw/blobs/\(digest)", headers: admin)
            #expect(head.headers["content-length"] == "70000")
            let part = try await server.request(.get, "/v2/acme/raw/blobs/\(digest)", headers: admin + [("Range", "bytes=100-199")])
            #expect(part.status == 206)
            #expect(part.body == Data(blob[100...199]))

            // Mount into another repository of the tenant; another tenant cannot mount it.
            let mounted = try await server.request(.post, "/v2/acme/other/blobs/uploads/?mount=\(digest)&from=acme/raw", headers: admin)
            #expect(mounted.status == 201)
            #expect(try await server.request(.head, "/v2/acme/other/blobs/\(digest)", headers: admin).status == 200)
            let adminB = Self.basic(cast.adminB.username, cast.adminB.password)
            let foreign = try await server.request(.post, "/v2/globex/stolen/blobs/uploads/?mount=\(digest)&from=acme/raw", headers: adminB)
            #expect(foreign.status == 202, "no mount across tenants: an upload starts instead")
            #expect(try await server.request(.head, "/v2/globex/stolen/blobs/\(digest)", headers: adminB).status == 404)

            // Manifests: a container image, a missing blob, a tag that is not the chart's version.
            let config = Array(#"{"architecture":"amd64","os":"linux"}"#.utf8)
            _ = try await server.request(.post, "/v2/acme/raw/blobs/uploads/?digest=\(Self.digest(config))", headers: admin, body: Data(config))
            let image = """
                {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
                "config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"\(Self.digest(config))","size":\(config.count)},
                "layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"\(digest)","size":70000}]}
                """
            let notHelm = try await server.request(
                .put,
                "/v2/acme/raw/manifests/1.0.0",
                headers: admin + [("Content-Type", "application/vnd.oci.image.manifest.v1+json")],
                body: Data(image.utf8)
            )
            #expect(notHelm.status == 400)
            #expect(notHelm.text.contains("MANIFEST_INVALID") && notHelm.text.contains("only Helm charts are stored here"), "\(notHelm.text)")
            let missing = """
                {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
                "config":{"mediaType":"application/vnd.cncf.helm.config.v1+json","digest":"\(Self.digest([9]))","size":1},
                "layers":[{"mediaType":"application/vnd.cncf.helm.chart.content.v1.tar+gzip","digest":"\(digest)","size":70000}]}
                """
            let unknownBlob = try await server.request(
                .put,
                "/v2/acme/raw/manifests/1.0.0",
                headers: admin + [("Content-Type", "application/vnd.oci.image.manifest.v1+json")],
                body: Data(missing.utf8)
            )
            #expect(unknownBlob.status == 400)
            #expect(unknownBlob.text.contains("MANIFEST_BLOB_UNKNOWN"))
            #expect(try await server.request(.get, "/v2/acme/raw/tags/list", headers: admin).object?["tags"] as? [String] == [])
            // A real Helm manifest whose archive holds a link out of the chart: refused.
            let evilArchive = try ArchiveCrafter.tgz([
                .init("evil/Chart.yaml", "apiVersion: v2\nname: evil\nversion: 1.0.0\n"),
                .init("evil/templates/x", "../../../etc/passwd", kind: .symlink),
            ])
            let chartConfig = Array(#"{"apiVersion":"v2","name":"evil","version":"1.0.0"}"#.utf8)
            for bytes in [evilArchive, chartConfig] {
                let pushed = try await server.request(
                    .post,
                    "/v2/acme/evil/blobs/uploads/?digest=\(Self.digest(bytes))",
                    headers: admin,
                    body: Data(bytes)
                )
                #expect(pushed.status == 201)
            }
            let evilManifest = """
                {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
                "config":{"mediaType":"application/vnd.cncf.helm.config.v1+json","digest":"\(Self.digest(chartConfig))","size":\(chartConfig.count)},
                "layers":[{"mediaType":"application/vnd.cncf.helm.chart.content.v1.tar+gzip","digest":"\(Self.digest(evilArchive))","size":\(evilArchive.count)}]}
                """
            let evil = try await server.request(
                .put,
                "/v2/acme/evil/manifests/1.0.0",
                headers: admin + [("Content-Type", "application/vnd.oci.image.manifest.v1+json")],
                body: Data(evilManifest.utf8)
            )
            #expect(evil.status == 400)
            #expect(evil.text.contains("MANIFEST_INVALID") && evil.text.contains("points outside"), "\(evil.text)")
            // The same manifest with a wrong tag is refused for the tag first.
            let wrongTag = try await server.request(
                .put,
                "/v2/acme/evil/manifests/2.0.0",
                headers: admin + [("Content-Type", "application/vnd.oci.image.manifest.v1+json")],
                body: Data(evilManifest.utf8)
            )
            #expect(wrongTag.text.contains("is not the chart's version"), "\(wrongTag.text)")
            // A manifest over the 4 MiB cap is refused unread.
            let huge = try await server.request(
                .put,
                "/v2/acme/evil/manifests/1.0.0",
                headers: admin + [("Content-Type", "application/vnd.oci.image.manifest.v1+json")],
                body: Data(repeating: UInt8(ascii: " "), count: (4 << 20) + 1)
            )
            #expect(huge.status == 413)
            #expect(huge.text.contains("SIZE_INVALID"))
            // A member cannot start an upload.
            let memberUpload = try await server.request(
                .post,
                "/v2/acme/raw/blobs/uploads/",
                headers: Self.basic(cast.memberA.username, cast.memberA.password)
            )
            #expect(memberUpload.status == 403)
        }
    }

    @Test("the token endpoint grants what the user may do, tokens carry only that, expire, and cannot be forged")
    func bearerTokens() async throws {
        try await TestServer.with(.init(environment: ["CHARTHOUSE_REGISTRY_TOKEN_SECONDS": "5"])) { server in
            let cast = try await TwoTenants.make(on: server)
            func token(_ member: TwoTenants.Member, _ scopes: [String]) async throws -> (status: Int, token: String?, body: [String: Any]?) {
                let query = scopes.map { "scope=" + ($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0) }.joined(separator: "&")
                let response = try await server.request(
                    .get,
                    "/v2/token?service=charthouse&\(query)",
                    headers: Self.basic(member.username, member.password)
                )
                return (response.status, response.object?["token"] as? String, response.object)
            }
            func claims(_ token: String) throws -> [String: Any] {
                var part = String(token.split(separator: ".")[1]).replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
                while part.count % 4 != 0 { part += "=" }
                let data = try #require(Data(base64Encoded: part))
                return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            }
            func access(_ token: String) throws -> [String] {
                (try claims(token)["access"] as? [[String: Any]] ?? []).map {
                    "\($0["name"] ?? ""):\(($0["actions"] as? [String] ?? []).joined(separator: ","))"
                }
            }
            let scopes = ["repository:acme/web:pull,push", "repository:globex/web:pull", "repository:system/base:pull,push"]
            let admin = try await token(cast.adminA, scopes)
            #expect(admin.status == 200)
            #expect(admin.body?["expires_in"] as? Int == 5)
            let adminToken = try #require(admin.token)
            #expect(try access(adminToken) == ["acme/web:pull,push", "system/base:pull"])
            let member = try await token(cast.memberA, scopes)
            let memberToken = try #require(member.token)
            #expect(try access(memberToken) == ["acme/web:pull", "system/base:pull"])
            let tokenB = try #require(try await token(cast.adminB, scopes).token)
            #expect(try access(tokenB) == ["globex/web:pull", "system/base:pull"])
            #expect(try await token(TwoTenants.Member(id: "", username: cast.adminA.username, password: "wrong", token: ""), scopes).status == 401)
            // Without credentials: an anonymous token that grants nothing of a private registry.
            let anonymous = try await server.request(.get, "/v2/token?service=charthouse&scope=repository:acme/web:pull")
            #expect(anonymous.status == 200)
            let anonymousToken = try #require(anonymous.object?["token"] as? String)
            #expect(try access(anonymousToken).isEmpty)
            let anonymousPull = try await server.request(.get, "/v2/acme/web/tags/list", headers: [("Authorization", "Bearer \(anonymousToken)")])
            #expect(anonymousPull.status == 401, "anonymous callers are asked to sign in")
            // OAuth2's password grant (POST, form fields) as the token spec allows; without credentials refused.
            let form =
                "grant_type=password&service=charthouse&client_id=test&scope=repository%3Aacme%2Fweb%3Apull&username=\(cast.memberA.username)&password=\(cast.memberA.password.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)"
            let posted = try await server.request(
                .post,
                "/v2/token",
                headers: [("Content-Type", "application/x-www-form-urlencoded")],
                body: Data(form.utf8)
            )
            #expect(posted.status == 200)
            #expect(try access(try #require(posted.object?["access_token"] as? String)) == ["acme/web:pull"])
            #expect(try await server.request(.post, "/v2/token", body: Data("grant_type=refresh_token&refresh_token=x".utf8)).status == 401)

            // A member's token carries pull only, and the member may not push: DENIED.
            let bearer = { (value: String) in [("Authorization", "Bearer \(value)")] }
            let memberFresh = try #require(try await token(cast.memberA, scopes).token)
            let upload = try await server.request(.post, "/v2/acme/web/blobs/uploads/", headers: bearer(memberFresh))
            #expect(upload.status == 403)
            // An admin's token without push on a repository: 401 naming the scope to ask for.
            let narrowAnswer = try await token(cast.adminA, ["repository:acme/web:pull"])
            let narrow = try #require(narrowAnswer.token)
            let needsScope = try await server.request(.post, "/v2/acme/web/blobs/uploads/", headers: bearer(narrow))
            #expect(needsScope.status == 401)
            #expect(needsScope.headers["www-authenticate"]?.contains("scope=\"repository:acme/web:pull,push\"") == true)
            let fresh = try #require(try await token(cast.adminA, scopes).token)
            #expect(try await server.request(.post, "/v2/acme/web/blobs/uploads/", headers: bearer(fresh)).status == 202)
            // Forged: the payload changed, the signature kept.
            let parts = adminToken.split(separator: ".")
            let forgedClaims = Data(#"{"iss":"charthouse","sub":"x","aud":"charthouse","exp":9999999999,"iat":0,"jti":"x","access":[]}"#.utf8)
                .base64EncodedString().replacingOccurrences(of: "=", with: "")
            let forged = "\(parts[0]).\(forgedClaims).\(parts[2])"
            #expect(try await server.request(.get, "/v2/acme/web/tags/list", headers: bearer(forged)).status == 401)
            // Expired after its lifetime.
            let expiring = try #require(try await token(cast.adminA, scopes).token)
            try await Task.sleep(for: .seconds(6))
            let expired = try await server.request(.post, "/v2/acme/web/blobs/uploads/", headers: bearer(expiring))
            #expect(expired.status == 401)
            #expect(expired.text.contains("UNAUTHORIZED"))
        }
    }

    @Test("an upload abandoned half-way is removed after its time: nothing visible, nothing left on disk")
    func abandonedUploads() async throws {
        // Old after 3 s (time enough to start and feed it on a loaded machine), looked for every second.
        let environment = ["CHARTHOUSE_UPLOAD_MAX_AGE_SECONDS": "3", "CHARTHOUSE_UPLOAD_CLEANUP_SECONDS": "1"]
        try await TestServer.with(.init(environment: environment)) { server in
            let cast = try await TwoTenants.make(on: server)
            let admin = Self.basic(cast.adminA.username, cast.adminA.password)
            let started = try await server.request(.post, "/v2/acme/half/blobs/uploads/", headers: admin)
            let location = try #require(started.headers["location"])
            #expect(try await server.request(.patch, location, headers: admin, body: Data(repeating: 7, count: 50_000)).status == 202)
            let uploads = server.dataDirectory.appendingPathComponent("blobs/uploads")
            var gone = false
            for _ in 0..<80 where !gone {
                try await Task.sleep(for: .milliseconds(250))
                gone = try FileManager.default.contentsOfDirectory(atPath: uploads.path).isEmpty
            }
            #expect(gone, "the session file was removed")
            let resumed = try await server.request(.patch, location, headers: admin, body: Data(repeating: 7, count: 10))
            #expect(resumed.status == 404)
            #expect(resumed.text.contains("BLOB_UPLOAD_UNKNOWN"))
        }
    }

    @Test("skopeo copies a chart from CNCF distribution into the hosted registry and back, unchanged")
    func skopeoCopy() async throws {
        let registry = try await DistributionRegistry()
        defer { registry.stop() }
        try await ChartFixtures.push(name: "web", version: "1.0.0", to: registry, path: "charts", helmMajor: 4)
        try await TestServer.with { server in
            let cast = try await TwoTenants.make(on: server)
            let host = "\(server.baseURL.host!):\(server.baseURL.port!)"
            let skopeo = try Shell.require("skopeo")
            let creds = "\(cast.adminA.username):\(cast.adminA.password)"
            try await Shell.runDetached([
                skopeo, "copy", "--src-tls-verify=false", "--dest-tls-verify=false", "--dest-creds", creds,
                "docker://\(registry.host)/charts/web:1.0.0", "docker://\(host)/acme/charts/web:1.0.0",
            ])
            try await Shell.runDetached([
                skopeo, "copy", "--src-tls-verify=false", "--dest-tls-verify=false", "--src-creds", creds,
                "docker://\(host)/acme/charts/web:1.0.0", "docker://\(registry.host)/back/web:1.0.0",
            ])
            let original = try await Shell.runDetached([
                skopeo, "inspect", "--raw", "--tls-verify=false", "docker://\(registry.host)/charts/web:1.0.0",
            ]).stdout
            let hosted = try await Shell.runDetached([
                skopeo, "inspect", "--raw", "--tls-verify=false", "--creds", creds, "docker://\(host)/acme/charts/web:1.0.0",
            ])
            .stdout
            let back = try await Shell.runDetached([skopeo, "inspect", "--raw", "--tls-verify=false", "docker://\(registry.host)/back/web:1.0.0"])
                .stdout
            #expect(hosted == original, "the manifest is stored as pushed")
            #expect(back == original)
            // The copy is a chart like any pushed by helm: in the catalog.
            let list = try await server.client(token: cast.memberA.token).listRegistries().ok.body.json.items
            #expect(list.first { $0.kind == .hosted && $0.scope == .tenant }?.versions == 1)
        }
    }
}
