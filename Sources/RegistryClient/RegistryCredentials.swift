import Foundation

/// How Charthouse authenticates to an upstream registry. Its description never shows the password.
public enum RegistryCredentials: Sendable, Hashable, CustomStringConvertible {
    case anonymous
    case basic(username: String, password: String)

    /// `Authorization: Basic …` for these credentials, or `nil` when anonymous.
    var basicAuthorization: String? {
        guard case .basic(let username, let password) = self else { return nil }
        return "Basic " + Data("\(username):\(password)".utf8).base64EncodedString()
    }

    public var description: String {
        switch self {
        case .anonymous: return "anonymous"
        case .basic(let username, _): return "basic(\(username), ****)"
        }
    }
}

/// Transport settings for talking to one registry: TLS trust, plain HTTP for OCI, and time limits.
public struct RegistryConnectionOptions: Sendable, Hashable {
    /// Extra trusted CA certificates (PEM), for registries signed by a private CA.
    public var caCertificatePEM: String?
    /// Skip TLS certificate verification altogether (testing only).
    public var insecureSkipTLSVerify: Bool
    /// Talk plain HTTP to an OCI registry (only when the server allows insecure registries).
    public var plainHTTP: Bool
    /// Longest wait for a TCP/TLS connection.
    public var connectTimeout: Duration
    /// Longest wait for a whole request, body included.
    public var requestTimeout: Duration
    /// Largest body read from the registry.
    public var maxBodySize: Int
    /// Which addresses may be connected to.
    public var egress: EgressPolicy
    /// A client certificate and its key (PEM), for peers that authenticate clients by TLS.
    public var clientIdentity: ClientIdentity?
    /// The name the peer's certificate is checked against, and sent as TLS server name, when
    /// it differs from the URL's host (a kubeconfig's `tls-server-name`).
    public var serverName: String?
    /// Sent as `User-Agent`.
    public var userAgent = "Charthouse"

    public struct ClientIdentity: Sendable, Hashable, CustomStringConvertible {
        public let certificatePEM: String
        public let keyPEM: String
        public init(certificatePEM: String, keyPEM: String) {
            self.certificatePEM = certificatePEM
            self.keyPEM = keyPEM
        }
        /// Never the key.
        public var description: String { "client certificate" }
    }

    public init(
        caCertificatePEM: String? = nil,
        insecureSkipTLSVerify: Bool = false,
        plainHTTP: Bool = false,
        connectTimeout: Duration = .seconds(5),
        requestTimeout: Duration = .seconds(30),
        maxBodySize: Int = 256 << 20,
        egress: EgressPolicy = .init()
    ) {
        self.caCertificatePEM = caCertificatePEM
        self.insecureSkipTLSVerify = insecureSkipTLSVerify
        self.plainHTTP = plainHTTP
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.maxBodySize = maxBodySize
        self.egress = egress
    }
}
