import CharthouseCore
import CharthouseStore
import Foundation
import HTTPTypes
import HelmFormats
import Hummingbird
import Logging
import NIOCore

/// Blobs: `GET`/`HEAD /v2/<name>/blobs/<digest>`, streamed from the blob store with `Range`.
/// (Uploads are in OCIRoutes+Uploads; blobs go by garbage collection, not by `DELETE`.)
extension OCIRoutes {
    func blobs(_ request: Request, context: CharthouseRequestContext, name: String, digest: String, caller: Caller?) async throws -> Response {
        switch request.method {
        case .get, .head:
            let target = try await service.target(name, caller: caller, action: .pull)
            let (info, path) = try await service.blob(target, digest: digest)
            guard let path else { throw HostedRegistryError(.blobUnknown, "blob \(digest) is not stored locally") }
            let headers: HTTPFields = [.contentType: "application/octet-stream", Self.contentDigest: digest]
            return try await StoredFiles.response(request, path: path, size: info.size, headers: headers, fileIO: fileIO, context: context)
        case .delete:
            throw HostedRegistryError(.unsupported, "blobs are removed by garbage collection, not deleted one by one")
        default:
            throw HostedRegistryError(.unsupported, "\(request.method) is not supported on blobs")
        }
    }
}
