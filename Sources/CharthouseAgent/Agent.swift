import CharthouseAPI
import CharthouseCore
import CharthouseStore
public import Foundation
import HelmFormats
public import Logging
import NIOCore

/// The agent in a tenant cluster: long-polls its cluster's desired state, and for each layer in
/// order pulls the chart from its registry, verifies the pinned digest, and installs it with the
/// real helm; reports every step, uninstalls what no layer wants, reports the cluster's releases,
/// and keeps its state on disk so it goes on through a control-plane outage.
public actor Agent {
    let settings: AgentSettings
    let logger: Logger
    let credentials: AgentCredentials
    /// The long poll of the desired state.
    let api: Client
    /// Reports and registry lookups: short time limits, so an absent server costs little.
    let quickAPI: Client
    let helm: HelmRunner
    let puller: ChartPuller
    let stateFile: URL
    var state: AgentState
    /// Set when the poller brings a new desired state, to wake the reconciler.
    private var woken = false
    /// Release records seen by the last scan (for drift), and their summaries (to read only changes).
    var records: [String: ReleaseRecordRow] = [:]
    var summaries: [String: ReleaseRecordSummary] = [:]
    var lastDiscovery: Date = .distantPast
    /// Release states not yet taken by the server, by key; a flush is under way when `flushing`.
    var pendingReports: [String: AgentState.Managed] = [:]
    var flushing = false
    var flushTask: Task<Void, Never>?
    /// Whether the control plane answered the last call.
    var reachable = true
    /// Releases uninstalled since the last desired state came (it may still list them).
    var recentlyRemoved: Set<String> = []
    /// How to reach registries, as last fetched (memory only: it holds credentials).
    var registries: [String: Components.Schemas.AgentRegistry] = [:]
    /// Layers found changed from outside helm's revisions this agent made.
    var drifted: Set<String> = []

    public init(settings: AgentSettings, logger: Logger) throws {
        self.settings = settings
        self.logger = logger
        try FileManager.default.createDirectory(at: settings.stateDirectory.appendingPathComponent("charts"), withIntermediateDirectories: true)
        self.stateFile = settings.stateDirectory.appendingPathComponent("state.json")
        self.state = AgentState.load(from: stateFile)
        let exchange = AgentClients.make(server: settings.server, credentials: nil, timeout: .seconds(30))
        self.credentials = AgentCredentials(exchange: exchange, registrationToken: settings.registrationToken, version: settings.version)
        self.api = AgentClients.make(server: settings.server, credentials: credentials, timeout: .seconds(Int64(settings.pollSeconds + 30)))
        self.quickAPI = AgentClients.make(server: settings.server, credentials: credentials, timeout: .seconds(10))
        self.puller = ChartPuller(maxChartSize: 64 << 20, userAgent: "charthouse-agent/\(settings.version)")
        self.helm = HelmRunner(helm: settings.helm, kubeconfig: settings.kubeconfig, kubeContext: settings.kubeContext)
    }

    /// Runs until the task is cancelled.
    public func run() async throws {
        logger.info("agent started", metadata: ["server": .string(settings.server.absoluteString), "state": .string(stateFile.path)])
        let poller = Task { await self.poll() }
        defer {
            poller.cancel()
            flushTask?.cancel()
        }
        while !Task.isCancelled {
            let delay = await reconcile()
            await discoverIfDue(force: false)
            await sleep(seconds: min(delay, Double(settings.discoverySeconds)))
        }
    }

    // MARK: - Desired state

    /// Long-polls the desired state; on failure backs off and keeps the last one on disk.
    func poll() async {
        var failures = 0
        while !Task.isCancelled {
            do {
                let response = try await api.getDesiredState(
                    query: .init(wait: state.etag == nil ? 0 : settings.pollSeconds),
                    headers: .init(ifNoneMatch: state.etag)
                )
                switch response {
                case .ok(let ok):
                    let desired = try ok.body.json
                    if let requested = desired.discoveryRequestedAt, requested != state.desired?.discoveryRequestedAt {
                        lastDiscovery = .distantPast  // asked for: the next pass reads the cluster
                    }
                    state.desired = desired
                    recentlyRemoved = []
                    state.etag = ok.headers.eTag
                    persist()
                    logger.info("desired state received", metadata: ["layers": .stringConvertible(desired.layers.count)])
                    signal()
                case .notModified:
                    break
                default:
                    throw AgentError.server("the desired state could not be read: \(response)")
                }
                failures = 0
                reachable = true
            } catch {
                if Task.isCancelled { return }
                failures += 1
                reachable = false
                let delay = settings.backoff(failures: failures)
                logger.warning(
                    "control plane unreachable; going on with the last desired state",
                    metadata: ["error": "\(error)", "retry_in": "\(delay)"]
                )
                try? await Task.sleep(for: .milliseconds(Int(delay * 1000)))
            }
        }
    }

    /// Wakes the reconciler.
    func signal() { woken = true }

    /// Sleeps `seconds`, or until signalled or cancelled.
    func sleep(seconds: Double) async {
        let deadline = ContinuousClock.now + .milliseconds(Int(max(seconds, 0) * 1000))
        while !woken, ContinuousClock.now < deadline {
            do { try await Task.sleep(for: .milliseconds(100)) } catch { break }
        }
        woken = false
    }

    func persist() {
        do {
            try state.save(to: stateFile)
        } catch {
            logger.error("cannot save the agent's state", metadata: ["error": "\(error)"])
        }
    }
}
