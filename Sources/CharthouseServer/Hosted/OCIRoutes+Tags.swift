import CharthouseCore
import Hummingbird

/// Tags: `GET /v2/<name>/tags/list?n=&last=`, a repository's tags in lexical order, paged.
extension OCIRoutes {
    func tags(_ request: Request, name: String, caller: Caller?) async throws -> Response {
        let target = try await service.target(name, caller: caller, action: .pull)
        guard request.method == .get else { throw HostedRegistryError(.unsupported, "\(request.method) is not supported here") }
        let query = request.uri.queryParameters
        let limit = try Pagination.limit(query["n"].map(String.init), default: 1000)
        let page = try await service.tags(target, after: query["last"].map(String.init), limit: limit)
        let next = Pagination.next(PublicURLs.tags(name), page: page, limit: limit)
        return Self.listResponse(TagListing(name: name, tags: page.items), next: next)
    }

    /// The body of `GET /v2/<name>/tags/list`.
    struct TagListing: Encodable {
        let name: String
        let tags: [String]
    }
}
