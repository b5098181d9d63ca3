import CharthouseAPI
import Foundation
import HTTPTypes
import TestSupport
import Testing

@Suite("Health, readiness and the served OpenAPI document")
struct HealthTests {
    @Test("healthz and readyz answer without a token")
    func health() async throws {
        try await TestServer.with { server in
            let health = try await server.client().getHealth().ok.body.json
            let readiness = try await server.client().getReadiness().ok.body.json
            #expect(health.status == "ok")
            #expect(readiness.status == "ok")
        }
    }

    @Test(
        "readyz answers 503 with a JSON error when PostgreSQL loses the database",
        .enabled(if: TestServer.databaseEngine == "postgres", "only a server database can vanish under a running server")
    )
    func readinessFailure() async throws {
        var options = TestServer.Options()
        options.ownPostgresDatabase = true
        try await TestServer.with(options) { server in
            #expect(try await server.request(.get, "/readyz").status == 200)
            try await PostgresServer.shared.dropDatabase(url: try #require(server.databaseURL))
            let response = try await server.request(.get, "/readyz")
            expectError(response, 503, "unavailable")
            #expect(try await server.request(.get, "/healthz").status == 200)
        }
    }

    @Test("GET /openapi.yaml serves the contract the client was generated from")
    func openAPIDocument() async throws {
        try await TestServer.with { server in
            let response = try await server.request(.get, "/openapi.yaml")
            #expect(response.status == 200)
            #expect(response.headers["content-type"]?.hasPrefix("application/yaml") == true)
            #expect(response.body == (try CharthouseAPIDocument.openAPIDocument()))
            #expect(response.text.contains("operationId: createTenant"))
            let head = try await server.request(.head, "/openapi.yaml")
            #expect(head.status == 200 && head.body.isEmpty)
            #expect(head.headers["content-length"] == "\(response.body.count)" && head.headers["content-type"] == response.headers["content-type"])
        }
    }
}
