import CharthouseCore
import Foundation
import HelmFormats
import Hummingbird

/// Demands a valid bearer token on every `/api/v1` route except login and the agent's token
/// exchange, and makes the caller known to handlers (``CurrentCaller``, ``CurrentAgent``) and to
/// the request log (``RequestState``). An agent's access token opens only the agent routes
/// (`/api/v1/agent/…`); on any other route it finds nothing (404), and a user's token is refused
/// on the agent routes.
///
/// Protection is by path prefix, so a route added later is protected unless listed as public here.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = CharthouseRequestContext
    let access: AccessService
    let agents: AgentService
    let clients: ClientAddresses
    static let protectedPrefix = "/api/v1/"
    static let agentPrefix = "/api/v1/agent/"
    static let publicPaths: Set<String> = ["/api/v1/login", "/api/v1/agent/session"]

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
        if AgentService.isAgentToken(token) {
            let agent = try await agents.authenticate(accessToken: token)
            guard path.hasPrefix(Self.agentPrefix) else { throw CharthouseError.notFound("route") }
            return try await CurrentAgent.$value.withValue(agent) {
                try await next(request, context)
            }
        }
        guard !path.hasPrefix(Self.agentPrefix) else {
            throw CharthouseError.forbidden("the agent routes take an agent's access token (POST /api/v1/agent/session)")
        }
        let caller = try await access.authenticate(bearer: token)
        context.state.caller = caller
        return try await CurrentCaller.$value.withValue(caller) {
            try await next(request, context)
        }
    }
}
