import CharthouseCore
import CharthouseStore
import Foundation
import HTTPTypes
import HelmFormats
import Hummingbird
import Logging
import NIOCore

/// The distribution spec's error bodies: one status per code, and every other error mapped onto
/// them (a refused range, an unavailable database, a fault of the server as `UNKNOWN`).
extension OCIRoutes {
    /// Any error as the spec's error body: the registry's own codes with their status, a refused
    /// range as 416/400, an unavailable database as 503, anything else a 500 `UNKNOWN` (logged).
    static func errorResponse(for error: any Error, challenge: String? = nil, logger: Logger) -> Response {
        switch error {
        case let error as HostedRegistryError:
            return errorResponse(error, challenge: challenge)
        case let refusal as RangeRefusal:
            var response = errorResponse(
                HostedRegistryError(.rangeInvalid, refusal.message),
                status: refusal.malformed ? .badRequest : .rangeNotSatisfiable
            )
            if !refusal.malformed { response.headers[Self.contentRange] = "bytes */\(refusal.size)" }
            return response
        case let error as CharthouseError where error.code != .internal:
            let code: HostedRegistryError.Code =
                switch error.code {
                case .unauthorized: .unauthorized
                case .forbidden: .denied
                case .notFound: .nameUnknown
                case .payloadTooLarge: .sizeInvalid
                case .conflict: .conflict
                case .unavailable: .unavailable
                case .tooManyRequests: .tooManyRequests
                default: .unknown
                }
            var response = errorResponse(HostedRegistryError(code, error.message), status: APIErrorResponse(error).status, challenge: challenge)
            if let retryAfter = error.retryAfter { response.headers[.retryAfter] = "\(retryAfter)" }
            return response
        case let error as StoreError where error.isUnavailable:
            return errorResponse(HostedRegistryError(.unavailable, "the database is unavailable"), status: .serviceUnavailable)
        case let error as StoreError where error.isInvalidText:
            // UNSUPPORTED: "an invalid set of parameters", in the spec's words.
            return errorResponse(HostedRegistryError(.unsupported, error.message), status: .badRequest)
        default:
            logger.error("registry request failed", metadata: ["error": .string("\(error)")])
            return errorResponse(HostedRegistryError(.unknown, "internal error"), status: .internalServerError)
        }
    }

    static func errorResponse(_ error: HostedRegistryError, status: HTTPResponse.Status? = nil, challenge: String? = nil) -> Response {
        let status = status ?? Self.status(for: error.code)
        struct Body: Encodable {
            struct Item: Encodable {
                let code: String
                let message: String
            }
            let errors: [Item]
        }
        let data = (try? JSONEncoder().encode(Body(errors: [.init(code: error.code.rawValue, message: error.message)]))) ?? Data()
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8", Self.apiVersion: "registry/2.0"]
        if status == .unauthorized { headers[.wwwAuthenticate] = challenge ?? "Basic realm=\"\(Self.realm)\"" }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func status(for code: HostedRegistryError.Code) -> HTTPResponse.Status {
        switch code {
        case .blobUnknown, .blobUploadUnknown, .manifestUnknown, .nameUnknown: .notFound
        case .unauthorized: .unauthorized
        case .denied: .forbidden
        case .unsupported: .methodNotAllowed
        case .paginationNumberInvalid: .badRequest
        case .tooManyRequests: .tooManyRequests
        case .unavailable: .serviceUnavailable
        case .unknown: .internalServerError
        case .rangeInvalid: .rangeNotSatisfiable
        case .conflict: .conflict
        case .sizeInvalid: .contentTooLarge
        case .blobUploadInvalid, .digestInvalid, .manifestBlobUnknown, .manifestInvalid, .nameInvalid: .badRequest
        }
    }
}
