/// What a quick read of an `index.yaml` tells: that helm would accept it, and its size.
///
/// Reads the index with ``IndexFileDecoder``, so it accepts and refuses exactly what helm's
/// `repo.loadIndex` does (unknown fields, wrong shapes, no `apiVersion` …), at libyaml speed.
public struct IndexFileSummary: Sendable, Hashable {
    public let apiVersion: String
    /// Number of chart names with at least one valid version.
    public let charts: Int
    /// Number of chart versions helm keeps.
    public let versions: Int
    /// Number of versions helm skips as invalid.
    public let skipped: Int

    public init(parsing text: String) throws {
        var names = Set<String>()
        let report: IndexFileDecoder.Report
        do {
            report = try IndexFileDecoder.decode(Array(text.utf8)) { version in names.insert(version.entry) }
        } catch let error as HelmFormatError {
            throw HelmFormatError("not a Helm repository: \(error.message)")
        }
        self.apiVersion = report.apiVersion
        self.charts = names.count
        self.versions = report.versions
        self.skipped = report.skipped.count
    }
}
