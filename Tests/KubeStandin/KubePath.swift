/// What a request path names on a Kubernetes API server. Pure: no I/O.
public enum KubePath: Equatable, Sendable {
    case version
    case coreGroups  // GET /api
    case groups  // GET /apis
    case group(String)  // GET /apis/GROUP
    case resources(group: String, version: String)  // GET /api/v1, /apis/G/V
    case openAPIIndex  // GET /openapi/v3
    case openAPIDocument(group: String, version: String)  // GET /openapi/v3/api/v1, /openapi/v3/apis/G/V
    case openAPIv2
    /// A collection (`name == nil`) or one object; `namespace == nil` lists across namespaces or
    /// names a cluster-scoped object.
    case object(type: KubeResourceType, namespace: String?, name: String?, subresource: String?)
    /// A group, version or resource this server does not serve.
    case unknown

    /// Parses the path of a request (no query).
    public init(_ path: String) {
        var parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        switch parts.first {
        case "version" where parts.count == 1:
            self = .version
        case "openapi":
            if parts == ["openapi", "v2"] {
                self = .openAPIv2
            } else if parts == ["openapi", "v3"] {
                self = .openAPIIndex
            } else if parts.count == 4, parts[1] == "v3", parts[2] == "api" {
                self = .openAPIDocument(group: "", version: parts[3])
            } else if parts.count == 5, parts[1] == "v3", parts[2] == "apis" {
                self = .openAPIDocument(group: parts[3], version: parts[4])
            } else {
                self = .unknown
            }
        case "api":
            if parts.count == 1 {
                self = .coreGroups
                return
            }
            parts.removeFirst()
            let version = parts.removeFirst()
            self = Self.resourcePath(group: "", version: version, rest: parts)
        case "apis":
            if parts.count == 1 {
                self = .groups
                return
            }
            if parts.count == 2 {
                self = .group(parts[1])
                return
            }
            parts.removeFirst()
            let group = parts.removeFirst()
            let version = parts.removeFirst()
            self = Self.resourcePath(group: group, version: version, rest: parts)
        default:
            self = .unknown
        }
    }

    private static func resourcePath(group: String, version: String, rest: [String]) -> KubePath {
        if rest.isEmpty {
            return KubeResourceTable.groupVersions.contains { $0.group == group && $0.version == version }
                ? .resources(group: group, version: version) : .unknown
        }
        // namespaces/NS/RESOURCE[/NAME[/SUB]]: a namespaced path, unless RESOURCE is a
        // subresource of the Namespace object itself (namespaces/NS/status).
        if rest.count >= 3, rest[0] == "namespaces",
            let type = KubeResourceTable.find(group: group, version: version, resource: rest[2]), type.namespaced
        {
            guard rest.count <= 5 else { return .unknown }
            return .object(type: type, namespace: rest[1], name: rest.count > 3 ? rest[3] : nil, subresource: rest.count > 4 ? rest[4] : nil)
        }
        guard rest.count <= 3, let type = KubeResourceTable.find(group: group, version: version, resource: rest[0]) else { return .unknown }
        if type.namespaced && rest.count > 1 { return .unknown }
        return .object(type: type, namespace: nil, name: rest.count > 1 ? rest[1] : nil, subresource: rest.count > 2 ? rest[2] : nil)
    }
}
