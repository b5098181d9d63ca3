import CharthouseAPI
import Foundation
import TestSupport
import Testing

/// A sync that runs past its lease must not write over the sync that took the registry after it.
@Suite("Sync leases")
struct SyncLeaseTests {
    @Test("a sync that lost its lease saves nothing: the new owner's state and the catalog stand")
    func lostLease() async throws {
        let index = "apiVersion: v1\nentries:\n  hello:\n  - {name: hello, version: 1.0.0, urls: [hello-1.0.0.tgz]}\n"
        let upstream = try await StallingHTTPServer.start(serving: index)
        try await TestServer.with(.init(registryTimeout: 2)) { server in
            let token = try await TwoTenants.make(on: server).adminA.token
            let client = server.client(token: token)
            let created = try await client.createRegistry(body: .json(.init(name: "slow", endpoint: upstream.baseURL, noAuthentication: true)))
                .created.body.json
            #expect(try await CatalogSyncTests.waitForSync(server, token: token, id: created.id).versions == 1)
            let runsBefore = try await client.listRegistrySyncs(path: .init(id: created.id)).ok.body.json.items.count

            // The upstream hangs; while this sync waits, another replica takes the registry (as it
            // would once the lease expired).
            upstream.set(.stall)
            let requests = upstream.requestCount
            _ = try await client.syncRegistry(path: .init(id: created.id), query: .init(force: true)).accepted
            for _ in 0..<200 where upstream.requestCount == requests { try await Task.sleep(for: .milliseconds(25)) }
            #expect(upstream.requestCount > requests, "the sync reached the upstream")
            let future = Int64((Date().timeIntervalSince1970 + 3600) * 1000)
            let takeOver =
                "UPDATE registry_sync_state SET lease_owner = 'other-replica', lease_expires_at = \(future) WHERE registry_id = '\(created.id)'"
            try await server.executeSQL(sqlite: takeOver + ";", postgres: takeOver)

            // The stalled sync fails after the registry timeout and would record its failure.
            for _ in 0..<600 where !server.logs.text.contains("registry sync lost its lease") { try await Task.sleep(for: .milliseconds(50)) }
            #expect(server.logs.text.contains("registry sync lost its lease"), "the stalled sync ended and logged its lost lease")
            let registry = try await client.getRegistry(path: .init(id: created.id)).ok.body.json
            #expect(
                registry.syncState == .running,
                "the new owner's state stands: \(registry.syncState?.rawValue ?? "-") \(registry.lastError ?? "")"
            )
            #expect(try await client.listRegistrySyncs(path: .init(id: created.id)).ok.body.json.items.count == runsBefore, "no run recorded")
            #expect(try await client.listChartVersions(path: .init(id: created.id, chart: "hello")).ok.body.json.items.count == 1)
        }
        await upstream.stop()
    }

    @Test("a sync that lost its lease and then succeeds saves nothing: no catalog change, no run")
    func lostLeaseThenSuccess() async throws {
        let one = "apiVersion: v1\nentries:\n  hello:\n  - {name: hello, version: 1.0.0, urls: [hello-1.0.0.tgz]}\n"
        let two = one + "  world:\n  - {name: world, version: 2.0.0, urls: [world-2.0.0.tgz]}\n"
        let upstream = try await StallingHTTPServer.start(serving: one)
        try await TestServer.with { server in
            let token = try await TwoTenants.make(on: server).adminA.token
            let client = server.client(token: token)
            let created = try await client.createRegistry(body: .json(.init(name: "late", endpoint: upstream.baseURL, noAuthentication: true)))
                .created.body.json
            #expect(try await CatalogSyncTests.waitForSync(server, token: token, id: created.id).versions == 1)
            let runsBefore = try await client.listRegistrySyncs(path: .init(id: created.id)).ok.body.json.items.count

            // The upstream holds the next request; meanwhile another replica takes the registry.
            upstream.set(.hold)
            let requests = upstream.requestCount
            _ = try await client.syncRegistry(path: .init(id: created.id), query: .init(force: true)).accepted
            for _ in 0..<200 where upstream.requestCount == requests { try await Task.sleep(for: .milliseconds(25)) }
            #expect(upstream.requestCount > requests, "the sync reached the upstream")
            let future = Int64((Date().timeIntervalSince1970 + 3600) * 1000)
            let takeOver =
                "UPDATE registry_sync_state SET lease_owner = 'other-replica', lease_expires_at = \(future) WHERE registry_id = '\(created.id)'"
            try await server.executeSQL(sqlite: takeOver + ";", postgres: takeOver)

            // Now the upstream answers, with a new chart: the old sync must not write it.
            upstream.set(body: two)
            upstream.release()
            for _ in 0..<600 where !server.logs.text.contains("registry sync lost its lease") { try await Task.sleep(for: .milliseconds(50)) }
            #expect(server.logs.text.contains("registry sync lost its lease"), "the late sync noticed its lost lease")
            let registry = try await client.getRegistry(path: .init(id: created.id)).ok.body.json
            #expect(registry.syncState == .running, "the new owner's state stands: \(registry.syncState?.rawValue ?? "-")")
            #expect(registry.charts == 1, "the late sync wrote no chart")
            #expect(try await client.listRegistrySyncs(path: .init(id: created.id)).ok.body.json.items.count == runsBefore, "no run recorded")
            _ = try await client.listChartVersions(path: .init(id: created.id, chart: "world")).notFound  // throws unless 404
        }
        await upstream.stop()
    }
}
