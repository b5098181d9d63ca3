import HelmFormats
import Testing

/// Version ranges with helm's (Masterminds semver v3) meaning.
@Suite("Version constraints")
struct VersionConstraintTests {
    static let versions = [
        "0.0.3", "0.1.0", "0.2.5", "1.0.0", "1.2.0", "1.2.3", "1.3.0-beta.1", "1.3.0", "1.10.0", "2.0.0-rc.1", "2.0.0", "2.1.0", "v3.0.0",
    ]

    @Test(
        "the highest allowed version",
        arguments: [
            ("^1.2", "1.10.0"), ("^1.2.3", "1.10.0"), ("^0.1", "0.1.0"), ("^0.2.3", "0.2.5"), ("^0.0.3", "0.0.3"), ("~1.2", "1.2.3"),
            ("~1", "1.10.0"), ("~>1.2.0", "1.2.3"), (">=1.0 <2", "1.10.0"), (">=1.0, <2", "1.10.0"), (">= 1.0 < 2", "1.10.0"),
            ("1.2.x", "1.2.3"), ("1.x", "1.10.0"), ("*", "v3.0.0"), ("1.2 - 1.3", "1.3.0"), ("<1.0.0 || >=2.1", "v3.0.0"),
            ("<1.0.0 || ^2.0.0-rc.0", "2.1.0"), ("!=2.1.0, <3", "2.0.0"), (">2.0", "v3.0.0"), (">2.0, <3", "2.1.0"), (">2", "v3.0.0"),
            ("<=1.2", "1.2.3"),
            ("=1.2.0", "1.2.0"), ("1.3.0-beta.1", "1.3.0-beta.1"), ("^1.3.0-beta.0", "1.10.0"), ("3.0.0", "v3.0.0"),
        ]
    )
    func best(_ range: String, _ expected: String) throws {
        #expect(try VersionConstraint.best(range, among: Self.versions) == expected)
    }

    @Test("prereleases only for a constraint that names one")
    func prereleases() throws {
        let stable = try VersionConstraint(">=1.0.0")
        #expect(!stable.allows(try #require(SemanticVersion("2.0.0-rc.1"))))
        #expect(try VersionConstraint(">=2.0.0-alpha").allows(try #require(SemanticVersion("2.0.0-rc.1"))))
        #expect(try VersionConstraint.best("~2.0.0", among: ["2.0.0-rc.1"]) == nil)
    }

    @Test("nothing matches: nil; malformed: helm's words")
    func failures() {
        #expect((try? VersionConstraint.best("^9", among: Self.versions)) == .some(nil))
        for bad in ["", "abc", "^", "1.2.3.4", ">=1.0 <", "1..2", "~x.1.2a", "||"] {
            #expect(throws: HelmFormatError.self, "\(bad)") { try VersionConstraint(bad) }
        }
        #expect(throws: HelmFormatError("improper constraint: abc")) { try VersionConstraint("abc") }
    }

    @Test("exact versions are not ranges; partial ones are")
    func ranges() {
        #expect(!VersionConstraint.isRange("1.2.3"))
        #expect(!VersionConstraint.isRange("v1.2.3-rc.1+b"))
        #expect(VersionConstraint.isRange("1.2"))
        #expect(VersionConstraint.isRange("^1.2.3"))
    }
}
