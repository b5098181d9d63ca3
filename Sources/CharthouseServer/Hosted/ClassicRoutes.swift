import CharthouseCore
import CharthouseStore
import Foundation
import HTTPTypes
import HelmFormats
import Hummingbird
import Logging
import NIOCore
import NIOPosix

/// The classic chart repository side of the hosted registries, plain Hummingbird routes:
///
/// - `GET /charts/<namespace>/index.yaml`: what `helm repo add/update` read, rendered once per
///   change, sent gzipped when the client accepts it, revalidated by `ETag` (304);
/// - `GET /charts/<namespace>/<chart>-<version>.tgz` (and `.tgz.prov`): streamed from the blob store;
/// - ChartMuseum's API: `POST /api/<namespace>/charts` (the archive as the body, or multipart
///   fields `chart` and `prov`), `DELETE /api/<namespace>/charts/<chart>/<version>`,
///   `GET|HEAD /api/<namespace>/charts[/<chart>[/<version>|latest]]`.
///
/// Credentials: Basic (a user's password or an API token as password) or a bearer API token;
/// none for public registries. Errors are ChartMuseum's `{"error": "…"}` plus a stable `code`.
struct ClassicRoutes: Sendable {
    let service: HostedRegistryService
    let access: AccessService
    let clients: ClientAddresses
    let fileIO = FileIO()

    func register(on router: Router<CharthouseRequestContext>) {
        for method in [HTTPRequest.Method.get, .head] {
            router.on("/charts/:namespace/:file", method: method) { request, context in
                await self.respond(request, context) { caller in
                    let namespace = try context.parameters.require("namespace")
                    let file = try context.parameters.require("file")
                    if file == "index.yaml" { return try await self.index(request, namespace: namespace, caller: caller) }
                    return try await self.download(request, context: context, namespace: namespace, file: file, caller: caller)
                }
            }
            for path in ["/api/:namespace/charts", "/api/:namespace/charts/:name", "/api/:namespace/charts/:name/:version"] {
                router.on(RouterPath(path), method: method) { request, context in
                    await self.respond(request, context) { caller in try await self.list(request, context: context, caller: caller) }
                }
            }
        }
        router.post("/api/:namespace/charts") { request, context in
            await self.respond(request, context) { caller in try await self.upload(request, context: context, caller: caller) }
        }
        // Methods a route lacks: 405 in ChartMuseum's format (after authentication, like the rest).
        let unsupported: [(String, [HTTPRequest.Method])] = [
            ("/charts/:namespace/:file", [.post, .put, .patch, .delete, .options]),
            ("/api/:namespace/charts", [.put, .patch, .delete, .options]),
            ("/api/:namespace/charts/:name", [.post, .put, .patch, .delete, .options]),
            ("/api/:namespace/charts/:name/:version", [.post, .put, .patch, .options]),
        ]
        for (path, methods) in unsupported {
            for method in methods {
                router.on(RouterPath(path), method: method) { request, context in
                    await self.respond(request, context) { _ in
                        throw MethodNotAllowed(method: request.method)
                    }
                }
            }
        }
        router.delete("/api/:namespace/charts/:name/:version") { request, context in
            await self.respond(request, context) { caller in
                try await self.service.deleteChart(
                    namespace: try context.parameters.require("namespace"),
                    chart: try context.parameters.require("name"),
                    version: try context.parameters.require("version"),
                    caller: caller
                )
                return Self.json(["deleted": true])
            }
        }
    }

    // MARK: - index.yaml and downloads

    private func index(_ request: Request, namespace: String, caller: Caller?) async throws -> Response {
        let rendered = try await service.classicIndex(namespace: namespace, caller: caller)
        let gzip = Self.acceptsGzip(request.headers[.acceptEncoding])
        let etag = gzip ? String(rendered.etag.dropLast()) + "-gz\"" : rendered.etag
        var headers: HTTPFields = [
            .contentType: "application/x-yaml", .eTag: etag, .vary: "Accept-Encoding", .cacheControl: "no-cache",
        ]
        if let condition = request.headers[.ifNoneMatch], Self.matches(condition, rendered.etag) {
            return Response(status: .notModified, headers: headers)
        }
        let body = gzip ? rendered.gzip : rendered.plain
        if gzip { headers[.contentEncoding] = "gzip" }
        headers[.contentLength] = "\(body.readableBytes)"
        if request.method == .head { return Response(status: .ok, headers: headers) }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: body))
    }

    private func download(
        _ request: Request,
        context: CharthouseRequestContext,
        namespace: String,
        file: String,
        caller: Caller?
    ) async throws -> Response {
        let found = try await service.chartFile(namespace: namespace, file: file, caller: caller)
        guard let path = found.path else { throw CharthouseError.notFound("\(file) in \(namespace)") }
        let etag = "\"\(found.digest)\""
        var headers: HTTPFields = [
            .contentType: file.hasSuffix(".prov") ? "text/plain; charset=utf-8" : "application/gzip", .eTag: etag, .cacheControl: "no-cache",
        ]
        if let condition = request.headers[.ifNoneMatch], Self.matches(condition, etag) {
            headers[.acceptRanges] = "bytes"
            return Response(status: .notModified, headers: headers)
        }
        return try await StoredFiles.response(request, path: path, size: found.size, headers: headers, fileIO: fileIO, context: context)
    }

    /// Whether `Accept-Encoding` takes gzip (and does not refuse it with `q=0`).
    static func acceptsGzip(_ header: String?) -> Bool {
        guard let header else { return false }
        for item in header.split(separator: ",") {
            let parts = item.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard parts.first == "gzip" || parts.first == "x-gzip" else { continue }
            let refused = parts.dropFirst().contains { $0.hasPrefix("q=") && (Double($0.dropFirst(2)) ?? 1) == 0 }
            return !refused
        }
        return false
    }

    /// Whether an `If-None-Match` list names `etag` (or its gzipped variant), or is `*`.
    static func matches(_ condition: String, _ etag: String) -> Bool {
        let gzipped = String(etag.dropLast()) + "-gz\""
        return condition.split(separator: ",").contains { item in
            var tag = item.trimmingCharacters(in: .whitespaces)
            if tag.hasPrefix("W/") { tag = String(tag.dropFirst(2)) }
            return tag == "*" || tag == etag || tag == gzipped
        }
    }

    // MARK: - ChartMuseum API

    private func upload(_ request: Request, context: CharthouseRequestContext, caller: Caller?) async throws -> Response {
        let namespace = try context.parameters.require("namespace")
        // Who may upload is settled before a body is read.
        _ = try await service.classicRegistry(namespace: namespace, caller: caller, action: .push)
        let limit = service.limits.maxChartSize + (2 << 20)
        let tooLarge = CharthouseError(.payloadTooLarge, "an upload may be at most \(limit) bytes (the chart archive \(service.limits.maxChartSize))")
        var request = request
        let body = try await request.collectBody(upTo: limit, tooLarge: tooLarge, cutShort: CharthouseError.bodyCutShort)
        var archive = body
        var provenance: ByteBuffer?
        if let boundary = request.headers[.contentType].flatMap(MultipartForm.boundary) {
            let parts: [String: Range<Int>]
            do {
                // Off the event loop: a large body takes a while to scan.
                parts = try await NIOThreadPool.singleton.runIfActive {
                    try body.withUnsafeReadableBytes { bytes in try MultipartForm.parse(bytes, boundary: boundary) }
                }
            } catch let error as MultipartForm.Malformed {
                throw CharthouseError(.badRequest, "malformed multipart body: \(error.reason)")
            }
            guard let chart = parts["chart"] else { throw CharthouseError(.badRequest, "the multipart body has no \"chart\" field") }
            archive = body.getSlice(at: body.readerIndex + chart.lowerBound, length: chart.count) ?? ByteBuffer()
            provenance = parts["prov"].flatMap { body.getSlice(at: body.readerIndex + $0.lowerBound, length: $0.count) }
        }
        guard archive.readableBytes > 0 else { throw CharthouseError(.badRequest, "the upload is empty: send a chart archive (.tgz)") }
        let (chart, stored) = try await service.uploadChart(namespace: namespace, archive: archive, provenance: provenance, caller: caller)
        context.logger.info(
            "chart uploaded",
            metadata: [
                "namespace": .string(namespace), "chart": .string(chart.name), "version": .string(chart.version),
                "stored": .stringConvertible(stored),
            ]
        )
        return Self.json(["saved": true], status: .created)
    }

    private func list(_ request: Request, context: CharthouseRequestContext, caller: Caller?) async throws -> Response {
        let namespace = try context.parameters.require("namespace")
        let versions = try await service.classicVersions(namespace: namespace, caller: caller)
        let body: JSONValue
        if let name = context.parameters.get("name") {
            let ofChart = versions.filter { $0.name == name }
            guard !ofChart.isEmpty else { throw CharthouseError.notFound("chart \(name) in \(namespace)") }
            if let version = context.parameters.get("version") {
                // "latest": the highest version, as ChartMuseum has it (versions are newest first).
                guard let found = version == "latest" ? ofChart.first : ofChart.first(where: { $0.version == version }) else {
                    throw CharthouseError.notFound("chart \(name) \(version) in \(namespace)")
                }
                body = Self.describe(found)
            } else {
                body = .array(ofChart.map(Self.describe))
            }
        } else {
            body = .object(Dictionary(grouping: versions, by: \.name).mapValues { .array($0.map(Self.describe)) })
        }
        let response = Self.json(body)
        // HEAD answers what GET would, without the body.
        return request.method == .head ? Response(status: response.status, headers: response.headers) : response
    }

    /// A chart version as ChartMuseum lists it: the chart's metadata with `urls`, `created`, `digest`.
    private static func describe(_ version: IndexChartVersion) -> JSONValue {
        var members: [String: JSONValue] = [:]
        if case .object(let metadata)? = try? JSONDecoder().decode(JSONValue.self, from: version.helmConfigJSON) { members = metadata }
        members["urls"] = .array(version.urls.map(JSONValue.string))
        members["digest"] = .string(version.digest)
        if let created = version.created { members["created"] = .string(created) }
        return .object(members)
    }

    // MARK: - Authentication and errors

    /// Authenticates the request if it carries credentials (none: anonymous), runs `body` and
    /// renders failures as ChartMuseum does, `{"error": "…"}`, with a stable `code` beside it.
    private func respond(
        _ request: Request,
        _ context: CharthouseRequestContext,
        _ body: (Caller?) async throws -> Response
    ) async -> Response {
        do {
            var caller: Caller?
            switch request.headers[.authorization].map(AuthorizationHeader.init) {
            case .basic(let username, let password)?:
                caller = try await access.authenticate(
                    username: username,
                    password: password,
                    address: clients.address(of: request, context: context)
                )
            case .bearer(let token)?: caller = try await access.authenticate(apiToken: token)
            case .unusable?: throw CharthouseError(.unauthorized, "unsupported Authorization header: use Basic or Bearer")
            case nil: caller = nil
            }
            context.state.caller = caller
            return try await body(caller)
        } catch let refusal as MethodNotAllowed {
            return Self.json(["error": "\(refusal.method) is not supported here", "code": "method_not_allowed"], status: .methodNotAllowed)
        } catch let refusal as StoredFiles.RangeRefusal {
            var response = Self.json(
                ["error": refusal.message, "code": refusal.malformed ? "bad_request" : "range_not_satisfiable"],
                status: refusal.malformed ? .badRequest : .rangeNotSatisfiable
            )
            if !refusal.malformed { response.headers[.contentRange] = "bytes */\(refusal.size)" }
            return response
        } catch {
            let rendered = APIErrorResponse(error, request: request)
            if rendered.status == .internalServerError {
                context.logger.error("chart repository request failed", metadata: .error(error))
            }
            var response = Self.json(["error": rendered.message, "code": rendered.code], status: rendered.status)
            if rendered.status == .unauthorized { response.headers[.wwwAuthenticate] = "Basic realm=\"\(OCIRoutes.realm)\"" }
            if let retryAfter = rendered.retryAfter { response.headers[.retryAfter] = "\(retryAfter)" }
            return response
        }
    }

    /// A method the route does not have.
    struct MethodNotAllowed: Error {
        let method: HTTPRequest.Method
    }

    /// Whether `path` is under the classic chart repository's routes (its errors are ChartMuseum's).
    static func isClassicPath(_ path: String) -> Bool {
        if path.hasPrefix("/charts/") || path == "/charts" { return true }
        let parts = path.split(separator: "/", maxSplits: 3, omittingEmptySubsequences: false)
        return parts.count >= 4 && parts[1] == "api" && parts[2] != "v1" && parts[3].hasPrefix("charts")
    }

    /// A 404 for a path under the chart repository that names nothing, in ChartMuseum's format.
    static func notFound(_ path: String) -> Response {
        json(["error": "no chart repository route for \(path)", "code": "not_found"], status: .notFound)
    }

    private static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return Response(
            status: status,
            headers: [.contentType: "application/json; charset=utf-8", .contentLength: "\(data.count)"],
            body: .init(byteBuffer: ByteBuffer(bytes: data))
        )
    }
}
