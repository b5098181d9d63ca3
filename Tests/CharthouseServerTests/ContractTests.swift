import CharthouseAPI
import Foundation
import HTTPTypes
import TestSupport
import Testing

/// schemathesis (PyPI) against the running server and the `openapi.yaml` it serves: every
/// operation, generated valid and invalid requests, as a tenant administrator and as the system
/// administrator. No 5xx, every response valid against its schema, every status documented,
/// undeclared methods 405 with `Allow`, authentication never ignored.
///
/// `positive_data_acceptance` is left out on purpose: rules the schema cannot state (deleting
/// yourself, a registry that fails its live check, a name taken) refuse schema-valid requests.
/// Seeded (`CHARTHOUSE_SCHEMATHESIS_SEED`, default 1); `CHARTHOUSE_SCHEMATHESIS_EXAMPLES` sets the
/// cases per operation (default 100, about 3,500 requests a pass).
@Suite("OpenAPI contract: schemathesis against the running server")
struct ContractTests {
    /// What only the system administrator may do (the tenant pass sees 403s there). Its session
    /// is not handed to `logout` or `changeMyPassword`: the tenant pass covers those.
    static let systemOperations = [
        "listTenants", "createTenant", "getTenant", "updateTenant", "deleteTenant", "collectGarbage", "createSystemRegistry", "updateUser",
    ]

    func schemathesis(_ server: TestServer, token: String, filter: [String], seed: String, examples: String) async throws -> Shell.Result {
        let st = try Shell.require("st")
        return try await Shell.runDetached(
            [
                st, "run", server.baseURL.absoluteString + "/openapi.yaml", "--url", server.baseURL.absoluteString,
                "--header", "Authorization: Bearer \(token)", "--checks", "all", "--exclude-checks", "positive_data_acceptance",
                "--max-examples", examples, "--seed", seed, "--workers", "1", "--request-timeout", "30", "--no-color",
                // Response times are a benchmark's business: a loaded test machine must not fail a contract test.
                "--max-response-time", "30",
            ] + filter,
            check: false
        )
    }

    @Test("schemathesis finds no failure in any operation, as a tenant admin and as the system admin")
    func schemathesisRun() async throws {
        let environment = ProcessInfo.processInfo.environment
        let seed = environment["CHARTHOUSE_SCHEMATHESIS_SEED"] ?? "1"
        let examples = environment["CHARTHOUSE_SCHEMATHESIS_EXAMPLES"] ?? "100"
        try await TestServer.with(.init(registryTimeout: 2)) { server in
            let cast = try await TwoTenants.make(on: server)
            // A chart with values, README and schema, so the chart-file operations have something to read.
            try await ProtocolHardeningTests.upload(
                server,
                HostedClassicTests.basic(cast.adminA.username, cast.adminA.password),
                "web",
                "1.0.0",
                files: [
                    "values.yaml": "replicaCount: 1\nimage:\n  tag: \"1.0\"\n", "README.md": "# web\n", "values.schema.json": "{\"type\":\"object\"}",
                ]
            )
            // An API token, not a session: `logout` must not end the run's credentials (it answers
            // 422 to an API token), and a wrong old password to `changeMyPassword` is a 422.
            let apiToken = try await server.client(token: cast.adminA.token).createToken(body: .json(.init(name: "schemathesis"))).created.body
                .json.token
            let tenantPass = try await schemathesis(server, token: apiToken, filter: [], seed: seed, examples: examples)
            print("schemathesis as a tenant admin (seed \(seed)):\n" + tenantPass.stdout.suffix(600))
            #expect(
                tenantPass.status == 0,
                "schemathesis failed (seed \(seed)):\n\(tenantPass.stdout.suffix(20_000))\n\(tenantPass.stderr.suffix(2000))"
            )
            #expect(tenantPass.stdout.contains(" passed"), "\(tenantPass.stdout.suffix(2000))")
            let systemFilter = Self.systemOperations.flatMap { ["--include-operation-id", $0] }
            let systemPass = try await schemathesis(server, token: cast.systemAdminToken, filter: systemFilter, seed: seed, examples: examples)
            print("schemathesis as the system admin (seed \(seed)):\n" + systemPass.stdout.suffix(600))
            #expect(
                systemPass.status == 0,
                "schemathesis failed (seed \(seed)):\n\(systemPass.stdout.suffix(20_000))\n\(systemPass.stderr.suffix(2000))"
            )
            #expect(try await server.request(.get, "/healthz").status == 200)
        }
    }

    @Test("a method an operation's path lacks is 405 with Allow, in the REST error format")
    func undeclaredMethods() async throws {
        try await TestServer.with { server in
            let root = try await server.adminToken()
            let trace = try await server.request(.put, "/api/v1/tenants", token: root)
            expectError(trace, 405, "method_not_allowed")
            #expect(trace.headers["allow"] == "GET, POST, HEAD")
            let item = try await server.request(.put, "/api/v1/users/some-id", token: root)
            expectError(item, 405, "method_not_allowed")
            #expect(item.headers["allow"] == "GET, PATCH, DELETE, HEAD")
            expectError(try await server.request(.get, "/api/v1/nothing-here", token: root), 404, "not_found")
        }
    }
}
