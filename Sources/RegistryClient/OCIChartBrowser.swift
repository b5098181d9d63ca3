import Crypto
public import Foundation
import HelmFormats
import NIOHTTP1

/// Walks an OCI registry for the sync: repositories under a path, their tags, and for a tag the
/// Helm manifest and config. Follows `Link` pagination; refuses manifests that are not Helm charts.
public struct OCIChartBrowser: Sendable {
    private let session: OCISession

    /// One chart version found in a repository.
    public struct ChartTag: Sendable {
        public let repository: String
        public let tag: String
        /// The manifest's digest (`sha256:…`), computed from the bytes served.
        public let manifestDigest: String
        /// The chart archive layer's digest (`sha256:…`).
        public let chartDigest: String
        /// `org.opencontainers.image.created`, if the manifest has it.
        public let created: String?
        /// The config blob: Chart.yaml metadata as JSON.
        public let config: Data
    }

    /// Opens a browsing session (credentials proven once) and runs `body` with it.
    public static func browse<R: Sendable>(
        host: String,
        credentials: RegistryCredentials,
        options: RegistryConnectionOptions,
        _ body: (OCIChartBrowser) async throws -> R
    ) async throws -> R {
        let base = "\(options.plainHTTP ? "http" : "https")://\(host)"
        return try await HTTPFetcher.with(options) { fetcher in
            let session = try await OCISession.open(base: base, credentials: credentials, fetcher: fetcher)
            return try await body(OCIChartBrowser(session: session))
        }
    }

    /// Repositories under `path` from the catalog, or `nil` when the registry refuses its catalog.
    public func repositories(under path: String) async throws -> [String]? {
        var repositories: [String] = []
        var next: String? = "/v2/_catalog?n=100"
        while let page = next {
            let response = try await session.get(page, scope: "registry:catalog:*")
            if [401, 403, 404].contains(response.status.code) { return nil }
            guard response.status.code == 200 else { throw RegistryClientError(.invalidResponse, "catalog: \(response.summary)") }
            struct Page: Decodable { let repositories: [String]? }
            let decoded = try? JSONDecoder().decode(Page.self, from: response.data)
            repositories += decoded?.repositories ?? []
            next = Self.nextLink(response.headers.first(name: "Link"))
        }
        let prefix = path.isEmpty ? "" : path + "/"
        return repositories.filter { prefix.isEmpty || $0.hasPrefix(prefix) }
    }

    /// Every tag of a repository, following `Link` pagination.
    public func tags(repository: String) async throws -> [String] {
        var tags: [String] = []
        var next: String? = "/v2/\(repository)/tags/list?n=100"
        while let page = next {
            let response = try await session.get(page, scope: "repository:\(repository):pull")
            if response.status.code == 404 { return [] }
            guard response.status.code == 200 else { throw RegistryClientError(.invalidResponse, "tags of \(repository): \(response.summary)") }
            struct Page: Decodable { let tags: [String]? }
            tags += (try? JSONDecoder().decode(Page.self, from: response.data))?.tags ?? []
            next = Self.nextLink(response.headers.first(name: "Link"))
        }
        return tags
    }

    /// The Helm chart at `repository:tag`: its manifest must carry Helm's config media type.
    public func chart(repository: String, tag: String) async throws -> ChartTag {
        let scope = "repository:\(repository):pull"
        let manifest = try await session.get("/v2/\(repository)/manifests/\(tag)", scope: scope, accept: HelmMediaType.ociManifest)
        guard manifest.status.code == 200 else { throw RegistryClientError(.invalidResponse, "manifest \(repository):\(tag): \(manifest.summary)") }
        struct Descriptor: Decodable {
            let mediaType: String
            let digest: String
        }
        struct Manifest: Decodable {
            let config: Descriptor
            let layers: [Descriptor]?
            let annotations: [String: String]?
        }
        guard let parsed = try? JSONDecoder().decode(Manifest.self, from: manifest.data) else {
            throw RegistryClientError(.invalidResponse, "\(repository):\(tag) has no readable OCI manifest")
        }
        guard parsed.config.mediaType == HelmMediaType.config else {
            throw RegistryClientError(
                .invalidResponse,
                "\(repository):\(tag) is not a Helm chart (config media type \(parsed.config.mediaType))"
            )
        }
        guard let layer = parsed.layers?.first(where: { $0.mediaType == HelmMediaType.chartContent }) else {
            throw RegistryClientError(.invalidResponse, "\(repository):\(tag) has no Helm chart layer")
        }
        let config = try await session.get("/v2/\(repository)/blobs/\(parsed.config.digest)", scope: scope)
        guard config.status.code == 200 else { throw RegistryClientError(.invalidResponse, "config of \(repository):\(tag): \(config.summary)") }
        return ChartTag(
            repository: repository,
            tag: tag,
            manifestDigest: "sha256:" + Hex.lowercase(SHA256.hash(data: manifest.data)),
            chartDigest: layer.digest,
            created: parsed.annotations?["org.opencontainers.image.created"],
            config: config.data
        )
    }

    /// The target of `Link: <…>; rel="next"`, as a path.
    static func nextLink(_ header: String?) -> String? {
        guard let header, header.contains("rel=\"next\""), let start = header.firstIndex(of: "<"), let end = header.firstIndex(of: ">"), start < end
        else { return nil }
        let target = String(header[header.index(after: start)..<end])
        if target.hasPrefix("/") { return target }
        guard let url = URL(string: target) else { return nil }
        return url.path + (url.query.map { "?" + $0 } ?? "")
    }
}
