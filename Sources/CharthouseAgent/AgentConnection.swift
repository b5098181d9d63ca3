import AsyncHTTPClient
import CharthouseAPI
import Foundation
import HTTPTypes
import NIOCore
import OpenAPIAsyncHTTPClient
import OpenAPIRuntime

/// The agent's access token: exchanged for the registration token when there is none or it is
/// about to expire, and again after a 401.
actor AgentCredentials {
    private let exchange: Client
    private let registrationToken: String
    private let version: String
    private var current: (token: String, expiresAt: Date)?

    init(exchange: Client, registrationToken: String, version: String) {
        self.exchange = exchange
        self.registrationToken = registrationToken
        self.version = version
    }

    /// A token valid for at least another minute.
    func token() async throws -> String {
        if let current, current.expiresAt.timeIntervalSinceNow > 60 { return current.token }
        let response = try await exchange.createAgentSession(body: .json(.init(token: registrationToken, agentVersion: version)))
        switch response {
        case .created(let created):
            let session = try created.body.json
            current = (session.accessToken, session.expiresAt)
            return session.accessToken
        case .unauthorized(let refusal):
            throw AgentError.registration((try? refusal.body.json.error.message) ?? "the registration token was refused")
        default:
            throw AgentError.server("the token exchange failed: \(response)")
        }
    }

    /// Forgets the token (the server refused it).
    func invalidate() { current = nil }
}

/// Sends the agent's access token, and on a 401 exchanges the registration token again and
/// retries once.
struct AgentAuthMiddleware: ClientMiddleware {
    let credentials: AgentCredentials

    func intercept(
        _ request: HTTPRequest,
        body: HTTPBody?,
        baseURL: URL,
        operationID: String,
        next: (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        var request = request
        request.headerFields[.authorization] = "Bearer \(try await credentials.token())"
        let (response, responseBody) = try await next(request, body, baseURL)
        guard response.status == .unauthorized else { return (response, responseBody) }
        await credentials.invalidate()
        request.headerFields[.authorization] = "Bearer \(try await credentials.token())"
        return try await next(request, body, baseURL)
    }
}

/// Errors the agent reports in words.
enum AgentError: Error, CustomStringConvertible {
    case registration(String)
    case server(String)
    case pull(String)
    case verification(String)
    case helm(String)
    case configuration(String)

    var description: String {
        switch self {
        case .registration(let message): "registration refused: \(message)"
        case .server(let message): message
        case .pull(let message): "pull failed: \(message)"
        case .verification(let message): message
        case .helm(let message): message
        case .configuration(let message): message
        }
    }
}

enum AgentClients {
    /// The generated API client for the agent routes (and the exchange, without a token).
    static func make(server: URL, credentials: AgentCredentials?, timeout: TimeAmount) -> Client {
        Client(
            serverURL: server,
            transport: AsyncHTTPClientTransport(configuration: .init(client: .shared, timeout: timeout)),
            middlewares: credentials.map { [AgentAuthMiddleware(credentials: $0)] } ?? []
        )
    }
}
