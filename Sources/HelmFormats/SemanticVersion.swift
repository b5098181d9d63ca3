/// A chart version as helm reads it: Masterminds semver v3's lenient `NewVersion`.
///
/// Accepted: `v?MAJOR[.MINOR[.PATCH]][-PRERELEASE][+BUILD]`, missing parts are 0 (`1.2` is
/// 1.2.0, `v1.2` too) and the text stays as written. Numbers must fit in 64 bits; numeric
/// prerelease identifiers must not have leading zeros. Ordering follows Masterminds exactly,
/// including its prerelease rules (numbers before words, and a missing identifier ranks below a
/// numeric one but above a word).
public struct SemanticVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let major: UInt64
    public let minor: UInt64
    public let patch: UInt64
    /// The prerelease identifiers joined by dots, or empty.
    public let prerelease: String
    /// Build metadata, or empty; ignored when ordering.
    public let build: String
    /// The text as written in the index.
    public let original: String

    public init?(_ text: String) {
        var scanner = Substring(text)
        if scanner.first == "v" { scanner.removeFirst() }
        func number() -> UInt64?? {
            let digits = scanner.prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty else { return .some(nil) }
            scanner.removeFirst(digits.count)
            guard let value = UInt64(digits) else { return nil }  // overflow: invalid
            return .some(value)
        }
        guard let majorParse = number(), let major = majorParse else { return nil }
        var minor: UInt64 = 0
        var patch: UInt64 = 0
        if scanner.first == ".", scanner.dropFirst().first?.isASCIIDigit == true {
            scanner.removeFirst()
            guard let value = number(), let value else { return nil }
            minor = value
            if scanner.first == ".", scanner.dropFirst().first?.isASCIIDigit == true {
                scanner.removeFirst()
                guard let value = number(), let value else { return nil }
                patch = value
            }
        }
        var prerelease = ""
        var build = ""
        if scanner.first == "-" {
            scanner.removeFirst()
            let part = scanner.prefix { $0 != "+" }
            guard Self.isIdentifierList(part) else { return nil }
            for identifier in part.split(separator: ".", omittingEmptySubsequences: false)
            where identifier.allSatisfy(\.isASCIIDigit) && identifier.count > 1 && identifier.first == "0" {
                return nil
            }
            prerelease = String(part)
            scanner.removeFirst(part.count)
        }
        if scanner.first == "+" {
            scanner.removeFirst()
            guard Self.isIdentifierList(scanner) else { return nil }
            build = String(scanner)
            scanner = ""
        }
        guard scanner.isEmpty else { return nil }
        self.major = major
        self.minor = minor
        self.patch = patch
        self.prerelease = prerelease
        self.build = build
        self.original = text
    }

    public var isPrerelease: Bool { !prerelease.isEmpty }
    public var description: String { original }

    /// `[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*`
    private static func isIdentifierList(_ text: Substring) -> Bool {
        guard !text.isEmpty else { return false }
        return text.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { identifier in
            !identifier.isEmpty && identifier.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
    }

    /// Masterminds `Compare`: -1, 0 or 1. Build metadata is ignored.
    public func compare(_ other: SemanticVersion) -> Int {
        if major != other.major { return major < other.major ? -1 : 1 }
        if minor != other.minor { return minor < other.minor ? -1 : 1 }
        if patch != other.patch { return patch < other.patch ? -1 : 1 }
        switch (prerelease.isEmpty, other.prerelease.isEmpty) {
        case (true, true): return 0
        case (true, false): return 1
        case (false, true): return -1
        case (false, false): break
        }
        let mine = prerelease.split(separator: ".", omittingEmptySubsequences: false)
        let theirs = other.prerelease.split(separator: ".", omittingEmptySubsequences: false)
        for index in 0..<max(mine.count, theirs.count) {
            let a = index < mine.count ? mine[index] : ""
            let b = index < theirs.count ? theirs[index] : ""
            let result = Self.comparePart(a, b)
            if result != 0 { return result }
        }
        return 0
    }

    private static func comparePart(_ a: Substring, _ b: Substring) -> Int {
        if a == b { return 0 }
        if b.isEmpty { return UInt64(a) == nil ? -1 : 1 }
        if a.isEmpty { return UInt64(b) == nil ? 1 : -1 }
        switch (UInt64(a), UInt64(b)) {
        case (let x?, let y?): return x > y ? 1 : -1
        case (nil, nil): return a.utf8.lexicographicallyPrecedes(b.utf8) ? -1 : 1
        case (nil, _?): return 1
        case (_?, nil): return -1
        }
    }

    public static func < (lhs: SemanticVersion, rhs: SemanticVersion) -> Bool { lhs.compare(rhs) < 0 }

    public static func == (lhs: SemanticVersion, rhs: SemanticVersion) -> Bool { lhs.original == rhs.original }
    public func hash(into hasher: inout Hasher) { hasher.combine(original) }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
