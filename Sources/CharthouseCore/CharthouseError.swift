/// A domain error: what went wrong, in words for the caller, with a stable code.
///
/// The HTTP layer maps each ``Code`` to one status in one place; Core never speaks HTTP.
/// Where the error translates a lower layer's (storage, the registry client, a format parser),
/// ``cause`` keeps that error for the log; clients see only ``message``.
public struct CharthouseError: Error, Sendable, CustomStringConvertible {
    /// The stable, machine-readable kind of error.
    public enum Code: String, Sendable {
        /// The request is malformed: bad JSON, a missing or invalid field.
        case badRequest = "bad_request"
        /// No, an unknown, an expired or a revoked credential.
        case unauthorized
        /// Authenticated, but the role does not allow it.
        case forbidden
        /// No such object in the caller's scope (also for another tenant's objects).
        case notFound = "not_found"
        /// The name or key is taken.
        case conflict
        /// The body exceeds the configured limit.
        case payloadTooLarge = "payload_too_large"
        /// Well-formed, but a rule forbids it.
        case unprocessable
        /// An upstream registry failed or answered with something unusable (a broken archive, a
        /// digest that does not match).
        case badGateway = "bad_gateway"
        /// Too many failed attempts (sign-ins): wait ``CharthouseError/retryAfter`` seconds.
        case tooManyRequests = "too_many_requests"
        /// A dependency (the database) is down.
        case unavailable
        /// A bug or an unexpected failure; the message says no more than that.
        case `internal`
    }

    public let code: Code
    public let message: String
    /// Seconds to wait before trying again (`tooManyRequests`).
    public let retryAfter: Int?
    /// The lower layer's error this one translates, for the log; never shown to clients.
    public let cause: (any Error)?
    /// The input field the error is about, when one is (forms show the message beside it).
    public let field: String?

    public init(_ code: Code, _ message: String, retryAfter: Int? = nil, cause: (any Error)? = nil, field: String? = nil) {
        self.code = code
        self.message = message
        self.retryAfter = retryAfter
        self.cause = cause
        self.field = field
    }

    public var description: String { "\(code.rawValue): \(message)" }

    /// A missing or invalid field, named in the message.
    public static func invalidField(_ field: String, _ reason: String) -> CharthouseError {
        .init(.badRequest, "invalid field \"\(field)\": \(reason)", field: field)
    }

    public static func notFound(_ what: String) -> CharthouseError { .init(.notFound, "\(what) not found") }
    public static func forbidden(_ message: String) -> CharthouseError { .init(.forbidden, message) }
    public static func tooManyRequests(retryAfter: Int) -> CharthouseError {
        .init(.tooManyRequests, "too many failed sign-ins; try again in \(retryAfter) s", retryAfter: max(retryAfter, 1))
    }
    /// The client's connection ended before its request body did.
    public static let bodyCutShort = CharthouseError(.badRequest, "the request body ended before all its bytes arrived")
    public static let unauthenticated = CharthouseError(.unauthorized, "missing, invalid, expired or revoked token")
}
