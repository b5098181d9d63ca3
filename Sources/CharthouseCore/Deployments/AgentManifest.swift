import HelmFormats

/// The Kubernetes manifest that runs a cluster's agent: a Namespace, a ServiceAccount bound to
/// `cluster-admin` (helm installs arbitrary resources), the Secret with the registration token
/// (only when a token is given: it is shown once), and a Deployment of one replica that reads
/// the token from the Secret and keeps its state in an `emptyDir`.
public enum AgentManifest {
    public static let defaultImage = "charthouse/agent:latest"
    public static let namespace = "charthouse-system"
    public static let name = "charthouse-agent"
    public static let secretName = "charthouse-agent-token"

    /// The multi-document YAML for `kubectl apply -f`.
    public static func render(clusterID: String, clusterName: String, serverURL: String, image: String, token: String?) -> String {
        let labels: [String: JSONValue] = ["app.kubernetes.io/name": .string(name), "charthouse.io/cluster": .string(clusterID)]
        var documents: [JSONValue] = [
            .object(["apiVersion": "v1", "kind": "Namespace", "metadata": .object(["name": .string(namespace), "labels": .object(labels)])]),
            .object([
                "apiVersion": "v1", "kind": "ServiceAccount",
                "metadata": .object(["name": .string(name), "namespace": .string(namespace), "labels": .object(labels)]),
            ]),
            .object([
                "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
                "metadata": .object(["name": .string(name), "labels": .object(labels)]),
                "roleRef": .object(["apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"]),
                "subjects": .array([.object(["kind": "ServiceAccount", "name": .string(name), "namespace": .string(namespace)])]),
            ]),
        ]
        if let token {
            documents.append(
                .object([
                    "apiVersion": "v1", "kind": "Secret", "type": "Opaque",
                    "metadata": .object(["name": .string(secretName), "namespace": .string(namespace), "labels": .object(labels)]),
                    "stringData": .object(["token": .string(token)]),
                ])
            )
        }
        let container: JSONValue = .object([
            "name": "agent",
            "image": .string(image),
            "args": .array([
                "agent", "--server", .string(serverURL), "--token-file", "/etc/charthouse/token", "--state-dir", "/var/lib/charthouse",
            ]),
            // helm keeps its cache and configuration under HOME: the writable state volume.
            "env": .array([.object(["name": "HOME", "value": "/var/lib/charthouse"])]),
            "volumeMounts": .array([
                .object(["name": "token", "mountPath": "/etc/charthouse", "readOnly": true]),
                .object(["name": "state", "mountPath": "/var/lib/charthouse"]),
            ]),
            "resources": .object([
                "requests": .object(["cpu": "50m", "memory": "64Mi"]),
                "limits": .object(["memory": "512Mi"]),
            ]),
            "securityContext": .object(["runAsNonRoot": true, "runAsUser": 65532, "allowPrivilegeEscalation": false, "readOnlyRootFilesystem": true]),
        ])
        documents.append(
            .object([
                "apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": .object(["name": .string(name), "namespace": .string(namespace), "labels": .object(labels)]),
                "spec": .object([
                    "replicas": 1,
                    "strategy": .object(["type": "Recreate"]),
                    "selector": .object(["matchLabels": .object(["app.kubernetes.io/name": .string(name)])]),
                    "template": .object([
                        "metadata": .object(["labels": .object(labels)]),
                        "spec": .object([
                            "serviceAccountName": .string(name),
                            "containers": .array([container]),
                            "volumes": .array([
                                .object(["name": "token", "secret": .object(["secretName": .string(secretName)])]),
                                .object(["name": "state", "emptyDir": .object([:])]),
                            ]),
                        ]),
                    ]),
                ]),
            ])
        )
        let order = ["apiVersion", "kind", "type", "metadata", "name", "namespace", "labels", "roleRef", "subjects", "stringData", "spec"]
        let header =
            "# Charthouse agent for cluster \(clusterName) (\(clusterID)).\n# kubectl apply -f this file; the agent connects to \(serverURL).\n"
        return header + documents.map { "---\n" + YAMLEmitter.document($0, keyOrder: order) }.joined()
    }
}
