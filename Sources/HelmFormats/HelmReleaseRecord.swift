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
        let release: ReleaseJSON
        do {
            release = try JSONDecoder().decode(ReleaseJSON.self, from: Data(json))
        } catch {
            throw HelmFormatError("the release is not helm's release JSON (\(error))")
        }
        guard let chart = release.chart, let metadata = chart.metadata else { throw HelmFormatError("the release has no chart metadata") }
        self.name = release.name
        self.namespace = release.namespace ?? ""
        self.revision = release.version
        self.status = release.info?.status ?? "unknown"
        self.firstDeployed = release.info?.first_deployed
        self.lastDeployed = release.info?.last_deployed
        self.description = release.info?.description
        self.chartName = metadata.name
        self.chartVersion = metadata.version
        self.appVersion = metadata.appVersion
        self.config = release.config.flatMap { $0 == .null || $0 == .object([:]) ? nil : $0 }
        var templates: [ChartContent.File] = []
        for file in chart.templates ?? [] {
            guard let data = Data(base64Encoded: file.data ?? "") else { throw HelmFormatError("template \(file.name) is not base64") }
            // As the archive reader reads text: invalid UTF-8 compares the same on both sides.
            templates.append(.init(name: file.name, bytes: Array(String(decoding: data, as: UTF8.self).utf8)))
        }
        self.chart = ChartContent(
            name: metadata.name,
            version: metadata.version,
            appVersion: metadata.appVersion,
            values: chart.values ?? .object([:]),
            templates: templates
        )
    }

    private struct ReleaseJSON: Decodable {
        struct Info: Decodable {
            let status: String?
            let first_deployed: String?
            let last_deployed: String?
            let description: String?
        }
        struct Metadata: Decodable {
            let name: String
            let version: String
            let appVersion: String?
        }
        struct File: Decodable {
            let name: String
            let data: String?
        }
        struct Chart: Decodable {
            let metadata: Metadata?
            let values: JSONValue?
            let templates: [File]?
        }
        let name: String
        let namespace: String?
        let version: Int
        let info: Info?
        let chart: Chart?
        let config: JSONValue?
    }
}
