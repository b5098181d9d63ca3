import CharthouseAPI
import Foundation
import HTTPTypes
import KubeStandin
import TestSupport
import Testing

/// A profile deployed by the agent with the real helm into the Kubernetes API stand-in: one
/// layer from the system registry, one from the hosted registry, one from a synced classic
/// repository and one from a protected repository that only the agent reaches.
@Suite("Deploy: the agent installs an attached profile with the real helm")
struct DeployTests {
    @Test("system, hosted, synced and protected layers deployed in order with cluster values and a variable; drift seen; detach uninstalls")
    func deployEveryKind() async throws {
        let protectedFolder = try ChartFixtures.classicRepository([("vault", "1.4.0")])
        defer { try? FileManager.default.removeItem(at: protectedFolder) }
        let protectedCredentials = Credentials(username: "private", password: "only-the-agent-knows")
        let protected = try await NginxServer(serving: protectedFolder, credentials: protectedCredentials)
        defer { protected.stop() }
        try await ProfileTests.withRepository { server, cast, repository in
            try await withStandin { standin in
                let client = server.client(token: cast.adminA.token)
                // The system registry: the same repository, added by the system administrator.
                let systemID = try await ProfileTests.systemRegistry(server, cast, repository)
                try await ProtocolHardeningTests.upload(server, HostedClassicTests.basic(cast.adminA.username, cast.adminA.password), "own", "0.2.0")
                let hosted = try #require(try await client.listRegistries().ok.body.json.items.first { $0.kind == .hosted && $0.scope == .tenant })
                let vault = try await client.createRegistry(
                    body: .json(
                        .init(
                            name: "private",
                            endpoint: protected.baseURL,
                            protected: true,
                            username: protectedCredentials.username,
                            password: protectedCredentials.password
                        )
                    )
                ).created.body.json

                let draft = try await client.createProfile(
                    body: .json(.init(name: "stack", version: "1.0.0", variables: [.init(name: "greeting", required: true)]))
                ).created.body.json
                for (registry, chart, version, namespace, values) in [
                    (systemID, "worker", "0.3.0", "base", ""), (hosted.id, "own", "0.2.0", "apps", ""),
                    (repository.registryID, "web", "1.1.0", "web", "replicaCount: 1\nmessage: \"{{ .charthouse.var.greeting }}, world\"\n"),
                    (vault.id, "vault", "1.4.0", "vault", ""),
                ] {
                    _ = try await client.addProfileLayer(
                        path: .init(id: draft.id),
                        body: .json(.init(registryId: registry, chart: chart, version: version, namespace: namespace, values: values))
                    ).created
                }
                // A draft cannot be attached; the published one can.
                let cluster = try await client.createCluster(body: .json(.init(mode: .agent, name: "edge"))).created.body.json
                #expect(cluster.mode == .agent && cluster.server.isEmpty)
                let early = try await server.request(
                    .put,
                    "/api/v1/clusters/\(cluster.id)/profile",
                    token: cast.adminA.token,
                    headers: jsonHeaders,
                    body: json(["profileId": draft.id])
                )
                #expect(early.status == 422 && early.text.contains("draft"), "\(early.text)")
                let published = try await client.updateProfile(path: .init(id: draft.id), body: .json(.init(state: .published))).ok.body.json
                #expect(published.variables.map(\.name) == ["greeting"])
                // A required variable without a value is refused.
                let missing = try await server.request(
                    .put,
                    "/api/v1/clusters/\(cluster.id)/profile",
                    token: cast.adminA.token,
                    headers: jsonHeaders,
                    body: json(["profileId": published.id])
                )
                #expect(missing.status == 422 && missing.text.contains("greeting"), "\(missing.text)")
                let attached = try await client.attachProfile(
                    path: .init(id: cluster.id),
                    body: .json(
                        .init(
                            profileId: published.id,
                            values: .init(additionalProperties: ["web": "replicaCount: 2\n"]),
                            variables: .init(additionalProperties: ["greeting": "hello"])
                        )
                    )
                ).ok.body.json
                #expect(attached.values.additionalProperties == ["web/web": "replicaCount: 2\n"])

                let token = try await client.issueAgentToken(path: .init(id: cluster.id)).created.body.json
                #expect(token.token.hasPrefix("chr_") && token.manifest.contains(token.token))
                // The manifest is what the real kubectl applies.
                let kubectl = try HelmCLI(major: 4)
                defer { kubectl.removeHome() }
                let manifestFile = standin.directory.appendingPathComponent("agent.yaml")
                try Data(token.manifest.utf8).write(to: manifestFile)
                let applied = try await Shell.runDetached([
                    kubectl.kubectl, "apply", "-f", manifestFile.path, "--kubeconfig", standin.kubeconfig.path,
                ])
                for object in [
                    "namespace/charthouse-system", "serviceaccount/charthouse-agent", "clusterrolebinding.rbac.authorization.k8s.io/charthouse-agent",
                    "secret/charthouse-agent-token", "deployment.apps/charthouse-agent",
                ] {
                    #expect(applied.stdout.contains("\(object) created"), "\(applied.stdout)\(applied.stderr)")
                }
                let agent = try AgentRun(server: server, token: token.token, standin: standin)
                defer { agent.remove() }
                let status = try await DeployHelpers.waitForDeployed(server, token: cast.adminA.token, clusterID: cluster.id, count: 4)
                #expect(status.layers.map(\.releaseName) == ["worker", "own", "web", "vault"])
                #expect(status.layers.map(\.mode) == [.system, .hosted, .tenant, .protected])
                #expect(status.layers.allSatisfy { $0.revision == 1 && $0.installedDigest?.hasPrefix("sha256:") == true })
                #expect(status.layers[0..<3].allSatisfy { $0.installedDigest == $0.digest })

                // What the real helm sees in the cluster.
                let releases = try await DeployHelpers.helmList(standin)
                #expect(releases == ["base/worker": "worker-0.3.0", "apps/own": "own-0.2.0", "web/web": "web-1.1.0", "vault/vault": "vault-1.4.0"])
                let values = try await DeployHelpers.helmValues(standin, namespace: "web", release: "web")
                #expect(values["replicaCount"] as? Int == 2 && values["message"] as? String == "hello, world", "\(values)")

                // The protected repository served the agent, never the server.
                let agents = protected.requestsWithUserAgents()
                #expect(agents.contains { $0.hasPrefix("GET /vault-1.4.0.tgz 200 \"charthouse-agent/") }, "\(agents)")
                #expect(!agents.contains { $0.hasSuffix("\"Charthouse\"") }, "\(agents)")

                // Discovery through the agent: exactly the releases it installed.
                let discovered = try await DeployHelpers.waitForReleases(server, token: cast.adminA.token, clusterID: cluster.id, count: 4)
                #expect(Set(discovered.map { "\($0.namespace)/\($0.name)" }) == Set(releases.keys))
                let clean = try await client.getDriftReport(path: .init(id: cluster.id)).ok.body.json
                #expect(clean.layers.map(\.state) == [.inSync, .inSync, .inSync, .inSync], "\(clean.layers)")
                #expect(clean.unmanaged.isEmpty)

                // A change by hand with the real helm shows as drift.
                let helm = try HelmCLI(major: 4)
                defer { helm.removeHome() }
                let chart = agent.stateDirectory.appendingPathComponent("charts/web.web.tgz").path
                try await helm.runDetached([
                    "upgrade", "web", chart, "-n", "web", "--reuse-values", "--set", "replicaCount=5", "--kubeconfig", standin.kubeconfig.path,
                ])
                try await helm.runDetached(["install", "stray", chart, "-n", "other", "--create-namespace", "--kubeconfig", standin.kubeconfig.path])
                let drifted = try await DeployHelpers.waitForDrift(server, token: cast.adminA.token, clusterID: cluster.id) { report in
                    report.layers.first { $0.releaseName == "web" }?.state == .drifted && !report.unmanaged.isEmpty
                }
                let web = try #require(drifted.layers.first { $0.releaseName == "web" })
                #expect(web.valuesChanged && web.changedOutside && !web.chartChanged, "\(web)")
                #expect(web.clusterRevision == 2 && web.agentRevision == 1)
                #expect(drifted.unmanaged.map(\.name) == ["stray"])

                // The agent's credentials reach the registries its profile uses, and no other.
                let session = try #require(try await AgentTokenTests.session(server, token.token).token)
                let vaultAccess = try await server.request(.get, "/api/v1/agent/registries/\(vault.id)", token: session)
                #expect(vaultAccess.status == 200 && vaultAccess.object?["password"] as? String == protectedCredentials.password)
                let unused = try await client.createRegistry(
                    body: .json(.init(name: "unused", endpoint: protected.baseURL, protected: true, noAuthentication: true))
                ).created.body.json
                expectError(try await server.request(.get, "/api/v1/agent/registries/\(unused.id)", token: session), 404, "not_found")

                // Attached again with reconcileDrift: the agent puts the layer back as the profile says.
                _ = try await client.attachProfile(
                    path: .init(id: cluster.id),
                    body: .json(
                        .init(
                            profileId: published.id,
                            values: .init(additionalProperties: ["web": "replicaCount: 2\n"]),
                            variables: .init(additionalProperties: ["greeting": "hello"]),
                            reconcileDrift: true
                        )
                    )
                ).ok
                let reverted = try await DeployHelpers.waitForDrift(server, token: cast.adminA.token, clusterID: cluster.id) { report in
                    report.layers.allSatisfy { $0.state == .inSync }
                }
                #expect(reverted.layers.first { $0.releaseName == "web" }?.clusterRevision == 3)
                #expect(try await DeployHelpers.helmValues(standin, namespace: "web", release: "web")["replicaCount"] as? Int == 2)

                // Detaching (onDetach defaults to uninstall) removes every release the profile installed.
                _ = try await client.detachProfile(path: .init(id: cluster.id)).noContent
                _ = try await DeployHelpers.waitForStatus(server, token: cast.adminA.token, clusterID: cluster.id, "the uninstalls") {
                    $0.layers.isEmpty
                }
                await agent.stop()
                #expect(try await DeployHelpers.helmList(standin) == ["other/stray": "web-1.1.0"])
            }
        }
    }
}
