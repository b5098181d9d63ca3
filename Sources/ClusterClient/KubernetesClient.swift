import Foundation
public import HelmFormats
import NIOHTTP1
public import RegistryClient

/// Reads from a Kubernetes API server with a kubeconfig's connection: `GET /version`, and lists
/// of Secrets, ConfigMaps and Namespaces page by page (`limit`/`continue`), whole or as metadata
/// only. Errors are ``RegistryClientError``s whose messages quote the server's answer.
public struct KubernetesClient: Sendable {
    private let fetcher: HTTPFetcher
    private let connection: KubeconfigConnection

    /// Runs `body` with a client for `connection`; the connection is closed afterwards.
    public static func with<R: Sendable>(
        _ connection: KubeconfigConnection,
        options: RegistryConnectionOptions,
        _ body: (KubernetesClient) async throws -> R
    ) async throws -> R {
        var options = options
        if let pem = connection.caCertificatePEM { options.caCertificatePEM = pem }
        options.insecureSkipTLSVerify = connection.insecureSkipTLSVerify
        options.serverName = connection.tlsServerName
        if case .clientCertificate(let certificate, let key) = connection.credential {
            options.clientIdentity = .init(certificatePEM: certificate, keyPEM: key)
        }
        return try await HTTPFetcher.with(options) { fetcher in
            try await body(KubernetesClient(fetcher: fetcher, connection: connection))
        }
    }

    private var authorization: String? {
        switch connection.credential {
        case .bearerToken(let token): "Bearer \(token)"
        case .basic(let username, let password): "Basic " + Data("\(username):\(password)".utf8).base64EncodedString()
        case .clientCertificate, .none: nil
        }
    }

    /// The server's version (`GET /version`).
    public func version() async throws -> KubernetesVersion {
        let response = try await get("/version")
        do {
            return try JSONDecoder().decode(KubernetesVersion.self, from: response.data)
        } catch {
            throw RegistryClientError(.invalidResponse, "\(response.url) did not answer a Kubernetes version (is this a Kubernetes API server?)")
        }
    }

    /// One page of `resource` (`secrets`, `configmaps`, `namespaces`) in `namespace` (all when `nil`).
    public func list(
        _ resource: String,
        namespace: String? = nil,
        labelSelector: String? = nil,
        limit: Int,
        continueToken: String? = nil,
        metadataOnly: Bool = false
    ) async throws -> KubeObjectList {
        var path = namespace.map { "/api/v1/namespaces/\(Self.escape($0))/\(resource)" } ?? "/api/v1/\(resource)"
        var query = ["limit=\(limit)"]
        if let labelSelector { query.append("labelSelector=\(Self.escape(labelSelector))") }
        if let continueToken, !continueToken.isEmpty { query.append("continue=\(Self.escape(continueToken))") }
        path += "?" + query.joined(separator: "&")
        let accept = metadataOnly ? "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json" : "application/json"
        let response = try await get(path, accept: accept)
        do {
            return try JSONDecoder().decode(KubeObjectList.self, from: response.data)
        } catch {
            throw RegistryClientError(.invalidResponse, "\(response.url) did not answer a Kubernetes list: \(error)")
        }
    }

    /// One object, e.g. a release record whose metadata a list reported changed.
    public func object(_ resource: String, namespace: String, name: String) async throws -> KubeObject {
        let response = try await get("/api/v1/namespaces/\(Self.escape(namespace))/\(resource)/\(Self.escape(name))")
        do {
            return try JSONDecoder().decode(KubeObject.self, from: response.data)
        } catch {
            throw RegistryClientError(.invalidResponse, "\(response.url) did not answer a Kubernetes object")
        }
    }

    private func get(_ path: String, accept: String = "application/json") async throws -> HTTPFetcher.Response {
        let response = try await fetcher.get(connection.server + path, authorization: authorization, accept: accept)
        guard (200..<300).contains(response.status.code) else { throw Self.failure(response) }
        return response
    }

    /// The server's `Status` message with the HTTP status, e.g. "403 Forbidden from https://…:
    /// secrets is forbidden: User … cannot list resource …".
    static func failure(_ response: HTTPFetcher.Response) -> RegistryClientError {
        let message = (try? JSONDecoder().decode(StatusMessage.self, from: response.data))?.message
        let detail = message.map { ": \($0)" } ?? ""
        let kind: RegistryClientError.Kind =
            switch response.status.code {
            case 401: .unauthorized
            case 403: .forbidden
            default: .invalidResponse
            }
        return RegistryClientError(kind, "\(response.summary)\(detail)")
    }

    private struct StatusMessage: Decodable {
        let message: String?
    }

    private static func escape(_ text: String) -> String {
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+,/?#")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}

/// `GET /version`.
public struct KubernetesVersion: Decodable, Sendable, Hashable {
    public let gitVersion: String
    public let major: String?
    public let minor: String?
    public let platform: String?
}

/// A list answer: the items, the list's `resourceVersion` and the token for the next page.
public struct KubeObjectList: Decodable, Sendable {
    public struct Metadata: Decodable, Sendable {
        public let resourceVersion: String?
        public let `continue`: String?
    }
    public let metadata: Metadata
    public let items: [KubeObject]
}

/// An object as far as discovery reads it: its metadata and its `data` strings.
public struct KubeObject: Decodable, Sendable {
    public struct Metadata: Decodable, Sendable {
        public let name: String
        public let namespace: String?
        public let uid: String?
        public let resourceVersion: String?
        public let labels: [String: String]?
    }
    public let metadata: Metadata
    public let data: [String: String]?
}
