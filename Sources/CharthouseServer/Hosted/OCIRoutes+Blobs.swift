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
            var headers: HTTPFields = [
                .contentType: "application/octet-stream", Self.contentDigest: digest, .acceptRanges: "bytes",
                .contentLength: "\(info.size)",
            ]
            guard let path else { throw HostedRegistryError(.blobUnknown, "blob \(digest) is not stored locally") }
            if let rangeHeader = request.headers[.range] {
                let range = try StoredFiles.servedRange(rangeHeader, size: info.size)
                headers[.contentLength] = "\(range.count)"
                headers[.contentRange] = "bytes \(range.lowerBound)-\(range.upperBound)/\(info.size)"
                if request.method == .head { return Response(status: .partialContent, headers: headers) }
                let body = try await fileIO.loadFile(path: path, range: range, context: context, chunkLength: StoredFiles.chunkLength)
                return Response(status: .partialContent, headers: headers, body: body)
            }
            if request.method == .head { return Response(status: .ok, headers: headers) }
            guard info.size > 0 else { return Response(status: .ok, headers: headers) }
            return Response(
                status: .ok,
                headers: headers,
                body: try await fileIO.loadFile(path: path, context: context, chunkLength: StoredFiles.chunkLength)
            )
        case .delete:
            throw HostedRegistryError(.unsupported, "blobs are removed by garbage collection, not deleted one by one")
        default:
            throw HostedRegistryError(.unsupported, "\(request.method) is not supported on blobs")
        }
    }
}
