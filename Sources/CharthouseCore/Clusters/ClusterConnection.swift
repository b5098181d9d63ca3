import CharthouseStore
import ClusterClient
import HelmFormats
import RegistryClient

/// Opening a cluster's kubeconfig and checking it live, with errors in the API's words.
enum ClusterConnection {
    /// The connection a kubeconfig describes; a kubeconfig the server cannot use is a 422.
    static func parse(_ kubeconfig: String, context: String?) throws -> KubeconfigConnection {
        do {
            return try KubeconfigConnection(kubeconfig: kubeconfig, context: context)
        } catch {
            throw CharthouseError(.unprocessable, "kubeconfig: \(error.message)", cause: error)
        }
    }

    /// Asks the API server for its version with the kubeconfig's credentials (`GET /version`);
    /// a failure is a 422 quoting the server's answer. Returns the version (`v1.33.0`).
    static func check(_ connection: KubeconfigConnection, policy: ClusterPolicy) async throws -> String {
        do {
            return try await KubernetesClient.with(connection, options: policy.connectionOptions) { client in
                // /version answers anyone on many clusters: reading release records proves the credentials.
                let version = try await client.version()
                do {
                    _ = try await client.list("secrets", labelSelector: "owner=helm", limit: 1, metadataOnly: true)
                } catch let error as RegistryClientError where error.kind == .forbidden {
                    // Authenticated, but not for every namespace: discovery lists them one by one.
                }
                return version.gitVersion
            }
        } catch let error as RegistryClientError {
            throw CharthouseError(.unprocessable, "cluster check failed: \(error.message)", cause: error)
        }
    }

    /// The stored kubeconfig of a cluster, opened.
    static func open(_ record: ClusterRecord, sealer: SecretSealer) throws -> KubeconfigConnection {
        let kubeconfig = try sealer.open(record.sealedKubeconfig, context: ClusterRecord.kubeconfigSealingContext(id: record.id))
        return try parse(kubeconfig, context: record.context)
    }
}
