import Foundation
import HelmFormats
import TestSupport
import Testing

/// Chart archives read with Helm's loader rules: archives made by the real helm 3 and 4, every
/// tar dialect, and the archives Helm refuses.
@Suite("Chart archives")
struct ChartArchiveTests {
    static let readme = "# web\n\nA chart with a README — ünïcode too.\n"
    static let schema = #"{"$schema":"https://json-schema.org/draft-07/schema#","type":"object","required":["replicaCount"]}"#

    @Test("archives made by helm package: values, README, schema and Chart.yaml as helm show prints them", arguments: [3, 4])
    func helmPackaged(major: Int) throws {
        let helm = try HelmCLI(major: major)
        defer { helm.removeHome() }
        let work = try ScratchDirectory.make("charthouse-archive")
        defer { try? FileManager.default.removeItem(at: work) }
        let archive = try helm.packageChart(
            name: "web",
            version: "1.2.3",
            in: work,
            files: ["README.md": Self.readme, "values.schema.json": Self.schema, "docs/README.md": "not the chart's README"]
        )
        let read = try ChartArchive(gzipped: Array(try Data(contentsOf: archive)))
        #expect(read.baseDirectory == "web")
        #expect(read.chartYAML.contains("version: 1.2.3"))
        let values = try helm.run(["show", "values", archive.path]).stdout
        // helm show values prints the file and a newline.
        #expect(read.values.map { $0.text + "\n" } == values)
        #expect(read.values?.name == "values.yaml")
        #expect(read.readme?.text == Self.readme)
        #expect(try helm.run(["show", "readme", archive.path]).stdout == Self.readme + "\n")
        #expect(read.schema?.text == Self.schema)
    }

    @Test(
        "long names in GNU, PAX and ustar archives; README picked as helm picks it; BOM trimmed",
        arguments: [ArchiveCrafter.Format.gnu, .pax, .ustar]
    )
    func dialects(format: ArchiveCrafter.Format) throws {
        let base = String(repeating: "b", count: 90)
        let deep = "\(base)/templates/" + String(repeating: "t", count: 60) + "/deployment.yaml"
        let bytes = try ArchiveCrafter.tgz(
            [
                .init("\(base)/", kind: .directory),
                .init("\(base)/Chart.yaml", "apiVersion: v2\nname: long\nversion: 1.0.0\n"),
                .init(deep, "kind: Deployment\n"),
                .init("\(base)/docs/README.md", "nested, not picked"),
                .init("\(base)/readme.txt", "first readme in archive order"),
                .init("\(base)/README.md", "second"),
                .init("\(base)/link", "values.yaml", kind: .symlink),
                .init("\(base)/values.yaml", bytes: [0xEF, 0xBB, 0xBF] + Array("replicaCount: 2\n".utf8)),
            ],
            format: format
        )
        let read = try ChartArchive(gzipped: bytes)
        #expect(read.baseDirectory == base)
        #expect(read.chartYAML.contains("name: long"))
        #expect(read.values?.text == "replicaCount: 2\n", "the byte order mark is trimmed")
        #expect(read.readme?.name == "readme.txt")
        #expect(read.readme?.text == "first readme in archive order")
        #expect(read.schema == nil)
    }

    @Test(
        "archives Helm refuses are refused with Helm's words",
        arguments: [
            ("web/../../etc/passwd", "chart illegally references parent directory"),
            ("web//etc/passwd", "chart illegally contains absolute paths"),
            ("web", "chart illegally contains content outside the base directory"),
            ("web/c:/windows/values.yaml", "chart contains illegally named files"),
            ("web\\..\\..\\evil", "chart illegally references parent directory"),
        ]
    )
    func illegalPaths(name: String, message: String) throws {
        let bytes = try ArchiveCrafter.tgz([.init("web/Chart.yaml", "name: web\n"), .init(name, "x")])
        #expect(throws: HelmFormatError.self) { try ChartArchive(gzipped: bytes) }
        do {
            _ = try ChartArchive(gzipped: bytes)
        } catch {
            #expect(error.message.contains(message), "\(error.message)")
        }
    }

    @Test("broken, truncated, oversized and incomplete archives: a clear error each")
    func brokenArchives() throws {
        func refusal(_ bytes: [UInt8], limits: ChartArchive.Limits = .init()) -> String {
            do {
                _ = try ChartArchive(gzipped: bytes, limits: limits)
                return "accepted"
            } catch {
                return error.message
            }
        }
        let good = try ArchiveCrafter.tgz([
            .init("web/Chart.yaml", "name: web\n"), .init("web/values.yaml", String(repeating: "a: 1\n", count: 2000)),
        ])
        #expect(try ChartArchive(gzipped: good).values != nil)
        #expect(refusal(Array("<html>not found</html>".utf8)).contains("not a gzip archive"))
        #expect(refusal(Array(good.prefix(good.count / 2))).contains("truncated"))
        var flipped = good
        flipped[good.count / 2] ^= 0xFF
        #expect(refusal(flipped).contains("not valid gzip") || refusal(flipped).contains("invalid tar header"))
        #expect(refusal(try ArchiveCrafter.gzip(Array(String(repeating: "just text, no tar\n", count: 100).utf8))).contains("invalid tar header"))
        #expect(refusal(try ArchiveCrafter.gzip([UInt8](repeating: 0, count: 1024))).contains("no files in chart archive"))
        #expect(refusal(try ArchiveCrafter.tgz([.init("web/values.yaml", "a: 1\n")])).contains("Chart.yaml file is missing"))
        #expect(refusal(try ArchiveCrafter.tgz([.init("Chart.yaml/x", "a: 1\n")])).contains("chart yaml not in base directory"))
        // A bomb: 6 MiB of zeros compress to a few KiB; Helm's per-file cap is 5 MiB.
        let bomb = try ArchiveCrafter.tgz([
            .init("web/Chart.yaml", "name: web\n"), .init("web/values.yaml", bytes: [UInt8](repeating: 0x20, count: 6 << 20)),
        ])
        #expect(bomb.count < 64 << 10)
        #expect(refusal(bomb).contains("larger than the maximum file size"))
        let small = ChartArchive.Limits(maxDecompressedSize: 1 << 20, maxFileSize: 1 << 20)
        let twoFiles = try ArchiveCrafter.tgz([
            .init("web/Chart.yaml", "name: web\n"), .init("web/a", bytes: [UInt8](repeating: 1, count: 600 << 10)),
            .init("web/b", bytes: [UInt8](repeating: 2, count: 600 << 10)),
        ])
        #expect(refusal(twoFiles, limits: small).contains("decompressed chart is larger than the maximum size"))
        // For uploads, links that point outside the chart are refused; links inside it are fine
        // (helm ignores link targets, so reading upstream charts accepts both).
        let uploads = ChartArchive.Limits(strict: true)
        for target in ["/etc/passwd", "../../etc/passwd", "../../../x", "templates/../../.."] {
            let linked = try ArchiveCrafter.tgz([.init("web/Chart.yaml", "name: web\n"), .init("web/templates/evil", target, kind: .symlink)])
            #expect(refusal(linked, limits: uploads).contains("chart contains a link that points outside it"), "\(target)")
            #expect(refusal(linked) == "accepted")
        }
        let inside = try ArchiveCrafter.tgz([.init("web/Chart.yaml", "name: web\n"), .init("web/templates/ok", "../values.yaml", kind: .symlink)])
        #expect(refusal(inside, limits: uploads) == "accepted")
        // Bytes after the gzip stream that do not start another member are refused, as Go refuses them.
        let tarOnly = try ArchiveCrafter.tgz([.init("web/Chart.yaml", "name: web\n")])
        #expect(refusal(tarOnly + Array("trailing junk".utf8)).contains("invalid header after the end"))
    }
}
