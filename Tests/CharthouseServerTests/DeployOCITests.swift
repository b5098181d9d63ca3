import CharthouseAPI
import Foundation
import KubeStandin
import TestSupport
import Testing

/// Charts over OCI deployed by the agent: one from a synced CNCF distribution with basic auth,
/// pulled by manifest digest, and one from a protected distribution that only the agent reaches.
@Suite("Deploy: the agent pulls charts over OCI, from synced and protected registries")
struct DeployOCITests {
    @Test("a synced OCI layer (pinned by digest) and a protected OCI layer (typed by hand) deployed; the protected registry saw only the agent")
    func ociLayers() async throws {
        let syncedCredentials = Credentials(username: "sync", password: "synced-secret")
        let synced = try await DistributionRegistry(credentials: syncedCredentials)
        defer { synced.stop() }
        let vaultCredentials = Credentials(username: "private", password: "only-the-agent-knows")
        let vault = try await DistributionRegistry(credentials: vaultCredentials, accessLog: true)
        defer { vault.stop() }
        try await ChartFixtures.push(name: "cache", version: "7.1.0", to: synced, path: "charts", helmMajor: 4)
        try await ChartFixtures.push(name: "secrets", version: "2.0.0", to: vault, path: "vault", helmMajor: 4)
        // Everything the registry serves from here on is the agent's.
        let before = vault.requestsWithUserAgents().count

        try await TestServer.with { server in
            try await withStandin { standin in
                let cast = try await TwoTenants.make(on: server)
                let client = server.client(token: cast.adminA.token)
                let oci = try await client.createRegistry(
                    body: .json(
                        .init(
                            name: "oci",
                            endpoint: "oci://\(synced.host)/charts",
                            username: syncedCredentials.username,
                            password: syncedCredentials.password,
                            plainHTTP: true
                        )
                    )
                ).created.body.json
                #expect(try await CatalogSyncTests.waitForSync(server, token: cast.adminA.token, id: oci.id).syncState == .ok)
                let protected = try await client.createRegistry(
                    body: .json(
                        .init(
                            name: "vault",
                            endpoint: "oci://\(vault.host)/vault",
                            protected: true,
                            username: vaultCredentials.username,
                            password: vaultCredentials.password,
                            plainHTTP: true
                        )
                    )
                ).created.body.json

                let profile = try await client.createProfile(body: .json(.init(name: "oci-stack", version: "1.0.0"))).created.body.json
                for (registry, chart, version, namespace) in [(oci.id, "cache", "^7", "cache"), (protected.id, "secrets", "2.0.0", "vault")] {
                    _ = try await client.addProfileLayer(
                        path: .init(id: profile.id),
                        body: .json(.init(registryId: registry, chart: chart, version: version, namespace: namespace))
                    ).created
                }
                _ = try await client.updateProfile(path: .init(id: profile.id), body: .json(.init(state: .published))).ok
                let cluster = try await client.createCluster(body: .json(.init(mode: .agent, name: "private-edge"))).created.body.json
                _ = try await client.attachProfile(path: .init(id: cluster.id), body: .json(.init(profileId: profile.id))).ok
                let token = try await client.issueAgentToken(path: .init(id: cluster.id)).created.body.json.token

                let agent = try AgentRun(server: server, token: token, standin: standin, helmMajor: 3)
                defer { agent.remove() }
                let status = try await DeployHelpers.waitForDeployed(server, token: cast.adminA.token, clusterID: cluster.id, count: 2)
                #expect(status.layers.map(\.mode) == [.tenant, .protected])
                #expect(status.layers.map(\.version) == ["7.1.0", "2.0.0"])
                // The synced layer is pinned and installed with exactly that archive; the protected
                // one is pinned by nothing but its tag, and its installed digest is reported.
                #expect(status.layers[0].digest != nil && status.layers[0].installedDigest == status.layers[0].digest)
                #expect(status.layers[1].digest == nil && status.layers[1].installedDigest?.hasPrefix("sha256:") == true)
                #expect(try await DeployHelpers.helmList(standin, major: 3) == ["cache/cache": "cache-7.1.0", "vault/secrets": "secrets-2.0.0"])

                // The protected registry was reached by the agent alone, by tag, with its credentials.
                let served = Array(vault.requestsWithUserAgents().dropFirst(before))
                #expect(served.contains { $0.hasPrefix("GET /v2/vault/secrets/manifests/2.0.0 200 ") }, "\(served)")
                #expect(served.contains { $0.hasPrefix("GET /v2/vault/secrets/blobs/sha256:") && $0.contains(" 200 ") }, "\(served)")
                #expect(!served.isEmpty && served.allSatisfy { $0.contains(" \"charthouse-agent/") }, "\(served)")
                await agent.stop()
            }
        }
    }
}
