public import HelmFormats
public import NIOCore
import NIOHTTP1

/// Talks to a classic Helm chart repository: an HTTP server with `index.yaml` at its base URL.
public struct ClassicRepositoryClient: Sendable {
    public let options: RegistryConnectionOptions

    public init(options: RegistryConnectionOptions) {
        self.options = options
    }

    /// Fetches `BASE/index.yaml` with the credentials and reads it as a Helm index, as
    /// `helm repo add` does; throws ``RegistryClientError`` saying what the repository answered.
    public func checkIndex(base: String, credentials: RegistryCredentials) async throws -> IndexFileSummary {
        let url = base + "/index.yaml"
        let options = self.options
        return try await HTTPFetcher.with(options) { fetcher in
            let response = try await fetcher.get(url, authorization: credentials.basicAuthorization)
            switch response.status.code {
            case 200: break
            case 401: throw RegistryClientError(.unauthorized, response.summary)
            case 403: throw RegistryClientError(.forbidden, response.summary)
            default: throw RegistryClientError(.invalidResponse, response.summary)
            }
            do {
                return try IndexFileSummary(parsing: response.text)
            } catch let error as HelmFormatError {
                throw RegistryClientError(.invalidResponse, "\(error.message) (\(url))")
            }
        }
    }
}

extension ClassicRepositoryClient {
    /// GETs a chart archive (`.tgz`) at `url`, capped at the options' `maxBodySize`. Pass
    /// credentials only where helm would send them (the repository's own scheme and host).
    public func fetchArchive(url: String, credentials: RegistryCredentials) async throws -> ByteBuffer {
        let options = self.options
        return try await HTTPFetcher.with(options) { fetcher in
            let response = try await fetcher.get(url, authorization: credentials.basicAuthorization)
            switch response.status.code {
            case 200: return response.body
            case 401: throw RegistryClientError(.unauthorized, response.summary)
            case 403: throw RegistryClientError(.forbidden, response.summary)
            default: throw RegistryClientError(.invalidResponse, response.summary)
            }
        }
    }
}
