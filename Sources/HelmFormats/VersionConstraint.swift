/// A version range as `helm install --version` and `dependencies[].version` accept it (the
/// Masterminds semver v3 constraint syntax): `1.2.3`, `=1.2.3`, `!=1.2.3`, `>1.2`, `<2`,
/// `>=1.0 <2.0` (space or comma: and), `^1.2`, `~2.0` (`~>` too), wildcards `1.2.x`, `1.*`, `*`,
/// hyphen ranges `1.2 - 1.4`, and alternatives joined by `||`.
///
/// Prereleases match only a constraint that names a prerelease, as in Masterminds.
public struct VersionConstraint: Sendable, Hashable, CustomStringConvertible {
    /// Alternatives (`||`), each a list of conditions that must all hold.
    private let alternatives: [[Condition]]
    public let description: String

    /// Parses a constraint; throws with helm's wording ("improper constraint: …").
    public init(_ text: String) throws(HelmFormatError) {
        description = text
        var alternatives: [[Condition]] = []
        for part in text.split(separator: "||", omittingEmptySubsequences: false) {
            let tokens = Self.tokens(String(part))
            guard !tokens.isEmpty else { throw HelmFormatError("improper constraint: \(part)") }
            var conditions: [Condition] = []
            var index = 0
            while index < tokens.count {
                // `A - B`: at least A and at most B.
                if index + 2 < tokens.count, tokens[index + 1] == "-", Self.splitOperator(tokens[index]).0.isEmpty {
                    conditions.append(try Condition(op: ">=", version: tokens[index], text: String(part)))
                    conditions.append(try Condition(op: "<=", version: tokens[index + 2], text: String(part)))
                    index += 3
                    continue
                }
                var token = tokens[index]
                // An operator written apart from its version: `>= 1.0`.
                if Self.operators.contains(token), index + 1 < tokens.count {
                    token += tokens[index + 1]
                    index += 1
                }
                let (op, version) = Self.splitOperator(token)
                conditions.append(try Condition(op: op, version: version, text: String(part)))
                index += 1
            }
            alternatives.append(conditions)
        }
        self.alternatives = alternatives
    }

    /// Whether `version` satisfies the constraint.
    public func allows(_ version: SemanticVersion) -> Bool {
        alternatives.contains { conditions in conditions.allSatisfy { $0.allows(version) } }
    }

    /// The version helm would pick from `versions`: one written exactly as `text`, else the
    /// highest that satisfies the constraint (versions that are not SemVer are skipped).
    public static func best(_ text: String, among versions: [String]) throws(HelmFormatError) -> String? {
        if versions.contains(text) { return text }
        let constraint = try VersionConstraint(text)
        return versions.compactMap(SemanticVersion.init).filter(constraint.allows).max()?.original
    }

    /// Whether `text` is a range rather than one version (`1.2.3` and `v1.2.3` are not).
    public static func isRange(_ text: String) -> Bool {
        guard let version = SemanticVersion(text) else { return true }
        // `1` and `1.2` parse as versions but are ranges in a constraint (`1.x`, `1.2.x`).
        return version.original.split(separator: "-", maxSplits: 1)[0].split(separator: "+", maxSplits: 1)[0].split(separator: ".").count < 3
    }

    static let operators: Set<String> = ["=", "!=", ">", "<", ">=", "=>", "<=", "=<", "~", "~>", "^"]

    /// Words of the constraint: split at spaces and commas.
    private static func tokens(_ text: String) -> [String] {
        text.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\t" }).map(String.init)
    }

    private static func splitOperator(_ token: String) -> (String, String) {
        let op = String(token.prefix { "=!<>~^".contains($0) })
        return (op, String(token.dropFirst(op.count)))
    }

    /// One condition: an operator and a version, some parts of which may be wildcards.
    struct Condition: Sendable, Hashable {
        let op: String
        /// The version with wildcards and missing parts as 0.
        let base: SemanticVersion
        /// The major part was a wildcard (`*`): anything at all.
        let anyMajor: Bool
        /// The minor part was missing or a wildcard (`1`, `1.x`).
        let anyMinor: Bool
        /// The patch part was missing or a wildcard (`1.2`, `1.2.x`).
        let anyPatch: Bool

        var dirty: Bool { anyMajor || anyMinor || anyPatch }

        init(op: String, version text: String, text whole: String) throws(HelmFormatError) {
            guard VersionConstraint.operators.contains(op) || op.isEmpty else { throw HelmFormatError("improper constraint: \(whole)") }
            var rest = Substring(text)
            if rest.first == "v" { rest = rest.dropFirst() }
            let core = rest.prefix { $0 != "-" && $0 != "+" }
            let suffix = rest.dropFirst(core.count)
            let parts = core.split(separator: ".", omittingEmptySubsequences: false)
            let wildcard: (Substring) -> Bool = { $0 == "x" || $0 == "X" || $0 == "*" }
            guard (1...3).contains(parts.count), parts.allSatisfy({ wildcard($0) || (!$0.isEmpty && $0.allSatisfy(\.isASCIIDigit)) }) else {
                throw HelmFormatError("improper constraint: \(whole)")
            }
            var numbers: [Substring] = []
            var anyMajor = false
            var anyMinor = false
            var anyPatch = false
            if wildcard(parts[0]) {
                anyMajor = true
                numbers = ["0", "0", "0"]
            } else if parts.count < 2 || wildcard(parts[1]) {
                anyMinor = true
                numbers = [parts[0], "0", "0"]
            } else if parts.count < 3 || wildcard(parts[2]) {
                anyPatch = true
                numbers = [parts[0], parts[1], "0"]
            } else {
                numbers = parts
            }
            guard let base = SemanticVersion(numbers.joined(separator: ".") + suffix) else { throw HelmFormatError("improper constraint: \(whole)") }
            self.op = op
            self.base = base
            self.anyMajor = anyMajor
            self.anyMinor = anyMinor
            self.anyPatch = anyPatch
        }

        func allows(_ version: SemanticVersion) -> Bool {
            // A prerelease matches only a condition that names one.
            let prereleaseRefused = version.isPrerelease && !base.isPrerelease
            switch op {
            case "", "=":
                if prereleaseRefused { return false }
                return dirty ? tilde(version) : version.compare(base) == 0
            case "!=":
                guard dirty else { return version.compare(base) != 0 }
                if prereleaseRefused { return false }
                if version.major != base.major { return true }
                if anyMinor { return false }
                if version.minor != base.minor { return true }
                if anyPatch { return version.prerelease != base.prerelease }
                return version.compare(base) != 0
            case ">":
                if prereleaseRefused { return false }
                guard dirty, !anyMajor else { return version.compare(base) > 0 }
                if version.major != base.major { return version.major > base.major }
                if anyMinor { return false }
                return version.minor > base.minor
            case "<":
                return !prereleaseRefused && version.compare(base) < 0
            case ">=", "=>":
                return !prereleaseRefused && version.compare(base) >= 0
            case "<=", "=<":
                if prereleaseRefused { return false }
                guard dirty else { return version.compare(base) <= 0 }
                if version.major != base.major { return version.major < base.major }
                return anyMinor || version.minor <= base.minor
            case "~", "~>":
                return !prereleaseRefused && tilde(version)
            case "^":
                return !prereleaseRefused && caret(version)
            default:
                return false
            }
        }

        /// `~1.2.3`: at least 1.2.3, same major and minor; `~1`: same major.
        private func tilde(_ version: SemanticVersion) -> Bool {
            if version.compare(base) < 0 { return false }
            if anyMajor || (base.major == 0 && base.minor == 0 && base.patch == 0 && !anyMinor && !anyPatch) { return true }
            if version.major != base.major { return false }
            return anyMinor || version.minor == base.minor
        }

        /// `^1.2.3`: at least 1.2.3 below 2; `^0.2.3`: below 0.3; `^0.0.3`: exactly 0.0.3.
        private func caret(_ version: SemanticVersion) -> Bool {
            if anyMajor { return true }
            if version.compare(base) < 0 { return false }
            if base.major > 0 || anyMinor { return version.major == base.major }
            if version.major > 0 { return false }
            if base.minor > 0 || anyPatch { return version.minor == base.minor }
            if version.minor > 0 { return false }
            return version.patch == base.patch
        }
    }
}
