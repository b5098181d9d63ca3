import CharthouseStore
import Foundation
public import Logging
public import ServiceLifecycle

/// Runs registry syncs: every registry on its interval (failures back off), and on demand.
///
/// At most `concurrency` syncs run at once in this process; the per-registry lease in the store
/// keeps two syncs of one registry from overlapping across processes. Stops on graceful shutdown.
public actor SyncScheduler: Service {
    private let engine: CatalogSyncEngine
    private let stores: Stores
    private let logger: Logger
    private let concurrency: Int
    private let pollInterval: Duration
    private var requested: [String: Bool] = [:]
    /// Registries of the batch being synced, for ``request(registryID:force:unlessRunning:)``.
    private var inFlight: Set<String> = []
    private let wakeUp: AsyncStream<Void>.Continuation
    private let wakeUps: AsyncStream<Void>

    public init(engine: CatalogSyncEngine, stores: Stores, logger: Logger, concurrency: Int = 4, pollInterval: Duration = .seconds(5)) {
        self.engine = engine
        self.stores = stores
        self.logger = logger
        self.concurrency = max(1, concurrency)
        self.pollInterval = pollInterval
        (wakeUps, wakeUp) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Asks for a sync of `registryID` as soon as possible (`force` skips the shrink guard and
    /// conditional fetch). With `unlessRunning`, a sync of it already under way is enough: a
    /// registry just added, which the periodic pass may have picked up as never synced, is not
    /// synced twice. (A user's "sync now" always gets a sync that starts after it asked.)
    public func request(registryID: String, force: Bool, unlessRunning: Bool = false) {
        if unlessRunning, !force, inFlight.contains(registryID) { return }
        requested[registryID] = (requested[registryID] ?? false) || force
        wakeUp.yield()
    }

    public func run() async throws {
        let timer = Task { [wakeUp, pollInterval] in
            while !Task.isCancelled {
                try? await Task.sleep(for: pollInterval)
                wakeUp.yield()
            }
        }
        defer { timer.cancel() }
        for await _ in wakeUps.cancelOnGracefulShutdown() {
            logger.trace("sync scheduler woke")
            await runDueSyncs()
            logger.trace("sync scheduler idle")
        }
    }

    private func takeRequests() -> [String: Bool] {
        let taken = requested
        requested = [:]
        return taken
    }

    private func runDueSyncs() async {
        var work = takeRequests()
        do {
            for id in try await stores.catalog.dueRegistries(now: Date()) where work[id] == nil { work[id] = false }
        } catch {
            logger.warning("cannot list registries due for sync", metadata: .error(error))
        }
        // Requests that came while the due registries were read join this batch.
        for (id, force) in takeRequests() { work[id] = (work[id] ?? false) || force }
        guard !work.isEmpty else { return }
        inFlight = Set(work.keys)
        defer { inFlight = [] }
        logger.debug("running registry syncs", metadata: ["count": .stringConvertible(work.count)])
        let engine = self.engine
        let logger = self.logger
        await withTaskGroup(of: String.self) { group in
            var running = 0
            for (id, force) in work {
                if running == concurrency, let done = await group.next() {
                    inFlight.remove(done)
                    running -= 1
                }
                group.addTask {
                    do {
                        try await engine.sync(registryID: id, force: force)
                    } catch let error as CharthouseError where error.code == .conflict {
                        logger.debug("sync skipped", metadata: ["registry": .string(id), "reason": .string(error.message)])
                    } catch {
                        logger.warning("sync could not run", metadata: Logger.Metadata.error(error).merging(["registry": .string(id)]) { $1 })
                    }
                    return id
                }
                running += 1
            }
            for await done in group { inFlight.remove(done) }
        }
    }
}
