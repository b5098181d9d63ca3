import Foundation

/// Chart archive URLs as helm resolves them (`repo.ResolveReferenceURL`): an absolute URL is
/// kept; a relative one is resolved against the repository URL with a trailing slash, so
/// `charts/a-1.0.0.tgz` under `https://host/repo` becomes `https://host/repo/charts/a-1.0.0.tgz`.
public enum ChartURL {
    public static func resolve(_ reference: String, repository: String) -> String {
        let base = repository.hasSuffix("/") ? repository : repository + "/"
        // Fast path for the common cases: absolute http(s) URLs and plain relative file names.
        if reference.hasPrefix("https://") || reference.hasPrefix("http://") { return reference }
        if isPlainRelative(reference) { return base + reference }
        if let url = URL(string: reference), url.scheme != nil { return reference }
        guard let baseURL = URL(string: base), let resolved = URL(string: reference, relativeTo: baseURL) else { return base + reference }
        return resolved.absoluteString
    }

    /// A relative path that resolves by appending it to the base: no scheme, query, fragment,
    /// leading slash or dot segment, no empty segment (checked on bytes, no Foundation).
    private static func isPlainRelative(_ reference: String) -> Bool {
        var previous: UInt8 = UInt8(ascii: "/")
        var any = false
        for byte in reference.utf8 {
            switch byte {
            case UInt8(ascii: ":"), UInt8(ascii: "?"), UInt8(ascii: "#"): return false
            case UInt8(ascii: "."), UInt8(ascii: "/"): if previous == UInt8(ascii: "/") { return false }
            default: break
            }
            previous = byte
            any = true
        }
        return any
    }
}
