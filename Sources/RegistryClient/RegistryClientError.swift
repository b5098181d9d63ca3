/// A registry could not be used; `message` says what the registry answered, in words for the user.
///
/// Messages name the URL and the answer ("401 Unauthorized from https://…/index.yaml",
/// "connection refused by 10.0.0.5:443", "TLS: certificate verify failed …") and never credentials.
public struct RegistryClientError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The broad kind of failure.
    public enum Kind: String, Sendable, Hashable {
        /// The registry refused the credentials (or wants some).
        case unauthorized
        /// Authenticated, but not allowed to read.
        case forbidden
        /// TLS could not be established: untrusted or invalid certificate, handshake failure.
        case tls
        /// No connection: refused, unreachable, DNS failure.
        case connection
        /// No answer within the configured time.
        case timeout
        /// An answer, but not the one a Helm registry gives.
        case invalidResponse
        /// The body is larger than allowed.
        case tooLarge
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
