import Foundation
import HelmFormats
import TestSupport
import Testing

/// Decoding an index in two halves gives exactly what decoding it whole gives, or fails (the
/// caller then decodes it whole): on every real index and on layouts chosen to trip the cut.
@Suite("index.yaml decoded in two halves")
struct IndexHalvesTests {
    /// Everything decoded, in a comparable form, in file order.
    struct Decoded: Equatable {
        var versions: [String] = []
        var apiVersion = ""
        var skipped = 0
    }

    static func whole(_ data: Data) throws -> Decoded {
        var decoded = Decoded()
        let report = try IndexFileDecoder.decode(data) { decoded.versions.append(Self.describe($0)) }
        decoded.apiVersion = report.apiVersion
        decoded.skipped = report.skipped.count
        return decoded
    }

    /// The halves' result, or `nil` when the index cannot be cut.
    static func halves(_ data: Data) throws -> Decoded? {
        try data.withUnsafeBytes { bytes -> Decoded? in
            guard let cut = IndexFileDecoder.splitPoint(bytes, minimumSize: 0) else { return nil }
            var head: [String] = []
            var tail: [String] = []
            let headReport = try IndexFileDecoder.decodeHead(bytes, upTo: cut) { head.append(Self.describe($0)) }
            let tailReport = try IndexFileDecoder.decodeTail(bytes, from: cut) { tail.append(Self.describe($0)) }
            let report = try IndexFileDecoder.merge(headReport, tailReport)
            #expect(!head.isEmpty && !tail.isEmpty, "both halves hold versions")
            return Decoded(versions: head + tail, apiVersion: report.apiVersion, skipped: report.skipped.count)
        }
    }

    static func describe(_ version: IndexChartVersion) -> String {
        "\(version.entry)|\(version.version)|\(version.digest)|\(version.urls)|\(version.metadataJSON)"
    }

    @Test(
        "every real index: the halves read the same versions as the whole, or the index is refused either way",
        .enabled(if: RealIndexes.isAvailable, "shared/real-indexes not found (scripts/test reports it)")
    )
    func realIndexes() throws {
        var split = 0
        for file in RealIndexes.all() {
            let data = try Data(contentsOf: file)
            let whole = try? Self.whole(data)
            do {
                guard let halves = try Self.halves(data) else { continue }
                split += 1
                #expect(halves == whole, "\(file.lastPathComponent)")
            } catch {
                #expect(whole == nil, "\(file.lastPathComponent): the halves failed (\(error)) where the whole index decodes")
            }
        }
        #expect(split >= 20, "most real indexes can be cut (\(split) were)")
    }

    /// A generated index in helm's layout, `charts` charts × 3 versions.
    static func generated(
        charts: Int,
        prefix: String = "chart",
        before: String = "apiVersion: v1\n",
        after: String = "generated: \"2024-01-01T00:00:00Z\"\n"
    ) -> String {
        var text = before + "entries:\n"
        for number in 0..<charts {
            let chart = "\(prefix)-\(number)"
            text += "  \(chart):\n"
            for minor in 0..<3 {
                text += """
                      - apiVersion: v2
                        name: \(chart)
                        version: 1.\(minor).0
                        description: |
                          A chart.
                          key: not a key
                        urls:
                        - \(chart)-1.\(minor).0.tgz
                        digest: \(String(repeating: "ab", count: 32))

                    """
            }
        }
        return text + after
    }

    @Test("a generated index in helm's layout is cut near the middle and reads the same")
    func generatedIndex() throws {
        let data = Data(Self.generated(charts: 200).utf8)
        let halves = try #require(try Self.halves(data))
        #expect(halves == (try Self.whole(data)))
        #expect(halves.versions.count == 600)
        #expect(halves.apiVersion == "v1")
        let cut = try #require(data.withUnsafeBytes { IndexFileDecoder.splitPoint($0, minimumSize: 0) })
        #expect(abs(cut - data.count / 2) < 1000)
        #expect(data.withUnsafeBytes { IndexFileDecoder.splitPoint($0) } == nil, "small indexes decode whole")
    }

    @Test("what only the whole index shows is caught across halves; layouts that cannot be cut are not")
    func acrossHalves() throws {
        // The same chart in both halves, apiVersion after the entries, a top-level key in both.
        let duplicated = Self.generated(charts: 200) + "  chart-0:\n  - {name: chart-0, version: 9.0.0}\n"
        #expect(throws: (any Error).self) { try Self.whole(Data(duplicated.utf8)) }
        #expect(throws: (any Error).self) { try Self.halves(Data(duplicated.utf8)) }
        let apiLast = Self.generated(charts: 200, before: "", after: "apiVersion: v1\n")
        #expect(try Self.halves(Data(apiLast.utf8)) == (try Self.whole(Data(apiLast.utf8))))
        let noAPI = Self.generated(charts: 200, before: "")
        #expect(throws: HelmFormatError.self) { try Self.halves(Data(noAPI.utf8)) }
        let twice = Self.generated(charts: 200, before: "apiVersion: v1\ngenerated: \"2024-01-01T00:00:00Z\"\n")
        #expect(throws: HelmFormatError.self) { try Self.halves(Data(twice.utf8)) }
        // A quoted description whose continuation line looks like an entry, right at the cut:
        // the whole index reads it as text, the halves fail (and the caller decodes it whole).
        var trap = Self.generated(charts: 100, after: "")
        trap += "  trap:\n  - name: trap\n    version: 1.0.0\n    description: \"starts here\n  looks-like-an-entry:\n    ends here\"\n"
        trap += String(Self.generated(charts: 100, prefix: "other", before: "").dropFirst("entries:\n".count))
        let trapData = Data(trap.utf8)
        let whole = try Self.whole(trapData)
        #expect(whole.versions.contains { $0.contains("starts here looks-like-an-entry: ends here") })
        #expect(throws: (any Error).self) { try Self.halves(trapData) }
        // JSON, flow-style entries and a second document are never cut.
        for uncuttable in [
            "{\"apiVersion\": \"v1\", \"entries\": {}}" + String(repeating: " ", count: 100),
            "apiVersion: v1\nentries: {a: [{name: a, version: 1.0.0}]}\n" + String(repeating: "# padding\n", count: 20),
            Self.generated(charts: 50) + "---\napiVersion: v1\n",
        ] {
            #expect(Data(uncuttable.utf8).withUnsafeBytes { IndexFileDecoder.splitPoint($0, minimumSize: 0) } == nil)
        }
    }
}
