/// Every URL Charthouse hands to clients, from one rule: absolute URLs start with where clients
/// reach this server — `CHARTHOUSE_PUBLIC_SCHEME://CHARTHOUSE_PUBLIC_HOST`, else the listening
/// address — never with anything a request says (`Host`, forwarded headers). Paths under `/v2/`
/// (`Location`, `Link`) are relative, as the distribution spec shows them.
public struct PublicURLs: Sendable {
    /// `http` or `https`.
    public let scheme: String
    private let host: @Sendable () -> String

    /// `host` is read each time: the listening port is known only once the server is bound.
    public init(scheme: String = "http", host: @escaping @Sendable () -> String = { "localhost" }) {
        self.scheme = scheme
        self.host = host
    }

    /// `host[:port]`, as OCI references name the registry.
    public var hostPort: String { host() }
    /// `scheme://host[:port]`.
    public var base: String { "\(scheme)://\(host())" }
    /// The realm of the registry token challenge.
    public var tokenRealm: String { base + "/v2/token" }

    /// A hosted registry as `helm push` names it: `oci://host[:port]/<namespace>`.
    public func ociEndpoint(namespace: String) -> String { "oci://\(host())/\(namespace)" }
    /// A repository of a hosted registry as `helm pull` names it.
    public func ociReference(repository: String) -> String { "oci://\(host())/\(repository)" }
    /// A hosted registry's classic chart repository, for `helm repo add` (no trailing slash).
    public func chartRepository(namespace: String) -> String { "\(base)/charts/\(namespace)" }

    /// `/v2/<name>/manifests/<reference>`
    public static func manifest(_ repository: String, _ reference: String) -> String { "/v2/\(repository)/manifests/\(reference)" }
    /// `/v2/<name>/blobs/<digest>`
    public static func blob(_ repository: String, _ digest: String) -> String { "/v2/\(repository)/blobs/\(digest)" }
    /// `/v2/<name>/blobs/uploads/<id>`
    public static func upload(_ repository: String, _ id: String) -> String { "/v2/\(repository)/blobs/uploads/\(id)" }
    /// `/v2/<name>/tags/list`
    public static func tags(_ repository: String) -> String { "/v2/\(repository)/tags/list" }
    /// `/v2/_catalog`
    public static let catalog = "/v2/_catalog"
}
