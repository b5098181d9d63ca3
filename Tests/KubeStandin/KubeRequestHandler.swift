import Foundation
import HTTPTypes
import HelmFormats
import Hummingbird
import NIOCore
import NIOSSL
import Synchronization

/// Answers one request: authentication, then discovery, OpenAPI or an object operation.
struct KubeRequestHandler: Sendable {
    let store: KubeObjectStore
    let credentials: KubeStandin.Credentials
    let shared: KubeStandin.Shared
    static let maxBody = 16 << 20

    func respond(_ request: Request, _ context: KubeRequestContext) async -> Response {
        let contentType = request.headers[.contentType].map { " \($0)" } ?? ""
        shared.requests.withLock { $0.append("\(request.method) \(request.uri)\(contentType)") }
        do {
            guard try await authenticated(request, context) else { throw KubeStatus.unauthorized }
            return try await route(request)
        } catch let status as KubeStatus {
            return Self.json(status.json, status: .init(code: status.code))
        } catch {
            return Self.json(KubeStatus(code: 500, reason: "InternalError", message: "\(error)").json, status: .internalServerError)
        }
    }

    private func authenticated(_ request: Request, _ context: KubeRequestContext) async throws -> Bool {
        if let header = request.headers[.authorization] {
            if header == "Bearer \(credentials.token)" { return true }
            let basic = "Basic " + Data("\(credentials.username):\(credentials.password)".utf8).base64EncodedString()
            return header == basic
        }
        // A certificate is only there when it was verified against the CA (optional verification).
        return (try? await context.channel.nioSSL_peerCertificate().get()) != nil
    }

    private func route(_ request: Request) async throws -> Response {
        let path = KubePath(request.uri.path)
        let query = request.uri.queryParameters
        switch path {
        case .version: return Self.json(KubeDiscovery.version)
        case .coreGroups: return Self.json(KubeDiscovery.coreGroups)
        case .groups: return Self.json(KubeDiscovery.groups)
        case .group(let name):
            guard let document = KubeDiscovery.group(name) else {
                throw KubeStatus(code: 404, reason: "NotFound", message: "the server could not find the requested resource")
            }
            return Self.json(document)
        case .resources(let group, let version): return Self.json(KubeDiscovery.resources(group: group, version: version))
        case .openAPIIndex: return Self.json(KubeDiscovery.openAPIIndex)
        case .openAPIDocument(let group, let version):
            guard let document = KubeDiscovery.openAPIDocument(group: group, version: version) else { break }
            return Self.json(document)
        case .openAPIv2, .unknown: break
        case .object(let type, let namespace, let name, let subresource):
            if let namespace, shared.forbidden.withLock({ $0.contains(namespace) }) {
                throw KubeStatus.forbidden(type, namespace: namespace, verb: Self.verb(request.method, name: name))
            }
            if namespace == nil, type.namespaced, ["secrets", "configmaps"].contains(type.resource), !shared.forbidden.withLock({ $0.isEmpty }) {
                throw KubeStatus.forbidden(type, namespace: nil, verb: "list")
            }
            if subresource != nil && subresource != "status" { break }
            let labels = try selector(query["labelSelector"])
            let fields = try selector(query["fieldSelector"])
            switch (request.method, name) {
            case (.get, nil):
                if ["true", "1"].contains(query["watch"].map(String.init)) {
                    let initial = query["sendInitialEvents"] == "true" || query["resourceVersion"] == nil || query["resourceVersion"] == "0"
                    let seconds = min(query["timeoutSeconds"].flatMap { Int(String($0)) } ?? 1800, 1800)
                    return await watch(type, namespace: namespace, labels: labels, fields: fields, initialEvents: initial, seconds: seconds)
                }
                let limit = query["limit"].flatMap { Int(String($0)) }
                let metadataOnly = request.headers[.accept]?.contains("as=PartialObjectMetadataList") ?? false
                let page = try await store.list(
                    type,
                    namespace: namespace,
                    labels: labels,
                    fields: fields,
                    limit: limit,
                    continueToken: query["continue"].map(String.init),
                    metadataOnly: metadataOnly
                )
                return Self.list(type, page, metadataOnly: metadataOnly)
            case (.get, let name?):
                return Self.raw(try await store.get(type, namespace: namespace, name: name))
            case (.post, nil):
                let object = try await body(request)
                return Self.raw(try await store.create(type, namespace: namespace, object: object), status: .created)
            case (.put, let name?):
                return Self.raw(try await store.update(type, namespace: namespace, name: name, object: try await body(request)))
            case (.patch, let name?):
                let contentType = request.headers[.contentType] ?? ""
                let (bytes, created) = try await store.patch(
                    type,
                    namespace: namespace,
                    name: name,
                    contentType: contentType,
                    patch: try await body(request)
                )
                return Self.raw(bytes, status: created ? .created : .ok)
            case (.delete, let name?):
                _ = try? await body(request)
                return Self.raw(try await store.delete(type, namespace: namespace, name: name))
            default:
                throw KubeStatus(code: 405, reason: "MethodNotAllowed", message: "the server does not allow this method on the requested resource")
            }
        }
        throw KubeStatus(code: 404, reason: "NotFound", message: "the server could not find the requested resource")
    }

    private func selector(_ text: Substring?) throws -> LabelSelector {
        do {
            // Form encoding: '+' is a space (label keys and values never hold a '+').
            return try LabelSelector((text.map(String.init) ?? "").replacingOccurrences(of: "+", with: " "))
        } catch {
            throw KubeStatus.badRequest("unable to parse requirement: \(error)")
        }
    }

    /// The body as JSON: protobuf (Secret, ConfigMap, DeleteOptions), JSON or YAML.
    private func body(_ request: Request) async throws -> JSONValue {
        let buffer = try await request.body.collect(upTo: Self.maxBody)
        let bytes = Array(buffer.readableBytesView)
        if request.headers[.contentType]?.hasPrefix("application/vnd.kubernetes.protobuf") == true {
            do {
                return try KubeProtobuf.decode(bytes)
            } catch {
                throw KubeStatus.badRequest("\(error)")
            }
        }
        if bytes.isEmpty { return .object([:]) }
        if let value = try? JSONDecoder().decode(JSONValue.self, from: Data(bytes)) { return value }
        do {
            return try YAMLDocument.parse(String(decoding: bytes, as: UTF8.self))
        } catch {
            throw KubeStatus.badRequest("the body is neither JSON nor YAML: \(error)")
        }
    }

    private func watch(
        _ type: KubeResourceType,
        namespace: String?,
        labels: LabelSelector,
        fields: LabelSelector,
        initialEvents: Bool,
        seconds: Int
    ) async -> Response {
        let (stream, id) = await store.watch(type, namespace: namespace, labels: labels, fields: fields, initialEvents: initialEvents)
        let store = self.store
        Task {
            try? await Task.sleep(for: .seconds(seconds))
            await store.stopWatching(id)
        }
        let body = ResponseBody { writer in
            for await event in stream {
                try await writer.write(ByteBuffer(bytes: event))
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "application/json", .transferEncoding: "chunked"], body: body)
    }

    private static func verb(_ method: HTTPRequest.Method, name: String?) -> String {
        switch method {
        case .get: name == nil ? "list" : "get"
        case .post: "create"
        case .put: "update"
        case .patch: "patch"
        case .delete: "delete"
        default: "get"
        }
    }

    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        let bytes = (try? JSONEncoder().encode(value)) ?? Data("{}".utf8)
        return raw(bytes, status: status)
    }

    static func raw(_ bytes: Data, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    static func list(_ type: KubeResourceType, _ page: (items: [Data], resourceVersion: Int, continueToken: String?), metadataOnly: Bool) -> Response
    {
        var buffer = ByteBuffer()
        let kind = metadataOnly ? "PartialObjectMetadataList" : "\(type.kind)List"
        let apiVersion = metadataOnly ? "meta.k8s.io/v1" : type.groupVersion
        buffer.writeString(#"{"kind":"\#(kind)","apiVersion":"\#(apiVersion)","metadata":{"resourceVersion":"\#(page.resourceVersion)""#)
        if let token = page.continueToken { buffer.writeString(#","continue":"\#(token)""#) }
        buffer.writeString(#"},"items":["#)
        for (index, item) in page.items.enumerated() {
            if index > 0 { buffer.writeString(",") }
            buffer.writeBytes(item)
        }
        buffer.writeString("]}")
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: buffer))
    }
}
