import CharthouseAPI
import Foundation
import HTTPTypes
import KubeStandin
import TestSupport
import Testing

/// Clusters are tenant objects: another tenant's cluster answers 404 on every route (and stays
/// intact); members read, only admins write; the system administrator has no clusters.
@Suite("Clusters: tenant isolation and roles")
struct ClusterIsolationTests {
    @Test("every cluster route answers 404 to another tenant; members read but do not write")
    func isolation() async throws {
        try await withStandin { standin in
            try await standin.create(HelmRecordFactory.object(.init(name: "web", namespace: "apps")))
            try await TestServer.with { server in
                let cast = try await TwoTenants.make(on: server)
                let cluster = try await ClusterHelpers.importCluster(server, token: cast.adminA.token, standin: standin)
                _ = try await ClusterHelpers.waitForDiscovery(server, token: cast.adminA.token, id: cluster.id)
                let profileB = try await server.client(token: cast.adminB.token).createProfile(body: .json(.init(name: "b", version: "1.0.0")))
                    .created.body.json
                let id = cluster.id
                let kubeconfig = standin.kubeconfigText
                let routes: [(HTTPRequest.Method, String, Data?)] = [
                    (.get, "/api/v1/clusters/\(id)", nil),
                    (.patch, "/api/v1/clusters/\(id)", json(["name": "stolen"])),
                    (.patch, "/api/v1/clusters/\(id)", json(["kubeconfig": kubeconfig])),
                    (.delete, "/api/v1/clusters/\(id)", nil),
                    (.post, "/api/v1/clusters/\(id)/discover", nil),
                    (.get, "/api/v1/clusters/\(id)/releases", nil),
                    (.get, "/api/v1/clusters/\(id)/releases/apps/web", nil),
                    (.put, "/api/v1/clusters/\(id)/profile", json(["profileId": profileB.id])),
                    (.get, "/api/v1/clusters/\(id)/profile", nil),
                    (.delete, "/api/v1/clusters/\(id)/profile", nil),
                    (.get, "/api/v1/clusters/\(id)/status", nil),
                    (.get, "/api/v1/clusters/\(id)/drift", nil),
                    (.post, "/api/v1/clusters/\(id)/agent-token", nil),
                    (.get, "/api/v1/clusters/\(id)/agent-manifest", nil),
                    (
                        .post, "/api/v1/profiles/\(profileB.id)/layers/import",
                        json(["clusterId": id, "releases": [["namespace": "apps", "name": "web"]]])
                    ),
                    (.post, "/api/v1/profiles/from-cluster", json(["clusterId": id, "name": "stolen", "version": "1.0.0"])),
                ]
                for attacker in [cast.adminB, cast.memberB] {
                    for (method, path, body) in routes {
                        let response = try await server.request(
                            method,
                            path,
                            token: attacker.token,
                            headers: body == nil ? [] : jsonHeaders,
                            body: body
                        )
                        if attacker.username == cast.memberB.username, method != .get, path.contains("profiles") {
                            expectError(response, 403, "forbidden")  // a member writes no profile, whoever's cluster
                        } else {
                            expectError(response, 404, "not_found")
                        }
                    }
                    let listed = try await server.client(token: attacker.token).listClusters().ok.body.json.items
                    #expect(listed.isEmpty)
                }
                // A's cluster is intact and B has no profile from it.
                let intact = try await server.client(token: cast.adminA.token).getCluster(path: .init(id: id)).ok.body.json
                #expect(intact.name == "prod" && intact.releases == 1)
                #expect(try await server.client(token: cast.adminB.token).listProfiles().ok.body.json.items.map(\.name) == ["b"])

                // Members of A read; only admins write.
                let member = cast.memberA.token
                #expect(try await server.request(.get, "/api/v1/clusters", token: member).status == 200)
                #expect(try await server.request(.get, "/api/v1/clusters/\(id)/releases", token: member).status == 200)
                #expect(try await server.request(.get, "/api/v1/clusters/\(id)/releases/apps/web", token: member).status == 200)
                let writes: [(HTTPRequest.Method, String, Data?)] = [
                    (.post, "/api/v1/clusters", json(["name": "mine", "kubeconfig": kubeconfig])),
                    (.patch, "/api/v1/clusters/\(id)", json(["name": "renamed"])),
                    (.delete, "/api/v1/clusters/\(id)", nil),
                    (.post, "/api/v1/clusters/\(id)/discover", nil),
                    (.put, "/api/v1/clusters/\(id)/profile", json(["profileId": profileB.id])),
                    (.delete, "/api/v1/clusters/\(id)/profile", nil),
                    (.post, "/api/v1/clusters/\(id)/agent-token", nil),
                ]
                for (method, path, body) in writes {
                    expectError(
                        try await server.request(method, path, token: member, headers: body == nil ? [] : jsonHeaders, body: body),
                        403,
                        "forbidden"
                    )
                }
                // The system administrator belongs to no tenant: no clusters.
                expectError(try await server.request(.get, "/api/v1/clusters", token: cast.systemAdminToken), 403, "forbidden")
                // The admin removes it: gone for everyone.
                #expect(try await server.request(.delete, "/api/v1/clusters/\(id)", token: cast.adminA.token).status == 204)
                expectError(try await server.request(.get, "/api/v1/clusters/\(id)/releases", token: cast.adminA.token), 404, "not_found")
            }
        }
    }

    @Test("bad input: names, intervals, empty or oversized kubeconfigs, unknown releases and clusters; nothing is stored")
    func badInput() async throws {
        try await withStandin { standin in
            try await TestServer.with { server in
                let cast = try await TwoTenants.make(on: server)
                let token = cast.adminA.token
                let kubeconfig = standin.kubeconfigText
                let cases: [(Data, Int, String)] = [
                    (json(["name": "Prod_1", "kubeconfig": kubeconfig]), 400, "bad_request"),
                    (json(["name": "prod", "kubeconfig": kubeconfig, "discoveryIntervalSeconds": 5]), 400, "bad_request"),
                    (json(["name": "prod", "kubeconfig": ""]), 422, "unprocessable"),
                    (json(["name": "prod"]), 400, "bad_request"),
                    (json(["name": "prod", "kubeconfig": String(repeating: "x", count: 2 << 20)]), 413, "payload_too_large"),
                ]
                for (body, status, code) in cases {
                    expectError(try await server.request(.post, "/api/v1/clusters", token: token, headers: jsonHeaders, body: body), status, code)
                }
                #expect(try await server.client(token: token).listClusters().ok.body.json.items.isEmpty)
                let cluster = try await ClusterHelpers.importCluster(server, token: token, standin: standin)
                expectError(
                    try await server.request(
                        .patch,
                        "/api/v1/clusters/\(cluster.id)",
                        token: token,
                        headers: jsonHeaders,
                        body: json(["discoveryIntervalSeconds": 10_000_000])
                    ),
                    400,
                    "bad_request"
                )
                expectError(try await server.request(.get, "/api/v1/clusters/\(cluster.id)/releases/apps/nothing", token: token), 404, "not_found")
                let profile = try await server.client(token: token).createProfile(body: .json(.init(name: "p", version: "1.0.0"))).created.body.json
                let imports: [([String: Any], Int, String)] = [
                    (["clusterId": "no-such-cluster", "releases": [["namespace": "apps", "name": "web"]]], 404, "not_found"),
                    (["clusterId": cluster.id, "releases": [["namespace": "apps", "name": "nothing"]]], 404, "not_found"),
                    (["clusterId": cluster.id, "releases": []], 400, "bad_request"),
                ]
                for (body, status, code) in imports {
                    let response = try await server.request(
                        .post,
                        "/api/v1/profiles/\(profile.id)/layers/import",
                        token: token,
                        headers: jsonHeaders,
                        body: json(body)
                    )
                    expectError(response, status, code)
                }
                #expect(try await server.client(token: token).getProfile(path: .init(id: profile.id)).ok.body.json.layers.isEmpty)
            }
        }
    }
}
