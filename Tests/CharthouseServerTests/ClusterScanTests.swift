import CharthouseAPI
import Foundation
import HTTPTypes
import HelmFormats
import KubeStandin
import TestSupport
import Testing

/// Discovery at scale and under restrictions: many records across pages, records that are not
/// helm's (skipped and counted), namespaces the credentials may not read (reported, not fatal),
/// a re-discovery that reads only what changed, and a failed discovery that keeps the last list.
@Suite("Clusters: discovery paging, skipped records, forbidden namespaces, re-discovery")
struct ClusterScanTests {
    @Test("250 releases across pages, garbage skipped and counted, a forbidden namespace reported; re-discovery decodes only changes")
    func scan() async throws {
        try await withStandin { standin in
            for index in 0..<250 {
                let release = HelmRecordFactory.Release(
                    name: "app-\(index)",
                    namespace: "team-\(index % 2)",
                    revision: 1 + index % 3,
                    config: index % 2 == 0 ? .object(["index": .integer(Int64(index))]) : nil
                )
                try await standin.create(HelmRecordFactory.object(release, configMap: index % 7 == 0))
            }
            // Records labelled as helm's that are not: undecodable data, no data, not gzip+JSON.
            try await standin.create(Self.garbage(name: "sh.helm.release.v1.bad.v1", namespace: "team-0", data: "%%%not-base64%%%"))
            try await standin.create(Self.garbage(name: "sh.helm.release.v1.empty.v1", namespace: "team-1", data: nil))
            try await standin.create(
                Self.garbage(
                    name: "sh.helm.release.v1.text.v1",
                    namespace: "team-2",
                    data: Data(Data("hello".utf8).base64EncodedString().utf8).base64EncodedString()
                )
            )
            // A namespace the credentials may not read: listing across namespaces is refused too.
            try await standin.create(HelmRecordFactory.object(.init(name: "hidden", namespace: "vault")))
            standin.forbid(namespaces: ["vault"])

            try await TestServer.with { server in
                let cast = try await TwoTenants.make(on: server)
                let token = cast.adminA.token
                let imported = try await ClusterHelpers.importCluster(server, token: token, standin: standin)
                let first = try await ClusterHelpers.waitForDiscovery(server, token: token, id: imported.id)
                #expect(first.discoveryState == .ok, "\(first.lastError ?? "")")
                #expect(first.releases == 250 && first.records == 250 && first.skipped == 3 && first.decoded == 253)
                #expect(first.forbiddenNamespaces == ["vault"])
                let log = standin.requestLog
                #expect(log.contains { $0.contains("/api/v1/namespaces/team-0/secrets?limit=100&labelSelector=owner%3Dhelm&continue=") })
                let releases = try await server.client(token: token).listClusterReleases(path: .init(id: imported.id)).ok.body.json.items
                #expect(releases.count == 250)
                let app4 = try #require(releases.first { $0.name == "app-4" })
                #expect(app4.namespace == "team-0" && app4.revision == 2 && app4.config == "index: 4\n" && app4.storage == .secret)
                #expect(releases.first { $0.name == "app-7" }?.storage == .configmap)

                // Nothing changed: nothing is read again. Then one upgrade, one uninstall.
                let unchanged = try await ClusterHelpers.discover(server, token: token, id: imported.id)
                #expect(unchanged.decoded == 0 && unchanged.releases == 250 && unchanged.skipped == 3)
                try await standin.create(
                    HelmRecordFactory.object(.init(name: "app-1", namespace: "team-1", revision: 3, config: .object(["new": .bool(true)])))
                )
                try await standin.deleteRecord(namespace: "team-0", name: "sh.helm.release.v1.app-2.v3")
                let before = standin.requestLog.count
                let changed = try await ClusterHelpers.discover(server, token: token, id: imported.id)
                #expect(changed.decoded == 1 && changed.releases == 249 && changed.records == 250)
                let reads = standin.requestLog[before...].filter { $0.hasPrefix("GET /api/v1/namespaces/team-1/secrets/sh.helm.release.v1.app-1.v3") }
                #expect(reads.count == 1, "the one new record is read by itself")
                let app1 = try await server.client(token: token).getClusterRelease(path: .init(id: imported.id, namespace: "team-1", name: "app-1"))
                    .ok
                    .body.json
                #expect(app1.revision == 3 && app1.config == "new: true\n" && app1.history?.map(\.revision) == [3, 2])

                // The cluster goes away: the discovery fails, the last list stays.
                await standin.stop()
                let failed = try await ClusterHelpers.discover(server, token: token, id: imported.id)
                #expect(failed.discoveryState == .failed && failed.lastError?.contains("refused") == true, "\(failed.lastError ?? "")")
                #expect(failed.releases == 249)
                let kept = try await server.client(token: token).listClusterReleases(path: .init(id: imported.id)).ok.body.json.items
                #expect(kept.count == 249)
            }
        }
    }

    static func garbage(name: String, namespace: String, data: String?) -> JSONValue {
        var object: [String: JSONValue] = [
            "apiVersion": .string("v1"), "kind": .string("Secret"), "type": .string("helm.sh/release.v1"),
            "metadata": .object([
                "name": .string(name), "namespace": .string(namespace),
                "labels": .object(["owner": .string("helm"), "name": .string("bad"), "version": .string("1"), "status": .string("deployed")]),
            ]),
        ]
        if let data { object["data"] = .object(["release": .string(data)]) }
        return .object(object)
    }
}

extension KubeStandin {
    /// Deletes a release record Secret, as `helm uninstall` does.
    func deleteRecord(namespace: String, name: String) async throws {
        let secrets = KubeResourceTable.find(group: "", version: "v1", resource: "secrets")!
        _ = try await store.delete(secrets, namespace: namespace, name: name)
    }
}
