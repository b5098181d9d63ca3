import Foundation
import HelmFormats

/// What the controllers of a real cluster would do at once, for the clients that look: a
/// Deployment gets a ReplicaSet owned by it (helm 3's `--wait` reads the new ReplicaSet's
/// readiness), a Service gets a cluster IP, and deleting a Deployment deletes its ReplicaSets.
extension KubeObjectStore {
    static let replicaSets = KubeResourceTable.find(group: "apps", version: "v1", resource: "replicasets")!

    /// Fields the API server fills in and keeps across updates: a Service's cluster IP.
    func allocate(_ type: KubeResourceType, _ object: JSONValue, current: JSONValue?) -> JSONValue {
        guard type.kind == "Service", type.group.isEmpty, case .object(var members) = object else { return object }
        var spec = members["spec"]?.objectValue ?? [:]
        if spec["clusterIP"] == nil || spec["clusterIP"] == .string("") {
            if let kept = current?["spec"]?["clusterIP"] {
                spec["clusterIP"] = kept
            } else {
                serviceAddresses += 1
                spec["clusterIP"] = .string("10.96.\(serviceAddresses / 250).\(serviceAddresses % 250 + 1)")
            }
            if let address = spec["clusterIP"] { spec["clusterIPs"] = .array([address]) }
        }
        members["spec"] = .object(spec)
        return .object(members)
    }

    /// After a Deployment is written: its ReplicaSet for the current pod template.
    func reconcile(_ type: KubeResourceType, namespace: String?, name: String, object: JSONValue) {
        guard type.kind == "Deployment", type.group == "apps", let namespace, let template = object["spec"]?["template"] else { return }
        let encoded = (try? encoder.encode(template)) ?? Data()
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in encoded { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        let podTemplateHash = String(String(hash, radix: 36).prefix(10))
        let replicaSetName = "\(name)-\(podTemplateHash)"
        guard !exists(Self.replicaSets, namespace: namespace, name: replicaSetName) else { return }
        var labeledTemplate = template.objectValue ?? [:]
        var templateMetadata = labeledTemplate["metadata"]?.objectValue ?? [:]
        var labels = templateMetadata["labels"]?.objectValue ?? [:]
        labels["pod-template-hash"] = .string(podTemplateHash)
        templateMetadata["labels"] = .object(labels)
        labeledTemplate["metadata"] = .object(templateMetadata)
        var selector = object["spec"]?["selector"]?.objectValue ?? [:]
        var matchLabels = selector["matchLabels"]?.objectValue ?? [:]
        matchLabels["pod-template-hash"] = .string(podTemplateHash)
        selector["matchLabels"] = .object(matchLabels)
        let owner: JSONValue = .object([
            "apiVersion": .string("apps/v1"), "kind": .string("Deployment"), "name": .string(name),
            "uid": object["metadata"]?["uid"] ?? .string(""), "controller": .bool(true), "blockOwnerDeletion": .bool(true),
        ])
        let replicaSet: JSONValue = .object([
            "metadata": .object([
                "name": .string(replicaSetName), "labels": .object(labels), "ownerReferences": .array([owner]),
                "annotations": object["metadata"]?["annotations"] ?? .object([:]),
            ]),
            "spec": .object([
                "replicas": object["spec"]?["replicas"] ?? .integer(1), "selector": .object(selector), "template": .object(labeledTemplate),
            ]),
        ])
        _ = try? insert(Self.replicaSets, namespace: namespace, object: replicaSet)
    }

    /// After a Deployment is deleted: the ReplicaSets it owns (the garbage collector's work).
    func collect(_ type: KubeResourceType, namespace: String?, deleted: Data) {
        guard type.kind == "Deployment", type.group == "apps", let namespace,
            let uid = (try? JSONDecoder().decode(JSONValue.self, from: deleted))?["metadata"]?["uid"]
        else { return }
        for (key, stored) in objects[Self.typeKey(Self.replicaSets)] ?? [:] where key.hasPrefix("\(namespace)/") {
            let owners = (try? JSONDecoder().decode(JSONValue.self, from: stored.bytes))?["metadata"]?["ownerReferences"]?.arrayValue ?? []
            if owners.contains(where: { $0["uid"] == uid }) {
                _ = try? delete(Self.replicaSets, namespace: namespace, name: String(key.dropFirst(namespace.count + 1)))
            }
        }
    }
}
