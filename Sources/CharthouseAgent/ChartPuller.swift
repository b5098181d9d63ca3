import CharthouseAPI
import CharthouseStore
import Foundation
import HelmFormats
import NIOCore
import RegistryClient

/// Pulls a layer's chart archive straight from its registry — over OCI or a classic
/// repository, with the registry's credentials and TLS settings — and verifies the pinned
/// digest before anything is installed (fail closed).
struct ChartPuller {
    let maxChartSize: Int
    let userAgent: String

    /// The archive and its digest (`sha256:…`); throws if it is not the pinned one.
    func pull(
        _ layer: Components.Schemas.DesiredLayer,
        from registry: Components.Schemas.AgentRegistry,
        agentToken: String
    ) async throws -> (archive: ByteBuffer, digest: String) {
        let credentials: RegistryCredentials
        if registry.useAgentToken {
            credentials = .basic(username: "charthouse-agent", password: agentToken)
        } else if let username = registry.username, let password = registry.password {
            credentials = .basic(username: username, password: password)
        } else {
            credentials = .anonymous
        }
        var options = RegistryConnectionOptions(
            caCertificatePEM: registry.caCertificate,
            insecureSkipTLSVerify: registry.insecureSkipTLSVerify,
            plainHTTP: registry.plainHTTP,
            requestTimeout: .seconds(120),
            maxBodySize: maxChartSize,
            // The agent is inside the cluster's network: every address may be reached.
            egress: .unrestricted
        )
        options.connectTimeout = .seconds(10)
        options.userAgent = userAgent
        let archive: ByteBuffer
        do {
            if let reference = layer.pullReference, reference.hasPrefix("oci://") {
                archive = try await Self.pullOCI(reference, credentials: credentials, options: options)
            } else if let reference = layer.pullReference {
                let sameOrigin = Self.origin(reference) == Self.origin(registry.endpoint)
                archive = try await ClassicRepositoryClient(options: options).fetchArchive(
                    url: reference,
                    credentials: sameOrigin ? credentials : .anonymous
                )
            } else {
                archive = try await Self.pullFromIndex(layer, endpoint: registry.endpoint, credentials: credentials, options: options)
            }
        } catch let error as RegistryClientError {
            throw AgentError.pull("\(layer.chart) \(layer.version) from \(registry.name): \(error.message)")
        }
        let digest = BlobDigest.of(Array(archive.readableBytesView))
        if let pinned = layer.digest, pinned != digest {
            throw AgentError.verification(
                "digest mismatch: the profile pins \(pinned) for \(layer.chart) \(layer.version), the registry served \(digest); nothing was installed"
            )
        }
        return (archive, digest)
    }

    /// `oci://HOST/REPOSITORY@sha256:…` or `…:TAG`: the manifest, then its chart layer.
    static func pullOCI(_ reference: String, credentials: RegistryCredentials, options: RegistryConnectionOptions) async throws -> ByteBuffer {
        let rest = reference.dropFirst("oci://".count)
        guard let slash = rest.firstIndex(of: "/") else { throw RegistryClientError(.invalidResponse, "not an OCI reference: \(reference)") }
        let host = String(rest[..<slash])
        var path = String(rest[rest.index(after: slash)...])
        let tag: String
        if let at = path.firstIndex(of: "@") {
            tag = String(path[path.index(after: at)...])
            path = String(path[..<at])
        } else if let colon = path.lastIndex(of: ":"), !path[colon...].contains("/") {
            tag = String(path[path.index(after: colon)...])
            path = String(path[..<colon])
        } else {
            throw RegistryClientError(.invalidResponse, "\(reference) names no tag or digest")
        }
        let repository = path
        let chart = try await OCIChartBrowser.browse(host: host, credentials: credentials, options: options) { browser in
            try await browser.chart(repository: repository, tag: tag)
        }
        return try await OCIRegistryClient(options: options).fetchBlob(
            host: host,
            repository: repository,
            digest: chart.chartDigest,
            credentials: credentials
        )
    }

    /// A protected classic repository's chart: its URL from the repository's own index.
    static func pullFromIndex(
        _ layer: Components.Schemas.DesiredLayer,
        endpoint: String,
        credentials: RegistryCredentials,
        options: RegistryConnectionOptions
    ) async throws -> ByteBuffer {
        let client = ClassicRepositoryClient(options: options)
        guard case .body(let index, _, _) = try await client.fetchIndex(base: endpoint, credentials: credentials, etag: nil, lastModified: nil) else {
            throw RegistryClientError(.invalidResponse, "no index at \(endpoint)")
        }
        var found: String?
        do {
            _ = try IndexFileDecoder.decode(index.readableBytesView) { version in
                if found == nil, version.entry == layer.chart, version.version == layer.version { found = version.urls.first }
            }
        } catch {
            throw RegistryClientError(.invalidResponse, "the index at \(endpoint) cannot be read: \(error)")
        }
        guard let url = found else {
            throw RegistryClientError(.invalidResponse, "\(endpoint)/index.yaml has no chart \(layer.chart) version \(layer.version)")
        }
        let resolved = ChartURL.resolve(url, repository: endpoint)
        let sameOrigin = origin(resolved) == origin(endpoint)
        return try await client.fetchArchive(url: resolved, credentials: sameOrigin ? credentials : .anonymous)
    }

    /// `scheme://host:port` of a URL, to send credentials only where helm would.
    static func origin(_ url: String) -> String? {
        guard let components = URLComponents(string: url), let scheme = components.scheme, let host = components.host else { return nil }
        return "\(scheme)://\(host)\(components.port.map { ":\($0)" } ?? "")"
    }
}
