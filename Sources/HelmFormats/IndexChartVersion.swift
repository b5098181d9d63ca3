/// One chart version read from an `index.yaml`, under its `entries` key, as helm reads it.
public struct IndexChartVersion: Sendable, Hashable, Codable {
    /// A chart maintainer.
    public struct Maintainer: Sendable, Hashable, Codable {
        public var name = ""
        public var email = ""
        public var url = ""

        public init(name: String = "", email: String = "", url: String = "") {
            self.name = name
            self.email = email
            self.url = url
        }
    }

    /// A chart dependency as listed in the index.
    public struct Dependency: Sendable, Hashable, Codable {
        public var name = ""
        public var version = ""
        public var repository = ""
        public var condition = ""
        public var tags: [String] = []
        public var enabled = false
        public var alias = ""

        public init(
            name: String = "",
            version: String = "",
            repository: String = "",
            condition: String = "",
            tags: [String] = [],
            enabled: Bool = false,
            alias: String = ""
        ) {
            self.name = name
            self.version = version
            self.repository = repository
            self.condition = condition
            self.tags = tags
            self.enabled = enabled
            self.alias = alias
        }
    }

    /// The `entries` key it is listed under (helm lists it there even when `name` differs).
    public var entry: String
    public var name = ""
    public var version = ""
    public var appVersion = ""
    public var description = ""
    public var apiVersion = ""
    public var type = ""
    public var kubeVersion = ""
    public var home = ""
    public var icon = ""
    public var condition = ""
    public var tags = ""
    public var deprecated = false
    public var keywords: [String] = []
    public var sources: [String] = []
    public var maintainers: [Maintainer?] = []
    public var dependencies: [Dependency?] = []
    public var annotations: [String: String] = [:]
    public var urls: [String] = []
    public var digest = ""
    /// `created` as written (RFC 3339), if present.
    public var created: String?
    public var removed = false

    public init(entry: String) {
        self.entry = entry
    }

    /// helm's `Metadata.Validate` for index entries: strings are sanitised (whitespace becomes a
    /// space, unprintable characters go), then the reason the entry is skipped is returned, or
    /// `nil` when helm keeps it. A missing `apiVersion` counts as `v1`, as helm's loader sets it.
    public mutating func validate() -> String? {
        if apiVersion.isEmpty { apiVersion = "v1" }
        name = Self.sanitize(name)
        description = Self.sanitize(description)
        home = Self.sanitize(home)
        icon = Self.sanitize(icon)
        condition = Self.sanitize(condition)
        tags = Self.sanitize(tags)
        appVersion = Self.sanitize(appVersion)
        kubeVersion = Self.sanitize(kubeVersion)
        sources = sources.map(Self.sanitize)
        keywords = keywords.map(Self.sanitize)
        if name.isEmpty { return "chart.metadata.name is required" }
        if name.contains("/") { return "chart.metadata.name \"\(name)\" is invalid" }
        if version.isEmpty { return "chart.metadata.version is required" }
        if SemanticVersion(version) == nil { return "chart.metadata.version \"\(version)\" is invalid" }
        if !["", "application", "library"].contains(type) { return "chart.metadata.type must be application or library" }
        if maintainers.contains(where: { $0 == nil }) { return "maintainers must not contain empty or null nodes" }
        for dependency in dependencies {
            guard let dependency else { return "dependencies must not contain empty or null nodes" }
            if !dependency.alias.isEmpty,
                !dependency.alias.unicodeScalars.allSatisfy({
                    $0.isASCII && (Character($0).isLetter || Character($0).isNumber || $0 == "_" || $0 == "-")
                })
            {
                return "dependency \"\(dependency.name)\" has disallowed characters in the alias"
            }
        }
        return nil
    }

    /// Go's `sanitizeString`: `unicode.IsSpace` → space, keep `unicode.IsPrint`, drop the rest.
    static func sanitize(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 < 0x20 || $0 > 0x7E }) else { return text }
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if scalar.properties.isWhitespace {
                scalars.append(" ")
            } else if isPrintable(scalar) {
                scalars.append(scalar)
            }
        }
        return String(scalars)
    }

    private static func isPrintable(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
            .nonspacingMark, .spacingMark, .enclosingMark,
            .decimalNumber, .letterNumber, .otherNumber,
            .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
            .finalPunctuation, .otherPunctuation,
            .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol:
            return true
        default:
            return scalar == " "
        }
    }
}
