import CharthouseAPI
import Foundation
import HTTPTypes
import KubeStandin
import TestSupport
import Testing

/// Requests built from a grammar of the server's route shapes and hostile values, sent to a real
/// server as the owner, as another tenant and anonymously. After each: the server still answers,
/// no client error is a 5xx, every error body is in its protocol's format, another tenant or an
/// anonymous caller never succeeds on the owner's private data, and a refused write changed
/// nothing. Seeded and reproducible: the seed is printed; `CHARTHOUSE_FUZZ_SEED` replays one and
/// `CHARTHOUSE_FUZZ_REQUESTS` sets how many requests are sent (default 1,500).
@Suite("Request fuzzing over /v2, /charts, /api/<tenant>/charts, /api/v1 and the agent's routes")
struct RequestFuzzTests {
    /// SplitMix64: small, fast, and the same sequence for the same seed everywhere.
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
        mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }
        mutating func chance(_ percent: Int) -> Bool { below(100) < percent }
    }

    enum Surface { case oci, classicFiles, chartMuseum, rest, agent }

    struct Fixture {
        let ownerBasic: [(String, String)]
        let otherBasic: [(String, String)]
        let ownerToken: String
        /// The owner's API token (what registry clients may send as a bearer or Basic password).
        let ownerAPIToken: String
        let otherToken: String
        let systemToken: String
        /// Agent access tokens of an agent cluster in each tenant.
        let ownerAgentToken: String
        let otherAgentToken: String
        let blobDigest: String
        let ids: [String]
    }

    static let hostileNames = [
        "acme/web", "acme/charts/web", "globex/web", "system/web", "acme", "acme/", "/acme/web", "acme//web", "acme/../globex/web",
        "acme/%2e%2e/globex", "ACME/Web", "acme/we\"b", "acme/web%00", "acme/" + String(repeating: "a", count: 300), "acme/ünï", "_catalog",
        "acme/web/tags/list", "acme/web/manifests", "acme/web/blobs/uploads", "", "acme/-web", "acme/web.", "%", "acme/web%2Fx",
    ]
    static let hostileReferences = [
        "1.0.0", "latest", "9.9.9", "1.0.0_build", "sha256:" + String(repeating: "0", count: 64), "sha256:abc",
        "sha256:" + String(repeating: "G", count: 64),
        "sha512:" + String(repeating: "a", count: 128), "", "..", "%2e%2e", String(repeating: "v", count: 200), "v1.0.0+meta",
    ]
    static let hostileNumbers = [
        "0", "1", "2", "-1", "abc", "", "1.5", "1e3", "99999999999999999999999999", "9223372036854775807", "-9223372036854775808", "0x10",
        " 5", "%20", "1000",
    ]
    static let hostileRanges = [
        "bytes=0-0", "bytes=-1", "bytes=5-", "bytes=0-999999999999999999999", "bytes=-0", "bytes=9-1", "bytes=a-b", "items=0-1", "bytes=0-1,4-5",
        "bytes=", "bytes=18446744073709551616-", "0-10", "bytes=--1",
    ]
    static let hostileContentRanges = ["0-0", "0-9", "10-19", "5-2", "a-b", "-1-5", "bytes 0-9/10", "", "0-99999999999999999999"]
    static let hostileBodies: [Data] = [
        Data(), Data("{}".utf8), Data("[]".utf8), Data("null".utf8), Data("{\"schemaVersion\":2}".utf8), Data("not json".utf8),
        Data("{\"name\":\"x\",\"expiresInSeconds\":1e400}".utf8), Data("{\"name\":".utf8), Data(repeating: 0x1f, count: 3),
        Data(repeating: 0x8b, count: 700), Data((String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000)).utf8),
        Data("{\"name\":\"\(String(repeating: "n", count: 70))\",\"endpoint\":\"http://169.254.169.254\",\"noAuthentication\":true}".utf8),
        Data("{\"username\":\"fz\",\"password\":\"password-123\",\"role\":\"admin\",\"tenant\":\"globex\"}".utf8),
        Data("{\"expiresInSeconds\":10000000000000000,\"name\":\"t\"}".utf8), Data("{\"public\":\"yes\"}".utf8),
        Data("--x\r\nContent-Disposition: form-data; name=\"chart\"\r\n\r\nabc\r\n--x--\r\n".utf8),
    ]
    static let contentTypes = [
        "application/json", "application/vnd.oci.image.manifest.v1+json", "application/octet-stream", "text/plain",
        "multipart/form-data; boundary=x", "multipart/form-data", "application/json; charset=utf-16", "",
    ]

    /// One request of the grammar: method, path, headers, body, and what it is.
    struct Shape {
        var method: HTTPMethod
        var path: String
        var headers: [(String, String)]
        var body: Data?
        var surface: Surface
        /// Whose credentials it carries: "owner", "other", "anonymous", "garbage".
        var actor: String
        /// Whether the path names the owner's (tenant acme's) private data.
        var targetsOwner: Bool
    }

    typealias HTTPMethod = HTTPRequest.Method

    static func generate(_ random: inout Random, _ fixture: Fixture) -> Shape {
        let actor = random.pick(["owner", "owner", "other", "anonymous", "garbage"])
        var headers: [(String, String)] = []
        let surface = random.pick([Surface.oci, .oci, .classicFiles, .chartMuseum, .rest, .rest, .agent])
        switch (actor, surface) {
        case ("owner", .rest):
            // Now and then the owner's agent token, which opens no route outside /api/v1/agent/.
            let token = random.chance(20) ? fixture.systemToken : random.chance(10) ? fixture.ownerAgentToken : fixture.ownerToken
            headers.append(("Authorization", "Bearer \(token)"))
        case ("owner", .agent): headers.append(("Authorization", "Bearer \(random.chance(80) ? fixture.ownerAgentToken : fixture.ownerToken)"))
        case ("other", .agent): headers.append(("Authorization", "Bearer \(fixture.otherAgentToken)"))
        case ("owner", .oci):
            // Registry clients: the password, or an API token as the password (bearers on /v2 are /v2/token's JWTs).
            headers +=
                random.chance(70)
                ? fixture.ownerBasic : [("Authorization", "Basic " + Data("ci:\(fixture.ownerAPIToken)".utf8).base64EncodedString())]
        case ("owner", _):
            headers +=
                random.chance(70)
                ? fixture.ownerBasic : [("Authorization", "Bearer \(random.chance(80) ? fixture.ownerAPIToken : fixture.ownerToken)")]
        case ("other", .rest): headers.append(("Authorization", "Bearer \(fixture.otherToken)"))
        case ("other", _): headers += fixture.otherBasic
        case ("garbage", _):
            headers.append(
                (
                    "Authorization",
                    random.pick(["Basic !!!", "Bearer ", "Bearer a.b.c", "Digest x", "Basic " + Data("nocolon".utf8).base64EncodedString(), "Basic"])
                )
            )
        default: break
        }
        var method = random.pick([HTTPMethod.get, .get, .head, .post, .put, .patch, .delete])
        var path: String
        var body: Data? = random.chance(40) ? random.pick(hostileBodies) : nil
        var targetsOwner = false
        switch surface {
        case .oci:
            let name = random.pick(hostileNames)
            targetsOwner = name.hasPrefix("acme/") && !name.contains("..")
            // Mostly a method the route has, sometimes any.
            func usual(_ methods: [HTTPMethod]) { if random.chance(70) { method = random.pick(methods) } }
            switch random.below(7) {
            case 0: path = "/v2/_catalog?n=\(random.pick(hostileNumbers))" + (random.chance(50) ? "&last=\(random.pick(hostileNames))" : "")
            case 1:
                path = "/v2/\(name)/tags/list" + (random.chance(60) ? "?n=\(random.pick(hostileNumbers))&last=\(random.pick(hostileReferences))" : "")
            case 2:
                path = "/v2/\(name)/manifests/\(random.pick(hostileReferences))"
                usual([.get, .head, .put, .delete])
            case 3: path = "/v2/\(name)/blobs/\(random.chance(50) ? fixture.blobDigest : random.pick(hostileReferences))"
            case 4:
                path = "/v2/\(name)/blobs/uploads/" + (random.chance(50) ? random.pick([UUID().uuidString.lowercased(), "x", "../x", ""]) : "")
                if random.chance(50) { path += "?digest=\(random.pick(hostileReferences))" }
                if random.chance(20) { path += (path.contains("?") ? "&" : "?") + "mount=\(fixture.blobDigest)&from=\(random.pick(hostileNames))" }
                usual([.post, .patch, .put, .get, .delete])
            case 5:
                path =
                    "/v2/token?service=charthouse&scope=\(random.pick(["repository:acme/web:pull", "repository:globex/web:push", "registry:catalog:*", "x", ""]))"
            default: path = random.pick(["/v2/", "/v2", "/v2/\(name)/unknown/route", "/v2/\(name)"])
            }
            // The catalog lists only what the caller may pull; the base and token endpoints hold nothing of anyone's.
            if path.hasPrefix("/v2/_catalog") || path.hasPrefix("/v2/token") || path == "/v2/" || path == "/v2" { targetsOwner = false }
        case .classicFiles:
            let namespace = random.pick(["acme", "globex", "system", "nope", "..", "ACME", "%2e%2e"])
            targetsOwner = namespace == "acme"
            path =
                "/charts/\(namespace)/"
                + random.pick(["index.yaml", "web-1.0.0.tgz", "web-1.0.0.tgz.prov", "web-9.tgz", "-1.0.0.tgz", "web.tgz", "x"])
            if random.chance(10) {
                path = random.pick(["/charts/\(namespace)", "/charts/\(namespace)/a/b", "/charts/", "/charts/\(namespace)/index.yaml/x"])
            }
            if random.chance(70) { method = random.pick([.get, .head]) }
        case .chartMuseum:
            let namespace = random.pick(["acme", "globex", "system", "nope", "..", "ACME"])
            targetsOwner = namespace == "acme"
            path =
                "/api/\(namespace)/charts"
                + random.pick(["", "/web", "/web/1.0.0", "/web/latest", "/web/9.9.9", "/nope/1.0.0", "/web/..%2F", "/web/1.0.0/x", "/a/b/c/d"])
            if random.chance(60) { method = random.pick([.get, .head, .post, .delete]) }
            if method == .post, random.chance(50) { body = random.pick(hostileBodies) }
        case .rest:
            let id = random.pick(fixture.ids + [UUID().uuidString, "x", "..", String(repeating: "9", count: 100)])
            path = random.pick([
                "/api/v1/tenants", "/api/v1/users", "/api/v1/users/\(id)", "/api/v1/tokens", "/api/v1/tokens/\(id)", "/api/v1/registries",
                "/api/v1/registries/\(id)", "/api/v1/registries/\(id)/sync", "/api/v1/registries/\(id)/syncs",
                "/api/v1/registries/\(id)/charts?limit=\(random.pick(hostileNumbers))&cursor=\(random.pick(hostileReferences))",
                "/api/v1/registries/\(id)/charts/web/versions", "/api/v1/registries/\(id)/charts/web/versions/1.0.0/values",
                "/api/v1/charts?q=web&limit=\(random.pick(hostileNumbers))&offset=\(random.pick(hostileNumbers))", "/api/v1/me",
                "/api/v1/system/gc", "/api/v1/system/registries", "/api/v1/login", "/api/v1/tenants/\(id)", "/api/v1/me/password",
                "/api/v1/profiles", "/api/v1/profiles?name=\(random.pick(hostileReferences))", "/api/v1/profiles/\(id)",
                "/api/v1/profiles/\(id)/layers", "/api/v1/profiles/\(id)/layers/\(random.pick(fixture.ids))", "/api/v1/profiles/\(id)/layers/order",
                "/api/v1/profiles/\(id)/versions", "/api/v1/profiles/\(id)/resolved", "/api/v1/profiles/\(id)/export",
                "/api/v1/profiles/import?repin=\(random.pick(["true", "x", ""]))", "/api/v1/profiles/\(id)/diff/\(random.pick(fixture.ids))",
                "/api/v1/profiles/\(id)/layers/import", "/api/v1/profiles/from-cluster", "/api/v1/clusters", "/api/v1/clusters/\(id)",
                "/api/v1/clusters/\(id)/discover", "/api/v1/clusters/\(id)/releases?namespace=\(random.pick(hostileReferences))",
                "/api/v1/clusters/\(id)/releases/default/\(random.pick(hostileReferences))", "/api/v1/clusters/\(id)/profile",
                "/api/v1/clusters/\(id)/status", "/api/v1/clusters/\(id)/drift", "/api/v1/clusters/\(id)/agent-token",
                "/api/v1/clusters/\(id)/agent-manifest",
            ])
            targetsOwner = fixture.ids.contains(id) && path.contains(id)
        case .agent:
            let id = random.pick(fixture.ids + ["x", ".."])
            path = random.pick([
                "/api/v1/agent/session", "/api/v1/agent/desired-state", "/api/v1/agent/desired-state?wait=\(random.pick(hostileNumbers))",
                "/api/v1/agent/registries/\(id)", "/api/v1/agent/status", "/api/v1/agent/releases", "/api/v1/agent/\(id)",
            ])
            if random.chance(60) { method = random.pick([.get, .post]) }
            // No agent reaches the owner's registries: none is in a profile attached to its cluster.
            targetsOwner = path.hasPrefix("/api/v1/agent/registries/") && fixture.ids.contains(id)
        }
        if random.chance(25) { headers.append(("Range", random.pick(hostileRanges))) }
        if random.chance(20) { headers.append(("Content-Range", random.pick(hostileContentRanges))) }
        if random.chance(60) { headers.append(("Content-Type", random.pick(contentTypes))) }
        if random.chance(10) { headers.append(("If-None-Match", random.pick(["*", "\"x\"", "W/\"y\"", ""]))) }
        if random.chance(10) { headers.append(("Accept-Encoding", random.pick(["gzip", "gzip;q=0", "br", "*;q=abc"]))) }
        if method == .get || method == .head, random.chance(70) { body = nil }
        return Shape(method: method, path: path, headers: headers, body: body, surface: surface, actor: actor, targetsOwner: targetsOwner)
    }

    /// Whether `response` is an error body in its protocol's format.
    static func isProtocolError(_ response: RawResponse, _ shape: Shape) -> Bool {
        if shape.method == .head { return true }
        let object = response.object
        switch shape.surface {
        case .oci: return (object?["errors"] as? [[String: Any]])?.first?["code"] is String
        case .classicFiles, .chartMuseum: return object?["error"] is String && object?["code"] is String
        case .rest, .agent: return response.error != nil
        }
    }

    /// The payload of a JWT, as text.
    static func claims(of token: String) -> String {
        let parts = token.split(separator: ".")
        guard parts.count == 3 else { return "" }
        var base64 = parts[1].replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    /// What a refused write must leave as it was.
    static func snapshot(_ server: TestServer, _ fixture: Fixture) async throws -> String {
        let catalog = try await server.request(.get, "/v2/_catalog?n=1000", headers: fixture.ownerBasic).text
        let charts = try await server.request(.get, "/api/acme/charts", headers: fixture.ownerBasic).text
        let tenants = try await server.request(.get, "/api/v1/tenants", token: fixture.systemToken).text
        let users = try await server.request(.get, "/api/v1/users", token: fixture.systemToken).text
        let registries = try await server.request(.get, "/api/v1/registries", token: fixture.ownerToken).text
        let profiles = try await server.request(.get, "/api/v1/profiles", token: fixture.ownerToken).text
        // The discovery state moves by itself (a discovery may finish at any time): names only.
        let clusters = (try await server.request(.get, "/api/v1/clusters", token: fixture.ownerToken).object?["items"] as? [[String: Any]] ?? [])
            .map { "\($0["id"] ?? "") \($0["name"] ?? "") \($0["server"] ?? "")" }.joined(separator: ",")
        return [catalog, charts, tenants, users, registries, profiles, clusters].joined(separator: "\n")
    }

    @Test("seeded grammar of hostile requests: no 5xx, protocol error formats, no cross-tenant success, refused writes change nothing, server alive")
    func fuzz() async throws {
        let environment = ProcessInfo.processInfo.environment
        let seed = environment["CHARTHOUSE_FUZZ_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 1...UInt64.max)
        let count = environment["CHARTHOUSE_FUZZ_REQUESTS"].flatMap(Int.init) ?? 1500
        print("request fuzzing: seed \(seed), \(count) requests (replay: CHARTHOUSE_FUZZ_SEED=\(seed))")
        // Sign-in limits are tested elsewhere; here they would only make the owner's checks depend
        // on how many wrong passwords a seed happened to send.
        let limits = ["CHARTHOUSE_LOGIN_LIMIT_PER_USER": "100000", "CHARTHOUSE_LOGIN_LIMIT_PER_ADDRESS": "1000000"]
        try await withStandin { standin in try await Self.fuzz(seed: seed, count: count, limits: limits, standin: standin) }
    }

    static func fuzz(seed: UInt64, count: Int, limits: [String: String], standin: KubeStandin) async throws {
        try await TestServer.with(.init(environment: limits)) { server in
            let cast = try await TwoTenants.make(on: server)
            let cluster = try await ClusterHelpers.importCluster(server, token: cast.adminA.token, standin: standin)
            let ownerBasic = HostedClassicTests.basic(cast.adminA.username, cast.adminA.password)
            try await ProtocolHardeningTests.upload(server, ownerBasic, "web", "1.0.0")
            let blob = try await OCIUploader(baseURL: server.baseURL.absoluteString, username: cast.adminA.username, password: cast.adminA.password)
                .pushBlob(Data("fuzz blob".utf8), repository: "acme/web")
            let registries = try await server.client(token: cast.adminA.token).listRegistries().ok.body.json.items
            // A profile with a layer from the hosted registry, for the profile routes to aim at.
            let owner = server.client(token: cast.adminA.token)
            let profile = try await owner.createProfile(body: .json(.init(name: "fuzzed", version: "1.0.0"))).created.body.json
            let hostedID = try #require(registries.first { $0.kind == .hosted && $0.scope == .tenant }?.id)
            let layered = try await owner.addProfileLayer(
                path: .init(id: profile.id),
                body: .json(.init(registryId: hostedID, chart: "web", version: "1.0.0", namespace: "web"))
            ).created.body.json
            // An agent cluster in each tenant, and its agent's access token.
            func agentToken(_ token: String) async throws -> String {
                let client = server.client(token: token)
                let edge = try await client.createCluster(body: .json(.init(mode: .agent, name: "fuzz-edge"))).created.body.json
                let registration = try await client.issueAgentToken(path: .init(id: edge.id)).created.body.json.token
                return try #require(try await AgentTokenTests.session(server, registration).token)
            }
            let fixture = Fixture(
                ownerBasic: ownerBasic,
                otherBasic: HostedClassicTests.basic(cast.adminB.username, cast.adminB.password),
                ownerToken: cast.adminA.token,
                ownerAPIToken: try #require(
                    try await server.request(.post, "/api/v1/tokens", token: cast.adminA.token, headers: jsonHeaders, body: json(["name": "fuzz"]))
                        .object?["token"] as? String
                ),
                otherToken: cast.adminB.token,
                systemToken: cast.systemAdminToken,
                ownerAgentToken: try await agentToken(cast.adminA.token),
                otherAgentToken: try await agentToken(cast.adminB.token),
                blobDigest: blob,
                // The owner's own user is left out: deleting it (as the system administrator may) would
                // end the credentials the checks read with, and every later comparison would be moot.
                ids: [cast.memberA.id] + registries.filter { $0.scope == .tenant }.map(\.id) + [profile.id] + layered.layers.map(\.id) + [cluster.id]
            )
            var random = Random(state: seed)
            var statuses: [Int: Int] = [:]
            for index in 0..<count {
                let shape = Self.generate(&random, fixture)
                let mutating = ![HTTPMethod.get, .head].contains(shape.method)
                let before = mutating ? try await Self.snapshot(server, fixture) : ""
                let response = try await server.request(shape.method, shape.path, headers: shape.headers, body: shape.body)
                statuses[response.status, default: 0] += 1
                let label =
                    "#\(index) seed \(seed): \(shape.method) \(shape.path) as \(shape.actor) → \(response.status) \(response.text.prefix(300))"
                #expect(response.status < 500, "\(label)")
                if response.status >= 400 {
                    #expect(Self.isProtocolError(response, shape), "error body not in the protocol's format: \(label)")
                }
                if shape.targetsOwner, shape.actor != "owner" || shape.surface == .agent, shape.surface != .rest || shape.actor == "other" {
                    #expect(!(200..<300).contains(response.status), "another tenant or an anonymous caller succeeded: \(label)")
                }
                // A token an outsider gets grants nothing of the owner's repositories.
                if shape.path.hasPrefix("/v2/token"), shape.actor != "owner", let token = response.object?["token"] as? String {
                    #expect(!Self.claims(of: token).contains("acme/"), "a token for an outsider grants the owner's repository: \(label)")
                }
                if shape.path.hasPrefix("/v2/_catalog"), shape.actor != "owner", response.status == 200 {
                    #expect(!response.text.contains("acme/"), "the catalog shows an outsider the owner's repositories: \(label)")
                }
                if mutating, response.status >= 400 {
                    let after = try await Self.snapshot(server, fixture)
                    #expect(before == after, "a refused request changed what is stored: \(label)")
                    if before != after { break }
                }
                if index % 50 == 49 { #expect(try await server.request(.get, "/healthz").status == 200, "after \(label)") }
            }
            #expect(try await server.request(.get, "/healthz").status == 200)
            print("request fuzzing: seed \(seed), statuses \(statuses.sorted { $0.key < $1.key })")
        }
    }
}
