import AsyncHTTPClient
import Crypto
public import Foundation
import NIOCore
import NIOHTTP1

/// Pushes blobs and manifests to an OCI registry over the raw distribution API (monolithic
/// uploads), for tests that need many tags or hand-made manifests quickly.
public struct OCIUploader: Sendable {
    public let baseURL: String
    /// Basic credentials sent with every request, if any.
    public let credentials: (username: String, password: String)?

    public init(baseURL: String, username: String? = nil, password: String? = nil) {
        self.baseURL = baseURL
        self.credentials = username.map { ($0, password ?? "") }
    }

    /// `sha256:<hex>` of `data`.
    public static func digest(_ data: Data) -> String {
        "sha256:" + SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    /// Uploads a blob (POST then PUT with the digest); returns its digest.
    @discardableResult
    public func pushBlob(_ data: Data, repository: String) async throws -> String {
        let digest = Self.digest(data)
        let start = try await send(.post, "\(baseURL)/v2/\(repository)/blobs/uploads/")
        guard start.status.code == 202, let location = start.location else {
            throw PeerError("blob upload refused: \(start.status.text) \(start.body)")
        }
        let url = location.hasPrefix("http") ? location : baseURL + location
        let separator = url.contains("?") ? "&" : "?"
        let put = try await send(.put, "\(url)\(separator)digest=\(digest)", body: data, contentType: "application/octet-stream")
        guard put.status.code == 201 else { throw PeerError("blob upload failed: \(put.status.text) \(put.body)") }
        return digest
    }

    /// Puts an OCI image manifest under `tag`.
    public func pushManifest(_ manifest: Data, repository: String, tag: String) async throws {
        let put = try await send(
            .put,
            "\(baseURL)/v2/\(repository)/manifests/\(tag)",
            body: manifest,
            contentType: "application/vnd.oci.image.manifest.v1+json"
        )
        guard put.status.code == 201 else { throw PeerError("manifest push failed: \(put.status.text) \(put.body)") }
    }

    /// Pushes a Helm chart manifest per version: each its own `Chart.yaml` config, all sharing
    /// one (tiny, fake) content layer. Enough for catalog listings, not for `helm pull`. With
    /// `configVersion`, every config names that version whatever the tag says.
    public func pushChartVersions(chart: String, versions: [String], repository: String, configVersion: String? = nil) async throws {
        let layer = Data("chart content placeholder".utf8)
        let layerDigest = try await pushBlob(layer, repository: repository)
        for version in versions {
            let config = Data(#"{"name":"\#(chart)","version":"\#(configVersion ?? version)","apiVersion":"v2","description":"generated"}"#.utf8)
            let configDigest = try await pushBlob(config, repository: repository)
            let manifest = Data(
                """
                {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
                 "config":{"mediaType":"application/vnd.cncf.helm.config.v1+json","digest":"\(configDigest)","size":\(config.count)},
                 "layers":[{"mediaType":"application/vnd.cncf.helm.chart.content.v1.tar+gzip","digest":"\(layerDigest)","size":\(layer.count)}]}
                """.utf8
            )
            try await pushManifest(manifest, repository: repository, tag: version.replacingOccurrences(of: "+", with: "_"))
        }
    }

    private enum Method { case post, put }

    private func send(
        _ method: Method,
        _ url: String,
        body: Data? = nil,
        contentType: String? = nil
    ) async throws -> (
        status: (code: UInt, text: String), location: String?, body: String
    ) {
        var request = HTTPClientRequest(url: url)
        switch method {
        case .post: request.method = .POST
        case .put: request.method = .PUT
        }
        if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
        if let credentials {
            let encoded = Data("\(credentials.username):\(credentials.password)".utf8).base64EncodedString()
            request.headers.add(name: "Authorization", value: "Basic \(encoded)")
        }
        if let body {
            request.body = .bytes(ByteBuffer(bytes: body))
        } else {
            request.headers.add(name: "Content-Length", value: "0")
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
        return ((response.status.code, "\(response.status)"), response.headers.first(name: "Location"), text)
    }
}
