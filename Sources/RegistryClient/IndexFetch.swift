import Foundation
public import NIOCore
import NIOHTTP1

/// The answer to a conditional fetch of `index.yaml`.
public enum IndexFetch: Sendable {
    /// 304: the index has not changed since the validators given.
    case notModified
    /// The index body (decompressed) with the validators to send next time.
    case body(ByteBuffer, etag: String?, lastModified: String?)
}

extension ClassicRepositoryClient {
    /// `GET BASE/index.yaml` with `If-None-Match` / `If-Modified-Since` and gzip; throws
    /// ``RegistryClientError`` for anything but 200 or 304.
    public func fetchIndex(base: String, credentials: RegistryCredentials, etag: String?, lastModified: String?) async throws -> IndexFetch {
        let url = base + "/index.yaml"
        var headers: [(String, String)] = [("Accept-Encoding", "gzip")]
        if let etag { headers.append(("If-None-Match", etag)) }
        if let lastModified { headers.append(("If-Modified-Since", lastModified)) }
        let options = self.options
        return try await HTTPFetcher.with(options) { fetcher in
            let response = try await fetcher.get(url, authorization: credentials.basicAuthorization, headers: headers)
            switch response.status.code {
            case 200:
                return .body(response.body, etag: response.headers.first(name: "ETag"), lastModified: response.headers.first(name: "Last-Modified"))
            case 304: return .notModified
            case 401: throw RegistryClientError(.unauthorized, response.summary)
            case 403: throw RegistryClientError(.forbidden, response.summary)
            default: throw RegistryClientError(.invalidResponse, response.summary)
            }
        }
    }
}
