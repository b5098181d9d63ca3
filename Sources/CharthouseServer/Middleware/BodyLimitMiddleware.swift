import CharthouseCore
import Hummingbird
import NIOCore

/// Refuses REST request bodies (`/api/v1/…`) larger than the configured limit with 413, before any
/// handler runs.
///
/// A declared `Content-Length` over the limit is refused unread; a streamed body is read up to the
/// limit and refused as soon as it passes it.
struct BodyLimitMiddleware: RouterMiddleware {
    typealias Context = CharthouseRequestContext
    let maxBodySize: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        // Registry protocols stream their bodies (blobs, charts) under limits of their own.
        guard request.uri.path.hasPrefix("/api/v1/") || request.uri.path == "/api/v1" else { return try await next(request, context) }
        var request = request
        _ = try await request.collectBody(upTo: maxBodySize, tooLarge: tooLarge, cutShort: CharthouseError.bodyCutShort)
        return try await next(request, context)
    }

    private var tooLarge: CharthouseError {
        CharthouseError(.payloadTooLarge, "request body exceeds the limit of \(maxBodySize) bytes")
    }
}
