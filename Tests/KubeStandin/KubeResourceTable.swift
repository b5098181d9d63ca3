/// One kind of object the stand-in serves: its group, version, plural resource name, kind and
/// scope, as `GET /api/v1` and `GET /apis/GROUP/VERSION` describe them.
public struct KubeResourceType: Sendable, Hashable {
    public let group: String
    public let version: String
    public let resource: String
    public let kind: String
    public let namespaced: Bool
    public let shortNames: [String]

    /// `v1` for the core group, `GROUP/VERSION` otherwise.
    public var groupVersion: String { group.isEmpty ? version : "\(group)/\(version)" }
    public var singular: String { kind.lowercased() }
}

/// The resource types the stand-in knows: what charts commonly hold and what helm and kubectl
/// touch. Objects of any other type get 404, as on a cluster without that API.
public enum KubeResourceTable {
    public static let all: [KubeResourceType] = [
        .init(group: "", version: "v1", resource: "namespaces", kind: "Namespace", namespaced: false, shortNames: ["ns"]),
        .init(group: "", version: "v1", resource: "nodes", kind: "Node", namespaced: false, shortNames: ["no"]),
        .init(group: "", version: "v1", resource: "secrets", kind: "Secret", namespaced: true, shortNames: []),
        .init(group: "", version: "v1", resource: "configmaps", kind: "ConfigMap", namespaced: true, shortNames: ["cm"]),
        .init(group: "", version: "v1", resource: "services", kind: "Service", namespaced: true, shortNames: ["svc"]),
        .init(group: "", version: "v1", resource: "serviceaccounts", kind: "ServiceAccount", namespaced: true, shortNames: ["sa"]),
        .init(group: "", version: "v1", resource: "pods", kind: "Pod", namespaced: true, shortNames: ["po"]),
        .init(group: "", version: "v1", resource: "persistentvolumeclaims", kind: "PersistentVolumeClaim", namespaced: true, shortNames: ["pvc"]),
        .init(group: "", version: "v1", resource: "endpoints", kind: "Endpoints", namespaced: true, shortNames: ["ep"]),
        .init(group: "", version: "v1", resource: "events", kind: "Event", namespaced: true, shortNames: ["ev"]),
        .init(group: "apps", version: "v1", resource: "deployments", kind: "Deployment", namespaced: true, shortNames: ["deploy"]),
        .init(group: "apps", version: "v1", resource: "statefulsets", kind: "StatefulSet", namespaced: true, shortNames: ["sts"]),
        .init(group: "apps", version: "v1", resource: "daemonsets", kind: "DaemonSet", namespaced: true, shortNames: ["ds"]),
        .init(group: "apps", version: "v1", resource: "replicasets", kind: "ReplicaSet", namespaced: true, shortNames: ["rs"]),
        .init(group: "batch", version: "v1", resource: "jobs", kind: "Job", namespaced: true, shortNames: []),
        .init(group: "batch", version: "v1", resource: "cronjobs", kind: "CronJob", namespaced: true, shortNames: ["cj"]),
        .init(group: "networking.k8s.io", version: "v1", resource: "ingresses", kind: "Ingress", namespaced: true, shortNames: ["ing"]),
        .init(
            group: "networking.k8s.io",
            version: "v1",
            resource: "networkpolicies",
            kind: "NetworkPolicy",
            namespaced: true,
            shortNames: ["netpol"]
        ),
        .init(
            group: "autoscaling",
            version: "v2",
            resource: "horizontalpodautoscalers",
            kind: "HorizontalPodAutoscaler",
            namespaced: true,
            shortNames: ["hpa"]
        ),
        .init(group: "policy", version: "v1", resource: "poddisruptionbudgets", kind: "PodDisruptionBudget", namespaced: true, shortNames: ["pdb"]),
        .init(group: "rbac.authorization.k8s.io", version: "v1", resource: "roles", kind: "Role", namespaced: true, shortNames: []),
        .init(group: "rbac.authorization.k8s.io", version: "v1", resource: "rolebindings", kind: "RoleBinding", namespaced: true, shortNames: []),
        .init(group: "rbac.authorization.k8s.io", version: "v1", resource: "clusterroles", kind: "ClusterRole", namespaced: false, shortNames: []),
        .init(
            group: "rbac.authorization.k8s.io",
            version: "v1",
            resource: "clusterrolebindings",
            kind: "ClusterRoleBinding",
            namespaced: false,
            shortNames: []
        ),
        .init(
            group: "apiextensions.k8s.io",
            version: "v1",
            resource: "customresourcedefinitions",
            kind: "CustomResourceDefinition",
            namespaced: false,
            shortNames: ["crd", "crds"]
        ),
    ]

    /// The type served at `group`/`version` under the plural name `resource`.
    public static func find(group: String, version: String, resource: String) -> KubeResourceType? {
        all.first { $0.group == group && $0.version == version && $0.resource == resource }
    }

    /// Group versions in discovery order (core first).
    public static var groupVersions: [(group: String, version: String)] {
        var seen: [String] = []
        var result: [(String, String)] = []
        for type in all where !seen.contains(type.groupVersion) {
            seen.append(type.groupVersion)
            result.append((type.group, type.version))
        }
        return result
    }
}
