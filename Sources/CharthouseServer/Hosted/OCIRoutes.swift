import CharthouseCore
import CharthouseStore
import Foundation
import HTTPTypes
import HelmFormats
import Hummingbird
import Logging
import NIOCore

/// The OCI distribution API of the hosted registries under `/v2/`: what `helm registry login`,
/// `helm push`, `helm pull` and `skopeo` speak. Plain Hummingbird routes (not the REST API):
/// errors are the spec's `{"errors":[…]}` bodies, blobs stream from disk and into it.
struct OCIRoutes: Sendable {
    let service: HostedRegistryService
    let access: AccessService
    let tokens: RegistryTokenService
    let clients: ClientAddresses
    /// `scheme://host[:port]` where clients reach this server: the one source of absolute URLs.
    let publicURL: @Sendable () -> String
    let fileIO = FileIO()
    static let realm = "Charthouse"
    /// Blobs are read from disk and sent in chunks this large: fewer reads, writes and wake-ups
    /// per byte than Hummingbird's 128 KiB default; larger chunks were slower (cache misses).
    /// Measured with benchmarks/bench-hosted --only blob: 64 KiB 0.78x, 128 KiB 0.88x, 256 KiB 1.02x,
    /// 1 MiB 0.55x distribution's throughput.
    static let chunkLength = 256 << 10

    func register(on router: Router<CharthouseRequestContext>) {
        for method in Self.methods {
            router.on("/v2", method: method) { request, context in
                await self.respond(request, context, scope: nil) { _ in try await self.base(request) }
            }
            router.on("/v2/**", method: method) { request, context in
                let path = String(request.uri.path.dropFirst("/v2/".count))
                if path.isEmpty { return await self.respond(request, context, scope: nil) { _ in try await self.base(request) } }
                if path == "token" {
                    guard [.get, .head, .post].contains(request.method) else {
                        return Self.errorResponse(HostedRegistryError(.unsupported, "\(request.method) is not supported on /v2/token"))
                    }
                    return await self.token(request, context)
                }
                let scope = Self.scope(path: path, method: request.method)
                return await self.respond(request, context, scope: scope) { auth in
                    try await self.route(request, context: context, path: path, auth: auth)
                }
            }
        }
    }

    /// Who the request is, and what it may do: Basic credentials carry the user's own rights; a
    /// bearer token only what it was granted.
    enum Authorization: Sendable {
        case user(Caller)
        case token(RegistryTokenService.Grant)
        /// No credentials: only pulls from public registries.
        case anonymous

        var caller: Caller? {
            switch self {
            case .user(let caller): return caller
            case .token(let grant): return grant.caller
            case .anonymous: return nil
            }
        }

        /// Checks a bearer token's grant (the user's rights are checked by the service either
        /// way): a token that lacks a right its user has is a 401, so the client fetches a token
        /// with that scope; a right the user lacks is `DENIED`. Anonymous requests get the 401
        /// for anything public access does not allow, so the client signs in.
        func require(_ action: HostedRegistryService.Action, _ name: String, service: HostedRegistryService) async throws {
            switch self {
            case .user: return
            case .anonymous:
                guard await service.allows(nil, action, repository: name) else {
                    throw HostedRegistryError(.unauthorized, "authentication required")
                }
            case .token(let grant):
                guard !grant.allows(action, repository: name) else { return }
                guard await service.allows(grant.caller, action, repository: name) else {
                    if grant.caller == nil { throw HostedRegistryError(.unauthorized, "authentication required") }
                    throw HostedRegistryError(.denied, "no \(action == .push ? "push" : "pull") access to repository \(name)")
                }
                throw HostedRegistryError(.unauthorized, "the token does not grant \(action == .push ? "push" : "pull") on \(name)")
            }
        }
    }

    /// The scope a client needs for a request, for the challenge that tells it which token to get.
    static func scope(path: String, method: HTTPRequest.Method) -> String? {
        if path == "_catalog" { return "registry:catalog:*" }
        let name: Substring
        if path.hasSuffix("/tags/list") {
            name = path.dropLast("/tags/list".count)
        } else if let range = path.range(of: "/manifests/", options: .backwards) ?? path.range(of: "/blobs/", options: .backwards) {
            name = path[..<range.lowerBound]
        } else {
            return nil
        }
        // Only a well-formed name goes into a header.
        guard NameRules.isOCIRepositoryName(String(name)) else { return nil }
        let pushing = ![.get, .head].contains(method) || path.contains("/blobs/uploads")
        return "repository:\(name):\(pushing ? "pull,push" : "pull")"
    }

    // MARK: - Authentication and errors

    /// Authenticates the request (a bearer token from `/v2/token`, or Basic credentials of a user
    /// or of any name with an API token as password), runs `body`, and renders failures as the
    /// spec's error bodies; a 401 carries the challenge naming the token to get.
    func respond(
        _ request: Request,
        _ context: CharthouseRequestContext,
        scope: String?,
        _ body: (Authorization) async throws -> Response
    ) async -> Response {
        let challenge = bearerChallenge(scope: scope)
        do {
            let auth: Authorization
            switch request.headers[.authorization].map(AuthorizationHeader.init) {
            case .basic(let username, let password)?:
                do {
                    let address = clients.address(of: request, context: context)
                    auth = .user(try await access.authenticate(username: username, password: password, address: address))
                } catch let error as CharthouseError where error.code == .tooManyRequests {
                    throw error
                } catch {
                    throw HostedRegistryError(.unauthorized, "wrong username or password")
                }
            case .bearer(let token)?:
                do {
                    auth = .token(try await tokens.verify(token))
                } catch {
                    throw HostedRegistryError(.unauthorized, "the token is invalid or expired")
                }
            case .unusable?:
                throw HostedRegistryError(.unauthorized, "unsupported Authorization header: use Basic or Bearer")
            case nil:
                // The base endpoint tells clients whether they are signed in: anonymous is not.
                guard scope != nil else { throw HostedRegistryError(.unauthorized, "authentication required") }
                auth = .anonymous
            }
            context.state.caller = auth.caller
            var response = try await body(auth)
            response.headers[Self.apiVersion] = "registry/2.0"
            return response
        } catch {
            return Self.errorResponse(for: error, challenge: challenge, logger: context.logger)
        }
    }

    /// `Bearer realm="<public URL>/v2/token",service="charthouse"[,scope="…"]`: the realm is the
    /// configured public URL, never anything a request says (`Host`, forwarded headers).
    func bearerChallenge(scope: String?) -> String {
        var challenge = "Bearer realm=\"\(publicURL())/v2/token\",service=\"\(RegistryTokenService.service)\""
        if let scope { challenge += ",scope=\"\(scope)\"" }
        return challenge
    }

    static let apiVersion = HTTPField.Name("Docker-Distribution-API-Version")!
    static let contentDigest = HTTPField.Name("Docker-Content-Digest")!
    static let uploadUUID = HTTPField.Name("Docker-Upload-UUID")!
    static let range = HTTPField.Name("Range")!
    static let contentRange = HTTPField.Name("Content-Range")!
    static let link = HTTPField.Name("Link")!

    // MARK: - Routing

    /// Every method a client may send; those a route lacks are answered `UNSUPPORTED` (405).
    static let methods: [HTTPRequest.Method] = [.get, .head, .post, .patch, .put, .delete, .options]

    private func base(_ request: Request) async throws -> Response {
        guard [.get, .head].contains(request.method) else { throw HostedRegistryError(.unsupported, "\(request.method) is not supported on /v2/") }
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: "{}")))
    }

    private func route(_ request: Request, context: CharthouseRequestContext, path: String, auth: Authorization) async throws -> Response {
        let caller = auth.caller
        let method = request.method
        let query = request.uri.queryParameters
        if path == "_catalog" {
            guard method == .get else { throw HostedRegistryError(.unsupported, "\(method) is not supported here") }
            if case .token(let grant) = auth, !grant.allowsCatalog {
                throw HostedRegistryError(.unauthorized, "the token does not grant the catalog")
            }
            let limit = try Pagination.limit(query["n"].map(String.init), default: 100)
            let page = try await service.catalog(caller: caller, after: query["last"].map(String.init), limit: limit)
            return Self.listResponse(["repositories": page.items], next: Pagination.next("/v2/_catalog", page: page, limit: limit))
        }
        if path.hasSuffix("/tags/list") {
            let name = String(path.dropLast("/tags/list".count))
            try await auth.require(.pull, name, service: service)
            let target = try await service.target(name, caller: caller, action: .pull)
            guard method == .get else { throw HostedRegistryError(.unsupported, "\(method) is not supported here") }
            let limit = try Pagination.limit(query["n"].map(String.init), default: 1000)
            let page = try await service.tags(target, after: query["last"].map(String.init), limit: limit)
            let next = Pagination.next("/v2/\(name)/tags/list", page: page, limit: limit)
            return Self.listResponse(["name": name, "tags": page.items], next: next)
        }
        if let range = path.range(of: "/manifests/", options: .backwards) {
            let name = String(path[..<range.lowerBound])
            try await auth.require([.get, .head].contains(method) ? .pull : .push, name, service: service)
            return try await manifests(request, name: name, reference: String(path[range.upperBound...]), caller: caller)
        }
        if let range = path.range(of: "/blobs/uploads", options: .backwards) {
            let rest = path[range.upperBound...]
            let upload = rest.hasPrefix("/") ? String(rest.dropFirst()) : String(rest)
            let name = String(path[..<range.lowerBound])
            try await auth.require(.push, name, service: service)
            return try await uploads(request, context: context, name: name, upload: upload, auth: auth)
        }
        if let range = path.range(of: "/blobs/", options: .backwards) {
            let name = String(path[..<range.lowerBound])
            try await auth.require([.get, .head].contains(method) ? .pull : .push, name, service: service)
            return try await blobs(request, context: context, name: name, digest: String(path[range.upperBound...]), caller: caller)
        }
        throw HostedRegistryError(.nameUnknown, "no such registry route: /v2/\(path)")
    }

    private static func listResponse(_ object: [String: any Sendable], next: String?) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        var headers: HTTPFields = [.contentType: "application/json"]
        if let next { headers[Self.link] = "<\(next)>; rel=\"next\"" }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    // MARK: - Blobs

    private func blobs(_ request: Request, context: CharthouseRequestContext, name: String, digest: String, caller: Caller?) async throws -> Response
    {
        switch request.method {
        case .get, .head:
            let target = try await service.target(name, caller: caller, action: .pull)
            let (info, path) = try await service.blob(target, digest: digest)
            var headers: HTTPFields = [
                .contentType: "application/octet-stream", Self.contentDigest: digest, .acceptRanges: "bytes",
                .contentLength: "\(info.size)",
            ]
            guard let path else { throw HostedRegistryError(.blobUnknown, "blob \(digest) is not stored locally") }
            if let rangeHeader = request.headers[Self.range] {
                let range = try Self.servedRange(rangeHeader, size: info.size)
                headers[.contentLength] = "\(range.count)"
                headers[Self.contentRange] = "bytes \(range.lowerBound)-\(range.upperBound)/\(info.size)"
                if request.method == .head { return Response(status: .partialContent, headers: headers) }
                let body = try await fileIO.loadFile(path: path, range: range, context: context, chunkLength: Self.chunkLength)
                return Response(status: .partialContent, headers: headers, body: body)
            }
            if request.method == .head { return Response(status: .ok, headers: headers) }
            guard info.size > 0 else { return Response(status: .ok, headers: headers) }
            return Response(
                status: .ok,
                headers: headers,
                body: try await fileIO.loadFile(path: path, context: context, chunkLength: Self.chunkLength)
            )
        case .delete:
            throw HostedRegistryError(.unsupported, "blobs are removed by garbage collection, not deleted one by one")
        default:
            throw HostedRegistryError(.unsupported, "\(request.method) is not supported on blobs")
        }
    }

    /// The bytes a `Range` header asks of a resource of `size` bytes; an unsatisfiable range is
    /// `RANGE_INVALID` (416, with `Content-Range: bytes */size`), a malformed one a 400.
    static func servedRange(_ header: String, size: Int64) throws -> ClosedRange<Int> {
        switch ByteRange(header: header, size: size) {
        case .satisfiable(let range): return Int(range.lowerBound)...Int(range.upperBound)
        case .unsatisfiable: throw RangeRefusal(size: size, malformed: false)
        case .malformed: throw RangeRefusal(size: size, malformed: true)
        }
    }

    /// A `Range` the server will not serve; each protocol renders it in its own error format.
    struct RangeRefusal: Error {
        let size: Int64
        let malformed: Bool
        var message: String {
            malformed ? "malformed Range header: expected bytes=START-END" : "the range is not satisfiable: the resource has \(size) bytes"
        }
    }

    // MARK: - Manifests

    private func manifests(_ request: Request, name: String, reference: String, caller: Caller?) async throws -> Response {
        switch request.method {
        case .get, .head:
            let target = try await service.target(name, caller: caller, action: .pull)
            let manifest = try await service.manifest(target, reference: reference)
            let headers: HTTPFields = [.contentType: manifest.mediaType, Self.contentDigest: manifest.digest, .contentLength: "\(manifest.size)"]
            if request.method == .head { return Response(status: .ok, headers: headers) }
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: manifest.content)))
        case .put:
            let tooLarge = HostedRegistryError(.sizeInvalid, "a manifest may be at most \(service.limits.maxManifestSize) bytes")
            let target = try await service.target(name, caller: caller, action: .push)
            var request = request
            let body = try await request.collectBody(
                upTo: service.limits.maxManifestSize,
                tooLarge: tooLarge,
                cutShort: HostedRegistryError(.manifestInvalid, "the request body ended before all its bytes arrived")
            )
            let manifest = try await service.putManifest(target, reference: reference, body: body, contentType: request.headers[.contentType])
            return Response(
                status: .created,
                headers: [.location: "/v2/\(name)/manifests/\(manifest.digest)", Self.contentDigest: manifest.digest, .contentLength: "0"]
            )
        case .delete:
            let target = try await service.target(name, caller: caller, action: .push)
            try await service.deleteManifest(target, digest: reference)
            return Response(status: .accepted, headers: [.contentLength: "0"])
        default:
            throw HostedRegistryError(.unsupported, "\(request.method) is not supported on manifests")
        }
    }
}
