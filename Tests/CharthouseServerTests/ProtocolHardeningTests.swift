import AsyncHTTPClient
import CharthouseAPI
import Foundation
import HTTPTypes
import NIOCore
import NIOHTTP1
import TestSupport
import Testing

/// Regression tests for requests that once stopped the server or were answered wrongly: paging
/// numbers, token lifetimes, ranges, bodies cut short or declared huge, refused pushes that left
/// repositories behind, identical uploads racing. After each, the server must still answer.
@Suite("Protocol surface: hostile input never stops the server")
struct ProtocolHardeningTests {
    static let basic = HostedClassicTests.basic

    /// The server still answers.
    static func expectAlive(_ server: TestServer, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        #expect(try await server.request(.get, "/healthz").status == 200, sourceLocation: sourceLocation)
    }

    /// Uploads a minimal chart (a Chart.yaml) through the ChartMuseum API: it lands in `acme/<chart>`.
    static func upload(
        _ server: TestServer,
        _ headers: [(String, String)],
        _ chart: String,
        _ version: String,
        files: [String: String] = [:]
    ) async throws {
        let members =
            [ArchiveCrafter.Member("\(chart)/Chart.yaml", "apiVersion: v2\nname: \(chart)\nversion: \(version)\n")]
            + files.sorted { $0.key < $1.key }.map { ArchiveCrafter.Member("\(chart)/\($0.key)", $0.value) }
        let archive = try ArchiveCrafter.tgz(members)
        let response = try await server.request(.post, "/api/acme/charts", headers: headers, body: Data(archive))
        #expect(response.status == 201, "\(response.text)")
    }

    /// An OCI error body with `code`.
    static func expectOCIError(_ response: RawResponse, _ status: Int, _ code: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(response.status == status, "\(response.text)", sourceLocation: sourceLocation)
        let errors = response.object?["errors"] as? [[String: Any]]
        #expect(errors?.first?["code"] as? String == code, "\(response.text)", sourceLocation: sourceLocation)
    }

    @Test("n on the catalog and tag lists: 0 is an empty page, bad values are PAGINATION_NUMBER_INVALID, large ones capped and said so in Link")
    func paging() async throws {
        try await TestServer.with { server in
            let cast = try await TwoTenants.make(on: server)
            let admin = Self.basic(cast.adminA.username, cast.adminA.password)
            for (chart, version) in [("web", "1.0.0"), ("web", "1.1.0"), ("web", "2.0.0"), ("api", "1.0.0"), ("db", "1.0.0")] {
                try await Self.upload(server, admin, chart, version)
            }

            // Without credentials too: the request that used to stop the process.
            for headers in [[], admin] {
                let empty = try await server.request(.get, "/v2/_catalog?n=0", headers: headers)
                #expect(empty.status == 200, "\(empty.text)")
                #expect(empty.object?["repositories"] as? [String] == [])
                #expect(empty.headers["link"] == nil)
                try await Self.expectAlive(server)
            }
            let emptyTags = try await server.request(.get, "/v2/acme/web/tags/list?n=0", headers: admin)
            #expect(emptyTags.status == 200 && emptyTags.object?["tags"] as? [String] == [], "\(emptyTags.text)")
            let pastTheEnd = try await server.request(.get, "/v2/acme/web/tags/list?n=1&last=9.9.9", headers: admin)
            #expect(pastTheEnd.status == 200 && pastTheEnd.object?["tags"] as? [String] == [], "\(pastTheEnd.text)")
            try await Self.expectAlive(server)

            for bad in ["-1", "abc", "1.5", "", "%20", "0x10", "+3"] {
                for path in ["/v2/_catalog?n=\(bad)", "/v2/acme/web/tags/list?n=\(bad)"] {
                    Self.expectOCIError(try await server.request(.get, path, headers: admin), 400, "PAGINATION_NUMBER_INVALID")
                }
            }
            // Authorization comes first: an outsider learns nothing from the paging number.
            let outsider = Self.basic(cast.adminB.username, cast.adminB.password)
            Self.expectOCIError(try await server.request(.get, "/v2/acme/web/tags/list?n=-1", headers: outsider), 403, "DENIED")

            // Pages follow Link to the end, with the n asked; the last page has no Link.
            let first = try await server.request(.get, "/v2/_catalog?n=2", headers: admin)
            #expect(first.object?["repositories"] as? [String] == ["acme/api", "acme/db"])
            #expect(first.headers["link"] == "</v2/_catalog?n=2&last=acme/db>; rel=\"next\"")
            let second = try await server.request(.get, "/v2/_catalog?n=2&last=acme/db", headers: admin)
            #expect(second.object?["repositories"] as? [String] == ["acme/web"])
            #expect(second.headers["link"] == nil, "no page follows the last one")
            let exact = try await server.request(.get, "/v2/_catalog?n=3", headers: admin)
            #expect(exact.headers["link"] == nil, "a page that ends the list exactly has no Link")
            let tags = try await server.request(.get, "/v2/acme/web/tags/list?n=2", headers: admin)
            #expect(tags.object?["tags"] as? [String] == ["1.0.0", "1.1.0"])
            #expect(tags.headers["link"] == "</v2/acme/web/tags/list?n=2&last=1.1.0>; rel=\"next\"")

            // A huge n is served as the maximum, which Link would say if more followed.
            let huge = try await server.request(.get, "/v2/_catalog?n=99999999999999999999999999", headers: admin)
            #expect(huge.status == 200 && (huge.object?["repositories"] as? [String])?.count == 3, "\(huge.text)")
            let big = try await server.request(.get, "/v2/acme/web/tags/list?n=1000000", headers: admin)
            #expect(big.status == 200 && (big.object?["tags"] as? [String])?.count == 3)

            // Methods the lists do not have.
            Self.expectOCIError(try await server.request(.delete, "/v2/acme/web/tags/list", headers: admin), 405, "UNSUPPORTED")
            Self.expectOCIError(try await server.request(.post, "/v2/_catalog", headers: admin), 405, "UNSUPPORTED")
            try await Self.expectAlive(server)
        }
    }

    @Test("REST limits and lifetimes out of range are 400, never clamped or trapped")
    func restNumbers() async throws {
        try await TestServer.with { server in
            let cast = try await TwoTenants.make(on: server)
            for lifetime in [10_000_000_000_000_000, 315_360_001, Int(Int64.max)] {
                let response = try await server.request(
                    .post,
                    "/api/v1/tokens",
                    token: cast.memberA.token,
                    headers: jsonHeaders,
                    body: json(["name": "forever", "expiresInSeconds": lifetime])
                )
                expectError(response, 400, "bad_request")
                #expect(response.error?.message.contains("expiresInSeconds") == true)
                try await Self.expectAlive(server)
            }
            let overflow = try await server.request(
                .post,
                "/api/v1/tokens",
                token: cast.memberA.token,
                headers: jsonHeaders,
                body: Data(#"{"name":"forever","expiresInSeconds":1e300}"#.utf8)
            )
            expectError(overflow, 400, "bad_request")
            #expect(try await server.client(token: cast.memberA.token).listTokens().ok.body.json.items.isEmpty)
            let ok = try await server.request(
                .post,
                "/api/v1/tokens",
                token: cast.memberA.token,
                headers: jsonHeaders,
                body: json(["name": "decade", "expiresInSeconds": 315_360_000])
            )
            #expect(ok.status == 201, "\(ok.text)")

            for query in ["limit=0", "limit=501", "limit=-5", "offset=-1", "offset=100001"] {
                expectError(try await server.request(.get, "/api/v1/charts?q=a&\(query)", token: cast.memberA.token), 400, "bad_request")
            }
            let registries = try await server.client(token: cast.memberA.token).listRegistries().ok.body.json.items
            let hosted = try #require(registries.first { $0.kind == .hosted })
            for query in ["limit=0", "limit=100000"] {
                expectError(
                    try await server.request(.get, "/api/v1/registries/\(hosted.id)/charts?\(query)", token: cast.memberA.token),
                    400,
                    "bad_request"
                )
            }
            try await Self.expectAlive(server)
        }
    }

    @Test("NUL characters (which PostgreSQL cannot hold) are a client error on both engines, never a 500")
    func nulCharacters() async throws {
        try await TestServer.with { server in
            let cast = try await TwoTenants.make(on: server)
            let admin = Self.basic(cast.adminA.username, cast.adminA.password)
            let token = try await server.request(
                .post,
                "/api/v1/tokens",
                token: cast.adminA.token,
                headers: jsonHeaders,
                body: Data(#"{"name":"ci","username":"a\u0000b"}"#.utf8)
            )
            #expect([400, 404].contains(token.status) && token.error != nil, "\(token.text)")
            let login = try await server.request(
                .post,
                "/api/v1/login",
                headers: jsonHeaders,
                body: Data(#"{"username":"a\u0000b","password":"password-1"}"#.utf8)
            )
            #expect([400, 401].contains(login.status) && login.error != nil, "\(login.text)")
            let search = try await server.request(.get, "/api/v1/charts?q=we%00b", token: cast.memberA.token)
            #expect([200, 400].contains(search.status), "\(search.text)")
            let catalog = try await server.request(.get, "/v2/_catalog?last=a%00b", headers: admin)
            #expect([200, 400].contains(catalog.status), "\(catalog.text)")
            let tags = try await server.request(.get, "/v2/acme/web/manifests/a%00b", headers: admin)
            #expect(tags.status < 500, "\(tags.text)")
            try await Self.expectAlive(server)
        }
    }

    @Test("Range: satisfiable served (HEAD agrees with GET), unsatisfiable 416 with bytes */size, malformed 400; in each protocol's format")
    func ranges() async throws {
        try await TestServer.with { server in
            let cast = try await TwoTenants.make(on: server)
            let admin = Self.basic(cast.adminA.username, cast.adminA.password)
            let uploader = OCIUploader(baseURL: server.baseURL.absoluteString, username: cast.adminA.username, password: cast.adminA.password)
            let blob = Data("0123456789".utf8)
            let digest = try await uploader.pushBlob(blob, repository: "acme/web")
            let path = "/v2/acme/web/blobs/\(digest)"

            let tail = try await server.request(.get, path, headers: admin + [("Range", "bytes=-3")])
            #expect(tail.status == 206 && tail.text == "789" && tail.headers["content-range"] == "bytes 7-9/10")
            let head = try await server.request(.head, path, headers: admin + [("Range", "bytes=2-4")])
            #expect(head.status == 206 && head.headers["content-length"] == "3" && head.headers["content-range"] == "bytes 2-4/10")
            let open = try await server.request(.get, path, headers: admin + [("Range", "bytes=8-")])
            #expect(open.status == 206 && open.text == "89")
            let clipped = try await server.request(.get, path, headers: admin + [("Range", "bytes=5-999999999999999999999")])
            #expect(clipped.status == 206 && clipped.text == "56789")

            for unsatisfiable in ["bytes=10-", "bytes=99999999999999999999999-", "bytes=0-1,3-4", "bytes=-0"] {
                let response = try await server.request(.get, path, headers: admin + [("Range", unsatisfiable)])
                Self.expectOCIError(response, 416, "RANGE_INVALID")
                #expect(response.headers["content-range"] == "bytes */10", "\(unsatisfiable)")
            }
            for malformed in ["bytes=abc", "items=0-1", "bytes=5-2", "bytes=-", "bytes=1-2-3", "bytes= 1 - 2x"] {
                Self.expectOCIError(try await server.request(.get, path, headers: admin + [("Range", malformed)]), 400, "RANGE_INVALID")
            }

            // The classic side answers in ChartMuseum's format.
            let helm = try HelmCLI(major: 4)
            defer { helm.removeHome() }
            let chart = try HostedClassicTests.package(helm, "web", "3.0.0")
            #expect(try await server.request(.post, "/api/acme/charts", headers: admin, body: chart.bytes).status == 201)
            let file = "/charts/acme/web-3.0.0.tgz"
            let size = chart.bytes.count
            let partial = try await server.request(.get, file, headers: admin + [("Range", "bytes=0-9")])
            #expect(partial.status == 206 && partial.body == chart.bytes.prefix(10))
            let beyond = try await server.request(.get, file, headers: admin + [("Range", "bytes=\(size)-")])
            #expect(beyond.status == 416 && beyond.headers["content-range"] == "bytes */\(size)")
            #expect(beyond.object?["error"] is String && beyond.object?["code"] as? String == "range_not_satisfiable", "\(beyond.text)")
            let garbage = try await server.request(.get, file, headers: admin + [("Range", "bytes=x-y")])
            #expect(garbage.status == 400 && garbage.object?["error"] is String)

            // HEAD of a ChartMuseum listing says what GET would send.
            let get = try await server.request(.get, "/api/acme/charts/web", headers: admin)
            let headList = try await server.request(.head, "/api/acme/charts/web", headers: admin)
            #expect(headList.status == 200 && headList.headers["content-length"] == "\(get.body.count)" && headList.body.isEmpty)
            try await Self.expectAlive(server)
        }
    }

    @Test("bodies cut short keep nothing of themselves; a huge Content-Length is refused before the body")
    func bodies() async throws {
        try await TestServer.with { server in
            let cast = try await TwoTenants.make(on: server)
            let admin = Self.basic(cast.adminA.username, cast.adminA.password)
            let authorization = admin[0].1
            let port = server.baseURL.port!
            let start = try await server.request(.post, "/v2/acme/web/blobs/uploads/", headers: admin)
            #expect(start.status == 202)
            let location = try #require(start.headers["location"])
            let chunk = try await server.request(.patch, location, headers: admin + [("Content-Range", "0-9")], body: Data("0123456789".utf8))
            #expect(chunk.status == 202 && chunk.headers["range"] == "0-9", "\(chunk.text)")

            // 40 of 100 declared bytes, then the client's side of the connection ends.
            let cut = try await RawHTTP.exchange(
                port: port,
                RawHTTP.request(
                    ["PATCH \(location) HTTP/1.1", "Host: 127.0.0.1", "Connection: close", "Authorization: \(authorization)", "Content-Length: 100"],
                    body: Array(repeating: UInt8(ascii: "x"), count: 40)
                )
            )
            #expect(cut.hasPrefix("HTTP/1.1 400") && cut.contains("BLOB_UPLOAD_INVALID"), "\(cut)")
            let status = try await server.request(.get, location, headers: admin)
            #expect(status.status == 204 && status.headers["range"] == "0-9", "the cut chunk left nothing: \(status.headers)")
            try await Self.expectAlive(server)

            // Monolithic upload cut short: no blob, no session.
            let digest = OCIUploader.digest(Data(repeating: 1, count: 100))
            let monolithic = try await RawHTTP.exchange(
                port: port,
                RawHTTP.request(
                    [
                        "POST /v2/acme/web/blobs/uploads/?digest=\(digest) HTTP/1.1", "Host: 127.0.0.1", "Connection: close",
                        "Authorization: \(authorization)", "Content-Length: 100",
                    ],
                    body: Array(repeating: 1, count: 50)
                )
            )
            #expect(!monolithic.contains(" 500 "), "\(monolithic)")
            #expect(try await server.request(.head, "/v2/acme/web/blobs/\(digest)", headers: admin).status == 404)

            // Declared sizes past every limit: refused at once, while the body is still unsent.
            for (head, expected) in [
                ("PATCH \(location) HTTP/1.1", "413"),
                ("PUT /v2/acme/web/manifests/1.0.0 HTTP/1.1", "413"),
                ("POST /api/acme/charts HTTP/1.1", "413"),
            ] {
                let answer = try await RawHTTP.exchange(
                    port: port,
                    RawHTTP.request([
                        head, "Host: 127.0.0.1", "Connection: close", "Authorization: \(authorization)", "Content-Length: 1000000000000000",
                    ]),
                    halfClose: false,
                    timeout: 5
                )
                #expect(answer.hasPrefix("HTTP/1.1 \(expected)"), "\(head): \(answer)")
            }
            let rest = try await RawHTTP.exchange(
                port: port,
                RawHTTP.request([
                    "POST /api/v1/tenants HTTP/1.1", "Host: 127.0.0.1", "Connection: close",
                    "Authorization: Bearer \(cast.systemAdminToken)", "Content-Type: application/json", "Content-Length: 1000000000000000",
                ]),
                halfClose: false,
                timeout: 5
            )
            #expect(rest.hasPrefix("HTTP/1.1 413"), "\(rest)")
            // A REST body cut short is a client error, never a 500.
            let restCut = try await RawHTTP.exchange(
                port: port,
                RawHTTP.request(
                    [
                        "POST /api/v1/tenants HTTP/1.1", "Host: 127.0.0.1", "Connection: close",
                        "Authorization: Bearer \(cast.systemAdminToken)", "Content-Type: application/json", "Content-Length: 50",
                    ],
                    body: Array(#"{"name":"#.utf8)
                )
            )
            #expect(!restCut.contains(" 500 "), "\(restCut)")
            #expect(try await server.client(token: cast.systemAdminToken).listTenants().ok.body.json.items.count == 2)

            // Content-Range that is not START-END, or disagrees with Content-Length.
            let badRange = try await server.request(.patch, location, headers: admin + [("Content-Range", "ten-twenty")], body: Data("ab".utf8))
            Self.expectOCIError(badRange, 400, "BLOB_UPLOAD_INVALID")
            let mismatch = try await server.request(.patch, location, headers: admin + [("Content-Range", "10-19")], body: Data("ab".utf8))
            Self.expectOCIError(mismatch, 416, "RANGE_INVALID")
            let gap = try await server.request(.patch, location, headers: admin + [("Content-Range", "20-21")], body: Data("ab".utf8))
            Self.expectOCIError(gap, 416, "RANGE_INVALID")
            #expect(try await server.request(.get, location, headers: admin).headers["range"] == "0-9")
            try await Self.expectAlive(server)
        }
    }

    @Test("a Chart.yaml nested deeper than helm allows is refused with helm's reason; nothing is stored")
    func deepYAML() async throws {
        try await TestServer.with { server in
            let cast = try await TwoTenants.make(on: server)
            let admin = Self.basic(cast.adminA.username, cast.adminA.password)
            let deep =
                "apiVersion: v2\nname: deep\nversion: 1.0.0\nextra: " + String(repeating: "[", count: 60_000) + String(repeating: "]", count: 60_000)
            let archive = try ArchiveCrafter.tgz([.init("deep/Chart.yaml", deep + "\n")])
            let response = try await server.request(.post, "/api/acme/charts", headers: admin, body: Data(archive))
            #expect(response.status == 400, "\(response.text)")
            #expect((response.object?["error"] as? String)?.contains("exceeded max depth of 10000") == true, "\(response.text)")
            try await Self.expectAlive(server)
            #expect(try await server.request(.get, "/api/acme/charts", headers: admin).text == "{}")
        }
    }

    @Test("a real server fault is a 500 in each protocol's own format: UNKNOWN on /v2, never UNSUPPORTED; the cause stays in the log")
    func serverFaults() async throws {
        try await TestServer.with { server in
            let cast = try await TwoTenants.make(on: server)
            let admin = Self.basic(cast.adminA.username, cast.adminA.password)
            try await Self.upload(server, admin, "web", "1.0.0")
            // The database loses a table under the running server.
            try await server.executeSQL(sqlite: "DROP TABLE hosted_tags", postgres: "DROP TABLE hosted_tags CASCADE")
            let tags = try await server.request(.get, "/v2/acme/web/tags/list", headers: admin)
            Self.expectOCIError(tags, 500, "UNKNOWN")
            #expect(!tags.text.contains("hosted_tags"), "the cause is not shown to the client: \(tags.text)")
            try await Self.expectAlive(server)
        }
    }

    @Test("refused pushes and abandoned uploads leave no repository in the catalog")
    func refusedWritesNothing() async throws {
        try await TestServer.with { server in
            let cast = try await TwoTenants.make(on: server)
            let admin = Self.basic(cast.adminA.username, cast.adminA.password)
            #expect(try await server.request(.post, "/v2/acme/ghost/blobs/uploads/", headers: admin).status == 202)
            let rejected = try await server.request(
                .put,
                "/v2/acme/broken/manifests/1.0.0",
                headers: admin + [("Content-Type", "application/vnd.oci.image.manifest.v1+json")],
                body: Data(#"{"schemaVersion":2}"#.utf8)
            )
            Self.expectOCIError(rejected, 400, "MANIFEST_INVALID")
            let catalog = try await server.request(.get, "/v2/_catalog", headers: admin)
            #expect(catalog.object?["repositories"] as? [String] == [], "\(catalog.text)")
        }
    }

    @Test("the same archive uploaded ten times at once: every upload succeeds, one version stored")
    func parallelIdenticalUploads() async throws {
        try await TestServer.with { server in
            let cast = try await TwoTenants.make(on: server)
            let admin = Self.basic(cast.adminA.username, cast.adminA.password)
            let helm = try HelmCLI(major: 4)
            defer { helm.removeHome() }
            let chart = try HostedClassicTests.package(helm, "race", "1.0.0")
            // A client of its own with a connection per upload: all ten reach the server at once
            // (the shared test client queues past 8 connections per host).
            var configuration = HTTPClient.Configuration()
            configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 10
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            defer { _ = client.shutdown() }
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<10 {
                    group.addTask {
                        var request = HTTPClientRequest(url: server.baseURL.absoluteString + "/api/acme/charts")
                        request.method = .POST
                        for (name, value) in admin { request.headers.add(name: name, value: value) }
                        request.body = .bytes(ByteBuffer(bytes: chart.bytes))
                        let response = try await client.execute(request, timeout: .seconds(120))
                        _ = try await response.body.collect(upTo: 1 << 20)
                        return Int(response.status.code)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses == Array(repeating: 201, count: 10), "\(statuses)")
            let listed = try await server.request(.get, "/api/acme/charts/race", headers: admin)
            #expect((try JSONSerialization.jsonObject(with: listed.body) as? [Any])?.count == 1)
        }
    }
}
