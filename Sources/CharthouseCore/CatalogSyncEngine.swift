public import CharthouseStore
import Crypto
public import Foundation
import HelmFormats
public import Logging
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

    let stores: Stores
    let policy: RegistryPolicy
    let settings: Settings
    /// Identifies this server process as a lease holder.
    private let owner: String
    let logger: Logger

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
        let heartbeat = LeasedJob.heartbeat(duration: settings.leaseDuration) { [stores, owner] until in
            _ = try await stores.catalog.renewLease(registryID: registryID, owner: owner, until: until)
        }
        defer {
            heartbeat.cancel()
            // A sync allocates and frees tens of megabytes; give them back rather than keep the peak.
            Allocator.releaseFreeMemory()
        }
        do {
            let outcome = try await run(registry, state: state, force: force, started: started)
            return outcome
        } catch let error as StoreError where error.isLeaseLost {
            throw lostLease(registry, error)
        } catch {
            let message = LeasedJob.message(for: error)
            state.failed(
                startedAt: started,
                durationMs: LeasedJob.milliseconds(since: started),
                error: message,
                interval: registry.syncIntervalSeconds
            )
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
            do {
                try await stores.catalog.finish(state: state, run: run, owner: owner, keepingRuns: SyncStateRecord.runsKept)
            } catch let error as StoreError where error.isLeaseLost {
                throw lostLease(registry, error)
            }
            logger.warning("registry sync failed", metadata: ["registry": .string(registry.name), "error": .string(message)])
            return run
        }
    }

    /// What a fetch of the upstream produced: "unchanged", or its versions as they are decoded,
    /// with the stored catalog's fingerprints to compare them with.
    enum Listing {
        case unchanged
        /// `retry` decodes the listing again in one piece, when the pipe fails with
        /// ``IndexDecoding/HalvesFailed``.
        case changed(BatchPipe<ListingEvent>, stored: [String: String], retry: (@Sendable () -> BatchPipe<ListingEvent>)? = nil)
    }

    /// What the listing side hands the writing side.
    enum ListingEvent: Sendable {
        /// Versions decoded from `index.yaml` with their catalog records made (on the decoding threads).
        case indexRecords([ListedVersion])
        /// Versions with their catalog records made (OCI).
        case records([CatalogVersionRecord])
        /// Versions helm would skip.
        case skipped(Int)
    }

    /// Versions per write while a listing streams in.
    private static let writeBatch = 500

    private func run(_ registry: RegistryRecord, state previous: SyncStateRecord, force: Bool, started: Date) async throws -> SyncRunRecord {
        var state = previous
        let options = registry.connectionOptions(policy: policy, maxBodySize: settings.maxIndexSize)
        let endpoint: RegistryEndpoint
        do {
            endpoint = try RegistryEndpoint(parsing: registry.endpoint)
        } catch let error as HelmFormatError {
            throw CharthouseError(.unprocessable, "invalid endpoint: \(error.message)", cause: error)
        }
        let listing: Listing
        switch endpoint {
        case .classic:
            listing = try await classicListing(registry, options: options, previous: previous, state: &state, force: force)
        case .oci(let host, let path):
            listing = try await ociListing(registry, host: host, path: path, options: options)
        }
        guard case .changed(let firstPipe, let stored, let retry) = listing else {
            return try await finishUnchanged(registry, state: state, started: started)
        }
        let fetched = Date()
        do {
            return try await apply(firstPipe, stored: stored, registry: registry, state: state, force: force, started: started, fetched: fetched)
        } catch is IndexDecoding.HalvesFailed {
            // The index could not be read in halves: read it whole (same result, or helm's exact error).
            guard let retry else { throw CharthouseError(.internal, "listing failed") }
            logger.info("index read whole after the halves failed", metadata: ["registry": .string(registry.name)])
            return try await apply(retry(), stored: stored, registry: registry, state: state, force: force, started: started, fetched: fetched)
        }
    }

    /// Streams a listing into the catalog in one transaction: versions written as they arrive,
    /// then the shrink check, removals, chart rows, state and the run record.
    private func apply(
        _ pipe: BatchPipe<ListingEvent>,
        stored: [String: String],
        registry: RegistryRecord,
        state: SyncStateRecord,
        force: Bool,
        started: Date,
        fetched: Date
    ) async throws -> SyncRunRecord {
        defer { pipe.cancel() }
        let shrinkThreshold = settings.shrinkThreshold
        let finalState = state
        // Versions are written while the rest of the listing is still being decoded; the
        // transaction commits only once the whole listing was read and checked.
        let (run, diffMs) = try await stores.catalog.write(registryID: registry.id) { writer in
            var diff = CatalogDiff(stored: stored)
            var writing: Task<Void, any Error>?
            do {
                for try await event in pipe {
                    switch event {
                    case .indexRecords(let records):
                        for listed in records { diff.add(listed) }
                    case .records(let records):
                        for record in records { diff.add(ListedVersion(record: record)) }
                    case .skipped(let count):
                        diff.skipped += count
                    }
                    // The previous batch is written while this one was compared; one write at a time.
                    if diff.pendingCount > 0 {
                        try await writing?.value
                        let batch = diff.takeBatch()
                        writing = Task { try await writer.upsert(batch) }
                    }
                }
                try await writing?.value
            } catch {
                // Never leave a write running on the transaction's connection while it rolls back.
                _ = try? await writing?.value
                throw error
            }
            let streamed = Date()
            if !force, diff.isSuspiciousShrink(threshold: shrinkThreshold) {
                throw CharthouseError(
                    .unprocessable,
                    "suspicious shrink: the registry lists \(diff.versionCount) versions where the catalog has \(diff.stored.count); sync with force to accept it"
                )
            }
            let removals = diff.removals
            try await writer.remove(removals)
            let charts = diff.chartRecords(registryID: registry.id)
            try await writer.replaceCharts(charts)
            let changes = diff.changes(removals: removals)
            var state = finalState
            let duration = LeasedJob.milliseconds(since: started)
            state.succeeded(
                startedAt: started,
                durationMs: duration,
                charts: charts.count,
                versions: diff.versionCount,
                counts: (changes.added.count, changes.removed.count, changes.updated.count, diff.skipped),
                nextSyncAt: Date().addingTimeInterval(Double(registry.syncIntervalSeconds))
            )
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let changeList = try String(
                decoding: encoder.encode([
                    "added": Array(changes.added.prefix(200)), "removed": Array(changes.removed.prefix(200)),
                    "updated": Array(changes.updated.prefix(200)),
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
                added: changes.added.count,
                removed: changes.removed.count,
                updated: changes.updated.count,
                skipped: diff.skipped,
                changes: changeList
            )
            try await writer.save(state: state, run: run, owner: owner, keepingRuns: SyncStateRecord.runsKept)
            return (run, Int(Date().timeIntervalSince(streamed) * 1000))
        }
        await LayerStaleness.refresh(registryID: registry.id, stores: stores, logger: logger)
        logger.info(
            "registry synced",
            metadata: [
                "fetch_ms": .stringConvertible(Int(fetched.timeIntervalSince(started) * 1000)),
                "decode_write_ms": .stringConvertible(Int(Date().timeIntervalSince(fetched) * 1000) - diffMs),
                "finish_ms": .stringConvertible(diffMs),
                "registry": .string(registry.name), "added": .stringConvertible(run.added),
                "removed": .stringConvertible(run.removed), "updated": .stringConvertible(run.updated),
                "duration_ms": .stringConvertible(run.durationMs),
            ]
        )
        return run
    }

    private func finishUnchanged(_ registry: RegistryRecord, state previous: SyncStateRecord, started: Date) async throws -> SyncRunRecord {
        var state = previous
        state.unchanged(
            startedAt: started,
            durationMs: LeasedJob.milliseconds(since: started),
            nextSyncAt: Date().addingTimeInterval(Double(registry.syncIntervalSeconds))
        )
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
        try await stores.catalog.finish(state: state, run: run, owner: owner, keepingRuns: SyncStateRecord.runsKept)
        return run
    }

    func credentials(of registry: RegistryRecord) throws -> RegistryCredentials {
        try registry.credentials(sealer: stores.sealer)
    }

    /// The sync ran past its lease and another took the registry: that one's results stand, this
    /// one's were not saved (a `conflict`, as when the lease is held at the start).
    private func lostLease(_ registry: RegistryRecord, _ error: StoreError) -> CharthouseError {
        logger.warning("registry sync lost its lease", metadata: ["registry": .string(registry.name), "error": .string(error.message)])
        return CharthouseError(.conflict, error.message, cause: error)
    }

}
