import CharthouseAPI
import Crypto
import Foundation
import HTTPTypes
import KubeStandin
import TestSupport
import Testing

/// Brownfield discovery against releases the real helm 3 and helm 4 installed in the Kubernetes
/// API stand-in: both storage drivers, several namespaces, upgrades, a rollback, uninstalls with
/// and without --keep-history, a failed install, values or none; catalog matches `exact` for a
/// chart installed from a synced repository and `modified` for the same name and version
/// repackaged with a changed template; then "Import from Cluster" into profiles.
@Suite("Clusters: brownfield discovery and Import from Cluster")
struct ClusterDiscoveryTests {
    @Test("releases written by helm 3 and helm 4 are discovered with revision, status, values and catalog matches, then imported")
    func brownfield() async throws {
        let folder = try ChartFixtures.classicRepository([("web", "1.0.0"), ("worker", "0.3.0")])
        defer { try? FileManager.default.removeItem(at: folder) }
        let nginx = try await NginxServer(serving: folder)
        defer { nginx.stop() }
        let helm3 = try HelmCLI(major: 3)
        let helm4 = try HelmCLI(major: 4)
        defer {
            helm3.removeHome()
            helm4.removeHome()
        }
        let work = try ScratchDirectory.make("charthouse-forks")
        defer { try? FileManager.default.removeItem(at: work) }
        // The same name and version as the repository's web 1.0.0, with one template more.
        let fork = try helm4.packageChart(name: "web", version: "1.0.0", in: work, files: ["templates/extra.yaml": "# forked\n"])
        let stuck = try helm4.packageChart(
            name: "stuck",
            version: "0.1.0",
            in: work,
            files: ["templates/stuck.yaml": Self.unreadyDeployment]
        )
        let web = folder.appendingPathComponent("web-1.0.0.tgz").path
        let worker = folder.appendingPathComponent("worker-0.3.0.tgz").path
        try await withStandin { standin in
            let kube = ["--kubeconfig", standin.kubeconfig.path]
            let configMaps = ["HELM_DRIVER": "configmap"]
            // helm 4, Secrets: four revisions of web with nested values, the last a rollback.
            try await helm4.runDetached(["install", "web", web, "-n", "apps", "--create-namespace", "--set", "image.tag=1.2.3"] + kube)
            try await helm4.runDetached(["upgrade", "web", web, "-n", "apps", "--set", "nested.deep.key=value"] + kube)
            try await helm4.runDetached(["upgrade", "web", web, "-n", "apps", "--set", "replicaCount=3"] + kube)
            try await helm4.runDetached(["rollback", "web", "2", "-n", "apps"] + kube)
            // --reuse-values: helm stores the old defaults coalesced with the old values as the chart's.
            try await helm4.runDetached(["install", "api", web, "-n", "apps", "--set", "replicaCount=2"] + kube)
            try await helm4.runDetached(["upgrade", "api", web, "-n", "apps", "--reuse-values", "--set", "image.tag=stable"] + kube)
            // helm 3, ConfigMaps: worker with no values.
            try await helm3.runDetached(["install", "worker", worker, "-n", "jobs", "--create-namespace"] + kube, environment: configMaps)
            // The fork, a release kept after uninstall and one removed, a failed install.
            try await helm4.runDetached(["install", "forked", fork.path, "-n", "forks", "--create-namespace"] + kube)
            try await helm3.runDetached(["install", "kept", worker, "-n", "jobs"] + kube)
            try await helm3.runDetached(["uninstall", "kept", "-n", "jobs", "--keep-history"] + kube)
            try await helm3.runDetached(["install", "erased", worker, "-n", "jobs"] + kube)
            try await helm3.runDetached(["uninstall", "erased", "-n", "jobs"] + kube)
            let failed = try await helm4.runDetached(
                ["install", "stuck", stuck.path, "-n", "apps", "--wait", "--timeout", "2s"] + kube,
                check: false
            )
            #expect(failed.status != 0)

            try await TestServer.with { server in
                let cast = try await TwoTenants.make(on: server)
                let client = server.client(token: cast.adminA.token)
                let demo = try await client.createRegistry(body: .json(.init(name: "demo", endpoint: nginx.baseURL, noAuthentication: true)))
                    .created.body.json
                _ = try await CatalogSyncTests.waitForSync(server, token: cast.adminA.token, id: demo.id)
                let imported = try await ClusterHelpers.importCluster(server, token: cast.adminA.token, standin: standin)
                #expect(imported.kubernetesVersion == "v1.33.0" && imported.context == "standin-token" && imported.server == standin.server)
                let cluster = try await ClusterHelpers.waitForDiscovery(server, token: cast.adminA.token, id: imported.id)
                #expect(cluster.discoveryState == .ok, "\(cluster.lastError ?? "")")
                #expect(cluster.releases == 6 && cluster.skipped == 0 && cluster.forbiddenNamespaces.isEmpty)
                #expect(cluster.records == 4 + 2 + 1 + 1 + 1 + 1)

                let releases = try await client.listClusterReleases(path: .init(id: cluster.id)).ok.body.json.items
                #expect(
                    releases.map { "\($0.namespace)/\($0.name)" } == [
                        "apps/api", "apps/stuck", "apps/web", "forks/forked", "jobs/kept", "jobs/worker",
                    ]
                )
                let byName = Dictionary(uniqueKeysWithValues: releases.map { ($0.name, $0) })
                let webRelease = try #require(byName["web"])
                #expect(webRelease.revision == 4 && webRelease.status == "deployed" && webRelease.storage == .secret)
                #expect(webRelease.chart == "web" && webRelease.chartVersion == "1.0.0" && webRelease.appVersion == "1.16.0")
                // Rolled back to revision 2: its values, nested.
                #expect(webRelease.config == "nested:\n  deep:\n    key: value\n", "\(webRelease.config)")
                #expect(webRelease.catalogMatches.map(\.match) == [.exact] && webRelease.catalogMatches.first?.registryName == "demo")
                let workerRelease = try #require(byName["worker"])
                #expect(workerRelease.storage == .configmap && workerRelease.config.isEmpty && workerRelease.revision == 1)
                #expect(workerRelease.catalogMatches.map(\.match) == [.exact])
                #expect(byName["forked"]?.catalogMatches.map(\.match) == [.modified])
                #expect(byName["api"]?.catalogMatches.map(\.match) == [.exact], "reused values are not a fork")
                #expect(byName["api"]?.config == "image:\n  tag: stable\nreplicaCount: 2\n")
                #expect(byName["kept"]?.status == "uninstalled")
                #expect(byName["stuck"]?.status == "failed" && byName["stuck"]?.catalogMatches.isEmpty == true)
                let history = try await client.getClusterRelease(path: .init(id: cluster.id, namespace: "apps", name: "web")).ok.body.json.history
                #expect(history?.map(\.revision) == [4, 3, 2, 1])
                #expect(history?.map(\.status) == ["deployed", "superseded", "superseded", "superseded"])
                let onlyJobs = try await client.listClusterReleases(path: .init(id: cluster.id), query: .init(namespace: "jobs")).ok.body.json
                #expect(onlyJobs.items.map(\.name) == ["kept", "worker"])

                try await Self.importIntoProfiles(server, cast: cast, clusterID: cluster.id, webArchive: web)
            }
        }
    }

    static func importIntoProfiles(_ server: TestServer, cast: TwoTenants, clusterID: String, webArchive: String) async throws {
        let client = server.client(token: cast.adminA.token)
        let profile = try await client.createProfile(body: .json(.init(name: "brownfield", version: "1.0.0"))).created.body.json
        let imported = try await client.importProfileLayers(
            path: .init(id: profile.id),
            body: .json(.init(clusterId: clusterID, releases: [.init(namespace: "apps", name: "web"), .init(namespace: "jobs", name: "worker")]))
        ).created.body.json
        #expect(imported.layers.map(\.releaseName) == ["web", "worker"])
        #expect(imported.layers.allSatisfy { $0.source == .imported && $0.registryName == "demo" })
        #expect(imported.layers.first?.values == "nested:\n  deep:\n    key: value\n" && imported.layers.first?.namespace == "apps")
        let digest = "sha256:" + SHA256.hash(data: try Data(contentsOf: URL(fileURLWithPath: webArchive))).map { String(format: "%02x", $0) }.joined()
        #expect(imported.layers.first?.digest == digest)

        // The fork has no exact match: refused unless a registry is named.
        let refused = try await server.request(
            .post,
            "/api/v1/profiles/\(profile.id)/layers/import",
            token: cast.adminA.token,
            headers: jsonHeaders,
            body: json(["clusterId": clusterID, "releases": [["namespace": "forks", "name": "forked"]]])
        )
        expectError(refused, 422, "unprocessable")
        #expect(refused.text.contains("forks/forked") && refused.text.contains("modified in demo"), "\(refused.text)")
        let vault = try await client.createRegistry(
            body: .json(.init(name: "vault", endpoint: "https://charts.internal.example", protected: true, noAuthentication: true))
        ).created.body.json
        let manual = try await client.importProfileLayers(
            path: .init(id: profile.id),
            body: .json(.init(clusterId: clusterID, releases: [.init(namespace: "forks", name: "forked", registryId: vault.id)]))
        ).created.body.json
        #expect(manual.layers.last?.registryName == "vault" && manual.layers.last?.source == .imported && manual.layers.last?.digest == nil)

        // From cluster in one step: the named releases, a new draft.
        let made = try await client.createProfileFromCluster(
            body: .json(.init(clusterId: clusterID, name: "from-prod", version: "0.1.0", releases: [.init(namespace: "apps", name: "web")]))
        ).created.body.json
        #expect(made.state == .draft && made.layers.map(\.releaseName) == ["web"])
        // Every deployed release: the fork has no registry, so it is named in the refusal.
        let all = try await server.request(
            .post,
            "/api/v1/profiles/from-cluster",
            token: cast.adminA.token,
            headers: jsonHeaders,
            body: json(["clusterId": clusterID, "name": "everything", "version": "0.1.0"])
        )
        expectError(all, 422, "unprocessable")
        #expect(all.text.contains("forks/forked") && !all.text.contains("jobs/kept"), "\(all.text)")
        let none = try await client.listProfiles(query: .init(name: "everything")).ok.body.json.items
        #expect(none.isEmpty, "a refused from-cluster leaves no profile behind")
    }

    static let unreadyDeployment = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: {{ .Release.Name }}
          annotations:
            standin.charthouse.dev/state: unready
        spec:
          replicas: 1
          selector: {matchLabels: {app: stuck}}
          template:
            metadata: {labels: {app: stuck}}
            spec: {containers: [{name: main, image: busybox}]}
        """
}
