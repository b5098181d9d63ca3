import CharthouseAPI
import Foundation
import KubeStandin
import TestSupport
import Testing

/// The console with clusters at work and its administration pages, in a real browser (see
/// ``ConsoleBrowserTests``): the agent runs in this process against the Kubernetes API stand-in
/// with the real helm.
@Suite("Console in a real browser: deployments and administration")
struct ConsoleDeployBrowserTests {
    @Test(
        "Import from Cluster in Add layer; a profile attached to an agent cluster, its layers deployed and its drift filled in without a reload; Discover now; detach; a member and tenant B"
    )
    func deploy() async throws {
        let folder = try ChartFixtures.classicRepository([("hello", "1.0.0")])
        defer { try? FileManager.default.removeItem(at: folder) }
        let nginx = try await NginxServer(serving: folder)
        defer { nginx.stop() }
        try await withStandin { standin in
            // A brownfield release: installed by hand from the very archive the registry serves.
            try await ConsoleBrowserTests.installBrownfield(from: folder, into: standin)
            try await TestServer.with { server in
                let cast = try await TwoTenants.make(on: server)
                let client = server.client(token: cast.adminA.token)
                let registry = try await client.createRegistry(
                    body: .json(.init(name: "charts", endpoint: nginx.baseURL, noAuthentication: true))
                ).created.body.json
                #expect(try await CatalogSyncTests.waitForSync(server, token: cast.adminA.token, id: registry.id).syncState == .ok)
                let cluster = try await client.createCluster(body: .json(.init(mode: .agent, name: "edge"))).created.body.json
                let token = try await client.issueAgentToken(path: .init(id: cluster.id)).created.body.json
                let agent = try AgentRun(server: server, token: token.token, standin: standin)
                defer { agent.remove() }
                _ = try await DeployHelpers.eventually("the agent's first discovery") {
                    try await client.getCluster(path: .init(id: cluster.id)).ok.body.json
                } until: {
                    $0.releases == 1
                }
                let config: [String: Any] = [
                    "adminA": ConsoleBrowserTests.user(cast.adminA), "memberA": ConsoleBrowserTests.user(cast.memberA),
                    "adminB": ConsoleBrowserTests.user(cast.adminB), "clusterID": cluster.id,
                ]
                do {
                    try await ConsoleBrowserTests.browse(["deploy", "deploy_member", "deploy_isolation"], server: server, config: config)
                } catch {
                    await agent.stop()
                    throw error
                }
                await agent.stop()

                // What the browser did, as the API sees it.
                let profiles = try await client.listProfiles().ok.body.json.items.flatMap(\.versions)
                let stack = try #require(profiles.first { $0.name == "edge-stack" })
                #expect(stack.state == .published)
                #expect(
                    stack.layers.map { "\($0.namespace)/\($0.releaseName):\($0.source.rawValue)" } == ["web/hello:imported", "apps/greeter:catalog"]
                )
                let copy = try #require(profiles.first { $0.name == "edge-copy" })
                #expect(copy.state == .draft && copy.layers.count == 2 && copy.layers.allSatisfy { $0.source == .imported })
                let releases = try await client.listClusterReleases(path: .init(id: cluster.id)).ok.body.json.items
                #expect(releases.isEmpty, "detaching uninstalled both: \(releases.map(\.name))")
                let other = try await server.client(token: cast.adminB.token).listProfiles().ok.body.json.items.flatMap(\.versions)
                #expect(other.map(\.name) == ["b-stack"] && other.allSatisfy(\.layers.isEmpty))
            }
        }
    }

    @Test("users, API tokens and tenants by keyboard alone; a member sees no admin action; the system administrator's pages")
    func administration() async throws {
        try await TestServer.with { server in
            let cast = try await TwoTenants.make(on: server)
            let config: [String: Any] = [
                "adminA": ConsoleBrowserTests.user(cast.adminA), "memberA": ConsoleBrowserTests.user(cast.memberA),
                "system": ["username": "admin", "password": TestServer.adminPassword],
            ]
            try await ConsoleBrowserTests.browse(["admin_users", "admin_member", "admin_system"], server: server, config: config)
            // What the browser did, as the API sees it.
            let root = server.client(token: try await server.adminToken())
            let tenants = try await root.listTenants().ok.body.json.items.map(\.name)
            #expect(Set(tenants) == ["acme", "globex"])
            let system = try await server.client(token: cast.adminA.token).listRegistries().ok.body.json.items.filter { $0.scope == .system }
            #expect(system.map(\.name).contains("stable-mirror"), "tenants see the system registry the system administrator added")
            let users = try await server.client(token: cast.adminA.token).listUsers().ok.body.json.items.map(\.username)
            #expect(!users.contains("carol"))
            let tokens = try await server.client(token: cast.adminA.token).listTokens().ok.body.json.items
            #expect(tokens.map(\.name) == ["laptop"], "the admin's token revoked, the member's kept")
        }
    }
}
