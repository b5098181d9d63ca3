import CharthouseStore
import Foundation

extension ClusterService {
    /// The latest revision of each release discovery found in a cluster (one namespace, or all),
    /// with the registries whose catalog holds its chart and version.
    public func releases(clusterID: String, namespace: String?, caller: Caller) async throws -> [ReleaseView] {
        let record = try await visibleRecord(id: clusterID, caller: caller)
        let rows = try await stores.clusters.releases(clusterID: record.id, namespace: namespace)
        let matches = try await catalogMatches(for: rows, caller: caller)
        return rows.map { ReleaseView(record: $0, catalogMatches: matches[Self.chartKey($0)] ?? [], history: nil) }
    }

    /// One release with every revision helm keeps.
    public func release(clusterID: String, namespace: String, name: String, caller: Caller) async throws -> ReleaseView {
        let record = try await visibleRecord(id: clusterID, caller: caller)
        let history = try await stores.clusters.history(clusterID: record.id, namespace: namespace, name: name)
        guard let latest = history.first else { throw CharthouseError.notFound("release \(namespace)/\(name)") }
        let matches = try await catalogMatches(for: [latest], caller: caller)
        return ReleaseView(record: latest, catalogMatches: matches[Self.chartKey(latest)] ?? [], history: history)
    }

    static func chartKey(_ row: ReleaseRecordRow) -> String { "\(row.chart)\u{0}\(row.chartVersion)\u{0}\(row.chartFingerprint)" }

    /// For each distinct chart (name, version, content) among `rows`: the unprotected registries
    /// the caller sees (its own first, then the system's) whose catalog has that name and version,
    /// and whether the archive there holds the same chart content.
    func catalogMatches(for rows: [ReleaseRecordRow], caller: Caller) async throws -> [String: [CatalogMatch]] {
        let registries = try await stores.registries.listVisible(tenantID: caller.tenantID).filter { !$0.isProtected }
        let found = try await stores.catalog.versions(registryIDs: registries.map(\.id), charts: Set(rows.map(\.chart)))
        let order = Dictionary(uniqueKeysWithValues: registries.enumerated().map { ($1.id, $0) })
        let names = Dictionary(uniqueKeysWithValues: registries.map { ($0.id, $0.name) })
        var candidates: [String: [(registryID: String, version: CatalogVersionRecord)]] = [:]
        for entry in found { candidates["\(entry.version.chart)\u{0}\(entry.version.version)", default: []].append(entry) }
        // Each candidate archive's content fingerprint, fetched (and cached by digest) at most 4 at a time.
        let wanted = Set(rows.map { "\($0.chart)\u{0}\($0.chartVersion)" })
        let fetches = wanted.flatMap { candidates[$0] ?? [] }
        var fingerprints: [String: Result<String?, CharthouseError>] = [:]
        let chartFiles = self.chartFiles
        await withTaskGroup(of: (String, Result<String?, CharthouseError>).self) { group in
            var running = 0
            for (registryID, version) in fetches {
                if running == 4, let (key, result) = await group.next() {
                    fingerprints[key] = result
                    running -= 1
                }
                group.addTask {
                    let key = "\(registryID)\u{0}\(version.chart)\u{0}\(version.version)"
                    do {
                        let files = try await chartFiles.files(
                            registryID: registryID,
                            chart: version.chart,
                            version: version.version,
                            caller: caller,
                            needingContent: true
                        )
                        return (key, .success(files.contentFingerprint))
                    } catch let error as CharthouseError {
                        return (key, .failure(error))
                    } catch {
                        return (key, .failure(CharthouseError(.internal, "the chart archive could not be read", cause: error)))
                    }
                }
                running += 1
            }
            for await (key, result) in group { fingerprints[key] = result }
        }
        var matches: [String: [CatalogMatch]] = [:]
        for row in rows {
            let entries = (candidates["\(row.chart)\u{0}\(row.chartVersion)"] ?? []).sorted {
                (order[$0.registryID] ?? 0) < (order[$1.registryID] ?? 0)
            }
            matches[Self.chartKey(row)] = entries.map { registryID, version in
                let result = fingerprints["\(registryID)\u{0}\(version.chart)\u{0}\(version.version)"]
                let (kind, reason): (CatalogMatch.Kind, String?) =
                    switch result {
                    case .success(let fingerprint?): (fingerprint == row.chartFingerprint ? .exact : .modified, nil)
                    case .success(nil): (.unknown, "the catalog's archive holds no readable chart")
                    case .failure(let error): (.unknown, error.message)
                    case nil: (.unknown, "not compared")
                    }
                return CatalogMatch(registryID: registryID, registryName: names[registryID] ?? "", kind: kind, digest: version.digest, reason: reason)
            }
        }
        return matches
    }
}
