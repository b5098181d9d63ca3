import Foundation
public import NIOCore
import NIOHTTP1
import Synchronization

/// Talks to an OCI distribution registry that holds Helm charts (`oci://host[:port][/path]`).
///
/// Authentication follows the registry's challenge: anonymous, `Basic`, or `Bearer` with the
/// token exchange of CNCF distribution (credentials go to the token realm, never elsewhere).
public struct OCIRegistryClient: Sendable {
    public let options: RegistryConnectionOptions

    /// What a successful access check found.
    public struct AccessReport: Sendable, Hashable {
        /// How the registry asked to be authenticated.
        public enum Authentication: String, Sendable { case anonymous, basic, bearer }
        public let authentication: Authentication
        /// Repositories under the path from the catalog, or `nil` where the catalog is refused.
        public let repositories: [String]?
    }

    public init(options: RegistryConnectionOptions) {
        self.options = options
    }

    /// Proves the credentials and read access, as `helm registry login` + a listing would:
    /// `GET /v2/`, answer its challenge, then read the catalog or the tags of the path.
    /// With `repositories` (full names), each of them must exist and be readable instead.
    public func checkAccess(
        host: String,
        path: String,
        credentials: RegistryCredentials,
        repositories named: [String] = []
    ) async throws
        -> AccessReport
    {
        let base = "\(options.plainHTTP ? "http" : "https")://\(host)"
        return try await HTTPFetcher.with(options) { fetcher in
            let session = try await OCISession.open(base: base, credentials: credentials, fetcher: fetcher)
            if !named.isEmpty {
                for repository in named {
                    let tags = try await session.get("/v2/\(repository)/tags/list?n=1", scope: "repository:\(repository):pull")
                    switch tags.status.code {
                    case 200: continue
                    case 404: throw RegistryClientError(.invalidResponse, "repository \(repository) does not exist: \(tags.summary)")
                    case 401, 403: throw RegistryClientError(.forbidden, "no read access to \(repository): \(tags.summary)")
                    default: throw RegistryClientError(.invalidResponse, "unexpected answer listing tags of \(repository): \(tags.summary)")
                    }
                }
                return AccessReport(authentication: session.authentication, repositories: named)
            }
            let catalog = try await session.get("/v2/_catalog?n=1000", scope: "registry:catalog:*")
            if catalog.status.code == 200 {
                let repositories = (try? JSONDecoder().decode(CatalogPage.self, from: catalog.data))?.repositories ?? []
                let prefix = path.isEmpty ? "" : path + "/"
                return AccessReport(
                    authentication: session.authentication,
                    repositories: repositories.filter { prefix.isEmpty || $0.hasPrefix(prefix) || $0 == path }
                )
            }
            guard [401, 403, 404].contains(catalog.status.code) else {
                throw RegistryClientError(.invalidResponse, "unexpected answer to the catalog: \(catalog.summary)")
            }
            // The catalog is optional and often refused: prove read access on the path instead.
            guard !path.isEmpty else {
                if session.authentication == .anonymous, case .basic = credentials {
                    return AccessReport(authentication: .anonymous, repositories: nil)
                }
                return AccessReport(authentication: session.authentication, repositories: nil)
            }
            let tags = try await session.get("/v2/\(path)/tags/list?n=1", scope: "repository:\(path):pull")
            switch tags.status.code {
            case 200, 404:
                // 404 NAME_UNKNOWN after authorisation: the path is a namespace, and reading is allowed.
                return AccessReport(authentication: session.authentication, repositories: nil)
            case 401, 403:
                throw RegistryClientError(.forbidden, "no read access to \(path): \(tags.summary)")
            default:
                throw RegistryClientError(.invalidResponse, "unexpected answer listing tags of \(path): \(tags.summary)")
            }
        }
    }

    private struct CatalogPage: Decodable {
        let repositories: [String]?
    }
}

/// An authenticated conversation with one registry: remembers the challenge and fetches a
/// Bearer token per scope when the registry uses token authentication.
struct OCISession: Sendable {
    let base: String
    let credentials: RegistryCredentials
    let fetcher: HTTPFetcher
    let challenge: AuthChallenge?
    let tokens = TokenCache()

    /// Bearer tokens by scope, reused for the session's life.
    final class TokenCache: Sendable {
        let tokens = Mutex<[String: String]>([:])
    }

    var authentication: OCIRegistryClient.AccessReport.Authentication {
        switch challenge?.scheme {
        case .none: .anonymous
        case .basic: .basic
        case .bearer: .bearer
        }
    }

    /// `GET /v2/` and, on a challenge, proves the credentials against it.
    static func open(base: String, credentials: RegistryCredentials, fetcher: HTTPFetcher) async throws -> OCISession {
        let ping = try await fetcher.get(base + "/v2/")
        switch ping.status.code {
        case 200:
            return OCISession(base: base, credentials: credentials, fetcher: fetcher, challenge: nil)
        case 401:
            guard let header = ping.headers.first(name: "WWW-Authenticate"), let challenge = AuthChallenge(header: header) else {
                throw RegistryClientError(.unauthorized, "\(ping.summary) without a Basic or Bearer challenge")
            }
            let session = OCISession(base: base, credentials: credentials, fetcher: fetcher, challenge: challenge)
            switch challenge.scheme {
            case .basic:
                guard let authorization = credentials.basicAuthorization else {
                    throw RegistryClientError(.unauthorized, "\(ping.summary): the registry requires credentials")
                }
                let retry = try await fetcher.get(base + "/v2/", authorization: authorization)
                guard retry.status.code == 200 else {
                    throw RegistryClientError(retry.status.code == 401 ? .unauthorized : .invalidResponse, retry.summary)
                }
            case .bearer:
                _ = try await session.token(scope: nil)
            }
            return session
        default:
            throw RegistryClientError(.invalidResponse, "not an OCI registry: \(ping.summary)")
        }
    }

    /// GETs `path` with whatever authorization the registry asked for.
    func get(_ path: String, scope: String, accept: String? = nil) async throws -> HTTPFetcher.Response {
        switch challenge?.scheme {
        case .none: return try await fetcher.get(base + path, accept: accept)
        case .basic: return try await fetcher.get(base + path, authorization: credentials.basicAuthorization, accept: accept)
        case .bearer:
            let cached = tokens.tokens.withLock { $0[scope] }
            let token: String
            if let cached {
                token = cached
            } else {
                token = try await self.token(scope: scope)
                tokens.tokens.withLock { $0[scope] = token }
            }
            return try await fetcher.get(base + path, authorization: "Bearer \(token)", accept: accept)
        }
    }

    /// Exchanges the credentials for a Bearer token at the challenge's realm; a refusal means the
    /// credentials are wrong.
    func token(scope: String?) async throws -> String {
        guard let realm = challenge?.realm, var components = URLComponents(string: realm) else {
            throw RegistryClientError(.invalidResponse, "the registry's Bearer challenge names no realm")
        }
        var items = components.queryItems ?? []
        if let service = challenge?.service { items.append(URLQueryItem(name: "service", value: service)) }
        if let scope { items.append(URLQueryItem(name: "scope", value: scope)) }
        components.queryItems = items.isEmpty ? nil : items
        guard let url = components.url?.absoluteString else {
            throw RegistryClientError(.invalidResponse, "the registry's token realm \(realm) is not a URL")
        }
        let response = try await fetcher.get(url, authorization: credentials.basicAuthorization)
        switch response.status.code {
        case 200: break
        case 401, 403: throw RegistryClientError(.unauthorized, "token request refused: \(response.summary)")
        default: throw RegistryClientError(.invalidResponse, "token request failed: \(response.summary)")
        }
        struct TokenResponse: Decodable {
            let token: String?
            let accessToken: String?
            enum CodingKeys: String, CodingKey {
                case token
                case accessToken = "access_token"
            }
        }
        guard let decoded = try? JSONDecoder().decode(TokenResponse.self, from: response.data),
            let token = decoded.token ?? decoded.accessToken, !token.isEmpty
        else {
            throw RegistryClientError(.invalidResponse, "the token endpoint \(realm) answered without a token")
        }
        return token
    }
}

extension OCIRegistryClient {
    /// GETs the blob `digest` of `repository` (a chart layer), capped at the options'
    /// `maxBodySize`. The caller checks the bytes against the digest.
    public func fetchBlob(host: String, repository: String, digest: String, credentials: RegistryCredentials) async throws -> ByteBuffer {
        let base = "\(options.plainHTTP ? "http" : "https")://\(host)"
        return try await HTTPFetcher.with(options) { fetcher in
            let session = try await OCISession.open(base: base, credentials: credentials, fetcher: fetcher)
            let response = try await session.get("/v2/\(repository)/blobs/\(digest)", scope: "repository:\(repository):pull")
            switch response.status.code {
            case 200: return response.body
            case 401, 403: throw RegistryClientError(.forbidden, "no read access to \(repository): \(response.summary)")
            case 404: throw RegistryClientError(.invalidResponse, "blob \(digest) of \(repository) is gone: \(response.summary)")
            default: throw RegistryClientError(.invalidResponse, "blob \(digest) of \(repository): \(response.summary)")
            }
        }
    }
}
