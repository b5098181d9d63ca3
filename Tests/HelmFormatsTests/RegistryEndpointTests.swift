import Foundation
import HelmFormats
import Testing

@Suite("Registry endpoints as users type them")
struct RegistryEndpointTests {
    @Test("classic and OCI endpoints are recognised and normalised")
    func accepted() throws {
        #expect(try RegistryEndpoint(parsing: "https://Charts.Example.com/stable/").description == "https://charts.example.com/stable")
        #expect(try RegistryEndpoint(parsing: "http://127.0.0.1:8080").isPlainHTTP)
        #expect(
            try RegistryEndpoint(parsing: "oci://registry.example.com:5000/team/charts")
                == .oci(host: "registry.example.com:5000", path: "team/charts")
        )
        #expect(try RegistryEndpoint(parsing: "oci://ghcr.io") == .oci(host: "ghcr.io", path: ""))
        #expect(try RegistryEndpoint(parsing: "oci://r.io/a__b/c-d--e/f.g_h").isOCI)
    }

    @Test(
        "bad endpoints are refused with a reason",
        arguments: [
            "", " https://x", "ftp://x", "charts.example.com", "https://user:pass@x.io", "https://x.io/?q=1", "https://x.io/#f",
            "oci://x.io/Upper", "oci://x.io/a//b", "oci://x.io/-a", "oci://x.io/a..b", "https://x.io/a/../b", "https:///nohost",
        ]
    )
    func refused(text: String) {
        #expect(throws: HelmFormatError.self) { try RegistryEndpoint(parsing: text) }
    }
}

@Suite("index.yaml summaries")
struct IndexFileSummaryTests {
    @Test("a Helm index is recognised and counted")
    func counts() throws {
        let summary = try IndexFileSummary(
            parsing: """
                apiVersion: v1
                entries:
                  nginx:
                  - name: nginx
                    version: 1.0.0
                  - name: nginx
                    version: 1.1.0
                  redis:
                  - name: redis
                    version: 2.0.0
                generated: "2024-01-01T00:00:00Z"
                """
        )
        #expect(summary.charts == 2)
        #expect(summary.versions == 3)
        #expect(try IndexFileSummary(parsing: "apiVersion: v1\nentries:\n").charts == 0)
        #expect(try IndexFileSummary(parsing: "apiVersion: v1\nentries:\n  a:\n  - ~\n  - {name: a, version: 1.0.0}\n").versions == 1)
    }

    @Test(
        "documents that are not Helm indexes are refused",
        arguments: [
            "", "not: [valid", "- a\n- b", "entries: {}", "apiVersion: v1\nentries: [1, 2]", "<html></html>",
        ]
    )
    func refused(text: String) {
        #expect(throws: HelmFormatError.self) { try IndexFileSummary(parsing: text) }
    }
}
