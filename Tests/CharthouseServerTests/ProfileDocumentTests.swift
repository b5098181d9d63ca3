import CharthouseAPI
import Foundation
import HTTPTypes
import TestSupport
import Testing

/// Profiles as YAML documents between tenants, and the resolved view the deployer reads.
@Suite("Profile documents and the resolved view")
struct ProfileDocumentTests {
    /// `POST /api/v1/profiles/import` with a YAML document.
    static func importDocument(_ server: TestServer, _ text: String, token: String, repin: Bool = false) async throws -> RawResponse {
        try await server.request(
            .post,
            "/api/v1/profiles/import" + (repin ? "?repin=true" : ""),
            token: token,
            headers: [("Content-Type", "application/yaml")],
            body: Data(text.utf8)
        )
    }

    @Test("export → import into another tenant → export is byte-identical; digests must match unless repinned; all or nothing")
    func roundTrip() async throws {
        try await ProfileTests.withRepository { server, cast, repository in
            let a = server.client(token: cast.adminA.token)
            let b = server.client(token: cast.adminB.token)
            // Tenant B has registries of the same names: "demo" over the same repository, a protected "vault".
            let demoB = try await b.createRegistry(body: .json(.init(name: "demo", endpoint: repository.nginx.baseURL, noAuthentication: true)))
                .created.body.json
            #expect(try await CatalogSyncTests.waitForSync(server, token: cast.adminB.token, id: demoB.id).syncState == .ok)
            for client in [a, b] {
                _ = try await client.createRegistry(
                    body: .json(.init(name: "vault", endpoint: "https://vault.invalid/charts", protected: true, noAuthentication: true))
                ).created
            }
            let vaultA = try #require(try await a.listRegistries().ok.body.json.items.first { $0.name == "vault" })

            let profile = try await a.createProfile(body: .json(.init(name: "portable", version: "2.0.0", description: "moves: between tenants")))
                .created.body.json
            let values = "replicaCount: 2\nimage:\n  tag: \"1.27\"\npodAnnotations:\n  note: |\n    two\n    lines\n"
            _ = try await a.addProfileLayer(
                path: .init(id: profile.id),
                body: .json(
                    .init(registryId: repository.registryID, chart: "web", version: "^1.0", releaseName: "front", namespace: "web", values: values)
                )
            ).created
            _ = try await a.addProfileLayer(
                path: .init(id: profile.id),
                body: .json(.init(registryId: vaultA.id, chart: "secret-app", version: "1.0.0", namespace: "secret"))
            ).created

            let exported = try await server.request(.get, "/api/v1/profiles/\(profile.id)/export", token: cast.memberA.token)
            #expect(exported.status == 200)
            #expect(exported.headers["content-type"]?.hasPrefix("application/yaml") == true)
            let text = exported.text
            #expect(text.hasPrefix("apiVersion: charthouse/v1\nkind: ClusterProfile\nmetadata:\n  name: portable\n  version: 2.0.0\n"), "\(text)")
            #expect(text.contains("version: 1.2.0"), "the range is exported resolved")
            #expect(!text.contains(profile.id) && !text.contains(repository.registryID), "no ids in the document")

            let imported = try await Self.importDocument(server, text, token: cast.adminB.token)
            #expect(imported.status == 201, "\(imported.text)")
            let importedID = try #require((try JSONSerialization.jsonObject(with: imported.body) as? [String: Any])?["id"] as? String)
            let importedProfile = try await b.getProfile(path: .init(id: importedID)).ok.body.json
            #expect(importedProfile.state == .draft)
            #expect(importedProfile.layers.map(\.registryId).first == demoB.id)
            let again = try await server.request(.get, "/api/v1/profiles/\(importedProfile.id)/export", token: cast.adminB.token)
            #expect(again.text == text, "export → import → export is byte-identical")
            let twice = try await Self.importDocument(server, text, token: cast.adminB.token)
            expectError(twice, 409, "conflict")

            // A digest that differs from the registry's is refused, unless repinned.
            let pinned = try #require(try await a.getProfile(path: .init(id: profile.id)).ok.body.json.layers.first?.digest)
            #expect(text.contains(pinned))
            let tampered = text.replacingOccurrences(of: "version: 2.0.0", with: "version: 2.0.1")
                .replacingOccurrences(of: pinned, with: "sha256:" + String(repeating: "0", count: 64))
            let refused = try await Self.importDocument(server, tampered, token: cast.adminB.token)
            expectError(refused, 422, "unprocessable")
            #expect(refused.error?.message.contains("repin=true") == true, "\(refused.text)")
            let repinned = try await Self.importDocument(server, tampered, token: cast.adminB.token, repin: true)
            #expect(repinned.status == 201, "\(repinned.text)")

            // Missing registries and charts: one 422 naming each, nothing created.
            let broken = text.replacingOccurrences(of: "version: 2.0.0", with: "version: 3.0.0")
                .replacingOccurrences(of: "name: vault", with: "name: nowhere")
                .replacingOccurrences(of: "chart: web", with: "chart: wbe")
            let failed = try await Self.importDocument(server, broken, token: cast.adminB.token)
            expectError(failed, 422, "unprocessable")
            #expect(failed.error?.message.contains("registry tenant/nowhere not found") == true, "\(failed.text)")
            #expect(failed.error?.message.contains("chart \"wbe\" is not in registry \"demo\"") == true, "\(failed.text)")
            let versions = try await b.listProfiles(query: .init(name: "portable")).ok.body.json.items.first?.versions.map(\.version)
            #expect(versions == ["2.0.1", "2.0.0"])

            for bad in ["", "kind: Other\n", "apiVersion: charthouse/v1\nkind: ClusterProfile\nspec: {layers: 3}\n", "a: [1\n"] {
                let response = try await Self.importDocument(server, bad, token: cast.adminB.token)
                expectError(response, 422, "unprocessable")
            }
            // Another tenant's profile cannot be exported; members cannot import.
            _ = try await a.exportProfile(path: .init(id: importedProfile.id)).notFound
            let member = try await Self.importDocument(server, text, token: cast.memberB.token)
            expectError(member, 403, "forbidden")
        }
    }

    @Test("the resolved view: layers in order with merged values, pull references and digests")
    func resolved() async throws {
        try await ProfileTests.withRepository { server, cast, repository in
            let client = server.client(token: cast.adminA.token)
            let profile = try await client.createProfile(body: .json(.init(name: "resolved", version: "1.0.0"))).created.body.json
            _ = try await client.addProfileLayer(
                path: .init(id: profile.id),
                body: .json(.init(registryId: repository.registryID, chart: "worker", version: "0.3.0", namespace: "jobs"))
            ).created
            let layered = try await client.addProfileLayer(
                path: .init(id: profile.id),
                body: .json(
                    .init(
                        registryId: repository.registryID,
                        chart: "web",
                        version: "1.0.0",
                        namespace: "web",
                        values: "replicaCount: 3\nservice: null\n"
                    )
                )
            ).created.body.json
            let resolved = try await server.client(token: cast.memberA.token).getResolvedProfile(path: .init(id: profile.id)).ok.body.json
            #expect(resolved.layers.map(\.chart) == ["worker", "web"])
            let web = try #require(resolved.layers.last)
            #expect(web.pullReference == "\(repository.nginx.baseURL)/web-1.0.0.tgz")
            #expect(web.digest == layered.layers.last?.digest)
            // helm create's defaults with the layer's values over them; `null` removed a default.
            #expect(web.mergedValues.contains("replicaCount: 3"), "\(web.mergedValues)")
            #expect(web.mergedValues.contains("image:\n  pullPolicy: IfNotPresent"), "\(web.mergedValues)")
            #expect(!web.mergedValues.contains("\nservice:"), "\(web.mergedValues)")
            #expect(resolved.layers.first?.mergedValues.contains("replicaCount: 1") == true)
            _ = try await server.client(token: cast.adminB.token).getResolvedProfile(path: .init(id: profile.id)).notFound
        }
    }

    @Test("the diff between two versions: layers added, removed, moved, new versions and digests, values as a unified diff")
    func diff() async throws {
        try await ProfileTests.withRepository { server, cast, repository in
            let client = server.client(token: cast.adminA.token)
            let first = try await client.createProfile(body: .json(.init(name: "evolving", version: "1.0.0"))).created.body.json
            for (chart, version, namespace, values) in [
                ("web", "1.0.0", "web", "replicaCount: 1\n"), ("worker", "0.3.0", "jobs", ""), ("web", "1.1.0", "extra", ""),
            ] {
                _ = try await client.addProfileLayer(
                    path: .init(id: first.id),
                    body: .json(.init(registryId: repository.registryID, chart: chart, version: version, namespace: namespace, values: values))
                ).created
            }
            let second = try await client.createProfileVersion(path: .init(id: first.id), body: .json(.init(version: "1.1.0"))).created.body.json
            let layers = second.layers
            let web = try #require(layers.first { $0.namespace == "web" })
            _ = try await client.updateProfileLayer(
                path: .init(id: second.id, layerId: web.id),
                body: .json(.init(version: "1.2.0", values: "replicaCount: 3\n"))
            )
            .ok
            _ = try await client.deleteProfileLayer(path: .init(id: second.id, layerId: try #require(layers.first { $0.namespace == "extra" }).id)).ok
            let worker = try #require(layers.first { $0.namespace == "jobs" })
            _ = try await client.orderProfileLayers(path: .init(id: second.id), body: .json(.init(layerIds: [worker.id, web.id]))).ok
            _ = try await client.addProfileLayer(
                path: .init(id: second.id),
                body: .json(.init(registryId: repository.registryID, chart: "web", version: "2.0.0", releaseName: "canary", namespace: "web"))
            ).created

            let diff = try await server.client(token: cast.memberA.token).diffProfiles(path: .init(id: first.id, other: second.id)).ok.body.json
            #expect(diff.from.version == "1.0.0" && diff.to.version == "1.1.0")
            #expect(diff.added.map(\.releaseName) == ["canary"])
            #expect(diff.removed.map(\.namespace) == ["extra"])
            #expect(Set(diff.moved.map(\.releaseName)) == ["web", "worker"])
            let changed = try #require(diff.changed.first { $0.namespace == "web" })
            #expect(changed.fields.map(\.field) == [.version, .digest])
            #expect(changed.fields.first?.from == "1.0.0" && changed.fields.first?.to == "1.2.0")
            #expect(changed.valuesDiff?.contains("@@ -1 +1 @@\n-replicaCount: 1\n+replicaCount: 3\n") == true, "\(changed.valuesDiff ?? "")")
            let same = try await client.diffProfiles(path: .init(id: second.id, other: second.id)).ok.body.json
            #expect(same.added.isEmpty && same.removed.isEmpty && same.moved.isEmpty && same.changed.isEmpty)
            _ = try await server.client(token: cast.adminB.token).diffProfiles(path: .init(id: first.id, other: second.id)).notFound
        }
    }
}
