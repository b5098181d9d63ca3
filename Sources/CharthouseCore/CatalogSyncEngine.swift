import CharthouseStore
import Crypto
import Foundation
import HelmFormats
import Logging
import RegistryClient

/// Syncs an unprotected registry's charts into the catalog.
///
/// One sync: take the registry's lease (so two syncs of one registry never overlap, also across
/// replicas on one PostgreSQL), fetch `index.yaml` conditionally (a 304 or an identical body ends
/// it), decode it as helm does, refuse a suspicious shrink unless forced, diff against the stored
/// catalog and apply the diff in one transaction. A failure leaves the last good catalog in place
/// and backs the next attempt off exponentially.
public struct CatalogSyncEngine: Sendable {
    /// Limits of the sync engine, from the configuration.
    public struct Settings: Sendable {
        /// How long a lease lasts without renewal; a sync renews it every third of this, so a
        /// crashed process frees its registries after at most this long.
        public var leaseDuration: TimeInterval = 30
        /// Largest index accepted, in bytes.
        public var maxIndexSize = 256 << 20
        /// A new index with fewer than this share of the stored versions is held as failed unless forced.
        public var shrinkThreshold = 0.5
        /// How many OCI manifests and configs are read at once.
        public var ociConcurrency = 8
        public init() {}
    }

    private let stores: Stores
    private let policy: RegistryPolicy
    private let settings: Settings
    /// Identifies this server process as a lease holder.
    private let owner: String
    private let logger: Logger

    public init(stores: Stores, policy: RegistryPolicy, settings: Settings = .init(), logger: Logger) {
        self.stores = stores
        self.policy = policy
        self.settings = settings
        // No host name: resolving it can stall start-up on a slow resolver; pid + random is unique enough.
        self.owner = "pid\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.lowercased())"
        self.logger = logger
    }

    /// Syncs one registry now. Throws `conflict` when its lease is held (a sync is running) and
    /// for protected registries; a failed sync is recorded and returned, not thrown.
    @discardableResult
    public func sync(registryID: String, force: Bool = false) async throws -> SyncRunRecord {
        guard let registry = try await stores.registries.find(id: registryID) else { throw CharthouseError.notFound("registry \"\(registryID)\"") }
        guard !registry.isProtected else { throw CharthouseError(.conflict, "protected registries are not synced") }
        let started = Date()
        guard
            var state = try await stores.catalog.acquireLease(
                registryID: registryID,
                owner: owner,
                until: started.addingTimeInterval(settings.leaseDuration),
                now: started
            )
        else {
            throw CharthouseError(.conflict, "a sync of registry \"\(registry.name)\" is already running")
        }
        let heartbeat = Task { [stores, owner, settings] in
            while !Task.isCancelled {
                try await Task.sleep(for: .seconds(settings.leaseDuration / 3))
                _ = try await stores.catalog.renewLease(
                    registryID: registryID,
                    owner: owner,
                    until: Date().addingTimeInterval(settings.leaseDuration)
                )
            }
        }
        defer { heartbeat.cancel() }
        do {
            let outcome = try await run(registry, state: state, force: force, started: started)
            return outcome
        } catch {
            let message = Self.message(for: error)
            state.state = "failed"
            state.lastError = message
            state.lastSyncAt = started
            state.lastDurationMs = Self.milliseconds(since: started)
            state.failures += 1
            state.leaseOwner = nil
            state.leaseExpiresAt = nil
            let backoff = min(Double(registry.syncIntervalSeconds), 30 * pow(2, Double(min(state.failures, 10))))
            state.nextSyncAt = Date().addingTimeInterval(backoff)
            let run = SyncRunRecord(
                id: TokenValue.newID(),
                registryID: registryID,
                startedAt: started,
                durationMs: state.lastDurationMs ?? 0,
                outcome: "failed",
                error: message,
                added: 0,
                removed: 0,
                updated: 0,
                skipped: 0,
                changes: "{}"
            )
            try await stores.catalog.finish(state: state, run: run)
            logger.warning("registry sync failed", metadata: ["registry": .string(registry.name), "error": .string(message)])
            return run
        }
    }

    /// What a fetch of the upstream produced: the complete catalog it lists, or "unchanged".
    private enum Listing {
        case unchanged
        case catalog([String: CatalogVersionRecord], order: [String], skipped: Int)
    }

    private func run(_ registry: RegistryRecord, state previous: SyncStateRecord, force: Bool, started: Date) async throws -> SyncRunRecord {
        var state = previous
        let options = RegistryConnectionOptions(
            caCertificatePEM: registry.caCertificate,
            insecureSkipTLSVerify: registry.insecureSkipTLSVerify,
            plainHTTP: registry.plainHTTP,
            connectTimeout: policy.connectTimeout,
            requestTimeout: policy.requestTimeout,
            maxBodySize: settings.maxIndexSize
        )
        let endpoint: RegistryEndpoint
        do {
            endpoint = try RegistryEndpoint(parsing: registry.endpoint)
        } catch let error as HelmFormatError {
            throw CharthouseError(.unprocessable, "invalid endpoint: \(error.message)")
        }
        let listing: Listing
        switch endpoint {
        case .classic:
            listing = try await classicListing(registry, options: options, previous: previous, state: &state, force: force)
        case .oci(let host, let path):
            listing = try await ociListing(registry, host: host, path: path, options: options)
        }
        guard case .catalog(let current, let order, let skipped) = listing else {
            return try await finishUnchanged(registry, state: state, started: started)
        }
        // Read the stored catalog only when there is something to compare: an unchanged upstream
        // costs one conditional request and nothing else.
        let stored = try await stores.catalog.fingerprints(registryID: registry.id)
        let decoded = Date()
        if !force, stored.count >= 20, Double(current.count) < Double(stored.count) * (1 - settings.shrinkThreshold) {
            throw CharthouseError(
                .unprocessable,
                "suspicious shrink: the registry lists \(current.count) versions where the catalog has \(stored.count); sync with force to accept it"
            )
        }

        var upserts: [CatalogVersionRecord] = []
        var removals: [(chart: String, version: String)] = []
        var added: [String] = []
        var updated: [String] = []
        for key in order {
            guard let record = current[key] else { continue }
            switch stored[key] {
            case nil:
                upserts.append(record)
                added.append("\(record.chart)@\(record.version)")
            case let fingerprint? where fingerprint != record.fingerprint:
                upserts.append(record)
                removals.append((record.chart, record.version))
                updated.append("\(record.chart)@\(record.version)")
            default:
                break
            }
        }
        var removed: [String] = []
        for key in stored.keys where current[key] == nil {
            let parts = key.split(separator: "\u{0}", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            removals.append((parts[0], parts.count > 1 ? parts[1] : ""))
            removed.append("\(parts[0])@\(parts.count > 1 ? parts[1] : "")")
        }
        let chartRows = Dictionary(grouping: current.values, by: \.chart).map { chart, versions in
            Self.chartRecord(chart: chart, versions: versions, registryID: registry.id)
        }
        let diffed = Date()

        let duration = Self.milliseconds(since: started)
        state.state = "ok"
        state.lastError = nil
        state.lastSyncAt = started
        state.lastDurationMs = duration
        state.charts = chartRows.count
        state.versions = current.count
        state.added = added.count
        state.removed = removed.count
        state.updated = updated.count
        state.skipped = skipped
        state.failures = 0
        state.leaseOwner = nil
        state.leaseExpiresAt = nil
        state.nextSyncAt = Date().addingTimeInterval(Double(registry.syncIntervalSeconds))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let changes = try String(
            decoding: encoder.encode([
                "added": Array(added.prefix(200)), "removed": Array(removed.prefix(200)), "updated": Array(updated.prefix(200)),
            ]),
            as: UTF8.self
        )
        let run = SyncRunRecord(
            id: TokenValue.newID(),
            registryID: registry.id,
            startedAt: started,
            durationMs: duration,
            outcome: "ok",
            error: nil,
            added: added.count,
            removed: removed.count,
            updated: updated.count,
            skipped: skipped,
            changes: changes
        )
        try await stores.catalog.apply(registryID: registry.id, upserts: upserts, removals: removals, charts: chartRows, state: state, run: run)
        logger.info(
            "registry synced",
            metadata: [
                "fetch_decode_ms": .stringConvertible(Int(decoded.timeIntervalSince(started) * 1000)),
                "diff_ms": .stringConvertible(Int(diffed.timeIntervalSince(decoded) * 1000)),
                "apply_ms": .stringConvertible(Int(Date().timeIntervalSince(diffed) * 1000)),
                "registry": .string(registry.name), "versions": .stringConvertible(current.count), "added": .stringConvertible(added.count),
                "removed": .stringConvertible(removed.count), "updated": .stringConvertible(updated.count),
                "duration_ms": .stringConvertible(duration),
            ]
        )
        return run
    }

    /// Classic: `index.yaml`, fetched conditionally and decoded as helm does.
    private func classicListing(
        _ registry: RegistryRecord,
        options: RegistryConnectionOptions,
        previous: SyncStateRecord,
        state: inout SyncStateRecord,
        force: Bool
    ) async throws -> Listing {
        let lastGood = previous.bodyDigest != nil && previous.lastError == nil
        let fetch = try await ClassicRepositoryClient(options: options).fetchIndex(
            base: registry.endpoint,
            credentials: try credentials(of: registry),
            etag: lastGood && !force ? previous.etag : nil,
            lastModified: lastGood && !force ? previous.lastModified : nil
        )
        guard case .body(let body, let etag, let lastModified) = fetch else { return .unchanged }
        state.etag = etag
        state.lastModified = lastModified
        let bodyDigest = Self.hex(SHA256.hash(data: body))
        if !force, bodyDigest == previous.bodyDigest, previous.lastError == nil { return .unchanged }
        state.bodyDigest = bodyDigest
        var current: [String: CatalogVersionRecord] = [:]
        var order: [String] = []
        let report: IndexFileDecoder.Report
        do {
            report = try IndexFileDecoder.decode(body) { version in
                let record = Self.catalogRecord(version, url: version.urls.first.map { ChartURL.resolve($0, repository: registry.endpoint) } ?? "")
                let key = version.entry + "\u{0}" + version.version
                if current.updateValue(record, forKey: key) == nil { order.append(key) }
            }
        } catch let error as HelmFormatError {
            throw CharthouseError(.unprocessable, "index.yaml refused: \(error.message)")
        }
        return .catalog(current, order: order, skipped: report.skipped.count)
    }

    /// OCI: repositories under the path (catalog), their tags; only new tags cost a manifest and
    /// a config read, known ones keep their stored record.
    private func ociListing(
        _ registry: RegistryRecord,
        host: String,
        path: String,
        options: RegistryConnectionOptions
    ) async throws -> Listing {
        let known = Dictionary(
            uniqueKeysWithValues: try await stores.catalog.allVersions(registryID: registry.id).map { ($0.chart + "\u{0}" + $0.version, $0) }
        )
        let concurrency = settings.ociConcurrency
        return try await OCIChartBrowser.browse(host: host, credentials: try credentials(of: registry), options: options) { browser in
            guard let repositories = try await browser.repositories(under: path) else {
                throw CharthouseError(.unprocessable, "the registry refuses to list its repositories (catalog); charts cannot be discovered")
            }
            var current: [String: CatalogVersionRecord] = [:]
            var order: [String] = []
            var skipped = 0
            var wanted: [(key: String, repository: String, chart: String, tag: String)] = []
            for repository in repositories.sorted() {
                let chart = path.isEmpty ? repository : String(repository.dropFirst(path.count + 1))
                for tag in try await browser.tags(repository: repository) {
                    // OCI tags cannot hold '+': helm writes '_' for SemVer build metadata.
                    let version = tag.replacingOccurrences(of: "_", with: "+")
                    guard SemanticVersion(version) != nil else {
                        skipped += 1
                        continue
                    }
                    let key = chart + "\u{0}" + version
                    order.append(key)
                    if let record = known[key] {
                        current[key] = record
                    } else {
                        wanted.append((key, repository, chart, tag))
                    }
                }
            }
            try await withThrowingTaskGroup(of: (String, CatalogVersionRecord?).self) { group in
                var next = 0
                func startNext() {
                    guard next < wanted.count else { return }
                    let item = wanted[next]
                    next += 1
                    group.addTask {
                        let found = try await browser.chart(repository: item.repository, tag: item.tag)
                        var version = try IndexChartVersion(entry: item.chart, chartConfig: found.config)
                        version.digest = found.chartDigest
                        version.created = found.created
                        guard version.validate() == nil else { return (item.key, nil) }
                        return (item.key, Self.catalogRecord(version, url: "oci://\(host)/\(item.repository)"))
                    }
                }
                for _ in 0..<concurrency { startNext() }
                while let (key, record) = try await group.next() {
                    if let record { current[key] = record } else { skipped += 1 }
                    startNext()
                }
            }
            order.removeAll { current[$0] == nil }
            return .catalog(current, order: order, skipped: skipped)
        }
    }

    private func finishUnchanged(_ registry: RegistryRecord, state previous: SyncStateRecord, started: Date) async throws -> SyncRunRecord {
        var state = previous
        state.state = "ok"
        state.lastError = nil
        state.lastSyncAt = started
        state.lastDurationMs = Self.milliseconds(since: started)
        state.added = 0
        state.removed = 0
        state.updated = 0
        state.failures = 0
        state.leaseOwner = nil
        state.leaseExpiresAt = nil
        state.nextSyncAt = Date().addingTimeInterval(Double(registry.syncIntervalSeconds))
        let run = SyncRunRecord(
            id: TokenValue.newID(),
            registryID: registry.id,
            startedAt: started,
            durationMs: state.lastDurationMs ?? 0,
            outcome: "unchanged",
            error: nil,
            added: 0,
            removed: 0,
            updated: 0,
            skipped: previous.skipped,
            changes: "{}"
        )
        try await stores.catalog.finish(state: state, run: run)
        return run
    }

    private func credentials(of registry: RegistryRecord) throws -> RegistryCredentials {
        guard !registry.noAuthentication, let username = registry.username, let sealed = registry.sealedPassword else { return .anonymous }
        let password = try stores.sealer.open(sealed, context: RegistryRecord.passwordSealingContext(id: registry.id))
        return .basic(username: username, password: password)
    }

    static func catalogRecord(_ version: IndexChartVersion, url: String) -> CatalogVersionRecord {
        let metadata = version.metadataJSON
        let fingerprint = Self.hex(SHA256.hash(data: Data((metadata + "\u{0}" + url).utf8)))
        return CatalogVersionRecord(
            chart: version.entry,
            version: version.version,
            appVersion: version.appVersion,
            description: version.description,
            digest: version.digest,
            url: url,
            created: version.created,
            deprecated: version.deprecated,
            prerelease: SemanticVersion(version.version)?.isPrerelease ?? false,
            metadata: metadata,
            fingerprint: fingerprint
        )
    }

    /// The chart row: its latest stable version (or latest prerelease when it has only those).
    static func chartRecord(chart: String, versions: [CatalogVersionRecord], registryID: String) -> CatalogChartRecord {
        let parsed = versions.compactMap { version in SemanticVersion(version.version).map { (version, $0) } }
        let stable = parsed.filter { !$0.1.isPrerelease }
        let pool = stable.isEmpty ? parsed : stable
        let latest = pool.max { $0.1 < $1.1 }?.0 ?? versions[0]
        let metadata = (try? JSONSerialization.jsonObject(with: Data(latest.metadata.utf8))) as? [String: Any]
        return CatalogChartRecord(
            registryID: registryID,
            chart: chart,
            latestVersion: latest.version,
            appVersion: latest.appVersion,
            description: latest.description,
            icon: metadata?["icon"] as? String ?? "",
            keywords: (metadata?["keywords"] as? [String] ?? []).joined(separator: " "),
            deprecated: latest.deprecated,
            versions: versions.count
        )
    }

    /// Lowercase hex of a digest.
    static func hex(_ digest: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in digest {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func milliseconds(since start: Date) -> Int { Int((Date().timeIntervalSince(start) * 1000).rounded()) }

    static func message(for error: any Error) -> String {
        switch error {
        case let error as CharthouseError: return error.message
        case let error as RegistryClientError: return error.message
        case let error as HelmFormatError: return error.message
        case let error as StoreError: return error.message
        default: return "\(error)"
        }
    }
}
