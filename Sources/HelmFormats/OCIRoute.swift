import Foundation

/// Where a request under `/v2/` goes, as the distribution spec lays out its API: the base, the
/// catalog, a repository's tags, manifests, blobs and blob uploads (and Charthouse's token
/// endpoint). Repository names may contain `/`, so the area is found from the end of the path,
/// as distribution's router does; the name itself is checked by whoever serves the route.
public enum OCIRoute: Sendable, Hashable {
    /// `/v2/`: the API version check.
    case base
    /// `/v2/token`: registry tokens for Basic credentials.
    case token
    /// `/v2/_catalog`
    case catalog
    /// `/v2/<name>/tags/list`
    case tags(repository: String)
    /// `/v2/<name>/manifests/<reference>` (a tag or a digest)
    case manifest(repository: String, reference: String)
    /// `/v2/<name>/blobs/<digest>`
    case blob(repository: String, digest: String)
    /// `/v2/<name>/blobs/uploads/`: starting an upload (or mounting a blob).
    case uploads(repository: String)
    /// `/v2/<name>/blobs/uploads/<id>`: an upload in progress.
    case upload(repository: String, id: String)

    /// The route of a path after `/v2/` (without the query), or `nil` when it is none of them.
    public init?(path: String) {
        switch path {
        case "": self = .base
        case "token": self = .token
        case "_catalog": self = .catalog
        default:
            if path.hasSuffix("/tags/list") {
                self = .tags(repository: String(path.dropLast("/tags/list".count)))
            } else if let range = path.range(of: "/manifests/", options: .backwards) {
                self = .manifest(repository: String(path[..<range.lowerBound]), reference: String(path[range.upperBound...]))
            } else if let range = path.range(of: "/blobs/uploads", options: .backwards),
                path[range.upperBound...].isEmpty || path[range.upperBound...].hasPrefix("/")
            {
                let id = path[range.upperBound...].drop { $0 == "/" }
                let repository = String(path[..<range.lowerBound])
                self = id.isEmpty ? .uploads(repository: repository) : .upload(repository: repository, id: String(id))
            } else if let range = path.range(of: "/blobs/", options: .backwards) {
                self = .blob(repository: String(path[..<range.lowerBound]), digest: String(path[range.upperBound...]))
            } else {
                return nil
            }
        }
    }

    /// The repository the route acts on.
    public var repository: String? {
        switch self {
        case .base, .token, .catalog: nil
        case .tags(let name), .manifest(let name, _), .blob(let name, _), .uploads(let name), .upload(let name, _): name
        }
    }

    /// Whether a request with this method needs push rights rather than pull: uploads always,
    /// manifests and blobs for anything but `GET` and `HEAD`; listings never.
    public func isPush(method: String) -> Bool {
        switch self {
        case .uploads, .upload: true
        case .manifest, .blob: method != "GET" && method != "HEAD"
        case .base, .token, .catalog, .tags: false
        }
    }

    /// The token scope a client needs (`repository:NAME:pull` or `…:pull,push`,
    /// `registry:catalog:*`), for the challenge that tells it which token to fetch; `nil` when
    /// the route needs none or its name is not well formed (only such a name goes into a header).
    public func scope(method: String) -> String? {
        if self == .catalog { return "registry:catalog:*" }
        guard let repository, OCIRepositoryName.isValid(repository) else { return nil }
        return "repository:\(repository):\(isPush(method: method) ? "pull,push" : "pull")"
    }
}
