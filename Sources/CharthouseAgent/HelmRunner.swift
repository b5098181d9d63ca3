import Foundation
import HelmFormats
import Subprocess

#if canImport(System)
import System
#else
import SystemPackage
#endif

/// Runs the real helm binary (helm 3.8+ or helm 4) against the agent's cluster.
struct HelmRunner: Sendable {
    let helm: String
    /// `nil`: helm's own in-cluster configuration (the pod's service account).
    let kubeconfig: String?
    let kubeContext: String?

    struct Outcome: Sendable {
        let succeeded: Bool
        let output: String
        let error: String
    }

    /// `helm upgrade --install` from a local archive with the values file; returns helm's revision.
    func upgradeInstall(release: String, namespace: String, chart: URL, values: URL, timeoutSeconds: Int) async throws -> Int {
        let outcome = try await run([
            "upgrade", "--install", release, chart.path, "--namespace", namespace, "--create-namespace", "--values", values.path,
            "--reset-values", "--wait", "--timeout", "\(timeoutSeconds)s", "--output", "json",
        ])
        guard outcome.succeeded else { throw AgentError.helm(Self.errorText(outcome)) }
        guard case .integer(let revision)? = (try? JSONValue.parse(Array(outcome.output.utf8)))?["version"] else {
            throw AgentError.helm("helm upgrade printed no release revision")
        }
        return Int(revision)
    }

    /// `helm uninstall`; a release that is already gone is not an error.
    func uninstall(release: String, namespace: String, timeoutSeconds: Int) async throws {
        let outcome = try await run(["uninstall", release, "--namespace", namespace, "--wait", "--timeout", "\(timeoutSeconds)s"])
        if outcome.succeeded || outcome.error.contains("not found") { return }
        throw AgentError.helm(Self.errorText(outcome))
    }

    func run(_ arguments: [String]) async throws -> Outcome {
        var all = arguments
        if let kubeconfig { all += ["--kubeconfig", kubeconfig] }
        if let kubeContext { all += ["--kube-context", kubeContext] }
        let executable: Executable = helm.contains("/") ? .path(FilePath(helm)) : .name(helm)
        do {
            let result = try await Subprocess.run(
                executable,
                arguments: Arguments(all),
                environment: .inherit,
                output: .string(limit: 16 << 20),
                error: .string(limit: 1 << 20)
            )
            return Outcome(
                succeeded: result.terminationStatus.isSuccess,
                output: result.standardOutput ?? "",
                error: result.standardError ?? ""
            )
        } catch {
            try Task.checkCancellation()
            throw AgentError.helm("cannot run \(helm): \(error)")
        }
    }

    /// helm's error text, without its `Error: ` prefix.
    static func errorText(_ outcome: Outcome) -> String {
        var text = outcome.error.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.hasPrefix("Error: ") { text.removeFirst("Error: ".count) }
        return text.isEmpty ? "helm failed without a message" : String(text.prefix(8192))
    }
}
