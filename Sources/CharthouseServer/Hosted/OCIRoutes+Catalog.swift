import CharthouseCore
import Hummingbird

/// The catalog: `GET /v2/_catalog?n=&last=`, the repositories the caller may pull, paged.
extension OCIRoutes {
    func catalog(_ request: Request, auth: Authorization) async throws -> Response {
        guard request.method == .get else { throw HostedRegistryError(.unsupported, "\(request.method) is not supported here") }
        if case .token(let grant) = auth, !grant.allowsCatalog {
            throw HostedRegistryError(.unauthorized, "the token does not grant the catalog")
        }
        let query = request.uri.queryParameters
        let limit = try Pagination.limit(query["n"].map(String.init), default: 100)
        let page = try await service.catalog(caller: auth.caller, after: query["last"].map(String.init), limit: limit)
        return Self.listResponse(Listing(repositories: page.items), next: Pagination.next(PublicURLs.catalog, page: page, limit: limit))
    }

    /// The body of `GET /v2/_catalog`.
    struct Listing: Encodable {
        let repositories: [String]
    }
}
