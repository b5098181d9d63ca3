import CharthouseCore
import Foundation
import Hummingbird
import Logging
import NIOCore

/// Logs one line per request: method, path (never the query), status, duration, tenant and user.
///
/// Headers and bodies are never logged, so neither passwords nor tokens reach the log.
struct RequestLogMiddleware: RouterMiddleware {
    typealias Context = CharthouseRequestContext
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        do {
            let response = try await next(request, context)
            log(request, context: context, status: response.status.code, start: start)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            log(request, context: context, status: status, start: start)
            throw error
        }
    }

    private func log(_ request: Request, context: Context, status: Int, start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        let caller = context.state.caller
        logger.info(
            "request",
            metadata: [
                "method": .string(request.method.rawValue),
                "path": .string(request.uri.path),
                "status": .stringConvertible(status),
                "duration_ms": .string(String(format: "%.2f", milliseconds)),
                "tenant": .string(caller.map { $0.tenantName ?? "system" } ?? "-"),
                "user": .string(caller?.username ?? "-"),
            ]
        )
    }
}
