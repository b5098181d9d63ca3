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
///
/// One file per API area, as distribution's handlers are laid out: authentication
/// (`OCIRoutes+Auth`), the token endpoint (`+Token`), the catalog (`+Catalog`), tags (`+Tags`),
/// manifests (`+Manifests`), blobs (`+Blobs`), uploads (`+Uploads`) and the error table
/// (`+Errors`). Which area a path belongs to is ``OCIRoute``'s to say (HelmFormats).
struct OCIRoutes: Sendable {
    let service: HostedRegistryService
    let access: AccessService
    let tokens: RegistryTokenService
    let clients: ClientAddresses
    /// Where clients reach this server: the one source of every URL handed out.
    let urls: PublicURLs
    let fileIO = FileIO()
    static let realm = "Charthouse"

    static let apiVersion = HTTPField.Name("Docker-Distribution-API-Version")!
    static let contentDigest = HTTPField.Name("Docker-Content-Digest")!
    static let uploadUUID = HTTPField.Name("Docker-Upload-UUID")!
    static let link = HTTPField.Name("Link")!

    /// Every method a client may send; those a route lacks are answered `UNSUPPORTED` (405).
    static let methods: [HTTPRequest.Method] = [.get, .head, .post, .patch, .put, .delete, .options]

    func register(on router: Router<CharthouseRequestContext>) {
        for method in Self.methods {
            router.on("/v2", method: method) { request, context in
                await self.respond(request, context, scope: nil) { _ in try await self.base(request) }
            }
            router.on("/v2/**", method: method) { request, context in
                let path = String(request.uri.path.dropFirst("/v2/".count))
                guard let route = OCIRoute(path: path) else {
                    return await self.respond(request, context, scope: nil) { _ in
                        throw HostedRegistryError(.nameUnknown, "no such registry route: /v2/\(path)")
                    }
                }
                if route == .token {
                    guard [.get, .head, .post].contains(request.method) else {
                        return Self.errorResponse(HostedRegistryError(.unsupported, "\(request.method) is not supported on /v2/token"))
                    }
                    return await self.token(request, context)
                }
                return await self.respond(request, context, scope: route.scope(method: request.method.rawValue)) { auth in
                    try await self.dispatch(route, request, context: context, auth: auth)
                }
            }
        }
    }

    private func base(_ request: Request) async throws -> Response {
        guard [.get, .head].contains(request.method) else { throw HostedRegistryError(.unsupported, "\(request.method) is not supported on /v2/") }
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: "{}")))
    }

    /// Hands the request to its API area once the credentials allow what it asks of the repository.
    private func dispatch(_ route: OCIRoute, _ request: Request, context: CharthouseRequestContext, auth: Authorization) async throws -> Response {
        let pushing = route.isPush(method: request.method.rawValue)
        if let name = route.repository { try await auth.require(pushing ? .push : .pull, name, service: service) }
        switch route {
        case .base: return try await base(request)
        case .token: throw HostedRegistryError(.unsupported, "the token endpoint is served apart")
        case .catalog: return try await catalog(request, auth: auth)
        case .tags(let name): return try await tags(request, name: name, caller: auth.caller)
        case .manifest(let name, let reference): return try await manifests(request, name: name, reference: reference, caller: auth.caller)
        case .blob(let name, let digest): return try await blobs(request, context: context, name: name, digest: digest, caller: auth.caller)
        case .uploads(let name): return try await uploads(request, context: context, name: name, upload: "", auth: auth)
        case .upload(let name, let id): return try await uploads(request, context: context, name: name, upload: id, auth: auth)
        }
    }

    /// A JSON listing (catalog, tags) with a `Link` to the next page when more follow.
    static func listResponse(_ listing: some Encodable, next: String?) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(listing)) ?? Data("{}".utf8)
        var headers: HTTPFields = [.contentType: "application/json"]
        if let next { headers[Self.link] = "<\(next)>; rel=\"next\"" }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
