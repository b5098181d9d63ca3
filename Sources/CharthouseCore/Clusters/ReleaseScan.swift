import CharthouseStore
import ClusterClient
import Crypto
import HelmFormats
import RegistryClient

/// One pass over a cluster's Helm release records (Secrets and ConfigMaps labelled `owner=helm`):
/// their metadata first, page by page; then only the records that are new or whose
/// `resourceVersion` changed since the last run are read and decoded. Where listing across
/// namespaces is forbidden, each namespace is listed on its own and those that stay forbidden
/// are reported. A record that cannot be decoded or is too large is kept as skipped, not fatal.
final class ReleaseScan {
    /// What a scan found.
    struct Outcome: Sendable {
        let current: [String: ReleaseRecordSummary]
        let changed: [ReleaseRecordRow]
        let removed: [String]
        let forbidden: [String]
    }

    let client: KubernetesClient
    let policy: ClusterPolicy
    let previous: [String: ReleaseRecordSummary]
    /// Every record found, by key (new, changed or unchanged).
    private(set) var current: [String: ReleaseRecordSummary] = [:]
    /// The records read and decoded this run.
    private(set) var changed: [ReleaseRecordRow] = []
    private(set) var forbidden: Set<String> = []
    /// `nil` until listing across namespaces is refused; then the namespaces to list one by one.
    private var namespaces: [String]?

    static let selector = "owner=helm"

    init(client: KubernetesClient, policy: ClusterPolicy, previous: [String: ReleaseRecordSummary]) {
        self.client = client
        self.policy = policy
        self.previous = previous
    }

    /// Scans the cluster and says what it found.
    func run() async throws -> Outcome {
        try await scan()
        return Outcome(current: current, changed: changed, removed: previous.keys.filter { current[$0] == nil }, forbidden: forbidden.sorted())
    }

    private func scan() async throws {
        for storage in [HelmReleaseRecord.Storage.secret, .configMap] {
            let resource = storage == .secret ? "secrets" : "configmaps"
            if previous.isEmpty {
                // A first run: every record is new; read them page by page at once.
                try await readPages(resource, storage: storage, wanted: nil)
                continue
            }
            var stale: [String: (namespace: String, name: String)] = [:]
            try await eachPage(resource, metadataOnly: true) { list in
                for item in list.items {
                    let namespace = item.metadata.namespace ?? ""
                    let key = "\(storage.rawValue)/\(namespace)/\(item.metadata.name)"
                    let version = item.metadata.resourceVersion ?? ""
                    if let known = previous[key], known.resourceVersion == version {
                        current[key] = known
                    } else {
                        stale[key] = (namespace, item.metadata.name)
                    }
                }
            }
            guard !stale.isEmpty else { continue }
            if stale.count > policy.pageSize {
                // Many changed: read them page by page rather than one by one.
                try await readPages(resource, storage: storage, wanted: Set(stale.keys))
            } else {
                for (_, object) in stale.sorted(by: { $0.key < $1.key }) {
                    do {
                        let item = try await client.object(resource, namespace: object.namespace, name: object.name)
                        add(Self.row(item, storage: storage, maxRecordSize: policy.maxRecordSize))
                    } catch let error as RegistryClientError where error.message.hasPrefix("404") {
                        continue  // deleted between the two reads: gone
                    }
                }
            }
        }
    }

    /// Reads whole pages and decodes the records in `wanted` (all when `nil`): a page is decoded
    /// on both cores while the next one is fetched.
    private func readPages(_ resource: String, storage: HelmReleaseRecord.Storage, wanted: Set<String>?) async throws {
        var pending: Task<[ReleaseRecordRow], Never>? = nil
        let maxRecordSize = policy.maxRecordSize
        try await eachPage(resource, metadataOnly: false) { list in
            let items = list.items.filter { item in
                wanted.map { $0.contains("\(storage.rawValue)/\(item.metadata.namespace ?? "")/\(item.metadata.name)") } ?? true
            }
            let decoding = Task.detached { await Self.decode(items, storage: storage, maxRecordSize: maxRecordSize) }
            if let rows = await pending?.value { rows.forEach(add) }
            pending = decoding
        }
        if let rows = await pending?.value { rows.forEach(add) }
    }

    /// Decodes records in two halves at once.
    private static func decode(_ items: [KubeObject], storage: HelmReleaseRecord.Storage, maxRecordSize: Int) async -> [ReleaseRecordRow] {
        guard items.count > 1 else { return items.map { row($0, storage: storage, maxRecordSize: maxRecordSize) } }
        let middle = items.count / 2
        async let first = Task.detached { items[..<middle].map { row($0, storage: storage, maxRecordSize: maxRecordSize) } }.value
        let second = items[middle...].map { row($0, storage: storage, maxRecordSize: maxRecordSize) }
        return await first + second
    }

    /// Calls `body` with each page of `resource` across namespaces, or namespace by namespace
    /// where that is forbidden.
    private func eachPage(_ resource: String, metadataOnly: Bool, _ body: (KubeObjectList) async throws -> Void) async throws {
        if namespaces == nil {
            do {
                try await pages(resource, namespace: nil, metadataOnly: metadataOnly, body)
                return
            } catch let error as RegistryClientError where error.kind == .forbidden {
                namespaces = try await listNamespaces(refusal: error)
            }
        }
        for namespace in namespaces ?? [] where !forbidden.contains(namespace) {
            do {
                try await pages(resource, namespace: namespace, metadataOnly: metadataOnly, body)
            } catch let error as RegistryClientError where error.kind == .forbidden {
                forbidden.insert(namespace)
            }
        }
    }

    private func pages(_ resource: String, namespace: String?, metadataOnly: Bool, _ body: (KubeObjectList) async throws -> Void) async throws {
        var token: String? = nil
        repeat {
            let list = try await client.list(
                resource,
                namespace: namespace,
                labelSelector: Self.selector,
                limit: policy.pageSize,
                continueToken: token,
                metadataOnly: metadataOnly
            )
            try await body(list)
            token = list.metadata.continue.flatMap { $0.isEmpty ? nil : $0 }
        } while token != nil
    }

    private func listNamespaces(refusal: RegistryClientError) async throws -> [String] {
        var names: [String] = []
        do {
            var token: String? = nil
            repeat {
                let list = try await client.list("namespaces", limit: 500, continueToken: token, metadataOnly: true)
                names += list.items.map(\.metadata.name)
                token = list.metadata.continue.flatMap { $0.isEmpty ? nil : $0 }
            } while token != nil
        } catch let error as RegistryClientError where error.kind == .forbidden {
            throw RegistryClientError(
                .forbidden,
                "the credentials may neither list release records across namespaces (\(refusal.message)) nor list namespaces (\(error.message))"
            )
        }
        return names
    }

    /// Decodes one record into a row (or a skipped row saying why).
    static func row(_ object: KubeObject, storage: HelmReleaseRecord.Storage, maxRecordSize: Int) -> ReleaseRecordRow {
        var row = ReleaseRecordRow(
            storage: storage.rawValue,
            namespace: object.metadata.namespace ?? "",
            recordName: object.metadata.name,
            resourceVersion: object.metadata.resourceVersion ?? "",
            releaseName: object.metadata.labels?["name"] ?? ""
        )
        guard let value = object.data?["release"] else {
            row.skippedReason = "the record has no release data"
            return row
        }
        guard value.utf8.count <= maxRecordSize else {
            row.skippedReason = "the record is larger than \(maxRecordSize) bytes"
            return row
        }
        do {
            let release = try HelmReleaseRecord(release: value, storage: storage)
            row.releaseName = release.name
            row.revision = release.revision
            row.status = release.status
            row.chart = release.chartName
            row.chartVersion = release.chartVersion
            row.appVersion = release.appVersion ?? ""
            row.description = release.description ?? ""
            row.firstDeployed = release.firstDeployed
            row.lastDeployed = release.lastDeployed
            row.configYAML = release.config.map { YAMLEmitter.document($0) } ?? ""
            row.chartFingerprint = Hex.lowercase(SHA256.hash(data: release.chart.codeBytes))
            row.valuesFingerprint = Hex.lowercase(SHA256.hash(data: ChartContent.comparableValues(release.chart.values, config: release.config)))
        } catch {
            row.skippedReason = "not a helm release record: \(error.message)"
        }
        return row
    }

    private func add(_ row: ReleaseRecordRow) {
        changed.append(row)
        current[row.key] = ReleaseRecordSummary(
            resourceVersion: row.resourceVersion,
            skipped: row.skippedReason != nil,
            release: "\(row.namespace)/\(row.releaseName)"
        )
    }
}
