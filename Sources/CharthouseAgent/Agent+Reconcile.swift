import CharthouseAPI
import CharthouseCore
import CharthouseStore
import Foundation
import HelmFormats
import Logging
import NIOCore

extension Agent {
    /// One pass towards the desired state: removals first, then each layer in order until one
    /// fails (it blocks those after it). Returns how long to wait before the next pass.
    func reconcile() async -> Double {
        guard let desired = state.desired else { return Double(settings.pollSeconds) }
        if desired.detached == .orphan {
            if !state.managed.isEmpty {
                logger.info("profile detached: leaving the releases in place", metadata: ["releases": .stringConvertible(state.managed.count)])
                state.managed = [:]
                persist()
            }
            return Double(settings.pollSeconds)
        }
        let wanted = Set(desired.layers.map { "\($0.namespace)/\($0.releaseName)" })
        var removals = desired.remove.map { ($0.namespace, $0.releaseName) }
        for managed in state.managed.values.sorted(by: { $0.key < $1.key }) where !wanted.contains(managed.key) {
            if !removals.contains(where: { $0 == (managed.namespace, managed.releaseName) }) {
                removals.append((managed.namespace, managed.releaseName))
            }
        }
        for (namespace, release) in removals {
            await remove(namespace: namespace, release: release)
        }
        var next = Double(settings.pollSeconds)
        for layer in desired.layers.sorted(by: { $0.position < $1.position }) {
            let key = "\(layer.namespace)/\(layer.releaseName)"
            if var managed = state.managed[key], managed.satisfies(layer), !drifted.contains(key) {
                if managed.layerID != layer.layerId {
                    // The same release in a new profile version: nothing to install, a new layer to report.
                    managed.layerID = layer.layerId
                    await update(managed)
                }
                continue
            }
            if let managed = state.managed[key], managed.phase == "failed", managed.sameContent(as: layer), let last = managed.lastAttemptAt {
                let wait = settings.backoff(failures: managed.attempts) - Date().timeIntervalSince(last)
                if wait > 0 {
                    // Held: it failed recently; the layers after it wait for it.
                    return min(next, wait)
                }
            }
            guard await install(layer) else {
                next = min(next, settings.backoff(failures: state.managed[key]?.attempts ?? 1))
                break
            }
            drifted.remove(key)
        }
        return next
    }

    /// Pulls, verifies and installs one layer; reports each step. Returns whether it deployed.
    func install(_ layer: Components.Schemas.DesiredLayer) async -> Bool {
        let key = "\(layer.namespace)/\(layer.releaseName)"
        let previous = state.managed[key]
        let sameAttempt = previous.map { $0.phase == "failed" && $0.sameContent(as: layer) } ?? false
        var managed = AgentState.Managed(
            layerID: layer.layerId,
            namespace: layer.namespace,
            releaseName: layer.releaseName,
            chart: layer.chart,
            version: layer.version,
            digest: layer.digest,
            valuesDigest: layer.valuesDigest,
            mode: layer.mode.rawValue,
            phase: "pulling",
            revision: previous?.revision,
            message: nil,
            attempts: sameAttempt ? (previous?.attempts ?? 0) : 0,
            lastAttemptAt: Date(),
            startedAt: Date(),
            deployedAt: previous?.deployedAt
        )
        await update(managed)
        do {
            let registry = try await registryAccess(layer.registryId)
            // Only hosted registries take the agent's own token; a protected one needs no server.
            let token = registry.useAgentToken ? try await credentials.token() : ""
            let (archive, digest) = try await puller.pull(layer, from: registry, agentToken: token)
            managed.digest = digest
            managed.phase = "installing"
            await update(managed)
            let directory = settings.stateDirectory.appendingPathComponent("charts")
            let chartFile = directory.appendingPathComponent("\(layer.namespace).\(layer.releaseName).tgz")
            let valuesFile = directory.appendingPathComponent("\(layer.namespace).\(layer.releaseName).values.yaml")
            try Data(archive.readableBytesView).write(to: chartFile, options: .atomic)
            try Data(layer.values.utf8).write(to: valuesFile, options: .atomic)
            logger.info(
                "installing",
                metadata: ["release": .string(key), "chart": .string("\(layer.chart) \(layer.version)"), "digest": .string(digest)]
            )
            let revision = try await helm.upgradeInstall(
                release: layer.releaseName,
                namespace: layer.namespace,
                chart: chartFile,
                values: valuesFile,
                timeoutSeconds: settings.helmTimeoutSeconds
            )
            managed.phase = "deployed"
            managed.revision = revision
            managed.attempts = 0
            managed.deployedAt = Date()
            await update(managed)
            await discoverIfDue(force: true)
            return true
        } catch {
            managed.phase = "failed"
            managed.message = "\(error)"
            managed.attempts += 1
            logger.warning(
                "layer failed",
                metadata: ["release": .string(key), "error": "\(error)", "attempts": .stringConvertible(managed.attempts)]
            )
            await update(managed)
            return false
        }
    }

    /// Uninstalls a release the agent manages (or the server says it managed).
    func remove(namespace: String, release: String) async {
        let key = "\(namespace)/\(release)"
        // Already uninstalled; the server's list catches up with the next desired state.
        if state.managed[key] == nil, recentlyRemoved.contains(key) { return }
        var managed =
            state.managed[key]
            ?? AgentState.Managed(
                layerID: "",
                namespace: namespace,
                releaseName: release,
                chart: "",
                version: "",
                valuesDigest: "",
                mode: "tenant",
                phase: "removing",
                attempts: 0
            )
        // An uninstall that failed waits its back-off; a failed install of it is removed at once.
        if managed.phase == "failed", managed.message?.hasPrefix(Self.uninstallFailure) == true, let last = managed.lastAttemptAt,
            Date().timeIntervalSince(last) < settings.backoff(failures: managed.attempts)
        {
            return
        }
        if managed.message?.hasPrefix(Self.uninstallFailure) != true { managed.attempts = 0 }
        managed.phase = "removing"
        managed.lastAttemptAt = Date()
        await update(managed)
        do {
            logger.info("uninstalling", metadata: ["release": .string(key)])
            try await helm.uninstall(release: release, namespace: namespace, timeoutSeconds: settings.helmTimeoutSeconds)
            managed.phase = "removed"
            state.managed.removeValue(forKey: key)
            recentlyRemoved.insert(key)
            persist()
            await report([managed])
            await discoverIfDue(force: true)
        } catch {
            managed.phase = "failed"
            managed.message = Self.uninstallFailure + "\(error)"
            managed.attempts += 1
            await update(managed)
        }
    }

    static let uninstallFailure = "uninstall: "

    /// Keeps a release's state on disk and tells the server.
    func update(_ managed: AgentState.Managed) async {
        state.managed[managed.key] = managed
        persist()
        await report([managed])
    }

    /// How to reach a layer's registry (credentials included), from the server.
    /// Kept in memory (never on disk) for a control-plane outage.
    func registryAccess(_ id: String) async throws -> Components.Schemas.AgentRegistry {
        // The control plane is away: what was fetched before serves.
        if !reachable, let cached = registries[id] { return cached }
        let response: Operations.GetAgentRegistry.Output
        do {
            response = try await quickAPI.getAgentRegistry(path: .init(id: id))
        } catch {
            if let cached = registries[id] { return cached }
            throw error
        }
        guard case .ok(let ok) = response else { throw AgentError.server("registry \(id) is not available to this agent: \(response)") }
        let access = try ok.body.json
        registries[id] = access
        return access
    }
}
