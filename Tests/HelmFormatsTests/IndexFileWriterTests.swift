import Foundation
import HelmFormats
import TestSupport
import Testing

/// The generated `index.yaml` reads back as written: every real index decoded, written and read
/// again gives the same versions; strings YAML could take for something else stay strings; a
/// Chart.yaml is read as helm's loader reads it; the helm config JSON carries the metadata.
@Suite("index.yaml writer and Chart.yaml reader")
struct IndexFileWriterTests {
    /// What the writer keeps of a version (an index's own `removed` and entry names differing
    /// from the chart's name are not written).
    static func describe(_ version: IndexChartVersion) -> String {
        var copy = version
        copy.entry = copy.name
        copy.removed = false
        return "\(copy.name)|\(copy.version)|\(copy.digest)|\(copy.urls)|\(copy.created ?? "")|\(copy.metadataJSON)"
    }

    @Test("every real index: decode, write, decode again gives the same versions")
    func realIndexesRoundTrip() throws {
        let files = RealIndexes.all().filter { !RealIndexes.isBroken($0) }
        #expect(!files.isEmpty, "the real indexes are part of the test run")
        var roundTripped = 0
        for file in files {
            var versions: [IndexChartVersion] = []
            guard (try? IndexFileDecoder.decode(try Data(contentsOf: file)) { versions.append($0) }) != nil else { continue }
            // Entries whose key differs from the chart's name are listed under the name here.
            versions = versions.filter { $0.entry == $0.name }
            let written = IndexFileWriter.render(versions, generated: Date(timeIntervalSince1970: 1_800_000_000))
            var again: [IndexChartVersion] = []
            let report = try IndexFileDecoder.decode(written) { again.append($0) }
            #expect(report.apiVersion == "v1")
            #expect(report.generated == "2027-01-15T08:00:00.000Z")
            #expect(
                Set(again.map(Self.describe)) == Set(versions.map(Self.describe)),
                "\(file.lastPathComponent): \(Set(versions.map(Self.describe)).subtracting(again.map(Self.describe)).first ?? "")"
            )
            if !versions.isEmpty { roundTripped += 1 }
        }
        #expect(roundTripped >= files.count / 2, "most real indexes decode and carry versions: \(roundTripped) of \(files.count)")
    }

    @Test("strings YAML would read as something else are quoted; odd characters escaped; newest version first")
    func trickyStrings() throws {
        let tricky = [
            "yes", "No", "on", "OFF", "y", "true", "null", "~", "1.10", "0x1F", "1e3", ".inf", "2026-11-25", "12:30", "- item", "a: b",
            "a #comment", "#hash", "@at", "`tick`", "'single'", "\"double\"", "back\\slash", "line\nbreak", "tab\there", " padded ",
            "trailing ", "ünïcødé ✓", "emoji 🚀", "bell\u{07}", "del\u{7F}", "bom\u{FEFF}", "nel\u{85}", "separators\u{2028}\u{2029}", "", "*star",
            "&anchor", "!tag",
            "%percent", "{flow}", "[list]", "a,b", "?question", "|pipe", ">fold",
        ]
        var versions: [IndexChartVersion] = []
        for (index, text) in tricky.enumerated() {
            var version = IndexChartVersion(entry: "web")
            version.name = "web"
            version.version = "1.0.\(index)"
            version.apiVersion = "v2"
            version.description = text
            version.appVersion = text
            version.keywords = [text]
            version.annotations = ["key \(text)": text]
            version.maintainers = [.init(name: text, email: "", url: "")]
            version.dependencies = [.init(name: "dep", version: text, repository: "", condition: "", tags: [text], enabled: true, alias: "")]
            version.urls = ["https://example.com/\(index).tgz"]
            version.digest = String(repeating: "a", count: 64)
            version.created = "2026-11-25T10:00:00Z"
            versions.append(version)
        }
        let written = IndexFileWriter.render(versions, generated: Date())
        var again: [IndexChartVersion] = []
        _ = try IndexFileDecoder.decode(written) { again.append($0) }
        #expect(again.map(\.version) == versions.reversed().map(\.version), "newest first")
        for version in again {
            // Read back as helm reads it: its sanitising of description, appVersion and keywords applies.
            var original = try #require(versions.first { $0.version == version.version })
            _ = original.validate()
            #expect(version.description == original.description)
            #expect(version.appVersion == original.appVersion)
            #expect(version.keywords == original.keywords)
            #expect(version.annotations == original.annotations)
            #expect(version.maintainers == original.maintainers)
            #expect(version.dependencies == original.dependencies)
        }
        let empty = String(decoding: IndexFileWriter.render([], generated: Date(timeIntervalSince1970: 0)), as: UTF8.self)
        #expect(empty == "apiVersion: v1\nentries: {}\ngenerated: \"1970-01-01T00:00:00.000Z\"\n")
    }

    @Test("Chart.yaml is read as helm's loader reads it; the helm config JSON carries the same metadata")
    func chartYAML() throws {
        let text = """
            name: web
            version: 1.10
            appVersion: 2.0
            description: A chart
            keywords: [web, 1]
            maintainers:
              - name: Ann
                email: ann@example.com
            dependencies:
              - name: db
                version: ~1.2
                repository: oci://example.com/charts
                import-values: [child]
            annotations:
              category: Database
            urls: [ignored]
            someUnknownField: ignored
            """
        var chart = try IndexChartVersion(chartYAML: text)
        #expect(chart.validate() == nil)
        #expect(chart.apiVersion == "v1", "a missing apiVersion is v1, as helm's loader has it")
        #expect(chart.version == "1.1" && chart.appVersion == "2", "plain scalars become go-yaml's text")
        #expect(chart.keywords == ["web", "1"])
        #expect(chart.urls.isEmpty, "index fields in a Chart.yaml are ignored")
        #expect(chart.maintainers.first??.email == "ann@example.com")
        #expect(chart.dependencies.first??.repository == "oci://example.com/charts")

        let config = try IndexChartVersion(entry: "web", chartConfig: chart.helmConfigJSON)
        #expect(config.metadataJSON == chart.metadataJSON)
        let json = try #require(try JSONSerialization.jsonObject(with: chart.helmConfigJSON) as? [String: Any])
        #expect(json["name"] as? String == "web" && json["apiVersion"] as? String == "v1")
        #expect((json["dependencies"] as? [[String: Any]])?.first?["repository"] as? String == "oci://example.com/charts")
        #expect(json["urls"] == nil && json["type"] == nil, "empty fields are left out, as helm's json.Marshal does")

        #expect(throws: HelmFormatError.self) { try IndexChartVersion(chartYAML: "- a list\n") }
        #expect(throws: HelmFormatError.self) { try IndexChartVersion(chartYAML: "name: [not, a, string]\n") }
        // Nesting: what helm's YAML reader accepts (10,000 levels) is read; deeper is refused,
        // in flow and in block style, also in an index.
        func nested(_ depth: Int) -> String {
            "apiVersion: v2\nname: deep\nversion: 1.0.0\nextra: " + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "\n"
        }
        #expect(try IndexChartVersion(chartYAML: nested(9_999)).name == "deep")
        #expect(throws: HelmFormatError.self) { try IndexChartVersion(chartYAML: nested(10_000)) }
        let block =
            "apiVersion: v2\nname: deep\nversion: 1.0.0\n" + (0..<10_001).map { String(repeating: " ", count: $0) + "k:" }.joined(separator: "\n")
            + " 1\n"
        do {
            _ = try IndexChartVersion(chartYAML: block)
            Issue.record("block nesting past the limit was read")
        } catch let error as HelmFormatError {
            #expect(error.message.contains("exceeded max depth of 10000"), "\(error.message)")
        }
        let index =
            "apiVersion: v1\nentries:\n  deep:\n  - name: deep\n    version: 1.0.0\n    extra: " + String(repeating: "{a: ", count: 10_001)
            + "1" + String(repeating: "}", count: 10_001) + "\n"
        #expect(throws: HelmFormatError.self) { try IndexFileDecoder.decode(Array(index.utf8)) { _ in } }
        #expect(throws: (any Error).self) { try IndexChartVersion(chartYAML: "name: web\n  bad: indentation\n") }
    }
}
