import CharthouseCore
import CharthouseStore
import Foundation
import Hummingbird
import Logging
import OpenAPIRuntime

/// Turns every error raised below it into `{"error":{"code","message"}}` with the matching status:
/// Core's ``CharthouseError``, Hummingbird's `HTTPError` (unknown route, body too large), and the
/// generated layer's `ServerError` (undecodable JSON, missing fields, wrong content type).
///
/// Unexpected errors become a 500 that says nothing of their cause; the cause goes to the log.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = CharthouseRequestContext
    let logger: Logger
    /// The API's operations, to tell a method the path lacks (405) from a path that is not there.
    let routes: RouteTable

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            // Unknown paths under the registry protocols answer in those protocols' formats.
            let path = request.uri.path
            if path == "/v2" || path.hasPrefix("/v2/") {
                return OCIRoutes.errorResponse(HostedRegistryError(.nameUnknown, "no registry route for \(request.method) \(path)"))
            }
            if ClassicRoutes.isClassicPath(path) { return ClassicRoutes.notFound(path) }
            guard let allowed = routes.methods(for: request.uri.path) else { return APIErrorResponse(error, request: request).response() }
            var response = APIErrorResponse(
                status: .methodNotAllowed,
                code: "method_not_allowed",
                message: "\(request.method.rawValue) is not supported on \(request.uri.path); use \(allowed.joined(separator: ", "))"
            ).response()
            response.headers[.allow] = allowed.joined(separator: ", ")
            return response
        } catch {
            let rendered = APIErrorResponse(error, request: request)
            if rendered.status == .internalServerError {
                logger.error(
                    "request failed",
                    metadata: Logger.Metadata.error(error).merging(["path": .string(request.uri.path)]) { $1 }
                )
            }
            return rendered.response()
        }
    }
}

/// One error as the REST API shows it.
struct APIErrorResponse {
    let status: HTTPResponse.Status
    let code: String
    let message: String
    /// `Retry-After` seconds, for 429.
    var retryAfter: Int?

    init(status: HTTPResponse.Status, code: String, message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    init(_ error: any Error, request: Request) {
        switch error {
        case let error as CharthouseError:
            self.init(error)
        case let error as StoreError where error.isUnavailable:
            self.init(status: .serviceUnavailable, code: "unavailable", message: "the database is unavailable")
        case let error as StoreError where error.isInvalidText:
            self.init(status: .badRequest, code: "bad_request", message: error.message)
        case let error as ServerError:
            if let inner = error.underlyingError as? CharthouseError {
                self.init(inner)
            } else if let decoding = error.underlyingError as? DecodingError {
                self.init(status: .badRequest, code: "bad_request", message: Self.describe(decoding))
            } else if let inner = error.underlyingError as? StoreError, inner.isUnavailable {
                self.init(status: .serviceUnavailable, code: "unavailable", message: "the database is unavailable")
            } else if let inner = error.underlyingError as? StoreError, inner.isInvalidText {
                self.init(status: .badRequest, code: "bad_request", message: inner.message)
            } else if (400..<500).contains(error.httpStatus.code) {
                self.init(status: error.httpStatus, code: Self.code(for: error.httpStatus), message: error.causeDescription)
            } else {
                self.init(status: .internalServerError, code: "internal", message: "internal error")
            }
        case let error as HTTPError:
            let message: String
            switch error.status {
            case .notFound: message = "no route for \(request.method.rawValue) \(request.uri.path)"
            case .contentTooLarge: message = "request body too large"
            default: message = error.body ?? error.status.reasonPhrase
            }
            self.init(status: error.status, code: Self.code(for: error.status), message: message)
        default:
            self.init(status: .internalServerError, code: "internal", message: "internal error")
        }
    }

    init(_ error: CharthouseError) {
        self.init(status: Self.status(for: error.code), code: error.code.rawValue, message: error.message)
        retryAfter = error.retryAfter
    }

    func response() -> Response {
        struct Body: Encodable {
            struct Detail: Encodable {
                let code: String
                let message: String
            }
            let error: Detail
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(Body(error: .init(code: code, message: message)))) ?? Data("{}".utf8)
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        if status == .unauthorized { headers[.wwwAuthenticate] = #"Bearer realm="charthouse""# }
        if let retryAfter { headers[.retryAfter] = "\(retryAfter)" }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func status(for code: CharthouseError.Code) -> HTTPResponse.Status {
        switch code {
        case .badRequest: .badRequest
        case .unauthorized: .unauthorized
        case .forbidden: .forbidden
        case .notFound: .notFound
        case .conflict: .conflict
        case .payloadTooLarge: .contentTooLarge
        case .unprocessable: .unprocessableContent
        case .badGateway: .badGateway
        case .tooManyRequests: .tooManyRequests
        case .unavailable: .serviceUnavailable
        case .internal: .internalServerError
        }
    }

    static func code(for status: HTTPResponse.Status) -> String {
        switch status.code {
        case 400: "bad_request"
        case 401: "unauthorized"
        case 403: "forbidden"
        case 404: "not_found"
        case 405: "method_not_allowed"
        case 406: "not_acceptable"
        case 409: "conflict"
        case 413: "payload_too_large"
        case 415: "unsupported_media_type"
        case 422: "unprocessable"
        case 429: "too_many_requests"
        case 502: "bad_gateway"
        case 503: "unavailable"
        case 400..<500: "bad_request"
        default: "internal"
        }
    }

    /// Names the field a decoding error is about, as a dotted path.
    static func describe(_ error: DecodingError) -> String {
        func path(_ codingPath: [any CodingKey], _ last: (any CodingKey)? = nil) -> String {
            let keys = codingPath + (last.map { [$0] } ?? [])
            let text = keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
            return text.replacingOccurrences(of: ".[", with: "[")
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "missing field \"\(path(context.codingPath, key))\""
        case .valueNotFound(_, let context):
            return "field \"\(path(context.codingPath))\" must not be null"
        case .typeMismatch(let type, let context):
            return "invalid field \"\(path(context.codingPath))\": expected \(Self.jsonType(type))"
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty { return "malformed JSON body" }
            return "invalid field \"\(path(context.codingPath))\": \(context.debugDescription)"
        @unknown default:
            return "malformed JSON body"
        }
    }

    private static func jsonType(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "a boolean"
        case is Int.Type, is Int64.Type, is Int32.Type: "an integer"
        case is Double.Type, is Float.Type: "a number"
        default: "\(type)"
        }
    }
}
