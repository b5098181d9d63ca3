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
        case let refusal as StoredFiles.RangeRefusal:
            var response = errorResponse(
                HostedRegistryError(.rangeInvalid, refusal.message),
                status: refusal.malformed ? .badRequest : .rangeNotSatisfiable
            )
            if !refusal.malformed { response.headers[.contentRange] = "bytes */\(refusal.size)" }
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
            logger.error("registry request failed", metadata: .error(error))
            return errorResponse(HostedRegistryError(.unknown, "internal error"), status: .internalServerError)
        }
    }

    static func errorResponse(_ error: HostedRegistryError, status: HTTPResponse.Status? = nil, challenge: String? = nil) -> Response {
        let (code, tableStatus) = Self.wire(error.code)
        let status = status ?? tableStatus
        struct Body: Encodable {
            struct Item: Encodable {
                let code: String
                let message: String
            }
            let errors: [Item]
        }
        let data = (try? JSONEncoder().encode(Body(errors: [.init(code: code, message: error.message)]))) ?? Data()
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8", Self.apiVersion: "registry/2.0"]
        if status == .unauthorized { headers[.wwwAuthenticate] = challenge ?? "Basic realm=\"\(Self.realm)\"" }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// The error table, closed: every code the hosted registry raises, with the code clients see
    /// and its status, as distribution registers them in `errcode`. All are the spec's or
    /// distribution's own codes, which clients such as skopeo and helm name in their messages; a
    /// version already stored is `DENIED` (with 409: the request conflicts with what is stored).
    static func wire(_ code: HostedRegistryError.Code) -> (code: String, status: HTTPResponse.Status) {
        switch code {
        case .blobUnknown: ("BLOB_UNKNOWN", .notFound)
        case .blobUploadInvalid: ("BLOB_UPLOAD_INVALID", .badRequest)
        case .blobUploadUnknown: ("BLOB_UPLOAD_UNKNOWN", .notFound)
        case .digestInvalid: ("DIGEST_INVALID", .badRequest)
        case .manifestBlobUnknown: ("MANIFEST_BLOB_UNKNOWN", .badRequest)
        case .manifestInvalid: ("MANIFEST_INVALID", .badRequest)
        case .manifestUnknown: ("MANIFEST_UNKNOWN", .notFound)
        case .nameInvalid: ("NAME_INVALID", .badRequest)
        case .nameUnknown: ("NAME_UNKNOWN", .notFound)
        case .sizeInvalid: ("SIZE_INVALID", .contentTooLarge)
        case .unauthorized: ("UNAUTHORIZED", .unauthorized)
        case .denied: ("DENIED", .forbidden)
        case .unsupported: ("UNSUPPORTED", .methodNotAllowed)
        case .paginationNumberInvalid: ("PAGINATION_NUMBER_INVALID", .badRequest)
        case .tooManyRequests: ("TOOMANYREQUESTS", .tooManyRequests)
        case .unavailable: ("UNAVAILABLE", .serviceUnavailable)
        case .unknown: ("UNKNOWN", .internalServerError)
        case .rangeInvalid: ("RANGE_INVALID", .rangeNotSatisfiable)
        case .conflict: ("DENIED", .conflict)
        }
    }
}
