import Foundation
import HelmFormats
import TestSupport
import Testing

/// What helm lists for an index, compared with what ``IndexFileDecoder`` reads from the same file:
/// `helm search repo --versions --devel -o json` of the real helm 4, against nginx serving the
/// real index files of public repositories (used in place through symlinks, never copied).
@Suite("index.yaml decoding matches the real helm on real repositories")
struct IndexDifferentialTests {
    /// One row of `helm search -o json`.
    struct Listed: Hashable, Decodable {
        let name: String
        let version: String
        let appVersion: String
        let summary: String

        enum CodingKeys: String, CodingKey {
            case name, version
            case appVersion = "app_version"
            case summary = "description"
        }

        init(name: String, version: String, appVersion: String, summary: String) {
            self.name = name
            self.version = version
            self.appVersion = appVersion
            self.summary = summary
        }
    }

    /// What helm search would list for a decoded index: per (entry, version), the last one read
    /// wins, as helm's search index keys rows by name and version.
    static func listing(_ file: URL, repository: String) throws -> Set<Listed> {
        var rows: [String: Listed] = [:]
        let data = try Data(contentsOf: file)
        _ = try IndexFileDecoder.decode(data) { version in
            rows["\(version.entry)$$\(version.version)"] = Listed(
                name: "\(repository)/\(version.entry)",
                version: version.version,
                appVersion: version.appVersion,
                summary: version.description
            )
        }
        return Set(rows.values)
    }

    @Test(
        "every real index: same charts, versions, app versions and descriptions as helm 4; broken ones refused by both",
        .enabled(if: RealIndexes.isAvailable, "shared/real-indexes not found (scripts/test reports it)")
    )
    func realIndexes() async throws {
        let files = RealIndexes.all()
        #expect(files.count >= 30, "expected the 33 real indexes, found \(files.count)")
        let site = try ScratchDirectory.make("charthouse-real-indexes")
        defer { try? FileManager.default.removeItem(at: site) }
        for (number, file) in files.enumerated() {
            let folder = site.appendingPathComponent("r\(number)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(at: folder.appendingPathComponent("index.yaml"), withDestinationURL: file)
        }
        let nginx = try await NginxServer(serving: site)
        defer { nginx.stop() }
        let helm = try HelmCLI(major: 4)
        defer { helm.removeHome() }

        var accepted: [(repository: String, file: URL)] = []
        for (number, file) in files.enumerated() {
            let repository = "r\(number)"
            let added = try helm.run(["repo", "add", repository, "\(nginx.baseURL)/\(repository)"], check: false)
            let decoded = Result { try Self.listing(file, repository: repository) }
            if RealIndexes.isBroken(file) {
                #expect(added.status != 0, "helm accepted \(file.lastPathComponent)")
                #expect(throws: HelmFormatError.self, "\(file.lastPathComponent) was accepted") { try decoded.get() }
            } else {
                #expect(added.status == 0, "helm refused \(file.lastPathComponent): \(added.stderr)")
                accepted.append((repository, file))
            }
        }
        let output = try helm.run(["search", "repo", "--versions", "--devel", "-o", "json"]).stdout
        let helmRows = try JSONDecoder().decode([Listed].self, from: Data(output.utf8))
        for (repository, file) in accepted {
            let fromHelm = Set(helmRows.filter { $0.name.hasPrefix(repository + "/") })
            let ours = try Self.listing(file, repository: repository)
            let missing = fromHelm.subtracting(ours).sorted { ($0.name, $0.version) < ($1.name, $1.version) }
            let extra = ours.subtracting(fromHelm).sorted { ($0.name, $0.version) < ($1.name, $1.version) }
            #expect(missing.isEmpty && extra.isEmpty, "\(file.lastPathComponent): helm only \(missing.prefix(3)); ours only \(extra.prefix(3))")
            #expect(fromHelm.count == ours.count, "\(file.lastPathComponent)")
            // SOURCES.md records how many (entry, version) pairs helm 3.17.3 and 4.1.4 list.
            if let expected = documented[file.lastPathComponent] {
                #expect(ours.count == expected, "\(file.lastPathComponent): \(ours.count) listed, SOURCES.md says \(expected)")
            } else {
                Issue.record("\(file.lastPathComponent) is not described in SOURCES.md")
            }
        }
        #expect(helmRows.count > 10_000, "helm listed only \(helmRows.count) rows")
    }

    /// Hand-written quirks helm has an opinion on: coerced plain scalars, loose and invalid
    /// versions, skipped entries, sanitised text, names that differ from their entry, duplicates.
    static let quirkyIndexYAML = #"""
        apiVersion: v1
        entries:
          texts:
          - name: texts
            version: "1.10"
            appVersion: "yes"
            description: "tabs\tand\nnewlines\u0007bell"
            digest: 123
            urls: [1.5, texts-1.10.tgz]
          - name: texts
            version: '2.0'
            description: multi
              line plain
            created: 2024-01-02T03:04:05.123456789+01:00
          - name: texts
            version: "3"
            description: |
              literal block
              keeps lines
          loose:
          - {name: loose, version: v1.2, description: v-prefixed two parts}
          - {name: loose, version: 1.2.0-rc.1+build.5, description: prerelease with build}
          - {name: loose, version: 1.2.0-01, description: leading zero prerelease is invalid}
          - {name: loose, version: 99999999999999999999.0.0, description: too big}
          - {name: loose, version: "", description: no version}
          - {name: loose, version: 1.0.0.0, description: four parts}
          - {name: loose, version: 0.0.1-alpha, description: ok, type: plugin}
          - {name: loose, version: 0.0.2, description: null maintainer, maintainers: [~]}
          - {name: loose, version: 0.0.3, description: bad alias, dependencies: [{name: x, alias: "a.b"}]}
          - {name: loose, version: 0.0.4, description: duplicate deps are fine, dependencies: [{name: x}, {name: x}]}
          - ~
          renamed-entry:
          - name: actual-name
            version: 1.0.0
            description: listed under its entry key
            deprecated: true
            annotations:
              multi: |
                line one
                line two
              quoted: "42"
          dup:
          - {name: dup, version: 1.0.0, description: first}
          - {name: dup, version: 1.0.0, description: second}
          empty:
          nonascii:
          - {name: nonascii, version: 1.0.0, description: "Grüße — 日本語 ✓"}
        generated: "2024-01-01T00:00:00Z"
        """#

    /// Small indexes helm refuses as a whole; each must be refused by the decoder too.
    static let refusedIndexes: [String] = [
        "apiVersion: v1\nentries:\n  a:\n  - {name: a, version: 1.0.0, appVersion: yes}\n",
        "apiVersion: v1\nentries:\n  a:\n  - {name: a, version: 1.10}\n",
        "apiVersion: v1\nentries:\n  a:\n  - {name: a, version: 1.0.0, keywords: [1]}\n",
        "apiVersion: v1\nentries:\n  a:\n  - {name: a, version: 1.0.0, annotations: {n: 1}}\n",
        "apiVersion: v1\nentries:\n  a:\n  - {name: a, version: 1.0.0, deprecated: \"yes\"}\n",
        "apiVersion: v1\nentries:\n  a:\n  - {name: a, version: 1.0.0, created: 2024-01-02}\n",
        "apiVersion: v1\nentries:\n  a:\n  - {name: a, version: 1.0.0, colour: blue}\n",
        "apiVersion: v1\nentries:\n  a:\n  - {name: a, version: 1.0.0, name: b}\n",
        "apiVersion: v1\nentries:\n  a: not-a-list\n",
        "apiVersion: v1\nentries:\n  a:\n  - just-a-string\n",
        "apiVersion: v1\nentries:\n  a:\n  - {name: a, version: 1.0.0, maintainers: [{name: m, phone: 1}]}\n",
        "entries:\n  a:\n  - {name: a, version: 1.0.0}\n",
        "apiVersion: v1\nentries: [a]\n",
        "apiVersion: v1\nentries:\n  a:\n  - {name: a, version: 1.0.0\n",
        "",
    ]

    @Test("indexes helm refuses as a whole are refused too")
    func refused() async throws {
        let site = try ScratchDirectory.make("charthouse-refused")
        defer { try? FileManager.default.removeItem(at: site) }
        for (number, text) in Self.refusedIndexes.enumerated() {
            let folder = site.appendingPathComponent("r\(number)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try text.write(to: folder.appendingPathComponent("index.yaml"), atomically: true, encoding: .utf8)
        }
        let nginx = try await NginxServer(serving: site)
        defer { nginx.stop() }
        let helm = try HelmCLI(major: 4)
        defer { helm.removeHome() }
        for (number, text) in Self.refusedIndexes.enumerated() {
            let added = try helm.run(["repo", "add", "r\(number)", "\(nginx.baseURL)/r\(number)"], check: false)
            #expect(added.status != 0, "helm accepted: \(text)")
            #expect(throws: HelmFormatError.self, "decoder accepted: \(text)") {
                _ = try IndexFileDecoder.decode(Data(text.utf8)) { _ in }
            }
        }
    }

    @Test("hand-written quirky index: same listing as helm 4")
    func quirkyIndex() async throws {
        let site = try ScratchDirectory.make("charthouse-quirky")
        defer { try? FileManager.default.removeItem(at: site) }
        let file = site.appendingPathComponent("index.yaml")
        try Self.quirkyIndexYAML.write(to: file, atomically: true, encoding: .utf8)
        let nginx = try await NginxServer(serving: site)
        defer { nginx.stop() }
        let helm = try HelmCLI(major: 4)
        defer { helm.removeHome() }
        try helm.run(["repo", "add", "quirky", nginx.baseURL])
        let output = try helm.run(["search", "repo", "quirky/", "--versions", "--devel", "-o", "json"]).stdout
        let fromHelm = Set(try JSONDecoder().decode([Listed].self, from: Data(output.utf8)))
        let ours = try Self.listing(file, repository: "quirky")
        let missing = fromHelm.subtracting(ours)
        let extra = ours.subtracting(fromHelm)
        #expect(missing.isEmpty, "helm only: \(missing)")
        #expect(extra.isEmpty, "ours only: \(extra)")
        #expect(fromHelm.count >= 9)
        let report = try IndexFileDecoder.decode(Data(Self.quirkyIndexYAML.utf8)) { _ in }
        #expect(report.skipped.count == 8, "\(report.skipped)")
    }

    /// The "helm" column of SOURCES.md: file name → number of versions helm lists.
    var documented: [String: Int] {
        guard let directory = RealIndexes.directory,
            let text = try? String(contentsOf: directory.appendingPathComponent("SOURCES.md"), encoding: .utf8)
        else {
            return [:]
        }
        var counts: [String: Int] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("| ") {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count > 8, cells[1].hasSuffix(".yaml"), let count = Int(cells[8]) else { continue }
            counts[cells[1]] = count
        }
        return counts
    }
}
