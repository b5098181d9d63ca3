import CharthouseAPI
import CharthouseCore
import CharthouseStore
import Foundation
import HelmFormats
import Logging

extension Agent {
    /// Reads the cluster's Helm release records (only those changed since the last read) and
    /// reports them: discovery through the agent. Then looks for layers changed from outside.
    func discoverIfDue(force: Bool) async {
        guard force || Date().timeIntervalSince(lastDiscovery) >= Double(settings.discoverySeconds) else { return }
        // Nobody to report to: read the cluster once the control plane is back.
        guard reachable else { return }
        lastDiscovery = Date()
        let started = ContinuousClock.now
        let result: ReleaseScanResult
        do {
            result = try await ReleaseScanner.scan(try kubeConnection(), previous: summaries)
        } catch {
            logger.warning("cannot read the cluster's release records", metadata: ["error": "\(error)"])
            return
        }
        for row in result.changed { records[row.key] = row }
        records = records.filter { result.present[$0.key] != nil }
        summaries = result.present
        let elapsed = ContinuousClock.now - started
        let report = Components.Schemas.AgentReleaseReport(
            present: .init(additionalProperties: result.present.mapValues(\.resourceVersion)),
            changed: result.changed.map(Self.record),
            forbiddenNamespaces: result.forbiddenNamespaces,
            durationMs: Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
        )
        do {
            let response = try await quickAPI.reportAgentReleases(body: .json(report))
            guard case .ok(let ok) = response else { throw AgentError.server("release report refused: \(response)") }
            for key in try ok.body.json.missing { summaries.removeValue(forKey: key) }
        } catch {
            // The server did not take them: read everything again next time.
            summaries = [:]
            reachable = false
            logger.warning("cannot report the cluster's releases", metadata: ["error": "\(error)"])
        }
        findDrift(forbidden: Set(result.forbiddenNamespaces))
    }

    /// Marks managed layers whose release was changed from outside (a newer revision than the
    /// agent's, other user values, or uninstalled); re-applied when the attachment asks for it.
    func findDrift(forbidden: Set<String>) {
        guard let desired = state.desired else { return }
        var latest: [String: ReleaseRecordRow] = [:]
        for row in records.values where row.skippedReason == nil {
            let key = "\(row.namespace)/\(row.releaseName)"
            if (latest[key]?.revision ?? -1) < row.revision { latest[key] = row }
        }
        for managed in state.managed.values where managed.phase == "deployed" && !forbidden.contains(managed.namespace) {
            let changed: Bool
            if let row = latest[managed.key], row.status != "uninstalled" {
                let values = (try? YAMLDocument.parseMapping(row.configYAML)) ?? [:]
                changed = row.revision != managed.revision || DeploymentService.valuesDigest(values) != managed.valuesDigest
            } else {
                changed = true  // uninstalled from outside
            }
            guard changed, !drifted.contains(managed.key) else { continue }
            logger.info(
                "release changed outside the agent",
                metadata: [
                    "release": .string(managed.key), "reconcile": .stringConvertible(desired.reconcileDrift),
                ]
            )
            if desired.reconcileDrift {
                drifted.insert(managed.key)
                signal()
            }
        }
    }

    /// The cluster: from `--kubeconfig`, else the pod's service account.
    func kubeConnection() throws -> KubeconfigConnection {
        if let path = settings.kubeconfig {
            let text = try String(contentsOfFile: path, encoding: .utf8)
            do {
                return try KubeconfigConnection(kubeconfig: text, context: settings.kubeContext)
            } catch {
                throw AgentError.configuration("\(path): \(error.message)")
            }
        }
        let environment = ProcessInfo.processInfo.environment
        let account = "/var/run/secrets/kubernetes.io/serviceaccount"
        guard let host = environment["KUBERNETES_SERVICE_HOST"], let port = environment["KUBERNETES_SERVICE_PORT"],
            let token = try? String(contentsOfFile: "\(account)/token", encoding: .utf8)
        else {
            throw AgentError.configuration("not in a cluster (no KUBERNETES_SERVICE_HOST or service account token): pass --kubeconfig")
        }
        let server = host.contains(":") ? "https://[\(host)]:\(port)" : "https://\(host):\(port)"
        return KubeconfigConnection(
            server: server,
            caCertificatePEM: try? String(contentsOfFile: "\(account)/ca.crt", encoding: .utf8),
            credential: .bearerToken(token.trimmingCharacters(in: .whitespacesAndNewlines)),
            namespace: try? String(contentsOfFile: "\(account)/namespace", encoding: .utf8)
        )
    }

    static func record(_ row: ReleaseRecordRow) -> Components.Schemas.AgentReleaseRecord {
        .init(
            storage: .init(rawValue: row.storage) ?? .secret,
            namespace: row.namespace,
            recordName: row.recordName,
            resourceVersion: row.resourceVersion,
            skippedReason: row.skippedReason,
            releaseName: row.releaseName,
            revision: row.revision,
            status: row.status,
            chart: row.chart,
            chartVersion: row.chartVersion,
            appVersion: row.appVersion,
            description: row.description,
            firstDeployed: row.firstDeployed,
            lastDeployed: row.lastDeployed,
            config: row.configYAML,
            chartFingerprint: row.chartFingerprint,
            valuesFingerprint: row.valuesFingerprint
        )
    }
}
