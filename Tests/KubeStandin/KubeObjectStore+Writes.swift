import Foundation
import HelmFormats

extension KubeObjectStore {
    func decoded(_ type: KubeResourceType, namespace: String?, name: String) throws(KubeStatus) -> JSONValue {
        let bytes = try get(type, namespace: namespace, name: name)
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: bytes) else { throw .badRequest("stored object is not JSON") }
        return value
    }

    /// Creates `object` in `namespace` with the metadata the server owns.
    func insert(_ type: KubeResourceType, namespace: String?, object: JSONValue) throws(KubeStatus) -> Data {
        guard case .object(var members) = object else { throw .badRequest("the body is not a JSON object") }
        var metadata = members["metadata"]?.objectValue ?? [:]
        if metadata["name"]?.stringValue?.isEmpty ?? true, let prefix = metadata["generateName"]?.stringValue {
            metadata["name"] = .string(prefix + String(UUID().uuidString.lowercased().prefix(5)))
        }
        guard let name = metadata["name"]?.stringValue, !name.isEmpty else {
            throw .invalid("\(type.kind) \"\" is invalid: metadata.name: Required value: name or generateName is required")
        }
        if type.namespaced {
            guard let namespace else { throw .badRequest("a \(type.kind) is created in a namespace") }
            if let given = metadata["namespace"]?.stringValue, !given.isEmpty, given != namespace {
                throw .badRequest("the namespace of the provided object does not match the namespace sent on the request")
            }
            let namespaces = KubeResourceTable.find(group: "", version: "v1", resource: "namespaces")!
            guard let owner = try? decoded(namespaces, namespace: nil, name: namespace) else { throw .notFound(namespaces, namespace) }
            if owner["metadata"]?["deletionTimestamp"] != nil {
                throw KubeStatus(
                    code: 403,
                    reason: "Forbidden",
                    message:
                        "\(type.resource) \"\(metadata["name"]?.stringValue ?? "")\" is forbidden: unable to create new content in namespace \(namespace) because it is being terminated"
                )
            }
            metadata["namespace"] = .string(namespace)
        }
        if exists(type, namespace: namespace, name: name) { throw .alreadyExists(type, name) }
        metadata["uid"] = .string(UUID().uuidString.lowercased())
        metadata["creationTimestamp"] = .string(Self.now())
        metadata["generation"] = .integer(1)
        members["metadata"] = .object(metadata)
        members["apiVersion"] = .string(type.groupVersion)
        members["kind"] = .string(type.kind)
        let object = allocate(type, .object(members), current: nil)
        let bytes = try save(type, namespace: namespace, name: name, object: object, event: "ADDED")
        reconcile(type, namespace: namespace, name: name, object: object)
        return bytes
    }

    /// Writes `object` over `current`, keeping what the server owns (uid, creation time) and
    /// counting a changed spec as a new generation.
    func replace(_ type: KubeResourceType, namespace: String?, name: String, current: JSONValue, with object: JSONValue) throws(KubeStatus) -> Data {
        guard case .object(var members) = object else { throw .badRequest("the body is not a JSON object") }
        var metadata = members["metadata"]?.objectValue ?? [:]
        if let given = metadata["name"]?.stringValue, given != name {
            throw .badRequest("the name of the object (\(given)) does not match the name on the URL (\(name))")
        }
        let old = current["metadata"]?.objectValue ?? [:]
        metadata["name"] = .string(name)
        if let namespace { metadata["namespace"] = .string(namespace) }
        for key in ["uid", "creationTimestamp"] { metadata[key] = old[key] }
        var generation: Int64 = 1
        if case .integer(let value) = old["generation"] ?? .integer(1) { generation = value }
        if members["spec"] != current["spec"] { generation += 1 }
        metadata["generation"] = .integer(generation)
        members["metadata"] = .object(metadata)
        members["apiVersion"] = .string(type.groupVersion)
        members["kind"] = .string(type.kind)
        let object = allocate(type, .object(members), current: current)
        let bytes = try save(type, namespace: namespace, name: name, object: object, event: "MODIFIED")
        reconcile(type, namespace: namespace, name: name, object: object)
        return bytes
    }

    func save(
        _ type: KubeResourceType,
        namespace: String?,
        name: String,
        object: JSONValue,
        event: String,
        settling: Bool = true
    ) throws(KubeStatus) -> Data {
        guard case .object(var members) = settling ? KubeWorkloadStatus.settle(type, object) : object else {
            throw .badRequest("the body is not a JSON object")
        }
        if type.kind == "Secret", let stringData = members.removeValue(forKey: "stringData")?.objectValue {
            var data = members["data"]?.objectValue ?? [:]
            for (key, value) in stringData { data[key] = .string(Data((value.stringValue ?? "").utf8).base64EncodedString()) }
            members["data"] = .object(data)
        }
        revision += 1
        var metadata = members["metadata"]?.objectValue ?? [:]
        metadata["resourceVersion"] = .string(String(revision))
        members["metadata"] = .object(metadata)
        let labels = (metadata["labels"]?.objectValue ?? [:]).compactMapValues(\.stringValue)
        guard let bytes = try? encoder.encode(JSONValue.object(members)) else { throw .badRequest("the object cannot be encoded") }
        let stored = Stored(bytes: bytes, partial: Self.partial(.object(metadata), encoder: encoder), labels: labels, resourceVersion: revision)
        objects[Self.typeKey(type), default: [:]][Self.objectKey(namespace, name)] = stored
        writeFile(type, namespace: namespace, name: name, bytes: bytes)
        notify(type, namespace: namespace, name: name, event: event, stored: stored)
        return bytes
    }

    static func now() -> String {
        Date().ISO8601Format()
    }

    // MARK: Files: objects/GROUP/RESOURCE/NAMESPACE/NAME.json ("core" and "_" for the empty ones)

    func file(_ type: KubeResourceType, namespace: String?, name: String) -> URL? {
        directory?.appendingPathComponent("objects").appendingPathComponent(type.group.isEmpty ? "core" : type.group)
            .appendingPathComponent(type.resource).appendingPathComponent(namespace ?? "_").appendingPathComponent("\(name).json")
    }

    private func writeFile(_ type: KubeResourceType, namespace: String?, name: String, bytes: Data) {
        guard let file = file(type, namespace: namespace, name: name) else { return }
        try? FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? bytes.write(to: file, options: .atomic)
    }

    func removeFile(_ type: KubeResourceType, namespace: String?, name: String) {
        guard let file = file(type, namespace: namespace, name: name) else { return }
        try? FileManager.default.removeItem(at: file)
    }

    static func load(from root: URL, into objects: inout [String: [String: Stored]], revision: inout Int, encoder: JSONEncoder) throws {
        let manager = FileManager.default
        for type in KubeResourceTable.all {
            let folder = root.appendingPathComponent(type.group.isEmpty ? "core" : type.group).appendingPathComponent(type.resource)
            guard let namespaces = try? manager.contentsOfDirectory(atPath: folder.path) else { continue }
            for namespace in namespaces {
                let directory = folder.appendingPathComponent(namespace)
                for file in (try? manager.contentsOfDirectory(atPath: directory.path)) ?? [] where file.hasSuffix(".json") {
                    let bytes = try Data(contentsOf: directory.appendingPathComponent(file))
                    let object = try JSONDecoder().decode(JSONValue.self, from: bytes)
                    let metadata = object["metadata"] ?? .object([:])
                    let version = Int(metadata["resourceVersion"]?.stringValue ?? "") ?? 1
                    revision = max(revision, version)
                    let key = "\(namespace == "_" ? "" : namespace)/\(metadata["name"]?.stringValue ?? file)"
                    let labels = (metadata["labels"]?.objectValue ?? [:]).compactMapValues(\.stringValue)
                    objects[typeKey(type), default: [:]][key] = Stored(
                        bytes: bytes,
                        partial: partial(metadata, encoder: encoder),
                        labels: labels,
                        resourceVersion: version
                    )
                }
            }
        }
    }

    static func partial(_ metadata: JSONValue, encoder: JSONEncoder) -> Data {
        let object: JSONValue = .object(["kind": .string("PartialObjectMetadata"), "apiVersion": .string("meta.k8s.io/v1"), "metadata": metadata])
        return (try? encoder.encode(object)) ?? Data()
    }
}
