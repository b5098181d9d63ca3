import Foundation
import KubeStandin
import TestSupport
import Testing

/// The Kubernetes API stand-in is proven by the real clients: helm 3.17 and helm 4.1 install,
/// upgrade, roll back, list, show and uninstall releases with both storage drivers, and kubectl
/// 1.33 gets, applies and deletes objects.
@Suite("Kubernetes API stand-in: the real helm and kubectl accept it", .serialized)
struct KubeStandinTests {
    @Test(
        "helm installs, upgrades, rolls back, lists, shows and uninstalls",
        arguments: [(3, "secret"), (4, "secret"), (3, "configmap"), (4, "configmap")]
    )
    func helmLifecycle(major: Int, driver: String) async throws {
        let helm = try HelmCLI(major: major)
        defer { helm.removeHome() }
        let folder = try ScratchDirectory.make("charthouse-standin")
        defer { try? FileManager.default.removeItem(at: folder) }
        let standin = try await KubeStandin(directory: folder.appendingPathComponent("cluster"))
        let chart = try helm.packageChart(name: "web", version: "1.0.0", in: folder)
        let kube = ["--kubeconfig", standin.kubeconfig.path]
        let env = ["HELM_DRIVER": driver]
        do {
            try await helm.runDetached(
                ["install", "web", chart.path, "-n", "apps", "--create-namespace", "--set", "replicaCount=2"] + kube,
                environment: env
            )
            try await helm.runDetached(
                ["upgrade", "web", chart.path, "-n", "apps", "--set", "replicaCount=3", "--set", "nested.key=value"] + kube,
                environment: env
            )
            let values = try await helm.runDetached(["get", "values", "web", "-n", "apps", "-o", "json"] + kube, environment: env).stdout
            #expect(values.contains("\"replicaCount\":3") && values.contains("\"nested\":{\"key\":\"value\"}"))
            try await helm.runDetached(["rollback", "web", "1", "-n", "apps"] + kube, environment: env)
            let status = try await helm.runDetached(["status", "web", "-n", "apps", "-o", "json"] + kube, environment: env).stdout
            #expect(status.contains("\"version\":3") && status.contains("\"status\":\"deployed\""))
            let rolledBack = try await helm.runDetached(["get", "values", "web", "-n", "apps", "-o", "json"] + kube, environment: env).stdout
            #expect(rolledBack.contains("\"replicaCount\":2"))
            let list = try await helm.runDetached(["list", "-A", "-o", "json"] + kube, environment: env).stdout
            #expect(list.contains("\"name\":\"web\"") && list.contains("\"revision\":\"3\""))
            // The records are where helm's driver puts them.
            let records = try await Shell.runDetached(
                [helm.kubectl, "get", driver == "secret" ? "secrets" : "configmaps", "-n", "apps", "-l", "owner=helm", "-o", "name"] + kube
            )
            #expect(records.stdout.split(separator: "\n").count == 3)
            // As PROTOCOLS.md §7 says: release records in protobuf, chart objects by server-side
            // apply (helm 4) or create and strategic merge patch (helm 3).
            let log = standin.requestLog
            let recordResource = driver == "secret" ? "secrets" : "configmaps"
            #expect(
                log.contains { $0.hasPrefix("POST /api/v1/namespaces/apps/\(recordResource)") && $0.hasSuffix("application/vnd.kubernetes.protobuf") }
            )
            if major == 4 {
                #expect(
                    log.contains {
                        $0.hasPrefix("PATCH /apis/apps/v1/namespaces/apps/deployments/web?") && $0.hasSuffix("application/apply-patch+yaml")
                    }
                )
            } else {
                #expect(log.contains { $0.hasPrefix("POST /apis/apps/v1/namespaces/apps/deployments") })
                #expect(
                    log.contains { $0.hasPrefix("PATCH /apis/apps/v1/namespaces/apps/deployments/web") && $0.hasSuffix("strategic-merge-patch+json") }
                )
            }
            try await helm.runDetached(["uninstall", "web", "-n", "apps"] + kube, environment: env)
            let after = try await helm.runDetached(["list", "-A", "-o", "json"] + kube, environment: env).stdout
            #expect(after.trimmingCharacters(in: .whitespacesAndNewlines) == "[]")
            let left = try await Shell.runDetached([helm.kubectl, "get", "secrets,configmaps", "-A", "-l", "owner=helm", "-o", "name"] + kube)
            #expect(left.stdout.isEmpty)
            let deployments = try await Shell.runDetached([helm.kubectl, "get", "deployments", "-n", "apps", "-o", "name"] + kube).stdout
            #expect(deployments.isEmpty)
        } catch {
            await standin.stop()
            throw error
        }
        await standin.stop()
    }

    @Test("helm install --wait succeeds when workloads are ready and times out when one stays unready", arguments: [3, 4])
    func helmWait(major: Int) async throws {
        let helm = try HelmCLI(major: major)
        defer { helm.removeHome() }
        let folder = try ScratchDirectory.make("charthouse-standin")
        defer { try? FileManager.default.removeItem(at: folder) }
        let standin = try await KubeStandin(directory: folder.appendingPathComponent("cluster"))
        let stuck = """
            {{- if .Values.stuck }}
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: {{ .Release.Name }}-stuck
              annotations:
                standin.charthouse.dev/state: unready
            spec:
              replicas: 1
              selector: {matchLabels: {app: stuck}}
              template:
                metadata: {labels: {app: stuck}}
                spec: {containers: [{name: main, image: busybox}]}
            {{- end }}
            """
        let chart = try helm.packageChart(name: "web", version: "1.0.0", in: folder, files: ["templates/stuck.yaml": stuck])
        let kube = ["--kubeconfig", standin.kubeconfig.path]
        do {
            try await helm.runDetached(["install", "ready", chart.path, "-n", "default", "--wait", "--timeout", "60s"] + kube)
            let failed = try await helm.runDetached(
                ["install", "stuck", chart.path, "-n", "default", "--set", "stuck=true", "--wait", "--timeout", "3s"] + kube,
                check: false
            )
            #expect(failed.status != 0)
            let status = try await helm.runDetached(["status", "stuck", "-n", "default", "-o", "json"] + kube).stdout
            #expect(status.contains("\"status\":\"failed\""))
        } catch {
            await standin.stop()
            throw error
        }
        await standin.stop()
    }

    @Test("kubectl applies, gets and deletes objects; tokens, certificates and passwords authenticate; forbidden namespaces answer 403")
    func kubectl() async throws {
        let helm = try HelmCLI(major: 4)
        defer { helm.removeHome() }
        let folder = try ScratchDirectory.make("charthouse-standin")
        defer { try? FileManager.default.removeItem(at: folder) }
        let standin = try await KubeStandin(directory: folder.appendingPathComponent("cluster"))
        let manifest = folder.appendingPathComponent("manifest.yaml")
        try """
        apiVersion: v1
        kind: Namespace
        metadata:
          name: team
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: settings
          namespace: team
          labels: {tier: web}
        data:
          color: blue
        """.write(to: manifest, atomically: true, encoding: .utf8)
        do {
            for context in ["standin-token", "standin-cert", "standin-basic"] {
                let kube = [helm.kubectl, "--kubeconfig", standin.kubeconfig.path, "--context", context]
                try await Shell.runDetached(kube + ["apply", "-f", manifest.path])
                let color = try await Shell.runDetached(kube + ["get", "configmap", "settings", "-n", "team", "-o", "jsonpath={.data.color}"]).stdout
                #expect(color == "blue")
            }
            let kube = [helm.kubectl, "--kubeconfig", standin.kubeconfig.path]
            let selected = try await Shell.runDetached(kube + ["get", "configmaps", "-A", "-l", "tier in (web,api)", "-o", "name"]).stdout
            #expect(selected.trimmingCharacters(in: .newlines) == "configmap/settings")
            standin.forbid(namespaces: ["team"])
            let forbidden = try await Shell.runDetached(kube + ["get", "configmaps", "-n", "team"], check: false)
            #expect(forbidden.status != 0 && forbidden.stderr.contains("forbidden"))
            standin.forbid(namespaces: [])
            try await Shell.runDetached(kube + ["delete", "-f", manifest.path])
            let gone = try await Shell.runDetached(kube + ["get", "namespaces", "-o", "name"]).stdout
            #expect(!gone.contains("namespace/team"))
            // A wrong token is refused.
            let wrong = try await Shell.runDetached(kube + ["--token", "wrong", "get", "namespaces"], check: false)
            #expect(wrong.status != 0 && wrong.stderr.contains("Unauthorized"))
        } catch {
            await standin.stop()
            throw error
        }
        await standin.stop()
    }
}
