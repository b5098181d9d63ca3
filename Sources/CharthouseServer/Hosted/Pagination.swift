import CharthouseCore

/// The distribution spec's paging of `/v2/_catalog` and `/v2/<name>/tags/list`: `n` is a
/// non-negative integer (`0` is an empty page), `last` the name the previous page ended with.
/// A larger `n` than the server serves is capped, and the `Link` of the page says the `n` used.
enum Pagination {
    /// The most names one page holds.
    static let maximum = 1000

    /// The page size for the query value `n` (absent: `default`); anything but a non-negative
    /// decimal integer is `PAGINATION_NUMBER_INVALID`.
    static func limit(_ n: String?, default defaultLimit: Int) throws -> Int {
        guard let n else { return defaultLimit }
        guard !n.isEmpty, n.utf8.count <= 64, n.utf8.allSatisfy({ (48...57).contains($0) }) else {
            throw HostedRegistryError(.paginationNumberInvalid, "n must be a non-negative integer, not \"\(n.prefix(40))\"")
        }
        // Digits only: a value too large for Int is simply more than the maximum.
        return min(Int(n) ?? maximum, maximum)
    }

    /// The `Link` target of the next page, when there is one.
    static func next(_ path: String, page: HostedRegistryService.Page, limit: Int) -> String? {
        guard page.hasMore, let last = page.items.last else { return nil }
        return "\(path)?n=\(limit)&last=\(last)"
    }
}
