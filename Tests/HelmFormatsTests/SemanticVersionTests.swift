import HelmFormats
import Testing

@Suite("Chart versions as helm (Masterminds semver v3) reads them")
struct SemanticVersionTests {
    @Test(
        "loose versions are accepted and keep their text",
        arguments: ["1", "1.2", "v1.2.3", "1.2.3-rc.1+build.7", "0.0.0-0", "10.20.30-alpha-beta.1"]
    )
    func accepted(text: String) throws {
        let version = try #require(SemanticVersion(text))
        #expect(version.description == text)
    }

    @Test(
        "invalid versions are refused",
        arguments: ["", "v", "1.", "1.2.3.4", "1.2.3-01", "1.2.3-", "1.2.3+", "1.2.3-a..b", "V1.2.3", "1.2.3_4", "99999999999999999999", "latest"]
    )
    func refused(text: String) {
        #expect(SemanticVersion(text) == nil)
    }

    @Test("ordering follows Masterminds, prereleases below releases, numbers numerically")
    func ordering() throws {
        let sorted = [
            "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.2",
            "v1.10.0", "2.0.0",
        ]
        let versions = try sorted.map { try #require(SemanticVersion($0)) }
        for (lower, higher) in zip(versions, versions.dropFirst()) {
            #expect(lower < higher, "\(lower) < \(higher)")
        }
        #expect(try #require(SemanticVersion("1.2")).compare(try #require(SemanticVersion("1.2.0+meta"))) == 0)
        #expect(try #require(SemanticVersion("1.0.0-1")) < (try #require(SemanticVersion("1.0.0-a"))))
    }
}
