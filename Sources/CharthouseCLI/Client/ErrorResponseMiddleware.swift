import CharthouseAPI
import Foundation
import HTTPTypes
import OpenAPIRuntime

/// Turns any non-2xx answer into a ``CLIError`` carrying the server's message, so every command
/// reports failures the same way and exits non-zero.
struct ErrorResponseMiddleware: ClientMiddleware {
    func intercept(
        _ request: HTTPRequest,
        body: HTTPBody?,
        baseURL: URL,
        operationID: String,
        next: (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        let (response, responseBody) = try await next(request, body, baseURL)
        guard response.status.kind != .successful else { return (response, responseBody) }
        let status = HTTPResponse.Status(code: response.status.code)
        var message =
            "the server at \(baseURL.absoluteString) answered \(status.code) \(status.reasonPhrase), not a Charthouse error (is it a Charthouse server?)"
        if let responseBody, let data = try? await Data(collecting: responseBody, upTo: 1 << 20),
            let decoded = try? JSONDecoder().decode(Components.Schemas.ErrorResponse.self, from: data)
        {
            message = "\(decoded.error.message) (\(response.status.code) \(decoded.error.code))"
        }
        throw CLIError(message)
    }
}
