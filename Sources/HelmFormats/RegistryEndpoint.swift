public import Foundation

/// Where a Helm registry lives: a classic chart repository (`https://…` serving `index.yaml`) or
/// an OCI registry (`oci://host[:port][/path]`, Helm 3.8+).
public enum RegistryEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// A classic repository; `base` has no trailing slash.
    case classic(base: URL)
    /// An OCI registry: `host` is `name[:port]`, `path` the repository namespace (may be empty).
    case oci(host: String, path: String)

    /// Parses an endpoint as typed by a user; throws with the reason it is not acceptable.
    public init(parsing text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed == text, !text.isEmpty else { throw HelmFormatError("endpoint must not be empty or padded with spaces") }
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased() else {
            throw HelmFormatError("endpoint \"\(text)\" is not a URL")
        }
        guard components.user == nil, components.password == nil else {
            throw HelmFormatError("endpoint must not carry credentials; give them as username and password")
        }
        guard components.query == nil, components.fragment == nil else {
            throw HelmFormatError("endpoint must not have a query or fragment")
        }
        guard let host = components.host, !host.isEmpty else { throw HelmFormatError("endpoint \"\(text)\" has no host") }
        if let port = components.port, !(1...65535).contains(port) { throw HelmFormatError("endpoint port out of range") }
        switch scheme {
        case "http", "https":
            var path = components.percentEncodedPath
            while path.hasSuffix("/") { path.removeLast() }
            if path.split(separator: "/").contains(where: { $0 == ".." || $0 == "." }) {
                throw HelmFormatError("endpoint path must not contain '.' or '..' segments")
            }
            var rebuilt = URLComponents()
            rebuilt.scheme = scheme
            rebuilt.host = host.lowercased()
            rebuilt.port = components.port
            rebuilt.percentEncodedPath = path
            guard let url = rebuilt.url else { throw HelmFormatError("endpoint \"\(text)\" is not a URL") }
            self = .classic(base: url)
        case "oci":
            var path = components.path
            while path.hasPrefix("/") { path.removeFirst() }
            while path.hasSuffix("/") { path.removeLast() }
            if !path.isEmpty {
                for segment in path.split(separator: "/", omittingEmptySubsequences: false) where !OCIRepositoryName.isValidComponent(segment) {
                    throw HelmFormatError(
                        "OCI path segment \"\(segment)\" is invalid: lowercase letters and digits separated by '.', '_', '__' or '-'"
                    )
                }
            }
            let hostPort = components.port.map { "\(host.lowercased()):\($0)" } ?? host.lowercased()
            self = .oci(host: hostPort, path: path)
        default:
            throw HelmFormatError("endpoint scheme must be https://, http:// (classic repository) or oci:// (OCI registry), got \"\(scheme)\"")
        }
    }

    /// The endpoint as a user writes it.
    public var description: String {
        switch self {
        case .classic(let base): return base.absoluteString
        case .oci(let host, let path): return path.isEmpty ? "oci://\(host)" : "oci://\(host)/\(path)"
        }
    }

    public var isOCI: Bool {
        if case .oci = self { return true }
        return false
    }

    /// True for `http://` classic endpoints: credentials and charts would cross the network in clear.
    public var isPlainHTTP: Bool {
        if case .classic(let base) = self { return base.scheme == "http" }
        return false
    }
}
