import CharthouseStore
import Crypto
import Foundation
import HelmFormats

extension ClusterService {
    /// The latest revision of each release discovery found in a cluster (one namespace, or all),
    /// with the registries whose catalog holds its chart and version.
    public func releases(clusterID: String, namespace: String?, caller: Caller) async throws -> [ReleaseView] {
        let record = try await visibleRecord(id: clusterID, caller: caller)
        if let namespace { try ProfileRules.validateNamespace(namespace) }
        let rows = try await stores.clusters.releases(clusterID: record.id, namespace: namespace)
        let matches = try await catalogMatches(for: rows, caller: caller)
        return rows.map { ReleaseView(record: $0, catalogMatches: matches[$0.key] ?? [], history: nil) }
    }

    /// One release with every revision helm keeps.
    public func release(clusterID: String, namespace: String, name: String, caller: Caller) async throws -> ReleaseView {
        let record = try await visibleRecord(id: clusterID, caller: caller)
        let history = try await stores.clusters.history(clusterID: record.id, namespace: namespace, name: name)
        guard let latest = history.first else { throw CharthouseError.notFound("release \(namespace)/\(name)") }
        let matches = try await catalogMatches(for: [latest], caller: caller)
        return ReleaseView(record: latest, catalogMatches: matches[latest.key] ?? [], history: history)
    }

    /// For each of `rows`, by ``ReleaseRecordRow/key``: the unprotected registries the caller
    /// sees (its own first, then the system's) whose catalog has the release's chart name and
    /// version, and whether the archive there holds the same chart — the same code
    /// (Chart.yaml, templates) and the same default values where the user's values do not set them.
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
        var archives: [String: Result<ChartFilesRecord, CharthouseError>] = [:]
        let chartFiles = self.chartFiles
        await withTaskGroup(of: (String, Result<ChartFilesRecord, CharthouseError>).self) { group in
            var running = 0
            for (registryID, version) in fetches {
                if running == 4, let (key, result) = await group.next() {
                    archives[key] = result
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
                        return (key, .success(files))
                    } catch let error as CharthouseError {
                        return (key, .failure(error))
                    } catch {
                        return (key, .failure(CharthouseError(.internal, "the chart archive could not be read", cause: error)))
                    }
                }
                running += 1
            }
            for await (key, result) in group { archives[key] = result }
        }
        var matches: [String: [CatalogMatch]] = [:]
        for row in rows {
            let entries = (candidates["\(row.chart)\u{0}\(row.chartVersion)"] ?? []).sorted {
                (order[$0.registryID] ?? 0) < (order[$1.registryID] ?? 0)
            }
            matches[row.key] = entries.map { registryID, version in
                let (kind, reason) = Self.compare(row, with: archives["\(registryID)\u{0}\(version.chart)\u{0}\(version.version)"])
                return CatalogMatch(registryID: registryID, registryName: names[registryID] ?? "", kind: kind, digest: version.digest, reason: reason)
            }
        }
        return matches
    }

    /// `exact` when the archive's code and default values (outside the user's values) are the release's.
    static func compare(_ row: ReleaseRecordRow, with archive: Result<ChartFilesRecord, CharthouseError>?) -> (CatalogMatch.Kind, String?) {
        switch archive {
        case .success(let files):
            guard let code = files.contentFingerprint, !code.isEmpty else { return (.unknown, "the catalog's archive holds no readable chart") }
            guard code == row.chartFingerprint else { return (.modified, nil) }
            do {
                let defaults = JSONValue.object(try YAMLDocument.parseMapping(files.values ?? ""))
                let config = row.configYAML.isEmpty ? nil : try YAMLDocument.parse(row.configYAML)
                let values = Hex.lowercase(SHA256.hash(data: ChartContent.comparableValues(defaults, config: config)))
                return (values == row.valuesFingerprint ? .exact : .modified, nil)
            } catch {
                return (.unknown, "the default values cannot be read: \(error)")
            }
        case .failure(let error): return (.unknown, error.message)
        case nil: return (.unknown, "not compared")
        }
    }
}
