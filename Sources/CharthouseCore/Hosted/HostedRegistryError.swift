/// An error of the hosted registry, with the distribution spec's error code; the HTTP layer's
/// error table (`OCIRoutes.wire`) gives each code the code clients see and its status.
public struct HostedRegistryError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The distribution spec's error codes.
    public enum Code: String, Sendable {
        case blobUnknown = "BLOB_UNKNOWN"
        case blobUploadInvalid = "BLOB_UPLOAD_INVALID"
        case blobUploadUnknown = "BLOB_UPLOAD_UNKNOWN"
        case digestInvalid = "DIGEST_INVALID"
        case manifestBlobUnknown = "MANIFEST_BLOB_UNKNOWN"
        case manifestInvalid = "MANIFEST_INVALID"
        case manifestUnknown = "MANIFEST_UNKNOWN"
        case nameInvalid = "NAME_INVALID"
        case nameUnknown = "NAME_UNKNOWN"
        case sizeInvalid = "SIZE_INVALID"
        case unauthorized = "UNAUTHORIZED"
        case denied = "DENIED"
        case unsupported = "UNSUPPORTED"
        /// `n` is not a non-negative integer (400).
        case paginationNumberInvalid = "PAGINATION_NUMBER_INVALID"
        /// Too many requests, e.g. failed sign-ins (429).
        case tooManyRequests = "TOOMANYREQUESTS"
        /// Not in the spec's list: the database cannot be reached (503).
        case unavailable = "UNAVAILABLE"
        /// A fault of the server, not of the request (500).
        case unknown = "UNKNOWN"
        /// Not in the spec's list: a `Range` or `Content-Range` that cannot be served or does
        /// not continue the upload (416).
        case rangeInvalid = "RANGE_INVALID"
        /// The version is already stored and overwrites are off: `DENIED` with 409 on `/v2`, a
        /// 409 conflict in ChartMuseum's API.
        case conflict = "CONFLICT"
    }

    public let code: Code
    public let message: String
    /// The lower layer's error this one translates, for the log; never shown to clients.
    public let cause: (any Error)?

    public init(_ code: Code, _ message: String, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    /// Equal when code and message are: the cause is the log's, not part of what was refused.
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code && lhs.message == rhs.message }

    public var description: String { "\(code.rawValue): \(message)" }
}
