import HelmFormats

/// The syntax rules of profiles and layers, and the "did you mean" lists of their errors. Pure:
/// no storage, no I/O.
public enum ProfileRules {
    /// Profile names are DNS labels (1–63 of `a-z 0-9 -`): they show up in cluster objects.
    public static func validateName(_ name: String, field: String = "name") throws {
        guard (1...63).contains(name.count), NameRules.isDNSLabel(name) else {
            throw CharthouseError.invalidField(field, "must be 1 to 63 lowercase letters, digits and '-', starting and ending with a letter or digit")
        }
    }

    /// Profile versions are SemVer 2: `MAJOR.MINOR.PATCH`, an optional `-prerelease` and `+build`.
    public static func validateVersion(_ version: String, field: String = "version") throws {
        guard isStrictSemVer(version) else {
            throw CharthouseError.invalidField(field, "\"\(version)\" is not a semantic version (MAJOR.MINOR.PATCH, e.g. 1.0.0)")
        }
    }

    /// SemVer 2 as written in its specification: no `v`, three numbers without leading zeros.
    public static func isStrictSemVer(_ text: String) -> Bool {
        guard SemanticVersion(text) != nil, let first = text.first, ("0"..."9").contains(first) else { return false }
        let core = text.prefix { $0 != "-" && $0 != "+" }
        let numbers = core.split(separator: ".", omittingEmptySubsequences: false)
        return numbers.count == 3 && numbers.allSatisfy { $0 == "0" || $0.first != "0" }
    }

    /// Helm's release names: a DNS-1123 subdomain of at most 53 characters.
    public static func validateReleaseName(_ name: String, field: String = "releaseName") throws {
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...53).contains(name.count), labels.allSatisfy({ NameRules.isDNSLabel(String($0)) }) else {
            throw CharthouseError.invalidField(
                field,
                "\"\(name)\" is not a valid release name: lowercase letters, digits, '-' and '.', starting and ending with a letter or digit, at most 53 characters"
            )
        }
    }

    /// Kubernetes namespaces: DNS-1123 labels, at most 63 characters.
    public static func validateNamespace(_ namespace: String, field: String = "namespace") throws {
        guard (1...63).contains(namespace.count), NameRules.isDNSLabel(namespace) else {
            throw CharthouseError.invalidField(
                field,
                "\"\(namespace)\" is not a valid namespace: 1 to 63 lowercase letters, digits and '-', starting and ending with a letter or digit"
            )
        }
    }

    /// Chart names as helm accepts them (`[A-Za-z0-9._-]`, not a path, not `.` or `..`); in an
    /// OCI registry also a repository path component (lowercase).
    public static func validateChartName(_ chart: String, oci: Bool, field: String = "chart") throws {
        let allowed = chart.unicodeScalars.allSatisfy { scalar in
            ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar) || "._-".unicodeScalars.contains(scalar)
        }
        guard (1...250).contains(chart.count), allowed, chart != ".", chart != "..", chart.first != "-" else {
            throw CharthouseError.invalidField(field, "\"\(chart)\" is not a valid chart name: letters, digits, '.', '_' and '-'")
        }
        if oci, !OCIRepositoryName.isValidComponent(Substring(chart)) {
            throw CharthouseError.invalidField(
                field,
                "\"\(chart)\" is not a valid chart name in an OCI registry: lowercase letters, digits, '.', '_' and '-'"
            )
        }
    }

    /// A chart version typed by hand (protected registries): SemVer 2.
    public static func validateChartVersion(_ version: String, field: String = "version") throws {
        guard isStrictSemVer(version) else {
            throw CharthouseError.invalidField(field, "\"\(version)\" is not a semantic version (MAJOR.MINOR.PATCH[-prerelease][+build])")
        }
    }

    /// Up to `limit` versions nearest to `requested`: those just below and above it in version
    /// order, or the highest when `requested` is not a version.
    public static func nearestVersions(to requested: String, among versions: [String], limit: Int = 5) -> [String] {
        let sorted = versions.compactMap(SemanticVersion.init).sorted(by: >)
        guard !sorted.isEmpty else { return Array(versions.prefix(limit)) }
        let target = SemanticVersion(requested) ?? SemanticVersion(lowerBound(of: requested))
        guard let target else { return sorted.prefix(limit).map(\.original) }
        let split = sorted.firstIndex { $0 < target } ?? sorted.endIndex
        var picked: [SemanticVersion] = []
        var above = split - 1
        var below = split
        while picked.count < limit, above >= 0 || below < sorted.count {
            if below < sorted.count {
                picked.append(sorted[below])
                below += 1
            }
            if picked.count < limit, above >= 0 {
                picked.append(sorted[above])
                above -= 1
            }
        }
        return picked.sorted(by: >).map(\.original)
    }

    /// The version a range starts at (`^1.2` → `1.2`), to find its neighbours.
    private static func lowerBound(of range: String) -> String {
        String(range.drop { !("0"..."9").contains($0) }.prefix { ("0"..."9").contains($0) || $0 == "." })
    }

    /// Up to `limit` chart names close to `requested`: containing it, or a few edits away.
    public static func nearestNames(to requested: String, among names: [String], limit: Int = 5) -> [String] {
        let wanted = requested.lowercased()
        let scored = names.compactMap { name -> (Int, String)? in
            let lower = name.lowercased()
            if lower.contains(wanted) || wanted.contains(lower) { return (0, name) }
            let distance = editDistance(Array(wanted.utf8), Array(lower.utf8))
            return distance <= max(2, wanted.count / 3) ? (distance, name) : nil
        }
        return scored.sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }.prefix(limit).map(\.1)
    }

    /// Levenshtein distance, O(n·m) time and O(m) memory.
    static func editDistance(_ a: [UInt8], _ b: [UInt8]) -> Int {
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
