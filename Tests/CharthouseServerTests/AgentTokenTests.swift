import CharthouseAPI
import Foundation
import HTTPTypes
import TestSupport
import Testing

/// Agent credentials: a registration token (shown once, revoked by the next one) exchanged for
/// short-lived access tokens that open only the agent routes of their own cluster.
@Suite("Agent tokens: registration, sessions, and what an agent may reach")
struct AgentTokenTests {
    /// Exchanges a registration token; the access token, or the failed response.
    static func session(_ server: TestServer, _ registration: String) async throws -> (status: Int, token: String?) {
        let response = try await server.request(.post, "/api/v1/agent/session", headers: jsonHeaders, body: json(["token": registration]))
        return (response.status, response.object?["accessToken"] as? String)
    }

    @Test("an agent token opens only its own cluster's agent routes; revoked, foreign and user tokens are refused")
    func scope() async throws {
        try await TestServer.with { server in
            let cast = try await TwoTenants.make(on: server)
            let clientA = server.client(token: cast.adminA.token)
            let clientB = server.client(token: cast.adminB.token)
            let edgeA = try await clientA.createCluster(body: .json(.init(mode: .agent, name: "edge"))).created.body.json
            let edgeB = try await clientB.createCluster(body: .json(.init(mode: .agent, name: "edge"))).created.body.json
            #expect(edgeA.mode == .agent && edgeA.agentTokenIssuedAt == nil)
            // Agent clusters take no kubeconfig; direct ones need one.
            let mixed = try await server.request(
                .post,
                "/api/v1/clusters",
                token: cast.adminA.token,
                headers: jsonHeaders,
                body: json(["name": "mixed", "mode": "agent", "kubeconfig": "apiVersion: v1\nkind: Config\n"])
            )
            expectError(mixed, 400, "bad_request")
            expectError(
                try await server.request(.post, "/api/v1/clusters", token: cast.adminA.token, headers: jsonHeaders, body: json(["name": "bare"])),
                400,
                "bad_request"
            )

            let first = try await clientA.issueAgentToken(path: .init(id: edgeA.id)).created.body.json
            #expect(first.token.hasPrefix("chr_"))
            #expect(first.manifest.contains("kind: Deployment") && first.manifest.contains(first.token))
            let manifest = try await server.request(.get, "/api/v1/clusters/\(edgeA.id)/agent-manifest", token: cast.memberA.token)
            #expect(manifest.status == 200 && manifest.text.contains("kind: ClusterRoleBinding") && !manifest.text.contains("chr_"))
            #expect(manifest.headers["content-type"]?.hasPrefix("text/plain") == true)
            let tokenB = try await clientB.issueAgentToken(path: .init(id: edgeB.id)).created.body.json.token

            let (status, access) = try await Self.session(server, first.token)
            #expect(status == 201)
            let agentA = try #require(access)
            #expect(agentA.hasPrefix("cha_"))
            let desired = try await server.request(.get, "/api/v1/agent/desired-state", token: agentA)
            #expect(desired.status == 200 && desired.object?["clusterId"] as? String == edgeA.id, "\(desired.text)")
            let etag = try #require(desired.headers["etag"] ?? desired.headers["ETag"])
            // Unchanged: a long poll answers 304 when its wait is over.
            let unchanged = try await server.request(
                .get,
                "/api/v1/agent/desired-state?wait=1",
                token: agentA,
                headers: [("If-None-Match", etag)]
            )
            #expect(unchanged.status == 304)
            #expect(try await clientA.getCluster(path: .init(id: edgeA.id)).ok.body.json.agentLastSeenAt != nil)

            // Nothing else: every other route is not found for an agent, whatever it names.
            for (method, path) in [
                (HTTPRequest.Method.get, "/api/v1/clusters"), (.get, "/api/v1/clusters/\(edgeA.id)"), (.get, "/api/v1/clusters/\(edgeB.id)/status"),
                (.get, "/api/v1/registries"), (.get, "/api/v1/profiles"), (.get, "/api/v1/me"), (.post, "/api/v1/clusters/\(edgeA.id)/agent-token"),
            ] {
                expectError(try await server.request(method, path, token: agentA), 404, "not_found")
            }
            // Registries its profile does not use (it has none) are not found.
            let registries = try await clientA.listRegistries().ok.body.json.items
            for registry in registries {
                expectError(try await server.request(.get, "/api/v1/agent/registries/\(registry.id)", token: agentA), 404, "not_found")
            }
            // A user's token does not open the agent routes.
            expectError(try await server.request(.get, "/api/v1/agent/desired-state", token: cast.adminA.token), 403, "forbidden")
            // B's agent sees B's cluster only.
            let agentB = try #require(try await Self.session(server, tokenB).token)
            let desiredB = try await server.request(.get, "/api/v1/agent/desired-state", token: agentB)
            #expect(desiredB.object?["clusterId"] as? String == edgeB.id)

            // A new registration token revokes the old one and every session made with it.
            let second = try await clientA.issueAgentToken(path: .init(id: edgeA.id)).created.body.json
            #expect(second.token != first.token)
            #expect(try await Self.session(server, first.token).status == 401)
            expectError(try await server.request(.get, "/api/v1/agent/desired-state", token: agentA), 401, "unauthorized")
            #expect(try await Self.session(server, second.token).status == 201)
            // Garbage and user tokens are not registration tokens.
            for bad in ["", "chr_nope", cast.adminA.token, String(repeating: "x", count: 300)] {
                #expect(try await Self.session(server, bad).status >= 400)
            }
            // Members read, only admins issue tokens; another tenant's cluster is not found.
            expectError(try await server.request(.post, "/api/v1/clusters/\(edgeA.id)/agent-token", token: cast.memberA.token), 403, "forbidden")
            expectError(try await server.request(.post, "/api/v1/clusters/\(edgeA.id)/agent-token", token: cast.adminB.token), 404, "not_found")
        }
    }

    @Test("an access token expires; the agent exchanges its registration token again")
    func expiry() async throws {
        try await TestServer.with(.init(environment: ["CHARTHOUSE_AGENT_SESSION_SECONDS": "5"])) { server in
            let cast = try await TwoTenants.make(on: server)
            let client = server.client(token: cast.adminA.token)
            let edge = try await client.createCluster(body: .json(.init(mode: .agent, name: "edge"))).created.body.json
            let registration = try await client.issueAgentToken(path: .init(id: edge.id)).created.body.json.token
            let session = try await server.client().createAgentSession(body: .json(.init(token: registration))).created.body.json
            let access = session.accessToken
            #expect(try await server.request(.get, "/api/v1/agent/desired-state", token: access).status == 200)
            // Valid for the configured 5 seconds, then refused.
            #expect(session.expiresAt.timeIntervalSinceNow <= 5.5 && session.expiresAt.timeIntervalSinceNow > 0)
            try await Task.sleep(for: .seconds(6))
            let expired = try await server.request(.get, "/api/v1/agent/desired-state", token: access)
            expectError(expired, 401, "unauthorized")
            #expect(expired.error?.message.contains("expired") == true)
            // The registration token still works.
            #expect(try await Self.session(server, registration).status == 201)
        }
    }
}
