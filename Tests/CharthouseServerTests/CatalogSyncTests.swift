import CharthouseAPI
import Foundation
import HTTPTypes
import TestSupport
import Testing

/// Syncing unprotected classic registries into the catalog, against nginx serving real indexes.
@Suite("Catalog sync of classic repositories")
struct CatalogSyncTests {
    /// Waits until the registry has more than `runsBefore` finished syncs, and returns it.
    static func waitForSync(
        _ server: TestServer,
        token: String,
        id: String,
        runsBefore: Int = 0
    ) async throws
        -> Components.Schemas.Registry
    {
        let client = server.client(token: token)
        for _ in 0..<300 {
            let runs = try await client.listRegistrySyncs(path: .init(id: id)).ok.body.json.items.count
            let registry = try await client.getRegistry(path: .init(id: id)).ok.body.json
            if runs > runsBefore, ["ok", "failed"].contains(registry.syncState?.rawValue ?? "") { return registry }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw PeerError("registry \(id) did not finish a sync")
    }

    /// Starts a sync through the API and waits for it to finish.
    static func syncNow(_ server: TestServer, token: String, id: String, force: Bool = false) async throws -> Components.Schemas.Registry {
        let client = server.client(token: token)
        let runs = try await client.listRegistrySyncs(path: .init(id: id)).ok.body.json.items.count
        _ = try await client.syncRegistry(path: .init(id: id), query: .init(force: force)).accepted
        return try await waitForSync(server, token: token, id: id, runsBefore: runs)
    }

    /// An index of `count` versions of chart `many`, written by hand (the digests are made up).
    static func writeIndex(_ count: Int, to folder: URL, extra: String = "") throws {
        var text = "apiVersion: v1\nentries:\n  many:\n"
        for minor in 0..<count {
            text +=
                "  - {name: many, version: 1.\(minor).0, appVersion: \"\(minor)\", description: many charts, digest: d\(minor), urls: [many-1.\(minor).0.tgz]}\n"
        }
        text += extra
        try text.write(to: folder.appendingPathComponent("index.yaml"), atomically: true, encoding: .utf8)
    }

    @Test("a repository made by helm syncs: charts, versions, details with resolved URLs, search; diffs add and remove versions")
    func syncAndDiff() async throws {
        let folder = try ChartFixtures.classicRepository([("hello", "1.0.0"), ("hello", "1.1.0-rc.1"), ("world", "0.1.0")])
        defer { try? FileManager.default.removeItem(at: folder) }
        let nginx = try await NginxServer(serving: folder)
        defer { nginx.stop() }
        try await TestServer.with { server in
            let cast = try await TwoTenants.make(on: server)
            let client = server.client(token: cast.adminA.token)
            let created = try await client.createRegistry(body: .json(.init(name: "demo", endpoint: nginx.baseURL, noAuthentication: true)))
                .created.body.json
            let synced = try await Self.waitForSync(server, token: cast.adminA.token, id: created.id)
            #expect(synced.syncState == .ok, "\(synced.lastError ?? "")")
            #expect(synced.charts == 2)
            #expect(synced.versions == 3)
            #expect(synced.lastDiff?.added == 3)

            let charts = try await client.listRegistryCharts(path: .init(id: created.id)).ok.body.json.items
            #expect(charts.map(\.name) == ["hello", "world"])
            #expect(charts.first?.latestVersion == "1.0.0", "a prerelease is not the latest")
            let versions = try await client.listChartVersions(path: .init(id: created.id, chart: "hello")).ok.body.json.items
            #expect(versions.map(\.version) == ["1.1.0-rc.1", "1.0.0"])
            #expect(versions.map(\.prerelease) == [true, false])
            let detail = try await client.getChartVersion(path: .init(id: created.id, chart: "hello", version: "1.0.0")).ok.body.json
            #expect(detail.url == "\(nginx.baseURL)/hello-1.0.0.tgz")
            #expect(detail.digest.hasPrefix("sha256:") && detail.digest.count == 71, "the index's bare hex, shown as sha256:…")
            let missing = try await server.request(.get, "/api/v1/registries/\(created.id)/charts/hello/versions/9.9.9", token: cast.memberA.token)
            expectError(missing, 404, "not_found")
            #expect(missing.error?.message.contains("1.0.0") == true, "the error lists the versions that exist")

            // A member searches its tenant's catalog; tenant B sees nothing of it.
            let found = try await server.client(token: cast.memberA.token).searchCharts(query: .init(q: "hello")).ok.body.json.items
            #expect(found.first?.chart.name == "hello")
            #expect(found.first?.registry == "demo")
            // Paged: one result per page, the next offset given until the last page.
            let member = server.client(token: cast.memberA.token)
            let first = try await member.searchCharts(query: .init(q: "o", limit: 1)).ok.body.json
            #expect(first.items.map(\.chart.name) == ["hello"])
            #expect(first.nextOffset == 1)
            let second = try await member.searchCharts(query: .init(q: "o", limit: 1, offset: first.nextOffset)).ok.body.json
            #expect(second.items.map(\.chart.name) == ["world"])
            #expect(second.nextOffset == nil)
            #expect(try await server.client(token: cast.adminB.token).searchCharts(query: .init(q: "hello")).ok.body.json.items.isEmpty)
            expectError(try await server.request(.get, "/api/v1/registries/\(created.id)/charts", token: cast.adminB.token), 404, "not_found")

            // Unchanged upstream: one conditional request, nothing rewritten.
            let unchanged = try await Self.syncNow(server, token: cast.adminA.token, id: created.id)
            #expect(unchanged.lastDiff?.added == 0)
            let runs = try await client.listRegistrySyncs(path: .init(id: created.id)).ok.body.json.items
            #expect(runs.first?.outcome == .unchanged)

            // Upstream adds a version and drops another.
            let helm = try HelmCLI(major: 4)
            defer { helm.removeHome() }
            let work = try ScratchDirectory.make("charthouse-more")
            defer { try? FileManager.default.removeItem(at: work) }
            let archive = try helm.packageChart(name: "hello", version: "2.0.0", in: work)
            try FileManager.default.moveItem(at: archive, to: folder.appendingPathComponent(archive.lastPathComponent))
            try FileManager.default.removeItem(at: folder.appendingPathComponent("world-0.1.0.tgz"))
            try helm.run(["repo", "index", folder.path])
            let diffed = try await Self.syncNow(server, token: cast.adminA.token, id: created.id)
            #expect(diffed.lastDiff?.added == 1)
            #expect(diffed.lastDiff?.removed == 1)
            let latestRun = try await client.listRegistrySyncs(path: .init(id: created.id)).ok.body.json.items.first
            #expect(latestRun?.changes.added == ["hello@2.0.0"])
            #expect(latestRun?.changes.removed == ["world@0.1.0"])
            #expect(try await client.listRegistryCharts(path: .init(id: created.id)).ok.body.json.items.map(\.name) == ["hello"])
        }
    }

    @Test("bad upstream answers fail the sync with a clear error and keep the last good catalog")
    func failuresKeepCatalog() async throws {
        let folder = try ScratchDirectory.make("charthouse-faulty")
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.writeIndex(30, to: folder)
        let nginx = try await NginxServer(serving: folder)
        defer { nginx.stop() }
        try await TestServer.with { server in
            let token = try await TwoTenants.make(on: server).adminA.token
            let client = server.client(token: token)
            let created = try await client.createRegistry(body: .json(.init(name: "faulty", endpoint: nginx.baseURL, noAuthentication: true)))
                .created.body.json
            #expect(try await Self.waitForSync(server, token: token, id: created.id).versions == 30)

            let faults: [(String, String)] = [
                ("apiVersion: v1\nentries:\n  many: [ {name: many, version: 1.0.0\n", "invalid YAML"),
                ("apiVersion: v1\nentries:\n  many: just-a-string\n", "not a list"),
                ("entries: {}\n", "no API version"),
                ("", "empty index.yaml"),
                ("apiVersion: v1\nentries:\n  many:\n  - {name: many, version: 1.0.0, unknown: x}\n", "unknown field"),
            ]
            for (body, expected) in faults {
                try body.write(to: folder.appendingPathComponent("index.yaml"), atomically: true, encoding: .utf8)
                let failed = try await Self.syncNow(server, token: token, id: created.id)
                #expect(failed.syncState == .failed)
                #expect(failed.lastError?.contains(expected) == true, "\(expected): \(failed.lastError ?? "")")
                #expect(failed.versions == 30)
                #expect(try await client.listChartVersions(path: .init(id: created.id, chart: "many")).ok.body.json.items.count == 30)
            }

            try FileManager.default.removeItem(at: folder.appendingPathComponent("index.yaml"))
            let gone = try await Self.syncNow(server, token: token, id: created.id)
            #expect(gone.lastError?.contains("404 Not Found") == true, "\(gone.lastError ?? "")")

            // A shrink to 5 of 30 versions is held until forced.
            try Self.writeIndex(5, to: folder)
            let held = try await Self.syncNow(server, token: token, id: created.id)
            #expect(held.syncState == .failed)
            #expect(held.lastError?.contains("suspicious shrink") == true)
            #expect(try await client.listChartVersions(path: .init(id: created.id, chart: "many")).ok.body.json.items.count == 30)
            let forced = try await Self.syncNow(server, token: token, id: created.id, force: true)
            #expect(forced.syncState == .ok)
            #expect(forced.lastDiff?.removed == 25)
            #expect(try await client.listChartVersions(path: .init(id: created.id, chart: "many")).ok.body.json.items.count == 5)
        }
    }

    @Test("a database error partway through a streamed sync rolls the whole sync back: no half-written catalog, state not stuck")
    func databaseErrorMidStream() async throws {
        let folder = try ScratchDirectory.make("charthouse-db-fault")
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.writeIndex(1200, to: folder)
        let nginx = try await NginxServer(serving: folder)
        defer { nginx.stop() }
        try await TestServer.with { server in
            let token = try await TwoTenants.make(on: server).adminA.token
            let client = server.client(token: token)
            let created = try await client.createRegistry(body: .json(.init(name: "streamed", endpoint: nginx.baseURL, noAuthentication: true)))
                .created.body.json
            #expect(try await Self.waitForSync(server, token: token, id: created.id).versions == 1200)

            // A trigger refuses one row that comes last in the index, after more than two batches
            // of 500 new versions were already written inside the sync's transaction.
            try await server.poisonCatalog()
            try Self.writeIndex(2400, to: folder, extra: "  poison:\n  - {name: poison, version: 1.0.0, urls: [poison-1.0.0.tgz]}\n")
            let failed = try await Self.syncNow(server, token: token, id: created.id)
            #expect(failed.syncState == .failed)
            #expect(failed.lastError?.contains("poisoned row") == true, "\(failed.lastError ?? "")")
            #expect(failed.versions == 1200)
            let kept = try await client.listChartVersions(path: .init(id: created.id, chart: "many")).ok.body.json.items
            #expect(kept.count == 1200, "none of the 1,200 versions written before the error is visible")
            #expect(kept.first?.version == "1.1199.0")
            let charts = try await client.listRegistryCharts(path: .init(id: created.id)).ok.body.json.items
            #expect(charts.map(\.name) == ["many"])
            #expect(charts.first?.versions == 1200)

            // With the fault gone the next sync applies the whole index.
            try await server.curePoisonedCatalog()
            let healed = try await Self.syncNow(server, token: token, id: created.id)
            #expect(healed.syncState == .ok, "\(healed.lastError ?? "")")
            #expect(healed.versions == 2401)
            #expect(healed.lastDiff?.added == 1201)
        }
    }

    /// An index of `charts` charts × 10 versions, `middle` inserted halfway, about 2.6 MB at 1,000 charts.
    static func largeIndex(charts: Int, middle: String = "") -> String {
        var text = "apiVersion: v1\nentries:\n"
        let padding = String(repeating: "a large index for the halves ", count: 6)
        for number in 0..<charts {
            if number == charts / 2 { text += middle }
            text += "  big-\(number):\n"
            for minor in 0..<10 {
                text +=
                    "  - {name: big-\(number), version: 1.\(minor).0, description: \(padding), digest: d\(minor), urls: [big-\(number)-1.\(minor).0.tgz]}\n"
            }
        }
        return text + "generated: \"2024-01-01T00:00:00Z\"\n"
    }

    @Test("a large index is decoded in two halves; where the halves cannot read it, it is read whole with helm's result")
    func largeIndexHalves() async throws {
        let folder = try ScratchDirectory.make("charthouse-halves")
        defer { try? FileManager.default.removeItem(at: folder) }
        let index = folder.appendingPathComponent("index.yaml")
        try Self.largeIndex(charts: 1000).write(to: index, atomically: true, encoding: .utf8)
        let nginx = try await NginxServer(serving: folder)
        defer { nginx.stop() }
        try await TestServer.with { server in
            let token = try await TwoTenants.make(on: server).adminA.token
            let client = server.client(token: token)
            let created = try await client.createRegistry(body: .json(.init(name: "large", endpoint: nginx.baseURL, noAuthentication: true)))
                .created.body.json
            let first = try await Self.waitForSync(server, token: token, id: created.id)
            #expect(first.syncState == .ok, "\(first.lastError ?? "")")
            #expect(first.versions == 10_000)
            #expect(first.charts == 1000)
            #expect(server.logs.text.contains("index read in halves"), "the index is large enough to be read in halves")

            // A quoted description runs over a line that looks like a chart entry, right where
            // the index is cut (its long first line puts the middle of the file inside it).
            let long = String(repeating: "x", count: 20_000)
            let trap =
                "  trap:\n  - name: trap\n    version: 1.0.0\n    description: \"starts here \(long)\n  looks-like-an-entry:\n    ends here\"\n"
            try Self.largeIndex(charts: 1000, middle: trap).write(to: index, atomically: true, encoding: .utf8)
            let second = try await Self.syncNow(server, token: token, id: created.id)
            #expect(second.syncState == .ok, "\(second.lastError ?? "")")
            #expect(second.versions == 10_001)
            #expect(second.lastDiff?.added == 1)
            let trapped = try await client.getChartVersion(path: .init(id: created.id, chart: "trap", version: "1.0.0")).ok.body.json
            #expect(trapped.description == "starts here \(long) looks-like-an-entry: ends here")
            #expect(server.logs.text.contains("index read whole after the halves failed"))

            // A chart listed in both halves: refused as a whole, with the line helm's parser names.
            try Self.largeIndex(charts: 1000, middle: "  big-0:\n  - {name: big-0, version: 9.0.0}\n").write(
                to: index,
                atomically: true,
                encoding: .utf8
            )
            let third = try await Self.syncNow(server, token: token, id: created.id)
            #expect(third.syncState == .failed)
            #expect(third.lastError?.contains("key \"big-0\" is duplicated (line ") == true, "\(third.lastError ?? "")")
            #expect(third.versions == 10_001)
        }
    }

    @Test("an index above the configured size cap is refused when the registry is added and fails a later sync")
    func sizeCap() async throws {
        let folder = try ScratchDirectory.make("charthouse-big")
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.writeIndex(40, to: folder)
        let nginx = try await NginxServer(serving: folder)
        defer { nginx.stop() }
        try await TestServer.with(.init(environment: ["CHARTHOUSE_MAX_INDEX_SIZE": "2048"])) { server in
            let token = try await TwoTenants.make(on: server).adminA.token
            let body: [String: Any] = ["name": "big", "endpoint": nginx.baseURL, "noAuthentication": true]
            let refused = try await RegistryValidationTests.create(server, token: token, body)
            expectError(refused, 422, "unprocessable")
            #expect(refused.error?.message.contains("larger than the limit of 2048 bytes") == true, "\(refused.text)")

            try Self.writeIndex(1, to: folder)
            let created = try await RegistryValidationTests.create(server, token: token, body)
            #expect(created.status == 201, "\(created.text)")
            let id = try #require(created.object?["id"] as? String)
            #expect(try await Self.waitForSync(server, token: token, id: id).versions == 1)
            try Self.writeIndex(40, to: folder)
            let failed = try await Self.syncNow(server, token: token, id: id)
            #expect(failed.syncState == .failed)
            #expect(failed.lastError?.contains("larger than the limit of 2048 bytes") == true, "\(failed.lastError ?? "")")
            #expect(failed.versions == 1)
        }
    }

    @Test("HTTP 500, a body cut short and a silent upstream fail the sync and keep the catalog")
    func transportFaults() async throws {
        let index = "apiVersion: v1\nentries:\n  hello:\n  - {name: hello, version: 1.0.0, urls: [hello-1.0.0.tgz]}\n"
        let upstream = try await StallingHTTPServer.start(serving: index)
        try await TestServer.with(.init(registryTimeout: 2)) { server in
            let token = try await TwoTenants.make(on: server).adminA.token
            let client = server.client(token: token)
            let created = try await client.createRegistry(body: .json(.init(name: "flaky", endpoint: upstream.baseURL, noAuthentication: true)))
                .created.body.json
            #expect(try await Self.waitForSync(server, token: token, id: created.id).versions == 1)
            for (behaviour, expected) in [
                (StallingHTTPServer.Behaviour.fail, "500 Internal Server Error"), (.truncate, "was cut short"), (.stall, "no answer"),
            ] {
                upstream.set(behaviour)
                let failed = try await Self.syncNow(server, token: token, id: created.id, force: true)
                #expect(failed.syncState == .failed)
                #expect(failed.lastError?.contains(expected) == true, "\(behaviour): \(failed.lastError ?? "")")
                #expect(try await client.listChartVersions(path: .init(id: created.id, chart: "hello")).ok.body.json.items.count == 1)
            }
        }
        await upstream.stop()
    }

    @Test("protected registries are never synced; members cannot start syncs; system catalogs serve every tenant")
    func rules() async throws {
        let folder = try ScratchDirectory.make("charthouse-system")
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.writeIndex(3, to: folder)
        let nginx = try await NginxServer(serving: folder)
        defer { nginx.stop() }
        try await TestServer.with(.init(systemRegistries: ["stable=\(nginx.baseURL)"])) { server in
            let cast = try await TwoTenants.make(on: server)
            let protected = try await server.client(token: cast.adminA.token).createRegistry(
                body: .json(.init(name: "private", endpoint: "https://charts.internal", protected: true, noAuthentication: true))
            ).created.body.json
            let conflict = try await server.request(.post, "/api/v1/registries/\(protected.id)/sync", token: cast.adminA.token)
            expectError(conflict, 409, "conflict")
            #expect(conflict.error?.message == "protected registries are not synced")

            let stable = try #require(
                try await server.client(token: cast.memberB.token).listRegistries().ok.body.json.items.first { $0.name == "stable" }
            )
            expectError(try await server.request(.post, "/api/v1/registries/\(stable.id)/sync", token: cast.memberB.token), 403, "forbidden")
            expectError(try await server.request(.post, "/api/v1/registries/\(stable.id)/sync", token: cast.adminB.token), 403, "forbidden")
            let synced = try await Self.waitForSync(server, token: cast.memberB.token, id: stable.id)
            #expect(synced.versions == 3)
            for token in [cast.memberA.token, cast.memberB.token] {
                let found = try await server.client(token: token).searchCharts(query: .init(q: "many")).ok.body.json.items
                #expect(found.map(\.registry) == ["stable"])
                #expect(found.first?.scope == .system)
            }
        }
    }
}

@Suite("Catalog sync of real repositories")
struct RealIndexSyncTests {
    @Test(
        "the catalog API lists what helm lists for real indexes",
        .enabled(if: RealIndexes.isAvailable, "shared/real-indexes not found (scripts/test reports it)"),
        arguments: [
            "grafana__helm-charts__index.yaml", "Kong__charts__index.yaml", "haiwen__seafile-helm-chart__repo-index.yaml",
            "openshift-helm-charts__charts__index.yaml",
        ]
    )
    func realIndex(file: String) async throws {
        let site = try ScratchDirectory.make("charthouse-real-sync")
        defer { try? FileManager.default.removeItem(at: site) }
        try FileManager.default.createSymbolicLink(
            at: site.appendingPathComponent("index.yaml"),
            withDestinationURL: try RealIndexes.file(file)
        )
        let nginx = try await NginxServer(serving: site)
        defer { nginx.stop() }
        let helm = try HelmCLI(major: 4)
        defer { helm.removeHome() }
        try helm.run(["repo", "add", "real", nginx.baseURL])
        struct Row: Decodable, Hashable {
            let name: String
            let version: String
            let app_version: String
        }
        let helmRows = Set(
            try JSONDecoder().decode(
                [Row].self,
                from: Data(try helm.run(["search", "repo", "real/", "--versions", "--devel", "-o", "json"]).stdout.utf8)
            )
        )
        try await TestServer.with { server in
            let token = try await TwoTenants.make(on: server).adminA.token
            let client = server.client(token: token)
            let created = try await client.createRegistry(body: .json(.init(name: "real", endpoint: nginx.baseURL, noAuthentication: true)))
                .created.body.json
            let synced = try await CatalogSyncTests.waitForSync(server, token: token, id: created.id)
            #expect(synced.syncState == .ok, "\(synced.lastError ?? "")")
            var ours = Set<Row>()
            var cursor: String?
            repeat {
                let page = try await client.listRegistryCharts(path: .init(id: created.id), query: .init(limit: 500, cursor: cursor)).ok.body.json
                for chart in page.items {
                    for version in try await client.listChartVersions(path: .init(id: created.id, chart: chart.name)).ok.body.json.items {
                        ours.insert(Row(name: "real/\(chart.name)", version: version.version, app_version: version.appVersion))
                    }
                }
                cursor = page.nextCursor
            } while cursor != nil
            #expect(ours == helmRows, "\(file): helm only \(helmRows.subtracting(ours).prefix(3)), ours only \(ours.subtracting(helmRows).prefix(3))")
            #expect(synced.versions == helmRows.count)
        }
    }
}
