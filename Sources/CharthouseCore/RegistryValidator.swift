import CharthouseStore
import Foundation
import HelmFormats
import RegistryClient

/// Checks an unprotected registry live before it is stored: the endpoint answers as a Helm
/// registry and the credentials are accepted (classic: `index.yaml`; OCI: `/v2/` challenge, token
/// exchange, then a listing).
struct RegistryValidator: Sendable {
    let policy: RegistryPolicy

    func validate(_ endpoint: RegistryEndpoint, credentials: RegistryCredentials, record: RegistryRecord) async throws {
        let options = record.connectionOptions(policy: policy, maxBodySize: policy.maxIndexSize)
        do {
            switch endpoint {
            case .classic(let base):
                _ = try await ClassicRepositoryClient(options: options).checkIndex(base: base.absoluteString, credentials: credentials)
            case .oci(let host, let path):
                _ = try await OCIRegistryClient(options: options).checkAccess(
                    host: host,
                    path: path,
                    credentials: credentials,
                    repositories: record.repositories.map { RegistryRecord.repositoryName($0, under: path) }
                )
            }
        } catch let error as RegistryClientError {
            // Refused credentials are the password's fault; anything else, the endpoint's.
            let field = [.unauthorized, .forbidden].contains(error.kind) ? "password" : "endpoint"
            throw CharthouseError(.unprocessable, "registry validation failed: \(error.message)", cause: error, field: field)
        }
    }
}
