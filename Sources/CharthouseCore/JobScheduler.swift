import CharthouseStore
import Foundation
public import Logging
public import ServiceLifecycle

/// Runs a kind of leased background job — registry syncs, cluster discoveries — for every object
/// whose next run is due (`due`, polled every `pollInterval`), and on demand (``request(id:force:unlessRunning:)``).
///
/// At most `concurrency` jobs run at once in this process; the per-object lease in the store
/// keeps two runs for one object from overlapping across processes. Stops on graceful shutdown.
public actor JobScheduler: Service {
    /// What the jobs are, for logs ("registry sync", "cluster discovery").
    private let kind: String
    private let due: @Sendable () async throws -> [String]
    private let job: @Sendable (_ id: String, _ force: Bool) async throws -> Void
    private let logger: Logger
    private let concurrency: Int
    private let pollInterval: Duration
    private var requested: [String: Bool] = [:]
    /// Objects of the batch being run, for ``request(id:force:unlessRunning:)``.
    private var inFlight: Set<String> = []
    private let wakeUp: AsyncStream<Void>.Continuation
    private let wakeUps: AsyncStream<Void>

    public init(
        kind: String,
        logger: Logger,
        concurrency: Int = 4,
        pollInterval: Duration = .seconds(5),
        due: @escaping @Sendable () async throws -> [String],
        job: @escaping @Sendable (_ id: String, _ force: Bool) async throws -> Void
    ) {
        self.kind = kind
        self.due = due
        self.job = job
        self.logger = logger
        self.concurrency = max(1, concurrency)
        self.pollInterval = pollInterval
        (wakeUps, wakeUp) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Asks for a run for `id` as soon as possible (`force`: the job's own meaning, e.g. a sync
    /// skipping its shrink guard). With `unlessRunning`, a run already under way is enough: an
    /// object just added, which the periodic pass may have picked up, is not run twice. (A
    /// user's "run now" always gets a run that starts after it asked.)
    public func request(id: String, force: Bool, unlessRunning: Bool = false) {
        if unlessRunning, !force, inFlight.contains(id) { return }
        requested[id] = (requested[id] ?? false) || force
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
            await runDueJobs()
        }
    }

    private func takeRequests() -> [String: Bool] {
        let taken = requested
        requested = [:]
        return taken
    }

    private func runDueJobs() async {
        var work = takeRequests()
        do {
            for id in try await due() where work[id] == nil { work[id] = false }
        } catch {
            logger.warning("cannot list what is due", metadata: Logger.Metadata.error(error).merging(["job": .string(kind)]) { $1 })
        }
        // Requests that came while the due objects were read join this batch.
        for (id, force) in takeRequests() { work[id] = (work[id] ?? false) || force }
        guard !work.isEmpty else { return }
        inFlight = Set(work.keys)
        defer { inFlight = [] }
        logger.debug("running jobs", metadata: ["job": .string(kind), "count": .stringConvertible(work.count)])
        let (job, logger, kind) = (self.job, self.logger, self.kind)
        await withTaskGroup(of: String.self) { group in
            var running = 0
            for (id, force) in work {
                if running == concurrency, let done = await group.next() {
                    inFlight.remove(done)
                    running -= 1
                }
                group.addTask {
                    do {
                        try await job(id, force)
                    } catch let error as CharthouseError where error.code == .conflict {
                        logger.debug("job skipped", metadata: ["job": .string(kind), "id": .string(id), "reason": .string(error.message)])
                    } catch {
                        logger.warning(
                            "job could not run",
                            metadata: Logger.Metadata.error(error).merging(["job": .string(kind), "id": .string(id)]) { $1 }
                        )
                    }
                    return id
                }
                running += 1
            }
            for await done in group { inFlight.remove(done) }
        }
    }
}

extension JobScheduler {
    /// Registry syncs: every unprotected registry on its interval (failures back off), and on demand.
    public static func registrySyncs(engine: CatalogSyncEngine, stores: Stores, logger: Logger, concurrency: Int = 4) -> JobScheduler {
        JobScheduler(
            kind: "registry sync",
            logger: logger,
            concurrency: concurrency,
            due: { try await stores.catalog.dueRegistries(now: Date()) },
            job: { id, force in try await engine.sync(registryID: id, force: force) }
        )
    }
}
