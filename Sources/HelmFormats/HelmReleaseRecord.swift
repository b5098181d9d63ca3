public import Foundation

/// One revision of a Helm release as helm stores it in the cluster (`pkg/storage/driver`): the
/// `release` data of a Secret (`sh.helm.release.v1.NAME.vREV`, base64 read from the API, then
/// helm's base64, gzip, JSON) or of a ConfigMap (helm's base64, gzip, JSON). Helm reads plain
/// JSON where the gzip magic is missing; so does this.
public struct HelmReleaseRecord: Sendable, Hashable {
    public let name: String
    public let namespace: String
    public let revision: Int
    /// `deployed`, `superseded`, `failed`, `uninstalling`, `uninstalled`, `pending-install`…
    public let status: String
    public let firstDeployed: String?
    public let lastDeployed: String?
    public let description: String?
    public let chartName: String
    public let chartVersion: String
    public let appVersion: String?
    /// The user-supplied values (`config`); `nil` when none were given.
    public let config: JSONValue?
    /// The chart as the release holds it, for comparing with a catalog archive.
    public let chart: ChartContent

    /// The largest decompressed release JSON read (helm's records are far smaller: etcd caps an
    /// object at about 1.5 MiB compressed).
    public static let maxDecompressedSize = 64 << 20

    public enum Storage: String, Sendable {
        case secret
        case configMap = "configmap"
    }

    /// Decodes the `release` value of a record's `data`, as the Kubernetes API returns it.
    public init(release value: String, storage: Storage) throws(HelmFormatError) {
        var encoded = Data(value.utf8)
        if storage == .secret {
            guard let once = Data(base64Encoded: encoded) else { throw HelmFormatError("the release data is not base64") }
            encoded = once
        }
        guard let compressed = Data(base64Encoded: encoded) else { throw HelmFormatError("the release data is not helm's base64") }
        var json = [UInt8]()
        let isGzip = compressed.withUnsafeBytes { Gzip.hasMagic($0) }
        if isGzip {
            let inflated = compressed.withUnsafeBytes { buffer in
                Result { () throws(HelmFormatError) in
                    var output = [UInt8]()
                    try Gzip.inflate(buffer, limit: Self.maxDecompressedSize) { chunk throws(HelmFormatError) in output.append(contentsOf: chunk) }
                    return output
                }
            }
            json = try inflated.get()
        } else {
            json = Array(compressed)
        }
        // Parsed straight into values: a release holds thousands of them (the chart's defaults).
        let release = try JSONValue.parse(json)
        guard case .object = release, let name = release["name"]?.stringValue, let revision = Self.integer(release["version"]) else {
            throw HelmFormatError("the release is not helm's release JSON (no name or version)")
        }
        let chart = release["chart"]
        guard let metadata = chart?["metadata"], let chartName = metadata["name"]?.stringValue,
            let chartVersion = metadata["version"]?.stringValue
        else { throw HelmFormatError("the release has no chart metadata") }
        let info = release["info"]
        self.name = name
        self.namespace = release["namespace"]?.stringValue ?? ""
        self.revision = revision
        self.status = info?["status"]?.stringValue ?? "unknown"
        self.firstDeployed = info?["first_deployed"]?.stringValue
        self.lastDeployed = info?["last_deployed"]?.stringValue
        self.description = info?["description"]?.stringValue
        self.chartName = chartName
        self.chartVersion = chartVersion
        self.appVersion = metadata["appVersion"]?.stringValue
        self.config = release["config"].flatMap { $0 == .null || $0 == .object([:]) ? nil : $0 }
        var templates: [ChartContent.File] = []
        for file in chart?["templates"]?.arrayValue ?? [] {
            let path = file["name"]?.stringValue ?? ""
            guard let data = Data(base64Encoded: file["data"]?.stringValue ?? "") else { throw HelmFormatError("template \(path) is not base64") }
            // As the archive reader reads text: invalid UTF-8 compares the same on both sides.
            templates.append(.init(name: path, bytes: Array(String(decoding: data, as: UTF8.self).utf8)))
        }
        let values = chart?["values"] ?? .null
        self.chart = ChartContent(
            name: chartName,
            version: chartVersion,
            appVersion: metadata["appVersion"]?.stringValue,
            values: values == .null ? .object([:]) : values,
            templates: templates
        )
    }

    private static func integer(_ value: JSONValue?) -> Int? {
        switch value {
        case .integer(let number): Int(exactly: number)
        case .number(let number): Int(exactly: number)
        default: nil
        }
    }
}
