import Foundation
import HelmFormats
import TestSupport
import Testing

@Suite("index.yaml summaries of real repositories agree with helm on what is an index")
struct RealIndexSummaryTests {
    @Test(
        "helm's accepted indexes are accepted, its refused ones refused",
        .enabled(if: RealIndexes.isAvailable, "shared/real-indexes not found (scripts/test reports it)"),
        arguments: RealIndexes.all()
    )
    func acceptance(file: URL) throws {
        let text = try String(contentsOf: file, encoding: .utf8)
        if RealIndexes.isBroken(file) {
            #expect(throws: HelmFormatError.self) { try IndexFileSummary(parsing: text) }
        } else {
            let summary = try IndexFileSummary(parsing: text)
            #expect(summary.apiVersion == "v1")
        }
    }
}
