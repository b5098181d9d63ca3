import CharthouseAPI
import Foundation
import HTTPTypes
import TestSupport
import Testing

/// Attaching a profile to a cluster refuses bad input with the right status and a message that
/// names the problem, and stores nothing — the attachment before stays as it was.
@Suite("Deploy: attach refuses bad input")
struct AttachInputTests {
    static let schema = """
        {"$schema": "http://json-schema.org/draft-07/schema#", "type": "object",
         "properties": {"replicaCount": {"type": "integer", "minimum": 1}}}
        """

    @Test(
        "unknown and ambiguous layer keys, bad YAML, bad variables, values that fail the chart schema once filled, foreign profiles, bad enums, roles"
    )
    func badAttachments() async throws {
        let registry = try await DistributionRegistry()
        defer { registry.stop() }
        try await ChartFixtures.push(
            name: "cache",
            version: "7.1.0",
            to: registry,
            path: "charts",
            helmMajor: 4,
            files: ["values.schema.json": Self.schema]
        )
        try await TestServer.with { server in
            let cast = try await TwoTenants.make(on: server)
            let client = server.client(token: cast.adminA.token)
            let oci = try await client.createRegistry(
                body: .json(.init(name: "oci", endpoint: "oci://\(registry.host)/charts", noAuthentication: true, plainHTTP: true))
            ).created.body.json
            #expect(try await CatalogSyncTests.waitForSync(server, token: cast.adminA.token, id: oci.id).syncState == .ok)
            let draft = try await client.createProfile(
                body: .json(
                    .init(
                        name: "checked",
                        version: "1.0.0",
                        variables: [.init(name: "replicas", required: true, regex: "[0-9]+"), .init(name: "tier", _default: "gold")]
                    )
                )
            ).created.body.json
            // The same chart and release name in two namespaces: "cache" alone is ambiguous.
            for (namespace, values) in [("a", "replicaCount: {{ .charthouse.var.replicas }}\ntier: {{ .charthouse.var.tier }}\n"), ("b", "")] {
                _ = try await client.addProfileLayer(
                    path: .init(id: draft.id),
                    body: .json(.init(registryId: oci.id, chart: "cache", version: "7.1.0", namespace: namespace, values: values))
                ).created
            }
            let profile = try await client.updateProfile(path: .init(id: draft.id), body: .json(.init(state: .published))).ok.body.json
            let foreign = try await server.client(token: cast.adminB.token).createProfile(body: .json(.init(name: "theirs", version: "1.0.0")))
                .created.body.json
            let cluster = try await client.createCluster(body: .json(.init(mode: .agent, name: "edge"))).created.body.json
            let path = "/api/v1/clusters/\(cluster.id)/profile"

            func attach(_ body: [String: Any], token: String? = nil) async throws -> RawResponse {
                try await server.request(.put, path, token: token ?? cast.adminA.token, headers: jsonHeaders, body: json(body))
            }
            func expectRefused(_ body: [String: Any], _ status: Int, _ code: String, _ words: [String]) async throws {
                let response = try await attach(body)
                expectError(response, status, code)
                for word in words { #expect(response.text.contains(word), "\(word) in \(response.text)") }
            }
            let good: [String: Any] = ["profileId": profile.id, "variables": ["replicas": "2"]]
            let goodVariables = ["replicas": "2"]

            try await expectRefused(good.merging(["values": ["nope": "x: 1\n"]]) { $1 }, 400, "bad_request", ["no layer of the profile is", "nope"])
            try await expectRefused(
                good.merging(["values": ["cache": "x: 1\n"]]) { $1 },
                400,
                "bad_request",
                ["several layers", "NAMESPACE/RELEASE"]
            )
            try await expectRefused(good.merging(["values": ["a/cache": "x: [1\n"]]) { $1 }, 422, "unprocessable", ["not valid YAML"])
            try await expectRefused(good.merging(["values": ["b/cache": "- 1\n- 2\n"]]) { $1 }, 422, "unprocessable", ["values"])
            try await expectRefused(["profileId": profile.id], 422, "unprocessable", ["replicas: required"])
            try await expectRefused(
                ["profileId": profile.id, "variables": ["replicas": "two"]],
                422,
                "unprocessable",
                ["replicas", "two", "does not match"]
            )
            try await expectRefused(
                ["profileId": profile.id, "variables": ["replicas": "1", "colour": "red"]],
                422,
                "unprocessable",
                ["colour: the profile declares no such variable"]
            )
            // Valid YAML, a valid variable, but the chart's schema refuses what they make.
            try await expectRefused(
                ["profileId": profile.id, "variables": ["replicas": "0"]],
                422,
                "unprocessable",
                ["layer cache (a)", "replicaCount"]
            )
            try await expectRefused(
                good.merging(["values": ["b/cache": "replicaCount: many\n"]]) { $1 },
                422,
                "unprocessable",
                ["layer cache (b)", "replicaCount"]
            )
            try await expectRefused(["profileId": foreign.id], 400, "bad_request", ["profileId", "not found"])
            try await expectRefused(["profileId": "no-such-profile"], 400, "bad_request", ["profileId"])
            try await expectRefused(good.merging(["onDetach": "explode"]) { $1 }, 400, "bad_request", [])
            try await expectRefused(good.merging(["values": ["a/cache": 7]]) { $1 }, 400, "bad_request", [])
            let notJSON = try await server.request(.put, path, token: cast.adminA.token, headers: jsonHeaders, body: Data("{\"profileId\":".utf8))
            expectError(notJSON, 400, "bad_request")
            // Nothing was stored by any of them.
            expectError(try await server.request(.get, path, token: cast.adminA.token), 404, "not_found")

            // Roles and tenants: a member may not attach; another tenant's admin finds no cluster.
            expectError(try await attach(good, token: cast.memberA.token), 403, "forbidden")
            expectError(try await attach(good, token: cast.adminB.token), 404, "not_found")
            expectError(
                try await server.request(
                    .put,
                    "/api/v1/clusters/no-such-cluster/profile",
                    token: cast.adminA.token,
                    headers: jsonHeaders,
                    body: json(good)
                ),
                404,
                "not_found"
            )

            // A good attachment, then a bad one: the good one stays.
            let attached = try await client.attachProfile(
                path: .init(id: cluster.id),
                body: .json(
                    .init(
                        profileId: profile.id,
                        values: .init(additionalProperties: ["b/cache": "replicaCount: 3\n"]),
                        variables: .init(additionalProperties: goodVariables)
                    )
                )
            ).ok.body.json
            #expect(attached.values.additionalProperties == ["b/cache": "replicaCount: 3\n"])
            try await expectRefused(["profileId": profile.id, "variables": ["replicas": "0"]], 422, "unprocessable", ["replicaCount"])
            let kept = try await client.getClusterAttachment(path: .init(id: cluster.id)).ok.body.json
            #expect(kept.variables.additionalProperties == goodVariables && kept.values.additionalProperties == ["b/cache": "replicaCount: 3\n"])
        }
    }
}
