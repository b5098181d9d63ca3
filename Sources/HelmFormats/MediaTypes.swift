/// Media types of Helm charts stored in OCI registries (helm `pkg/registry/constants.go`).
public enum HelmMediaType {
    /// The config blob: the chart's Chart.yaml metadata as JSON.
    public static let config = "application/vnd.cncf.helm.config.v1+json"
    /// The chart archive layer, the `.tgz` as is.
    public static let chartContent = "application/vnd.cncf.helm.chart.content.v1.tar+gzip"
    /// The optional provenance layer.
    public static let provenance = "application/vnd.cncf.helm.chart.provenance.v1.prov"
    /// The OCI image manifest helm writes.
    public static let ociManifest = "application/vnd.oci.image.manifest.v1+json"
}
