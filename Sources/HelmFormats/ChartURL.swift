import Foundation

/// Chart archive URLs as helm resolves them (`repo.ResolveReferenceURL`): an absolute URL is
/// kept; a relative one is resolved against the repository URL with a trailing slash, so
/// `charts/a-1.0.0.tgz` under `https://host/repo` becomes `https://host/repo/charts/a-1.0.0.tgz`.
public enum ChartURL {
    public static func resolve(_ reference: String, repository: String) -> String {
        if let url = URL(string: reference), url.scheme != nil { return reference }
        let base = repository.hasSuffix("/") ? repository : repository + "/"
        guard let baseURL = URL(string: base), let resolved = URL(string: reference, relativeTo: baseURL) else { return base + reference }
        return resolved.absoluteString
    }
}
