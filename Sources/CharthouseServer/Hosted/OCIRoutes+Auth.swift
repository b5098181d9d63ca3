import CharthouseCore
import CharthouseStore
import Foundation
import HTTPTypes
import HelmFormats
import Hummingbird
import Logging
import NIOCore

/// Who a registry request is and what it may do: Basic credentials of a user (or an API token as
/// the password), a bearer token from `/v2/token`, or nobody; failures rendered as the spec's
/// errors with the challenge that names the token to fetch.
extension OCIRoutes {
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
        var challenge = "Bearer realm=\"\(urls.tokenRealm)\",service=\"\(RegistryTokenService.service)\""
        if let scope { challenge += ",scope=\"\(scope)\"" }
        return challenge
    }

}
