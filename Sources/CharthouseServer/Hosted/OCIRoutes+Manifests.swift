import CharthouseCore
import CharthouseStore
import Foundation
import HTTPTypes
import HelmFormats
import Hummingbird
import Logging
import NIOCore

/// Manifests: `GET`/`HEAD`/`PUT`/`DELETE /v2/<name>/manifests/<reference>`, by tag or digest.
/// Only Helm charts are accepted (the service checks config, layers, name and version).
extension OCIRoutes {
    func manifests(_ request: Request, name: String, reference: String, caller: Caller?) async throws -> Response {
        switch request.method {
        case .get, .head:
            let target = try await service.target(name, caller: caller, action: .pull)
            let manifest = try await service.manifest(target, reference: reference)
            let headers: HTTPFields = [.contentType: manifest.mediaType, Self.contentDigest: manifest.digest, .contentLength: "\(manifest.size)"]
            if request.method == .head { return Response(status: .ok, headers: headers) }
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: manifest.content)))
        case .put:
            let tooLarge = HostedRegistryError(.sizeInvalid, "a manifest may be at most \(service.limits.maxManifestSize) bytes")
            let target = try await service.target(name, caller: caller, action: .push)
            var request = request
            let body = try await request.collectBody(
                upTo: service.limits.maxManifestSize,
                tooLarge: tooLarge,
                cutShort: HostedRegistryError(.manifestInvalid, "the request body ended before all its bytes arrived")
            )
            let manifest = try await service.putManifest(target, reference: reference, body: body, contentType: request.headers[.contentType])
            return Response(
                status: .created,
                headers: [.location: PublicURLs.manifest(name, manifest.digest), Self.contentDigest: manifest.digest, .contentLength: "0"]
            )
        case .delete:
            let target = try await service.target(name, caller: caller, action: .push)
            try await service.deleteManifest(target, digest: reference)
            return Response(status: .accepted, headers: [.contentLength: "0"])
        default:
            throw HostedRegistryError(.unsupported, "\(request.method) is not supported on manifests")
        }
    }
}
