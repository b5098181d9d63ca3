import CharthouseAPI
import Foundation
import HTTPTypes
import TestSupport
import Testing

/// A push writes its manifest and its catalog change in one transaction; racing pushes leave the
/// catalog's chart rows complete.
@Suite("Hosted registries: pushes and the catalog stay in step")
struct HostedConsistencyTests {
    /// A chart archive made in memory.
    static func archive(_ chart: String, _ version: String) throws -> Data {
        Data(try ArchiveCrafter.tgz([ArchiveCrafter.Member("\(chart)/Chart.yaml", "apiVersion: v2\nname: \(chart)\nversion: \(version)\n")]))
    }

    @Test("versions pushed at once: every one in the catalog, the chart row counts them all")
    func concurrentPushes() async throws {
        try await TestServer.with { server in
            let cast = try await TwoTenants.make(on: server)
            let admin = HostedClassicTests.basic(cast.adminA.username, cast.adminA.password)
            let versions = (0..<12).map { "1.\($0).0" }
            let archives = try versions.map { try Self.archive("web", $0) }
            // Two rounds of six at once: racing pushes, within the test client's connection limit
            // (8 per host; more would wait for a connection, and time out on a loaded machine).
            for round in stride(from: 0, to: archives.count, by: 6) {
                try await withThrowingTaskGroup(of: Int.self) { group in
                    for archive in archives[round..<min(round + 6, archives.count)] {
                        group.addTask { try await server.request(.post, "/api/acme/charts", headers: admin, body: archive).status }
                    }
                    for try await status in group { #expect(status == 201) }
                }
            }
            let client = server.client(token: cast.adminA.token)
            let hosted = try #require(try await client.listRegistries().ok.body.json.items.first { $0.name == "hosted" })
            let listed = try await client.listChartVersions(path: .init(id: hosted.id, chart: "web")).ok.body.json.items.map(\.version)
            #expect(Set(listed) == Set(versions))
            let chart = try #require(try await client.listRegistryCharts(path: .init(id: hosted.id)).ok.body.json.items.first)
            #expect(chart.versions == 12, "the chart row counts every version")
            #expect(chart.latestVersion == "1.11.0")
            #expect(try await client.getRegistry(path: .init(id: hosted.id)).ok.body.json.versions == 12)
        }
    }

    @Test("when the catalog write fails the push fails whole: no manifest, no tag, nothing in index.yaml")
    func catalogFailureStoresNothing() async throws {
        try await TestServer.with { server in
            let cast = try await TwoTenants.make(on: server)
            let admin = HostedClassicTests.basic(cast.adminA.username, cast.adminA.password)
            try await server.poisonCatalog()
            let refused = try await server.request(.post, "/api/acme/charts", headers: admin, body: try Self.archive("poison", "1.0.0"))
            #expect(refused.status == 500, "\(refused.text)")
            let manifest = try await server.request(.get, "/v2/acme/poison/manifests/1.0.0", headers: admin)
            #expect(manifest.status == 404, "no manifest left behind: \(manifest.text)")
            #expect(!(try await server.request(.get, "/charts/acme/index.yaml", headers: admin).text.contains("poison")))
            #expect(try await server.request(.get, "/api/acme/charts/poison", headers: admin).status == 404)

            try await server.curePoisonedCatalog()
            #expect(try await server.request(.post, "/api/acme/charts", headers: admin, body: try Self.archive("poison", "1.0.0")).status == 201)
            #expect(try await server.request(.get, "/charts/acme/index.yaml", headers: admin).text.contains("poison-1.0.0.tgz"))
        }
    }
}
