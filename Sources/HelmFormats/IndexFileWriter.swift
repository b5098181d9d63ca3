public import Foundation

/// Writes an `index.yaml` as `helm repo index` lays it out: `apiVersion: v1`, `entries` by chart
/// name with the newest version first, each version's fields in alphabetical order (helm's
/// YAML comes from JSON through a map), then `generated`.
///
/// Strings are plain only when no YAML reader could take them for anything else (a number, a
/// boolean, a time, a key); all others are double-quoted with YAML escapes, so every value reads
/// back as the same string with helm (go-yaml) and libyaml alike.
public enum IndexFileWriter {
    /// The index of `versions`; each needs `urls`, `digest` and `created` set to be useful.
    public static func render(_ versions: [IndexChartVersion], generated: Date) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(versions.count * 800 + 64)
        out.append(contentsOf: Array("apiVersion: v1\n".utf8))
        let byName = Dictionary(grouping: versions, by: \.name)
        if byName.isEmpty {
            out.append(contentsOf: Array("entries: {}\n".utf8))
        } else {
            out.append(contentsOf: Array("entries:\n".utf8))
            for name in byName.keys.sorted() {
                out.append(contentsOf: Array("  ".utf8))
                appendScalar(name, to: &out)
                out.append(contentsOf: Array(":\n".utf8))
                let ordered = byName[name]!.sorted(by: newestFirst)
                for version in ordered { appendVersion(version, to: &out) }
            }
        }
        out.append(contentsOf: Array("generated: ".utf8))
        appendScalar(rfc3339(generated), to: &out)
        out.append(UInt8(ascii: "\n"))
        return out
    }

    /// The order of an index's versions of one chart: highest SemVer first (text order for ties
    /// and versions that are not SemVer).
    public static func newestFirst(_ lhs: IndexChartVersion, _ rhs: IndexChartVersion) -> Bool {
        switch (SemanticVersion(lhs.version), SemanticVersion(rhs.version)) {
        case (let left?, let right?) where left != right: return left > right
        default: return lhs.version > rhs.version
        }
    }

    /// `2026-11-25T10:00:00.123456789Z`, as Go's `time.RFC3339Nano` writes a UTC time.
    public static func rfc3339(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }

    private static func appendVersion(_ version: IndexChartVersion, to out: inout [UInt8]) {
        var first = true
        func key(_ name: String) {
            out.append(contentsOf: Array((first ? "  - " : "    ").utf8))
            first = false
            out.append(contentsOf: Array(name.utf8))
            out.append(UInt8(ascii: ":"))
        }
        func string(_ name: String, _ value: String) {
            guard !value.isEmpty else { return }
            key(name)
            out.append(UInt8(ascii: " "))
            appendScalar(value, to: &out)
            out.append(UInt8(ascii: "\n"))
        }
        func list(_ name: String, _ values: [String]) {
            guard !values.isEmpty else { return }
            key(name)
            out.append(UInt8(ascii: "\n"))
            for value in values {
                out.append(contentsOf: Array("    - ".utf8))
                appendScalar(value, to: &out)
                out.append(UInt8(ascii: "\n"))
            }
        }
        /// A list of mappings; each field is its name and what follows its colon, rendered by
        /// `scalarField`, `boolField` or `listField` (`nil`: left out). Fields come out sorted.
        func mappings(_ name: String, _ items: [[(String, [UInt8]?)]]) {
            guard !items.isEmpty else { return }
            key(name)
            out.append(UInt8(ascii: "\n"))
            for fields in items {
                let lines = fields.compactMap { field, rest in rest.map { (field, $0) } }.sorted { $0.0 < $1.0 }
                if lines.isEmpty {
                    out.append(contentsOf: Array("    - {}\n".utf8))
                    continue
                }
                for (position, (field, rest)) in lines.enumerated() {
                    out.append(contentsOf: Array((position == 0 ? "    - " : "      ").utf8))
                    out.append(contentsOf: Array(field.utf8))
                    out.append(UInt8(ascii: ":"))
                    out.append(contentsOf: rest)
                }
            }
        }
        func scalarField(_ value: String, always: Bool = false) -> [UInt8]? {
            guard always || !value.isEmpty else { return nil }
            var rendered: [UInt8] = [UInt8(ascii: " ")]
            appendScalar(value, to: &rendered)
            return rendered + [10]
        }
        func boolField(_ value: Bool) -> [UInt8]? { value ? Array(" true\n".utf8) : nil }
        func listField(_ values: [String]) -> [UInt8]? {
            guard !values.isEmpty else { return nil }
            var rendered: [UInt8] = [10]
            for value in values {
                rendered.append(contentsOf: Array("      - ".utf8))
                appendScalar(value, to: &rendered)
                rendered.append(10)
            }
            return rendered
        }
        if !version.annotations.isEmpty {
            key("annotations")
            out.append(UInt8(ascii: "\n"))
            for (name, value) in version.annotations.sorted(by: { $0.key < $1.key }) {
                out.append(contentsOf: Array("      ".utf8))
                appendScalar(name, to: &out)
                out.append(contentsOf: Array(": ".utf8))
                appendScalar(value, to: &out)
                out.append(UInt8(ascii: "\n"))
            }
        }
        string("apiVersion", version.apiVersion)
        string("appVersion", version.appVersion)
        string("condition", version.condition)
        string("created", version.created ?? "")
        mappings(
            "dependencies",
            version.dependencies.compactMap { $0 }.map { dependency in
                [
                    ("alias", scalarField(dependency.alias)), ("condition", scalarField(dependency.condition)),
                    ("enabled", boolField(dependency.enabled)), ("name", scalarField(dependency.name, always: true)),
                    ("repository", scalarField(dependency.repository, always: true)), ("tags", listField(dependency.tags)),
                    ("version", scalarField(dependency.version)),
                ]
            }
        )
        if version.deprecated {
            key("deprecated")
            out.append(contentsOf: Array(" true\n".utf8))
        }
        string("description", version.description)
        string("digest", version.digest)
        string("home", version.home)
        string("icon", version.icon)
        list("keywords", version.keywords)
        string("kubeVersion", version.kubeVersion)
        mappings(
            "maintainers",
            version.maintainers.compactMap { $0 }.map {
                [("email", scalarField($0.email)), ("name", scalarField($0.name)), ("url", scalarField($0.url))]
            }
        )
        string("name", version.name)
        list("sources", version.sources)
        string("tags", version.tags)
        string("type", version.type)
        list("urls", version.urls)
        string("version", version.version)
    }

    /// Words YAML 1.1 (go-yaml, helm) reads as booleans or null when plain.
    private static let reservedWords: Set<String> = [
        "y", "yes", "n", "no", "true", "false", "on", "off", "null", "~",
    ]

    /// Writes `value` plain when that is safe, else double-quoted.
    static func appendScalar(_ value: String, to out: inout [UInt8]) {
        if isSafePlain(value) {
            out.append(contentsOf: Array(value.utf8))
            return
        }
        out.append(UInt8(ascii: "\""))
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out.append(contentsOf: Array("\\\"".utf8))
            case "\\": out.append(contentsOf: Array("\\\\".utf8))
            case "\n": out.append(contentsOf: Array("\\n".utf8))
            case "\t": out.append(contentsOf: Array("\\t".utf8))
            case "\r": out.append(contentsOf: Array("\\r".utf8))
            default:
                if isPrintable(scalar) {
                    out.append(contentsOf: Array(String(scalar).utf8))
                } else if scalar.value <= 0xFFFF {
                    out.append(contentsOf: Array(String(format: "\\u%04X", scalar.value).utf8))
                } else {
                    out.append(contentsOf: Array(String(format: "\\U%08X", scalar.value).utf8))
                }
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Letters, digits and `_./+-` only, starting with a letter, `_` or `/`, and not a YAML 1.1
    /// keyword: never a number, a time, a boolean, null, an indicator or a key.
    static func isSafePlain(_ value: String) -> Bool {
        guard let first = value.utf8.first else { return false }
        func isLetter(_ byte: UInt8) -> Bool { (65...90).contains(byte) || (97...122).contains(byte) }
        guard isLetter(first) || first == UInt8(ascii: "_") || first == UInt8(ascii: "/") else { return false }
        let allowed = value.utf8.allSatisfy { byte in
            isLetter(byte) || (48...57).contains(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
                || byte == UInt8(ascii: "/") || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-")
        }
        return allowed && !reservedWords.contains(value.lowercased())
    }

    /// YAML's `c-printable` set, less what YAML 1.1 readers take for line breaks (NEL, LS, PS)
    /// and the byte order mark: what may appear unescaped inside a quoted scalar.
    private static func isPrintable(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x85, 0x2028, 0x2029, 0xFEFF: return false
        case 0x20...0x7E, 0xA0...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: return true
        default: return false
        }
    }
}
