import CharthouseCore
import Foundation
import HelmFormats
import Hummingbird

/// Demands a valid bearer token on every `/api/v1` route except login, and makes the caller known
/// to handlers (``CurrentCaller``) and to the request log (``RequestState``).
///
/// Protection is by path prefix, so a route added later is protected unless listed as public here.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = CharthouseRequestContext
    let access: AccessService
    let clients: ClientAddresses
    static let protectedPrefix = "/api/v1/"
    static let publicPaths: Set<String> = ["/api/v1/login"]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard path.hasPrefix(Self.protectedPrefix), !Self.publicPaths.contains(path) else {
            return try await CurrentClient.$address.withValue(clients.address(of: request, context: context)) {
                try await next(request, context)
            }
        }
        guard case .bearer(let token)? = request.headers[.authorization].map(AuthorizationHeader.init) else {
            throw CharthouseError.unauthenticated
        }
        let caller = try await access.authenticate(bearer: token)
        context.state.caller = caller
        return try await CurrentCaller.$value.withValue(caller) {
            try await next(request, context)
        }
    }
}
