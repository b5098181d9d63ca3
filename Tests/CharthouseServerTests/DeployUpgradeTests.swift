import CharthouseAPI
import Foundation
import KubeStandin
import TestSupport
import Testing

/// Profile upgrades and failures on a cluster, with the agent and the real helm.
@Suite("Deploy: upgrades, fail-closed digests, failing charts, orphaning")
struct DeployUpgradeTests {
    static let brokenTemplate = """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: broken
        data:
          x: {{ required "x is required by this chart" .Values.x | quote }}
        """

    @Test("helm 3: an upgrade bumps, removes and adds layers; a tampered archive installs nothing; a failing chart holds the layers after it")
    func upgradeAndFailures() async throws {
        try await ProfileTests.withRepository { server, cast, repository in
            try await withStandin { standin in
                let client = server.client(token: cast.adminA.token)
                let basic = HostedClassicTests.basic(cast.adminA.username, cast.adminA.password)
                try await ProtocolHardeningTests.upload(server, basic, "own", "0.2.0")
                try await ProtocolHardeningTests.upload(server, basic, "broken", "0.1.0", files: ["templates/cm.yaml": Self.brokenTemplate])
                let hosted = try #require(try await client.listRegistries().ok.body.json.items.first { $0.kind == .hosted && $0.scope == .tenant })

                func layer(_ profile: String, _ registry: String, _ chart: String, _ version: String, _ namespace: String) async throws {
                    _ = try await client.addProfileLayer(
                        path: .init(id: profile),
                        body: .json(.init(registryId: registry, chart: chart, version: version, namespace: namespace))
                    ).created
                }
                func publish(_ id: String) async throws {
                    _ = try await client.updateProfile(path: .init(id: id), body: .json(.init(state: .published))).ok
                }
                func attach(_ id: String) async throws {
                    _ = try await client.attachProfile(path: .init(id: cluster.id), body: .json(.init(profileId: id, onDetach: .orphan))).ok
                }
                let v1 = try await client.createProfile(body: .json(.init(name: "apps", version: "1.0.0"))).created.body.json
                try await layer(v1.id, repository.registryID, "web", "1.1.0", "web")
                try await layer(v1.id, repository.registryID, "worker", "0.3.0", "jobs")
                try await publish(v1.id)
                let cluster = try await client.createCluster(body: .json(.init(mode: .agent, name: "edge"))).created.body.json
                try await attach(v1.id)
                let token = try await client.issueAgentToken(path: .init(id: cluster.id)).created.body.json.token
                // helm 3 here (the other deploy test runs helm 4).
                let agent = try AgentRun(server: server, token: token, standin: standin, helmMajor: 3)
                defer { agent.remove() }
                _ = try await DeployHelpers.waitForDeployed(server, token: cast.adminA.token, clusterID: cluster.id, count: 2)
                #expect(try await DeployHelpers.helmList(standin) == ["web/web": "web-1.1.0", "jobs/worker": "worker-0.3.0"])

                // 1.1.0: web bumped, worker removed, own added.
                let v2 = try await client.createProfileVersion(path: .init(id: v1.id), body: .json(.init(version: "1.1.0"))).created.body.json
                let web = try #require(v2.layers.first { $0.releaseName == "web" })
                let worker = try #require(v2.layers.first { $0.releaseName == "worker" })
                _ = try await client.updateProfileLayer(path: .init(id: v2.id, layerId: web.id), body: .json(.init(version: "1.2.0"))).ok
                _ = try await client.deleteProfileLayer(path: .init(id: v2.id, layerId: worker.id)).ok
                try await layer(v2.id, hosted.id, "own", "0.2.0", "apps")
                try await publish(v2.id)
                try await attach(v2.id)
                let upgraded = try await DeployHelpers.waitForStatus(server, token: cast.adminA.token, clusterID: cluster.id, "the upgrade") {
                    $0.layers.count == 2 && $0.layers.allSatisfy { $0.phase == .deployed }
                }
                #expect(upgraded.layers.map(\.releaseName) == ["web", "own"])
                #expect(upgraded.layers.map(\.revision) == [2, 1])
                #expect(try await DeployHelpers.helmList(standin) == ["web/web": "web-1.2.0", "apps/own": "own-0.2.0"])

                // 1.2.0: worker again, but its archive was tampered with upstream: it fails closed and
                // holds the layer after it.
                let v3 = try await client.createProfileVersion(path: .init(id: v2.id), body: .json(.init(version: "1.2.0"))).created.body.json
                try await layer(v3.id, repository.registryID, "worker", "0.3.0", "jobs")
                try await layer(v3.id, hosted.id, "broken", "0.1.0", "broken")
                try await publish(v3.id)
                let workerArchive = repository.folder.appendingPathComponent("worker-0.3.0.tgz")
                try FileManager.default.removeItem(at: workerArchive)
                try FileManager.default.copyItem(at: repository.folder.appendingPathComponent("web-1.0.0.tgz"), to: workerArchive)
                try await attach(v3.id)
                let tampered = try await DeployHelpers.waitForStatus(server, token: cast.adminA.token, clusterID: cluster.id, "the failed pull") {
                    $0.layers.first { $0.releaseName == "worker" }?.phase == .failed
                }
                let failedWorker = try #require(tampered.layers.first { $0.releaseName == "worker" })
                #expect(failedWorker.message?.contains("digest mismatch") == true, "\(failedWorker.message ?? "")")
                #expect(tampered.layers.first { $0.releaseName == "broken" }?.phase == .pending)
                #expect(tampered.layers.filter { ["web", "own"].contains($0.releaseName) }.allSatisfy { $0.phase == .deployed && $0.revision != 3 })
                #expect(try await DeployHelpers.helmList(standin) == ["web/web": "web-1.2.0", "apps/own": "own-0.2.0"])

                // 1.3.0: broken first: helm's own error is shown, the layers after it are held.
                let v4 = try await client.createProfile(body: .json(.init(name: "apps", version: "1.3.0"))).created.body.json
                try await layer(v4.id, hosted.id, "broken", "0.1.0", "broken")
                try await layer(v4.id, repository.registryID, "web", "1.2.0", "web")
                try await publish(v4.id)
                try await attach(v4.id)
                let failing = try await DeployHelpers.waitForStatus(server, token: cast.adminA.token, clusterID: cluster.id, "the failed install") {
                    $0.layers.first { $0.releaseName == "broken" }?.phase == .failed
                        && !$0.layers.contains { ["own", "worker"].contains($0.releaseName) }
                }
                let broken = try #require(failing.layers.first { $0.releaseName == "broken" })
                #expect(broken.message?.contains("x is required by this chart") == true, "\(broken.message ?? "")")
                #expect(broken.attempts >= 1)
                #expect(failing.layers.map(\.releaseName) == ["broken", "web"])
                #expect(try await DeployHelpers.helmList(standin) == ["web/web": "web-1.2.0"])

                // Detached with orphan: the releases stay, unmanaged.
                _ = try await client.detachProfile(path: .init(id: cluster.id)).noContent
                _ = try await DeployHelpers.waitForStatus(server, token: cast.adminA.token, clusterID: cluster.id, "the detach") { $0.layers.isEmpty }
                try await Task.sleep(for: .seconds(2))
                await agent.stop()
                #expect(try await DeployHelpers.helmList(standin) == ["web/web": "web-1.2.0"])
            }
        }
    }
}
