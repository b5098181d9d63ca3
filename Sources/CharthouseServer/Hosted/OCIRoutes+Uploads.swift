import CharthouseCore
import CharthouseStore
import Foundation
import HTTPTypes
import HelmFormats
import Hummingbird
import Logging
import NIOCore

/// Blob uploads: monolithic, chunked and mounted, as the distribution spec has them.
extension OCIRoutes {
    func uploads(
        _ request: Request,
        context: CharthouseRequestContext,
        name: String,
        upload: String,
        auth: Authorization
    ) async throws
        -> Response
    {
        let caller = auth.caller
        let query = request.uri.queryParameters
        // Who may push is settled first; then a body larger than any blob may be is refused
        // before a byte of it is read.
        let target = try await service.target(name, caller: caller, action: .push)
        if let declared = request.headers[.contentLength] {
            guard let length = Int64(declared), length >= 0 else { throw HostedRegistryError(.blobUploadInvalid, "invalid Content-Length") }
            guard length <= service.limits.maxBlobSize else {
                throw HostedRegistryError(.sizeInvalid, "a blob may be at most \(service.limits.maxBlobSize) bytes")
            }
        }
        func progress(_ id: String, size: Int64, status: HTTPResponse.Status) -> Response {
            Response(
                status: status,
                headers: [
                    .location: PublicURLs.upload(name, id), .range: "0-\(max(size - 1, 0))", Self.uploadUUID: id,
                    .contentLength: "0",
                ]
            )
        }
        func created(_ digest: String) -> Response {
            Response(status: .created, headers: [.location: PublicURLs.blob(name, digest), Self.contentDigest: digest, .contentLength: "0"])
        }
        switch (request.method, upload.isEmpty) {
        case (.post, true):
            if let digest = query["mount"].map(String.init), let from = query["from"].map(String.init),
                (try? await auth.require(.pull, from, service: service)) != nil,
                try await service.mount(target, digest: digest, from: from, caller: caller)
            {
                return created(digest)
            }
            let digest = query["digest"].map(String.init)
            if let digest, !BlobDigest.isValid(digest) { throw HostedRegistryError(.digestInvalid, "invalid digest \"\(digest.prefix(80))\"") }
            let id = try await service.startUpload(target)
            if let digest {
                // Monolithic upload: the whole blob in this request; a failed one leaves no session.
                do {
                    _ = try await service.finishUpload(target, upload: id, digest: digest, request.body)
                } catch {
                    try? await service.cancelUpload(target, upload: id)
                    throw error
                }
                return created(digest)
            }
            return progress(id, size: 0, status: .accepted)
        case (.patch, false):
            var offset: Int64?
            if let header = request.headers[.contentRange] {
                guard let chunk = ChunkRange.parse(header) else {
                    throw HostedRegistryError(.blobUploadInvalid, "malformed Content-Range: expected START-END")
                }
                if let declared = request.headers[.contentLength].flatMap(Int64.init), declared != chunk.length {
                    throw HostedRegistryError(.rangeInvalid, "Content-Range names \(chunk.length) bytes but Content-Length is \(declared)")
                }
                offset = chunk.start
            }
            let size = try await service.appendUpload(target, upload: upload, offset: offset, request.body)
            return progress(upload, size: size, status: .accepted)
        case (.put, false):
            guard let digest = query["digest"].map(String.init) else { throw HostedRegistryError(.digestInvalid, "PUT needs ?digest=") }
            _ = try await service.finishUpload(target, upload: upload, digest: digest, request.body)
            return created(digest)
        case (.get, false):
            return progress(upload, size: try await service.uploadSize(target, upload: upload), status: .noContent)
        case (.delete, false):
            try await service.cancelUpload(target, upload: upload)
            return Response(status: .noContent)
        default:
            throw HostedRegistryError(.unsupported, "\(request.method) is not supported on uploads")
        }
    }
}
