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
        var text = text
        guard let parsed = text.withUTF8({ Self.parse($0) }) else { return nil }
        (major, minor, patch, prerelease, build) = parsed
        original = text
    }

    /// Parses the bytes of a version; nil when Masterminds would refuse it.
    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> (UInt64, UInt64, UInt64, String, String)? {
        let count = bytes.count
        var index = 0
        func isDigit(_ at: Int) -> Bool { at < count && bytes[at] >= 0x30 && bytes[at] <= 0x39 }
        /// Digits at `index`: nil if none, `.some(nil)` on overflow.
        func number() -> UInt64?? {
            guard isDigit(index) else { return nil }
            var value: UInt64 = 0
            var overflow = false
            while isDigit(index) {
                let (times, o1) = value.multipliedReportingOverflow(by: 10)
                let (sum, o2) = times.addingReportingOverflow(UInt64(bytes[index] - 0x30))
                overflow = overflow || o1 || o2
                value = sum
                index += 1
            }
            return overflow ? .some(nil) : .some(value)
        }
        if index < count, bytes[index] == UInt8(ascii: "v") { index += 1 }
        guard let majorParse = number(), let major = majorParse else { return nil }
        var minor: UInt64 = 0
        var patch: UInt64 = 0
        if index < count, bytes[index] == UInt8(ascii: "."), isDigit(index + 1) {
            index += 1
            guard let value = number(), let value else { return nil }
            minor = value
            if index < count, bytes[index] == UInt8(ascii: "."), isDigit(index + 1) {
                index += 1
                guard let value = number(), let value else { return nil }
                patch = value
            }
        }
        var prerelease = ""
        var build = ""
        if index < count, bytes[index] == UInt8(ascii: "-") {
            index += 1
            let start = index
            while index < count, bytes[index] != UInt8(ascii: "+") { index += 1 }
            let part = UnsafeBufferPointer(rebasing: bytes[start..<index])
            guard isIdentifierList(part, forbidLeadingZeros: true) else { return nil }
            prerelease = String(decoding: part, as: UTF8.self)
        }
        if index < count, bytes[index] == UInt8(ascii: "+") {
            let part = UnsafeBufferPointer(rebasing: bytes[(index + 1)...])
            guard isIdentifierList(part, forbidLeadingZeros: false) else { return nil }
            build = String(decoding: part, as: UTF8.self)
            index = count
        }
        guard index == count else { return nil }
        return (major, minor, patch, prerelease, build)
    }

    public var isPrerelease: Bool { !prerelease.isEmpty }
    public var description: String { original }

    /// `[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*`; with `forbidLeadingZeros`, a numeric identifier
    /// must not start with 0 (SemVer's prerelease rule).
    private static func isIdentifierList(_ bytes: UnsafeBufferPointer<UInt8>, forbidLeadingZeros: Bool) -> Bool {
        guard !bytes.isEmpty else { return false }
        var length = 0
        var numeric = true
        var leadingZero = false
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "."):
                guard length > 0, !(forbidLeadingZeros && numeric && leadingZero && length > 1) else { return false }
                length = 0
                numeric = true
                leadingZero = false
                continue
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                if length == 0 { leadingZero = byte == UInt8(ascii: "0") }
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "-"):
                numeric = false
            default:
                return false
            }
            length += 1
        }
        return length > 0 && !(forbidLeadingZeros && numeric && leadingZero && length > 1)
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
