import CharthouseAPI
import Crypto
import Foundation
import HTTPTypes
import TestSupport
import Testing

/// One profile with layers from the four kinds of registry a tenant sees — a classic repository
/// behind nginx, CNCF distribution with charts pushed by helm, the tenant's hosted registry and a
/// system registry — and every layer's pull reference, pulled by the real helm, gives an archive
/// with exactly the pinned digest.
@Suite("Profile layers from every kind of registry")
struct ProfileSourcesTests {
    static func digest(_ data: Data) -> String {
        "sha256:" + SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    @Test("classic, OCI, hosted and system layers: pinned digests equal what helm pulls from their pull references")
    func fourKinds() async throws {
        let distribution = try await DistributionRegistry()
        defer { distribution.stop() }
        try await ChartFixtures.push(name: "cache", version: "7.1.0", to: distribution, path: "charts", helmMajor: 4)
        try await ProfileTests.withRepository { server, cast, repository in
            let client = server.client(token: cast.adminA.token)
            let oci = try await client.createRegistry(
                body: .json(.init(name: "oci", endpoint: "oci://\(distribution.host)/charts", noAuthentication: true, plainHTTP: true))
            ).created.body.json
            #expect(try await CatalogSyncTests.waitForSync(server, token: cast.adminA.token, id: oci.id).syncState == .ok)
            let systemID = try await ProfileTests.systemRegistry(server, cast, repository)
            try await ProtocolHardeningTests.upload(server, HostedClassicTests.basic(cast.adminA.username, cast.adminA.password), "own", "0.2.0")
            let hosted = try #require(try await client.listRegistries().ok.body.json.items.first { $0.kind == .hosted && $0.scope == .tenant })

            let profile = try await client.createProfile(body: .json(.init(name: "everywhere", version: "1.0.0"))).created.body.json
            for (registry, chart, version, namespace) in [
                (repository.registryID, "web", "1.2.0", "classic"), (oci.id, "cache", "^7", "oci"), (hosted.id, "own", "0.2.0", "hosted"),
                (systemID, "worker", "0.3.0", "system"),
            ] {
                _ = try await client.addProfileLayer(
                    path: .init(id: profile.id),
                    body: .json(.init(registryId: registry, chart: chart, version: version, namespace: namespace))
                ).created
            }
            let layers = try await client.getResolvedProfile(path: .init(id: profile.id)).ok.body.json.layers
            #expect(layers.map(\.registryKind) == [.classic, .oci, .hosted, .classic])
            #expect(layers.map(\.registryScope) == [.tenant, .tenant, .tenant, .system])
            #expect(layers.map(\.version) == ["1.2.0", "7.1.0", "0.2.0", "0.3.0"])
            // OCI and hosted layers are pulled by manifest digest: exact content, not a movable tag.
            #expect(layers[1].pullReference?.hasPrefix("oci://\(distribution.host)/charts/cache@sha256:") == true, "\(layers[1].pullReference ?? "")")
            #expect(layers[2].pullReference?.contains("/acme/own@sha256:") == true, "\(layers[2].pullReference ?? "")")

            // What the deployer will do: pull each reference with helm and check the digest.
            let helm = try HelmCLI(major: 4)
            defer { helm.removeHome() }
            let host = server.baseURL.host.map { "\($0):\(server.baseURL.port ?? 80)" } ?? ""
            try await helm.runDetached(
                ["registry", "login", host, "-u", cast.adminA.username, "--password-stdin", "--plain-http"],
                stdin: cast.adminA.password
            )
            let downloads = try ScratchDirectory.make("charthouse-pulls")
            defer { try? FileManager.default.removeItem(at: downloads) }
            for layer in layers {
                let reference = try #require(layer.pullReference)
                let target = downloads.appendingPathComponent(layer.namespace)
                try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
                if reference.hasPrefix("oci://") {
                    let pulled = try await helm.runDetached(["pull", reference, "--plain-http", "-d", target.path])
                    // helm prints the manifest digest it pulled: the one the reference names.
                    let manifest = String(reference[reference.index(after: try #require(reference.lastIndex(of: "@")))...])
                    #expect((pulled.stdout + pulled.stderr).contains("Digest: \(manifest)"), "\(pulled.stdout)\(pulled.stderr)")
                } else {
                    try await helm.runDetached(["pull", reference, "-d", target.path])
                }
                let files = try FileManager.default.contentsOfDirectory(at: target, includingPropertiesForKeys: nil)
                let archive = try #require(files.first { $0.pathExtension == "tgz" })
                #expect(Self.digest(try Data(contentsOf: archive)) == layer.digest, "\(reference) pulls the pinned archive")
            }
        }
    }

    @Test("an OCI tag pushed anew with other content marks the pinned layer stale; the catalog shows the new content")
    func ociRepush() async throws {
        let distribution = try await DistributionRegistry()
        defer { distribution.stop() }
        try await ChartFixtures.push(name: "cache", version: "7.1.0", to: distribution, path: "charts", helmMajor: 4)
        try await ChartFixtures.push(name: "cache", version: "7.0.0", to: distribution, path: "charts", helmMajor: 4)
        try await TestServer.with { server in
            let cast = try await TwoTenants.make(on: server)
            let client = server.client(token: cast.adminA.token)
            let oci = try await client.createRegistry(
                body: .json(.init(name: "oci", endpoint: "oci://\(distribution.host)/charts", noAuthentication: true, plainHTTP: true))
            ).created.body.json
            #expect(try await CatalogSyncTests.waitForSync(server, token: cast.adminA.token, id: oci.id).syncState == .ok)
            let profile = try await client.createProfile(body: .json(.init(name: "cached", version: "1.0.0"))).created.body.json
            let layered = try await client.addProfileLayer(
                path: .init(id: profile.id),
                body: .json(.init(registryId: oci.id, chart: "cache", version: "7.1.0", namespace: "cache"))
            ).created.body.json
            let pinned = try #require(layered.layers.first)

            try await ChartFixtures.push(
                name: "cache",
                version: "7.1.0",
                to: distribution,
                path: "charts",
                helmMajor: 4,
                files: ["NOTES.txt": "changed\n"]
            )
            let synced = try await CatalogSyncTests.syncNow(server, token: cast.adminA.token, id: oci.id)
            #expect(synced.syncState == .ok, "\(synced.lastError ?? "")")
            let layer = try #require(try await client.getProfile(path: .init(id: profile.id)).ok.body.json.layers.first)
            #expect(layer.stale?.reason == "digest changed upstream", "\(String(describing: layer.stale))")
            #expect(layer.digest == pinned.digest && layer.pullReference == pinned.pullReference, "the layer keeps what it pinned")
            let current = try await client.getChartVersion(path: .init(id: oci.id, chart: "cache", version: "7.1.0")).ok.body.json
            #expect(current.digest != pinned.digest, "the catalog shows the new content")
            let other = try await client.getChartVersion(path: .init(id: oci.id, chart: "cache", version: "7.0.0")).ok.body.json
            #expect(other.digest.hasPrefix("sha256:"))
        }
    }
}
