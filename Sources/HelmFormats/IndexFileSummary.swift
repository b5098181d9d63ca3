import Yams

/// What a quick read of an `index.yaml` tells: that it is a Helm repository index, and its size.
///
/// The checks follow helm's `loadIndex`: the document must be a mapping with an `apiVersion`
/// (helm refuses an index without one) and an `entries` mapping of chart name → list of versions.
/// The streaming catalog decoder of the sync engine reads the full content.
public struct IndexFileSummary: Sendable, Hashable {
    public let apiVersion: String
    /// Number of chart names under `entries`.
    public let charts: Int
    /// Number of chart versions across all entries.
    public let versions: Int

    public init(parsing text: String) throws {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw HelmFormatError("not a Helm repository: index.yaml is not valid YAML")
        }
        guard let mapping = root?.mapping else {
            throw HelmFormatError("not a Helm repository: index.yaml is not a YAML mapping")
        }
        guard let apiVersion = mapping["apiVersion"]?.string, !apiVersion.isEmpty else {
            throw HelmFormatError("not a Helm repository: index.yaml has no apiVersion")
        }
        guard apiVersion == "v1" else {
            throw HelmFormatError("not a Helm repository: index.yaml has apiVersion \(apiVersion), expected v1")
        }
        var charts = 0
        var versions = 0
        if let entries = mapping["entries"], !Self.isNull(entries) {
            guard let entriesMapping = entries.mapping else {
                throw HelmFormatError("not a Helm repository: index.yaml entries is not a mapping")
            }
            for (name, list) in entriesMapping {
                charts += 1
                if Self.isNull(list) { continue }
                // helm unmarshals each entry into a list of chart versions: anything else fails the whole index.
                guard let sequence = list.sequence else {
                    throw HelmFormatError("not a Helm repository: entry \"\(name.string ?? "?")\" in index.yaml is not a list")
                }
                for item in sequence where !Self.isNull(item) {
                    guard item.mapping != nil else {
                        throw HelmFormatError("not a Helm repository: a version of \"\(name.string ?? "?")\" in index.yaml is not a mapping")
                    }
                    versions += 1
                }
            }
        }
        self.apiVersion = apiVersion
        self.charts = charts
        self.versions = versions
    }

    private static func isNull(_ node: Node) -> Bool {
        guard let scalar = node.scalar else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }
}
