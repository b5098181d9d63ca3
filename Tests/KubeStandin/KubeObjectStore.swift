public import Foundation
public import HelmFormats

/// The stand-in's objects, kept as their JSON bytes (lists are answered by joining them) and,
/// with a directory, one file per object so a restarted stand-in finds them again.
///
/// Every write takes the next `resourceVersion`, a counter shared by all objects, as etcd's
/// revision is; watchers see each write as an event.
public actor KubeObjectStore {
    struct Stored {
        var bytes: Data
        /// `{"kind":"PartialObjectMetadata",…,"metadata":…}`, for metadata-only lists.
        var partial: Data
        var labels: [String: String]
        var resourceVersion: Int
    }

    /// Objects per `group/resource`, by `namespace/name` (`/name` for cluster-scoped ones).
    var objects: [String: [String: Stored]] = [:]
    var revision = 1
    /// Service cluster IPs handed out so far.
    var serviceAddresses = 0
    let directory: URL?
    var watchers: [UUID: Watcher] = [:]
    let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    struct Watcher {
        let type: KubeResourceType
        let namespace: String?
        let labels: LabelSelector
        let fields: LabelSelector
        let continuation: AsyncStream<Data>.Continuation
    }

    /// Loads the objects under `directory/objects` (when given) and creates the namespaces every
    /// cluster has.
    public init(directory: URL?) async throws {
        self.directory = directory
        if let directory { try Self.load(from: directory.appendingPathComponent("objects"), into: &objects, revision: &revision, encoder: encoder) }
        for name in ["default", "kube-system", "kube-public", "kube-node-lease"] {
            let type = KubeResourceTable.find(group: "", version: "v1", resource: "namespaces")!
            if objects[Self.typeKey(type)]?["/\(name)"] == nil {
                _ = try? insert(type, namespace: nil, object: .object(["metadata": .object(["name": .string(name)])]))
            }
        }
    }

    static func typeKey(_ type: KubeResourceType) -> String { "\(type.group)/\(type.resource)" }

    static func objectKey(_ namespace: String?, _ name: String) -> String { "\(namespace ?? "")/\(name)" }

    // MARK: Reads

    public func get(_ type: KubeResourceType, namespace: String?, name: String) throws(KubeStatus) -> Data {
        guard let stored = objects[Self.typeKey(type)]?[Self.objectKey(namespace, name)] else { throw .notFound(type, name) }
        return stored.bytes
    }

    public func exists(_ type: KubeResourceType, namespace: String?, name: String) -> Bool {
        objects[Self.typeKey(type)]?[Self.objectKey(namespace, name)] != nil
    }

    /// One page of a list: the objects after `continueToken` in (namespace, name) order.
    public func list(
        _ type: KubeResourceType,
        namespace: String?,
        labels: LabelSelector,
        fields: LabelSelector,
        limit: Int?,
        continueToken: String?,
        metadataOnly: Bool = false
    ) throws(KubeStatus) -> (items: [Data], resourceVersion: Int, continueToken: String?) {
        let all = objects[Self.typeKey(type)] ?? [:]
        var after: String? = nil
        if let continueToken, !continueToken.isEmpty {
            guard let decoded = Data(base64Encoded: continueToken).flatMap({ String(data: $0, encoding: .utf8) }) else {
                throw .badRequest("continue key is not valid: illegal base64 data")
            }
            after = decoded
        }
        let prefix = namespace.map { "\($0)/" }
        var keys = all.keys.filter { key in prefix.map(key.hasPrefix) ?? true }.sorted()
        if let after { keys = Array(keys.drop { $0 <= after }) }
        var items: [Data] = []
        var lastKey: String? = nil
        var remaining = false
        for key in keys {
            guard let stored = all[key] else { continue }
            let slash = key.firstIndex(of: "/")!
            let fieldValues = ["metadata.name": String(key[key.index(after: slash)...]), "metadata.namespace": String(key[..<slash])]
            guard labels.matches(stored.labels), fields.matches(fieldValues) else { continue }
            if let limit, limit > 0, items.count == limit {
                remaining = true
                break
            }
            items.append(metadataOnly ? stored.partial : stored.bytes)
            lastKey = key
        }
        let token = remaining ? lastKey.map { Data($0.utf8).base64EncodedString() } : nil
        return (items, revision, token)
    }

    public var currentRevision: Int { revision }

    // MARK: Writes

    /// Stores a new object; 409 when one of that name exists, 404 when its namespace does not.
    @discardableResult
    public func create(_ type: KubeResourceType, namespace: String?, object: JSONValue) throws(KubeStatus) -> Data {
        try insert(type, namespace: namespace, object: object)
    }

    /// Replaces an object (PUT); 409 when the body's `resourceVersion` is not the current one.
    public func update(_ type: KubeResourceType, namespace: String?, name: String, object: JSONValue) throws(KubeStatus) -> Data {
        let current = try decoded(type, namespace: namespace, name: name)
        if let version = object["metadata"]?["resourceVersion"]?.stringValue, !version.isEmpty,
            version != current["metadata"]?["resourceVersion"]?.stringValue
        {
            throw .conflict(type, name)
        }
        return try replace(type, namespace: namespace, name: name, current: current, with: object)
    }

    /// Applies a patch of `contentType`; server-side apply creates a missing object.
    public func patch(
        _ type: KubeResourceType,
        namespace: String?,
        name: String,
        contentType: String,
        patch: JSONValue
    ) throws(KubeStatus) -> (bytes: Data, created: Bool) {
        let current: JSONValue
        do {
            current = try decoded(type, namespace: namespace, name: name)
        } catch  where contentType.hasPrefix("application/apply-patch") {
            var object = patch.objectValue ?? [:]
            var metadata = object["metadata"]?.objectValue ?? [:]
            metadata["name"] = .string(name)
            object["metadata"] = .object(metadata)
            return (try insert(type, namespace: namespace, object: .object(object)), true)
        }
        let patched: JSONValue
        do {
            switch contentType {
            case let type where type.hasPrefix("application/merge-patch+json"): patched = KubePatch.merge(current, patch)
            case let type where type.hasPrefix("application/strategic-merge-patch+json"): patched = KubePatch.strategic(current, patch)
            case let type where type.hasPrefix("application/json-patch+json"): patched = try KubePatch.json(current, patch)
            case let type where type.hasPrefix("application/apply-patch"):
                // One field manager at a time: the applied object replaces what it names, status stays.
                var object = patch.objectValue ?? [:]
                object["status"] = current["status"]
                patched = KubePatch.merge(.object(["metadata": current["metadata"] ?? .null]), .object(object))
            default: throw KubeStatus(code: 415, reason: "UnsupportedMediaType", message: "the body of the request was in an unknown format")
            }
        } catch let error as KubePatch.PatchError {
            throw .invalid(error.description)
        } catch let status as KubeStatus {
            throw status
        } catch {
            throw .badRequest("\(error)")
        }
        return (try replace(type, namespace: namespace, name: name, current: current, with: patched), false)
    }

    /// Removes an object and answers it. A Namespace is first marked terminating (as the
    /// namespace controller does); what it holds and then the namespace itself go shortly after.
    public func delete(_ type: KubeResourceType, namespace: String?, name: String) throws(KubeStatus) -> Data {
        if type.resource == "namespaces", type.group.isEmpty {
            var object = try decoded(type, namespace: nil, name: name)
            if object["metadata"]?["deletionTimestamp"] == nil, case .object(var members) = object {
                var metadata = members["metadata"]?.objectValue ?? [:]
                metadata["deletionTimestamp"] = .string(Self.now())
                members["metadata"] = .object(metadata)
                members["status"] = .object(["phase": .string("Terminating")])
                object = .object(members)
                let bytes = try save(type, namespace: nil, name: name, object: object, event: "MODIFIED", settling: false)
                Task {
                    try? await Task.sleep(for: .milliseconds(300))
                    self.removeNamespace(name)
                }
                return bytes
            }
            return try get(type, namespace: nil, name: name)
        }
        let bytes = try remove(type, namespace: namespace, name: name)
        collect(type, namespace: namespace, deleted: bytes)
        return bytes
    }

    private func remove(_ type: KubeResourceType, namespace: String?, name: String) throws(KubeStatus) -> Data {
        let key = Self.objectKey(namespace, name)
        guard let stored = objects[Self.typeKey(type)]?.removeValue(forKey: key) else { throw .notFound(type, name) }
        revision += 1
        removeFile(type, namespace: namespace, name: name)
        notify(type, namespace: namespace, name: name, event: "DELETED", stored: stored)
        return stored.bytes
    }

    private func removeNamespace(_ name: String) {
        for other in KubeResourceTable.all where other.namespaced {
            for objectKey in (objects[Self.typeKey(other)] ?? [:]).keys where objectKey.hasPrefix("\(name)/") {
                _ = try? remove(other, namespace: name, name: String(objectKey.dropFirst(name.count + 1)))
            }
        }
        if let namespaces = KubeResourceTable.find(group: "", version: "v1", resource: "namespaces") {
            _ = try? remove(namespaces, namespace: nil, name: name)
        }
    }

    // MARK: Watch

    /// Events (`{"type":…,"object":…}` lines) for writes from now on; with `initialEvents`, first
    /// an ADDED event per existing object and a BOOKMARK marking their end.
    public func watch(
        _ type: KubeResourceType,
        namespace: String?,
        labels: LabelSelector,
        fields: LabelSelector,
        initialEvents: Bool
    ) -> (stream: AsyncStream<Data>, id: UUID) {
        let (stream, continuation) = AsyncStream.makeStream(of: Data.self)
        let id = UUID()
        if initialEvents, let page = try? list(type, namespace: namespace, labels: labels, fields: fields, limit: nil, continueToken: nil) {
            for item in page.items { continuation.yield(Self.event("ADDED", item)) }
        }
        if initialEvents {
            let bookmark =
                #"{"type":"BOOKMARK","object":{"kind":"\#(type.kind)","apiVersion":"\#(type.groupVersion)","metadata":{"resourceVersion":"\#(revision)","annotations":{"k8s.io/initial-events-end":"true"}}}}"#
            continuation.yield(Data((bookmark + "\n").utf8))
        }
        watchers[id] = Watcher(type: type, namespace: namespace, labels: labels, fields: fields, continuation: continuation)
        return (stream, id)
    }

    public func stopWatching(_ id: UUID) {
        watchers.removeValue(forKey: id)?.continuation.finish()
    }

    public func stopAllWatches() {
        for watcher in watchers.values { watcher.continuation.finish() }
        watchers = [:]
    }

    static func event(_ type: String, _ object: Data) -> Data {
        var line = Data(#"{"type":"\#(type)","object":"#.utf8)
        line.append(object)
        line.append(contentsOf: Array("}\n".utf8))
        return line
    }

    func notify(_ type: KubeResourceType, namespace: String?, name: String, event: String, stored: Stored) {
        for watcher in watchers.values where watcher.type == type {
            if let wanted = watcher.namespace, wanted != namespace { continue }
            let fields = ["metadata.name": name, "metadata.namespace": namespace ?? ""]
            guard watcher.labels.matches(stored.labels), watcher.fields.matches(fields) else { continue }
            watcher.continuation.yield(Self.event(event, stored.bytes))
        }
    }
}
