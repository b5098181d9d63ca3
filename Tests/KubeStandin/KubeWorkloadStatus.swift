public import HelmFormats

/// No controllers run in the stand-in, so a written workload gets the status a healthy cluster
/// would give it (as kwok does): Deployments, StatefulSets, DaemonSets and ReplicaSets ready,
/// Pods running, Jobs complete, PVCs bound, LoadBalancer Services with an address.
///
/// The annotation `standin.charthouse.dev/state: unready` keeps a workload unready, and
/// `failed` makes a Job or Pod fail.
public enum KubeWorkloadStatus {
    public static let annotation = "standin.charthouse.dev/state"

    public static func settle(_ type: KubeResourceType, _ object: JSONValue) -> JSONValue {
        guard case .object(var members) = object else { return object }
        let state = members["metadata"]?["annotations"]?[annotation]?.stringValue ?? "ready"
        let generation = members["metadata"]?["generation"] ?? .integer(1)
        let replicas = members["spec"]?["replicas"] ?? .integer(1)
        let ready: JSONValue = state == "ready" ? replicas : .integer(0)
        switch (type.group, type.kind) {
        case ("apps", "Deployment"):
            members["status"] = .object([
                "observedGeneration": generation, "replicas": replicas, "updatedReplicas": replicas, "readyReplicas": ready,
                "availableReplicas": ready,
                "conditions": .array([
                    condition("Available", state == "ready", reason: state == "ready" ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable"),
                    condition("Progressing", true, reason: "NewReplicaSetAvailable"),
                ]),
            ])
        case ("apps", "StatefulSet"), ("apps", "ReplicaSet"):
            members["status"] = .object([
                "observedGeneration": generation, "replicas": replicas, "readyReplicas": ready, "currentReplicas": replicas,
                "updatedReplicas": replicas, "availableReplicas": ready, "currentRevision": .string("standin-1"),
                "updateRevision": .string("standin-1"), "fullyLabeledReplicas": replicas,
            ])
        case ("apps", "DaemonSet"):
            let readyNodes: JSONValue = .integer(state == "ready" ? 1 : 0)
            members["status"] = .object([
                "observedGeneration": generation, "desiredNumberScheduled": .integer(1), "currentNumberScheduled": .integer(1),
                "updatedNumberScheduled": .integer(1), "numberReady": readyNodes, "numberAvailable": readyNodes,
                "numberMisscheduled": .integer(0),
            ])
        case ("batch", "Job"):
            switch state {
            case "ready":
                members["status"] = .object(["succeeded": .integer(1), "conditions": .array([condition("Complete", true, reason: "Completed")])])
            case "failed":
                members["status"] = .object([
                    "failed": .integer(1), "conditions": .array([condition("Failed", true, reason: "BackoffLimitExceeded")]),
                ])
            default: members["status"] = .object(["active": .integer(1)])
            }
        case ("", "Pod"):
            let phase = state == "ready" ? "Running" : state == "failed" ? "Failed" : "Pending"
            members["status"] = .object(["phase": .string(phase), "conditions": .array([condition("Ready", state == "ready", reason: phase)])])
        case ("", "PersistentVolumeClaim"):
            members["status"] = .object(["phase": .string(state == "ready" ? "Bound" : "Pending")])
        case ("", "Service") where members["spec"]?["type"]?.stringValue == "LoadBalancer" && state == "ready":
            members["status"] = .object(["loadBalancer": .object(["ingress": .array([.object(["ip": .string("127.0.0.1")])])])])
        case ("", "Namespace"):
            members["status"] = .object(["phase": .string("Active")])
        default:
            break
        }
        return .object(members)
    }

    private static func condition(_ type: String, _ status: Bool, reason: String) -> JSONValue {
        .object([
            "type": .string(type), "status": .string(status ? "True" : "False"), "reason": .string(reason),
            "lastTransitionTime": .string("2026-01-01T00:00:00Z"),
        ])
    }
}
