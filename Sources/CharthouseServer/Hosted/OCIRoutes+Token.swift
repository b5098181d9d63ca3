import CharthouseCore
import CharthouseStore
import Foundation
import HTTPTypes
import HelmFormats
import Hummingbird
import Logging
import NIOCore

/// The token endpoint of registry token auth (`/v2/token`).
extension OCIRoutes {
    /// `GET /v2/token?service=…&scope=…`: a token for the scopes, for Basic credentials.
    func token(_ request: Request, _ context: CharthouseRequestContext) async -> Response {
        // GET with Basic credentials, or POST with OAuth2's password grant (form fields), as the
        // distribution token spec has them. A GET without credentials gets an anonymous token,
        // which grants pulls from public registries only; a POST without them is refused, so
        // clients that try OAuth2 first fall back to GET with Basic.
        var username: String?
        var password: String?
        var scopes: [String] = request.uri.queryParameters.getAll("scope").map { String($0) }
        if case .basic(let user, let secret)? = request.headers[.authorization].map(AuthorizationHeader.init) {
            (username, password) = (user, secret)
        } else if request.headers[.authorization] != nil {
            return Self.tokenRefused("unsupported Authorization header: use Basic")
        }
        if request.method == .post {
            var request = request
            let body = (try? await request.collectBody(upTo: 64 << 10)).map { String(buffer: $0) } ?? ""
            let form = (try? URLEncodedFormDecoder().decode(PasswordGrant.self, from: body)) ?? PasswordGrant()
            if form.grant_type == "password" {
                username = form.username
                password = form.password
            }
            if let scope = form.scope { scopes += scope.split(separator: " ").map(String.init) }
            if username == nil { return Self.tokenRefused("a token needs credentials") }
        }
        var caller: Caller?
        if let username, let password {
            do {
                caller = try await access.authenticate(
                    username: username,
                    password: password,
                    address: clients.address(of: request, context: context)
                )
            } catch let error as CharthouseError where error.code == .tooManyRequests {
                return Self.errorResponse(for: error, logger: context.logger)
            } catch {
                return Self.tokenRefused("wrong username or password")
            }
        }
        context.state.caller = caller
        do {
            let issued = try await tokens.issue(caller: caller, scopes: scopes)
            let body = TokenAnswer(
                token: issued.token,
                access_token: issued.token,
                expires_in: issued.expiresIn,
                issued_at: ISO8601DateFormatter().string(from: issued.issuedAt)
            )
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let data = try encoder.encode(body)
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
        } catch {
            return Self.errorResponse(for: error, logger: context.logger)
        }
    }

    static func tokenRefused(_ message: String) -> Response {
        errorResponse(HostedRegistryError(.unauthorized, message), challenge: "Basic realm=\"\(realm)\"")
    }

    /// OAuth2's password grant, as a `POST /v2/token` form carries it (field names as the spec has them).
    struct PasswordGrant: Decodable {
        var grant_type: String?
        var username: String?
        var password: String?
        var scope: String?
    }

    /// The token endpoint's answer: `token` for the distribution token spec, `access_token` for OAuth2.
    struct TokenAnswer: Encodable {
        let token: String
        let access_token: String
        let expires_in: Int
        let issued_at: String
    }
}
