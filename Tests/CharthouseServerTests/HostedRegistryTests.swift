import CharthouseAPI
import Foundation
import HTTPTypes
import TestSupport
import Testing

/// Every tenant owns a hosted registry from its creation, and the system has one every tenant
/// sees; Charthouse manages them (no change, removal or sync through the API).
@Suite("Hosted registries")
struct HostedRegistryTests {
    @Test("created with each tenant and for the system; endpoints where the server is reached; managed, never synced; tenants apart")
    func hostedRegistries() async throws {
        try await TestServer.with { server in
            let cast = try await TwoTenants.make(on: server)
            let address = "\(server.baseURL.host!):\(server.baseURL.port!)"
            let listA = try await server.client(token: cast.memberA.token).listRegistries().ok.body.json.items
            let hostedA = try #require(listA.first { $0.kind == .hosted && $0.scope == .tenant })
            #expect(hostedA.name == "hosted")
            #expect(hostedA.endpoint == "oci://\(address)/acme")
            #expect(hostedA.syncState == nil && hostedA.access == ._private && hostedA.lastPushAt == nil, "a hosted registry is never synced")
            let system = try #require(listA.first { $0.kind == .hosted && $0.scope == .system })
            #expect(system.name == "system")
            #expect(system.endpoint == "oci://\(address)/system")
            #expect(listA.filter { $0.kind == .hosted }.count == 2)

            let listB = try await server.client(token: cast.memberB.token).listRegistries().ok.body.json.items
            #expect(listB.filter { $0.kind == .hosted }.map(\.endpoint).sorted() == ["oci://\(address)/globex", "oci://\(address)/system"])
            #expect(!listB.contains { $0.id == hostedA.id })
            expectError(try await server.request(.get, "/api/v1/registries/\(hostedA.id)", token: cast.adminB.token), 404, "not_found")

            for (registry, token) in [(hostedA, cast.adminA.token), (system, cast.systemAdminToken)] {
                let patch = try await server.request(
                    .patch,
                    "/api/v1/registries/\(registry.id)",
                    token: token,
                    headers: jsonHeaders,
                    body: json(["name": "renamed"])
                )
                expectError(patch, 409, "conflict")
                #expect(patch.error?.message.contains("managed by Charthouse") == true, "\(patch.text)")
                expectError(try await server.request(.delete, "/api/v1/registries/\(registry.id)", token: token), 409, "conflict")
                let sync = try await server.request(.post, "/api/v1/registries/\(registry.id)/sync", token: token)
                expectError(sync, 409, "conflict")
                #expect(sync.error?.message.contains("hosted registries are not synced") == true)
            }
            #expect(try await server.client(token: cast.adminA.token).getRegistry(path: .init(id: hostedA.id)).ok.body.json.name == "hosted")
        }
    }

    @Test("CHARTHOUSE_PUBLIC_HOST names the address shown in hosted endpoints")
    func publicHost() async throws {
        try await TestServer.with(.init(environment: ["CHARTHOUSE_PUBLIC_HOST": "charts.example.com"])) { server in
            let cast = try await TwoTenants.make(on: server)
            let list = try await server.client(token: cast.memberA.token).listRegistries().ok.body.json.items
            #expect(
                list.filter { $0.kind == .hosted }.map(\.endpoint).sorted() == ["oci://charts.example.com/acme", "oci://charts.example.com/system"]
            )
        }
    }
}
